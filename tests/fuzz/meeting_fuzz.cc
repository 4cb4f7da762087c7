// Fuzz target: the meeting file (core/meeting): text-format parsing, then
// validation of whatever parsed. Both must refuse bad input with a message
// and never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/meeting/meeting_file.h"
#include "core/meeting/meeting_validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto meeting =
      phieu::meeting::ParseMeeting(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!meeting.ok()) return 0;
  (void)phieu::meeting::ValidateMeeting(*meeting);
  return 0;
}
