// Fuzz target: frame decoding (server/frame.h), as a session reads a byte
// stream: 4-byte length, length check against the request cap, body parse
// with the recursion limit. Every frame that decodes must encode and decode
// back to the same message.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "server/frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phieu::server;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (rest.size() >= kFrameHeaderSize) {
    std::array<unsigned char, kFrameHeaderSize> header;
    std::memcpy(header.data(), rest.data(), kFrameHeaderSize);
    rest.remove_prefix(kFrameHeaderSize);
    const uint32_t length = DecodeFrameLength(header);
    if (!CheckFrameLength(length, kDefaultMaxFrame).ok()) return 0;  // the session closes
    if (rest.size() < length) return 0;                              // waits for more bytes
    auto envelope = DecodeFrameBody(rest.substr(0, length));
    rest.remove_prefix(length);
    if (!envelope.ok()) continue;  // the session answers with an Error and reads on
    const std::string frame = EncodeFrame(*envelope);
    auto again = DecodeFrameBody(std::string_view(frame).substr(kFrameHeaderSize));
    if (!again.ok() || again->SerializeAsString() != envelope->SerializeAsString()) std::abort();
  }
  return 0;
}
