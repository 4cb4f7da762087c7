// Silences protobuf's log (e.g. "String field ... contains invalid UTF-8"),
// which fuzzed input triggers at every turn and which would bury a crash
// report. Call at the top of LLVMFuzzerTestOneInput; only the first call acts.
#ifndef PHIEU_TESTS_FUZZ_QUIET_PROTOBUF_H_
#define PHIEU_TESTS_FUZZ_QUIET_PROTOBUF_H_

#include <google/protobuf/stubs/logging.h>

namespace phieu::fuzz {

inline void QuietProtobuf() {
  static const bool done = (google::protobuf::SetLogHandler(nullptr), true);
  (void)done;
}

}  // namespace phieu::fuzz

#endif  // PHIEU_TESTS_FUZZ_QUIET_PROTOBUF_H_
