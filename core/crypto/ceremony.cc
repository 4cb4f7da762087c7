#include "core/crypto/ceremony.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <algorithm>
#include <memory>

#include "core/crypto/kdf.h"
#include "core/crypto/openssl_error.h"
#include "core/crypto/proofs.h"
#include "core/crypto/secure.h"
#include "core/crypto/threshold.h"
#include "core/crypto/transcript.h"
#include "core/util/bytes.h"

namespace phieu::crypto {
namespace {

constexpr size_t kShareCiphertextSize = kScalarSize + 16;  // AES-GCM ciphertext || tag
constexpr uint32_t kMaxTellers = 64;

std::string Num(uint64_t v) { return std::to_string(v); }

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// info = Bytes(tag) || Bytes(context) || u32 sender || u32 recipient ||
//        R (33 bytes) || E_recipient (33 bytes). Also the AES-GCM AAD.
std::string ShareInfo(std::string_view context, uint32_t sender, uint32_t recipient,
                      std::string_view ephemeral, std::string_view recipient_key) {
  ByteWriter w;
  w.Bytes(kCeremonyShareTag).Bytes(context).U32(sender).U32(recipient);
  w.Raw(ephemeral).Raw(recipient_key);
  return w.Take();
}

// HKDF-SHA256 (RFC 5869), empty salt, ikm = the shared point (33 bytes):
// 44 bytes out = AES-256 key (32) || GCM nonce (12). The nonce may be derived
// because every (e, recipient) pair encrypts exactly one message.
Status DeriveShareKey(const Point& shared, std::string_view info, unsigned char out[44]) {
  ASSIGN_OR_RETURN(std::string ikm, shared.Encode());
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm.data(), ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()),
                                        info.size()),
      OSSL_PARAM_construct_end(),
  };
  Status derived = DeriveKdf("ceremony share", "HKDF", params, out, 44);
  SecureWipe(ikm);
  return derived;
}

// AES-256-GCM of a 32-byte share; returns ciphertext || tag.
Result<std::string> Seal(const unsigned char km[44], std::string_view aad, std::string_view plain) {
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  std::string out(plain.size() + 16, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  int len = 0, fin = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, km, km + 32) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), o, &len, reinterpret_cast<const unsigned char*>(plain.data()),
                        static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), o + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, o + plain.size()) != 1) {
    return OpenSslError("ceremony share: AES-256-GCM encrypt");
  }
  return out;
}

// Returns false when the tag does not verify.
bool Unseal(const unsigned char km[44], std::string_view aad, std::string_view sealed,
            std::string* plain) {
  if (sealed.size() < 16) return false;
  size_t n = sealed.size() - 16;
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  plain->assign(n, '\0');
  auto* p = reinterpret_cast<unsigned char*>(plain->data());
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  int len = 0, fin = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, km, km + 32) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                              reinterpret_cast<const unsigned char*>(aad.data()),
                              static_cast<int>(aad.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), p, &len, in, static_cast<int>(n)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16,
                                const_cast<unsigned char*>(in + n)) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), p + len, &fin) == 1;
  ClearOpenSslErrors();
  if (!ok) SecureWipe(*plain);
  return ok;
}

std::vector<std::vector<Point>> CloneAll(const std::map<uint32_t, std::vector<Point>>& commitments,
                                         const std::vector<uint32_t>& which) {
  std::vector<std::vector<Point>> out;
  for (uint32_t i : which) {
    std::vector<Point> row;
    for (const Point& p : commitments.at(i)) row.push_back(p.Clone());
    out.push_back(std::move(row));
  }
  return out;
}

v1::CeremonyComplaint Complaint(uint32_t attempt, uint32_t me, uint32_t against,
                                std::string reason) {
  v1::CeremonyComplaint c;
  c.set_attempt(attempt);
  c.set_index(me);
  c.set_against(against);
  c.set_reason(std::move(reason));
  return c;
}

}  // namespace

// ---------------------------------------------------------------- hashes

std::string CeremonyContext(std::string_view genesis_hash, const v1::CeremonyStart& start) {
  Transcript t(kCeremonyContextTag);
  t.AddBytes("genesis", genesis_hash)
      .AddU64("attempt", start.attempt())
      .AddU64("threshold", start.threshold())
      .AddU64("tellers", static_cast<uint64_t>(start.teller_ids_size()));
  for (const std::string& id : start.teller_ids()) t.AddBytes("teller", id);
  return t.Digest();
}

