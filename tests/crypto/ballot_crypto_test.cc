#include "core/crypto/ballot_crypto.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto/dlog.h"
#include "core/crypto/proofs.h"
#include "tests/crypto/test_layouts.h"

namespace phieu::crypto {
namespace {

using testing::ApproveUpTo;
using testing::ElectOne;
using testing::Marks;
using testing::RankTop;

void ExpectFails(const Status& s, const std::string& check) {
  EXPECT_FALSE(s.ok()) << "expected failure naming: " << check;
  EXPECT_NE(s.message().find(check), std::string::npos) << s.ToString();
}

class BallotCryptoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    secret_ = *Scalar::Random();
    key_ = *Point::MulGen(secret_);
    run_ = RunContext(std::string(32, 'g'), std::string(32, 'c'), key_, std::string(32, 'o'),
                      "ballot-1");
  }
  v1::EncryptedBallot Cast(const v1::BallotLayout& l, const std::vector<uint32_t>& marks,
                           BallotSecrets* secrets = nullptr, const std::string& unit = "unit-9") {
    auto b = EncryptBallot(run_, key_, l, marks, "run-1", unit, secrets);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? *b : v1::EncryptedBallot();
  }
  uint64_t Decrypt(const Ciphertext& c, uint64_t max = 100) {
    Point mg = *c.data.Sub(*c.pad.Mul(secret_));
    return *DlogTable::Create(max)->Solve(mg);
  }
  Scalar secret_;
  Point key_;
  std::string run_;
};

TEST_F(BallotCryptoTest, ContextsAreFixedSizeAndBindEveryInput) {
  EXPECT_EQ(run_.size(), 32u);
  const Point other = *Point::MulGen(*Scalar::Random());
  std::string g(32, 'g'), c(32, 'c'), o(32, 'o');
  EXPECT_NE(run_, RunContext(std::string(32, 'h'), c, key_, o, "ballot-1"));
  EXPECT_NE(run_, RunContext(g, std::string(32, 'd'), key_, o, "ballot-1"));
  EXPECT_NE(run_, RunContext(g, c, other, o, "ballot-1"));
  EXPECT_NE(run_, RunContext(g, c, key_, std::string(32, 'p'), "ballot-1"));
  EXPECT_NE(run_, RunContext(g, c, key_, o, "ballot-2"));
  const auto layout = ElectOne(3);
  const std::string ctx = BallotContext(run_, "unit-1", layout);
  EXPECT_EQ(ctx.size(), 32u);
  EXPECT_NE(ctx, BallotContext(run_, "unit-2", layout));
  EXPECT_NE(ctx, BallotContext(run_, "unit-1", ElectOne(4)));
  auto bounds = layout;
  bounds.mutable_constraints(0)->set_hi(2);
  EXPECT_NE(ctx, BallotContext(run_, "unit-1", bounds));
  auto coefficients = layout;
  coefficients.mutable_constraints(0)->set_coefficients(0, 2);
  EXPECT_NE(ctx, BallotContext(run_, "unit-1", coefficients));
}

TEST_F(BallotCryptoTest, EveryKindRoundTrips) {
  struct Case {
    v1::BallotLayout layout;
    std::vector<int> ones;
  };
  const auto rank = RankTop(3, 8);
  std::vector<Case> cases = {
      {ElectOne(7), {2}},
      {ElectOne(7), {7}},  // blank
      {ApproveUpTo(3, 7), {0, 4, 6}},
      {ApproveUpTo(3, 7), {5}},
      {ApproveUpTo(3, 7), {7}},  // blank
      {rank, {0 * 3 + 0, 5 * 3 + 1, 2 * 3 + 2}},
      {rank, {4 * 3 + 0}},  // only first place
      {rank, {24}},         // blank
  };
  for (const Case& c : cases) {
    const auto marks = Marks(c.layout, c.ones);
    BallotSecrets secrets;
    v1::EncryptedBallot b = Cast(c.layout, marks, &secrets);
    EXPECT_EQ(b.cells_size(), c.layout.cells_size());
    EXPECT_EQ(b.constraint_proofs_size(), c.layout.constraints_size());
    Status s = VerifyBallot(run_, key_, c.layout, b);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(secrets.marks(), marks);
    auto cells = DecodeCells(b);
    ASSERT_TRUE(cells.ok());
    for (size_t i = 0; i < marks.size(); ++i) EXPECT_EQ(Decrypt((*cells)[i]), marks[i]);
  }
}

