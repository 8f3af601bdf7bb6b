// RRULE iteration (ical/recurrence.hpp, RFC 5545 §3.3.10): the WEEKLY, MONTHLY
// and YEARLY cases libical 3.0 got wrong or refused, the RFC readings listed in
// differential_test.cpp, and the bounds that keep pathological rules cheap.
#include "ical/recurrence.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

/// The rule's own occurrences from `dtstart` (no DTSTART added), at most `max`.
std::vector<std::string> occurrences(const char* dtstart, const char* rule, std::size_t max = 20) {
    icaltimetype start = icaltime_from_string(dtstart);
    std::string error;
    auto it = ical::RuleIterator::make(icalrecurrencetype_from_string(rule), start, error);
    BOOST_REQUIRE_MESSAGE(it, error);
    std::vector<std::string> out;
    auto deadline = Clock::now() + std::chrono::seconds(5);
    while (out.size() < max) {
        auto wall = it->next(deadline);
        if (!wall) break;
        out.push_back(icaltime_as_ical_string(ical::wall_to_icaltime(*wall, start.is_date)));
    }
    BOOST_TEST(!it->timed_out());
    return out;
}

using List = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(recurrence)

BOOST_AUTO_TEST_CASE(yearly_byweekno_49_that_libical_refused_is_expanded) {
    BOOST_TEST(occurrences("20240101T090000", "FREQ=YEARLY;BYWEEKNO=49;BYDAY=MO;COUNT=3") ==
                   (List{"20241202T090000", "20251201T090000", "20261130T090000"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(days_of_a_week_numbered_in_the_year_before_belong_to_that_week) {
    // 1 and 2 January 2022 lie in ISO week 52 of 2021.
    BOOST_TEST(occurrences("20211227T090000", "FREQ=YEARLY;BYWEEKNO=52;COUNT=9") ==
                   (List{"20211227T090000", "20211228T090000", "20211229T090000", "20211230T090000",
                         "20211231T090000", "20220101T090000", "20220102T090000", "20221226T090000",
                         "20221227T090000"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(invalid_dates_such_as_february_30_are_skipped) {
    BOOST_TEST(occurrences("20240130T090000", "FREQ=MONTHLY;BYMONTHDAY=30;COUNT=3") ==
                   (List{"20240130T090000", "20240330T090000", "20240430T090000"}),
               boost::test_tools::per_element());
    BOOST_TEST(occurrences("20240229", "FREQ=YEARLY;COUNT=3") ==
                   (List{"20240229", "20280229", "20320229"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ordinal_byday_with_byhour_and_bysetpos_picks_from_the_whole_month) {
    // January 2024: first Monday the 1st, last Friday the 26th, each at 9 and 17.
    BOOST_TEST(
        occurrences("20240101T090000",
                    "FREQ=MONTHLY;BYDAY=1MO,-1FR;BYHOUR=9,17;BYSETPOS=2,-1;COUNT=4") ==
            (List{"20240101T170000", "20240126T170000", "20240205T170000", "20240223T170000"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(plain_and_ordinal_byday_are_a_union) {
    BOOST_TEST(
        occurrences("20240101T090000", "FREQ=MONTHLY;BYDAY=1TU,FR;COUNT=4") ==
            (List{"20240102T090000", "20240105T090000", "20240112T090000", "20240119T090000"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(yearly_ordinal_byday_counts_in_the_year_or_in_bymonth) {
    BOOST_TEST(occurrences("20240101T090000", "FREQ=YEARLY;BYDAY=20MO;COUNT=2") ==
                   (List{"20240513T090000", "20250519T090000"}),
               boost::test_tools::per_element());
    BOOST_TEST(occurrences("20240101T090000", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;COUNT=2") ==
                   (List{"20240331T090000", "20250330T090000"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(weekly_bysetpos_counts_the_whole_first_week) {
    // Week of Monday 1 January: {Mon 1, Fri 5}; position 1 is before DTSTART.
    BOOST_TEST(occurrences("20240105T090000", "FREQ=WEEKLY;BYDAY=MO,FR;BYSETPOS=1;COUNT=2") ==
                   (List{"20240108T090000", "20240115T090000"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(rules_that_can_never_match_end_quickly) {
    for (const char* rule :
         {"FREQ=MONTHLY;BYDAY=5FR;BYMONTHDAY=1", "FREQ=YEARLY;BYWEEKNO=53;BYMONTH=6",
          "FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2", "FREQ=MONTHLY;INTERVAL=12;BYMONTH=2",
          "FREQ=MINUTELY;BYSETPOS=-3", "FREQ=HOURLY;INTERVAL=4;BYHOUR=3,7"}) {
        auto t0 = Clock::now();
        BOOST_TEST(occurrences("20240101T090000", rule).empty(), rule);
        BOOST_TEST(
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count() < 500,
            rule);
    }
}

BOOST_AUTO_TEST_CASE(huge_time_sets_are_not_materialised) {
    std::string all_hours, all_minutes;
    for (int i = 0; i < 60; ++i) {
        if (i < 24) all_hours += (i ? "," : "") + std::to_string(i);
        all_minutes += (i ? "," : "") + std::to_string(i);
    }
    std::string rule = "FREQ=YEARLY;BYMONTH=1,12;BYMONTHDAY=1,31;BYHOUR=" + all_hours +
                       ";BYMINUTE=" + all_minutes + ";BYSECOND=" + all_minutes + ";BYSETPOS=-1,1";
    auto t0 = Clock::now();
    BOOST_TEST(occurrences("20240101T000000", rule.c_str(), 3) ==
                   (List{"20240101T000000", "20241231T235959", "20250101T000000"}),
               boost::test_tools::per_element());
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count() <
               500);
}

BOOST_AUTO_TEST_SUITE_END()
