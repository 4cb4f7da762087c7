// Fuzz target: MeetingService::Handle, every request handler, in process (no
// sockets), against the meeting service_fixture.h prepares at start-up (once
// per process, in-process, fresh keys): the key ceremony done, every unit
// checked in, the first ballot question open, one unit's ballot cast. The
// input format (speaker byte, mode byte, payload) is described there.
//
// Per input: one request as one speaker; then, if the request changed the
// board (an accepted post), the service is reopened on a fresh copy of the
// pristine board, so that every input meets the same state and a crash
// reproduces from its input alone.
//
// Invariants beyond "no crash": every response echoes the request id, carries
// a body, and is never ERROR_INTERNAL (the store and the view disagreeing, or
// a server entry that cannot be made, is a bug whatever the input).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/quiet_protobuf.h"
#include "tests/fuzz/service_fixture.h"

namespace phieu::fuzz {
namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "service fuzz target: %s\n", what.c_str());
  std::abort();
}

void Check(ServiceFixture& fixture, const uint8_t* data, size_t size) {
  // PHIEU_FUZZ_VERBOSE=1: one line per input saying what the service answered.
  static const bool verbose = std::getenv("PHIEU_FUZZ_VERBOSE") != nullptr;
  const auto ex = fixture.Run(data, size);
  if (!ex) return;
  const v1::Envelope& resp = ex->response;
  if (resp.request_id() != ex->request.request_id()) Fail("response does not echo the request id");
  if (resp.body_case() == v1::Envelope::BODY_NOT_SET) Fail("response without a body");
  if (resp.has_error() && resp.error().code() == v1::ERROR_INTERNAL) {
    Fail("internal error: " + resp.error().message());
  }
  if (verbose) {
    std::fprintf(stderr, "%s: %s\n", ex->who.participant_id.c_str(),
                 resp.has_error() ? resp.error().message().c_str() : resp.ShortDebugString().substr(0, 80).c_str());
  }
}

}  // namespace
}  // namespace phieu::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  phieu::fuzz::QuietProtobuf();
  // Built on the first input; destroyed at exit, which removes its temporary directory.
  static phieu::fuzz::ServiceFixture fixture;
  static const bool announced =
      std::fprintf(stderr, "service fuzz target: meeting prepared in %.2f s\n", fixture.setup_seconds()) > 0;
  (void)announced;
  phieu::fuzz::Check(fixture, data, size);
  return 0;
}
