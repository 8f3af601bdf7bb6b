// The WAL-gathering VFS shim (src/storage/sqlite_wal_vfs.hpp, issue 24) over a
// real SQLite file: what a commit writes is visible to other connections once
// the commit returns, a commit's frames reach the file in a few writes, and
// transactions larger than the buffer spill, commit and roll back correctly.
#include "src/storage/sqlite_wal_vfs.hpp"

#include <boost/test/unit_test.hpp>
#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include "tests/support/temp_dir.hpp"

namespace {

using server::sqlite::wal_vfs_name;
using server::sqlite::wal_vfs_stats;

/// One raw connection, through the shim (`vfs`) or SQLite's default VFS (null).
class Conn {
public:
    Conn(const std::filesystem::path& file, const char* vfs) {
        int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
        if (sqlite3_open_v2(file.c_str(), &db_, flags, vfs) != SQLITE_OK)
            throw std::runtime_error("open: " + std::string(sqlite3_errmsg(db_)));
        sqlite3_busy_timeout(db_, 5000);
        exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL");
    }
    Conn(const Conn&) = delete;
    Conn& operator=(const Conn&) = delete;
    ~Conn() { sqlite3_close(db_); }

    void exec(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err ? err : "?";
            sqlite3_free(err);
            throw std::runtime_error(sql + ": " + msg);
        }
    }
    /// The first column of the first row, as text ("" when there is no row).
    std::string text(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
            throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
        std::string out;
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw std::runtime_error(sql + ": step failed");
        return out;
    }
    std::int64_t number(const std::string& sql) { return std::stoll(text(sql)); }

private:
    sqlite3* db_ = nullptr;
};

/// A row's payload that can be checked later: `bytes` copies of one letter
/// chosen by the row's id.
std::string payload_sql(const std::string& id, int bytes) {
    return "replace(hex(zeroblob(" + std::to_string(bytes / 2) + ")), '0', char(65 + " + id + " % 26))";
}

struct WalFixture {
    test_support::TempDir dir;
    std::filesystem::path file = dir.path() / "w.sqlite3";
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(wal_vfs, WalFixture)

BOOST_AUTO_TEST_CASE(every_commit_is_visible_to_a_concurrent_reader_once_it_returns) {
    constexpr int commits = 300;
    std::atomic<int> committed{0};
    std::atomic<bool> reader_failed{false};
    {
        Conn writer(file, wal_vfs_name());
        writer.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
        // The reader uses SQLite's own VFS and checkpoints as it goes, so the
        // log is copied back and restarted under the writer.
        std::thread reader([&] {
            Conn r(file, nullptr);
            for (int seen = 0; seen < commits;) {
                int promised = committed.load();
                auto present = r.number("SELECT count(*) FROM t WHERE v = " + payload_sql("id", 3000));
                if (present < promised) reader_failed = true;
                if (present % 7 == 0) r.exec("PRAGMA wal_checkpoint(PASSIVE)");
                seen = static_cast<int>(present);
                if (reader_failed) return;
            }
        });
        for (int i = 1; i <= commits; ++i) {
            writer.exec("BEGIN IMMEDIATE; INSERT INTO t (id, v) VALUES (" + std::to_string(i) + ", " +
                        payload_sql(std::to_string(i), 3000) + "); COMMIT");
            committed = i;
        }
        reader.join();
    }
    BOOST_TEST(!reader_failed.load());
    Conn reopened(file, nullptr);
    BOOST_TEST(reopened.text("PRAGMA integrity_check") == "ok");
    BOOST_TEST(reopened.number("SELECT count(*) FROM t WHERE v = " + payload_sql("id", 3000)) == commits);
}

BOOST_AUTO_TEST_CASE(a_commit_of_forty_pages_reaches_the_log_in_at_most_three_writes) {
    Conn writer(file, wal_vfs_name());
    writer.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    auto before = wal_vfs_stats();
    // Rows of 3500 bytes: one table page each, so about 40 frames.
    writer.exec("BEGIN IMMEDIATE");
    for (int i = 1; i <= 40; ++i)
        writer.exec("INSERT INTO t (id, v) VALUES (" + std::to_string(i) + ", " +
                    payload_sql(std::to_string(i), 3500) + ")");
    writer.exec("COMMIT");
    auto after = wal_vfs_stats();
    // SQLite writes a frame as a header and a page: two writes each.
    BOOST_TEST(after.wal_writes - before.wal_writes >= 80u);
    BOOST_TEST(after.underlying_writes - before.underlying_writes <= 3u);
    BOOST_TEST(after.underlying_bytes - before.underlying_bytes >= 40u * 4096);
    Conn reader(file, nullptr);
    BOOST_TEST(reader.number("SELECT count(*) FROM t WHERE v = " + payload_sql("id", 3500)) == 40);
}

BOOST_AUTO_TEST_CASE(a_transaction_larger_than_the_buffer_spills_and_commits_whole) {
    constexpr int rows = 1600;  // about 6.5 MB of pages, past wal_buffer_cap_bytes
    static_assert(rows * 4096 > static_cast<int>(server::sqlite::wal_buffer_cap_bytes));
    Conn writer(file, wal_vfs_name());
    // A small page cache makes SQLite spill pages to the log mid-transaction
    // and read them back (through xRead) when it updates them.
    writer.exec("PRAGMA cache_size = 20; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    auto before = wal_vfs_stats();
    writer.exec("BEGIN IMMEDIATE; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                std::to_string(rows) + ") INSERT INTO t (id, v) SELECT i, " + payload_sql("i", 3500) +
                " FROM n; UPDATE t SET v = " + payload_sql("id + 1", 3500) + " WHERE id % 10 = 0; COMMIT");
    auto after = wal_vfs_stats();
    BOOST_TEST(after.underlying_bytes - before.underlying_bytes >= rows * 4096u);
    BOOST_TEST(after.underlying_writes - before.underlying_writes > 1u);
    Conn reader(file, nullptr);
    BOOST_TEST(reader.text("PRAGMA integrity_check") == "ok");
    BOOST_TEST(reader.number("SELECT count(*) FROM t WHERE id % 10 != 0 AND v = " + payload_sql("id", 3500)) ==
               rows - rows / 10);
    BOOST_TEST(reader.number("SELECT count(*) FROM t WHERE id % 10 = 0 AND v = " + payload_sql("id + 1", 3500)) ==
               rows / 10);
}

BOOST_AUTO_TEST_CASE(a_spilled_transaction_that_rolls_back_leaves_nothing_and_the_next_commit_holds) {
    Conn writer(file, wal_vfs_name());
    writer.exec("PRAGMA cache_size = 20; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    writer.exec("BEGIN IMMEDIATE; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
                "INSERT INTO t (id, v) SELECT i, " + payload_sql("i", 3500) + " FROM n; ROLLBACK");
    writer.exec("INSERT INTO t (id, v) VALUES (7, " + payload_sql("7", 3500) + ")");
    writer.exec("INSERT INTO t (id, v) VALUES (8, " + payload_sql("8", 3500) + ")");
    Conn reader(file, nullptr);
    BOOST_TEST(reader.text("SELECT group_concat(id) FROM t") == "7,8");
    BOOST_TEST(reader.text("PRAGMA integrity_check") == "ok");
}

BOOST_AUTO_TEST_SUITE_END()
