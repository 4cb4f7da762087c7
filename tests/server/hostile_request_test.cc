// Hostile requests against MeetingService in-process (the meeting:
// tests/server/meeting_harness.h): casts before opening, replays of another
// delegate's ballot under one's own certificate, malleated ciphertexts
// (c + G, k·c), points off the curve or at infinity; every refusal that
// needs no curve arithmetic comes before the signature and the proofs (the
// group's op counters and the signature counter do not move), and the
// per-certificate rate limit, per role. After each refusal the board is unchanged and
// an honest ballot is still accepted.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/crypto/group.h"
#include "core/crypto/keys.h"
#include "tests/server/meeting_harness.h"

namespace phieu::server {
namespace {

constexpr char kLangSon[] = "dai-bieu-lang-son";  // delegate of lang-son

// Curve multiplications and signature checks spent meanwhile.
struct CostMeter {
  uint64_t mul = crypto::Counters().Multiplications();
  uint64_t sig = crypto::SignatureVerifications();
  uint64_t multiplications() const { return crypto::Counters().Multiplications() - mul; }
  uint64_t signatures() const { return crypto::SignatureVerifications() - sig; }
};

class HostileRequestTest : public MeetingHarness {
 protected:
  // Posts `body` as `id` with its cell 0 changed by `change`, expects the
  // refusal, and that the board did not grow.
  void ExpectMalleatedRefused(const std::string& run_id,
                              const std::function<void(v1::Ciphertext*)>& change, v1::ErrorCode code,
                              const std::string& words) {
    v1::EntryBody ballot = Ballot(run_id, "cao-bang", "son-la");
    ASSERT_GT(ballot.ballot().cells_size(), 0);
    change(ballot.mutable_ballot()->mutable_cells(0));
    const uint64_t length = view_.length();
    ExpectError(Post(kThu, ballot), code, words);
    EXPECT_EQ(view_.length(), length);
    EXPECT_EQ(view_.FindRun(run_id)->ballots.count("cao-bang"), 0u);
  }

  // A ballot body naming a run and a unit, with nothing in it (no cell, no proof).
  static v1::EntryBody EmptyBallot(const std::string& run_id, const std::string& unit) {
    v1::EntryBody body;
    body.mutable_ballot()->set_run_id(run_id);
    body.mutable_ballot()->set_unit_id(unit);
    return body;
  }

