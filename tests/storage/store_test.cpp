// What only SqliteStore has, over a real file: migrations, users, the mail
// list, group commit under concurrent writers (issue 2), the instance-row
// diff and read sessions. What every backend promises through caldav::Store
// is in the contract suite (store_contract.cpp).
#include "src/storage/sqlite_store.hpp"

#define BOOST_TEST_MODULE storage
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <tuple>
#include <thread>

#include "tests/support/temp_dir.hpp"

using caldav::StoreStatus;
using server::SqliteStore;

namespace {

struct StoreFixture {
    test_support::TempDir dir;
    std::unique_ptr<SqliteStore> store = open();
    std::int64_t alice = 0;

    StoreFixture() {
        BOOST_REQUIRE(store->add_user("alice", "alice@example.com", "$y$fake") == StoreStatus::ok);
        alice = store->find_principal("alice")->id;
    }

    std::unique_ptr<SqliteStore> open(const std::vector<server::Migration>& m = server::builtin_migrations()) {
        server::SqliteOptions o;
        o.file = dir.path() / "k.sqlite3";
        return SqliteStore::open(o, m);
    }

    caldav::CollectionRecord calendar(const std::string& name) {
        caldav::CollectionRecord c;
        c.owner_id = alice;
        c.name = name;
        c.kind = caldav::CollectionKind::calendar;
        BOOST_REQUIRE(store->create_collection(c) == StoreStatus::ok);
        return c;
    }

