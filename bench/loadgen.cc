// phieu-loadgen: a meeting of N delegates against a real phieu-server on
// loopback, with the server's own CPU time measured (bench/run.sh, issue 7).
//
//   phieu-loadgen --bin DIR --delegates N [--candidates 7] [--work DIR]
//                 [--handshakes H] [--idle C] [--cast held|rolling]
//                 [--concurrency K] [--spread SECONDS] [--close] [--verify]
//                 [--json FILE] [--mark CMD] [--server-args "FLAGS"]
//
// What it does, in order (each step optional after the set-up):
//  1. set-up: writes a meeting file (N delegates of N units, a chair, the
//     first three delegates are the tellers, threshold 2; one ELECT_ONE
//     ballot of --candidates candidates), makes every certificate the quick
//     way (certs::MeetingDirectory::InitAll), starts DIR/phieu-server as a
//     child, starts three `phieu teller run` children (reniced to 19 while
//     ballots are cast, so that the server's figures are not taken by the
//     tellers' own checking) and runs the key ceremony with `phieu ceremony
//     start`;
//  2. --handshakes H: H mutual-TLS connections (handshake + first Ping round
//     trip), K at a time: rate, server CPU per handshake;
//  3. --idle C: C connections held idle (N certificates shared round-robin:
//     the server allows several sessions per certificate), server RSS delta;
//  4. --cast: every delegate checks in over its own connection (held; the
//     chair checks everyone in at the door when rolling), the chair
//     opens the ballot, every ballot is encrypted, proved and signed BEFORE
//     the clock starts; then they are cast, `held` (all N connected, sent at
//     once or spread over --spread seconds) or `rolling` (K at a time:
//     connect, cast, disconnect); latency of each receipt, throughput, server
//     CPU per accepted ballot, and the curve operations one ballot's check
//     costs (crypto::Counters on VerifyBallot here);
//  5. --close: waits for the tellers to finish checking (their CPU stops
//     moving), the chair closes the run; time to the tally and to the signed
//     result, with the server's and the tellers' CPU time over that window;
//  6. --verify (after --close): `phieu record export`, then `phieu verify`
//     on the record: wall and CPU time.
// Prints one JSON object (and writes it to --json FILE).
//
// The load generator shares the machine with the server: server cost is read
// from /proc/PID/stat of the child, never from wall time.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "certs/meeting_ca.h"
#include "certs/meeting_directory.h"
#include "certs/certificate_request.h"
#include "client/args.h"
#include "core/crypto/ballot_crypto.h"
#include "core/crypto/group.h"
#include "core/crypto/private_file.h"
#include "core/record/board_view.h"
#include "core/record/run_support.h"
#include "core/rules/layout.h"
#include "server/frame.h"
#include "server/tls_context.h"

namespace phieu::bench {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::awaitable;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr char kBallot[] = "bau";
constexpr char kChair[] = "chair";

std::vector<pid_t> g_children;  // ended by Die()

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "phieu-loadgen: " << what << "\n";
  for (pid_t p : g_children) kill(p, SIGTERM);
  for (pid_t p : g_children) waitpid(p, nullptr, 0);
  std::exit(1);
}
void Check(const Status& s, const std::string& what) {
  if (!s.ok()) Die(what + ": " + s.message());
}

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string DelegateId(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "d%05d", i);
  return buf;
}
std::string UnitId(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "u%05d", i);
  return buf;
}

// ---- child processes and their CPU time ------------------------------------

struct ProcStat {
  double cpu_s = 0;  // user + system
  double sys_s = 0;  // system (the kernel's work for the process: sockets, disk)
  long rss_kib = 0;
};

ProcStat ReadProc(pid_t pid) {
  ProcStat out;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  auto close = line.rfind(')');
  if (close != std::string::npos) {
    std::istringstream rest(line.substr(close + 2));
    std::vector<std::string> f;
    for (std::string x; rest >> x;) f.push_back(x);
    // Fields after "(comm)": state is f[0]; utime is field 14 -> f[11], stime f[12].
    if (f.size() > 12) {
      const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
      out.cpu_s = (std::stod(f[11]) + std::stod(f[12])) / tick;
      out.sys_s = std::stod(f[12]) / tick;
    }
  }
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string l; std::getline(status, l);) {
    if (l.rfind("VmRSS:", 0) == 0) out.rss_kib = std::atol(l.c_str() + 6);
  }
  return out;
}

