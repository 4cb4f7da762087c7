// PowerCutVfs: a test-only SQLite VFS that can simulate a power cut.
//
// SIGKILL leaves the kernel's page cache intact, so it cannot show a missing
// fsync. This VFS wraps SQLite's default (unix) VFS and keeps, for every main
// database, WAL and rollback-journal file it opens, the file's last synced
// content and the writes and truncations made since (per path, in order: an
// fsync on any handle of a file makes everything written to it durable, as
// on Linux). At a power cut (after Arm(n): the n-th write, truncate or sync
// fails and every later one too, as if the machine had stopped) the caller
// closes its connections and calls PowerCut(keep, rng): each file is put back
// to its last synced content, with each unsynced write or truncation kept
// with probability `keep` (0: all dropped; in between: the disk got some of
// them, in any combination, each write whole). The shared-memory index
// (-shm) is not tracked: SQLite rebuilds it when the first connection opens.
//
// Deletions are taken as durable at once. Temporary files pass through.
//
// Use: PowerCutVfs::Get() registers the VFS under kName (not as the default);
// open a BoardStore with that VFS name. One instance per process.
// Thread-safety: all methods and the VFS callbacks are thread-safe.
#ifndef PHIEU_TESTS_BOARD_POWER_CUT_VFS_H_
#define PHIEU_TESTS_BOARD_POWER_CUT_VFS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "core/util/status.h"

namespace phieu::testing {

class PowerCutVfs {
 public:
  static constexpr char kName[] = "phieu-power-cut";

  // The process's instance, registered with SQLite on first use.
  static PowerCutVfs& Get();

  // The power goes at the n-th write, truncate or sync (n >= 1) from now.
  void Arm(uint64_t n);
  // No cut pending (counting goes on).
  void Disarm();
  // True once the power has gone: every write, truncate, sync and delete
  // fails with SQLITE_IOERR until PowerCut().
  bool dead() const;

  // Puts every tracked file back to what a disk would hold after the power
  // went (see the header comment), forgets every file and revives the VFS.
  // Call only when no connection through this VFS is open.
  Status PowerCut(double keep, std::mt19937_64& rng);
  // Forgets every file without touching it (between independent tests).
  void Forget();

  // Counters since the process started, for test output.
  uint64_t writes() const;
  uint64_t syncs() const;

  // VFS callbacks' entry points (public for the C callbacks only).
  struct Op {
    bool truncate = false;
    int64_t offset = 0;  // write offset, or the new size of a truncation
    std::string data;
  };
  // Called before an operation on a tracked file: false when the power is
  // (or has just gone) off and the operation must fail.
  bool Alive(bool counts);
  void Track(const std::string& path);
  void Record(const std::string& path, Op op);
  void Synced(const std::string& path);
  void Deleted(const std::string& path);

 private:
  PowerCutVfs() = default;
  struct Image {
    std::string synced;       // content at the last sync
    std::vector<Op> pending;  // since then, in order
  };

  mutable std::mutex mu_;
  std::map<std::string, Image> files_;  // guarded by mu_
  bool armed_ = false;                  // guarded by mu_
  uint64_t left_ = 0;                   // guarded by mu_
  bool dead_ = false;                   // guarded by mu_
  uint64_t writes_ = 0;                 // guarded by mu_
  uint64_t syncs_ = 0;                  // guarded by mu_
};

}  // namespace phieu::testing

#endif  // PHIEU_TESTS_BOARD_POWER_CUT_VFS_H_
