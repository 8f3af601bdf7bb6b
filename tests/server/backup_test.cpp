// kalends backup, restore and check (issue 29 §2): a backup taken under a
// write load holds every write acknowledged before it began and checks
// clean after a restore; restore refuses a running server's data and files
// that are not Kalends databases or are newer than the binary; check finds
// a damaged time-index row and change-log entry.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "src/storage/sqlite.hpp"
#include "tests/server/ops_server.hpp"
#include "tests/support/temp_dir.hpp"

using ops_test::as;
using ops_test::Server;
namespace fs = std::filesystem;

namespace {

std::string event(const std::string& uid, int n) {
    std::string day = std::to_string(10 + n % 18);
    std::string rule = n % 3 == 0 ? "RRULE:FREQ=WEEKLY;COUNT=5\r\n" : "";
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
           "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:202603" + day + "T090000Z\r\nDURATION:PT1H\r\n" + rule +
           "SUMMARY:load " + std::to_string(n) + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
}

/// Runs kalends and returns {status, stdout + stderr}.
std::pair<int, std::string> kalends(const std::vector<std::string>& args, const fs::path& data) {
    std::vector<std::string> all{test_support::kalends_bin()};
    all.insert(all.end(), args.begin(), args.end());
    all.insert(all.end(), {"--data", data.string()});
    test_support::Child c(all);
    c.close_stdin();
    auto status = c.wait(std::chrono::seconds(120));
    return {status.value_or(-1), c.out() + c.err()};
}

std::set<std::string> stored_names(const fs::path& db_file) {
    server::sqlite::Db db(db_file, false, true);
    std::set<std::string> names;
    auto st = db.prepare("SELECT name FROM objects");
    while (st.step()) names.insert(st.text(0));
    return names;
}

/// PUTs events from two threads until stopped; remembers those answered 201.
class WriteLoad {
public:
    explicit WriteLoad(const Server& server) {
        for (int t = 0; t < 2; ++t)
            threads_.emplace_back([this, &server, t] {
                for (int n = 0; !stop_; ++n) {
                    std::string name = "w" + std::to_string(t) + "-" + std::to_string(n) + ".ics";
                    auto r = server.call("PUT", "/dav/calendars/alice/calendar/" + name, as("alice"),
                                         event(name, n), "Content-Type: text/calendar\r\n");
                    if (r.status == 201) {
                        std::lock_guard lock(mutex_);
                        acked_.insert(name);
                    }
                }
            });
    }
    ~WriteLoad() { stop(); }
    void stop() {
        stop_ = true;
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }
    std::set<std::string> acknowledged() {
        std::lock_guard lock(mutex_);
        return acked_;
    }

private:
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::set<std::string> acked_;
    std::vector<std::thread> threads_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(backup)

BOOST_AUTO_TEST_CASE(a_backup_under_write_load_restores_every_acknowledged_write_and_checks_clean) {
    test_support::TempDir dir;
    auto live = dir.path() / "live";
    ops_test::add_user(live, "alice");
    std::set<std::string> before_backup, after_backup;
    auto dest = dir.path() / "copy.sqlite3";
    {
        Server server(live);
        WriteLoad load(server);
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        before_backup = load.acknowledged();
        auto [status, text] = kalends({"backup", dest.string()}, live);
        BOOST_TEST_REQUIRE(status == 0, text);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        load.stop();
        after_backup = load.acknowledged();
    }
    BOOST_TEST_REQUIRE(before_backup.size() >= 5u);
    BOOST_TEST(after_backup.size() > before_backup.size());  // the writes went on during the backup
    auto restored = dir.path() / "restored";
    auto [rs, rtext] = kalends({"restore", dest.string()}, restored);
    BOOST_TEST_REQUIRE(rs == 0, rtext);
    auto names = stored_names(restored / "kalends.sqlite3");
    for (const auto& n : before_backup) BOOST_TEST(names.count(n) == 1u, n << " acknowledged before the backup");
    for (const auto& n : names) BOOST_TEST(after_backup.count(n) == 1u, n << " was never acknowledged");
    auto [cs, ctext] = kalends({"check"}, restored);
    BOOST_TEST(cs == 0, ctext);
    BOOST_TEST(ctext.find("clean") != std::string::npos);
    // The restored data serves.
    Server again(restored);
    BOOST_TEST(again.call("GET", "/dav/calendars/alice/calendar/" + *before_backup.begin(), as("alice")).status == 200);
}

BOOST_AUTO_TEST_CASE(restore_refuses_while_a_server_runs_and_refuses_foreign_or_newer_files) {
    test_support::TempDir dir;
    auto live = dir.path() / "live";
    ops_test::add_user(live, "alice");
    auto copy = dir.path() / "copy.sqlite3";
    BOOST_TEST_REQUIRE(kalends({"backup", copy.string()}, live).first == 0);
    BOOST_TEST(kalends({"backup", copy.string()}, live).first == 1);  // never overwrites
    {
        Server server(live);
        auto [status, text] = kalends({"restore", copy.string()}, live);
        BOOST_TEST(status == 1);
        BOOST_TEST(text.find("in use") != std::string::npos, text);
        BOOST_TEST(server.call("PROPFIND", "/dav/calendars/alice/", as("alice"), {}, "Depth: 0\r\n").status == 207);
    }
    auto text_file = dir.path() / "notes.txt";
    std::ofstream(text_file) << "not a database at all, just some words\n";
    auto [ts, ttext] = kalends({"restore", text_file.string()}, live);
    BOOST_TEST(ts == 1);
    BOOST_TEST(ttext.find("not an SQLite database") != std::string::npos, ttext);
    auto empty_db = dir.path() / "other.sqlite3";
    { server::sqlite::Db db(empty_db, true, false); db.exec("CREATE TABLE t (x); PRAGMA user_version = 3"); }
    auto [es, etext] = kalends({"restore", empty_db.string()}, live);
    BOOST_TEST(es == 1);
    BOOST_TEST(etext.find("not a Kalends database") != std::string::npos, etext);
    { server::sqlite::Db db(copy, false, false); db.exec("PRAGMA user_version = 9999"); }
    auto [ns, ntext] = kalends({"restore", copy.string()}, live);
    BOOST_TEST(ns == 1);
    BOOST_TEST(ntext.find("newer than this kalends") != std::string::npos, ntext);
    BOOST_TEST(stored_names(live / "kalends.sqlite3").empty());  // still the live database, untouched
}

BOOST_AUTO_TEST_CASE(check_names_a_corrupted_time_index_row_and_a_missing_change_log_entry) {
    test_support::TempDir dir;
    auto live = dir.path() / "live";
    ops_test::add_user(live, "alice");
    {
        Server server(live);
        for (int n = 0; n < 4; ++n)
            BOOST_TEST(server.call("PUT", "/dav/calendars/alice/calendar/e" + std::to_string(n) + ".ics", as("alice"),
                                   event("e" + std::to_string(n), n), "Content-Type: text/calendar\r\n")
                           .status == 201);
    }
    auto clean = kalends({"check"}, live);
    BOOST_TEST(clean.first == 0, clean.second);
    {
        server::sqlite::Db db(live / "kalends.sqlite3", false, false);
        db.exec("UPDATE instances SET start_at = start_at + 3600 WHERE rowid = (SELECT min(i.rowid) FROM instances i "
                "JOIN objects o ON o.id = i.object_id WHERE o.name = 'e2.ics')");
        BOOST_TEST_REQUIRE(db.changes() == 1);
    }
    auto damaged = kalends({"check"}, live);
    BOOST_TEST(damaged.first == 1);
    BOOST_TEST(damaged.second.find("time index: alice/calendar/e2.ics") != std::string::npos, damaged.second);
    BOOST_TEST(damaged.second.find("e1.ics") == std::string::npos, damaged.second);
    {
        server::sqlite::Db db(live / "kalends.sqlite3", false, false);
        db.exec("DELETE FROM changes WHERE name = 'e3.ics'");
    }
    auto unlogged = kalends({"check"}, live);
    BOOST_TEST(unlogged.first == 1);
    BOOST_TEST(unlogged.second.find("change log: alice/calendar/e3.ics is stored but was never logged") !=
                   std::string::npos,
               unlogged.second);
}

BOOST_AUTO_TEST_SUITE_END()
