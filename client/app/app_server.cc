// The socket side of `phieu app`: see app_server.h.
#include "client/app/app_server.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "client/app/app_backend.h"
#include "client/app/app_service.h"
#include "client/args.h"
#include "client/commands.h"

namespace phieu::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kIoDeadline = std::chrono::seconds(30);

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, app::AppService* service) : stream_(std::move(socket)), service_(service) {}

  void Start() { Read(); }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(64 * 1024);
    stream_.expires_after(kIoDeadline);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) return Close();
    const auto& req = parser_->get();
    app::HttpRequest in;
    in.method = std::string(req.method_string());
    in.target = std::string(req.target());
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      in.headers[name] = std::string(field.value());
    }
    app::HttpResponse out = service_->Handle(in, req.body());
    response_ = {};
    response_.version(req.version());
    response_.result(static_cast<http::status>(out.status));
    response_.set(http::field::server, "phieu-app");
    response_.set(http::field::content_type, out.content_type);
    for (const auto& [name, value] : out.headers) response_.insert(name, value);
    response_.body() = std::move(out.body);
    response_.keep_alive(req.keep_alive());
    response_.prepare_payload();
    stream_.expires_after(kIoDeadline);
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code wec, size_t) {
      if (wec || !self->response_.keep_alive()) return self->Close();
      self->Read();
    });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  app::AppService* service_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, tcp::acceptor acceptor, app::AppService* service)
      : io_(io), acceptor_(std::move(acceptor)), service_(service) {}

  void Accept() {
    acceptor_.async_accept(io_, [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<HttpSession>(std::move(s), self->service_)->Start();
      self->Accept();
    });
  }

  void Stop() {
    beast::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  asio::io_context& io_;
  tcp::acceptor acceptor_;
  app::AppService* service_;
};

void OpenBrowser(const std::string& url) {
  // Only xdg-open, only when present; the URL is ours (hex token), so no quoting issue.
  if (std::system("command -v xdg-open > /dev/null 2>&1") != 0) return;
  const std::string cmd = "xdg-open '" + url + "' > /dev/null 2>&1 &";
  if (std::system(cmd.c_str()) != 0) std::cerr << "phieu: could not start a browser; open the link yourself\n";
}

}  // namespace

int RunApp(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {"profile", "port", "seconds"}, {"no-browser"});
  if (!args.ok()) return Fail(args.status());
  const int port_flag = std::atoi(args->Get("port", "0").c_str());
  if (port_flag < 0 || port_flag > 65535) return Fail(InvalidArgument("--port is 0..65535"));
  const std::string profile = ProfileDir(args->Get("profile"));

  asio::io_context io(1);
  beast::error_code ec;
  tcp::acceptor acceptor(io);
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port_flag));
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Fail(Unavailable("cannot listen on 127.0.0.1:" + std::to_string(port_flag) + ": " + ec.message()));
  const uint16_t port = acceptor.local_endpoint().port();

  app::ClientBackend backend(profile);
  const std::string token = app::NewSecret();
  if (token.empty()) return Fail(Internal("no random bytes for the one-time token"));
  app::AppService service(&backend, port, token);

  auto listener = std::make_shared<Listener>(io, std::move(acceptor), &service);
  listener->Accept();
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) {
    listener->Stop();
    io.stop();
  });
  asio::steady_timer limit(io);
  if (int seconds = std::atoi(args->Get("seconds", "0").c_str()); seconds > 0) {
    limit.expires_after(std::chrono::seconds(seconds));
    limit.async_wait([&](beast::error_code e) {
      if (e) return;
      listener->Stop();
      io.stop();
    });
  }

  const std::string url = service.OpenUrl();
  std::cout << "Phiếu: mở trang này trong trình duyệt / open this page in your browser:\n  " << url
            << "\n(liên kết dùng một lần / the link works once; Ctrl+C to stop)\n"
            << std::flush;
  if (!args->Has("no-browser")) OpenBrowser(url);
  io.run();
  return 0;
}

}  // namespace phieu::client
