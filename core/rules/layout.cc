#include "core/rules/layout.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "core/meeting/meeting_defaults.h"

namespace phieu::rules {
namespace {

using meeting::EffectiveMaxApprovals;
using meeting::EffectiveRanks;

// "Nhất/Nhì/Ba" are for the minutes; layouts speak English names.
std::string RankWord(uint32_t j) { return "rank " + std::to_string(j); }

class Builder {
 public:
  uint32_t AddCell(const std::string& candidate, uint32_t rank, const std::string& option) {
    v1::Cell* c = layout_.add_cells();
    c->set_candidate_id(candidate);
    c->set_rank(rank);
    c->set_option(option);
    return static_cast<uint32_t>(layout_.cells_size() - 1);
  }
  void AddConstraint(const std::string& name, const std::vector<std::pair<uint32_t, int>>& terms,
                     int lo, int hi) {
    v1::Constraint* c = layout_.add_constraints();
    c->set_name(name);
    for (const auto& [cell, coef] : terms) {
      c->add_cells(cell);
      c->add_coefficients(coef);
    }
    c->set_lo(lo);
    c->set_hi(hi);
  }
  v1::BallotLayout Take() { return std::move(layout_); }

 private:
  v1::BallotLayout layout_;
};

std::vector<std::pair<uint32_t, int>> Ones(const std::vector<uint32_t>& cells) {
  std::vector<std::pair<uint32_t, int>> t;
  for (uint32_t c : cells) t.emplace_back(c, 1);
  return t;
}

// The run's candidates in ballot order, checked against the spec.
Result<std::vector<const v1::Candidate*>> RunCandidates(const v1::BallotSpec& spec,
                                                        const std::vector<std::string>& run) {
  if (run.empty()) return InvalidArgument("ballot '" + spec.id() + "': no candidates in this run");
  std::set<std::string> wanted;
  for (const auto& id : run) {
    if (!wanted.insert(id).second) {
      return InvalidArgument("ballot '" + spec.id() + "': candidate '" + id +
                             "' listed twice in the run");
    }
  }
  std::vector<const v1::Candidate*> out;
  for (const auto& c : spec.candidates()) {
    if (wanted.erase(c.id())) out.push_back(&c);
  }
  if (!wanted.empty()) {
    return InvalidArgument("ballot '" + spec.id() + "': unknown candidate '" + *wanted.begin() +
                           "'");
  }
  return out;
}

Result<v1::BallotLayout> Build(const v1::BallotSpec& spec, const std::vector<std::string>& run,
                               const std::string* barred_unit) {
  ASSIGN_OR_RETURN(std::vector<const v1::Candidate*> all, RunCandidates(spec, run));
  std::vector<const v1::Candidate*> usable;
  for (const auto* c : all) {
    if (barred_unit != nullptr && !spec.allow_self_vote() && !c->unit_id().empty() &&
        c->unit_id() == *barred_unit) {
      continue;
    }
    usable.push_back(c);
  }
  const bool blank_ok = !spec.no_blank();
  if (usable.empty() && !blank_ok) {
    return FailedPrecondition(
        "ballot '" + spec.id() + "': unit '" + (barred_unit ? *barred_unit : std::string()) +
        "' has no candidate it may vote for and blank ballots are not allowed");
  }
  Builder b;
  switch (spec.kind()) {
    case v1::KIND_ELECT_ONE:
    case v1::KIND_APPROVE: {
      std::vector<uint32_t> cells;
      for (const auto* c : usable) cells.push_back(b.AddCell(c->id(), 0, ""));
      const bool one = spec.kind() == v1::KIND_ELECT_ONE;
      const int k = one ? 1 : static_cast<int>(EffectiveMaxApprovals(spec));
      auto terms = Ones(cells);
      if (blank_ok) terms.emplace_back(b.AddCell("", 0, kBlankOption), k);
      std::string name;
      if (one) {
        name = blank_ok ? "one choice or blank" : "exactly one choice";
      } else {
        name = "1 to " + std::to_string(k) + " choices" + (blank_ok ? ", or blank" : "");
      }
      b.AddConstraint(name, terms, 1, one ? 1 : k);
      break;
    }
    case v1::KIND_RANK: {
      const uint32_t r = EffectiveRanks(spec);
      // cell[c][j-1]
      std::vector<std::vector<uint32_t>> cell(usable.size(), std::vector<uint32_t>(r));
      for (size_t c = 0; c < usable.size(); ++c) {
        for (uint32_t j = 1; j <= r; ++j) cell[c][j - 1] = b.AddCell(usable[c]->id(), j, "");
      }
      std::optional<uint32_t> blank;
      if (blank_ok) blank = b.AddCell("", 0, kBlankOption);
      auto rank_cells = [&](uint32_t j) {
        std::vector<uint32_t> v;
        for (size_t c = 0; c < usable.size(); ++c) v.push_back(cell[c][j - 1]);
        return v;
      };
      for (size_t c = 0; c < usable.size(); ++c) {
        b.AddConstraint("'" + usable[c]->id() + "' given at most one rank", Ones(cell[c]), 0, 1);
      }
      for (uint32_t j = 1; j <= r; ++j) {
        b.AddConstraint(RankWord(j) + " given at most once", Ones(rank_cells(j)), 0, 1);
      }
      {
        auto terms = Ones(rank_cells(1));
        if (blank) terms.emplace_back(*blank, 1);
        b.AddConstraint(blank ? "rank 1 or blank" : "rank 1 given", terms, 1, 1);
      }
      for (uint32_t j = 1; j < r; ++j) {
        auto terms = Ones(rank_cells(j));
        for (uint32_t c : rank_cells(j + 1)) terms.emplace_back(c, -1);
        b.AddConstraint(RankWord(j + 1) + " only after " + RankWord(j), terms, 0, 1);
      }
      const uint32_t usable_ranks = std::min<uint32_t>(r, static_cast<uint32_t>(usable.size()));
      if (spec.require_full_ranking() && usable_ranks > 1) {
        // With "rank j+1 only after rank j", using the last usable rank means
        // every rank above it is used too.
        auto terms = Ones(rank_cells(usable_ranks));
        if (blank) terms.emplace_back(*blank, 1);
        b.AddConstraint("full ranking: ranks 1 to " + std::to_string(usable_ranks) + " all given" +
                            (blank ? ", or blank" : ""),
                        terms, 1, 1);
      }
      break;
    }
    case v1::KIND_YES_NO_ABSTAIN: {
      std::vector<std::vector<uint32_t>> items;
      for (const auto* c : usable) {
        items.push_back({b.AddCell(c->id(), 0, kYes), b.AddCell(c->id(), 0, kNo),
                         b.AddCell(c->id(), 0, kAbstain)});
      }
      std::optional<uint32_t> blank;
      if (blank_ok) blank = b.AddCell("", 0, kBlankOption);
      for (size_t i = 0; i < usable.size(); ++i) {
        auto terms = Ones(items[i]);
        if (blank) terms.emplace_back(*blank, 1);
        b.AddConstraint("item '" + usable[i]->id() + "': one of yes / no / abstain" +
                            (blank ? ", or blank" : ""),
                        terms, 1, 1);
      }
      if (usable.empty()) b.AddConstraint("blank", {{*blank, 1}}, 1, 1);
      break;
    }
    default:
      return InvalidArgument("ballot '" + spec.id() + "': unknown kind " +
                             std::to_string(spec.kind()));
  }
  v1::BallotLayout layout = b.Take();
  // ELECT_ONE / APPROVE / RANK with no usable candidate: the blank cell alone.
  if (layout.constraints_size() == 0 || (spec.kind() == v1::KIND_RANK && usable.empty())) {
    v1::BallotLayout only_blank;
    *only_blank.add_cells() = layout.cells(layout.cells_size() - 1);
    v1::Constraint* c = only_blank.add_constraints();
    c->set_name("blank");
    c->add_cells(0);
    c->add_coefficients(1);
    c->set_lo(1);
    c->set_hi(1);
    return only_blank;
  }
  return layout;
}

const v1::Candidate* FindCandidate(const v1::BallotSpec& spec, const std::string& id) {
  for (const auto& c : spec.candidates()) {
    if (c.id() == id) return &c;
  }
  return nullptr;
}

int FindCell(const v1::BallotLayout& layout, const std::string& candidate, uint32_t rank,
             const std::string& option) {
  for (int i = 0; i < layout.cells_size(); ++i) {
    const auto& c = layout.cells(i);
    if (c.candidate_id() == candidate && c.rank() == rank && c.option() == option) return i;
  }
  return -1;
}

// Why a candidate of the spec is not on this voter's ballot.
Status NotOnBallot(const v1::BallotSpec& spec, const v1::Candidate& c,
                   const std::string& voter_unit) {
  if (!spec.allow_self_vote() && !voter_unit.empty() && c.unit_id() == voter_unit) {
    return InvalidArgument(c.name() + " cannot vote for itself");
  }
  return InvalidArgument("'" + c.id() + "' (" + c.name() + ") is not on this ballot");
}

}  // namespace

std::vector<std::string> AllCandidates(const v1::BallotSpec& spec) {
  std::vector<std::string> ids;
  for (const auto& c : spec.candidates()) ids.push_back(c.id());
  return ids;
}

Result<v1::BallotLayout> FullLayout(const v1::BallotSpec& spec,
                                    const std::vector<std::string>& run_candidates) {
  return Build(spec, run_candidates, nullptr);
}

Result<v1::BallotLayout> VoterLayout(const v1::BallotSpec& spec,
                                     const std::vector<std::string>& run_candidates,
                                     const std::string& voter_unit) {
  return Build(spec, run_candidates, &voter_unit);
}

Result<std::vector<uint32_t>> MarksFor(const v1::BallotLayout& voter_layout,
                                       const v1::BallotSpec& spec,
                                       const std::vector<std::string>& choices,
                                       const std::string& voter_unit) {
  std::vector<uint32_t> marks(voter_layout.cells_size(), 0);
  const int blank = FindCell(voter_layout, "", 0, kBlankOption);
  if (choices.empty()) {
    if (blank < 0) {
      return InvalidArgument(spec.kind() == v1::KIND_YES_NO_ABSTAIN
                                 ? "a blank ballot is not allowed: answer every item"
                                 : "a blank ballot is not allowed: make a choice");
    }
    marks[blank] = 1;
    RETURN_IF_ERROR(CheckMarks(voter_layout, marks));
    return marks;
  }
  if (spec.kind() == v1::KIND_YES_NO_ABSTAIN) {
    std::vector<std::string> items;
    for (const auto& c : voter_layout.cells()) {
      if (c.option() == kYes) items.push_back(c.candidate_id());
    }
    if (choices.size() != items.size()) {
      return InvalidArgument("answer each of the " + std::to_string(items.size()) +
                             " items with yes, no or abstain (got " +
                             std::to_string(choices.size()) + " answers)");
    }
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string& a = choices[i];
      if (a != kYes && a != kNo && a != kAbstain) {
        return InvalidArgument("answer " + std::to_string(i + 1) + " is '" + a +
                               "': use yes, no or abstain");
      }
      marks[FindCell(voter_layout, items[i], 0, a)] = 1;
    }
  } else {
    std::set<std::string> seen;
    for (const auto& id : choices) {
      const v1::Candidate* c = FindCandidate(spec, id);
      if (c == nullptr) return InvalidArgument("unknown candidate '" + id + "'");
      if (!seen.insert(id).second) return InvalidArgument(c->name() + " is chosen twice");
    }
    switch (spec.kind()) {
      case v1::KIND_ELECT_ONE:
      case v1::KIND_APPROVE: {
        const uint32_t k = EffectiveMaxApprovals(spec);
        if (choices.size() > k) {
          return InvalidArgument(k == 1 ? "choose one" : "choose at most " + std::to_string(k));
        }
        for (const auto& id : choices) {
          int cell = FindCell(voter_layout, id, 0, "");
          if (cell < 0) return NotOnBallot(spec, *FindCandidate(spec, id), voter_unit);
          marks[cell] = 1;
        }
        break;
      }
      case v1::KIND_RANK: {
        const uint32_t r = EffectiveRanks(spec);
        if (choices.size() > r) return InvalidArgument("rank at most " + std::to_string(r));
        for (size_t j = 0; j < choices.size(); ++j) {
          int cell = FindCell(voter_layout, choices[j], static_cast<uint32_t>(j + 1), "");
          if (cell < 0) return NotOnBallot(spec, *FindCandidate(spec, choices[j]), voter_unit);
          marks[cell] = 1;
        }
        if (spec.require_full_ranking()) {
          std::set<std::string> on_ballot;
          for (const auto& c : voter_layout.cells()) {
            if (c.rank() > 0) on_ballot.insert(c.candidate_id());
          }
          const size_t need = std::min<size_t>(r, on_ballot.size());
          if (choices.size() < need) {
            return InvalidArgument("rank " + std::to_string(need) +
                                   " candidates: a full ranking is required");
          }
        }
        break;
      }
      default:
        return InvalidArgument("ballot '" + spec.id() + "': unknown kind");
    }
  }
  // The layout's constraints are the rule; the checks above only explain it.
  Status ok = CheckMarks(voter_layout, marks);
  if (!ok.ok()) return Internal("marks break the layout: " + ok.message());
  return marks;
}

