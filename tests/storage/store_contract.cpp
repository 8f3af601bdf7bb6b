// The storage contract suite (issue 23 §6): one case per promise that
// caldav/store.hpp and caldav/store_jobs.hpp make, written against the
// interfaces only and registered once per backend (store_contract.hpp).
#include "tests/storage/store_contract.hpp"

#define BOOST_TEST_MODULE contract
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "caldav/calendar_data.hpp"

namespace contract {

namespace {

using caldav::CollectionKind;
using caldav::CollectionRecord;
using caldav::PutObject;
using caldav::StoreStatus;

// ---------------------------------------------------------------- helpers

constexpr std::int64_t hour = 3600;

/// Unix seconds of a UTC date and time.
std::int64_t utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0) {
    using namespace std::chrono;
    const sys_days date{year{y} / month{mo} / day{d}};
    return duration_cast<seconds>(date.time_since_epoch()).count() + h * hour + mi * 60;
}

/// The day most events of the suite fall on: 2025-03-10T00:00:00Z.
const std::int64_t day0 = utc(2025, 3, 10);

/// The iCalendar UTC form of unix seconds ("20250310T090000Z").
std::string ical_utc(std::int64_t t) {
    const std::time_t tt = t;
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[20];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

/// A VCALENDAR holding `component` (its lines between BEGIN and END).
std::string vcalendar(const std::string& component) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kalends//contract//EN\r\n" + component +
           "END:VCALENDAR\r\n";
}

/// A VEVENT from `start` to `end` (unix seconds, UTC) with `extra` lines.
std::string event(const std::string& uid, std::int64_t start, std::int64_t end, const std::string& extra = "") {
    return vcalendar("BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:" + ical_utc(start) +
                     "\r\nDTEND:" + ical_utc(end) + "\r\n" + extra + "END:VEVENT\r\n");
}

/// A VEVENT written in a VCALENDAR verbatim (`lines` between its UID and END).
std::string event_lines(const std::string& uid, const std::string& lines) {
    return vcalendar("BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20250101T000000Z\r\n" + lines + "END:VEVENT\r\n");
}

/// A put of calendar data, indexed as the protocol layer indexes it
/// (validate_calendar_data), not by hand.
PutObject calendar_object(std::int64_t collection_id, const std::string& name, const std::string& data) {
    auto index = caldav::validate_calendar_data(data, caldav::Limits{});
    PutObject o;
    o.collection_id = collection_id;
    o.name = name;
    o.uid = index.uid;
    o.component = index.component;
    o.data = data;
    o.first_start = index.first_start;
    o.last_end = index.last_end;
    o.instances = std::move(index.instances);
    return o;
}

/// A put of a non-calendar resource (a plain collection's member).
PutObject plain_resource(std::int64_t collection_id, const std::string& name, const std::string& text) {
    PutObject o;
    o.collection_id = collection_id;
    o.name = name;
    o.data = text;
    o.content_type = "text/plain";
    return o;
}

/// Creates a collection of `owner`; the test stops if the store refuses.
CollectionRecord make_collection(Fixture& f, std::int64_t owner, const std::string& name,
                                 CollectionKind kind = CollectionKind::calendar) {
    CollectionRecord c;
    c.owner_id = owner;
    c.name = name;
    c.kind = kind;
    BOOST_TEST_REQUIRE((f.store().create_collection(c) == StoreStatus::ok));
    return c;
}

/// Stores `o`; the test stops if the store refuses. Returns the result.
caldav::PutResult put(Fixture& f, const PutObject& o) {
    auto r = f.store().put_object(o);
    BOOST_TEST_REQUIRE((r.status == StoreStatus::ok), "put of " << o.name);
    return r;
}

/// Stores an event named `name` in `collection_id`; returns its ETag.
std::string put_event(Fixture& f, std::int64_t collection_id, const std::string& name, const std::string& uid,
                      std::int64_t start = day0 + 9 * hour, std::int64_t end = day0 + 10 * hour,
                      const std::string& extra = "") {
    return put(f, calendar_object(collection_id, name, event(uid, start, end, extra))).etag;
}

std::int64_t revision_of(Fixture& f, std::int64_t owner, const std::string& collection) {
    auto c = f.store().find_collection(owner, collection);
    BOOST_TEST_REQUIRE(c.has_value(), "collection " << collection);
    return c->revision;
}

std::set<std::string> names_in_range(Fixture& f, std::int64_t collection_id, std::optional<std::int64_t> start,
                                     std::optional<std::int64_t> end) {
    std::set<std::string> out;
    for (const auto& o : f.store().list_objects_in_range(collection_id, start, end, false)) out.insert(o.name);
    return out;
}

caldav::DeadProperty colour(const std::string& value) {
    return {"http://apple.com/ns/ical/", "calendar-color",
            "<calendar-color xmlns=\"http://apple.com/ns/ical/\">" + value + "</calendar-color>"};
}

caldav::DeadProperty order(const std::string& value) {
    return {"http://apple.com/ns/ical/", "calendar-order",
            "<calendar-order xmlns=\"http://apple.com/ns/ical/\">" + value + "</calendar-order>"};
}

std::vector<std::string> names_of(const std::vector<caldav::DeadProperty>& props) {
    std::vector<std::string> out;
    for (const auto& p : props) out.push_back(p.name);
    std::sort(out.begin(), out.end());
    return out;
}

caldav::OutgoingMail mail_to(std::int64_t sender, const std::string& recipient) {
    return {sender, "uid-m", recipient, "calendar@example.org", "Subject: x\r\n\r\nx\r\n"};
}

caldav::NewJob job(const std::string& kind, std::int64_t due, const std::string& payload = "p") {
    return {kind, 7, due, payload};
}

using strings = std::vector<std::string>;

// ------------------------------------------------------------- principals

void principals_are_found_by_name_and_by_email_in_any_case(Fixture& f) {
    auto alice = f.add_user("alice", "Alice@Example.com");
    f.add_user("bob", "");
    f.add_user("carol", "carol@example.com");
    auto found = f.store().find_principal("alice");
    BOOST_TEST_REQUIRE(found.has_value());
    BOOST_TEST(found->id == alice);
    BOOST_TEST(found->kind == "user");
    BOOST_TEST(found->email == "Alice@Example.com");
    BOOST_TEST(!f.store().find_principal("Alice"));  // a URL segment: exact
    BOOST_TEST(!f.store().find_principal("nobody"));
    auto by_email = f.store().find_principal_by_email("aLiCe@example.COM");
    BOOST_TEST_REQUIRE(by_email.has_value());
    BOOST_TEST(by_email->id == alice);
    BOOST_TEST(!f.store().find_principal_by_email(""));  // bob has no address to match
    BOOST_TEST(!f.store().find_principal_by_email("nobody@example.com"));
}

void principals_are_listed_by_name_in_pages(Fixture& f) {
    for (auto name : {"dave", "alice", "carol", "bob"}) f.add_user(name, std::string(name) + "@example.com");
    auto names = [](const std::vector<caldav::PrincipalRecord>& list) {
        strings out;
        for (const auto& p : list) out.push_back(p.name);
        return out;
    };
    BOOST_TEST(names(f.store().list_principals("", 10)) == (strings{"alice", "bob", "carol", "dave"}),
               boost::test_tools::per_element());
    BOOST_TEST(names(f.store().list_principals("", 2)) == (strings{"alice", "bob"}), boost::test_tools::per_element());
    BOOST_TEST(names(f.store().list_principals("bob", 2)) == (strings{"carol", "dave"}),
               boost::test_tools::per_element());
    BOOST_TEST(f.store().list_principals("dave", 2).empty());
}

// ------------------------------------------------------------------ homes

void provisioning_creates_calendar_inbox_outbox_once(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    f.store().provision_home(alice);
    auto first = f.store().list_collections(alice);
    auto home = f.store().find_home(alice);
    f.store().provision_home(alice);
    auto colls = f.store().list_collections(alice);
    BOOST_TEST_REQUIRE(colls.size() == 3u);
    BOOST_TEST(colls[0].name == "calendar");
    BOOST_TEST((colls[0].kind == CollectionKind::calendar));
    BOOST_TEST(colls[1].name == "inbox");
    BOOST_TEST((colls[1].kind == CollectionKind::inbox));
    BOOST_TEST(colls[2].name == "outbox");
    BOOST_TEST((colls[2].kind == CollectionKind::outbox));
    for (std::size_t i = 0; i < colls.size(); ++i) BOOST_TEST(colls[i].id == first[i].id);
    // The second call changed nothing a client could see.
    BOOST_TEST_REQUIRE(home.has_value());
    BOOST_TEST(f.store().find_home(alice)->revision == home->revision);
}

// ------------------------------------------------------------ collections

void collection_names_are_unique_per_owner(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    CollectionRecord c;
    c.owner_id = alice;
    c.name = "work";
    c.display_name = "Work";
    c.description = "Meetings";
    c.components = "VEVENT,VTODO";
    BOOST_TEST_REQUIRE((f.store().create_collection(c) == StoreStatus::ok));
    BOOST_TEST(c.id != 0);
    BOOST_TEST(c.created_at > 0);
    CollectionRecord dup;
    dup.owner_id = alice;
    dup.name = "work";
    BOOST_TEST((f.store().create_collection(dup) == StoreStatus::exists));
    make_collection(f, bob, "work");  // another home, another namespace
    auto found = f.store().find_collection(alice, "work");
    BOOST_TEST_REQUIRE(found.has_value());
    BOOST_TEST(found->id == c.id);
    BOOST_TEST(found->owner_id == alice);
    BOOST_TEST((found->kind == CollectionKind::calendar));
    BOOST_TEST(found->display_name == "Work");
    BOOST_TEST(found->description == "Meetings");
    BOOST_TEST(found->components == "VEVENT,VTODO");
    BOOST_TEST(found->revision == 0);
    BOOST_TEST(!f.store().find_collection(alice, "home"));
    BOOST_TEST(f.store().list_collections(alice).size() == 1u);
}

void collections_are_listed_by_name(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    for (auto name : {"work", "family", "sport"}) make_collection(f, alice, name);
    make_collection(f, alice, "files", CollectionKind::plain);
    strings names;
    for (const auto& c : f.store().list_collections(alice)) names.push_back(c.name);
    BOOST_TEST(names == (strings{"family", "files", "sport", "work"}), boost::test_tools::per_element());
}

void a_collection_is_created_with_its_dead_properties(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    CollectionRecord c;
    c.owner_id = alice;
    c.name = "work";
    BOOST_TEST_REQUIRE((f.store().create_collection(c, {colour("#FF0000"), order("2")}) == StoreStatus::ok));
    auto props = f.store().dead_properties(c.id, "");
    BOOST_TEST(names_of(props) == (strings{"calendar-color", "calendar-order"}), boost::test_tools::per_element());
    // A name already taken sets nothing on the collection that holds it.
    CollectionRecord dup = c;
    BOOST_TEST((f.store().create_collection(dup, {colour("#00FF00")}) == StoreStatus::exists));
    for (const auto& p : f.store().dead_properties(c.id, ""))
        if (p.name == "calendar-color") BOOST_TEST(p.xml == colour("#FF0000").xml);
}

// ---------------------------------------------------------------- objects

void put_creates_then_replaces_and_reads_return_what_was_stored(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto v1 = calendar_object(cal.id, "a.ics", event("uid-a", day0 + 9 * hour, day0 + 10 * hour));
    auto first = put(f, v1);
    BOOST_TEST(first.created);
    BOOST_TEST(!first.etag.empty());
    auto v2 = calendar_object(cal.id, "a.ics", event("uid-a", day0 + 11 * hour, day0 + 12 * hour, "SUMMARY:moved\r\n"));
    auto second = put(f, v2);
    BOOST_TEST(!second.created);
    auto got = f.store().find_object(cal.id, "a.ics", true);
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST(got->text() == v2.data);
    BOOST_TEST(got->etag == second.etag);
    BOOST_TEST(got->uid == "uid-a");
    BOOST_TEST(got->component == "VEVENT");
    BOOST_TEST(got->size == static_cast<std::int64_t>(v2.data.size()));
    BOOST_TEST(got->collection_id == cal.id);
    BOOST_TEST((got->first_start == v2.first_start));
    BOOST_TEST((got->last_end == v2.last_end));
    BOOST_TEST(got->content_type.empty());
    auto meta = f.store().find_object(cal.id, "a.ics", false);
    BOOST_TEST_REQUIRE(meta.has_value());
    BOOST_TEST(meta->text().empty());  // metadata only when no data is asked for
    BOOST_TEST(meta->etag == second.etag);
    BOOST_TEST(!f.store().find_object(cal.id, "b.ics", false));
}

void a_plain_resource_keeps_its_bytes_and_media_type(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto files = make_collection(f, alice, "files", CollectionKind::plain);
    BOOST_TEST(put(f, plain_resource(files.id, "note.txt", "hello")).created);
    // Resources carry no UID of their own: two never conflict.
    BOOST_TEST(put(f, plain_resource(files.id, "copy.txt", "hello")).created);
    auto got = f.store().find_object(files.id, "note.txt", true);
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST(got->text() == "hello");
    BOOST_TEST(got->content_type == "text/plain");
}

void every_change_gives_a_new_etag_and_reads_leave_it_alone(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    std::set<std::string> etags;
    for (int i = 0; i < 5; ++i)
        etags.insert(put_event(f, cal.id, "a.ics", "uid-a", day0 + 9 * hour, day0 + 10 * hour,
                               "SUMMARY:version " + std::to_string(i) + "\r\n"));
    BOOST_TEST(etags.size() == 5u);
    // Deleted and created again, with data it had before: a new version all the same.
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", std::nullopt) == StoreStatus::ok));
    etags.insert(put_event(f, cal.id, "a.ics", "uid-a", day0 + 9 * hour, day0 + 10 * hour, "SUMMARY:version 4\r\n"));
    BOOST_TEST(etags.size() == 6u);
    auto now = f.store().find_object(cal.id, "a.ics", false)->etag;
    f.store().list_objects(cal.id, true);
    f.store().list_objects_page(cal.id, "", 10, true);
    f.store().list_objects_in_range(cal.id, std::nullopt, std::nullopt, true);
    f.store().visit_objects_named(cal.id, {"a.ics"}, true, [](caldav::ObjectRecord&) {});
    f.store().changes_since(cal.id, 0, 100);
    f.store().find_object_by_uid(alice, "uid-a");
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", true)->etag == now);
}

void if_match_must_name_the_current_etag(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto etag = put_event(f, cal.id, "a.ics", "uid-a");
    auto o = calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour, "SUMMARY:changed\r\n"));
    o.if_match = "not-" + etag;
    BOOST_TEST((f.store().put_object(o).status == StoreStatus::etag_mismatch));
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", false)->etag == etag);  // untouched
    o.if_match = etag;
    auto r = f.store().put_object(o);
    BOOST_TEST((r.status == StoreStatus::ok));
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", true)->text() == o.data);
    // The old ETag no longer matches; nor does any on a missing object.
    BOOST_TEST((f.store().put_object(o).status == StoreStatus::etag_mismatch));
    auto missing = calendar_object(cal.id, "b.ics", event("uid-b", day0, day0 + hour));
    missing.if_match = r.etag;
    BOOST_TEST((f.store().put_object(missing).status == StoreStatus::etag_mismatch));
    BOOST_TEST(!f.store().find_object(cal.id, "b.ics", false));
}

