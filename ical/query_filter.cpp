// calendar-query filter evaluation (RFC 4791 §9.7) with the time-range rules of
// §9.9 applied to every instance of recurring components.
#include "ical/query_filter.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <set>
#include <vector>

#include "ical/calendar_data.hpp"
#include "ical/libical_text.hpp"
#include "ical/recurrence.hpp"
#include "ical/zone_resolver.hpp"

namespace ical {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::int64_t day = 86400;
constexpr std::int64_t min_time = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t max_time = std::numeric_limits<std::int64_t>::max();

struct ComponentDeleter {
    void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};

/// Thrown inside this file only, when a cap is reached; never crosses matches().
struct CapReached {
    std::string why;
};

struct Evaluation {
    icalcomponent* calendar;
    const QueryLimits& limits;
    Clock::time_point deadline;
    icaltimezone* reader = nullptr;  ///< zone of floating and DATE values; null = UTC
    bool unknown_zone = false;

    void check_time() const {
        if (Clock::now() > deadline) throw CapReached{"evaluation took longer than the time limit"};
    }

    /// UTC seconds of `t`, whose property's zone is `zone`: floating and DATE
    /// values (a DATE as its midnight) are read in the reader's zone (§9.8).
    std::int64_t utc(icaltimetype t, icaltimezone* zone) const {
        bool floating = false;
        if (reader && !zone && !icaltime_is_utc(t)) {
            if (t.is_date) {
                t.is_date = 0;
                t.hour = t.minute = t.second = 0;
            }
            return to_utc(t, reader, floating);
        }
        return to_utc(t, zone, floating);
    }
};

std::int64_t start_of(const TimeRange& r) { return r.start.value_or(min_time); }
std::int64_t end_of(const TimeRange& r) { return r.end.value_or(max_time); }

/// A date-time property's value in UTC seconds (nullopt when absent).
std::optional<std::int64_t> utc_of(Evaluation& ev, icalcomponent* c, icalproperty_kind kind, bool* is_date = nullptr) {
    icalproperty* p = icalcomponent_get_first_property(c, kind);
    if (!p) return std::nullopt;
    icalvalue* v = icalproperty_get_value(p);
    if (!v) return std::nullopt;
    icalvalue_kind vk = icalvalue_isa(v);
    if (vk != ICAL_DATETIME_VALUE && vk != ICAL_DATE_VALUE && vk != ICAL_DATETIMEDATE_VALUE) return std::nullopt;
    icaltimetype t = icalvalue_get_datetime(v);
    if (is_date) *is_date = t.is_date;
    return ev.utc(t, zone_of(ev.calendar, p, ev.unknown_zone));
}

/// RECURRENCE-ID values (UTC) of the overrides of the master `uid`.
std::set<std::int64_t> overridden(Evaluation& ev, icalcomponent_kind kind) {
    std::set<std::int64_t> out;
    for (icalcomponent* c = icalcomponent_get_first_component(ev.calendar, kind); c;
         c = icalcomponent_get_next_component(ev.calendar, kind)) {
        if (auto rid = utc_of(ev, c, ICAL_RECURRENCEID_PROPERTY)) out.insert(*rid);
    }
    return out;
}

/// Calls `visit(instance_start_utc)` for each instance start of `c` (DTSTART,
/// RRULE occurrences, RDATEs, minus EXDATEs and overridden ones), in no
/// particular order, until `visit` returns true or instances pass `until`.
/// Returns whether `visit` returned true. Caps: QueryLimits.
/// `from` lets rules without COUNT start near the range instead of at DTSTART.
template <class Visit>
bool for_each_instance(Evaluation& ev, icalcomponent* c, const std::set<std::int64_t>& skip, std::int64_t from,
                       std::int64_t until, Visit&& visit) {
    icalproperty* dtstart = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
    if (!dtstart) return false;
    icaltimetype start = icalproperty_get_dtstart(dtstart);
    icaltimezone* zone = zone_of(ev.calendar, dtstart, ev.unknown_zone);
    std::set<std::int64_t> excluded = skip;
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY)) {
        excluded.insert(ev.utc(icalproperty_get_exdate(p), zone_of(ev.calendar, p, ev.unknown_zone)));
    }
    std::size_t count = 0;
    auto offer = [&](std::int64_t s) {
        if (++count > ev.limits.max_instances) throw CapReached{"more instances than the instance limit"};
        if (excluded.count(s)) return false;
        return visit(s);
    };
    std::int64_t first = ev.utc(start, zone);
    bool is_override = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY) != nullptr;
    if ((is_override || !excluded.count(first)) && visit(first)) return true;
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_RDATE_PROPERTY)) {
        icaldatetimeperiodtype rd = icalproperty_get_rdate(p);
        icaltimetype t = !icaltime_is_null_time(rd.time) ? rd.time : rd.period.start;
        if (icaltime_is_null_time(t)) continue;
        if (offer(ev.utc(t, zone_of(ev.calendar, p, ev.unknown_zone)))) return true;
    }
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_RRULE_PROPERTY)) {
        icalrecurrencetype rule = icalproperty_get_rrule(p);
        // UNTIL is inclusive (RFC 5545 §3.3.10): a UTC UNTIL bounds instants,
        // any other bounds wall-clock times.
        std::optional<std::int64_t> until_utc, until_wall;
        if (!icaltime_is_null_time(rule.until)) {
            if (icaltime_is_utc(rule.until))
                until_utc = wall_seconds(rule.until);
            else
                until_wall = wall_seconds(rule.until) + (rule.until.is_date && !start.is_date ? day - 1 : 0);
        }
        std::string why;
        auto it = RuleIterator::make(rule, start, why);
        if (!it) continue;
        if (from != min_time && from - 2 * day > first) {
            // Jump close to the range (two days early covers zone offsets);
            // instances that start earlier and still overlap are found by the
            // caller's window, widened by the event's length.
            it->skip_to(wall_seconds(start) + (from - 2 * day - first));
        }
        while (auto wall = it->next(ev.deadline)) {
            if (until_wall && *wall > *until_wall) break;
            icaltimetype t = wall_to_icaltime(*wall, start.is_date);
            t.zone = start.zone;  // keeps a UTC DTSTART's instances in UTC
            std::int64_t s = ev.utc(t, zone);
            if (until_utc && s > *until_utc) break;
            if (s == first) continue;  // DTSTART is offered above
            if (s >= until) break;
            if (offer(s)) return true;
            if (count % 256 == 0) ev.check_time();
        }
        if (it->timed_out()) ev.check_time();
    }
    return false;
}