Result<uint32_t> FullIndex(const v1::BallotLayout& full, const v1::Cell& cell) {
  int i = FindCell(full, cell.candidate_id(), cell.rank(), cell.option());
  if (i < 0) {
    return InvalidArgument("cell (candidate '" + cell.candidate_id() + "', rank " +
                           std::to_string(cell.rank()) + ", option '" + cell.option() +
                           "') is not on the full ballot");
  }
  return static_cast<uint32_t>(i);
}

Status CheckLayout(const v1::BallotLayout& layout) {
  if (layout.cells_size() == 0) return InvalidArgument("layout has no cells");
  std::set<std::tuple<std::string, uint32_t, std::string>> cells;
  for (const auto& c : layout.cells()) {
    if (!cells.emplace(c.candidate_id(), c.rank(), c.option()).second) {
      return InvalidArgument("layout: cell '" + c.candidate_id() + "' rank " +
                             std::to_string(c.rank()) + " '" + c.option() + "' appears twice");
    }
  }
  for (const auto& k : layout.constraints()) {
    const std::string where = "layout constraint '" + k.name() + "'";
    if (k.cells_size() == 0) return InvalidArgument(where + ": no cells");
    if (k.cells_size() != k.coefficients_size()) {
      return InvalidArgument(where + ": " + std::to_string(k.cells_size()) + " cells but " +
                             std::to_string(k.coefficients_size()) + " coefficients");
    }
    std::set<uint32_t> seen;
    for (uint32_t c : k.cells()) {
      if (c >= static_cast<uint32_t>(layout.cells_size())) {
        return InvalidArgument(where + ": cell " + std::to_string(c) + " out of range");
      }
      if (!seen.insert(c).second)
        return InvalidArgument(where + ": cell " + std::to_string(c) + " twice");
    }
    if (k.lo() > k.hi()) return InvalidArgument(where + ": lo > hi");
  }
  return Status::Ok();
}

