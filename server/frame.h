// Framing of the Phiếu wire protocol (docs/protocol.md, "Framing"): a frame is
// a 4-byte big-endian length, then one serialized phieu.v1.Envelope.
//
// Shared by the server and the client. Everything here is a pure function of
// its input, so frame decoding can be fuzzed without sockets.
//
// Thread-safety: free functions with no shared state.
// Errors: DecodeFrameBody and CheckFrameLength return InvalidArgument (zero
// length, a message that does not parse, nesting deeper than the recursion
// limit) or ResourceExhausted (length above the cap); each message names the
// check that failed.
#ifndef PHIEU_SERVER_FRAME_H_
#define PHIEU_SERVER_FRAME_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/status.h"
#include "phieu/v1/wire.pb.h"

namespace phieu::server {

inline constexpr size_t kFrameHeaderSize = 4;
// Cap on a frame sent by a client to the server (requests).
inline constexpr size_t kDefaultMaxFrame = size_t{1} << 20;
// Cap on a frame sent by the server to a client (responses such as Entries may
// be larger than a request).
inline constexpr size_t kMaxServerFrame = size_t{64} << 20;
// Protobuf nesting limit while parsing an Envelope (the library default is 100).
inline constexpr int kEnvelopeRecursionLimit = 32;

// The big-endian length in a frame header.
uint32_t DecodeFrameLength(const std::array<unsigned char, kFrameHeaderSize>& header);

// OK when 0 < length <= max_frame.
Status CheckFrameLength(uint64_t length, size_t max_frame);

// Parses one frame body (the bytes after the length) into an Envelope, with
// the recursion limit above. The whole body must be consumed.
Result<v1::Envelope> DecodeFrameBody(std::string_view body);

// Header + serialized envelope, ready to write.
std::string EncodeFrame(const v1::Envelope& envelope);

// An envelope carrying an Error with this code and one-line message.
v1::Envelope MakeErrorEnvelope(uint64_t request_id, v1::ErrorCode code, std::string message);

}  // namespace phieu::server

#endif  // PHIEU_SERVER_FRAME_H_
