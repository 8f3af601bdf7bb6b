// Free/busy (RFC 4791 §7.10, RFC 7953): which time is busy, merging, clipping,
// and the VFREEBUSY text.
#include <boost/test/unit_test.hpp>

#include "ical/freebusy.hpp"
#include "tests/ical/support.hpp"

using namespace ical_test;
using ical::BusyPeriod;
using ical::BusyType;

namespace {

std::vector<BusyPeriod> busy(const std::string& ics, const char* from = "20240101T000000Z",
                             const char* to = "20240201T000000Z", std::string_view floating_zone = {}) {
    std::vector<BusyPeriod> out;
    auto error = ical::collect_busy(ics, utc(from), utc(to), {}, out, floating_zone);
    BOOST_REQUIRE_MESSAGE(!error, (error ? error->message : ""));
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(freebusy)

BOOST_AUTO_TEST_CASE(opaque_event_is_busy_and_clipped_to_the_range) {
    auto out = busy(event("DTSTART:20231231T230000Z\nDTEND:20240101T010000Z"));
    BOOST_REQUIRE(out.size() == 1u);
    BOOST_TEST(out[0].start == utc("20240101T000000Z"));
    BOOST_TEST(out[0].end == utc("20240101T010000Z"));
    BOOST_TEST((out[0].type == BusyType::busy));
}

BOOST_AUTO_TEST_CASE(transparent_and_cancelled_events_take_no_time) {
    BOOST_TEST(busy(event("DTSTART:20240105T100000Z\nDTEND:20240105T110000Z\nTRANSP:TRANSPARENT")).empty());
    BOOST_TEST(busy(event("DTSTART:20240105T100000Z\nDTEND:20240105T110000Z\nSTATUS:CANCELLED")).empty());
    BOOST_TEST(busy(event("DTSTART:20240105T100000Z")).empty());  // no duration, no busy time
}

BOOST_AUTO_TEST_CASE(a_meeting_declined_by_the_calendar_user_takes_none_of_their_time) {
    auto meeting = event("DTSTART:20240105T100000Z\nDTEND:20240105T110000Z\n"
                         "ORGANIZER:mailto:alice@example.com\n"
                         "ATTENDEE;PARTSTAT=DECLINED:mailto:Bob@Example.com\n"
                         "ATTENDEE;PARTSTAT=ACCEPTED:mailto:carol@example.com");
    auto for_user = [&](std::vector<std::string> addresses) {
        std::vector<BusyPeriod> out;
        BOOST_REQUIRE(!ical::collect_busy(meeting, utc("20240101T000000Z"), utc("20240201T000000Z"), {}, out, {},
                                          addresses));
        return out;
    };
    BOOST_TEST(for_user({"mailto:bob@example.com"}).empty());     // bob declined (addresses compare case-blind)
    BOOST_TEST(for_user({"mailto:carol@example.com"}).size() == 1u);  // carol accepted
    BOOST_TEST(for_user({}).size() == 1u);                         // no user named: RFC 4791 §7.10 only
}

BOOST_AUTO_TEST_CASE(tentative_event_is_busy_tentative) {
    auto out = busy(event("DTSTART:20240105T100000Z\nDTEND:20240105T110000Z\nSTATUS:TENTATIVE"));
    BOOST_REQUIRE(out.size() == 1u);
    BOOST_TEST((out[0].type == BusyType::busy_tentative));
}

BOOST_AUTO_TEST_CASE(recurring_event_gives_each_instance) {
    auto out = busy(event("DTSTART;TZID=Europe/Berlin:20240101T100000\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;COUNT=10"));
    BOOST_TEST(out.size() == 5u);
}

BOOST_AUTO_TEST_CASE(floating_event_is_read_in_the_given_zone) {
    auto out = busy(event("DTSTART:20240105T100000\nDTEND:20240105T110000"), "20240101T000000Z", "20240201T000000Z",
                    "Europe/Berlin");
    BOOST_REQUIRE(out.size() == 1u);
    BOOST_TEST(out[0].start == utc("20240105T090000Z"));
}

BOOST_AUTO_TEST_CASE(vfreebusy_periods_keep_their_fbtype) {
    std::string ics =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VFREEBUSY\r\nUID:fb-1\r\nDTSTAMP:20240101T000000Z\r\n"
        "DTSTART:20240101T000000Z\r\nDTEND:20240201T000000Z\r\n"
        "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20240105T100000Z/PT1H\r\n"
        "FREEBUSY:20240106T100000Z/20240106T120000Z,20240107T100000Z/PT30M\r\n"
        "FREEBUSY;FBTYPE=FREE:20240108T100000Z/PT1H\r\n"
        "END:VFREEBUSY\r\nEND:VCALENDAR\r\n";
    auto out = ical::merge_busy(busy(ics));
    BOOST_REQUIRE(out.size() == 3u);
    BOOST_TEST((out[0].type == BusyType::busy));
    BOOST_TEST(out[0].end - out[0].start == 7200);
    BOOST_TEST(out[1].end - out[1].start == 1800);
    BOOST_TEST((out[2].type == BusyType::busy_tentative));
}

BOOST_AUTO_TEST_CASE(vavailability_makes_time_outside_available_slots_unavailable) {
    std::string ics =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VAVAILABILITY\r\nUID:av-1\r\n"
        "DTSTAMP:20240101T000000Z\r\nDTSTART:20240101T000000Z\r\nDTEND:20240103T000000Z\r\n"
        "BEGIN:AVAILABLE\r\nUID:av-1-slot\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T090000Z\r\n"
        "DTEND:20240101T170000Z\r\nRRULE:FREQ=DAILY\r\nEND:AVAILABLE\r\nEND:VAVAILABILITY\r\nEND:VCALENDAR\r\n";
    auto out = ical::merge_busy(busy(ics));
    BOOST_REQUIRE(out.size() == 3u);
    BOOST_TEST((out[0].type == BusyType::busy_unavailable));
    BOOST_TEST(out[0].start == utc("20240101T000000Z"));
    BOOST_TEST(out[0].end == utc("20240101T090000Z"));
    BOOST_TEST(out[1].start == utc("20240101T170000Z"));
    BOOST_TEST(out[1].end == utc("20240102T090000Z"));
    BOOST_TEST(out[2].start == utc("20240102T170000Z"));
    BOOST_TEST(out[2].end == utc("20240103T000000Z"));
}

BOOST_AUTO_TEST_CASE(merging_joins_overlapping_and_touching_periods_of_one_type) {
    std::vector<BusyPeriod> in{{100, 200, BusyType::busy},
                               {150, 300, BusyType::busy},
                               {300, 400, BusyType::busy},
                               {500, 600, BusyType::busy},
                               {120, 130, BusyType::busy_tentative}};
    auto out = ical::merge_busy(in);
    BOOST_REQUIRE(out.size() == 3u);
    BOOST_TEST(out[0].start == 100);
    BOOST_TEST(out[0].end == 400);
    BOOST_TEST(out[1].start == 500);
    BOOST_TEST((out[2].type == BusyType::busy_tentative));
}

BOOST_AUTO_TEST_CASE(render_gives_a_vfreebusy_with_crlf_lines) {
    std::vector<BusyPeriod> in{{utc("20240105T100000Z"), utc("20240105T110000Z"), BusyType::busy},
                               {utc("20240105T103000Z"), utc("20240105T120000Z"), BusyType::busy},
                               {utc("20240106T100000Z"), utc("20240106T110000Z"), BusyType::busy_unavailable}};
    auto text = ical::render_freebusy(in, utc("20240101T000000Z"), utc("20240201T000000Z"),
                                      "mailto:organizer@example.com", "mailto:attendee@example.com", "fb-uid");
    BOOST_TEST(text.find("BEGIN:VFREEBUSY\r\n") != std::string::npos);
    BOOST_TEST(text.find("DTSTART:20240101T000000Z\r\nDTEND:20240201T000000Z\r\n") != std::string::npos);
    BOOST_TEST(text.find("FREEBUSY;FBTYPE=BUSY:20240105T100000Z/20240105T120000Z\r\n") != std::string::npos);
    BOOST_TEST(text.find("FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20240106T100000Z/20240106T110000Z\r\n") != std::string::npos);
    BOOST_TEST(text.find("ORGANIZER:mailto:organizer@example.com\r\n") != std::string::npos);
    BOOST_TEST(text.find("DTSTAMP:") != std::string::npos);
    BOOST_TEST(text.find("\n\n") == std::string::npos);
    // The rendered text is itself valid input.
    BOOST_TEST(busy(text).size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
