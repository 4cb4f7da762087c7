// Fuzz target: MeetingService::Handle, every request handler, in process (no
// sockets), against the prepared meeting of service_fixture.h: a key ceremony
// done, every unit checked in, the first ballot question open.
//
// Setup (once per process): the fixture's record is replayed through Handle
// itself, each entry posted by its author, with a clock that returns each
// entry's original time, so the service rebuilds the very same chain (the
// run id, and so the demo's ballots, stay valid). That board is kept as a
// pristine copy.
//
// Per input: one request as one speaker; then, if the request changed the
// board (an accepted post), the service is reopened on a fresh copy of the
// pristine board, so that every input meets the same state and a crash
// reproduces from its input alone.
//
// Invariants beyond "no crash": every response echoes the request id, carries
// a body, and is never ERROR_INTERNAL (the store and the view disagreeing, or
// a server entry that cannot be made, is a bug whatever the input).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "core/crypto/keys.h"
#include "core/crypto/private_file.h"
#include "core/record/record_file.h"
#include "server/frame.h"
#include "server/meeting_service.h"
#include "tests/fuzz/service_fixture.h"

namespace phieu::fuzz {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "service fuzz fixture: %s\n", what.c_str());
  std::abort();
}

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.status().ToString());
  return std::move(r).value();
}

class Harness : public server::EventSink {
 public:
  Harness() {
    const std::string fixture = PHIEU_FUZZ_FIXTURE;
    record_ = Must(record::ReadRecordFile(fixture + "/record.pb"), "fixture record");
    if (record_.entries_size() < 2) Die("fixture record has no entries after the genesis");
    ca_.emplace(Must(crypto::Certificate::FromPem(Must(crypto::ReadFile(fixture + "/ca.pem"), "ca.pem")), "ca.pem"));
    server_key_pem_ = Must(crypto::ReadFile(fixture + "/server.key"), "server.key");
    v1::EntryBody genesis;
    if (!genesis.ParseFromString(record_.entries(0).signed_().body()) || !genesis.has_genesis()) {
      Die("entry 0 of the fixture record is not a genesis");
    }
    meeting_id_ = genesis.meeting_id();
    speakers_ = ServiceSpeakers(genesis.genesis());
    for (const auto& s : speakers_) {
      if (s.participant_id == kStranger) continue;
      const std::string pem = Must(crypto::ReadFile(fixture + "/keys/" + s.participant_id + ".pem"), "key");
      keys_.emplace(s.participant_id, Must(crypto::PrivateKey::FromPem(pem), "key of " + s.participant_id));
    }

    std::random_device rd;
    root_ = (fs::temp_directory_path() /
             ("phieu-fuzz-service-" + std::to_string(::getpid()) + "-" + std::to_string(rd())))
                .string();
    fs::create_directories(root_ + "/data");
    Open(&record_.entries(0).signed_());
    for (int i = 1; i < record_.entries_size(); ++i) {
      const v1::SignedEntry& se = record_.entries(i).signed_();
      if (se.author() == "server") continue;  // the service makes it itself, on the entry before
      server::Identity who = Must(svc_->Authenticate(se.author(), ""), "author of entry " + std::to_string(i));
      v1::Envelope req;
      *req.mutable_post()->mutable_entry() = se;
      v1::Envelope resp = svc_->Handle(who, req);
      if (!resp.has_posted()) Die("entry " + std::to_string(i) + " refused: " + resp.DebugString());
    }
    auto exported = Must(svc_->Export(), "export");
    if (exported.entries_size() != record_.entries_size() ||
        exported.entries(exported.entries_size() - 1).hash() != record_.entries(record_.entries_size() - 1).hash()) {
      Die("replaying the fixture gave another chain; regenerate it (tests/fuzz/README.md)");
    }
    baseline_ = svc_->chain_length();
    svc_.reset();
    fs::copy(root_ + "/data", root_ + "/pristine", fs::copy_options::recursive);
    Reset();
  }

