// Alarm firings (RFC 5545 §3.6.6, §3.8.6; RFC 9074 §6-§7): each VALARM of
// each instance turned into the instants it fires at.
#include "ical/alarms.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>

#include "ical/calendar_data.hpp"
#include "ical/libical_text.hpp"
#include "ical/local_time.hpp"
#include "ical/scheduling.hpp"
#include "ical/zone_resolver.hpp"

namespace ical {

namespace {

constexpr std::int64_t unbounded = std::numeric_limits<std::int64_t>::max();

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// The value of the first property named `name` (X- or IANA, as written), or "".
std::string named_value(icalcomponent* c, std::string_view name) {
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY))
        if (upper(property_name_of(p)) == name) return text_or(icalproperty_get_value_as_string(p));
    return "";
}

/// UTC seconds of a DATE-TIME text ("20240105T150000Z"; no zone read as UTC).
std::optional<std::int64_t> utc_of_text(const std::string& text) {
    if (text.empty()) return std::nullopt;
    icaltimetype t = icaltime_from_string(text.c_str());
    if (icaltime_is_null_time(t)) return std::nullopt;
    bool floating = false;
    return to_utc(t, nullptr, floating);
}

/// What one VALARM says, read once.
struct Alarm {
    icalcomponent* component = nullptr;
    int index = 0;
    bool absolute = false;
    std::int64_t at = 0;       ///< absolute: the UTC instant
    std::int64_t offset = 0;   ///< relative: seconds after the start or end
    bool from_end = false;
    int repeat = 0;
    std::int64_t every = 0;
    std::string uid, action, method, snooze_of;
    std::vector<std::string> attendees;
    std::optional<std::int64_t> acknowledged;
    std::optional<std::int64_t> snoozed_until;  ///< the latest trigger of a snooze alarm naming this one
};

std::optional<Alarm> read_alarm(icalcomponent* a, int index) {
    icalproperty* trig = icalcomponent_get_first_property(a, ICAL_TRIGGER_PROPERTY);
    if (!trig) return std::nullopt;
    Alarm out;
    out.component = a;
    out.index = index;
    icaltriggertype t = icalproperty_get_trigger(trig);
    if (!icaltime_is_null_time(t.time)) {
        bool floating = false;
        out.absolute = true;
        out.at = to_utc(t.time, nullptr, floating);
    } else {
        out.offset = icaldurationtype_as_int(t.duration);
        icalparameter* related = icalproperty_get_first_parameter(trig, ICAL_RELATED_PARAMETER);
        out.from_end = related && icalparameter_get_related(related) == ICAL_RELATED_END;
    }
    if (icalproperty* rp = icalcomponent_get_first_property(a, ICAL_REPEAT_PROPERTY))
        out.repeat = std::clamp(icalproperty_get_repeat(rp), 0, 1000);
    if (icalproperty* dp = icalcomponent_get_first_property(a, ICAL_DURATION_PROPERTY))
        out.every = std::max(0, icaldurationtype_as_int(icalproperty_get_duration(dp)));
    if (out.every == 0) out.repeat = 0;  // RFC 5545 §3.6.6: REPEAT needs DURATION
    out.action = upper(named_value(a, "ACTION"));
    out.method = lower(named_value(a, "X-KALENDS-METHOD"));
    out.uid = named_value(a, "UID");
    out.acknowledged = utc_of_text(named_value(a, "ACKNOWLEDGED"));
    for (icalproperty* p = icalcomponent_get_first_property(a, ICAL_RELATEDTO_PROPERTY); p;
         p = icalcomponent_get_next_property(a, ICAL_RELATEDTO_PROPERTY)) {
        const char* reltype = icalproperty_get_parameter_as_string(p, "RELTYPE");
        if (reltype && upper(reltype) == "SNOOZE") out.snooze_of = text_or(icalproperty_get_relatedto(p));
    }
    for (icalproperty* p = icalcomponent_get_first_property(a, ICAL_ATTENDEE_PROPERTY); p;
         p = icalcomponent_get_next_property(a, ICAL_ATTENDEE_PROPERTY)) {
        std::string address = text_or(icalproperty_get_attendee(p));
        if (lower(address.substr(0, 7)) == "mailto:") address.erase(0, 7);
        if (!address.empty()) out.attendees.push_back(address);
    }
    return out;
}

