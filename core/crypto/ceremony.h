// The tellers' key ceremony: t-of-n distributed key generation with Feldman
// commitments (Pedersen's DKG with the complaint rule of ElectionGuard 2.0
// §3.2, "Key generation"; Gennaro–Jarecki–Krawczyk–Rabin 1999 for the
// commit-before-reveal step). docs/crypto.md "Tellers' key ceremony" is the
// normative description; in short, for attempt a with tellers 1..n:
//
//   context   = SHA-256 transcript of (genesis entry hash, attempt, t, ids)
//   commit    teller i: H_i = hash of (C_{i,0..t-1}), and E_i = d_i·G, a fresh
//             ECDH key for receiving shares;
//   reveal    (only once all n have committed) C_{i,k} = a_{i,k}·G, each with
//             a Schnorr proof bound to (context, i, k);
//   shares    f_i(j) for every other j, ECIES-encrypted to E_j: R = e·G,
//             HKDF-SHA256(e·E_j, info = context, i, j, R, E_j) -> AES-256-GCM
//             key and nonce, AAD = info;
//   complaint j, when f_i(j) does not decrypt or f_i(j)·G ≠ Σ_k j^k·C_{i,k};
//   answer    i publishes f_i(j) and e; anyone re-encrypts and checks it
//             against the commitments: if both hold the complainer is
//             excluded, otherwise the sender is;
//   qualified Q = every teller not excluded (|Q| ≥ t), joint key
//             K = Σ_{i∈Q} C_{i,0}, share s_j = Σ_{i∈Q} f_i(j),
//             transcript hash over Q's commitments and K;
//   test      every j in Q decrypts the ceremony's test ciphertext
//             (pad = r·G, data = r·K + G, r from the transcript hash) with a
//             proof of correct decryption; a forgotten passphrase or a wrong
//             share shows here, before any ballot.
//
// CeremonyRecord is the public side: anyone (server, tellers, verifier)
// feeds it the ceremony entries of one attempt in chain order; it refuses an
// entry that breaks the rules and says who is excluded and why.
// CeremonyTeller is a teller's secret side (its polynomial, ECDH key,
// ephemeral scalars and received shares, all wiped on destruction).
//
// Thread-safety: neither class is thread-safe; const methods of a
// CeremonyRecord may run concurrently when nothing mutates it.
// Errors: InvalidArgument for malformed input (bad point, wrong count,
// index out of range); VerificationFailed naming the check (commitment hash,
// Schnorr proof of coefficient k, share check, test decryption);
// FailedPrecondition for an entry out of phase ("reveal before every teller
// committed", "test decryption while complaint 3→1 is unanswered");
// AlreadyExists for a second message of a kind from the same teller.
#ifndef PHIEU_CORE_CRYPTO_CEREMONY_H_
#define PHIEU_CORE_CRYPTO_CEREMONY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/elgamal.h"
#include "core/crypto/group.h"
#include "core/crypto/scalar_source.h"
#include "phieu/v1/record.pb.h"

namespace phieu::crypto {

inline constexpr std::string_view kCeremonyContextTag = "phieu.v1.ceremony-context";
inline constexpr std::string_view kCeremonyCommitmentTag = "phieu.v1.ceremony-commitment";
inline constexpr std::string_view kCeremonyCoefficientTag = "phieu.v1.ceremony-coefficient";
inline constexpr std::string_view kCeremonyShareTag = "phieu.v1.ceremony-share";
inline constexpr std::string_view kCeremonyTranscriptTag = "phieu.v1.ceremony-transcript";
inline constexpr std::string_view kCeremonyTestTag = "phieu.v1.ceremony-test";
inline constexpr std::string_view kCeremonyTestDecryptionTag = "phieu.v1.ceremony-test-decryption";

// The 32-byte context of one attempt: binds the meeting (its genesis entry
// hash), the attempt number, the threshold and the teller ids in order.
std::string CeremonyContext(std::string_view genesis_hash, const v1::CeremonyStart& start);

// H_i = SHA-256 transcript of (context, i, t, C_{i,0..t-1}).
Result<std::string> CommitmentHash(std::string_view context, uint32_t index,
                                   const std::vector<Point>& commitments);

// The context bytes of the Schnorr proof of coefficient k of teller i.
std::string CoefficientProofContext(std::string_view context, uint32_t index, uint32_t k);

// The ECIES encryption of a share (deterministic given e): used by the
// sender, and by anyone checking a complaint answer. `share` is 32 bytes.
Result<v1::EncryptedShare> EncryptShare(std::string_view context, uint32_t sender,
                                        uint32_t recipient, const Point& recipient_key,
                                        const Scalar& e, const Scalar& share);

class CeremonyRecord {
 public:
  enum class Phase {
    kCommit,  // waiting for commits
    kReveal,  // every teller committed; waiting for reveals
    kShares,  // every teller revealed; waiting for encrypted shares
    kSettle,  // shares in; complaints are answered and tellers test-decrypt
    kDone,    // every qualified teller's test decryption verified
    kFailed,  // fewer than t tellers left: the chair starts a new attempt
  };

  // `demo_mode` (TellerSettings.demo_single_teller) alone allows t < 2.
  static Result<CeremonyRecord> Begin(std::string_view genesis_hash, const v1::CeremonyStart& start,
                                      bool demo_mode);

  // Checks one ceremony entry of this attempt, signed by teller
  // `author_index` (the caller has verified the signature and the role), and
  // records it. On error nothing changes: the entry must be refused.
  Status Add(uint32_t author_index, const v1::EntryBody& body);

