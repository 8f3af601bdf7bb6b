// Expansion behaviour: RFC 4791 §9.9 time ranges, DST in the event's zone,
// all-day and floating times, overrides, caps, Windows zone names, and the
// CALDAV:expand / limit-recurrence-set outputs.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>
#include <vector>

#include "tests/ical/support.hpp"

using namespace ical_test;

namespace {

ical::Expansion run(const std::string& ics, std::optional<std::int64_t> from, std::optional<std::int64_t> to,
                    ical::ExpandLimits limits = {}) {
    return ical::expand(ics, from, to, limits);
}

std::size_t count(const ical::Expansion& e) { return e.instances.size(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(time_range)

BOOST_AUTO_TEST_CASE(event_with_dtend_overlaps_only_ranges_that_cross_it) {
    auto ics = event("DTSTART:20240105T100000Z\nDTEND:20240105T110000Z");
    BOOST_TEST(count(run(ics, utc("20240105T103000Z"), utc("20240105T104500Z"))) == 1u);
    BOOST_TEST(count(run(ics, utc("20240105T110000Z"), utc("20240105T120000Z"))) == 0u);
    BOOST_TEST(count(run(ics, utc("20240105T090000Z"), utc("20240105T100000Z"))) == 0u);
    BOOST_TEST(count(run(ics, std::nullopt, utc("20240105T100001Z"))) == 1u);
    BOOST_TEST(count(run(ics, utc("20240105T105959Z"), std::nullopt)) == 1u);
    auto e = run(ics, std::nullopt, std::nullopt);
    BOOST_REQUIRE(count(e) == 1u);
    BOOST_TEST(e.instances[0].start == utc("20240105T100000Z"));
    BOOST_TEST(e.instances[0].end == utc("20240105T110000Z"));
}

BOOST_AUTO_TEST_CASE(event_without_dtend_is_a_point_matched_by_start_inclusive_ranges) {
    auto ics = event("DTSTART:20240105T100000Z");
    BOOST_TEST(count(run(ics, utc("20240105T100000Z"), utc("20240105T103000Z"))) == 1u);
    BOOST_TEST(count(run(ics, utc("20240105T090000Z"), utc("20240105T100000Z"))) == 0u);
    auto zero = event("DTSTART:20240105T100000Z\nDURATION:PT0S");
    BOOST_TEST(count(run(zero, utc("20240105T100000Z"), utc("20240105T100001Z"))) == 1u);
}

BOOST_AUTO_TEST_CASE(event_with_duration_lasts_that_long) {
    auto e = run(event("DTSTART:20240105T100000Z\nDURATION:PT90M"), std::nullopt, std::nullopt);
    BOOST_REQUIRE(count(e) == 1u);
    BOOST_TEST(e.instances[0].end - e.instances[0].start == 5400);
}

BOOST_AUTO_TEST_CASE(all_day_event_lasts_one_day_read_as_utc) {
    auto ics = event("DTSTART;VALUE=DATE:20240105");
    auto e = run(ics, utc("20240105T230000Z"), utc("20240106T000000Z"));
    BOOST_REQUIRE(count(e) == 1u);
    BOOST_TEST(e.instances[0].all_day);
    BOOST_TEST(e.instances[0].floating);
    BOOST_TEST(e.instances[0].start == utc("20240105T000000Z"));
    BOOST_TEST(e.instances[0].end == utc("20240106T000000Z"));
    BOOST_TEST(count(run(ics, utc("20240106T000000Z"), utc("20240107T000000Z"))) == 0u);
}

BOOST_AUTO_TEST_CASE(recurring_all_day_event_has_date_recurrence_ids) {
    auto e = run(event("DTSTART;VALUE=DATE:20240105\nDTEND;VALUE=DATE:20240107\nRRULE:FREQ=WEEKLY;COUNT=3"),
                 std::nullopt, std::nullopt);
    BOOST_REQUIRE(count(e) == 3u);
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20240105", "20240112", "20240119"}), boost::test_tools::per_element());
    BOOST_TEST(e.instances[2].end - e.instances[2].start == 2 * 86400);
}

BOOST_AUTO_TEST_CASE(floating_event_is_read_as_utc_and_flagged) {
    auto e = run(event("DTSTART:20240105T090000\nDTEND:20240105T100000\nRRULE:FREQ=DAILY;COUNT=2"), std::nullopt,
                 std::nullopt);
    BOOST_REQUIRE(count(e) == 2u);
    BOOST_TEST(e.instances[0].floating);
    BOOST_TEST(!e.instances[0].all_day);
    BOOST_TEST(e.instances[0].start == utc("20240105T090000Z"));
    BOOST_TEST(e.instances[1].recurrence_id == "20240106T090000");
}

BOOST_AUTO_TEST_CASE(todo_time_ranges_follow_rfc_4791_9_9) {
    auto start_due = event("DTSTART:20240105T100000Z\nDUE:20240105T120000Z", "VTODO");
    BOOST_TEST(count(run(start_due, utc("20240105T110000Z"), utc("20240105T113000Z"))) == 1u);
    BOOST_TEST(count(run(start_due, utc("20240105T120000Z"), utc("20240105T130000Z"))) == 0u);
    auto due_only = event("DUE:20240105T120000Z", "VTODO");
    BOOST_TEST(count(run(due_only, utc("20240105T110000Z"), utc("20240105T120000Z"))) == 1u);  // end >= DUE
    BOOST_TEST(count(run(due_only, utc("20240105T120000Z"), utc("20240105T130000Z"))) == 0u);  // start < DUE fails
    auto start_only = event("DTSTART:20240105T100000Z", "VTODO");
    BOOST_TEST(count(run(start_only, utc("20240105T100000Z"), utc("20240105T100001Z"))) == 1u);
    BOOST_TEST(count(run(start_only, utc("20240105T090000Z"), utc("20240105T100000Z"))) == 0u);
    auto with_duration = event("DTSTART:20240105T100000Z\nDURATION:PT1H", "VTODO");
    BOOST_TEST(count(run(with_duration, utc("20240105T110000Z"), utc("20240105T120000Z"))) == 1u);  // start <= DTSTART+DURATION
    BOOST_TEST(count(run(event("SUMMARY:no dates", "VTODO"), std::nullopt, std::nullopt)) == 0u);
}

BOOST_AUTO_TEST_CASE(recurring_instances_are_each_tested_against_the_range) {
    auto ics = event("DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nRRULE:FREQ=DAILY");
    auto e = run(ics, utc("20240310T103000Z"), utc("20240312T103000Z"));
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20240310T100000Z", "20240311T100000Z", "20240312T100000Z"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(daylight_saving)

BOOST_AUTO_TEST_CASE(weekly_meeting_stays_at_9_local_in_new_york) {
    auto e = run(event("DTSTART;TZID=America/New_York:20240304T090000\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;COUNT=3"),
                 std::nullopt, std::nullopt);
    BOOST_TEST(local_starts(e, "America/New_York") ==
                   (std::vector<std::string>{"20240304T090000", "20240311T090000", "20240318T090000"}),
               boost::test_tools::per_element());
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20240304T140000Z", "20240311T130000Z", "20240318T130000Z"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(daylight_saving_continues_after_2037) {
    // libical 3.0 expands zones only up to 2037; later years follow the same rules.
    auto e = run(event("DTSTART;TZID=America/New_York:20400305T090000\nRRULE:FREQ=WEEKLY;COUNT=3"), std::nullopt,
                 std::nullopt);
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20400305T140000Z", "20400312T130000Z", "20400319T130000Z"}),
               boost::test_tools::per_element());
    auto t0 = std::chrono::steady_clock::now();
    auto far = run(event("DTSTART;TZID=Europe/Berlin:20990701T090000\nRRULE:FREQ=YEARLY;BYMONTH=1,7;COUNT=4"),
                   std::nullopt, std::nullopt);
    BOOST_TEST(rids(far) == (std::vector<std::string>{"20990701T070000Z", "21000101T080000Z", "21000701T070000Z",
                                                      "21010101T080000Z"}),
               boost::test_tools::per_element());
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count() <
               500);
}

BOOST_AUTO_TEST_CASE(weekly_meeting_stays_at_9_local_in_berlin_both_ways) {
    auto e = run(event("DTSTART;TZID=Europe/Berlin:20240325T090000\nRRULE:FREQ=WEEKLY;COUNT=2"), std::nullopt,
                 std::nullopt);
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20240325T080000Z", "20240401T070000Z"}),
               boost::test_tools::per_element());
    e = run(event("DTSTART;TZID=Europe/Berlin:20241021T090000\nRRULE:FREQ=WEEKLY;COUNT=2"), std::nullopt, std::nullopt);
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20241021T070000Z", "20241028T080000Z"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(weekly_meeting_stays_at_9_local_in_sydney_both_ways) {
    auto e = run(event("DTSTART;TZID=Australia/Sydney:20240401T090000\nRRULE:FREQ=WEEKLY;COUNT=2"), std::nullopt,
                 std::nullopt);
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20240331T220000Z", "20240407T230000Z"}),
               boost::test_tools::per_element());
    e = run(event("DTSTART;TZID=Australia/Sydney:20240930T090000\nRRULE:FREQ=WEEKLY;COUNT=2"), std::nullopt,
            std::nullopt);
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20240929T230000Z", "20241006T220000Z"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(time_in_a_spring_forward_gap_uses_the_offset_before_the_gap) {
    // RFC 5545 §3.3.5: 02:30 on 2024-03-10 does not exist in New York; it is
    // read with EST (-05:00), i.e. 07:30Z (03:30 EDT).
    auto e = run(event("DTSTART;TZID=America/New_York:20240309T023000\nRRULE:FREQ=DAILY;COUNT=3"), std::nullopt,
                 std::nullopt);
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20240309T073000Z", "20240310T073000Z", "20240311T063000Z"}),
               boost::test_tools::per_element());
    e = run(event("DTSTART;TZID=Europe/Berlin:20240331T023000"), std::nullopt, std::nullopt);
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20240331T013000Z"}), boost::test_tools::per_element());
    e = run(event("DTSTART;TZID=Australia/Sydney:20241006T023000"), std::nullopt, std::nullopt);
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20241005T163000Z"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(time_in_a_fall_back_overlap_is_its_first_occurrence) {
    auto e = run(event("DTSTART;TZID=America/New_York:20241103T013000"), std::nullopt, std::nullopt);
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20241103T053000Z"}), boost::test_tools::per_element());
    e = run(event("DTSTART;TZID=Europe/Berlin:20241027T023000"), std::nullopt, std::nullopt);
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20241027T003000Z"}), boost::test_tools::per_element());
    e = run(event("DTSTART;TZID=Australia/Sydney:20240407T023000"), std::nullopt, std::nullopt);
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20240406T153000Z"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(one_day_duration_across_dst_is_a_local_day) {
    auto e = run(event("DTSTART;TZID=America/New_York:20240309T120000\nDURATION:P1D"), std::nullopt, std::nullopt);
    BOOST_REQUIRE(count(e) == 1u);
    BOOST_TEST(e.instances[0].end - e.instances[0].start == 23 * 3600);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(overrides)

