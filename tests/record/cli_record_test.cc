#include "client/cli_record.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/board/board_store.h"
#include "core/record/chain.h"
#include "core/record/record_file.h"

namespace phieu::client {
namespace {

namespace fs = std::filesystem;
using ::testing::internal::CaptureStderr;
using ::testing::internal::CaptureStdout;
using ::testing::internal::GetCapturedStderr;
using ::testing::internal::GetCapturedStdout;

class CliRecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "phieu-cli-record-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    data_ = (dir_ / "data").string();
    fs::create_directory(data_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void MakeBoard(int n) {
    auto store = board::BoardStore::Open(data_ + "/board.sqlite");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (int i = 0; i < n; ++i) {
      v1::EntryBody body;
      body.set_meeting_id("cum4-2024");
      body.mutable_check_in()->set_unit_id("unit-" + std::to_string(i));
      v1::SignedEntry s;
      s.set_body(body.SerializeAsString());
      s.set_author("pin");
      s.set_signature("sig");
      ASSERT_TRUE((*store)->Append(s, board::EntryIndex{"check_in", "", "u", ""}, i).ok());
    }
  }

  // Runs the command, returning its exit code and what it wrote on stderr.
  int Run(const std::vector<std::string>& args, std::string* err = nullptr) {
    CaptureStdout();
    CaptureStderr();
    int rc = RunRecord(args);
    out_ = GetCapturedStdout();
    std::string e = GetCapturedStderr();
    if (err != nullptr) *err = e;
    return rc;
  }

  fs::path dir_;
  std::string data_;
  std::string out_;
};

TEST_F(CliRecordTest, UsageErrors) {
  std::string err;
  EXPECT_EQ(Run({}, &err), 2);
  EXPECT_NE(err.find("usage: phieu record export"), std::string::npos);
  EXPECT_EQ(Run({"import"}), 2);
  EXPECT_EQ(Run({"export", "--out", "x"}, &err), 2);
  EXPECT_NE(err.find("--data DIR is required"), std::string::npos);
  EXPECT_EQ(Run({"export", "--data", data_}), 2);
  EXPECT_EQ(Run({"export", "--data"}), 2);
  EXPECT_EQ(Run({"export", "--data", data_, "--out", "x", "--bogus"}), 2);
  EXPECT_EQ(Run({"export", "--profile", "p", "--out", "x"}), 2);
  EXPECT_EQ(Run({"export", "--help"}), 0);
}

TEST_F(CliRecordTest, MissingBoardSaysWhatToDo) {
  std::string err;
  EXPECT_EQ(Run({"export", "--data", data_, "--out", (dir_ / "r.pb").string()}, &err), 1);
  EXPECT_NE(err.find("no board at"), std::string::npos) << err;
  EXPECT_NE(err.find("--data"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), err.size() - 1) << "one line: " << err;
  EXPECT_FALSE(fs::exists(data_ + "/board.sqlite"));
}

TEST_F(CliRecordTest, ExportsBinaryRecord) {
  MakeBoard(5);
  const std::string out = (dir_ / "record.pb").string();
  ASSERT_EQ(Run({"export", "--data=" + data_, "--out", out}), 0);
  EXPECT_NE(out_.find("wrote 5 entries"), std::string::npos) << out_;
  auto record = record::ReadRecordFile(out);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->entries_size(), 5);
  EXPECT_TRUE(record::VerifyChain(record->entries()).ok());
}

TEST_F(CliRecordTest, ExportsJsonView) {
  MakeBoard(3);
  const std::string out = (dir_ / "record.json").string();
  ASSERT_EQ(Run({"export", "--data", data_, "--out", out, "--json"}), 0);
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string json = ss.str();
  EXPECT_NE(json.find("\"bodies\""), std::string::npos);
  EXPECT_NE(json.find("\"unit-2\""), std::string::npos);  // decoded body
}

TEST_F(CliRecordTest, BrokenChainIsWrittenAndReported) {
  MakeBoard(5);
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((data_ + "/board.sqlite").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE entries SET author = 'forged' WHERE seq = 1", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  const std::string out = (dir_ / "record.pb").string();
  std::string err;
  EXPECT_EQ(Run({"export", "--data", data_, "--out", out}, &err), 4);
  EXPECT_NE(err.find("entry 1: hash does not match its contents"), std::string::npos) << err;
  EXPECT_TRUE(fs::exists(out));
}

}  // namespace
}  // namespace phieu::client
