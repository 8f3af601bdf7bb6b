// Calendar data holding what RFC 5545 §3.1/§3.1.4/§3.3.11 or XML 1.0 forbids is
// refused before it is stored (issue 22 items 4, 12, 17).
#include "ical/content_check.hpp"

#include <boost/test/unit_test.hpp>

#include "ical/object_index.hpp"
#include "ical/scheduling.hpp"
#include "tests/ical/support.hpp"

using namespace ical_test;

namespace {

bool refused(const std::string& ics) {
    auto r = ical::index_object(ics, 1000);
    return !r && r.error->kind == ical::IndexErrorKind::invalid_data;
}

bool accepted(const std::string& ics) {
    auto r = ical::index_object(ics, 1000);
    if (!r) BOOST_TEST_MESSAGE("refused: " << r.error->message);
    return static_cast<bool>(r);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(content_check)

BOOST_AUTO_TEST_CASE(control_characters_in_values_are_refused) {
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nSUMMARY:lunch\x01\x0b")));
    BOOST_TEST(refused(event(std::string("DTSTART:20240105T100000Z\nSUMMARY:a") + '\0' + "b")));
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nSUMMARY:a\rb")));
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nSUMMARY:del\x7f")));
    auto e = ical::check_characters(event("DTSTART:20240105T100000Z\nSUMMARY:lunch\x01"));
    BOOST_REQUIRE(e);
    BOOST_TEST(e->line == 8);
    BOOST_TEST(e->message.find("U+0001") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tabs_lf_and_crlf_line_ends_and_folding_are_accepted) {
    BOOST_TEST(accepted(event("DTSTART:20240105T100000Z\nSUMMARY:a\tb\n  folded")));
    std::string lf = event("DTSTART:20240105T100000Z\nSUMMARY:x");
    for (std::size_t p; (p = lf.find("\r\n")) != std::string::npos;) lf.erase(p, 1);
    BOOST_TEST(accepted(lf));
}

BOOST_AUTO_TEST_CASE(data_that_is_not_utf8_is_refused) {
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nSUMMARY:caf\xe9")));   // ISO-8859-1 é
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nSUMMARY:\xff")));
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nSUMMARY:\xc0\xaf")));   // overlong '/'
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nSUMMARY:\xed\xa0\x80")));  // surrogate
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nSUMMARY:\xf4\x90\x80\x80")));  // past U+10FFFF
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nSUMMARY:cut \xe2\x82")));
    BOOST_TEST(accepted(event("DTSTART:20240105T100000Z\nSUMMARY:caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8d\xb0")));
}

BOOST_AUTO_TEST_CASE(characters_xml_forbids_are_refused) {
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nSUMMARY:\xef\xbf\xbe")));  // U+FFFE
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nSUMMARY:\xef\xbf\xbf")));  // U+FFFF
    BOOST_TEST(refused("\xef\xbb\xbf" + event("DTSTART:20240105T100000Z")));       // BOM
}

BOOST_AUTO_TEST_CASE(bad_text_escapes_are_refused_and_good_ones_kept) {
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nSUMMARY:a\\qb")));
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nDESCRIPTION:trailing\\")));
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nLOCATION;LANGUAGE=en:a\\:b")));
    BOOST_TEST(accepted(
        event("DTSTART:20240105T100000Z\nSUMMARY:a\\, b\\; c\\\\d\\ne\\Nf\nDESCRIPTION:x\\\n \\, folded")));
    // Other value types and X- properties have their own grammar.
    BOOST_TEST(accepted(event("DTSTART:20240105T100000Z\nX-FOO:a\\qb\nATTACH:http://x/a\\b")));
}

BOOST_AUTO_TEST_CASE(outbox_freebusy_lookups_with_control_characters_are_refused) {
    auto lookup = [](std::string_view attendee) {
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\nUID:fb\r\n"
               "DTSTAMP:20240101T000000Z\r\nDTSTART:20240101T000000Z\r\nDTEND:20240102T000000Z\r\n"
               "ORGANIZER:mailto:alice@example.com\r\nATTENDEE:" +
               std::string(attendee) + "\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
    };
    BOOST_TEST(ical::parse_freebusy_request(lookup("mailto:bob@example.com")).request.has_value());
    auto r = ical::parse_freebusy_request(lookup("mailto:bob\x01@example.com"));
    BOOST_TEST(!r.request.has_value());
    BOOST_REQUIRE(r.error);
    BOOST_TEST(r.error->message.find("control character") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(time_values)

// issue 22 items 10 and 17: impossible dates, ends before starts, UTC-only values.
BOOST_AUTO_TEST_CASE(impossible_dates_and_ends_before_starts_are_refused) {
    BOOST_TEST(refused(event("DTSTART:20241305T100000Z")));
    BOOST_TEST(refused(event("DTSTART;VALUE=DATE:20240230")));
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nDTEND:20240105T090000Z")));
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nDUE:20240104T100000Z", "VTODO")));
    BOOST_TEST(accepted(event("DTSTART:20240105T100000Z\nDTEND:20240105T100000Z")));
    BOOST_TEST(accepted(event("DTSTART;TZID=Europe/Berlin:20240105T100000\nDTEND:20240105T093000Z")));
}

BOOST_AUTO_TEST_CASE(utc_only_properties_in_local_time_are_refused) {
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nCREATED:20240101T000000")));
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nLAST-MODIFIED;TZID=Europe/Berlin:20240101T000000")));
    BOOST_TEST(refused(event("DTSTART:20240105T100000Z\nBEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:x\n"
                             "TRIGGER:-PT5M\nACKNOWLEDGED:20240101T000000\nEND:VALARM")));
    BOOST_TEST(accepted(event("DTSTART:20240105T100000Z\nCREATED:20240101T000000Z\nBEGIN:VALARM\nACTION:DISPLAY\n"
                              "DESCRIPTION:x\nTRIGGER:-PT5M\nACKNOWLEDGED:20240101T000000Z\nEND:VALARM")));
}

BOOST_AUTO_TEST_SUITE_END()
