// The real backend of `phieu app`: see app_backend.h.
#include "client/app/app_backend.h"

#include <algorithm>

#include <boost/json/array.hpp>

#include "client/audit.h"
#include "client/ballot_cast.h"
#include "client/chair_entries.h"
#include "client/result_minutes.h"
#include "core/crypto/ballot_crypto.h"
#include "core/crypto/sha256.h"
#include "core/meeting/meeting_defaults.h"
#include "core/record/run_support.h"
#include "core/rules/share.h"
#include "core/util/bytes.h"
#include "phieu/v1/rules.pb.h"

namespace phieu::client::app {
namespace {

namespace json = boost::json;
using record::BoardView;
using record::Run;

std::string KindName(v1::BallotKind k) {
  switch (k) {
    case v1::KIND_ELECT_ONE: return "one";
    case v1::KIND_APPROVE: return "approve";
    case v1::KIND_RANK: return "rank";
    case v1::KIND_YES_NO_ABSTAIN: return "yna";
    default: return "unknown";
  }
}

std::string RunState(const Run& run) {
  if (run.cancelled) return "cancelled";
  if (!run.result_entry.empty()) return "result";
  if (!run.tally_entry.empty()) return "decrypting";
  if (run.closed) return "closed";
  return "open";
}

std::string StandingName(v1::Standing s) {
  switch (s) {
    case v1::STANDING_ELECTED: return "elected";
    case v1::STANDING_NOT_ELECTED: return "not_elected";
    case v1::STANDING_TIED: return "tied";
    default: return "";
  }
}

std::string CandidateName(const v1::BallotSpec& spec, const std::string& id) {
  for (const auto& c : spec.candidates()) {
    if (c.id() == id) return c.name().empty() ? c.id() : c.name();
  }
  return id;
}

std::string Head(const BoardView& v) { return record::EntryId(v.entries().back()); }

uint64_t SumWeights(const BoardView& v, const std::vector<std::string>& units) {
  uint64_t n = 0;
  for (const auto& u : units) n += v.Weight(u);
  return n;
}

// The units this participant casts in `run`: its own (if present at the
// opening) and those it carries by an accepted proxy.
std::vector<std::string> MyUnits(const MeetingClient& c, const Run& run) {
  std::vector<std::string> units;
  const std::string own = c.own_unit();
  if (!own.empty()) units.push_back(own);
  for (const auto& [absent, holder] : run.proxies_at_open) {
    if (holder == c.participant_id() && absent != own) units.push_back(absent);
  }
  return units;
}

json::object ReceiptJson(const v1::SignedReceipt& r) {
  const ReceiptInfo info = DescribeReceipt(r);
  json::object o;
  o["tracking_code"] = info.tracking_code;
  o["seq"] = info.seq;
  o["entry_hash"] = info.entry_hash;
  return o;
}

// Where a receipted ballot stands on the board this client mirrors: the entry
// at the receipt's position must be this ballot (same tracking code, same
// chain hash) and be the run's counted ballot of the unit.
std::string ReceiptStatus(const BoardView& v, const Run& run, const std::string& unit,
                          const ReceiptInfo& info) {
  if (info.seq >= v.length()) return "pending";
  const v1::EntryBody& body = v.body(info.seq);
  if (!body.has_ballot() || Hex(crypto::TrackingCode(body.ballot())) != info.tracking_code ||
      record::EntryId(v.entry(info.seq)) != info.entry_hash) {
    return "missing";
  }
  auto it = run.ballots.find(unit);
  if (it == run.ballots.end() || it->second.seq != info.seq) return "missing";
  if (!run.result_entry.empty()) return "counted";
  if (!run.tally_entry.empty()) return "in_tally";
  return "on_board";
}

json::object CountsJson(const v1::Counts& c) {
  json::object o;
  o["members_units"] = c.members_units();
  o["members_votes"] = c.members_votes();
  o["present_units"] = c.present_units();
  o["present_votes"] = c.present_votes();
  o["issued_votes"] = c.issued_votes();
  o["received_votes"] = c.received_votes();
  o["received_units"] = c.received_units();
  o["valid_votes"] = c.valid_votes();
  o["blank_votes"] = c.blank_votes();
  o["invalid_votes"] = c.invalid_votes();
  return o;
}

json::object ResultJson(const BoardView& v, const Run& run, const v1::BallotSpec& spec) {
  json::object o;
  auto in = MinutesFor(v, run);
  if (!in.ok()) {
    o["error"] = in.status().message();
    return o;
  }
  const v1::Outcome& out = in->outcome;
  o["counts"] = CountsJson(out.counts());
  o["base_votes"] = out.base_votes();
  o["share_vi"] = rules::ShareText(out.share(), rules::Lang::kVi);
  o["share_en"] = rules::ShareText(out.share(), rules::Lang::kEn);
  json::array cands;
  for (const auto& c : out.candidates()) {
    json::object x;
    x["id"] = c.candidate_id();
    x["name"] = CandidateName(spec, c.candidate_id());
    x["votes"] = c.votes();
    x["no_votes"] = c.no_votes();
    x["abstain_votes"] = c.abstain_votes();
    x["points"] = c.points();
    x["place"] = c.place();
    x["standing"] = StandingName(c.standing());
    json::array ranks;
    for (uint32_t n : c.rank_counts()) ranks.push_back(n);
    x["rank_counts"] = std::move(ranks);
    cands.push_back(std::move(x));
  }
  o["candidates"] = std::move(cands);
  json::array elected, runoff, notes_vi, notes_en;
  for (const auto& id : out.elected()) elected.push_back(json::value(CandidateName(spec, id)));
  for (const auto& id : out.runoff_candidates()) runoff.push_back(json::value(CandidateName(spec, id)));
  for (const auto& n : out.notes_vi()) notes_vi.push_back(json::value(n));
  for (const auto& n : out.notes()) notes_en.push_back(json::value(n));
  for (const auto& n : in->notes) {
    notes_vi.push_back(json::value(n.vi));
    notes_en.push_back(json::value(n.en));
  }
  o["elected"] = std::move(elected);
  o["runoff_candidates"] = std::move(runoff);
  o["no_winner"] = out.no_winner();
  o["notes_vi"] = std::move(notes_vi);
  o["notes_en"] = std::move(notes_en);
  o["server_fingerprint"] = in->server_fingerprint;
  o["signature_fingerprint"] =
      Hex(crypto::Sha256(v.entry(run.result_seq).signed_().signature())).substr(0, 16);
  o["chain_head"] = in->chain_head_hex;
  o["signed_at_ms"] = in->count_ended_unix_ms;
  return o;
}

json::object RunJson(const MeetingClient& c, const Run& run, const v1::BallotSpec& spec) {
  const BoardView& v = c.view();
  json::object o;
  o["id"] = run.run_id;
  o["round"] = run.round;
  o["open_seq"] = run.open_seq;
  o["state"] = RunState(run);
  std::vector<std::string> eligible;
  for (const auto& [u, att] : run.present_at_open) eligible.push_back(u);
  for (const auto& [u, holder] : run.proxies_at_open) {
    if (!run.present_at_open.count(u)) eligible.push_back(u);
  }
  std::vector<std::string> cast;
  for (const auto& [u, ref] : run.ballots) cast.push_back(u);
  // Turnout only: how many ballots are in, never what they say.
  o["issued_units"] = eligible.size();
  o["issued_votes"] = SumWeights(v, eligible);
  o["received_units"] = cast.size();
  o["received_votes"] = SumWeights(v, cast);
  json::array cands;
  for (const auto& id : run.candidates) {
    json::object x;
    x["id"] = id;
    x["name"] = CandidateName(spec, id);
    cands.push_back(std::move(x));
  }
  o["candidates"] = std::move(cands);
  json::object tellers;
  tellers["threshold"] = v.ceremony().threshold;
  tellers["tellers"] = v.ceremony().teller_ids.size();
  tellers["tallied"] = !run.tally_entry.empty();
  tellers["shares"] = run.decryption_shares.size();
  tellers["cosigned"] = run.cosigned.size();
  o["tellers"] = std::move(tellers);
  if (!run.result_entry.empty()) o["result"] = ResultJson(v, run, spec);

  json::array mine;
  for (const std::string& unit : MyUnits(c, run)) {
    json::object m;
    m["unit"] = unit;
    m["unit_name"] = v.Unit(unit) ? v.Unit(unit)->name() : unit;
    Status may = CheckCaster(c, run, unit);
    m["may_vote"] = may.ok();
    if (!may.ok()) m["why_not"] = may.message();
    m["voted"] = run.ballots.count(unit) > 0;
    m["stored"] = StoredBallot(c.profile_dir(), run.run_id, unit).has_value();
    if (auto r = StoredReceipt(c.profile_dir(), run.run_id, unit)) m["receipt"] = ReceiptJson(*r);
    if (may.ok()) {
      json::array selectable;
      if (auto layout = record::VoterLayoutFor(v, run, unit); layout.ok()) {
        for (const auto& id : run.candidates) {
          bool present = std::any_of(layout->cells().begin(), layout->cells().end(),
                                     [&](const v1::Cell& cell) { return cell.candidate_id() == id; });
          if (present) selectable.push_back(json::value(id));
        }
      }
      m["selectable"] = std::move(selectable);
    }
    mine.push_back(std::move(m));
  }
  o["mine"] = std::move(mine);
  return o;
}

}  // namespace

ClientBackend::ClientBackend(std::string profile_dir) : profile_dir_(std::move(profile_dir)) {}

Status ClientBackend::Fresh() {
  if (client_) {
    Status s = client_->Sync();
    if (s.ok() || s.code() != StatusCode::kUnavailable) return s;
    client_.reset();  // the connection dropped: one reconnect below
  }
  ASSIGN_OR_RETURN(std::unique_ptr<MeetingClient> c, MeetingClient::Connect(profile_dir_));
  RETURN_IF_ERROR(c->Sync());
  client_ = std::move(c);
  return Status::Ok();
}

Result<json::object> ClientBackend::State() {
  prepared_.DropExpired(PreparedBallots::Clock::now());
  RETURN_IF_ERROR(Fresh());
  const MeetingClient& c = *client_;
  const BoardView& v = c.view();
  const v1::Meeting& m = v.meeting();
  json::object o;

  json::object meeting;
  meeting["id"] = m.id();
  meeting["title"] = m.title();
  meeting["title_en"] = m.title_en();
  meeting["place"] = m.place();
  meeting["date"] = m.date();
  meeting["closed"] = v.meeting_closed();
  o["meeting"] = std::move(meeting);

  json::object me;
  me["id"] = c.participant_id();
  const v1::Participant* p = v.Participant(c.participant_id());
  me["name"] = p ? p->name() : c.participant_id();
  me["unit"] = c.own_unit();
  me["unit_name"] = v.Unit(c.own_unit()) ? v.Unit(c.own_unit())->name() : "";
  me["chair"] = c.HasRole(v1::ROLE_CHAIR);
  me["delegate"] = c.HasRole(v1::ROLE_DELEGATE);
  me["teller"] = c.HasRole(v1::ROLE_TELLER);
  me["checked_in"] = !c.own_unit().empty() && v.check_ins().count(c.own_unit()) > 0;
  o["me"] = std::move(me);

  json::array units;
  uint64_t present_votes = 0;
  for (const auto& u : m.units()) {
    json::object x;
    x["id"] = u.id();
    x["name"] = u.name();
    x["weight"] = v.Weight(u.id());
    const std::string delegate = v.DelegateOf(u.id());
    const v1::Participant* d = v.Participant(delegate);
    x["delegate"] = d ? d->name() : delegate;
    auto att = v.check_ins().find(u.id());
    x["present"] = att != v.check_ins().end();
    if (att != v.check_ins().end()) {
      x["remote"] = att->second.remote;
      x["by_chair"] = att->second.by_chair;
      present_votes += v.Weight(u.id());
    }
    auto proxy = v.proxies().find(u.id());
    if (proxy != v.proxies().end()) {
      x["proxy_holder"] = proxy->second.holder_id;
      x["proxy_accepted"] = proxy->second.accepted;
    }
    units.push_back(std::move(x));
  }
  o["units"] = std::move(units);
  json::object quorum;
  const uint64_t members = meeting::MembersVotes(m);
  const v1::Share q = meeting::EffectiveQuorum(m);
  quorum["present_units"] = v.check_ins().size();
  quorum["members_units"] = m.units_size();
  quorum["present_votes"] = present_votes;
  quorum["members_votes"] = members;
  quorum["needed_votes"] = rules::MinVotesFor(members, q);
  quorum["met"] = rules::MeetsShare(present_votes, members, q);
  o["quorum"] = std::move(quorum);

  json::object ceremony;
  const record::Ceremony& cer = v.ceremony();
  ceremony["state"] = v.key_ready() ? "done" : cer.attempt ? "running" : "none";
  ceremony["attempt"] = cer.attempt;
  ceremony["tellers"] = cer.teller_ids.size();
  ceremony["threshold"] = cer.threshold;
  ceremony["commits"] = cer.commits.size();
  ceremony["shares"] = cer.shares.size();
  o["ceremony"] = std::move(ceremony);

  json::object chain;
  chain["length"] = v.length();
  chain["head"] = Head(v);
  chain["server_fingerprint"] = Hex(crypto::Sha256(v.genesis().server_signing_key())).substr(0, 16);
  chain["ca_fingerprint"] = Hex(crypto::Sha256(v.genesis().ca_certificate())).substr(0, 16);
  o["chain"] = std::move(chain);

  json::array ballots;
  json::array receipts;
  for (const auto& spec : m.ballots()) {
    json::object b;
    b["id"] = spec.id();
    b["question"] = spec.question();
    b["question_en"] = spec.question_en();
    b["award"] = spec.award();
    b["kind"] = KindName(spec.kind());
    b["candidates"] = spec.candidates_size();
    b["max"] = meeting::EffectiveMaxApprovals(spec);
    b["ranks"] = meeting::EffectiveRanks(spec);
    b["seats"] = meeting::EffectiveSeats(spec);
    b["blank_ok"] = !spec.no_blank();
    b["full_ranking"] = spec.require_full_ranking();
    if (const Run* run = v.LatestRun(spec.id())) b["run"] = RunJson(c, *run, spec);
    ballots.push_back(std::move(b));
  }
  for (const Run* run : v.RunsInOrder()) {
    for (const std::string& unit : MyUnits(c, *run)) {
      auto r = StoredReceipt(c.profile_dir(), run->run_id, unit);
      if (!r) continue;
      const ReceiptInfo info = DescribeReceipt(*r);
      json::object x = ReceiptJson(*r);
      x["ballot"] = run->ballot_id;
      x["question"] = v.Spec(run->ballot_id) ? v.Spec(run->ballot_id)->question() : run->ballot_id;
      x["round"] = run->round;
      x["unit"] = unit;
      x["status"] = ReceiptStatus(v, *run, unit, info);
      receipts.push_back(std::move(x));
    }
  }
  o["ballots"] = std::move(ballots);
  o["receipts"] = std::move(receipts);
  return o;
}

Result<json::object> ClientBackend::Post(const v1::EntryBody& body) {
  ASSIGN_OR_RETURN(v1::Posted posted, client_->Post(body));
  json::object o;
  o["seq"] = posted.seq();
  o["entry_hash"] = Hex(posted.entry_hash());
  return o;
}

namespace {

// The open run and the unit a vote request names ({ballot, run, unit}).
Result<std::pair<Run, std::string>> VoteTarget(const MeetingClient& c, const json::object& args) {
  const json::value* ballot = args.if_contains("ballot");
  const json::value* run_id = args.if_contains("run");
  const json::value* unit_v = args.if_contains("unit");
  if (!ballot || !ballot->is_string()) return InvalidArgument("the vote names no ballot");
  const Run* open = c.view().OpenRun(std::string(ballot->get_string()));
  if (!open) {
    return FailedPrecondition("ballot '" + std::string(ballot->get_string()) +
                              "' is not open any more (Phiếu đã kết thúc bỏ phiếu)");
  }
  // The page's choices were made for one run: a vote for an earlier round is refused.
  if (run_id && run_id->is_string() && run_id->get_string() != open->run_id) {
    return FailedPrecondition("the ballot was reopened for another round; look at it again before voting");
  }
  const std::string unit = unit_v && unit_v->is_string() ? std::string(unit_v->get_string()) : c.own_unit();
  if (unit.empty()) return PermissionDenied("you are not a delegate of any unit");
  return std::make_pair(*open, unit);
}

std::string StringArg(const json::object& args, const char* key) {
  const json::value* x = args.if_contains(key);
  return x && x->is_string() ? std::string(x->get_string()) : "";
}

}  // namespace

std::string PreparedBallots::Keep(std::unique_ptr<PreparedBallot> p, Clock::time_point now) {
  std::erase_if(held_, [&](const auto& kv) {
    return kv.second.ballot->run().run_id == p->run().run_id && kv.second.ballot->unit() == p->unit();
  });
  std::string id = NewSecret();
  held_[id] = Held{std::move(p), now};
  return id;
}

Result<std::unique_ptr<PreparedBallot>> PreparedBallots::Take(const std::string& id, Clock::time_point now) {
  DropExpired(now);
  auto it = held_.find(id);
  if (it == held_.end()) {
    return NotFound("this prepared ballot is gone (decided already, replaced, or not decided within " +
                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(life_).count()) +
                    " seconds); review the ballot again");
  }
  std::unique_ptr<PreparedBallot> p = std::move(it->second.ballot);
  held_.erase(it);
  return p;
}

