// Validation with line numbers (what `kalends ics validate` prints).
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "ical/calendar_data.hpp"
#include "ical/object_index.hpp"
#include "tests/ical/support.hpp"

using namespace ical_test;

BOOST_AUTO_TEST_SUITE(validate)

BOOST_AUTO_TEST_CASE(valid_object_has_no_errors) {
    auto errors = ical::validate_calendar(event("DTSTART:20240105T100000Z\nSUMMARY:ok\n X folded"));
    BOOST_TEST(errors.empty());
}

BOOST_AUTO_TEST_CASE(broken_content_line_is_reported_with_its_line) {
    auto errors = ical::validate_calendar(event("DTSTART:20240105T100000Z\nthis is not a property"));
    BOOST_REQUIRE(!errors.empty());
    BOOST_TEST(errors[0].line == 8);
}

BOOST_AUTO_TEST_CASE(unclosed_component_is_reported) {
    std::string ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VCALENDAR\r\n";
    auto errors = ical::validate_calendar(ics);
    BOOST_REQUIRE(!errors.empty());
    BOOST_TEST(errors[0].line == 5);
}

BOOST_AUTO_TEST_CASE(caldav_object_rules_are_checked) {
    std::string ics = event("DTSTART:20240105T100000Z");
    ics.insert(ics.find("BEGIN:VEVENT"), "METHOD:REQUEST\r\n");
    BOOST_TEST(!ical::validate_calendar(ics).empty());
    BOOST_TEST(!ical::validate_calendar(event("DTSTART;TZID=Nowhere/Special:20240105T100000")).empty());
}

BOOST_AUTO_TEST_CASE(garbage_never_crashes) {
    for (const char* text : {"", "BEGIN:VCALENDAR", "END:VCALENDAR", ":::", "BEGIN:VCALENDAR\r\n\r\n \r\nEND:VCALENDAR",
                             "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:garbage\nRRULE:FREQ=NOPE\nEND:VEVENT\nEND:VCALENDAR"}) {
        (void)ical::validate_calendar(text);
        (void)ical::expand(text, std::nullopt, std::nullopt, {});
    }
    BOOST_TEST(true);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(object_index)

// Issue 22 item 17, RFC 5545 §3.2.19: a TZID in EXDATE, RECURRENCE-ID or an
// alarm names a VTIMEZONE of the object or a known zone, like one in DTSTART.
BOOST_AUTO_TEST_CASE(a_tzid_naming_no_zone_anywhere_in_the_object_is_refused) {
    const std::string start = "DTSTART;TZID=America/New_York:20240101T090000\nRRULE:FREQ=DAILY;COUNT=5\n";
    for (const std::string& line :
         {std::string("EXDATE;TZID=Nowhere/Atlantis:20240102T090000"),
          std::string("BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:x\nTRIGGER;VALUE=DATE-TIME:20240101T080000Z\n"
                      "X-ALARM-AT;TZID=Nowhere/Atlantis:20240101T080000\nEND:VALARM")}) {
        auto r = ical::index_object(event(start + line), 1000);
        BOOST_TEST(!r.index.has_value(), line);
        if (!r.index) BOOST_TEST((r.error->kind == ical::IndexErrorKind::invalid_data));
    }
    // A known zone (IANA or Windows name) without VTIMEZONE stays accepted.
    BOOST_TEST(ical::index_object(event(start + "EXDATE;TZID=Europe/Paris:20240102T150000"), 1000).index.has_value());
    BOOST_TEST(ical::index_object(event(start + "EXDATE;TZID=Eastern Standard Time:20240102T090000"), 1000).index.has_value());
}

BOOST_AUTO_TEST_CASE(bounded_rules_get_a_last_end_and_endless_ones_none) {
    auto r = ical::index_object(event("DTSTART:20240101T100000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY;UNTIL=20240110T100000Z"),
                                10000);
    BOOST_REQUIRE(r.index);
    BOOST_TEST(*r.index->first_start == utc("20240101T100000Z"));
    BOOST_TEST(*r.index->last_end == utc("20240110T110000Z"));
    r = ical::index_object(event("DTSTART;TZID=America/New_York:20240101T090000\nRRULE:FREQ=WEEKLY;COUNT=12"), 10000);
    BOOST_REQUIRE(r.index);
    BOOST_TEST(*r.index->last_end == utc("20240318T130000Z"));
    r = ical::index_object(event("DTSTART:20240101T100000Z\nRRULE:FREQ=DAILY"), 10000);
    BOOST_REQUIRE(r.index);
    BOOST_TEST(!r.index->last_end);
}

BOOST_AUTO_TEST_CASE(indexing_an_impossible_secondly_rule_returns_at_once) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = ical::index_object(event("DTSTART:20240101T100000Z\nRRULE:FREQ=SECONDLY;COUNT=5;BYMONTH=2;BYMONTHDAY=31"),
                                10000);
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count() <
               500);
    BOOST_REQUIRE(r.index);
    BOOST_TEST(*r.index->last_end == utc("20240101T100000Z"));
}

BOOST_AUTO_TEST_SUITE_END()
