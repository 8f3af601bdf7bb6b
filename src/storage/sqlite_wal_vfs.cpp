// An SQLite VFS shim over the default VFS (SQLite's documented sqlite3_vfs and
// sqlite3_io_methods API, https://sqlite.org/c3ref/vfs.html) that turns a
// commit's write-ahead-log frames into one write per 124 KiB (issue 24).
//
// SQLite writes each WAL frame with two calls (the 24-byte frame header, then
// the page), about 90 small writes for a JSON API create; one write of the same
// bytes costs a tenth of that. Every method of both tables is passed through
// to the wrapped VFS; only files opened with SQLITE_OPEN_WAL buffer their
// writes: contiguous writes are appended to memory, and the run is written
// with one call (or one per 124 KiB, the most
// the unix VFS takes in a call) before xSync, xRead, xTruncate, xFileSize, xFetch, xClose,
// before a write that does not continue the run, and when the run reaches
// wal_buffer_cap_bytes. An error of that write is returned by the method that
// caused it: from xSync it fails the COMMIT, SQLite rolls back, and nothing is
// acknowledged.
//
// Why nobody can see a frame that is still in memory, given synchronous=FULL:
// - other connections (readers, the checkpointer) learn which frames exist
//   only from the wal-index header, and the committing connection publishes a
//   commit there only after sqlite3WalFrames has called xSync on the WAL
//   (FULL syncs the log at every commit), which writes the buffer first;
// - frames a large transaction spills before its commit are not in that
//   header; the writer itself reads them back through xRead, which writes the
//   buffer first;
// - after a crash the frames still in memory belong to a commit that has not
//   returned, which is what a crash before the sync would lose anyway.
// With synchronous=NORMAL a commit publishes its frames without xSync, so
// readers could be told about frames not yet written: use the shim only on
// connections that run with synchronous=FULL (SqliteStore sets FULL on every
// one of its connections).
#include "src/storage/sqlite_wal_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

namespace server::sqlite {
namespace {

/// A buffer larger than this is given back after it is written, so a spilling
/// transaction does not leave megabytes behind on the writer connection.
constexpr std::size_t wal_buffer_keep_bytes = 512 * 1024;

/// The most one call to the wrapped xWrite is given: the unix VFS writes at
/// most 128 KiB - 1 bytes per call (os_unix.c masks the length to 17 bits, so
/// a longer write fails with SQLITE_FULL); kept a multiple of 4 KiB.
constexpr std::size_t max_write_bytes = 128 * 1024 - 4096;

/// The run of WAL bytes not yet written: `bytes` belong at `offset`.
struct WalRun {
    std::vector<unsigned char> bytes;
    sqlite3_int64 offset = 0;
};

/// What SQLite allocates for one of our files (szOsFile): this header, then the
/// wrapped VFS's own file object at real_offset.
struct ShimFile {
    sqlite3_file base;  // first: SQLite sees only this
    sqlite3_file* real;
    WalRun* wal;  // null for every file but a WAL
};

constexpr std::size_t real_offset = (sizeof(ShimFile) + 15) & ~std::size_t{15};

std::atomic<std::uint64_t> wal_write_count{0};
std::atomic<std::uint64_t> underlying_write_count{0};
std::atomic<std::uint64_t> underlying_byte_count{0};

ShimFile* shim(sqlite3_file* file) { return reinterpret_cast<ShimFile*>(file); }
sqlite3_file* real(sqlite3_file* file) { return shim(file)->real; }
const sqlite3_io_methods& real_io(sqlite3_file* file) { return *real(file)->pMethods; }
sqlite3_vfs* wrapped(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

/// Writes the buffered run through the wrapped xWrite, in as few calls as
/// max_write_bytes allows. The run is dropped even when that fails: the
/// transaction it belongs to fails with it.
int flush(sqlite3_file* file) {
    WalRun* run = shim(file)->wal;
    if (!run || run->bytes.empty()) return SQLITE_OK;
    int rc = SQLITE_OK;
    for (std::size_t done = 0; done < run->bytes.size() && rc == SQLITE_OK;) {
        std::size_t n = std::min(max_write_bytes, run->bytes.size() - done);
        rc = real_io(file).xWrite(real(file), run->bytes.data() + done, static_cast<int>(n),
                                  run->offset + static_cast<sqlite3_int64>(done));
        underlying_write_count.fetch_add(1, std::memory_order_relaxed);
        underlying_byte_count.fetch_add(n, std::memory_order_relaxed);
        done += n;
    }
    run->bytes.clear();
    if (run->bytes.capacity() > wal_buffer_keep_bytes) std::vector<unsigned char>().swap(run->bytes);
    return rc;
}

int shim_close(sqlite3_file* file) {
    int rc = flush(file);
    int closed = real_io(file).xClose(real(file));
    delete shim(file)->wal;
    shim(file)->wal = nullptr;
    return rc != SQLITE_OK ? rc : closed;
}

int shim_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
    if (int rc = flush(file); rc != SQLITE_OK) return rc;
    return real_io(file).xRead(real(file), out, amount, offset);
}

/// Appends to the run when the write continues it; otherwise writes the run
/// out first and starts a new one here.
int buffer_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
    WalRun& run = *shim(file)->wal;
    wal_write_count.fetch_add(1, std::memory_order_relaxed);
    auto end = run.offset + static_cast<sqlite3_int64>(run.bytes.size());
    if (!run.bytes.empty() && offset != end) {
        if (int rc = flush(file); rc != SQLITE_OK) return rc;
    }
    if (run.bytes.empty()) run.offset = offset;
    const auto* p = static_cast<const unsigned char*>(data);
    try {
        run.bytes.insert(run.bytes.end(), p, p + amount);
    } catch (const std::bad_alloc&) {
        return SQLITE_IOERR_NOMEM;
    }
    return run.bytes.size() >= wal_buffer_cap_bytes ? flush(file) : SQLITE_OK;
}

int shim_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
    if (shim(file)->wal) return buffer_write(file, data, amount, offset);
    return real_io(file).xWrite(real(file), data, amount, offset);
}

