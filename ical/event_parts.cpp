// Building blocks of VEVENTs for the JSON API (RFC 5545 §3.3.5, §3.3.10,
// §3.8.4.1, §3.6.6, §3.8.4.4): date-time forms, RRULE, ATTENDEE, VALARM.
#include "ical/event_parts.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

#include "ical/expand.hpp"
#include "ical/libical_text.hpp"
#include "ical/recurrence.hpp"
#include "ical/scheduling.hpp"
#include "ical/windows_zones.hpp"
#include "ical/zone_resolver.hpp"

namespace ical::event_parts {

namespace {

constexpr std::int64_t day_seconds = 86400;

icaltimetype time_value(icalproperty* prop) {
    return icalvalue_get_datetime(icalproperty_get_value(prop));
}

/// The zone a TZID names: as expand() resolves it, else through the IANA
/// name inside a vendor TZID ("/mozilla.org/20050126_1/America/New_York"
/// without its VTIMEZONE).
icaltimezone* zone_for_tzid(icalcomponent* calendar, const std::string& tzid) {
    bool unknown = false;
    if (icaltimezone* z = zone_named(calendar, tzid, unknown)) return z;
    std::string iana = iana_of_tzid(calendar, tzid);
    unknown = false;
    return iana != tzid ? zone_named(nullptr, iana, unknown) : nullptr;
}

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// "20241231" or "20241231T235959Z" of `utc` for an RRULE UNTIL.
std::string until_text(std::int64_t until, const TimeForm& form) {
    if (!form.is_date) return format_utc(until);
    std::int64_t wall = until + (form.zone ? utc_offset_at(form.zone, until) : 0);
    return format_utc(wall).substr(0, 8);
}

template <class T>
void append_list(std::string& out, const char* name, const std::vector<T>& values) {
    if (values.empty()) return;
    out.append(";").append(name).append("=");
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        if constexpr (std::is_same_v<T, std::string>)
            out += upper(values[i]);
        else
            out += std::to_string(values[i]);
    }
}

std::vector<std::string> split(std::string_view text, char sep) {
    std::vector<std::string> out;
    std::size_t from = 0;
    while (from <= text.size()) {
        std::size_t at = text.find(sep, from);
        if (at == std::string_view::npos) at = text.size();
        out.emplace_back(text.substr(from, at - from));
        from = at + 1;
    }
    return out;
}

std::vector<int> int_list(const std::string& value) {
    std::vector<int> out;
    for (const auto& v : split(value, ',')) out.push_back(std::atoi(v.c_str()));
    return out;
}

icalproperty* attendee_property(const std::string& email, const std::string& name) {
    icalproperty* p = icalproperty_new_attendee(("mailto:" + email).c_str());
    if (!name.empty()) icalproperty_add_parameter(p, icalparameter_new_cn(name.c_str()));
    return p;
}

}  // namespace

TimeForm form_for_zone(const std::string& iana, bool all_day) {
    TimeForm form;
    form.is_date = all_day;
    if (iana.empty() || iana == "UTC") {
        form.utc = !all_day;
        return form;
    }
    bool unknown = false;
    form.zone = zone_named(nullptr, iana, unknown);
    if (!form.zone)
        form.utc = !all_day;
    else if (!all_day)
        form.tzid = iana;
    return form;
}

TimeForm form_of(icalcomponent* calendar, icalproperty* prop) {
    TimeForm form;
    icaltimetype t = time_value(prop);
    form.is_date = t.is_date;
    form.utc = !t.is_date && icaltime_is_utc(t);
    if (icalparameter* tzid = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
        tzid && !form.is_date) {
        form.tzid = text_or(icalparameter_get_tzid(tzid));
        form.zone = zone_for_tzid(calendar, form.tzid);
    }
    return form;
}

std::int64_t utc_of(icalcomponent* calendar, icalproperty* prop) {
    bool floating = false;
    icalparameter* tzid = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
    icaltimezone* zone =
        tzid ? zone_for_tzid(calendar, text_or(icalparameter_get_tzid(tzid))) : nullptr;
    return to_utc(time_value(prop), zone, floating);
}

icaltimetype utc_time(std::int64_t utc) {
    icaltimetype t = wall_to_icaltime(utc, false);
    t.zone = icaltimezone_get_utc_timezone();
    return t;
}

