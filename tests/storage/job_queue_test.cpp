// The JobRunner over the job queue with a clock the test moves (issue 23
// §7): retries back off, failures are kept, two runners never run one job
// twice; and schema 0014 moving queued mail into the queue. The queue's own
// contract (caldav::JobStore) is in the contract suite (store_contract.cpp).
#include "src/jobs/job_runner.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include <sqlite3.h>

#include "src/storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using caldav::JobRecord;
using caldav::NewJob;
using caldav::StoreStatus;

namespace {

/// A SQLite store over a real file, opened through the migrations.
struct SqliteBackend {
    test_support::TempDir dir;
    std::unique_ptr<server::SqliteStore> store = open();

    std::unique_ptr<server::SqliteStore> open() {
        server::SqliteOptions o;
        o.file = dir.path() / "jobs.sqlite3";
        return server::SqliteStore::open(o);
    }
    caldav::JobStore& jobs() { return *store; }
};

NewJob job(const std::string& kind, std::int64_t due, const std::string& payload = "p") {
    return {kind, 7, due, payload};
}

/// The store, except that the next `busy_completions` completions answer
/// busy without doing anything (the database stayed locked).
class BusyCompletions : public caldav::JobStore {
public:
    BusyCompletions(caldav::JobStore& real, int busy) : real_(real), busy_(busy) {}
    StoreStatus enqueue_jobs(const std::vector<NewJob>& j, std::vector<std::int64_t>* ids) override {
        return real_.enqueue_jobs(j, ids);
    }
    std::vector<JobRecord> lease_jobs(const std::vector<std::string>& k, std::int64_t now, std::int64_t until,
                                      std::string_view w, std::size_t limit) override {
        return real_.lease_jobs(k, now, until, w, limit);
    }
    StoreStatus complete_job(std::int64_t id, std::string_view w) override {
        if (busy_-- > 0) return StoreStatus::busy;
        return real_.complete_job(id, w);
    }
    StoreStatus retry_job(std::int64_t id, std::string_view w, std::int64_t due, std::string_view e) override {
        return real_.retry_job(id, w, due, e);
    }
    StoreStatus fail_job(std::int64_t id, std::string_view w, std::int64_t now, std::string_view e) override {
        return real_.fail_job(id, w, now, e);
    }
    std::optional<std::int64_t> next_job_due(const std::vector<std::string>& k) override {
        return real_.next_job_due(k);
    }
    StoreStatus complete_job_with(std::int64_t id, std::string_view w, const std::vector<NewJob>& next,
                                  std::string_view key, std::int64_t now) override {
        if (busy_-- > 0) return StoreStatus::busy;
        return real_.complete_job_with(id, w, next, key, now);
    }
    std::size_t release_leases(std::string_view w) override { return real_.release_leases(w); }
    void set_reminder_indexer(caldav::ReminderIndexer i) override { real_.set_reminder_indexer(std::move(i)); }
    std::size_t extend_reminders(std::int64_t before, std::size_t limit) override {
        return real_.extend_reminders(before, limit);
    }
    std::size_t prune_deliveries(std::int64_t before) override { return real_.prune_deliveries(before); }
    std::vector<JobRecord> list_jobs(std::string_view kind) override { return real_.list_jobs(kind); }

private:
    caldav::JobStore& real_;
    int busy_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(job_queue)

BOOST_AUTO_TEST_CASE(mail_queued_before_the_job_queue_moves_over_as_it_stands) {
    test_support::TempDir dir;
    server::SqliteOptions o;
    o.file = dir.path() / "old.sqlite3";
    auto all = server::builtin_migrations();
    auto jobs = std::find_if(all.begin(), all.end(),
                             [](const server::Migration& m) { return std::string(m.name).find("jobs") != std::string::npos; });
    BOOST_TEST_REQUIRE((jobs != all.end()));
    auto before = std::vector<server::Migration>(all.begin(), jobs);
    std::int64_t alice = 0;
    {
        auto old = server::SqliteStore::open(o, before);
        BOOST_REQUIRE(old->add_user("alice", "alice@example.com", "$y$fake") == StoreStatus::ok);
        alice = old->find_principal("alice")->id;
    }
    // A message the 0007 queue held, written as that version wrote it.
    sqlite3* db = nullptr;
    BOOST_REQUIRE(sqlite3_open(o.file.c_str(), &db) == SQLITE_OK);
    const std::string insert =
        "INSERT INTO mail_queue (principal_id, uid, recipient, envelope_sender, message, attempts, "
        "next_attempt_at, last_error, created_at) VALUES (" + std::to_string(alice) +
        ", 'uid-1', 'carol@outside.test', 'calendar@example.org', 'Subject: x\r\n\r\nline\nmore\r\n', 2, "
        "5000, 'relay down', 4000)";
    BOOST_TEST(sqlite3_exec(db, insert.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    auto store = server::SqliteStore::open(o, all);
    auto mail = store->list_mail();
    BOOST_TEST_REQUIRE(mail.size() == 1u);
    BOOST_TEST(mail[0].principal_id == alice);
    BOOST_TEST(mail[0].uid == "uid-1");
    BOOST_TEST(mail[0].recipient == "carol@outside.test");
    BOOST_TEST(mail[0].envelope_sender == "calendar@example.org");
    BOOST_TEST(mail[0].message == "Subject: x\r\n\r\nline\nmore\r\n");
    BOOST_TEST(mail[0].attempts == 2);
    BOOST_TEST(mail[0].next_attempt_at == 5000);
    BOOST_TEST(mail[0].last_error == "relay down");
    BOOST_TEST(mail[0].created_at == 4000);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(job_runner)

BOOST_AUTO_TEST_CASE(backoff_doubles_from_the_first_delay_up_to_the_cap) {
    server::RetryPolicy p{30, 300, 10};
    BOOST_TEST(p.delay_after(1) == 30);
    BOOST_TEST(p.delay_after(2) == 60);
    BOOST_TEST(p.delay_after(4) == 240);
    BOOST_TEST(p.delay_after(5) == 300);
    BOOST_TEST(p.delay_after(60) == 300);
}

BOOST_AUTO_TEST_CASE(a_job_runs_when_due_is_retried_with_backoff_and_then_done) {
    SqliteBackend b;
    std::int64_t now = 1000;
    server::JobRunner runner(b.jobs(), [&] { return now; }, {"node1", 60, 8, std::chrono::milliseconds(50)});
    std::vector<std::int64_t> runs;
    runner.handle("mail", [&](const JobRecord& j, std::int64_t) {
        runs.push_back(now);
        if (j.attempts < 2) return server::JobOutcome::retry("relay down");
        return server::JobOutcome::done();
    }, {30, 3600, 5});
    BOOST_TEST_REQUIRE((b.jobs().enqueue_jobs({job("mail", 1010)}) == StoreStatus::ok));
    BOOST_TEST(runner.run_due() == 0u);  // not yet due
    now = 1010;
    BOOST_TEST(runner.run_due() == 1u);  // first run: retry in 30 s
    now = 1039;
    BOOST_TEST(runner.run_due() == 0u);
    now = 1040;
    BOOST_TEST(runner.run_due() == 1u);  // second: retry in 60 s
    now = 1100;
    BOOST_TEST(runner.run_due() == 1u);  // third: done
    BOOST_TEST((runs == std::vector<std::int64_t>{1010, 1040, 1100}));
    BOOST_TEST(b.jobs().list_jobs("").empty());
}

BOOST_AUTO_TEST_CASE(a_job_whose_outcome_could_not_be_recorded_runs_again_a_second_later_not_after_its_lease) {
    SqliteBackend b;
    BusyCompletions store(b.jobs(), 1);
    std::int64_t now = 1000;
    server::JobRunner runner(store, [&] { return now; }, {"node1", 300, 8, std::chrono::milliseconds(50)});
    int runs = 0;
    runner.handle("reminder", [&](const JobRecord&, std::int64_t) {
        ++runs;
        return server::JobOutcome::done_with({job("mail", now)}, "reminder/key");
    });
    BOOST_TEST_REQUIRE((b.jobs().enqueue_jobs({job("reminder", 1000)}) == StoreStatus::ok));
    BOOST_TEST(runner.run_due() == 1u);  // its completion answered busy
    auto left = b.jobs().list_jobs("reminder");
    BOOST_REQUIRE(left.size() == 1u);
    BOOST_TEST(left[0].lease_until == 0);  // given back, not held for 300 s
    BOOST_TEST(left[0].due_at == 1001);
    BOOST_TEST(b.jobs().list_jobs("mail").empty());
    now = 1001;
    BOOST_TEST(runner.run_due() == 1u);
    BOOST_TEST(runs == 2);
    BOOST_TEST(b.jobs().list_jobs("reminder").empty());
    BOOST_TEST(b.jobs().list_jobs("mail").size() == 1u);  // delivered once
}

BOOST_AUTO_TEST_CASE(a_job_that_keeps_failing_fails_for_good_after_max_attempts_and_a_throw_is_a_retry) {
    SqliteBackend b;
    std::int64_t now = 0;
    server::JobRunner runner(b.jobs(), [&] { return now; });
    int runs = 0;
    runner.handle("mail", [&](const JobRecord&, std::int64_t) -> server::JobOutcome {
        ++runs;
        throw std::runtime_error("boom");
    }, {10, 10, 3});
    BOOST_TEST_REQUIRE((b.jobs().enqueue_jobs({job("mail", 0)}) == StoreStatus::ok));
    for (int i = 0; i < 10; ++i, now += 10) runner.run_due();
    BOOST_TEST(runs == 3);
    auto all = b.jobs().list_jobs("mail");
    BOOST_TEST_REQUIRE(all.size() == 1u);
    BOOST_TEST(all[0].failed_at.has_value());
    BOOST_TEST(all[0].last_error.find("boom") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(two_running_runners_run_each_job_exactly_once) {
    SqliteBackend b;
    std::atomic<std::int64_t> now{100};
    std::mutex m;
    std::map<std::string, int> ran;
    auto handler = [&](const JobRecord& j, std::int64_t) {
        std::lock_guard lock(m);
        ++ran[j.payload];
        return server::JobOutcome::done();
    };
    server::JobRunner a(b.jobs(), [&] { return now.load(); }, {"a", 60, 4, std::chrono::milliseconds(10)});
    server::JobRunner c(b.jobs(), [&] { return now.load(); }, {"c", 60, 4, std::chrono::milliseconds(10)});
    a.handle("mail", handler);
    c.handle("mail", handler);
    std::vector<NewJob> many;
    for (int i = 0; i < 200; ++i) many.push_back(job("mail", 100, std::to_string(i)));
    BOOST_TEST_REQUIRE((b.jobs().enqueue_jobs(many) == StoreStatus::ok));
    a.start();
    c.start();
    for (int i = 0; i < 500 && !b.jobs().list_jobs("").empty(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    a.stop();
    c.stop();
    BOOST_TEST(ran.size() == 200u);
    BOOST_TEST(std::all_of(ran.begin(), ran.end(), [](const auto& e) { return e.second == 1; }));
}

BOOST_AUTO_TEST_SUITE_END()
