#include "core/crypto/proofs.h"

#include <string>
#include <vector>

#include "core/crypto/transcript.h"

namespace phieu::crypto {
namespace {

// v·G for a small signed v; 0 and ±1 cost no multiplication.
Result<Point> SmallGen(int64_t v) {
  if (v == 0) return Point::Identity();
  if (v == 1) return Point::Generator();
  if (v == -1) return Point::Generator().Neg();
  return Point::MulGen(Scalar::FromInt64(v));
}

Status CheckRange(int64_t lo, int64_t hi) {
  if (lo > hi) return InvalidArgument("range proof: empty range (lo > hi)");
  if (static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) >=
      static_cast<uint64_t>(kMaxRangeBranches)) {
    return InvalidArgument("range proof: range wider than " + std::to_string(kMaxRangeBranches) +
                           " values");
  }
  return Status::Ok();
}

Transcript RangeTranscript(std::string_view context, const Point& K, const Ciphertext& ct,
                           int64_t lo, int64_t hi) {
  Transcript t(kRangeProofTag);
  t.AddBytes("context", context)
      .AddPoint("K", K)
      .AddPoint("pad", ct.pad)
      .AddPoint("data", ct.data)
      .AddI64("lo", lo)
      .AddI64("hi", hi);
  return t;
}

Result<Scalar> DecodeField(const std::string& bytes, std::string_view what, size_t index) {
  Result<Scalar> s = Scalar::Decode(bytes);
  if (!s.ok()) {
    return VerificationFailed(std::string(what) + " " + std::to_string(index) +
                              " not a canonical scalar");
  }
  return s;
}

}  // namespace

// ---------------------------------------------------------------- range proof

Result<v1::RangeProof> ProveRange(std::string_view context, const Point& K, const Ciphertext& ct,
                                  int64_t m, const Scalar& r, int64_t lo, int64_t hi,
                                  ScalarSource* rng) {
  RETURN_IF_ERROR(CheckRange(lo, hi));
  if (m < lo || m > hi) return InvalidArgument("range proof: value outside [lo, hi]");
  rng = OrSystem(rng);
  const size_t count = static_cast<size_t>(hi - lo) + 1;
  const size_t real = static_cast<size_t>(m - lo);

  std::vector<Scalar> c(count), z(count);
  std::vector<Point> a(count), b(count);
  Scalar u;
  for (size_t i = 0; i < count; ++i) {
    const int64_t v = lo + static_cast<int64_t>(i);
    if (i == real) {
      ASSIGN_OR_RETURN(u, rng->Next());
      ASSIGN_OR_RETURN(a[i], Point::MulGen(u));
      ASSIGN_OR_RETURN(b[i], K.Mul(u));
      continue;
    }
    // Simulated branch. With w = z − c·r the verifier's equations give
    //   a = z·G − c·α          = w·G
    //   b = z·K − c·(β − v·G)  = w·K + c·(v − m)·G
    // so knowing r turns each simulation into one fixed-base and one double
    // multiplication instead of a double and two variable-base ones.
    ASSIGN_OR_RETURN(c[i], rng->Next());
    ASSIGN_OR_RETURN(z[i], rng->Next());
    ASSIGN_OR_RETURN(Scalar cr, c[i].Mul(r));
    ASSIGN_OR_RETURN(Scalar w, z[i].Sub(cr));
    ASSIGN_OR_RETURN(Scalar cvm, c[i].Mul(Scalar::FromInt64(v - m)));
    ASSIGN_OR_RETURN(a[i], Point::MulGen(w));
    ASSIGN_OR_RETURN(b[i], Point::MulAdd(cvm, K, w));
  }
  Transcript t = RangeTranscript(context, K, ct, lo, hi);
  for (size_t i = 0; i < count; ++i) t.AddPoint("a", a[i]).AddPoint("b", b[i]);
  Scalar challenge = t.Challenge();

  Scalar c_real = std::move(challenge);
  for (size_t i = 0; i < count; ++i) {
    if (i == real) continue;
    ASSIGN_OR_RETURN(c_real, c_real.Sub(c[i]));
  }
  ASSIGN_OR_RETURN(Scalar cr, c_real.Mul(r));
  ASSIGN_OR_RETURN(z[real], u.Add(cr));
  c[real] = std::move(c_real);

  v1::RangeProof proof;
  for (size_t i = 0; i < count; ++i) {
    proof.add_challenges(c[i].Encode());
    proof.add_responses(z[i].Encode());
  }
  return proof;
}

