// Recurrence set expansion (RFC 5545 §3.8.5) with the time-range rules of
// RFC 4791 §9.9, in each component's own time zone.
#include "ical/expand.hpp"

#include "ical/calendar_data.hpp"
#include "ical/libical_text.hpp"
#include "ical/recurrence.hpp"
#include "ical/zone_resolver.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_set>

namespace ical {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::int64_t day_seconds = 86400;
constexpr std::int64_t lowest = -(std::int64_t{1} << 50);
constexpr std::int64_t highest = std::int64_t{1} << 50;


/// Which RFC 4791 §9.9 overlap test applies to a component.
enum class Overlap { span, point, todo_duration, todo_due, todo_start, todo_due_only };

bool overlaps(Overlap rule, std::int64_t s, std::int64_t e, std::int64_t rs, std::int64_t re) {
    switch (rule) {
        case Overlap::span: return rs < e && re > s;
        case Overlap::point: return rs <= s && re > s;
        case Overlap::todo_duration: return rs <= e && (re > s || re >= e);
        case Overlap::todo_due: return (rs < e || rs <= s) && (re > s || re >= e);
        case Overlap::todo_start: return rs <= s && re > s;
        case Overlap::todo_due_only: return rs < e && re >= e;
    }
    return false;
}

/// How the wall-clock times of one component map to UTC.
struct Zoning {
    bool utc = false;
    bool floating = false;  ///< floating or DATE
    bool all_day = false;
    std::optional<ZoneConverter> converter;
    std::int64_t to_utc(std::int64_t wall) { return converter ? converter->wall_to_utc(wall) : wall; }
};

/// A component's start, zone and length (RFC 5545 §3.6.1, §3.8.2.5).
struct Timing {
    std::int64_t start_wall = 0, start_utc = 0;
    Zoning zoning;
    std::int64_t exact = 0;         ///< seconds added after the nominal days
    std::int64_t nominal_days = 0;  ///< days added in local time
    Overlap overlap = Overlap::span;

    std::int64_t end_from(std::int64_t wall, std::int64_t utc) {
        return nominal_days ? zoning.to_utc(wall + nominal_days * day_seconds) + exact : utc + exact;
    }
    std::int64_t max_length() const { return exact + nominal_days * day_seconds + 3600; }
};

/// A RANGE=THISANDFUTURE override: later instances move by `delta` and take
/// its length and properties.
struct FutureOverride {
    std::int64_t rid = 0;
    std::int64_t delta = 0;
    icalcomponent* component = nullptr;
    Timing timing;
};

std::string format_wall(std::int64_t wall, bool date_only, bool utc) {
    icaltimetype t = wall_to_icaltime(wall, date_only);
    char buf[32];
    if (t.year >= 0 && t.year <= 9999) {
        // Digit by digit, as snprintf costs more than the rest of an instance (issue 24).
        auto two = [](char* at, int v) { at[0] = static_cast<char>('0' + v / 10), at[1] = static_cast<char>('0' + v % 10); };
        std::string out = date_only ? "00000000" : utc ? "00000000T000000Z" : "00000000T000000";
        two(&out[0], t.year / 100);
        two(&out[2], t.year % 100);
        two(&out[4], t.month);
        two(&out[6], t.day);
        if (date_only) return out;
        two(&out[9], t.hour);
        two(&out[11], t.minute);
        two(&out[13], t.second);
        return out;
    }
    if (date_only)
        std::snprintf(buf, sizeof buf, "%04d%02d%02d", t.year, t.month, t.day);
    else
        std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d%s", t.year, t.month, t.day, t.hour, t.minute,
                      t.second, utc ? "Z" : "");
    return buf;
}

/// Thrown inside this file only; expand_occurrences turns it into an Error.
struct Stop {
    Error error;
};

class Expander {
public:
    Expander(icalcomponent* calendar, const ExpandLimits& limits, icaltimezone* floating_zone,
             std::optional<std::int64_t> rs, std::optional<std::int64_t> re, std::vector<Occurrence>& out)
        : calendar_(calendar),
          limits_(limits),
          floating_zone_(floating_zone),
          deadline_(Clock::now() + limits.max_time),
          rs_(rs.value_or(lowest)),
          re_(re.value_or(highest)),
          out_(out) {}