int shim_truncate(sqlite3_file* file, sqlite3_int64 size) {
    if (int rc = flush(file); rc != SQLITE_OK) return rc;
    return real_io(file).xTruncate(real(file), size);
}

int shim_sync(sqlite3_file* file, int flags) {
    if (int rc = flush(file); rc != SQLITE_OK) return rc;
    return real_io(file).xSync(real(file), flags);
}

int shim_file_size(sqlite3_file* file, sqlite3_int64* size) {
    if (int rc = flush(file); rc != SQLITE_OK) return rc;
    return real_io(file).xFileSize(real(file), size);
}

int shim_lock(sqlite3_file* file, int level) { return real_io(file).xLock(real(file), level); }
int shim_unlock(sqlite3_file* file, int level) { return real_io(file).xUnlock(real(file), level); }
int shim_check_reserved_lock(sqlite3_file* file, int* out) {
    return real_io(file).xCheckReservedLock(real(file), out);
}
int shim_file_control(sqlite3_file* file, int op, void* arg) {
    return real_io(file).xFileControl(real(file), op, arg);
}
int shim_sector_size(sqlite3_file* file) { return real_io(file).xSectorSize(real(file)); }
int shim_device_characteristics(sqlite3_file* file) {
    return real_io(file).xDeviceCharacteristics(real(file));
}
int shim_shm_map(sqlite3_file* file, int page, int page_size, int extend, void volatile** out) {
    return real_io(file).xShmMap(real(file), page, page_size, extend, out);
}
int shim_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
    return real_io(file).xShmLock(real(file), offset, n, flags);
}
void shim_shm_barrier(sqlite3_file* file) { real_io(file).xShmBarrier(real(file)); }
int shim_shm_unmap(sqlite3_file* file, int delete_flag) {
    return real_io(file).xShmUnmap(real(file), delete_flag);
}
int shim_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
    if (int rc = flush(file); rc != SQLITE_OK) return rc;
    return real_io(file).xFetch(real(file), offset, amount, out);
}
int shim_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* p) {
    return real_io(file).xUnfetch(real(file), offset, p);
}

/// Our method table for a wrapped file whose table has `version`: SQLite
/// calls only the methods its iVersion promises.
constexpr sqlite3_io_methods io_methods(int version) {
    return {version, shim_close, shim_read, shim_write, shim_truncate, shim_sync, shim_file_size,
            shim_lock, shim_unlock, shim_check_reserved_lock, shim_file_control, shim_sector_size,
            shim_device_characteristics, shim_shm_map, shim_shm_lock, shim_shm_barrier,
            shim_shm_unmap, shim_fetch, shim_unfetch};
}

constexpr sqlite3_io_methods io_methods_by_version[] = {io_methods(1), io_methods(2), io_methods(3)};

int shim_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
    ShimFile* f = shim(file);
    f->base.pMethods = nullptr;
    f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + real_offset);
    f->real->pMethods = nullptr;
    f->wal = nullptr;
    int rc = wrapped(vfs)->xOpen(wrapped(vfs), name, f->real, flags, out_flags);
    if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL)) {
        f->wal = new (std::nothrow) WalRun;
        if (!f->wal) rc = SQLITE_NOMEM;
    }
    if (rc != SQLITE_OK) {
        // SQLite will not close a file whose open failed and whose pMethods is null.
        if (f->real->pMethods) f->real->pMethods->xClose(f->real);
        return rc;
    }
    int version = std::clamp(f->real->pMethods->iVersion, 1, 3);
    f->base.pMethods = &io_methods_by_version[version - 1];
    return SQLITE_OK;
}