    static caldav::PutObject object(std::int64_t coll, const std::string& name, const std::string& uid,
                                    const std::string& data = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n") {
        caldav::PutObject o;
        o.collection_id = coll;
        o.name = name;
        o.uid = uid;
        o.component = "VEVENT";
        o.data = data;
        return o;
    }
};

int user_version(const std::filesystem::path& file) {
    server::sqlite::Db db(file, false, true);
    auto s = db.prepare("PRAGMA user_version");
    s.step();
    return static_cast<int>(s.int64(0));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(migrations)

BOOST_AUTO_TEST_CASE(empty_database_is_migrated_to_the_latest_version) {
    test_support::TempDir dir;
    server::SqliteOptions o;
    o.file = dir.path() / "new.sqlite3";
    auto store = SqliteStore::open(o);
    BOOST_TEST(store->opened_version() == 0);
    store->close();
    BOOST_TEST(user_version(o.file) == server::builtin_migrations().back().version);
}

BOOST_AUTO_TEST_CASE(older_database_keeps_its_data_when_migrated) {
    test_support::TempDir dir;
    server::SqliteOptions o;
    o.file = dir.path() / "old.sqlite3";
    std::vector<server::Migration> first_only{server::builtin_migrations().front()};
    {
        auto old = SqliteStore::open(o, first_only);
        BOOST_REQUIRE(old->add_user("alice", "a@example.com", "$y$x") == StoreStatus::ok);
    }
    BOOST_TEST(user_version(o.file) == 1);
    auto store = SqliteStore::open(o);
    BOOST_TEST(store->opened_version() == 1);
    BOOST_TEST(store->find_principal("alice").has_value());
    store->close();
    BOOST_TEST(user_version(o.file) == server::builtin_migrations().back().version);
}

BOOST_AUTO_TEST_CASE(migration_8_gives_stored_scheduling_objects_their_etag_as_tag) {
    test_support::TempDir dir;
    server::SqliteOptions o;
    o.file = dir.path() / "tags.sqlite3";
    auto up_to_7 = server::builtin_migrations();
    while (up_to_7.back().version > 7) up_to_7.pop_back();
    std::int64_t cal_id = 0;
    {
        auto old = SqliteStore::open(o, up_to_7);
        BOOST_REQUIRE(old->add_user("alice", "a@example.com", "$y$x") == StoreStatus::ok);
        auto alice = old->find_principal("alice")->id;
        old->provision_home(alice);
        cal_id = old->find_collection(alice, "calendar")->id;
    }
    {
        // Rows as a version-7 server wrote them: today's store code writes
        // columns of later migrations, so they go in as plain SQL.
        server::sqlite::Db db(o.file, false, false);
        auto insert = db.prepare(
            "INSERT INTO objects (collection_id, name, uid, component, etag, data, size, revision, created_at, "
            "modified_at) VALUES (?1, ?2, ?3, 'VEVENT', ?4, ?5, 1, 1, 0, 0)");
        insert.bind(1, cal_id).bind(2, "m.ics").bind(3, "uid-m").bind(4, "\"m-etag\"");
        insert.bind(5, "ORGANIZER:mailto:a@x\r\nATTENDEE:mailto:b@x\r\n").run();
        insert.reset();
        insert.bind(1, cal_id).bind(2, "p.ics").bind(3, "uid-p").bind(4, "\"p-etag\"");
        insert.bind(5, "SUMMARY:plain\r\n").run();
    }
    auto store = SqliteStore::open(o);
    BOOST_TEST(store->find_object(cal_id, "m.ics", false)->schedule_tag == "\"m-etag\"");
    BOOST_TEST(store->find_object(cal_id, "p.ics", false)->schedule_tag.empty());
}

BOOST_AUTO_TEST_CASE(newer_database_is_refused_and_left_untouched) {
    test_support::TempDir dir;
    server::SqliteOptions o;
    o.file = dir.path() / "future.sqlite3";
    {
        server::sqlite::Db db(o.file, true, false);
        db.exec("PRAGMA user_version = 99");
    }
    BOOST_CHECK_EXCEPTION(SqliteStore::open(o), server::MigrationError, [](const auto& e) {
        return std::string(e.what()).find("newer than this binary") != std::string::npos;
    });
    BOOST_TEST(user_version(o.file) == 99);
}

BOOST_AUTO_TEST_CASE(failing_migration_applies_nothing) {
    test_support::TempDir dir;
    server::SqliteOptions o;
    o.file = dir.path() / "broken.sqlite3";
    auto broken = server::builtin_migrations();
    broken.push_back({static_cast<int>(broken.size()) + 1, "broken", "CREATE TABLE t (x); SELECT nonsense FROM nowhere;"});
    BOOST_CHECK_THROW(SqliteStore::open(o, broken), server::MigrationError);
    BOOST_TEST(user_version(o.file) == 0);
}


namespace {
/// The home change log and home revisions after member writes, renames,
/// property changes, bookkeeping-only updates and a delete, run as plain SQL
/// on a database migrated with `migrations`.
std::string home_log_after_collection_updates(const std::vector<server::Migration>& migrations) {
    const auto started = static_cast<std::int64_t>(std::time(nullptr));
    test_support::TempDir dir;
    server::SqliteOptions o;
    o.file = dir.path() / "home.sqlite3";
    SqliteStore::open(o, migrations)->close();
    server::sqlite::Db db(o.file, false, false);
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("INSERT INTO principals (id, name, created_at) VALUES (1, 'alice', 0), (2, 'bob', 0)");
    db.exec("INSERT INTO collections (id, owner_id, name, kind, created_at, modified_at) VALUES "
            "(10, 1, 'work', 'calendar', 0, 5), (11, 1, 'home', 'calendar', 0, 5), (12, 2, 'work', 'calendar', 0, 5)");
    for (const char* step : {
             "UPDATE collections SET revision = revision + 1, modified_at = 7 WHERE id = 10",
             "UPDATE collections SET revision = revision + 1, modified_at = 8 WHERE id = 10",  // the row again
             "UPDATE collections SET revision = revision + 1, modified_at = 6 WHERE id = 12",
             "UPDATE collections SET max_span = 3600 WHERE id = 11",    // bookkeeping: not logged
             "UPDATE collections SET modified_at = 99 WHERE id = 11",   // neither
             "UPDATE collections SET name = 'job' WHERE id = 10",       // a rename: work gone, job new
             "UPDATE collections SET display_name = 'Job' WHERE id = 10",
             "UPDATE collections SET name = 'work', revision = revision + 1 WHERE id = 11",  // onto a gone name
             "UPDATE collections SET name = 'work' WHERE id = 11",      // same name: no rename
             "DELETE FROM collections WHERE id = 10",
             "UPDATE collections SET revision = revision + 1 WHERE id = 11",
         })
        db.exec(step);
    std::string log;
    auto rows = db.prepare("SELECT owner_id, name, revision, deleted FROM home_changes ORDER BY owner_id, name");
    while (rows.step())
        log += std::to_string(rows.int64(0)) + " " + rows.text(1) + " " + std::to_string(rows.int64(2)) + " " +
               std::to_string(rows.int64(3)) + "\n";
    // The triggers stamp a home's change with the wall clock: two runs agree
    // on whether it was stamped during the run, not on the second.
    auto homes = db.prepare("SELECT id, home_revision, home_modified_at >= ?1 FROM principals ORDER BY id");
    homes.bind(1, started);
    while (homes.step())
        log += "home " + std::to_string(homes.int64(0)) + " " + std::to_string(homes.int64(1)) + " " +
               (homes.int64(2) ? "stamped" : "not stamped") + "\n";
    return log;
}
}  // namespace

// 0023 writes the home change log with upserts instead of a delete and an
// insert per name: the log and the home revisions must come out the same.
BOOST_AUTO_TEST_CASE(migration_23_logs_home_changes_as_0013_did) {
    auto up_to_22 = server::builtin_migrations();
    while (up_to_22.back().version > 22) up_to_22.pop_back();
    BOOST_REQUIRE(server::builtin_migrations().back().version >= 23);
    const auto before = home_log_after_collection_updates(up_to_22);
    const auto after = home_log_after_collection_updates(server::builtin_migrations());
    BOOST_TEST(after == before);
    // The sequence did log what the test is about: a rename's gone name,
    // a name taken again and a deletion.
    BOOST_TEST(before.find("1 job") != std::string::npos);
    BOOST_TEST(before.find("1 work") != std::string::npos);
    BOOST_TEST(before.find("2 work") != std::string::npos);
    BOOST_TEST(before.find("home 1 ") != std::string::npos);
    BOOST_TEST(before.find("stamped") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(store, StoreFixture)

BOOST_AUTO_TEST_CASE(users_are_unique_and_can_change_password_and_be_deleted) {
    BOOST_TEST((store->add_user("alice", "", "$y$other") == StoreStatus::exists));
    BOOST_TEST((store->set_password("alice", "$y$new") == StoreStatus::ok));
    BOOST_TEST(store->find_credentials("alice")->password_hash == "$y$new");
    BOOST_TEST((store->set_password("nobody", "$y$new") == StoreStatus::not_found));
    auto cal = calendar("work");
    BOOST_TEST((store->delete_user("alice") == StoreStatus::ok));
    BOOST_TEST(!store->find_principal("alice"));
    BOOST_TEST(store->list_collections(alice).empty());
    // The home and its change log go with the user (no row refers to a gone principal).
    BOOST_TEST(!store->find_home(alice));
}

// Mail queued with a write is in the contract suite (store_contract.cpp);
// here: list_mail's view of the mail jobs, and mail outliving its user.
BOOST_AUTO_TEST_CASE(queued_mail_is_listed_from_the_mail_jobs_and_outlives_its_user) {
    auto cal = calendar("work");
    caldav::OutgoingMail m;
    m.principal_id = alice;
    m.uid = "uid-m";
    m.recipient = "carol@outside.test";
    m.envelope_sender = "calendar@example.org";
    m.message = "Subject: x\r\n\r\nx\r\n";
    caldav::WriteSet set;
    set.writes.push_back({caldav::ObjectWrite::Kind::put, object(cal.id, "m.ics", "uid-m", "v1"), 0});
    set.mail = {m};
    BOOST_TEST((store->commit(set).status == StoreStatus::ok));
    auto queued = store->list_mail();
    BOOST_REQUIRE(queued.size() == 1u);
    BOOST_TEST(queued[0].recipient == "carol@outside.test");
    BOOST_TEST(queued[0].principal_id == alice);
    caldav::WriteSet mail_only;
    mail_only.mail = {m, m};
    BOOST_TEST((store->commit(mail_only).status == StoreStatus::ok));
    BOOST_TEST(store->list_mail().size() == 3u);
    // Leased messages are not handed out again until the lease ends.
    auto now = store->list_mail().back().created_at;  // every message is due by then
    // Queued mail is mail jobs (schema 0014): leased, retried, completed there.
    const std::vector<std::string> mail{std::string(caldav::mail_job_kind)};
    BOOST_TEST(store->lease_jobs(mail, now, now + 600, "w", 2).size() == 2u);
    BOOST_TEST(store->lease_jobs(mail, now, now + 600, "w", 10).size() == 1u);
    BOOST_TEST(store->lease_jobs(mail, now + 1, now + 601, "w", 10).empty());
    BOOST_TEST(store->lease_jobs(mail, now + 601, now + 1201, "w", 10).size() == 3u);
    BOOST_TEST((store->retry_job(queued[0].id, "w", now + 5000, "relay down") == StoreStatus::ok));
    BOOST_TEST((store->complete_job(store->list_mail().back().id, "w") == StoreStatus::ok));
    auto left = store->list_mail();
    BOOST_REQUIRE(left.size() == 2u);
    BOOST_TEST(left[0].attempts == 1);
    BOOST_TEST(left[0].last_error == "relay down");
    // A deleted user's queued mail stays (it was promised), without its owner.
    BOOST_TEST((store->delete_user("alice") == StoreStatus::ok));
    BOOST_TEST(store->list_mail().size() == 2u);
    BOOST_TEST(store->list_mail()[0].principal_id == 0);
}

BOOST_AUTO_TEST_CASE(a_failing_write_does_not_undo_the_others_in_its_batch) {
    auto cal = calendar("mixed");
    std::vector<std::thread> pool;
    std::atomic<int> ok{0}, conflicts{0};
    for (int t = 0; t < 8; ++t) {
        pool.emplace_back([&, t] {
            // Every thread writes its own object and one with a shared UID.
            if (store->put_object(object(cal.id, "own" + std::to_string(t) + ".ics", "own" + std::to_string(t))).status ==
                StoreStatus::ok)
                ++ok;
            auto r = store->put_object(object(cal.id, "shared" + std::to_string(t) + ".ics", "shared-uid"));
            if (r.status == StoreStatus::uid_conflict) ++conflicts;
            else if (r.status == StoreStatus::ok) ++ok;
        });
    }
    for (auto& t : pool) t.join();
    BOOST_TEST(ok.load() == 9);
    BOOST_TEST(conflicts.load() == 7);
    BOOST_TEST(store->list_objects(cal.id, false).size() == 9u);
}

BOOST_AUTO_TEST_CASE(a_write_set_refused_alone_in_its_batch_leaves_nothing_and_the_next_one_commits) {
    auto cal = calendar("alone");
    auto revision = [&] { return store->find_collection(alice, "alone")->revision; };
    const auto before = revision();
    // Alone in its batch (no other writer), the set runs without a
    // savepoint: its first write, done before the second is refused, goes
    // with the transaction, and the writer goes on with a clean one.
    caldav::WriteSet set;
    set.writes.push_back({caldav::ObjectWrite::Kind::put, object(cal.id, "a.ics", "uid-a"), 0});
    auto stale = object(cal.id, "b.ics", "uid-b");
    stale.if_match = "stale";
    set.writes.push_back({caldav::ObjectWrite::Kind::put, stale, 0});
    for (int round = 0; round < 3; ++round) {
        auto refused = store->commit(set);
        BOOST_TEST((refused.status == StoreStatus::etag_mismatch));
        BOOST_TEST(refused.failed == 1u);
    }
    BOOST_TEST(!store->find_object(cal.id, "a.ics", false));
    BOOST_TEST(revision() == before);
    BOOST_TEST((store->put_object(object(cal.id, "c.ics", "uid-c")).status == StoreStatus::ok));
    BOOST_TEST(store->list_objects(cal.id, false).size() == 1u);
    // Reopened, the database holds exactly what was committed.
    store.reset();
    store = open();
    BOOST_TEST(store->list_objects(cal.id, false).size() == 1u);
    BOOST_TEST(!store->find_object(cal.id, "a.ics", false));
    BOOST_TEST(revision() == before + 1);
}

BOOST_AUTO_TEST_CASE(rewriting_instance_rows_touches_only_the_rows_that_changed) {
    auto cal = calendar("diff");
    std::mt19937 rng(7);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    using Row = std::tuple<std::int64_t, std::int64_t, std::int64_t, int>;  // start, end, busy (-2 NULL), declined
    auto stored = [&](std::int64_t object_id) {
        server::sqlite::Db db(dir.path() / "k.sqlite3", false, true);
        auto s = db.prepare(
            "SELECT start_at, end_at, coalesce(busy, -2), declined, rowid FROM instances WHERE object_id = ?1");
        s.bind(1, object_id);
        std::multimap<Row, std::int64_t> rows;  // with their rowids
        while (s.step())
            rows.emplace(Row{s.int64(0), s.int64(1), s.int64(2), static_cast<int>(s.int64(3))}, s.int64(4));
        return rows;
    };
    std::vector<caldav::InstanceRow> current;
    for (int round = 0; round < 150; ++round) {
        // Keep some rows, drop some, add some (repeats included).
        std::vector<caldav::InstanceRow> next;
        for (const auto& r : current)
            if (pick(0, 4) != 0) next.push_back(r);
        for (auto n = pick(0, 4); n > 0; --n) {
            caldav::InstanceRow r;
            r.start = pick(0, 20) * 3600;
            r.end = r.start + pick(0, 2) * 1800;
            if (pick(0, 3) != 0) r.busy = pick(-1, 2);
            r.declined = pick(0, 5) == 0;
            next.push_back(r);
            if (pick(0, 6) == 0) next.push_back(r);
        }
        std::shuffle(next.begin(), next.end(), rng);
        auto o = object(cal.id, "ev.ics", "uid-ev", std::to_string(round));
        o.instances.emplace();
        o.instances->rows = next;
        o.instances->exact = true;
        const auto id = store->find_object(cal.id, "ev.ics", false) ? store->find_object(cal.id, "ev.ics", false)->id : 0;
        const auto before = id ? stored(id) : std::multimap<Row, std::int64_t>{};
        BOOST_REQUIRE(store->put_object(o).status == StoreStatus::ok);
        const auto after = stored(store->find_object(cal.id, "ev.ics", false)->id);
        std::multiset<Row> want;
        for (const auto& r : next) want.insert(Row{r.start, r.end, r.busy ? *r.busy : -2, r.declined ? 1 : 0});
        std::multiset<Row> got;
        for (const auto& [row, rowid] : after) got.insert(row);
        BOOST_TEST_REQUIRE((got == want), "round " << round << ": " << got.size() << " rows, want " << want.size());
        // Every row the update kept is the same stored row, not a new copy of it.
        std::size_t kept = 0;
        for (auto it = after.begin(); it != after.end(); it = after.upper_bound(it->first)) {
            std::set<std::int64_t> old_ids, new_ids;
            for (auto [a, b] = before.equal_range(it->first); a != b; ++a) old_ids.insert(a->second);
            for (auto [a, b] = after.equal_range(it->first); a != b; ++a) new_ids.insert(a->second);
            for (auto r : new_ids) kept += old_ids.count(r);
            BOOST_TEST_REQUIRE(std::min(old_ids.size(), new_ids.size()) ==
                                   static_cast<std::size_t>(std::count_if(new_ids.begin(), new_ids.end(),
                                                                          [&](auto r) { return old_ids.count(r); })),
                               "round " << round << ": a row present before and after was written again");
        }
        if (round > 0 && !current.empty()) BOOST_TEST(kept <= before.size());
        current = next;
    }
}

BOOST_AUTO_TEST_CASE(a_read_session_reads_one_snapshot_until_it_ends) {
    auto cal = calendar("snapshot");
    auto put_elsewhere = [&](const std::string& name) {
        std::thread([&] { BOOST_TEST((store->put_object(object(cal.id, name, name)).status == StoreStatus::ok)); })
            .join();
    };
    {
        SqliteStore::ReadSession session(*store);
        BOOST_TEST(!store->find_object(cal.id, "a.ics", false));
        put_elsewhere("a.ics");
        // Another thread's commit is after this thread's snapshot.
        BOOST_TEST(!store->find_object(cal.id, "a.ics", false));
        BOOST_TEST(store->find_collection(alice, "snapshot")->revision == 0);
        {
            SqliteStore::ReadSession inner(*store);
            BOOST_TEST(!store->find_object(cal.id, "a.ics", false));
        }
        // An inner session ending leaves the outer one's snapshot in place.
        put_elsewhere("b.ics");
        BOOST_TEST(store->list_objects(cal.id, false).empty());
    }
    BOOST_TEST(store->list_objects(cal.id, false).size() == 2u);
    BOOST_TEST(store->find_collection(alice, "snapshot")->revision == 2);
}

BOOST_AUTO_TEST_CASE(the_read_scope_of_the_backend_interfaces_reads_one_snapshot_of_all_of_them) {
    auto cal = calendar("scope");
    server::Backend& backend = *store;
    auto scope = backend.read_scope();
    BOOST_REQUIRE(scope);
    BOOST_TEST(!backend.find_object(cal.id, "a.ics", false));
    BOOST_TEST(!backend.find_credentials("carol"));
    std::thread([&] {
        BOOST_TEST((store->put_object(object(cal.id, "a.ics", "uid-a")).status == StoreStatus::ok));
        BOOST_TEST((store->add_user("carol", "carol@example.com", "$y$fake") == StoreStatus::ok));
    }).join();
    // Calendars and accounts alike: the other thread's commits are after the snapshot.
    BOOST_TEST(!backend.find_object(cal.id, "a.ics", false));
    BOOST_TEST(!backend.find_credentials("carol"));
    scope.reset();
    BOOST_TEST(backend.find_object(cal.id, "a.ics", false).has_value());
    BOOST_TEST(backend.find_credentials("carol").has_value());
}

BOOST_AUTO_TEST_CASE(a_write_on_the_sessions_thread_ends_its_snapshot) {
    auto cal = calendar("own-writes");
    SqliteStore::ReadSession session(*store);
    BOOST_TEST(!store->find_object(cal.id, "a.ics", false));
    auto put = store->put_object(object(cal.id, "a.ics", "uid-a"));
    BOOST_TEST((put.status == StoreStatus::ok));
    // What this thread wrote, it reads next, in a snapshot taken after it.
    auto got = store->find_object(cal.id, "a.ics", false);
    BOOST_REQUIRE(got);
    BOOST_TEST(got->etag == put.etag);
    std::thread([&] { store->put_object(object(cal.id, "b.ics", "uid-b")); }).join();
    BOOST_TEST(!store->find_object(cal.id, "b.ics", false));
}

BOOST_AUTO_TEST_CASE(a_read_session_of_one_store_leaves_another_stores_reads_alone) {
    auto cal = calendar("two-stores");
    test_support::TempDir other_dir;
    server::SqliteOptions o;
    o.file = other_dir.path() / "other.sqlite3";
    auto other = SqliteStore::open(o);
    BOOST_REQUIRE(other->add_user("bob", "bob@example.com", "$y$fake") == StoreStatus::ok);
    SqliteStore::ReadSession session(*store);
    BOOST_TEST(!store->find_object(cal.id, "a.ics", false));
    // `other` has no session on this thread: each of its reads is fresh.
    BOOST_TEST(!other->find_principal("carol"));
    std::thread([&] { other->add_user("carol", "carol@example.com", "$y$fake"); }).join();
    BOOST_TEST(other->find_principal("carol").has_value());
}

// A collection's max_span (schema 0004) bounds its time-range scans: it
// grows with the longest instance written and never shrinks. put_object
// reads it with the revision bump and widens only past it (issue 24).
BOOST_AUTO_TEST_CASE(the_longest_instance_written_sets_the_collections_max_span) {
    auto cal = calendar("spans");
    auto put = [&](const std::string& name, std::int64_t hours) {
        auto o = object(cal.id, name, "uid-" + name);
        o.instances.emplace();
        o.instances->indexed_until = 2000000000;
        o.instances->rows.push_back({1800000000, 1800000000 + hours * 3600, 1, false});
        BOOST_REQUIRE(store->put_object(o).status == StoreStatus::ok);
    };
    auto max_span = [&] {
        server::sqlite::Db db(dir.path() / "k.sqlite3", false, true);
        auto s = db.prepare("SELECT max_span FROM collections WHERE id = ?1");
        s.bind(1, cal.id);
        return s.step() ? s.int64(0) : -1;
    };
    put("a.ics", 1);
    BOOST_TEST(max_span() == 3600);
    put("b.ics", 5);
    BOOST_TEST(max_span() == 5 * 3600);
    put("c.ics", 2);
    BOOST_TEST(max_span() == 5 * 3600);
    put("b.ics", 1);  // rewritten shorter: the bound stays
    BOOST_TEST(max_span() == 5 * 3600);
    put("a.ics", 7);  // rewritten longer
    BOOST_TEST(max_span() == 7 * 3600);
}

BOOST_AUTO_TEST_CASE(the_log_is_copied_back_into_the_database_while_writes_go_on) {
    // The database file grows only when the write-ahead log is checkpointed
    // into it, which a thread of the store does once the log passes 1,000
    // pages (issue 24: never inside a request's commit).
    auto cal = calendar("checkpointed");
    const auto file = dir.path() / "k.sqlite3";
    const auto before = std::filesystem::file_size(file);
    const std::string data(16 * 1024, 'x');
    for (int i = 0; i < 400; ++i)
        BOOST_REQUIRE(store->put_object(object(cal.id, std::to_string(i) + ".ics", "u" + std::to_string(i), data))
                          .status == StoreStatus::ok);
    auto grown = [&] { return std::filesystem::file_size(file) > before + 2 * 1024 * 1024; };
    for (int wait = 0; wait < 100 && !grown(); ++wait) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    BOOST_TEST(grown());
    // Every object is there, read through the log or the database alike.
    BOOST_TEST(store->find_object(cal.id, "399.ics", true)->data == data);
}

BOOST_AUTO_TEST_SUITE_END()
