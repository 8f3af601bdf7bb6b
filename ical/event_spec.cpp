// Events of the JSON API (issue 24) to and from iCalendar (RFC 5545 §3.6.1
// VEVENT, §3.3.10 RRULE, §3.6.6 VALARM), their checks, and RFC 3339 times.
#include "ical/event_spec.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "ical/calendar_data.hpp"
#include "ical/event_parts.hpp"
#include "ical/expand.hpp"
#include "ical/libical_text.hpp"
#include "ical/recurrence.hpp"
#include "ical/scheduling.hpp"
#include "ical/zone_resolver.hpp"

namespace ical {

using namespace event_parts;

namespace {

constexpr std::int64_t day_seconds = 86400;
constexpr int max_reminder_minutes = 4 * 7 * 24 * 60;  // four weeks
constexpr std::array<std::string_view, 7> weekdays = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

/// The builtin zone `iana`, null for UTC or an unknown name.
icaltimezone* builtin_zone(std::string_view iana) {
    if (iana.empty() || iana == "UTC") return nullptr;
    bool unknown = false;
    return zone_named(nullptr, iana, unknown);
}

bool is_weekday(std::string_view s) {
    return std::find(weekdays.begin(), weekdays.end(), s) != weekdays.end();
}

/// A BYDAY entry: [+|-]ordinal weekday; ordinals only for MONTHLY and
/// YEARLY rules, counted within the month (±1..5) in a MONTHLY rule or a
/// YEARLY one with BYMONTH, within the year (±1..53) otherwise (RFC 5545
/// §3.3.10).
std::optional<std::string> by_day_problem(std::string_view entry, const std::string& freq,
                                          bool by_month) {
    std::string e = upper(entry);
    if (e.size() < 2 || !is_weekday(std::string_view(e).substr(e.size() - 2)))
        return "not a weekday: " + e;
    std::string_view ordinal = std::string_view(e).substr(0, e.size() - 2);
    if (ordinal.empty()) return std::nullopt;
    std::string_view digits = ordinal;
    if (digits.front() == '+' || digits.front() == '-') digits.remove_prefix(1);
    if (digits.empty() || digits.size() > 2 ||
        !std::all_of(digits.begin(), digits.end(), ::isdigit))
        return "not an ordinal weekday: " + e;
    if (freq != "monthly" && freq != "yearly")
        return "an ordinal weekday needs a monthly or yearly rule: " + e;
    int n = std::stoi(std::string(digits));
    int limit = freq == "monthly" || by_month ? 5 : 53;
    if (n < 1 || n > limit) return "ordinal out of range ±1.." + std::to_string(limit) + ": " + e;
    return std::nullopt;
}

template <class Pred>
std::optional<FieldError> list_problem(const std::string& field, const std::vector<int>& values,
                                       Pred in_range, const char* range) {
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!in_range(values[i]))
            return FieldError{field + "[" + std::to_string(i) + "]",
                              std::to_string(values[i]) + " is outside " + range};
    return std::nullopt;
}

std::optional<FieldError> rule_part_problem(const RecurrenceSpec& r, std::int64_t start) {
    std::string freq = lower(r.frequency);
    if (freq != "daily" && freq != "weekly" && freq != "monthly" && freq != "yearly")
        return FieldError{"recurrence.frequency", "must be daily, weekly, monthly or yearly"};
    if (r.interval < 1) return FieldError{"recurrence.interval", "must be at least 1"};
    if (r.count && *r.count < 1) return FieldError{"recurrence.count", "must be at least 1"};
    if (r.until && r.count) return FieldError{"recurrence", "until and count cannot both be given"};
    if (r.until && *r.until < start) return FieldError{"recurrence.until", "is before the start"};
    for (std::size_t i = 0; i < r.by_day.size(); ++i)
        if (auto why = by_day_problem(r.by_day[i], freq, !r.by_month.empty()))
            return FieldError{"recurrence.by_day[" + std::to_string(i) + "]", *why};
    if (auto e = list_problem(
            "recurrence.by_month_day", r.by_month_day,
            [](int v) { return v != 0 && v >= -31 && v <= 31; }, "±1..31"))
        return e;
    if (auto e = list_problem(
            "recurrence.by_month", r.by_month, [](int v) { return v >= 1 && v <= 12; }, "1..12"))
        return e;
    if (auto e = list_problem(
            "recurrence.by_set_pos", r.by_set_pos,
            [](int v) { return v != 0 && v >= -366 && v <= 366; }, "±1..366"))
        return e;
    // RFC 5545 §3.3.10: no BYMONTHDAY in a weekly rule; BYSETPOS only with
    // another BYxxx part to select from.
    if (freq == "weekly" && !r.by_month_day.empty())
        return FieldError{"recurrence.by_month_day[0]", "a weekly rule has no month days"};
    if (!r.by_set_pos.empty() && r.by_day.empty() && r.by_month_day.empty() && r.by_month.empty())
        return FieldError{"recurrence.by_set_pos[0]",
                          "needs by_day, by_month_day or by_month to select from"};
    if (!r.week_start.empty() && !is_weekday(upper(r.week_start)))
        return FieldError{"recurrence.week_start", "must be MO..SU"};
    return std::nullopt;
}

/// Whether the rule of `spec` yields an instance of its own (expand() would
/// count DTSTART anyway, RFC 5545 §3.8.5.3): its first occurrence, not after
/// UNTIL. A time-out counts as yielding (nothing proves the contrary).
bool yields_instance(const EventSpec& spec) {
    TimeForm form = form_for_zone(spec.time_zone, spec.all_day);
    icalproperty* rrule = rrule_property(*spec.recurrence, form);
    icalrecurrencetype rule = icalproperty_get_rrule(rrule);
    icalproperty_free(rrule);
    std::int64_t offset = form.zone ? utc_offset_at(form.zone, spec.start) : 0;
    std::string why;
    auto it = RuleIterator::make(rule, wall_to_icaltime(spec.start + offset, spec.all_day), why);
    if (!it) return false;
    auto first = it->next(std::chrono::steady_clock::now() + std::chrono::milliseconds(300));
    if (!first) return it->timed_out();
    if (!spec.recurrence->until) return true;
    std::int64_t first_utc = form.zone && !spec.all_day
                                 ? local_to_utc(wall_to_icaltime(*first, false), form.zone)
                                 : *first;
    std::int64_t until = *spec.recurrence->until;
    // A DATE series' UNTIL is a day of the zone (event_parts::rrule_property).
    if (spec.all_day) until = until + (form.zone ? utc_offset_at(form.zone, until) : 0);
    return first_utc <= until;
}

bool plausible_address(std::string_view email) {
    auto at = email.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= email.size()) return false;
    if (email.find('@', at + 1) != std::string_view::npos) return false;
    return std::none_of(email.begin(), email.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7f || c == ':' || c == '<' || c == '>' || c == ',' || c == ';';
    });
}