/// Length from DTSTART to DTEND (or DURATION, or the RFC 5545 defaults).
std::int64_t event_length(Evaluation& ev, icalcomponent* c, bool& zero_length) {
    bool start_is_date = false;
    auto start = utc_of(ev, c, ICAL_DTSTART_PROPERTY, &start_is_date).value_or(0);
    if (auto end = utc_of(ev, c, ICAL_DTEND_PROPERTY)) {
        zero_length = *end <= start;
        return std::max<std::int64_t>(0, *end - start);
    }
    if (icalproperty* d = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY)) {
        auto len = icaldurationtype_as_int(icalproperty_get_duration(d));
        zero_length = len <= 0;
        return std::max(0, len);
    }
    zero_length = !start_is_date;
    return start_is_date ? day : 0;
}

/// RFC 4791 §9.9 for VEVENT, over every instance.
bool event_in_range(Evaluation& ev, icalcomponent* c, const TimeRange& r, const std::set<std::int64_t>& skip) {
    bool zero = false;
    std::int64_t length = event_length(ev, c, zero);
    std::int64_t S = start_of(r), E = end_of(r);
    std::int64_t from = S == min_time ? min_time : S - length;
    return for_each_instance(ev, c, skip, from, E, [&](std::int64_t s) {
        if (zero) return S <= s && E > s;
        return S < s + length && E > s;
    });
}

