// `phieu verify RECORD --ca CA.pem [--expect-head HASH] [--receipt FILE]...
//               [--spoiled [CODE]] [--json] [--quiet] [--threads N]`
// checks an election record offline (core/verify, docs/audit.md) and prints
// the checklist. With --spoiled it opens the spoiled ballots instead (the
// Benaloh check's "second device").
#include "client/cli_verify.h"

#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>

#include "client/args.h"
#include "core/crypto/certificate.h"
#include "core/crypto/private_file.h"
#include "core/record/record_file.h"
#include "core/verify/verify.h"

namespace phieu::client {
namespace {

constexpr char kUsage[] =
    "usage: phieu verify RECORD --ca CA.pem [--expect-head HASH] [--receipt FILE]...\n"
    "                    [--spoiled [CODE]] [--json] [--quiet] [--threads N]\n";

// Exit codes as in client/commands.h.
constexpr int kFailed = 1;
constexpr int kUsageError = 2;
constexpr int kCheckFailed = 4;

int Problem(const Status& s, int code) {
  std::cerr << "phieu verify: " << s.message() << "\n";
  return code;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string ReportJson(const verify::VerifyReport& r) {
  std::ostringstream o;
  o << "{\"ok\": " << (r.ok() ? "true" : "false") << ", \"meeting_id\": " << JsonString(r.meeting_id)
    << ", \"entries\": " << r.entries << ", \"head\": " << JsonString(r.head)
    << ", \"ca_fingerprint\": " << JsonString(r.ca_fingerprint)
    << ", \"server_key_fingerprint\": " << JsonString(r.server_key_fingerprint) << ",\n \"checks\": [";
  for (size_t i = 0; i < r.checks.size(); ++i) {
    o << (i ? ",\n   " : "\n   ") << "{\"name\": " << JsonString(r.checks[i].name) << ", \"count\": " << r.checks[i].count
      << ", \"ok\": " << (r.checks[i].ok ? "true" : "false") << "}";
  }
  o << "],\n \"attention\": [";
  for (size_t i = 0; i < r.attention.size(); ++i) {
    const auto& a = r.attention[i];
    o << (i ? ",\n   " : "\n   ") << "{\"seq\": " << a.seq << ", \"kind\": " << JsonString(a.kind)
      << ", \"text\": " << JsonString(a.text) << "}";
  }
  o << "]";
  if (r.failure) {
    o << ",\n \"failure\": {\"check\": " << JsonString(r.failure->check) << ", \"seq\": " << r.failure->seq
      << ", \"kind\": " << JsonString(r.failure->kind) << ", \"message\": " << JsonString(r.failure->message) << "}";
  }
  o << "}\n";
  return o.str();
}

void PrintReport(const verify::VerifyReport& r) {
  std::cout << "Election record of " << (r.meeting_id.empty() ? "?" : r.meeting_id) << ": " << r.entries
            << " entries, chain head " << r.head << "\n"
            << "Meeting CA fingerprint " << r.ca_fingerprint << "\n";
  if (!r.server_key_fingerprint.empty()) {
    std::cout << "Server key (receipts, tallies, results) " << r.server_key_fingerprint << "\n";
  }
  std::cout << "\n";
  for (const auto& c : r.checks) {
    const bool failed = !c.ok;
    std::string name = c.name;
    name.resize(std::max<size_t>(name.size(), 30), ' ');
    std::cout << "  " << (failed ? "✗ " : "✓ ") << name << " " << c.count;
    if (failed) std::cout << "   <- FAILED";
    std::cout << "\n";
  }
  if (!r.attention.empty()) {
    std::cout << "\nFor the reader's attention:\n";
    for (const auto& a : r.attention) std::cout << "  entry " << a.seq << " (" << a.kind << "): " << a.text << "\n";
  }
  if (r.ballots_verified > 0) {
    std::printf("\n%llu ballots' proofs verified in %.2f s\n", static_cast<unsigned long long>(r.ballots_verified),
                r.proof_seconds);
    std::fflush(stdout);
  }
}

int OpenSpoiled(const v1::ElectionRecord& rec, const std::string& code, const crypto::Certificate* ca, bool quiet) {
  if (!code.empty() && code.size() < 8) {
    return Problem(InvalidArgument("give at least 8 characters of the tracking code"), kUsageError);
  }
  auto opened = verify::OpenSpoiled(rec, code, ca);
  if (!opened.ok()) return Problem(opened.status(), kFailed);
  bool all_ok = true;
  for (const auto& o : *opened) {
    all_ok &= o.status.ok();
    if (quiet && o.status.ok()) continue;
    std::cout << "spoiled ballot, entry " << o.seq << ": " << o.ballot_id << ", unit " << o.unit_id << "\n"
              << "  tracking code " << o.tracking_code << "\n";
    if (!o.status.ok()) {
      std::cout << "  ✗ THE REVEALED CHOICES DO NOT MATCH THE ENCRYPTION: " << o.status.message() << "\n";
      continue;
    }
    std::cout << "  ✓ the encryption holds exactly these choices: ";
    if (o.marked.empty()) std::cout << "(none)";
    for (size_t i = 0; i < o.marked.size(); ++i) std::cout << (i ? ", " : "") << o.marked[i];
    std::cout << "\n";
  }
  return all_ok ? 0 : kCheckFailed;
}

}  // namespace

int RunVerify(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {"ca", "expect-head", "receipt", "threads"}, {"spoiled", "json", "quiet", "help"});
  if (!args.ok()) return Problem(args.status(), kUsageError);
  if (args->Has("help")) {
    std::cout << kUsage;
    return 0;
  }
  const auto& pos = args->positional();
  const bool spoiled = args->Has("spoiled");
  if (pos.empty() || pos.size() > (spoiled ? 2u : 1u) || (!spoiled && !args->Has("ca"))) {
    std::cerr << kUsage;
    return kUsageError;
  }
  auto rec = record::ReadRecordFile(pos[0]);
  if (!rec.ok()) return Problem(rec.status().Annotate(pos[0]), kFailed);
  const bool quiet = args->Has("quiet");
  std::optional<crypto::Certificate> ca;
  if (args->Has("ca")) {
    auto pem = crypto::ReadFile(args->Get("ca"));
    if (!pem.ok()) return Problem(pem.status().Annotate("--ca"), kFailed);
    auto cert = crypto::Certificate::FromPem(*pem);
    if (!cert.ok()) return Problem(cert.status().Annotate("--ca " + args->Get("ca")), kFailed);
    ca.emplace(std::move(cert).value());
  }
  if (spoiled) return OpenSpoiled(*rec, pos.size() > 1 ? pos[1] : "", ca ? &*ca : nullptr, quiet);