std::optional<FieldError> reminder_problem(const std::vector<ReminderSpec>& reminders) {
    for (std::size_t i = 0; i < reminders.size(); ++i) {
        std::string at = "reminders[" + std::to_string(i) + "]";
        if (reminders[i].minutes_before < 0 || reminders[i].minutes_before > max_reminder_minutes)
            return FieldError{at + ".minutes_before",
                              "must be 0.." + std::to_string(max_reminder_minutes)};
        std::string m = lower(reminders[i].method);
        if (m != "display" && m != "push" && m != "email")
            return FieldError{at + ".method", "must be display, push or email"};
    }
    return std::nullopt;
}

int digits_at(std::string_view s, std::size_t at, std::size_t n, bool& ok) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) {
            ok = false;
            return 0;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int days_in_month(int year, int month) {
    static constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[static_cast<std::size_t>(month - 1)];
}

}  // namespace

bool known_time_zone(std::string_view iana) {
    if (iana == "UTC") return true;
    if (iana.empty() || iana.starts_with("/")) return false;
    icaltimezone* z = builtin_zone(iana);
    return z && text_or(icaltimezone_get_location(z)) == iana;
}

std::optional<FieldError> check_event(const EventSpec& spec) {
    if (spec.end <= spec.start) return FieldError{"end_time", "must be after the start"};
    if (!known_time_zone(spec.time_zone))
        return FieldError{"time_zone", "unknown time zone: " + spec.time_zone};
    for (char c : spec.title) {
        auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t' && c != '\n') || u == 0x7f)
            return FieldError{"title", "holds a control character"};
    }
    if (spec.recurrence) {
        if (auto e = rule_part_problem(*spec.recurrence, spec.start)) return e;
        if (!yields_instance(spec)) return FieldError{"recurrence", "the rule yields no instance"};
    }
    if (auto e = reminder_problem(spec.reminders)) return e;
    for (std::size_t i = 0; i < spec.attendees.size(); ++i)
        if (!plausible_address(spec.attendees[i].email))
            return FieldError{"attendees[" + std::to_string(i) + "].email",
                              "not an address: " + spec.attendees[i].email};
    return std::nullopt;
}