Result<std::string> CommitmentHash(std::string_view context, uint32_t index,
                                   const std::vector<Point>& commitments) {
  Transcript t(kCeremonyCommitmentTag);
  t.AddBytes("context", context).AddU64("index", index).AddU64("threshold", commitments.size());
  for (const Point& c : commitments) {
    if (c.IsIdentity()) return InvalidArgument("commitment hash: identity commitment");
    t.AddPoint("coefficient", c);
  }
  return t.Digest();
}

std::string CoefficientProofContext(std::string_view context, uint32_t index, uint32_t k) {
  return Transcript(kCeremonyCoefficientTag)
      .AddBytes("context", context)
      .AddU64("index", index)
      .AddU64("k", k)
      .Digest();
}

Result<v1::EncryptedShare> EncryptShare(std::string_view context, uint32_t sender,
                                        uint32_t recipient, const Point& recipient_key,
                                        const Scalar& e, const Scalar& share) {
  ASSIGN_OR_RETURN(Point r, Point::MulGen(e));
  ASSIGN_OR_RETURN(Point shared, recipient_key.Mul(e));
  ASSIGN_OR_RETURN(std::string r_enc, r.Encode());
  ASSIGN_OR_RETURN(std::string e_enc, recipient_key.Encode());
  std::string info = ShareInfo(context, sender, recipient, r_enc, e_enc);
  unsigned char km[44];
  RETURN_IF_ERROR(DeriveShareKey(shared, info, km));
  std::string plain = share.Encode();
  auto sealed = Seal(km, info, plain);
  SecureWipe(km, sizeof(km));
  SecureWipe(plain);
  if (!sealed.ok()) return sealed.status();
  v1::EncryptedShare out;
  out.set_recipient(recipient);
  out.set_ephemeral(r_enc);
  out.set_ciphertext(*sealed);
  return out;
}

// ---------------------------------------------------------------- CeremonyRecord

Result<CeremonyRecord> CeremonyRecord::Begin(std::string_view genesis_hash,
                                             const v1::CeremonyStart& start, bool demo_mode) {
  const uint32_t n = static_cast<uint32_t>(start.teller_ids_size());
  if (start.attempt() == 0) return InvalidArgument("ceremony start: attempt must be 1 or more");
  if (n == 0) return InvalidArgument("ceremony start: no tellers");
  if (n > kMaxTellers) return InvalidArgument("ceremony start: more than 64 tellers");
  std::set<std::string> ids;
  for (const std::string& id : start.teller_ids()) {
    if (id.empty()) return InvalidArgument("ceremony start: empty teller id");
    if (!ids.insert(id).second) {
      return InvalidArgument("ceremony start: teller " + id + " listed twice");
    }
  }
  if (start.threshold() == 0 || start.threshold() > n) {
    return InvalidArgument("ceremony start: threshold must be between 1 and the number of tellers");
  }
  if (start.threshold() < 2 && !demo_mode) {
    return InvalidArgument(
        "ceremony start: threshold 1 lets one teller read every vote; only the demo mode allows "
        "it");
  }
  CeremonyRecord r;
  r.context_ = CeremonyContext(genesis_hash, start);
  r.attempt_ = start.attempt();
  r.n_ = n;
  r.t_ = start.threshold();
  return r;
}

std::vector<uint32_t> CeremonyRecord::Qualified() const {
  std::vector<uint32_t> q;
  for (uint32_t i = 1; i <= n_; ++i) {
    if (!excluded_.count(i)) q.push_back(i);
  }
  return q;
}

bool CeremonyRecord::SharesComplete() const {
  for (uint32_t i : Qualified()) {
    if (!shares_.count(i)) return false;
  }
  return true;
}

std::set<std::pair<uint32_t, uint32_t>> CeremonyRecord::OpenComplaints() const {
  std::set<std::pair<uint32_t, uint32_t>> open;
  for (const auto& [key, reason] : complaints_) {
    if (!answered_.count(key)) open.insert(key);
  }
  return open;
}

CeremonyRecord::Phase CeremonyRecord::phase() const {
  if (commits_.size() < n_) return Phase::kCommit;
  if (reveals_.size() < n_) return Phase::kReveal;
  std::vector<uint32_t> q = Qualified();
  if (q.size() < t_) return Phase::kFailed;
  if (!SharesComplete()) return Phase::kShares;
  if (!OpenComplaints().empty()) return Phase::kSettle;
  for (uint32_t i : q) {
    if (!tests_.count(i)) return Phase::kSettle;
  }
  return Phase::kDone;
}

