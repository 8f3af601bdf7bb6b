// Free/busy collection (RFC 4791 §7.10, RFC 7953 §4) and VFREEBUSY output.
#include "ical/freebusy.hpp"

#include "ical/calendar_data.hpp"
#include "ical/scheduling.hpp"
#include "ical/zone_resolver.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

namespace ical {

namespace {

constexpr std::int64_t lowest = -(std::int64_t{1} << 50);

struct Collector {
    icalcomponent* calendar;
    icaltimezone* floating_zone;
    std::int64_t start, end;
    const ExpandLimits& limits;
    std::vector<BusyPeriod>& out;
    const std::vector<std::string>& declined_by;

    bool declined(icalcomponent* c) const {
        if (declined_by.empty()) return false;
        for (icalproperty* a = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); a;
             a = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
            icalparameter* ps = icalproperty_get_first_parameter(a, ICAL_PARTSTAT_PARAMETER);
            const char* who = icalproperty_get_attendee(a);
            if (!ps || !who || icalparameter_get_partstat(ps) != ICAL_PARTSTAT_DECLINED) continue;
            for (const auto& address : declined_by)
                if (same_address(who, address)) return true;
        }
        return false;
    }

    void add(std::int64_t s, std::int64_t e, BusyType type) {
        s = std::max(s, start);
        e = std::min(e, end);
        if (s < e) out.push_back({s, e, type});
    }

    std::optional<Error> events() {
        std::vector<Occurrence> occurrences;
        auto error = expand_occurrences(calendar, ICAL_VEVENT_COMPONENT, start, end, limits, floating_zone, occurrences);
        if (error) return error;
        for (const Occurrence& o : occurrences) {
            auto type = busy_type_of(o.source);
            if (!type || declined(o.source)) continue;
            add(o.instance.start, o.instance.end, *type);
        }
        return std::nullopt;
    }

    std::optional<BusyType> type_of(icalparameter_fbtype fb) {
        switch (fb) {
            case ICAL_FBTYPE_FREE: return std::nullopt;
            case ICAL_FBTYPE_BUSYTENTATIVE: return BusyType::busy_tentative;
            case ICAL_FBTYPE_BUSYUNAVAILABLE: return BusyType::busy_unavailable;
            default: return BusyType::busy;
        }
    }

    std::int64_t utc_of(icaltimetype t) {
        if (icaltime_is_utc(t) || !floating_zone) return wall_seconds(t);
        return local_to_utc(t, floating_zone);
    }

    void freebusy(icalcomponent* c) {
        for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_FREEBUSY_PROPERTY); p;
             p = icalcomponent_get_next_property(c, ICAL_FREEBUSY_PROPERTY)) {
            icalparameter* fb = icalproperty_get_first_parameter(p, ICAL_FBTYPE_PARAMETER);
            auto type = type_of(fb ? icalparameter_get_fbtype(fb) : ICAL_FBTYPE_BUSY);
            if (!type) continue;
            icalperiodtype period = icalproperty_get_freebusy(p);
            if (icaltime_is_null_time(period.start)) continue;
            std::int64_t s = utc_of(period.start);
            std::int64_t e = !icaltime_is_null_time(period.end) ? utc_of(period.end)
                                                                 : s + icaldurationtype_as_int(period.duration);
            add(s, e, *type);
        }
    }

    std::optional<std::int64_t> time_of(icalcomponent* c, icalproperty_kind kind) {
        icalproperty* p = icalcomponent_get_first_property(c, kind);
        if (!p) return std::nullopt;
        icaltimetype t = icalvalue_get_datetime(icalproperty_get_value(p));
        bool unknown = false;
        icaltimezone* z = zone_of(calendar, p, unknown);
        if (z && !t.is_date) return local_to_utc(t, z);
        return utc_of(t);
    }

    /// RFC 7953 §4: within the VAVAILABILITY's period, time not covered by an
    /// AVAILABLE instance is busy as BUSYTYPE says.
    std::optional<Error> availability(icalcomponent* v) {
        std::int64_t s = std::max(start, time_of(v, ICAL_DTSTART_PROPERTY).value_or(lowest));
        std::int64_t e = end;
        if (auto dtend = time_of(v, ICAL_DTEND_PROPERTY)) {
            e = std::min(e, *dtend);
        } else if (icalproperty* d = icalcomponent_get_first_property(v, ICAL_DURATION_PROPERTY);
                   d && s != lowest) {
            e = std::min(e, s + icaldurationtype_as_int(icalproperty_get_duration(d)));
        }
        if (s >= e) return std::nullopt;
        BusyType type = BusyType::busy_unavailable;
        if (icalproperty* b = icalcomponent_get_first_property(v, ICAL_BUSYTYPE_PROPERTY)) {
            icalproperty_busytype bt = icalproperty_get_busytype(b);
            if (bt == ICAL_BUSYTYPE_BUSY) type = BusyType::busy;
            if (bt == ICAL_BUSYTYPE_BUSYTENTATIVE) type = BusyType::busy_tentative;
        }
        std::vector<Occurrence> slots;
        auto error = expand_occurrences(calendar, ICAL_XAVAILABLE_COMPONENT, s, e, limits, floating_zone, slots, v);
        if (error) return error;
        std::sort(slots.begin(), slots.end(),
                  [](const Occurrence& a, const Occurrence& b) { return a.instance.start < b.instance.start; });
        std::int64_t cursor = s;
        for (const Occurrence& slot : slots) {
            if (slot.instance.start > cursor) add(cursor, std::min(slot.instance.start, e), type);
            cursor = std::max(cursor, slot.instance.end);
        }
        if (cursor < e) add(cursor, e, type);
        return std::nullopt;
    }
};