std::string build_event(const EventSpec& spec, std::int64_t now) {
    ComponentPtr cal(icalcomponent_new_vcalendar());
    icalcomponent_add_property(cal.get(), icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal.get(), icalproperty_new_prodid("-//Kalends//Kalends API//EN"));
    TimeForm form = form_for_zone(spec.time_zone, spec.all_day);
    if (!spec.all_day && !form.tzid.empty())
        ensure_vtimezone(cal.get(), spec.time_zone, spec.start);
    icalcomponent* ev = icalcomponent_new_vevent();
    icalcomponent_add_property(ev, icalproperty_new_uid(spec.uid.c_str()));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(utc_time(now)));
    icalcomponent_add_property(ev, icalproperty_new_created(utc_time(now)));
    icalcomponent_add_property(ev, icalproperty_new_lastmodified(utc_time(now)));
    icalcomponent_add_property(ev, icalproperty_new_sequence(0));
    icalcomponent_add_property(ev, icalproperty_new_summary(spec.title.c_str()));
    set_text(ev, ICAL_DESCRIPTION_PROPERTY, spec.description);
    set_text(ev, ICAL_LOCATION_PROPERTY, spec.location);
    icalcomponent_add_property(ev, time_property(ICAL_DTSTART_PROPERTY, spec.start, form));
    icalcomponent_add_property(ev, time_property(ICAL_DTEND_PROPERTY, spec.end, form));
    if (spec.recurrence) icalcomponent_add_property(ev, rrule_property(*spec.recurrence, form));
    add_attendees(ev, spec.organizer_email, spec.organizer_name, spec.attendees);
    for (const ReminderSpec& r : spec.reminders)
        icalcomponent_add_component(ev, alarm_component(r, spec.title, spec.organizer_email));
    icalcomponent_add_component(cal.get(), ev);
    return text_of(cal.get());
}

namespace {

std::string text_property(icalcomponent* c, icalproperty_kind kind) {
    icalproperty* p = icalcomponent_get_first_property(c, kind);
    icalvalue* v = p ? icalproperty_get_value(p) : nullptr;
    if (!v) return "";
    // TEXT unescaped (RFC 5545 §3.3.11); other kinds as written.
    return text_or(icalvalue_isa(v) == ICAL_TEXT_VALUE ? icalvalue_get_text(v)
                                                       : icalvalue_as_ical_string(v));
}

std::string address_of(const char* cal_address) {
    std::string a = text_or(cal_address);
    if (lower(a.substr(0, 7)) == "mailto:") a.erase(0, 7);
    return a;
}

std::vector<AttendeeSpec> attendees_of(icalcomponent* c, const std::string& organizer) {
    std::vector<AttendeeSpec> out;
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
        AttendeeSpec a;
        a.email = address_of(icalproperty_get_attendee(p));
        if (!organizer.empty() && same_address(a.email, organizer)) continue;
        if (icalparameter* cn = icalproperty_get_first_parameter(p, ICAL_CN_PARAMETER))
            a.name = text_or(icalparameter_get_cn(cn));
        if (icalparameter* role = icalproperty_get_first_parameter(p, ICAL_ROLE_PARAMETER))
            a.optional = icalparameter_get_role(role) == ICAL_ROLE_OPTPARTICIPANT;
        if (icalparameter* cu = icalproperty_get_first_parameter(p, ICAL_CUTYPE_PARAMETER))
            a.is_room = icalparameter_get_cutype(cu) == ICAL_CUTYPE_ROOM;
        a.partstat = partstat_text(p);
        out.push_back(std::move(a));
    }
    return out;
}

