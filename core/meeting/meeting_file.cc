#include "core/meeting/meeting_file.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/meeting/meeting_validator.h"

namespace phieu::meeting {
namespace {

// Keeps the first error only: later ones are usually consequences of it.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!message_.empty()) return;
    message_ =
        "line " + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

}  // namespace

Result<v1::Meeting> ParseMeeting(std::string_view text) {
  v1::Meeting meeting;
  FirstError errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &meeting)) {
    return InvalidArgument(errors.message().empty() ? std::string("cannot parse the meeting")
                                                    : errors.message());
  }
  return meeting;
}

Result<v1::Meeting> LoadMeetingFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    if (err == ENOENT) return NotFound("meeting file " + path + ": no such file");
    return Unavailable("meeting file " + path + ": " + std::strerror(err));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Unavailable("meeting file " + path + ": read failed");
  auto parsed = ParseMeeting(text.str());
  if (!parsed.ok()) return parsed.status().Annotate(path);
  Status valid = ValidateMeeting(*parsed);
  if (!valid.ok()) return valid.Annotate(path);
  return parsed;
}

}  // namespace phieu::meeting
