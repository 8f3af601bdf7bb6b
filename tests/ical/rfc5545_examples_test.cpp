// Every recurrence example of RFC 5545 §3.8.5.3, expanded in America/New_York
// and compared with the instances the RFC lists.
#include <boost/test/unit_test.hpp>

#include "tests/ical/support.hpp"

using namespace ical_test;

namespace {

constexpr const char* ny = "America/New_York";

/// Instances of a New York event (DTSTART local `start`) with `rule_lines`,
/// in [from, to) UTC, as local "YYYYMMDDTHHMMSS".
std::vector<std::string> expand_ny(const char* start, const std::string& rule_lines, const char* from = "19960101T000000Z",
                                   const char* to = "20100101T000000Z") {
    std::string lines = std::string("DTSTART;TZID=America/New_York:") + start + "\n" + rule_lines;
    auto e = ical::expand(event(lines), utc(from), utc(to), ical::ExpandLimits{});
    BOOST_REQUIRE_MESSAGE(!e.error, (e.error ? e.error->message : ""));
    return local_starts(e, ny);
}

/// "YYYYMMDD" dates at 09:00 local.
std::vector<std::string> at9(std::initializer_list<const char*> dates) {
    std::vector<std::string> out;
    for (const char* d : dates) out.push_back(std::string(d) + "T090000");
    return out;
}

/// Every day from `first` for `n` days (local 09:00), via libical date math.
std::vector<std::string> daily9(const char* first, int n) {
    std::vector<std::string> out;
    icaltimetype t = icaltime_from_string(first);
    for (int i = 0; i < n; ++i) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d%02d%02d", t.year, t.month, t.day);
        out.push_back(std::string(buf) + "T090000");
        icaltime_adjust(&t, 1, 0, 0, 0);
    }
    return out;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

#define CHECK_LIST(actual, expected)                                                              \
    do {                                                                                          \
        auto a_ = (actual);                                                                       \
        auto e_ = (expected);                                                                     \
        BOOST_CHECK_EQUAL_COLLECTIONS(a_.begin(), a_.end(), e_.begin(), e_.end());                \
    } while (0)

}  // namespace

BOOST_AUTO_TEST_SUITE(rfc5545_examples)

BOOST_AUTO_TEST_CASE(daily_for_10_occurrences) {
    CHECK_LIST(expand_ny("19970902T090000", "RRULE:FREQ=DAILY;COUNT=10"), daily9("19970902", 10));
}

BOOST_AUTO_TEST_CASE(daily_until_december_24_1997) {
    auto got = expand_ny("19970902T090000", "RRULE:FREQ=DAILY;UNTIL=19971224T000000Z");
    CHECK_LIST(got, daily9("19970902", 113));
}

BOOST_AUTO_TEST_CASE(every_other_day_forever) {
    auto got = expand_ny("19970902T090000", "RRULE:FREQ=DAILY;INTERVAL=2", "19970901T000000Z", "19971004T000000Z");
    CHECK_LIST(got, at9({"19970902", "19970904", "19970906", "19970908", "19970910", "19970912", "19970914",
                         "19970916", "19970918", "19970920", "19970922", "19970924", "19970926", "19970928",
                         "19970930", "19971002"}));
}

BOOST_AUTO_TEST_CASE(every_10_days_5_occurrences) {
    CHECK_LIST(expand_ny("19970902T090000", "RRULE:FREQ=DAILY;INTERVAL=10;COUNT=5"),
               at9({"19970902", "19970912", "19970922", "19971002", "19971012"}));
}

BOOST_AUTO_TEST_CASE(every_day_in_january_for_3_years) {
    auto expected = concat(concat(daily9("19980101", 31), daily9("19990101", 31)), daily9("20000101", 31));
    CHECK_LIST(expand_ny("19980101T090000",
                         "RRULE:FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA"),
               expected);
    CHECK_LIST(expand_ny("19980101T090000", "RRULE:FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1"), expected);
}

BOOST_AUTO_TEST_CASE(weekly_for_10_occurrences) {
    CHECK_LIST(expand_ny("19970902T090000", "RRULE:FREQ=WEEKLY;COUNT=10"),
               at9({"19970902", "19970909", "19970916", "19970923", "19970930", "19971007", "19971014", "19971021",
                    "19971028", "19971104"}));
}

