// The election record file: the whole bulletin board as one file.
//
// The file is exactly one serialized phieu.v1.ElectionRecord (binary
// protobuf). Its last fields are a trailer (entry_count, head): protobuf
// writes fields in number order, so a file cut short anywhere loses the head
// or fails to parse, and ReadRecordFile says "truncated". docs/storage.md
// describes the format; the chain inside it is checked by VerifyChain
// (core/record/chain.h), not here.
//
// Thread-safety: free functions; safe from any thread (concurrent writers to
// the same path race on the final rename: the last one wins, whole).
// Errors:
//   WriteRecordFile: InvalidArgument (format field set to something else, or
//     the record is over the size cap), Unavailable (I/O: open, write, fsync,
//     rename; the message names the step and the OS error). On failure the
//     destination is left as it was.
//   ReadRecordFile: NotFound (no such file), InvalidArgument (not an election
//     record: empty, does not parse, wrong format), ResourceExhausted (over
//     kMaxRecordFileSize), DataLoss (truncated, or the trailer does not match
//     the entries), Unavailable (other I/O errors).
//   ParseRecord: as ReadRecordFile, for the parsing part.
//   RecordToJson: Internal if protobuf cannot print the message.
#ifndef PHIEU_CORE_RECORD_RECORD_FILE_H_
#define PHIEU_CORE_RECORD_RECORD_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/status.h"
#include "phieu/v1/record.pb.h"

namespace phieu::record {

inline constexpr std::string_view kRecordFormat = "phieu.v1.record";
// Protobuf parses at most INT_MAX bytes in one message.
inline constexpr uint64_t kMaxRecordFileSize = (uint64_t{1} << 31) - 1;

// Sets format and the trailer (entry_count, head) on a copy of `record` and
// writes it durably: a temporary file in the same directory, fsync, rename
// over `path`, fsync of the directory.
Status WriteRecordFile(const std::string& path, const v1::ElectionRecord& record);

// Writes `data` to `path` the same durable way (temporary file, fsync,
// rename, fsync of the directory). Used for the JSON view too.
Status WriteFileDurably(const std::string& path, std::string_view data);

// Reads and parses a record file, checking format and trailer.
Result<v1::ElectionRecord> ReadRecordFile(const std::string& path);

// The checks of ReadRecordFile on bytes already in memory (e.g. a record
// fetched over the network). `name` names the source in error messages.
Result<v1::ElectionRecord> ParseRecord(std::string_view data, std::string_view name);

// A JSON view for people:
//   { "record": <the ElectionRecord in protobuf JSON, proto field names;
//                bytes fields are base64>,
//     "bodies": [ { "seq": 0, "hash": "<hex>", "author": "...",
//                   "body": <the entry's body decoded as EntryBody> }, ... ] }
// An entry whose body does not parse has "body_error" instead of "body".
Result<std::string> RecordToJson(const v1::ElectionRecord& record);

}  // namespace phieu::record

#endif  // PHIEU_CORE_RECORD_RECORD_FILE_H_
