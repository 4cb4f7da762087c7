#include "tests/fuzz/service_fixture.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string_view>
#include <utility>

#include "core/crypto/ballot_crypto.h"
#include "core/crypto/keys.h"
#include "core/crypto/private_file.h"
#include "core/crypto/secure.h"
#include "core/record/run_support.h"
#include "server/frame.h"
#include "tests/meeting_kit/meeting_kit.h"

namespace phieu::fuzz {
namespace {

namespace fs = std::filesystem;
using google::protobuf::FieldDescriptor;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "service fuzz fixture: %s\n", what.c_str());
  std::abort();
}

// The participant's entry in the meeting file; nullptr when not on it.
const v1::Participant* FindParticipant(const record::BoardView& view, const std::string& id) {
  for (const auto& p : view.meeting().participants()) {
    if (p.id() == id) return &p;
  }
  return nullptr;
}

}  // namespace

std::vector<server::Identity> ServiceSpeakers(const v1::Genesis& genesis) {
  std::vector<server::Identity> out;
  for (const auto& m : genesis.roster()) {
    auto cert = crypto::Certificate::FromDer(m.certificate());
    out.push_back({cert.ok() ? cert->Pin() : std::string(), m.participant_id()});
  }
  out.push_back({std::string(64, '0'), kStranger});
  return out;
}

ServiceFixture::ServiceFixture(const SetupObserver& observer) {
  const auto start = std::chrono::steady_clock::now();
  std::random_device rd;
  root_ = (fs::temp_directory_path() /
           ("phieu-fuzz-service-" + std::to_string(::getpid()) + "-" + std::to_string(rd())))
              .string();
  Status s = Prepare(observer);
  if (!s.ok()) {
    std::error_code ec;
    fs::remove_all(root_, ec);
    Die("preparing the meeting: " + s.ToString());
  }
  setup_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

ServiceFixture::~ServiceFixture() {
  svc_.reset();
  crypto::SecureWipe(server_key_pem_);
  std::error_code ec;
  fs::remove_all(root_, ec);
}

Status ServiceFixture::Prepare(const SetupObserver& observer) {
  ASSIGN_OR_RETURN(std::string meeting_text, crypto::ReadFile(PHIEU_FUZZ_MEETING));
  const int64_t now_unix =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  // The service's clock stands still at the meeting's start: an input's
  // answer never depends on when it runs.
  now_ms_ = now_unix * 1000;
  const std::string certs_dir = root_ + "/certs";
  auto keys = testing::InitMeetingKeys(certs_dir, meeting_text, now_unix);
  // The keys live in memory from here on; none stays on disk.
  std::error_code ec;
  fs::remove_all(certs_dir, ec);
  if (!keys.ok()) return keys.status();
  ca_.emplace(std::move(keys->ca));
  ASSIGN_OR_RETURN(server_key_pem_, keys->server_key.ToPem());
  creds_ = std::move(keys->creds);
  v1::EntryBody genesis;
  if (!genesis.ParseFromString(keys->genesis.body()) || !genesis.has_genesis()) {
    return DataLoss("genesis.entry holds no genesis");
  }
  speakers_ = ServiceSpeakers(genesis.genesis());

  fs::create_directories(root_ + "/data");
  RETURN_IF_ERROR(OpenService(&keys->genesis));
  const std::string chair = testing::ChairOf(view_);
  if (chair.empty()) return NotFound("the meeting has no chair");
  const testing::PostFn post = [&](const std::string& id, const v1::EntryBody& body) -> Status {
    auto author = creds_.find(id);
    if (author == creds_.end()) return NotFound("no credentials for " + id);
    ASSIGN_OR_RETURN(v1::SignedEntry se, testing::SignEntry(author->second, view_.meeting().id(), body));
    v1::Envelope req;
    *req.mutable_post()->mutable_entry() = std::move(se);
    const v1::Envelope resp = svc_->Handle(speakers_[SpeakerIndex(id)], req);
    if (!resp.has_posted()) return FailedPrecondition(record::PayloadKind(body) + " refused: " + resp.ShortDebugString());
    if (observer) observer(id, body);
    return testing::SyncView(*svc_, speakers_[SpeakerIndex(chair)], &view_);
  };
  RETURN_IF_ERROR(testing::CheckInAll(view_, creds_, post));
  RETURN_IF_ERROR(post(chair, testing::CeremonyStartBody(view_)));
  RETURN_IF_ERROR(testing::DriveCeremony(view_, post));
  if (view_.meeting().ballots_size() == 0 || view_.meeting().units_size() == 0) {
    return InvalidArgument("the meeting has no ballot or no unit");
  }
  const std::string ballot_id = view_.meeting().ballots(0).id();
  RETURN_IF_ERROR(post(chair, testing::OpenBody(view_, ballot_id)));
  const record::Run* run = view_.OpenRun(ballot_id);
  if (!run) return NotFound("no open run of " + ballot_id);
  run_id_ = run->run_id;
  placeholders_ = {{kRunPlaceholder, run_id_}, {kCeremonyDonePlaceholder, view_.ceremony().done_entry}};

  // The last unit votes: option 0, the ballot that stays in the cache.
  voted_unit_ = view_.meeting().units(view_.meeting().units_size() - 1).id();
  std::string voter;
  for (const auto& p : view_.meeting().participants()) {
    if (p.unit_id() == voted_unit_) voter = p.id();
  }
  if (voter.empty()) return NotFound("no delegate for " + voted_unit_);
  const server::Identity& who = speakers_[SpeakerIndex(voter)];
  ASSIGN_OR_RETURN(std::string ballot, MadeBallot(who, kModeBallot, 0, 0));
  ASSIGN_OR_RETURN(v1::Envelope cast, SignedPost(who, ballot));
  const v1::Envelope resp = svc_->Handle(who, cast);
  if (!resp.has_posted()) return FailedPrecondition("the ballot of " + voted_unit_ + " refused: " + resp.ShortDebugString());
  if (observer) {
    v1::EntryBody body;
    if (body.ParseFromString(ballot)) observer(voter, body);
  }
  RETURN_IF_ERROR(testing::SyncView(*svc_, who, &view_));

  baseline_ = svc_->chain_length();
  svc_.reset();
  fs::copy(root_ + "/data", root_ + "/pristine", fs::copy_options::recursive);
  Reset();
  return Status();
}

Status ServiceFixture::OpenService(const v1::SignedEntry* genesis) {
  server::MeetingServiceOptions options;
  options.data_dir = root_ + "/data";
  // No rate limit: it runs on the wall clock, so it would make an input's
  // answer depend on how fast the inputs before it came.
  options.post_rate = server::RateLimit{1e9, 1e9};
  options.officer_post_rate = server::RateLimit{1e9, 1e9};
  options.now_ms = [t = now_ms_] { return t; };
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::FromPem(server_key_pem_));
  ASSIGN_OR_RETURN(svc_, server::MeetingService::Open(options, *ca_, std::move(key), genesis));
  svc_->SetEventSink(this);
  if (genesis) return testing::SyncView(*svc_, speakers_.front(), &view_);
  return Status();
}

