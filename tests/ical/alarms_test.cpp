// Alarm firings (ical/alarms.hpp; RFC 5545 §3.6.6, RFC 9074): each test
// asserts the exact set of firings — instance, instant, action.
#include "ical/alarms.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <sstream>

#include "ical/calendar_data.hpp"
#include "tests/ical/support.hpp"

using namespace ical_test;

namespace {

/// The firings of `ics` in [from, to) as "RECURRENCE-ID@TRIGGER ACTION" lines
/// (TRIGGER as a UTC basic time), in order.
std::vector<std::string> fired(const std::string& ics, const char* from, const char* to,
                               std::vector<std::string> owner = {"me@example.com"}) {
    ical::AlarmOptions options;
    options.owner_addresses = std::move(owner);
    auto result = ical::alarm_firings(ics, utc(from), utc(to), options);
    BOOST_TEST(!result.error.has_value());
    std::vector<std::string> out;
    for (const auto& f : result.firings) out.push_back(f.recurrence_id + "@" + ical::format_utc(f.trigger_at) + " " + f.action);
    return out;
}

using Lines = std::vector<std::string>;

const std::string valarm_display_15 = "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:r\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(alarms)

BOOST_AUTO_TEST_CASE(triggers_relative_to_the_start_and_to_the_end_fire_at_their_instants) {
    auto ics = event("DTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\n" + valarm_display_15 +
                     "BEGIN:VALARM\r\nACTION:EMAIL\r\nSUMMARY:s\r\nDESCRIPTION:d\r\nATTENDEE:mailto:me@example.com\r\n"
                     "TRIGGER;RELATED=END:PT5M\r\nEND:VALARM\r\n");
    BOOST_TEST((fired(ics, "20250301T000000Z", "20250401T000000Z") ==
                Lines{"20250310T090000Z@20250310T084500Z DISPLAY", "20250310T090000Z@20250310T100500Z EMAIL"}));
    // The window is half-open: a firing at its end is the next window's.
    BOOST_TEST((fired(ics, "20250310T084500Z", "20250310T100500Z") == Lines{"20250310T090000Z@20250310T084500Z DISPLAY"}));
    ical::AlarmOptions none;
    auto r = ical::alarm_firings(ics, utc("20250301T000000Z"), utc("20250401T000000Z"), none);
    BOOST_TEST_REQUIRE(r.firings.size() == 2u);
    BOOST_TEST((r.firings[1].attendees == std::vector<std::string>{"me@example.com"}));
    BOOST_TEST(r.firings[1].alarm_index == 1);
}

BOOST_AUTO_TEST_CASE(an_absolute_trigger_fires_once_with_its_repeats) {
    auto ics = event("DTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\n"
                     "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:r\r\nTRIGGER;VALUE=DATE-TIME:20250309T200000Z\r\n"
                     "REPEAT:2\r\nDURATION:PT10M\r\nEND:VALARM\r\n");
    BOOST_TEST((fired(ics, "20250301T000000Z", "20250401T000000Z") ==
                Lines{"@20250309T200000Z DISPLAY", "@20250309T201000Z DISPLAY", "@20250309T202000Z DISPLAY"}));
}

BOOST_AUTO_TEST_CASE(repeats_of_a_relative_alarm_fire_duration_apart_for_each_instance) {
    auto ics = event("DTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\nRRULE:FREQ=DAILY;COUNT=2\r\n"
                     "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:r\r\nTRIGGER:-PT10M\r\nREPEAT:1\r\n"
                     "DURATION:PT5M\r\nEND:VALARM\r\n");
    BOOST_TEST((fired(ics, "20250301T000000Z", "20250401T000000Z") ==
                Lines{"20250310T090000Z@20250310T085000Z DISPLAY", "20250310T090000Z@20250310T085500Z DISPLAY",
                      "20250311T090000Z@20250311T085000Z DISPLAY", "20250311T090000Z@20250311T085500Z DISPLAY"}));
}

BOOST_AUTO_TEST_CASE(a_new_york_0900_reminder_fires_at_0845_new_york_on_both_sides_of_a_dst_change) {
    // DST began in New York on 2025-03-09: 08:45 EST is 13:45Z, 08:45 EDT 12:45Z.
    auto ics = event("DTSTART;TZID=America/New_York:20250308T090000\r\nDTEND;TZID=America/New_York:20250308T093000\r\n"
                     "RRULE:FREQ=DAILY;COUNT=3\r\n" + valarm_display_15);
    auto got = fired(ics, "20250301T000000Z", "20250401T000000Z");
    BOOST_TEST((got == Lines{"20250308T140000Z@20250308T134500Z DISPLAY", "20250309T130000Z@20250309T124500Z DISPLAY",
                             "20250310T130000Z@20250310T124500Z DISPLAY"}));
    // And so in autumn (2025-11-02).
    auto autumn = event("DTSTART;TZID=America/New_York:20251101T090000\r\nDTEND;TZID=America/New_York:20251101T093000\r\n"
                        "RRULE:FREQ=DAILY;COUNT=2\r\n" + valarm_display_15);
    BOOST_TEST((fired(autumn, "20251001T000000Z", "20251201T000000Z") ==
                Lines{"20251101T130000Z@20251101T124500Z DISPLAY", "20251102T140000Z@20251102T134500Z DISPLAY"}));
}

BOOST_AUTO_TEST_CASE(overridden_instances_fire_their_own_alarms_and_exdated_or_cancelled_ones_none) {
    std::string ics =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        "BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\n"
        "RRULE:FREQ=DAILY;COUNT=5\r\nEXDATE:20250311T090000Z\r\n" + valarm_display_15 + "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20250101T000000Z\r\nRECURRENCE-ID:20250312T090000Z\r\n"
        "DTSTART:20250312T110000Z\r\nDTEND:20250312T120000Z\r\n"
        "BEGIN:VALARM\r\nACTION:EMAIL\r\nSUMMARY:s\r\nDESCRIPTION:d\r\nTRIGGER:-PT30M\r\nEND:VALARM\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20250101T000000Z\r\nRECURRENCE-ID:20250313T090000Z\r\n"
        "DTSTART:20250313T090000Z\r\nDTEND:20250313T100000Z\r\nSTATUS:CANCELLED\r\n" + valarm_display_15 +
        "END:VEVENT\r\nEND:VCALENDAR\r\n";
    BOOST_TEST((fired(ics, "20250301T000000Z", "20250401T000000Z") ==
                Lines{"20250310T090000Z@20250310T084500Z DISPLAY", "20250312T090000Z@20250312T103000Z EMAIL",
                      "20250314T090000Z@20250314T084500Z DISPLAY"}));
}

BOOST_AUTO_TEST_CASE(an_acknowledged_firing_does_not_fire_and_later_ones_still_do) {
    auto ics = event("DTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\nRRULE:FREQ=DAILY;COUNT=2\r\n"
                     "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:r\r\nTRIGGER:-PT15M\r\n"
                     "ACKNOWLEDGED:20250310T084600Z\r\nEND:VALARM\r\n");
    BOOST_TEST((fired(ics, "20250301T000000Z", "20250401T000000Z") == Lines{"20250311T090000Z@20250311T084500Z DISPLAY"}));
}

BOOST_AUTO_TEST_CASE(a_snooze_alarm_fires_in_place_of_its_parent) {
    auto ics = event("DTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\n"
                     "BEGIN:VALARM\r\nUID:parent\r\nACTION:DISPLAY\r\nDESCRIPTION:r\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n"
                     "BEGIN:VALARM\r\nUID:snooze\r\nRELATED-TO;RELTYPE=SNOOZE:parent\r\nACTION:DISPLAY\r\n"
                     "DESCRIPTION:r\r\nTRIGGER;VALUE=DATE-TIME:20250310T085500Z\r\nEND:VALARM\r\n");
    ical::AlarmOptions options;
    auto r = ical::alarm_firings(ics, utc("20250301T000000Z"), utc("20250401T000000Z"), options);
    BOOST_TEST_REQUIRE(r.firings.size() == 1u);
    BOOST_TEST(ical::format_utc(r.firings[0].trigger_at) == "20250310T085500Z");
    BOOST_TEST(r.firings[0].alarm_uid == "snooze");
    BOOST_TEST(r.firings[0].snooze);
}

BOOST_AUTO_TEST_CASE(an_event_the_owner_declined_fires_nothing_but_one_another_declined_does) {
    auto invitation = [](const char* partstat) {
        return event(std::string("DTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\n"
                                 "ORGANIZER:mailto:boss@example.com\r\nATTENDEE;PARTSTAT=") +
                     partstat + ":mailto:Me@Example.com\r\nATTENDEE;PARTSTAT=DECLINED:mailto:other@example.com\r\n" +
                     valarm_display_15);
    };
    BOOST_TEST(fired(invitation("DECLINED"), "20250301T000000Z", "20250401T000000Z").empty());
    BOOST_TEST((fired(invitation("ACCEPTED"), "20250301T000000Z", "20250401T000000Z") ==
                Lines{"20250310T090000Z@20250310T084500Z DISPLAY"}));
}

BOOST_AUTO_TEST_CASE(an_object_without_alarms_has_none_and_says_so) {
    ical::AlarmOptions options;
    auto r = ical::alarm_firings(event("DTSTART:20250310T090000Z\r\n"), 0, utc("20300101T000000Z"), options);
    BOOST_TEST(r.firings.empty());
    BOOST_TEST(!r.has_alarms);
}

BOOST_AUTO_TEST_CASE(a_parse_handed_in_fires_as_the_text_parsed_anew_and_is_left_as_it_was) {
    auto ics = event("DTSTART;TZID=America/New_York:20250308T090000\r\nDTEND;TZID=America/New_York:20250308T093000\r\n"
                     "RRULE:FREQ=DAILY;COUNT=3\r\n" + valarm_display_15 +
                     "BEGIN:VALARM\r\nACTION:EMAIL\r\nSUMMARY:s\r\nDESCRIPTION:d\r\nATTENDEE:mailto:me@example.com\r\n"
                     "TRIGGER;RELATED=END:PT5M\r\nEND:VALARM\r\n");
    ical::AlarmOptions options;
    options.owner_addresses = {"me@example.com"};
    auto parsed = ical::parse_with_libical(ics);
    BOOST_REQUIRE(parsed);
    char* before = icalcomponent_as_ical_string_r(parsed.get());
    const std::string text_before = before;
    free(before);
    auto anew = ical::alarm_firings(ics, utc("20250301T000000Z"), utc("20250401T000000Z"), options);
    for (int round = 0; round < 2; ++round) {  // read twice: the parse serves again
        auto given = ical::alarm_firings(ics, parsed.get(), utc("20250301T000000Z"), utc("20250401T000000Z"), options);
        BOOST_TEST(given.has_alarms);
        BOOST_REQUIRE(given.firings.size() == anew.firings.size());
        BOOST_TEST(given.firings.size() == 6u);
        for (std::size_t i = 0; i < given.firings.size(); ++i) {
            BOOST_TEST(given.firings[i].trigger_at == anew.firings[i].trigger_at);
            BOOST_TEST(given.firings[i].recurrence_id == anew.firings[i].recurrence_id);
            BOOST_TEST(given.firings[i].action == anew.firings[i].action);
            BOOST_TEST((given.firings[i].attendees == anew.firings[i].attendees));
        }
    }
    char* after = icalcomponent_as_ical_string_r(parsed.get());
    BOOST_TEST(std::string(after) == text_before);
    free(after);
    // Text without VALARM has no alarms, whatever parse comes with it.
    auto plain = event("DTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\n");
    auto plain_parsed = ical::parse_with_libical(plain);
    auto none = ical::alarm_firings(plain, plain_parsed.get(), utc("20250301T000000Z"), utc("20250401T000000Z"), options);
    BOOST_TEST(!none.has_alarms);
    BOOST_TEST(none.firings.empty());
}

BOOST_AUTO_TEST_SUITE_END()
