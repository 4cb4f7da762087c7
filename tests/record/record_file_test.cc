#include "core/record/record_file.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/record/chain.h"

namespace phieu::record {
namespace {

namespace fs = std::filesystem;

class RecordFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "phieu-record-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string PathOf(const std::string& name) const { return (dir_ / name).string(); }

  static v1::ElectionRecord MakeRecord(int n) {
    v1::ElectionRecord r;
    std::string prev = ZeroHash();
    for (int i = 0; i < n; ++i) {
      v1::EntryBody body;
      body.set_meeting_id("cum4-2024");
      if (i % 2 == 0) {
        body.mutable_check_in()->set_unit_id("lao-cai");
        body.mutable_check_in()->set_remote(true);
      } else {
        body.mutable_close()->set_run_id("run-" + std::to_string(i));
      }
      v1::BoardEntry* e = r.add_entries();
      e->set_seq(i);
      e->set_prev_hash(prev);
      e->set_server_time_ms(1700000000000 + i);
      e->mutable_signed_()->set_body(body.SerializeAsString());
      e->mutable_signed_()->set_author(i == 0 ? "ca" : "pin\"quoted\\");
      e->mutable_signed_()->set_signature(std::string(70, '\x30'));
      e->set_hash(ChainHash(i, prev, e->server_time_ms(), e->signed_()));
      prev = e->hash();
    }
    return r;
  }

  static std::string ReadAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static void WriteRaw(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
  }

  fs::path dir_;
};

TEST_F(RecordFileTest, RoundTrip) {
  v1::ElectionRecord r = MakeRecord(6);
  const std::string path = PathOf("record.pb");
  ASSERT_TRUE(WriteRecordFile(path, r).ok());
  Result<v1::ElectionRecord> back = ReadRecordFile(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->format(), kRecordFormat);
  EXPECT_EQ(back->entry_count(), 6u);
  EXPECT_EQ(back->head(), r.entries(5).hash());
  ASSERT_EQ(back->entries_size(), 6);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(back->entries(i).SerializeAsString(), r.entries(i).SerializeAsString());
  }
  EXPECT_TRUE(VerifyChain(back->entries()).ok());
  // Only the record is left in the directory: the temporary file was renamed.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(RecordFileTest, EmptyRecordRoundTripsAndOverwrites) {
  const std::string path = PathOf("record.pb");
  ASSERT_TRUE(WriteRecordFile(path, MakeRecord(3)).ok());
  ASSERT_TRUE(WriteRecordFile(path, v1::ElectionRecord()).ok());
  Result<v1::ElectionRecord> back = ReadRecordFile(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->entries_size(), 0);
  EXPECT_EQ(back->head(), ZeroHash());
}

TEST_F(RecordFileTest, EveryTruncationIsRejected) {
  const std::string path = PathOf("record.pb");
  ASSERT_TRUE(WriteRecordFile(path, MakeRecord(4)).ok());
  const std::string full = ReadAll(path);
  ASSERT_TRUE(ParseRecord(full, "whole").ok());
  // Every cut, in memory (the file path runs the same checks).
  for (size_t n = 1; n < full.size(); ++n) {
    Result<v1::ElectionRecord> r = ParseRecord(std::string_view(full).substr(0, n), "cut");
    ASSERT_FALSE(r.ok()) << "cut at " << n << " of " << full.size();
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << "cut at " << n;
    EXPECT_NE(r.status().message().find("truncated"), std::string::npos) << r.status().message();
  }
  // A few cuts through files: inside an entry, between entries, in the trailer.
  const std::string cut_path = PathOf("cut.pb");
  for (size_t n : {size_t{5}, full.size() / 2, full.size() - 34, full.size() - 1}) {
    WriteRaw(cut_path, full.substr(0, n));
    Result<v1::ElectionRecord> r = ReadRecordFile(cut_path);
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << "cut at " << n;
    EXPECT_NE(r.status().message().find(cut_path), std::string::npos) << r.status().message();
  }
}

TEST_F(RecordFileTest, NotARecord) {
  const std::string path = PathOf("other");
  WriteRaw(path, "this is a text file, not a record\n");
  Result<v1::ElectionRecord> r = ReadRecordFile(path);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("not an election record"), std::string::npos);

  WriteRaw(path, "");
  EXPECT_EQ(ReadRecordFile(path).status().code(), StatusCode::kInvalidArgument);

  v1::ElectionRecord wrong;
  wrong.set_format("something.else");
  wrong.set_head(ZeroHash());
  WriteRaw(path, wrong.SerializeAsString());
  r = ReadRecordFile(path);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("format"), std::string::npos);

  EXPECT_EQ(ReadRecordFile(PathOf("missing")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadRecordFile(dir_.string()).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RecordFileTest, TrailerMustMatch) {
  const std::string path = PathOf("record.pb");
  v1::ElectionRecord r = MakeRecord(3);
  r.set_format(std::string(kRecordFormat));
  r.set_entry_count(4);
  r.set_head(r.entries(2).hash());
  WriteRaw(path, r.SerializeAsString());
  Result<v1::ElectionRecord> back = ReadRecordFile(path);
  EXPECT_EQ(back.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(back.status().message().find("says 4 entries"), std::string::npos);

  r.set_entry_count(3);
  r.set_head(r.entries(1).hash());
  WriteRaw(path, r.SerializeAsString());
  EXPECT_EQ(ReadRecordFile(path).status().code(), StatusCode::kDataLoss);
}

TEST_F(RecordFileTest, WriteRefusesOtherFormatAndBadDirectory) {
  v1::ElectionRecord r;
  r.set_format("other");
  EXPECT_EQ(WriteRecordFile(PathOf("x"), r).code(), StatusCode::kInvalidArgument);
  Status st = WriteRecordFile(PathOf("no/such/dir/record.pb"), MakeRecord(1));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("open"), std::string::npos) << st.message();
}

TEST_F(RecordFileTest, JsonViewHasDecodedBodies) {
  v1::ElectionRecord r = MakeRecord(3);
  v1::BoardEntry* bad = r.add_entries();
  bad->set_seq(3);
  bad->mutable_signed_()->set_body(std::string("\xff\xff\xff", 3));
  Result<std::string> json = RecordToJson(r);
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  // It is valid JSON.
  google::protobuf::Struct parsed;
  auto st = google::protobuf::util::JsonStringToMessage(*json, &parsed);
  ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << *json;
  ASSERT_TRUE(parsed.fields().contains("record"));
  ASSERT_TRUE(parsed.fields().contains("bodies"));
  const auto& bodies = parsed.fields().at("bodies").list_value();
  ASSERT_EQ(bodies.values_size(), 4);
  const auto& first = bodies.values(0).struct_value().fields();
  EXPECT_EQ(first.at("seq").number_value(), 0);
  EXPECT_EQ(first.at("hash").string_value().size(), 64u);
  EXPECT_EQ(first.at("author").string_value(), "ca");
  const auto& body = first.at("body").struct_value().fields();
  EXPECT_EQ(body.at("meeting_id").string_value(), "cum4-2024");
  EXPECT_EQ(body.at("check_in").struct_value().fields().at("unit_id").string_value(), "lao-cai");
  EXPECT_EQ(bodies.values(1).struct_value().fields().at("author").string_value(), "pin\"quoted\\");
  EXPECT_TRUE(bodies.values(3).struct_value().fields().contains("body_error"));
  // The record part is the protobuf JSON of the record itself.
  EXPECT_EQ(
      parsed.fields().at("record").struct_value().fields().at("entries").list_value().values_size(),
      4);
}

}  // namespace
}  // namespace phieu::record
