// Availability, working hours, common free time and meeting-time suggestions
// (caldav/availability.hpp, issue 24) over a real SqliteStore: events stored
// through the calendar service, zones and VAVAILABILITY (RFC 7953) as clients
// store them.
#define BOOST_TEST_MODULE availability
#include "caldav/availability.hpp"

#include <boost/test/unit_test.hpp>

#include <ctime>
#include <thread>

#include "caldav/names.hpp"
#include "caldav/object_service.hpp"
#include "src/storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace caldav;

namespace caldav {
std::ostream& operator<<(std::ostream& os, const Period& p) { return os << "[" << p.start << ", " << p.end << ")"; }
}  // namespace caldav

namespace {

/// UTC seconds of a UTC date and time.
std::int64_t utc(int year, int month, int day, int hour = 0, int minute = 0) {
    std::tm t{};
    t.tm_year = year - 1900;
    t.tm_mon = month - 1;
    t.tm_mday = day;
    t.tm_hour = hour;
    t.tm_min = minute;
    return static_cast<std::int64_t>(::timegm(&t));
}

constexpr std::int64_t hour = 3600;

/// A calendar-timezone value as clients set it (RFC 4791 §5.2.2).
const std::string new_york =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nDTSTART:20070311T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:-0400\r\n"
    "TZOFFSETTO:-0500\r\nTZNAME:EST\r\nDTSTART:20071104T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"
    "END:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";

std::string calendar_of_text(const std::string& body) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body + "END:VCALENDAR\r\n";
}

/// A VEVENT in UTC, with optional extra lines (ORGANIZER, ATTENDEEs).
std::string event(const std::string& uid, std::int64_t start, std::int64_t end, const std::string& extra = {}) {
    auto stamp = [](std::int64_t t) {
        std::time_t tt = static_cast<std::time_t>(t);
        char buf[20];
        std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", std::gmtime(&tt));
        return std::string(buf);
    };
    return calendar_of_text("BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + stamp(start) +
                            "\r\nDTEND:" + stamp(end) + "\r\nSUMMARY:" + uid + "\r\n" + extra + "END:VEVENT\r\n");
}

struct AvailabilityFixture {
    test_support::TempDir dir;
    std::unique_ptr<server::SqliteStore> store;
    Limits limits;
    WorkingHours defaults;

    AvailabilityFixture() {
        server::SqliteOptions o;
        o.file = dir.path() / "k.sqlite3";
        store = server::SqliteStore::open(o);
        for (const char* name : {"alice", "bob", "carol", "dana"})
            store->add_user(name, std::string(name) + "@example.com", "$y$x");
        store->add_resource("room1", "room1@example.com", "room", "accept-if-free");
        for (const char* name : {"alice", "bob", "carol", "dana", "room1"}) store->provision_home(user(name).id);
    }

    PrincipalRecord user(const std::string& name) { return *store->find_principal(name); }

    CollectionRecord calendar_of(const std::string& name) { return *store->find_collection(user(name).id, "calendar"); }

    void set_zone(const std::string& name, const std::string& vcalendar) {
        PropertyPatch patch;
        patch.timezone = vcalendar;
        BOOST_REQUIRE(store->patch_properties(calendar_of(name).id, "", patch) == StoreStatus::ok);
    }

    /// Stores `ics` as `object` in `name`'s calendar `cal`, through the service.
    void put(const std::string& name, const std::string& object, const std::string& ics,
             const std::string& cal = "calendar") {
        Actor actor{*store, limits, user(name)};
        ObjectPut p;
        p.calendar = *store->find_collection(user(name).id, cal);
        p.owner_name = name;
        p.name = object + ".ics";
        p.data = ics;
        put_calendar_object(actor, std::move(p));
    }

    /// A calendar for VAVAILABILITY components (RFC 7953 §7.1).
    void availability_calendar(const std::string& name) {
        CollectionRecord c;
        c.owner_id = user(name).id;
        c.name = "availability";
        c.components = "VAVAILABILITY";
        BOOST_REQUIRE(store->create_collection(c) == StoreStatus::ok);
    }

    UserAvailability of(const std::string& name, std::int64_t start, std::int64_t end) {
        return availability_of(*store, limits, user(name), start, end, defaults);
    }
};

