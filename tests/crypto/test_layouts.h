// Hand-built ballot layouts for crypto tests, vectors and benchmarks: the
// shapes of the example meetings' ballots (core/rules builds the real ones).
//   ElectOne(n):       n candidates + blank; Σ = 1.
//   ApproveUpTo(k, n): n candidates + blank b; k·b + Σx ∈ [1, k].
//   RankTop(r, n):     n×r cells x[c][j] (candidate c at rank j+1) + blank b;
//                      each rank at most once, each candidate at most one rank,
//                      rank j+1 only if rank j, b + Σ_c x[c][0] = 1.
#ifndef PHIEU_TESTS_CRYPTO_TEST_LAYOUTS_H_
#define PHIEU_TESTS_CRYPTO_TEST_LAYOUTS_H_

#include <string>
#include <vector>

#include "phieu/v1/crypto.pb.h"

namespace phieu::crypto::testing {

inline v1::Constraint* AddConstraint(v1::BallotLayout& l, std::string name, int lo, int hi) {
  v1::Constraint* c = l.add_constraints();
  c->set_name(std::move(name));
  c->set_lo(lo);
  c->set_hi(hi);
  return c;
}

inline void AddTerm(v1::Constraint* c, uint32_t cell, int coefficient) {
  c->add_cells(cell);
  c->add_coefficients(coefficient);
}

inline std::string Candidate(int i) { return "unit-" + std::to_string(i + 1); }

inline v1::BallotLayout ElectOne(int n) {
  v1::BallotLayout l;
  for (int i = 0; i < n; ++i) l.add_cells()->set_candidate_id(Candidate(i));
  l.add_cells()->set_option("blank");
  auto* c = AddConstraint(l, "one choice or blank", 1, 1);
  for (int i = 0; i <= n; ++i) AddTerm(c, i, 1);
  return l;
}

inline v1::BallotLayout ApproveUpTo(int k, int n) {
  v1::BallotLayout l;
  for (int i = 0; i < n; ++i) l.add_cells()->set_candidate_id(Candidate(i));
  l.add_cells()->set_option("blank");
  auto* c = AddConstraint(l, "up to " + std::to_string(k) + " approvals or blank", 1, k);
  for (int i = 0; i < n; ++i) AddTerm(c, i, 1);
  AddTerm(c, n, k);
  return l;
}

inline v1::BallotLayout RankTop(int r, int n) {
  v1::BallotLayout l;
  auto cell = [r](int c, int j) { return static_cast<uint32_t>(c * r + j); };
  for (int c = 0; c < n; ++c) {
    for (int j = 0; j < r; ++j) {
      v1::Cell* x = l.add_cells();
      x->set_candidate_id(Candidate(c));
      x->set_rank(j + 1);
    }
  }
  const uint32_t blank = static_cast<uint32_t>(n * r);
  l.add_cells()->set_option("blank");
  for (int j = 0; j < r; ++j) {
    auto* c = AddConstraint(l, "rank " + std::to_string(j + 1) + " at most once", 0, 1);
    for (int k = 0; k < n; ++k) AddTerm(c, cell(k, j), 1);
  }
  for (int k = 0; k < n; ++k) {
    auto* c = AddConstraint(l, Candidate(k) + " at most one rank", 0, 1);
    for (int j = 0; j < r; ++j) AddTerm(c, cell(k, j), 1);
  }
  for (int j = 0; j + 1 < r; ++j) {
    auto* c = AddConstraint(
        l, "rank " + std::to_string(j + 2) + " only after rank " + std::to_string(j + 1), 0, 1);
    for (int k = 0; k < n; ++k) AddTerm(c, cell(k, j), 1);
    for (int k = 0; k < n; ++k) AddTerm(c, cell(k, j + 1), -1);
  }
  auto* c = AddConstraint(l, "rank 1 or blank", 1, 1);
  for (int k = 0; k < n; ++k) AddTerm(c, cell(k, 0), 1);
  AddTerm(c, blank, 1);
  return l;
}

// Marks helpers: a vector of zeros with ones at the given cells.
inline std::vector<uint32_t> Marks(const v1::BallotLayout& l, std::vector<int> ones) {
  std::vector<uint32_t> m(l.cells_size(), 0);
  for (int i : ones) m[i] = 1;
  return m;
}

}  // namespace phieu::crypto::testing

#endif  // PHIEU_TESTS_CRYPTO_TEST_LAYOUTS_H_
