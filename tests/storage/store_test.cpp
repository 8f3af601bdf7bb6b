// The Store contract on SqliteStore over a real file: migrations, users,
// collections, objects with conditions, revisions and the change log, and
// group commit under concurrent writers (issue 2).
#include "src/storage/sqlite_store.hpp"

#define BOOST_TEST_MODULE storage
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
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
}

BOOST_AUTO_TEST_CASE(provisioning_creates_calendar_inbox_outbox_once) {
    store->provision_home(alice);
    store->provision_home(alice);
    auto colls = store->list_collections(alice);
    BOOST_REQUIRE(colls.size() == 3u);
    BOOST_TEST(colls[0].name == "calendar");
    BOOST_TEST((colls[0].kind == caldav::CollectionKind::calendar));
    BOOST_TEST(colls[1].name == "inbox");
    BOOST_TEST(colls[2].name == "outbox");
}

BOOST_AUTO_TEST_CASE(collection_names_are_unique_per_owner) {
    calendar("work");
    caldav::CollectionRecord dup;
    dup.owner_id = alice;
    dup.name = "work";
    BOOST_TEST((store->create_collection(dup) == StoreStatus::exists));
}

BOOST_AUTO_TEST_CASE(put_get_delete_with_etag_conditions) {
    auto cal = calendar("work");
    auto first = store->put_object(object(cal.id, "a.ics", "uid-a", "v1"));
    BOOST_TEST((first.status == StoreStatus::ok));
    BOOST_TEST(first.created);
    auto o = object(cal.id, "a.ics", "uid-a", "v2");
    o.if_none_match = true;
    BOOST_TEST((store->put_object(o).status == StoreStatus::etag_mismatch));
    o.if_none_match = false;
    o.if_match = "wrong";
    BOOST_TEST((store->put_object(o).status == StoreStatus::etag_mismatch));
    o.if_match = first.etag;
    auto second = store->put_object(o);
    BOOST_TEST((second.status == StoreStatus::ok));
    BOOST_TEST(!second.created);
    BOOST_TEST(second.etag != first.etag);
    auto got = store->find_object(cal.id, "a.ics", true);
    BOOST_REQUIRE(got);
    BOOST_TEST(got->data == "v2");
    BOOST_TEST(got->etag == second.etag);
    BOOST_TEST((store->delete_object(cal.id, "a.ics", first.etag) == StoreStatus::etag_mismatch));
    BOOST_TEST((store->delete_object(cal.id, "a.ics", second.etag) == StoreStatus::ok));
    BOOST_TEST(!store->find_object(cal.id, "a.ics", false));
    BOOST_TEST((store->delete_object(cal.id, "a.ics", std::nullopt) == StoreStatus::not_found));
}

BOOST_AUTO_TEST_CASE(schedule_tags_are_renewed_kept_cleared_and_checked_in_the_write) {
    using caldav::ScheduleTagChange;
    auto cal = calendar("work");
    auto o = object(cal.id, "s.ics", "uid-s", "v1");
    o.schedule_tag = ScheduleTagChange::renew;
    auto first = store->put_object(o);
    BOOST_TEST(!first.schedule_tag.empty());
    BOOST_TEST(store->find_object(cal.id, "s.ics", false)->schedule_tag == first.schedule_tag);
    // A reply merged by the server: new ETag, same tag.
    o.data = "v2";
    o.schedule_tag = ScheduleTagChange::keep;
    o.if_schedule_tag_match = first.schedule_tag;
    auto merged = store->put_object(o);
    BOOST_TEST((merged.status == StoreStatus::ok));
    BOOST_TEST(merged.etag != first.etag);
    BOOST_TEST(merged.schedule_tag == first.schedule_tag);
    // The owner's change: a new tag; the old one no longer matches.
    o.schedule_tag = ScheduleTagChange::renew;
    auto changed = store->put_object(o);
    BOOST_TEST(changed.schedule_tag != first.schedule_tag);
    BOOST_TEST((store->put_object(o).status == StoreStatus::etag_mismatch));
    BOOST_TEST((store->delete_object(cal.id, "s.ics", std::nullopt, first.schedule_tag) == StoreStatus::etag_mismatch));
    // A copy keeps the tag; an object that is no scheduling object has none to match.
    auto other = calendar("other");
    auto copy = store->copy_object(cal.id, "s.ics", other.id, "copy.ics", false, false);
    BOOST_TEST((copy.status == StoreStatus::ok));
    BOOST_TEST(copy.schedule_tag == changed.schedule_tag);
    o.if_schedule_tag_match.reset();
    o.schedule_tag = ScheduleTagChange::clear;
    BOOST_TEST(store->put_object(o).schedule_tag.empty());
    BOOST_TEST((store->delete_object(cal.id, "s.ics", std::nullopt, changed.schedule_tag) == StoreStatus::etag_mismatch));
    BOOST_TEST((store->delete_object(other.id, "copy.ics", std::nullopt, changed.schedule_tag) == StoreStatus::ok));
}