const char* master_lines = "DTSTART;TZID=Europe/Berlin:20240101T100000\nDTEND;TZID=Europe/Berlin:20240101T110000\n"
                           "RRULE:FREQ=DAILY;COUNT=5\n";

std::string with_override(const std::string& master_extra, const std::string& override_lines) {
    std::string ics = event(std::string(master_lines) + master_extra);
    std::string ov = "BEGIN:VEVENT\r\nUID:test-1\r\nDTSTAMP:20240101T000000Z\r\n" + override_lines + "END:VEVENT\r\n";
    ics.insert(ics.find("END:VCALENDAR"), ov);
    return ics;
}

BOOST_AUTO_TEST_CASE(moved_instance_replaces_the_original) {
    auto ics = with_override("", "RECURRENCE-ID;TZID=Europe/Berlin:20240103T100000\n"
                                 "DTSTART;TZID=Europe/Berlin:20240103T150000\nDTEND;TZID=Europe/Berlin:20240103T160000\n");
    auto e = run(ics, std::nullopt, std::nullopt);
    BOOST_REQUIRE(count(e) == 5u);
    BOOST_TEST(e.instances[2].start == utc("20240103T140000Z"));
    BOOST_TEST(e.instances[2].recurrence_id == "20240103T090000Z");
    BOOST_TEST(e.instances[2].overridden);
    BOOST_TEST(!e.instances[1].overridden);
    // Moved out of the range: the original slot is empty too.
    BOOST_TEST(count(run(ics, utc("20240103T090000Z"), utc("20240103T100000Z"))) == 0u);
}

