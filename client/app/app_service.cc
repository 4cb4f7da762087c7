// The HTTP/JSON layer of `phieu app`: see app_service.h.
#include "client/app/app_service.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "client/app/web_assets.h"
#include "core/crypto/secure.h"
#include "core/util/bytes.h"

namespace phieu::client::app {
namespace {

namespace json = boost::json;

constexpr size_t kMaxBody = 64 * 1024;
// The page's own files only: no inline script, no other origin, no frames.
constexpr char kPageCsp[] =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
// The minutes page carries its own print stylesheet inline and no script.
constexpr char kMinutesCsp[] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

HttpResponse Json(int status, const json::object& o) {
  HttpResponse r;
  r.status = status;
  r.body = json::serialize(o);
  return r;
}

HttpResponse Plain(int status, const std::string& text) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = text;
  return r;
}

std::string Header(const HttpRequest& req, const std::string& name) {
  auto it = req.headers.find(name);
  return it == req.headers.end() ? "" : it->second;
}

// The value of cookie `name` in a Cookie header ("a=1; b=2").
std::string CookieValue(const std::string& header, const std::string& name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string part = header.substr(pos, end - pos);
    size_t a = part.find_first_not_of(' ');
    if (a != std::string::npos) part = part.substr(a);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return "";
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexDigit(s[i + 1]) >= 0 && HexDigit(s[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2]));
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

bool IdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

void AddSecurityHeaders(HttpResponse* r) {
  r->headers.emplace_back("Cache-Control", "no-store");
  r->headers.emplace_back("X-Content-Type-Options", "nosniff");
  r->headers.emplace_back("Referrer-Policy", "no-referrer");
  r->headers.emplace_back("X-Frame-Options", "DENY");
}

}  // namespace

std::string NewSecret() {
  std::string raw = crypto::RandomBytes(32);
  std::string hex = raw.empty() ? "" : Hex(raw);
  crypto::SecureWipe(raw);
  return hex;
}

std::string QueryParam(const std::string& query, const std::string& name) {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t end = query.find('&', pos);
    if (end == std::string::npos) end = query.size();
    const std::string part = query.substr(pos, end - pos);
    if (part.rfind(name + "=", 0) == 0) return PercentDecode(part.substr(name.size() + 1));
    pos = end + 1;
  }
  return "";
}

Result<std::vector<std::string>> ChoicesFromJson(const json::object& args) {
  const json::value* v = args.if_contains("choices");
  if (!v) return InvalidArgument("the request names no choices (\"choices\": [...], empty for a blank ballot)");
  if (!v->is_array()) return InvalidArgument("\"choices\" must be a list of candidate ids");
  const json::array& a = v->get_array();
  if (a.size() > 256) return InvalidArgument("too many choices (" + std::to_string(a.size()) + ")");
  std::vector<std::string> out;
  for (const json::value& c : a) {
    if (!c.is_string()) return InvalidArgument("each choice must be a candidate id (a string)");
    std::string id(c.get_string());
    if (id.empty() || id.size() > 64) return InvalidArgument("a choice must be 1 to 64 characters long");
    for (char ch : id) {
      if (!IdChar(ch)) return InvalidArgument("'" + id + "' is not a candidate id");
    }
    out.push_back(std::move(id));
  }
  return out;
}

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument: return 422;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kPermissionDenied:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kVerificationFailed: return 502;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kResourceExhausted: return 429;
    default: return 500;
  }
}

HttpResponse ErrorResponse(const Status& s) {
  json::object o;
  o["error"] = s.message();
  o["code"] = std::string(StatusCodeName(s.code()));
  return Json(HttpStatusFor(s), o);
}

AppService::AppService(AppBackend* backend, uint16_t port, std::string token)
    : backend_(backend),
      host_("127.0.0.1:" + std::to_string(port)),
      origin_("http://" + host_),
      cookie_("phieu_session_" + std::to_string(port)),
      token_(std::move(token)) {}

std::string AppService::OpenUrl() const { return origin_ + "/open?token=" + token_; }

