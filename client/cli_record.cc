#include "client/cli_record.h"

#include <iostream>
#include <optional>

#include "core/board/board_store.h"
#include "core/record/chain.h"
#include "core/record/record_file.h"
#include "core/util/bytes.h"

namespace phieu::client {
namespace {

constexpr char kUsage[] =
    "usage: phieu record export --data DIR --out FILE [--json]\n"
    "  --data DIR   the server's data directory (holds board.sqlite)\n"
    "  --out FILE   where to write the election record ('-' for standard output)\n"
    "  --json       write the JSON view (bodies decoded) instead of the binary record\n";

struct ExportArgs {
  std::string data;
  std::string out;
  bool json = false;
};

int Usage(const std::string& problem) {
  std::cerr << "phieu record: " << problem << "\n" << kUsage;
  return 2;
}

int Failure(const std::string& message) {
  std::cerr << "phieu record export: " << message << "\n";
  return 1;
}

// Accepts "--name value" and "--name=value"; std::nullopt after printing usage.
std::optional<ExportArgs> ParseExport(const std::vector<std::string>& args, int* exit_code) {
  ExportArgs out;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string name = args[i];
    std::optional<std::string> value;
    if (auto eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (name == "--help") {
      std::cout << kUsage;
      *exit_code = 0;
      return std::nullopt;
    }
    if (name == "--json") {
      if (value) {
        *exit_code = Usage("--json takes no value");
        return std::nullopt;
      }
      out.json = true;
      continue;
    }
    if (name == "--data" || name == "--out") {
      if (!value) {
        if (i + 1 >= args.size()) {
          *exit_code = Usage(name + " needs a value");
          return std::nullopt;
        }
        value = args[++i];
      }
      (name == "--data" ? out.data : out.out) = *value;
      continue;
    }
    if (name == "--profile") {
      *exit_code = Usage(
          "fetching the record from the server (--profile) is not available yet: run this on "
          "the server's machine with --data DIR");
      return std::nullopt;
    }
    *exit_code = Usage("unknown argument \"" + args[i] + "\"");
    return std::nullopt;
  }
  if (out.data.empty()) {
    *exit_code = Usage("--data DIR is required");
    return std::nullopt;
  }
  if (out.out.empty()) {
    *exit_code = Usage("--out FILE is required");
    return std::nullopt;
  }
  return out;
}

int RunExport(const std::vector<std::string>& args) {
  int exit_code = 0;
  std::optional<ExportArgs> a = ParseExport(args, &exit_code);
  if (!a) return exit_code;

  const std::string board_path = a->data + "/board.sqlite";
  auto store = board::BoardStore::OpenReadOnly(board_path);
  if (!store.ok()) {
    if (store.status().code() == StatusCode::kNotFound) {
      return Failure("no board at " + board_path +
                     ": give --data the directory the server was started with");
    }
    return Failure(store.status().message() +
                   " (the data directory may be damaged: keep a copy and run phieu-server's "
                   "integrity check)");
  }
  Result<v1::ElectionRecord> record = (*store)->Export();
  if (!record.ok()) return Failure("reading " + board_path + ": " + record.status().message());
  const Status chain = record::VerifyChain(record->entries());

  Status written;
  if (a->json) {
    Result<std::string> json = record::RecordToJson(*record);
    if (!json.ok()) return Failure(json.status().message());
    if (a->out == "-") {
      std::cout << *json << std::flush;
    } else {
      written = record::WriteFileDurably(a->out, *json);
    }
  } else if (a->out == "-") {
    std::string bytes;
    if (!record->SerializeToString(&bytes)) return Failure("cannot serialize the record");
    std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size())) << std::flush;
  } else {
    written = record::WriteRecordFile(a->out, *record);
  }
  if (!written.ok()) {
    return Failure("cannot write " + a->out + ": " + written.message() +
                   " (check that the directory exists and is writable)");
  }
  std::ostream& info = a->out == "-" ? std::cerr : std::cout;
  if (!chain.ok()) {
    std::cerr << "phieu record export: wrote " << a->out << ", but the board's chain does not "
              << "verify: " << chain.message()
              << " (keep the data directory as it is and show this to the tellers)\n";
    return 4;
  }
  info << "wrote " << record->entries_size() << " entries to " << a->out << " (chain head "
       << Hex(record->head()) << ")\n";
  return 0;
}

}  // namespace

int RunRecord(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("say what to do: export");
  if (args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (args[0] == "export") return RunExport(args);
  return Usage("unknown subcommand \"" + args[0] + "\"");
}

}  // namespace phieu::client