void if_none_match_creates_but_never_replaces(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto o = calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour));
    o.if_none_match = true;
    auto created = f.store().put_object(o);
    BOOST_TEST((created.status == StoreStatus::ok));
    BOOST_TEST(created.created);
    auto again = calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour, "SUMMARY:again\r\n"));
    again.if_none_match = true;
    auto refused = f.store().put_object(again);
    BOOST_TEST((refused.status != StoreStatus::ok));
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", false)->etag == created.etag);
}

// PutObject::if_none_match is documented to "fail with `exists` if the name
// is taken"; SqliteStore answers etag_mismatch (as StoreStatus::etag_mismatch's
// own comment, "If-Match / If-None-Match condition failed", says). Both map
// to 412 today (caldav/store_outcome.cpp), so no client sees it; the two
// comments in caldav/store.hpp must agree before a second backend picks one.
void if_none_match_on_an_existing_name_is_exists(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    put_event(f, cal.id, "a.ics", "uid-a");
    auto again = calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour, "SUMMARY:again\r\n"));
    again.if_none_match = true;
    BOOST_TEST((f.store().put_object(again).status == StoreStatus::exists));
}

void schedule_tags_are_renewed_kept_cleared_and_checked_in_the_write(Fixture& f) {
    using caldav::ScheduleTagChange;
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto o = calendar_object(cal.id, "s.ics", event("uid-s", day0, day0 + hour));
    // If-Schedule-Tag-Match on a missing object fails (RFC 6638 §8.3).
    o.if_schedule_tag_match = "any";
    BOOST_TEST((f.store().put_object(o).status == StoreStatus::etag_mismatch));
    o.if_schedule_tag_match.reset();
    o.schedule_tag = ScheduleTagChange::renew;
    auto first = put(f, o);
    BOOST_TEST(!first.schedule_tag.empty());
    BOOST_TEST(f.store().find_object(cal.id, "s.ics", false)->schedule_tag == first.schedule_tag);
    // A reply merged by the server: a new ETag, the same tag.
    o.data = event("uid-s", day0, day0 + hour, "SUMMARY:reply merged\r\n");
    o.schedule_tag = ScheduleTagChange::keep;
    o.if_schedule_tag_match = first.schedule_tag;
    auto merged = put(f, o);
    BOOST_TEST(merged.etag != first.etag);
    BOOST_TEST(merged.schedule_tag == first.schedule_tag);
    // The owner's change: a new tag; the old one no longer matches.
    o.schedule_tag = ScheduleTagChange::renew;
    auto changed = put(f, o);
    BOOST_TEST(changed.schedule_tag != first.schedule_tag);
    BOOST_TEST((f.store().put_object(o).status == StoreStatus::etag_mismatch));
    BOOST_TEST((f.store().delete_object(cal.id, "s.ics", std::nullopt, first.schedule_tag) ==
                StoreStatus::etag_mismatch));
    // A copy keeps the tag.
    auto other = make_collection(f, alice, "other");
    auto copy = f.store().copy_object(cal.id, "s.ics", other.id, "copy.ics", false, false);
    BOOST_TEST((copy.status == StoreStatus::ok));
    BOOST_TEST(copy.schedule_tag == changed.schedule_tag);
    BOOST_TEST(f.store().find_object(other.id, "copy.ics", false)->schedule_tag == changed.schedule_tag);
    // No longer a scheduling object: no tag, so none matches.
    o.if_schedule_tag_match.reset();
    o.schedule_tag = ScheduleTagChange::clear;
    BOOST_TEST(put(f, o).schedule_tag.empty());
    BOOST_TEST(f.store().find_object(cal.id, "s.ics", false)->schedule_tag.empty());
    BOOST_TEST((f.store().delete_object(cal.id, "s.ics", std::nullopt, changed.schedule_tag) ==
                StoreStatus::etag_mismatch));
    BOOST_TEST((f.store().delete_object(other.id, "copy.ics", std::nullopt, changed.schedule_tag) == StoreStatus::ok));
}

void a_uid_may_be_used_once_per_collection(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto other = make_collection(f, alice, "home");
    put_event(f, cal.id, "a.ics", "same");
    auto clash = f.store().put_object(calendar_object(cal.id, "b.ics", event("same", day0, day0 + hour)));
    BOOST_TEST((clash.status == StoreStatus::uid_conflict));
    BOOST_TEST(clash.conflicting_name == "a.ics");
    BOOST_TEST(!f.store().find_object(cal.id, "b.ics", false));
    put_event(f, other.id, "b.ics", "same");  // another collection may hold it
}

// Issue 22 item 13 (RFC 4791 §5.3.2.1): the UID of a calendar object resource
// cannot change, by PUT or by COPY/MOVE with Overwrite: T; the check runs in
// the write transaction and leaves the resource as it was.
void a_resource_keeps_its_uid_when_replaced(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    put_event(f, cal.id, "a.ics", "uid-a");
    auto changed = f.store().put_object(calendar_object(cal.id, "a.ics", event("uid-other", day0, day0 + hour)));
    BOOST_TEST((changed.status == StoreStatus::uid_conflict));
    BOOST_TEST(changed.conflicting_name == "a.ics");
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", true)->uid == "uid-a");
    put_event(f, cal.id, "a.ics", "uid-a", day0, day0 + hour, "SUMMARY:same uid\r\n");
    put_event(f, cal.id, "b.ics", "uid-b");
    for (bool move : {false, true}) {
        auto over = f.store().copy_object(cal.id, "b.ics", cal.id, "a.ics", true, move);
        BOOST_TEST((over.status == StoreStatus::uid_conflict));
        BOOST_TEST(over.conflicting_name == "a.ics");
    }
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", true)->uid == "uid-a");
    BOOST_TEST(f.store().find_object(cal.id, "b.ics", true).has_value());
}