double SelfCpu() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& log, int nice_level) {
  pid_t pid = fork();
  if (pid < 0) Die("fork failed");
  if (pid == 0) {
    if (nice_level) setpriority(PRIO_PROCESS, 0, nice_level);
    FILE* f = std::fopen(log.c_str(), "a");
    if (f) {
      dup2(fileno(f), 1);
      dup2(fileno(f), 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  g_children.push_back(pid);
  return pid;
}

// setpriority on Linux acts on one thread: renice every thread of `pid`.
void Renice(pid_t pid, int level) {
  std::error_code ec;
  for (const auto& t : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    setpriority(PRIO_PROCESS, static_cast<id_t>(std::atoi(t.path().filename().c_str())), level);
  }
}

// Runs a child to its end; `cpu_s`, when given, receives its CPU time.
int RunToEnd(const std::vector<std::string>& argv, const std::string& log, double* cpu_s = nullptr) {
  pid_t pid = Spawn(argv, log, 0);
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  g_children.erase(std::remove(g_children.begin(), g_children.end(), pid), g_children.end());
  if (cpu_s) {
    *cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
             static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

// ---- one client connection ---------------------------------------------------

struct Client {
  Client(asio::io_context& io, std::shared_ptr<ssl::context> tls)
      : tls_ctx(std::move(tls)), stream(io, *tls_ctx), response_timer(io) {}
  std::shared_ptr<ssl::context> tls_ctx;
  ssl::stream<tcp::socket> stream;
  asio::steady_timer response_timer;  // cancelled when the awaited response arrives
  std::deque<std::string> out;
  bool writing = false;
  bool closed = false;
  std::string close_reason;  // the read error that ended the connection
  uint64_t next_id = 1;
  uint64_t waiting_id = 0;
  std::optional<v1::Envelope> response;
  // The chair's connection watches the board for the tally and the result.
  bool watch = false;
  std::function<void(const v1::EntryBody&)> on_entry;
};
using ClientPtr = std::shared_ptr<Client>;

awaitable<void> WriteLoop(ClientPtr c) {
  while (!c->out.empty()) {
    auto [ec, n] = co_await asio::async_write(c->stream, asio::buffer(c->out.front()), kNoThrow);
    if (ec) {
      c->closed = true;
      c->response_timer.cancel();
      break;
    }
    c->out.pop_front();
  }
  c->writing = false;
}

void Send(const ClientPtr& c, v1::Envelope env) {
  c->out.push_back(server::EncodeFrame(env));
  if (!c->writing) {
    c->writing = true;
    asio::co_spawn(c->stream.get_executor(), WriteLoop(c), asio::detached);
  }
}

void Deliver(const ClientPtr& c, std::string_view body) {
  // Events are parsed only when someone looks at them: heartbeats (small, to
  // answer with a Ping), frames while a response is awaited, the chair's.
  if (!c->watch && c->waiting_id == 0 && body.size() > 256) return;
  Result<v1::Envelope> env = server::DecodeFrameBody(body);
  if (!env.ok()) return;
  if (env->has_event()) {
    if (env->event().has_heartbeat()) {
      v1::Envelope ping;
      ping.mutable_ping();
      Send(c, ping);
    } else if (c->watch && env->event().has_appended() && c->on_entry) {
      v1::EntryBody b;
      if (b.ParseFromString(env->event().appended().signed_().body())) c->on_entry(b);
    }
    return;
  }
  if (c->waiting_id != 0 && env->request_id() == c->waiting_id) {
    c->response = std::move(env).value();
    c->waiting_id = 0;
    c->response_timer.cancel();
  }
}

awaitable<void> ReadLoop(ClientPtr c) {
  std::vector<char> buf(64 * 1024);
  std::string pending;
  for (;;) {
    auto [ec, n] = co_await c->stream.async_read_some(asio::buffer(buf), kNoThrow);
    if (ec) {
      c->close_reason = ec.message();
      break;
    }
    pending.append(buf.data(), n);
    size_t off = 0;
    while (pending.size() - off >= server::kFrameHeaderSize) {
      std::array<unsigned char, server::kFrameHeaderSize> h;
      std::memcpy(h.data(), pending.data() + off, h.size());
      const uint32_t len = server::DecodeFrameLength(h);
      if (pending.size() - off - h.size() < len) break;
      Deliver(c, std::string_view(pending).substr(off + h.size(), len));
      off += h.size() + len;
    }
    pending.erase(0, off);
  }
  c->closed = true;
  c->response_timer.cancel();
}

// Sends and waits for the response with the same id (nullopt: closed or timeout).
awaitable<std::optional<v1::Envelope>> Call(ClientPtr c, v1::Envelope req,
                                            std::chrono::seconds timeout = std::chrono::seconds(300)) {
  if (c->closed) co_return std::nullopt;
  req.set_request_id(c->next_id++);
  c->waiting_id = req.request_id();
  c->response.reset();
  Send(c, std::move(req));
  c->response_timer.expires_after(timeout);
  while (!c->response && !c->closed) {
    auto [ec] = co_await c->response_timer.async_wait(kNoThrow);
    if (!ec) break;  // timed out
  }
  c->waiting_id = 0;
  co_return std::move(c->response);
}

// TCP connect, TLS handshake, first Ping round trip (the server authenticates
// the certificate after the handshake and closes on refusal).
awaitable<bool> Open(ClientPtr c, tcp::endpoint ep) {
  auto [cec] = co_await c->stream.next_layer().async_connect(ep, kNoThrow);
  if (cec) co_return false;
  auto [hec] = co_await c->stream.async_handshake(ssl::stream_base::client, kNoThrow);
  if (hec) co_return false;
  asio::co_spawn(c->stream.get_executor(), ReadLoop(c), asio::detached);
  v1::Envelope ping;
  ping.mutable_ping();
  auto pong = co_await Call(c, ping, std::chrono::seconds(60));
  co_return pong && pong->has_pong();
}

void Shut(const ClientPtr& c) {
  boost::system::error_code ec;
  c->stream.next_layer().close(ec);
  c->closed = true;
}

// ---- the meeting -------------------------------------------------------------

struct Options {
  std::string bin, work;
  int delegates = 20, candidates = 7, workers = 2;
  int handshakes = 0, idle = 0, concurrency = 32;
  std::string cast;  // "", "held" or "rolling"
  double spread = 0;
  bool close = false;
  bool verify = false;
  std::string json;
  std::vector<std::string> server_args;  // --server-args "A B": more phieu-server flags
  std::string mark;  // --mark CMD: run as `CMD begin|end PHASE SERVER_PID` around a measured phase
};

struct Delegate {
  std::string id, unit;
  std::optional<crypto::PrivateKey> key;
  std::string pin;
  std::shared_ptr<ssl::context> tls;  // kept only for meetings up to kKeepTls
  v1::Envelope post;                  // the prepared ballot
};
// Above this many delegates, TLS contexts are made per connection (an
// SSL_CTX with its store is tens of KiB).
constexpr int kKeepTls = 2000;

class LoadGen {
 public:
  explicit LoadGen(Options o) : o_(std::move(o)), work_guard_(io_.get_executor()) {}
  ~LoadGen() { Stop(); }

  void SetUp();
  void Handshakes();
  // Runs --mark's command around a measured phase (e.g. to zero and dump a
  // profiler's counters: bench/callgrind.sh).
  void Mark(const char* what, const char* phase) const;
  void Idle();
  void Cast();
  void Close();
  void Verify();
  void Stop();
  std::string Json() const;

 private:
  template <typename T>
  T Run(awaitable<T> a) {
    return asio::co_spawn(io_, std::move(a), asio::use_future).get();
  }
  std::string Dir(const std::string& id) const { return o_.work + "/m/participants/" + id; }
  std::shared_ptr<ssl::context> Tls(const std::string& id) const;
  std::shared_ptr<ssl::context> TlsOf(const Delegate& d) const { return d.tls ? d.tls : Tls(d.id); }
  // certs init, the quick way, for thousands: MeetingDirectory's CA, server
  // and genesis steps; the participants' keys and certificates made here
  // with the same MeetingCa and CertificateRequest code on two threads,
  // written without fsync (throwaway bench files), the meeting file parsed once.
  void MakeCertificates(const std::string& meeting_text);
  ClientPtr NewClient(const std::shared_ptr<ssl::context>& tls) { return std::make_shared<Client>(io_, tls); }
  v1::Envelope PostOf(const Delegate& d, const v1::EntryBody& body) const;
  void SyncView();
  // Waits until the tellers have checked what is on the board; records the wait as `figure`.
  void WaitTellersIdle(double max_s, const std::string& figure);
  // Runs f(i) for i in [0, n), at most k at once.
  awaitable<void> ForEach(int n, int k, std::function<awaitable<void>(int)> f);
  void Add(const std::string& key, double v) { figures_.emplace_back(key, v); }

  Options o_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_guard_;
  std::thread io_thread_;
  tcp::endpoint ep_;
  pid_t server_ = 0;
  std::vector<pid_t> tellers_;
  std::vector<Delegate> delegates_;
  std::optional<Delegate> chair_;
  ClientPtr chair_conn_;
  record::BoardView view_;
  std::string run_id_;
  std::vector<std::pair<std::string, double>> figures_;
  bool stopped_ = false;
};

std::shared_ptr<ssl::context> LoadGen::Tls(const std::string& id) const {
  auto ctx = server::MakeClientTlsContext(
      {Dir(id) + "/cert.pem", Dir(id) + "/key.pem", o_.work + "/m/ca/ca.pem"});
  Check(ctx.status(), "TLS context of " + id);
  return *ctx;
}

v1::Envelope LoadGen::PostOf(const Delegate& d, const v1::EntryBody& body_in) const {
  v1::EntryBody body = body_in;
  body.set_meeting_id(view_.meeting().id());
  v1::Envelope env;
  v1::SignedEntry* se = env.mutable_post()->mutable_entry();
  if (!body.SerializeToString(se->mutable_body())) Die("cannot serialize an entry");
  se->set_author(d.pin);
  auto sig = d.key->Sign(crypto::kEntryDomain, se->body());
  Check(sig.status(), "signing an entry");
  se->set_signature(*sig);
  return env;
}

void WriteQuick(const std::string& path, std::string_view data, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) Die("cannot create " + path);
  const bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  ::close(fd);
  if (!ok) Die("cannot write " + path);
}

void LoadGen::MakeCertificates(const std::string& meeting_text) {
  const int64_t now = NowUnix();
  certs::MeetingDirectory dir(o_.work + "/m");
  Check(dir.CreateCa(meeting_text, now), "certs: CA");
  Check(dir.CreateServer(certs::DefaultServerNames(), now), "certs: server");
  auto meeting = dir.LoadMeeting();
  Check(meeting.status(), "certs: meeting");
  auto ca = dir.LoadCa();
  Check(ca.status(), "certs: CA");
  delegates_.resize(o_.delegates);
  chair_.emplace();
  chair_->id = kChair;
  for (int i = 0; i < o_.delegates; ++i) {
    delegates_[i].id = DelegateId(i + 1);
    delegates_[i].unit = UnitId(i + 1);
  }
  const certs::Validity validity = certs::Validity::Around(now);
  auto make = [&](Delegate& d) {
    const std::string pdir = dir.ParticipantDir(d.id);
    Check(crypto::MakeDirs(pdir, 0700), "certs: directory");
    auto key = crypto::PrivateKey::GenerateP256();
    Check(key.status(), "certs: key");
    auto csr = certs::CertificateRequest::Create(*key, d.id);
    Check(csr.status(), "certs: request");
    auto cert = ca->SignRequest(*csr, d.id, validity);
    Check(cert.status(), "certs: sign");
    auto cert_pem = cert->Pem();
    auto key_pem = key->ToPem();
    Check(cert_pem.status(), "certs: PEM");
    Check(key_pem.status(), "certs: PEM");
    WriteQuick(pdir + "/cert.pem", *cert_pem, 0644);
    WriteQuick(pdir + "/key.pem", *key_pem, 0600);
    d.pin = cert->Pin();
    d.key.emplace(std::move(key).value());
  };
  std::thread helper([&] {
    for (int i = 1; i < o_.delegates; i += 2) make(delegates_[i]);
  });
  for (int i = 0; i < o_.delegates; i += 2) make(delegates_[i]);
  helper.join();
  make(*chair_);
  Check(dir.BuildGenesis(*meeting, now).status(), "certs: genesis");
}

void LoadGen::SetUp() {
  const auto t0 = Clock::now();
  std::filesystem::create_directories(o_.work);
  std::ostringstream m;
  m << "id: \"bench-" << o_.delegates << "\" title: \"phieu-loadgen\" date: \"2026-11-23\"\n"
    << "place: \"loopback\" locality: \"loopback\" time_zone: \"Asia/Ho_Chi_Minh\"\n";
  for (int i = 1; i <= o_.delegates; ++i) m << "units { id: \"" << UnitId(i) << "\" name: \"Unit " << i << "\" }\n";
  m << "participants { id: \"" << kChair << "\" name: \"Chair\" roles: [ROLE_CHAIR] }\n";
  for (int i = 1; i <= o_.delegates; ++i) {
    m << "participants { id: \"" << DelegateId(i) << "\" name: \"Delegate " << i << "\" roles: [ROLE_DELEGATE"
      << (i <= 3 ? ", ROLE_TELLER" : "") << "] unit_id: \"" << UnitId(i) << "\" }\n";
  }
  m << "tellers { participant_ids: [\"" << DelegateId(1) << "\", \"" << DelegateId(2) << "\", \""
    << DelegateId(3) << "\"] threshold: 2 }\n";
  m << "ballots { id: \"" << kBallot << "\" question: \"Elect one\" kind: KIND_ELECT_ONE\n";
  for (int c = 1; c <= o_.candidates; ++c) m << "  candidates { id: \"c" << c << "\" name: \"Candidate " << c << "\" }\n";
  m << "}\n";

  certs::MeetingDirectory dir(o_.work + "/m");
  MakeCertificates(m.str());
  const auto t_certs = Clock::now();
  Add("setup_certificates_s", Seconds(t_certs - t0));

  std::vector<std::string> argv = {o_.bin + "/phieu-server", "--certs", o_.work + "/m", "--listen", "127.0.0.1:0",
                                   "--port-file", o_.work + "/port", "--workers", std::to_string(o_.workers),
                                   "--max-connections", std::to_string(std::max(o_.idle, o_.delegates) + 1024)};
  if (o_.cast == "rolling") {
    // The chair checks every delegate in at the door: lift the per-certificate
    // post rate (10/s by default) for this run.
    for (const char* a : {"--post-rate", "1000000", "--post-burst", "1000000"}) argv.push_back(a);
  }
  argv.insert(argv.end(), o_.server_args.begin(), o_.server_args.end());
  server_ = Spawn(argv, o_.work + "/server.log", 0);
  uint16_t port = 0;
  for (int i = 0; i < 600 && port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto p = crypto::ReadFile(o_.work + "/port");
    if (p.ok() && !p->empty()) port = static_cast<uint16_t>(std::atoi(p->c_str()));
  }
  if (port == 0) Die("the server did not start; see " + o_.work + "/server.log");
  ep_ = tcp::endpoint(asio::ip::make_address("127.0.0.1"), port);
  const std::string addr = "127.0.0.1:" + std::to_string(port);
  io_thread_ = std::thread([this] { io_.run(); });

  for (Delegate& d : delegates_) {
    if (o_.delegates <= kKeepTls) d.tls = Tls(d.id);
  }
  chair_->tls = Tls(kChair);

  // The tellers and the ceremony: the real client, as a meeting runs it.
  Check(dir.WriteProfile(kChair, addr), "chair profile");
  for (int i = 1; i <= 3; ++i) {
    const std::string id = DelegateId(i);
    Check(dir.WriteProfile(id, addr), "teller profile");
    Check(crypto::WritePrivateFile(o_.work + "/" + id + ".pass", "passphrase-" + id), "passphrase file");
    tellers_.push_back(Spawn({o_.bin + "/phieu", "teller", "run", "--profile", Dir(id), "--passphrase-file",
                              o_.work + "/" + id + ".pass", "--seconds", "3600"},
                             o_.work + "/teller-" + id + ".log", 0));
  }
  if (RunToEnd({o_.bin + "/phieu", "ceremony", "start", "--profile", Dir(kChair), "--wait", "300"},
               o_.work + "/chair.log") != 0) {
    Die("the key ceremony failed; see " + o_.work + "/chair.log");
  }
  chair_conn_ = NewClient(chair_->tls);
  if (!Run(Open(chair_conn_, ep_))) Die("the chair cannot connect");
  SyncView();
  if (!view_.key_ready()) Die("the key is not ready after the ceremony");
  Add("setup_total_s", Seconds(Clock::now() - t0));
}

void LoadGen::SyncView() {
  for (;;) {
    v1::Envelope req;
    req.mutable_get_entries()->set_from_seq(view_.length());
    auto resp = Run(Call(chair_conn_, req));
    if (!resp || !resp->has_entries()) Die("reading the board failed");
    if (resp->entries().entries_size() == 0) return;
    for (const auto& e : resp->entries().entries()) Check(view_.Apply(e), "board entry");
  }
}

awaitable<void> LoadGen::ForEach(int n, int k, std::function<awaitable<void>(int)> f) {
  auto next = std::make_shared<int>(0);
  auto left = std::make_shared<int>(std::max(1, std::min(k, n)));
  asio::steady_timer done(io_, Clock::time_point::max());
  for (int w = 0, workers = *left; w < workers; ++w) {
    asio::co_spawn(
        io_,
        [&, next, left]() -> awaitable<void> {
          while (*next < n) co_await f((*next)++);
          if (--*left == 0) done.cancel();
        },
        asio::detached);
  }
  if (n > 0) co_await done.async_wait(kNoThrow);
}

void LoadGen::Mark(const char* what, const char* phase) const {
  if (o_.mark.empty()) return;
  const std::string cmd = o_.mark + " " + what + " " + phase + " " + std::to_string(server_);
  if (std::system(cmd.c_str()) != 0) std::cerr << "phieu-loadgen: --mark command failed: " << cmd << "\n";
}

void LoadGen::Handshakes() {
  const int h = o_.handshakes;
  std::atomic<int> ok{0};
  Mark("begin", "handshakes");
  const ProcStat s0 = ReadProc(server_);
  const double self0 = SelfCpu();
  const auto t0 = Clock::now();
  Run(ForEach(h, o_.concurrency, [&](int i) -> awaitable<void> {
    ClientPtr c = NewClient(TlsOf(delegates_[i % delegates_.size()]));
    if (co_await Open(c, ep_)) ok.fetch_add(1);
    Shut(c);
  }));
  const double wall = Seconds(Clock::now() - t0);
  const ProcStat s1 = ReadProc(server_);
  Mark("end", "handshakes");
  Add("handshakes", ok.load());
  Add("handshake_failures", h - ok.load());
  Add("handshakes_per_s", ok.load() / wall);
  Add("handshake_server_cpu_ms", 1e3 * (s1.cpu_s - s0.cpu_s) / std::max(1, ok.load()));
  Add("handshake_server_sys_ms", 1e3 * (s1.sys_s - s0.sys_s) / std::max(1, ok.load()));
  Add("handshake_loadgen_cpu_ms", 1e3 * (SelfCpu() - self0) / std::max(1, ok.load()));
}

void LoadGen::Idle() {
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const ProcStat s0 = ReadProc(server_);
  std::vector<ClientPtr> held(o_.idle);
  std::atomic<int> ok{0};
  const auto t0 = Clock::now();
  Run(ForEach(o_.idle, o_.concurrency, [&](int i) -> awaitable<void> {
    held[i] = NewClient(TlsOf(delegates_[i % delegates_.size()]));
    if (co_await Open(held[i], ep_)) ok.fetch_add(1);
  }));
  const double wall = Seconds(Clock::now() - t0);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const ProcStat s1 = ReadProc(server_);
  Add("idle_connections", ok.load());
  Add("idle_connect_s", wall);
  Add("idle_server_rss_before_kib", s0.rss_kib);
  Add("idle_server_rss_after_kib", s1.rss_kib);
  Add("idle_kib_per_connection", static_cast<double>(s1.rss_kib - s0.rss_kib) / std::max(1, ok.load()));
  Run([&]() -> awaitable<void> {
    for (auto& c : held) Shut(c);
    co_return;
  }());
  held.clear();
  std::this_thread::sleep_for(std::chrono::seconds(2));
}

void LoadGen::WaitTellersIdle(double max_s, const std::string& figure) {
  // A teller that has checked every ballot sits waiting for events: its CPU
  // time stops moving. Polls until it has not moved for a second.
  const auto t0 = Clock::now();
  std::vector<double> last(tellers_.size(), -1);
  int still = 0;
  while (Seconds(Clock::now() - t0) < max_s && still < 4) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    bool moved = false;
    for (size_t i = 0; i < tellers_.size(); ++i) {
      double cpu = ReadProc(tellers_[i]).cpu_s;
      if (cpu > last[i] + 0.015) moved = true;
      last[i] = cpu;
    }
    still = moved ? 0 : still + 1;
  }
  Add(figure, Seconds(Clock::now() - t0));
}

void LoadGen::Cast() {
  const int n = static_cast<int>(delegates_.size());
  const bool held = o_.cast == "held";
  std::vector<ClientPtr> conns(n);
  std::atomic<int> refused{0};

  // Check-in: each delegate on its own connection (held), or the chair at
  // the door for everyone (rolling: one handshake per delegate, not two).
  const auto tc = Clock::now();
  if (held) {
    Run(ForEach(n, std::max(o_.concurrency, 64), [&](int i) -> awaitable<void> {
      ClientPtr c = NewClient(TlsOf(delegates_[i]));
      if (!co_await Open(c, ep_)) {
        refused.fetch_add(1);
        co_return;
      }
      v1::EntryBody body;
      body.mutable_check_in()->set_unit_id(delegates_[i].unit);
      body.mutable_check_in()->set_own_pin(delegates_[i].pin);
      auto r = co_await Call(c, PostOf(delegates_[i], body));
      if (!r || !r->has_posted()) refused.fetch_add(1);
      conns[i] = c;
    }));
  } else {
    Run([&]() -> awaitable<void> {
      for (int i = 0; i < n; ++i) {
        v1::EntryBody body;
        body.mutable_check_in()->set_unit_id(delegates_[i].unit);
        body.mutable_check_in()->set_by_chair(true);
        auto r = co_await Call(chair_conn_, PostOf(*chair_, body));
        if (!r || !r->has_posted()) refused.fetch_add(1);
      }
    }());
  }
  if (refused.load() != 0) Die(std::to_string(refused.load()) + " check-ins failed");
  Add("checkin_s", Seconds(Clock::now() - tc));

  // The chair opens the ballot.
  SyncView();
  v1::EntryBody open;
  open.mutable_open()->set_ballot_id(kBallot);
  open.mutable_open()->set_round(1);
  open.mutable_open()->set_ceremony_done(view_.ceremony().done_entry);
  auto opened = Run(Call(chair_conn_, PostOf(*chair_, open)));
  if (!opened || !opened->has_posted()) Die("open refused: " + (opened ? opened->DebugString() : "no answer"));
  SyncView();
  const record::Run* run = view_.OpenRun(kBallot);
  if (!run) Die("no open run after the open");
  run_id_ = run->run_id;

  // Every ballot encrypted, proved and signed before the clock starts.
  const auto tp = Clock::now();
  auto ctx = record::RunContext(view_, *run);
  auto key = record::JointKey(view_);
  Check(ctx.status(), "run context");
  Check(key.status(), "joint key");
  const v1::BallotSpec* spec = view_.Spec(kBallot);
  auto prepare = [&](int from, int step) {
    for (int i = from; i < n; i += step) {
      Delegate& d = delegates_[i];
      auto layout = record::VoterLayoutFor(view_, *run, d.unit);
      Check(layout.status(), "layout");
      auto marks = rules::MarksFor(*layout, *spec, {"c" + std::to_string(1 + i % o_.candidates)}, d.unit);
      Check(marks.status(), "marks");
      auto enc = crypto::EncryptBallot(*ctx, *key, *layout, *marks, run_id_, d.unit, nullptr);
      Check(enc.status(), "encrypting");
      v1::EntryBody body;
      *body.mutable_ballot() = *enc;
      d.post = PostOf(d, body);
    }
  };
  std::thread helper(prepare, 1, 2);
  prepare(0, 2);
  helper.join();
  Add("prepare_s", Seconds(Clock::now() - tp));

  // The curve operations the server must do for one ballot's proofs.
  {
    auto table = crypto::FixedBase::Create(*key);
    Check(table.status(), "joint key table");
    auto layout = record::VoterLayoutFor(view_, *run, delegates_[0].unit);
    v1::EntryBody body;
    body.ParseFromString(delegates_[0].post.post().entry().body());
    crypto::ResetCounters();
    Check(crypto::VerifyBallot(*ctx, *table, *layout, body.ballot()), "verifying a prepared ballot");
    const crypto::OpCounters ops = crypto::Counters();
    Add("ballot_verify_fixed_base", static_cast<double>(ops.fixed_base));
    Add("ballot_verify_variable_base", static_cast<double>(ops.variable_base));
    Add("ballot_verify_double_base", static_cast<double>(ops.double_base));
    Add("ballot_entry_bytes", static_cast<double>(delegates_[0].post.post().entry().ByteSizeLong()));
  }

  WaitTellersIdle(120, "tellers_idle_before_cast_s");
  // While ballots are cast the tellers run at nice 19: in a meeting their
  // checking happens on their own laptops, not on the server's cores.
  for (pid_t t : tellers_) Renice(t, 19);
  // The clock starts.
  std::vector<double> latency(n, -1);
  std::atomic<int> accepted{0}, lost{0};
  Mark("begin", "cast");
  const ProcStat s0 = ReadProc(server_);
  const double self0 = SelfCpu();
  const auto t0 = Clock::now();
  auto cast_one = [&](int i, ClientPtr c) -> awaitable<void> {
    const auto sent = Clock::now();
    auto r = co_await Call(c, delegates_[i].post);
    if (r && r->has_posted() && r->posted().has_receipt() && !r->posted().receipt().signature().empty()) {
      latency[i] = Seconds(Clock::now() - sent);
      accepted.fetch_add(1);
    } else {
      lost.fetch_add(1);
      if (r && r->has_error()) {
        std::cerr << delegates_[i].id << ": " << r->error().message() << "\n";
      } else {
        std::cerr << delegates_[i].id << ": "
                  << (!r ? (c->closed ? "connection closed before the answer (" + c->close_reason + ")"
                                      : std::string("no answer within the timeout"))
                         : "an answer without a signed receipt")
                  << " after " << Seconds(Clock::now() - sent) << " s\n";
      }
    }
  };
  if (held) {
    Run(ForEach(n, n, [&](int i) -> awaitable<void> {
      if (o_.spread > 0) {
        asio::steady_timer wait(io_, t0 + std::chrono::microseconds(static_cast<int64_t>(1e6 * o_.spread * i / n)));
        co_await wait.async_wait(kNoThrow);
      }
      co_await cast_one(i, conns[i]);
    }));
  } else {
    Run(ForEach(n, o_.concurrency, [&](int i) -> awaitable<void> {
      ClientPtr c = NewClient(TlsOf(delegates_[i]));
      if (!co_await Open(c, ep_)) {
        lost.fetch_add(1);
        co_return;
      }
      co_await cast_one(i, c);
      Shut(c);
    }));
  }
  const double wall = Seconds(Clock::now() - t0);
  const ProcStat s1 = ReadProc(server_);
  Mark("end", "cast");
  std::vector<double> ok;
  for (double l : latency) {
    if (l >= 0) ok.push_back(l);
  }
  std::sort(ok.begin(), ok.end());
  auto pct = [&](double p) { return ok.empty() ? 0.0 : ok[std::min(ok.size() - 1, static_cast<size_t>(p * ok.size()))]; };
  Add("cast_accepted", accepted.load());
  Add("cast_lost", lost.load());
  Add("cast_wall_s", wall);
  Add("cast_per_s", accepted.load() / wall);
  Add("cast_latency_p50_s", pct(0.50));
  Add("cast_latency_p99_s", pct(0.99));
  Add("cast_latency_max_s", ok.empty() ? 0.0 : ok.back());
  Add("cast_server_cpu_s", s1.cpu_s - s0.cpu_s);
  Add("cast_server_cpu_ms_per_ballot", 1e3 * (s1.cpu_s - s0.cpu_s) / std::max(1, accepted.load()));
  Add("cast_server_sys_ms_per_ballot", 1e3 * (s1.sys_s - s0.sys_s) / std::max(1, accepted.load()));
  Add("cast_loadgen_cpu_s", SelfCpu() - self0);
  Run([&]() -> awaitable<void> {
    for (auto& c : conns) {
      if (c) Shut(c);
    }
    co_return;
  }());
}

void LoadGen::Close() {
  if (run_id_.empty()) Die("--close needs --cast");
  // The casting is over: the tellers (nice 19 so far) check at full priority.
  for (pid_t t : tellers_) Renice(t, 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  WaitTellersIdle(900, "tellers_catch_up_before_close_s");
  std::atomic<bool> tallied{false}, result{false};
  Clock::time_point t_tally, t_result;
  chair_conn_->on_entry = [&](const v1::EntryBody& b) {
    if (b.has_tally() && b.tally().run_id() == run_id_ && !tallied) {
      t_tally = Clock::now();
      tallied = true;
    }
    if (b.has_result() && b.result().run_id() == run_id_ && !result) {
      t_result = Clock::now();
      result = true;
    }
  };
  asio::post(io_, [this] { chair_conn_->watch = true; });
  std::vector<double> tellers0;
  for (pid_t t : tellers_) tellers0.push_back(ReadProc(t).cpu_s);
  const ProcStat s0 = ReadProc(server_);
  v1::EntryBody close;
  close.mutable_close()->set_run_id(run_id_);
  const auto t0 = Clock::now();
  auto r = Run(Call(chair_conn_, PostOf(*chair_, close)));
  if (!r || !r->has_posted()) Die("close refused: " + (r ? r->DebugString() : "no answer"));
  const ProcStat s_closed = ReadProc(server_);
  while (!result && Seconds(Clock::now() - t0) < 600) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  if (!result) Die("no result within 600 s of the close");
  const ProcStat s1 = ReadProc(server_);
  double tellers_cpu = 0;
  for (size_t i = 0; i < tellers_.size(); ++i) tellers_cpu += ReadProc(tellers_[i]).cpu_s - tellers0[i];
  SyncView();
  const record::Run* run = view_.FindRun(run_id_);
  Add("close_ballots", run ? static_cast<double>(run->ballots.size()) : 0.0);
  Add("close_to_tally_s", Seconds(t_tally - t0));
  Add("close_to_result_s", Seconds(t_result - t0));
  Add("close_server_cpu_to_tally_s", s_closed.cpu_s - s0.cpu_s);
  Add("close_server_cpu_s", s1.cpu_s - s0.cpu_s);
  Add("close_tellers_cpu_s", tellers_cpu);
}

// `phieu record export` from the server, then `phieu verify` on the record:
// wall time and CPU time (both cores used?) per ballot.
void LoadGen::Verify() {
  const std::string record = o_.work + "/record.pb";
  if (RunToEnd({o_.bin + "/phieu", "record", "export", "--profile", Dir(kChair), "--out", record},
               o_.work + "/export.log") != 0) {
    Die("record export failed; see " + o_.work + "/export.log");
  }
  double cpu = 0;
  const auto t0 = Clock::now();
  if (RunToEnd({o_.bin + "/phieu", "verify", record, "--ca", o_.work + "/m/ca/ca.pem", "--quiet"},
               o_.work + "/verify.log", &cpu) != 0) {
    Die("phieu verify failed; see " + o_.work + "/verify.log");
  }
  const double wall = Seconds(Clock::now() - t0);
  Add("verify_entries", static_cast<double>(view_.length()));
  Add("verify_wall_s", wall);
  Add("verify_cpu_s", cpu);
  Add("verify_cores_used", cpu / wall);
}

void LoadGen::Stop() {
  if (stopped_) return;
  stopped_ = true;
  for (pid_t t : tellers_) kill(t, SIGTERM);
  if (server_) kill(server_, SIGTERM);
  for (pid_t t : tellers_) waitpid(t, nullptr, 0);
  if (server_) waitpid(server_, nullptr, 0);
  chair_conn_.reset();
  work_guard_.reset();
  io_.stop();
  if (io_thread_.joinable()) io_thread_.join();
}

std::string LoadGen::Json() const {
  std::ostringstream j;
  j << "{\"delegates\": " << o_.delegates << ", \"candidates\": " << o_.candidates << ", \"cast\": \""
    << o_.cast << "\", \"concurrency\": " << o_.concurrency << ", \"spread_s\": " << o_.spread
    << ", \"server_workers\": " << o_.workers;
  for (const auto& [k, v] : figures_) j << ", \"" << k << "\": " << v;
  j << "}";
  return j.str();
}

constexpr char kUsage[] =
    "usage: phieu-loadgen --bin DIR --delegates N [--candidates 7] [--work DIR] [--workers 2]\n"
    "       [--handshakes H] [--idle C] [--cast held|rolling] [--concurrency K] [--spread S]\n"
    "       [--close] [--verify] [--json FILE] [--mark CMD] [--server-args \"FLAGS\"]\n";

int Main(int argc, char** argv) {
  std::vector<std::string> list(argv + 1, argv + argc);
  auto args = client::Args::Parse(list,
                                  {"bin", "work", "delegates", "candidates", "workers", "handshakes", "idle",
                                   "cast", "concurrency", "spread", "json", "mark", "server-args"},
                                  {"close", "verify", "help"});
  if (!args.ok()) {
    std::cerr << "phieu-loadgen: " << args.status().message() << "\n" << kUsage;
    return 2;
  }
  if (args->Has("help") || !args->Has("bin")) {
    std::cerr << kUsage;
    return args->Has("help") ? 0 : 2;
  }
  Options o;
  o.bin = args->Get("bin");
  o.delegates = std::atoi(args->Get("delegates", "20").c_str());
  o.candidates = std::atoi(args->Get("candidates", "7").c_str());
  o.workers = std::atoi(args->Get("workers", "2").c_str());
  o.handshakes = std::atoi(args->Get("handshakes", "0").c_str());
  o.idle = std::atoi(args->Get("idle", "0").c_str());
  o.concurrency = std::atoi(args->Get("concurrency", "32").c_str());
  o.spread = std::atof(args->Get("spread", "0").c_str());
  o.cast = args->Get("cast");
  o.close = args->Has("close");
  o.verify = args->Has("verify");
  o.json = args->Get("json");
  o.mark = args->Get("mark");
  {
    std::istringstream words(args->Get("server-args"));
    for (std::string w; words >> w;) o.server_args.push_back(w);
  }
  if (o.delegates < 3 || o.candidates < 2 || o.concurrency < 1) {
    std::cerr << "phieu-loadgen: need --delegates >= 3 (three are tellers), --candidates >= 2\n";
    return 2;
  }
  if (!o.cast.empty() && o.cast != "held" && o.cast != "rolling") {
    std::cerr << "phieu-loadgen: --cast is held or rolling\n";
    return 2;
  }
  std::string work = args->Get("work");
  const bool own_work = work.empty();
  if (own_work) {
    std::random_device rd;
    work = (std::filesystem::temp_directory_path() / ("phieu-loadgen-" + std::to_string(rd()))).string();
  }
  o.work = work;

  // Connections are file descriptors: allow as many as the hard limit.
  if (rlimit lim{}; getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  signal(SIGPIPE, SIG_IGN);

  std::string json;
  {
    LoadGen g(o);
    g.SetUp();
    if (o.handshakes > 0) g.Handshakes();
    if (o.idle > 0) g.Idle();
    if (!o.cast.empty()) g.Cast();
    if (o.close) g.Close();
    if (o.verify) g.Verify();
    g.Stop();
    json = g.Json();
  }
  std::cout << json << "\n";
  if (!o.json.empty()) {
    std::ofstream f(o.json);
    f << json << "\n";
  }
  if (own_work) {
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
  }
  return 0;
}

}  // namespace
}  // namespace phieu::bench

int main(int argc, char** argv) {
  try {
    return phieu::bench::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "phieu-loadgen: fatal: " << e.what() << "\n";
    return 1;
  }
}