/// RFC 4791 §9.9 for VTODO: the table of DTSTART/DUE/DURATION/COMPLETED/CREATED.
bool todo_in_range(Evaluation& ev, icalcomponent* c, const TimeRange& r, const std::set<std::int64_t>& skip) {
    std::int64_t S = start_of(r), E = end_of(r);
    auto dtstart = utc_of(ev, c, ICAL_DTSTART_PROPERTY);
    auto due = utc_of(ev, c, ICAL_DUE_PROPERTY);
    icalproperty* dur = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
    if (dtstart) {
        std::int64_t due_offset = due ? *due - *dtstart : 0;
        std::int64_t length = dur ? icaldurationtype_as_int(icalproperty_get_duration(dur)) : 0;
        std::int64_t reach = std::max<std::int64_t>({0, due_offset, length});
        return for_each_instance(ev, c, skip, S == min_time ? min_time : S - reach, E, [&](std::int64_t s) {
            if (dur) return S <= s + length && (E > s || E >= s + length);
            if (due) return (S < s + due_offset || S <= s) && (E > s || E >= s + due_offset);
            return S <= s && E > s;
        });
    }
    if (due) return S < *due && E >= *due;
    auto completed = utc_of(ev, c, ICAL_COMPLETED_PROPERTY);
    auto created = utc_of(ev, c, ICAL_CREATED_PROPERTY);
    if (completed && created)
        return (S <= *created || S <= *completed) && (E >= *created || E >= *completed);
    if (completed) return S <= *completed && E >= *completed;
    if (created) return E > *created;
    return true;
}

/// RFC 4791 §9.9 for VJOURNAL.
bool journal_in_range(Evaluation& ev, icalcomponent* c, const TimeRange& r, const std::set<std::int64_t>& skip) {
    std::int64_t S = start_of(r), E = end_of(r);
    bool is_date = false;
    if (!utc_of(ev, c, ICAL_DTSTART_PROPERTY, &is_date)) return false;
    return for_each_instance(ev, c, skip, S == min_time ? min_time : S - day, E, [&](std::int64_t s) {
        return is_date ? (S < s + day && E > s) : (S <= s && E > s);
    });
}

/// RFC 4791 §9.9 for VFREEBUSY: DTSTART and DTEND when it has both, else its
/// FREEBUSY periods, else never.
bool freebusy_in_range(Evaluation& ev, icalcomponent* c, const TimeRange& r) {
    std::int64_t S = start_of(r), E = end_of(r);
    auto s = utc_of(ev, c, ICAL_DTSTART_PROPERTY);
    auto e = utc_of(ev, c, ICAL_DTEND_PROPERTY);
    if (s && e) return S <= *e && E > *s;
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_FREEBUSY_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_FREEBUSY_PROPERTY)) {
        icalperiodtype period = icalproperty_get_freebusy(p);
        bool floating = false;
        std::int64_t ps = to_utc(period.start, nullptr, floating);
        std::int64_t pe = !icaltime_is_null_time(period.end) ? to_utc(period.end, nullptr, floating)
                                                             : ps + icaldurationtype_as_int(period.duration);
        if (S < pe && E > ps) return true;
    }
    return false;
}

/// Seconds from a to-do instance's start to its end: DUE, else the effective DUE
/// DTSTART+DURATION (RFC 4791 §9.9, note after the tables), else 0.
std::int64_t todo_length(Evaluation& ev, icalcomponent* c) {
    auto s = utc_of(ev, c, ICAL_DTSTART_PROPERTY);
    if (!s) return 0;
    if (auto d = utc_of(ev, c, ICAL_DUE_PROPERTY)) return std::max<std::int64_t>(0, *d - *s);
    if (icalproperty* dur = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY))
        return std::max(0, icaldurationtype_as_int(icalproperty_get_duration(dur)));
    return 0;
}