void a_put_into_a_missing_collection_is_not_found(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto gone = make_collection(f, alice, "gone");
    BOOST_TEST_REQUIRE((f.store().delete_collection(gone.id) == StoreStatus::ok));
    auto r = f.store().put_object(calendar_object(gone.id, "a.ics", event("uid-a", day0, day0 + hour)));
    BOOST_TEST((r.status == StoreStatus::not_found));
    BOOST_TEST(f.store().list_objects(gone.id, false).empty());
    BOOST_TEST(f.store().used_bytes(alice) == 0);
}

void delete_object_checks_its_conditions(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", std::nullopt) == StoreStatus::not_found));
    auto etag = put_event(f, cal.id, "a.ics", "uid-a");
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", "not-" + etag) == StoreStatus::etag_mismatch));
    // No Schedule-Tag on the object: none can match.
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", etag, std::string("tag")) == StoreStatus::etag_mismatch));
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", false).has_value());
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", etag) == StoreStatus::ok));
    BOOST_TEST(!f.store().find_object(cal.id, "a.ics", false));
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", std::nullopt) == StoreStatus::not_found));
    put_event(f, cal.id, "b.ics", "uid-b");
    BOOST_TEST((f.store().delete_object(cal.id, "b.ics", std::nullopt) == StoreStatus::ok));
    BOOST_TEST(f.store().list_objects(cal.id, false).empty());
    // Its UID is free again.
    put_event(f, cal.id, "c.ics", "uid-b");
}

void members_are_listed_paged_and_visited_by_name(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    for (auto name : {"d", "b", "a", "c", "e"}) put_event(f, cal.id, std::string(name) + ".ics", name);
    strings all;
    for (const auto& o : f.store().list_objects(cal.id, true)) {
        all.push_back(o.name);
        BOOST_TEST(o.text().find("UID:" + o.uid) != std::string_view::npos);
    }
    BOOST_TEST(all == (strings{"a.ics", "b.ics", "c.ics", "d.ics", "e.ics"}), boost::test_tools::per_element());
    strings paged;
    std::string after;
    for (;;) {
        auto page = f.store().list_objects_page(cal.id, after, 2, false);
        BOOST_TEST_REQUIRE(page.size() <= 2u);
        if (page.empty()) break;
        for (const auto& o : page) paged.push_back(o.name);
        after = page.back().name;
    }
    BOOST_TEST(paged == all, boost::test_tools::per_element());
    strings named;
    f.store().visit_objects_named(cal.id, {"e.ics", "missing.ics", "a.ics"}, true, [&](caldav::ObjectRecord& o) {
        named.push_back(o.name);
        BOOST_TEST(!o.text().empty());
    });
    BOOST_TEST(named == (strings{"e.ics", "a.ics"}), boost::test_tools::per_element());
}

// -------------------------------------------------- revisions and sync (RFC 6578)

void the_revision_grows_by_exactly_one_per_member_change(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto other = make_collection(f, alice, "other");
    auto rev = [&] { return revision_of(f, alice, "work"); };
    auto r = rev();
    auto etag = put_event(f, cal.id, "a.ics", "uid-a");
    BOOST_TEST(rev() == r + 1);
    put_event(f, cal.id, "a.ics", "uid-a", day0, day0 + hour);
    BOOST_TEST(rev() == r + 2);
    // Refused writes change nothing.
    auto stale = calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + 2 * hour));
    stale.if_match = etag;
    BOOST_TEST((f.store().put_object(stale).status == StoreStatus::etag_mismatch));
    BOOST_TEST((f.store().delete_object(cal.id, "missing.ics", std::nullopt) == StoreStatus::not_found));
    BOOST_TEST(rev() == r + 2);
    put_event(f, other.id, "b.ics", "uid-b");
    BOOST_TEST((f.store().copy_object(other.id, "b.ics", cal.id, "b.ics", false, false).status == StoreStatus::ok));
    BOOST_TEST(rev() == r + 3);
    auto third = make_collection(f, alice, "third");
    BOOST_TEST((f.store().copy_object(cal.id, "b.ics", third.id, "b.ics", false, true).status == StoreStatus::ok));
    BOOST_TEST(rev() == r + 4);
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", std::nullopt) == StoreStatus::ok));
    BOOST_TEST(rev() == r + 5);
    BOOST_TEST(revision_of(f, alice, "other") == 1);  // the source of a copy is not changed
    BOOST_TEST(revision_of(f, alice, "third") == 1);
}

void changes_since_lists_each_member_once_with_its_latest_change(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto r0 = revision_of(f, alice, "work");
    put_event(f, cal.id, "a.ics", "a");
    put_event(f, cal.id, "b.ics", "b");
    auto mid = revision_of(f, alice, "work");
    put_event(f, cal.id, "a.ics", "a", day0, day0 + hour);
    BOOST_TEST((f.store().delete_object(cal.id, "b.ics", std::nullopt) == StoreStatus::ok));
    auto r4 = revision_of(f, alice, "work");
    BOOST_TEST(r4 == r0 + 4);
    auto all = f.store().changes_since(cal.id, r0, 100);
    BOOST_TEST_REQUIRE(all.has_value());
    BOOST_TEST_REQUIRE(all->changes.size() == 2u);  // one row per member: its latest change
    BOOST_TEST(all->revision == r4);
    auto since_mid = f.store().changes_since(cal.id, mid, 100);
    BOOST_TEST_REQUIRE(since_mid.has_value());
    BOOST_TEST_REQUIRE(since_mid->changes.size() == 2u);
    BOOST_TEST(since_mid->changes[0].name == "a.ics");
    BOOST_TEST(!since_mid->changes[0].deleted);
    BOOST_TEST(since_mid->changes[1].name == "b.ics");
    BOOST_TEST(since_mid->changes[1].deleted);  // a tombstone
    BOOST_TEST(since_mid->changes[0].revision < since_mid->changes[1].revision);
    // A change carries the member as it is now (metadata, no data); a deleted one none.
    BOOST_TEST_REQUIRE(since_mid->changes[0].object.has_value());
    auto now_a = f.store().find_object(cal.id, "a.ics", false);
    BOOST_TEST(since_mid->changes[0].object->etag == now_a->etag);
    BOOST_TEST(since_mid->changes[0].object->name == "a.ics");
    BOOST_TEST(since_mid->changes[0].object->text().empty());
    BOOST_TEST(!since_mid->changes[1].object);
    BOOST_TEST(f.store().changes_since(cal.id, r4, 100)->changes.empty());
    BOOST_TEST(f.store().changes_since(cal.id, r4, 100)->revision == r4);
}

// A client pages a large change log by revision: `since` is the revision of
// the last change it got. Writes between its pages must not make it miss a
// change or get one twice unless the member changed again.
void changes_since_pages_without_skipping_or_repeating_a_change(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    std::map<std::string, bool> state;  // name: deleted
    auto write = [&](int i) {
        auto name = "m" + std::to_string(i % 13) + ".ics";
        if (i % 5 == 4 && state.count(name) && !state[name]) {
            BOOST_TEST_REQUIRE((f.store().delete_object(cal.id, name, std::nullopt) == StoreStatus::ok));
            state[name] = true;
        } else {
            put_event(f, cal.id, name, name, day0 + i * hour, day0 + (i + 1) * hour);
            state[name] = false;
        }
    };
    for (int i = 0; i < 40; ++i) write(i);
    std::int64_t since = 0;
    std::map<std::string, bool> seen;
    std::int64_t last_revision = 0;
    for (int page = 0; page < 100; ++page) {
        auto set = f.store().changes_since(cal.id, since, 3);
        BOOST_TEST_REQUIRE(set.has_value());
        BOOST_TEST_REQUIRE(set->changes.size() <= 3u);
        if (set->changes.empty()) break;
        for (const auto& c : set->changes) {
            BOOST_TEST(c.revision > last_revision);  // oldest first, never twice
            last_revision = c.revision;
            seen[c.name] = c.deleted;
        }
        since = set->changes.back().revision;
        if (page < 6) write(40 + page);  // writes land between the pages
    }
    BOOST_TEST(since == revision_of(f, alice, "work"));
    BOOST_TEST(seen == state);
}

void changes_since_refuses_tokens_outside_the_log(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    put_event(f, cal.id, "a.ics", "a");
    auto c = f.store().find_collection(alice, "work");
    BOOST_TEST(f.store().changes_since(cal.id, c->sync_floor, 100).has_value());
    BOOST_TEST(!f.store().changes_since(cal.id, c->sync_floor - 1, 100));  // older than the floor
    BOOST_TEST(!f.store().changes_since(cal.id, c->revision + 1, 100));    // from the future
    BOOST_TEST_REQUIRE((f.store().delete_collection(cal.id) == StoreStatus::ok));
    BOOST_TEST(!f.store().changes_since(cal.id, 0, 100));  // the collection is gone
    BOOST_TEST(!f.store().current_members(cal.id, 100));
}

// An initial sync is answered as a listing: the members there are now, in
// name order, with the revision of the same snapshot; none when they do not
// fit in the limit, so that the caller pages the change log instead.
void current_members_list_what_exists_with_the_snapshot_revision(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    put_event(f, cal.id, "c.ics", "c");
    put_event(f, cal.id, "a.ics", "a");
    put_event(f, cal.id, "b.ics", "b");
    BOOST_TEST((f.store().delete_object(cal.id, "b.ics", std::nullopt) == StoreStatus::ok));
    put_event(f, cal.id, "a.ics", "a", day0, day0 + hour);
    auto now = revision_of(f, alice, "work");
    auto members = f.store().current_members(cal.id, 3);
    BOOST_TEST_REQUIRE(members.has_value());
    BOOST_TEST(members->revision == now);
    BOOST_TEST_REQUIRE(members->changes.size() == 2u);  // b.ics is gone
    BOOST_TEST(members->changes[0].name == "a.ics");
    BOOST_TEST(members->changes[1].name == "c.ics");
    BOOST_TEST(!members->changes[0].deleted);
    BOOST_TEST_REQUIRE(members->changes[0].object.has_value());
    BOOST_TEST(members->changes[0].object->etag == f.store().find_object(cal.id, "a.ics", false)->etag);
    BOOST_TEST(members->changes[0].revision == now);  // its latest change
    BOOST_TEST(members->changes[0].object->text().empty());
    BOOST_TEST(!f.store().current_members(cal.id, 2));  // two members do not fit under a limit of two
}