Status CheckMarks(const v1::BallotLayout& layout, const std::vector<uint32_t>& marks) {
  if (marks.size() != static_cast<size_t>(layout.cells_size())) {
    return InvalidArgument("ballot has " + std::to_string(marks.size()) + " marks for " +
                           std::to_string(layout.cells_size()) + " cells");
  }
  for (size_t i = 0; i < marks.size(); ++i) {
    if (marks[i] > 1) return InvalidArgument("cell " + std::to_string(i) + " is not 0 or 1");
  }
  for (const auto& k : layout.constraints()) {
    int64_t sum = 0;
    for (int i = 0; i < k.cells_size(); ++i) {
      if (k.cells(i) >= marks.size())
        return InvalidArgument("constraint '" + k.name() + "': cell out of range");
      sum += static_cast<int64_t>(k.coefficients(i)) * marks[k.cells(i)];
    }
    if (sum < k.lo() || sum > k.hi()) {
      return InvalidArgument("constraint '" + k.name() + "' not met (allowed " +
                             std::to_string(k.lo()) + ".." + std::to_string(k.hi()) + ")");
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> DescribeMarks(const v1::BallotSpec& spec,
                                               const v1::BallotLayout& layout,
                                               const std::vector<uint32_t>& marks) {
  RETURN_IF_ERROR(CheckMarks(layout, marks));
  static const std::map<std::string, std::string> kAnswers = {
      {kYes, "đồng ý"}, {kNo, "không đồng ý"}, {kAbstain, "không ý kiến"}};
  static const char* const kRanks[] = {"Nhất", "Nhì", "Ba"};
  std::vector<std::pair<uint32_t, std::string>> lines;  // (rank, text): ranks sort first to last
  for (int i = 0; i < layout.cells_size(); ++i) {
    if (marks[i] == 0) continue;
    const v1::Cell& cell = layout.cells(i);
    if (cell.option() == kBlankOption) {
      lines.emplace_back(0, "phiếu trắng (blank)");
      continue;
    }
    const v1::Candidate* c = FindCandidate(spec, cell.candidate_id());
    const std::string name = c && !c->name().empty() ? c->name() : cell.candidate_id();
    if (cell.rank() > 0) {
      const std::string rank = cell.rank() <= 3 ? kRanks[cell.rank() - 1] : "Hạng " + std::to_string(cell.rank());
      lines.emplace_back(cell.rank(), rank + ": " + name);
    } else if (auto a = kAnswers.find(cell.option()); a != kAnswers.end()) {
      lines.emplace_back(0, name + ": " + a->second);
    } else {
      lines.emplace_back(0, name);
    }
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& [rank, text] : lines) out.push_back(std::move(text));
  return out;
}

}  // namespace phieu::rules