    /// Expands the components of `kind` under `container`, one recurrence set
    /// per UID (a stored object has one; VAVAILABILITY has one per AVAILABLE).
    void run(icalcomponent* container, icalcomponent_kind kind) {
        std::map<std::string, std::pair<icalcomponent*, std::vector<icalcomponent*>>> sets;
        for (icalcomponent* c = icalcomponent_get_first_component(container, kind); c;
             c = icalcomponent_get_next_component(container, kind)) {
            const char* uid = icalcomponent_get_uid(c);
            auto& [master, overrides] = sets[uid ? uid : ""];
            if (icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY))
                overrides.push_back(c);
            else if (!master)
                master = c;
        }
        for (auto& [uid, set] : sets) {
            if (set.first) expand_master(set.first, set.second);
            for (icalcomponent* o : set.second) add_override(o, set.first);
        }
    }

private:
    [[noreturn]] void stop(std::string message) { throw Stop{Error{std::move(message), 0}}; }

    void check_time() {
        if (Clock::now() > deadline_) stop("expansion took longer than the time limit");
    }

    icaltimezone* zone_for(icalproperty* p) {
        bool unknown = false;
        icaltimezone* z = zone_of(calendar_, p, unknown);
        if (unknown) {
            icalparameter* tzid = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
            stop("unknown TZID \"" + text_or(tzid ? icalparameter_get_tzid(tzid) : nullptr) +
                 "\" and no VTIMEZONE for it");
        }
        return z;
    }

    Zoning zoning_of(icaltimetype t, icalproperty* p) {
        Zoning z;
        if (icaltime_is_utc(t)) {
            z.utc = true;
        } else if (icaltimezone* zone = t.is_date ? nullptr : zone_for(p)) {
            z.converter.emplace(zone);
        } else {
            z.floating = true;
            z.all_day = t.is_date;
            if (floating_zone_) z.converter.emplace(floating_zone_);
        }
        return z;
    }

    /// UTC of a date-time property value; floating values use `fallback`.
    std::int64_t utc_of(icaltimetype t, icalproperty* p, Zoning& fallback) {
        if (icaltime_is_utc(t)) return wall_seconds(t);
        if (!t.is_date && icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER))
            if (icaltimezone* z = zone_for(p)) return local_to_utc(t, z);
        return fallback.to_utc(wall_seconds(t));
    }

    std::optional<Timing> timing_of(icalcomponent* c) {
        icalcomponent_kind kind = icalcomponent_isa(c);
        bool todo = kind == ICAL_VTODO_COMPONENT;
        icalproperty* start = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
        icalproperty* end = icalcomponent_get_first_property(c, todo ? ICAL_DUE_PROPERTY : ICAL_DTEND_PROPERTY);
        Timing tm;
        if (!start) {
            if (!todo) stop(component_name(kind) + " without DTSTART");
            if (!end) return std::nullopt;  // RFC 4791 §9.9: such a VTODO has no time of its own
            icaltimetype due = icalproperty_get_due(end);
            tm.zoning = zoning_of(due, end);
            tm.start_wall = wall_seconds(due);
            tm.start_utc = tm.zoning.to_utc(tm.start_wall);
            tm.overlap = Overlap::todo_due_only;
            return tm;
        }
        icaltimetype t = icalproperty_get_dtstart(start);
        tm.zoning = zoning_of(t, start);
        tm.start_wall = wall_seconds(t);
        tm.start_utc = tm.zoning.to_utc(tm.start_wall);
        if (end) {
            icaltimetype e = todo ? icalproperty_get_due(end) : icalproperty_get_dtend(end);
            if (t.is_date && e.is_date)
                tm.nominal_days = std::max<std::int64_t>(0, (wall_seconds(e) - tm.start_wall) / day_seconds);
            else
                tm.exact = std::max<std::int64_t>(0, utc_of(e, end, tm.zoning) - tm.start_utc);
            tm.overlap = todo ? Overlap::todo_due : Overlap::span;
        } else if (icalproperty* d = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY)) {
            icaldurationtype dur = icalproperty_get_duration(d);
            if (!dur.is_neg) {
                tm.nominal_days = dur.days + 7 * static_cast<std::int64_t>(dur.weeks);
                tm.exact = dur.hours * 3600 + dur.minutes * 60 + dur.seconds;
            }
            bool zero = tm.nominal_days == 0 && tm.exact == 0;
            tm.overlap = todo ? Overlap::todo_duration : zero ? Overlap::point : Overlap::span;
        } else if (todo) {
            tm.overlap = Overlap::todo_start;
        } else if (t.is_date) {
            tm.nominal_days = 1;  // RFC 5545 §3.6.1: a DATE event lasts the day
        } else {
            tm.overlap = Overlap::point;
        }
        return tm;
    }

    std::string rid_text(std::int64_t wall, std::int64_t utc, const Zoning& z) const {
        if (z.all_day) return format_wall(wall, true, false);
        if (z.floating) return format_wall(wall, false, false);
        return format_utc(utc);
    }

    void push(Instance inst, icalcomponent* source) {
        if (out_.size() >= limits_.max_instances)
            stop("more than " + std::to_string(limits_.max_instances) + " instances in the range");
        out_.push_back(Occurrence{std::move(inst), source});
    }

    void expand_master(icalcomponent* master, const std::vector<icalcomponent*>& overrides) {
        auto timing = timing_of(master);
        if (!timing) return;
        Timing tm = std::move(*timing);
        // RECURRENCE-IDs, in the master's time scale, replace instances.
        std::set<std::int64_t> replaced;
        std::vector<FutureOverride> future;
        for (icalcomponent* o : overrides) {
            icalproperty* rp = icalcomponent_get_first_property(o, ICAL_RECURRENCEID_PROPERTY);
            std::int64_t rid = utc_of(icalproperty_get_recurrenceid(rp), rp, tm.zoning);
            replaced.insert(rid);
            icalparameter* range = icalproperty_get_first_parameter(rp, ICAL_RANGE_PARAMETER);
            if (range && icalparameter_get_range(range) == ICAL_RANGE_THISANDFUTURE) {
                if (auto ot = timing_of(o)) future.push_back({rid, ot->start_utc - rid, o, std::move(*ot)});
            }
        }
        std::sort(future.begin(), future.end(), [](const auto& a, const auto& b) { return a.rid < b.rid; });
        std::int64_t shift_lo = 0, shift_hi = 0, longest = tm.max_length();
        for (const auto& f : future) {
            shift_lo = std::min(shift_lo, f.delta);
            shift_hi = std::max(shift_hi, f.delta);
            longest = std::max(longest, f.timing.max_length());
        }
        std::set<std::int64_t> excluded, excluded_days;
        for (icalproperty* p = icalcomponent_get_first_property(master, ICAL_EXDATE_PROPERTY); p;
             p = icalcomponent_get_next_property(master, ICAL_EXDATE_PROPERTY)) {
            icaltimetype x = icalproperty_get_exdate(p);
            if (x.is_date && !tm.zoning.all_day)
                excluded_days.insert(floor_div(wall_seconds(x), day_seconds));
            else
                excluded.insert(utc_of(x, p, tm.zoning));
        }
        // Original starts that can land in the range once moved and lengthened.
        std::int64_t lo = rs_ == lowest ? lowest : rs_ - longest - shift_hi - day_seconds;
        std::int64_t hi = re_ == highest ? highest : re_ - shift_lo + 1;
        std::unordered_set<std::int64_t> seen;

        auto offer = [&](std::int64_t wall, std::int64_t utc, std::optional<std::int64_t> period_end) {
            if (utc < lo || utc >= hi || replaced.count(utc) || excluded.count(utc)) return;
            if (!excluded_days.empty() && excluded_days.count(floor_div(wall, day_seconds))) return;
            if (!seen.insert(utc).second) return;
            const FutureOverride* f = nullptr;
            for (const auto& candidate : future)
                if (candidate.rid < utc) f = &candidate;
            Instance inst;
            inst.all_day = tm.zoning.all_day;
            inst.floating = tm.zoning.floating;
            inst.recurrence_id = rid_text(wall, utc, tm.zoning);
            Overlap rule = tm.overlap;
            if (f) {
                Timing ft = f->timing;
                inst.start = utc + f->delta;
                inst.end = ft.end_from(wall + f->delta, inst.start);
                inst.overridden = true;
                rule = ft.overlap;
            } else {
                inst.start = utc;
                inst.end = period_end ? std::max(utc, *period_end) : tm.end_from(wall, utc);
            }
            if (overlaps(rule, inst.start, inst.end, rs_, re_)) push(std::move(inst), f ? f->component : master);
        };

        offer(tm.start_wall, tm.start_utc, std::nullopt);  // RFC 5545: DTSTART is always the first instance
        for (icalproperty* p = icalcomponent_get_first_property(master, ICAL_RDATE_PROPERTY); p;
             p = icalcomponent_get_next_property(master, ICAL_RDATE_PROPERTY)) {
            icaldatetimeperiodtype rd = icalproperty_get_rdate(p);
            if (!icaltime_is_null_time(rd.time)) {
                offer(wall_seconds(rd.time), utc_of(rd.time, p, tm.zoning), std::nullopt);
            } else if (!icaltime_is_null_time(rd.period.start)) {
                std::int64_t s = utc_of(rd.period.start, p, tm.zoning);
                std::int64_t e = !icaltime_is_null_time(rd.period.end)
                                     ? utc_of(rd.period.end, p, tm.zoning)
                                     : s + icaldurationtype_as_int(rd.period.duration);
                offer(wall_seconds(rd.period.start), s, e);
            }
        }
        icalproperty* dtstart = icalcomponent_get_first_property(master, ICAL_DTSTART_PROPERTY);
        for (icalproperty* p = icalcomponent_get_first_property(master, ICAL_RRULE_PROPERTY); p && dtstart;
             p = icalcomponent_get_next_property(master, ICAL_RRULE_PROPERTY))
            expand_rule(icalproperty_get_rrule(p), icalproperty_get_dtstart(dtstart), tm, lo, hi, offer);
    }

    template <class Offer>
    void expand_rule(const icalrecurrencetype& rule, icaltimetype dtstart, Timing& tm, std::int64_t lo,
                     std::int64_t hi, Offer& offer) {
        std::string why;
        auto it = RuleIterator::make(rule, dtstart, why);
        if (!it) stop(why);
        // UNTIL bounds the original starts: UTC values in UTC, others in wall time.
        std::optional<std::int64_t> until_utc, until_wall;
        if (!icaltime_is_null_time(rule.until)) {
            if (icaltime_is_utc(rule.until))
                until_utc = wall_seconds(rule.until);
            else
                until_wall = wall_seconds(rule.until) + (rule.until.is_date && !dtstart.is_date ? day_seconds - 1 : 0);
        }
        if (lo != lowest && lo - 2 * day_seconds > tm.start_utc) it->skip_to(lo - 2 * day_seconds);
        std::size_t steps = 0;
        while (auto wall = it->next(deadline_)) {
            if (until_wall && *wall > *until_wall) break;
            std::int64_t utc = tm.zoning.to_utc(*wall);
            if (until_utc && utc > *until_utc) break;
            if (utc >= hi) break;
            offer(*wall, utc, std::nullopt);
            if (++steps % 256 == 0) check_time();
        }
        if (it->timed_out()) check_time();
    }

    void add_override(icalcomponent* o, icalcomponent* master) {
        auto timing = timing_of(o);
        if (!timing) return;
        Timing tm = std::move(*timing);
        icalproperty* rp = icalcomponent_get_first_property(o, ICAL_RECURRENCEID_PROPERTY);
        icaltimetype rid = icalproperty_get_recurrenceid(rp);
        Zoning rid_zoning = zoning_of(rid, rp);
        if (master && rid_zoning.floating) {
            // A floating RECURRENCE-ID names an instance in the master's zone.
            if (icalproperty* ms = icalcomponent_get_first_property(master, ICAL_DTSTART_PROPERTY))
                rid_zoning = zoning_of(icalproperty_get_dtstart(ms), ms);
            rid_zoning.all_day = rid.is_date;
        }
        std::int64_t rid_wall = wall_seconds(rid);
        Instance inst;
        inst.start = tm.start_utc;
        inst.end = tm.end_from(tm.start_wall, tm.start_utc);
        inst.all_day = tm.zoning.all_day;
        inst.floating = tm.zoning.floating;
        inst.recurrence_id = rid_text(rid_wall, utc_of(rid, rp, rid_zoning), rid_zoning);
        inst.overridden = true;
        if (overlaps(tm.overlap, inst.start, inst.end, rs_, re_)) push(std::move(inst), o);
    }

    icalcomponent* calendar_;
    const ExpandLimits& limits_;
    icaltimezone* floating_zone_;
    Clock::time_point deadline_;
    std::int64_t rs_, re_;
    std::vector<Occurrence>& out_;
};

