// The parsed-event cache of listings and conflict checks (issue 24): one
// parse per object version and window, a new ETag parsed again, the bound
// kept by dropping the least recently used object.
#include "caldav/parsed_event_cache.hpp"

#include <boost/test/unit_test.hpp>

using namespace caldav;

namespace {

std::int64_t utc(std::string_view text) {
    auto t = ical::parse_rfc3339(text);
    BOOST_REQUIRE(t.has_value());
    return *t;
}

/// A stored VEVENT as a store gives it: id, ETag and data.
ObjectRecord object(std::int64_t id, const std::string& etag, const std::string& title,
                    const std::string& rule = "") {
    ObjectRecord o;
    o.id = id;
    o.etag = etag;
    o.component = "VEVENT";
    o.data = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:e" + std::to_string(id) +
             "\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270104T100000Z\r\nDTEND:20270104T103000Z\r\nSUMMARY:" +
             title + "\r\n" + rule + "END:VEVENT\r\nEND:VCALENDAR\r\n";
    return o;
}

const std::string daily = "RRULE:FREQ=DAILY\r\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(parsed_event_cache)

BOOST_AUTO_TEST_CASE(a_series_listed_twice_in_one_block_is_parsed_once) {
    ParsedEventCache cache(10);
    auto o = object(1, "1-a", "Standup", daily);
    auto week = cache.occurrences(o, utc("2027-01-04T00:00:00Z"), utc("2027-01-11T00:00:00Z"), {});
    auto day = cache.occurrences(o, utc("2027-01-05T00:00:00Z"), utc("2027-01-06T00:00:00Z"), {});
    BOOST_TEST(cache.parses() == 1u);
    BOOST_TEST(week == day);  // the same kept window answers both
    BOOST_TEST(day->occurrences.items.size() >= 7u);
    BOOST_TEST(day->occurrences.views.front().title == "Standup");
}

BOOST_AUTO_TEST_CASE(a_new_etag_is_parsed_again_and_gives_the_edited_values) {
    ParsedEventCache cache(10);
    const auto start = utc("2027-01-04T00:00:00Z"), end = utc("2027-01-11T00:00:00Z");
    BOOST_TEST(cache.occurrences(object(1, "1-a", "Standup", daily), start, end, {})->occurrences.views.front().title ==
               "Standup");
    auto edited = cache.occurrences(object(1, "2-b", "Standup (moved)", daily), start, end, {});
    BOOST_TEST(cache.parses() == 2u);
    BOOST_TEST(edited->occurrences.views.front().title == "Standup (moved)");
    BOOST_TEST(cache.size() == 1u);  // the old version's windows went with it
}

BOOST_AUTO_TEST_CASE(the_same_id_and_etag_with_other_bytes_is_not_taken_for_the_kept_version) {
    ParsedEventCache cache(10);
    const auto start = utc("2027-01-04T00:00:00Z"), end = utc("2027-01-11T00:00:00Z");
    cache.occurrences(object(1, "1-a", "Standup"), start, end, {});
    auto other = cache.occurrences(object(1, "1-a", "Another store's event"), start, end, {});
    BOOST_TEST(other->occurrences.views.front().title == "Another store's event");
}

BOOST_AUTO_TEST_CASE(a_week_in_another_block_is_parsed_and_kept_beside_the_first) {
    ParsedEventCache cache(10);
    auto o = object(1, "1-a", "Standup", daily);
    const auto january = utc("2027-01-04T00:00:00Z"), june = utc("2027-06-07T00:00:00Z");
    cache.occurrences(o, january, january + 7 * 86400, {});
    auto summer = cache.occurrences(o, june, june + 7 * 86400, {});
    cache.occurrences(o, january, january + 7 * 86400, {});
    cache.occurrences(o, june + 86400, june + 2 * 86400, {});
    BOOST_TEST(cache.parses() == 2u);
    bool has_june_7 = false;
    for (const auto& item : summer->occurrences.items) has_june_7 |= item.instance.start == june + 10 * 3600;
    BOOST_TEST(has_june_7);
}

BOOST_AUTO_TEST_CASE(a_single_event_answers_every_window_from_one_parse) {
    ParsedEventCache cache(10);
    auto o = object(1, "1-a", "Lunch");
    auto first = cache.occurrences(o, utc("2027-01-04T00:00:00Z"), utc("2027-01-05T00:00:00Z"), {});
    cache.occurrences(o, utc("2030-01-01T00:00:00Z"), utc("2030-01-02T00:00:00Z"), {});
    BOOST_TEST(cache.parses() == 1u);
    BOOST_TEST(first->occurrences.single);
    BOOST_REQUIRE(first->occurrences.items.size() == 1u);
    BOOST_TEST(first->occurrences.items.front().instance.start == utc("2027-01-04T10:00:00Z"));
}

BOOST_AUTO_TEST_CASE(past_its_capacity_the_least_recently_used_object_is_dropped) {
    ParsedEventCache cache(2);
    const auto start = utc("2027-01-04T00:00:00Z"), end = utc("2027-01-11T00:00:00Z");
    auto a = object(1, "1-a", "A"), b = object(2, "1-b", "B"), c = object(3, "1-c", "C");
    cache.occurrences(a, start, end, {});
    cache.occurrences(b, start, end, {});
    cache.occurrences(a, start, end, {});  // a used last: b is the one to go
    cache.occurrences(c, start, end, {});
    BOOST_TEST(cache.size() == 2u);
    BOOST_TEST(cache.parses() == 3u);
    cache.occurrences(a, start, end, {});
    BOOST_TEST(cache.parses() == 3u);
    cache.occurrences(b, start, end, {});
    BOOST_TEST(cache.parses() == 4u);
    cache.set_capacity(0);
    BOOST_TEST(cache.size() == 0u);
    cache.occurrences(b, start, end, {});
    BOOST_TEST(cache.parses() == 5u);
    BOOST_TEST(cache.size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_window_a_listing_holds_stays_whole_after_its_object_is_dropped) {
    ParsedEventCache cache(1);
    const auto start = utc("2027-01-04T00:00:00Z"), end = utc("2027-01-11T00:00:00Z");
    auto held = cache.occurrences(object(1, "1-a", "Standup", daily), start, end, {});
    cache.occurrences(object(2, "1-b", "Other"), start, end, {});  // object 1 goes
    cache.occurrences(object(1, "1-c", "Standup (moved)", daily), start, end, {});  // a new version goes in
    BOOST_TEST(cache.size() == 1u);
    BOOST_TEST(held->occurrences.views.front().title == "Standup");
    BOOST_TEST(held->occurrences.items.size() >= 7u);
}

BOOST_AUTO_TEST_CASE(a_block_over_the_instance_cap_falls_back_to_the_range_alone) {
    ParsedEventCache cache(10);
    auto o = object(1, "1-a", "Often", "RRULE:FREQ=HOURLY\r\n");
    ical::ExpandLimits limits;
    limits.max_instances = 100;  // a day holds 24, a 28-day block 672
    auto day = cache.occurrences(o, utc("2027-01-05T00:00:00Z"), utc("2027-01-06T00:00:00Z"), limits);
    BOOST_TEST(!day->occurrences.error.has_value());
    BOOST_TEST(day->occurrences.items.size() == 24u);
    BOOST_TEST(cache.size() == 0u);  // the range alone is not kept
}

BOOST_AUTO_TEST_SUITE_END()
