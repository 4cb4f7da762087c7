#include "core/crypto/group.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "core/crypto/openssl_error.h"

namespace phieu::crypto {
namespace {

// Allocation failures inside value constructors (Identity(), FromUint64())
// cannot be reported through a Result; a process that cannot allocate a
// 32-byte BIGNUM can do no cryptography at all, so it stops.
template <typename T>
T* OrDie(T* p) {
  if (p == nullptr) std::abort();
  return p;
}

struct Curve {
  EC_GROUP* group = nullptr;
  const BIGNUM* order = nullptr;
  unsigned char p_bytes[32] = {};  // the field prime, big-endian
  // For decompressing points (Point::Decode): y = rhs^((p+1)/4) mod p, since
  // p ≡ 3 (mod 4), with p's Montgomery context made once. OpenSSL's own path
  // (EC_POINT_oct2point -> BN_mod_sqrt) rebuilds that context for every point:
  // 15.8 µs of CPU per decode there, 12.6 µs here (a double multiplication
  // is ≈ 43 µs), and a ballot of 8 cells decodes 16 points.
  BIGNUM* p = nullptr;
  BIGNUM* b = nullptr;         // y² = x³ − 3x + b
  BIGNUM* sqrt_exp = nullptr;  // (p + 1) / 4
  BN_MONT_CTX* p_mont = nullptr;
};

const Curve& P256() {
  static const Curve* curve = [] {
    auto* c = new Curve;
    c->group = OrDie(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    c->order = EC_GROUP_get0_order(c->group);
    c->p = OrDie(BN_new());
    c->b = OrDie(BN_new());
    c->sqrt_exp = OrDie(BN_new());
    c->p_mont = OrDie(BN_MONT_CTX_new());
    BN_CTX* ctx = OrDie(BN_CTX_new());
    if (EC_GROUP_get_curve(c->group, c->p, nullptr, c->b, ctx) != 1 ||
        BN_bn2binpad(c->p, c->p_bytes, 32) != 32 || BN_copy(c->sqrt_exp, c->p) == nullptr ||
        BN_add_word(c->sqrt_exp, 1) != 1 || BN_rshift(c->sqrt_exp, c->sqrt_exp, 2) != 1 ||
        BN_MONT_CTX_set(c->p_mont, c->p, ctx) != 1 || BN_mod_word(c->p, 4) != 3) {
      std::abort();
    }
    BN_CTX_free(ctx);
    return c;
  }();
  return *curve;
}

const EC_GROUP* G() { return P256().group; }
const BIGNUM* Order() { return P256().order; }

struct CtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};

BN_CTX* Ctx() {
  thread_local std::unique_ptr<BN_CTX, CtxFree> ctx(OrDie(BN_CTX_secure_new()));
  return ctx.get();
}

std::atomic<uint64_t> g_fixed{0}, g_variable{0}, g_double{0}, g_add{0};

void Count(std::atomic<uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }

// Sets `out` to the point of a 33-byte SEC1 compressed encoding whose prefix
// (0x02/0x03) and x (< p) were checked by the caller: y² = x³ − 3x + b, y the
// square root of the prefix's parity. false: x³ − 3x + b is not a square (no
// point has this x). The values are public: nothing here needs constant time.
Result<bool> Decompress(const unsigned char* enc, EC_POINT* out) {
  const Curve& c = P256();
  BN_CTX* ctx = Ctx();
  BN_CTX_start(ctx);
  struct End {
    BN_CTX* ctx;
    ~End() { BN_CTX_end(ctx); }
  } end{ctx};
  BIGNUM* x = BN_CTX_get(ctx);
  BIGNUM* rhs = BN_CTX_get(ctx);
  BIGNUM* t = BN_CTX_get(ctx);
  BIGNUM* y = BN_CTX_get(ctx);
  if (y == nullptr || BN_bin2bn(enc + 1, 32, x) == nullptr) return OpenSslError("point: decode");
  // rhs = x³ − 3x + b (mod p)
  if (BN_mod_sqr(rhs, x, c.p, ctx) != 1 || BN_mod_mul(rhs, rhs, x, c.p, ctx) != 1 ||
      BN_mod_lshift1_quick(t, x, c.p) != 1 || BN_mod_add_quick(t, t, x, c.p) != 1 ||
      BN_mod_sub_quick(rhs, rhs, t, c.p) != 1 || BN_mod_add_quick(rhs, rhs, c.b, c.p) != 1 ||
      BN_mod_exp_mont(y, rhs, c.sqrt_exp, c.p, ctx, c.p_mont) != 1 || BN_mod_sqr(t, y, c.p, ctx) != 1) {
    return OpenSslError("point: decode");
  }
  if (BN_cmp(t, rhs) != 0) return false;  // rhs has no square root
  const bool odd = enc[0] == 0x03;
  if (BN_is_odd(y) != odd) {
    if (BN_is_zero(y)) return false;  // y = 0 has no odd twin (and P-256 has no such point)
    if (BN_sub(y, c.p, y) != 1) return OpenSslError("point: decode");
  }
  // Checks the point is on the curve once more, in OpenSSL's own terms.
  if (EC_POINT_set_affine_coordinates(c.group, out, x, y, ctx) != 1) {
    ClearOpenSslErrors();
    return false;
  }
  return true;
}

}  // namespace

OpCounters Counters() {
  OpCounters c;
  c.fixed_base = g_fixed.load(std::memory_order_relaxed);
  c.variable_base = g_variable.load(std::memory_order_relaxed);
  c.double_base = g_double.load(std::memory_order_relaxed);
  c.additions = g_add.load(std::memory_order_relaxed);
  return c;
}

void ResetCounters() {
  g_fixed.store(0, std::memory_order_relaxed);
  g_variable.store(0, std::memory_order_relaxed);
  g_double.store(0, std::memory_order_relaxed);
  g_add.store(0, std::memory_order_relaxed);
}

// ---------------------------------------------------------------- Scalar

void Scalar::Free::operator()(bignum_st* bn) const { BN_clear_free(bn); }

Scalar::Scalar() : bn_(OrDie(BN_secure_new())) {}
Scalar::Scalar(Scalar&&) noexcept = default;
Scalar& Scalar::operator=(Scalar&&) noexcept = default;
Scalar::~Scalar() = default;

Scalar Scalar::Clone() const {
  Scalar s;
  if (BN_copy(s.bn_.get(), bn_.get()) == nullptr) std::abort();
  return s;
}

Result<Scalar> Scalar::Random() {
  Scalar s;
  BN_set_flags(s.bn_.get(), BN_FLG_CONSTTIME);
  do {
    if (BN_priv_rand_range(s.bn_.get(), Order()) != 1) return OpenSslError("scalar: random");
  } while (BN_is_zero(s.bn_.get()));
  return s;
}

Scalar Scalar::FromUint64(uint64_t v) {
  Scalar s;
  // BN_set_word takes BN_ULONG, 64 bits on every platform we build for.
  static_assert(sizeof(BN_ULONG) >= sizeof(uint64_t));
  if (BN_set_word(s.bn_.get(), v) != 1) std::abort();
  return s;
}

Scalar Scalar::FromInt64(int64_t v) {
  if (v >= 0) return FromUint64(static_cast<uint64_t>(v));
  // |v| without overflow for INT64_MIN.
  uint64_t magnitude = static_cast<uint64_t>(-(v + 1)) + 1;
  Scalar s = FromUint64(magnitude);
  if (BN_sub(s.bn_.get(), Order(), s.bn_.get()) != 1) std::abort();
  return s;
}

Result<Scalar> Scalar::Decode(std::string_view bytes) {
  if (bytes.size() != kScalarSize) {
    return InvalidArgument("scalar: wrong length (" + std::to_string(bytes.size()) +
                           " bytes, want 32)");
  }
  Scalar s;
  if (BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), kScalarSize,
                s.bn_.get()) == nullptr) {
    return OpenSslError("scalar: decode");
  }
  if (BN_cmp(s.bn_.get(), Order()) >= 0) {
    return InvalidArgument("scalar: not below the group order");
  }
  return s;
}

