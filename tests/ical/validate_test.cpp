// Validation with line numbers (what `kalends ics validate` prints).
#include <boost/test/unit_test.hpp>

#include "ical/calendar_data.hpp"
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