// The VFS's other methods act on names, not files: the wrapped VFS does them,
// called with its own object (it keeps its state in pAppData).
int vfs_delete(sqlite3_vfs* v, const char* name, int sync_dir) {
    return wrapped(v)->xDelete(wrapped(v), name, sync_dir);
}
int vfs_access(sqlite3_vfs* v, const char* name, int flags, int* out) {
    return wrapped(v)->xAccess(wrapped(v), name, flags, out);
}
int vfs_full_pathname(sqlite3_vfs* v, const char* name, int n, char* out) {
    return wrapped(v)->xFullPathname(wrapped(v), name, n, out);
}
void* vfs_dl_open(sqlite3_vfs* v, const char* name) { return wrapped(v)->xDlOpen(wrapped(v), name); }
void vfs_dl_error(sqlite3_vfs* v, int n, char* out) { wrapped(v)->xDlError(wrapped(v), n, out); }
using Symbol = void (*)();
Symbol vfs_dl_sym(sqlite3_vfs* v, void* handle, const char* name) {
    return wrapped(v)->xDlSym(wrapped(v), handle, name);
}
void vfs_dl_close(sqlite3_vfs* v, void* handle) { wrapped(v)->xDlClose(wrapped(v), handle); }
int vfs_randomness(sqlite3_vfs* v, int n, char* out) { return wrapped(v)->xRandomness(wrapped(v), n, out); }
int vfs_sleep(sqlite3_vfs* v, int micros) { return wrapped(v)->xSleep(wrapped(v), micros); }
int vfs_current_time(sqlite3_vfs* v, double* out) { return wrapped(v)->xCurrentTime(wrapped(v), out); }
int vfs_get_last_error(sqlite3_vfs* v, int n, char* out) {
    return wrapped(v)->xGetLastError(wrapped(v), n, out);
}
int vfs_current_time_int64(sqlite3_vfs* v, sqlite3_int64* out) {
    return wrapped(v)->xCurrentTimeInt64(wrapped(v), out);
}
int vfs_set_system_call(sqlite3_vfs* v, const char* name, sqlite3_syscall_ptr call) {
    return wrapped(v)->xSetSystemCall(wrapped(v), name, call);
}
sqlite3_syscall_ptr vfs_get_system_call(sqlite3_vfs* v, const char* name) {
    return wrapped(v)->xGetSystemCall(wrapped(v), name);
}
const char* vfs_next_system_call(sqlite3_vfs* v, const char* name) {
    return wrapped(v)->xNextSystemCall(wrapped(v), name);
}

/// Fills `vfs` over `base`, offering exactly the methods `base` offers.
void wrap(sqlite3_vfs& vfs, sqlite3_vfs* base) {
    vfs.iVersion = std::min(base->iVersion, 3);
    vfs.szOsFile = static_cast<int>(real_offset) + base->szOsFile;
    vfs.mxPathname = base->mxPathname;
    vfs.zName = "kalends-wal";
    vfs.pAppData = base;
    vfs.xOpen = shim_open;
    vfs.xDelete = vfs_delete;
    vfs.xAccess = vfs_access;
    vfs.xFullPathname = vfs_full_pathname;
    vfs.xDlOpen = base->xDlOpen ? vfs_dl_open : nullptr;
    vfs.xDlError = base->xDlError ? vfs_dl_error : nullptr;
    vfs.xDlSym = base->xDlSym ? vfs_dl_sym : nullptr;
    vfs.xDlClose = base->xDlClose ? vfs_dl_close : nullptr;
    vfs.xRandomness = vfs_randomness;
    vfs.xSleep = vfs_sleep;
    vfs.xCurrentTime = vfs_current_time;
    vfs.xGetLastError = vfs_get_last_error;
    if (vfs.iVersion >= 2) vfs.xCurrentTimeInt64 = base->xCurrentTimeInt64 ? vfs_current_time_int64 : nullptr;
    if (vfs.iVersion >= 3) {
        vfs.xSetSystemCall = base->xSetSystemCall ? vfs_set_system_call : nullptr;
        vfs.xGetSystemCall = base->xGetSystemCall ? vfs_get_system_call : nullptr;
        vfs.xNextSystemCall = base->xNextSystemCall ? vfs_next_system_call : nullptr;
    }
}

const char* register_vfs() {
    sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
    if (!base) throw std::runtime_error("SQLite has no default VFS to wrap");
    static sqlite3_vfs vfs{};
    wrap(vfs, base);
    if (int rc = sqlite3_vfs_register(&vfs, 0); rc != SQLITE_OK)
        throw std::runtime_error(std::string("cannot register the WAL VFS: ") + sqlite3_errstr(rc));
    return vfs.zName;
}

}  // namespace

const char* wal_vfs_name() {
    static const char* name = register_vfs();
    return name;
}

WalVfsStats wal_vfs_stats() {
    WalVfsStats s;
    s.wal_writes = wal_write_count.load(std::memory_order_relaxed);
    s.underlying_writes = underlying_write_count.load(std::memory_order_relaxed);
    s.underlying_bytes = underlying_byte_count.load(std::memory_order_relaxed);
    return s;
}

}  // namespace server::sqlite
