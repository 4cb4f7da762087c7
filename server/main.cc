// phieu-server: serves one meeting over mutual TLS 1.3.
//
//   phieu-server --certs DIR [--data DIR] [--listen HOST:PORT] [--port-file FILE]
//
// DIR is the chair's meeting directory made by `phieu certs init` (or the
// real-way commands): DIR/ca/ca.pem, DIR/server/{server.pem,server.key,
// signing.key} and DIR/genesis.entry. Each file can also be named on its
// own (--ca, --cert, --key, --signing-key, --genesis). Loopback by default.
// SIGINT / SIGTERM stop it cleanly; a restart carries on where it stopped.
#include <signal.h>
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <thread>

#include "client/args.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/crypto/private_file.h"
#include "server/meeting_service.h"
#include "server/server.h"

namespace {

using phieu::Result;
using phieu::Status;

constexpr char kUsage[] =
    "usage: phieu-server --certs DIR [--data DIR] [--listen HOST:PORT] [--port-file FILE]\n"
    "       [--ca FILE] [--cert FILE] [--key FILE] [--signing-key FILE] [--genesis FILE]\n"
    "       [--heartbeat SECONDS] [--idle-drop SECONDS] [--workers N]\n"
    "       [--post-rate PER_SECOND] [--post-burst N] [--officer-post-rate PER_SECOND]\n"
    "       [--officer-post-burst N] [--max-connections N] [--max-unauthenticated N]\n"
    "       [--event-gather MS]\n"
    "Serves one meeting over mutual TLS 1.3 (loopback unless --listen names another address).\n";

int Fail(const Status& s) {
  std::cerr << "phieu-server: " << s.message() << "\n";
  return 1;
}

Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos) return phieu::InvalidArgument("--listen needs HOST:PORT");
  std::string host = s.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  int port = std::atoi(s.substr(colon + 1).c_str());
  if (port < 0 || port > 65535) return phieu::InvalidArgument("--listen has a bad port");
  return std::make_pair(host, static_cast<uint16_t>(port));
}

// A flag's value as a number from `min` to one million; `fallback` when the flag is absent.
Result<double> NumberFlag(const phieu::client::Args& args, const std::string& name, double fallback,
                          double min) {
  constexpr double kMax = 1e6;
  if (!args.Has(name)) return fallback;
  const std::string text = args.Get(name);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= min && v <= kMax)) {
    return phieu::InvalidArgument("--" + name + " needs a number from " + std::to_string(static_cast<int>(min)) +
                                  " to 1000000, not '" + text + "'");
  }
  return v;
}