void ServiceFixture::Reset() {
  svc_.reset();
  fs::remove_all(root_ + "/data");
  fs::copy(root_ + "/pristine", root_ + "/data", fs::copy_options::recursive);
  Status s = OpenService(nullptr);
  if (!s.ok()) Die("reopening the pristine board: " + s.ToString());
  if (svc_->chain_length() != baseline_) Die("the pristine board has another length");
}

uint8_t ServiceFixture::SpeakerIndex(const std::string& participant_id) const {
  for (size_t i = 0; i < speakers_.size(); ++i) {
    if (speakers_[i].participant_id == participant_id) return static_cast<uint8_t>(i);
  }
  return static_cast<uint8_t>(speakers_.size() - 1);
}

Result<std::pair<std::string, std::string>> ServiceFixture::BallotTarget(const server::Identity& who,
                                                                         uint8_t choice,
                                                                         uint8_t unit_byte) const {
  const auto& units = view_.meeting().units();
  std::string unit;
  if (unit_byte != 0) {
    unit = units[(unit_byte - 1) % units.size()].id();
  } else {
    const v1::Participant* p = FindParticipant(view_, who.participant_id);
    unit = p && !p->unit_id().empty() ? p->unit_id() : units[0].id();
  }
  const record::Run* run = view_.FindRun(run_id_);
  if (!run) return NotFound("no run " + run_id_);
  ASSIGN_OR_RETURN(v1::BallotLayout layout, record::VoterLayoutFor(view_, *run, unit));
  // The unit's options: its candidates in ballot order, then blank ("").
  std::vector<std::string> options;
  for (const auto& cell : layout.cells()) {
    if (std::find(options.begin(), options.end(), cell.candidate_id()) == options.end()) {
      options.push_back(cell.candidate_id());
    }
  }
  if (options.empty()) return FailedPrecondition("the ballot of " + unit + " has no cell");
  return std::make_pair(unit, options[choice % options.size()]);
}

Result<std::string> ServiceFixture::MadeBallot(const server::Identity& who, ServiceMode mode, uint8_t choice,
                                               uint8_t unit_byte) {
  ASSIGN_OR_RETURN(auto target, BallotTarget(who, choice, unit_byte));
  return MadeBody(mode, target.first, target.second);
}