/// AVAILABLE 10:00-14:00 New York time, Mondays and Wednesdays, from 2027.
const std::string weekly_availability = calendar_of_text(
    "BEGIN:VAVAILABILITY\r\nUID:avail-1\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART;TZID=America/New_York:20270101T000000\r\n"
    "BEGIN:AVAILABLE\r\nUID:avail-1-a\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART;TZID=America/New_York:20270104T100000\r\nDTEND;TZID=America/New_York:20270104T140000\r\n"
    "RRULE:FREQ=WEEKLY;BYDAY=MO,WE\r\nEND:AVAILABLE\r\nEND:VAVAILABILITY\r\n");

}  // namespace

BOOST_FIXTURE_TEST_SUITE(availability, AvailabilityFixture)

BOOST_AUTO_TEST_CASE(default_working_hours_stay_nine_to_five_local_across_a_dst_change) {
    set_zone("alice", new_york);
    // Friday 12 March 2027 (EST, UTC-5) to Tuesday 16 March (EDT, UTC-4 since Sunday 14).
    auto a = of("alice", utc(2027, 3, 12), utc(2027, 3, 16));
    BOOST_TEST(a.time_zone == "America/New_York");
    std::vector<Period> expected{{utc(2027, 3, 12, 14), utc(2027, 3, 12, 22)},
                                 {utc(2027, 3, 15, 13), utc(2027, 3, 15, 21)}};
    BOOST_TEST(a.working == expected, boost::test_tools::per_element());
    BOOST_TEST(a.free == expected, boost::test_tools::per_element());
    BOOST_TEST(a.busy.empty());
}

