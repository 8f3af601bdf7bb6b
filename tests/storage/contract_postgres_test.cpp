// The storage contract suite (store_contract.cpp) on PgStore (issue 27),
// against a real PostgreSQL cluster this test binary starts once
// (tests/support/postgres_cluster.hpp). The migrations are applied once to
// database `contract`; each case starts from it emptied (every table
// truncated, identities restarted: as fresh as a new database, and ten
// times faster than creating and dropping one per case).
#include "tests/storage/store_contract.hpp"

#include <boost/test/unit_test.hpp>

#include <array>
#include <atomic>
#include <set>
#include <thread>

#include "caldav/store_policy.hpp"
#include "src/storage/postgres/pg_store.hpp"
#include "tests/storage/store_contract_cases.hpp"
#include "tests/support/postgres_cluster.hpp"

namespace {

/// The cluster of this test binary, started at the first case that needs it,
/// with database `contract` migrated.
test_support::PostgresCluster& cluster() {
    static test_support::PostgresCluster c;
    static const bool migrated = [] {
        server::PgOptions o;
        o.url = c.create_database("contract");
        server::PgStore::open(o)->close();
        return true;
    }();
    (void)migrated;
    return c;
}

/// Empties database `contract` (all but the schema version), drops what a
/// case added to its schema (PgFixture::refuse_home_log_writes) and returns
/// its URL.
std::string fresh_contract_database() {
    cluster().sql("SET client_min_messages = warning; DROP TRIGGER IF EXISTS test_refuse_home_log ON home_changes",
                  "contract");
    cluster().sql(
        "DO $$ BEGIN EXECUTE (SELECT 'TRUNCATE ' || string_agg(quote_ident(tablename), ', ') || "
        "' RESTART IDENTITY CASCADE' FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'kalends_schema'); "
        "END $$",
        "contract");
    return cluster().url("contract");
}

class PgFixture final : public contract::Fixture {
public:
    PgFixture() : url_(fresh_contract_database()) { store_ = open(); }
    ~PgFixture() override { store_->close(); }

    caldav::Store& store() override { return *store_; }
    caldav::JobStore& jobs() override { return *store_; }

    std::int64_t add_user(const std::string& name, const std::string& email) override {
        BOOST_TEST_REQUIRE((store_->add_user(name, email, "$y$fake") == caldav::StoreStatus::ok));
        return store_->find_principal(name)->id;
    }

    std::int64_t add_room(const std::string& name, const std::string& email) override {
        BOOST_TEST_REQUIRE((store_->add_resource(name, email, "room", "accept-if-free") == caldav::StoreStatus::ok));
        return store_->find_principal(name)->id;
    }

    void reopen() override {
        store_->close();
        store_ = open();
    }

    void refuse_home_log_writes(std::int64_t principal_id) override {
        // Dropped again when the next case empties the database.
        cluster().sql("CREATE OR REPLACE FUNCTION test_refuse_home_log() RETURNS trigger LANGUAGE plpgsql AS "
                      "$$ BEGIN RAISE EXCEPTION 'home log refused by the test'; END $$; "
                      "SET client_min_messages = warning; DROP TRIGGER IF EXISTS test_refuse_home_log ON home_changes; "
                      "CREATE TRIGGER test_refuse_home_log BEFORE INSERT ON home_changes FOR EACH ROW WHEN "
                      "(NEW.owner_id = " + std::to_string(principal_id) + ") EXECUTE FUNCTION test_refuse_home_log()",
                      "contract");
    }

    void forget_owner_zones() override {
        cluster().sql("UPDATE collections SET timezone = '' WHERE kind = 'inbox'; "
                      "INSERT INTO pending_upgrades (name) VALUES ('owner_zones') ON CONFLICT DO NOTHING",
                      "contract");
    }

private:
    std::unique_ptr<server::PgStore> open() {
        server::PgOptions o;
        o.url = url_;
        o.pool_size = 8;
        return server::PgStore::open(o);
    }

    std::string url_;
    std::unique_ptr<server::PgStore> store_;
};

const bool registered =
    contract::register_backend({"postgresql", [] { return std::make_unique<PgFixture>(); }});

/// The emptied contract database and two stores on it, each with a pool of
/// its own: two kalends nodes.
struct TwoNodes {
    std::string url = fresh_contract_database();
    std::unique_ptr<server::PgStore> a = open(), b = open();