std::map<uint32_t, std::string> CeremonyRecord::Waiting() const {
  std::map<uint32_t, std::string> w;
  switch (phase()) {
    case Phase::kCommit:
      for (uint32_t i = 1; i <= n_; ++i) {
        if (!commits_.count(i)) w[i] = "commit";
      }
      break;
    case Phase::kReveal:
      for (uint32_t i = 1; i <= n_; ++i) {
        if (!reveals_.count(i)) w[i] = "reveal";
      }
      break;
    case Phase::kShares:
      for (uint32_t i : Qualified()) {
        if (!shares_.count(i)) w[i] = "encrypted shares";
      }
      break;
    case Phase::kSettle:
      for (const auto& [c, accused] : OpenComplaints()) {
        w[accused] = "answer to the complaint of teller " + Num(c);
      }
      for (uint32_t i : Qualified()) {
        if (!tests_.count(i) && !w.count(i)) w[i] = "test decryption";
      }
      break;
    case Phase::kDone:
    case Phase::kFailed:
      break;
  }
  return w;
}

const v1::CeremonyCommit* CeremonyRecord::commit(uint32_t i) const {
  auto it = commits_.find(i);
  return it == commits_.end() ? nullptr : &it->second;
}
const v1::CeremonyReveal* CeremonyRecord::reveal(uint32_t i) const {
  auto it = reveals_.find(i);
  return it == reveals_.end() ? nullptr : &it->second;
}
const v1::CeremonyShares* CeremonyRecord::shares(uint32_t i) const {
  auto it = shares_.find(i);
  return it == shares_.end() ? nullptr : &it->second;
}
const v1::CeremonyTestDecryption* CeremonyRecord::test_decryption(uint32_t i) const {
  auto it = tests_.find(i);
  return it == tests_.end() ? nullptr : &it->second;
}
const Point* CeremonyRecord::encryption_key(uint32_t i) const {
  auto it = encryption_keys_.find(i);
  return it == encryption_keys_.end() ? nullptr : &it->second;
}
const std::vector<Point>* CeremonyRecord::commitments(uint32_t i) const {
  auto it = commitments_.find(i);
  return it == commitments_.end() ? nullptr : &it->second;
}
const v1::EncryptedShare* CeremonyRecord::share_for(uint32_t sender, uint32_t recipient) const {
  const v1::CeremonyShares* s = shares(sender);
  if (s == nullptr) return nullptr;
  for (const auto& es : s->shares()) {
    if (es.recipient() == recipient) return &es;
  }
  return nullptr;
}

Status CeremonyRecord::CheckAttempt(uint32_t attempt, uint32_t index, uint32_t author) const {
  if (attempt != attempt_) {
    return FailedPrecondition("ceremony: message for attempt " + Num(attempt) +
                              ", the ceremony in progress is attempt " + Num(attempt_));
  }
  if (index == 0 || index > n_) return InvalidArgument("ceremony: teller index out of range");
  if (index != author) {
    return PermissionDenied("ceremony: teller " + Num(author) + " signed a message of teller " +
                            Num(index));
  }
  if (phase() == Phase::kDone) return FailedPrecondition("ceremony: already done");
  if (phase() == Phase::kFailed) {
    return FailedPrecondition("ceremony: failed (fewer than t tellers left); start a new attempt");
  }
  return Status::Ok();
}

Status CeremonyRecord::CheckCommit(uint32_t a, const v1::CeremonyCommit& m) const {
  if (commits_.count(a)) return AlreadyExists("ceremony commit: teller " + Num(a) + " committed");
  if (m.commitment_hash().size() != 32) {
    return InvalidArgument("ceremony commit: commitment hash is not 32 bytes");
  }
  auto e = Point::Decode(m.encryption_key());
  if (!e.ok()) return e.status().Annotate("ceremony commit: encryption key");
  return Status::Ok();
}