void home_changes_follow_collections_their_properties_and_members(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto h0 = f.store().find_home(alice);
    BOOST_TEST_REQUIRE(h0.has_value());
    BOOST_TEST(!f.store().find_home(alice + 1000));
    auto work = make_collection(f, alice, "work");
    auto other = make_collection(f, alice, "other");
    auto home_revision = [&] { return f.store().find_home(alice)->revision; };
    auto h1 = home_revision();
    BOOST_TEST(h1 > h0->revision);
    // A member write, a displayname change and a dead property each move the home.
    put_event(f, work.id, "a.ics", "a");
    auto h2 = home_revision();
    BOOST_TEST(h2 > h1);
    caldav::PropertyPatch named;
    named.display_name = "Other";
    BOOST_TEST((f.store().patch_properties(other.id, "", named) == StoreStatus::ok));
    auto h3 = home_revision();
    BOOST_TEST(h3 > h2);
    caldav::PropertyPatch coloured;
    coloured.set.push_back(colour("#FF0000"));
    BOOST_TEST((f.store().patch_properties(other.id, "", coloured) == StoreStatus::ok));
    auto h4 = home_revision();
    BOOST_TEST(h4 > h3);
    // A member's dead property is no change of the home.
    BOOST_TEST((f.store().patch_properties(work.id, "a.ics", coloured) == StoreStatus::ok));
    BOOST_TEST(home_revision() == h4);
    auto since_h2 = f.store().home_changes_since(alice, h2, 100);
    BOOST_TEST_REQUIRE(since_h2.has_value());
    BOOST_TEST_REQUIRE(since_h2->changes.size() == 1u);  // one row per collection: its latest change
    BOOST_TEST(since_h2->changes[0].name == "other");
    BOOST_TEST_REQUIRE(since_h2->changes[0].collection.has_value());
    BOOST_TEST(since_h2->changes[0].collection->display_name == "Other");
    BOOST_TEST(since_h2->revision == h4);
    BOOST_TEST((f.store().delete_collection(work.id) == StoreStatus::ok));
    auto after_delete = f.store().home_changes_since(alice, h4, 100);
    BOOST_TEST_REQUIRE(after_delete.has_value());
    BOOST_TEST_REQUIRE(after_delete->changes.size() == 1u);
    BOOST_TEST(after_delete->changes[0].name == "work");
    BOOST_TEST(after_delete->changes[0].deleted);
    BOOST_TEST(!after_delete->changes[0].collection);
    BOOST_TEST(f.store().home_changes_since(alice, h1, 1)->changes.size() == 1u);
    auto h5 = f.store().find_home(alice);
    BOOST_TEST(!f.store().home_changes_since(alice, h5->revision + 1, 100));  // a token from the future
    BOOST_TEST(!f.store().home_changes_since(alice, h5->sync_floor - 1, 100));
    BOOST_TEST(!f.store().home_changes_since(alice + 1000, 0, 100));
}

// ------------------------------------------------- properties (RFC 4918 §9.2)

void a_property_patch_sets_and_removes_in_one_write(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    caldav::PropertyPatch first;
    first.display_name = "Work";
    first.description = "Meetings";
    first.timezone = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
    first.set = {colour("#FF0000"), order("1")};
    BOOST_TEST((f.store().patch_properties(cal.id, "", first) == StoreStatus::ok));
    auto c = f.store().find_collection(alice, "work");
    BOOST_TEST(c->display_name == "Work");
    BOOST_TEST(c->description == "Meetings");
    BOOST_TEST(c->timezone == *first.timezone);
    BOOST_TEST(names_of(f.store().dead_properties(cal.id, "")) == (strings{"calendar-color", "calendar-order"}),
               boost::test_tools::per_element());
    caldav::PropertyPatch second;
    second.set = {colour("#00FF00")};
    second.remove = {{order("").ns, "calendar-order"}};
    BOOST_TEST((f.store().patch_properties(cal.id, "", second) == StoreStatus::ok));
    auto props = f.store().dead_properties(cal.id, "");
    BOOST_TEST_REQUIRE(props.size() == 1u);
    BOOST_TEST(props[0].xml == colour("#00FF00").xml);
    BOOST_TEST(props[0].ns == "http://apple.com/ns/ical/");
    BOOST_TEST(f.store().find_collection(alice, "work")->display_name == "Work");  // left alone
    // A member's properties are its own.
    put_event(f, cal.id, "a.ics", "a");
    BOOST_TEST((f.store().patch_properties(cal.id, "a.ics", first) == StoreStatus::ok));
    BOOST_TEST(f.store().dead_properties(cal.id, "a.ics").size() == 2u);
    BOOST_TEST(f.store().dead_properties(cal.id, "").size() == 1u);
}

void a_patch_of_a_missing_target_is_not_found_and_sets_nothing(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    caldav::PropertyPatch patch;
    patch.set = {colour("#FF0000")};
    BOOST_TEST((f.store().patch_properties(cal.id, "later.ics", patch) == StoreStatus::not_found));
    put_event(f, cal.id, "later.ics", "later");
    BOOST_TEST(f.store().dead_properties(cal.id, "later.ics").empty());
    auto gone = make_collection(f, alice, "gone");
    BOOST_TEST_REQUIRE((f.store().delete_collection(gone.id) == StoreStatus::ok));
    BOOST_TEST((f.store().patch_properties(gone.id, "", patch) == StoreStatus::not_found));
    BOOST_TEST(f.store().dead_properties(gone.id, "").empty());
}

void a_deleted_member_takes_its_properties_along(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    put_event(f, cal.id, "a.ics", "a");
    caldav::PropertyPatch patch;
    patch.set = {colour("#FF0000")};
    BOOST_TEST((f.store().patch_properties(cal.id, "a.ics", patch) == StoreStatus::ok));
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", std::nullopt) == StoreStatus::ok));
    put_event(f, cal.id, "a.ics", "a");
    BOOST_TEST(f.store().dead_properties(cal.id, "a.ics").empty());
}

// ------------------------------------------- COPY and MOVE (RFC 4918 §9.8-9.9)

void copy_object_copies_data_and_properties_and_leaves_the_source(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto other = make_collection(f, alice, "other");
    put_event(f, cal.id, "a.ics", "uid-a");
    caldav::PropertyPatch patch;
    patch.set = {colour("#FF0000")};
    BOOST_TEST((f.store().patch_properties(cal.id, "a.ics", patch) == StoreStatus::ok));
    auto copy = f.store().copy_object(cal.id, "a.ics", other.id, "b.ics", false, false);
    BOOST_TEST((copy.status == StoreStatus::ok));
    BOOST_TEST(copy.created);
    auto got = f.store().find_object(other.id, "b.ics", true);
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST(got->text() == f.store().find_object(cal.id, "a.ics", true)->text());
    BOOST_TEST(got->uid == "uid-a");
    BOOST_TEST(got->etag == copy.etag);
    BOOST_TEST(names_of(f.store().dead_properties(other.id, "b.ics")) == (strings{"calendar-color"}),
               boost::test_tools::per_element());
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", false).has_value());
    // The copy is found by time like the original.
    BOOST_TEST(names_in_range(f, other.id, day0 + 9 * hour, day0 + 10 * hour).count("b.ics") == 1u);
    // A taken destination: refused without Overwrite, replaced with it.
    BOOST_TEST((f.store().copy_object(cal.id, "a.ics", other.id, "b.ics", false, false).status == StoreStatus::exists));
    auto over = f.store().copy_object(cal.id, "a.ics", other.id, "b.ics", true, false);
    BOOST_TEST((over.status == StoreStatus::ok));
    BOOST_TEST(!over.created);
    BOOST_TEST(over.etag != copy.etag);
    BOOST_TEST((f.store().copy_object(cal.id, "missing.ics", other.id, "c.ics", false, false).status ==
                StoreStatus::not_found));
}

void move_removes_the_source_and_logs_both_collections(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto other = make_collection(f, alice, "other");
    put_event(f, cal.id, "a.ics", "uid-a");
    caldav::PropertyPatch patch;
    patch.set = {colour("#FF0000")};
    BOOST_TEST((f.store().patch_properties(cal.id, "a.ics", patch) == StoreStatus::ok));
    auto from_rev = revision_of(f, alice, "work");
    auto to_rev = revision_of(f, alice, "other");
    auto moved = f.store().copy_object(cal.id, "a.ics", other.id, "a.ics", false, true);
    BOOST_TEST((moved.status == StoreStatus::ok));
    BOOST_TEST(moved.created);
    BOOST_TEST(!f.store().find_object(cal.id, "a.ics", false));
    BOOST_TEST(f.store().find_object(other.id, "a.ics", false).has_value());
    BOOST_TEST(f.store().dead_properties(other.id, "a.ics").size() == 1u);
    auto gone = f.store().changes_since(cal.id, from_rev, 100);
    BOOST_TEST_REQUIRE(gone.has_value());
    BOOST_TEST_REQUIRE(gone->changes.size() == 1u);
    BOOST_TEST(gone->changes[0].deleted);
    auto arrived = f.store().changes_since(other.id, to_rev, 100);
    BOOST_TEST_REQUIRE(arrived.has_value());
    BOOST_TEST_REQUIRE(arrived->changes.size() == 1u);
    BOOST_TEST(!arrived->changes[0].deleted);
    // A rename within the collection keeps the UID, which is no conflict with itself.
    auto renamed = f.store().copy_object(other.id, "a.ics", other.id, "renamed.ics", false, true);
    BOOST_TEST((renamed.status == StoreStatus::ok));
    BOOST_TEST(f.store().list_objects(other.id, false).size() == 1u);
}