bool AppService::HasSession(const HttpRequest& request) const {
  const std::string id = CookieValue(Header(request, "cookie"), cookie_);
  if (id.empty()) return false;
  for (const std::string& s : sessions_) {
    if (crypto::ConstantTimeEqual(s, id)) return true;
  }
  return false;
}

HttpResponse AppService::Open(const std::string& query) {
  const std::string given = QueryParam(query, "token");
  if (token_.empty() || token_used_ || !crypto::ConstantTimeEqual(given, token_)) {
    return Plain(403,
                 "Liên kết này không hợp lệ hoặc đã được dùng. Hãy chạy lại `phieu app`.\n"
                 "This link is not valid or was already used: run `phieu app` again for a new one.\n");
  }
  token_used_ = true;
  const std::string session = NewSecret();
  if (session.empty()) return ErrorResponse(Internal("no random bytes for a session id"));
  sessions_.insert(session);
  HttpResponse r = Plain(303, "");
  r.headers.emplace_back("Set-Cookie", cookie_ + "=" + session + "; Path=/; HttpOnly; SameSite=Strict");
  r.headers.emplace_back("Location", "/");
  return r;
}

HttpResponse AppService::Handle(const HttpRequest& request, const std::string& body) {
  HttpResponse r;
  const std::string& target = request.target;
  const size_t q = target.find('?');
  const std::string path = target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : target.substr(q + 1);
  if (Header(request, "host") != host_) {
    r = Plain(403, "refused: the Host header must be " + host_ + "\n");
  } else if (request.method == "GET" && path == "/open") {
    r = Open(query);
  } else if (!HasSession(request)) {
    r = Plain(401,
              "Hãy mở liên kết mà `phieu app` đã in ra. / Open the link that `phieu app` printed.\n");
  } else if (body.size() > kMaxBody) {
    r = ErrorResponse(ResourceExhausted("request body over " + std::to_string(kMaxBody) + " bytes"));
  } else if (path.rfind("/api/", 0) == 0) {
    r = Api(request, path.substr(5), query, body);
  } else if (request.method != "GET") {
    r = Plain(405, "only GET for " + path + "\n");
  } else if (const WebAsset* asset = FindWebAsset(path)) {
    r.content_type = std::string(asset->content_type);
    r.body = std::string(asset->data);
    r.headers.emplace_back("Content-Security-Policy", kPageCsp);
  } else {
    r = Plain(404, "no page " + path + "\n");
  }
  AddSecurityHeaders(&r);
  return r;
}

HttpResponse AppService::Api(const HttpRequest& request, const std::string& name, const std::string& query,
                             const std::string& body) {
  if (request.method == "GET" && name == "state") {
    auto state = backend_->State();
    if (!state.ok()) return ErrorResponse(state.status());
    return Json(200, *state);
  }
  if (request.method == "GET" && name == "minutes") {
    auto html = backend_->MinutesHtml(QueryParam(query, "ballot"), QueryParam(query, "lang") == "en");
    if (!html.ok()) return ErrorResponse(html.status());
    HttpResponse r;
    r.content_type = "text/html; charset=utf-8";
    r.body = *html;
    r.headers.emplace_back("Content-Security-Policy", kMinutesCsp);
    return r;
  }
  if (request.method != "POST") return ErrorResponse(NotFound("no " + request.method + " /api/" + name));
  const std::string origin = Header(request, "origin");
  if (!origin.empty() && origin != origin_) {
    return ErrorResponse(PermissionDenied("refused: a request from another origin (" + origin + ")"));
  }
  if (Header(request, "content-type").rfind("application/json", 0) != 0) {
    return ErrorResponse(InvalidArgument("an action must be sent as application/json"));
  }
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return ErrorResponse(InvalidArgument("the request body is not a JSON object"));
  auto done = backend_->Act(name, v.get_object());
  if (!done.ok()) return ErrorResponse(done.status());
  return Json(200, *done);
}

}  // namespace phieu::client::app
