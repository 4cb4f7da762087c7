#include "client/cli_certs.h"

#include <ctime>
#include <iostream>
#include <map>
#include <set>

#include "certs/meeting_ca.h"
#include "certs/meeting_directory.h"
#include "certs/profile.h"
#include "core/crypto/private_file.h"

namespace phieu::client {
namespace {

constexpr char kDefaultServer[] = "127.0.0.1:7443";

constexpr char kCertsUsage[] =
    R"(Usage: phieu certs COMMAND [options]     (see docs/certificates.md)
  ca --meeting FILE --out DIR                 make the meeting CA (DIR/ca/)
  server --out DIR [--san ADDR]...            server TLS certificate + signing key (DIR/server/);
                                              default names 127.0.0.1, ::1, localhost
  sign --out DIR --csr FILE --id ID           sign a participant's request (DIR/participants/ID/)
  profile --out DIR --id ID --server HOST:PORT   a participant's profile and ca.pem
  roster --meeting FILE --out DIR             the CA-signed genesis entry (DIR/genesis.entry)
  replace --out DIR --id ID [--csr FILE] [--reason TEXT]
                                              a lost laptop: revoke ID's pin, sign its new request;
                                              writes a CA-signed roster change for the chair to post
  init MEETING --out DIR [--server HOST:PORT] [--san ADDR]...
                                              ONE MACHINE, DEMOS AND TESTS ONLY: all of the above,
                                              with every participant's key made here
)";

constexpr char kKeygenUsage[] =
    "Usage: phieu keygen --id ID [--dir DIR]   (DIR defaults to $PHIEU_PROFILE or "
    "~/.phieu/profile)\n";

constexpr char kOneMachineWarning[] =
    "!!! ONE-MACHINE MODE, FOR DEMOS AND TESTS ONLY !!!\n"
    "!!! Every participant's private key was made on this machine. Whoever holds a\n"
    "!!! delegate's key can vote as that delegate. For a real meeting, each participant\n"
    "!!! runs `phieu keygen` on their own laptop and the chair runs `phieu certs sign`.\n";

// "--name value" / "--name=value" options (repeatable), then positionals.
struct Parsed {
  std::map<std::string, std::vector<std::string>> values;
  std::vector<std::string> positional;
  std::string Get(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? "" : it->second.back();
  }
};

// Returns -1 to go on, or the exit code (0 after --help, 2 on a usage error).
int Parse(const std::vector<std::string>& args, size_t from, const std::set<std::string>& known,
          Parsed* out, const char* usage) {
  for (size_t i = from; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << usage;
      return 0;
    }
    if (a.rfind("--", 0) == 0) {
      std::string name = a.substr(2), value;
      size_t eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        std::cerr << "phieu: --" << name << " needs a value\n" << usage;
        return 2;
      }
      if (!known.count(name)) {
        std::cerr << "phieu: unknown option --" << name << "\n" << usage;
        return 2;
      }
      out->values[name].push_back(value);
    } else {
      out->positional.push_back(a);
    }
  }
  return -1;
}

// Missing required options: usage error.
bool Require(const Parsed& p, std::initializer_list<const char*> names, const char* usage) {
  for (const char* n : names) {
    if (p.Get(n).empty()) {
      std::cerr << "phieu: --" << n << " is required\n" << usage;
      return false;
    }
  }
  return true;
}

