// The prepared meeting the service fuzz target runs against, shared with
// make_corpus.cc (which writes seeds for it and checks what they reach).
//
// The meeting is made in-process at start-up, once per process, with the
// gtest-free tests/meeting_kit: `phieu certs init` of
// examples/cum4-2024.textproto (fresh CA, server and participant keys, in a
// temporary directory that is deleted as soon as the keys are loaded), the
// genesis, every unit checked in, the tellers' key ceremony, the first ballot
// (co-thi-dua) opened, and one ballot cast: that of the meeting's last unit
// (dien-bien), choice 0, so that the "already voted" and "identical resend"
// paths are reachable. No key or hash of any earlier run is needed: inputs
// name the things that change from run to run by placeholders.
//
// A service input is:
//   byte 0   who speaks: ServiceSpeakers order (roster order; the last choice
//            is a stranger whose pin is on no roster), modulo their number
//   byte 1   the mode (ServiceMode), modulo kServiceModes
//   rest     the payload:
//   kModeEnvelope     a serialized request Envelope, handled as is
//   kModeSignedEntry  a serialized EntryBody; the harness sets the meeting id,
//                     signs it with the speaker's key (the stranger: with the
//                     first participant's) and posts it
//   kModeBallot       [choice] [unit] then patches: a VALID ballot made by the
//                     harness for this run; `choice` picks, modulo their
//                     number, one option of the unit's ballot (its candidates
//                     in ballot order, then blank); `unit` 0 is the speaker's
//                     own unit (the first unit for a speaker without one),
//                     n > 0 the ((n-1) mod units)-th unit of the meeting. Then
//                     each 3 bytes [hi] [lo] [x] xor x into byte (hi*256+lo)
//                     mod size of the serialized EntryBody, before it is
//                     signed as in kModeSignedEntry. A missing byte counts as 0.
//   kModeSpoil        the same, for a valid SpoiledBallot (Benaloh challenge:
//                     a fresh encryption with its choices and randomness)
// Made ballots and spoils are cached by (mode, unit, option): repeated inputs
// cost no encryption. The cached ballot of (last unit, option 0) is the one on
// the board.
//
// In kModeEnvelope and kModeSignedEntry, every string field (at any depth)
// equal to a placeholder is replaced before the request is made:
//   "@run"            the open run's id (Open entry hash, hex)
//   "@ceremony-done"  the CeremonyDone entry's id
//   "@pin"            the speaker's own pin
#ifndef PHIEU_TESTS_FUZZ_SERVICE_FIXTURE_H_
#define PHIEU_TESTS_FUZZ_SERVICE_FIXTURE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "certs/profile.h"
#include "core/crypto/certificate.h"
#include "core/record/board_view.h"
#include "phieu/v1/record.pb.h"
#include "server/meeting_service.h"
#include "server/service.h"

namespace phieu::fuzz {

enum ServiceMode : uint8_t {
  kModeEnvelope = 0,
  kModeSignedEntry = 1,
  kModeBallot = 2,
  kModeSpoil = 3,
  kServiceModes = 4,
};

inline constexpr char kStranger[] = "stranger";
inline constexpr char kRunPlaceholder[] = "@run";
inline constexpr char kCeremonyDonePlaceholder[] = "@ceremony-done";
inline constexpr char kPinPlaceholder[] = "@pin";

// Everyone on the genesis roster, in roster order, then the stranger.
std::vector<server::Identity> ServiceSpeakers(const v1::Genesis& genesis);

class ServiceFixture : public server::EventSink {
 public:
  // Sees each entry body posted while the meeting is prepared, with its author.
  using SetupObserver = std::function<void(const std::string& participant_id, const v1::EntryBody& body)>;

  // Prepares the meeting (see above); aborts with a message when a step fails.
  explicit ServiceFixture(const SetupObserver& observer = nullptr);
  ~ServiceFixture() override;
  ServiceFixture(const ServiceFixture&) = delete;
  ServiceFixture& operator=(const ServiceFixture&) = delete;

  struct Exchange {
    server::Identity who;
    v1::Envelope request;
    v1::Envelope response;
  };
  // One input: the request it makes and the service's answer; nullopt when
  // the input makes no request (too short, a payload that does not parse).
  // After an accepted post the service is reopened on a fresh copy of the
  // pristine board, so every input meets the same state.
  std::optional<Exchange> Run(const uint8_t* data, size_t size);

  // The serialized EntryBody (meeting id set) of the valid ballot (kModeBallot)
  // or spoil (kModeSpoil) that an input of `who` with these payload bytes
  // patches; made once, then cached.
  Result<std::string> MadeBallot(const server::Identity& who, ServiceMode mode, uint8_t choice,
                                 uint8_t unit_byte);

  const std::vector<server::Identity>& speakers() const { return speakers_; }
  // Index of `participant_id` in speakers(); the stranger's when unknown.
  uint8_t SpeakerIndex(const std::string& participant_id) const;
  // The pristine board, as a mirror.
  const record::BoardView& view() const { return view_; }
  const std::string& run_id() const { return run_id_; }
  const std::string& voted_unit() const { return voted_unit_; }
  // The live board as an election record (the pristine one between inputs).
  Result<v1::ElectionRecord> Export() const { return svc_->Export(); }
  // Seconds the preparation took.
  double setup_seconds() const { return setup_seconds_; }

  void Broadcast(const v1::Envelope&) override {}
  void Disconnect(const std::string&, const std::string&) override {}

 private:
  Status Prepare(const SetupObserver& observer);
  Status OpenService(const v1::SignedEntry* genesis);
  // A fresh copy of the pristine board.
  void Reset();
  // The unit a ballot input is for, and the option its choice byte picks.
  Result<std::pair<std::string, std::string>> BallotTarget(const server::Identity& who, uint8_t choice,
                                                           uint8_t unit_byte) const;
  // The serialized EntryBody (meeting id set) of a valid ballot or spoil, cached.
  Result<std::string> MadeBody(ServiceMode mode, const std::string& unit, const std::string& option);
  // A post of `body_bytes` signed by the speaker's key (the stranger: the first participant's).
  Result<v1::Envelope> SignedPost(const server::Identity& who, std::string body_bytes) const;
  void Substitute(google::protobuf::Message* message, const server::Identity& who) const;

  std::string root_;  // temporary directory: data/ (the live board), pristine/
  int64_t now_ms_ = 0;
  std::optional<crypto::Certificate> ca_;
  std::string server_key_pem_;
  std::map<std::string, certs::Credentials> creds_;
  std::vector<server::Identity> speakers_;
  std::unique_ptr<server::MeetingService> svc_;
  record::BoardView view_;
  std::string run_id_;
  std::string voted_unit_;
  std::map<std::string, std::string> placeholders_;  // without "@pin"
  uint64_t baseline_ = 0;
  std::map<std::tuple<uint8_t, std::string, std::string>, std::string> made_;
  double setup_seconds_ = 0;
};

}  // namespace phieu::fuzz

#endif  // PHIEU_TESTS_FUZZ_SERVICE_FIXTURE_H_