BOOST_AUTO_TEST_CASE(weekly_until_december_24_1997) {
    CHECK_LIST(expand_ny("19970902T090000", "RRULE:FREQ=WEEKLY;UNTIL=19971224T000000Z"),
               at9({"19970902", "19970909", "19970916", "19970923", "19970930", "19971007", "19971014", "19971021",
                    "19971028", "19971104", "19971111", "19971118", "19971125", "19971202", "19971209", "19971216",
                    "19971223"}));
}

BOOST_AUTO_TEST_CASE(every_other_week_forever) {
    CHECK_LIST(expand_ny("19970902T090000", "RRULE:FREQ=WEEKLY;INTERVAL=2;WKST=SU", "19970901T000000Z",
                         "19980218T000000Z"),
               at9({"19970902", "19970916", "19970930", "19971014", "19971028", "19971111", "19971125", "19971209",
                    "19971223", "19980106", "19980120", "19980203", "19980217"}));
}

BOOST_AUTO_TEST_CASE(weekly_on_tuesday_and_thursday_for_five_weeks) {
    auto expected = at9({"19970902", "19970904", "19970909", "19970911", "19970916", "19970918", "19970923",
                         "19970925", "19970930", "19971002"});
    CHECK_LIST(expand_ny("19970902T090000", "RRULE:FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH"), expected);
    CHECK_LIST(expand_ny("19970902T090000", "RRULE:FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH"), expected);
}

BOOST_AUTO_TEST_CASE(every_other_week_on_monday_wednesday_friday_until_december_24) {
    CHECK_LIST(expand_ny("19970901T090000", "RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR"),
               at9({"19970901", "19970903", "19970905", "19970915", "19970917", "19970919", "19970929", "19971001",
                    "19971003", "19971013", "19971015", "19971017", "19971027", "19971029", "19971031", "19971110",
                    "19971112", "19971114", "19971124", "19971126", "19971128", "19971208", "19971210", "19971212",
                    "19971222"}));
}

BOOST_AUTO_TEST_CASE(every_other_week_on_tuesday_and_thursday_for_8_occurrences) {
    CHECK_LIST(expand_ny("19970902T090000", "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH"),
               at9({"19970902", "19970904", "19970916", "19970918", "19970930", "19971002", "19971014", "19971016"}));
}

BOOST_AUTO_TEST_CASE(monthly_on_the_first_friday_for_10_occurrences) {
    CHECK_LIST(expand_ny("19970905T090000", "RRULE:FREQ=MONTHLY;COUNT=10;BYDAY=1FR"),
               at9({"19970905", "19971003", "19971107", "19971205", "19980102", "19980206", "19980306", "19980403",
                    "19980501", "19980605"}));
}

BOOST_AUTO_TEST_CASE(monthly_on_the_first_friday_until_december_24) {
    CHECK_LIST(expand_ny("19970905T090000", "RRULE:FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR"),
               at9({"19970905", "19971003", "19971107", "19971205"}));
}

BOOST_AUTO_TEST_CASE(every_other_month_first_and_last_sunday_for_10_occurrences) {
    CHECK_LIST(expand_ny("19970907T090000", "RRULE:FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU"),
               at9({"19970907", "19970928", "19971102", "19971130", "19980104", "19980125", "19980301", "19980329",
                    "19980503", "19980531"}));
}

BOOST_AUTO_TEST_CASE(monthly_on_the_second_to_last_monday_for_6_months) {
    CHECK_LIST(expand_ny("19970922T090000", "RRULE:FREQ=MONTHLY;COUNT=6;BYDAY=-2MO"),
               at9({"19970922", "19971020", "19971117", "19971222", "19980119", "19980216"}));
}

BOOST_AUTO_TEST_CASE(monthly_on_the_third_to_last_day_forever) {
    CHECK_LIST(expand_ny("19970928T090000", "RRULE:FREQ=MONTHLY;BYMONTHDAY=-3", "19970901T000000Z", "19980301T000000Z"),
               at9({"19970928", "19971029", "19971128", "19971229", "19980129", "19980226"}));
}

BOOST_AUTO_TEST_CASE(monthly_on_the_2nd_and_15th_for_10_occurrences) {
    CHECK_LIST(expand_ny("19970902T090000", "RRULE:FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15"),
               at9({"19970902", "19970915", "19971002", "19971015", "19971102", "19971115", "19971202", "19971215",
                    "19980102", "19980115"}));
}