  // Signed as `id` but with a signature that cannot verify.
  v1::SignedEntry BadlySignedAs(const std::string& id, v1::EntryBody body) {
    v1::SignedEntry se = SignAs(id, std::move(body));
    se.set_signature(std::string(70, '\x30'));
    return se;
  }
};

crypto::Point DecodeOrDie(const std::string& bytes) {
  auto p = crypto::Point::Decode(bytes);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(p).value();
}

std::string EncodeOrDie(const crypto::Point& p) {
  auto e = p.Encode();
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return std::move(e).value();
}

TEST_F(HostileRequestTest, CastBeforeOpeningIsNotFound) {
  CheckInAll();
  RunCeremony();
  const std::string no_run(64, 'a');
  const uint64_t length = view_.length();
  ExpectError(Post(kThu, EmptyBallot(no_run, "cao-bang")), v1::ERROR_NOT_FOUND, "no run " + no_run);
  EXPECT_EQ(view_.length(), length);
}

TEST_F(HostileRequestTest, AnotherDelegatesBallotReplayedUnderOnesOwnCertificateIsRefused) {
  const std::string run_id = OpenRun();
  const v1::EntryBody thu_ballot = Ballot(run_id, "cao-bang", "son-la");
  // Lạng Sơn signs Thư's ballot with its own key: it may not cast for cao-bang.
  ExpectError(Post(kLangSon, thu_ballot), v1::ERROR_PERMISSION_DENIED,
              std::string(kLangSon) + " may not cast the ballot of 'cao-bang'");
  // ... nor pass it off as lang-son's: the proofs are bound to the unit.
  v1::EntryBody relabelled = thu_ballot;
  relabelled.mutable_ballot()->set_unit_id("lang-son");
  ExpectError(Post(kLangSon, relabelled), v1::ERROR_VERIFICATION_FAILED, "ballot of 'lang-son'");
  // Thư's own cast is untouched by either, and its replay after counting is refused too.
  ExpectPosted(Post(kThu, thu_ballot));
  ExpectError(Post(kLangSon, thu_ballot), v1::ERROR_PERMISSION_DENIED, "may not cast the ballot of 'cao-bang'");
  EXPECT_EQ(view_.FindRun(run_id)->ballots.size(), 1u);
  EXPECT_EQ(view_.FindRun(run_id)->ballots.count("lang-son"), 0u);
}

TEST_F(HostileRequestTest, MalleatedCiphertextsAndBadPointsAreRefused) {
  const std::string run_id = OpenRun();
  const crypto::Point g = crypto::Point::Generator();
  // c + G: the cell now encrypts m + 1; its 0-or-1 proof no longer holds.
  ExpectMalleatedRefused(
      run_id,
      [&](v1::Ciphertext* c) { c->set_data(EncodeOrDie(DecodeOrDie(c->data()).Add(g).value())); },
      v1::ERROR_VERIFICATION_FAILED, "ballot of 'cao-bang': cell 0");
  // k·c with k = 2 (pad and data): encrypts 2m under 2r.
  ExpectMalleatedRefused(
      run_id,
      [&](v1::Ciphertext* c) {
        const crypto::Scalar two = crypto::Scalar::FromUint64(2);
        c->set_pad(EncodeOrDie(DecodeOrDie(c->pad()).Mul(two).value()));
        c->set_data(EncodeOrDie(DecodeOrDie(c->data()).Mul(two).value()));
      },
      v1::ERROR_VERIFICATION_FAILED, "ballot of 'cao-bang': cell 0");
  // The point at infinity (SEC1's one-byte encoding) and an all-zero point.
  ExpectMalleatedRefused(
      run_id, [](v1::Ciphertext* c) { c->set_pad(std::string(1, '\0')); }, v1::ERROR_BAD_REQUEST,
      "cell 0: ciphertext: wrong point length");
  ExpectMalleatedRefused(
      run_id, [](v1::Ciphertext* c) { c->set_data(std::string(crypto::kPointSize, '\0')); },
      v1::ERROR_BAD_REQUEST, "point: bad prefix");
  // A point off the curve: the first x (from 1) with no y on P-256.
  std::string off(crypto::kPointSize, '\0');
  off[0] = 0x02;
  for (int x = 1; x < 256; ++x) {
    off.back() = static_cast<char>(x);
    if (!crypto::Point::Decode(off).ok()) break;
  }
  ASSERT_FALSE(crypto::Point::Decode(off).ok());
  ExpectMalleatedRefused(
      run_id, [&](v1::Ciphertext* c) { c->set_pad(off); }, v1::ERROR_BAD_REQUEST, "not on the curve");
  // A wrong proof: a valid proof, of another encryption of the same cell.
  v1::EntryBody wrong_proof = Ballot(run_id, "cao-bang", "son-la");
  *wrong_proof.mutable_ballot()->mutable_cell_proofs(0) =
      Ballot(run_id, "cao-bang", "lao-cai").ballot().cell_proofs(0);
  ExpectError(Post(kThu, wrong_proof), v1::ERROR_VERIFICATION_FAILED, "ballot of 'cao-bang': cell 0");

  // After all of it the honest ballot is accepted.
  ExpectPosted(Post(kThu, Ballot(run_id, "cao-bang", "son-la")));
}

// Each of these is refused by a check that needs no curve arithmetic; the
// signature is garbage, so a refusal naming the cheap check shows that it ran
// before the signature check.
TEST_F(HostileRequestTest, CheapRefusalsComeBeforeTheSignatureAndTheProofs) {
  const std::string run_id = OpenRun();
  ExpectPosted(Post(kThu, Ballot(run_id, "cao-bang", "son-la")));
  const v1::EntryBody second = Ballot(run_id, "cao-bang", "lao-cai");  // encrypting costs; not measured
  v1::EntryBody open;
  open.mutable_open()->set_ballot_id(kBallot);
  v1::EntryBody tally;
  tally.mutable_tally()->set_run_id(run_id);
  v1::EntryBody genesis;
  genesis.mutable_genesis();
  v1::EntryBody share;
  share.mutable_decryption_share()->set_run_id(run_id);

  struct Case {
    const char* who;
    v1::EntryBody body;
    v1::ErrorCode code;
    std::string words;
  };
  const Case cases[] = {
      {kThu, second, v1::ERROR_ALREADY_VOTED, "has already voted"},
      {kLangSon, second, v1::ERROR_PERMISSION_DENIED, "may not cast the ballot of 'cao-bang'"},
      {kThu, open, v1::ERROR_PERMISSION_DENIED, "only the chair may open a ballot"},
      {kThu, tally, v1::ERROR_PERMISSION_DENIED, "only the server writes tally entries"},
      {kChair, genesis, v1::ERROR_PERMISSION_DENIED, "the genesis is loaded when the server starts"},
      {kThu, share, v1::ERROR_PERMISSION_DENIED, "only the tellers may post decryption shares"},
      {kThu, EmptyBallot(std::string(64, 'b'), "cao-bang"), v1::ERROR_NOT_FOUND, "no run"},
  };
  const uint64_t length = view_.length();
  CostMeter meter;
  for (const Case& c : cases) {
    ExpectError(PostSigned(Who(c.who), BadlySignedAs(c.who, c.body)), c.code, c.words);
  }
  EXPECT_EQ(meter.multiplications(), 0u);
  EXPECT_EQ(meter.signatures(), 0u);
  EXPECT_EQ(view_.length(), length);

  // Closed: a cast is refused as closed, still before any curve operation.
  v1::EntryBody close;
  close.mutable_close()->set_run_id(run_id);
  ExpectPosted(Post(kChair, close));
  CostMeter after_close;
  ExpectError(PostSigned(Who(kLangSon), BadlySignedAs(kLangSon, Ballot(run_id, "lang-son", "son-la"))),
              v1::ERROR_WRONG_PHASE, "this ballot is closed");
  // (Ballot() encrypted on this thread: count only what the refusal spent.)
  EXPECT_EQ(after_close.signatures(), 0u);
}

// A resend of the counted ballot is answered from the board: the original
// receipt, no signature check, no proof check.
TEST_F(HostileRequestTest, IdenticalResendCostsNoCurveOperation) {
  const std::string run_id = OpenRun();
  const v1::SignedEntry cast = SignAs(kThu, Ballot(run_id, "cao-bang", "son-la"));
  v1::Envelope first = PostSigned(Who(kThu), cast);
  ASSERT_TRUE(first.has_posted()) << first.DebugString();
  CostMeter meter;
  v1::Envelope again = PostSigned(Who(kThu), cast);
  ASSERT_TRUE(again.has_posted()) << again.DebugString();
  EXPECT_EQ(again.posted().receipt().receipt(), first.posted().receipt().receipt());
  EXPECT_EQ(meter.multiplications(), 0u);
  EXPECT_EQ(meter.signatures(), 0u);
}

TEST_F(HostileRequestTest, PostsBeyondTheRateLimitAreRefusedPerCertificate) {
  MeetingServiceOptions options = ServiceOptions();
  options.post_rate = RateLimit{0, 3};  // three posts, never refilled
  svc_.reset();
  ASSERT_TRUE(OpenService(nullptr, options));
  v1::EntryBody check_in;
  check_in.mutable_check_in()->set_unit_id("cao-bang");
  check_in.mutable_check_in()->set_own_pin(Creds(kThu).cert.Pin());
  ExpectPosted(Post(kThu, check_in));
  ExpectPosted(Post(kThu, check_in));  // a second check-in answers with the first
  ExpectPosted(Post(kThu, check_in));
  const uint64_t length = view_.length();
  CostMeter meter;
  for (int i = 0; i < 50; ++i) {
    ExpectError(PostSigned(Who(kThu), SignAs(kThu, check_in)), v1::ERROR_RATE_LIMITED, "rate limit");
  }
  EXPECT_EQ(meter.signatures(), 0u);
  EXPECT_EQ(view_.length(), length);
  // Another certificate has its own bucket.
  v1::EntryBody other;
  other.mutable_check_in()->set_unit_id("lang-son");
  other.mutable_check_in()->set_own_pin(Creds(kLangSon).cert.Pin());
  ExpectPosted(Post(kLangSon, other));
}

// The limit is per role: the chair's scripted mass check-in (a big congress
// checks in 1,000+ units) is not throttled like a delegate's flood. With the
// default limits, 300 check-ins by the chair in a burst are all accepted,
// while a delegate's certificate is refused past its burst of 60.
TEST_F(HostileRequestTest, ChairCheckInsInABurstPassWhileADelegateFloodIsThrottled) {
  const MeetingServiceOptions defaults;
  ASSERT_LT(defaults.post_rate.burst, 300);
  ASSERT_GE(defaults.officer_post_rate.burst, 300);
  const std::vector<std::string> units = {"son-la",   "cao-bang", "lao-cai",  "ha-giang",
                                          "lang-son", "lai-chau", "dien-bien"};
  for (int i = 0; i < 300; ++i) {
    v1::EntryBody by_chair;
    by_chair.mutable_check_in()->set_unit_id(units[i % units.size()]);
    by_chair.mutable_check_in()->set_by_chair(true);
    ExpectPosted(Post(kChair, by_chair));  // after the first 7, each answers with the first
  }
  ASSERT_TRUE(Sync());
  EXPECT_EQ(view_.check_ins().size(), units.size());

  v1::EntryBody own;
  own.mutable_check_in()->set_unit_id("cao-bang");
  own.mutable_check_in()->set_own_pin(Creds(kThu).cert.Pin());
  const auto start = std::chrono::steady_clock::now();
  int posted = 0;
  int limited = 0;
  for (int i = 0; i < 300; ++i) {
    v1::Envelope resp = Post(kThu, own);
    if (resp.has_posted()) {
      ++posted;
    } else {
      ASSERT_TRUE(resp.has_error()) << resp.DebugString();
      EXPECT_EQ(resp.error().code(), v1::ERROR_RATE_LIMITED) << resp.DebugString();
      ++limited;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GT(limited, 0);
  // The burst, plus what the bucket refilled meanwhile.
  EXPECT_LE(posted, defaults.post_rate.burst + defaults.post_rate.per_second * seconds + 1);
}

// The officers' limit is a limit too: set low, the chair is throttled.
TEST_F(HostileRequestTest, OfficerPostRateAppliesToTheChair) {
  MeetingServiceOptions options = ServiceOptions();
  options.officer_post_rate = RateLimit{0, 2};
  svc_.reset();
  ASSERT_TRUE(OpenService(nullptr, options));
  v1::EntryBody by_chair;
  by_chair.mutable_check_in()->set_unit_id("cao-bang");
  by_chair.mutable_check_in()->set_by_chair(true);
  ExpectPosted(Post(kChair, by_chair));
  ExpectPosted(Post(kChair, by_chair));
  ExpectError(Post(kChair, by_chair), v1::ERROR_RATE_LIMITED, "rate limit");
}

}  // namespace
}  // namespace phieu::server
