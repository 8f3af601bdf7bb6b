// Idempotency records on SqliteStore (issue 24): put_calendar_object commits
// the record with the object, a taken key writes nothing, and records older
// than SqliteOptions::idempotency_retention give their key back.
#include <boost/test/unit_test.hpp>

#include "caldav/error.hpp"
#include "caldav/object_service.hpp"
#include "src/storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

constexpr std::int64_t t0 = 1800000000;

struct PutFixture {
    test_support::TempDir dir;
    std::unique_ptr<server::SqliteStore> store;
    caldav::Limits limits;
    caldav::PrincipalRecord alice;
    caldav::CollectionRecord calendar;

    explicit PutFixture(std::chrono::seconds retention = std::chrono::hours(24)) {
        server::SqliteOptions o;
        o.file = dir.path() / "k.sqlite3";
        o.idempotency_retention = retention;
        store = server::SqliteStore::open(o);
        store->add_user("alice", "alice@example.com", "$y$x");
        alice = *store->find_principal("alice");
        store->provision_home(alice.id);
        calendar = *store->find_collection(alice.id, "calendar");
    }

    /// Stores event `uid` as UID.ics through the service, answering `key`.
    caldav::ObjectPutOutcome put(const std::string& uid, const std::string& key, std::int64_t at = t0) {
        caldav::Actor actor{*store, limits, alice};
        caldav::ObjectPut p;
        p.calendar = calendar;
        p.owner_name = "alice";
        p.name = uid + ".ics";
        p.data = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
                 "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270105T100000Z\r\nDTEND:20270105T110000Z\r\n"
                 "SUMMARY:Planning\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        p.idempotency = caldav::IdempotencyRecord{alice.id, key, "hash-" + uid, 201, "{\"event_id\":\"" + uid + "\"}", at};
        return caldav::put_calendar_object(actor, std::move(p));
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(idempotency)

BOOST_AUTO_TEST_CASE(put_calendar_object_commits_the_record_with_the_object) {
    PutFixture f;
    BOOST_TEST(f.put("ev-1", "key-1").created);
    BOOST_TEST(f.store->find_object(f.calendar.id, "ev-1.ics", false).has_value());
    auto r = f.store->find_idempotency(f.alice.id, "key-1");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->body == "{\"event_id\":\"ev-1\"}");
    BOOST_TEST(r->status == 201);
    BOOST_TEST(r->request_hash == "hash-ev-1");
}

BOOST_AUTO_TEST_CASE(a_taken_key_ends_put_calendar_object_with_409_and_nothing_written) {
    PutFixture f;
    f.put("ev-1", "key-1");
    auto revision = f.store->find_collection(f.alice.id, "calendar")->revision;
    try {
        f.put("ev-2", "key-1", t0 + 5);
        BOOST_FAIL("a second put with the key was accepted");
    } catch (const caldav::Error& e) {
        BOOST_TEST(e.status() == 409);
    }
    BOOST_TEST(!f.store->find_object(f.calendar.id, "ev-2.ics", false));
    BOOST_TEST(f.store->find_collection(f.alice.id, "calendar")->revision == revision);
    BOOST_TEST(f.store->find_idempotency(f.alice.id, "key-1")->body == "{\"event_id\":\"ev-1\"}");
}

BOOST_AUTO_TEST_CASE(records_past_the_retention_are_pruned_when_a_new_one_commits) {
    PutFixture f(std::chrono::hours(1));
    f.put("ev-1", "key-1", t0);
    f.put("ev-2", "key-2", t0 + 1800);
    // An hour and a bit later: key-1 is old enough to go, and may be used again.
    f.put("ev-3", "key-1", t0 + 3601);
    BOOST_TEST(f.store->find_idempotency(f.alice.id, "key-1")->body == "{\"event_id\":\"ev-3\"}");
    BOOST_TEST(f.store->find_idempotency(f.alice.id, "key-2").has_value());
    f.put("ev-4", "key-4", t0 + 1800 + 3601);
    BOOST_TEST(!f.store->find_idempotency(f.alice.id, "key-2"));
    BOOST_TEST(f.store->find_object(f.calendar.id, "ev-2.ics", false).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