icalproperty* time_property(icalproperty_kind kind, std::int64_t utc, const TimeForm& form) {
    icaltimetype t;
    if (form.utc && !form.is_date) {
        t = utc_time(utc);
    } else {
        std::int64_t wall = utc + (form.zone ? utc_offset_at(form.zone, utc) : 0);
        t = wall_to_icaltime(wall, form.is_date);
    }
    icalproperty* p = icalproperty_new(kind);
    icalproperty_set_value(p, form.is_date ? icalvalue_new_date(t) : icalvalue_new_datetime(t));
    if (!form.is_date && !form.utc && !form.tzid.empty())
        icalproperty_add_parameter(p, icalparameter_new_tzid(form.tzid.c_str()));
    return p;
}

void remove_properties(icalcomponent* comp, icalproperty_kind kind) {
    while (icalproperty* p = icalcomponent_get_first_property(comp, kind)) {
        icalcomponent_remove_property(comp, p);
        icalproperty_free(p);
    }
}

void replace_property(icalcomponent* comp, icalproperty* p) {
    remove_properties(comp, icalproperty_isa(p));
    icalcomponent_add_property(comp, p);
}

void set_text(icalcomponent* comp, icalproperty_kind kind, const std::string& text) {
    remove_properties(comp, kind);
    if (text.empty()) return;
    icalproperty* p = icalproperty_new(kind);
    icalproperty_set_value(p, icalvalue_new_text(text.c_str()));
    icalcomponent_add_property(comp, p);
}

icalproperty* rrule_property(const RecurrenceSpec& rule, const TimeForm& form) {
    std::string text = "FREQ=" + upper(rule.frequency);
    if (rule.interval > 1) text += ";INTERVAL=" + std::to_string(rule.interval);
    if (rule.until) text += ";UNTIL=" + until_text(*rule.until, form);
    if (rule.count) text += ";COUNT=" + std::to_string(*rule.count);
    append_list(text, "BYDAY", rule.by_day);
    append_list(text, "BYMONTHDAY", rule.by_month_day);
    append_list(text, "BYMONTH", rule.by_month);
    append_list(text, "BYSETPOS", rule.by_set_pos);
    if (!rule.week_start.empty()) text += ";WKST=" + upper(rule.week_start);
    return icalproperty_new_rrule(icalrecurrencetype_from_string(text.c_str()));
}

RecurrenceSpec recurrence_of(icalproperty* rrule, const TimeForm& form) {
    RecurrenceSpec out;
    for (const auto& part : split(text_or(icalproperty_get_value_as_string(rrule)), ';')) {
        auto eq = part.find('=');
        if (eq == std::string::npos) continue;
        std::string key = upper(part.substr(0, eq)), value = part.substr(eq + 1);
        if (key == "FREQ")
            out.frequency = lower(value);
        else if (key == "INTERVAL")
            out.interval = std::max(1, std::atoi(value.c_str()));
        else if (key == "COUNT")
            out.count = std::atoi(value.c_str());
        else if (key == "BYDAY")
            out.by_day = split(upper(value), ',');
        else if (key == "BYMONTHDAY")
            out.by_month_day = int_list(value);
        else if (key == "BYMONTH")
            out.by_month = int_list(value);
        else if (key == "BYSETPOS")
            out.by_set_pos = int_list(value);
        else if (key == "WKST")
            out.week_start = upper(value);
        else if (key == "UNTIL") {
            icaltimetype t = icaltime_from_string(value.c_str());
            if (icaltime_is_null_time(t)) continue;
            bool utc = icaltime_is_utc(t) || value.ends_with("Z");
            // A DATE UNTIL counts whole days: its midnight read as UTC, as
            // expand() reads the DATE instances it bounds.
            out.until =
                (utc || t.is_date || !form.zone) ? wall_seconds(t) : local_to_utc(t, form.zone);
        }
    }
    return out;
}

