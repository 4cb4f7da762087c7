#include "core/record/chain.h"

#include "core/crypto/sha256.h"
#include "core/util/bytes.h"

namespace phieu::record {
namespace {

std::string EntryName(uint64_t seq) { return "entry " + std::to_string(seq); }

template <typename Entries>
Status VerifyAll(const Entries& entries) {
  std::string prev = ZeroHash();
  uint64_t expected = 0;
  for (const v1::BoardEntry& entry : entries) {
    RETURN_IF_ERROR(VerifyChainEntry(entry, expected, prev));
    prev = entry.hash();
    ++expected;
  }
  return Status::Ok();
}

}  // namespace

std::string ZeroHash() { return std::string(kChainHashSize, '\0'); }

std::string ChainHash(uint64_t seq, std::string_view prev_hash, int64_t server_time_ms,
                      const v1::SignedEntry& signed_entry) {
  ByteWriter w;
  w.U64(seq)
      .Raw(prev_hash)
      .I64(server_time_ms)
      .Bytes(signed_entry.body())
      .Bytes(signed_entry.author())
      .Bytes(signed_entry.signature());
  return crypto::TaggedSha256(kChainTag, w.data());
}

Status VerifyChainEntry(const v1::BoardEntry& entry, uint64_t expected_seq,
                        std::string_view expected_prev_hash) {
  const std::string name = EntryName(entry.seq());
  // Order of checks: position first (a deleted, duplicated or reordered entry
  // is reported as such), then the link, then the contents.
  if (entry.seq() != expected_seq) {
    return VerificationFailed(name + ": seq " + std::to_string(expected_seq) + " expected");
  }
  if (entry.prev_hash().size() != kChainHashSize) {
    return VerificationFailed(name + ": prev_hash is " + std::to_string(entry.prev_hash().size()) +
                              " bytes, 32 expected");
  }
  if (entry.hash().size() != kChainHashSize) {
    return VerificationFailed(name + ": hash is " + std::to_string(entry.hash().size()) +
                              " bytes, 32 expected");
  }
  if (entry.prev_hash() != expected_prev_hash) {
    return VerificationFailed(
        name + (expected_seq == 0 ? ": prev_hash does not link (entry 0 needs 32 zero bytes)"
                                  : ": prev_hash does not link"));
  }
  if (ChainHash(entry.seq(), entry.prev_hash(), entry.server_time_ms(), entry.signed_()) !=
      entry.hash()) {
    return VerificationFailed(name + ": hash does not match its contents");
  }
  return Status::Ok();
}

Status VerifyChain(const google::protobuf::RepeatedPtrField<v1::BoardEntry>& entries) {
  return VerifyAll(entries);
}

Status VerifyChain(const std::vector<v1::BoardEntry>& entries) { return VerifyAll(entries); }

}  // namespace phieu::record