BOOST_AUTO_TEST_CASE(monthly_on_the_first_and_last_day_for_10_occurrences) {
    CHECK_LIST(expand_ny("19970930T090000", "RRULE:FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1"),
               at9({"19970930", "19971001", "19971031", "19971101", "19971130", "19971201", "19971231", "19980101",
                    "19980131", "19980201"}));
}

BOOST_AUTO_TEST_CASE(every_18_months_on_the_10th_thru_15th_for_10_occurrences) {
    CHECK_LIST(expand_ny("19970910T090000", "RRULE:FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15"),
               at9({"19970910", "19970911", "19970912", "19970913", "19970914", "19970915", "19990310", "19990311",
                    "19990312", "19990313"}));
}

BOOST_AUTO_TEST_CASE(every_tuesday_every_other_month) {
    CHECK_LIST(expand_ny("19970902T090000", "RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", "19970901T000000Z",
                         "19980401T000000Z"),
               at9({"19970902", "19970909", "19970916", "19970923", "19970930", "19971104", "19971111", "19971118",
                    "19971125", "19980106", "19980113", "19980120", "19980127", "19980303", "19980310", "19980317",
                    "19980324", "19980331"}));
}

BOOST_AUTO_TEST_CASE(yearly_in_june_and_july_for_10_occurrences) {
    CHECK_LIST(expand_ny("19970610T090000", "RRULE:FREQ=YEARLY;COUNT=10;BYMONTH=6,7"),
               at9({"19970610", "19970710", "19980610", "19980710", "19990610", "19990710", "20000610", "20000710",
                    "20010610", "20010710"}));
}

BOOST_AUTO_TEST_CASE(every_other_year_in_january_february_march_for_10_occurrences) {
    CHECK_LIST(expand_ny("19970310T090000", "RRULE:FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3"),
               at9({"19970310", "19990110", "19990210", "19990310", "20010110", "20010210", "20010310", "20030110",
                    "20030210", "20030310"}));
}

BOOST_AUTO_TEST_CASE(every_third_year_on_days_1_100_200_for_10_occurrences) {
    CHECK_LIST(expand_ny("19970101T090000", "RRULE:FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200"),
               at9({"19970101", "19970410", "19970719", "20000101", "20000409", "20000718", "20030101", "20030410",
                    "20030719", "20060101"}));
}

BOOST_AUTO_TEST_CASE(every_20th_monday_of_the_year_forever) {
    CHECK_LIST(expand_ny("19970519T090000", "RRULE:FREQ=YEARLY;BYDAY=20MO", "19970101T000000Z", "20000101T000000Z"),
               at9({"19970519", "19980518", "19990517"}));
}

BOOST_AUTO_TEST_CASE(monday_of_week_number_20_forever) {
    CHECK_LIST(expand_ny("19970512T090000", "RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", "19970101T000000Z",
                         "20000101T000000Z"),
               at9({"19970512", "19980511", "19990517"}));
}

BOOST_AUTO_TEST_CASE(every_thursday_in_march_forever) {
    CHECK_LIST(expand_ny("19970313T090000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=TH", "19970101T000000Z",
                         "20000101T000000Z"),
               at9({"19970313", "19970320", "19970327", "19980305", "19980312", "19980319", "19980326", "19990304",
                    "19990311", "19990318", "19990325"}));
}

BOOST_AUTO_TEST_CASE(every_thursday_in_june_july_august_forever) {
    CHECK_LIST(expand_ny("19970605T090000", "RRULE:FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8", "19970101T000000Z",
                         "20000101T000000Z"),
               at9({"19970605", "19970612", "19970619", "19970626", "19970703", "19970710", "19970717", "19970724",
                    "19970731", "19970807", "19970814", "19970821", "19970828", "19980604", "19980611", "19980618",
                    "19980625", "19980702", "19980709", "19980716", "19980723", "19980730", "19980806", "19980813",
                    "19980820", "19980827", "19990603", "19990610", "19990617", "19990624", "19990701", "19990708",
                    "19990715", "19990722", "19990729", "19990805", "19990812", "19990819", "19990826"}));
}