int Failed(const Status& s) {
  std::cerr << "phieu: " << s.message() << "\n";
  return 1;
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::vector<std::string> Names(const Parsed& p) {
  auto it = p.values.find("san");
  if (it == p.values.end()) return certs::DefaultServerNames();
  return it->second;
}

Result<std::string> ReadText(const std::string& path) { return crypto::ReadFile(path); }

int Ca(const Parsed& p) {
  if (!Require(p, {"meeting", "out"}, kCertsUsage)) return 2;
  auto text = ReadText(p.Get("meeting"));
  if (!text.ok()) return Failed(text.status());
  certs::MeetingDirectory dir(p.Get("out"));
  if (Status s = dir.CreateCa(*text, Now()); !s.ok()) return Failed(s);
  auto ca = dir.LoadCa();
  if (!ca.ok()) return Failed(ca.status());
  std::cout << "meeting CA: " << dir.root() << "/ca/ca.pem (key " << dir.root()
            << "/ca/ca.key, 0600: keep it on the chair's machine only)\n"
            << "CA fingerprint (print it in the minutes): " << ca->certificate().Pin() << "\n";
  return 0;
}

int Server(const Parsed& p) {
  if (!Require(p, {"out"}, kCertsUsage)) return 2;
  certs::MeetingDirectory dir(p.Get("out"));
  std::vector<std::string> names = Names(p);
  if (Status s = dir.CreateServer(names, Now()); !s.ok()) return Failed(s);
  std::cout << "server certificate: " << dir.root() << "/server/server.pem for";
  for (const auto& n : names) std::cout << " " << n;
  std::cout << "\nserver signing key: " << dir.root() << "/server/signing.key (Ed25519, 0600)\n";
  return 0;
}

int Sign(const Parsed& p) {
  if (!Require(p, {"out", "csr", "id"}, kCertsUsage)) return 2;
  auto csr = ReadText(p.Get("csr"));
  if (!csr.ok()) return Failed(csr.status());
  certs::MeetingDirectory dir(p.Get("out"));
  auto pin = dir.SignRequest(*csr, p.Get("id"), Now());
  if (!pin.ok()) return Failed(pin.status());
  std::cout << "certificate: " << dir.ParticipantDir(p.Get("id")) << "/cert.pem\n"
            << "pin: " << *pin << "\n";
  return 0;
}

int Profile(const Parsed& p) {
  if (!Require(p, {"out", "id", "server"}, kCertsUsage)) return 2;
  certs::MeetingDirectory dir(p.Get("out"));
  if (Status s = dir.WriteProfile(p.Get("id"), p.Get("server")); !s.ok()) return Failed(s);
  std::cout
      << "profile: " << dir.ParticipantDir(p.Get("id"))
      << "/{profile.textproto,ca.pem,cert.pem}: copy them next to the participant's key.pem\n";
  return 0;
}

int Roster(const Parsed& p) {
  if (!Require(p, {"meeting", "out"}, kCertsUsage)) return 2;
  auto text = ReadText(p.Get("meeting"));
  if (!text.ok()) return Failed(text.status());
  auto meeting = certs::ParseMeetingText(*text);
  if (!meeting.ok()) return Failed(meeting.status());
  certs::MeetingDirectory dir(p.Get("out"));
  auto entry = dir.BuildGenesis(*meeting, Now());
  if (!entry.ok()) return Failed(entry.status());
  std::cout << "genesis entry: " << dir.root() << "/genesis.entry (" << meeting->participants_size()
            << " participants on the roster, signed by the meeting CA)\n";
  return 0;
}

int Replace(const Parsed& p) {
  if (!Require(p, {"out", "id"}, kCertsUsage)) return 2;
  std::string csr;
  if (!p.Get("csr").empty()) {
    auto r = ReadText(p.Get("csr"));
    if (!r.ok()) return Failed(r.status());
    csr = *r;
  }
  std::string reason = p.Get("reason").empty() ? "lost or compromised key" : p.Get("reason");
  certs::MeetingDirectory dir(p.Get("out"));
  auto r = dir.ReplaceCertificate(p.Get("id"), csr, reason, Now());
  if (!r.ok()) return Failed(r.status());
  std::cout << "revoked pin: " << r->revoked_pin << "\n";
  if (!r->new_pin.empty()) {
    std::cout << "new certificate: " << dir.ParticipantDir(p.Get("id")) << "/cert.pem\n"
              << "new pin: " << r->new_pin << "\n";
  }
  std::cout << "roster change (signed by the meeting CA): " << r->path
            << "\npost it to the board from the chair's client; until then the old key still "
               "counts\n";
  return 0;
}

int Init(const Parsed& p) {
  if (p.positional.size() != 1) {
    std::cerr << "phieu: certs init needs the meeting file\n" << kCertsUsage;
    return 2;
  }
  if (!Require(p, {"out"}, kCertsUsage)) return 2;
  auto text = ReadText(p.positional[0]);
  if (!text.ok()) return Failed(text.status());
  std::string server = p.Get("server").empty() ? kDefaultServer : p.Get("server");
  std::cerr << kOneMachineWarning;
  certs::MeetingDirectory dir(p.Get("out"));
  if (Status s = dir.InitAll(*text, server, Names(p), Now()); !s.ok()) return Failed(s);
  auto ca = dir.LoadCa();
  if (!ca.ok()) return Failed(ca.status());
  std::cout << "made (ONE MACHINE, demos and tests only): " << dir.root()
            << "/{ca,server,participants/<id>,genesis.entry}\n"
            << "CA fingerprint: " << ca->certificate().Pin() << "\n";
  std::cerr << kOneMachineWarning;
  return 0;
}

}  // namespace

int RunKeygen(const std::vector<std::string>& args) {
  Parsed p;
  if (int rc = Parse(args, 0, {"id", "dir"}, &p, kKeygenUsage); rc >= 0) return rc;
  if (!p.positional.empty()) {
    std::cerr << "phieu: keygen takes no positional arguments\n" << kKeygenUsage;
    return 2;
  }
  if (!Require(p, {"id"}, kKeygenUsage)) return 2;
  std::string dir = p.Get("dir").empty() ? certs::DefaultProfileDir() : p.Get("dir");
  auto kg = certs::Keygen(dir, p.Get("id"));
  if (!kg.ok()) return Failed(kg.status());
  std::cout << "key: " << kg->key_path << " (0600; it never leaves this laptop)\n"
            << "request: " << kg->csr_path << " (give this file to the chair)\n"
            << "key fingerprint: " << kg->fingerprint << "\n";
  return 0;
}

int RunCerts(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kCertsUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string& cmd = args[0];
  static const std::map<std::string, std::set<std::string>> kOptions = {
      {"ca", {"meeting", "out"}},
      {"server", {"out", "san"}},
      {"sign", {"out", "csr", "id"}},
      {"profile", {"out", "id", "server"}},
      {"roster", {"meeting", "out"}},
      {"init", {"out", "server", "san"}},
      {"replace", {"out", "id", "csr", "reason"}},
  };
  auto it = kOptions.find(cmd);
  if (it == kOptions.end()) {
    std::cerr << "phieu: unknown certs command '" << cmd << "'\n" << kCertsUsage;
    return 2;
  }
  Parsed p;
  if (int rc = Parse(args, 1, it->second, &p, kCertsUsage); rc >= 0) return rc;
  if (cmd != "init" && !p.positional.empty()) {
    std::cerr << "phieu: unexpected argument '" << p.positional[0] << "'\n" << kCertsUsage;
    return 2;
  }
  if (cmd == "ca") return Ca(p);
  if (cmd == "server") return Server(p);
  if (cmd == "sign") return Sign(p);
  if (cmd == "profile") return Profile(p);
  if (cmd == "roster") return Roster(p);
  if (cmd == "replace") return Replace(p);
  return Init(p);
}

}  // namespace phieu::client
