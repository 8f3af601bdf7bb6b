// Backup, restore and check of the database (src/storage/database_tools.hpp).
#include "src/storage/database_tools.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <tuple>

#include "caldav/calendar_data.hpp"
#include "src/storage/migrations.hpp"

namespace server {

namespace fs = std::filesystem;

namespace {

/// An sqlite3 connection closed when it goes.
struct Connection {
    sqlite3* db = nullptr;
    Connection(const fs::path& file, int flags) {
        int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
        if (rc != SQLITE_OK) {
            std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
            sqlite3_close(db);
            throw DatabaseToolError(file.string() + ": cannot open: " + why);
        }
        sqlite3_extended_result_codes(db, 1);
    }
    ~Connection() { sqlite3_close(db); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Runs `sql`; throws DatabaseToolError naming `what` on failure.
    void exec(const std::string& sql, const std::string& what) {
        char* err = nullptr;
        if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            std::string why = err ? err : sqlite3_errmsg(db);
            sqlite3_free(err);
            throw DatabaseToolError(what + ": " + why);
        }
    }
    /// The rows of `sql` with one text column.
    std::vector<std::string> column(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
            throw DatabaseToolError(std::string("cannot read the database: ") + sqlite3_errmsg(db));
        std::vector<std::string> out;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            auto* text = sqlite3_column_text(st, 0);
            out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) throw DatabaseToolError(std::string("cannot read the database: ") + sqlite3_errmsg(db));
        return out;
    }
};

std::string timestamp() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
    return buf;
}

/// Copies every page of `from` into `to` in one step, so that the copy is
/// one snapshot of `from` (a stepwise copy restarts when another connection
/// writes). A busy source is waited for a while.
void copy_pages(sqlite3* from, sqlite3* to, const std::string& what) {
    sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
    if (!b) throw DatabaseToolError(what + ": " + sqlite3_errmsg(to));
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt < 100; ++attempt) {
        rc = sqlite3_backup_step(b, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
        sqlite3_sleep(50);
    }
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) throw DatabaseToolError(what + ": " + sqlite3_errstr(rc));
}

void sync_path(const fs::path& p) {
    int fd = ::open(p.c_str(), O_RDONLY);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

/// The first problem PRAGMA quick_check reports, or empty.
std::string quick_check_problem(Connection& c) {
    auto lines = c.column("PRAGMA quick_check");
    if (lines.size() == 1 && lines[0] == "ok") return {};
    return lines.empty() ? std::string("quick_check gave no answer") : lines.front();
}

}  // namespace

fs::path backup_database(const fs::path& db_file, const fs::path& dest_arg) {
    if (!fs::exists(db_file)) throw DatabaseToolError(db_file.string() + ": no database to back up");
    fs::path dest = dest_arg;
    if (fs::is_directory(dest)) dest /= "kalends-" + timestamp() + ".sqlite3";
    if (fs::exists(dest)) throw DatabaseToolError(dest.string() + ": exists; remove it or name another file");
    fs::path partial = dest;
    partial += ".partial";
    fs::remove(partial);
    {
        Connection from(db_file, SQLITE_OPEN_READWRITE);
        sqlite3_busy_timeout(from.db, 5000);
        Connection to(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        copy_pages(from.db, to.db, "backup of " + db_file.string());
        // One self-contained file: the copy carries the WAL flag of the live database.
        to.exec("PRAGMA journal_mode = DELETE", partial.string());
        if (auto why = quick_check_problem(to); !why.empty()) {
            fs::remove(partial);
            throw DatabaseToolError(dest.string() + ": the copy fails its check: " + why);
        }
    }
    sync_path(partial);
    fs::rename(partial, dest);
    sync_path(dest.parent_path().empty() ? fs::path(".") : dest.parent_path());
    return dest;
}

std::string restore_problem(const fs::path& file) {
    if (!fs::is_regular_file(file)) return file.string() + ": no such file";
    try {
        Connection c(file, SQLITE_OPEN_READONLY);
        int version = 0;
        try {
            version = std::stoi(c.column("PRAGMA user_version").at(0));
        } catch (const DatabaseToolError& e) {
            return file.string() + ": not an SQLite database (" + e.what() + ")";
        }
        auto tables = c.column("SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN "
                               "('principals', 'collections', 'objects', 'changes')");
        if (version == 0 || tables.size() != 4) return file.string() + ": not a Kalends database";
        int latest = builtin_migrations().empty() ? 0 : builtin_migrations().back().version;
        if (version > latest)
            return file.string() + ": schema version " + std::to_string(version) + " is newer than this kalends (" +
                   std::to_string(latest) + "); restore it with the version that wrote it";
        if (auto why = quick_check_problem(c); !why.empty()) return file.string() + ": damaged: " + why;
    } catch (const DatabaseToolError& e) {
        return e.what();
    }
    return {};
}

fs::path restore_database(const fs::path& src, const fs::path& db_file) {
    if (auto why = restore_problem(src); !why.empty()) throw DatabaseToolError(why);
    bool had_one = fs::exists(db_file);
    Connection to(db_file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    // Exclusive locking mode keeps the lock after the transaction ends, for
    // the whole restore; a server or command holding the database open
    // makes this fail at once (no busy timeout).
    try {
        to.exec("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; SELECT count(*) FROM sqlite_schema; COMMIT",
                db_file.string());
    } catch (const DatabaseToolError&) {
        throw DatabaseToolError(db_file.string() +
                                ": in use by another process (a running kalends server?); stop it and try again");
    }
    fs::path kept;
    if (had_one) {
        kept = db_file;
        kept += ".before-restore-" + timestamp();
        Connection old(kept, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        copy_pages(to.db, old.db, "keeping " + db_file.string());
        old.exec("PRAGMA journal_mode = DELETE", kept.string());
    }
    Connection from(src, SQLITE_OPEN_READONLY);
    copy_pages(from.db, to.db, "restore from " + src.string());
    to.exec("PRAGMA journal_mode = WAL", db_file.string());
    return kept;
}

}  // namespace server
