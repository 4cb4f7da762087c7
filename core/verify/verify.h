// The offline verifier: checks a whole election record with no network and
// without trusting the server (docs/audit.md).
//
// Verify() replays the record entry by entry into its own BoardView and, for
// each entry, judges everything the server judged when it accepted it — who
// signed it and whether that role may post it in that phase, the key
// ceremony's messages, the ballots' signatures and proofs, one counted ballot
// per unit per run — and recomputes everything the server computed: the
// tallies (homomorphic sums), the decryptions (from the tellers' verified
// partials), the totals and the outcome (by the rules engine). It shares only
// the crypto primitives, the record helpers (chain, BoardView, run_support)
// and the rules engine with the server; it never calls the server's
// acceptance code.
//
// Ballot signatures and proofs are verified on a small thread pool; the
// first failure reported is the one with the lowest entry seq, whatever the
// threads did, so a report is deterministic.
//
// Thread-safety: Verify is a free function on values; the progress callback
// is called from the calling thread only.
#ifndef PHIEU_CORE_VERIFY_VERIFY_H_
#define PHIEU_CORE_VERIFY_VERIFY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/certificate.h"
#include "core/util/status.h"
#include "phieu/v1/record.pb.h"

namespace phieu::verify {

// The checks, in the order of the checklist (docs/audit.md explains each).
inline constexpr std::string_view kCheckChain = "hash chain";
inline constexpr std::string_view kCheckHead = "chain head";
inline constexpr std::string_view kCheckMeetingCa = "meeting CA";
inline constexpr std::string_view kCheckCertificates = "certificates";
inline constexpr std::string_view kCheckSignatures = "entry signatures";
inline constexpr std::string_view kCheckRoles = "roles and phases";
inline constexpr std::string_view kCheckCheckIns = "check-ins and proxies";
inline constexpr std::string_view kCheckCeremony = "key ceremony";
inline constexpr std::string_view kCheckBallots = "ballot proofs";
inline constexpr std::string_view kCheckOnePerUnit = "one ballot per unit per run";
inline constexpr std::string_view kCheckSpoiled = "spoiled ballots";
inline constexpr std::string_view kCheckPaper = "paper batches";
inline constexpr std::string_view kCheckTallies = "tallies";
inline constexpr std::string_view kCheckShares = "decryption shares";
inline constexpr std::string_view kCheckResults = "results";
inline constexpr std::string_view kCheckCosign = "co-signatures";
inline constexpr std::string_view kCheckReceipts = "receipts";

struct CheckLine {
  std::string name;
  uint64_t count = 0;  // how many items this check passed
  bool ok = true;
};

// The first failure: the check, the entry (seq and payload kind) and why.
struct Failure {
  std::string check;
  uint64_t seq = 0;
  std::string kind;
  std::string message;
};

// Things that are allowed but that a reader should look at.
struct Attention {
  uint64_t seq = 0;
  std::string kind;  // "roster change", "proxy", "check-in by the chair", "spoiled ballot", "paper batch"
  std::string text;
};

struct VerifyOptions {
  // Lowercase hex of the chain head printed on the paper minutes; empty: not checked.
  std::string expect_head;
  // Signed receipts kept by delegates: each must be signed by the server key
  // of the genesis, sit at its seq with its hash, and be counted in its
  // run's tally (if the run has one).
  std::vector<v1::SignedReceipt> receipts;
  // Threads for the ballot proofs; 0: the machine's cores (at most 8).
  unsigned threads = 0;
  // Called now and then: (stage, done, total).
  std::function<void(std::string_view stage, uint64_t done, uint64_t total)> progress;
};

struct VerifyReport {
  std::vector<CheckLine> checks;
  std::optional<Failure> failure;
  std::vector<Attention> attention;
  std::string meeting_id;
  uint64_t entries = 0;
  std::string head;  // hex
  std::string ca_fingerprint;          // hex SHA-256 of the CA certificate DER
  std::string server_key_fingerprint;  // hex SHA-256 of the server's Ed25519 key (raw)
  uint64_t ballots_verified = 0;
  double proof_seconds = 0;  // wall time of the parallel ballot phase

  bool ok() const { return !failure.has_value(); }
  const CheckLine* Find(std::string_view name) const;
};

VerifyReport Verify(const v1::ElectionRecord& record, const crypto::Certificate& ca,
                    const VerifyOptions& options);

// One spoiled ballot opened (Benaloh challenge): its revealed choices checked
// against its encryption, and the choices named.
struct SpoiledOpening {
  uint64_t seq = 0;
  std::string ballot_id;
  std::string run_id;
  std::string unit_id;
  std::string tracking_code;  // hex
  Status status;              // VerifySpoiled's verdict
  std::vector<std::string> marked;  // labels of the cells marked 1, e.g. "Sơn La", "Cao Bằng: rank 1", "blank"
};

// The spoiled ballots of the record (all, or those whose tracking code, hex,
// starts with `code`). NotFound when there is none. The record's chain is
// checked first, and with `ca` the genesis' signature by that meeting CA.
Result<std::vector<SpoiledOpening>> OpenSpoiled(const v1::ElectionRecord& record,
                                                const std::string& code,
                                                const crypto::Certificate* ca = nullptr);

}  // namespace phieu::verify

#endif  // PHIEU_CORE_VERIFY_VERIFY_H_