TEST_F(BallotCryptoTest, InvalidMarksAreRefusedNamingTheConstraint) {
  auto rank = RankTop(3, 8);
  auto check = [&](const v1::BallotLayout& l, std::vector<uint32_t> marks, const std::string& what) {
    auto b = EncryptBallot(run_, key_, l, marks, "run-1", "unit-9", nullptr);
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(b.status().message().find(what), std::string::npos) << b.status().ToString();
  };
  auto elect = ElectOne(7);
  check(elect, Marks(elect, {}), "marks violate constraint 0 'one choice or blank'");
  check(elect, Marks(elect, {1, 2}), "marks violate constraint 0 'one choice or blank'");
  check(elect, Marks(elect, {1, 7}), "marks violate constraint 0");
  auto approve = ApproveUpTo(3, 7);
  check(approve, Marks(approve, {0, 1, 2, 3}), "up to 3 approvals or blank");
  check(approve, Marks(approve, {0, 7}), "up to 3 approvals or blank");
  check(rank, Marks(rank, {0, 3}), "rank 1 at most once");
  check(rank, Marks(rank, {0, 1}), "unit-1 at most one rank");
  check(rank, Marks(rank, {0, 3 * 2 + 2}), "rank 3 only after rank 2");
  check(rank, Marks(rank, {3 * 2 + 1}), "rank 2 only after rank 1");
  std::vector<uint32_t> two = Marks(elect, {1});
  two[1] = 2;
  check(elect, two, "marks: cell 1 is not 0 or 1");
  check(elect, {1}, "marks: 1 marks for 8 cells");
}

TEST_F(BallotCryptoTest, LayoutIsValidated) {
  auto bad = ElectOne(3);
  bad.mutable_constraints(0)->set_cells(1, 9);
  EXPECT_NE(ValidateLayout(bad).message().find("cell 9 out of range"), std::string::npos);
  bad = ElectOne(3);
  bad.mutable_constraints(0)->set_cells(1, 0);
  EXPECT_NE(ValidateLayout(bad).message().find("cell 0 repeated"), std::string::npos);
  bad = ElectOne(3);
  bad.mutable_constraints(0)->add_coefficients(1);
  EXPECT_NE(ValidateLayout(bad).message().find("4 cells but 5 coefficients"), std::string::npos);
  bad = ElectOne(3);
  bad.mutable_constraints(0)->set_lo(2);
  EXPECT_NE(ValidateLayout(bad).message().find("lo > hi"), std::string::npos);
  bad = ElectOne(3);
  bad.mutable_constraints(0)->set_hi(1000);
  EXPECT_NE(ValidateLayout(bad).message().find("range wider"), std::string::npos);
  EXPECT_NE(ValidateLayout(v1::BallotLayout()).message().find("no cells"), std::string::npos);
}

TEST_F(BallotCryptoTest, BallotDoesNotVerifyElsewhere) {
  const auto layout = ApproveUpTo(3, 7);
  v1::EncryptedBallot b = Cast(layout, Marks(layout, {1, 2}));
  ASSERT_TRUE(VerifyBallot(run_, key_, layout, b).ok());
  // Another run (re-run, second round, other question or meeting).
  const std::string other_run =
      RunContext(std::string(32, 'g'), std::string(32, 'c'), key_, std::string(32, 'O'), "ballot-1");
  ExpectFails(VerifyBallot(other_run, key_, layout, b), "cell 0: range proof: challenge sum mismatch");
  // Another unit.
  v1::EncryptedBallot moved = b;
  moved.set_unit_id("unit-3");
  ExpectFails(VerifyBallot(run_, key_, layout, moved), "cell 0: range proof");
  // Another style with the same shape (other bounds).
  auto looser = layout;
  looser.mutable_constraints(0)->set_name("other");
  ExpectFails(VerifyBallot(run_, key_, looser, b), "cell 0: range proof");
  // Another key.
  ExpectFails(VerifyBallot(run_, *Point::MulGen(*Scalar::Random()), layout, b), "cell 0");
}

