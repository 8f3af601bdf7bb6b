// A thin RAII layer over the SQLite C API: connections, cached statements, errors.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace server::sqlite {

/// An SQLite failure: the result code and SQLite's message. Never shown to clients.
class Error : public std::runtime_error {
public:
    Error(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
    /// The primary result code (SQLITE_BUSY, SQLITE_FULL, ...).
    int code() const noexcept { return code_ & 0xff; }

private:
    int code_;
};

class Db;

/// A prepared statement borrowed from a Db's cache; resets itself when it goes
/// out of scope so the next user finds it clean. Column indexes are 0-based,
/// bind indexes 1-based, as in the C API.
class Stmt {
public:
    Stmt(Db& db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    ~Stmt();

    Stmt& bind(int index, std::int64_t value);
    Stmt& bind(int index, int value) { return bind(index, std::int64_t{value}); }
    Stmt& bind(int index, std::string_view value);
    Stmt& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
    Stmt& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Stmt& bind(int index, std::optional<std::int64_t> value);
    Stmt& bind_null(int index);

    /// Steps once; true while a row is available.
    bool step();
    /// Steps to completion (for statements that return no rows).
    void run();
    /// Makes the statement ready to run again (bindings stay until rebound).
    void reset() { sqlite3_reset(stmt_); }

    std::int64_t int64(int column) const;
    std::string text(int column) const;
    /// The column's text, valid until the next step or reset.
    std::string_view view(int column) const;
    std::optional<std::int64_t> optional_int64(int column) const;
    bool is_null(int column) const;

private:
    Db& db_;
    sqlite3_stmt* stmt_;
};

/// One connection. Not thread-safe: one thread uses it at a time.
class Db {
public:
    /// Opens (creating when `create`) the database file through the VFS named
    /// `vfs` (null: SQLite's default); throws Error on failure.
    Db(const std::filesystem::path& file, bool create, bool read_only, const char* vfs = nullptr);
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    ~Db();

    /// Runs one or more statements with no results; throws Error.
    void exec(std::string_view sql);
    /// A cached prepared statement for `sql` (the text must stay the same).
    Stmt prepare(std::string_view sql);
    /// Rows changed by the last statement.
    int changes() const { return sqlite3_changes(db_); }
    std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
    sqlite3* handle() const { return db_; }

    /// Throws Error for a failed result code `rc`.
    [[noreturn]] void fail(int rc) const;

private:
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace server::sqlite