/// RFC 4791 §9.9 for VALARM: each trigger time (with repeats) of each instance
/// of the parent component.
bool alarm_in_range(Evaluation& ev, icalcomponent* parent, icalcomponent* alarm, const TimeRange& r,
                    const std::set<std::int64_t>& skip) {
    std::int64_t S = start_of(r), E = end_of(r);
    icalproperty* trig = icalcomponent_get_first_property(alarm, ICAL_TRIGGER_PROPERTY);
    if (!trig) return false;
    icaltriggertype t = icalproperty_get_trigger(trig);
    int repeat = 0;
    std::int64_t every = 0;
    if (icalproperty* rp = icalcomponent_get_first_property(alarm, ICAL_REPEAT_PROPERTY)) repeat = icalproperty_get_repeat(rp);
    if (icalproperty* dp = icalcomponent_get_first_property(alarm, ICAL_DURATION_PROPERTY))
        every = icaldurationtype_as_int(icalproperty_get_duration(dp));
    auto fires_in_range = [&](std::int64_t first_fire) {
        for (int i = 0; i <= std::max(0, repeat); ++i) {
            std::int64_t f = first_fire + i * every;
            if (S <= f && E > f) return true;
        }
        return false;
    };
    if (!icaltime_is_null_time(t.time)) {
        bool floating = false;
        return fires_in_range(to_utc(t.time, nullptr, floating));
    }
    std::int64_t offset = icaldurationtype_as_int(t.duration);
    icalparameter* related = icalproperty_get_first_parameter(trig, ICAL_RELATED_PARAMETER);
    bool from_end = related && icalparameter_get_related(related) == ICAL_RELATED_END;
    bool is_todo = icalcomponent_isa(parent) == ICAL_VTODO_COMPONENT;
    if (is_todo && !icalcomponent_get_first_property(parent, ICAL_DTSTART_PROPERTY)) {
        // A to-do with DUE and no DTSTART has one point in time to relate a
        // trigger to. RFC 5545 §3.8.6.3 wants DTSTART for RELATED=START, but
        // RFC 4791 §7.8.5 expects exactly such an alarm (Task #2) to fire
        // relative to DUE, as other servers do.
        auto due = utc_of(ev, parent, ICAL_DUE_PROPERTY);
        return due && fires_in_range(*due + offset);
    }
    bool zero = false;
    std::int64_t length = !from_end ? 0 : is_todo ? todo_length(ev, parent) : event_length(ev, parent, zero);
    // An instance starting at s fires from s+length+offset to that plus the
    // repeats: only instances from S minus that reach can fire in the range, so
    // endless rules start near it instead of walking every instance since DTSTART.
    std::int64_t reach = length + offset + std::max(0, repeat) * every;
    std::int64_t from = S == min_time ? min_time : S - reach;
    // Alarms may fire before their instance: look a little past E for instances.
    std::int64_t horizon = E == max_time ? E : E + std::max<std::int64_t>(0, -offset) + 366 * day;
    return for_each_instance(ev, parent, skip, from, horizon,
                             [&](std::int64_t s) { return fires_in_range(s + length + offset); });
}

bool component_in_range(Evaluation& ev, icalcomponent* c, const TimeRange& r) {
    auto kind = icalcomponent_isa(c);
    // Overridden instances belong to their override, not to the master.
    std::set<std::int64_t> skip;
    if (!icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY)) skip = overridden(ev, kind);
    switch (kind) {
    case ICAL_VEVENT_COMPONENT: return event_in_range(ev, c, r, skip);
    case ICAL_VTODO_COMPONENT: return todo_in_range(ev, c, r, skip);
    case ICAL_VJOURNAL_COMPONENT: return journal_in_range(ev, c, r, skip);
    case ICAL_VFREEBUSY_COMPONENT: return freebusy_in_range(ev, c, r);
    default: return false;
    }
}

// ---- text --------------------------------------------------------------

/// Decodes UTF-8 and folds case for the scripts RFC 5051's table covers most
/// often (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic); other code points
/// compare as they are.
std::u32string fold(std::string_view s, Collation collation) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        char32_t cp = c;
        std::size_t len = 1;
        if (collation != Collation::octet && c >= 0x80) {
            if ((c >> 5) == 6 && i + 1 < s.size()) {
                cp = ((c & 0x1f) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3f);
                len = 2;
            } else if ((c >> 4) == 14 && i + 2 < s.size()) {
                cp = ((c & 0x0f) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3f) << 6) |
                     (static_cast<unsigned char>(s[i + 2]) & 0x3f);
                len = 3;
            }
        }
        if (collation != Collation::octet) {
            if (cp >= 'A' && cp <= 'Z') cp += 32;
            if (collation == Collation::unicode_casemap) {
                if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) || (cp >= 0x391 && cp <= 0x3A9) ||
                    (cp >= 0x410 && cp <= 0x42F))
                    cp += 32;
                else if (cp >= 0x400 && cp <= 0x40F)
                    cp += 80;
                else if (cp >= 0x100 && cp <= 0x17F && cp % 2 == 0)
                    cp += 1;
            }
        }
        out.push_back(cp);
        i += len;
    }
    return out;
}

