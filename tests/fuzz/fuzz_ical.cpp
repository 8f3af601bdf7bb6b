// libFuzzer target for the iCalendar engine (ical/): parse, validate, index,
// expand (RFC 5545 §3.8.5 recurrence sets), CALDAV:expand output, free/busy
// and the scheduling functions (iTIP messages, attendee copies, replies) on
// arbitrary input. Any crash, sanitizer report, leak or hang is a bug: every
// entry point must return a value within its caps (STYLE.md §5, §6).
//
// Input that starts with "BEGIN:VCALENDAR" is used as is; anything else is
// taken as the content lines of one VEVENT (DTSTART, RRULE, …), so that the
// fuzzer reaches recurrence rules without having to build a whole calendar.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ical/calendar_data.hpp"
#include "ical/expand.hpp"
#include "ical/freebusy.hpp"
#include "ical/itip.hpp"
#include "ical/schedule_merge.hpp"
#include "ical/scheduling.hpp"
#include "ical/object_index.hpp"

namespace {

constexpr std::int64_t range_start = 631152000;  // 1990-01-01T00:00:00Z
constexpr std::int64_t range_end = 2208988800;   // 2040-01-01T00:00:00Z
constexpr std::int64_t short_end = 978307200;    // 2001-01-01T00:00:00Z

std::string calendar_of(std::string_view input) {
    if (input.starts_with("BEGIN:VCALENDAR")) return std::string(input);
    std::string out =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kalends fuzz//EN\r\nBEGIN:VEVENT\r\nUID:f\r\n"
        "DTSTAMP:20240101T000000Z\r\n";
    out.append(input);
    if (!input.empty() && input.back() != '\n') out.append("\r\n");
    out.append("END:VEVENT\r\nEND:VCALENDAR\r\n");
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 64 * 1024) return 0;  // the server caps resources long before this
    std::string ics = calendar_of(std::string_view(reinterpret_cast<const char*>(data), size));
    const ical::ExpandLimits limits{2000, std::chrono::milliseconds(500)};

    (void)ical::validate_calendar(ics);
    (void)ical::index_object(ics, 2000);
    ical::Expansion all = ical::expand(ics, range_start, range_end, limits);
    (void)ical::expand(ics, std::nullopt, std::nullopt, limits);
    if (!all.error) (void)ical::expand_to_ical(ics, range_start, short_end, limits);
    (void)ical::limit_recurrence_set(ics, range_start, short_end, limits);
    std::vector<ical::BusyPeriod> busy;
    (void)ical::collect_busy(ics, range_start, short_end, limits, busy);
    // Scheduling reads ORGANIZER, ATTENDEE and their parameters (issue 22
    // item 2: an x-name PARTSTAT crashed here).
    if (auto info = ical::scheduling_info(ics)) {
        const std::string who = info->attendees.empty() ? info->organizer : info->attendees.front().address;
        auto request = ical::itip_message(ics, "REQUEST");
        (void)ical::itip_message(ics, "REPLY", who);
        (void)ical::with_partstat(ics, who, "ACCEPTED");
        (void)ical::with_schedule_status(ics, {{who, "1.2"}});
        auto copy = ical::attendee_copy(request);
        (void)ical::merge_attendee_copy(copy, ics, who);
        (void)ical::attendee_reply(ics, ical::with_partstat(ics, who, "DECLINED"), who, false);
        (void)ical::apply_reply(ics, ical::itip_message(ics, "REPLY", who));
        (void)ical::same_for_attendees(ics, copy);
    }
    (void)ical::itip_summary(ics);
    return 0;
}