BOOST_AUTO_TEST_CASE(exdate_cancels_an_instance) {
    auto e = run(event(std::string(master_lines) + "EXDATE;TZID=Europe/Berlin:20240102T100000,20240104T100000\n"),
                 std::nullopt, std::nullopt);
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20240101T090000Z", "20240103T090000Z", "20240105T090000Z"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(thisandfuture_moves_every_later_instance) {
    auto ics = with_override("", "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20240103T100000\n"
                                 "DTSTART;TZID=Europe/Berlin:20240103T120000\nDTEND;TZID=Europe/Berlin:20240103T123000\n");
    auto e = run(ics, std::nullopt, std::nullopt);
    BOOST_REQUIRE(count(e) == 5u);
    BOOST_TEST(local_starts(e, "Europe/Berlin") ==
                   (std::vector<std::string>{"20240101T100000", "20240102T100000", "20240103T120000",
                                             "20240104T120000", "20240105T120000"}),
               boost::test_tools::per_element());
    BOOST_TEST(e.instances[4].end - e.instances[4].start == 1800);
    BOOST_TEST(e.instances[4].overridden);
    BOOST_TEST(e.instances[4].recurrence_id == "20240105T090000Z");
}

BOOST_AUTO_TEST_CASE(rdate_adds_dates_date_times_and_periods) {
    auto e = run(event("DTSTART:20240101T100000Z\nDURATION:PT1H\n"
                       "RDATE:20240201T100000Z\nRDATE;VALUE=PERIOD:20240301T100000Z/PT3H\n"),
                 std::nullopt, std::nullopt);
    BOOST_REQUIRE(count(e) == 3u);
    BOOST_TEST(e.instances[2].start == utc("20240301T100000Z"));
    BOOST_TEST(e.instances[2].end == utc("20240301T130000Z"));
    auto days = run(event("DTSTART;VALUE=DATE:20240101\nRDATE;VALUE=DATE:20240105,20240110\n"), std::nullopt,
                    std::nullopt);
    BOOST_TEST(rids(days) == (std::vector<std::string>{"20240101", "20240105", "20240110"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(limit_recurrence_set_keeps_master_and_overrides_in_range) {
    auto ics = with_override("", "RECURRENCE-ID;TZID=Europe/Berlin:20240103T100000\n"
                                 "DTSTART;TZID=Europe/Berlin:20240103T150000\nSUMMARY:in range\n");
    ics.insert(ics.find("END:VCALENDAR"),
               "BEGIN:VEVENT\r\nUID:test-1\r\nDTSTAMP:20240101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20240105T100000\r\n"
               "DTSTART;TZID=Europe/Berlin:20240105T150000\r\nSUMMARY:out of range\r\nEND:VEVENT\r\n");
    auto r = ical::limit_recurrence_set(ics, utc("20240103T000000Z"), utc("20240104T000000Z"), {});
    BOOST_REQUIRE(!r.error);
    BOOST_TEST(r.text.find("RRULE:FREQ=DAILY") != std::string::npos);
    BOOST_TEST(r.text.find("in range") != std::string::npos);
    BOOST_TEST(r.text.find("out of range") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(expand_output_has_one_utc_component_per_instance) {
    auto ics = with_override("", "RECURRENCE-ID;TZID=Europe/Berlin:20240103T100000\n"
                                 "DTSTART;TZID=Europe/Berlin:20240103T150000\nDTEND;TZID=Europe/Berlin:20240103T160000\n"
                                 "SUMMARY:moved\n");
    auto r = ical::expand_to_ical(ics, utc("20240102T000000Z"), utc("20240104T000000Z"), {});
    BOOST_REQUIRE(!r.error);
    BOOST_TEST(r.text.find("RRULE") == std::string::npos);
    BOOST_TEST(r.text.find("VTIMEZONE") == std::string::npos);
    BOOST_TEST(r.text.find("TZID") == std::string::npos);
    BOOST_TEST(r.text.find("DTSTART:20240102T090000Z") != std::string::npos);
    BOOST_TEST(r.text.find("RECURRENCE-ID:20240102T090000Z") != std::string::npos);
    BOOST_TEST(r.text.find("DTSTART:20240103T140000Z") != std::string::npos);
    BOOST_TEST(r.text.find("RECURRENCE-ID:20240103T090000Z") != std::string::npos);
    std::size_t events = 0;
    for (std::size_t p = r.text.find("BEGIN:VEVENT"); p != std::string::npos; p = r.text.find("BEGIN:VEVENT", p + 1))
        ++events;
    BOOST_TEST(events == 2u);
    // The output itself parses and expands to the same two instances.
    BOOST_TEST(count(run(r.text, std::nullopt, std::nullopt)) == 2u);
}

BOOST_AUTO_TEST_CASE(expand_output_keeps_a_todo_without_dtstart_and_due_by_rfc_4791_9_9) {
    auto in_output = [](const std::string& lines, const char* from, const char* to) {
        auto r = ical::expand_to_ical(event(lines, "VTODO"), utc(from), utc(to), {});
        BOOST_REQUIRE(!r.error);
        return r.text.find("BEGIN:VTODO") != std::string::npos;
    };
    BOOST_TEST(in_output("SUMMARY:no dates", "20240101T000000Z", "20240102T000000Z"));  // always
    BOOST_TEST(in_output("COMPLETED:20240101T120000Z", "20240101T000000Z", "20240102T000000Z"));
    BOOST_TEST(!in_output("COMPLETED:20240103T120000Z", "20240101T000000Z", "20240102T000000Z"));
    BOOST_TEST(in_output("CREATED:20231201T120000Z", "20240101T000000Z", "20240102T000000Z"));  // end > CREATED
    BOOST_TEST(!in_output("CREATED:20240103T120000Z", "20240101T000000Z", "20240102T000000Z"));
    BOOST_TEST(in_output("CREATED:20231201T120000Z\nCOMPLETED:20240101T120000Z", "20240101T000000Z",
                         "20240102T000000Z"));
    BOOST_TEST(!in_output("CREATED:20231201T120000Z\nCOMPLETED:20231202T120000Z", "20240101T000000Z",
                          "20240102T000000Z"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(caps)

BOOST_AUTO_TEST_CASE(secondly_rule_without_count_stops_at_the_instance_cap_quickly) {
    auto ics = event("DTSTART:20240101T000000Z\nRRULE:FREQ=SECONDLY");
    auto t0 = std::chrono::steady_clock::now();
    auto e = run(ics, utc("20240101T000000Z"), utc("20250101T000000Z"));
    auto took = std::chrono::steady_clock::now() - t0;
    BOOST_REQUIRE(e.error);
    BOOST_TEST(e.error->message.find("instances") != std::string::npos);
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() < 2000);
}

BOOST_AUTO_TEST_CASE(long_walk_to_a_far_range_stops_at_the_time_cap) {
    auto ics = event("DTSTART:20240101T000000Z\nRRULE:FREQ=SECONDLY;COUNT=2000000000");
    ical::ExpandLimits limits;
    limits.max_time = std::chrono::milliseconds(100);
    auto t0 = std::chrono::steady_clock::now();
    auto e = run(ics, utc("20300101T000000Z"), utc("20300102T000000Z"), limits);
    auto took = std::chrono::steady_clock::now() - t0;
    BOOST_REQUIRE(e.error);
    BOOST_TEST(e.error->message.find("time") != std::string::npos);
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() < 1000);
}

BOOST_AUTO_TEST_CASE(rules_that_can_never_match_end_at_once) {
    for (const char* rule : {"FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=31", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
                             "FREQ=WEEKLY;BYMONTH=4;BYMONTHDAY=31", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}) {
        auto t0 = std::chrono::steady_clock::now();
        auto e = run(event(std::string("DTSTART:20240101T000000Z\nRRULE:") + rule), std::nullopt, std::nullopt);
        auto took = std::chrono::steady_clock::now() - t0;
        BOOST_TEST(!e.error, rule);
        BOOST_TEST(count(e) == 1u, rule);  // DTSTART alone
        BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() < 500, rule);
    }
}

BOOST_AUTO_TEST_CASE(secondly_rule_limited_to_december_skips_to_december_fast) {
    auto t0 = std::chrono::steady_clock::now();
    auto e = run(event("DTSTART:20240101T000000Z\nRRULE:FREQ=SECONDLY;BYMONTH=12;COUNT=3"), std::nullopt, std::nullopt);
    auto took = std::chrono::steady_clock::now() - t0;
    BOOST_REQUIRE(!e.error);
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20240101T000000Z", "20241201T000000Z", "20241201T000001Z",
                                                    "20241201T000002Z"}),
               boost::test_tools::per_element());
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() < 500);
}

BOOST_AUTO_TEST_CASE(far_range_of_an_endless_rule_is_reached_by_skipping) {
    for (const char* rule : {"FREQ=DAILY;INTERVAL=3", "FREQ=HOURLY;INTERVAL=5", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH",
                             "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=MINUTELY;INTERVAL=7;BYHOUR=10",
                             "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO"}) {
        auto ics = event(std::string("DTSTART;TZID=America/New_York:20000103T093000\nRRULE:") + rule);
        auto wide = run(ics, utc("20000101T000000Z"), utc("20240701T000000Z"), {200000, std::chrono::seconds(20)});
        auto narrow = run(ics, utc("20240301T000000Z"), utc("20240701T000000Z"));
        BOOST_REQUIRE(!wide.error);
        BOOST_REQUIRE(!narrow.error);
        std::vector<std::string> tail;
        for (const auto& i : wide.instances)
            if (i.start >= utc("20240301T000000Z")) tail.push_back(i.recurrence_id);
        BOOST_TEST(rids(narrow) == tail, rule);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(zones)

BOOST_AUTO_TEST_CASE(windows_zone_names_resolve_through_cldr) {
    auto berlin = run(event("DTSTART;TZID=W. Europe Standard Time:20240325T090000\nRRULE:FREQ=WEEKLY;COUNT=2"),
                      std::nullopt, std::nullopt);
    BOOST_REQUIRE(!berlin.error);
    BOOST_TEST(rids(berlin) == (std::vector<std::string>{"20240325T080000Z", "20240401T070000Z"}),
               boost::test_tools::per_element());
    auto ny = run(event("DTSTART;TZID=\"Eastern Standard Time\":20240304T090000\nRRULE:FREQ=WEEKLY;COUNT=2"),
                  std::nullopt, std::nullopt);
    BOOST_REQUIRE(!ny.error);
    BOOST_TEST(rids(ny) == (std::vector<std::string>{"20240304T140000Z", "20240311T130000Z"}),
               boost::test_tools::per_element());
    auto sydney = run(event("DTSTART;TZID=AUS Eastern Standard Time:20240401T090000"), std::nullopt, std::nullopt);
    BOOST_TEST(rids(sydney) == (std::vector<std::string>{"20240331T220000Z"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_vtimezone_whose_rules_libical_would_spin_on_is_not_used) {
    // Found by tests/fuzz/fuzz_ical: libical 3.0 expands VTIMEZONE rules with
    // its own iterator up to 2037, for minutes on a SECONDLY rule.
    auto t0 = std::chrono::steady_clock::now();
    for (const char* rule : {"FREQ=SECONDLY;BYMONTH=12;BYMONTHDAY=31;BYHOUR=23;BYMINUTE=59",
                             "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU;BYHOUR=1,2"}) {
        std::string ics = event("DTSTART;TZID=Custom/Zone:20240701T090000");
        ics.insert(ics.find("BEGIN:VEVENT"), std::string("BEGIN:VTIMEZONE\r\nTZID:Custom/Zone\r\nBEGIN:STANDARD\r\n"
                                                         "DTSTART:19701101T020000\r\nRRULE:") +
                                                 rule + "\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\n"
                                                        "END:VTIMEZONE\r\n");
        auto e = run(ics, std::nullopt, std::nullopt);
        BOOST_REQUIRE_MESSAGE(e.error, rule);
        BOOST_TEST(e.error->message.find("Custom/Zone") != std::string::npos, rule);
    }
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count() <
               500);
}

BOOST_AUTO_TEST_CASE(a_vtimezone_in_the_data_wins_over_the_name) {
    std::string ics = event("DTSTART;TZID=Eastern Standard Time:20240701T090000");
    ics.insert(ics.find("BEGIN:VEVENT"),
               "BEGIN:VTIMEZONE\r\nTZID:Eastern Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
               "TZOFFSETFROM:+0500\r\nTZOFFSETTO:+0500\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n");
    auto e = run(ics, std::nullopt, std::nullopt);
    BOOST_REQUIRE(!e.error);
    BOOST_TEST(rids(e) == (std::vector<std::string>{"20240701T040000Z"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unknown_tzid_without_vtimezone_is_an_error) {
    auto e = run(event("DTSTART;TZID=Mars/Olympus_Mons:20240701T090000"), std::nullopt, std::nullopt);
    BOOST_REQUIRE(e.error);
    BOOST_TEST(e.error->message.find("Mars/Olympus_Mons") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(utc_times_format_like_gmtime) {
    // Recurrence ids are written digit by digit (issue 24): strftime is the reference.
    std::uint64_t x = 7;
    for (int i = 0; i < 2000; ++i) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        auto t = static_cast<std::int64_t>(x % 12000000000ULL) - 2208988800;  // 1900..2250
        std::time_t tt = static_cast<std::time_t>(t);
        std::tm tm{};
        BOOST_REQUIRE(gmtime_r(&tt, &tm));
        char want[32];
        std::strftime(want, sizeof want, "%Y%m%dT%H%M%SZ", &tm);
        BOOST_TEST(ical::format_utc(t) == want, t);
    }
}

BOOST_AUTO_TEST_SUITE_END()

// The server reads libical's builtin zone table once before its threads
// start; afterwards threads resolve and convert in builtin zones at once and
// agree with one thread doing the same.
BOOST_AUTO_TEST_CASE(builtin_zone_table_loads_once_and_serves_threads_alike) {
    BOOST_TEST(ical::load_builtin_zone_table() > 300u);
    const std::vector<std::string> names{"Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"};
    auto convert = [&](std::size_t k) {
        bool unknown = false;
        icaltimezone* zone = ical::zone_named(nullptr, names[k % names.size()], unknown);
        if (!zone || unknown) return std::int64_t{-1};
        icaltimetype t = icaltime_from_string("20260329T023000");  // in Berlin's DST gap
        t.day += static_cast<int>(k % 200);
        t = icaltime_normalize(t);
        return ical::local_to_utc(t, zone);
    };
    std::vector<std::int64_t> want(800);
    for (std::size_t k = 0; k < want.size(); ++k) want[k] = convert(k);
    BOOST_TEST(std::count(want.begin(), want.end(), std::int64_t{-1}) == 0);
    std::vector<std::vector<std::int64_t>> got(4, std::vector<std::int64_t>(want.size()));
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < got.size(); ++t)
        threads.emplace_back([&, t] {
            for (std::size_t k = 0; k < want.size(); ++k) got[t][(k + t * 97) % want.size()] = convert((k + t * 97) % want.size());
        });
    for (auto& t : threads) t.join();
    for (const auto& g : got) BOOST_TEST((g == want));
}