void add_attendees(icalcomponent* event, const std::string& organizer_email,
                   const std::string& organizer_name, const std::vector<AttendeeSpec>& attendees) {
    if (attendees.empty()) return;
    if (!organizer_email.empty()) {
        icalproperty* org = icalproperty_new_organizer(("mailto:" + organizer_email).c_str());
        if (!organizer_name.empty())
            icalproperty_add_parameter(org, icalparameter_new_cn(organizer_name.c_str()));
        icalcomponent_add_property(event, org);
        icalproperty* self = attendee_property(organizer_email, organizer_name);
        icalproperty_add_parameter(self, icalparameter_new_role(ICAL_ROLE_CHAIR));
        icalproperty_add_parameter(self, icalparameter_new_partstat(ICAL_PARTSTAT_ACCEPTED));
        icalcomponent_add_property(event, self);
    }
    for (const AttendeeSpec& a : attendees) {
        icalproperty* p = attendee_property(a.email, a.name);
        icalproperty_add_parameter(p,
                                   icalparameter_new_role(a.optional ? ICAL_ROLE_OPTPARTICIPANT
                                                                     : ICAL_ROLE_REQPARTICIPANT));
        icalproperty_add_parameter(
            p, new_partstat(a.partstat.empty() ? "NEEDS-ACTION" : upper(a.partstat)));
        icalproperty_add_parameter(p, icalparameter_new_rsvp(ICAL_RSVP_TRUE));
        if (a.is_room) icalproperty_add_parameter(p, icalparameter_new_cutype(ICAL_CUTYPE_ROOM));
        icalcomponent_add_property(event, p);
    }
}

void remove_attendees(icalcomponent* event) {
    remove_properties(event, ICAL_ORGANIZER_PROPERTY);
    remove_properties(event, ICAL_ATTENDEE_PROPERTY);
}

icalcomponent* alarm_component(const ReminderSpec& reminder, const std::string& title,
                               const std::string& organizer_email) {
    icalcomponent* alarm = icalcomponent_new_valarm();
    icaltriggertype trigger;
    trigger.time = icaltime_null_time();
    trigger.duration = icaldurationtype_from_int(-reminder.minutes_before * 60);
    icalcomponent_add_property(alarm, icalproperty_new_trigger(trigger));
    std::string method = lower(reminder.method);
    if (method == "email") {
        icalcomponent_add_property(alarm, icalproperty_new_action(ICAL_ACTION_EMAIL));
        icalcomponent_add_property(alarm, icalproperty_new_summary(title.c_str()));
        icalcomponent_add_property(alarm, icalproperty_new_description(title.c_str()));
        if (!organizer_email.empty())
            icalcomponent_add_property(
                alarm, icalproperty_new_attendee(("mailto:" + organizer_email).c_str()));
        return alarm;
    }
    icalcomponent_add_property(alarm, icalproperty_new_action(ICAL_ACTION_DISPLAY));
    icalcomponent_add_property(alarm, icalproperty_new_description(title.c_str()));
    if (method == "push") {
        icalproperty* x = icalproperty_new_x("push");
        icalproperty_set_x_name(x, "X-KALENDS-METHOD");
        icalcomponent_add_property(alarm, x);
    }
    return alarm;
}

