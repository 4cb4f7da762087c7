#include "tests/server/meeting_harness.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "certs/meeting_directory.h"
#include "core/crypto/ballot_crypto.h"
#include "core/crypto/ceremony.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/crypto/private_file.h"
#include "core/record/run_support.h"
#include "core/rules/layout.h"
#include "tests/server/ceremony_driver.h"

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
  certs::MeetingDirectory dir(*root_);
  std::string text = crypto::ReadFile(std::string(PHIEU_SOURCE_DIR) + "/examples/cum4-2024.textproto").value();
  Status s = dir.InitAll(text, "127.0.0.1:7443", certs::DefaultServerNames(), NowUnix());
  ASSERT_TRUE(s.ok()) << s.ToString();
  creds_ = new std::map<std::string, certs::Credentials>();
  auto meeting = dir.LoadMeeting();
  ASSERT_TRUE(meeting.ok()) << meeting.status().ToString();
  for (const auto& p : meeting->participants()) {
    auto c = certs::LoadCredentials(dir.ParticipantDir(p.id()), NowUnix());
    ASSERT_TRUE(c.ok()) << p.id() << ": " << c.status().ToString();
    creds_->emplace(p.id(), std::move(c).value());
  }
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
  for (;;) {
    v1::Envelope req;
    req.mutable_get_entries()->set_from_seq(view_.length());
    v1::Envelope resp = svc_->Handle(Who(kChair), req);
    EXPECT_TRUE(resp.has_entries()) << resp.DebugString();
    if (!resp.has_entries()) return false;
    if (resp.entries().entries_size() == 0) return true;
    for (const auto& e : resp.entries().entries()) {
      Status s = view_.Apply(e);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok()) return false;
    }
  }
}

v1::SignedEntry MeetingHarness::SignAs(const std::string& id, v1::EntryBody body) {
  body.set_meeting_id(view_.meeting().id());
  v1::SignedEntry se;
  EXPECT_TRUE(body.SerializeToString(se.mutable_body()));
  se.set_author(Creds(id).cert.Pin());
  se.set_signature(Creds(id).key.Sign(crypto::kEntryDomain, se.body()).value());
  return se;
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

void MeetingHarness::CheckInAll() {
  for (const auto& p : view_.meeting().participants()) {
    if (p.unit_id().empty()) continue;
    v1::EntryBody body;
    body.mutable_check_in()->set_unit_id(p.unit_id());
    body.mutable_check_in()->set_own_pin(Creds(p.id()).cert.Pin());
    ExpectPosted(Post(p.id(), body));
  }
}

void MeetingHarness::RunCeremony() {
  const v1::TellerSettings& ts = view_.meeting().tellers();
  v1::EntryBody start;
  start.mutable_ceremony_start()->set_attempt(view_.ceremony().attempt + 1);
  for (const auto& id : ts.participant_ids()) start.mutable_ceremony_start()->add_teller_ids(id);
  start.mutable_ceremony_start()->set_threshold(ts.threshold());
  ExpectPosted(Post(kChair, start));

  testing::DriveCeremony(
      view_, [&](const std::string& id, const v1::EntryBody& body) { ExpectPosted(Post(id, body)); },
      &teller_shares_);
  ASSERT_TRUE(view_.key_ready());
}

v1::EntryBody MeetingHarness::OpenBody() const {
  v1::EntryBody open;
  open.mutable_open()->set_ballot_id(kBallot);
  open.mutable_open()->set_round(1);
  open.mutable_open()->set_ceremony_done(view_.ceremony().done_entry);
  return open;
}

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
  v1::EntryBody body;
  const record::Run* run = view_.FindRun(run_id);
  EXPECT_NE(run, nullptr);
  if (!run) return body;
  auto layout = record::VoterLayoutFor(view_, *run, unit);
  EXPECT_TRUE(layout.ok()) << layout.status().ToString();
  auto marks = rules::MarksFor(*layout, *view_.Spec(kBallot), {choice}, unit);
  EXPECT_TRUE(marks.ok()) << marks.status().ToString();
  auto ctx = record::RunContext(view_, *run);
  auto key = record::JointKey(view_);
  EXPECT_TRUE(ctx.ok() && key.ok());
  crypto::BallotSecrets secrets;
  auto enc = crypto::EncryptBallot(*ctx, *key, *layout, *marks, run_id, unit, secrets_out ? secrets_out : &secrets);
  EXPECT_TRUE(enc.ok()) << enc.status().ToString();
  *body.mutable_ballot() = *enc;
  return body;
}

v1::Genesis MeetingHarness::GenesisBody() const {
  v1::EntryBody body;
  EXPECT_TRUE(body.ParseFromString(genesis_.body()));
  return body.genesis();
}

}  // namespace phieu::server
