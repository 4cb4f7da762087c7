// The HTTP/JSON layer of `phieu app` without sockets: the one-time token and
// the session cookie, the Host and Origin checks, routing to the backend,
// and the choices a page may send (parsed here, then checked by the rules).
#include "client/app/app_service.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "client/ballot_cast.h"
#include "core/rules/layout.h"

namespace phieu::client::app {
namespace {

namespace json = boost::json;

class FakeBackend : public AppBackend {
 public:
  Result<json::object> State() override {
    ++state_calls;
    json::object o;
    o["ok"] = true;
    return o;
  }
  Result<json::object> Act(const std::string& action, const json::object& args) override {
    actions.push_back(action);
    if (action == "vote") {
      ASSIGN_OR_RETURN(std::vector<std::string> choices, ChoicesFromJson(args));
      last_choices = choices;
    }
    if (action == "close") return FailedPrecondition("ballot 'x' is not open");
    return json::object{{"seq", 7}};
  }
  Result<std::string> MinutesHtml(const std::string& ballot_id, bool english) override {
    return std::string("<html>") + ballot_id + (english ? " en" : " vi") + "</html>";
  }
  int state_calls = 0;
  std::vector<std::string> actions;
  std::vector<std::string> last_choices;
};

constexpr uint16_t kPort = 43117;
constexpr char kHost[] = "127.0.0.1:43117";

HttpRequest Get(const std::string& target, const std::string& cookie = "") {
  HttpRequest r;
  r.method = "GET";
  r.target = target;
  r.headers["host"] = kHost;
  if (!cookie.empty()) r.headers["cookie"] = cookie;
  return r;
}

HttpRequest PostJson(const std::string& target, const std::string& cookie) {
  HttpRequest r = Get(target, cookie);
  r.method = "POST";
  r.headers["content-type"] = "application/json";
  r.headers["origin"] = "http://127.0.0.1:43117";
  return r;
}

std::string HeaderOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

class AppServiceTest : public ::testing::Test {
 protected:
  // Opens the one-time link and returns the session cookie ("phieu_session=...").
  std::string Login() {
    HttpResponse r = service.Handle(Get("/open?token=" + token), "");
    EXPECT_EQ(r.status, 303);
    const std::string set = HeaderOf(r, "Set-Cookie");
    return set.substr(0, set.find(';'));
  }
  FakeBackend backend;
  std::string token = NewSecret();
  AppService service{&backend, kPort, token};
};

TEST_F(AppServiceTest, TokenIsExchangedOnceForAStrictHttpOnlyCookie) {
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(service.OpenUrl(), "http://127.0.0.1:43117/open?token=" + token);
  HttpResponse r = service.Handle(Get("/open?token=" + token), "");
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(HeaderOf(r, "Location"), "/");
  const std::string cookie = HeaderOf(r, "Set-Cookie");
  EXPECT_NE(cookie.find("phieu_session_43117="), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(cookie.find(token), std::string::npos) << "the session id is not the token";
  // The link works once.
  EXPECT_EQ(service.Handle(Get("/open?token=" + token), "").status, 403);
}

TEST_F(AppServiceTest, WrongTokenIsRefusedAndDoesNotBurnTheRealOne) {
  EXPECT_EQ(service.Handle(Get("/open?token=" + std::string(64, '0')), "").status, 403);
  EXPECT_EQ(service.Handle(Get("/open"), "").status, 403);
  EXPECT_EQ(service.Handle(Get("/open?token=" + token), "").status, 303);
}

TEST_F(AppServiceTest, EverythingElseNeedsTheSessionCookie) {
  EXPECT_EQ(service.Handle(Get("/"), "").status, 401);
  EXPECT_EQ(service.Handle(Get("/api/state"), "").status, 401);
  EXPECT_EQ(service.Handle(Get("/api/state", "phieu_session_43117=" + std::string(64, 'a')), "").status, 401);
  EXPECT_EQ(service.Handle(Get("/api/state", "phieu_session_43117=" + token), "").status, 401) << "the token is no session";
  EXPECT_EQ(backend.state_calls, 0);
  const std::string cookie = Login();
  HttpResponse r = service.Handle(Get("/api/state", "other=1; " + cookie), "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(backend.state_calls, 1);
  EXPECT_EQ(json::parse(r.body).as_object().at("ok").as_bool(), true);
}

TEST_F(AppServiceTest, HostHeaderMustBeTheLoopbackAddressAndPort) {
  const std::string cookie = Login();
  for (const std::string host : {"localhost:43117", "evil.example:43117", "127.0.0.1:80", "127.0.0.1", ""}) {
    HttpRequest r = Get("/api/state", cookie);
    r.headers["host"] = host;
    EXPECT_EQ(service.Handle(r, "").status, 403) << host;
  }
  // Even the one-time link is refused under another host name (DNS rebinding).
  AppService fresh(&backend, kPort, token);
  HttpRequest open = Get("/open?token=" + token);
  open.headers["host"] = "attacker.example:43117";
  EXPECT_EQ(fresh.Handle(open, "").status, 403);
  EXPECT_EQ(backend.state_calls, 0);
}

TEST_F(AppServiceTest, ServesTheEmbeddedPageWithoutCors) {
  const std::string cookie = Login();
  HttpResponse page = service.Handle(Get("/", cookie), "");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("Phiếu"), std::string::npos);
  EXPECT_NE(HeaderOf(page, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  HttpResponse js = service.Handle(Get("/app.js", cookie), "");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(service.Handle(Get("/nope.js", cookie), "").status, 404);
  for (const HttpResponse& r : {page, js}) {
    EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), "");
    EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-store");
  }
}

TEST_F(AppServiceTest, ActionsArePostedJsonFromTheSameOrigin) {
  const std::string cookie = Login();
  HttpRequest vote = PostJson("/api/vote", cookie);
  HttpResponse ok = service.Handle(vote, R"({"ballot":"b","choices":["son-la","lao-cai"]})");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(backend.last_choices, (std::vector<std::string>{"son-la", "lao-cai"}));

  HttpRequest foreign = vote;
  foreign.headers["origin"] = "http://evil.example";
  EXPECT_EQ(service.Handle(foreign, R"({"choices":[]})").status, 409);
  HttpRequest form = vote;
  form.headers["content-type"] = "application/x-www-form-urlencoded";
  EXPECT_EQ(service.Handle(form, "choices=x").status, 422);
  EXPECT_EQ(service.Handle(vote, "not json").status, 422);
  EXPECT_EQ(service.Handle(vote, "[1,2]").status, 422);
  EXPECT_EQ(backend.actions.size(), 1u) << "refused requests never reach the backend";

  HttpRequest get_vote = Get("/api/vote", cookie);
  EXPECT_EQ(service.Handle(get_vote, "").status, 404);
}

TEST_F(AppServiceTest, RefusalsCarryTheReasonAndAStatus) {
  const std::string cookie = Login();
  HttpResponse r = service.Handle(PostJson("/api/close", cookie), "{}");
  EXPECT_EQ(r.status, 409);
  auto body = json::parse(r.body).as_object();
  EXPECT_EQ(body.at("error").as_string(), "ballot 'x' is not open");
  EXPECT_EQ(body.at("code").as_string(), "FAILED_PRECONDITION");
  EXPECT_EQ(HttpStatusFor(Unavailable("down")), 503);
  EXPECT_EQ(HttpStatusFor(InvalidArgument("bad")), 422);
  EXPECT_EQ(HttpStatusFor(VerificationFailed("sig")), 502);
}

TEST_F(AppServiceTest, MinutesAreServedAsHtmlWithTheirOwnPolicy) {
  const std::string cookie = Login();
  HttpResponse r = service.Handle(Get("/api/minutes?ballot=co-thi-dua&lang=en", cookie), "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<html>co-thi-dua en</html>");
  EXPECT_NE(HeaderOf(r, "Content-Security-Policy").find("default-src 'none'"), std::string::npos);
}

TEST(AppQuery, ParamsArePercentDecoded) {
  EXPECT_EQ(QueryParam("a=1&ballot=c%C3%A1-x&b=2", "ballot"), "cá-x");
  EXPECT_EQ(QueryParam("a=1", "ballot"), "");
  EXPECT_EQ(QueryParam("token=ab%2", "token"), "ab%2");
}

TEST(AppChoices, OnlyAListOfShortIdsIsAccepted) {
  auto parse = [](const std::string& s) { return ChoicesFromJson(json::parse(s).as_object()); };
  EXPECT_EQ(*parse(R"({"choices":[]})"), std::vector<std::string>{});
  EXPECT_EQ(*parse(R"({"choices":["yes","no","abstain"]})"), (std::vector<std::string>{"yes", "no", "abstain"}));
  EXPECT_EQ(parse(R"({})").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse(R"({"choices":"son-la"})").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse(R"({"choices":[1]})").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse(R"({"choices":[""]})").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse(R"({"choices":["Sơn La"]})").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse(R"({"choices":["<script>"]})").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse("{\"choices\":[\"" + std::string(65, 'a') + "\"]}").status().code(),
            StatusCode::kInvalidArgument);
  std::string many = "{\"choices\":[";
  for (int i = 0; i < 257; ++i) many += std::string(i ? "," : "") + "\"a\"";
  EXPECT_EQ(parse(many + "]}").status().code(), StatusCode::kInvalidArgument);
}

v1::BallotSpec Spec(v1::BallotKind kind, uint32_t k, bool no_blank) {
  v1::BallotSpec spec;
  spec.set_id("b");
  spec.set_kind(kind);
  spec.set_max_approvals(k);
  spec.set_ranks(k);
  spec.set_no_blank(no_blank);
  for (const char* id : {"son-la", "lao-cai", "ha-giang", "cao-bang"}) {
    auto* c = spec.add_candidates();
    c->set_id(id);
    c->set_name(id);
    c->set_unit_id(id);
  }
  return spec;
}

// What the page posts is checked again in C++ against the voter's ballot
// style, whatever the page already checked.
TEST(AppChoices, TheRulesCheckTheChoicesAgain) {
  auto check = [](const v1::BallotSpec& spec, const std::vector<std::string>& choices) {
    auto layout = rules::VoterLayout(spec, rules::AllCandidates(spec), "son-la");
    EXPECT_TRUE(layout.ok());
    return CheckedMarks(*layout, spec, "son-la", choices).status();
  };
  const auto one = Spec(v1::KIND_ELECT_ONE, 1, false);
  EXPECT_TRUE(check(one, {"lao-cai"}).ok());
  EXPECT_TRUE(check(one, {}).ok()) << "blank";
  EXPECT_FALSE(check(one, {"lao-cai", "ha-giang"}).ok());
  Status self = check(one, {"son-la"});
  EXPECT_EQ(self.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(self.message().find("itself"), std::string::npos) << self.message();
  EXPECT_FALSE(check(one, {"nowhere"}).ok());
  EXPECT_FALSE(check(Spec(v1::KIND_ELECT_ONE, 1, true), {}).ok()) << "no blank allowed";

  const auto approve = Spec(v1::KIND_APPROVE, 2, false);
  EXPECT_TRUE(check(approve, {"lao-cai", "ha-giang"}).ok());
  EXPECT_FALSE(check(approve, {"lao-cai", "ha-giang", "cao-bang"}).ok()) << "over k";
  EXPECT_FALSE(check(approve, {"lao-cai", "lao-cai"}).ok()) << "twice";

  const auto rank = Spec(v1::KIND_RANK, 3, false);
  EXPECT_TRUE(check(rank, {"cao-bang", "lao-cai"}).ok());
  EXPECT_FALSE(check(rank, {"cao-bang", "cao-bang"}).ok());

  const auto yna = Spec(v1::KIND_YES_NO_ABSTAIN, 0, false);
  EXPECT_TRUE(check(yna, {"yes", "no", "abstain"}).ok());
  EXPECT_FALSE(check(yna, {"yes", "no"}).ok()) << "an item left out";
  EXPECT_FALSE(check(yna, {"yes", "no", "maybe"}).ok());
}

}  // namespace
}  // namespace phieu::client::app
