// Fuzz target: frame decoding (server/frame.h), as a session reads a byte
// stream: 4-byte length, length check against the request cap, body parse
// with the recursion limit. Every frame that decodes must encode and decode
// back to the same message (unless it encodes to nothing).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "server/frame.h"
#include "tests/fuzz/quiet_protobuf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  phieu::fuzz::QuietProtobuf();
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
    // A body of only default-valued fields (e.g. 08 04 08 00: field 1 set, then reset
    // to 0) decodes to an Envelope that encodes to nothing; nobody can send that as a
    // frame (length 0 is refused), so there is no round trip to check.
    if (envelope->ByteSizeLong() == 0) continue;
    const std::string frame = EncodeFrame(*envelope);
    auto again = DecodeFrameBody(std::string_view(frame).substr(kFrameHeaderSize));
    if (!again.ok() || again->SerializeAsString() != envelope->SerializeAsString()) std::abort();
  }
  return 0;
}
