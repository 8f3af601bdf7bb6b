// A deterministic calendar workload for benchmarks: the same seed gives the same
// events on every machine and against every server (issue 7).
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace bench {

/// One generated event: its resource name, UID, iCalendar text, and the UTC
/// seconds of its first instance (for computing expected query hits).
struct Event {
    std::string name;
    std::string uid;
    std::string ics;
    std::int64_t first_start = 0;
    bool recurring = false;
};

/// Time zones used, with their VTIMEZONE (US and EU rules as of 2007, fixed
/// Asia/Tokyo), so every server sees the same definitions.
inline const char* vtimezone(const std::string& tzid) {
    if (tzid == "America/New_York")
        return "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0500\r\n"
               "TZOFFSETTO:-0400\r\nTZNAME:EDT\r\nDTSTART:20070311T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"
               "END:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\n"
               "DTSTART:20071104T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
    if (tzid == "Europe/Berlin")
        return "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
               "TZNAME:CEST\r\nDTSTART:19810329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
               "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19961027T030000\r\n"
               "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
    return "BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\n"
           "TZNAME:JST\r\nDTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
}

/// Generates `count` events from `seed`: 70% single, 30% recurring (daily,
/// weekly BYDAY, monthly BYSETPOS) with EXDATEs and an overridden instance,
/// half in a named zone, 1-3 attendees, starts spread over two years from
/// 2025-01-01.
inline std::vector<Event> generate(std::size_t count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
    const char* zones[] = {"UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo"};
    const std::int64_t base = 1735689600;  // 2025-01-01T00:00:00Z
    std::vector<Event> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        Event e;
        e.uid = "bench-" + std::to_string(seed) + "-" + std::to_string(i) + "@kalends.invalid";
        e.name = "ev" + std::to_string(i) + ".ics";
        std::int64_t day = pick(730);
        std::int64_t start = base + day * 86400 + (7 + pick(11)) * 3600 + pick(4) * 900;
        e.first_start = start;
        std::time_t t = static_cast<std::time_t>(start);
        std::tm tm{};
        gmtime_r(&t, &tm);
        char local[32];
        std::strftime(local, sizeof local, "%Y%m%dT%H%M%S", &tm);
        std::string zone = zones[pick(4)];
        int minutes = 30 * (1 + pick(4));
        std::string body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kalends//bench//EN\r\n";
        if (zone != "UTC") body += vtimezone(zone);
        body += "BEGIN:VEVENT\r\nUID:" + e.uid + "\r\nDTSTAMP:20250101T000000Z\r\n";
        std::string dtstart = zone == "UTC" ? "DTSTART:" + std::string(local) + "Z" : "DTSTART;TZID=" + zone + ":" + local;
        body += dtstart + "\r\nDURATION:PT" + std::to_string(minutes) + "M\r\n";
        body += "SUMMARY:Bench event " + std::to_string(i) + "\r\n";
        body += "ORGANIZER;CN=Alice:mailto:alice@example.com\r\n";
        int attendees = 1 + pick(3);
        for (int a = 0; a < attendees; ++a)
            body += "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:person" + std::to_string(pick(50)) + "@example.com\r\n";
        std::string override_block;
        if (pick(10) < 3) {
            e.recurring = true;
            static const char* days[] = {"MO", "TU", "WE", "TH", "FR"};
            switch (pick(3)) {
            case 0: body += "RRULE:FREQ=DAILY;COUNT=" + std::to_string(5 + pick(30)) + "\r\n"; break;
            case 1:
                body += std::string("RRULE:FREQ=WEEKLY;BYDAY=") + days[pick(5)] + "," + days[pick(5)] + ";COUNT=" +
                        std::to_string(4 + pick(40)) + "\r\n";
                break;
            default: body += "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=" + std::to_string(3 + pick(12)) + "\r\n";
            }
            if (pick(2) == 0) {
                std::time_t ex = static_cast<std::time_t>(start + 86400 * (1 + pick(3)));
                gmtime_r(&ex, &tm);
                char exl[32];
                std::strftime(exl, sizeof exl, "%Y%m%dT%H%M%S", &tm);
                body += (zone == "UTC" ? "EXDATE:" + std::string(exl) + "Z" : "EXDATE;TZID=" + zone + ":" + exl) + "\r\n";
            }
        }
        body += "END:VEVENT\r\n";
        if (e.recurring && pick(2) == 0) {
            // An overridden first instance, moved by an hour.
            std::time_t moved = static_cast<std::time_t>(start + 3600);
            gmtime_r(&moved, &tm);
            char ml[32];
            std::strftime(ml, sizeof ml, "%Y%m%dT%H%M%S", &tm);
            body += "BEGIN:VEVENT\r\nUID:" + e.uid + "\r\nDTSTAMP:20250101T000000Z\r\n";
            body += (zone == "UTC" ? "RECURRENCE-ID:" + std::string(local) + "Z" : "RECURRENCE-ID;TZID=" + zone + ":" + local) + "\r\n";
            body += (zone == "UTC" ? "DTSTART:" + std::string(ml) + "Z" : "DTSTART;TZID=" + zone + ":" + ml) + "\r\n";
            body += "DURATION:PT" + std::to_string(minutes) + "M\r\nSUMMARY:Moved instance\r\nEND:VEVENT\r\n";
        }
        body += "END:VCALENDAR\r\n";
        e.ics = std::move(body);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace bench
