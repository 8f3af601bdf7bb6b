// `kalends ics validate` and `kalends ics expand` run as the real binary.
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using test_support::run_kalends;
using test_support::TempDir;

namespace {

std::string write_file(const TempDir& d, const std::string& name, const std::string& text) {
    auto p = d.path() / name;
    std::ofstream(p) << text;
    return p.string();
}

const char* weekly_berlin =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:w\r\nDTSTAMP:20240101T000000Z\r\n"
    "DTSTART;TZID=Europe/Berlin:20240325T090000\r\nDTEND;TZID=Europe/Berlin:20240325T100000\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(ics_cli)

BOOST_AUTO_TEST_CASE(validate_accepts_a_valid_file) {
    TempDir d;
    auto c = run_kalends({"ics", "validate", write_file(d, "ok.ics", weekly_berlin)});
    BOOST_TEST(*c->wait() == 0);
    BOOST_TEST(c->out().find("valid") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(validate_reports_errors_with_line_numbers_and_exits_1) {
    TempDir d;
    std::string bad = weekly_berlin;
    bad.insert(bad.find("RRULE"), "not a content line\r\n");
    auto path = write_file(d, "bad.ics", bad);
    auto c = run_kalends({"ics", "validate", path});
    BOOST_TEST(*c->wait() == 1);
    BOOST_TEST(c->out().find(path + ":9:") != std::string::npos, c->out());
}

BOOST_AUTO_TEST_CASE(expand_prints_sorted_utc_instances_across_dst) {
    TempDir d;
    auto c = run_kalends({"ics", "expand", write_file(d, "w.ics", weekly_berlin), "--from", "20240101T000000Z", "--to",
                          "2025-01-01"});
    BOOST_TEST(*c->wait() == 0);
    BOOST_TEST(c->out() ==
               "20240325T080000Z\t20240325T090000Z\t20240325T080000Z\n"
               "20240401T070000Z\t20240401T080000Z\t20240401T070000Z\n"
               "20240408T070000Z\t20240408T080000Z\t20240408T070000Z\n");
}

BOOST_AUTO_TEST_CASE(expand_prints_all_day_instances_as_dates) {
    TempDir d;
    std::string all_day = weekly_berlin;
    all_day.replace(all_day.find("DTSTART"), all_day.find("RRULE") - all_day.find("DTSTART"),
                    "DTSTART;VALUE=DATE:20240105\r\n");
    auto c = run_kalends({"ics", "expand", write_file(d, "a.ics", all_day), "--from", "20240101", "--to", "20240113"});
    BOOST_TEST(*c->wait() == 0);
    BOOST_TEST(c->out() == "20240105\t20240106\t20240105\n20240112\t20240113\t20240112\n");
}

BOOST_AUTO_TEST_CASE(expand_of_an_endless_secondly_rule_fails_at_the_cap) {
    TempDir d;
    std::string secondly = weekly_berlin;
    secondly.replace(secondly.find("FREQ=WEEKLY;COUNT=3"), 19, "FREQ=SECONDLY");
    auto c = run_kalends({"ics", "expand", write_file(d, "s.ics", secondly), "--from", "20240101", "--to", "20250101"});
    BOOST_TEST(*c->wait() == 1);
    BOOST_TEST(c->err().find("instances") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_arguments_exit_2) {
    BOOST_TEST(*run_kalends({"ics", "expand"})->wait() == 2);
    BOOST_TEST(*run_kalends({"ics", "frob"})->wait() == 2);
    BOOST_TEST(*run_kalends({"ics", "expand", "x.ics", "--from", "yesterday"})->wait() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