BOOST_AUTO_TEST_CASE(working_hours_in_january_and_july_follow_new_york_offsets) {
    set_zone("alice", new_york);
    auto january = of("alice", utc(2027, 1, 11), utc(2027, 1, 12));  // a Monday
    auto july = of("alice", utc(2027, 7, 12), utc(2027, 7, 13));      // a Monday
    BOOST_TEST(january.working == (std::vector<Period>{{utc(2027, 1, 11, 14), utc(2027, 1, 11, 22)}}),
               boost::test_tools::per_element());
    BOOST_TEST(july.working == (std::vector<Period>{{utc(2027, 7, 12, 13), utc(2027, 7, 12, 21)}}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_user_without_calendar_timezone_works_in_the_fallback_zone) {
    defaults.time_zone = "Europe/Berlin";
    BOOST_TEST(time_zone_of(*store, user("bob"), "Europe/Berlin") == "Europe/Berlin");
    auto b = of("bob", utc(2027, 1, 11), utc(2027, 1, 12));  // Monday, CET (UTC+1)
    BOOST_TEST(b.time_zone == "Europe/Berlin");
    BOOST_TEST(b.working == (std::vector<Period>{{utc(2027, 1, 11, 8), utc(2027, 1, 11, 16)}}),
               boost::test_tools::per_element());
    // A zone libical does not know is not used either.
    set_zone("bob", calendar_of_text("BEGIN:VTIMEZONE\r\nTZID:Mars/Olympus\r\nBEGIN:STANDARD\r\n"
                                     "TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nDTSTART:19700101T000000\r\n"
                                     "END:STANDARD\r\nEND:VTIMEZONE\r\n"));
    BOOST_TEST(time_zone_of(*store, user("bob"), "UTC") == "UTC");
}

BOOST_AUTO_TEST_CASE(busy_events_take_free_time_and_declined_meetings_do_not) {
    set_zone("alice", new_york);
    set_zone("bob", new_york);
    auto day = utc(2027, 1, 11);  // Monday: working 14:00Z-22:00Z
    put("alice", "focus", event("focus", utc(2027, 1, 11, 18), utc(2027, 1, 11, 19)));
    put("alice", "meet-1",
        event("meet-1", utc(2027, 1, 11, 15), utc(2027, 1, 11, 16),
              "ORGANIZER:mailto:alice@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
              "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\n"));
    auto copy = store->find_object_by_uid(user("bob").id, "meet-1");
    BOOST_REQUIRE(copy.has_value());
    Actor bob{*store, limits, user("bob")};
    answer_invitation(bob, calendar_of("bob"), "bob", copy->name, "DECLINED");

    auto a = of("alice", day, day + 24 * hour);
    BOOST_TEST(a.busy == (std::vector<Period>{{utc(2027, 1, 11, 15), utc(2027, 1, 11, 16)},
                                              {utc(2027, 1, 11, 18), utc(2027, 1, 11, 19)}}),
               boost::test_tools::per_element());
    BOOST_TEST(a.free == (std::vector<Period>{{utc(2027, 1, 11, 14), utc(2027, 1, 11, 15)},
                                              {utc(2027, 1, 11, 16), utc(2027, 1, 11, 18)},
                                              {utc(2027, 1, 11, 19), utc(2027, 1, 11, 22)}}),
               boost::test_tools::per_element());
    auto b = of("bob", day, day + 24 * hour);
    BOOST_TEST(b.busy.empty());
    BOOST_TEST(b.free == (std::vector<Period>{{utc(2027, 1, 11, 14), utc(2027, 1, 11, 22)}}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_check_read_in_one_snapshot_answers_as_call_by_call_and_the_next_sees_later_events) {
    // The JSON API reads a check in one read scope (one snapshot).
    set_zone("alice", new_york);
    availability_calendar("alice");
    put("alice", "avail", weekly_availability, "availability");
    auto day = utc(2027, 1, 11);  // Monday: available 15:00Z-19:00Z
    put("alice", "focus", event("focus", utc(2027, 1, 11, 16), utc(2027, 1, 11, 17)));
    auto apart = of("alice", day, day + 24 * hour);
    BOOST_TEST(apart.free == (std::vector<Period>{{utc(2027, 1, 11, 15), utc(2027, 1, 11, 16)},
                                                  {utc(2027, 1, 11, 17), utc(2027, 1, 11, 19)}}),
               boost::test_tools::per_element());
    {
        auto scope = store->read_scope();
        BOOST_REQUIRE(scope != nullptr);  // SQLite shares one read transaction
        auto together = of("alice", day, day + 24 * hour);
        BOOST_TEST(together.time_zone == apart.time_zone);
        BOOST_TEST(together.working == apart.working, boost::test_tools::per_element());
        BOOST_TEST(together.busy == apart.busy, boost::test_tools::per_element());
        BOOST_TEST(together.free == apart.free, boost::test_tools::per_element());
        // Stored by another thread meanwhile: not in this snapshot.
        std::thread([&] { put("alice", "late", event("late", utc(2027, 1, 11, 18), utc(2027, 1, 11, 19))); }).join();
        BOOST_TEST(of("alice", day, day + 24 * hour).busy == apart.busy, boost::test_tools::per_element());
    }
    auto after = of("alice", day, day + 24 * hour);
    std::vector<Period> free{{utc(2027, 1, 11, 15), utc(2027, 1, 11, 16)}, {utc(2027, 1, 11, 17), utc(2027, 1, 11, 18)}};
    BOOST_TEST(after.free == free, boost::test_tools::per_element());
    // Outside the AVAILABLE hours the VAVAILABILITY makes the day busy (RFC 7953 §4).
    BOOST_TEST(after.busy == subtract_periods({{day, day + 24 * hour}}, free), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_weekly_vavailability_replaces_the_default_hours) {
    set_zone("carol", new_york);
    availability_calendar("carol");
    put("carol", "avail", weekly_availability, "availability");
    // Monday 8 to Saturday 13 March 2027 (EST): Monday and Wednesday 15:00Z-19:00Z only.
    auto c = of("carol", utc(2027, 3, 8), utc(2027, 3, 13));
    std::vector<Period> hours{{utc(2027, 3, 8, 15), utc(2027, 3, 8, 19)},
                              {utc(2027, 3, 10, 15), utc(2027, 3, 10, 19)}};
    BOOST_TEST(c.working == hours, boost::test_tools::per_element());
    BOOST_TEST(c.free == hours, boost::test_tools::per_element());
    // The rest of the VAVAILABILITY's time is BUSY-UNAVAILABLE, as free/busy says.
    BOOST_TEST(c.busy == subtract_periods({{utc(2027, 3, 8), utc(2027, 3, 13)}}, hours),
               boost::test_tools::per_element());
    // After the DST change the same local hours are an hour earlier in UTC.
    auto later = of("carol", utc(2027, 3, 15), utc(2027, 3, 16));
    BOOST_TEST(later.working == (std::vector<Period>{{utc(2027, 3, 15, 14), utc(2027, 3, 15, 18)}}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_higher_priority_vavailability_wins_within_its_own_period) {
    availability_calendar("carol");
    put("carol", "avail", weekly_availability, "availability");
    // PRIORITY 1 for Wednesday 10 March only: available 20:00Z-22:00Z there.
    put("carol", "wednesday",
        calendar_of_text("BEGIN:VAVAILABILITY\r\nUID:avail-2\r\nDTSTAMP:20260101T000000Z\r\nPRIORITY:1\r\n"
                         "DTSTART:20270310T000000Z\r\nDTEND:20270311T000000Z\r\n"
                         "BEGIN:AVAILABLE\r\nUID:avail-2-a\r\nDTSTAMP:20260101T000000Z\r\n"
                         "DTSTART:20270310T200000Z\r\nDTEND:20270310T220000Z\r\nEND:AVAILABLE\r\n"
                         "END:VAVAILABILITY\r\n"),
        "availability");
    auto c = of("carol", utc(2027, 3, 8), utc(2027, 3, 13));
    std::vector<Period> hours{{utc(2027, 3, 8, 15), utc(2027, 3, 8, 19)},
                              {utc(2027, 3, 10, 20), utc(2027, 3, 10, 22)}};
    BOOST_TEST(c.working == hours, boost::test_tools::per_element());
    BOOST_TEST(c.free == hours, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_inbox_calendar_availability_property_sets_working_hours) {
    auto inbox = store->find_collection(user("dana").id, "inbox");
    BOOST_REQUIRE(inbox.has_value());
    std::string body = weekly_availability;
    PropertyPatch patch;
    patch.set.push_back({std::string(names::caldav_ns), "calendar-availability",
                         "<C:calendar-availability xmlns:C=\"urn:ietf:params:xml:ns:caldav\">" + body +
                             "</C:calendar-availability>"});
    BOOST_REQUIRE(store->patch_properties(inbox->id, "", patch) == StoreStatus::ok);
    auto d = of("dana", utc(2027, 3, 8), utc(2027, 3, 13));
    BOOST_TEST(d.working == (std::vector<Period>{{utc(2027, 3, 8, 15), utc(2027, 3, 8, 19)},
                                                 {utc(2027, 3, 10, 15), utc(2027, 3, 10, 19)}}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_room_is_free_the_whole_range_until_it_is_booked) {
    auto weekend = utc(2027, 1, 9);  // Saturday: nobody's default working day
    auto r = of("room1", weekend, weekend + 48 * hour);
    std::vector<Period> all{{weekend, weekend + 48 * hour}};
    BOOST_TEST(r.working == all, boost::test_tools::per_element());
    BOOST_TEST(r.free == all, boost::test_tools::per_element());
    BOOST_TEST(r.busy.empty());
    put("alice", "booking",
        event("booking", weekend + 10 * hour, weekend + 12 * hour,
              "ORGANIZER:mailto:alice@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
              "ATTENDEE;CUTYPE=ROOM;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:room1@example.com\r\n"));
    r = of("room1", weekend, weekend + 48 * hour);
    BOOST_TEST(r.busy == (std::vector<Period>{{weekend + 10 * hour, weekend + 12 * hour}}),
               boost::test_tools::per_element());
    BOOST_TEST(r.free == (std::vector<Period>{{weekend, weekend + 10 * hour},
                                              {weekend + 12 * hour, weekend + 48 * hour}}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(common_free_time_is_the_intersection_of_everyones) {
    std::vector<Period> a{{0, 10}, {20, 30}, {40, 50}};
    std::vector<Period> b{{5, 25}, {45, 60}};
    std::vector<Period> c{{0, 100}};
    BOOST_TEST(common_free({a, b, c}) == (std::vector<Period>{{5, 10}, {20, 25}, {45, 50}}),
               boost::test_tools::per_element());
    BOOST_TEST(common_free({a}) == a, boost::test_tools::per_element());
    BOOST_TEST(common_free({a, {}}).empty());
    BOOST_TEST(common_free({}).empty());
    BOOST_TEST(merge_periods({{5, 8}, {0, 5}, {7, 9}, {12, 12}}) == (std::vector<Period>{{0, 9}}),
               boost::test_tools::per_element());
    BOOST_TEST(subtract_periods({{0, 10}, {20, 30}}, {{5, 22}, {25, 26}}) ==
                   (std::vector<Period>{{0, 5}, {22, 25}, {26, 30}}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

/// Monday 15 March 2027, 09:00-17:00 in New York (EDT): 13:00Z-21:00Z.
struct SuggestFixture : AvailabilityFixture {
    std::int64_t nine = utc(2027, 3, 15, 13), five = utc(2027, 3, 15, 21);

    SuggestFixture() {
        for (const char* name : {"alice", "bob", "carol"}) set_zone(name, new_york);
    }

    SuggestRequest request(std::vector<std::string> required, std::vector<std::string> optional = {}) {
        SuggestRequest r;
        for (const auto& n : required) r.required.push_back(user(n));
        for (const auto& n : optional) r.optional.push_back(user(n));
        r.duration = hour;
        r.start = nine;
        r.end = five;
        r.step = 1800;
        return r;
    }

    std::vector<Suggestion> suggest(const SuggestRequest& r) { return suggest_times(*store, limits, r, defaults); }
};

std::vector<std::int64_t> starts(const std::vector<Suggestion>& found) {
    std::vector<std::int64_t> out;
    for (const auto& s : found) out.push_back(s.slot.start);
    return out;
}

void check_apart(const std::vector<Suggestion>& found) {
    for (std::size_t i = 0; i < found.size(); ++i)
        for (std::size_t j = i + 1; j < found.size(); ++j)
            BOOST_TEST((found[i].slot.end <= found[j].slot.start || found[j].slot.end <= found[i].slot.start));
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(suggestions, SuggestFixture)

BOOST_AUTO_TEST_CASE(a_slot_where_a_required_attendee_is_busy_is_not_suggested) {
    put("bob", "busy", event("busy", nine, nine + 2 * hour));
    auto found = suggest(request({"alice", "bob"}));
    BOOST_REQUIRE(found.size() == 5u);
    for (const auto& s : found) {
        BOOST_TEST(s.slot.start >= nine + 2 * hour);
        BOOST_TEST(s.required_free == 2u);
        BOOST_TEST(s.in_working_hours);
        BOOST_TEST((s.free == std::vector<std::string>{"alice@example.com", "bob@example.com"}));
    }
    // Earliest first among equals, an hour apart (30-minute steps, no overlap).
    BOOST_TEST(starts(found) == (std::vector<std::int64_t>{nine + 2 * hour, nine + 3 * hour, nine + 4 * hour,
                                                          nine + 5 * hour, nine + 6 * hour}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(slots_more_optional_attendees_can_attend_rank_first) {
    // Carol (optional) is free only 15:00Z-16:00Z.
    put("carol", "morning", event("morning", nine, nine + 2 * hour));
    put("carol", "afternoon", event("afternoon", nine + 3 * hour, five));
    auto found = suggest(request({"alice"}, {"carol"}));
    BOOST_REQUIRE(!found.empty());
    BOOST_TEST(found[0].slot.start == nine + 2 * hour);
    BOOST_TEST(found[0].optional_free == 1u);
    BOOST_TEST((found[0].free == std::vector<std::string>{"alice@example.com", "carol@example.com"}));
    BOOST_TEST(found[0].busy.empty());
    for (std::size_t i = 1; i < found.size(); ++i) {
        BOOST_TEST(found[i].optional_free == 0u);
        BOOST_TEST((found[i].busy == std::vector<std::string>{"carol@example.com"}));
    }
    // The others, earliest first, around the chosen hour.
    BOOST_TEST(found[1].slot.start == nine);
    check_apart(found);
}

BOOST_AUTO_TEST_CASE(the_buffer_keeps_slots_away_from_busy_time) {
    put("alice", "busy", event("busy", nine, nine + hour));
    auto r = request({"alice"});
    r.step = 900;
    r.buffer = 900;
    auto found = suggest(r);
    BOOST_REQUIRE(!found.empty());
    BOOST_TEST(found[0].slot.start == nine + hour + 900);
    r.buffer = 0;
    BOOST_TEST(suggest(r)[0].slot.start == nine + hour);
}

BOOST_AUTO_TEST_CASE(earliest_and_latest_times_of_day_bound_the_slots) {
    auto r = request({"alice", "bob"});
    r.time_zone = "America/New_York";
    r.earliest_minute = 10 * 60;  // 10:00 EDT = 14:00Z
    r.latest_minute = 12 * 60;    // 12:00 EDT = 16:00Z
    auto found = suggest(r);
    BOOST_TEST(starts(found) == (std::vector<std::int64_t>{nine + hour, nine + 2 * hour}),
               boost::test_tools::per_element());
    // The same minutes in UTC are 10:00Z-12:00Z, before anyone's working day:
    // still suggested when nothing better fits, but nobody is free then.
    r.time_zone = "UTC";
    r.start = utc(2027, 3, 15);
    found = suggest(r);
    BOOST_TEST(starts(found) == (std::vector<std::int64_t>{utc(2027, 3, 15, 10), utc(2027, 3, 15, 11)}),
               boost::test_tools::per_element());
    for (const auto& s : found) BOOST_TEST(s.required_free == 0u);
}

BOOST_AUTO_TEST_CASE(slots_in_working_hours_rank_first_and_can_be_required) {
    // A whole day: alice is busy all her working day, so she is free nowhere.
    put("alice", "all-day", event("all-day", nine, five));
    auto r = request({"alice"});
    r.start = utc(2027, 3, 15);
    r.end = utc(2027, 3, 16);
    auto found = suggest(r);
    BOOST_REQUIRE(found.size() == 5u);
    for (const auto& s : found) {
        BOOST_TEST(s.required_free == 0u);
        BOOST_TEST(s.in_working_hours);
        BOOST_TEST(s.slot.start >= nine);
        BOOST_TEST(s.slot.end <= five);
    }
    BOOST_TEST(found[0].slot.start == nine);
    // Bob free all day: working hours decide among his free slots too, and
    // working_hours_only drops the rest.
    r = request({"bob"});
    r.start = utc(2027, 3, 15);
    r.end = utc(2027, 3, 16);
    r.working_hours_only = true;
    r.max_results = 20;
    found = suggest(r);
    BOOST_TEST(found.size() == 8u);
    for (const auto& s : found) {
        BOOST_TEST(s.in_working_hours);
        BOOST_TEST(s.slot.start >= nine);
        BOOST_TEST(s.slot.end <= five);
    }
}

BOOST_AUTO_TEST_CASE(results_never_overlap_and_stop_at_max_results) {
    auto r = request({"alice"});
    r.step = 900;
    r.max_results = 3;
    auto found = suggest(r);
    BOOST_TEST(starts(found) == (std::vector<std::int64_t>{nine, nine + hour, nine + 2 * hour}),
               boost::test_tools::per_element());
    r.max_results = 50;
    found = suggest(r);
    BOOST_TEST(found.size() == 8u);  // eight hours, one-hour slots
    check_apart(found);
}

BOOST_AUTO_TEST_CASE(a_booked_room_among_the_required_takes_its_slot_away) {
    put("alice", "booking",
        event("booking", nine, nine + 4 * hour,
              "ORGANIZER:mailto:alice@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
              "ATTENDEE;CUTYPE=ROOM;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:room1@example.com\r\n"));
    auto found = suggest(request({"bob", "room1"}));
    BOOST_REQUIRE(!found.empty());
    BOOST_TEST(found[0].slot.start == nine + 4 * hour);
    BOOST_TEST(found[0].required_free == 2u);
    // 17:00Z-21:00Z: four one-hour slots where both are free, then one where only Bob is.
    BOOST_REQUIRE(found.size() == 5u);
    BOOST_TEST(found[3].required_free == 2u);
    BOOST_TEST(found[4].required_free == 1u);
    BOOST_TEST((found[4].busy == std::vector<std::string>{"room1@example.com"}));
}

BOOST_AUTO_TEST_SUITE_END()