  ~Harness() override {
    svc_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  void Broadcast(const v1::Envelope&) override { appended_.fetch_add(1, std::memory_order_relaxed); }
  void Disconnect(const std::string&, const std::string&) override {}

  void Run(const uint8_t* data, size_t size) {
    if (size < 2) return;
    const server::Identity& who = speakers_[data[0] % speakers_.size()];
    const std::string_view payload(reinterpret_cast<const char*>(data) + 2, size - 2);
    v1::Envelope req;
    switch (data[1] % kServiceModes) {
      case kModeEnvelope: {
        auto env = server::DecodeFrameBody(payload);
        if (!env.ok()) return;
        req = std::move(env).value();
        break;
      }
      case kModeSignedEntry: {
        v1::EntryBody body;
        if (!body.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) return;
        body.set_meeting_id(meeting_id_);
        v1::SignedEntry* se = req.mutable_post()->mutable_entry();
        if (!body.SerializeToString(se->mutable_body())) return;
        se->set_author(who.pin);
        auto key = keys_.find(who.participant_id);
        // The stranger signs with the first participant's key.
        const crypto::PrivateKey& signer = key != keys_.end() ? key->second : keys_.begin()->second;
        se->set_signature(Must(signer.Sign(crypto::kEntryDomain, se->body()), "sign"));
        req.set_request_id(size);
        break;
      }
    }
    const v1::Envelope resp = svc_->Handle(who, req);
    if (resp.request_id() != req.request_id()) Die("response does not echo the request id");
    if (resp.body_case() == v1::Envelope::BODY_NOT_SET) Die("response without a body");
    if (resp.has_error() && resp.error().code() == v1::ERROR_INTERNAL) {
      Die("internal error: " + resp.error().message());
    }
    if (verbose_) {
      std::fprintf(stderr, "%s: %s\n", who.participant_id.c_str(),
                   resp.has_error() ? resp.error().message().c_str() : resp.ShortDebugString().substr(0, 80).c_str());
    }
    if (svc_->chain_length() != baseline_) Reset();
  }

 private:
  void Open(const v1::SignedEntry* genesis) {
    server::MeetingServiceOptions options;
    options.data_dir = root_ + "/data";
    // Each append gets the time its entry had in the demo (the last one's
    // after that), so the replay reproduces the chain hash for hash.
    options.now_ms = [this] {
      const uint64_t n = appended_.load(std::memory_order_relaxed);
      const int last = record_.entries_size() - 1;
      const int i = n < static_cast<uint64_t>(last) ? static_cast<int>(n) : last;
      return record_.entries(i).server_time_ms();
    };
    auto key = Must(crypto::PrivateKey::FromPem(server_key_pem_), "server.key");
    svc_ = Must(server::MeetingService::Open(options, *ca_, std::move(key), genesis), "open the service");
    appended_ = svc_->chain_length();
    svc_->SetEventSink(this);
  }

  // A fresh copy of the pristine board.
  void Reset() {
    svc_.reset();
    fs::remove_all(root_ + "/data");
    fs::copy(root_ + "/pristine", root_ + "/data", fs::copy_options::recursive);
    Open(nullptr);
    if (svc_->chain_length() != baseline_) Die("the pristine board has another length");
  }

  v1::ElectionRecord record_;
  std::optional<crypto::Certificate> ca_;
  std::string server_key_pem_;
  std::string meeting_id_;
  std::vector<server::Identity> speakers_;
  std::map<std::string, crypto::PrivateKey> keys_;
  std::string root_;
  std::unique_ptr<server::MeetingService> svc_;
  std::atomic<uint64_t> appended_{0};
  uint64_t baseline_ = 0;
  // PHIEU_FUZZ_VERBOSE=1: one line per input saying what the service answered.
  const bool verbose_ = std::getenv("PHIEU_FUZZ_VERBOSE") != nullptr;
};

}  // namespace
}  // namespace phieu::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Destroyed at exit, which removes its temporary directory.
  static phieu::fuzz::Harness harness;
  harness.Run(data, size);
  return 0;
}
