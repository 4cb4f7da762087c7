#include "core/record/record_file.h"

#include <fcntl.h>
#include <google/protobuf/util/json_util.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/record/chain.h"
#include "core/util/bytes.h"

namespace phieu::record {
namespace {

// The one converter for errno values.
Status PosixError(const std::string& context, int err) {
  std::string m = context + ": " + std::strerror(err);
  if (err == ENOENT) return NotFound(std::move(m));
  return Unavailable(std::move(m));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error (close can report a failed write-back).
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return PosixError(what + ": write", errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// The first bytes of every record file: field 1 (format), length 15, the format.
std::string ExpectedPrefix() {
  std::string p;
  p.push_back('\x0a');
  p.push_back(static_cast<char>(kRecordFormat.size()));
  p.append(kRecordFormat);
  return p;
}

void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xf]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

}  // namespace

Status WriteRecordFile(const std::string& path, const v1::ElectionRecord& record) {
  if (!record.format().empty() && record.format() != kRecordFormat) {
    return InvalidArgument("record file " + path + ": format must be \"" +
                           std::string(kRecordFormat) + "\"");
  }
  v1::ElectionRecord out = record;
  out.set_format(std::string(kRecordFormat));
  out.set_entry_count(static_cast<uint64_t>(out.entries_size()));
  out.set_head(out.entries_size() == 0 ? ZeroHash() : out.entries(out.entries_size() - 1).hash());
  if (out.ByteSizeLong() > kMaxRecordFileSize) {
    return InvalidArgument("record file " + path + ": record is over the 2 GiB cap");
  }
  std::string data;
  if (!out.SerializeToString(&data)) {
    return Internal("record file " + path + ": protobuf could not serialize the record");
  }

  return WriteFileDurably(path, data);
}

Status WriteFileDurably(const std::string& path, std::string_view data) {
  std::filesystem::path target(path);
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) return PosixError("file " + tmp + ": open", errno);
    Status st = WriteAll(fd.get(), data, "file " + tmp);
    if (st.ok() && ::fsync(fd.get()) != 0) st = PosixError("file " + tmp + ": fsync", errno);
    if (fd.Close() != 0 && st.ok()) st = PosixError("file " + tmp + ": close", errno);
    if (!st.ok()) {
      ::unlink(tmp.c_str());
      return st;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status st = PosixError("file " + path + ": rename", errno);
    ::unlink(tmp.c_str());
    return st;
  }
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() < 0) return PosixError("directory " + dir.string() + ": open", errno);
  if (::fsync(dfd.get()) != 0) {
    return PosixError("directory " + dir.string() + ": fsync", errno);
  }
  return Status::Ok();
}

Result<v1::ElectionRecord> ReadRecordFile(const std::string& path) {
  const std::string name = "record file " + path;
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return PosixError(name, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return PosixError(name + ": stat", errno);
  if (!S_ISREG(st.st_mode)) return InvalidArgument(name + " is not a regular file");
  if (static_cast<uint64_t>(st.st_size) > kMaxRecordFileSize) {
    return ResourceExhausted(name + " is over the 2 GiB cap for a record");
  }
  std::string data;
  data.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::read(fd.get(), data.data() + got, data.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return PosixError(name + ": read", errno);
    }
    if (n == 0) break;  // the file shrank while we read it
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  return ParseRecord(data, name);
}

Result<v1::ElectionRecord> ParseRecord(std::string_view data, std::string_view source) {
  const std::string name(source);
  if (data.size() > kMaxRecordFileSize)
    return ResourceExhausted(name + " is over the 2 GiB cap for a record");
  if (data.empty()) return InvalidArgument(name + " is empty: not an election record");

  // A file that starts like a record (or is a prefix of that start) and does
  // not parse was cut short or damaged; anything else is some other file.
  const std::string prefix = ExpectedPrefix();
  const bool looks_like_record = data.size() >= prefix.size()
                                     ? data.compare(0, prefix.size(), prefix) == 0
                                     : prefix.compare(0, data.size(), data) == 0;
  v1::ElectionRecord record;
  if (!record.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    if (looks_like_record) {
      return DataLoss(name + " is truncated or damaged: it does not parse to its end");
    }
    return InvalidArgument(name + " is not an election record (it does not parse)");
  }
  if (record.format() != kRecordFormat) {
    return InvalidArgument(name + " is not an election record (format is not \"" +
                           std::string(kRecordFormat) + "\")");
  }
  if (record.head().empty()) {
    return DataLoss(name + " is truncated: its trailer (entry count and head) is missing");
  }
  if (record.entry_count() != static_cast<uint64_t>(record.entries_size())) {
    return DataLoss(name + " is truncated or altered: its trailer says " +
                    std::to_string(record.entry_count()) + " entries, the file holds " +
                    std::to_string(record.entries_size()));
  }
  const std::string& last =
      record.entries_size() == 0 ? ZeroHash() : record.entries(record.entries_size() - 1).hash();
  if (record.head() != last) {
    return DataLoss(name + " is altered: its trailer's head is not the last entry's hash");
  }
  return record;
}

Result<std::string> RecordToJson(const v1::ElectionRecord& record) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;

  std::string record_json;
  auto st = google::protobuf::util::MessageToJsonString(record, &record_json, options);
  if (!st.ok()) return Internal("record to JSON: " + st.ToString());

  std::string out = "{\n\"record\": ";
  out += record_json;
  out += ",\n\"bodies\": [";
  for (int i = 0; i < record.entries_size(); ++i) {
    const v1::BoardEntry& entry = record.entries(i);
    out += i == 0 ? "\n" : ",\n";
    out += "{\"seq\": " + std::to_string(entry.seq());
    out += ", \"hash\": ";
    AppendJsonString(&out, Hex(entry.hash()));
    out += ", \"author\": ";
    AppendJsonString(&out, entry.signed_().author());
    v1::EntryBody body;
    std::string body_json;
    if (!body.ParseFromString(entry.signed_().body())) {
      out += ", \"body_error\": \"does not parse as phieu.v1.EntryBody\"}";
      continue;
    }
    auto bst = google::protobuf::util::MessageToJsonString(body, &body_json, options);
    if (!bst.ok())
      return Internal("entry " + std::to_string(entry.seq()) + " body to JSON: " + bst.ToString());
    out += ", \"body\": ";
    out += body_json;
    out += "}";
  }
  out += "\n]\n}\n";
  return out;
}

}  // namespace phieu::record