namespace {

/// Wall seconds of the last onset of a STANDARD/DAYLIGHT observance: its
/// RRULE's UNTIL (none: never ends), its last RDATE, else its DTSTART.
std::int64_t last_onset(icalcomponent* observance) {
    constexpr std::int64_t forever = INT64_MAX;
    std::int64_t last = 0;
    if (icalproperty* start = icalcomponent_get_first_property(observance, ICAL_DTSTART_PROPERTY))
        last = wall_seconds(icalproperty_get_dtstart(start));
    for (icalproperty* r = icalcomponent_get_first_property(observance, ICAL_RRULE_PROPERTY); r;
         r = icalcomponent_get_next_property(observance, ICAL_RRULE_PROPERTY)) {
        icalrecurrencetype rule = icalproperty_get_rrule(r);
        if (icaltime_is_null_time(rule.until)) return forever;
        last = std::max(last, wall_seconds(rule.until));
    }
    for (icalproperty* r = icalcomponent_get_first_property(observance, ICAL_RDATE_PROPERTY); r;
         r = icalcomponent_get_next_property(observance, ICAL_RDATE_PROPERTY)) {
        icaldatetimeperiodtype d = icalproperty_get_rdate(r);
        if (!icaltime_is_null_time(d.time)) last = std::max(last, wall_seconds(d.time));
    }
    return last;
}

/// Drops the observances of `vtz` that ended before `cutoff`, except the
/// last of them, which gives the offset in force at `cutoff`.
void trim_observances(icalcomponent* vtz, std::int64_t cutoff) {
    std::vector<std::pair<std::int64_t, icalcomponent*>> old;
    for (icalcomponent* c = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT))
        if (std::int64_t last = last_onset(c); last < cutoff) old.emplace_back(last, c);
    if (old.empty()) return;
    std::sort(old.begin(), old.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    old.pop_back();
    for (const auto& entry : old) {
        icalcomponent_remove_component(vtz, entry.second);
        icalcomponent_free(entry.second);
    }
}

/// Trimmed builtin VTIMEZONEs, kept: cloning a whole zone (New York's goes
/// back to 1883) and dropping its history was half the time of building an
/// event (issue 24). What trim_observances keeps depends only on how many of
/// the zone's observances ended before the cutoff, so a zone has a few
/// trimmed forms, each kept once and cloned for every event.
class TrimmedZones {
public:
    /// A clone of `iana`'s builtin VTIMEZONE trimmed at `cutoff` (none:
    /// whole), for the caller to own; null for a zone libical lacks.
    icalcomponent* clone(const std::string& iana, std::optional<std::int64_t> cutoff) {
        std::lock_guard lock(mutex_);
        auto it = zones_.find(iana);
        if (it == zones_.end()) {
            if (kept_ >= max_kept) clear();
            Zone z;
            z.whole.reset(builtin_vtimezone(iana));
            if (z.whole)
                for (icalcomponent* c = icalcomponent_get_first_component(z.whole.get(), ICAL_ANY_COMPONENT); c;
                     c = icalcomponent_get_next_component(z.whole.get(), ICAL_ANY_COMPONENT))
                    z.ends.push_back(last_onset(c));
            std::sort(z.ends.begin(), z.ends.end());
            it = zones_.emplace(iana, std::move(z)).first;
            ++kept_;
        }
        Zone& z = it->second;
        if (!z.whole) return nullptr;
        if (!cutoff) return icalcomponent_new_clone(z.whole.get());
        // Observances that ended before the cutoff: the ones trimming drops, but the last.
        auto ended = static_cast<std::size_t>(std::lower_bound(z.ends.begin(), z.ends.end(), *cutoff) - z.ends.begin());
        auto& form = z.trimmed[ended];
        if (!form) {
            form.reset(icalcomponent_new_clone(z.whole.get()));
            trim_observances(form.get(), *cutoff);
            ++kept_;
        }
        return icalcomponent_new_clone(form.get());
    }

private:
    /// Zones and trimmed forms kept at most, all dropped past it (each is a
    /// few kilobytes; about 600 zones exist, most with few forms).
    static constexpr std::size_t max_kept = 4096;
    struct Zone {
        ComponentPtr whole;
        std::vector<std::int64_t> ends;  ///< last_onset of each observance, sorted
        std::map<std::size_t, ComponentPtr> trimmed;
    };
    void clear() {
        zones_.clear();
        kept_ = 0;
    }
    std::mutex mutex_;
    std::map<std::string, Zone, std::less<>> zones_;
    std::size_t kept_ = 0;
};

TrimmedZones& trimmed_zones() {
    static TrimmedZones zones;
    return zones;
}

}  // namespace

void ensure_vtimezone(icalcomponent* calendar, const std::string& iana,
                      std::optional<std::int64_t> from) {
    if (iana.empty() || iana == "UTC") return;
    for (icalcomponent* tz = icalcomponent_get_first_component(calendar, ICAL_VTIMEZONE_COMPONENT);
         tz; tz = icalcomponent_get_next_component(calendar, ICAL_VTIMEZONE_COMPONENT)) {
        icalproperty* id = icalcomponent_get_first_property(tz, ICAL_TZID_PROPERTY);
        if (id && text_or(icalproperty_get_tzid(id)) == iana) return;
    }
    icalcomponent* vtz = trimmed_zones().clone(
        iana, from ? std::optional(*from - 366 * day_seconds) : std::nullopt);
    if (!vtz) return;
    // VTIMEZONEs first, as clients write them (RFC 5545 §3.6.5 allows any order).
    icalcomponent* first = icalcomponent_get_first_component(calendar, ICAL_ANY_COMPONENT);
    if (!first) {
        icalcomponent_add_component(calendar, vtz);
        return;
    }
    // libical has no insert-before: move the others after it.
    std::vector<icalcomponent*> rest;
    for (icalcomponent* c = first; c;
         c = icalcomponent_get_next_component(calendar, ICAL_ANY_COMPONENT))
        rest.push_back(c);
    for (icalcomponent* c : rest) icalcomponent_remove_component(calendar, c);
    icalcomponent_add_component(calendar, vtz);
    for (icalcomponent* c : rest) icalcomponent_add_component(calendar, c);
}

