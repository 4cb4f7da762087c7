// Writes the fuzz fixture and the seed corpora from a `make demo` run:
//
//   build/bin/fuzz_make_corpus demo-run/cum4-2024 .
//
// (the second argument is the repository root). What it writes, under
// tests/fuzz/:
//   fixture/       service_fixture.h: the demo's record up to its first "open"
//                  entry, the CA certificate, the server's and the
//                  participants' keys (throwaway demo keys)
//   corpus/frame   frames of real requests (one stream of several frames too)
//   corpus/crypto  valid and broken encodings and proofs for crypto_fixture.h
//   corpus/meeting the example meeting files
//   corpus/record  short prefixes of the demo record
//   corpus/service each request kind; the demo's real ballots of the open run
//                  posted by their delegates (accepted) and re-signed by
//                  another delegate (refused); each kind of entry the demo has, re-signed by
//                  its author
// Existing files of the same names are overwritten; crash inputs kept in the
// corpora as regressions (named crash-*) are left alone.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/crypto/ballot_crypto.h"
#include "core/crypto/private_file.h"
#include "core/crypto/proofs.h"
#include "core/record/board_view.h"
#include "core/record/record_file.h"
#include "server/frame.h"
#include "tests/fuzz/crypto_fixture.h"
#include "tests/fuzz/service_fixture.h"

