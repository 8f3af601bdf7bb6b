// An SQLite VFS shim (SQLite's sqlite3_vfs / sqlite3_io_methods API) that
// gathers a commit's write-ahead-log frames into a few large writes (issue 24).
// Why it is safe, and only with synchronous=FULL: see sqlite_wal_vfs.cpp.
#pragma once

#include <cstddef>
#include <cstdint>

namespace server::sqlite {

/// The largest run of WAL bytes held in memory before it is written out
/// (a transaction larger than this spills in pieces of about this size).
inline constexpr std::size_t wal_buffer_cap_bytes = 4 * 1024 * 1024;

/// Counters over every WAL file opened through the shim, since the process
/// started (monotonic; take differences).
struct WalVfsStats {
    /// xWrite calls SQLite made on WAL files.
    std::uint64_t wal_writes = 0;
    /// Writes the shim passed on to the wrapped VFS for WAL files.
    std::uint64_t underlying_writes = 0;
    /// Bytes in those underlying writes.
    std::uint64_t underlying_bytes = 0;
};

/// Registers the shim (once per process; not as the default VFS) over the
/// default VFS and returns its name for sqlite3_open_v2. Only for
/// connections that run with PRAGMA synchronous = FULL. Throws
/// std::runtime_error when SQLite has no default VFS or refuses the
/// registration.
const char* wal_vfs_name();

/// A snapshot of the shim's counters.
WalVfsStats wal_vfs_stats();

}  // namespace server::sqlite