icalcomponent_kind main_kind(icalcomponent* calendar) {
    for (icalcomponent* c : calendar_components(calendar)) return icalcomponent_isa(c);
    return ICAL_NO_COMPONENT;
}

}  // namespace

std::string format_utc(std::int64_t utc) { return format_wall(utc, false, true); }

std::optional<Error> expand_occurrences(icalcomponent* calendar, icalcomponent_kind kind,
                                        std::optional<std::int64_t> range_start,
                                        std::optional<std::int64_t> range_end, const ExpandLimits& limits,
                                        icaltimezone* floating_zone, std::vector<Occurrence>& out,
                                        icalcomponent* container) {
    try {
        Expander(calendar, limits, floating_zone, range_start, range_end, out).run(container ? container : calendar, kind);
    } catch (const Stop& s) {
        return s.error;
    } catch (const std::exception& e) {
        return Error{std::string("expansion failed: ") + e.what(), 0};
    }
    return std::nullopt;
}

std::optional<Error> check_instance_density(icalcomponent* calendar,
                                            const std::vector<std::int64_t>& anchors,
                                            std::int64_t window_seconds,
                                            const ExpandLimits& limits) {
    icalcomponent_kind kind = main_kind(calendar);
    if (kind != ICAL_VEVENT_COMPONENT && kind != ICAL_VTODO_COMPONENT &&
        kind != ICAL_VJOURNAL_COMPONENT)
        return std::nullopt;
    std::vector<Occurrence> found;
    for (std::int64_t anchor : anchors) {
        found.clear();
        auto error = expand_occurrences(calendar, kind, anchor, anchor + window_seconds, limits,
                                        nullptr, found);
        // The instance cap, not the time cap, is what stops here.
        if (error && found.size() >= limits.max_instances)
            return Error{"more than " + std::to_string(limits.max_instances) +
                             " instances within " + std::to_string(window_seconds / 86400) +
                             " days from " + format_utc(anchor),
                         0};
    }
    return std::nullopt;
}

