// Backup, restore and check of the SQLite database (issue 29 §2; man/kalends.8):
// copies through SQLite's online backup API (https://sqlite.org/backup.html),
// so a running server goes on reading and writing while a copy is taken.
#pragma once
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "caldav/limits.hpp"

namespace server {

/// A backup, restore or check that could not be done; the message says why
/// in the operator's words (file names included).
class DatabaseToolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Copies the database `db_file`, in use or not, to `dest` as one snapshot:
/// every write committed before the copy began is in it, none after. The
/// copy is a self-contained file (rollback journal, not WAL), verified with
/// PRAGMA quick_check, written as DEST.partial and renamed. `dest` naming a
/// directory gets kalends-YYYYMMDD-HHMMSS.sqlite3 in it. Returns the file
/// written. Throws DatabaseToolError when `dest` exists or a step fails.
std::filesystem::path backup_database(const std::filesystem::path& db_file, const std::filesystem::path& dest);

/// Why `file` cannot be restored, or empty: it is not an SQLite database,
/// not a Kalends one (no schema version or tables), newer than this binary's
/// schema, or fails PRAGMA quick_check.
std::string restore_problem(const std::filesystem::path& file);

/// Replaces the database `db_file` by a copy of `src` after checking it
/// (restore_problem). Refuses, changing nothing, while any process has
/// `db_file` open (a running server holds it): the database's own lock
/// decides, taken exclusively for the whole restore. The database replaced,
/// if any, is kept beside it as DB.before-restore-YYYYMMDD-HHMMSS; returns
/// that path (empty when there was none).
std::filesystem::path restore_database(const std::filesystem::path& src, const std::filesystem::path& db_file);

/// What `kalends check` found.
struct CheckReport {
    std::vector<std::string> problems;  ///< one sentence each; empty: clean
    std::size_t objects = 0;            ///< stored objects looked at
    std::size_t indexed_objects = 0;    ///< of which had their time index rebuilt and compared
    std::size_t instance_rows = 0;      ///< time-index rows compared
};

/// Checks `db_file` without changing it: PRAGMA integrity_check and
/// foreign_key_check; every indexed object's time-index rows against rows
/// rebuilt from its data (caldav::index_instances with `limits` at `now`,
/// compared up to the horizon both cover); the change log against the
/// objects (each live object logged at its revision, no live entry without
/// an object, no collection revision behind its log). At most
/// `max_per_kind` problems of each kind are listed, then a count.
CheckReport check_database(const std::filesystem::path& db_file, const caldav::Limits& limits, std::int64_t now,
                           std::size_t max_per_kind = 20);

}  // namespace server