namespace {

// The verifier's z·K − c·P: one double multiplication with K's table, two
// variable-base multiplications without.
struct KeyRef {
  const Point& K;
  const FixedBase* table;
  Result<Point> Combine(const Scalar& z, const Point& p, const Scalar& neg_c) const {
    if (table != nullptr) return table->MulAdd(z, p, neg_c);
    ASSIGN_OR_RETURN(Point zk, K.Mul(z));
    ASSIGN_OR_RETURN(Point cp, p.Mul(neg_c));
    return zk.Add(cp);
  }
};

Status VerifyRangeImpl(std::string_view context, const KeyRef& key, const Ciphertext& ct,
                       int64_t lo, int64_t hi, const v1::RangeProof& proof) {
  const Point& K = key.K;
  RETURN_IF_ERROR(CheckRange(lo, hi));
  const size_t count = static_cast<size_t>(hi - lo) + 1;
  if (static_cast<size_t>(proof.challenges_size()) != count ||
      static_cast<size_t>(proof.responses_size()) != count) {
    return VerificationFailed("range proof: wrong number of branches (" +
                              std::to_string(proof.challenges_size()) + " challenges, " +
                              std::to_string(proof.responses_size()) + " responses, want " +
                              std::to_string(count) + ")");
  }
  // Every field is decoded before any curve arithmetic.
  std::vector<Scalar> c(count), z(count);
  for (size_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(c[i], DecodeField(proof.challenges(i), "range proof: challenge", i));
    ASSIGN_OR_RETURN(z[i], DecodeField(proof.responses(i), "range proof: response", i));
  }

  Transcript t = RangeTranscript(context, K, ct, lo, hi);
  ASSIGN_OR_RETURN(Point lo_g, SmallGen(lo));
  ASSIGN_OR_RETURN(Point beta_v, ct.data.Sub(lo_g));  // β − v·G, for v = lo first
  const Point g = Point::Generator();
  Scalar sum;
  for (size_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(Scalar neg_c, c[i].Neg());
    // a_v = z_v·G − c_v·α
    ASSIGN_OR_RETURN(Point a, Point::MulAdd(z[i], ct.pad, neg_c));
    // b_v = z_v·K − c_v·(β − v·G)
    ASSIGN_OR_RETURN(Point b, key.Combine(z[i], beta_v, neg_c));
    t.AddPoint("a", a).AddPoint("b", b);
    ASSIGN_OR_RETURN(sum, sum.Add(c[i]));
    if (i + 1 < count) {
      ASSIGN_OR_RETURN(beta_v, beta_v.Sub(g));
    }
  }
  if (!sum.Equals(t.Challenge())) return VerificationFailed("range proof: challenge sum mismatch");
  return Status::Ok();
}

}  // namespace

Status VerifyRange(std::string_view context, const Point& K, const Ciphertext& ct, int64_t lo,
                   int64_t hi, const v1::RangeProof& proof) {
  return VerifyRangeImpl(context, KeyRef{K, nullptr}, ct, lo, hi, proof);
}

Status VerifyRange(std::string_view context, const FixedBase& K, const Ciphertext& ct, int64_t lo,
                   int64_t hi, const v1::RangeProof& proof) {
  return VerifyRangeImpl(context, KeyRef{K.base(), &K}, ct, lo, hi, proof);
}

// ---------------------------------------------------------------- Schnorr

namespace {
Transcript SchnorrTranscript(std::string_view context, const Point& X, const Point& h) {
  Transcript t(kSchnorrTag);
  t.AddBytes("context", context).AddPoint("X", X).AddPoint("h", h);
  return t;
}
}  // namespace

Result<v1::SchnorrProof> ProveSchnorr(std::string_view context, const Scalar& x, const Point& X,
                                      ScalarSource* rng) {
  rng = OrSystem(rng);
  ASSIGN_OR_RETURN(Scalar u, rng->Next());
  ASSIGN_OR_RETURN(Point h, Point::MulGen(u));
  Scalar c = SchnorrTranscript(context, X, h).Challenge();
  ASSIGN_OR_RETURN(Scalar cx, c.Mul(x));
  ASSIGN_OR_RETURN(Scalar v, u.Add(cx));
  v1::SchnorrProof proof;
  ASSIGN_OR_RETURN(*proof.mutable_commitment(), h.Encode());
  proof.set_response(v.Encode());
  return proof;
}

