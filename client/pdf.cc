#include "client/pdf.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include "core/crypto/private_file.h"

extern char** environ;

namespace phieu::client {
namespace {

// A temporary directory removed when it goes out of scope.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "phieu-pdf-XXXXXX").string();
    if (mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Tail(const std::string& s, size_t n) { return s.size() <= n ? s : "..." + s.substr(s.size() - n); }

}  // namespace

Status PrintHtmlToPdf(const std::string& html, const std::string& pdf_path) {
  if (access(kChromium, X_OK) != 0) {
    return FailedPrecondition(std::string(kChromium) +
                              " is not installed; install Debian's package 'chromium' "
                              "(apt-get install chromium) or print the page from --html FILE");
  }
  TempDir tmp;
  if (tmp.path().empty()) return Unavailable("cannot make a temporary directory for the PDF");
  const std::string page = tmp.path() + "/minutes.html", log = tmp.path() + "/chromium.log";
  const std::string out = tmp.path() + "/minutes.pdf";
  RETURN_IF_ERROR(crypto::WritePublicFile(page, html));
  std::error_code ec;
  std::filesystem::create_directories(tmp.path() + "/profile", ec);
  if (ec) return Unavailable("cannot make a profile directory for chromium: " + ec.message());

  std::vector<std::string> args = {kChromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-quic",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--no-pdf-header-footer",
                                   "--user-data-dir=" + tmp.path() + "/profile",
                                   "--print-to-pdf=" + out,
                                   "file://" + page};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, kChromium, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Unavailable(std::string("cannot start ") + kChromium);

  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return Unavailable("chromium did not finish printing the minutes within 120 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto pdf = crypto::ReadFile(out);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !pdf.ok() || pdf->rfind("%PDF", 0) != 0) {
    auto said = crypto::ReadFile(log);
    return Unavailable("chromium did not print the minutes to PDF" +
                       (said.ok() && !said->empty() ? ": " + Tail(*said, 600) : std::string()));
  }
  return crypto::WritePublicFile(pdf_path, *pdf);
}

}  // namespace phieu::client