Scalar Scalar::FromDigest(std::string_view digest) {
  Scalar s;
  if (BN_bin2bn(reinterpret_cast<const unsigned char*>(digest.data()),
                static_cast<int>(digest.size()), s.bn_.get()) == nullptr ||
      BN_nnmod(s.bn_.get(), s.bn_.get(), Order(), Ctx()) != 1) {
    std::abort();
  }
  return s;
}

std::string Scalar::Encode() const {
  std::string out(kScalarSize, '\0');
  if (BN_bn2binpad(bn_.get(), reinterpret_cast<unsigned char*>(out.data()), kScalarSize) !=
      static_cast<int>(kScalarSize)) {
    std::abort();  // a Scalar is always reduced mod n: cannot exceed 32 bytes
  }
  return out;
}

Result<Scalar> Scalar::Add(const Scalar& o) const {
  Scalar r;
  if (BN_mod_add(r.bn_.get(), bn_.get(), o.bn_.get(), Order(), Ctx()) != 1) {
    return OpenSslError("scalar: add");
  }
  return r;
}

Result<Scalar> Scalar::Sub(const Scalar& o) const {
  Scalar r;
  if (BN_mod_sub(r.bn_.get(), bn_.get(), o.bn_.get(), Order(), Ctx()) != 1) {
    return OpenSslError("scalar: sub");
  }
  return r;
}

