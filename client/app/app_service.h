// The HTTP/JSON layer of `phieu app`, testable without sockets: one request
// in, one response out (the Beast code in app_server.cc only moves bytes).
//
// Who may talk to it: only the browser that opened the one-time link
// http://127.0.0.1:PORT/open?token=T that `phieu app` printed. That request
// trades the token (usable once) for a random session id in an HttpOnly,
// SameSite=Strict cookie phieu_session_PORT; every other request must carry that cookie. Every
// request must name Host 127.0.0.1:PORT exactly (DNS rebinding), and a POST
// must be application/json and, when the browser sends an Origin, come from
// http://127.0.0.1:PORT. No CORS headers are ever sent.
//
// What the page gets: the static files (embedded in the binary), JSON views of
// the board (GET /api/state), the minutes of a result as HTML (GET
// /api/minutes?ballot=ID&lang=vi|en), and actions (POST /api/ACTION with a
// JSON object). The page never holds a key: it posts candidate ids, and the
// backend encrypts, signs and sends.
//
// Errors: refusals are JSON {"error": message, "code": name} with 400 (bad
// request), 401/403 (no session, wrong host, token used), 404, 409 (refused
// by the meeting's rules or phase), 422 (choices break the ballot's rules),
// 502 (a check of the server's answer failed), 503 (server unreachable).
// Thread-safety: none; the server calls it from one thread.
#ifndef PHIEU_CLIENT_APP_APP_SERVICE_H_
#define PHIEU_CLIENT_APP_APP_SERVICE_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/util/status.h"

namespace phieu::client::app {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // "/api/state?x=y"
  std::map<std::string, std::string> headers;  // lowercase names
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
};

// What the pages act on: the participant's meeting client (app_backend.h).
class AppBackend {
 public:
  virtual ~AppBackend() = default;
  // The view the pages draw (see docs/app.md for its fields).
  virtual Result<boost::json::object> State() = 0;
  // A delegate's or the chair's action: "checkin", "prepare" (encrypt a
  // ballot for review), "vote" (cast the prepared ballot, or resend the
  // stored one), "check" (spoil the prepared ballot), "discard", "open",
  // "close", "runoff", "checkin-unit", "ceremony". Returns what the page shows next.
  virtual Result<boost::json::object> Act(const std::string& action, const boost::json::object& args) = 0;
  // The counting minutes of `ballot_id`'s latest result, as an HTML page.
  virtual Result<std::string> MinutesHtml(const std::string& ballot_id, bool english) = 0;
};

class AppService {
 public:
  // `port` is the one the server listens on (for the Host and Origin checks);
  // `token` the one-time token printed in the link.
  AppService(AppBackend* backend, uint16_t port, std::string token);

  HttpResponse Handle(const HttpRequest& request, const std::string& body);

  // The link to print: http://127.0.0.1:PORT/open?token=T
  std::string OpenUrl() const;

 private:
  HttpResponse Open(const std::string& query);
  HttpResponse Api(const HttpRequest& request, const std::string& path, const std::string& query,
                   const std::string& body);
  bool HasSession(const HttpRequest& request) const;

  AppBackend* backend_;
  std::string host_;    // "127.0.0.1:PORT"
  std::string origin_;  // "http://127.0.0.1:PORT"
  // Cookies are per host, not per port: the port in the name keeps two
  // `phieu app` on one laptop apart.
  std::string cookie_;
  std::string token_;
  bool token_used_ = false;
  std::set<std::string> sessions_;
};

// 32 random bytes as hex (tokens and session ids).
std::string NewSecret();

// The value of `name` in a query string ("a=1&b=2"), percent-decoded; "" if absent.
std::string QueryParam(const std::string& query, const std::string& name);

// The choices of a vote request: {"choices": ["id", ...]}, each a non-empty
// id of at most 64 bytes of [a-z0-9_.-] (or "yes"/"no"/"abstain"), at most
// 256 of them. InvalidArgument says what is wrong.
Result<std::vector<std::string>> ChoicesFromJson(const boost::json::object& args);

// The HTTP status for a refusal.
int HttpStatusFor(const Status& s);

// A JSON error body {"error": message, "code": name}.
HttpResponse ErrorResponse(const Status& s);

}  // namespace phieu::client::app

#endif  // PHIEU_CLIENT_APP_APP_SERVICE_H_