    ~TwoNodes() {
        a->close();
        b->close();
    }
    std::unique_ptr<server::PgStore> open() const {
        server::PgOptions o;
        o.url = url;
        o.pool_size = 2;
        return server::PgStore::open(o);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(postgresql_nodes)

BOOST_AUTO_TEST_CASE(two_nodes_booking_one_room_slot_at_once_end_with_exactly_one_booking_each_round) {
    TwoNodes nodes;
    BOOST_TEST_REQUIRE((nodes.a->add_resource("room", "room@example.com", "room", "accept-if-free") ==
                        caldav::StoreStatus::ok));
    const auto room = nodes.a->find_principal("room")->id;
    nodes.a->provision_home(room);
    // The room's two calendars: the two nodes book into different ones, so
    // no collection lock orders them; only the exclusion constraint does.
    caldav::CollectionRecord second;
    second.owner_id = room;
    second.name = "second";
    BOOST_TEST_REQUIRE((nodes.b->create_collection(second) == caldav::StoreStatus::ok));
    const std::array<std::int64_t, 2> calendars{nodes.a->find_collection(room, "calendar")->id, second.id};
    constexpr int rounds = 40;
    for (int round = 0; round < rounds; ++round) {
        const auto start = contract::day0 + round * 24 * contract::hour;
        std::atomic<int> ready{0};
        std::array<caldav::StoreStatus, 2> outcome{};
        std::vector<std::thread> pair;
        for (int t = 0; t < 2; ++t)
            pair.emplace_back([&, t] {
                auto& store = t == 0 ? *nodes.a : *nodes.b;
                const auto uid = "r" + std::to_string(round) + "-n" + std::to_string(t);
                auto o = contract::calendar_object(calendars[static_cast<std::size_t>(t)], uid + ".ics",
                                                   contract::event(uid, start + t * 900, start + contract::hour));
                ++ready;
                while (ready.load() < 2) std::this_thread::yield();
                outcome[static_cast<std::size_t>(t)] = store.book_if_free(o, room).status;
            });
        for (auto& t : pair) t.join();
        BOOST_TEST(std::count(outcome.begin(), outcome.end(), caldav::StoreStatus::ok) == 1, "round " << round);
        BOOST_TEST(std::count(outcome.begin(), outcome.end(), caldav::StoreStatus::conflict) == 1,
                   "round " << round);
    }
    const auto held = nodes.a->list_objects(calendars[0], false).size() + nodes.b->list_objects(calendars[1], false).size();
    BOOST_TEST(held == std::size_t(rounds));
}

BOOST_AUTO_TEST_CASE(two_nodes_leasing_one_queue_at_once_never_hold_the_same_job) {
    TwoNodes nodes;
    std::vector<caldav::NewJob> jobs;
    for (int i = 0; i < 200; ++i) jobs.push_back({"reminder", 0, 100, "job " + std::to_string(i)});
    BOOST_TEST_REQUIRE((nodes.a->enqueue_jobs(jobs) == caldav::StoreStatus::ok));
    std::array<std::vector<std::int64_t>, 4> leased;
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w)
        workers.emplace_back([&, w] {
            auto& store = w % 2 ? *nodes.b : *nodes.a;
            const auto name = "worker-" + std::to_string(w);
            for (;;) {
                auto got = store.lease_jobs({"reminder"}, 200, 10'000, name, 7);
                if (got.empty()) return;
                for (const auto& j : got) {
                    leased[static_cast<std::size_t>(w)].push_back(j.id);
                    BOOST_TEST((store.complete_job(j.id, name) == caldav::StoreStatus::ok));
                }
            }
        });
    for (auto& t : workers) t.join();
    std::set<std::int64_t> all;
    std::size_t total = 0;
    for (const auto& l : leased) {
        total += l.size();
        all.insert(l.begin(), l.end());
    }
    BOOST_TEST(total == 200u);
    BOOST_TEST(all.size() == 200u);
    BOOST_TEST(nodes.a->list_jobs("reminder").empty());
}

BOOST_AUTO_TEST_CASE(a_client_syncing_through_one_node_while_the_other_writes_misses_no_change) {
    TwoNodes nodes;
    BOOST_TEST_REQUIRE((nodes.a->add_user("alice", "alice@example.com", "$y$fake") == caldav::StoreStatus::ok));
    const auto alice = nodes.a->find_principal("alice")->id;
    nodes.a->provision_home(alice);
    const auto cal = nodes.a->find_collection(alice, "calendar")->id;
    constexpr int writers = 4, per_writer = 40;
    std::atomic<int> running{writers};
    std::vector<std::thread> pool;
    for (int w = 0; w < writers; ++w)
        pool.emplace_back([&, w] {
            for (int i = 0; i < per_writer; ++i) {
                const auto uid = "w" + std::to_string(w) + "-" + std::to_string(i);
                auto o = contract::calendar_object(cal, uid + ".ics",
                                                   contract::event(uid, contract::day0, contract::day0 + contract::hour));
                BOOST_TEST((nodes.a->put_object(o).status == caldav::StoreStatus::ok));
            }
            --running;
        });
    // The client: each sync from the token the last one returned, as RFC 6578 clients do.
    std::set<std::string> seen;
    std::int64_t token = 0;
    auto sync = [&] {
        auto cs = nodes.b->changes_since(cal, token, 1000);
        BOOST_TEST_REQUIRE(cs.has_value());
        for (const auto& c : cs->changes) seen.insert(c.name);
        token = cs->revision;
    };
    while (running.load() > 0) sync();
    for (auto& t : pool) t.join();
    sync();
    BOOST_TEST(seen.size() == std::size_t(writers * per_writer));
    BOOST_TEST(token == writers * per_writer);
}

namespace {

/// The names a range read of `cal` through `node` visits, with the SUMMARY line of each.
std::set<std::string> in_march_week(server::PgStore& node, std::int64_t cal) {
    std::set<std::string> out;
    node.visit_objects_in_range(cal, contract::day0, contract::day0 + 7 * 24 * contract::hour, true,
                                [&](caldav::ObjectRecord& o) {
                                    const std::string data(o.text());
                                    auto at = data.find("SUMMARY:");
                                    out.insert(o.name + (at == std::string::npos
                                                             ? ""
                                                             : " " + data.substr(at + 8, data.find('\r', at) - at - 8)));
                                });
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_nodes_calendar_cache_answers_from_memory_with_the_other_nodes_writes) {
    TwoNodes nodes;
    BOOST_TEST_REQUIRE((nodes.a->add_user("alice", "alice@example.com", "$y$fake") == caldav::StoreStatus::ok));
    const auto alice = nodes.a->find_principal("alice")->id;
    nodes.a->provision_home(alice);
    const auto cal = nodes.a->find_collection(alice, "calendar")->id;
    auto put = [&](const std::string& uid, std::int64_t start, const std::string& summary) {
        auto o = contract::calendar_object(cal, uid + ".ics",
                                           contract::event(uid, start, start + contract::hour, "SUMMARY:" + summary + "\r\n"));
        BOOST_TEST_REQUIRE((nodes.a->put_object(o).status == caldav::StoreStatus::ok));
    };
    put("kept", contract::day0 + 9 * contract::hour, "kept");
    put("moved", contract::day0 + 10 * contract::hour, "before");
    put("gone", contract::day0 + 11 * contract::hour, "gone");
    const std::set<std::string> first{"gone.ics gone", "kept.ics kept", "moved.ics before"};
    BOOST_TEST(in_march_week(*nodes.b, cal) == first);  // B's copy is made
    const auto hits = nodes.b->collection_cache().hits();
    BOOST_TEST(in_march_week(*nodes.b, cal) == first);
    BOOST_TEST_REQUIRE(nodes.b->collection_cache().hits() == hits + 1);  // and answers

    // Through A: one added, one changed, one deleted, one moved out of the week.
    put("added", contract::day0 + 12 * contract::hour, "added");
    put("moved", contract::day0 + 13 * contract::hour, "after");
    BOOST_TEST_REQUIRE((nodes.a->delete_object(cal, "gone.ics", std::nullopt) == caldav::StoreStatus::ok));
    put("kept", contract::day0 + 30 * 24 * contract::hour, "kept");
    const std::set<std::string> second{"added.ics added", "moved.ics after"};
    BOOST_TEST(in_march_week(*nodes.b, cal) == second);
    BOOST_TEST(nodes.b->collection_cache().hits() == hits + 2);  // from B's copy, brought up to date
    std::vector<std::string> named;
    nodes.b->visit_objects_named(cal, {"moved.ics", "gone.ics", "added.ics"}, true, [&](caldav::ObjectRecord& o) {
        named.push_back(o.name + (std::string(o.text()).find("SUMMARY:after") != std::string::npos ? " after" : ""));
    });
    BOOST_TEST(named == (std::vector<std::string>{"moved.ics after", "added.ics"}));
}

BOOST_AUTO_TEST_CASE(a_read_scope_answers_member_dead_properties_as_single_reads_do_and_forgets_them_on_a_write) {
    TwoNodes nodes;
    auto& store = *nodes.a;
    BOOST_TEST_REQUIRE((store.add_user("alice", "alice@example.com", "$y$fake") == caldav::StoreStatus::ok));
    const auto alice = store.find_principal("alice")->id;
    store.provision_home(alice);
    const auto cal = store.find_collection(alice, "calendar")->id;
    auto patch = [&](const std::string& member, const std::string& value) {
        caldav::PropertyPatch p;
        p.set.push_back({"urn:x", "colour", "<x:colour xmlns:x=\"urn:x\">" + value + "</x:colour>"});
        return store.patch_properties(cal, member, p);
    };
    for (const auto* uid : {"one", "two", "three"}) {
        auto o = contract::calendar_object(cal, std::string(uid) + ".ics",
                                           contract::event(uid, contract::day0, contract::day0 + contract::hour));
        BOOST_TEST_REQUIRE((store.put_object(o).status == caldav::StoreStatus::ok));
    }
    BOOST_TEST_REQUIRE((patch("one.ics", "red") == caldav::StoreStatus::ok));
    BOOST_TEST_REQUIRE((patch("three.ics", "blue") == caldav::StoreStatus::ok));
    auto colour = [&](const std::string& member) {
        auto d = store.dead_properties(cal, member);
        return d.empty() ? std::string("none") : d.front().xml;
    };
    std::vector<std::string> unscoped{colour("one.ics"), colour("two.ics"), colour("three.ics")};
    {
        auto scope = store.read_scope();
        BOOST_TEST((std::vector<std::string>{colour("one.ics"), colour("two.ics"), colour("three.ics")} == unscoped));
        BOOST_TEST_REQUIRE((patch("two.ics", "green") == caldav::StoreStatus::ok));  // a write on this thread
        BOOST_TEST(colour("two.ics").find("green") != std::string::npos);
        BOOST_TEST(colour("one.ics").find("red") != std::string::npos);
    }
    BOOST_TEST(unscoped[1] == "none");
    BOOST_TEST(colour("two.ics").find("green") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_listed_page_answers_its_members_dead_properties_as_single_reads_do_and_forgets_them_on_a_write) {
    TwoNodes nodes;
    auto& store = *nodes.a;
    BOOST_TEST_REQUIRE((store.add_user("alice", "alice@example.com", "$y$fake") == caldav::StoreStatus::ok));
    const auto alice = store.find_principal("alice")->id;
    store.provision_home(alice);
    const auto cal = store.find_collection(alice, "calendar")->id;
    auto patch = [&](server::PgStore& node, const std::string& member, const std::string& value) {
        caldav::PropertyPatch p;
        p.set.push_back({"urn:x", "colour", "<x:colour xmlns:x=\"urn:x\">" + value + "</x:colour>"});
        return node.patch_properties(cal, member, p);
    };
    for (const auto* uid : {"a", "b", "c", "d"}) {
        auto o = contract::calendar_object(cal, std::string(uid) + ".ics",
                                           contract::event(uid, contract::day0, contract::day0 + contract::hour));
        BOOST_TEST_REQUIRE((store.put_object(o).status == caldav::StoreStatus::ok));
    }
    BOOST_TEST_REQUIRE((patch(store, "a.ics", "red") == caldav::StoreStatus::ok));
    BOOST_TEST_REQUIRE((patch(store, "c.ics", "blue") == caldav::StoreStatus::ok));
    auto colour = [&](const std::string& member) {
        auto d = store.dead_properties(cal, member);
        return d.empty() ? std::string("none") : d.front().xml;
    };
    // As a PROPFIND Depth 1 streams: a page of members, then each member's
    // dead properties, outside any read scope.
    auto page = store.list_objects_page(cal, "a.ics", 2, false);  // b.ics, c.ics
    BOOST_TEST_REQUIRE(page.size() == 2u);
    BOOST_TEST(colour("b.ics") == "none");
    BOOST_TEST(colour("c.ics").find("blue") != std::string::npos);
    // The page answered each member once: another node's change is seen next time.
    BOOST_TEST_REQUIRE((patch(*nodes.b, "c.ics", "green") == caldav::StoreStatus::ok));
    BOOST_TEST(colour("c.ics").find("green") != std::string::npos);
    // A page some of whose members were not asked yet forgets them on a write on the thread.
    page = store.list_objects_page(cal, "", 10, false);
    BOOST_TEST_REQUIRE(page.size() == 4u);
    BOOST_TEST(colour("a.ics").find("red") != std::string::npos);
    BOOST_TEST(colour("b.ics") == "none");  // the second member loads the page's
    BOOST_TEST_REQUIRE((patch(store, "d.ics", "grey") == caldav::StoreStatus::ok));
    BOOST_TEST(colour("d.ics").find("grey") != std::string::npos);
    // ... and one other node's change made after the page was loaded is seen once the page is done.
    page = store.list_objects_page(cal, "", 10, false);
    BOOST_TEST(colour("a.ics").find("red") != std::string::npos);
    BOOST_TEST(colour("b.ics") == "none");
    BOOST_TEST(colour("c.ics").find("green") != std::string::npos);
    BOOST_TEST(colour("d.ics").find("grey") != std::string::npos);
    BOOST_TEST_REQUIRE((patch(*nodes.b, "a.ics", "black") == caldav::StoreStatus::ok));
    BOOST_TEST(colour("a.ics").find("black") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(two_nodes_writing_one_member_with_the_same_if_match_at_once_let_exactly_one_through_each_round) {
    TwoNodes nodes;
    BOOST_TEST_REQUIRE((nodes.a->add_user("alice", "alice@example.com", "$y$fake") == caldav::StoreStatus::ok));
    const auto alice = nodes.a->find_principal("alice")->id;
    nodes.a->provision_home(alice);
    const auto cal = nodes.a->find_collection(alice, "calendar")->id;
    auto o = contract::calendar_object(cal, "shared.ics",
                                       contract::event("shared", contract::day0, contract::day0 + contract::hour));
    auto etag = nodes.a->put_object(o).etag;
    for (int round = 0; round < 20; ++round) {
        std::array<caldav::PutResult, 2> results;
        std::atomic<int> ready{0};
        std::vector<std::thread> pair;
        for (int n = 0; n < 2; ++n)
            pair.emplace_back([&, n] {
                auto mine = contract::calendar_object(
                    cal, "shared.ics",
                    contract::event("shared", contract::day0 + (round * 2 + n + 1) * contract::hour,
                                    contract::day0 + (round * 2 + n + 2) * contract::hour));
                mine.if_match = etag;
                ++ready;
                while (ready.load() < 2) std::this_thread::yield();
                results[static_cast<std::size_t>(n)] = (n == 0 ? nodes.a : nodes.b)->put_object(mine);
            });
        for (auto& t : pair) t.join();
        const int ok = (results[0].status == caldav::StoreStatus::ok) + (results[1].status == caldav::StoreStatus::ok);
        BOOST_TEST_REQUIRE(ok == 1);
        const auto& won = results[0].status == caldav::StoreStatus::ok ? results[0] : results[1];
        const auto& lost = results[0].status == caldav::StoreStatus::ok ? results[1] : results[0];
        BOOST_TEST((lost.status == caldav::StoreStatus::etag_mismatch));
        BOOST_TEST(nodes.b->find_object(cal, "shared.ics", false)->etag == won.etag);
        etag = won.etag;
    }
}

BOOST_AUTO_TEST_CASE(two_nodes_storing_one_uid_under_two_names_at_once_store_it_once_each_round) {
    TwoNodes nodes;
    BOOST_TEST_REQUIRE((nodes.a->add_user("alice", "alice@example.com", "$y$fake") == caldav::StoreStatus::ok));
    const auto alice = nodes.a->find_principal("alice")->id;
    nodes.a->provision_home(alice);
    const auto cal = nodes.a->find_collection(alice, "calendar")->id;
    for (int round = 0; round < 20; ++round) {
        const auto uid = "twin-" + std::to_string(round);
        std::array<caldav::PutResult, 2> results;
        std::atomic<int> ready{0};
        std::vector<std::thread> pair;
        for (int n = 0; n < 2; ++n)
            pair.emplace_back([&, n] {
                auto mine = contract::calendar_object(cal, uid + "-" + std::to_string(n) + ".ics",
                                                      contract::event(uid, contract::day0, contract::day0 + contract::hour));
                ++ready;
                while (ready.load() < 2) std::this_thread::yield();
                results[static_cast<std::size_t>(n)] = (n == 0 ? nodes.a : nodes.b)->put_object(mine);
            });
        for (auto& t : pair) t.join();
        const int ok = (results[0].status == caldav::StoreStatus::ok) + (results[1].status == caldav::StoreStatus::ok);
        BOOST_TEST_REQUIRE(ok == 1);
        const auto& lost = results[0].status == caldav::StoreStatus::ok ? results[1] : results[0];
        BOOST_TEST((lost.status == caldav::StoreStatus::uid_conflict));
    }
    BOOST_TEST(nodes.a->list_objects(cal, false).size() == 20u);
}

BOOST_AUTO_TEST_CASE(a_puts_etag_and_renewed_schedule_tag_are_what_the_stored_member_and_the_change_log_say) {
    TwoNodes nodes;
    BOOST_TEST_REQUIRE((nodes.a->add_user("alice", "alice@example.com", "$y$fake") == caldav::StoreStatus::ok));
    const auto alice = nodes.a->find_principal("alice")->id;
    nodes.a->provision_home(alice);
    const auto cal = nodes.a->find_collection(alice, "calendar")->id;
    for (int i = 0; i < 20; ++i) {  // revisions past 9 and 15 (hexadecimal in the ETag)
        auto o = contract::calendar_object(cal, "m" + std::to_string(i % 3) + ".ics",
                                           contract::event("u" + std::to_string(i % 3), contract::day0 + i * contract::hour,
                                                           contract::day0 + (i + 1) * contract::hour));
        o.schedule_tag = caldav::ScheduleTagChange::renew;
        auto r = nodes.a->put_object(o);
        BOOST_TEST_REQUIRE((r.status == caldav::StoreStatus::ok));
        auto stored = nodes.b->find_object(cal, o.name, false);
        BOOST_TEST_REQUIRE(stored.has_value());
        BOOST_TEST(r.etag == caldav::entity_tag(i + 1, o.data));
        BOOST_TEST(stored->etag == r.etag);
        BOOST_TEST(stored->schedule_tag == r.etag);
        BOOST_TEST(r.schedule_tag == r.etag);
        BOOST_TEST(stored->revision == i + 1);
    }
    auto log = nodes.b->changes_since(cal, 17, 100);
    BOOST_TEST_REQUIRE(log.has_value());
    BOOST_TEST(log->revision == 20);
    BOOST_TEST(log->changes.size() == 3u);
}

/// A reminder indexer for the extension race: a write queues nothing and
/// indexes up to 1000; an extension queues one reminder just after the
/// horizon it was asked from and indexes far ahead.
caldav::ReminderSchedule one_reminder_per_extension(const caldav::ReminderSource& s) {
    caldav::ReminderSchedule out;
    out.now = 0;
    out.indexed_until = s.after ? 1'000'000 : 1000;
    if (s.after) out.jobs.push_back({"reminder", s.owner_id, *s.after + 1, std::string(s.name)});
    return out;
}

BOOST_AUTO_TEST_CASE(two_nodes_extending_reminders_at_once_queue_each_objects_reminder_once) {
    TwoNodes nodes;
    BOOST_TEST_REQUIRE((nodes.a->add_user("alice", "alice@example.com", "$y$fake") == caldav::StoreStatus::ok));
    const auto alice = nodes.a->find_principal("alice")->id;
    nodes.a->provision_home(alice);
    const auto cal = nodes.a->find_collection(alice, "calendar")->id;
    nodes.a->set_reminder_indexer(one_reminder_per_extension);
    nodes.b->set_reminder_indexer(one_reminder_per_extension);
    constexpr int objects = 120;
    for (int i = 0; i < objects; ++i) {
        const auto uid = "r" + std::to_string(i);
        auto o = contract::calendar_object(cal, uid + ".ics",
                                           contract::event(uid, contract::day0, contract::day0 + contract::hour));
        BOOST_TEST_REQUIRE((nodes.a->put_object(o).status == caldav::StoreStatus::ok));
    }
    BOOST_TEST_REQUIRE(nodes.a->list_jobs("reminder").empty());
    // Two workers per node extend in small batches until none is left.
    std::array<std::atomic<std::size_t>, 4> extended{};
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w)
        workers.emplace_back([&, w] {
            auto& store = w % 2 ? *nodes.b : *nodes.a;
            while (auto n = store.extend_reminders(2000, 3)) extended[static_cast<std::size_t>(w)] += n;
        });
    for (auto& t : workers) t.join();
    std::size_t total = 0;
    for (const auto& n : extended) total += n.load();
    BOOST_TEST(total == std::size_t(objects));
    auto jobs = nodes.b->list_jobs("reminder");
    std::set<std::string> names;
    for (const auto& j : jobs) names.insert(j.payload);
    BOOST_TEST(jobs.size() == std::size_t(objects));
    BOOST_TEST(names.size() == std::size_t(objects));
}

namespace {

/// The plan PostgreSQL gives PgStore's change-log read of `collection`
/// after `since` on a connection as PgStore opens them (server::pg::Conn),
/// planned generically (as a prepared statement is after five runs), with
/// parallel workers and JIT made as cheap as they can be: what is left of
/// them comes from the connection's own settings.
std::string generic_plan_of_changes_since(const std::string& url, std::int64_t collection, std::int64_t since) {
    server::pg::Conn c(url, "");
    c.exec("SET plan_cache_mode = force_generic_plan; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; "
           "SET min_parallel_index_scan_size = 0; SET min_parallel_table_scan_size = 0; SET jit_above_cost = 0");
    c.exec("PREPARE changes_since (bigint, bigint, bigint) AS " + server::PgStore::changes_since_statement());
    auto r = c.query("EXPLAIN EXECUTE changes_since(" + std::to_string(collection) + ", " + std::to_string(since) +
                     ", 10001)");
    std::string plan;
    for (int i = 0; i < r.rows(); ++i) plan += r.text(i, 0) + "\n";
    return plan;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_syncs_change_log_read_is_planned_without_parallel_workers_or_jit_at_any_size) {
    TwoNodes nodes;
    for (auto name : {"alice", "bob"})
        BOOST_TEST_REQUIRE((nodes.a->add_user(name, std::string(name) + "@example.com", "$y$fake") ==
                            caldav::StoreStatus::ok));
    const auto alice = nodes.a->find_principal("alice")->id, bob = nodes.a->find_principal("bob")->id;
    nodes.a->provision_home(alice);
    nodes.a->provision_home(bob);
    const auto cal = nodes.a->find_collection(alice, "calendar")->id;
    const auto other = nodes.a->find_collection(bob, "calendar")->id;
    // 50 members of alice's through the store; 30,000 of bob's written by SQL
    // (the planner's choice follows the row counts, not the iCalendar text).
    for (int i = 0; i < 50; ++i) {
        const auto uid = "m" + std::to_string(i);
        auto o = contract::calendar_object(cal, uid + ".ics",
                                           contract::event(uid, contract::day0, contract::day0 + contract::hour));
        BOOST_TEST_REQUIRE((nodes.a->put_object(o).status == caldav::StoreStatus::ok));
    }
    const auto bob_rows = std::to_string(bob) + ", " + std::to_string(other);
    cluster().sql("SET session_replication_role = replica; "
                  "INSERT INTO objects (owner_id, collection_id, name, uid, component, etag, data, size, revision, "
                  "created_at, modified_at) SELECT " + bob_rows + ", 'b' || g || '.ics', 'b' || g, 'VEVENT', 'e', "
                  "'BEGIN:VCALENDAR', 15, g, 0, 0 FROM generate_series(1, 30000) g; "
                  "INSERT INTO changes (owner_id, collection_id, name, revision) SELECT owner_id, collection_id, "
                  "name, revision FROM objects WHERE collection_id = " + std::to_string(other) + "; ANALYZE",
                  "contract");
    const auto plan = generic_plan_of_changes_since(cluster().url("contract"), cal, 40);
    BOOST_TEST(plan.find("Gather") == std::string::npos, plan);
    BOOST_TEST(plan.find("JIT") == std::string::npos, plan);
    BOOST_TEST(plan.find("Seq Scan on objects") == std::string::npos, plan);
    // And the read itself: the ten members changed after revision 40, with their rows.
    auto log = nodes.b->changes_since(cal, 40, 10001);
    BOOST_TEST_REQUIRE(log.has_value());
    BOOST_TEST(log->changes.size() == 10u);
    for (const auto& ch : log->changes) {
        BOOST_TEST_REQUIRE(ch.object.has_value());
        BOOST_TEST(ch.object->name == ch.name);
        BOOST_TEST(ch.object->revision == ch.revision);
    }
}

BOOST_AUTO_TEST_CASE(a_commit_of_many_new_members_stores_what_one_put_each_would) {
    TwoNodes nodes;
    BOOST_TEST_REQUIRE((nodes.a->add_user("alice", "alice@example.com", "$y$fake") == caldav::StoreStatus::ok));
    const auto alice = nodes.a->find_principal("alice")->id;
    nodes.a->provision_home(alice);
    const auto cal = nodes.a->find_collection(alice, "calendar")->id;
    const auto put_one = [&](const std::string& uid, int hour) {
        return contract::calendar_object(cal, uid + ".ics",
                                         contract::event(uid, contract::day0 + hour * contract::hour,
                                                         contract::day0 + (hour + 1) * contract::hour));
    };
    BOOST_TEST_REQUIRE((nodes.a->put_object(put_one("first", 0)).status == caldav::StoreStatus::ok));
    caldav::WriteSet set;
    for (int i = 0; i < 40; ++i) {
        caldav::ObjectWrite w;
        w.object = put_one("n" + std::to_string(i), i);
        if (i % 2) w.object.schedule_tag = caldav::ScheduleTagChange::renew;
        set.writes.push_back(std::move(w));
    }
    auto r = nodes.a->commit(set);
    BOOST_TEST_REQUIRE((r.status == caldav::StoreStatus::ok));
    BOOST_TEST_REQUIRE(r.results.size() == 40u);
    for (int i = 0; i < 40; ++i) {
        const auto& w = set.writes[static_cast<std::size_t>(i)].object;
        const auto& res = r.results[static_cast<std::size_t>(i)];
        auto stored = nodes.b->find_object(cal, w.name, true);
        BOOST_TEST_REQUIRE(stored.has_value());
        BOOST_TEST(res.created);
        BOOST_TEST(res.etag == caldav::entity_tag(i + 2, w.data));  // revisions in set order, after "first"
        BOOST_TEST(stored->etag == res.etag);
        BOOST_TEST(stored->revision == i + 2);
        BOOST_TEST(stored->data == w.data);
        BOOST_TEST(stored->schedule_tag == (i % 2 ? res.etag : std::string()));
        BOOST_TEST(res.schedule_tag == stored->schedule_tag);
    }
    // The time index, the change log and the collection's revision.
    std::set<std::string> in_range;
    const auto quarter = contract::hour / 4;
    nodes.b->visit_objects_in_range(cal, contract::day0 + 10 * contract::hour + quarter,
                                    contract::day0 + 11 * contract::hour - quarter, false,
                                    [&](caldav::ObjectRecord& o) { in_range.insert(o.name); });
    BOOST_TEST((in_range == std::set<std::string>{"n10.ics"}));
    auto log = nodes.b->changes_since(cal, 1, 1000);
    BOOST_TEST_REQUIRE(log.has_value());
    BOOST_TEST(log->revision == 41);
    BOOST_TEST(log->changes.size() == 40u);
    // A set naming a member that exists is written one by one: its UID rule still refuses.
    caldav::WriteSet again;
    for (const auto& uid : {"m1", "n3"}) {
        caldav::ObjectWrite w;
        w.object = put_one(uid, 50);
        w.object.name = std::string("other-") + uid + ".ics";
        again.writes.push_back(std::move(w));
    }
    auto refused = nodes.a->commit(again);
    BOOST_TEST((refused.status == caldav::StoreStatus::uid_conflict));
    BOOST_TEST(refused.failed == 1u);
    BOOST_TEST(!nodes.b->find_object(cal, "other-m1.ics", false).has_value());
}

BOOST_AUTO_TEST_CASE(a_database_newer_than_the_binary_is_refused) {
    auto newer = server::postgres_migrations();
    newer.push_back({static_cast<int>(newer.size()) + 1, "future", "SELECT 1"});
    server::PgOptions o;
    o.url = cluster().create_database("newer");  // a database of its own: the others stay usable
    server::PgStore::open(o, newer)->close();  // migrated one step further
    BOOST_CHECK_THROW(server::PgStore::open(o), server::PgMigrationError);
}

BOOST_AUTO_TEST_SUITE_END()