namespace phieu::fuzz {
namespace {

namespace fs = std::filesystem;

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) {
    std::fprintf(stderr, "fuzz_make_corpus: %s: %s\n", what.c_str(), r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

void Write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out.flush()) {
    std::fprintf(stderr, "fuzz_make_corpus: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

std::string Copy(const fs::path& from) { return Must(crypto::ReadFile(from.string()), from.string()); }

std::string Op(uint8_t op, const std::string& rest) { return std::string(1, static_cast<char>(op)) + rest; }

void WriteCryptoCorpus(const fs::path& dir) {
  const CryptoFixture fx;
  Write(dir / "point-generator", Op(kOpPoint, crypto::Point::Generator().Encode().value()));
  Write(dir / "point-key", Op(kOpPoint, fx.K.Encode().value()));
  std::string off_curve = fx.K.Encode().value();
  off_curve[1] = static_cast<char>(off_curve[1] ^ 1);
  Write(dir / "point-x-flipped", Op(kOpPoint, off_curve));
  Write(dir / "point-uncompressed-prefix", Op(kOpPoint, std::string(1, '\x04') + std::string(64, '\x01')));
  Write(dir / "scalar-one", Op(kOpScalar, crypto::Scalar::FromUint64(1).Encode()));
  Write(dir / "scalar-order-minus-one", Op(kOpScalar, crypto::Scalar::FromInt64(-1).Encode()));
  Write(dir / "scalar-all-ff", Op(kOpScalar, std::string(32, '\xff')));

  const std::vector<std::vector<uint32_t>> votes = {{1, 0, 0, 0}, {1, 1, 0, 0}, {0, 0, 0, 1}};
  for (size_t i = 0; i < votes.size(); ++i) {
    v1::EncryptedBallot ballot = Must(
        crypto::EncryptBallot(fx.run_context, fx.K, fx.layout, votes[i], "fuzz-run", "fuzz-unit", nullptr),
        "encrypt a ballot");
    Write(dir / ("ballot-" + std::to_string(i)), Op(kOpBallot, ballot.SerializeAsString()));
    if (i == 0) {
      ballot.mutable_cell_proofs(1)->mutable_challenges()->SwapElements(0, 1);
      Write(dir / "ballot-swapped-challenges", Op(kOpBallot, ballot.SerializeAsString()));
    }
  }
  v1::SchnorrProof schnorr = Must(crypto::ProveSchnorr(fx.schnorr_context, fx.key_secret, fx.K), "schnorr");
  Write(dir / "schnorr", Op(kOpSchnorr, schnorr.SerializeAsString()));
  v1::PartialDecryption partial =
      Must(crypto::PartialDecrypt(fx.partial_context, fx.share, fx.public_share, fx.ct), "partial");
  Write(dir / "partial", Op(kOpPartial, partial.SerializeAsString()));
}

v1::ElectionRecord Prefix(const v1::ElectionRecord& full, int count) {
  v1::ElectionRecord out;
  for (int i = 0; i < count; ++i) *out.add_entries() = full.entries(i);
  return out;
}

int Main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_make_corpus DEMO_RUN_DIR REPO_ROOT\n");
    return 2;
  }
  const fs::path demo = argv[1];
  const fs::path root = argv[2];
  const fs::path fixture = root / "tests/fuzz/fixture";
  const fs::path corpus = root / "tests/fuzz/corpus";

  const v1::ElectionRecord full = Must(record::ReadRecordFile((demo / "record.pb").string()), "demo record");
  std::vector<v1::EntryBody> bodies(full.entries_size());
  int first_open = -1;
  for (int i = 0; i < full.entries_size(); ++i) {
    if (!bodies[i].ParseFromString(full.entries(i).signed_().body())) {
      std::fprintf(stderr, "fuzz_make_corpus: entry %d does not parse\n", i);
      return 1;
    }
    if (first_open < 0 && bodies[i].has_open()) first_open = i;
  }
  if (first_open < 0) {
    std::fprintf(stderr, "fuzz_make_corpus: the demo record opens no ballot\n");
    return 1;
  }
  const v1::ElectionRecord prepared = Prefix(full, first_open + 1);
  fs::create_directories(fixture);
  Status written = record::WriteRecordFile((fixture / "record.pb").string(), prepared);
  if (!written.ok()) {
    std::fprintf(stderr, "fuzz_make_corpus: fixture record: %s\n", written.ToString().c_str());
    return 1;
  }

  // Keys.
  const fs::path meeting = demo / "meeting";
  Write(fixture / "ca.pem", Copy(meeting / "ca/ca.pem"));
  Write(fixture / "server.key", Copy(meeting / "server/signing.key"));
  const std::vector<server::Identity> speakers = ServiceSpeakers(bodies[0].genesis());
  std::map<std::string, uint8_t> speaker_of_pin;
  for (size_t i = 0; i < speakers.size(); ++i) {
    speaker_of_pin[speakers[i].pin] = static_cast<uint8_t>(i);
    if (speakers[i].participant_id == kStranger) continue;
    Write(fixture / "keys" / (speakers[i].participant_id + ".pem"),
          Copy(meeting / "participants" / speakers[i].participant_id / "key.pem"));
  }
  const uint8_t chair = speaker_of_pin.at(full.entries(first_open).signed_().author());
  const uint8_t stranger = static_cast<uint8_t>(speakers.size() - 1);
  // A delegate who is not the chair: the author of the first check-in by someone else.
  uint8_t delegate = stranger;
  for (int i = 1; i < first_open && delegate == stranger; ++i) {
    const std::string& pin = full.entries(i).signed_().author();
    if (bodies[i].has_check_in() && speaker_of_pin.count(pin) && speaker_of_pin.at(pin) != chair) {
      delegate = speaker_of_pin.at(pin);
    }
  }
  const std::string run_id = record::EntryId(full.entries(first_open));

  // Service and frame seeds.
  auto service_seed = [&](const std::string& name, uint8_t who, uint8_t mode, const std::string& payload) {
    Write(corpus / "service" / name, std::string{static_cast<char>(who), static_cast<char>(mode)} + payload);
  };
  std::vector<v1::Envelope> requests(6);
  requests[0].mutable_hello()->set_client("phieu/0.1");
  requests[1].mutable_get_entries()->set_from_seq(1);
  requests[1].mutable_get_entries()->set_limit(3);
  requests[2].mutable_my_ballot()->set_run_id(run_id);
  requests[3].mutable_ping();
  requests[4].mutable_my_ballot()->set_run_id(run_id);
  requests[4].mutable_my_ballot()->set_unit_id("no-such-unit");
  requests[5].mutable_pong();  // a response kind sent as a request
  const char* names[] = {"hello", "get-entries", "my-ballot", "ping", "my-ballot-other-unit", "pong"};
  std::string stream;
  for (size_t i = 0; i < requests.size(); ++i) {
    requests[i].set_request_id(i + 1);
    service_seed(std::string("envelope-") + names[i], chair, kModeEnvelope, requests[i].SerializeAsString());
    Write(corpus / "frame" / names[i], server::EncodeFrame(requests[i]));
    stream += server::EncodeFrame(requests[i]);
  }
  service_seed("envelope-get-entries-stranger", stranger, kModeEnvelope, requests[1].SerializeAsString());
  Write(corpus / "frame" / "stream", stream);
  Write(corpus / "frame" / "zero-length", std::string(4, '\0'));
  Write(corpus / "frame" / "over-cap", std::string("\x00\x10\x00\x01", 4) + "x");

  std::set<std::string> kinds;
  bool wrote_frame_ballot = false;
  for (int i = first_open + 1; i < full.entries_size(); ++i) {
    const v1::SignedEntry& se = full.entries(i).signed_();
    if (se.author() == "server") continue;
    const uint8_t author = speaker_of_pin.at(se.author());
    const std::string kind = record::PayloadKind(bodies[i]);
    if (bodies[i].has_ballot() && bodies[i].ballot().run_id() == run_id) {
      v1::Envelope post;
      post.set_request_id(100 + i);
      *post.mutable_post()->mutable_entry() = se;
      const std::string unit = bodies[i].ballot().unit_id();
      service_seed("ballot-" + unit, author, kModeEnvelope, post.SerializeAsString());
      // Another delegate sends it as their own (re-signed with their key).
      service_seed("ballot-" + unit + "-by-another", author == chair ? delegate : chair, kModeSignedEntry,
                   bodies[i].SerializeAsString());
      if (!wrote_frame_ballot) Write(corpus / "frame" / "post-ballot", server::EncodeFrame(post));
      wrote_frame_ballot = true;
      continue;
    }
    if (!kinds.insert(kind).second) continue;
    service_seed("signed-" + kind, author, kModeSignedEntry, bodies[i].SerializeAsString());
  }
  for (int i = 1; i <= first_open; ++i) {
    const std::string kind = record::PayloadKind(bodies[i]);
    if (full.entries(i).signed_().author() == "server" || !kinds.insert(kind).second) continue;
    service_seed("signed-" + kind, speaker_of_pin.at(full.entries(i).signed_().author()), kModeSignedEntry,
                 bodies[i].SerializeAsString());
  }

  // Record seeds: the genesis alone, and the board as the key was fixed.
  int done = 1;
  while (done < full.entries_size() && !bodies[done].has_ceremony_done()) ++done;
  for (int count : {1, 2, done + 1}) {
    v1::ElectionRecord r = Prefix(full, std::min(count, full.entries_size()));
    r.set_format(std::string(record::kRecordFormat));
    r.set_entry_count(r.entries_size());
    r.set_head(r.entries(r.entries_size() - 1).hash());
    Write(corpus / "record" / ("prefix-" + std::to_string(r.entries_size())), r.SerializeAsString());
  }

  // Meeting seeds.
  for (const auto& e : fs::directory_iterator(root / "examples")) {
    if (e.path().extension() == ".textproto") Write(corpus / "meeting" / e.path().filename(), Copy(e.path()));
  }
  Write(corpus / "meeting" / "syntax-error", "id: \"x\"\nunits { id: \"a\" name: \n");

  WriteCryptoCorpus(corpus / "crypto");
  std::printf("wrote %s and %s\n", fixture.c_str(), corpus.c_str());
  return 0;
}

}  // namespace
}  // namespace phieu::fuzz

int main(int argc, char** argv) { return phieu::fuzz::Main(argc, argv); }