Status CeremonyRecord::CheckReveal(uint32_t a, const v1::CeremonyReveal& m,
                                   std::vector<Point>* out) const {
  if (commits_.size() < n_) {
    return FailedPrecondition("ceremony reveal: before every teller committed");
  }
  if (reveals_.count(a)) return AlreadyExists("ceremony reveal: teller " + Num(a) + " revealed");
  if (m.coefficient_commitments_size() != static_cast<int>(t_) ||
      m.coefficient_proofs_size() != static_cast<int>(t_)) {
    return InvalidArgument("ceremony reveal: teller " + Num(a) + " must reveal " + Num(t_) +
                           " commitments with " + Num(t_) + " proofs");
  }
  std::vector<Point> points;
  for (uint32_t k = 0; k < t_; ++k) {
    auto p = Point::Decode(m.coefficient_commitments(static_cast<int>(k)));
    if (!p.ok()) return p.status().Annotate("ceremony reveal: commitment " + Num(k));
    points.push_back(std::move(p).value());
  }
  ASSIGN_OR_RETURN(std::string h, CommitmentHash(context_, a, points));
  if (!ConstantTimeEquals(h, commits_.at(a).commitment_hash())) {
    return VerificationFailed("ceremony reveal: teller " + Num(a) +
                              "'s commitments do not match its commit hash");
  }
  for (uint32_t k = 0; k < t_; ++k) {
    Status s = VerifySchnorr(CoefficientProofContext(context_, a, k), points[k],
                             m.coefficient_proofs(static_cast<int>(k)));
    if (!s.ok()) {
      return Status(StatusCode::kVerificationFailed, s.message())
          .Annotate("ceremony reveal: teller " + Num(a) + " coefficient " + Num(k));
    }
  }
  *out = std::move(points);
  return Status::Ok();
}

Status CeremonyRecord::CheckShares(uint32_t a, const v1::CeremonyShares& m) const {
  if (reveals_.size() < n_) {
    return FailedPrecondition("ceremony shares: before every teller revealed");
  }
  if (shares_.count(a)) return AlreadyExists("ceremony shares: teller " + Num(a) + " sent shares");
  if (excluded_.count(a))
    return FailedPrecondition("ceremony shares: teller " + Num(a) + " is excluded");
  if (m.shares_size() != static_cast<int>(n_ - 1)) {
    return InvalidArgument("ceremony shares: want one share for each of the " + Num(n_ - 1) +
                           " other tellers");
  }
  std::set<uint32_t> seen;
  for (const auto& es : m.shares()) {
    uint32_t j = es.recipient();
    if (j == 0 || j > n_ || j == a || !seen.insert(j).second) {
      return InvalidArgument("ceremony shares: bad or repeated recipient " + Num(j));
    }
    auto r = Point::Decode(es.ephemeral());
    if (!r.ok()) return r.status().Annotate("ceremony shares: ephemeral key for " + Num(j));
    if (es.ciphertext().size() != kShareCiphertextSize) {
      return InvalidArgument("ceremony shares: ciphertext for " + Num(j) + " is not 48 bytes");
    }
  }
  return Status::Ok();
}

Status CeremonyRecord::CheckComplaint(uint32_t a, const v1::CeremonyComplaint& m) const {
  uint32_t accused = m.against();
  if (accused == 0 || accused > n_ || accused == a) {
    return InvalidArgument("ceremony complaint: bad accused index");
  }
  if (excluded_.count(a)) return FailedPrecondition("ceremony complaint: complainer is excluded");
  if (excluded_.count(accused)) {
    return FailedPrecondition("ceremony complaint: teller " + Num(accused) +
                              " is already excluded");
  }
  if (share_for(accused, a) == nullptr) {
    return FailedPrecondition("ceremony complaint: teller " + Num(accused) +
                              " has not sent its shares yet");
  }
  if (complaints_.count({a, accused})) {
    return AlreadyExists("ceremony complaint: " + Num(a) + " already complained against " +
                         Num(accused));
  }
  if (tests_.count(a)) {
    return FailedPrecondition("ceremony complaint: teller " + Num(a) +
                              " already accepted its shares (posted its test decryption)");
  }
  return Status::Ok();
}