TEST_F(BallotCryptoTest, TamperingIsNamed) {
  const auto layout = ElectOne(3);
  const v1::EncryptedBallot b = Cast(layout, Marks(layout, {1}));
  auto tamper = [&](auto f, const std::string& what) {
    v1::EncryptedBallot t = b;
    f(t);
    ExpectFails(VerifyBallot(run_, key_, layout, t), what);
  };
  tamper([](auto& t) { t.mutable_cells()->RemoveLast(); }, "ballot: 3 cells, layout has 4");
  tamper([](auto& t) { t.mutable_cell_proofs()->RemoveLast(); }, "ballot: 3 cell proofs");
  tamper([](auto& t) { t.add_constraint_proofs(); }, "ballot: 2 constraint proofs");
  tamper([](auto& t) { t.mutable_cell_proofs(2)->add_challenges(std::string(32, 0)); },
         "cell 2: range proof: wrong number of branches");
  tamper([](auto& t) { t.mutable_constraint_proofs(0)->mutable_responses()->RemoveLast(); },
         "constraint 0 'one choice or blank': range proof: wrong number of branches");
  tamper([](auto& t) { t.mutable_cell_proofs(1)->set_responses(0, std::string(32, '\xff')); },
         "cell 1: range proof: response 0 not a canonical scalar");
  tamper([](auto& t) { t.mutable_cells(2)->set_pad(std::string(33, 0)); },
         "cell 2: ciphertext pad: point: bad prefix");
  tamper([](auto& t) { t.mutable_cells(2)->set_data("short"); },
         "cell 2: ciphertext: wrong point length");
  // Swap two cells with their proofs: each proof is bound to its position.
  tamper(
      [](auto& t) {
        t.mutable_cells()->SwapElements(0, 1);
        t.mutable_cell_proofs()->SwapElements(0, 1);
      },
      "cell 0: range proof: challenge sum mismatch");
  // Splice in cell 0 (a 1) and its proof from another ballot of the same unit
  // and run: the cell proof holds (same position, same ballot context) but
  // the constraint, now over two marks, fails.
  const v1::EncryptedBallot other = Cast(layout, Marks(layout, {0}));
  tamper(
      [&](auto& t) {
        *t.mutable_cells(0) = other.cells(0);
        *t.mutable_cell_proofs(0) = other.cell_proofs(0);
      },
      "constraint 0 'one choice or blank': range proof: challenge sum mismatch");
  // The same splice from another unit's ballot fails at the cell itself.
  const v1::EncryptedBallot foreign = Cast(layout, Marks(layout, {0}), nullptr, "unit-2");
  tamper(
      [&](auto& t) {
        *t.mutable_cells(0) = foreign.cells(0);
        *t.mutable_cell_proofs(0) = foreign.cell_proofs(0);
      },
      "cell 0: range proof: challenge sum mismatch");
  // A valid cell proof for a changed cell is impossible; a consistent cell with
  // a wrong constraint proof fails the constraint.
  tamper([&](auto& t) { *t.mutable_constraint_proofs(0) = other.constraint_proofs(0); },
         "constraint 0 'one choice or blank': range proof: challenge sum mismatch");
}

TEST_F(BallotCryptoTest, MalformedBallotSpendsNoMultiplication) {
  const auto layout = ElectOne(7);
  v1::EncryptedBallot b = Cast(layout, Marks(layout, {3}));
  b.mutable_cell_proofs(7)->mutable_challenges()->RemoveLast();
  ResetCounters();
  EXPECT_FALSE(VerifyBallot(run_, key_, layout, b).ok());
  EXPECT_EQ(Counters().Multiplications(), 0u);
  b.mutable_cells()->RemoveLast();
  EXPECT_FALSE(VerifyBallot(run_, key_, layout, b).ok());
  EXPECT_EQ(Counters().Multiplications(), 0u);
}

TEST_F(BallotCryptoTest, VerificationCostIsCounted) {
  // elect one of 7 + blank: 8 cells × [0,1] + one constraint [1,1].
  const auto layout = ElectOne(7);
  v1::EncryptedBallot b = Cast(layout, Marks(layout, {3}));
  ResetCounters();
  ASSERT_TRUE(VerifyBallot(run_, key_, layout, b).ok());
  OpCounters c = Counters();
  // Per branch: one double (a_v) and two variable-base (b_v) multiplications.
  EXPECT_EQ(c.double_base, 8u * 2 + 1);
  EXPECT_EQ(c.variable_base, 2u * (8 * 2 + 1));
  EXPECT_EQ(c.fixed_base, 0u);
}

TEST_F(BallotCryptoTest, KeyTableVerifiesTheSameBallots) {
  const FixedBase table = *FixedBase::Create(key_);
  const auto layout = RankTop(3, 8);
  v1::EncryptedBallot b = Cast(layout, Marks(layout, {0, 4, 8}));
  ResetCounters();
  Status s = VerifyBallot(run_, table, layout, b);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Counters().variable_base, 0u);
  EXPECT_EQ(Counters().double_base, 2u * (25 * 2 + 3 * 2 + 8 * 2 + 2 * 2 + 1));
  b.mutable_cell_proofs(3)->set_challenges(0, b.cell_proofs(4).challenges(0));
  ExpectFails(VerifyBallot(run_, table, layout, b), "cell 3: range proof: challenge sum mismatch");
  const FixedBase other = *FixedBase::Create(*Point::MulGen(*Scalar::Random()));
  ExpectFails(VerifyBallot(run_, other, layout, Cast(layout, Marks(layout, {24}))), "cell 0");
}