void PreparedBallots::DropExpired(Clock::time_point now) {
  std::erase_if(held_, [&](const auto& kv) { return now - kv.second.made > life_; });
}

Status CheckConfirmed(const PreparedBallot& p, const std::string& tracking_code, const std::string& run_id,
                      const std::string& unit) {
  if (tracking_code != p.tracking_code()) {
    return FailedPrecondition("the confirmed tracking code is not the prepared ballot's; review the ballot again");
  }
  if (run_id != p.run().run_id || unit != p.unit()) {
    return FailedPrecondition("the prepared ballot is for another run or unit; review the ballot again");
  }
  return Status::Ok();
}

Result<json::object> ClientBackend::Prepare(const json::object& args) {
  ASSIGN_OR_RETURN(std::vector<std::string> choices, ChoicesFromJson(args));
  ASSIGN_OR_RETURN(auto target, VoteTarget(*client_, args));
  const auto& [run, unit] = target;
  // Prepare checks the choices again (rules::MarksFor and CheckMarks),
  // whatever the page checked, before it encrypts anything.
  ASSIGN_OR_RETURN(std::unique_ptr<PreparedBallot> p, PreparedBallot::Prepare(*client_, run, unit, choices));
  json::object o;
  o["tracking_code"] = p->tracking_code();
  o["ballot"] = run.ballot_id;
  o["run"] = run.run_id;
  o["unit"] = unit;
  o["life_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(kPreparedLife).count();
  o["prepared"] = prepared_.Keep(std::move(p), PreparedBallots::Clock::now());
  return o;
}

Result<json::object> ClientBackend::Vote(const json::object& args) {
  ASSIGN_OR_RETURN(auto target, VoteTarget(*client_, args));
  const auto& [run, unit] = target;
  CastResult cast;
  if (args.contains("prepared")) {
    ASSIGN_OR_RETURN(std::unique_ptr<PreparedBallot> p,
                     prepared_.Take(StringArg(args, "prepared"), PreparedBallots::Clock::now()));
    // The page confirms the encryption it showed, for the run and unit it names.
    RETURN_IF_ERROR(CheckConfirmed(*p, StringArg(args, "tracking_code"), run.run_id, unit));
    ASSIGN_OR_RETURN(cast, p->Cast(&client_));
  } else if (args.contains("resend") && args.at("resend").is_bool() && args.at("resend").get_bool()) {
    ASSIGN_OR_RETURN(cast, ResendBallot(&client_, run, unit));
  } else {
    return FailedPrecondition("a ballot is cast only once prepared and its tracking code shown: review it "
                              "first (prepare), then confirm");
  }
  json::object o = ReceiptJson(cast.receipt);
  o["resent"] = cast.resent;
  o["ballot"] = run.ballot_id;
  o["unit"] = unit;
  return o;
}

Result<json::object> ClientBackend::Check(const json::object& args) {
  ASSIGN_OR_RETURN(std::unique_ptr<PreparedBallot> p,
                   prepared_.Take(StringArg(args, "prepared"), PreparedBallots::Clock::now()));
  const std::string code = p->tracking_code();
  ASSIGN_OR_RETURN(v1::Posted posted, p->Check(*client_));
  p.reset();  // wiped already; nothing of it is kept
  // What the board now holds, checked as a second device checks it: this is
  // what the page shows (only what the SpoiledBallot entry publishes).
  ASSIGN_OR_RETURN(SpoiledCheck check, CheckSpoiledByCode(client_->view(), code));
  json::object o;
  o["tracking_code"] = check.tracking_code;
  o["short_code"] = check.tracking_code.substr(0, 16);
  o["seq"] = posted.seq();
  o["ballot"] = check.ballot_id;
  o["unit"] = check.unit_id;
  json::array lines;
  for (const std::string& line : check.choices) lines.push_back(json::value(line));
  o["choices"] = std::move(lines);
  return o;
}

Result<json::object> ClientBackend::Act(const std::string& action, const json::object& args) {
  RETURN_IF_ERROR(Fresh());
  const BoardView& v = client_->view();
  auto str = [&](const char* key) -> std::string {
    const json::value* x = args.if_contains(key);
    return x && x->is_string() ? std::string(x->get_string()) : "";
  };
  prepared_.DropExpired(PreparedBallots::Clock::now());
  if (action == "prepare") return Prepare(args);
  if (action == "vote") return Vote(args);
  if (action == "check") return Check(args);
  if (action == "discard") {
    prepared_.Discard(StringArg(args, "prepared"));  // wiped by its destructor
    return json::object{};
  }
  v1::EntryBody body;
  if (action == "checkin") {
    const std::string unit = client_->own_unit();
    if (unit.empty()) return PermissionDenied("you are not a delegate of any unit");
    body.mutable_check_in()->set_unit_id(unit);
    body.mutable_check_in()->set_own_pin(client_->pin());
    body.mutable_check_in()->set_remote(args.if_contains("remote") && args.at("remote").is_bool() &&
                                        args.at("remote").get_bool());
  } else if (action == "checkin-unit") {
    if (!v.Unit(str("unit"))) return NotFound("no unit '" + str("unit") + "' in this meeting");
    body.mutable_check_in()->set_unit_id(str("unit"));
    body.mutable_check_in()->set_by_chair(true);
  } else if (action == "open") {
    ASSIGN_OR_RETURN(body, OpenEntry(v, str("ballot")));
  } else if (action == "close") {
    ASSIGN_OR_RETURN(body, CloseEntry(v, str("ballot")));
  } else if (action == "runoff") {
    ASSIGN_OR_RETURN(body, RunoffEntry(v, str("ballot")));
  } else if (action == "ceremony") {
    body = CeremonyStartEntry(v);
  } else {
    return NotFound("no action '" + action + "'");
  }
  return Post(body);
}

Result<std::string> ClientBackend::MinutesHtml(const std::string& ballot_id, bool english) {
  RETURN_IF_ERROR(Fresh());
  const BoardView& v = client_->view();
  if (!v.Spec(ballot_id)) return NotFound("no ballot '" + ballot_id + "' in this meeting");
  const Run* run = v.LatestRun(ballot_id);
  if (!run || run->result_entry.empty()) return FailedPrecondition("ballot '" + ballot_id + "' has no result yet");
  ASSIGN_OR_RETURN(rules::MinutesInput in, MinutesFor(v, *run));
  return rules::MinutesHtml(in, english ? rules::Lang::kEn : rules::Lang::kVi);
}

}  // namespace phieu::client::app