icaltimezone* floating_zone_of(std::string_view spec, ComponentPtr& holder) {
    if (spec.empty()) return nullptr;
    if (spec.starts_with("BEGIN:")) {
        ParsedCalendar parsed = parse_calendar(spec);
        if (!parsed.calendar) return nullptr;
        holder = std::move(parsed.calendar);
        icalcomponent* vtz = icalcomponent_get_first_component(holder.get(), ICAL_VTIMEZONE_COMPONENT);
        if (!vtz) return nullptr;
        icalproperty* tzid = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
        return tzid ? icalcomponent_get_timezone(holder.get(), icalproperty_get_tzid(tzid)) : nullptr;
    }
    bool unknown = false;
    return zone_named(nullptr, spec, unknown);
}

const char* fbtype_name(BusyType t) {
    switch (t) {
        case BusyType::busy: return "BUSY";
        case BusyType::busy_tentative: return "BUSY-TENTATIVE";
        case BusyType::busy_unavailable: return "BUSY-UNAVAILABLE";
    }
    return "BUSY";
}

/// Appends one content line, folded at 75 octets (RFC 5545 §3.1).
void append_line(std::string& out, std::string_view line) {
    std::size_t width = 75;
    while (line.size() > width) {
        std::size_t cut = width;
        while (cut > 1 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
        out.append(line.substr(0, cut)).append("\r\n ");
        line.remove_prefix(cut);
        width = 74;
    }
    out.append(line).append("\r\n");
}

}  // namespace

std::optional<Error> collect_busy(std::string_view ics, std::int64_t start, std::int64_t end,
                                  const ExpandLimits& limits, std::vector<BusyPeriod>& out,
                                  std::string_view floating_zone, const std::vector<std::string>& declined_by) {
    try {
        ParsedCalendar parsed = parse_calendar(ics);
        if (!parsed.calendar) return parsed.error;
        ComponentPtr zone_holder;
        Collector c{parsed.calendar.get(), floating_zone_of(floating_zone, zone_holder), start, end, limits, out,
                    declined_by};
        if (auto error = c.events()) return error;
        for (icalcomponent* comp : calendar_components(parsed.calendar.get())) {
            if (icalcomponent_isa(comp) == ICAL_VFREEBUSY_COMPONENT) c.freebusy(comp);
            if (icalcomponent_isa(comp) == ICAL_VAVAILABILITY_COMPONENT)
                if (auto error = c.availability(comp)) return error;
        }
    } catch (const std::exception& e) {
        return Error{std::string("free/busy failed: ") + e.what(), 0};
    }
    return std::nullopt;
}