TEST_F(BallotCryptoTest, TrackingCode) {
  const auto layout = ElectOne(3);
  const v1::EncryptedBallot b = Cast(layout, Marks(layout, {0}));
  const std::string code = TrackingCode(b);
  EXPECT_EQ(code.size(), 32u);
  EXPECT_EQ(code, TrackingCode(b));
  v1::EncryptedBallot t = b;
  t.set_unit_id("unit-8");
  EXPECT_NE(code, TrackingCode(t));
  t = b;
  t.set_run_id("run-2");
  EXPECT_NE(code, TrackingCode(t));
  t = b;
  t.mutable_cell_proofs(0)->set_responses(1, std::string(32, 0));
  EXPECT_NE(code, TrackingCode(t));
  // Moving bytes between adjacent fields changes the code (length prefixes).
  t = b;
  t.set_run_id(b.run_id() + "x");
  t.set_unit_id(b.unit_id().substr(1));
  EXPECT_NE(code, TrackingCode(t));
  EXPECT_NE(code, TrackingCode(Cast(layout, Marks(layout, {0}))));  // fresh randomness
}

TEST_F(BallotCryptoTest, SpoiledBallotChecksOut) {
  const auto layout = ApproveUpTo(3, 7);
  BallotSecrets secrets;
  const v1::EncryptedBallot b = Cast(layout, Marks(layout, {1, 5}), &secrets);
  const v1::SpoiledBallot spoiled = secrets.Spoil(b);
  ASSERT_TRUE(VerifySpoiled(run_, key_, layout, spoiled).ok());

  v1::SpoiledBallot lie = spoiled;
  lie.set_choices(1, 0);  // claims cell 1 was not marked
  ExpectFails(VerifySpoiled(run_, key_, layout, lie), "spoiled: cell 1 does not match");
  lie = spoiled;
  lie.set_randomness(4, Scalar::FromUint64(1).Encode());
  ExpectFails(VerifySpoiled(run_, key_, layout, lie), "spoiled: cell 4 does not match");
  lie = spoiled;
  lie.set_choices(0, 2);
  ExpectFails(VerifySpoiled(run_, key_, layout, lie), "spoiled: cell 0: choice is not 0 or 1");
  lie = spoiled;
  lie.set_randomness(0, std::string(32, '\xff'));
  ExpectFails(VerifySpoiled(run_, key_, layout, lie), "spoiled: cell 0: randomness: scalar:");
  lie = spoiled;
  lie.mutable_choices()->RemoveLast();
  ExpectFails(VerifySpoiled(run_, key_, layout, lie), "spoiled: 7 choices for 8 cells");

  secrets.Wipe();
  EXPECT_TRUE(secrets.marks().empty());
  EXPECT_TRUE(secrets.randomness().empty());
}

TEST_F(BallotCryptoTest, WeightedAggregateDecryptsToTotals) {
  // Full layout: elect one of 3 + blank. Unit 1 is barred from voting for
  // itself: its style omits cell 0, so its cells map to totals 1, 2, 3.
  const auto full = ElectOne(3);
  v1::BallotLayout barred;
  for (int i = 1; i < 4; ++i) *barred.add_cells() = full.cells(i);
  auto* c = barred.add_constraints();
  c->set_name("one choice or blank");
  c->set_lo(1);
  c->set_hi(1);
  for (uint32_t i = 0; i < 3; ++i) {
    c->add_cells(i);
    c->add_coefficients(1);
  }
  const v1::EncryptedBallot b1 = Cast(barred, Marks(barred, {0}), nullptr, "unit-1");  // cand 1
  ASSERT_TRUE(VerifyBallot(run_, key_, barred, b1).ok());
  const v1::EncryptedBallot b2 = Cast(full, Marks(full, {0}), nullptr, "unit-2");   // cand 0
  const v1::EncryptedBallot b3 = Cast(full, Marks(full, {1}), nullptr, "unit-3");   // cand 1
  const v1::EncryptedBallot b4 = Cast(full, Marks(full, {3}), nullptr, "unit-4");   // blank
  std::vector<WeightedBallot> ballots = {
      {&b1, 2, {1, 2, 3}}, {&b2, 1, {}}, {&b3, 3, {}}, {&b4, 2, {}}, {&b2, 0, {}}};
  auto totals = Aggregate(ballots, 4);
  ASSERT_TRUE(totals.ok()) << totals.status().ToString();
  const std::vector<uint64_t> expected = {1, 2 + 3, 0, 2};
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(Decrypt((*totals)[i]), expected[i]) << i;

  ballots[0].slots = {1, 2, 9};
  EXPECT_NE(Aggregate(ballots, 4).status().message().find("ballot 0: cell 2 maps to total 9"),
            std::string::npos);
  ballots[0].slots = {1, 2};
  EXPECT_NE(Aggregate(ballots, 4).status().message().find("2 slots for 3 cells"),
            std::string::npos);
}

}  // namespace
}  // namespace phieu::crypto