Status CeremonyRecord::CheckAnswer(uint32_t a, const v1::CeremonyComplaintAnswer& m,
                                   uint32_t* excluded, std::string* reason) const {
  uint32_t recipient = m.recipient();
  if (!complaints_.count({recipient, a})) {
    return FailedPrecondition("ceremony answer: no complaint of teller " + Num(recipient) +
                              " against teller " + Num(a));
  }
  if (answered_.count({recipient, a})) {
    return AlreadyExists("ceremony answer: complaint " + Num(recipient) + "→" + Num(a) +
                         " already answered");
  }
  auto share = Scalar::Decode(m.share());
  if (!share.ok()) return share.status().Annotate("ceremony answer: share");
  auto e = Scalar::Decode(m.ephemeral_secret());
  if (!e.ok()) return e.status().Annotate("ceremony answer: ephemeral secret");
  // ElectionGuard 2.0's rule: the published share and e must reproduce the
  // encrypted share on the board and match the sender's commitments. If they
  // do, the complaint was false and the complainer goes; otherwise the sender.
  const v1::EncryptedShare* posted = share_for(a, recipient);
  ASSIGN_OR_RETURN(
      v1::EncryptedShare again,
      EncryptShare(context_, a, recipient, encryption_keys_.at(recipient), *e, *share));
  bool encryption_matches = posted != nullptr && again.ephemeral() == posted->ephemeral() &&
                            again.ciphertext() == posted->ciphertext();
  std::vector<std::vector<Point>> ca = CloneAll(commitments_, {a});
  ASSIGN_OR_RETURN(Point expected, crypto::PublicShare(recipient, ca));
  ASSIGN_OR_RETURN(Point got, Point::MulGen(*share));
  bool share_matches = got.Equals(expected);
  if (encryption_matches && share_matches) {
    *excluded = recipient;
    *reason = "false complaint against teller " + Num(a) + ": the published share checks out";
  } else {
    *excluded = a;
    *reason = std::string("bad share for teller ") + Num(recipient) + ": " +
              (encryption_matches ? "does not match its commitments"
                                  : "the answer does not reproduce the encrypted share");
  }
  return Status::Ok();
}

Status CeremonyRecord::CheckTestDecryption(uint32_t a, const v1::CeremonyTestDecryption& m) const {
  if (!SharesComplete()) return FailedPrecondition("ceremony test decryption: shares incomplete");
  if (!OpenComplaints().empty()) {
    auto [c, accused] = *OpenComplaints().begin();
    return FailedPrecondition("ceremony test decryption: while complaint " + Num(c) + "→" +
                              Num(accused) + " is unanswered");
  }
  if (excluded_.count(a)) {
    return FailedPrecondition("ceremony test decryption: teller " + Num(a) + " is excluded");
  }
  if (tests_.count(a)) {
    return AlreadyExists("ceremony test decryption: teller " + Num(a) + " already decrypted");
  }
  ASSIGN_OR_RETURN(std::string th, TranscriptHash());
  if (m.transcript_hash() != th) {
    return FailedPrecondition(
        "ceremony test decryption: made for another transcript (the "
        "qualified tellers changed); decrypt again");
  }
  ASSIGN_OR_RETURN(Point ka, PublicShare(a));
  ASSIGN_OR_RETURN(Ciphertext ct, TestCiphertext());
  ASSIGN_OR_RETURN(std::string ctx, TestDecryptionContext(a));
  Status s = VerifyPartial(ctx, ka, ct, m.partial());
  if (!s.ok()) {
    return Status(StatusCode::kVerificationFailed, s.message())
        .Annotate("ceremony test decryption of teller " + Num(a));
  }
  return Status::Ok();
}

Status CeremonyRecord::Add(uint32_t author, const v1::EntryBody& body) {
  switch (body.payload_case()) {
    case v1::EntryBody::kCeremonyCommit: {
      const auto& m = body.ceremony_commit();
      RETURN_IF_ERROR(CheckAttempt(m.attempt(), m.index(), author));
      RETURN_IF_ERROR(CheckCommit(author, m));
      commits_[author] = m;
      encryption_keys_[author] = Point::Decode(m.encryption_key()).value();
      return Status::Ok();
    }
    case v1::EntryBody::kCeremonyReveal: {
      const auto& m = body.ceremony_reveal();
      RETURN_IF_ERROR(CheckAttempt(m.attempt(), m.index(), author));
      std::vector<Point> points;
      RETURN_IF_ERROR(CheckReveal(author, m, &points));
      reveals_[author] = m;
      commitments_[author] = std::move(points);
      return Status::Ok();
    }
    case v1::EntryBody::kCeremonyShares: {
      const auto& m = body.ceremony_shares();
      RETURN_IF_ERROR(CheckAttempt(m.attempt(), m.index(), author));
      RETURN_IF_ERROR(CheckShares(author, m));
      shares_[author] = m;
      return Status::Ok();
    }
    case v1::EntryBody::kCeremonyComplaint: {
      const auto& m = body.ceremony_complaint();
      RETURN_IF_ERROR(CheckAttempt(m.attempt(), m.index(), author));
      RETURN_IF_ERROR(CheckComplaint(author, m));
      complaints_[{author, m.against()}] = m.reason();
      return Status::Ok();
    }
    case v1::EntryBody::kCeremonyComplaintAnswer: {
      const auto& m = body.ceremony_complaint_answer();
      RETURN_IF_ERROR(CheckAttempt(m.attempt(), m.index(), author));
      uint32_t who = 0;
      std::string reason;
      RETURN_IF_ERROR(CheckAnswer(author, m, &who, &reason));
      answered_.insert({m.recipient(), author});
      excluded_.emplace(who, reason);
      tests_.clear();  // the qualified set changed: every test decryption is stale
      return Status::Ok();
    }
    case v1::EntryBody::kCeremonyTestDecryption: {
      const auto& m = body.ceremony_test_decryption();
      RETURN_IF_ERROR(CheckAttempt(m.attempt(), m.index(), author));
      RETURN_IF_ERROR(CheckTestDecryption(author, m));
      tests_[author] = m;
      return Status::Ok();
    }
    default:
      return InvalidArgument("ceremony: not a teller's ceremony message");
  }
}