std::string text_of(icalcomponent* comp) {
    char* text = icalcomponent_as_ical_string_r(comp);
    std::string out = text ? text : "";
    icalmemory_free_buffer(text);
    return out;
}

icalcomponent* master_of(icalcomponent* calendar) {
    for (icalcomponent* c = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT); c;
         c = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT))
        if (!icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY)) return c;
    return nullptr;
}

icalcomponent* override_at(icalcomponent* calendar, std::int64_t instance) {
    for (icalcomponent* c = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT); c;
         c = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT))
        if (icalproperty* rid = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
            rid && utc_of(calendar, rid) == instance)
            return c;
    return nullptr;
}

std::optional<std::vector<std::int64_t>> master_starts(icalcomponent* calendar,
                                                       std::optional<std::int64_t> from,
                                                       std::optional<std::int64_t> to,
                                                       bool with_exdates) {
    ComponentPtr copy(icalcomponent_new_clone(calendar));
    std::vector<icalcomponent*> drop;
    for (icalcomponent* c = icalcomponent_get_first_component(copy.get(), ICAL_VEVENT_COMPONENT); c;
         c = icalcomponent_get_next_component(copy.get(), ICAL_VEVENT_COMPONENT)) {
        if (icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY))
            drop.push_back(c);
        else if (!with_exdates)
            remove_properties(c, ICAL_EXDATE_PROPERTY);
    }
    for (icalcomponent* c : drop) {
        icalcomponent_remove_component(copy.get(), c);
        icalcomponent_free(c);
    }
    Expansion e = expand(copy.get(), from, to, ExpandLimits{});
    if (e.error) return std::nullopt;
    std::vector<std::int64_t> out;
    for (const Instance& i : e.instances)
        if ((!from || i.start >= *from) && (!to || i.start < *to)) out.push_back(i.start);
    return out;
}

bool has_instance(icalcomponent* calendar, std::int64_t instance) {
    auto starts = master_starts(calendar, instance, instance + 1);
    return starts && std::find(starts->begin(), starts->end(), instance) != starts->end();
}

std::string iana_of_tzid(icalcomponent* calendar, std::string_view tzid) {
    auto builtin = [](std::string_view name) {
        bool unknown = false;
        icaltimezone* z = zone_named(nullptr, name, unknown);
        return z && !name.starts_with("/") && text_or(icaltimezone_get_location(z)) == name;
    };
    std::string_view n = tzid;
    if (n.starts_with("/")) n.remove_prefix(1);
    if (builtin(n)) return std::string(n);
    if (auto iana = iana_for_windows_zone(n)) return *iana;
    // "/mozilla.org/20050126_1/America/New_York", "/softwarestudio.org/…/Europe/Paris".
    for (std::size_t at = n.find('/'); at != std::string_view::npos; at = n.find('/', at + 1))
        if (builtin(n.substr(at + 1))) return std::string(n.substr(at + 1));
    if (calendar) {
        bool unknown = false;
        icaltimezone* z = zone_named(calendar, tzid, unknown);
        std::string location = z ? text_or(icaltimezone_get_location(z)) : "";
        if (!location.empty() && builtin(location)) return location;
    }
    return std::string(tzid);
}

std::int64_t duration_of(icalcomponent* calendar, icalcomponent* event) {
    icalproperty* start = icalcomponent_get_first_property(event, ICAL_DTSTART_PROPERTY);
    if (!start) return 0;
    if (icalproperty* end = icalcomponent_get_first_property(event, ICAL_DTEND_PROPERTY))
        return utc_of(calendar, end) - utc_of(calendar, start);
    if (icalproperty* d = icalcomponent_get_first_property(event, ICAL_DURATION_PROPERTY))
        return icaldurationtype_as_int(icalproperty_get_duration(d));
    return time_value(start).is_date ? day_seconds : 0;
}

}  // namespace ical::event_parts