Status VerifySchnorr(std::string_view context, const Point& X, const v1::SchnorrProof& proof) {
  Result<Point> h = Point::Decode(proof.commitment());
  if (!h.ok()) {
    return Status(StatusCode::kVerificationFailed, h.status().message())
        .Annotate("schnorr proof: commitment");
  }
  Result<Scalar> v = Scalar::Decode(proof.response());
  if (!v.ok()) return VerificationFailed("schnorr proof: response not a canonical scalar");
  Scalar c = SchnorrTranscript(context, X, *h).Challenge();
  ASSIGN_OR_RETURN(Scalar neg_c, c.Neg());
  ASSIGN_OR_RETURN(Point lhs, Point::MulAdd(*v, X, neg_c));  // v·G − c·X
  if (!lhs.Equals(*h)) return VerificationFailed("schnorr proof: equation v·G = h + c·X fails");
  return Status::Ok();
}

// ---------------------------------------------------------------- partial decryption

namespace {
Transcript DecryptionTranscript(std::string_view context, const Point& public_share,
                                const Ciphertext& ct, const Point& m, const Point& a,
                                const Point& b) {
  Transcript t(kDecryptionProofTag);
  t.AddBytes("context", context)
      .AddPoint("K_i", public_share)
      .AddPoint("pad", ct.pad)
      .AddPoint("data", ct.data)
      .AddPoint("M_i", m)
      .AddPoint("a", a)
      .AddPoint("b", b);
  return t;
}
}  // namespace

Result<v1::PartialDecryption> PartialDecrypt(std::string_view context, const Scalar& share,
                                             const Point& public_share, const Ciphertext& ct,
                                             ScalarSource* rng) {
  if (ct.pad.IsIdentity()) {
    return InvalidArgument("partial decryption: ciphertext pad is the identity");
  }
  rng = OrSystem(rng);
  ASSIGN_OR_RETURN(Point m, ct.pad.Mul(share));
  ASSIGN_OR_RETURN(Scalar u, rng->Next());
  ASSIGN_OR_RETURN(Point a, Point::MulGen(u));
  ASSIGN_OR_RETURN(Point b, ct.pad.Mul(u));
  Scalar c = DecryptionTranscript(context, public_share, ct, m, a, b).Challenge();
  ASSIGN_OR_RETURN(Scalar cs, c.Mul(share));
  ASSIGN_OR_RETURN(Scalar v, u.Add(cs));
  v1::PartialDecryption out;
  ASSIGN_OR_RETURN(*out.mutable_share(), m.Encode());
  out.mutable_proof()->set_challenge(c.Encode());
  out.mutable_proof()->set_response(v.Encode());
  return out;
}

Status VerifyPartial(std::string_view context, const Point& public_share, const Ciphertext& ct,
                     const v1::PartialDecryption& partial) {
  if (ct.pad.IsIdentity()) {
    return InvalidArgument("decryption proof: ciphertext pad is the identity");
  }
  Result<Point> m = Point::Decode(partial.share());
  if (!m.ok()) {
    return Status(StatusCode::kVerificationFailed, m.status().message())
        .Annotate("decryption proof: share");
  }
  if (!partial.has_proof()) return VerificationFailed("decryption proof: missing");
  Result<Scalar> c = Scalar::Decode(partial.proof().challenge());
  if (!c.ok()) return VerificationFailed("decryption proof: challenge not a canonical scalar");
  Result<Scalar> v = Scalar::Decode(partial.proof().response());
  if (!v.ok()) return VerificationFailed("decryption proof: response not a canonical scalar");

  ASSIGN_OR_RETURN(Scalar neg_c, c->Neg());
  ASSIGN_OR_RETURN(Point a, Point::MulAdd(*v, public_share, neg_c));  // v·G − c·K_i
  ASSIGN_OR_RETURN(Point va, ct.pad.Mul(*v));
  ASSIGN_OR_RETURN(Point cm, m->Mul(neg_c));
  ASSIGN_OR_RETURN(Point b, va.Add(cm));  // v·α − c·M_i
  Scalar expected = DecryptionTranscript(context, public_share, ct, *m, a, b).Challenge();
  if (!expected.Equals(*c)) return VerificationFailed("decryption proof: challenge mismatch");
  return Status::Ok();
}

}  // namespace phieu::crypto
