#include "tests/board/power_cut_vfs.h"

#include <sqlite3.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <new>

namespace phieu::testing {
namespace {

// Our file object: SQLite allocates szOsFile bytes for it; the wrapped
// (unix) file lives in the same block, after ours.
struct PcFile {
  sqlite3_file base;  // must come first: pMethods
  sqlite3_file* real;
  std::string* path;  // owned; null for files that are not tracked
};

constexpr size_t kRealOffset = (sizeof(PcFile) + 15) / 16 * 16;

sqlite3_vfs* Real(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
PcFile* Pc(sqlite3_file* f) { return reinterpret_cast<PcFile*>(f); }
sqlite3_file* RealFile(sqlite3_file* f) { return Pc(f)->real; }

void Apply(std::string& content, const PowerCutVfs::Op& op) {
  const size_t at = static_cast<size_t>(op.offset);
  if (op.truncate) {
    content.resize(at);
    return;
  }
  if (content.size() < at + op.data.size()) content.resize(at + op.data.size());
  std::memcpy(content.data() + at, op.data.data(), op.data.size());
}

// --- io methods ------------------------------------------------------------

int PcClose(sqlite3_file* f) {
  PcFile* p = Pc(f);
  int rc = p->real->pMethods ? p->real->pMethods->xClose(p->real) : SQLITE_OK;
  delete p->path;
  p->path = nullptr;
  return rc;
}

int PcRead(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return RealFile(f)->pMethods->xRead(RealFile(f), buf, n, off);
}

int PcWrite(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  PcFile* p = Pc(f);
  if (p->path == nullptr) return p->real->pMethods->xWrite(p->real, buf, n, off);
  PowerCutVfs& vfs = PowerCutVfs::Get();
  if (!vfs.Alive(/*counts=*/true)) return SQLITE_IOERR_WRITE;
  int rc = p->real->pMethods->xWrite(p->real, buf, n, off);
  if (rc == SQLITE_OK) {
    vfs.Record(*p->path, PowerCutVfs::Op{false, off, std::string(static_cast<const char*>(buf), n)});
  }
  return rc;
}

int PcTruncate(sqlite3_file* f, sqlite3_int64 size) {
  PcFile* p = Pc(f);
  if (p->path == nullptr) return p->real->pMethods->xTruncate(p->real, size);
  PowerCutVfs& vfs = PowerCutVfs::Get();
  if (!vfs.Alive(/*counts=*/true)) return SQLITE_IOERR_TRUNCATE;
  int rc = p->real->pMethods->xTruncate(p->real, size);
  if (rc == SQLITE_OK) vfs.Record(*p->path, PowerCutVfs::Op{true, size, {}});
  return rc;
}

int PcSync(sqlite3_file* f, int flags) {
  PcFile* p = Pc(f);
  if (p->path == nullptr) return p->real->pMethods->xSync(p->real, flags);
  PowerCutVfs& vfs = PowerCutVfs::Get();
  if (!vfs.Alive(/*counts=*/true)) return SQLITE_IOERR_FSYNC;
  int rc = p->real->pMethods->xSync(p->real, flags);
  if (rc == SQLITE_OK) vfs.Synced(*p->path);
  return rc;
}

int PcFileSize(sqlite3_file* f, sqlite3_int64* size) {
  return RealFile(f)->pMethods->xFileSize(RealFile(f), size);
}
int PcLock(sqlite3_file* f, int level) { return RealFile(f)->pMethods->xLock(RealFile(f), level); }
int PcUnlock(sqlite3_file* f, int level) {
  return RealFile(f)->pMethods->xUnlock(RealFile(f), level);
}
int PcCheckReservedLock(sqlite3_file* f, int* out) {
  return RealFile(f)->pMethods->xCheckReservedLock(RealFile(f), out);
}
int PcFileControl(sqlite3_file* f, int op, void* arg) {
  return RealFile(f)->pMethods->xFileControl(RealFile(f), op, arg);
}
int PcSectorSize(sqlite3_file* f) { return RealFile(f)->pMethods->xSectorSize(RealFile(f)); }
int PcDeviceCharacteristics(sqlite3_file* f) {
  return RealFile(f)->pMethods->xDeviceCharacteristics(RealFile(f));
}
// The wal-index lives in shared memory and is rebuilt after a crash: pass through.
int PcShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return RealFile(f)->pMethods->xShmMap(RealFile(f), page, size, extend, out);
}
int PcShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return RealFile(f)->pMethods->xShmLock(RealFile(f), offset, n, flags);
}
void PcShmBarrier(sqlite3_file* f) { RealFile(f)->pMethods->xShmBarrier(RealFile(f)); }
int PcShmUnmap(sqlite3_file* f, int delete_flag) {
  return RealFile(f)->pMethods->xShmUnmap(RealFile(f), delete_flag);
}

// Version 2: no xFetch/xUnfetch, so SQLite never memory-maps the database
// and every change goes through xWrite.
const sqlite3_io_methods kMethods = {
    2,           PcClose,      PcRead,   PcWrite,        PcTruncate,
    PcSync,      PcFileSize,   PcLock,   PcUnlock,       PcCheckReservedLock,
    PcFileControl, PcSectorSize, PcDeviceCharacteristics, PcShmMap, PcShmLock,
    PcShmBarrier, PcShmUnmap,  nullptr,  nullptr,
};

// --- vfs methods -----------------------------------------------------------

int VfsOpen(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  PcFile* p = Pc(f);
  p->base.pMethods = nullptr;
  p->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kRealOffset);
  p->path = nullptr;
  int rc = Real(vfs)->xOpen(Real(vfs), name, p->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;  // base.pMethods stays null: SQLite will not call xClose
  const int tracked = SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL;
  if (name != nullptr && (flags & tracked) != 0) {
    p->path = new std::string(name);
    PowerCutVfs::Get().Track(*p->path);
  }
  p->base.pMethods = &kMethods;
  return SQLITE_OK;
}

int VfsDelete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  PowerCutVfs& pc = PowerCutVfs::Get();
  if (!pc.Alive(/*counts=*/false)) return SQLITE_IOERR_DELETE;
  int rc = Real(vfs)->xDelete(Real(vfs), name, sync_dir);
  if (rc == SQLITE_OK) pc.Deleted(name);
  return rc;
}

