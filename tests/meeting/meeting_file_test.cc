#include "core/meeting/meeting_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace phieu::meeting {
namespace {

TEST(MeetingFileTest, ParsesText) {
  auto m = ParseMeeting(R"(id: "x" title: "T" units { id: "a" name: "A" weight: 2 })");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->id(), "x");
  ASSERT_EQ(m->units_size(), 1);
  EXPECT_EQ(m->units(0).weight(), 2u);
}

TEST(MeetingFileTest, SyntaxErrorNamesLineAndColumn) {
  auto m = ParseMeeting("id: \"x\"\ntitle: \"T\"\nunits { id: \"a\" nme: \"A\" }\n");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("line 3:"), std::string::npos) << m.status().message();
  EXPECT_NE(m.status().message().find("nme"), std::string::npos) << m.status().message();
}

TEST(MeetingFileTest, MissingFileIsNotFound) {
  auto m = LoadMeetingFile("/nonexistent/meeting.textproto");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
}

TEST(MeetingFileTest, LoadValidates) {
  std::string path = ::testing::TempDir() + "/bad-meeting.textproto";
  {
    std::ofstream out(path);
    out << "id: \"Bad Id\" title: \"T\"\n";
  }
  auto m = LoadMeetingFile(path);
  std::remove(path.c_str());
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("meeting id 'Bad Id'"), std::string::npos)
      << m.status().message();
}

TEST(MeetingFileTest, ExamplesLoadAndValidate) {
  for (const char* name : {"cum4-2024", "khoi1-backan-2022"}) {
    auto m = LoadMeetingFile(std::string(PHIEU_SOURCE_DIR) + "/examples/" + name + ".textproto");
    ASSERT_TRUE(m.ok()) << name << ": " << m.status().ToString();
    EXPECT_EQ(m->id(), name);
  }
}

}  // namespace
}  // namespace phieu::meeting