std::optional<ReminderSpec> reminder_of(icalcomponent* alarm) {
    icalproperty* trig = icalcomponent_get_first_property(alarm, ICAL_TRIGGER_PROPERTY);
    if (!trig) return std::nullopt;
    icaltriggertype t = icalproperty_get_trigger(trig);
    if (!icaltime_is_null_time(t.time)) return std::nullopt;  // absolute: not "before the start"
    icalparameter* related = icalproperty_get_first_parameter(trig, ICAL_RELATED_PARAMETER);
    if (related && icalparameter_get_related(related) == ICAL_RELATED_END) return std::nullopt;
    int seconds = icaldurationtype_as_int(t.duration);
    if (seconds > 0) return std::nullopt;
    ReminderSpec r;
    r.minutes_before = -seconds / 60;
    icalproperty* action = icalcomponent_get_first_property(alarm, ICAL_ACTION_PROPERTY);
    if (action && icalproperty_get_action(action) == ICAL_ACTION_EMAIL) r.method = "email";
    for (icalproperty* x = icalcomponent_get_first_property(alarm, ICAL_X_PROPERTY); x;
         x = icalcomponent_get_next_property(alarm, ICAL_X_PROPERTY))
        if (upper(text_or(icalproperty_get_x_name(x))) == "X-KALENDS-METHOD")
            r.method = lower(text_or(icalproperty_get_x(x), r.method));
    return r;
}

std::string zone_name_of(icalcomponent* cal, icalproperty* dtstart) {
    TimeForm form = form_of(cal, dtstart);
    if (form.is_date) return "";
    if (form.utc) return "UTC";
    if (form.tzid.empty()) return "";
    return iana_of_tzid(cal, form.tzid);
}

void read_times(icalcomponent* cal, icalcomponent* c, EventView& v) {
    icalproperty* dtstart = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
    if (!dtstart) return;
    v.start = utc_of(cal, dtstart);
    v.end = v.start + duration_of(cal, c);
    v.all_day = icalproperty_get_dtstart(dtstart).is_date;
    v.time_zone = zone_name_of(cal, dtstart);
}

EventView view_of(icalcomponent* cal, icalcomponent* c, icalcomponent* master) {
    EventView v;
    v.uid = text_property(c, ICAL_UID_PROPERTY);
    v.title = text_property(c, ICAL_SUMMARY_PROPERTY);
    v.description = text_property(c, ICAL_DESCRIPTION_PROPERTY);
    v.location = text_property(c, ICAL_LOCATION_PROPERTY);
    read_times(cal, c, v);
    if (icalproperty* org = icalcomponent_get_first_property(c, ICAL_ORGANIZER_PROPERTY))
        v.organizer_email = address_of(icalproperty_get_organizer(org));
    v.attendees = attendees_of(c, v.organizer_email);
    icalproperty* rrule =
        master ? icalcomponent_get_first_property(master, ICAL_RRULE_PROPERTY) : nullptr;
    icalproperty* master_start =
        master ? icalcomponent_get_first_property(master, ICAL_DTSTART_PROPERTY) : nullptr;
    if (rrule && master_start) v.recurrence = recurrence_of(rrule, form_of(cal, master_start));
    for (icalcomponent* a = icalcomponent_get_first_component(c, ICAL_VALARM_COMPONENT); a;
         a = icalcomponent_get_next_component(c, ICAL_VALARM_COMPONENT))
        if (auto r = reminder_of(a)) v.reminders.push_back(*r);
    if (icalproperty* rid = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY))
        v.recurrence_id = utc_of(cal, rid);
    if (icalproperty* seq = icalcomponent_get_first_property(c, ICAL_SEQUENCE_PROPERTY))
        v.sequence = icalproperty_get_sequence(seq);
    icalproperty* modified = icalcomponent_get_first_property(c, ICAL_LASTMODIFIED_PROPERTY);
    if (!modified) modified = icalcomponent_get_first_property(c, ICAL_DTSTAMP_PROPERTY);
    if (modified) v.last_modified = utc_of(cal, modified);
    v.status = upper(text_property(c, ICAL_STATUS_PROPERTY));
    v.transparent = upper(text_property(c, ICAL_TRANSP_PROPERTY)) == "TRANSPARENT";
    return v;
}

}  // namespace