BOOST_AUTO_TEST_CASE(every_friday_the_13th_forever) {
    CHECK_LIST(expand_ny("19970902T090000",
                         "EXDATE;TZID=America/New_York:19970902T090000\nRRULE:FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
                         "19970101T000000Z", "20001101T000000Z"),
               at9({"19980213", "19980313", "19981113", "19990813", "20001013"}));
}

BOOST_AUTO_TEST_CASE(first_saturday_after_the_first_sunday_forever) {
    CHECK_LIST(expand_ny("19970913T090000", "RRULE:FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
                         "19970101T000000Z", "19980701T000000Z"),
               at9({"19970913", "19971011", "19971108", "19971213", "19980110", "19980207", "19980307", "19980411",
                    "19980509", "19980613"}));
}

BOOST_AUTO_TEST_CASE(us_presidential_election_day_every_4_years) {
    CHECK_LIST(expand_ny("19961105T090000", "RRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
                         "19960101T000000Z", "20050101T000000Z"),
               at9({"19961105", "20001107", "20041102"}));
}

BOOST_AUTO_TEST_CASE(third_of_tuesday_wednesday_thursday_for_3_months) {
    CHECK_LIST(expand_ny("19970904T090000", "RRULE:FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3"),
               at9({"19970904", "19971007", "19971106"}));
}

BOOST_AUTO_TEST_CASE(second_to_last_weekday_of_the_month) {
    CHECK_LIST(expand_ny("19970929T090000", "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2", "19970901T000000Z",
                         "19980401T000000Z"),
               at9({"19970929", "19971030", "19971127", "19971230", "19980129", "19980226", "19980330"}));
}

BOOST_AUTO_TEST_CASE(every_3_hours_from_9am_to_5pm) {
    // The RFC lists 09:00, 12:00 and 15:00 EDT, but UNTIL=19970902T170000Z is
    // 13:00 EDT, so 15:00 is past UNTIL (RFC 5545 erratum 3883 reading): we
    // follow the UNTIL value as written.
    CHECK_LIST(expand_ny("19970902T090000", "RRULE:FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z"),
               (std::vector<std::string>{"19970902T090000", "19970902T120000"}));
}

BOOST_AUTO_TEST_CASE(every_15_minutes_for_6_occurrences) {
    CHECK_LIST(expand_ny("19970902T090000", "RRULE:FREQ=MINUTELY;INTERVAL=15;COUNT=6"),
               (std::vector<std::string>{"19970902T090000", "19970902T091500", "19970902T093000", "19970902T094500",
                                         "19970902T100000", "19970902T101500"}));
}

BOOST_AUTO_TEST_CASE(every_hour_and_a_half_for_4_occurrences) {
    CHECK_LIST(expand_ny("19970902T090000", "RRULE:FREQ=MINUTELY;INTERVAL=90;COUNT=4"),
               (std::vector<std::string>{"19970902T090000", "19970902T103000", "19970902T120000", "19970902T133000"}));
}

BOOST_AUTO_TEST_CASE(every_20_minutes_from_9_to_16_40_every_day) {
    std::vector<std::string> expected;
    for (const char* day : {"19970902", "19970903"})
        for (int h = 9; h <= 16; ++h)
            for (int m : {0, 20, 40}) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%sT%02d%02d00", day, h, m);
                expected.push_back(buf);
            }
    CHECK_LIST(expand_ny("19970902T090000", "RRULE:FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40",
                         "19970902T000000Z", "19970904T000000Z"),
               expected);
    CHECK_LIST(expand_ny("19970902T090000", "RRULE:FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16",
                         "19970902T000000Z", "19970904T000000Z"),
               expected);
}

BOOST_AUTO_TEST_CASE(wkst_changes_the_weeks_of_an_every_other_week_rule) {
    CHECK_LIST(expand_ny("19970805T090000", "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO"),
               at9({"19970805", "19970810", "19970819", "19970824"}));
    CHECK_LIST(expand_ny("19970805T090000", "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU"),
               at9({"19970805", "19970817", "19970819", "19970831"}));
}

BOOST_AUTO_TEST_CASE(invalid_dates_like_february_30_are_ignored) {
    CHECK_LIST(expand_ny("20070115T090000", "RRULE:FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5"),
               at9({"20070115", "20070130", "20070215", "20070315", "20070330"}));
}

BOOST_AUTO_TEST_SUITE_END()
