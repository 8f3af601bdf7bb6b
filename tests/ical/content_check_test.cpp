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
