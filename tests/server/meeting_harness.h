// MeetingHarness: a gtest fixture holding a whole meeting for the server's
// tests: the keys of examples/cum4-2024.textproto made by `certs init`
// (MeetingDirectory::InitAll, once per test binary), a MeetingService on a
// fresh data directory, and a BoardView mirror of its board. Helpers sign and
// post entries in-process (no network), run the check-in and the key ceremony
// (three CeremonyTeller objects, as client/teller_ceremony.cc drives them),
// open a ballot and encrypt a delegate's ballot; the gtest-free steps are in
// tests/meeting_kit/meeting_kit.h (shared with the service fuzz target).
//
// The meeting: chair kChair (also the delegate of son-la), kThu the delegate
// of cao-bang, three tellers, seven units; ballot kBallot.
//
// Thread-safety: test thread only; Service() itself is thread-safe.
#ifndef PHIEU_TESTS_SERVER_MEETING_HARNESS_H_
#define PHIEU_TESTS_SERVER_MEETING_HARNESS_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "certs/profile.h"
#include "core/crypto/ballot_crypto.h"
#include "core/crypto/group.h"
#include "core/record/board_view.h"
#include "server/meeting_service.h"
#include "tests/meeting_kit/meeting_kit.h"

namespace phieu::server {

inline constexpr char kChair[] = "nguyen-huy-hoang";  // chair, and delegate of son-la
inline constexpr char kThu[] = "nguyen-ngoc-thu";     // delegate of cao-bang
inline constexpr char kBallot[] = "co-thi-dua";

int64_t NowUnix();
// A new directory under the system's temp directory.
std::string NewTempDir(const std::string& tag);
// A paper batch of kBallot, unsigned: `votes` by candidate id, in the cells of
// its full layout (the 7 candidates in ballot order, then blank = `blank`).
v1::EntryBody PaperBatch(const std::string& run_id, const std::vector<std::string>& units,
                         const std::map<std::string, uint32_t>& votes, uint32_t valid, uint32_t blank,
                         uint32_t invalid);

class MeetingHarness : public ::testing::Test {
 protected:
  // The meeting's keys are made once: certs init is the slow part.
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override;

  // Options for (re)opening the service; tests may change them before OpenService.
  MeetingServiceOptions ServiceOptions() const;
  // (Re)opens the service on data_dir_; the view is rebuilt from the board.
  bool OpenService(const v1::SignedEntry* genesis, MeetingServiceOptions options);
  bool OpenService(const v1::SignedEntry* genesis) { return OpenService(genesis, ServiceOptions()); }

  // The `certs init` directory: ca/, server/, participants/<id>/{cert,key,ca}.pem.
  static const std::string& CertsRoot() { return *root_; }
  static std::string ParticipantDir(const std::string& id);
  static const certs::Credentials& Creds(const std::string& id) { return creds_->at(id); }
  static Identity Who(const std::string& id) { return Identity{Creds(id).cert.Pin(), id}; }

  // Reads the entries the view lacks.
  bool Sync();
  v1::SignedEntry SignAs(const std::string& id, v1::EntryBody body);
  v1::Envelope PostSigned(const Identity& who, const v1::SignedEntry& se);
  // Signs with the participant's key and posts on the participant's connection.
  v1::Envelope Post(const std::string& id, const v1::EntryBody& body);
  // Post as a meeting-kit PostFn: an error when the entry is not posted.
  testing::PostFn Poster();

  void ExpectPosted(const v1::Envelope& resp);
  void ExpectError(const v1::Envelope& resp, v1::ErrorCode code, const std::string& words);

  // Every unit checks itself in (quorum), as its delegate.
  void CheckInAll();
  // The chair starts the ceremony; three tellers drive it until the server
  // posts CeremonyDone.
  void RunCeremony();
  // The chair's Open of kBallot, round 1, under the key in force.
  v1::EntryBody OpenBody() const;
  // Check-in, ceremony, open: returns the run id.
  std::string OpenRun();
  // The ballot of `unit` for `choice`, encrypted to the joint key (its
  // choices and randomness in `secrets_out` when given, e.g. to spoil it).
  v1::EntryBody Ballot(const std::string& run_id, const std::string& unit, const std::string& choice,
                       crypto::BallotSecrets* secrets_out = nullptr);
  v1::Genesis GenesisBody() const;

  static std::string* root_;
  static std::map<std::string, certs::Credentials>* creds_;
  std::string data_dir_;
  v1::SignedEntry genesis_;
  std::unique_ptr<MeetingService> svc_;
  record::BoardView view_;
  // Each teller's secret share s_i by teller index, once RunCeremony is done.
  std::map<uint32_t, crypto::Scalar> teller_shares_;
};

}  // namespace phieu::server

#endif  // PHIEU_TESTS_SERVER_MEETING_HARNESS_H_