std::optional<Error> check_reader_zone(std::string_view vcalendar) {
    try {
        ParsedCalendar parsed = parse_calendar(vcalendar);
        if (!parsed.calendar)
            return parsed.error ? parsed.error : Error{"the time zone does not parse", 0};
        icalcomponent* root = parsed.calendar.get();
        if (icalcomponent_count_components(root, ICAL_VTIMEZONE_COMPONENT) != 1 ||
            icalcomponent_count_components(root, ICAL_ANY_COMPONENT) != 1)
            return Error{"the time zone must be a VCALENDAR holding one VTIMEZONE", 0};
        icalcomponent* vtz = icalcomponent_get_first_component(root, ICAL_VTIMEZONE_COMPONENT);
        if (!icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY))
            return Error{"the VTIMEZONE has no TZID", 0};
        std::size_t observances = 0;
        for (icalcomponent* o = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); o;
             o = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
            auto kind = icalcomponent_isa(o);
            if (kind != ICAL_XSTANDARD_COMPONENT && kind != ICAL_XDAYLIGHT_COMPONENT) continue;
            ++observances;
            for (auto required :
                 {ICAL_DTSTART_PROPERTY, ICAL_TZOFFSETFROM_PROPERTY, ICAL_TZOFFSETTO_PROPERTY})
                if (!icalcomponent_get_first_property(o, required))
                    return Error{std::string("a VTIMEZONE observance lacks ") +
                                     icalproperty_kind_to_string(required) + " (RFC 5545 §3.6.5)",
                                 0};
        }
        if (observances == 0)
            return Error{"the VTIMEZONE has no STANDARD or DAYLIGHT observance", 0};
        // libical reads an offset it cannot parse as +0000 and says nothing:
        // the text must be a UTC-OFFSET (RFC 5545 §3.3.14), ("+" / "-") HHMM[SS].
        for (std::string_view rest = vcalendar; !rest.empty();) {
            auto nl = rest.find('\n');
            std::string_view line = rest.substr(0, nl);
            rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            std::string name(line.substr(0, std::min(line.find_first_of(";:"), line.size())));
            for (auto& ch : name)
                ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            if (name != "TZOFFSETFROM" && name != "TZOFFSETTO") continue;
            auto colon = line.find(':');
            std::string_view v =
                colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
            bool ok =
                (v.size() == 5 || v.size() == 7) && (v[0] == '+' || v[0] == '-') &&
                std::all_of(v.begin() + 1, v.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
            if (!ok) return Error{name + " is not a UTC offset: " + std::string(v), 0};
        }
    } catch (const std::exception& e) {
        return Error{std::string("the time zone does not parse: ") + e.what(), 0};
    }
    return std::nullopt;
}

std::vector<BusyPeriod> merge_busy(std::vector<BusyPeriod> periods) {
    std::sort(periods.begin(), periods.end(), [](const BusyPeriod& a, const BusyPeriod& b) {
        return a.type != b.type ? a.type < b.type : a.start < b.start;
    });
    std::vector<BusyPeriod> out;
    for (const BusyPeriod& p : periods) {
        if (p.end <= p.start) continue;
        if (!out.empty() && out.back().type == p.type && p.start <= out.back().end)
            out.back().end = std::max(out.back().end, p.end);
        else
            out.push_back(p);
    }
    return out;
}

std::string render_freebusy(std::vector<BusyPeriod> periods, std::int64_t start, std::int64_t end,
                            std::string_view organizer, std::string_view attendee, std::string_view uid) {
    std::string out;
    append_line(out, "BEGIN:VCALENDAR");
    append_line(out, "VERSION:2.0");
    append_line(out, "PRODID:-//Kalends//Kalends//EN");
    append_line(out, "BEGIN:VFREEBUSY");
    if (!uid.empty()) append_line(out, "UID:" + std::string(uid));
    append_line(out, "DTSTAMP:" + format_utc(static_cast<std::int64_t>(std::time(nullptr))));
    append_line(out, "DTSTART:" + format_utc(start));
    append_line(out, "DTEND:" + format_utc(end));
    if (!organizer.empty()) append_line(out, "ORGANIZER:" + std::string(organizer));
    if (!attendee.empty()) append_line(out, "ATTENDEE:" + std::string(attendee));
    for (const BusyPeriod& p : merge_busy(std::move(periods))) {
        std::int64_t s = std::max(p.start, start), e = std::min(p.end, end);
        if (s >= e) continue;
        append_line(out, std::string("FREEBUSY;FBTYPE=") + fbtype_name(p.type) + ":" + format_utc(s) + "/" +
                             format_utc(e));
    }
    append_line(out, "END:VFREEBUSY");
    append_line(out, "END:VCALENDAR");
    return out;
}

}  // namespace ical
