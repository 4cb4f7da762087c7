// crash_check: the invariants of a board after the server was killed.
//
//   crash_check BOARD [--profiles DIR] [--all-counted] [--expect-ballots N]
//
// BOARD is DATA/board.sqlite (opened read-only; the server may be dead or
// running). Checks, naming what failed:
//   - PRAGMA integrity_check and the hash chain from entry 0
//     (BoardStore::CheckIntegrity);
//   - no unit has two ballots in one run (counted from the decoded bodies,
//     independently of the store's unique index);
//   - for every participant profile under DIR (DIR/<id>/): each receipt in
//     receipts/ is signed by the server key the genesis certifies and names
//     the entry at its seq (same hash), a ballot of its run and unit with its
//     tracking code; each ballot stored in ballots/ (what `phieu vote` keeps
//     before sending) is the one counted for its unit when the board has one,
//     and with --all-counted it must have one;
//   - with --expect-ballots N: the board holds exactly N ballots.
// Prints one summary line; exits 0 when all hold, 1 otherwise, 2 on usage.
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>

#include "core/board/board_store.h"
#include "core/crypto/ballot_crypto.h"
#include "core/crypto/keys.h"
#include "core/crypto/private_file.h"
#include "core/util/bytes.h"

namespace {

namespace fs = std::filesystem;
using namespace phieu;

int failures = 0;
void Failed(const std::string& what) {
  std::cerr << "crash_check: FAIL " << what << "\n";
  ++failures;
}

struct Counted {
  uint64_t seq = 0;
  std::string body;  // the signed body bytes
};

void CheckReceipt(const fs::path& file, const v1::ElectionRecord& record,
                  const crypto::PublicKey& server) {
  auto bytes = crypto::ReadFile(file.string());
  v1::SignedReceipt sr;
  v1::Receipt r;
  if (!bytes.ok() || !sr.ParseFromString(*bytes) || !r.ParseFromString(sr.receipt())) {
    return Failed(file.string() + ": not a receipt");
  }
  if (Status s = server.Verify(crypto::kReceiptDomain, sr.receipt(), sr.signature()); !s.ok()) {
    return Failed(file.string() + ": receipt signature: " + s.message());
  }
  const std::string where = file.string() + " (entry " + std::to_string(r.seq()) + ")";
  if (r.seq() >= static_cast<uint64_t>(record.entries_size())) {
    return Failed(where + ": the receipted entry is not on the board (" +
                  std::to_string(record.entries_size()) + " entries): a receipted ballot was lost");
  }
  const v1::BoardEntry& e = record.entries(static_cast<int>(r.seq()));
  if (e.hash() != r.entry_hash()) return Failed(where + ": the entry there has another hash");
  v1::EntryBody body;
  if (!body.ParseFromString(e.signed_().body()) || !body.has_ballot()) {
    return Failed(where + ": the entry there is not a ballot");
  }
  if (body.ballot().run_id() != r.run_id() || body.ballot().unit_id() != r.unit_id()) {
    return Failed(where + ": the ballot there is of another run or unit");
  }
  if (Hex(crypto::TrackingCode(body.ballot())) != r.tracking_code()) {
    return Failed(where + ": the ballot there has another tracking code");
  }
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: crash_check BOARD [--profiles DIR] [--all-counted] [--expect-ballots N]\n";
    return 2;
  }
  std::string board_path = argv[1], profiles;
  long expect = -1;
  bool all_counted = false;
  for (int i = 2; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--all-counted") {
      all_counted = true;
    } else if (flag == "--profiles" && i + 1 < argc) {
      profiles = argv[++i];
    } else if (flag == "--expect-ballots" && i + 1 < argc) {
      expect = std::atol(argv[++i]);
    } else {
      std::cerr << "crash_check: unknown flag " << flag << "\n";
      return 2;
    }
  }

  auto store = board::BoardStore::OpenReadOnly(board_path);
  if (!store.ok()) {
    std::cerr << "crash_check: FAIL open: " << store.status().ToString() << "\n";
    return 1;
  }
  if (Status s = (*store)->CheckIntegrity(); !s.ok()) Failed(s.ToString());
  auto record = (*store)->Export();
  if (!record.ok()) {
    std::cerr << "crash_check: FAIL export: " << record.status().ToString() << "\n";
    return 1;
  }

  // Every counted ballot, by run and unit; a second one is a failure.
  std::map<std::pair<std::string, std::string>, Counted> counted;
  std::string server_key_raw;
  for (const v1::BoardEntry& e : record->entries()) {
    v1::EntryBody body;
    if (!body.ParseFromString(e.signed_().body())) {
      Failed("entry " + std::to_string(e.seq()) + ": body does not parse");
      continue;
    }
    if (body.has_genesis()) server_key_raw = body.genesis().server_signing_key();
    if (!body.has_ballot()) continue;
    auto key = std::make_pair(body.ballot().run_id(), body.ballot().unit_id());
    auto [it, fresh] = counted.emplace(key, Counted{e.seq(), e.signed_().body()});
    if (!fresh) {
      Failed("unit " + key.second + " counted twice in run " + key.first + ": entries " +
             std::to_string(it->second.seq) + " and " + std::to_string(e.seq()));
    }
  }
  auto server = crypto::PublicKey::FromEd25519Raw(server_key_raw);
  if (!server.ok()) {
    std::cerr << "crash_check: FAIL no server key in a genesis entry: " << server.status().ToString()
              << "\n";
    return 1;
  }

  int receipts = 0, stored = 0;
  if (!profiles.empty()) {
    std::error_code ec;
    for (const auto& person : fs::directory_iterator(profiles, ec)) {
      for (const auto& f : fs::directory_iterator(person.path() / "receipts", ec)) {
        CheckReceipt(f.path(), *record, *server);
        ++receipts;
      }
      for (const auto& f : fs::directory_iterator(person.path() / "ballots", ec)) {
        ++stored;
        auto bytes = crypto::ReadFile(f.path().string());
        v1::SignedEntry se;
        v1::EntryBody body;
        if (!bytes.ok() || !se.ParseFromString(*bytes) || !body.ParseFromString(se.body()) ||
            !body.has_ballot()) {
          Failed(f.path().string() + ": not a stored ballot");
          continue;
        }
        auto it = counted.find({body.ballot().run_id(), body.ballot().unit_id()});
        if (it == counted.end()) {
          if (all_counted) Failed(f.path().string() + ": this delegate's ballot was not counted");
        } else if (it->second.body != se.body()) {
          Failed(f.path().string() + ": another ballot than this delegate's is counted for unit " +
                 body.ballot().unit_id() + " (entry " + std::to_string(it->second.seq) + ")");
        }
      }
    }
  }
  if (expect >= 0 && static_cast<long>(counted.size()) != expect) {
    Failed("the board holds " + std::to_string(counted.size()) + " ballots, " +
           std::to_string(expect) + " expected");
  }
  std::cout << "crash_check: " << record->entries_size() << " entries, " << counted.size()
            << " ballots, " << receipts << " receipts, " << stored
            << " stored ballots: " << (failures == 0 ? "ok" : "FAILED") << "\n";
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
