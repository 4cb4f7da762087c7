// The chair's entries for a ballot's life: see chair_entries.h.
#include "client/chair_entries.h"

#include "core/meeting/meeting_defaults.h"
#include "phieu/v1/rules.pb.h"

namespace phieu::client {

Result<const record::Run*> PickRun(const record::BoardView& view, const std::string& ballot_id, bool want_open) {
  if (!ballot_id.empty()) {
    if (!view.Spec(ballot_id)) return NotFound("no ballot '" + ballot_id + "' in this meeting");
    const record::Run* run = want_open ? view.OpenRun(ballot_id) : view.LatestRun(ballot_id);
    if (!run) {
      return FailedPrecondition("ballot '" + ballot_id + "' is " + (want_open ? "not open" : "not opened yet"));
    }
    return run;
  }
  std::vector<const record::Run*> open;
  for (const record::Run* r : view.RunsInOrder()) {
    if (!r->closed && !r->cancelled) open.push_back(r);
  }
  if (open.empty()) return FailedPrecondition("no ballot is open now (Chưa có phiếu nào đang mở)");
  if (open.size() > 1) {
    std::string ids;
    for (const record::Run* r : open) ids += " " + r->ballot_id;
    return FailedPrecondition("several ballots are open; name one of:" + ids);
  }
  return open.front();
}

Result<v1::EntryBody> OpenEntry(const record::BoardView& view, const std::string& ballot_id) {
  if (!view.Spec(ballot_id)) return NotFound("no ballot '" + ballot_id + "' in this meeting");
  v1::EntryBody body;
  body.mutable_open()->set_ballot_id(ballot_id);
  body.mutable_open()->set_round(1);
  body.mutable_open()->set_ceremony_done(view.ceremony().done_entry);
  return body;
}

Result<v1::EntryBody> RunoffEntry(const record::BoardView& view, const std::string& ballot_id,
                                  const std::vector<std::string>& chosen) {
  if (!view.Spec(ballot_id)) return NotFound("no ballot '" + ballot_id + "' in this meeting");
  const record::Run* prev = view.LatestRun(ballot_id);
  if (!prev || prev->result_entry.empty()) {
    return FailedPrecondition("ballot '" + ballot_id + "' has no result to follow");
  }
  v1::Outcome outcome;
  if (!outcome.ParseFromString(view.body(prev->result_seq).result().outcome())) {
    return VerificationFailed("the result's outcome does not parse");
  }
  std::vector<std::string> candidates = chosen;
  if (candidates.empty()) candidates.assign(outcome.runoff_candidates().begin(), outcome.runoff_candidates().end());
  if (candidates.empty()) return FailedPrecondition("the result names no candidates for a second round");
  v1::EntryBody body;
  auto* o = body.mutable_open();
  o->set_ballot_id(ballot_id);
  o->set_round(prev->round + 1);
  o->set_previous_run(prev->run_id);
  for (const auto& id : candidates) o->add_candidate_ids(id);
  o->set_ceremony_done(view.ceremony().done_entry);
  return body;
}

Result<v1::EntryBody> CloseEntry(const record::BoardView& view, const std::string& ballot_id) {
  ASSIGN_OR_RETURN(const record::Run* run, PickRun(view, ballot_id, /*want_open=*/true));
  v1::EntryBody body;
  body.mutable_close()->set_run_id(run->run_id);
  return body;
}

Result<v1::EntryBody> ProxyEntry(const record::BoardView& view, const std::string& unit_id,
                                 const std::string& holder_id) {
  if (!view.Unit(unit_id)) return NotFound("no unit '" + unit_id + "' in this meeting");
  if (view.check_ins().count(unit_id)) {
    return FailedPrecondition("unit '" + unit_id + "' is present; it needs no proxy (đơn vị đã có mặt)");
  }
  if (!view.HasRole(holder_id, v1::ROLE_DELEGATE)) {
    return InvalidArgument("proxy holder '" + holder_id + "' is not a delegate of this meeting");
  }
  if (view.DelegateOf(unit_id) == holder_id) return InvalidArgument("the holder is the absent unit's own delegate");
  if (view.proxies().count(unit_id)) return AlreadyExists("unit '" + unit_id + "' already has a proxy");
  v1::EntryBody body;
  body.mutable_proxy()->set_absent_unit_id(unit_id);
  body.mutable_proxy()->set_holder_id(holder_id);
  return body;
}

Result<v1::EntryBody> ProxyAcceptanceEntry(const record::BoardView& view, const std::string& unit_id,
                                           const std::string& participant_id) {
  auto it = view.proxies().find(unit_id);
  if (it == view.proxies().end()) return NotFound("no proxy recorded for unit '" + unit_id + "'");
  if (it->second.holder_id != participant_id) {
    return PermissionDenied("the proxy for '" + unit_id + "' names another holder");
  }
  if (it->second.accepted) return AlreadyExists("the proxy for '" + unit_id + "' is already accepted");
  v1::EntryBody body;
  body.mutable_proxy_acceptance()->set_absent_unit_id(unit_id);
  body.mutable_proxy_acceptance()->set_proxy_entry_hash(it->second.entry_id);
  return body;
}

Result<v1::EntryBody> CloseMeetingEntry(const record::BoardView& view) {
  if (view.meeting_closed()) return FailedPrecondition("the meeting is already closed");
  for (const record::Run* run : view.RunsInOrder()) {
    if (!run->cancelled && run->result_entry.empty()) {
      return FailedPrecondition("ballot '" + run->ballot_id + "' has no result yet; close or cancel it first");
    }
  }
  v1::EntryBody body;
  body.mutable_meeting_closed();
  return body;
}

v1::EntryBody CeremonyStartEntry(const record::BoardView& view, const std::vector<std::string>& tellers,
                                 uint32_t threshold) {
  const v1::TellerSettings& ts = view.meeting().tellers();
  v1::EntryBody body;
  auto* s = body.mutable_ceremony_start();
  s->set_attempt(view.ceremony().attempt + 1);
  if (tellers.empty()) {
    for (const auto& id : ts.participant_ids()) s->add_teller_ids(id);
  } else {
    for (const auto& id : tellers) s->add_teller_ids(id);
  }
  s->set_threshold(threshold ? threshold : meeting::EffectiveThreshold(ts));
  return body;
}

}  // namespace phieu::client
