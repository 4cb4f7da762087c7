#include "server/frame.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <limits>

namespace phieu::server {

uint32_t DecodeFrameLength(const std::array<unsigned char, kFrameHeaderSize>& header) {
  return (uint32_t{header[0]} << 24) | (uint32_t{header[1]} << 16) | (uint32_t{header[2]} << 8) |
         uint32_t{header[3]};
}

Status CheckFrameLength(uint64_t length, size_t max_frame) {
  if (length == 0) return InvalidArgument("frame length check: length is 0");
  if (length > max_frame) {
    return ResourceExhausted("frame length check: " + std::to_string(length) + " bytes exceeds the cap of " +
                             std::to_string(max_frame));
  }
  return Status::Ok();
}

Result<v1::Envelope> DecodeFrameBody(std::string_view body) {
  if (body.empty()) return InvalidArgument("frame body check: empty body");
  if (body.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return ResourceExhausted("frame body check: body too large to parse");
  }
  google::protobuf::io::ArrayInputStream raw(body.data(), static_cast<int>(body.size()));
  google::protobuf::io::CodedInputStream in(&raw);
  in.SetRecursionLimit(kEnvelopeRecursionLimit);
  v1::Envelope envelope;
  if (!envelope.ParseFromCodedStream(&in)) {
    return InvalidArgument("frame body check: not a valid phieu.v1.Envelope (or nested deeper than " +
                           std::to_string(kEnvelopeRecursionLimit) + ")");
  }
  if (!in.ConsumedEntireMessage() || in.CurrentPosition() != static_cast<int>(body.size())) {
    return InvalidArgument("frame body check: trailing bytes after the Envelope");
  }
  return envelope;
}

std::string EncodeFrame(const v1::Envelope& envelope) {
  const size_t size = envelope.ByteSizeLong();
  std::string out(kFrameHeaderSize + size, '\0');
  out[0] = static_cast<char>((size >> 24) & 0xff);
  out[1] = static_cast<char>((size >> 16) & 0xff);
  out[2] = static_cast<char>((size >> 8) & 0xff);
  out[3] = static_cast<char>(size & 0xff);
  envelope.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(out.data() + kFrameHeaderSize));
  return out;
}

v1::Envelope MakeErrorEnvelope(uint64_t request_id, v1::ErrorCode code, std::string message) {
  v1::Envelope envelope;
  envelope.set_request_id(request_id);
  envelope.mutable_error()->set_code(code);
  envelope.mutable_error()->set_message(std::move(message));
  return envelope;
}

}  // namespace phieu::server