std::optional<EventView> read_event(std::string_view ics,
                                    std::optional<std::int64_t> recurrence_id) {
    ComponentPtr cal = parse_with_libical(ics);
    if (!cal || icalcomponent_isa(cal.get()) != ICAL_VCALENDAR_COMPONENT) return std::nullopt;
    icalcomponent* master = master_of(cal.get());
    if (!recurrence_id) {
        icalcomponent* c =
            master ? master : icalcomponent_get_first_component(cal.get(), ICAL_VEVENT_COMPONENT);
        if (!c) return std::nullopt;
        return view_of(cal.get(), c, master);
    }
    if (icalcomponent* o = override_at(cal.get(), *recurrence_id))
        return view_of(cal.get(), o, master);
    if (!master || !has_instance(cal.get(), *recurrence_id)) return std::nullopt;
    EventView v = view_of(cal.get(), master, master);
    std::int64_t duration = v.end - v.start;
    v.start = *recurrence_id;
    v.end = *recurrence_id + duration;
    v.recurrence_id = recurrence_id;
    return v;
}

std::optional<Error> read_occurrences(std::string_view ics, std::int64_t start, std::int64_t end,
                                      const ExpandLimits& limits, std::vector<OccurrenceView>& out) {
    ComponentPtr cal = parse_with_libical(ics);
    if (!cal || icalcomponent_isa(cal.get()) != ICAL_VCALENDAR_COMPONENT) return Error{"not an iCalendar object", 0};
    std::vector<Occurrence> found;
    auto error = expand_occurrences(cal.get(), ICAL_VEVENT_COMPONENT, start, end, limits, nullptr, found);
    icalcomponent* master = master_of(cal.get());
    // One view per component: a series with one override reads two.
    std::vector<std::pair<icalcomponent*, EventView>> views;
    for (auto& o : found) {
        auto it = std::find_if(views.begin(), views.end(), [&](const auto& v) { return v.first == o.source; });
        if (it == views.end()) {
            views.emplace_back(o.source, view_of(cal.get(), o.source, master));
            it = std::prev(views.end());
        }
        mark_event_instance(o.instance, o.source);
        OccurrenceView v{std::move(o.instance), it->second};
        v.view.start = v.instance.start;
        v.view.end = v.instance.end;
        out.push_back(std::move(v));
    }
    return error;
}

namespace {

/// True when `text` cannot hold more than one occurrence: no rule, no added
/// dates, no override (a word in a description only costs the slow path).
bool single_occurrence_text(std::string_view text) {
    return text.find("RRULE") == std::string_view::npos && text.find("RDATE") == std::string_view::npos &&
           text.find("RECURRENCE-ID") == std::string_view::npos;
}

/// The index of `c`'s view in `out.views`, read and added on first use.
std::uint32_t view_index(EventOccurrences& out, std::vector<icalcomponent*>& read, icalcomponent* cal,
                         icalcomponent* c, icalcomponent* master) {
    auto it = std::find(read.begin(), read.end(), c);
    if (it != read.end()) return static_cast<std::uint32_t>(it - read.begin());
    read.push_back(c);
    out.views.push_back(view_of(cal, c, master));
    return static_cast<std::uint32_t>(read.size() - 1);
}

}  // namespace

EventOccurrences read_event_occurrences(std::string_view ics, std::int64_t start, std::int64_t end,
                                        const ExpandLimits& limits) {
    ComponentPtr cal = parse_with_libical(ics);
    return read_event_occurrences(ics, cal.get(), start, end, limits);
}

