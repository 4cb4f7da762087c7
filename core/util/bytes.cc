#include "core/util/bytes.h"

#include "core/util/fingerprint.h"

namespace phieu {

ByteWriter& ByteWriter::U8(uint8_t v) {
  data_.push_back(static_cast<char>(v));
  return *this;
}

ByteWriter& ByteWriter::U32(uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) data_.push_back(static_cast<char>((v >> shift) & 0xff));
  return *this;
}

ByteWriter& ByteWriter::U64(uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) data_.push_back(static_cast<char>((v >> shift) & 0xff));
  return *this;
}

ByteWriter& ByteWriter::I64(int64_t v) { return U64(static_cast<uint64_t>(v)); }

ByteWriter& ByteWriter::Bytes(std::string_view v) {
  U32(static_cast<uint32_t>(v.size()));
  data_.append(v);
  return *this;
}

ByteWriter& ByteWriter::Raw(std::string_view v) {
  data_.append(v);
  return *this;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string ShortFingerprint(std::string_view hash) {
  return Hex(hash.substr(0, kShortFingerprintBytes));
}

static int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool FromHex(std::string_view hex, std::string* out) {
  if (hex.size() % 2) return false;
  std::string r;
  r.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    r.push_back(static_cast<char>(hi << 4 | lo));
  }
  *out = std::move(r);
  return true;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char acc = 0;
  for (size_t i = 0; i < a.size(); ++i) acc |= static_cast<unsigned char>(a[i] ^ b[i]);
  return acc == 0;
}

}  // namespace phieu