Result<Scalar> Scalar::Mul(const Scalar& o) const {
  Scalar r;
  if (BN_mod_mul(r.bn_.get(), bn_.get(), o.bn_.get(), Order(), Ctx()) != 1) {
    return OpenSslError("scalar: mul");
  }
  return r;
}

Result<Scalar> Scalar::Neg() const {
  Scalar r;
  if (BN_is_zero(bn_.get())) return r;
  if (BN_sub(r.bn_.get(), Order(), bn_.get()) != 1) return OpenSslError("scalar: neg");
  return r;
}

Result<Scalar> Scalar::Inverse() const {
  if (BN_is_zero(bn_.get())) return InvalidArgument("scalar inverse: zero");
  Scalar r;
  if (BN_mod_inverse(r.bn_.get(), bn_.get(), Order(), Ctx()) == nullptr) {
    return OpenSslError("scalar: inverse");
  }
  return r;
}

bool Scalar::IsZero() const { return BN_is_zero(bn_.get()); }

bool Scalar::Equals(const Scalar& o) const {
  std::string a = Encode(), b = o.Encode();
  bool eq = CRYPTO_memcmp(a.data(), b.data(), kScalarSize) == 0;
  OPENSSL_cleanse(a.data(), a.size());
  OPENSSL_cleanse(b.data(), b.size());
  return eq;
}

// ---------------------------------------------------------------- Point

void Point::Free::operator()(ec_point_st* p) const { EC_POINT_clear_free(p); }

Point::Point() : p_(OrDie(EC_POINT_new(G()))) {
  if (EC_POINT_set_to_infinity(G(), p_.get()) != 1) std::abort();
}
Point::Point(Point&&) noexcept = default;
Point& Point::operator=(Point&&) noexcept = default;
Point::~Point() = default;

Point Point::Clone() const {
  Point r(OrDie(EC_POINT_dup(p_.get(), G())));
  r.enc_ = enc_;
  r.has_enc_ = has_enc_;
  return r;
}

Point Point::Identity() { return Point(); }

Point Point::Generator() {
  return Point(OrDie(EC_POINT_dup(EC_GROUP_get0_generator(G()), G())));
}

Result<Point> Point::Decode(std::string_view bytes) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() == 1 && b[0] == 0x00) return InvalidArgument("point: identity");
  if (!bytes.empty() && b[0] == 0x04) {
    return InvalidArgument("point: uncompressed encoding not accepted");
  }
  if (bytes.size() != kPointSize) {
    return InvalidArgument("point: wrong length (" + std::to_string(bytes.size()) +
                           " bytes, want 33)");
  }
  if (b[0] != 0x02 && b[0] != 0x03) return InvalidArgument("point: bad prefix");
  // x must be a canonical field element. OpenSSL checks this too; checking it
  // here makes the rule explicit and independent of the library version.
  if (std::memcmp(b + 1, P256().p_bytes, 32) >= 0) {
    return InvalidArgument("point: x not canonical (x >= p)");
  }
  Point p;
  ASSIGN_OR_RETURN(bool on_curve, Decompress(b, p.p_.get()));
  if (!on_curve) return InvalidArgument("point: not on the curve (x^3 - 3x + b has no square root)");
  if (EC_POINT_is_at_infinity(G(), p.p_.get())) return InvalidArgument("point: identity");
  if (EC_POINT_is_on_curve(G(), p.p_.get(), Ctx()) != 1) {
    ClearOpenSslErrors();
    return InvalidArgument("point: not on the curve");
  }
  std::memcpy(p.enc_.data(), b, kPointSize);
  p.has_enc_ = true;
  return p;
}

Result<std::string> Point::Encode() const {
  if (has_enc_) return std::string(reinterpret_cast<const char*>(enc_.data()), kPointSize);
  if (IsIdentity()) return InvalidArgument("point: cannot encode the identity");
  std::string out(kPointSize, '\0');
  if (EC_POINT_point2oct(G(), p_.get(), POINT_CONVERSION_COMPRESSED,
                         reinterpret_cast<unsigned char*>(out.data()), out.size(),
                         Ctx()) != kPointSize) {
    return OpenSslError("point: encode");
  }
  return out;
}