void copy_checks_uid_uniqueness_at_the_destination(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto other = make_collection(f, alice, "other");
    put_event(f, cal.id, "a.ics", "uid-a");
    put_event(f, other.id, "holder.ics", "uid-a");
    for (bool move : {false, true}) {
        auto r = f.store().copy_object(cal.id, "a.ics", other.id, "new.ics", false, move);
        BOOST_TEST((r.status == StoreStatus::uid_conflict));
        BOOST_TEST(r.conflicting_name == "holder.ics");
    }
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", false).has_value());  // a refused move moves nothing
    BOOST_TEST(!f.store().find_object(other.id, "new.ics", false));
    // A copy beside its source in one collection would hold its UID twice.
    auto beside = f.store().copy_object(cal.id, "a.ics", cal.id, "twin.ics", false, false);
    BOOST_TEST((beside.status == StoreStatus::uid_conflict));
    BOOST_TEST(beside.conflicting_name == "a.ics");
}

// StoreStatus::not_found is "the resource (or its parent) does not exist":
// a copy into a collection deleted meanwhile (a race the protocol layer
// cannot exclude by looking first) must say so, as put_object does.
// SqliteStore throws sqlite::Error "FOREIGN KEY constraint failed" instead
// (copy_object inserts into the missing collection; its log_change finds no
// collection and is not checked), which reaches the session's catch-all as
// a 500. The write is rolled back, so the source stays. Two expected
// failures: COPY and MOVE.
void a_copy_into_a_missing_collection_is_not_found(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto gone = make_collection(f, alice, "gone");
    put_event(f, cal.id, "a.ics", "uid-a");
    BOOST_TEST_REQUIRE((f.store().delete_collection(gone.id) == StoreStatus::ok));
    for (bool move : {false, true}) {
        std::optional<StoreStatus> status;
        try {
            status = f.store().copy_object(cal.id, "a.ics", gone.id, "a.ics", false, move).status;
        } catch (const std::exception& e) {
            BOOST_TEST_MESSAGE("copy_object threw: " << e.what());
        }
        BOOST_TEST((status == std::optional<StoreStatus>(StoreStatus::not_found)), "move " << move);
    }
    BOOST_TEST(f.store().find_object(cal.id, "a.ics", false).has_value());
}

// ------------------------------------------------------------ collections

void deleting_a_collection_deletes_members_and_nested_plain_collections(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto top = make_collection(f, alice, "files", CollectionKind::plain);
    auto sub = make_collection(f, alice, "files/sub", CollectionKind::plain);
    auto sibling = make_collection(f, alice, "files-old", CollectionKind::plain);
    put(f, plain_resource(top.id, "top.txt", "top"));
    put(f, plain_resource(sub.id, "note.txt", "hello"));
    put(f, plain_resource(sibling.id, "keep.txt", "keep"));
    BOOST_TEST((f.store().delete_collection(top.id) == StoreStatus::ok));
    BOOST_TEST(!f.store().find_collection(alice, "files"));
    BOOST_TEST(!f.store().find_collection(alice, "files/sub"));
    BOOST_TEST(!f.store().find_object(sub.id, "note.txt", false));
    BOOST_TEST(f.store().find_collection(alice, "files-old").has_value());
    BOOST_TEST(f.store().find_object(sibling.id, "keep.txt", false).has_value());
    BOOST_TEST(f.store().used_bytes(alice) == 4);
    BOOST_TEST((f.store().delete_collection(top.id) == StoreStatus::not_found));
    // A calendar goes with its members, and its name can be used again.
    auto cal = make_collection(f, alice, "work");
    put_event(f, cal.id, "a.ics", "uid-a");
    BOOST_TEST((f.store().delete_collection(cal.id) == StoreStatus::ok));
    BOOST_TEST(f.store().list_objects(cal.id, false).empty());
    BOOST_TEST(!f.store().find_object_by_uid(alice, "uid-a"));
    auto again = make_collection(f, alice, "work");
    BOOST_TEST(f.store().list_objects(again.id, false).empty());
}

void copying_a_collection_copies_its_subtree_and_logs_each_member(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    make_collection(f, alice, "src", CollectionKind::plain);
    auto inner = make_collection(f, alice, "src/inner", CollectionKind::plain);
    put(f, plain_resource(inner.id, "note.txt", "hello"));
    auto r = f.store().copy_collection(alice, "src", "dst", true, false, false);
    BOOST_TEST((r.status == StoreStatus::ok));
    BOOST_TEST(r.created);
    auto copied = f.store().find_collection(alice, "dst/inner");
    BOOST_TEST_REQUIRE(copied.has_value());
    auto o = f.store().find_object(copied->id, "note.txt", true);
    BOOST_TEST_REQUIRE(o.has_value());
    BOOST_TEST(o->text() == "hello");
    BOOST_TEST(o->content_type == "text/plain");
    BOOST_TEST(f.store().changes_since(copied->id, 0, 100)->changes.size() == 1u);  // a sync of the copy sees it
    BOOST_TEST(f.store().find_collection(alice, "src/inner").has_value());  // a copy leaves the source
    BOOST_TEST((f.store().copy_collection(alice, "src", "dst", true, false, false).status == StoreStatus::exists));
    auto moved = f.store().copy_collection(alice, "src", "dst", false, true, true);  // Depth 0 over dst, then gone
    BOOST_TEST((moved.status == StoreStatus::ok));
    BOOST_TEST(!moved.created);
    BOOST_TEST(!f.store().find_collection(alice, "dst/inner"));
    BOOST_TEST(!f.store().find_collection(alice, "src"));
    BOOST_TEST(f.store().find_collection(alice, "dst").has_value());
    BOOST_TEST(f.store().used_bytes(alice) == 0);
    BOOST_TEST((f.store().copy_collection(alice, "src", "elsewhere", true, false, false).status ==
                StoreStatus::not_found));
}

void a_copied_calendar_keeps_its_properties_schedule_tags_and_time_index(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    CollectionRecord cal;
    cal.owner_id = alice;
    cal.name = "work";
    cal.display_name = "Work";
    BOOST_TEST_REQUIRE((f.store().create_collection(cal, {colour("#FF0000")}) == StoreStatus::ok));
    auto o = calendar_object(cal.id, "a.ics", event("uid-a", day0 + 9 * hour, day0 + 10 * hour));
    o.schedule_tag = caldav::ScheduleTagChange::renew;
    auto tag = put(f, o).schedule_tag;
    auto r = f.store().copy_collection(alice, "work", "work-copy", true, false, false);
    BOOST_TEST((r.status == StoreStatus::ok));
    auto copy = f.store().find_collection(alice, "work-copy");
    BOOST_TEST_REQUIRE(copy.has_value());
    BOOST_TEST((copy->kind == CollectionKind::calendar));
    BOOST_TEST(copy->display_name == "Work");
    BOOST_TEST(f.store().dead_properties(copy->id, "").size() == 1u);
    auto member = f.store().find_object(copy->id, "a.ics", true);
    BOOST_TEST_REQUIRE(member.has_value());
    BOOST_TEST(member->schedule_tag == tag);
    BOOST_TEST(member->text() == o.data);
    BOOST_TEST(names_in_range(f, copy->id, day0 + 9 * hour + 1800, day0 + 9 * hour + 2400).count("a.ics") == 1u);
    // The copy is a collection of its own: the same UID in both is fine, and
    // both are found by UID in the owner's calendars.
    BOOST_TEST(f.store().find_object_by_uid(alice, "uid-a").has_value());
}

// -------------------------------------------- time range (RFC 4791 §9.9)

// Candidates for a time-range query: every object with an instance in the
// range must be among them (the caller checks exactly after, but cannot
// find what the store leaves out).
void a_range_query_never_misses_an_overlapping_object(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    const auto from = day0 + 10 * hour, to = day0 + 11 * hour;
    put_event(f, cal.id, "before.ics", "before", day0 + 8 * hour, day0 + 9 * hour);
    put_event(f, cal.id, "over-start.ics", "over-start", day0 + 9 * hour + 1800, day0 + 10 * hour + 1800);
    put_event(f, cal.id, "inside.ics", "inside", day0 + 10 * hour + 900, day0 + 10 * hour + 2700);
    put_event(f, cal.id, "over-end.ics", "over-end", day0 + 10 * hour + 1800, day0 + 11 * hour + 1800);
    put_event(f, cal.id, "covering.ics", "covering", day0 - 48 * hour, day0 + 48 * hour);
    put_event(f, cal.id, "after.ics", "after", day0 + 12 * hour, day0 + 13 * hour);
    put(f, calendar_object(cal.id, "daily.ics",
                           event_lines("daily", "DTSTART:20250101T103000Z\r\nDTEND:20250101T104500Z\r\n"
                                                "RRULE:FREQ=DAILY\r\n")));
    put(f, calendar_object(cal.id, "floating.ics",
                           event_lines("floating", "DTSTART:20250310T101500\r\nDTEND:20250310T103000\r\n")));
    put(f, calendar_object(cal.id, "all-day.ics",
                           event_lines("all-day", "DTSTART;VALUE=DATE:20250310\r\nDTEND;VALUE=DATE:20250311\r\n")));
    put(f, calendar_object(cal.id, "todo.ics",
                           vcalendar("BEGIN:VTODO\r\nUID:todo\r\nDTSTAMP:20250101T000000Z\r\nSUMMARY:undated\r\n"
                                     "END:VTODO\r\n")));
    auto got = names_in_range(f, cal.id, from, to);
    for (auto name : {"over-start.ics", "inside.ics", "over-end.ics", "covering.ics", "daily.ics", "floating.ics",
                      "all-day.ics", "todo.ics"})
        BOOST_TEST(got.count(name) == 1u, name << " overlaps the range");
    // Far past the time index's horizon, the endless rule is still found.
    auto far = names_in_range(f, cal.id, utc(2100, 6, 1, 10, 35), utc(2100, 6, 1, 10, 40));
    BOOST_TEST(far.count("daily.ics") == 1u);
    BOOST_TEST(far.count("todo.ics") == 1u);
    // Open ends: everything.
    BOOST_TEST(names_in_range(f, cal.id, std::nullopt, std::nullopt).size() == 10u);
    BOOST_TEST(names_in_range(f, cal.id, from, std::nullopt).count("after.ics") == 1u);
    BOOST_TEST(names_in_range(f, cal.id, std::nullopt, to).count("before.ics") == 1u);
    // The data comes with the candidates when asked for.
    std::size_t visited = 0;
    f.store().visit_objects_in_range(cal.id, from, to, true, [&](caldav::ObjectRecord& o) {
        ++visited;
        BOOST_TEST(o.text().find("UID:" + o.uid) != std::string_view::npos);
    });
    BOOST_TEST(visited == got.size());
}

