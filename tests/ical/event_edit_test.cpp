// Recurrence scope edits of the JSON API (issue 24): this instance, all, all
// future, one instance deleted, one attendee's answer; and reading what
// Apple Calendar and Thunderbird store (ical/event_spec.hpp).
#include "ical/event_spec.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "ical/calendar_data.hpp"
#include "tests/ical/support.hpp"

using namespace ical_test;

namespace {

constexpr std::int64_t created = 1704067200;  // 2024-01-01T00:00:00Z
constexpr std::int64_t edited = 1704153600;   // 2024-01-02T00:00:00Z
constexpr std::int64_t hour = 3600;

std::int64_t at(const char* rfc3339) {
    auto t = ical::parse_rfc3339(rfc3339);
    BOOST_REQUIRE_MESSAGE(t, rfc3339);
    return *t;
}

/// Weekdays at 10:00 New York time for the rest of 2024 (issue 24's
/// example), with one attendee.
ical::EventSpec standup() {
    ical::EventSpec s;
    s.uid = "standup-1";
    s.title = "Standup";
    s.start = at("2024-01-15T10:00:00-05:00");
    s.end = s.start + 15 * 60;
    s.time_zone = "America/New_York";
    s.organizer_email = "org@example.com";
    s.attendees = {{"bob@example.com", "Bob", false, "", false}};
    ical::RecurrenceSpec r;
    r.frequency = "weekly";
    r.by_day = {"MO", "TU", "WE", "TH", "FR"};
    r.until = at("2024-12-31T23:59:59Z");
    s.recurrence = r;
    return s;
}

/// Ten days at 10:00 New York time from 2024-01-15.
ical::EventSpec ten_days() {
    auto s = standup();
    s.uid = "daily-1";
    s.recurrence = ical::RecurrenceSpec{"daily", 1, std::nullopt, 10, {}, {}, {}, {}, ""};
    return s;
}

std::vector<std::int64_t> starts(const std::string& ics) {
    auto e = ical::expand(ics, std::nullopt, std::nullopt, {});
    BOOST_REQUIRE_MESSAGE(!e.error, ics);
    std::vector<std::int64_t> out;
    for (const auto& i : e.instances) out.push_back(i.start);
    return out;
}

bool contains(const std::vector<std::int64_t>& v, std::int64_t t) {
    return std::find(v.begin(), v.end(), t) != v.end();
}

std::string text(const ical::EditResult& r) {
    if (auto* e = std::get_if<ical::FieldError>(&r))
        BOOST_FAIL("edit refused: " + e->field + ": " + e->detail);
    return std::get<std::string>(r);
}

std::string refused_field(const ical::EditResult& r) {
    auto* e = std::get_if<ical::FieldError>(&r);
    return e ? e->field : std::string("(accepted)");
}

std::size_t occurrences(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto i = hay.find(needle); i != std::string::npos; i = hay.find(needle, i + 1)) ++n;
    return n;
}

bool has_line(const std::string& ics, const std::string& line) {
    return ics.find("\r\n" + line + "\r\n") != std::string::npos;
}

