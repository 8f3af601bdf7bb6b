// WritePlan: the writes of one action, read through before the commit, and
// which refusals make an action plan again (issue 23 §3).
#include "caldav/write_plan.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <string>

#include "caldav/calendar_data.hpp"
#include "caldav/error.hpp"
#include "ical/alarms.hpp"
#include "ical/scheduling.hpp"

#include "src/storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace caldav;

namespace {

struct PlanFixture {
    test_support::TempDir dir;
    std::unique_ptr<server::SqliteStore> store;
    std::int64_t alice = 0;
    CollectionRecord calendar;

    PlanFixture() {
        server::SqliteOptions o;
        o.file = dir.path() / "k.sqlite3";
        store = server::SqliteStore::open(o);
        store->add_user("alice", "alice@example.com", "$y$x");
        alice = store->find_principal("alice")->id;
        store->provision_home(alice);
        calendar = *store->find_collection(alice, "calendar");
    }

    PutObject object(const std::string& name, const std::string& uid, const std::string& data) {
        PutObject o;
        o.collection_id = calendar.id;
        o.name = name;
        o.uid = uid;
        o.component = "VEVENT";
        o.data = data;
        return o;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(write_plan, PlanFixture)

BOOST_AUTO_TEST_CASE(an_object_planned_twice_is_written_once_last_version_first_condition) {
    auto stored = store->put_object(object("a.ics", "uid-a", "v1"));
    WritePlan plan(*store);
    auto first = object("a.ics", "uid-a", "v2");
    first.if_match = stored.etag;
    plan.put(first, alice);
    // Read through: the UID finds the planned version, not the stored one.
    auto seen = plan.find_by_uid(alice, "uid-a");
    BOOST_REQUIRE(seen.has_value());
    BOOST_TEST(seen->data == "v2");
    auto second = object("a.ics", "uid-a", "v3");
    second.if_match = "something-else";
    second.schedule_tag = ScheduleTagChange::keep;
    plan.put(second, alice);
    BOOST_REQUIRE(plan.writes().writes.size() == 1u);
    BOOST_TEST(plan.writes().writes[0].object.data == "v3");
    BOOST_TEST(*plan.writes().writes[0].object.if_match == stored.etag);
    BOOST_TEST((store->commit(plan.writes()).status == StoreStatus::ok));
    BOOST_TEST(store->find_object(calendar.id, "a.ics", true)->data == "v3");
}

BOOST_AUTO_TEST_CASE(a_planned_deletion_hides_the_stored_object_and_names_are_taken_by_plans) {
    auto stored = store->put_object(object("a.ics", "uid-a", "v1"));
    WritePlan plan(*store);
    BOOST_TEST(plan.find_by_uid(alice, "uid-a").has_value());
    plan.remove(calendar.id, alice, "a.ics", stored.etag);
    BOOST_TEST(!plan.find_by_uid(alice, "uid-a"));
    BOOST_TEST(!plan.name_taken(calendar.id, "b.ics"));
    plan.put(object("b.ics", "uid-b", "v1"), alice);
    BOOST_TEST(plan.name_taken(calendar.id, "b.ics"));
    BOOST_TEST(plan.name_taken(calendar.id, "a.ics"));  // in the store until the commit
    BOOST_TEST((store->commit(plan.writes()).status == StoreStatus::ok));
    BOOST_TEST(!store->find_object(calendar.id, "a.ics", false));
}

BOOST_AUTO_TEST_CASE(only_refusals_of_writes_made_over_a_version_read_plan_again) {
    BOOST_REQUIRE((store->put_object(object("a.ics", "uid-a", "v1")).status == StoreStatus::ok));
    // Somebody wrote after the plan read: planned again, with the same hints.
    WritePlan plan(*store);
    auto over = object("a.ics", "uid-a", "v2");
    over.if_match = "read-before";
    plan.put(over, alice);
    auto refused = store->commit(plan.writes());
    BOOST_TEST((refused.status == StoreStatus::etag_mismatch));
    auto hints = plan.replan(refused);
    BOOST_REQUIRE(hints.has_value());
    BOOST_TEST(hints->busy_rooms.empty());

    // The client's own condition: its refusal is the answer.
    WritePlan client(*store);
    client.put(over, alice, true);
    BOOST_TEST(!client.replan(store->commit(client.writes())));

    // A room found booked: the next attempt knows it.
    store->add_resource("room", "room@example.com", "room", "accept-if-free");
    auto room = store->find_principal("room")->id;
    store->provision_home(room);
    auto room_calendar = store->find_collection(room, "calendar")->id;
    InstanceIndex busy;
    busy.rows.push_back({1000, 2000, 1, false});
    auto held = object("held.ics", "uid-held", "v1");
    held.collection_id = room_calendar;
    held.instances = busy;
    BOOST_REQUIRE((store->put_object(held).status == StoreStatus::ok));
    WritePlan booking(*store);
    auto asked = object("asked.ics", "uid-asked", "v1");
    asked.collection_id = room_calendar;
    asked.instances = busy;
    booking.book(asked, room);
    auto conflict = store->commit(booking.writes());
    BOOST_TEST((conflict.status == StoreStatus::conflict));
    auto next = booking.replan(conflict);
    BOOST_REQUIRE(next.has_value());
    BOOST_TEST(next->busy_rooms.contains(room));
    BOOST_TEST(WritePlan(*store, *next).room_busy(room));

    // The store failing is no reason to plan again.
    CommitResult failed;
    failed.status = StoreStatus::busy;
    failed.failed = booking.writes().writes.size();
    BOOST_TEST(!booking.replan(failed));
}

BOOST_AUTO_TEST_CASE(a_text_is_validated_once_per_plan_and_bad_data_refused_every_time) {
    const std::string ics =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:once\r\n"
        "DTSTAMP:20240101T000000Z\r\nDTSTART:20240105T100000Z\r\nDTEND:20240105T110000Z\r\n"
        "ORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:bob@example.com\r\nSUMMARY:Plan\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n";
    Limits limits;
    WritePlan plan(*store);
    const auto& first = plan.validated(ics, limits);
    BOOST_TEST(first.uid == "once");
    BOOST_TEST(first.component == "VEVENT");
    BOOST_REQUIRE(first.instances.rows.size() == 1u);
    BOOST_TEST(first.instances.rows[0].end - first.instances.rows[0].start == 3600);
    // The second ask is answered from the first validation.
    BOOST_TEST(&plan.validated(ics, limits) == &first);
    // The attendee copy is ical::attendee_copy's, made once.
    const auto& copy = plan.attendee_copy(ics);
    BOOST_TEST(copy == ical::attendee_copy(ics));
    BOOST_TEST(&plan.attendee_copy(ics) == &copy);
    // A refusal is not remembered as an answer: it is refused again.
    const std::string bad = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
    BOOST_CHECK_THROW(plan.validated(bad, limits), Error);
    BOOST_CHECK_THROW(plan.validated(bad, limits), Error);
}

BOOST_AUTO_TEST_CASE(a_validated_text_goes_to_the_reminder_indexer_with_its_parse_and_other_texts_without) {
    const std::string ics =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:remind\r\n"
        "DTSTAMP:20240101T000000Z\r\nDTSTART:20991105T100000Z\r\nDTEND:20991105T110000Z\r\nSUMMARY:R\r\n"
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:r\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n";
    const std::string other = ics.substr(0, ics.find("SUMMARY:R")) + "SUMMARY:Other" +
                              ics.substr(ics.find("SUMMARY:R") + 9);
    std::map<std::string, bool> given;  // member name: indexed with a parse
    std::map<std::string, std::size_t> firings;
    store->set_reminder_indexer([&](const ReminderSource& source) {
        given[std::string(source.name)] = source.parsed != nullptr;
        auto from = ical::alarm_firings(source.data, source.parsed, 0, 4102444800 + 400 * 86400, {});
        auto again = ical::alarm_firings(source.data, 0, 4102444800 + 400 * 86400, {});
        BOOST_TEST(from.firings.size() == again.firings.size());
        firings[std::string(source.name)] = from.firings.size();
        return ReminderSchedule{};
    });
    Limits limits;
    WritePlan plan(*store);
    // Planned before its text is validated: the parse reaches it too.
    plan.put(object("early.ics", "remind", ics), alice);
    plan.validated(ics, limits);
    plan.put(object("other.ics", "other", other), alice);
    BOOST_REQUIRE(plan.writes().writes.size() == 2u);
    BOOST_TEST(plan.writes().writes[0].parsed != nullptr);
    BOOST_TEST(plan.writes().writes[1].parsed == nullptr);
    // Planned again with other text, the write loses the parse.
    plan.put(object("early.ics", "remind", other), alice);
    BOOST_TEST(plan.writes().writes[0].parsed == nullptr);
    plan.put(object("early.ics", "remind", ics), alice);
    BOOST_TEST(plan.writes().writes[0].parsed != nullptr);
    BOOST_REQUIRE(store->commit(plan.writes()).status == StoreStatus::ok);
    BOOST_TEST(given["early.ics"] == true);
    BOOST_TEST(given["other.ics"] == false);
    BOOST_TEST(firings["early.ics"] == 1u);
    BOOST_TEST(firings["other.ics"] == 1u);
}

namespace {

/// An organizer's copy with what is hard to write back alike: escaped TEXT,
/// quoted parameters, an X- property with commas (ical::clones_faithfully),
/// a property and a parameter libical 3.0 does not know, a zone, a rule
/// with an exception and an override, an alarm.
const std::string awkward =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:awkward-1\r\nDTSTAMP:20240101T000000Z\r\n"
    "DTSTART;TZID=Europe/Berlin:20270301T093000\r\nDTEND;TZID=Europe/Berlin:20270301T100000\r\n"
    "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270531T000000Z\r\n"
    "EXDATE;TZID=Europe/Berlin:20270303T093000\r\n"
    "SUMMARY:Plan\\, review\\; and \\\\ more – Ünïcödé\r\nDESCRIPTION:two\\nlines\r\n"
    "X-KALENDS-LIST:a,b\\,c\r\nSTRUCTURED-DATA;VALUE=TEXT;X-UNKNOWN=\"q;r\":{\"k\": \"v\"}\r\n"
    "ORGANIZER;CN=\"Smith, Alice; Jr.\":mailto:alice@example.com\r\n"
    "ATTENDEE;CN=\"Bob: the builder\";PARTSTAT=NEEDS-ACTION;RSVP=TRUE;X-TAG=\"a,b\":mailto:bob@example.com\r\n"
    "ATTENDEE;CN=Carol;ROLE=OPT-PARTICIPANT:mailto:carol@example.com\r\n"
    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:r\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:awkward-1\r\nDTSTAMP:20240101T000000Z\r\n"
    "RECURRENCE-ID;TZID=Europe/Berlin:20270308T093000\r\n"
    "DTSTART;TZID=Europe/Berlin:20270308T150000\r\nDTEND;TZID=Europe/Berlin:20270308T160000\r\n"
    "SUMMARY:Moved\r\nORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:bob@example.com\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n";

/// The index fields of `d`, for comparing two validations.
std::string fields_of(const CalendarData& d) {
    std::string out = d.uid + ' ' + d.component + ' ' + std::to_string(d.first_start.value_or(-1)) + ' ' +
                      std::to_string(d.last_end.value_or(-1)) + ' ' + std::to_string(d.max_attendees);
    for (const auto& r : d.instances.rows) out += ' ' + std::to_string(r.start) + '-' + std::to_string(r.end);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_edited_text_is_validated_from_its_tree_as_a_parse_of_it_would_be) {
    Limits limits;
    const int mismatches = WritePlan::validation_mismatches;
    WritePlan plan(*store);
    // Texts the plan serialised from trees it edited: the attendee copy, an
    // answer with a schedule status on top of it.
    const auto& copy = plan.attendee_copy(awkward);
    auto answered = plan.copy_of(copy);
    BOOST_REQUIRE(answered);
    std::string answer = ical::with_partstat(answered.get(), "mailto:bob@example.com", "ACCEPTED");
    plan.remember(answer, std::move(answered));
    auto scheduled = plan.copy_of(answer);
    std::string status = ical::with_schedule_status(scheduled.get(), {{"mailto:carol@example.com", "1.2"}});
    plan.remember(status, std::move(scheduled));
    for (const std::string* text : {&copy, static_cast<const std::string*>(&answer), static_cast<const std::string*>(&status)}) {
        BOOST_TEST_CONTEXT(*text) {
            const auto& from_tree = plan.validated(*text, limits);
            auto from_text = validate_calendar_data(*text, limits);
            BOOST_TEST(fields_of(from_tree) == fields_of(from_text));
            BOOST_TEST(from_tree.instances.rows.size() == 25u);  // 13 Mondays and 13 Wednesdays, less 3 March
        }
    }
    // The same texts through the cross-check a test run switches on.
    const bool was = WritePlan::cross_check_validation.exchange(true);
    WritePlan again(*store);
    const auto& copied = again.attendee_copy(awkward);
    again.validated(copied, limits);
    WritePlan::cross_check_validation = was;
    BOOST_TEST(WritePlan::validation_mismatches == mismatches);
}

BOOST_AUTO_TEST_CASE(a_text_validated_from_its_tree_still_has_its_characters_checked) {
    Limits limits;
    WritePlan plan(*store);
    // A control character libical writes as it is given: the text is refused
    // as a parse of it would be, though the tree parsed nothing.
    auto edited = plan.copy_of(awkward);
    BOOST_REQUIRE(edited);
    icalcomponent* event = icalcomponent_get_first_component(edited.get(), ICAL_VEVENT_COMPONENT);
    icalcomponent_add_property(event, icalproperty_new_comment("bell\x07here"));
    std::string text = icalcomponent_as_ical_string(edited.get());
    BOOST_REQUIRE(text.find('\x07') != std::string::npos);
    plan.remember(text, std::move(edited));
    BOOST_CHECK_THROW(validate_calendar_data(text, limits), Error);
    BOOST_CHECK_THROW(plan.validated(text, limits), Error);
}

BOOST_AUTO_TEST_SUITE_END()
