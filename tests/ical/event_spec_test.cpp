// Events of the JSON API (issue 24) to and from iCalendar: building, reading
// back, checks, RFC 3339 times and zones (ical/event_spec.hpp).
#include "ical/event_spec.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "ical/calendar_data.hpp"
#include "tests/ical/support.hpp"

using namespace ical_test;

namespace {

constexpr std::int64_t now = 1704067200;  // 2024-01-01T00:00:00Z

std::int64_t at(const char* rfc3339) {
    auto t = ical::parse_rfc3339(rfc3339);
    BOOST_REQUIRE_MESSAGE(t, rfc3339);
    return *t;
}

/// The issue 24 example: a 15-minute standup on weekdays at 10:00 New York
/// time for the rest of 2024.
ical::EventSpec standup() {
    ical::EventSpec s;
    s.uid = "standup-1";
    s.title = "Standup";
    s.start = at("2024-01-15T10:00:00-05:00");
    s.end = s.start + 15 * 60;
    s.time_zone = "America/New_York";
    ical::RecurrenceSpec r;
    r.frequency = "weekly";
    r.by_day = {"MO", "TU", "WE", "TH", "FR"};
    r.until = at("2024-12-31T23:59:59Z");
    s.recurrence = r;
    return s;
}

ical::EventSpec meeting() {
    ical::EventSpec s;
    s.uid = "meeting-1";
    s.title = "Plan; Q3, \"big\"";
    s.start = at("2024-06-03T14:00:00Z");
    s.end = at("2024-06-03T15:30:00Z");
    return s;
}

std::vector<std::int64_t> starts(const std::string& ics) {
    auto e = ical::expand(ics, std::nullopt, std::nullopt, {});
    BOOST_REQUIRE(!e.error);
    std::vector<std::int64_t> out;
    for (const auto& i : e.instances) out.push_back(i.start);
    return out;
}

std::string field_of(const ical::EventSpec& s) {
    auto e = ical::check_event(s);
    return e ? e->field : std::string("(none)");
}

bool has_line(const std::string& ics, const std::string& line) {
    return ics.find("\r\n" + line + "\r\n") != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(event_spec)

BOOST_AUTO_TEST_CASE(standup_example_is_valid_and_expands_on_weekdays_at_ten_new_york_time) {
    auto spec = standup();
    BOOST_TEST(!ical::check_event(spec));
    auto ics = ical::build_event(spec, now);
    BOOST_TEST(has_line(ics, "DTSTART;TZID=America/New_York:20240115T100000"));
    BOOST_TEST(has_line(ics, "DTEND;TZID=America/New_York:20240115T101500"));
    BOOST_TEST(has_line(ics, "RRULE:FREQ=WEEKLY;UNTIL=20241231T235959Z;BYDAY=MO,TU,WE,TH,FR"));
    BOOST_TEST(has_line(ics, "BEGIN:VTIMEZONE"));
    BOOST_TEST(has_line(ics, "TZID:America/New_York"));
    auto s = starts(ics);
    BOOST_REQUIRE(!s.empty());
    BOOST_TEST(s.front() == at("2024-01-15T15:00:00Z"));
    BOOST_TEST(s.back() <= at("2024-12-31T23:59:59Z"));
    BOOST_TEST(s.back() == at("2024-12-31T15:00:00Z"));
    for (std::int64_t t : s) {
        auto lt = ical::local_time(t, "America/New_York");
        BOOST_TEST(lt.hour == 10);
        BOOST_TEST(lt.minute == 0);
        BOOST_TEST((lt.weekday >= 1 && lt.weekday <= 5));
    }
    // Across the DST change of 2024-03-10: 10:00 EST is 15:00Z, 10:00 EDT 14:00Z.
    BOOST_TEST((std::find(s.begin(), s.end(), at("2024-03-08T15:00:00Z")) != s.end()));
    BOOST_TEST((std::find(s.begin(), s.end(), at("2024-03-11T14:00:00Z")) != s.end()));
    BOOST_TEST(
        (std::find(s.begin(), s.end(), at("2024-03-09T15:00:00Z")) == s.end()));  // a Saturday
}

BOOST_AUTO_TEST_CASE(daily_series_keeps_its_local_time_across_dst) {
    auto spec = standup();
    spec.recurrence->frequency = "daily";
    spec.recurrence->by_day.clear();
    auto s = starts(ical::build_event(spec, now));
    BOOST_TEST((std::find(s.begin(), s.end(), at("2024-03-09T15:00:00Z")) != s.end()));
    BOOST_TEST((std::find(s.begin(), s.end(), at("2024-03-11T14:00:00Z")) != s.end()));
}

BOOST_AUTO_TEST_CASE(built_vtimezone_is_trimmed_but_still_gives_the_offsets_around_the_event) {
    auto ics = ical::build_event(standup(), now);
    auto cal = ical::parse_with_libical(ics);
    BOOST_REQUIRE(cal);
    icaltimezone* zone = icalcomponent_get_timezone(cal.get(), "America/New_York");
    BOOST_REQUIRE(zone);
    auto offset = [zone](const char* utc_text) {
        icaltimetype t = icaltime_from_string(utc_text);
        int daylight = 0;
        return icaltimezone_get_utc_offset_of_utc_time(zone, &t, &daylight);
    };
    BOOST_TEST(offset("20240115T150000Z") == -5 * 3600);
    BOOST_TEST(offset("20240311T140000Z") == -4 * 3600);
    BOOST_TEST(offset("20301201T150000Z") == -5 * 3600);
    BOOST_TEST(ics.find("1883") == std::string::npos);  // the 19th-century LMT observance is gone
    auto tokyo = standup();
    tokyo.time_zone = "Asia/Tokyo";
    auto t = ical::build_event(tokyo, now);
    BOOST_TEST(t.find("BEGIN:STANDARD") != std::string::npos);
    BOOST_TEST(t.find("TZOFFSETTO:+0900") != std::string::npos);
    BOOST_TEST(ical::validate_calendar(t).empty());
}

BOOST_AUTO_TEST_CASE(a_kept_trimmed_vtimezone_gives_the_builtin_offsets_from_any_start) {
    // Events from 2040 back to 1890 in zones with long histories: each built
    // twice (the second from the kept trimmed form), each VTIMEZONE giving
    // libical's builtin offsets from its event on, the two texts alike.
    for (const char* iana : {"America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Sao_Paulo"}) {
        icaltimezone* builtin = icaltimezone_get_builtin_timezone(iana);
        BOOST_REQUIRE(builtin);
        for (int year = 2040; year >= 1890; year -= 3) {
            auto spec = meeting();
            spec.time_zone = iana;
            spec.start = at((std::to_string(year) + "-05-20T12:00:00Z").c_str());
            spec.end = spec.start + 3600;
            auto ics = ical::build_event(spec, now);
            BOOST_TEST(ical::build_event(spec, now) == ics);
            auto cal = ical::parse_with_libical(ics);
            BOOST_REQUIRE(cal);
            icaltimezone* zone = icalcomponent_get_timezone(cal.get(), iana);
            BOOST_REQUIRE(zone);
            for (std::int64_t t = spec.start; t < spec.start + 3 * 366 * 86400; t += 41 * 86400) {
                icaltimetype u = icaltime_from_timet_with_zone(static_cast<time_t>(t), 0, icaltimezone_get_utc_timezone());
                int daylight = 0;
                int want = icaltimezone_get_utc_offset_of_utc_time(builtin, &u, &daylight);
                BOOST_TEST(icaltimezone_get_utc_offset_of_utc_time(zone, &u, &daylight) == want,
                           iana << " event in " << year << ", instant " << t);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(built_event_has_the_required_properties_and_crlf_lines) {
    auto ics = ical::build_event(meeting(), now);
    BOOST_TEST(ics.starts_with(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kalends//Kalends API//EN\r\n"));
    for (const char* line :
         {"UID:meeting-1", "DTSTAMP:20240101T000000Z", "CREATED:20240101T000000Z",
          "LAST-MODIFIED:20240101T000000Z", "SEQUENCE:0", "SUMMARY:Plan\\; Q3\\, \"big\"",
          "DTSTART:20240603T140000Z", "DTEND:20240603T153000Z"})
        BOOST_TEST(has_line(ics, line), line);
    BOOST_TEST(ics.find("VTIMEZONE") == std::string::npos);
    BOOST_TEST(ics.find("ORGANIZER") == std::string::npos);
    BOOST_TEST(ics.find("DESCRIPTION") == std::string::npos);
    BOOST_TEST(ics.find("LOCATION") == std::string::npos);
    for (std::size_t i = 0; i < ics.size(); ++i)
        if (ics[i] == '\n') BOOST_REQUIRE(i > 0 && ics[i - 1] == '\r');
    BOOST_TEST(ical::validate_calendar(ics).empty());
}

BOOST_AUTO_TEST_CASE(attendees_organizer_and_reminders_are_written_as_the_api_contract_says) {
    auto spec = meeting();
    spec.organizer_email = "org@example.com";
    spec.organizer_name = "Olga";
    spec.attendees = {{"bob@example.com", "Bob", false, "", false},
                      {"room@example.com", "", true, "ACCEPTED", true}};
    spec.reminders = {{15, "display"}, {60, "email"}, {5, "push"}};
    auto ics = ical::build_event(spec, now);
    BOOST_TEST(ics.find("ORGANIZER;CN=Olga:mailto:org@example.com") != std::string::npos);
    BOOST_TEST(ics.find("ATTENDEE;CN=Olga;ROLE=CHAIR;PARTSTAT=ACCEPTED:mailto:org@example.com") !=
               std::string::npos);
    auto unfolded = std::string();
    for (std::size_t i = 0; i < ics.size(); ++i) {
        if (ics.compare(i, 3, "\r\n ") == 0) {
            i += 2;
            continue;
        }
        unfolded += ics[i];
    }
    BOOST_TEST(unfolded.find("ATTENDEE;CN=Bob;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"
                             "mailto:bob@example.com") != std::string::npos);
    BOOST_TEST(unfolded.find("ROLE=OPT-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=TRUE;CUTYPE=ROOM:mailto:"
                             "room@example.com") != std::string::npos);
    BOOST_TEST(unfolded.find("TRIGGER:-PT15M\r\nACTION:DISPLAY\r\nDESCRIPTION:Plan") !=
               std::string::npos);
    BOOST_TEST(unfolded.find("TRIGGER:-PT1H\r\nACTION:EMAIL\r\nSUMMARY:Plan") != std::string::npos);
    BOOST_TEST(unfolded.find("ATTENDEE:mailto:org@example.com\r\nEND:VALARM") != std::string::npos);
    BOOST_TEST(unfolded.find("TRIGGER:-PT5M\r\nACTION:DISPLAY\r\nDESCRIPTION:Plan\\; Q3\\, "
                             "\"big\"\r\nX-KALENDS-METHOD:push") != std::string::npos);
    BOOST_TEST(ical::validate_calendar(ics).empty());
}

BOOST_AUTO_TEST_CASE(all_day_event_is_written_as_dates_of_its_zone) {
    auto spec = meeting();
    spec.all_day = true;
    spec.time_zone = "America/New_York";
    spec.start = at("2024-06-03T00:00:00-04:00");
    spec.end = at("2024-06-05T00:00:00-04:00");
    auto ics = ical::build_event(spec, now);
    BOOST_TEST(has_line(ics, "DTSTART;VALUE=DATE:20240603"));
    BOOST_TEST(has_line(ics, "DTEND;VALUE=DATE:20240605"));
    auto v = ical::read_event(ics);
    BOOST_REQUIRE(v);
    BOOST_TEST(v->all_day);
    BOOST_TEST(v->start ==
               at("2024-06-03T00:00:00Z"));  // a DATE has no zone: its midnight read as UTC
    BOOST_TEST(v->end == at("2024-06-05T00:00:00Z"));
}

BOOST_AUTO_TEST_CASE(every_field_survives_build_then_read) {
    auto spec = standup();
    spec.description = "Line one\nline two; with, punctuation";
    spec.location = "Room 4, floor 2";
    spec.organizer_email = "org@example.com";
    spec.organizer_name = "Olga";
    spec.attendees = {{"bob@example.com", "Bob", false, "", false},
                      {"ann@example.com", "Ann", true, "TENTATIVE", false},
                      {"room@example.com", "Big room", false, "ACCEPTED", true}};
    spec.reminders = {{15, "display"}, {60, "email"}, {0, "push"}};
    spec.recurrence->week_start = "SU";
    spec.recurrence->interval = 2;
    auto v = ical::read_event(ical::build_event(spec, now));
    BOOST_REQUIRE(v);
    BOOST_TEST(v->uid == spec.uid);
    BOOST_TEST(v->title == spec.title);
    BOOST_TEST(v->description == spec.description);
    BOOST_TEST(v->location == spec.location);
    BOOST_TEST(v->start == spec.start);
    BOOST_TEST(v->end == spec.end);
    BOOST_TEST(!v->all_day);
    BOOST_TEST(v->time_zone == "America/New_York");
    BOOST_TEST(v->organizer_email == "org@example.com");
    BOOST_REQUIRE(v->attendees.size() == 3u);
    BOOST_TEST(v->attendees[0].email == "bob@example.com");
    BOOST_TEST(v->attendees[0].name == "Bob");
    BOOST_TEST(v->attendees[0].partstat == "NEEDS-ACTION");
    BOOST_TEST(!v->attendees[0].optional);
    BOOST_TEST(v->attendees[1].optional);
    BOOST_TEST(v->attendees[1].partstat == "TENTATIVE");
    BOOST_TEST(v->attendees[2].is_room);
    BOOST_TEST(!v->attendees[1].is_room);
    BOOST_REQUIRE(v->recurrence);
    BOOST_TEST(v->recurrence->frequency == "weekly");
    BOOST_TEST(v->recurrence->interval == 2);
    BOOST_TEST(*v->recurrence->until == *spec.recurrence->until);
    BOOST_TEST(!v->recurrence->count);
    BOOST_TEST(v->recurrence->by_day == spec.recurrence->by_day);
    BOOST_TEST(v->recurrence->week_start == "SU");
    BOOST_REQUIRE(v->reminders.size() == 3u);
    BOOST_TEST(v->reminders[0].minutes_before == 15);
    BOOST_TEST(v->reminders[0].method == "display");
    BOOST_TEST(v->reminders[1].minutes_before == 60);
    BOOST_TEST(v->reminders[1].method == "email");
    BOOST_TEST(v->reminders[2].minutes_before == 0);
    BOOST_TEST(v->reminders[2].method == "push");
    BOOST_TEST(v->sequence == 0);
    BOOST_TEST(v->last_modified == now);
    BOOST_TEST(!v->recurrence_id);
}

BOOST_AUTO_TEST_CASE(monthly_rule_parts_survive_build_then_read) {
    auto spec = meeting();
    ical::RecurrenceSpec r;
    r.frequency = "Monthly";
    r.count = 10;
    r.by_day = {"MO", "TU", "WE", "TH", "FR"};
    r.by_set_pos = {-1};
    r.by_month = {1, 6, 12};
    spec.recurrence = r;
    BOOST_TEST(!ical::check_event(spec));
    auto ics = ical::build_event(spec, now);
    auto v = ical::read_event(ics);
    BOOST_REQUIRE((v && v->recurrence));
    BOOST_TEST(v->recurrence->frequency == "monthly");
    BOOST_TEST(*v->recurrence->count == 10);
    BOOST_TEST(v->recurrence->by_set_pos == std::vector<int>{-1});
    BOOST_TEST(v->recurrence->by_month == (std::vector<int>{1, 6, 12}));
    auto yearly = meeting();
    yearly.recurrence =
        ical::RecurrenceSpec{"yearly", 1, std::nullopt, 3, {"-1FR"}, {}, {5}, {}, ""};
    auto y = ical::read_event(ical::build_event(yearly, now));
    BOOST_REQUIRE((y && y->recurrence));
    BOOST_TEST(y->recurrence->by_day == std::vector<std::string>{"-1FR"});
    auto monthday = meeting();
    monthday.recurrence =
        ical::RecurrenceSpec{"monthly", 1, std::nullopt, 3, {}, {3, -1}, {}, {}, ""};
    auto m = ical::read_event(ical::build_event(monthday, now));
    BOOST_REQUIRE((m && m->recurrence));
    BOOST_TEST(m->recurrence->by_month_day == (std::vector<int>{3, -1}));
}

BOOST_AUTO_TEST_CASE(check_event_names_the_first_bad_field) {
    auto s = standup();
    BOOST_TEST(field_of(s) == "(none)");
    auto e = s;
    e.end = e.start;
    BOOST_TEST(field_of(e) == "end_time");
    e = s;
    e.time_zone = "Mars/Olympus_Mons";
    BOOST_TEST(field_of(e) == "time_zone");
    e.time_zone = "W. Europe Standard Time";
    BOOST_TEST(field_of(e) == "time_zone");
    e = s;
    e.time_zone = "UTC";
    BOOST_TEST(field_of(e) == "(none)");
    e = s;
    e.title = "bell\x07";
    BOOST_TEST(field_of(e) == "title");
    e.title = "tab\tand\nnewline";
    BOOST_TEST(field_of(e) == "(none)");
    e = s;
    e.recurrence->frequency = "hourly";
    BOOST_TEST(field_of(e) == "recurrence.frequency");
    e = s;
    e.recurrence->interval = 0;
    BOOST_TEST(field_of(e) == "recurrence.interval");
    e = s;
    e.recurrence->until.reset();
    e.recurrence->count = 0;
    BOOST_TEST(field_of(e) == "recurrence.count");
    e.recurrence->count = 3;
    e.recurrence->until = s.start + 86400;
    BOOST_TEST(field_of(e) == "recurrence");
    e = s;
    e.recurrence->until = s.start - 1;
    BOOST_TEST(field_of(e) == "recurrence.until");
    e = s;
    e.recurrence->by_day = {"MO", "XX"};
    BOOST_TEST(field_of(e) == "recurrence.by_day[1]");
    e.recurrence->by_day = {"1MO"};  // an ordinal in a weekly rule (RFC 5545 §3.3.10)
    BOOST_TEST(field_of(e) == "recurrence.by_day[0]");
    e.recurrence->frequency = "monthly";
    BOOST_TEST(field_of(e) == "(none)");
    e.recurrence->by_day = {"-1FR", "9MO"};  // a month has no 9th Monday
    BOOST_TEST(field_of(e) == "recurrence.by_day[1]");
    e.recurrence->by_day = {"-5FR", "+5MO"};
    BOOST_TEST(field_of(e) == "(none)");
    e.recurrence->frequency = "yearly";
    e.recurrence->by_day = {"20MO"};  // the 20th Monday of the year
    BOOST_TEST(field_of(e) == "(none)");
    e.recurrence->by_day = {"54MO"};
    BOOST_TEST(field_of(e) == "recurrence.by_day[0]");
    e.recurrence->by_month = {3};
    e.recurrence->by_day = {"20MO"};  // within March
    BOOST_TEST(field_of(e) == "recurrence.by_day[0]");
    e = s;
    e.recurrence->by_month_day = {1, 32};
    BOOST_TEST(field_of(e) == "recurrence.by_month_day[1]");
    e.recurrence->by_month_day = {0};
    BOOST_TEST(field_of(e) == "recurrence.by_month_day[0]");
    e = s;
    e.recurrence->by_month = {13};
    BOOST_TEST(field_of(e) == "recurrence.by_month[0]");
    e = s;
    e.recurrence->by_set_pos = {1, 367};
    BOOST_TEST(field_of(e) == "recurrence.by_set_pos[1]");
    e = s;
    e.recurrence->by_month_day = {15};  // RFC 5545 §3.3.10: not in a weekly rule
    BOOST_TEST(field_of(e) == "recurrence.by_month_day[0]");
    e = s;
    e.recurrence->by_day.clear();
    e.recurrence->by_set_pos = {1};  // nothing to select from
    BOOST_TEST(field_of(e) == "recurrence.by_set_pos[0]");
    e = s;
    e.recurrence->week_start = "XY";
    BOOST_TEST(field_of(e) == "recurrence.week_start");
    e = s;
    e.reminders = {{10, "display"}, {-5, "display"}};
    BOOST_TEST(field_of(e) == "reminders[1].minutes_before");
    e.reminders = {{5 * 7 * 24 * 60, "display"}};
    BOOST_TEST(field_of(e) == "reminders[0].minutes_before");
    e.reminders = {{10, "sms"}};
    BOOST_TEST(field_of(e) == "reminders[0].method");
    e = s;
    e.attendees.assign(2, ical::AttendeeSpec{});
    e.attendees[0].email = "bob@example.com";
    e.attendees[1].email = "not-an-address";
    BOOST_TEST(field_of(e) == "attendees[1].email");
    e.attendees.assign(1, ical::AttendeeSpec{});
    e.attendees[0].email = "@example.com";
    BOOST_TEST(field_of(e) == "attendees[0].email");
}

BOOST_AUTO_TEST_CASE(a_rule_without_any_instance_is_refused) {
    auto s = meeting();
    s.recurrence =
        ical::RecurrenceSpec{"yearly", 1, std::nullopt, std::nullopt, {}, {30}, {2}, {}, ""};
    auto e = ical::check_event(s);
    BOOST_REQUIRE(e);
    BOOST_TEST(e->field == "recurrence");
    // UNTIL after the start but before the first Friday.
    s.recurrence =
        ical::RecurrenceSpec{"weekly", 1, s.start + 3600, std::nullopt, {"FR"}, {}, {}, {}, ""};
    e = ical::check_event(s);
    BOOST_REQUIRE(e);
    BOOST_TEST(e->field == "recurrence");
    s.recurrence->until = s.start + 7 * 86400;
    BOOST_TEST(!ical::check_event(s));
    // Every 29 February: rare, but an instance.
    s.recurrence =
        ical::RecurrenceSpec{"yearly", 1, std::nullopt, std::nullopt, {}, {29}, {2}, {}, ""};
    BOOST_TEST(!ical::check_event(s));
}

BOOST_AUTO_TEST_CASE(rfc3339_times_parse_with_offsets_and_fractions_and_format_in_utc) {
    BOOST_TEST(*ical::parse_rfc3339("2024-01-15T10:00:00Z") == utc("20240115T100000Z"));
    BOOST_TEST(*ical::parse_rfc3339("2024-01-15T05:00:00-05:00") == utc("20240115T100000Z"));
    BOOST_TEST(*ical::parse_rfc3339("2024-01-15T15:30:00+05:30") == utc("20240115T100000Z"));
    BOOST_TEST(*ical::parse_rfc3339("2024-01-15T10:00:00.123Z") == utc("20240115T100000Z"));
    BOOST_TEST(*ical::parse_rfc3339("2024-02-29T00:00:00Z") == utc("20240229T000000Z"));
    for (const char* bad : {"2024-01-15T10:00:00", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
                            "2024-02-30T00:00:00Z", "2024-01-15 10:00:00Z", "2024-01-15T24:00:00Z",
                            "2024-01-15T10:00:00+0500", "2024-01-15T10:00:00.Z",
                            "2024-01-15T10:00:00Zjunk", "", "20240115T100000Z"})
        BOOST_TEST(!ical::parse_rfc3339(bad), bad);
    BOOST_TEST(ical::format_rfc3339(utc("20240115T100000Z")) == "2024-01-15T10:00:00Z");
    BOOST_TEST(ical::format_rfc3339(0) == "1970-01-01T00:00:00Z");
    BOOST_TEST(ical::format_rfc3339(-1) == "1969-12-31T23:59:59Z");
    BOOST_TEST(*ical::parse_rfc3339(ical::format_rfc3339(4102444800)) == 4102444800);
}

BOOST_AUTO_TEST_CASE(rfc3339_times_format_like_gmtime_from_year_1_to_9999_and_beyond) {
    // The digits are written by hand (issue 24): gmtime and strftime are the reference.
    std::vector<std::int64_t> times = {-62135596800, -62135596799, -1, 0, 59, 3599, 86399, 951782400,
                                       253402300799};
    std::uint64_t x = 42;
    for (int i = 0; i < 2000; ++i) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        times.push_back(static_cast<std::int64_t>(x % 12000000000ULL) - 2208988800);  // 1900..2250
    }
    for (auto t : times) {
        std::time_t tt = static_cast<std::time_t>(t);
        std::tm tm{};
        BOOST_REQUIRE(gmtime_r(&tt, &tm));
        char want[64];
        std::strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (tm.tm_year + 1900 < 1000) {  // strftime does not pad the year
            std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                          tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        }
        BOOST_TEST(ical::format_rfc3339(t) == want, t);
    }
    BOOST_TEST(ical::format_rfc3339(253402300800) == "10000-01-01T00:00:00Z");  // past the four digits
}

BOOST_AUTO_TEST_CASE(local_time_and_back_follow_the_zone_and_dst) {
    auto lt = ical::local_time(at("2024-07-04T16:30:00Z"), "America/New_York");
    BOOST_TEST(lt.year == 2024);
    BOOST_TEST(lt.month == 7);
    BOOST_TEST(lt.day == 4);
    BOOST_TEST(lt.hour == 12);
    BOOST_TEST(lt.minute == 30);
    BOOST_TEST(lt.weekday == 4);  // Thursday
    BOOST_TEST(lt.utc_offset == -4 * 3600);
    BOOST_TEST(ical::utc_of_local(lt, "America/New_York") == at("2024-07-04T16:30:00Z"));
    auto winter = ical::local_time(at("2024-01-15T15:00:00Z"), "America/New_York");
    BOOST_TEST(winter.hour == 10);
    BOOST_TEST(winter.utc_offset == -5 * 3600);
    BOOST_TEST(ical::local_time(at("2024-01-15T15:00:00Z"), "UTC").hour == 15);
    BOOST_TEST(ical::local_time(at("2024-01-15T15:00:00Z"), "Nowhere/Land").hour == 15);
    // 02:30 on 2024-03-10 does not exist in New York: read with the offset before the gap (RFC 5545
    // §3.3.5).
    ical::LocalTime gap{2024, 3, 10, 2, 30, 0};
    BOOST_TEST(ical::utc_of_local(gap, "America/New_York") == at("2024-03-10T07:30:00Z"));
    BOOST_TEST(ical::known_time_zone("Europe/Berlin"));
    BOOST_TEST(ical::known_time_zone("UTC"));
    BOOST_TEST(!ical::known_time_zone(""));
    BOOST_TEST(!ical::known_time_zone("/Europe/Berlin"));
    BOOST_TEST(!ical::known_time_zone("Europe/Atlantis"));
}

BOOST_AUTO_TEST_CASE(zones_are_looked_up_and_converted_safely_from_several_threads) {
    const std::vector<std::string> zones = {"Australia/Hobart", "Europe/Lisbon", "America/Boise",
                                            "Asia/Kathmandu"};
    std::vector<int> ok(zones.size(), 0);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < zones.size(); ++i)
        threads.emplace_back([&, i] {
            for (int round = 0; round < 20; ++round) {
                auto s = standup();
                s.time_zone = zones[i];
                auto v = ical::read_event(ical::build_event(s, now));
                auto lt = ical::local_time(s.start, zones[i]);
                if (v && v->time_zone == zones[i] && v->start == s.start &&
                    ical::known_time_zone(zones[i]) && ical::utc_of_local(lt, zones[i]) == s.start)
                    ++ok[i];
            }
        });
    for (auto& t : threads) t.join();
    for (int n : ok) BOOST_TEST(n == 20);
}

BOOST_AUTO_TEST_CASE(occurrences_read_from_a_parse_handed_in_equal_those_of_the_text) {
    // A series with an override and an EXDATE, a single timed event, and text that is no calendar.
    const std::string series =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:s\r\n"
        "DTSTAMP:20240101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20250303T090000\r\nDURATION:PT1H\r\n"
        "RRULE:FREQ=DAILY;COUNT=5\r\nEXDATE;TZID=Europe/Berlin:20250305T090000\r\nSUMMARY:Daily\r\n"
        "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20240101T000000Z\r\n"
        "RECURRENCE-ID;TZID=Europe/Berlin:20250304T090000\r\nDTSTART;TZID=Europe/Berlin:20250304T110000\r\n"
        "DURATION:PT1H\r\nSUMMARY:Moved\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    const std::string single =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:one\r\n"
        "DTSTAMP:20240101T000000Z\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\nSUMMARY:One\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n";
    const auto from = ical::parse_rfc3339("2025-03-01T00:00:00Z").value();
    const auto to = ical::parse_rfc3339("2025-04-01T00:00:00Z").value();
    for (const auto& text : {series, single}) {
        auto parsed = ical::parse_with_libical(text);
        BOOST_REQUIRE(parsed);
        auto anew = ical::read_event_occurrences(text, from, to, ical::ExpandLimits{});
        auto given = ical::read_event_occurrences(text, parsed.get(), from, to, ical::ExpandLimits{});
        BOOST_TEST(given.has_master == anew.has_master);
        BOOST_TEST(given.single == anew.single);
        BOOST_TEST(!given.error.has_value());
        BOOST_REQUIRE(given.items.size() == anew.items.size());
        for (std::size_t i = 0; i < given.items.size(); ++i) {
            BOOST_TEST(given.items[i].instance.start == anew.items[i].instance.start);
            BOOST_TEST(given.items[i].instance.end == anew.items[i].instance.end);
            BOOST_TEST(given.views[given.items[i].view].title == anew.views[anew.items[i].view].title);
        }
    }
    BOOST_TEST(ical::read_event_occurrences(series, from, to, ical::ExpandLimits{}).items.size() == 4u);
    BOOST_TEST(ical::read_event_occurrences(single, from, to, ical::ExpandLimits{}).single);
    // No parse: as for text that is no calendar.
    BOOST_TEST(ical::read_event_occurrences("x", nullptr, from, to, ical::ExpandLimits{}).error.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
