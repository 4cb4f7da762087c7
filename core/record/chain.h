// The hash chain of the bulletin board.
//
// Every board entry carries the chain hash of itself and the hash of the entry
// before it. docs/crypto.md ("Board entries and the chain") is the normative
// definition:
//
//   hash(n) = TaggedSha256("phieu.v1.chain",
//                 u64 seq || raw prev_hash (32 bytes) || i64 server_time_ms ||
//                 bytes signed.body || bytes signed.author || bytes signed.signature)
//
// with the encodings of core/util/bytes.h, and prev_hash of entry 0 equal to 32
// zero bytes. Entry signatures (by the author) are checked elsewhere (keys,
// verifier); the chain only binds order, time and the exact signed bytes.
//
// Thread-safety: free functions on values; safe from any thread.
// Errors: VerifyChain / VerifyChainEntry return VerificationFailed with a
// message that names the entry by its seq field ("entry 17: hash does not match
// its contents", "entry 9: seq 10 expected", "entry 4: prev_hash does not link").
#ifndef PHIEU_CORE_RECORD_CHAIN_H_
#define PHIEU_CORE_RECORD_CHAIN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"
#include "phieu/v1/record.pb.h"

namespace phieu::record {

inline constexpr std::string_view kChainTag = "phieu.v1.chain";
inline constexpr size_t kChainHashSize = 32;

// 32 zero bytes: the prev_hash of entry 0 and the head of an empty board.
std::string ZeroHash();

// The chain hash of entry `seq` (32 bytes). `prev_hash` must be 32 bytes
// (VerifyChainEntry checks this before calling).
std::string ChainHash(uint64_t seq, std::string_view prev_hash, int64_t server_time_ms,
                      const v1::SignedEntry& signed_entry);

// Checks one entry against its expected position: seq == expected_seq,
// prev_hash == expected_prev_hash (the previous entry's hash, or ZeroHash()
// for seq 0), hash == ChainHash(...). Used by VerifyChain and by readers that
// stream entries (the board store's integrity check).
Status VerifyChainEntry(const v1::BoardEntry& entry, uint64_t expected_seq,
                        std::string_view expected_prev_hash);

// Checks a whole chain from entry 0: seq contiguous from 0, every prev_hash
// links to the hash before it, every hash recomputed. An empty chain is valid.
Status VerifyChain(const google::protobuf::RepeatedPtrField<v1::BoardEntry>& entries);
Status VerifyChain(const std::vector<v1::BoardEntry>& entries);

}  // namespace phieu::record

#endif  // PHIEU_CORE_RECORD_CHAIN_H_