int VfsAccess(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Real(vfs)->xAccess(Real(vfs), name, flags, out);
}
int VfsFullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return Real(vfs)->xFullPathname(Real(vfs), name, n, out);
}
void* VfsDlOpen(sqlite3_vfs* vfs, const char* name) { return Real(vfs)->xDlOpen(Real(vfs), name); }
void VfsDlError(sqlite3_vfs* vfs, int n, char* out) { Real(vfs)->xDlError(Real(vfs), n, out); }
void (*VfsDlSym(sqlite3_vfs* vfs, void* h, const char* sym))(void) {
  return Real(vfs)->xDlSym(Real(vfs), h, sym);
}
void VfsDlClose(sqlite3_vfs* vfs, void* h) { Real(vfs)->xDlClose(Real(vfs), h); }
int VfsRandomness(sqlite3_vfs* vfs, int n, char* out) {
  return Real(vfs)->xRandomness(Real(vfs), n, out);
}
int VfsSleep(sqlite3_vfs* vfs, int us) { return Real(vfs)->xSleep(Real(vfs), us); }
int VfsCurrentTime(sqlite3_vfs* vfs, double* out) {
  return Real(vfs)->xCurrentTime(Real(vfs), out);
}
int VfsGetLastError(sqlite3_vfs* vfs, int n, char* out) {
  return Real(vfs)->xGetLastError(Real(vfs), n, out);
}
int VfsCurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return Real(vfs)->xCurrentTimeInt64(Real(vfs), out);
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string();  // not there yet: empty
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

PowerCutVfs& PowerCutVfs::Get() {
  static PowerCutVfs* instance = [] {
    auto* self = new PowerCutVfs();  // lives as long as the process, as SQLite needs
    sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
    static sqlite3_vfs vfs;
    std::memset(&vfs, 0, sizeof(vfs));
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(kRealOffset) + real->szOsFile;
    vfs.mxPathname = real->mxPathname;
    vfs.zName = kName;
    vfs.pAppData = real;
    vfs.xOpen = VfsOpen;
    vfs.xDelete = VfsDelete;
    vfs.xAccess = VfsAccess;
    vfs.xFullPathname = VfsFullPathname;
    vfs.xDlOpen = VfsDlOpen;
    vfs.xDlError = VfsDlError;
    vfs.xDlSym = VfsDlSym;
    vfs.xDlClose = VfsDlClose;
    vfs.xRandomness = VfsRandomness;
    vfs.xSleep = VfsSleep;
    vfs.xCurrentTime = VfsCurrentTime;
    vfs.xGetLastError = VfsGetLastError;
    vfs.xCurrentTimeInt64 = VfsCurrentTimeInt64;
    sqlite3_vfs_register(&vfs, /*makeDflt=*/0);
    return self;
  }();
  return *instance;
}

void PowerCutVfs::Arm(uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  armed_ = true;
  left_ = n == 0 ? 1 : n;
}

void PowerCutVfs::Disarm() {
  std::lock_guard<std::mutex> lock(mu_);
  armed_ = false;
}

bool PowerCutVfs::dead() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dead_;
}

bool PowerCutVfs::Alive(bool counts) {
  std::lock_guard<std::mutex> lock(mu_);
  if (dead_) return false;
  if (!counts || !armed_) return true;
  if (--left_ == 0) {
    dead_ = true;
    armed_ = false;
    return false;
  }
  return true;
}

void PowerCutVfs::Track(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.count(path)) return;
  // A file first seen now is taken as durable as it stands.
  files_[path].synced = ReadWhole(path);
}

void PowerCutVfs::Record(const std::string& path, Op op) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!op.truncate) ++writes_;
  files_[path].pending.push_back(std::move(op));
}

void PowerCutVfs::Synced(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  ++syncs_;
  Image& image = files_[path];
  for (const Op& op : image.pending) Apply(image.synced, op);
  image.pending.clear();
}

void PowerCutVfs::Deleted(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  files_.erase(path);
}

Status PowerCutVfs::PowerCut(double keep, std::mt19937_64& rng) {
  std::lock_guard<std::mutex> lock(mu_);
  std::bernoulli_distribution kept(keep);
  for (auto& [path, image] : files_) {
    std::string content = image.synced;
    for (const Op& op : image.pending) {
      if (kept(rng)) Apply(content, op);
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) return Unavailable("power cut: cannot rewrite " + path);
  }
  files_.clear();
  armed_ = false;
  dead_ = false;
  return Status::Ok();
}

void PowerCutVfs::Forget() {
  std::lock_guard<std::mutex> lock(mu_);
  files_.clear();
  armed_ = false;
  dead_ = false;
}

uint64_t PowerCutVfs::writes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return writes_;
}

uint64_t PowerCutVfs::syncs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return syncs_;
}

}  // namespace phieu::testing