  const std::string& context() const { return context_; }
  uint32_t attempt() const { return attempt_; }
  uint32_t n() const { return n_; }
  uint32_t threshold() const { return t_; }
  Phase phase() const;
  // The tellers the current phase is waiting for (with a reason each).
  std::map<uint32_t, std::string> Waiting() const;
  // Excluded tellers and why ("false complaint against 2", "bad share for 3").
  const std::map<uint32_t, std::string>& excluded() const { return excluded_; }
  // Open complaints: (complainer, accused) with no answer yet.
  std::set<std::pair<uint32_t, uint32_t>> OpenComplaints() const;
  // Every teller not excluded (from the reveal phase on).
  std::vector<uint32_t> Qualified() const;

  const v1::CeremonyCommit* commit(uint32_t i) const;
  const v1::CeremonyReveal* reveal(uint32_t i) const;
  const v1::CeremonyShares* shares(uint32_t i) const;
  // Teller i's test decryption if it is valid for the current qualified set
  // (an exclusion voids every earlier one: the teller then posts a new one).
  const v1::CeremonyTestDecryption* test_decryption(uint32_t i) const;
  // E_i, C_{i,k}: decoded when accepted.
  const Point* encryption_key(uint32_t i) const;
  const std::vector<Point>* commitments(uint32_t i) const;
  // The encrypted share sender → recipient, or nullptr.
  const v1::EncryptedShare* share_for(uint32_t sender, uint32_t recipient) const;

  // Available from kSettle on (FailedPrecondition before).
  Result<Point> JointKey() const;
  Result<std::string> TranscriptHash() const;
  Result<Ciphertext> TestCiphertext() const;
  // K_j = Σ_{i∈Q} Σ_k j^k·C_{i,k}.
  Result<Point> PublicShare(uint32_t j) const;
  // The context bytes of teller j's test-decryption proof.
  Result<std::string> TestDecryptionContext(uint32_t j) const;

  // The CeremonyDone entry once phase() is kDone; FailedPrecondition naming
  // what is awaited otherwise.
  Result<v1::CeremonyDone> Done() const;
  // OK iff `done` is exactly what Done() gives.
  Status VerifyDone(const v1::CeremonyDone& done) const;

 private:
  CeremonyRecord() = default;
  Status CheckCommit(uint32_t a, const v1::CeremonyCommit& m) const;
  Status CheckReveal(uint32_t a, const v1::CeremonyReveal& m, std::vector<Point>* out) const;
  Status CheckShares(uint32_t a, const v1::CeremonyShares& m) const;
  Status CheckComplaint(uint32_t a, const v1::CeremonyComplaint& m) const;
  Status CheckAnswer(uint32_t a, const v1::CeremonyComplaintAnswer& m, uint32_t* excluded,
                     std::string* reason) const;
  Status CheckTestDecryption(uint32_t a, const v1::CeremonyTestDecryption& m) const;
  Status CheckAttempt(uint32_t attempt, uint32_t index, uint32_t author) const;
  bool SharesComplete() const;

  std::string context_;
  uint32_t attempt_ = 0, n_ = 0, t_ = 0;
  std::map<uint32_t, v1::CeremonyCommit> commits_;
  std::map<uint32_t, Point> encryption_keys_;
  std::map<uint32_t, v1::CeremonyReveal> reveals_;
  std::map<uint32_t, std::vector<Point>> commitments_;
  std::map<uint32_t, v1::CeremonyShares> shares_;
  std::map<std::pair<uint32_t, uint32_t>, std::string> complaints_;  // (complainer, accused)
  std::set<std::pair<uint32_t, uint32_t>> answered_;
  std::map<uint32_t, std::string> excluded_;
  std::map<uint32_t, v1::CeremonyTestDecryption> tests_;  // valid for the current Q only
};

class CeremonyTeller {
 public:
  // Draws this teller's polynomial (t coefficients) and ECDH key.
  static Result<CeremonyTeller> Create(const CeremonyRecord& record, uint32_t index,
                                       ScalarSource* rng = nullptr);

  CeremonyTeller(CeremonyTeller&&) noexcept = default;
  CeremonyTeller& operator=(CeremonyTeller&&) noexcept = default;

  uint32_t index() const { return index_; }

  Result<v1::CeremonyCommit> Commit() const;
  Result<v1::CeremonyReveal> Reveal(ScalarSource* rng = nullptr) const;
  // One EncryptedShare per other teller, to the keys of their commits.
  Result<v1::CeremonyShares> Shares(const CeremonyRecord& record, ScalarSource* rng = nullptr);
  // Decrypts and checks the share `sender` posted for this teller. nullopt:
  // good, kept; a complaint: post it.
  Result<std::optional<v1::CeremonyComplaint>> ReceiveShare(const CeremonyRecord& record,
                                                            uint32_t sender);
  // The public answer to a complaint against this teller.
  Result<v1::CeremonyComplaintAnswer> AnswerComplaint(const v1::CeremonyComplaint& c) const;
  // s_j = Σ_{i∈Q} f_i(j). FailedPrecondition when a qualified sender's share
  // has not been received (ReceiveShare) or was bad.
  Result<Scalar> FinalShare(const CeremonyRecord& record) const;
  Result<v1::CeremonyTestDecryption> TestDecryption(const CeremonyRecord& record,
                                                    ScalarSource* rng = nullptr) const;

 private:
  CeremonyTeller() = default;

  std::string context_;
  uint32_t attempt_ = 0, index_ = 0, n_ = 0;
  std::vector<Scalar> coefficients_;  // secret: a_{i,0..t-1}
  std::vector<Point> commitments_;
  Scalar decryption_key_;  // secret: d_i
  Point encryption_key_;
  std::map<uint32_t, Scalar> ephemerals_;  // secret: e per recipient
  std::map<uint32_t, Scalar> received_;    // secret: f_s(i) per sender s
};

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_CEREMONY_H_
