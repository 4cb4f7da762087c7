// Reading a meeting file: text-format phieu.v1.Meeting (examples/*.textproto,
// described in docs/meeting-file.md).
//
// Parsing only checks the syntax and the field names; call ValidateMeeting
// (meeting_validator.h) before using a meeting. LoadMeetingFile parses and
// validates.
//
// Errors: NotFound / Unavailable when the file cannot be read; InvalidArgument
// "line L:C: <what the parser says>" for a syntax error or an unknown field
// (line and column are 1-based); InvalidArgument from ValidateMeeting.
// Thread-safety: pure functions, safe from any thread.
#ifndef PHIEU_CORE_MEETING_MEETING_FILE_H_
#define PHIEU_CORE_MEETING_MEETING_FILE_H_

#include <string>
#include <string_view>

#include "core/util/status.h"
#include "phieu/v1/meeting.pb.h"

namespace phieu::meeting {

// Parses a text-format meeting. Does not validate.
Result<v1::Meeting> ParseMeeting(std::string_view text);

// Reads, parses and validates the meeting file at `path`.
Result<v1::Meeting> LoadMeetingFile(const std::string& path);

}  // namespace phieu::meeting

#endif  // PHIEU_CORE_MEETING_MEETING_FILE_H_
