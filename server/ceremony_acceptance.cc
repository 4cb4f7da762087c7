#include "server/ceremony_acceptance.h"

#include <algorithm>
#include <set>

#include "core/crypto/ceremony.h"
#include "core/meeting/meeting_defaults.h"
#include "core/record/run_support.h"

namespace phieu::server {

using record::BoardView;

bool IsCeremonyMessage(const v1::EntryBody& body) {
  switch (body.payload_case()) {
    case v1::EntryBody::kCeremonyCommit:
    case v1::EntryBody::kCeremonyReveal:
    case v1::EntryBody::kCeremonyShares:
    case v1::EntryBody::kCeremonyComplaint:
    case v1::EntryBody::kCeremonyComplaintAnswer:
    case v1::EntryBody::kCeremonyTestDecryption:
      return true;
    default:
      return false;
  }
}

Status CheckCeremonyStart(const BoardView& view, const v1::CeremonyStart& start) {
  if (view.key_ready()) return FailedPrecondition("the key is already fixed: one ceremony per meeting");
  if (start.attempt() != view.ceremony().attempt + 1) {
    return InvalidArgument("ceremony attempt must be " + std::to_string(view.ceremony().attempt + 1));
  }
  const auto& meeting_tellers = view.meeting().tellers().participant_ids();
  std::set<std::string> seen;
  for (const auto& id : start.teller_ids()) {
    if (std::find(meeting_tellers.begin(), meeting_tellers.end(), id) == meeting_tellers.end()) {
      return InvalidArgument("'" + id + "' is not a teller of this meeting");
    }
    if (!seen.insert(id).second) return InvalidArgument("teller '" + id + "' named twice");
    if (const record::RosterPerson* p = view.PersonById(id); !p || p->revoked) {
      return FailedPrecondition("teller '" + id + "' has no pinned certificate");
    }
  }
  // The threshold rules (t fits n; t < 2 only in a demo meeting) are the
  // crypto core's: it refuses to begin a ceremony that breaks them.
  return crypto::CeremonyRecord::Begin(view.entry(0).hash(), start,
                                       view.meeting().tellers().demo_single_teller())
      .status();
}

Status CheckCeremonyMessage(const BoardView& view, const std::string& participant_id,
                            const v1::EntryBody& body) {
  if (view.key_ready()) return FailedPrecondition("the key is already fixed");
  const uint32_t index = record::TellerIndex(view, participant_id);
  if (index == 0) return PermissionDenied(participant_id + " is not a teller of this ceremony");
  ASSIGN_OR_RETURN(crypto::CeremonyRecord record, record::CeremonyRecordOf(view));
  return record.Add(index, body);
}

Result<std::optional<v1::CeremonyDone>> CeremonyCompletion(const BoardView& view) {
  if (view.key_ready() || view.ceremony().attempt == 0) return std::optional<v1::CeremonyDone>();
  ASSIGN_OR_RETURN(crypto::CeremonyRecord record, record::CeremonyRecordOf(view));
  if (record.phase() != crypto::CeremonyRecord::Phase::kDone) return std::optional<v1::CeremonyDone>();
  ASSIGN_OR_RETURN(v1::CeremonyDone done, record.Done());
  return std::optional<v1::CeremonyDone>(std::move(done));
}

}  // namespace phieu::server
