// Fuzz target: the election record (core/record), as the verifier reads it:
// ParseRecord (the checks of ReadRecordFile on bytes in memory: format,
// trailer), VerifyChain, then every entry through BoardView::Apply, and the
// JSON view.
//
// A fuzzer cannot forge chain hashes, so mutated records rarely pass
// VerifyChain. A hostile server can, though: it writes whatever bodies it likes
// under a chain it computes itself. So the same input's entries are also
// re-chained (seq, prev_hash and hash recomputed) and applied to a second
// view: BoardView must index or refuse any body, never crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/record/board_view.h"
#include "core/record/chain.h"
#include "core/record/record_file.h"

namespace {

void ApplyAll(const google::protobuf::RepeatedPtrField<phieu::v1::BoardEntry>& entries) {
  phieu::record::BoardView view;
  for (const auto& e : entries) {
    if (!view.Apply(e).ok()) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phieu;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto record = record::ParseRecord(bytes, "fuzz input");
  if (record.ok()) {
    (void)record::RecordToJson(*record);
    if (record::VerifyChain(record->entries()).ok()) ApplyAll(record->entries());
  }

  v1::ElectionRecord raw;
  if (!raw.ParseFromArray(data, static_cast<int>(size))) return 0;
  std::string prev = record::ZeroHash();
  for (int i = 0; i < raw.entries_size(); ++i) {
    v1::BoardEntry* e = raw.mutable_entries(i);
    e->set_seq(static_cast<uint64_t>(i));
    e->set_prev_hash(prev);
    e->set_hash(record::ChainHash(e->seq(), prev, e->server_time_ms(), e->signed_()));
    prev = e->hash();
  }
  ApplyAll(raw.entries());
  return 0;
}