/// The alarms of one component, snooze alarms linked to their parents.
std::vector<Alarm> alarms_of(icalcomponent* c) {
    std::vector<Alarm> out;
    int index = 0;
    for (icalcomponent* a = icalcomponent_get_first_component(c, ICAL_VALARM_COMPONENT); a;
         a = icalcomponent_get_next_component(c, ICAL_VALARM_COMPONENT), ++index)
        if (auto alarm = read_alarm(a, index)) out.push_back(std::move(*alarm));
    for (const auto& snooze : out) {
        if (snooze.snooze_of.empty()) continue;
        std::int64_t until = snooze.absolute ? snooze.at : unbounded;
        for (auto& parent : out)
            if (&parent != &snooze && parent.uid == snooze.snooze_of)
                parent.snoozed_until = std::max(parent.snoozed_until.value_or(until), until);
    }
    return out;
}

/// True when the component has one of the owner's addresses as an ATTENDEE
/// with PARTSTAT=DECLINED.
bool owner_declined(icalcomponent* c, const AlarmOptions& options) {
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
        if (partstat_text(p) != "DECLINED") continue;
        std::string address = text_or(icalproperty_get_attendee(p));
        if (lower(address.substr(0, 7)) == "mailto:") address.erase(0, 7);
        for (const auto& own : options.owner_addresses)
            if (same_address(address, own)) return true;
    }
    return false;
}

bool cancelled(icalcomponent* c) {
    icalproperty* s = icalcomponent_get_first_property(c, ICAL_STATUS_PROPERTY);
    return s && icalproperty_get_status(s) == ICAL_STATUS_CANCELLED;
}

/// Adds the firings of `alarm` starting at `first` (and its repeats) inside [from, to).
void add_firings(const Alarm& alarm, icalcomponent* source, std::int64_t first, const Instance& instance,
                 std::int64_t instance_end, std::int64_t from, std::int64_t to, std::vector<AlarmFiring>& out) {
    for (int i = 0; i <= alarm.repeat; ++i) {
        std::int64_t at = first + i * alarm.every;
        if (at < from || at >= to) continue;
        if (alarm.acknowledged && *alarm.acknowledged >= at) continue;  // RFC 9074 §6
        if (alarm.snoozed_until && *alarm.snoozed_until >= at) continue;  // RFC 9074 §7: the snooze fires instead
        AlarmFiring f;
        f.recurrence_id = instance.recurrence_id;
        f.instance_start = instance.start;
        f.instance_end = instance_end;
        f.trigger_at = at;
        f.repetition = i;
        f.action = alarm.action;
        f.method = alarm.method;
        f.attendees = alarm.attendees;
        f.alarm_uid = alarm.uid;
        f.alarm_index = alarm.index;
        f.summary = text_or(icalcomponent_get_summary(source));
        f.snooze = !alarm.snooze_of.empty();
        out.push_back(std::move(f));
    }
}

/// UTC seconds of a date-time value in `zone`; a floating or DATE value in
/// `floating_zone` (nullptr: UTC).
std::int64_t utc_in(icaltimetype t, icaltimezone* zone, icaltimezone* floating_zone) {
    bool floating = false;
    const std::int64_t utc = to_utc(t, zone, floating);
    return floating && floating_zone ? local_to_utc(t, floating_zone) : utc;
}

/// Seconds from before an instance's start to after its end within which
/// its relative alarms fire.
std::int64_t reach_of(icalcomponent* calendar) {
    std::int64_t reach = 0;
    for (auto kind : {ICAL_VEVENT_COMPONENT, ICAL_VTODO_COMPONENT})
        for (icalcomponent* c = icalcomponent_get_first_component(calendar, kind); c;
             c = icalcomponent_get_next_component(calendar, kind))
            for (const auto& a : alarms_of(c))
                if (!a.absolute) reach = std::max(reach, std::abs(a.offset) + a.repeat * a.every);
    return reach + 1;
}