void mark_event_instance(Instance& instance, icalcomponent* source) {
    instance.busy = busy_type_of(source);
    instance.cancelled = icalcomponent_get_status(source) == ICAL_STATUS_CANCELLED;
    for (icalproperty* a = icalcomponent_get_first_property(source, ICAL_ATTENDEE_PROPERTY); a;
         a = icalcomponent_get_next_property(source, ICAL_ATTENDEE_PROPERTY)) {
        icalparameter* ps = icalproperty_get_first_parameter(a, ICAL_PARTSTAT_PARAMETER);
        if (ps && icalparameter_get_partstat(ps) == ICAL_PARTSTAT_DECLINED) instance.declined = true;
    }
}

std::optional<BusyType> busy_type_of(icalcomponent* event) {
    if (icalproperty* t = icalcomponent_get_first_property(event, ICAL_TRANSP_PROPERTY))
        if (icalproperty_get_transp(t) == ICAL_TRANSP_TRANSPARENT) return std::nullopt;
    icalproperty_status status = icalcomponent_get_status(event);
    if (status == ICAL_STATUS_CANCELLED) return std::nullopt;
    return status == ICAL_STATUS_TENTATIVE ? BusyType::busy_tentative : BusyType::busy;
}

Expansion expand(std::string_view ics, std::optional<std::int64_t> range_start, std::optional<std::int64_t> range_end,
                 const ExpandLimits& limits) {
    ParsedCalendar parsed = parse_calendar(ics);  // never throws
    if (!parsed.calendar) {
        Expansion result;
        result.error = parsed.error;
        return result;
    }
    return expand(parsed.calendar.get(), range_start, range_end, limits);
}

Expansion expand(icalcomponent* calendar, std::optional<std::int64_t> range_start,
                 std::optional<std::int64_t> range_end, const ExpandLimits& limits) {
    Expansion result;
    try {
        icalcomponent_kind kind = main_kind(calendar);
        if (kind != ICAL_VEVENT_COMPONENT && kind != ICAL_VTODO_COMPONENT && kind != ICAL_VJOURNAL_COMPONENT)
            return result;
        std::vector<Occurrence> occurrences;
        result.error = expand_occurrences(calendar, kind, range_start, range_end, limits, nullptr, occurrences);
        result.instances.reserve(occurrences.size());
        for (auto& o : occurrences) {
            result.instances.push_back(std::move(o.instance));
            if (kind != ICAL_VEVENT_COMPONENT) continue;
            mark_event_instance(result.instances.back(), o.source);
        }
        std::sort(result.instances.begin(), result.instances.end(), [](const Instance& a, const Instance& b) {
            return a.start != b.start ? a.start < b.start : a.recurrence_id < b.recurrence_id;
        });
    } catch (const std::exception& e) {
        result.error = Error{std::string("expansion failed: ") + e.what(), 0};
    }
    return result;
}

}  // namespace ical