Result<Point> Point::MulGen(const Scalar& k) {
  Point r;
  Count(g_fixed);
  if (EC_POINT_mul(G(), r.p_.get(), k.get(), nullptr, nullptr, Ctx()) != 1) {
    return OpenSslError("point: fixed-base multiplication");
  }
  return r;
}

Result<Point> Point::Mul(const Scalar& k) const {
  Point r;
  Count(g_variable);
  if (EC_POINT_mul(G(), r.p_.get(), nullptr, p_.get(), k.get(), Ctx()) != 1) {
    return OpenSslError("point: variable-base multiplication");
  }
  return r;
}

Result<Point> Point::MulAdd(const Scalar& a, const Point& p, const Scalar& b) {
  Point r;
  Count(g_double);
  if (EC_POINT_mul(G(), r.p_.get(), a.get(), p.p_.get(), b.get(), Ctx()) != 1) {
    return OpenSslError("point: double multiplication");
  }
  return r;
}

Result<Point> Point::Add(const Point& o) const {
  Point r;
  Count(g_add);
  if (EC_POINT_add(G(), r.p_.get(), p_.get(), o.p_.get(), Ctx()) != 1) {
    return OpenSslError("point: add");
  }
  return r;
}

Result<Point> Point::Neg() const {
  Point r(OrDie(EC_POINT_dup(p_.get(), G())));  // not Clone(): the encoding changes
  if (EC_POINT_invert(G(), r.p_.get(), Ctx()) != 1) return OpenSslError("point: negate");
  return r;
}

Result<Point> Point::Sub(const Point& o) const {
  ASSIGN_OR_RETURN(Point neg, o.Neg());
  return Add(neg);
}

bool Point::IsIdentity() const { return EC_POINT_is_at_infinity(G(), p_.get()) == 1; }

bool Point::Equals(const Point& o) const {
  // EC_POINT_cmp: 0 equal, 1 different, -1 error (treated as different).
  return EC_POINT_cmp(G(), p_.get(), o.p_.get(), Ctx()) == 0;
}

// ---------------------------------------------------------------- FixedBase

// A copy of the P-256 group whose generator is the base, with
// EC_GROUP_precompute_mult's table. EC_POINT_mul on that group uses the table
// for the "generator" scalar exactly as it does for G (OpenSSL checks that
// the table belongs to the group's generator before using it). Points made
// in it are ordinary P-256 points (same method, same curve name), so they mix
// freely with points of the shared group.
struct FixedBase::State {
  ~State() { EC_GROUP_free(group); }
  EC_GROUP* group = nullptr;
  Point base;
};

Result<FixedBase> FixedBase::Create(const Point& base) {
  if (base.IsIdentity()) return InvalidArgument("fixed base: identity");
  auto state = std::make_shared<State>();
  // Decoded from its encoding: the base then keeps it, and the proof
  // transcripts that name the key (every range proof) do not re-encode it.
  ASSIGN_OR_RETURN(std::string encoded, base.Encode());
  ASSIGN_OR_RETURN(state->base, Point::Decode(encoded));
  state->group = EC_GROUP_dup(G());
  if (state->group == nullptr) return OpenSslError("fixed base: group copy");
  if (EC_GROUP_set_generator(state->group, base.get(), Order(), BN_value_one()) != 1) {
    return OpenSslError("fixed base: set generator");
  }
  // Deprecated in 3.0 with no replacement: OpenSSL 3 has no other way to give
  // a non-standard base the comb table (the low-level EC API stays until 4.0).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const int precomputed = EC_GROUP_precompute_mult(state->group, Ctx());
#pragma GCC diagnostic pop
  if (precomputed != 1) return OpenSslError("fixed base: precompute");
  return FixedBase(std::move(state));
}

const Point& FixedBase::base() const { return state_->base; }

Result<Point> FixedBase::Mul(const Scalar& k) const {
  Point r(OrDie(EC_POINT_new(state_->group)));
  Count(g_fixed);
  if (EC_POINT_mul(state_->group, r.p_.get(), k.get(), nullptr, nullptr, Ctx()) != 1) {
    return OpenSslError("fixed base: multiplication");
  }
  return r;
}

Result<Point> FixedBase::MulAdd(const Scalar& a, const Point& p, const Scalar& b) const {
  Point r(OrDie(EC_POINT_new(state_->group)));
  Count(g_double);
  if (EC_POINT_mul(state_->group, r.p_.get(), a.get(), p.get(), b.get(), Ctx()) != 1) {
    return OpenSslError("fixed base: double multiplication");
  }
  return r;
}

}  // namespace phieu::crypto