/// True when the component recurs (a master with RRULE or RDATE).
bool recurs(icalcomponent* c) {
    return icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY) ||
           icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY);
}

}  // namespace

AlarmFirings alarm_firings(std::string_view ics, std::int64_t from, std::int64_t to, const AlarmOptions& options) {
    return alarm_firings(ics, nullptr, from, to, options);
}

AlarmFirings alarm_firings(std::string_view ics, icalcomponent* parsed, std::int64_t from, std::int64_t to,
                           const AlarmOptions& options) {
    AlarmFirings result;
    if (ics.find("VALARM") == std::string_view::npos) return result;
    ComponentPtr own;
    if (!parsed) own = parse_with_libical(ics);
    icalcomponent* calendar = parsed ? parsed : own.get();
    if (!calendar) {
        result.error = Error{"the object does not parse", 0};
        return result;
    }
    result.has_alarms = true;
    // Relative alarms: per instance, of the component it takes its
    // properties from (an override's own alarms, not the master's).
    const std::int64_t reach = reach_of(calendar);
    const auto floating_clock = ZoneClock::named(options.floating_zone);
    icaltimezone* floating_zone = floating_clock ? floating_clock->zone() : nullptr;
    std::vector<Occurrence> occurrences;
    for (auto kind : {ICAL_VEVENT_COMPONENT, ICAL_VTODO_COMPONENT}) {
        if (auto e = expand_occurrences(calendar, kind, from - reach, to + reach, options.limits, floating_zone,
                                        occurrences))
            result.error = e;
    }
    std::map<icalcomponent*, std::vector<Alarm>> alarms;
    for (const auto& o : occurrences) {
        if (cancelled(o.source) || owner_declined(o.source, options)) continue;
        auto [it, fresh] = alarms.try_emplace(o.source);
        if (fresh) it->second = alarms_of(o.source);
        for (const auto& alarm : it->second) {
            if (alarm.absolute) continue;
            std::int64_t base = alarm.from_end ? o.instance.end : o.instance.start;
            add_firings(alarm, o.source, base + alarm.offset, o.instance, o.instance.end, from, to,
                        result.firings);
        }
    }
    // Absolute alarms fire once, for their component: an override's
    // instance, or the first instance of the master.
    for (auto kind : {ICAL_VEVENT_COMPONENT, ICAL_VTODO_COMPONENT})
        for (icalcomponent* c = icalcomponent_get_first_component(calendar, kind); c;
             c = icalcomponent_get_next_component(calendar, kind)) {
            if (cancelled(c) || owner_declined(c, options)) continue;
            Instance instance;
            bool unknown = false, floating = false;
            if (icalproperty* rid = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY)) {
                auto t = icalproperty_get_recurrenceid(rid);
                instance.recurrence_id = format_utc(to_utc(t, zone_of(calendar, rid, unknown), floating));
            }
            if (icalproperty* start = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY))
                instance.start = utc_in(icalproperty_get_dtstart(start), zone_of(calendar, start, unknown),
                                        floating_zone);
            std::int64_t end = instance.start;
            if (icalproperty* e = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY))
                end = utc_in(icalproperty_get_dtend(e), zone_of(calendar, e, unknown), floating_zone);
            else if (icalproperty* d = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY))
                end = instance.start + icaldurationtype_as_int(icalproperty_get_duration(d));
            if (recurs(c)) end = unbounded;
            for (const auto& alarm : alarms_of(c))
                if (alarm.absolute) add_firings(alarm, c, alarm.at, instance, end, from, to, result.firings);
        }
    std::sort(result.firings.begin(), result.firings.end(), [](const AlarmFiring& a, const AlarmFiring& b) {
        return std::tie(a.trigger_at, a.recurrence_id, a.alarm_index, a.repetition) <
               std::tie(b.trigger_at, b.recurrence_id, b.alarm_index, b.repetition);
    });
    return result;
}

}  // namespace ical
