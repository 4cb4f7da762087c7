#include "tests/server/meeting_harness.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <random>
#include <vector>

#include "certs/meeting_directory.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/crypto/private_file.h"
#include "tests/meeting_kit/meeting_kit.h"

namespace phieu::server {

std::string* MeetingHarness::root_ = nullptr;
std::map<std::string, certs::Credentials>* MeetingHarness::creds_ = nullptr;

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NewTempDir(const std::string& tag) {
  std::random_device rd;
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("phieu-meeting-service-" + tag + "-" + std::to_string(rd()) + std::to_string(rd())))
                        .string();
  std::filesystem::create_directories(dir);
  return dir;
}

v1::EntryBody PaperBatch(const std::string& run_id, const std::vector<std::string>& units,
                         const std::map<std::string, uint32_t>& votes, uint32_t valid, uint32_t blank,
                         uint32_t invalid) {
  static const std::vector<std::string> kCells = {"son-la",   "cao-bang", "lao-cai",  "ha-giang",
                                                  "lang-son", "lai-chau", "dien-bien", ""};
  v1::EntryBody body;
  v1::PaperBatch* b = body.mutable_paper_batch();
  b->set_run_id(run_id);
  for (const auto& c : kCells) {
    auto it = votes.find(c);
    b->add_counts(c.empty() ? blank : it == votes.end() ? 0 : it->second);
  }
  for (const auto& u : units) b->add_unit_ids(u);
  b->set_valid(valid);
  b->set_blank(blank);
  b->set_invalid(invalid);
  return body;
}

MeetingServiceOptions MeetingHarness::ServiceOptions() const {
  MeetingServiceOptions options;
  options.data_dir = data_dir_;
  return options;
}

std::string MeetingHarness::ParticipantDir(const std::string& id) {
  return certs::MeetingDirectory(*root_).ParticipantDir(id);
}

void MeetingHarness::SetUpTestSuite() {
  root_ = new std::string(NewTempDir("certs"));
  creds_ = new std::map<std::string, certs::Credentials>();
  auto text = crypto::ReadFile(std::string(PHIEU_SOURCE_DIR) + "/examples/cum4-2024.textproto");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  auto keys = testing::InitMeetingKeys(*root_, *text, NowUnix());
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  *creds_ = std::move(keys->creds);
}

void MeetingHarness::TearDownTestSuite() {
  std::error_code ec;
  std::filesystem::remove_all(*root_, ec);
  delete root_;
  delete creds_;
  root_ = nullptr;
  creds_ = nullptr;
}

void MeetingHarness::SetUp() {
  data_dir_ = NewTempDir("data");
  std::string g = crypto::ReadFile(*root_ + "/genesis.entry").value();
  ASSERT_TRUE(genesis_.ParseFromString(g));
  ASSERT_TRUE(OpenService(&genesis_));
}

void MeetingHarness::TearDown() {
  svc_.reset();
  std::error_code ec;
  std::filesystem::remove_all(data_dir_, ec);
}

bool MeetingHarness::OpenService(const v1::SignedEntry* genesis, MeetingServiceOptions options) {
  auto ca = crypto::Certificate::FromPem(crypto::ReadFile(*root_ + "/ca/ca.pem").value());
  EXPECT_TRUE(ca.ok()) << ca.status().ToString();
  auto key = crypto::PrivateKey::FromPem(crypto::ReadFile(*root_ + "/server/signing.key").value());
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  if (!ca.ok() || !key.ok()) return false;
  auto svc = MeetingService::Open(options, *ca, std::move(key).value(), genesis);
  EXPECT_TRUE(svc.ok()) << svc.status().ToString();
  if (!svc.ok()) return false;
  svc_ = std::move(svc).value();
  view_ = record::BoardView();
  return Sync();
}

bool MeetingHarness::Sync() {
  Status s = testing::SyncView(*svc_, Who(kChair), &view_);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return s.ok();
}

v1::SignedEntry MeetingHarness::SignAs(const std::string& id, v1::EntryBody body) {
  auto se = testing::SignEntry(Creds(id), view_.meeting().id(), std::move(body));
  EXPECT_TRUE(se.ok()) << se.status().ToString();
  return se.ok() ? *se : v1::SignedEntry();
}

v1::Envelope MeetingHarness::PostSigned(const Identity& who, const v1::SignedEntry& se) {
  v1::Envelope req;
  req.set_request_id(7);
  *req.mutable_post()->mutable_entry() = se;
  v1::Envelope resp = svc_->Handle(who, req);
  EXPECT_EQ(resp.request_id(), 7u);
  Sync();
  return resp;
}

v1::Envelope MeetingHarness::Post(const std::string& id, const v1::EntryBody& body) {
  return PostSigned(Who(id), SignAs(id, body));
}

void MeetingHarness::ExpectPosted(const v1::Envelope& resp) {
  EXPECT_TRUE(resp.has_posted()) << resp.DebugString();
}
void MeetingHarness::ExpectError(const v1::Envelope& resp, v1::ErrorCode code, const std::string& words) {
  ASSERT_TRUE(resp.has_error()) << resp.DebugString();
  EXPECT_EQ(resp.error().code(), code) << resp.error().message();
  EXPECT_NE(resp.error().message().find(words), std::string::npos) << resp.error().message();
}

testing::PostFn MeetingHarness::Poster() {
  return [this](const std::string& id, const v1::EntryBody& body) -> Status {
    const v1::Envelope resp = Post(id, body);
    if (!resp.has_posted()) return FailedPrecondition("not posted: " + resp.ShortDebugString());
    return Status();
  };
}

void MeetingHarness::CheckInAll() {
  Status s = testing::CheckInAll(view_, *creds_, Poster());
  EXPECT_TRUE(s.ok()) << s.ToString();
}

void MeetingHarness::RunCeremony() {
  ExpectPosted(Post(kChair, testing::CeremonyStartBody(view_)));
  Status s = testing::DriveCeremony(view_, Poster(), &teller_shares_);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(view_.key_ready());
}

v1::EntryBody MeetingHarness::OpenBody() const { return testing::OpenBody(view_, kBallot); }

std::string MeetingHarness::OpenRun() {
  CheckInAll();
  RunCeremony();
  ExpectPosted(Post(kChair, OpenBody()));
  const record::Run* run = view_.OpenRun(kBallot);
  EXPECT_NE(run, nullptr);
  return run ? run->run_id : "";
}

v1::EntryBody MeetingHarness::Ballot(const std::string& run_id, const std::string& unit, const std::string& choice,
                                     crypto::BallotSecrets* secrets_out) {
  auto body = testing::BallotBody(view_, run_id, unit, {choice}, secrets_out);
  EXPECT_TRUE(body.ok()) << body.status().ToString();
  return body.ok() ? *body : v1::EntryBody();
}

v1::Genesis MeetingHarness::GenesisBody() const {
  v1::EntryBody body;
  EXPECT_TRUE(body.ParseFromString(genesis_.body()));
  return body.genesis();
}

}  // namespace phieu::server