Result<std::string> ServiceFixture::MadeBody(ServiceMode mode, const std::string& unit, const std::string& option) {
  const auto key = std::make_tuple(static_cast<uint8_t>(mode), unit, option);
  auto it = made_.find(key);
  if (it != made_.end()) return it->second;
  std::vector<std::string> choices;
  if (!option.empty()) choices.push_back(option);
  crypto::BallotSecrets secrets;
  ASSIGN_OR_RETURN(v1::EntryBody body, testing::BallotBody(view_, run_id_, unit, choices, &secrets));
  if (mode == kModeSpoil) {
    v1::EntryBody spoil;
    *spoil.mutable_spoiled() = secrets.Spoil(body.ballot());
    body = std::move(spoil);
  }
  secrets.Wipe();
  body.set_meeting_id(view_.meeting().id());
  return made_.emplace(key, body.SerializeAsString()).first->second;
}

Result<v1::Envelope> ServiceFixture::SignedPost(const server::Identity& who, std::string body_bytes) const {
  auto author = creds_.find(who.participant_id);
  // The stranger signs with the first participant's key.
  const crypto::PrivateKey& signer = author != creds_.end() ? author->second.key : creds_.begin()->second.key;
  v1::Envelope req;
  v1::SignedEntry* se = req.mutable_post()->mutable_entry();
  ASSIGN_OR_RETURN(*se->mutable_signature(), signer.Sign(crypto::kEntryDomain, body_bytes));
  se->set_body(std::move(body_bytes));
  se->set_author(who.pin);
  return req;
}

void ServiceFixture::Substitute(google::protobuf::Message* message, const server::Identity& who) const {
  const google::protobuf::Reflection* refl = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  refl->ListFields(*message, &fields);
  auto replacement = [&](const std::string& value) -> const std::string* {
    if (value == kPinPlaceholder) return &who.pin;
    auto it = placeholders_.find(value);
    return it == placeholders_.end() ? nullptr : &it->second;
  };
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      if (f->is_repeated()) {
        for (int i = 0; i < refl->FieldSize(*message, f); ++i) {
          if (const std::string* r = replacement(refl->GetRepeatedString(*message, f, i))) {
            refl->SetRepeatedString(message, f, i, *r);
          }
        }
      } else if (const std::string* r = replacement(refl->GetString(*message, f))) {
        refl->SetString(message, f, *r);
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < refl->FieldSize(*message, f); ++i) {
          Substitute(refl->MutableRepeatedMessage(message, f, i), who);
        }
      } else {
        Substitute(refl->MutableMessage(message, f), who);
      }
    }
  }
}

std::optional<ServiceFixture::Exchange> ServiceFixture::Run(const uint8_t* data, size_t size) {
  if (size < 2) return std::nullopt;
  Exchange ex;
  ex.who = speakers_[data[0] % speakers_.size()];
  const std::string_view payload(reinterpret_cast<const char*>(data) + 2, size - 2);
  const auto mode = static_cast<ServiceMode>(data[1] % kServiceModes);
  switch (mode) {
    case kModeEnvelope: {
      auto env = server::DecodeFrameBody(payload);
      if (!env.ok()) return std::nullopt;
      ex.request = std::move(env).value();
      Substitute(&ex.request, ex.who);
      break;
    }
    case kModeSignedEntry: {
      v1::EntryBody body;
      if (!body.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) return std::nullopt;
      Substitute(&body, ex.who);
      body.set_meeting_id(view_.meeting().id());
      auto req = SignedPost(ex.who, body.SerializeAsString());
      if (!req.ok()) Die("signing: " + req.status().ToString());
      ex.request = std::move(req).value();
      break;
    }
    case kModeBallot:
    case kModeSpoil: {
      auto byte = [&](size_t i) { return i < payload.size() ? static_cast<uint8_t>(payload[i]) : uint8_t{0}; };
      auto made = MadeBallot(ex.who, mode, byte(0), byte(1));
      if (!made.ok()) Die("making a ballot: " + made.status().ToString());
      std::string bytes = *made;
      for (size_t i = 2; i + 2 < payload.size(); i += 3) {
        bytes[(byte(i) * 256u + byte(i + 1)) % bytes.size()] ^= static_cast<char>(byte(i + 2));
      }
      auto req = SignedPost(ex.who, std::move(bytes));
      if (!req.ok()) Die("signing: " + req.status().ToString());
      ex.request = std::move(req).value();
      break;
    }
    case kServiceModes:
      return std::nullopt;
  }
  if (mode != kModeEnvelope) ex.request.set_request_id(size);
  ex.response = svc_->Handle(ex.who, ex.request);
  if (svc_->chain_length() != baseline_) Reset();
  return ex;
}

}  // namespace phieu::fuzz