std::string golden_body(const char* relative) {
    std::ifstream in(std::string(KALENDS_SOURCE_DIR) + "/" + relative, std::ios::binary);
    BOOST_REQUIRE_MESSAGE(in, relative);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string all = ss.str();
    auto from = all.find("BEGIN:VCALENDAR");
    auto to = all.find("END:VCALENDAR", from);
    BOOST_REQUIRE(from != std::string::npos && to != std::string::npos);
    return all.substr(from, to + 13 - from) + "\r\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(event_spec_edits)

BOOST_AUTO_TEST_CASE(edit_instance_writes_an_override_read_back_for_that_instance) {
    auto ics = ical::build_event(standup(), created);
    std::int64_t tuesday = at("2024-03-12T14:00:00Z");  // 10:00 EDT
    ical::EventPatch p;
    p.title = "Standup (moved)";
    p.start = tuesday + hour;
    p.end = tuesday + hour + 15 * 60;
    auto out = text(ical::edit_instance(ics, tuesday, p, edited));
    BOOST_TEST(has_line(out, "RECURRENCE-ID;TZID=America/New_York:20240312T100000"));
    BOOST_TEST(has_line(out, "DTSTART;TZID=America/New_York:20240312T110000"));
    BOOST_TEST(has_line(out, "SEQUENCE:1"));
    auto v = ical::read_event(out, tuesday);
    BOOST_REQUIRE(v);
    BOOST_TEST(v->title == "Standup (moved)");
    BOOST_TEST(v->start == tuesday + hour);
    BOOST_TEST(*v->recurrence_id == tuesday);
    BOOST_TEST(v->sequence == 1);
    BOOST_TEST(v->last_modified == edited);
    auto master = ical::read_event(out);
    BOOST_TEST(master->title == "Standup");
    BOOST_TEST(master->sequence == 0);
    auto s = starts(out);
    BOOST_TEST(!contains(s, tuesday));
    BOOST_TEST(contains(s, tuesday + hour));
    // An instance without override shows the master's values at its time.
    auto wednesday = ical::read_event(out, tuesday + 86400);
    BOOST_REQUIRE(wednesday);
    BOOST_TEST(wednesday->title == "Standup");
    BOOST_TEST(wednesday->end - wednesday->start == 15 * 60);
    BOOST_TEST(!ical::read_event(out, at("2024-03-16T14:00:00Z")));  // a Saturday
    // Editing the same instance again rewrites its override.
    ical::EventPatch again;
    again.location = "Room 2";
    auto twice = text(ical::edit_instance(out, tuesday, again, edited + 60));
    BOOST_TEST(occurrences(twice, "RECURRENCE-ID") == 1u);
    BOOST_TEST(ical::read_event(twice, tuesday)->location == "Room 2");
    BOOST_TEST(ical::read_event(twice, tuesday)->sequence == 2);
    BOOST_TEST(ical::validate_calendar(twice).empty());
}

BOOST_AUTO_TEST_CASE(read_occurrences_gives_each_instance_the_view_of_its_component) {
    auto ics = ical::build_event(standup(), created);
    std::int64_t tuesday = at("2024-03-12T14:00:00Z");  // 10:00 EDT
    ical::EventPatch p;
    p.title = "Standup (moved)";
    p.start = tuesday + hour;
    p.end = tuesday + hour + 15 * 60;
    auto out = text(ical::edit_instance(ics, tuesday, p, edited));
    std::vector<ical::OccurrenceView> week;
    auto error = ical::read_occurrences(out, at("2024-03-11T00:00:00Z"), at("2024-03-18T00:00:00Z"), {}, week);
    BOOST_TEST(!error);
    BOOST_REQUIRE(week.size() == 5u);
    std::sort(week.begin(), week.end(), [](const auto& a, const auto& b) { return a.instance.start < b.instance.start; });
    // The same as reading each instance on its own, with one parse.
    for (const auto& o : week) {
        auto rid = o.instance.overridden ? std::optional<std::int64_t>(tuesday) : std::optional<std::int64_t>(o.instance.start);
        auto alone = ical::read_event(out, rid);
        BOOST_REQUIRE(alone);
        BOOST_TEST(o.view.title == alone->title);
        BOOST_TEST(o.view.start == alone->start);
        BOOST_TEST(o.view.end == alone->end);
        BOOST_TEST(o.view.attendees.size() == alone->attendees.size());
        BOOST_TEST(o.view.recurrence.has_value());
    }
    BOOST_TEST(week[1].instance.overridden);
    BOOST_TEST(week[1].view.title == "Standup (moved)");
    BOOST_TEST(week[1].view.start == tuesday + hour);
    BOOST_TEST(week[0].view.title == "Standup");
    std::vector<ical::OccurrenceView> none;
    BOOST_TEST(ical::read_occurrences("not a calendar", 0, 1, {}, none).has_value());
    BOOST_TEST(none.empty());
}

BOOST_AUTO_TEST_CASE(edit_instance_refuses_a_missing_instance_a_rule_change_and_a_bad_field) {
    auto ics = ical::build_event(standup(), created);
    ical::EventPatch p;
    p.title = "x";
    BOOST_TEST(refused_field(ical::edit_instance(ics, at("2024-03-16T14:00:00Z"), p, edited)) ==
               "instance_date");
    BOOST_TEST(refused_field(ical::edit_instance(ics, at("2024-03-12T14:30:00Z"), p, edited)) ==
               "instance_date");
    ical::EventPatch rule;
    rule.recurrence = std::optional<ical::RecurrenceSpec>();
    BOOST_TEST(refused_field(ical::edit_instance(ics, at("2024-03-12T14:00:00Z"), rule, edited)) ==
               "recurrence");
    ical::EventPatch backwards;
    backwards.end = at("2024-03-12T13:00:00Z");
    BOOST_TEST(refused_field(ical::edit_instance(ics, at("2024-03-12T14:00:00Z"), backwards,
                                                 edited)) == "end_time");
}

BOOST_AUTO_TEST_CASE(
    edit_all_moving_the_series_moves_unmoved_overrides_and_exdates_but_keeps_a_moved_one) {
    auto ics = ical::build_event(standup(), created);
    std::int64_t renamed = at("2024-06-04T14:00:00Z");  // EDT
    std::int64_t moved = at("2024-06-05T14:00:00Z");
    std::int64_t deleted = at("2024-06-06T14:00:00Z");
    ical::EventPatch rename;
    rename.title = "Renamed";
    ics = text(ical::edit_instance(ics, renamed, rename, edited));
    ical::EventPatch move;
    move.start = at("2024-06-05T20:00:00Z");  // 16:00 EDT
    move.end = move.start.value() + 15 * 60;
    ics = text(ical::edit_instance(ics, moved, move, edited));
    ics = text(ical::remove_instance(ics, deleted, edited));

    auto master = ical::read_event(ics);
    ical::EventPatch later;
    later.start = master->start + hour;
    later.end = master->end + hour;
    auto out = text(ical::edit_all(ics, later, edited + 60));
    BOOST_TEST(has_line(out, "DTSTART;TZID=America/New_York:20240115T110000"));
    BOOST_TEST(has_line(out, "RECURRENCE-ID;TZID=America/New_York:20240604T110000"));
    BOOST_TEST(has_line(out, "RECURRENCE-ID;TZID=America/New_York:20240605T110000"));
    BOOST_TEST(has_line(out, "EXDATE;TZID=America/New_York:20240606T110000"));
    auto r = ical::read_event(out, renamed + hour);
    BOOST_REQUIRE(r);
    BOOST_TEST(r->title == "Renamed");
    BOOST_TEST(r->start == renamed + hour);
    auto m = ical::read_event(out, moved + hour);
    BOOST_REQUIRE(m);
    BOOST_TEST(m->start == *move.start);  // moved on its own: stays
    auto s = starts(out);
    BOOST_TEST(contains(s, at("2024-01-15T16:00:00Z")));  // 11:00 EST
    BOOST_TEST(contains(s, at("2024-06-03T15:00:00Z")));  // 11:00 EDT
    BOOST_TEST(contains(s, renamed + hour));
    BOOST_TEST(contains(s, *move.start));
    BOOST_TEST(!contains(s, moved + hour));
    BOOST_TEST(!contains(s, deleted + hour));
    BOOST_TEST(!contains(s, renamed));
    BOOST_TEST(ical::read_event(out)->sequence == 2);  // remove_instance, then edit_all
    BOOST_TEST(ical::validate_calendar(out).empty());
}

BOOST_AUTO_TEST_CASE(edit_all_changing_the_zone_rewrites_times_and_recurrence_ids_in_it) {
    auto ics = ical::build_event(standup(), created);
    std::int64_t renamed = at("2024-06-04T14:00:00Z");
    ical::EventPatch rename;
    rename.title = "Renamed";
    ics = text(ical::edit_instance(ics, renamed, rename, edited));
    ical::EventPatch zone;
    zone.time_zone = "America/Chicago";
    auto out = text(ical::edit_all(ics, zone, edited));
    BOOST_TEST(has_line(out, "DTSTART;TZID=America/Chicago:20240115T090000"));
    BOOST_TEST(has_line(out, "RECURRENCE-ID;TZID=America/Chicago:20240604T090000"));
    BOOST_TEST(has_line(out, "TZID:America/Chicago"));
    auto v = ical::read_event(out);
    BOOST_TEST(v->time_zone == "America/Chicago");
    BOOST_TEST(v->start == at("2024-01-15T15:00:00Z"));
    BOOST_TEST(ical::read_event(out, renamed)->title == "Renamed");
    BOOST_TEST(starts(out).size() == starts(ics).size());
    ical::EventPatch bad;
    bad.time_zone = "Nowhere/Land";
    BOOST_TEST(refused_field(ical::edit_all(ics, bad, edited)) == "time_zone");
}

BOOST_AUTO_TEST_CASE(split_series_with_count_keeps_the_total_and_the_attendees) {
    auto ics = ical::build_event(ten_days(), created);
    std::int64_t fourth = at("2024-01-18T15:00:00Z");
    ical::EventPatch p;
    p.title = "Later standups";
    auto split = ical::split_series(ics, fourth, "daily-2", p, edited);
    BOOST_REQUIRE(std::holds_alternative<ical::SplitResult>(split));
    auto [first, second] = std::get<ical::SplitResult>(split);
    BOOST_TEST(has_line(first, "RRULE:FREQ=DAILY;UNTIL=20240118T145959Z"));
    BOOST_TEST(has_line(second, "RRULE:FREQ=DAILY;COUNT=7"));
    BOOST_TEST(has_line(second, "UID:daily-2"));
    BOOST_TEST(has_line(second, "DTSTART;TZID=America/New_York:20240118T100000"));
    BOOST_TEST(starts(first).size() == 3u);
    BOOST_TEST(starts(second).size() == 7u);
    BOOST_TEST(starts(second).front() == fourth);
    BOOST_TEST(ical::read_event(first)->title == "Standup");
    BOOST_TEST(ical::read_event(second)->title == "Later standups");
    BOOST_TEST(ical::read_event(first)->attendees.size() == 1u);
    BOOST_TEST(ical::read_event(second)->attendees.size() == 1u);
    BOOST_TEST(ical::read_event(second)->organizer_email == "org@example.com");
    BOOST_TEST(ical::read_event(first)->sequence == 1);
    BOOST_TEST(ical::validate_calendar(first).empty());
    BOOST_TEST(ical::validate_calendar(second).empty());
}

BOOST_AUTO_TEST_CASE(split_series_with_until_carries_later_overrides_to_the_new_uid) {
    auto ics = ical::build_event(standup(), created);
    std::int64_t early = at("2024-02-06T15:00:00Z");
    std::int64_t late = at("2024-09-10T14:00:00Z");
    ical::EventPatch rename;
    rename.title = "Special";
    ics = text(ical::edit_instance(ics, early, rename, edited));
    ics = text(ical::edit_instance(ics, late, rename, edited));
    std::int64_t cut = at("2024-06-03T14:00:00Z");
    auto split = ical::split_series(ics, cut, "standup-2", ical::EventPatch{}, edited);
    BOOST_REQUIRE(std::holds_alternative<ical::SplitResult>(split));
    auto [first, second] = std::get<ical::SplitResult>(split);
    auto a = starts(first), b = starts(second);
    BOOST_TEST(a.size() + b.size() == starts(ics).size());
    BOOST_TEST(a.back() < cut);
    BOOST_TEST(b.front() == cut);
    BOOST_TEST(has_line(first, "RRULE:FREQ=WEEKLY;UNTIL=20240603T135959Z;BYDAY=MO,TU,WE,TH,FR"));
    BOOST_TEST(has_line(second, "RRULE:FREQ=WEEKLY;UNTIL=20241231T235959Z;BYDAY=MO,TU,WE,TH,FR"));
    BOOST_TEST(ical::read_event(first, early)->title == "Special");
    BOOST_TEST(!ical::read_event(first, late));
    BOOST_TEST(ical::read_event(second, late)->title == "Special");
    BOOST_TEST(ical::read_event(second, late)->uid == "standup-2");
    BOOST_TEST(!ical::read_event(second, early));
    BOOST_TEST(occurrences(second, "UID:standup-1") == 0u);
    auto at_first =
        ical::split_series(ics, ical::read_event(ics)->start, "x", ical::EventPatch{}, edited);
    BOOST_REQUIRE(std::holds_alternative<ical::FieldError>(at_first));
    BOOST_TEST(std::get<ical::FieldError>(at_first).field == "instance_date");
}

BOOST_AUTO_TEST_CASE(split_series_moving_the_future_moves_its_unmoved_overrides_too) {
    auto ics = ical::build_event(standup(), created);
    std::int64_t late = at("2024-09-10T14:00:00Z");
    ical::EventPatch rename;
    rename.title = "Special";
    ics = text(ical::edit_instance(ics, late, rename, edited));
    std::int64_t cut = at("2024-06-03T14:00:00Z");
    ical::EventPatch later;
    later.start = cut + 2 * hour;
    later.end = cut + 2 * hour + 30 * 60;
    auto split = ical::split_series(ics, cut, "standup-2", later, edited);
    BOOST_REQUIRE(std::holds_alternative<ical::SplitResult>(split));
    auto second = std::get<ical::SplitResult>(split).second;
    BOOST_TEST(has_line(second, "DTSTART;TZID=America/New_York:20240603T120000"));
    BOOST_TEST(has_line(second, "DTEND;TZID=America/New_York:20240603T123000"));
    BOOST_TEST(has_line(second, "RECURRENCE-ID;TZID=America/New_York:20240910T120000"));
    auto s = starts(second);
    BOOST_TEST(s.front() == cut + 2 * hour);
    BOOST_TEST(contains(s, late + 2 * hour));
    BOOST_TEST(ical::read_event(second, late + 2 * hour)->title == "Special");
    BOOST_TEST(ical::read_event(second)->sequence == 0);
}

BOOST_AUTO_TEST_CASE(edit_all_from_utc_to_a_zone_writes_tzid_forms) {
    auto spec = ten_days();
    spec.time_zone = "UTC";
    auto ics = ical::build_event(spec, created);
    std::int64_t third = spec.start + 2 * 86400;
    ics = text(ical::remove_instance(ics, third, edited));
    BOOST_TEST(has_line(ics, "EXDATE:20240117T150000Z"));
    ical::EventPatch zone;
    zone.time_zone = "Europe/Paris";
    auto out = text(ical::edit_all(ics, zone, edited));
    BOOST_TEST(has_line(out, "DTSTART;TZID=Europe/Paris:20240115T160000"));
    BOOST_TEST(has_line(out, "EXDATE;TZID=Europe/Paris:20240117T160000"));
    BOOST_TEST(starts(out).size() == 9u);
    BOOST_TEST(ical::read_event(out)->time_zone == "Europe/Paris");
}

BOOST_AUTO_TEST_CASE(remove_instance_adds_an_exdate_in_the_tzid_form_and_drops_the_override) {
    auto ics = ical::build_event(standup(), created);
    std::int64_t tuesday = at("2024-03-12T14:00:00Z");
    ical::EventPatch rename;
    rename.title = "Special";
    ics = text(ical::edit_instance(ics, tuesday, rename, edited));
    auto out = text(ical::remove_instance(ics, tuesday, edited));
    BOOST_TEST(has_line(out, "EXDATE;TZID=America/New_York:20240312T100000"));
    BOOST_TEST(occurrences(out, "RECURRENCE-ID") == 0u);
    BOOST_TEST(!contains(starts(out), tuesday));
    BOOST_TEST(starts(out).size() + 1 == starts(ics).size());
    BOOST_TEST(!ical::read_event(out, tuesday));
    BOOST_TEST(ical::read_event(out)->sequence == 1);
    BOOST_TEST(refused_field(ical::remove_instance(out, tuesday, edited)) == "instance_date");
}

BOOST_AUTO_TEST_CASE(end_series_before_keeps_the_earlier_instances_only) {
    auto ics = ical::build_event(ten_days(), created);
    auto out = text(ical::end_series_before(ics, at("2024-01-20T15:00:00Z"), edited));
    BOOST_TEST(starts(out).size() == 5u);
    BOOST_TEST(refused_field(ical::end_series_before(ics, at("2024-01-15T15:00:00Z"), edited)) ==
               "instance_date");
    BOOST_TEST(refused_field(ical::end_series_before(ics, at("2024-01-20T15:30:00Z"), edited)) ==
               "instance_date");
}

BOOST_AUTO_TEST_CASE(with_instance_partstat_changes_one_instance_only) {
    auto ics = ical::build_event(standup(), created);
    std::int64_t tuesday = at("2024-03-12T14:00:00Z");
    auto out = text(
        ical::with_instance_partstat(ics, "mailto:Bob@Example.com", "DECLINED", tuesday, edited));
    auto one = ical::read_event(out, tuesday);
    BOOST_REQUIRE(one);
    BOOST_TEST(one->attendees.at(0).partstat == "DECLINED");
    BOOST_TEST(one->sequence == 0);  // an attendee's answer (RFC 5546 §2.1.4)
    BOOST_TEST(ical::read_event(out)->attendees.at(0).partstat == "NEEDS-ACTION");
    BOOST_TEST(ical::read_event(out, tuesday + 86400)->attendees.at(0).partstat == "NEEDS-ACTION");
    auto e = ical::expand(out, tuesday, tuesday + 1, {});
    BOOST_REQUIRE(e.instances.size() == 1u);
    BOOST_TEST(e.instances[0].overridden);
    // Answering again rewrites the same override.
    auto again = text(
        ical::with_instance_partstat(out, "mailto:bob@example.com", "ACCEPTED", tuesday, edited));
    BOOST_TEST(occurrences(again, "RECURRENCE-ID") == 1u);
    BOOST_TEST(ical::read_event(again, tuesday)->attendees.at(0).partstat == "ACCEPTED");
    BOOST_TEST(refused_field(ical::with_instance_partstat(ics, "mailto:eve@example.com", "ACCEPTED",
                                                          tuesday, edited)) == "attendee");
    BOOST_TEST(refused_field(ical::with_instance_partstat(ics, "mailto:bob@example.com", "ACCEPTED",
                                                          at("2024-03-16T14:00:00Z"), edited)) ==
               "instance_date");
}

BOOST_AUTO_TEST_CASE(a_single_event_is_edited_and_answered_in_place_without_recurrence_id) {
    auto spec = standup();
    spec.recurrence.reset();
    auto ics = ical::build_event(spec, created);
    ical::EventPatch p;
    p.title = "One-off";
    auto out = text(ical::edit_instance(ics, spec.start, p, edited));
    BOOST_TEST(occurrences(out, "RECURRENCE-ID") == 0u);
    BOOST_TEST(ical::read_event(out)->title == "One-off");
    auto answered = text(ical::with_instance_partstat(out, "mailto:bob@example.com", "ACCEPTED",
                                                      spec.start, edited));
    BOOST_TEST(occurrences(answered, "RECURRENCE-ID") == 0u);
    BOOST_TEST(ical::read_event(answered)->attendees.at(0).partstat == "ACCEPTED");
    BOOST_TEST(refused_field(ical::edit_instance(ics, spec.start + hour, p, edited)) ==
               "instance_date");
}

BOOST_AUTO_TEST_CASE(removing_the_rule_drops_overrides_and_exdates) {
    auto ics = ical::build_event(standup(), created);
    ical::EventPatch rename;
    rename.title = "Special";
    ics = text(ical::edit_instance(ics, at("2024-03-12T14:00:00Z"), rename, edited));
    ics = text(ical::remove_instance(ics, at("2024-03-13T14:00:00Z"), edited));
    ical::EventPatch once;
    once.recurrence = std::optional<ical::RecurrenceSpec>();
    auto out = text(ical::edit_all(ics, once, edited));
    BOOST_TEST(occurrences(out, "RRULE:FREQ=WEEKLY") == 0u);
    BOOST_TEST(occurrences(out, "RECURRENCE-ID") == 0u);
    BOOST_TEST(occurrences(out, "EXDATE") == 0u);
    BOOST_TEST(starts(out).size() == 1u);
    BOOST_TEST(!ical::read_event(out)->recurrence);
}

BOOST_AUTO_TEST_CASE(all_day_series_keeps_its_dates_when_edited_and_split) {
    auto spec = ten_days();
    spec.all_day = true;
    spec.start = at("2024-01-15T00:00:00-05:00");
    spec.end = at("2024-01-16T00:00:00-05:00");
    spec.reminders = {{30, "display"}};
    auto ics = ical::build_event(spec, created);
    std::int64_t third = at("2024-01-17T00:00:00Z");  // DATE instances: midnight read as UTC
    BOOST_TEST(contains(starts(ics), third));
    ical::EventPatch rename;
    rename.title = "Holiday";
    rename.time_zone = "Asia/Tokyo";
    auto out = text(ical::edit_all(ics, rename, edited));
    BOOST_TEST(has_line(out, "DTSTART;VALUE=DATE:20240115"));
    BOOST_TEST(has_line(out, "DTEND;VALUE=DATE:20240116"));
    BOOST_TEST(has_line(out, "DESCRIPTION:Holiday"));  // the reminder follows the title
    out = text(ical::edit_instance(out, third, rename, edited));
    BOOST_TEST(has_line(out, "RECURRENCE-ID;VALUE=DATE:20240117"));
    out = text(ical::remove_instance(out, third + 86400, edited));
    BOOST_TEST(has_line(out, "EXDATE;VALUE=DATE:20240118"));
    auto split =
        ical::split_series(out, at("2024-01-20T00:00:00Z"), "daily-2", ical::EventPatch{}, edited);
    BOOST_REQUIRE(std::holds_alternative<ical::SplitResult>(split));
    auto [first, second] = std::get<ical::SplitResult>(split);
    BOOST_TEST(has_line(first, "RRULE:FREQ=DAILY;UNTIL=20240119"));
    BOOST_TEST(has_line(second, "DTSTART;VALUE=DATE:20240120"));
    BOOST_TEST(has_line(second, "RRULE:FREQ=DAILY;COUNT=5"));
    BOOST_TEST(starts(first).size() + starts(second).size() == 9u);  // ten less the removed one
}

BOOST_AUTO_TEST_CASE(apple_calendar_body_from_the_golden_files_reads_as_an_event) {
    auto v =
        ical::read_event(golden_body("tests/golden/clients/apple/scheduling-invite-accept.txt"));
    BOOST_REQUIRE(v);
    BOOST_TEST(v->uid == "8F2C5A3E-1B7D-4E0A-9C11-2D6B3F4A5E70");
    BOOST_TEST(v->title == "Quarterly review");
    BOOST_TEST(v->start == at("2027-03-01T09:00:00Z"));
    BOOST_TEST(v->end == at("2027-03-01T10:00:00Z"));
    BOOST_TEST(v->time_zone == "UTC");
    BOOST_TEST(v->organizer_email == "alice@example.com");
    BOOST_REQUIRE(v->attendees.size() == 1u);  // the organizer is not listed
    BOOST_TEST(v->attendees[0].email == "bob@example.com");
    BOOST_TEST(v->attendees[0].partstat == "NEEDS-ACTION");
    BOOST_TEST(v->last_modified == at("2024-06-01T08:00:00Z"));
    BOOST_TEST(!v->transparent);
}

BOOST_AUTO_TEST_CASE(apple_style_series_with_alarm_reads_rule_zone_and_reminder) {
    auto v = ical::read_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS "
        "14.5//EN\r\nCALSCALE:GREGORIAN\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:Europe/"
        "Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=3;"
        "BYDAY=-1SU\r\nDTSTART:19810329T020000\r\nTZNAME:CEST\r\nTZOFFSETTO:+0200\r\nEND:"
        "DAYLIGHT\r\nBEGIN:STANDARD\r\n"
        "TZOFFSETFROM:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nDTSTART:"
        "19961027T030000\r\nTZNAME:CET\r\n"
        "TZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nTRANSP:"
        "TRANSPARENT\r\n"
        "DTEND;TZID=Europe/Berlin:20240108T100000\r\nUID:A1B2C3D4-0000-4000-8000-000000000001\r\n"
        "DTSTAMP:20240101T120000Z\r\nLOCATION:Caf\xC3\xA9\\, "
        "upstairs\r\nSTATUS:CONFIRMED\r\nSEQUENCE:2\r\n"
        "SUMMARY:Team "
        "sync\r\nLAST-MODIFIED:20240102T120000Z\r\nDTSTART;TZID=Europe/Berlin:20240108T093000\r\n"
        "CREATED:20240101T120000Z\r\nRRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20240630T215959Z;BYDAY="
        "MO\r\n"
        "BEGIN:VALARM\r\nX-WR-ALARMUID:0F9E\r\nUID:0F9E\r\nTRIGGER:-PT10M\r\nATTACH;VALUE=URI:"
        "Chord\r\n"
        "ACTION:AUDIO\r\nEND:VALARM\r\nBEGIN:VALARM\r\nTRIGGER;VALUE=DATE-TIME:"
        "20240108T080000Z\r\nACTION:DISPLAY\r\n"
        "DESCRIPTION:x\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    BOOST_REQUIRE(v);
    BOOST_TEST(v->time_zone == "Europe/Berlin");
    BOOST_TEST(v->start == at("2024-01-08T08:30:00Z"));
    BOOST_TEST(v->end == at("2024-01-08T09:00:00Z"));
    BOOST_TEST(v->location == "Caf\xC3\xA9, upstairs");
    BOOST_TEST(v->status == "CONFIRMED");
    BOOST_TEST(v->transparent);
    BOOST_TEST(v->sequence == 2);
    BOOST_REQUIRE(v->recurrence);
    BOOST_TEST(v->recurrence->frequency == "weekly");
    BOOST_TEST(v->recurrence->interval == 2);
    BOOST_TEST(*v->recurrence->until == at("2024-06-30T21:59:59Z"));
    BOOST_TEST(v->recurrence->by_day == std::vector<std::string>{"MO"});
    BOOST_REQUIRE(v->reminders.size() == 1u);  // the absolute trigger is not "minutes before"
    BOOST_TEST(v->reminders[0].minutes_before == 10);
    BOOST_TEST(v->reminders[0].method == "display");
}

BOOST_AUTO_TEST_CASE(thunderbird_and_outlook_zone_names_map_to_iana) {
    auto body = [](const char* tzid) {
        return std::string(
                   "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Mozilla.org/NONSGML Mozilla "
                   "Calendar V1.1//EN\r\n"
                   "BEGIN:VEVENT\r\nUID:tb-1\r\nDTSTAMP:20240101T000000Z\r\nDTSTART;TZID=") +
               tzid + ":20240115T100000\r\nDURATION:PT30M\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    };
    auto tb = ical::read_event(body("/mozilla.org/20050126_1/America/New_York"));
    BOOST_REQUIRE(tb);
    BOOST_TEST(tb->time_zone == "America/New_York");
    BOOST_TEST(tb->start == at("2024-01-15T15:00:00Z"));
    BOOST_TEST(tb->end == at("2024-01-15T15:30:00Z"));
    auto outlook = ical::read_event(body("W. Europe Standard Time"));
    BOOST_REQUIRE(outlook);
    BOOST_TEST(outlook->time_zone == "Europe/Berlin");
    BOOST_TEST(outlook->start == at("2024-01-15T09:00:00Z"));
    auto floating = ical::read_event(event("DTSTART:20240115T100000"));
    BOOST_REQUIRE(floating);
    BOOST_TEST(floating->time_zone == "");
    BOOST_TEST(!ical::read_event("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"));
    BOOST_TEST(!ical::read_event("not a calendar"));
}

BOOST_AUTO_TEST_SUITE_END()