void a_range_query_follows_moves_and_deletes(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    put_event(f, cal.id, "a.ics", "a", day0 + 9 * hour, day0 + 10 * hour);
    BOOST_TEST(names_in_range(f, cal.id, day0 + 9 * hour, day0 + 10 * hour).count("a.ics") == 1u);
    put_event(f, cal.id, "a.ics", "a", day0 + 30 * hour, day0 + 31 * hour);  // moved a day on
    BOOST_TEST(names_in_range(f, cal.id, day0 + 30 * hour, day0 + 31 * hour).count("a.ics") == 1u);
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", std::nullopt) == StoreStatus::ok));
    BOOST_TEST(names_in_range(f, cal.id, std::nullopt, std::nullopt).empty());
}

/// Whether busy_in_range accounts for the busy instance [start, end): as an
/// indexed row or as an object handed back to be parsed.
bool accounts_for(const caldav::Store::IndexedBusy& busy, const std::string& uid, std::int64_t start,
                  std::int64_t end) {
    for (const auto& row : busy.rows)
        if (row.start == start && row.end == end && row.busy && *row.busy > 0) return true;
    for (const auto& o : busy.others)
        if (o.uid == uid) return true;
    return false;
}

void busy_in_range_accounts_for_every_busy_instance(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    const auto from = day0 + 9 * hour, to = day0 + 12 * hour;
    put_event(f, cal.id, "busy.ics", "busy", day0 + 10 * hour, day0 + 11 * hour);
    put_event(f, cal.id, "tentative.ics", "tentative", day0 + 11 * hour, day0 + 11 * hour + 1800,
              "STATUS:TENTATIVE\r\n");
    put_event(f, cal.id, "free.ics", "free", day0 + 9 * hour, day0 + 9 * hour + 1800, "TRANSP:TRANSPARENT\r\n");
    put_event(f, cal.id, "later.ics", "later", day0 + 14 * hour, day0 + 15 * hour);
    put(f, calendar_object(cal.id, "floating.ics",
                           event_lines("floating", "DTSTART:20250310T093000\r\nDTEND:20250310T094500\r\n")));
    auto busy = f.store().busy_in_range(cal.id, from, to, false);
    BOOST_TEST(accounts_for(busy, "busy", day0 + 10 * hour, day0 + 11 * hour));
    BOOST_TEST(accounts_for(busy, "tentative", day0 + 11 * hour, day0 + 11 * hour + 1800));
    BOOST_TEST(accounts_for(busy, "floating", day0 + 9 * hour + 1800, day0 + 9 * hour + 2700));
    for (const auto& row : busy.rows) {
        BOOST_TEST((row.busy && *row.busy > 0));  // only busy time
        BOOST_TEST((row.start < to && row.end > from));  // only in the range
        if (row.start == day0 + 11 * hour) BOOST_TEST(row.tentative());
    }
}

void find_object_by_uid_searches_every_calendar_of_the_owner(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    f.store().provision_home(alice);
    auto work = make_collection(f, alice, "work");
    auto inbox = f.store().find_collection(alice, "inbox");
    BOOST_TEST_REQUIRE(inbox.has_value());
    put_event(f, work.id, "w.ics", "uid-work");
    put_event(f, inbox->id, "i.ics", "uid-inbox");  // a scheduling message, not a calendar's object
    auto bobs = make_collection(f, bob, "work");
    put_event(f, bobs.id, "b.ics", "uid-bob");
    auto found = f.store().find_object_by_uid(alice, "uid-work");
    BOOST_TEST_REQUIRE(found.has_value());
    BOOST_TEST(found->name == "w.ics");
    BOOST_TEST(found->collection_id == work.id);
    BOOST_TEST(found->text().find("UID:uid-work") != std::string_view::npos);
    BOOST_TEST(!f.store().find_object_by_uid(alice, "uid-inbox"));
    BOOST_TEST(!f.store().find_object_by_uid(alice, "uid-bob"));
    BOOST_TEST(!f.store().find_object_by_uid(alice, "nothing"));
}

// ------------------------------------------------ bookings (RFC 6638 rooms)

/// A booking of `room`'s calendar from `start` to `end`.
PutObject booking(std::int64_t calendar_id, const std::string& uid, std::int64_t start, std::int64_t end) {
    return calendar_object(calendar_id, uid + ".ics", event(uid, start, end));
}

void a_booking_that_overlaps_another_is_refused_and_an_adjacent_one_is_not(Fixture& f) {
    auto room = f.add_room("room-1", "room-1@example.com");
    auto alice = f.add_user("alice", "alice@example.com");
    BOOST_TEST(f.store().booking_policy(room) == "accept-if-free");
    BOOST_TEST(f.store().booking_policy(alice) == "manual");
    f.store().provision_home(room);
    auto cal = f.store().find_collection(room, "calendar");
    BOOST_TEST_REQUIRE(cal.has_value());
    BOOST_TEST((f.store().book_if_free(booking(cal->id, "first", day0 + 9 * hour, day0 + 10 * hour), room).status ==
                StoreStatus::ok));
    auto overlapping = f.store().book_if_free(booking(cal->id, "second", day0 + 9 * hour + 1800, day0 + 11 * hour), room);
    BOOST_TEST((overlapping.status == StoreStatus::conflict));
    BOOST_TEST(!f.store().find_object(cal->id, "second.ics", false));  // refused: nothing stored
    BOOST_TEST((f.store().book_if_free(booking(cal->id, "adjacent", day0 + 10 * hour, day0 + 11 * hour), room).status ==
                StoreStatus::ok));
    // The booking's own earlier version is no conflict: it moves within its slot.
    auto moved = booking(cal->id, "first", day0 + 9 * hour + 900, day0 + 10 * hour);
    BOOST_TEST((f.store().book_if_free(moved, room).status == StoreStatus::ok));
    BOOST_TEST(f.store().list_objects(cal->id, false).size() == 2u);
    // Other calendars of the same owner hold the room too.
    auto second = make_collection(f, room, "second");
    BOOST_TEST((f.store().book_if_free(booking(second.id, "elsewhere", day0 + 9 * hour, day0 + 9 * hour + 1800), room)
                    .status == StoreStatus::conflict));
}

void two_concurrent_bookings_of_one_slot_exactly_one_wins(Fixture& f) {
    auto room = f.add_room("room-1", "room-1@example.com");
    f.store().provision_home(room);
    const auto cal = f.store().find_collection(room, "calendar")->id;
    for (int round = 0; round < 20; ++round) {
        const auto start = day0 + round * 24 * hour;
        std::atomic<int> ready{0};
        std::array<StoreStatus, 2> outcome{};
        std::vector<std::thread> pair;
        for (int t = 0; t < 2; ++t)
            pair.emplace_back([&, t] {
                auto o = booking(cal, "r" + std::to_string(round) + "-t" + std::to_string(t), start + t * 900,
                                 start + hour);
                ++ready;
                while (ready.load() < 2) std::this_thread::yield();
                outcome[t] = f.store().book_if_free(o, room).status;
            });
        for (auto& t : pair) t.join();
        const auto won = std::count(outcome.begin(), outcome.end(), StoreStatus::ok);
        const auto lost = std::count(outcome.begin(), outcome.end(), StoreStatus::conflict);
        BOOST_TEST(won == 1, "round " << round);
        BOOST_TEST(lost == 1, "round " << round);
    }
    BOOST_TEST(f.store().list_objects(cal, false).size() == 20u);
}

// --------------------------------------------------------- the time index

void objects_stored_without_index_rows_wait_for_them_and_are_still_found(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto o = calendar_object(cal.id, "a.ics", event("uid-a", day0 + 9 * hour, day0 + 10 * hour));
    auto index = *o.instances;
    o.instances.reset();  // rows to be built later, as after an upgrade
    put(f, o);
    put_event(f, cal.id, "b.ics", "uid-b");
    auto waiting = f.store().objects_without_index(10);
    BOOST_TEST_REQUIRE(waiting.size() == 1u);
    BOOST_TEST(waiting[0].name == "a.ics");
    BOOST_TEST(waiting[0].text() == o.data);  // with data, to index it
    // Until then it is a candidate of every query its bounds allow.
    BOOST_TEST(names_in_range(f, cal.id, day0 + 9 * hour, day0 + 10 * hour).count("a.ics") == 1u);
    BOOST_TEST((f.store().set_instances(waiting[0].id, index) == StoreStatus::ok));
    BOOST_TEST(f.store().objects_without_index(10).empty());
    BOOST_TEST(names_in_range(f, cal.id, day0 + 9 * hour, day0 + 10 * hour).count("a.ics") == 1u);
    BOOST_TEST(accounts_for(f.store().busy_in_range(cal.id, day0, day0 + 24 * hour, false), "uid-a", day0 + 9 * hour,
                            day0 + 10 * hour));
    BOOST_TEST((f.store().set_instances(waiting[0].id + 1000, index) == StoreStatus::not_found));
}

// ------------------------------------------------------ quota (RFC 4331)

void used_bytes_follow_every_write(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    auto files = make_collection(f, alice, "files", CollectionKind::plain);
    BOOST_TEST(f.store().used_bytes(alice) == 0);
    put(f, plain_resource(files.id, "a.txt", std::string(100, 'x')));
    put(f, plain_resource(files.id, "b.txt", std::string(50, 'x')));
    BOOST_TEST(f.store().used_bytes(alice) == 150);
    put(f, plain_resource(files.id, "a.txt", std::string(10, 'x')));
    BOOST_TEST(f.store().used_bytes(alice) == 60);
    BOOST_TEST((f.store().delete_object(files.id, "b.txt", std::nullopt) == StoreStatus::ok));
    BOOST_TEST(f.store().used_bytes(alice) == 10);
    auto other = make_collection(f, alice, "other", CollectionKind::plain);
    BOOST_TEST((f.store().copy_object(files.id, "a.txt", other.id, "a.txt", true, false).status == StoreStatus::ok));
    BOOST_TEST(f.store().used_bytes(alice) == 20);
    BOOST_TEST((f.store().delete_collection(files.id) == StoreStatus::ok));
    BOOST_TEST(f.store().used_bytes(alice) == 10);
    // Calendar data counts the same way; another user's does not.
    auto cal = make_collection(f, alice, "work");
    auto o = calendar_object(cal.id, "e.ics", event("uid-e", day0, day0 + hour));
    put(f, o);
    BOOST_TEST(f.store().used_bytes(alice) == static_cast<std::int64_t>(10 + o.data.size()));
    auto bobs = make_collection(f, bob, "work");
    put_event(f, bobs.id, "e.ics", "uid-e");
    BOOST_TEST(f.store().used_bytes(alice) == static_cast<std::int64_t>(10 + o.data.size()));
}