Result<Point> CeremonyRecord::JointKey() const {
  Phase p = phase();
  if (p != Phase::kSettle && p != Phase::kDone) {
    return FailedPrecondition("ceremony: the joint key is not fixed yet");
  }
  return crypto::JointKey(CloneAll(commitments_, Qualified()));
}

Result<std::string> CeremonyRecord::TranscriptHash() const {
  ASSIGN_OR_RETURN(Point k, JointKey());
  Transcript t(kCeremonyTranscriptTag);
  t.AddBytes("context", context_).AddU64("threshold", t_);
  for (uint32_t i : Qualified()) {
    t.AddU64("index", i)
        .AddBytes("commitment-hash", commits_.at(i).commitment_hash())
        .AddPoint("encryption-key", encryption_keys_.at(i));
    for (const Point& c : commitments_.at(i)) t.AddPoint("coefficient", c);
  }
  t.AddPoint("joint-key", k);
  return t.Digest();
}

Result<Ciphertext> CeremonyRecord::TestCiphertext() const {
  ASSIGN_OR_RETURN(std::string th, TranscriptHash());
  ASSIGN_OR_RETURN(Point k, JointKey());
  Scalar r = Scalar::FromDigest(Transcript(kCeremonyTestTag).AddBytes("transcript", th).Digest());
  ASSIGN_OR_RETURN(Point pad, Point::MulGen(r));
  ASSIGN_OR_RETURN(Point data, Point::MulAdd(Scalar::FromUint64(1), k, r));  // G + r·K
  return Ciphertext{std::move(pad), std::move(data)};
}

Result<Point> CeremonyRecord::PublicShare(uint32_t j) const {
  if (j == 0 || j > n_) return InvalidArgument("ceremony public share: index out of range");
  Phase p = phase();
  if (p != Phase::kSettle && p != Phase::kDone) {
    return FailedPrecondition("ceremony: public shares are not fixed yet");
  }
  return crypto::PublicShare(j, CloneAll(commitments_, Qualified()));
}

Result<std::string> CeremonyRecord::TestDecryptionContext(uint32_t j) const {
  ASSIGN_OR_RETURN(std::string th, TranscriptHash());
  return Transcript(kCeremonyTestDecryptionTag)
      .AddBytes("transcript", th)
      .AddU64("index", j)
      .Digest();
}

Result<v1::CeremonyDone> CeremonyRecord::Done() const {
  if (phase() != Phase::kDone) {
    std::string waiting;
    for (const auto& [i, what] : Waiting()) {
      waiting += (waiting.empty() ? "" : ", ") + ("teller " + Num(i) + ": " + what);
    }
    if (phase() == Phase::kFailed) waiting = "fewer than t tellers are left; start a new attempt";
    return FailedPrecondition("ceremony not done: " + waiting);
  }
  std::vector<uint32_t> q = Qualified();
  ASSIGN_OR_RETURN(Point k, JointKey());
  ASSIGN_OR_RETURN(std::string th, TranscriptHash());
  // Belt and braces: any t of the verified partials must open the test
  // ciphertext to 1·G.
  std::vector<uint32_t> first(q.begin(), q.begin() + t_);
  std::vector<Point> partials;
  for (uint32_t i : first) {
    ASSIGN_OR_RETURN(Point m, Point::Decode(tests_.at(i).partial().share()));
    partials.push_back(std::move(m));
  }
  ASSIGN_OR_RETURN(Ciphertext ct, TestCiphertext());
  ASSIGN_OR_RETURN(Point combined, CombinePartials(first, partials));
  ASSIGN_OR_RETURN(Point m, DecryptToPoint(ct, combined));
  if (!m.Equals(Point::Generator())) {
    return VerificationFailed("ceremony: the test ciphertext does not decrypt to 1");
  }
  v1::CeremonyDone done;
  done.set_attempt(attempt_);
  ASSIGN_OR_RETURN(*done.mutable_joint_key(), k.Encode());
  for (uint32_t i : q) done.add_qualified(i);
  done.set_transcript_hash(th);
  return done;
}