int Main(int argc, char** argv) {
  std::vector<std::string> argv_list(argv + 1, argv + argc);
  auto args = phieu::client::Args::Parse(
      argv_list,
      {"certs", "data", "listen", "port-file", "ca", "cert", "key", "signing-key", "genesis",
       "heartbeat", "idle-drop", "workers", "post-rate", "post-burst", "officer-post-rate",
       "officer-post-burst", "max-connections", "max-unauthenticated", "event-gather"},
      {"help"});
  if (!args.ok()) {
    std::cerr << "phieu-server: " << args.status().message() << "\n" << kUsage;
    return 2;
  }
  if (args->Has("help")) {
    std::cout << kUsage;
    return 0;
  }
  const std::string dir = args->Get("certs");
  if (dir.empty() && !args->Has("ca")) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string ca_file = args->Get("ca", dir + "/ca/ca.pem");
  const std::string cert_file = args->Get("cert", dir + "/server/server.pem");
  const std::string key_file = args->Get("key", dir + "/server/server.key");
  const std::string signing_file = args->Get("signing-key", dir + "/server/signing.key");
  const std::string genesis_file = args->Get("genesis", dir + "/genesis.entry");
  const std::string data_dir = args->Get("data", dir.empty() ? "phieu-data" : dir + "/data");

  auto ca_pem = phieu::crypto::ReadFile(ca_file);
  if (!ca_pem.ok()) return Fail(ca_pem.status().Annotate("meeting CA"));
  auto ca = phieu::crypto::Certificate::FromPem(*ca_pem);
  if (!ca.ok()) return Fail(ca.status().Annotate(ca_file));
  auto signing_pem = phieu::crypto::ReadFile(signing_file);
  if (!signing_pem.ok()) return Fail(signing_pem.status().Annotate("server signing key"));
  auto signing = phieu::crypto::PrivateKey::FromPem(*signing_pem);
  if (!signing.ok()) return Fail(signing.status().Annotate(signing_file));

  phieu::v1::SignedEntry genesis;
  bool have_genesis = false;
  if (auto g = phieu::crypto::ReadFile(genesis_file); g.ok()) {
    if (!genesis.ParseFromString(*g)) return Fail(phieu::InvalidArgument(genesis_file + " is not a genesis entry"));
    have_genesis = true;
  }

  phieu::server::MeetingServiceOptions service_options;
  service_options.data_dir = data_dir;
  auto post_rate = NumberFlag(*args, "post-rate", service_options.post_rate.per_second, 0);
  if (!post_rate.ok()) return Fail(post_rate.status());
  auto post_burst = NumberFlag(*args, "post-burst", service_options.post_rate.burst, 1);
  if (!post_burst.ok()) return Fail(post_burst.status());
  service_options.post_rate = phieu::server::RateLimit{*post_rate, *post_burst};
  auto officer_rate =
      NumberFlag(*args, "officer-post-rate", service_options.officer_post_rate.per_second, 0);
  if (!officer_rate.ok()) return Fail(officer_rate.status());
  auto officer_burst = NumberFlag(*args, "officer-post-burst", service_options.officer_post_rate.burst, 1);
  if (!officer_burst.ok()) return Fail(officer_burst.status());
  service_options.officer_post_rate = phieu::server::RateLimit{*officer_rate, *officer_burst};
  auto service = phieu::server::MeetingService::Open(service_options, *ca, std::move(*signing),
                                                     have_genesis ? &genesis : nullptr);
  if (!service.ok()) return Fail(service.status());

  auto listen = ParseListen(args->Get("listen", "127.0.0.1:7443"));
  if (!listen.ok()) return Fail(listen.status());
  phieu::server::ServerOptions options;
  options.listen_host = listen->first;
  options.port = listen->second;
  options.cert_file = cert_file;
  options.key_file = key_file;
  options.ca_file = ca_file;
  if (args->Has("heartbeat")) options.heartbeat = std::chrono::seconds(std::atoi(args->Get("heartbeat").c_str()));
  if (args->Has("idle-drop")) options.idle_drop = std::chrono::seconds(std::atoi(args->Get("idle-drop").c_str()));
  auto max_connections = NumberFlag(*args, "max-connections", static_cast<double>(options.max_connections), 1);
  if (!max_connections.ok()) return Fail(max_connections.status());
  options.max_connections = static_cast<size_t>(*max_connections);
  auto max_unauthenticated =
      NumberFlag(*args, "max-unauthenticated", static_cast<double>(options.max_unauthenticated), 1);
  if (!max_unauthenticated.ok()) return Fail(max_unauthenticated.status());
  options.max_unauthenticated = static_cast<size_t>(*max_unauthenticated);
  auto event_gather = NumberFlag(*args, "event-gather", static_cast<double>(options.event_gather.count()), 0);
  if (!event_gather.ok()) return Fail(event_gather.status());
  if (*event_gather > 1000) return Fail(phieu::InvalidArgument("--event-gather is at most 1000 ms"));
  options.event_gather = std::chrono::milliseconds(static_cast<int64_t>(*event_gather));
  if (args->Has("workers")) options.worker_threads = std::max(1, std::atoi(args->Get("workers").c_str()));
  // Every connection is a file descriptor: allow as many as the hard limit.
  if (rlimit lim{}; getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) std::cerr << "phieu-server: cannot raise the open-file limit\n";
  }
  if (rlimit lim{}; getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < options.max_connections + 64) {
    std::cerr << "phieu-server: warning: the open-file limit (" << lim.rlim_cur
              << ") is below --max-connections\n";
  }

  boost::asio::io_context io;
  phieu::server::Server server(io, options, **service);
  server.SetChainLength((*service)->chain_length());
  if (Status s = server.Start(); !s.ok()) return Fail(s);
  std::cout << "phieu-server: meeting " << genesis_file << " on " << options.listen_host << ":" << server.port()
            << ", board " << data_dir << "/board.sqlite (" << (*service)->chain_length() << " entries)\n"
            << std::flush;
  if (args->Has("port-file")) {
    if (Status s = phieu::crypto::WritePublicFile(args->Get("port-file"), std::to_string(server.port()));
        !s.ok()) {
      return Fail(s);
    }
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    std::cout << "phieu-server: signal " << sig << ", stopping\n" << std::flush;
    server.Stop();
  });
  io.run();
  std::cout << "phieu-server: stopped\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "phieu-server: fatal: " << e.what() << "\n";
    return 1;
  }
}