// --------------------------------------------------- mail (RFC 6047 iMIP)

std::vector<caldav::OutgoingMail> queued_mail(Fixture& f) {
    std::vector<caldav::OutgoingMail> out;
    for (const auto& j : f.jobs().list_jobs(caldav::mail_job_kind)) {
        auto m = caldav::mail_of_job(j.owner_id, j.payload);
        BOOST_TEST_REQUIRE(m.has_value(), "mail job " << j.id);
        out.push_back(*m);
    }
    return out;
}

void mail_is_queued_with_the_object_write_or_not_at_all(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto o = calendar_object(cal.id, "m.ics", event("uid-m", day0, day0 + hour));
    o.mail = {mail_to(alice, "carol@outside.test")};
    put(f, o);
    auto queued = queued_mail(f);
    BOOST_TEST_REQUIRE(queued.size() == 1u);
    BOOST_TEST(queued[0].recipient == "carol@outside.test");
    BOOST_TEST(queued[0].principal_id == alice);
    BOOST_TEST(queued[0].uid == "uid-m");
    BOOST_TEST(queued[0].envelope_sender == "calendar@example.org");
    BOOST_TEST(queued[0].message == o.mail[0].message);
    // A refused write (If-Match) queues nothing: the mail shares its transaction.
    o.if_match = "stale";
    BOOST_TEST((f.store().put_object(o).status == StoreStatus::etag_mismatch));
    BOOST_TEST(queued_mail(f).size() == 1u);
    // Mail with no object write of its own (after a DELETE).
    BOOST_TEST((f.store().queue_mail({mail_to(alice, "dave@outside.test"), mail_to(alice, "erin@outside.test")}) ==
                StoreStatus::ok));
    BOOST_TEST((f.store().queue_mail({}) == StoreStatus::ok));
    BOOST_TEST(queued_mail(f).size() == 3u);
    // Queued mail is due at once.
    BOOST_TEST(f.jobs().next_job_due({std::string(caldav::mail_job_kind)}).has_value());
}

// ------------------------------------------------------------ the job queue

void due_jobs_of_the_asked_kinds_are_leased_earliest_first(Fixture& f) {
    auto& q = f.jobs();
    std::vector<std::int64_t> ids;
    BOOST_TEST_REQUIRE((q.enqueue_jobs({job("mail", 200, "late"), job("mail", 100, "early"), job("reminder", 50),
                                        job("mail", 1000, "future")},
                                       &ids) == StoreStatus::ok));
    BOOST_TEST(ids.size() == 4u);
    BOOST_TEST(std::set<std::int64_t>(ids.begin(), ids.end()).size() == 4u);
    auto leased = q.lease_jobs({"mail"}, 500, 800, "w1", 10);
    BOOST_TEST_REQUIRE(leased.size() == 2u);
    BOOST_TEST(leased[0].payload == "early");
    BOOST_TEST(leased[0].id == ids[1]);
    BOOST_TEST(leased[1].payload == "late");
    BOOST_TEST(leased[0].owner_id == 7);
    BOOST_TEST(leased[0].kind == "mail");
    BOOST_TEST(leased[0].due_at == 100);
    BOOST_TEST(leased[0].lease_until == 800);
    BOOST_TEST(leased[0].attempts == 0);
    // Leased: nobody else gets them while the lease runs.
    BOOST_TEST(q.lease_jobs({"mail"}, 600, 900, "w2", 10).empty());
    // The other kind is there for whoever asks for it.
    BOOST_TEST(q.lease_jobs({"reminder", "mail"}, 600, 900, "w2", 10).size() == 1u);
    BOOST_TEST(q.lease_jobs({"other"}, 600, 900, "w2", 10).empty());
    // A limit is a limit.
    BOOST_TEST(q.lease_jobs({"mail"}, 5000, 5100, "w3", 1).size() == 1u);
}

void an_expired_lease_passes_to_another_worker_and_the_first_cannot_finish(Fixture& f) {
    auto& q = f.jobs();
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
    BOOST_TEST((q.complete_job(first[0].id, "w2") == StoreStatus::not_found));  // gone
}

void a_retry_counts_an_attempt_and_a_failed_job_is_kept_and_never_leased(Fixture& f) {
    auto& q = f.jobs();
    BOOST_TEST_REQUIRE((q.enqueue_jobs({job("mail", 100), job("mail", 100)}) == StoreStatus::ok));
    auto leased = q.lease_jobs({"mail"}, 100, 400, "w", 2);
    BOOST_TEST_REQUIRE(leased.size() == 2u);
    BOOST_TEST((q.retry_job(leased[0].id, "w", 250, "relay down") == StoreStatus::ok));
    BOOST_TEST((q.fail_job(leased[1].id, "w", 120, "550 no such user") == StoreStatus::ok));
    BOOST_TEST((q.next_job_due({"mail"}) == std::optional<std::int64_t>(250)));
    BOOST_TEST(q.lease_jobs({"mail"}, 249, 500, "w", 5).empty());
    auto again = q.lease_jobs({"mail"}, 250, 500, "w", 5);
    BOOST_TEST_REQUIRE(again.size() == 1u);
    BOOST_TEST(again[0].id == leased[0].id);
    BOOST_TEST(again[0].attempts == 1);
    BOOST_TEST(again[0].last_error == "relay down");
    BOOST_TEST(again[0].due_at == 250);
    auto all = q.list_jobs("");
    BOOST_TEST_REQUIRE(all.size() == 2u);
    BOOST_TEST(!all[0].failed_at);
    BOOST_TEST((all[1].failed_at == std::optional<std::int64_t>(120)));
    BOOST_TEST(all[1].last_error == "550 no such user");
    // The failed one never comes back, however late it gets.
    auto late = q.lease_jobs({"mail"}, 100000, 100100, "w2", 5);
    BOOST_TEST_REQUIRE(late.size() == 1u);
    BOOST_TEST(late[0].id == leased[0].id);
    BOOST_TEST((q.complete_job(leased[1].id, "w") == StoreStatus::not_found));
}

void next_job_due_says_when_to_look_again(Fixture& f) {
    auto& q = f.jobs();
    BOOST_TEST(!q.next_job_due({"mail"}));
    BOOST_TEST_REQUIRE((q.enqueue_jobs({job("mail", 300), job("reminder", 100)}) == StoreStatus::ok));
    BOOST_TEST((q.next_job_due({"mail"}) == std::optional<std::int64_t>(300)));
    BOOST_TEST((q.next_job_due({"mail", "reminder"}) == std::optional<std::int64_t>(100)));
    BOOST_TEST(!q.next_job_due({"other"}));
    // A leased job is due again when its lease ends.
    BOOST_TEST_REQUIRE(q.lease_jobs({"reminder"}, 100, 700, "w", 1).size() == 1u);
    BOOST_TEST((q.next_job_due({"reminder"}) == std::optional<std::int64_t>(700)));
}

void list_jobs_lists_one_kind_or_all_by_id(Fixture& f) {
    auto& q = f.jobs();
    std::vector<std::int64_t> ids;
    BOOST_TEST_REQUIRE((q.enqueue_jobs({job("b", 5, "1"), job("a", 1, "2"), job("b", 3, "3")}, &ids) ==
                        StoreStatus::ok));
    auto all = q.list_jobs("");
    BOOST_TEST_REQUIRE(all.size() == 3u);
    BOOST_TEST(all[0].id == ids[0]);
    BOOST_TEST(all[1].id == ids[1]);
    BOOST_TEST(all[2].id == ids[2]);
    BOOST_TEST(all[0].payload == "1");
    auto b = q.list_jobs("b");
    BOOST_TEST_REQUIRE(b.size() == 2u);
    BOOST_TEST(b[0].payload == "1");
    BOOST_TEST(b[1].payload == "3");
    BOOST_TEST(q.list_jobs("none").empty());
    BOOST_TEST((q.enqueue_jobs({}) == StoreStatus::ok));
    BOOST_TEST(q.list_jobs("").size() == 3u);
}

void concurrent_workers_never_lease_one_job_twice(Fixture& f) {
    auto& q = f.jobs();
    std::vector<caldav::NewJob> many;
    for (int i = 0; i < 400; ++i) many.push_back(job("mail", i % 10, std::to_string(i)));
    BOOST_TEST_REQUIRE((q.enqueue_jobs(many) == StoreStatus::ok));
    std::mutex m;
    std::map<std::int64_t, int> seen;
    std::atomic<int> failed_completions{0};
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
                    if (q.complete_job(j.id, name) != StoreStatus::ok) ++failed_completions;
                }
            }
        });
    for (auto& t : workers) t.join();
    BOOST_TEST(failed_completions.load() == 0);
    BOOST_TEST(seen.size() == 400u);
    BOOST_TEST(std::all_of(seen.begin(), seen.end(), [](const auto& e) { return e.second == 1; }));
    BOOST_TEST(q.list_jobs("").empty());
}

// ------------------------------------------- concurrency and durability

void concurrent_writers_all_commit_and_each_gets_its_own_revision(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "busy");
    constexpr int threads = 8;
    constexpr int per_thread = 25;
    std::atomic<int> failures{0};
    std::mutex m;
    std::set<std::string> etags;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                auto name = "t" + std::to_string(t) + "-" + std::to_string(i);
                auto r = f.store().put_object(calendar_object(cal.id, name + ".ics", event(name, day0, day0 + hour)));
                if (r.status != StoreStatus::ok) ++failures;
                std::lock_guard lock(m);
                etags.insert(r.etag);
            }
        });
    for (auto& t : pool) t.join();
    BOOST_TEST(failures.load() == 0);
    BOOST_TEST(etags.size() == std::size_t(threads * per_thread));
    BOOST_TEST(revision_of(f, alice, "busy") == threads * per_thread);
    BOOST_TEST(f.store().list_objects(cal.id, false).size() == std::size_t(threads * per_thread));
    auto log = f.store().changes_since(cal.id, 0, 1000);
    BOOST_TEST_REQUIRE(log.has_value());
    std::set<std::int64_t> revisions;
    for (const auto& c : log->changes) revisions.insert(c.revision);
    BOOST_TEST(revisions.size() == std::size_t(threads * per_thread));
    // Every write that returned is durable.
    f.reopen();
    BOOST_TEST(f.store().list_objects(cal.id, false).size() == std::size_t(threads * per_thread));
}

