// The prime-order group Phiếu computes in: NIST P-256 (secp256r1, SEC 2
// §2.4.2), order n, generator G, cofactor 1. Two move-only value types wrap
// OpenSSL's BIGNUM and EC_POINT (the google/private-join-and-compute shape):
//
//   Scalar — an integer mod n. Wire form: 32 bytes big-endian, < n.
//   Point  — a group element. Wire form: 33 bytes SEC1 compressed
//            (0x02|0x03 || x), never the identity.
//
// Decoding rejects every non-canonical or invalid encoding before any
// arithmetic happens (docs/crypto.md "Group and encodings"). Arithmetic
// returns Result<>: an error only when OpenSSL itself fails (Internal, with
// OpenSSL's reason) or on a mathematically undefined request (inverse of 0).
//
// Secrets: a Scalar's BIGNUM is freed with BN_clear_free, so every secret
// scalar is wiped when it dies. Copies are explicit (Clone()).
//
// Thread-safety: the EC_GROUP is shared and read-only; every thread has its
// own BN_CTX. Distinct objects may be used from distinct threads; one object
// must not be mutated concurrently (only moves mutate).
//
// Operation counters: every multiplication is counted by kind (fixed-base
// k·G, variable-base k·P, double a·G + b·P) in relaxed atomics, so that
// benchmarks and tests can say how many multiplications an operation spent.
#ifndef PHIEU_CORE_CRYPTO_GROUP_H_
#define PHIEU_CORE_CRYPTO_GROUP_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/util/status.h"

// OpenSSL's handle types, named without pulling OpenSSL into every includer.
struct bignum_st;
struct ec_point_st;
struct ec_group_st;

namespace phieu::crypto {

inline constexpr size_t kScalarSize = 32;
inline constexpr size_t kPointSize = 33;

// Counts of curve multiplications since the last ResetCounters(), by kind.
struct OpCounters {
  uint64_t fixed_base = 0;     // k·G
  uint64_t variable_base = 0;  // k·P
  uint64_t double_base = 0;    // a·G + b·P in one EC_POINT_mul
  uint64_t additions = 0;      // P + Q, P − Q (cheap; counted for completeness)
  uint64_t Multiplications() const { return fixed_base + variable_base + double_base; }
};
OpCounters Counters();
void ResetCounters();

class Scalar {
 public:
  // Zero.
  Scalar();
  Scalar(Scalar&&) noexcept;
  Scalar& operator=(Scalar&&) noexcept;
  Scalar(const Scalar&) = delete;
  Scalar& operator=(const Scalar&) = delete;
  ~Scalar();

  Scalar Clone() const;

  // Uniform in [1, n−1] from OpenSSL's private DRBG.
  static Result<Scalar> Random();
  static Scalar FromUint64(uint64_t v);
  // v mod n; negative values wrap (−1 becomes n−1).
  static Scalar FromInt64(int64_t v);
  // Exactly 32 bytes big-endian. InvalidArgument "scalar: wrong length" or
  // "scalar: not below the group order".
  static Result<Scalar> Decode(std::string_view bytes);
  // Interprets any byte string (normally a 32-byte digest) as a big-endian
  // integer and reduces it mod n.
  static Scalar FromDigest(std::string_view digest);

  // 32 bytes big-endian, zero-padded.
  std::string Encode() const;

  Result<Scalar> Add(const Scalar& o) const;
  Result<Scalar> Sub(const Scalar& o) const;
  Result<Scalar> Mul(const Scalar& o) const;
  Result<Scalar> Neg() const;
  // InvalidArgument "scalar inverse: zero" for 0.
  Result<Scalar> Inverse() const;

  bool IsZero() const;
  // Constant time in the values (compares the fixed-width encodings).
  bool Equals(const Scalar& o) const;

 private:
  friend class Point;
  friend class FixedBase;
  struct Free {
    void operator()(bignum_st* bn) const;
  };
  explicit Scalar(bignum_st* bn) : bn_(bn) {}
  const bignum_st* get() const { return bn_.get(); }

  std::unique_ptr<bignum_st, Free> bn_;
};

class Point {
 public:
  // The identity.
  Point();
  Point(Point&&) noexcept;
  Point& operator=(Point&&) noexcept;
  Point(const Point&) = delete;
  Point& operator=(const Point&) = delete;
  ~Point();

  Point Clone() const;

  static Point Identity();
  // The generator G.
  static Point Generator();
  // 33 bytes, SEC1 compressed. InvalidArgument naming the check: "point:
  // wrong length", "point: identity", "point: uncompressed encoding not
  // accepted", "point: bad prefix", "point: x not canonical (x >= p)",
  // "point: not on the curve".
  static Result<Point> Decode(std::string_view bytes);
  // InvalidArgument "point: cannot encode the identity" for the identity.
  Result<std::string> Encode() const;

  // k·G (fixed base: OpenSSL's precomputed generator table).
  static Result<Point> MulGen(const Scalar& k);
  // k·this (variable base).
  Result<Point> Mul(const Scalar& k) const;
  // a·G + b·P in one EC_POINT_mul (double multiplication).
  static Result<Point> MulAdd(const Scalar& a, const Point& p, const Scalar& b);

  Result<Point> Add(const Point& o) const;
  Result<Point> Sub(const Point& o) const;
  Result<Point> Neg() const;

  bool IsIdentity() const;
  bool Equals(const Point& o) const;

 private:
  friend class FixedBase;
  struct Free {
    void operator()(ec_point_st* p) const;
  };
  explicit Point(ec_point_st* p) : p_(p) {}
  const ec_point_st* get() const { return p_.get(); }

  std::unique_ptr<ec_point_st, Free> p_;
  // The encoding, when known without arithmetic: kept by Decode (and copied
  // by Clone), so that Encode of a decoded point (the transcripts of every
  // proof name the ciphertexts and the key) costs no field inversion. Never
  // set on a computed point; set only while the point is being made.
  std::array<unsigned char, kPointSize> enc_{};
  bool has_enc_ = false;
};

// A point used as the base of very many multiplications (the joint key K, in
// every ballot proof check), with OpenSSL's precomputed comb table for it —
// the same table OpenSSL keeps for G. Building it costs about as much as a
// few hundred multiplications (tens of ms) and ~150 KiB; after that k·K costs
// a fixed-base multiplication and k·K + b·P a double multiplication, and are
// counted as such.
//
// Thread-safety: immutable after Create(); copies share the table; safe to
// use from many threads at once.
// Errors: Create: InvalidArgument for the identity; Internal on OpenSSL failure.
class FixedBase {
 public:
  static Result<FixedBase> Create(const Point& base);

  const Point& base() const;
  // k·base.
  Result<Point> Mul(const Scalar& k) const;
  // a·base + b·P in one EC_POINT_mul.
  Result<Point> MulAdd(const Scalar& a, const Point& p, const Scalar& b) const;

 private:
  struct State;
  explicit FixedBase(std::shared_ptr<const State> s) : state_(std::move(s)) {}
  std::shared_ptr<const State> state_;
};

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_GROUP_H_
