#include "core/rules/outcome.h"

#include <algorithm>
#include <functional>
#include <map>
#include <tuple>
#include <utility>

#include "core/meeting/meeting_defaults.h"
#include "core/rules/layout.h"
#include "core/rules/share.h"

namespace phieu::rules {
namespace {

using meeting::EffectiveRanks;
using meeting::EffectiveSeats;

std::string N(uint64_t v) { return std::to_string(v); }

// Working state shared by the kinds.
struct Ctx {
  const v1::Meeting* meeting;
  const v1::BallotSpec* spec;
  std::vector<const v1::Candidate*> run;  // ballot order
  std::vector<v1::CandidateResult> rows;  // parallel to run
  v1::Outcome out;
  uint64_t base = 0;

  const std::string& Name(size_t i) const { return run[i]->name(); }
  void Note(std::string en, std::string vi) {
    out.add_notes(std::move(en));
    out.add_notes_vi(std::move(vi));
  }
  std::string Names(const std::vector<size_t>& idx) const {
    std::string s;
    for (size_t k = 0; k < idx.size(); ++k) {
      if (k) s += ", ";
      s += Name(idx[k]);
    }
    return s;
  }
  // Position in the precedence list of the candidate's unit (or id); -1 if absent.
  int Precedence(size_t i) const {
    const std::string& key = run[i]->unit_id().empty() ? run[i]->id() : run[i]->unit_id();
    for (int p = 0; p < meeting->precedence_size(); ++p) {
      if (meeting->precedence(p) == key) return p;
    }
    return -1;
  }
  bool AllInPrecedence(const std::vector<size_t>& g) const {
    return std::all_of(g.begin(), g.end(), [&](size_t i) { return Precedence(i) >= 0; });
  }
  std::string ShareEn() const {
    return ShareText(out.share(), Lang::kEn) + " of " + BaseText(out.base(), Lang::kEn) + " (" +
           N(base) + " votes)";
  }
  std::string ShareVi() const {
    return ShareText(out.share(), Lang::kVi) + " so với " + BaseText(out.base(), Lang::kVi) + " (" +
           N(base) + " phiếu)";
  }
};

// Groups of equal key, best first. `better(a, b)` strict order, `same(a, b)`.
template <typename Better, typename Same>
std::vector<std::vector<size_t>> Groups(std::vector<size_t> idx, Better better, Same same) {
  std::stable_sort(idx.begin(), idx.end(), better);
  std::vector<std::vector<size_t>> groups;
  for (size_t i : idx) {
    if (!groups.empty() && same(groups.back().front(), i)) {
      groups.back().push_back(i);
    } else {
      groups.push_back({i});
    }
  }
  return groups;
}

// Places 1.. by groups (competition ranking: 1, 1, 3).
void AssignPlaces(Ctx& ctx, const std::vector<std::vector<size_t>>& groups) {
  uint32_t place = 1;
  for (const auto& g : groups) {
    for (size_t i : g) ctx.rows[i].set_place(place);
    place += static_cast<uint32_t>(g.size());
  }
}

std::vector<size_t> ByPrecedence(const Ctx& ctx, std::vector<size_t> g) {
  std::stable_sort(g.begin(), g.end(),
                   [&](size_t a, size_t b) { return ctx.Precedence(a) < ctx.Precedence(b); });
  return g;
}

// Fills `seats` from eligible groups, best first. Candidates not in a group
// are not elected. `inner_ties`: a tie inside the seats matters (RANK places).
// `tie_text(group)` says what the tied candidates share, in en and vi.
using TieText = std::function<std::pair<std::string, std::string>(const std::vector<size_t>&)>;

void FillSeats(Ctx& ctx, const std::vector<std::vector<size_t>>& groups, uint32_t seats,
               bool inner_ties, const TieText& tie_text) {
  const bool precedence = meeting::EffectiveTieRule(*ctx.spec) == v1::TIE_PRECEDENCE;
  uint32_t filled = 0;
  for (const auto& g : groups) {
    const uint32_t place = ctx.rows[g.front()].place();
    const auto [tie_what_en, tie_what_vi] = tie_text(g);
    if (filled >= seats) {
      for (size_t i : g) ctx.rows[i].set_standing(v1::STANDING_NOT_ELECTED);
      continue;
    }
    const uint32_t room = seats - filled;
    if (g.size() <= room) {
      std::vector<size_t> order = g;
      if (g.size() > 1 && inner_ties) {
        if (precedence && ctx.AllInPrecedence(g)) {
          order = ByPrecedence(ctx, g);
          for (size_t k = 0; k < order.size(); ++k) {
            ctx.rows[order[k]].set_place(place + static_cast<uint32_t>(k));
            ctx.rows[order[k]].set_tie_broken_by_precedence(true);
          }
          ctx.Note("Tie for place " + N(place) + " between " + ctx.Names(g) + " (" + tie_what_en +
                       ") broken by the meeting's order of precedence: " + ctx.Names(order) + ".",
                   ctx.Names(g) + " bằng nhau ở vị trí thứ " + N(place) + " (" + tie_what_vi +
                       "); xếp theo thứ tự ưu tiên của hội nghị: " + ctx.Names(order) + ".");
        } else {
          ctx.Note("Tie for place " + N(place) + ": " + ctx.Names(g) + " (" + tie_what_en +
                       "); they share the place.",
                   "Bằng nhau ở vị trí thứ " + N(place) + ": " + ctx.Names(g) + " (" + tie_what_vi +
                       "); cùng xếp vị trí này.");
        }
      }
      for (size_t i : order) {
        ctx.rows[i].set_standing(v1::STANDING_ELECTED);
        ctx.out.add_elected(ctx.run[i]->id());
      }
      filled += static_cast<uint32_t>(g.size());
      continue;
    }
    // The group straddles the last seat(s).
    if (precedence && ctx.AllInPrecedence(g)) {
      std::vector<size_t> order = ByPrecedence(ctx, g);
      std::vector<size_t> won(order.begin(), order.begin() + room);
      for (size_t k = 0; k < order.size(); ++k) {
        auto& row = ctx.rows[order[k]];
        row.set_place(place + static_cast<uint32_t>(k));
        row.set_tie_broken_by_precedence(true);
        if (k < room) {
          row.set_standing(v1::STANDING_ELECTED);
          ctx.out.add_elected(ctx.run[order[k]]->id());
        } else {
          row.set_standing(v1::STANDING_NOT_ELECTED);
        }
      }
      ctx.Note(
          "Tie for the last " + N(room) + " seat(s) between " + ctx.Names(g) + " (" + tie_what_en +
              ") broken by the meeting's order of precedence: " + ctx.Names(won) + " elected.",
          ctx.Names(g) + " bằng phiếu ở " + N(room) + " suất cuối (" + tie_what_vi +
              "); xác định theo thứ tự ưu tiên của hội nghị: " + ctx.Names(won) + " trúng cử.");
    } else {
      for (size_t i : g) {
        ctx.rows[i].set_standing(v1::STANDING_TIED);
        ctx.out.add_runoff_candidates(ctx.run[i]->id());
      }
      ctx.out.set_unfilled_seats(ctx.out.unfilled_seats() + room);
      ctx.out.set_runoff_seats(room);
      std::string why_en =
          precedence ? " (not every tied candidate is in the precedence list)" : "";
      std::string why_vi = precedence ? " (không phải tất cả đều có trong thứ tự ưu tiên)" : "";
      ctx.Note("Tie for the last " + N(room) + " seat(s): " + ctx.Names(g) + " (" + tie_what_en +
                   "); not decided" + why_en + ". Second round between " + ctx.Names(g) + " for " +
                   N(room) + " seat(s).",
               "Bằng phiếu ở " + N(room) + " suất cuối: " + ctx.Names(g) + " (" + tie_what_vi +
                   "); chưa xác định" + why_vi + ". Bầu lại (vòng hai) giữa " + ctx.Names(g) +
                   " cho " + N(room) + " suất.");
    }
    filled = seats;
  }
}

void ElectOne(Ctx& ctx) {
  std::vector<size_t> idx(ctx.run.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  auto groups = Groups(
      idx, [&](size_t a, size_t b) { return ctx.rows[a].votes() > ctx.rows[b].votes(); },
      [&](size_t a, size_t b) { return ctx.rows[a].votes() == ctx.rows[b].votes(); });
  AssignPlaces(ctx, groups);
  for (auto& r : ctx.rows) r.set_standing(v1::STANDING_NOT_ELECTED);
  ctx.out.set_runoff_seats(0);
  const auto& top = groups.front();
  const uint64_t top_votes = ctx.rows[top.front()].votes();
  if (top.size() > 1) {
    ctx.out.set_no_winner(true);
    for (size_t i : top) {
      ctx.rows[i].set_standing(v1::STANDING_TIED);
      ctx.out.add_runoff_candidates(ctx.run[i]->id());
    }
    ctx.out.set_runoff_seats(1);
    ctx.Note("Tie at the top: " + ctx.Names(top) + " with " + N(top_votes) +
                 " votes each. No winner; second round between " + ctx.Names(top) + ".",
             "Bằng phiếu cao nhất: " + ctx.Names(top) + " cùng đạt " + N(top_votes) +
                 " phiếu. Không có ứng cử viên trúng cử; bầu lại (vòng hai) giữa " +
                 ctx.Names(top) + ".");
    return;
  }
  const size_t w = top.front();
  if (ctx.rows[w].meets_share()) {
    ctx.rows[w].set_standing(v1::STANDING_ELECTED);
    ctx.out.add_elected(ctx.run[w]->id());
    return;
  }
  ctx.out.set_no_winner(true);
  std::vector<size_t> runoff = top;
  if (groups.size() > 1) runoff.insert(runoff.end(), groups[1].begin(), groups[1].end());
  for (size_t i : runoff) ctx.out.add_runoff_candidates(ctx.run[i]->id());
  ctx.out.set_runoff_seats(1);
  const uint64_t need = MinVotesFor(ctx.base, ctx.out.share());
  ctx.Note("No winner: nobody reached " + ctx.ShareEn() + "; " + N(need) +
               " votes were needed and the most was " + N(top_votes) + " (" + ctx.Name(w) +
               "). Second round between " + ctx.Names(runoff) + ".",
           "Không có ứng cử viên trúng cử: không ai đạt " + ctx.ShareVi() + "; cần ít nhất " +
               N(need) + " phiếu, cao nhất là " + ctx.Name(w) + " với " + N(top_votes) +
               " phiếu. Bầu lại (vòng hai) giữa " + ctx.Names(runoff) + ".");
}

void Approve(Ctx& ctx) {
  const uint32_t seats = EffectiveSeats(*ctx.spec);
  std::vector<size_t> all(ctx.run.size()), passing;
  for (size_t i = 0; i < all.size(); ++i) {
    all[i] = i;
    if (ctx.rows[i].meets_share()) passing.push_back(i);
  }
  auto better = [&](size_t a, size_t b) { return ctx.rows[a].votes() > ctx.rows[b].votes(); };
  auto same = [&](size_t a, size_t b) { return ctx.rows[a].votes() == ctx.rows[b].votes(); };
  AssignPlaces(ctx, Groups(all, better, same));
  for (auto& r : ctx.rows) r.set_standing(v1::STANDING_NOT_ELECTED);
  FillSeats(ctx, Groups(passing, better, same), seats, false, [&](const std::vector<size_t>& g) {
    const std::string v = N(ctx.rows[g.front()].votes());
    return std::make_pair(v + " votes each", "cùng " + v + " phiếu");
  });
  const uint32_t short_by =
      passing.size() < seats ? seats - static_cast<uint32_t>(passing.size()) : 0;
  if (short_by > 0) {
    ctx.out.set_unfilled_seats(ctx.out.unfilled_seats() + short_by);
    std::vector<size_t> rest;
    for (size_t i = 0; i < ctx.run.size(); ++i) {
      if (!ctx.rows[i].meets_share()) rest.push_back(i);
    }
    if (ctx.out.runoff_candidates_size() == 0 && !rest.empty()) {
      for (size_t i : rest) ctx.out.add_runoff_candidates(ctx.run[i]->id());
      ctx.out.set_runoff_seats(short_by);
    }
    const uint64_t need = MinVotesFor(ctx.base, ctx.out.share());
    ctx.Note(N(short_by) + " of " + N(seats) + " seat(s) unfilled: only " + N(passing.size()) +
                 " candidate(s) reached " + ctx.ShareEn() + ", " + N(need) + " votes needed.",
             "Còn " + N(short_by) + " trong " + N(seats) + " suất chưa có người trúng cử: chỉ " +
                 N(passing.size()) + " ứng cử viên đạt " + ctx.ShareVi() + ", cần ít nhất " +
                 N(need) + " phiếu.");
  }
  if (ctx.out.elected_size() == 0) ctx.out.set_no_winner(true);
}

void Rank(Ctx& ctx) {
  const uint32_t r = EffectiveRanks(*ctx.spec);
  const uint32_t seats = EffectiveSeats(*ctx.spec);
  std::vector<size_t> all(ctx.run.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  auto better = [&](size_t a, size_t b) {
    const auto& x = ctx.rows[a];
    const auto& y = ctx.rows[b];
    if (x.points() != y.points()) return x.points() > y.points();
    for (uint32_t j = 0; j < r; ++j) {
      if (x.rank_counts(j) != y.rank_counts(j)) return x.rank_counts(j) > y.rank_counts(j);
    }
    return false;
  };
  auto same = [&](size_t a, size_t b) { return !better(a, b) && !better(b, a); };
  auto groups = Groups(all, better, same);
  AssignPlaces(ctx, groups);
  // Ties on points that the rank counts broke: say which rank decided.
  for (size_t g = 0; g + 1 < groups.size(); ++g) {
    const size_t a = groups[g].front(), b = groups[g + 1].front();
    if (ctx.rows[a].points() != ctx.rows[b].points()) continue;
    uint32_t j = 0;
    while (ctx.rows[a].rank_counts(j) == ctx.rows[b].rank_counts(j)) ++j;
    const std::string pts = N(ctx.rows[a].points());
    ctx.Note(ctx.Names(groups[g]) + " and " + ctx.Names(groups[g + 1]) + " have " + pts +
                 " points each; " + ctx.Names(groups[g]) + " places above with more rank-" +
                 N(j + 1) + " votes (" + N(ctx.rows[a].rank_counts(j)) + " against " +
                 N(ctx.rows[b].rank_counts(j)) + ").",
             ctx.Names(groups[g]) + " và " + ctx.Names(groups[g + 1]) + " cùng " + pts + " điểm; " +
                 ctx.Names(groups[g]) + " xếp trên vì có nhiều phiếu xếp thứ " + RankNameVi(j + 1) +
                 " hơn (" + N(ctx.rows[a].rank_counts(j)) + " so với " +
                 N(ctx.rows[b].rank_counts(j)) + ").");
  }
  for (auto& row : ctx.rows) row.set_standing(v1::STANDING_NOT_ELECTED);
  FillSeats(ctx, groups, seats, true, [&](const std::vector<size_t>& g) {
    const std::string pts = N(ctx.rows[g.front()].points());
    return std::make_pair(pts + " points each and the same votes at every rank",
                          "cùng " + pts + " điểm và cùng số phiếu ở mọi thứ hạng");
  });
  if (ctx.spec->has_first_place_share()) {
    const v1::Share fps = ctx.spec->first_place_share();
    *ctx.out.mutable_first_place_share() = fps;
    for (auto& row : ctx.rows) row.set_meets_share(MeetsShare(row.rank_counts(0), ctx.base, fps));
    const size_t first = groups.front().front();
    if (!ctx.rows[first].meets_share()) {
      ctx.out.set_no_winner(true);
      ctx.out.clear_elected();
      ctx.out.clear_runoff_candidates();
      for (auto& row : ctx.rows) {
        if (row.standing() == v1::STANDING_ELECTED) row.set_standing(v1::STANDING_NOT_ELECTED);
      }
      for (const auto* c : ctx.run) ctx.out.add_runoff_candidates(c->id());
      ctx.out.set_runoff_seats(seats);
      ctx.out.set_unfilled_seats(seats);
      const std::string need = N(MinVotesFor(ctx.base, fps));
      ctx.Note("First place needs " + ShareText(fps, Lang::kEn) + " of " +
                   BaseText(ctx.out.base(), Lang::kEn) + " in rank-1 votes (" + need + "); " +
                   ctx.Name(first) + " has " + N(ctx.rows[first].rank_counts(0)) +
                   ". The ranking is not adopted; the ballot is to be run again.",
               "Đơn vị xếp thứ Nhất cần số phiếu xếp thứ Nhất " + ShareText(fps, Lang::kVi) +
                   " so với " + BaseText(ctx.out.base(), Lang::kVi) + " (" + need + " phiếu); " +
                   ctx.Name(first) + " đạt " + N(ctx.rows[first].rank_counts(0)) +
                   " phiếu. Kết quả xếp hạng chưa được công nhận; cần bỏ phiếu lại.");
    }
  }
  if (ctx.out.elected_size() == 0) ctx.out.set_no_winner(true);
}

void YesNo(Ctx& ctx) {
  for (size_t i = 0; i < ctx.run.size(); ++i) {
    auto& row = ctx.rows[i];
    row.set_standing(row.meets_share() ? v1::STANDING_ELECTED : v1::STANDING_NOT_ELECTED);
    if (row.meets_share()) ctx.out.add_elected(ctx.run[i]->id());
  }
}

}  // namespace

std::string RankNameVi(uint32_t rank) {
  static const char* kNames[] = {"Nhất", "Nhì", "Ba", "Tư", "Năm"};
  if (rank >= 1 && rank <= 5) return kNames[rank - 1];
  return std::to_string(rank);
}

uint64_t BaseVotes(const v1::Counts& counts, v1::Base base) {
  switch (base) {
    case v1::BASE_MEMBERS:
      return counts.members_votes();
    case v1::BASE_VALID:
      return counts.valid_votes();
    default:
      return counts.present_votes();
  }
}

Result<v1::Outcome> ComputeOutcome(const v1::Meeting& meeting, const v1::BallotSpec& spec,
                                   const std::vector<std::string>& run_candidates,
                                   const std::vector<uint64_t>& full_totals,
                                   const v1::Counts& counts) {
  ASSIGN_OR_RETURN(v1::BallotLayout layout, FullLayout(spec, run_candidates));
  if (full_totals.size() != static_cast<size_t>(layout.cells_size())) {
    return InvalidArgument("ballot '" + spec.id() + "': " + N(full_totals.size()) + " totals for " +
                           N(layout.cells_size()) + " cells");
  }
  Ctx ctx;
  ctx.meeting = &meeting;
  ctx.spec = &spec;
  ctx.out.set_ballot_id(spec.id());
  ctx.out.set_kind(spec.kind());
  ctx.out.set_base(meeting::EffectiveBase(spec));
  if (spec.kind() != v1::KIND_RANK) *ctx.out.mutable_share() = meeting::EffectiveShare(spec);

  std::map<std::tuple<std::string, uint32_t, std::string>, uint64_t> total;
  uint64_t blank = 0;
  for (int i = 0; i < layout.cells_size(); ++i) {
    const auto& c = layout.cells(i);
    if (c.option() == kBlankOption) {
      blank = full_totals[i];
    } else {
      total[{c.candidate_id(), c.rank(), c.option()}] = full_totals[i];
    }
  }
  v1::Counts cnt = counts;
  cnt.set_blank_votes(static_cast<uint32_t>(blank));
  const uint64_t valid = cnt.valid_votes();
  if (blank > valid) {
    return InvalidArgument("totals do not add up: " + N(blank) + " blank votes but " + N(valid) +
                           " valid votes");
  }
  *ctx.out.mutable_counts() = cnt;
  ctx.base = BaseVotes(cnt, ctx.out.base());
  ctx.out.set_base_votes(static_cast<uint32_t>(ctx.base));

  for (const auto& c : spec.candidates()) {
    if (std::find(run_candidates.begin(), run_candidates.end(), c.id()) != run_candidates.end()) {
      ctx.run.push_back(&c);
    }
  }
  const uint32_t r = EffectiveRanks(spec);
  uint64_t marks = 0;  // sum over candidate cells (RANK: rank 1 only)
  for (const auto* c : ctx.run) {
    v1::CandidateResult row;
    row.set_candidate_id(c->id());
    switch (spec.kind()) {
      case v1::KIND_ELECT_ONE:
      case v1::KIND_APPROVE: {
        const uint64_t v = total[{c->id(), 0, ""}];
        row.set_votes(static_cast<uint32_t>(v));
        row.set_meets_share(MeetsShare(v, ctx.base, ctx.out.share()));
        marks += v;
        break;
      }
      case v1::KIND_RANK: {
        uint64_t points = 0;
        for (uint32_t j = 1; j <= r; ++j) {
          const uint64_t v = total[{c->id(), j, ""}];
          row.add_rank_counts(static_cast<uint32_t>(v));
          points += v * (r - j + 1);
        }
        row.set_points(static_cast<uint32_t>(points));
        row.set_votes(row.rank_counts(0));
        marks += row.rank_counts(0);
        break;
      }
      case v1::KIND_YES_NO_ABSTAIN: {
        const uint64_t yes = total[{c->id(), 0, kYes}];
        const uint64_t no = total[{c->id(), 0, kNo}];
        const uint64_t abstain = total[{c->id(), 0, kAbstain}];
        row.set_votes(static_cast<uint32_t>(yes));
        row.set_no_votes(static_cast<uint32_t>(no));
        row.set_abstain_votes(static_cast<uint32_t>(abstain));
        row.set_meets_share(MeetsShare(yes, ctx.base, ctx.out.share()));
        const uint64_t sum = yes + no + abstain + blank;
        const bool may_be_barred = !spec.allow_self_vote() && !c->unit_id().empty();
        if (may_be_barred ? sum > valid : sum != valid) {
          return InvalidArgument("totals do not add up: item '" + c->id() + "' has " + N(sum) +
                                 " answers and blanks for " + N(valid) + " valid votes");
        }
        break;
      }
      default:
        return InvalidArgument("ballot '" + spec.id() + "': unknown kind");
    }
    ctx.rows.push_back(std::move(row));
  }
  const uint64_t cast = valid - blank;
  if ((spec.kind() == v1::KIND_ELECT_ONE || spec.kind() == v1::KIND_RANK) && marks != cast) {
    return InvalidArgument("totals do not add up: " + N(marks) + " first choices and " + N(blank) +
                           " blank votes for " + N(valid) + " valid votes");
  }
  if (spec.kind() == v1::KIND_APPROVE &&
      (marks < cast || marks > cast * meeting::EffectiveMaxApprovals(spec))) {
    return InvalidArgument("totals do not add up: " + N(marks) + " approvals for " + N(cast) +
                           " non-blank votes");
  }
  if (ctx.base == 0) {
    ctx.Note("The base (" + BaseText(ctx.out.base(), Lang::kEn) + ") is 0: no share can be met.",
             "Cơ sở tính tỷ lệ (" + BaseText(ctx.out.base(), Lang::kVi) +
                 ") bằng 0: không ai đạt tỷ lệ.");
  }
  switch (spec.kind()) {
    case v1::KIND_ELECT_ONE:
      ElectOne(ctx);
      break;
    case v1::KIND_APPROVE:
      Approve(ctx);
      break;
    case v1::KIND_RANK:
      Rank(ctx);
      break;
    default:
      YesNo(ctx);
      break;
  }
  // Rows in place order, then ballot order (places of 0 last).
  std::vector<size_t> order(ctx.rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    uint32_t pa = ctx.rows[a].place() ? ctx.rows[a].place() : UINT32_MAX;
    uint32_t pb = ctx.rows[b].place() ? ctx.rows[b].place() : UINT32_MAX;
    return pa < pb;
  });
  for (size_t i : order) *ctx.out.add_candidates() = ctx.rows[i];
  return ctx.out;
}

}  // namespace phieu::rules