void everything_written_is_there_after_a_reopen(Fixture& f) {
    auto alice = f.add_user("alice", "Alice@Example.com");
    f.store().provision_home(alice);
    CollectionRecord cal;
    cal.owner_id = alice;
    cal.name = "work";
    cal.display_name = "Work";
    BOOST_TEST_REQUIRE((f.store().create_collection(cal, {colour("#FF0000")}) == StoreStatus::ok));
    auto o = calendar_object(cal.id, "a.ics", event("uid-a", day0 + 9 * hour, day0 + 10 * hour));
    o.schedule_tag = caldav::ScheduleTagChange::renew;
    o.mail = {mail_to(alice, "carol@outside.test")};
    auto written = put(f, o);
    put_event(f, cal.id, "b.ics", "uid-b");
    BOOST_TEST((f.store().delete_object(cal.id, "b.ics", std::nullopt) == StoreStatus::ok));
    caldav::PropertyPatch patch;
    patch.set = {order("3")};
    BOOST_TEST((f.store().patch_properties(cal.id, "a.ics", patch) == StoreStatus::ok));
    BOOST_TEST_REQUIRE((f.jobs().enqueue_jobs({job("reminder", 42, "remind me")}) == StoreStatus::ok));
    const auto revision = revision_of(f, alice, "work");
    const auto home = f.store().find_home(alice)->revision;
    const auto used = f.store().used_bytes(alice);

    f.reopen();

    BOOST_TEST(f.store().find_principal_by_email("alice@example.com")->id == alice);
    BOOST_TEST(f.store().list_collections(alice).size() == 4u);
    auto c = f.store().find_collection(alice, "work");
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST(c->display_name == "Work");
    BOOST_TEST(c->revision == revision);
    BOOST_TEST(f.store().dead_properties(c->id, "").size() == 1u);
    auto a = f.store().find_object(c->id, "a.ics", true);
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST(a->text() == o.data);
    BOOST_TEST(a->etag == written.etag);
    BOOST_TEST(a->schedule_tag == written.schedule_tag);
    BOOST_TEST(f.store().dead_properties(c->id, "a.ics").size() == 1u);
    BOOST_TEST(!f.store().find_object(c->id, "b.ics", false));
    auto log = f.store().changes_since(c->id, 0, 100);
    BOOST_TEST_REQUIRE(log.has_value());
    BOOST_TEST(log->changes.size() == 2u);  // a.ics, and b.ics's tombstone
    BOOST_TEST(f.store().find_home(alice)->revision == home);
    BOOST_TEST(f.store().used_bytes(alice) == used);
    BOOST_TEST(names_in_range(f, c->id, day0 + 9 * hour, day0 + 10 * hour).count("a.ics") == 1u);
    BOOST_TEST(queued_mail(f).size() == 1u);
    auto leased = f.jobs().lease_jobs({"reminder"}, 42, 100, "w", 1);
    BOOST_TEST_REQUIRE(leased.size() == 1u);
    BOOST_TEST(leased[0].payload == "remind me");
}

// ----------------------------------------------------------- registration

/// One contract case: its test name, its body, and how many of its checks a
/// backend is known to fail (each such case says why, above its body).
struct Case {
    const char* name;
    void (*run)(Fixture&);
    boost::unit_test::counter_t expected_failures = 0;
};

const Case cases[] = {
    {"principals_are_found_by_name_and_by_email_in_any_case", principals_are_found_by_name_and_by_email_in_any_case},
    {"principals_are_listed_by_name_in_pages", principals_are_listed_by_name_in_pages},
    {"provisioning_creates_calendar_inbox_outbox_once", provisioning_creates_calendar_inbox_outbox_once},
    {"collection_names_are_unique_per_owner", collection_names_are_unique_per_owner},
    {"collections_are_listed_by_name", collections_are_listed_by_name},
    {"a_collection_is_created_with_its_dead_properties", a_collection_is_created_with_its_dead_properties},
    {"put_creates_then_replaces_and_reads_return_what_was_stored",
     put_creates_then_replaces_and_reads_return_what_was_stored},
    {"a_plain_resource_keeps_its_bytes_and_media_type", a_plain_resource_keeps_its_bytes_and_media_type},
    {"every_change_gives_a_new_etag_and_reads_leave_it_alone", every_change_gives_a_new_etag_and_reads_leave_it_alone},
    {"if_match_must_name_the_current_etag", if_match_must_name_the_current_etag},
    {"if_none_match_creates_but_never_replaces", if_none_match_creates_but_never_replaces},
    {"if_none_match_on_an_existing_name_is_exists", if_none_match_on_an_existing_name_is_exists, 1},
    {"schedule_tags_are_renewed_kept_cleared_and_checked_in_the_write",
     schedule_tags_are_renewed_kept_cleared_and_checked_in_the_write},
    {"a_uid_may_be_used_once_per_collection", a_uid_may_be_used_once_per_collection},
    {"a_resource_keeps_its_uid_when_replaced", a_resource_keeps_its_uid_when_replaced},
    {"a_put_into_a_missing_collection_is_not_found", a_put_into_a_missing_collection_is_not_found},
    {"delete_object_checks_its_conditions", delete_object_checks_its_conditions},
    {"members_are_listed_paged_and_visited_by_name", members_are_listed_paged_and_visited_by_name},
    {"the_revision_grows_by_exactly_one_per_member_change", the_revision_grows_by_exactly_one_per_member_change},
    {"changes_since_lists_each_member_once_with_its_latest_change",
     changes_since_lists_each_member_once_with_its_latest_change},
    {"changes_since_pages_without_skipping_or_repeating_a_change",
     changes_since_pages_without_skipping_or_repeating_a_change},
    {"changes_since_refuses_tokens_outside_the_log", changes_since_refuses_tokens_outside_the_log},
    {"current_members_list_what_exists_with_the_snapshot_revision",
     current_members_list_what_exists_with_the_snapshot_revision},
    {"home_changes_follow_collections_their_properties_and_members",
     home_changes_follow_collections_their_properties_and_members},
    {"a_property_patch_sets_and_removes_in_one_write", a_property_patch_sets_and_removes_in_one_write},
    {"a_patch_of_a_missing_target_is_not_found_and_sets_nothing",
     a_patch_of_a_missing_target_is_not_found_and_sets_nothing},
    {"a_deleted_member_takes_its_properties_along", a_deleted_member_takes_its_properties_along},
    {"copy_object_copies_data_and_properties_and_leaves_the_source",
     copy_object_copies_data_and_properties_and_leaves_the_source},
    {"move_removes_the_source_and_logs_both_collections", move_removes_the_source_and_logs_both_collections},
    {"copy_checks_uid_uniqueness_at_the_destination", copy_checks_uid_uniqueness_at_the_destination},
    {"a_copy_into_a_missing_collection_is_not_found", a_copy_into_a_missing_collection_is_not_found, 2},
    {"deleting_a_collection_deletes_members_and_nested_plain_collections",
     deleting_a_collection_deletes_members_and_nested_plain_collections},
    {"copying_a_collection_copies_its_subtree_and_logs_each_member",
     copying_a_collection_copies_its_subtree_and_logs_each_member},
    {"a_copied_calendar_keeps_its_properties_schedule_tags_and_time_index",
     a_copied_calendar_keeps_its_properties_schedule_tags_and_time_index},
    {"a_range_query_never_misses_an_overlapping_object", a_range_query_never_misses_an_overlapping_object},
    {"a_range_query_follows_moves_and_deletes", a_range_query_follows_moves_and_deletes},
    {"busy_in_range_accounts_for_every_busy_instance", busy_in_range_accounts_for_every_busy_instance},
    {"find_object_by_uid_searches_every_calendar_of_the_owner",
     find_object_by_uid_searches_every_calendar_of_the_owner},
    {"a_booking_that_overlaps_another_is_refused_and_an_adjacent_one_is_not",
     a_booking_that_overlaps_another_is_refused_and_an_adjacent_one_is_not},
    {"two_concurrent_bookings_of_one_slot_exactly_one_wins", two_concurrent_bookings_of_one_slot_exactly_one_wins},
    {"objects_stored_without_index_rows_wait_for_them_and_are_still_found",
     objects_stored_without_index_rows_wait_for_them_and_are_still_found},
    {"used_bytes_follow_every_write", used_bytes_follow_every_write},
    {"mail_is_queued_with_the_object_write_or_not_at_all", mail_is_queued_with_the_object_write_or_not_at_all},
    {"due_jobs_of_the_asked_kinds_are_leased_earliest_first", due_jobs_of_the_asked_kinds_are_leased_earliest_first},
    {"an_expired_lease_passes_to_another_worker_and_the_first_cannot_finish",
     an_expired_lease_passes_to_another_worker_and_the_first_cannot_finish},
    {"a_retry_counts_an_attempt_and_a_failed_job_is_kept_and_never_leased",
     a_retry_counts_an_attempt_and_a_failed_job_is_kept_and_never_leased},
    {"next_job_due_says_when_to_look_again", next_job_due_says_when_to_look_again},
    {"list_jobs_lists_one_kind_or_all_by_id", list_jobs_lists_one_kind_or_all_by_id},
    {"concurrent_workers_never_lease_one_job_twice", concurrent_workers_never_lease_one_job_twice},
    {"concurrent_writers_all_commit_and_each_gets_its_own_revision",
     concurrent_writers_all_commit_and_each_gets_its_own_revision},
    {"everything_written_is_there_after_a_reopen", everything_written_is_there_after_a_reopen},
};

}  // namespace

bool register_backend(const Backend& backend) {
    auto* suite = BOOST_TEST_SUITE(backend.name);
    for (const auto& c : cases) {
        auto run = [make = backend.make, body = c.run] {
            auto fixture = make();
            body(*fixture);
        };
        suite->add(boost::unit_test::make_test_case(run, c.name, __FILE__, __LINE__), c.expected_failures);
    }
    boost::unit_test::framework::master_test_suite().add(suite);
    return true;
}

}  // namespace contract