bool text_matches(std::string_view value, const TextMatch& m) {
    bool found = fold(value, m.collation).find(fold(m.text, m.collation)) != std::u32string::npos;
    return found != m.negate;
}

// ---- filters -----------------------------------------------------------

bool param_matches(icalproperty* p, const ParamFilter& f) {
    for (icalparameter* prm = icalproperty_get_first_parameter(p, ICAL_ANY_PARAMETER); prm;
         prm = icalproperty_get_next_parameter(p, ICAL_ANY_PARAMETER)) {
        const char* name = icalparameter_kind_to_string(icalparameter_isa(prm));
        if (icalparameter_isa(prm) == ICAL_X_PARAMETER || icalparameter_isa(prm) == ICAL_IANA_PARAMETER)
            name = icalparameter_get_xname(prm);
        if (!name || f.name != name) continue;
        if (f.is_not_defined) return false;
        if (!f.text_match) return true;
        char* text = icalparameter_as_ical_string_r(prm);
        std::string value = text ? text : "";
        free(text);
        if (auto eq = value.find('='); eq != std::string::npos) value = value.substr(eq + 1);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        return text_matches(value, *f.text_match);
    }
    return f.is_not_defined;
}

std::string property_name(icalproperty* p) {
    return property_name_of(p);
}

/// The value a text-match compares: TEXT values unescaped (RFC 5545 §3.3.11,
/// "Lunch\, then" is "Lunch, then"), others as written.
std::string text_value(icalproperty* p) {
    icalvalue* v = icalproperty_get_value(p);
    if (v && icalvalue_isa(v) == ICAL_TEXT_VALUE) {
        const char* text = icalvalue_get_text(v);
        return text ? text : "";
    }
    const char* value = icalproperty_get_value_as_string(p);
    return value ? value : "";
}

bool prop_matches(Evaluation& ev, icalcomponent* c, const PropFilter& f) {
    bool any = false;
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
        if (property_name(p) != f.name) continue;
        any = true;
        if (f.is_not_defined) return false;
        bool ok = true;
        if (f.time_range) {
            icalvalue* v = icalproperty_get_value(p);
            if (!v || (icalvalue_isa(v) != ICAL_DATETIME_VALUE && icalvalue_isa(v) != ICAL_DATE_VALUE)) {
                ok = false;
            } else {
                auto t = ev.utc(icalvalue_get_datetime(v), zone_of(ev.calendar, p, ev.unknown_zone));
                ok = start_of(*f.time_range) <= t && end_of(*f.time_range) > t;
            }
        }
        if (ok && f.text_match) ok = text_matches(text_value(p), *f.text_match);
        for (const auto& pf : f.params)
            if (ok) ok = param_matches(p, pf);
        if (ok) return true;
    }
    return !any && f.is_not_defined;
}

bool comp_matches(Evaluation& ev, icalcomponent* parent, icalcomponent* c, const CompFilter& f);

bool children_match(Evaluation& ev, icalcomponent* c, const CompFilter& f) {
    for (const auto& pf : f.props)
        if (!prop_matches(ev, c, pf)) return false;
    for (const auto& cf : f.comps) {
        icalcomponent_kind kind = icalcomponent_string_to_kind(cf.name.c_str());
        // Collected first: evaluation walks the same parent with libical's one
        // internal iterator per component (overridden()), which would end this loop.
        std::vector<icalcomponent*> children;
        for (icalcomponent* child = icalcomponent_get_first_component(c, kind); child;
             child = icalcomponent_get_next_component(c, kind))
            children.push_back(child);
        bool found = false;
        for (std::size_t i = 0; i < children.size() && !found; ++i) found = comp_matches(ev, c, children[i], cf);
        if (cf.is_not_defined ? found || icalcomponent_get_first_component(c, kind) : !found) return false;
    }
    return true;
}