  verify::VerifyOptions options;
  options.expect_head = args->Get("expect-head");
  for (char& c : options.expect_head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (args->Has("threads")) options.threads = static_cast<unsigned>(std::atoi(args->Get("threads").c_str()));
  for (const std::string& path : args->GetAll("receipt")) {
    auto bytes = crypto::ReadFile(path);
    if (!bytes.ok()) return Problem(bytes.status().Annotate("--receipt"), kFailed);
    v1::SignedReceipt sr;
    if (!sr.ParseFromString(*bytes)) return Problem(InvalidArgument(path + " is not a signed receipt"), kFailed);
    options.receipts.push_back(std::move(sr));
  }
  if (!quiet && rec->entries_size() > 2000) {
    options.progress = [](std::string_view stage, uint64_t done, uint64_t total) {
      std::cerr << "\rverifying " << stage << ": " << done << "/" << total << (done == total ? "\n" : "") << std::flush;
    };
  }
  verify::VerifyReport report = verify::Verify(*rec, *ca, options);
  if (args->Has("json")) {
    std::cout << ReportJson(report);
  } else if (!quiet) {
    PrintReport(report);
  }
  if (!report.ok()) {
    const auto& f = *report.failure;
    std::cerr << "phieu verify: FAILED: " << f.check << ": entry " << f.seq << " (" << f.kind << "): " << f.message
              << "\n";
    return kCheckFailed;
  }
  if (!args->Has("json")) {
    std::cout << (quiet ? "" : "\n") << "ALL CHECKS PASSED: " << report.entries << " entries, head " << report.head
              << "\n";
  }
  return 0;
}

}  // namespace phieu::client
