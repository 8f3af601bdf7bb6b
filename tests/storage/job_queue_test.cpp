// The job queue contract (caldav::JobStore, schema 0014) on every backend —
// SQLite now; a PostgreSQL store joins the backend list (issue 27) — and the
// JobRunner over it with a clock the test moves (issue 23 §7): leases keep
// two workers off one job, retries back off, failures are kept, nothing is
// lost across a reopen.
#include "src/jobs/job_runner.hpp"

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

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

/// A SQLite store over a real file, opened (and reopened) through the migrations.
struct SqliteBackend {
    test_support::TempDir dir;
    std::unique_ptr<server::SqliteStore> store = open();

    std::unique_ptr<server::SqliteStore> open() {
        server::SqliteOptions o;
        o.file = dir.path() / "jobs.sqlite3";
        return server::SqliteStore::open(o);
    }
    caldav::JobStore& jobs() { return *store; }
    void reopen() {
        store.reset();
        store = open();
    }
};

using backends = boost::mpl::list<SqliteBackend>;

NewJob job(const std::string& kind, std::int64_t due, const std::string& payload = "p") {
    return {kind, 7, due, payload};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(job_queue)

BOOST_AUTO_TEST_CASE_TEMPLATE(due_jobs_of_the_asked_kinds_are_leased_earliest_first, B, backends) {
    B b;
    auto& q = b.jobs();
    std::vector<std::int64_t> ids;
    BOOST_TEST_REQUIRE((q.enqueue_jobs({job("mail", 200, "late"), job("mail", 100, "early"),
                                        job("reminder", 50), job("mail", 1000, "future")},
                                       &ids) == StoreStatus::ok));
    BOOST_TEST(ids.size() == 4u);
    auto leased = q.lease_jobs({"mail"}, 500, 800, "w1", 10);
    BOOST_TEST_REQUIRE(leased.size() == 2u);
    BOOST_TEST(leased[0].payload == "early");
    BOOST_TEST(leased[1].payload == "late");
    BOOST_TEST(leased[0].owner_id == 7);
    BOOST_TEST(leased[0].lease_until == 800);
    // Leased: nobody else gets them while the lease runs.
    BOOST_TEST(q.lease_jobs({"mail"}, 600, 900, "w2", 10).empty());
    // The other kind is there for whoever asks for it.
    BOOST_TEST(q.lease_jobs({"reminder", "mail"}, 600, 900, "w2", 10).size() == 1u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(an_expired_lease_passes_to_another_worker_and_the_first_cannot_finish, B,
                              backends) {
    B b;
    auto& q = b.jobs();
    BOOST_TEST_REQUIRE((q.enqueue_jobs({job("mail", 100)}) == StoreStatus::ok));
    auto first = q.lease_jobs({"mail"}, 100, 130, "w1", 1);
    BOOST_TEST_REQUIRE(first.size() == 1u);
    BOOST_TEST(q.lease_jobs({"mail"}, 130, 160, "w2", 1).empty());  // not before the lease ends
    auto second = q.lease_jobs({"mail"}, 131, 161, "w2", 1);
    BOOST_TEST_REQUIRE(second.size() == 1u);
    BOOST_TEST(second[0].id == first[0].id);
    // w1 stalled past its lease: its completion does not count.
    BOOST_TEST((q.complete_job(first[0].id, "w1") == StoreStatus::not_found));
    BOOST_TEST((q.retry_job(first[0].id, "w1", 500, "x") == StoreStatus::not_found));
    BOOST_TEST((q.fail_job(first[0].id, "w1", 140, "x") == StoreStatus::not_found));
    BOOST_TEST(q.list_jobs("mail").size() == 1u);
    BOOST_TEST((q.complete_job(first[0].id, "w2") == StoreStatus::ok));
    BOOST_TEST(q.list_jobs("mail").empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_retry_counts_an_attempt_and_a_failed_job_is_kept_and_never_leased, B,
                              backends) {
    B b;
    auto& q = b.jobs();
    BOOST_TEST_REQUIRE((q.enqueue_jobs({job("mail", 100), job("mail", 100)}) == StoreStatus::ok));
    auto leased = q.lease_jobs({"mail"}, 100, 400, "w", 2);
    BOOST_TEST_REQUIRE(leased.size() == 2u);
    BOOST_TEST((q.retry_job(leased[0].id, "w", 250, "relay down") == StoreStatus::ok));
    BOOST_TEST((q.fail_job(leased[1].id, "w", 120, "550 no such user") == StoreStatus::ok));
    BOOST_TEST((q.next_job_due({"mail"}) == std::optional<std::int64_t>(250)));
    BOOST_TEST(q.lease_jobs({"mail"}, 249, 500, "w", 5).empty());
    auto again = q.lease_jobs({"mail"}, 250, 500, "w", 5);
    BOOST_TEST_REQUIRE(again.size() == 1u);
    BOOST_TEST(again[0].attempts == 1);
    BOOST_TEST(again[0].last_error == "relay down");
    auto all = q.list_jobs("");
    BOOST_TEST_REQUIRE(all.size() == 2u);
    BOOST_TEST((all[1].failed_at == std::optional<std::int64_t>(120)));
    BOOST_TEST(all[1].last_error == "550 no such user");
    BOOST_TEST(q.lease_jobs({"mail"}, 100000, 100100, "w2", 5).empty() == false);  // only the retried one
}

BOOST_AUTO_TEST_CASE_TEMPLATE(queued_jobs_survive_a_reopen, B, backends) {
    B b;
    BOOST_TEST_REQUIRE((b.jobs().enqueue_jobs({job("reminder", 42, "remind me")}) == StoreStatus::ok));
    b.reopen();
    auto leased = b.jobs().lease_jobs({"reminder"}, 42, 100, "w", 1);
    BOOST_TEST_REQUIRE(leased.size() == 1u);
    BOOST_TEST(leased[0].payload == "remind me");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(concurrent_workers_never_lease_one_job_twice, B, backends) {
    B b;
    auto& q = b.jobs();
    std::vector<NewJob> many;
    for (int i = 0; i < 400; ++i) many.push_back(job("mail", i % 10, std::to_string(i)));
    BOOST_TEST_REQUIRE((q.enqueue_jobs(many) == StoreStatus::ok));
    std::mutex m;
    std::map<std::int64_t, int> seen;
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w)
        workers.emplace_back([&, w] {
            const std::string name = "w" + std::to_string(w);
            for (;;) {
                auto got = q.lease_jobs({"mail"}, 100, 10000, name, 7);
                if (got.empty()) return;
                for (const auto& j : got) {
                    {
                        std::lock_guard lock(m);
                        ++seen[j.id];
                    }
                    BOOST_CHECK(q.complete_job(j.id, name) == StoreStatus::ok);
                }
            }
        });
    for (auto& t : workers) t.join();
    BOOST_TEST(seen.size() == 400u);
    BOOST_TEST(std::all_of(seen.begin(), seen.end(), [](const auto& e) { return e.second == 1; }));
    BOOST_TEST(q.list_jobs("").empty());
}

BOOST_AUTO_TEST_CASE(mail_queued_before_the_job_queue_moves_over_as_it_stands) {
    test_support::TempDir dir;
    server::SqliteOptions o;
    o.file = dir.path() / "old.sqlite3";
    auto all = server::builtin_migrations();
    auto before = std::vector<server::Migration>(all.begin(), all.end() - 1);
    BOOST_TEST_REQUIRE(std::string(all.back().name).find("jobs") != std::string::npos);
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