bool comp_matches(Evaluation& ev, icalcomponent* parent, icalcomponent* c, const CompFilter& f) {
    if (f.is_not_defined) return false;
    if (f.time_range) {
        bool in = icalcomponent_isa(c) == ICAL_VALARM_COMPONENT
                      ? alarm_in_range(ev, parent, c, *f.time_range, overridden(ev, icalcomponent_isa(parent)))
                      : component_in_range(ev, c, *f.time_range);
        if (!in) return false;
    }
    return children_match(ev, c, f);
}

}  // namespace

std::optional<ReaderZone> ReaderZone::parse(std::string_view vcalendar) {
    ComponentPtr root = parse_with_libical(vcalendar);
    if (!root || icalcomponent_isa(root.get()) != ICAL_VCALENDAR_COMPONENT ||
        icalcomponent_count_components(root.get(), ICAL_VTIMEZONE_COMPONENT) != 1 ||
        icalcomponent_count_components(root.get(), ICAL_ANY_COMPONENT) != 1)
        return std::nullopt;
    icalcomponent* vtimezone = icalcomponent_get_first_component(root.get(), ICAL_VTIMEZONE_COMPONENT);
    if (!icalcomponent_get_first_property(vtimezone, ICAL_TZID_PROPERTY) ||
        (!icalcomponent_get_first_component(vtimezone, ICAL_XSTANDARD_COMPONENT) &&
         !icalcomponent_get_first_component(vtimezone, ICAL_XDAYLIGHT_COMPONENT)))
        return std::nullopt;
    icalcomponent_remove_component(root.get(), vtimezone);
    icaltimezone* zone = icaltimezone_new();
    if (!icaltimezone_set_component(zone, vtimezone)) {  // on success the zone owns vtimezone
        icalcomponent_free(vtimezone);
        icaltimezone_free(zone, 1);
        return std::nullopt;
    }
    ReaderZone r;
    r.zone_ = std::shared_ptr<void>(zone, [](void* z) { icaltimezone_free(static_cast<icaltimezone*>(z), 1); });
    return r;
}

MatchResult matches(std::string_view data, const CompFilter& filter, const QueryLimits& limits,
                    const ReaderZone* reader) {
    ComponentPtr root = parse_with_libical(data);
    MatchResult r;
    if (!root || icalcomponent_isa(root.get()) != ICAL_VCALENDAR_COMPONENT) {
        r.error = "stored data is not a VCALENDAR";
        return r;
    }
    Evaluation ev{root.get(), limits, Clock::now() + limits.max_time};
    if (reader) ev.reader = static_cast<icaltimezone*>(reader->zone());
    try {
        if (filter.name != "VCALENDAR") return r;  // the root filter names VCALENDAR (§9.7.1)
        r.matches = !filter.is_not_defined && children_match(ev, root.get(), filter);
    } catch (const CapReached& cap) {
        r.matches = false;
        r.error = cap.why;
    }
    return r;
}

std::optional<std::int64_t> parse_utc(std::string_view text) {
    if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
    for (std::size_t i = 0; i < 15; ++i)
        if (i != 8 && (text[i] < '0' || text[i] > '9')) return std::nullopt;
    icaltimetype t = icaltime_from_string(std::string(text).c_str());
    // libical accepts month 13 or 25:00 here and would roll them over.
    if (icaltime_is_null_time(t) || t.month < 1 || t.month > 12 || t.day < 1 ||
        t.day > icaltime_days_in_month(t.month, t.year) || t.hour > 23 || t.minute > 59 || t.second > 60)
        return std::nullopt;
    return static_cast<std::int64_t>(icaltime_as_timet_with_zone(t, icaltimezone_get_utc_timezone()));
}

}  // namespace ical