BOOST_AUTO_TEST_CASE(mail_is_queued_with_the_object_write_or_not_at_all) {
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
    // A refused write (If-Match) queues nothing: the mail shares its transaction.
    set.writes[0].object.if_match = "stale";
    BOOST_TEST((store->commit(set).status == StoreStatus::etag_mismatch));
    BOOST_TEST(store->list_mail().size() == 1u);
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

BOOST_AUTO_TEST_CASE(a_write_set_commits_every_write_or_none) {
    using Kind = caldav::ObjectWrite::Kind;
    auto cal = calendar("work");
    auto other = calendar("home");
    auto first = store->put_object(object(other.id, "held.ics", "uid-held"));
    BOOST_REQUIRE((first.status == StoreStatus::ok));
    caldav::OutgoingMail m;
    m.principal_id = alice;
    m.uid = "uid-a";
    m.recipient = "carol@outside.test";
    m.message = "Subject: x\r\n\r\nx\r\n";
    caldav::NewJob job{"reminder", alice, 100, "p"};

    // The third write is refused (a stale If-Match): the two before it, the
    // mail and the job are not written either.
    caldav::WriteSet set;
    set.writes.push_back({Kind::put, object(cal.id, "a.ics", "uid-a"), 0});
    set.writes.push_back({Kind::remove, object(other.id, "held.ics", ""), 0});
    auto stale = object(cal.id, "b.ics", "uid-b");
    stale.if_match = "stale";
    set.writes.push_back({Kind::put, stale, 0});
    set.mail = {m};
    set.jobs = {job};
    auto refused = store->commit(set);
    BOOST_TEST((refused.status == StoreStatus::etag_mismatch));
    BOOST_TEST(refused.failed == 2u);
    BOOST_TEST(!store->find_object(cal.id, "a.ics", false));
    BOOST_TEST(store->find_object(other.id, "held.ics", false).has_value());
    BOOST_TEST(store->list_mail().empty());
    BOOST_TEST(store->list_jobs("reminder").empty());
    auto revision = store->find_collection(alice, "work")->revision;

    // Without it, all of them, each with its own result.
    set.writes.pop_back();
    set.writes[1].object.if_match = first.etag;
    auto done = store->commit(set);
    BOOST_REQUIRE((done.status == StoreStatus::ok));
    BOOST_TEST(done.results.size() == 2u);
    BOOST_TEST(done.results[0].created);
    BOOST_TEST(done.results[0].etag == store->find_object(cal.id, "a.ics", false)->etag);
    BOOST_TEST(!store->find_object(other.id, "held.ics", false));
    BOOST_TEST(store->list_mail().size() == 1u);
    BOOST_TEST(store->list_jobs("reminder").size() == 1u);
    BOOST_TEST(store->find_collection(alice, "work")->revision == revision + 1);

    // A UID held by another member names its holder; a missing calendar is not_found.
    caldav::WriteSet clash;
    clash.writes.push_back({Kind::put, object(cal.id, "c.ics", "uid-a"), 0});
    auto conflict = store->commit(clash);
    BOOST_TEST((conflict.status == StoreStatus::uid_conflict));
    BOOST_REQUIRE(conflict.results.size() == 1u);
    BOOST_TEST(conflict.results[0].conflicting_name == "a.ics");
    clash.writes[0].object.collection_id = 999999;
    BOOST_TEST((store->commit(clash).status == StoreStatus::not_found));
}

BOOST_AUTO_TEST_CASE(a_uid_may_be_used_once_per_collection) {
    auto cal = calendar("work");
    auto other = calendar("home");
    BOOST_TEST((store->put_object(object(cal.id, "a.ics", "same")).status == StoreStatus::ok));
    auto clash = store->put_object(object(cal.id, "b.ics", "same"));
    BOOST_TEST((clash.status == StoreStatus::uid_conflict));
    BOOST_TEST(clash.conflicting_name == "a.ics");
    BOOST_TEST((store->put_object(object(other.id, "b.ics", "same")).status == StoreStatus::ok));
}

// Issue 22 item 13 (RFC 4791 §5.3.2.1): the UID of a calendar object resource
// cannot change, by PUT or by COPY/MOVE with Overwrite: T; the check runs in
// the write transaction and leaves the resource as it was.
BOOST_AUTO_TEST_CASE(a_resource_keeps_its_uid_when_replaced) {
    auto cal = calendar("work");
    BOOST_TEST(
        (store->put_object(object(cal.id, "a.ics", "uid-a", "v1")).status == StoreStatus::ok));
    auto changed = store->put_object(object(cal.id, "a.ics", "uid-other", "v2"));
    BOOST_TEST((changed.status == StoreStatus::uid_conflict));
    BOOST_TEST(changed.conflicting_name == "a.ics");
    BOOST_TEST(store->find_object(cal.id, "a.ics", true)->uid == "uid-a");
    BOOST_TEST(
        (store->put_object(object(cal.id, "a.ics", "uid-a", "v3")).status == StoreStatus::ok));
    BOOST_TEST(
        (store->put_object(object(cal.id, "b.ics", "uid-b", "v1")).status == StoreStatus::ok));
    for (bool move : {false, true}) {
        auto over = store->copy_object(cal.id, "b.ics", cal.id, "a.ics", true, move);
        BOOST_TEST((over.status == StoreStatus::uid_conflict));
        BOOST_TEST(over.conflicting_name == "a.ics");
    }
    BOOST_TEST(store->find_object(cal.id, "a.ics", true)->uid == "uid-a");
    BOOST_TEST(store->find_object(cal.id, "b.ics", true).has_value());
}

BOOST_AUTO_TEST_CASE(every_change_bumps_the_revision_and_lands_in_the_change_log) {
    auto cal = calendar("work");
    auto r0 = store->find_collection(alice, "work")->revision;
    store->put_object(object(cal.id, "a.ics", "a"));
    store->put_object(object(cal.id, "b.ics", "b"));
    auto mid = store->find_collection(alice, "work")->revision;
    store->put_object(object(cal.id, "a.ics", "a", "changed"));
    store->delete_object(cal.id, "b.ics", std::nullopt);
    auto r4 = store->find_collection(alice, "work")->revision;
    BOOST_TEST(r4 == r0 + 4);
    auto all = store->changes_since(cal.id, r0, 100);
    BOOST_REQUIRE(all);
    BOOST_REQUIRE(all->changes.size() == 2u);  // one row per member: its latest change
    BOOST_TEST(all->revision == r4);
    auto since_mid = store->changes_since(cal.id, mid, 100);
    BOOST_REQUIRE(since_mid);
    BOOST_REQUIRE(since_mid->changes.size() == 2u);
    BOOST_TEST(since_mid->changes[0].name == "a.ics");
    BOOST_TEST(!since_mid->changes[0].deleted);
    BOOST_TEST(since_mid->changes[1].name == "b.ics");
    BOOST_TEST(since_mid->changes[1].deleted);
    // A change carries the member as it is now (metadata, no data); a deleted one none.
    BOOST_REQUIRE(since_mid->changes[0].object);
    auto now_a = store->find_object(cal.id, "a.ics", false);
    BOOST_REQUIRE(now_a);
    BOOST_TEST(since_mid->changes[0].object->etag == now_a->etag);
    BOOST_TEST(since_mid->changes[0].object->name == "a.ics");
    BOOST_TEST(since_mid->changes[0].object->data.empty());
    BOOST_TEST(!since_mid->changes[1].object);
    BOOST_TEST(store->changes_since(cal.id, r4, 100)->changes.empty());
    BOOST_TEST(store->changes_since(cal.id, r0, 1)->changes.size() == 1u);
    BOOST_TEST(!store->changes_since(cal.id, r4 + 1, 100));  // a token from the future
}

// An initial sync is answered as a listing: the members there are now, in
// name order, with the revision of the same snapshot; none when they do not
// fit in the limit, so that the caller pages the change log instead.
BOOST_AUTO_TEST_CASE(current_members_list_what_exists_with_the_snapshot_revision) {
    auto cal = calendar("work");
    store->put_object(object(cal.id, "c.ics", "c"));
    store->put_object(object(cal.id, "a.ics", "a"));
    store->put_object(object(cal.id, "b.ics", "b"));
    store->delete_object(cal.id, "b.ics", std::nullopt);
    store->put_object(object(cal.id, "a.ics", "a", "changed"));
    auto now = store->find_collection(alice, "work")->revision;
    auto members = store->current_members(cal.id, 3);
    BOOST_REQUIRE(members);
    BOOST_TEST(members->revision == now);
    BOOST_REQUIRE(members->changes.size() == 2u);  // b.ics is gone
    BOOST_TEST(members->changes[0].name == "a.ics");
    BOOST_TEST(members->changes[1].name == "c.ics");
    BOOST_TEST(!members->changes[0].deleted);
    BOOST_REQUIRE(members->changes[0].object);
    BOOST_TEST(members->changes[0].object->etag == store->find_object(cal.id, "a.ics", false)->etag);
    BOOST_TEST(members->changes[0].revision == now);  // its latest change
    BOOST_TEST(members->changes[0].object->data.empty());
    BOOST_TEST(!store->current_members(cal.id, 2));  // two members do not fit under a limit of two
    BOOST_TEST(!store->current_members(cal.id + 1000, 10));
}

BOOST_AUTO_TEST_CASE(home_changes_follow_collections_their_properties_and_members) {
    auto h0 = store->find_home(alice);
    BOOST_REQUIRE(h0);
    auto work = calendar("work");
    auto other = calendar("other");
    auto h1 = store->find_home(alice)->revision;
    BOOST_TEST(h1 > h0->revision);
    // A member write, a displayname change and a dead property each move the home.
    store->put_object(object(work.id, "a.ics", "a"));
    auto h2 = store->find_home(alice)->revision;
    BOOST_TEST(h2 > h1);
    caldav::PropertyPatch named;
    named.display_name = "Other";
    BOOST_TEST((store->patch_properties(other.id, "", named) == StoreStatus::ok));
    auto h3 = store->find_home(alice)->revision;
    BOOST_TEST(h3 > h2);
    caldav::PropertyPatch colour;
    colour.set.push_back({"http://apple.com/ns/ical/", "calendar-color",
                          "<calendar-color xmlns=\"http://apple.com/ns/ical/\">#FF0000</calendar-color>"});
    BOOST_TEST((store->patch_properties(other.id, "", colour) == StoreStatus::ok));
    auto h4 = store->find_home(alice)->revision;
    BOOST_TEST(h4 > h3);
    // A member's dead property is no change of the home.
    BOOST_TEST((store->patch_properties(work.id, "a.ics", colour) == StoreStatus::ok));
    BOOST_TEST(store->find_home(alice)->revision == h4);
    auto since_h2 = store->home_changes_since(alice, h2, 100);
    BOOST_REQUIRE(since_h2);
    BOOST_REQUIRE(since_h2->changes.size() == 1u);  // one row per collection: its latest change
    BOOST_TEST(since_h2->changes[0].name == "other");
    BOOST_REQUIRE(since_h2->changes[0].collection);
    BOOST_TEST(since_h2->changes[0].collection->display_name == "Other");
    BOOST_TEST(since_h2->revision == h4);
    BOOST_TEST((store->delete_collection(work.id) == StoreStatus::ok));
    auto after_delete = store->home_changes_since(alice, h4, 100);
    BOOST_REQUIRE(after_delete);
    BOOST_REQUIRE(after_delete->changes.size() == 1u);
    BOOST_TEST(after_delete->changes[0].name == "work");
    BOOST_TEST(after_delete->changes[0].deleted);
    BOOST_TEST(!after_delete->changes[0].collection);
    BOOST_TEST(store->home_changes_since(alice, h1, 1)->changes.size() == 1u);
    auto h5 = store->find_home(alice)->revision;
    BOOST_TEST(!store->home_changes_since(alice, h5 + 1, 100));  // a token from the future
    // Deleting the user drops the log with the home (no row refers to a gone principal).
    BOOST_TEST((store->delete_user("alice") == StoreStatus::ok));
    BOOST_TEST(!store->find_home(alice));
}

BOOST_AUTO_TEST_CASE(deleting_a_collection_deletes_the_plain_collections_nested_in_it) {
    auto plain = [&](const std::string& name) {
        caldav::CollectionRecord c;
        c.owner_id = alice;
        c.name = name;
        c.kind = caldav::CollectionKind::plain;
        BOOST_REQUIRE(store->create_collection(c) == StoreStatus::ok);
        return c;
    };
    auto top = plain("files");
    auto sub = plain("files/sub");
    auto sibling = plain("files-old");
    auto note = object(sub.id, "note.txt", "", "hello");
    note.content_type = "text/plain";
    BOOST_TEST((store->put_object(note).status == StoreStatus::ok));
    auto copy = object(sub.id, "copy.txt", "", "hello");
    copy.content_type = "text/plain";
    BOOST_TEST((store->put_object(copy).status == StoreStatus::ok));  // no UID conflict between resources
    BOOST_TEST(store->find_object(sub.id, "note.txt", true)->data == "hello");
    BOOST_TEST(store->find_object(sub.id, "note.txt", false)->content_type == "text/plain");
    BOOST_TEST((store->delete_collection(top.id) == StoreStatus::ok));
    BOOST_TEST(!store->find_collection(alice, "files/sub").has_value());
    BOOST_TEST(store->find_collection(alice, "files-old").has_value());
    BOOST_TEST(store->used_bytes(alice) == 0);
}

BOOST_AUTO_TEST_CASE(copying_a_collection_copies_its_subtree_and_logs_each_member) {
    auto plain = [&](const std::string& name) {
        caldav::CollectionRecord c;
        c.owner_id = alice;
        c.name = name;
        c.kind = caldav::CollectionKind::plain;
        BOOST_REQUIRE(store->create_collection(c) == StoreStatus::ok);
        return c;
    };
    plain("src");
    auto inner = plain("src/inner");
    auto note = object(inner.id, "note.txt", "", "hello");
    note.content_type = "text/plain";
    BOOST_TEST((store->put_object(note).status == StoreStatus::ok));
    auto r = store->copy_collection(alice, "src", "dst", true, false, false);
    BOOST_TEST((r.status == StoreStatus::ok));
    BOOST_TEST(r.created);
    auto copied = store->find_collection(alice, "dst/inner");
    BOOST_REQUIRE(copied.has_value());
    auto o = store->find_object(copied->id, "note.txt", true);
    BOOST_REQUIRE(o.has_value());
    BOOST_TEST(o->data == "hello");
    BOOST_TEST(o->content_type == "text/plain");
    BOOST_TEST(store->changes_since(copied->id, 0, 100)->changes.size() == 1u);  // a sync of the copy sees it
    BOOST_TEST((store->copy_collection(alice, "src", "dst", true, false, false).status == StoreStatus::exists));
    auto moved = store->copy_collection(alice, "src", "dst", false, true, true);  // Depth 0 over dst, then gone
    BOOST_TEST((moved.status == StoreStatus::ok));
    BOOST_TEST(!moved.created);
    BOOST_TEST(!store->find_collection(alice, "dst/inner").has_value());
    BOOST_TEST(!store->find_collection(alice, "src").has_value());
    BOOST_TEST(store->used_bytes(alice) == 0);
}

BOOST_AUTO_TEST_CASE(used_bytes_follow_every_write) {
    auto cal = calendar("work");
    BOOST_TEST(store->used_bytes(alice) == 0);
    store->put_object(object(cal.id, "a.ics", "a", std::string(100, 'x')));
    store->put_object(object(cal.id, "b.ics", "b", std::string(50, 'x')));
    BOOST_TEST(store->used_bytes(alice) == 150);
    store->put_object(object(cal.id, "a.ics", "a", std::string(10, 'x')));
    BOOST_TEST(store->used_bytes(alice) == 60);
    store->delete_object(cal.id, "b.ics", std::nullopt);
    BOOST_TEST(store->used_bytes(alice) == 10);
    auto other = calendar("other");
    store->copy_object(cal.id, "a.ics", other.id, "a.ics", true, false);
    BOOST_TEST(store->used_bytes(alice) == 20);
    store->delete_collection(cal.id);
    BOOST_TEST(store->used_bytes(alice) == 10);
}

BOOST_AUTO_TEST_CASE(concurrent_writers_all_commit_and_each_gets_its_own_revision) {
    auto cal = calendar("busy");
    constexpr int threads = 16;
    constexpr int per_thread = 25;
    std::atomic<int> failures{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                auto name = "t" + std::to_string(t) + "-" + std::to_string(i) + ".ics";
                if (store->put_object(object(cal.id, name, name)).status != StoreStatus::ok) ++failures;
            }
        });
    }
    for (auto& t : pool) t.join();
    BOOST_TEST(failures.load() == 0);
    BOOST_TEST(store->find_collection(alice, "busy")->revision == threads * per_thread);
    BOOST_TEST(store->list_objects(cal.id, false).size() == std::size_t(threads * per_thread));
    // Durable: a fresh store on the same file sees every write.
    store->close();
    auto reopened = open();
    BOOST_TEST(reopened->list_objects(cal.id, false).size() == std::size_t(threads * per_thread));
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

BOOST_AUTO_TEST_SUITE_END()
