// A whole meeting built in-process, without gtest and without a network: the
// keys `phieu certs init` makes, the entries the chair, the delegates and the
// tellers post to reach an open ballot (check-in, the tellers' key ceremony
// as client/teller_ceremony.cc drives it, the open), and a delegate's
// encrypted ballot. Shared by the service's gtest harness
// (tests/server/meeting_harness.h) and the service fuzz target
// (tests/fuzz/service_fixture.h), which turn a failed Status into a failed
// test or an abort.
//
// Every step posts through a PostFn that the caller supplies: it signs the
// body as the participant, hands it to the service and brings the caller's
// BoardView mirror up to date; it returns an error when the entry was not
// posted. Each function returns the first error, naming the step.
//
// Thread-safety: none; one thread per meeting.
#ifndef PHIEU_TESTS_MEETING_KIT_MEETING_KIT_H_
#define PHIEU_TESTS_MEETING_KIT_MEETING_KIT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "certs/profile.h"
#include "core/crypto/ballot_crypto.h"
#include "core/crypto/certificate.h"
#include "core/crypto/group.h"
#include "core/crypto/keys.h"
#include "core/record/board_view.h"
#include "core/util/status.h"
#include "phieu/v1/record.pb.h"
#include "server/service.h"

namespace phieu::testing {

// Signs `body` as `participant_id` and posts it; OK once it is on the board
// and the caller's view holds it.
using PostFn = std::function<Status(const std::string& participant_id, const v1::EntryBody& body)>;

// What `phieu certs init` made for a meeting, loaded.
struct MeetingKeys {
  crypto::Certificate ca;
  crypto::PrivateKey server_key;  // the server's Ed25519 signing key
  v1::SignedEntry genesis;        // CA-signed
  std::map<std::string, certs::Credentials> creds;  // by participant id
};

// `phieu certs init` of `meeting_text` into `dir` (MeetingDirectory::InitAll:
// a fresh CA, server keys, every participant's key and the genesis), then
// everything it wrote, loaded. Certificates are valid from `now_unix`.
Result<MeetingKeys> InitMeetingKeys(const std::string& dir, std::string_view meeting_text, int64_t now_unix);

// `body` with the meeting id set, signed by `author` over kEntryDomain.
Result<v1::SignedEntry> SignEntry(const certs::Credentials& author, const std::string& meeting_id,
                                  v1::EntryBody body);

// Reads the entries `view` lacks from `svc`, as `reader`.
Status SyncView(server::Service& svc, const server::Identity& reader, record::BoardView* view);

// The first participant with ROLE_CHAIR in the meeting; "" when none.
std::string ChairOf(const record::BoardView& view);

// Every delegate checks its unit in (a quorum of all units).
Status CheckInAll(const record::BoardView& view, const std::map<std::string, certs::Credentials>& creds,
                  const PostFn& post);

// The chair's CeremonyStart: the meeting's tellers and threshold, the next
// attempt (what client::CeremonyStartEntry makes; the kit does not link the
// network client, which the fuzz build would then have to build).
v1::EntryBody CeremonyStartBody(const record::BoardView& view);

// Drives the tellers' key ceremony as client/teller_ceremony.cc does (commit,
// reveal, shares, receive and check the others' shares, test decryption),
// posting each message through `post` until the board holds the server's
// CeremonyDone. The chair's CeremonyStart must already be on the board. With
// `final_shares`, each teller's secret share s_i (by teller index) is kept.
Status DriveCeremony(const record::BoardView& view, const PostFn& post,
                     std::map<uint32_t, crypto::Scalar>* final_shares = nullptr);

// The chair's Open of `ballot_id`, round 1, under the key in force (as
// client::OpenEntry makes it).
v1::EntryBody OpenBody(const record::BoardView& view, const std::string& ballot_id);

// The ballot of `unit` for `choices` (rules::MarksFor: candidate ids; empty
// is blank) in run `run_id`, encrypted to the joint key; its marks and
// randomness in `secrets_out` when given (e.g. to spoil it).
Result<v1::EntryBody> BallotBody(const record::BoardView& view, const std::string& run_id,
                                 const std::string& unit, const std::vector<std::string>& choices,
                                 crypto::BallotSecrets* secrets_out = nullptr);

}  // namespace phieu::testing

#endif  // PHIEU_TESTS_MEETING_KIT_MEETING_KIT_H_
