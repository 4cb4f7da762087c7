// Explicit, length-prefixed byte encodings for everything Phiếu hashes or
// signs. docs/crypto.md ("Encoding") is the normative description:
//   u8, u32, u64, i64: fixed width, big-endian;
//   bytes/string:      u32 length, then the bytes.
// Protobuf serializations are never hashed: they are not canonical.
#ifndef PHIEU_CORE_UTIL_BYTES_H_
#define PHIEU_CORE_UTIL_BYTES_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace phieu {

class ByteWriter {
 public:
  ByteWriter& U8(uint8_t v);
  ByteWriter& U32(uint32_t v);
  ByteWriter& U64(uint64_t v);
  ByteWriter& I64(int64_t v);
  // Length-prefixed (u32 length, then bytes). Used for every variable field.
  ByteWriter& Bytes(std::string_view v);
  // Raw, no prefix: only for fixed-length values (points, scalars, digests).
  ByteWriter& Raw(std::string_view v);

  const std::string& data() const { return data_; }
  std::string Take() { return std::move(data_); }

 private:
  std::string data_;
};

// Lowercase hex of arbitrary bytes, and back (rejects odd length, non-hex).
std::string Hex(std::string_view bytes);
bool FromHex(std::string_view hex, std::string* out);

// Compares two byte strings in time independent of their contents.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace phieu

#endif  // PHIEU_CORE_UTIL_BYTES_H_