EventOccurrences read_event_occurrences(std::string_view ics, icalcomponent* parsed, std::int64_t start,
                                        std::int64_t end, const ExpandLimits& limits) {
    EventOccurrences out;
    icalcomponent* cal = parsed;
    if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
        out.error = Error{"not an iCalendar object", 0};
        return out;
    }
    icalcomponent* master = master_of(cal);
    std::vector<icalcomponent*> read;
    if (master) view_index(out, read, cal, master, master), out.has_master = true;
    if (master && single_occurrence_text(ics)) {
        const auto& v = out.views.front();
        if (!v.all_day && !v.time_zone.empty()) {
            out.single = true;
            EventOccurrences::Item item;
            item.instance.start = v.start;
            item.instance.end = v.end;
            mark_event_instance(item.instance, master);
            out.items.push_back(std::move(item));
            return out;
        }
    }
    std::vector<Occurrence> found;
    out.error = expand_occurrences(cal, ICAL_VEVENT_COMPONENT, start, end, limits, nullptr, found);
    out.items.reserve(found.size());
    for (auto& o : found) {
        mark_event_instance(o.instance, o.source);
        out.items.push_back({std::move(o.instance), view_index(out, read, cal, o.source, master)});
    }
    std::sort(out.items.begin(), out.items.end(),
              [](const auto& a, const auto& b) { return a.instance.start < b.instance.start; });
    return out;
}

std::string format_rfc3339(std::int64_t utc) {
    int y = 0, mo = 0, d = 0;
    auto date = civil_from_days(floor_div(utc, day_seconds));
    y = date.year, mo = date.month, d = date.day;
    std::int64_t s = utc - floor_div(utc, day_seconds) * day_seconds;
    const int h = static_cast<int>(s / 3600), mi = static_cast<int>(s / 60 % 60), se = static_cast<int>(s % 60);
    char buf[40];
    if (y < 0 || y > 9999) {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, se);
        return buf;
    }
    // Written digit by digit: listings format two or three times per
    // occurrence, and snprintf was a tenth of a week's listing (issue 24).
    auto two = [](char* at, int v) { at[0] = static_cast<char>('0' + v / 10), at[1] = static_cast<char>('0' + v % 10); };
    std::string out = "0000-00-00T00:00:00Z";
    two(&out[0], y / 100);
    two(&out[2], y % 100);
    two(&out[5], mo);
    two(&out[8], d);
    two(&out[11], h);
    two(&out[14], mi);
    two(&out[17], se);
    return out;
}

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
    bool ok = true;
    if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
        (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':')
        return std::nullopt;
    int y = digits_at(text, 0, 4, ok), mo = digits_at(text, 5, 2, ok),
        d = digits_at(text, 8, 2, ok);
    int h = digits_at(text, 11, 2, ok), mi = digits_at(text, 14, 2, ok),
        s = digits_at(text, 17, 2, ok);
    if (!ok || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        s > 59)
        return std::nullopt;
    std::size_t at = 19;
    if (text[at] == '.') {
        std::size_t digits = 0;
        while (++at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) ++digits;
        if (digits == 0) return std::nullopt;
    }
    std::string_view zone = text.substr(std::min(at, text.size()));
    int offset = 0;
    if (zone == "Z" || zone == "z") {
        offset = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
        int oh = digits_at(zone, 1, 2, ok), om = digits_at(zone, 4, 2, ok);
        if (!ok || oh > 23 || om > 59) return std::nullopt;
        offset = (zone[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
        return std::nullopt;
    }
    icaltimetype t = icaltime_null_time();
    t.year = y, t.month = mo, t.day = d, t.hour = h, t.minute = mi, t.second = s;
    return wall_seconds(t) - offset;
}

LocalTime local_time(std::int64_t utc, std::string_view iana) {
    LocalTime out;
    icaltimezone* zone = builtin_zone(iana);
    out.utc_offset = zone ? utc_offset_at(zone, utc) : 0;
    std::int64_t wall = utc + out.utc_offset;
    std::int64_t days = floor_div(wall, day_seconds);
    auto date = civil_from_days(days);
    out.year = date.year, out.month = date.month, out.day = date.day;
    std::int64_t s = wall - days * day_seconds;
    out.hour = static_cast<int>(s / 3600);
    out.minute = static_cast<int>(s / 60 % 60);
    out.second = static_cast<int>(s % 60);
    out.weekday = static_cast<int>(((days + 4) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
    return out;
}

std::int64_t utc_of_local(const LocalTime& local, std::string_view iana) {
    icaltimetype t = icaltime_null_time();
    t.year = local.year, t.month = local.month, t.day = local.day;
    t.hour = local.hour, t.minute = local.minute, t.second = local.second;
    icaltimezone* zone = builtin_zone(iana);
    return zone ? local_to_utc(t, zone) : wall_seconds(t);
}

}  // namespace ical