Status CeremonyRecord::VerifyDone(const v1::CeremonyDone& done) const {
  ASSIGN_OR_RETURN(v1::CeremonyDone want, Done());
  if (done.attempt() != want.attempt()) return VerificationFailed("ceremony done: wrong attempt");
  if (done.joint_key() != want.joint_key()) {
    return VerificationFailed("ceremony done: joint key is not Σ C_{i,0} over the qualified");
  }
  if (std::vector<uint32_t>(done.qualified().begin(), done.qualified().end()) !=
      std::vector<uint32_t>(want.qualified().begin(), want.qualified().end())) {
    return VerificationFailed("ceremony done: wrong qualified tellers");
  }
  if (done.transcript_hash() != want.transcript_hash()) {
    return VerificationFailed("ceremony done: wrong transcript hash");
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- CeremonyTeller

Result<CeremonyTeller> CeremonyTeller::Create(const CeremonyRecord& record, uint32_t index,
                                              ScalarSource* rng) {
  if (index == 0 || index > record.n())
    return InvalidArgument("ceremony teller: index out of range");
  rng = OrSystem(rng);
  CeremonyTeller t;
  t.context_ = record.context();
  t.attempt_ = record.attempt();
  t.index_ = index;
  t.n_ = record.n();
  for (uint32_t k = 0; k < record.threshold(); ++k) {
    ASSIGN_OR_RETURN(Scalar a, rng->Next());
    ASSIGN_OR_RETURN(Point c, Point::MulGen(a));
    t.coefficients_.push_back(std::move(a));
    t.commitments_.push_back(std::move(c));
  }
  ASSIGN_OR_RETURN(t.decryption_key_, rng->Next());
  ASSIGN_OR_RETURN(t.encryption_key_, Point::MulGen(t.decryption_key_));
  ASSIGN_OR_RETURN(Scalar own, EvaluatePolynomial(t.coefficients_, index));
  t.received_.emplace(index, std::move(own));
  return t;
}

Result<v1::CeremonyCommit> CeremonyTeller::Commit() const {
  v1::CeremonyCommit c;
  c.set_attempt(attempt_);
  c.set_index(index_);
  ASSIGN_OR_RETURN(*c.mutable_commitment_hash(), CommitmentHash(context_, index_, commitments_));
  ASSIGN_OR_RETURN(*c.mutable_encryption_key(), encryption_key_.Encode());
  return c;
}

Result<v1::CeremonyReveal> CeremonyTeller::Reveal(ScalarSource* rng) const {
  v1::CeremonyReveal r;
  r.set_attempt(attempt_);
  r.set_index(index_);
  for (uint32_t k = 0; k < commitments_.size(); ++k) {
    ASSIGN_OR_RETURN(*r.add_coefficient_commitments(), commitments_[k].Encode());
    ASSIGN_OR_RETURN(*r.add_coefficient_proofs(),
                     ProveSchnorr(CoefficientProofContext(context_, index_, k), coefficients_[k],
                                  commitments_[k], rng));
  }
  return r;
}

Result<v1::CeremonyShares> CeremonyTeller::Shares(const CeremonyRecord& record, ScalarSource* rng) {
  rng = OrSystem(rng);
  v1::CeremonyShares out;
  out.set_attempt(attempt_);
  out.set_index(index_);
  for (uint32_t j = 1; j <= n_; ++j) {
    if (j == index_) continue;
    const Point* ej = record.encryption_key(j);
    if (ej == nullptr) {
      return FailedPrecondition("ceremony shares: teller " + Num(j) + " has not committed");
    }
    ASSIGN_OR_RETURN(Scalar e, rng->Next());
    ASSIGN_OR_RETURN(Scalar f, EvaluatePolynomial(coefficients_, j));
    ASSIGN_OR_RETURN(*out.add_shares(), EncryptShare(context_, index_, j, *ej, e, f));
    ephemerals_[j] = std::move(e);
  }
  return out;
}

Result<std::optional<v1::CeremonyComplaint>> CeremonyTeller::ReceiveShare(
    const CeremonyRecord& record, uint32_t sender) {
  const v1::EncryptedShare* es = record.share_for(sender, index_);
  const std::vector<Point>* cs = record.commitments(sender);
  if (es == nullptr || cs == nullptr) {
    return FailedPrecondition("ceremony: no share from teller " + Num(sender) + " yet");
  }
  auto r = Point::Decode(es->ephemeral());
  if (!r.ok())
    return std::make_optional(
        Complaint(attempt_, index_, sender, "ephemeral key is not a valid point"));
  ASSIGN_OR_RETURN(Point shared, r->Mul(decryption_key_));
  ASSIGN_OR_RETURN(std::string my_key, encryption_key_.Encode());
  std::string info = ShareInfo(context_, sender, index_, es->ephemeral(), my_key);
  unsigned char km[44];
  RETURN_IF_ERROR(DeriveShareKey(shared, info, km));
  std::string plain;
  bool opened = Unseal(km, info, es->ciphertext(), &plain);
  SecureWipe(km, sizeof(km));
  if (!opened)
    return std::make_optional(Complaint(attempt_, index_, sender, "share does not decrypt"));
  auto f = Scalar::Decode(plain);
  SecureWipe(plain);
  if (!f.ok())
    return std::make_optional(Complaint(attempt_, index_, sender, "share is not a scalar"));
  std::vector<std::vector<Point>> c1;
  c1.emplace_back();
  for (const Point& p : *cs) c1.back().push_back(p.Clone());
  ASSIGN_OR_RETURN(Point expected, crypto::PublicShare(index_, c1));
  ASSIGN_OR_RETURN(Point got, Point::MulGen(*f));
  if (!got.Equals(expected)) {
    return std::make_optional(
        Complaint(attempt_, index_, sender, "share does not match the sender's commitments"));
  }
  received_[sender] = std::move(f).value();
  return std::optional<v1::CeremonyComplaint>();
}

Result<v1::CeremonyComplaintAnswer> CeremonyTeller::AnswerComplaint(
    const v1::CeremonyComplaint& c) const {
  if (c.against() != index_ || c.attempt() != attempt_) {
    return InvalidArgument("ceremony answer: the complaint is not against this teller");
  }
  auto it = ephemerals_.find(c.index());
  if (it == ephemerals_.end()) {
    return FailedPrecondition("ceremony answer: no share was sent to teller " + Num(c.index()));
  }
  ASSIGN_OR_RETURN(Scalar f, EvaluatePolynomial(coefficients_, c.index()));
  v1::CeremonyComplaintAnswer a;
  a.set_attempt(attempt_);
  a.set_index(index_);
  a.set_recipient(c.index());
  a.set_share(f.Encode());
  a.set_ephemeral_secret(it->second.Encode());
  return a;
}

Result<Scalar> CeremonyTeller::FinalShare(const CeremonyRecord& record) const {
  std::vector<uint32_t> q = record.Qualified();
  if (std::find(q.begin(), q.end(), index_) == q.end()) {
    return FailedPrecondition("ceremony: this teller (" + Num(index_) + ") is excluded");
  }
  Scalar s;
  for (uint32_t i : q) {
    auto it = received_.find(i);
    if (it == received_.end()) {
      return FailedPrecondition("ceremony: no good share from teller " + Num(i) + " yet");
    }
    ASSIGN_OR_RETURN(s, s.Add(it->second));
  }
  return s;
}

Result<v1::CeremonyTestDecryption> CeremonyTeller::TestDecryption(const CeremonyRecord& record,
                                                                  ScalarSource* rng) const {
  ASSIGN_OR_RETURN(Scalar s, FinalShare(record));
  ASSIGN_OR_RETURN(Point ki, record.PublicShare(index_));
  ASSIGN_OR_RETURN(Ciphertext ct, record.TestCiphertext());
  ASSIGN_OR_RETURN(std::string ctx, record.TestDecryptionContext(index_));
  ASSIGN_OR_RETURN(std::string th, record.TranscriptHash());
  v1::CeremonyTestDecryption out;
  out.set_attempt(attempt_);
  out.set_index(index_);
  ASSIGN_OR_RETURN(*out.mutable_partial(), PartialDecrypt(ctx, s, ki, ct, rng));
  out.set_transcript_hash(th);
  return out;
}

}  // namespace phieu::crypto
