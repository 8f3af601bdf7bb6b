// Recurrence scope edits of the JSON API (issue 24): this instance, all, all
// future, delete one (RFC 5545 §3.8.4.4 RECURRENCE-ID, §3.8.5.1 EXDATE,
// §3.3.10 UNTIL and COUNT), and one attendee's answer to one instance
// (RFC 5546 §3.2.3).
#include <algorithm>

#include "ical/calendar_data.hpp"
#include "ical/event_parts.hpp"
#include "ical/event_spec.hpp"
#include "ical/libical_text.hpp"
#include "ical/recurrence.hpp"
#include "ical/scheduling.hpp"
#include "ical/zone_resolver.hpp"

namespace ical {

using namespace event_parts;

namespace {

FieldError no_instance() { return FieldError{"instance_date", "the series has no instance there"}; }
FieldError no_event() { return FieldError{"", "the object holds no event"}; }

std::vector<icalcomponent*> overrides_of(icalcomponent* cal) {
    std::vector<icalcomponent*> out;
    for (icalcomponent* c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
        if (icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY)) out.push_back(c);
    return out;
}

void drop_component(icalcomponent* cal, icalcomponent* c) {
    icalcomponent_remove_component(cal, c);
    icalcomponent_free(c);
}

/// LAST-MODIFIED and DTSTAMP `now`; SEQUENCE+1 when the organizer changed
/// the component (RFC 5545 §3.8.7.4), not for an attendee's answer.
void touch(icalcomponent* c, std::int64_t now, bool bump_sequence = true) {
    if (bump_sequence) icalcomponent_set_sequence(c, icalcomponent_get_sequence(c) + 1);
    replace_property(c, icalproperty_new_lastmodified(utc_time(now)));
    replace_property(c, icalproperty_new_dtstamp(utc_time(now)));
}

icalproperty* dtstart_of(icalcomponent* c) {
    return icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
}

bool recurring(icalcomponent* master) {
    return icalcomponent_get_first_property(master, ICAL_RRULE_PROPERTY) ||
           icalcomponent_get_first_property(master, ICAL_RDATE_PROPERTY);
}

/// UTC seconds of an RDATE (a PERIOD counts from its start) or EXDATE.
std::int64_t date_list_utc(icalcomponent* cal, icalproperty* p) {
    icalvalue* v = icalproperty_get_value(p);
    if (v && icalvalue_isa(v) == ICAL_PERIOD_VALUE) {
        icalproperty* copy = icalproperty_new_clone(p);
        icalproperty_set_value(copy, icalvalue_new_datetime(icalvalue_get_period(v).start));
        std::int64_t t = utc_of(cal, copy);
        icalproperty_free(copy);
        return t;
    }
    return utc_of(cal, p);
}

/// Removes the RDATEs/EXDATEs of `master` (kind) that `drop` selects.
template <class Drop>
void drop_dates(icalcomponent* cal, icalcomponent* master, icalproperty_kind kind, Drop&& drop) {
    std::vector<icalproperty*> gone;
    for (icalproperty* p = icalcomponent_get_first_property(master, kind); p;
         p = icalcomponent_get_next_property(master, kind))
        if (drop(date_list_utc(cal, p))) gone.push_back(p);
    for (icalproperty* p : gone) {
        icalcomponent_remove_property(master, p);
        icalproperty_free(p);
    }
}

/// An override of the master's instance at `instance`: the master's
/// properties without its recurrence, RECURRENCE-ID and DTSTART in the form
/// of the master's DTSTART (RFC 5545 §3.8.4.4). Added to `cal`.
icalcomponent* new_override(icalcomponent* cal, icalcomponent* master, std::int64_t instance) {
    std::int64_t duration = duration_of(cal, master);
    icalcomponent* o = icalcomponent_new_clone(master);
    for (auto kind :
         {ICAL_RRULE_PROPERTY, ICAL_RDATE_PROPERTY, ICAL_EXDATE_PROPERTY, ICAL_EXRULE_PROPERTY})
        remove_properties(o, kind);
    TimeForm form = form_of(cal, dtstart_of(master));
    icalcomponent_add_property(o, time_property(ICAL_RECURRENCEID_PROPERTY, instance, form));
    replace_property(o, time_property(ICAL_DTSTART_PROPERTY, instance, form));
    if (icalproperty* end = icalcomponent_get_first_property(master, ICAL_DTEND_PROPERTY))
        replace_property(
            o, time_property(ICAL_DTEND_PROPERTY, instance + duration, form_of(cal, end)));
    icalcomponent_add_component(cal, o);
    return o;
}

/// The description check_event needs to judge `patch` on an event shown as
/// `v`: only the patched parts are judged (stored data from other clients
/// may hold what the API would refuse).
std::optional<FieldError> check_patch(const EventView& v, const EventPatch& patch) {
    EventSpec s;
    s.uid = v.uid;
    s.all_day = v.all_day;
    s.start = patch.start.value_or(v.start);
    s.end = patch.end.value_or(v.end);
    if (!patch.start && !patch.end) s.end = s.start + 1;
    s.time_zone = patch.time_zone.value_or(known_time_zone(v.time_zone) ? v.time_zone : "UTC");
    s.title = patch.title.value_or("");
    if (patch.attendees) s.attendees = *patch.attendees;
    if (patch.reminders) s.reminders = *patch.reminders;
    if (patch.recurrence) s.recurrence = *patch.recurrence;
    return check_event(s);
}

std::string organizer_of(icalcomponent* c, std::string* name = nullptr) {
    icalproperty* org = icalcomponent_get_first_property(c, ICAL_ORGANIZER_PROPERTY);
    if (!org) return "";
    if (icalparameter* cn = icalproperty_get_first_parameter(org, ICAL_CN_PARAMETER); cn && name)
        *name = text_or(icalparameter_get_cn(cn));
    std::string a = text_or(icalproperty_get_organizer(org));
    if (a.size() >= 7 && (a.compare(0, 7, "mailto:") == 0 || a.compare(0, 7, "MAILTO:") == 0))
        a.erase(0, 7);
    return a;
}

/// New attendees keep the PARTSTAT they had when the patch gives none.
void replace_attendees(icalcomponent* c, std::vector<AttendeeSpec> attendees) {
    for (AttendeeSpec& a : attendees) {
        if (!a.partstat.empty()) continue;
        for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); p;
             p = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY))
            if (same_address(text_or(icalproperty_get_attendee(p)), "mailto:" + a.email))
                a.partstat = partstat_text(p);
    }
    std::string name;
    std::string organizer = organizer_of(c, &name);
    remove_attendees(c);
    add_attendees(c, organizer, name, attendees);
}

void replace_reminders(icalcomponent* c, const std::vector<ReminderSpec>& reminders) {
    while (icalcomponent* a = icalcomponent_get_first_component(c, ICAL_VALARM_COMPONENT))
        drop_component(c, a);
    icalproperty* summary = icalcomponent_get_first_property(c, ICAL_SUMMARY_PROPERTY);
    std::string title = summary ? text_or(icalproperty_get_summary(summary)) : "";
    for (const ReminderSpec& r : reminders)
        icalcomponent_add_component(c, alarm_component(r, title, organizer_of(c)));
}

/// Applies the time fields of `patch` to `c`: DTSTART/DTEND at the patched
/// instants, in the patched zone (its VTIMEZONE added to `cal`). DATE values
/// carry no zone (RFC 5545 §3.2.19): a patched zone only says which day a
/// patched all-day start or end falls on; the other keeps its date.
void patch_times(icalcomponent* cal, icalcomponent* c, const EventPatch& patch) {
    icalproperty* start = dtstart_of(c);
    if (!start || (!patch.start && !patch.end && !patch.time_zone)) return;
    TimeForm kept = form_of(cal, start);
    TimeForm patched = kept;
    if (patch.time_zone) {
        patched = form_for_zone(*patch.time_zone, kept.is_date);
        if (!kept.is_date) {
            ensure_vtimezone(cal, *patch.time_zone, patch.start.value_or(utc_of(cal, start)));
            kept = patched;
        }
    }
    std::int64_t old_start = utc_of(cal, start);
    std::int64_t old_end = old_start + duration_of(cal, c);
    bool had_end = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY) ||
                   icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
    replace_property(c, patch.start ? time_property(ICAL_DTSTART_PROPERTY, *patch.start, patched)
                                    : time_property(ICAL_DTSTART_PROPERTY, old_start, kept));
    if (!had_end && !patch.end) return;
    remove_properties(c, ICAL_DURATION_PROPERTY);
    replace_property(c, patch.end ? time_property(ICAL_DTEND_PROPERTY, *patch.end, patched)
                                  : time_property(ICAL_DTEND_PROPERTY, old_end, kept));
}

/// A new title reaches the reminders that showed the old one.
void retitle_alarms(icalcomponent* c, const std::string& old_title, const std::string& title) {
    for (icalcomponent* a = icalcomponent_get_first_component(c, ICAL_VALARM_COMPONENT); a;
         a = icalcomponent_get_next_component(c, ICAL_VALARM_COMPONENT))
        for (auto kind : {ICAL_DESCRIPTION_PROPERTY, ICAL_SUMMARY_PROPERTY})
            if (icalproperty* p = icalcomponent_get_first_property(a, kind);
                p && text_or(icalvalue_get_text(icalproperty_get_value(p))) == old_title)
                icalproperty_set_value(p, icalvalue_new_text(title.c_str()));
}

/// Applies `patch` to one component (the master takes `recurrence` too).
void apply_patch(icalcomponent* cal, icalcomponent* c, const EventPatch& patch) {
    if (patch.title) {
        icalproperty* summary = icalcomponent_get_first_property(c, ICAL_SUMMARY_PROPERTY);
        std::string old_title = summary ? text_or(icalproperty_get_summary(summary)) : "";
        remove_properties(c, ICAL_SUMMARY_PROPERTY);
        icalcomponent_add_property(c, icalproperty_new_summary(patch.title->c_str()));
        if (!patch.reminders) retitle_alarms(c, old_title, *patch.title);
    }
    if (patch.description) set_text(c, ICAL_DESCRIPTION_PROPERTY, *patch.description);
    if (patch.location) set_text(c, ICAL_LOCATION_PROPERTY, *patch.location);
    patch_times(cal, c, patch);
    if (patch.attendees) replace_attendees(c, *patch.attendees);
    if (patch.reminders) replace_reminders(c, *patch.reminders);
    if (patch.recurrence) {
        remove_properties(c, ICAL_RRULE_PROPERTY);
        if (*patch.recurrence)
            icalcomponent_add_property(
                c, rrule_property(**patch.recurrence, form_of(cal, dtstart_of(c))));
    }
}

/// Moves instants of the old series to the new one: the same shift of wall
/// clock as the master's DTSTART took, read in the old zone and written in
/// the new one, so a series moved by an hour keeps its instances an hour
/// later on both sides of a DST change.
struct SeriesShift {
    TimeForm from, to;
    std::int64_t wall_delta = 0;

    std::int64_t wall(std::int64_t utc, const TimeForm& f) const {
        return utc + (f.zone && !f.utc ? utc_offset_at(f.zone, utc) : 0);
    }
    std::int64_t apply(std::int64_t utc) const {
        std::int64_t w = wall(utc, from) + wall_delta;
        return to.zone && !to.utc && !to.is_date ? local_to_utc(wall_to_icaltime(w, false), to.zone)
                                                 : w;
    }
    bool moves() const { return wall_delta != 0 || from.tzid != to.tzid || from.utc != to.utc; }
};

void shift_exdates(icalcomponent* cal, icalcomponent* master, const SeriesShift& shift) {
    std::vector<std::int64_t> dates;
    for (icalproperty* p = icalcomponent_get_first_property(master, ICAL_EXDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(master, ICAL_EXDATE_PROPERTY))
        dates.push_back(utc_of(cal, p));
    remove_properties(master, ICAL_EXDATE_PROPERTY);
    for (std::int64_t d : dates)
        icalcomponent_add_property(master,
                                   time_property(ICAL_EXDATE_PROPERTY, shift.apply(d), shift.to));
}

/// An override follows the series: its RECURRENCE-ID always, its times when
/// it still sat at its RECURRENCE-ID; times in the old zone are written in
/// the new one.
void shift_override(icalcomponent* cal, icalcomponent* o, const SeriesShift& shift,
                    std::int64_t now) {
    icalproperty* rid = icalcomponent_get_first_property(o, ICAL_RECURRENCEID_PROPERTY);
    icalproperty* start = dtstart_of(o);
    std::int64_t old_rid = utc_of(cal, rid);
    replace_property(o, time_property(ICAL_RECURRENCEID_PROPERTY, shift.apply(old_rid), shift.to));
    if (!start) return touch(o, now);
    TimeForm form = form_of(cal, start);
    bool in_old_zone = form.tzid == shift.from.tzid && form.utc == shift.from.utc &&
                       form.is_date == shift.from.is_date;
    std::int64_t old_start = utc_of(cal, start);
    std::int64_t duration = duration_of(cal, o);
    std::int64_t new_start = old_start == old_rid ? shift.apply(old_start) : old_start;
    TimeForm new_form = in_old_zone ? shift.to : form;
    replace_property(o, time_property(ICAL_DTSTART_PROPERTY, new_start, new_form));
    if (icalcomponent_get_first_property(o, ICAL_DTEND_PROPERTY))
        replace_property(o, time_property(ICAL_DTEND_PROPERTY, new_start + duration, new_form));
    touch(o, now);
}

/// edit_all on a parsed calendar: the patch on the master, the overrides
/// and EXDATEs following its move. `bump`: SEQUENCE+1 on the master.
void patch_series(icalcomponent* cal, icalcomponent* master, const EventPatch& patch,
                  std::int64_t now, bool bump) {
    TimeForm old_form = form_of(cal, dtstart_of(master));
    std::int64_t old_start = utc_of(cal, dtstart_of(master));
    apply_patch(cal, master, patch);
    SeriesShift shift{old_form, form_of(cal, dtstart_of(master)), 0};
    std::int64_t new_start = utc_of(cal, dtstart_of(master));
    shift.wall_delta = shift.wall(new_start, shift.to) - shift.wall(old_start, shift.from);
    if (patch.recurrence && !*patch.recurrence) {
        for (icalcomponent* o : overrides_of(cal)) drop_component(cal, o);
        remove_properties(master, ICAL_EXDATE_PROPERTY);
        remove_properties(master, ICAL_RDATE_PROPERTY);
    } else if (shift.moves()) {
        shift_exdates(cal, master, shift);
        for (icalcomponent* o : overrides_of(cal)) shift_override(cal, o, shift, now);
    }
    touch(master, now, bump);
}

/// The master's RRULE ends before `instance` (UNTIL one second before it,
/// in UTC, or the day before for DATE series; COUNT removed), and what
/// belonged to later instances is dropped.
void cut_before(icalcomponent* cal, icalcomponent* master, std::int64_t instance) {
    TimeForm form = form_of(cal, dtstart_of(master));
    if (icalproperty* p = icalcomponent_get_first_property(master, ICAL_RRULE_PROPERTY)) {
        icalrecurrencetype r = icalproperty_get_rrule(p);
        r.count = 0;
        r.until = form.is_date ? wall_to_icaltime(instance - 86400, true) : utc_time(instance - 1);
        icalproperty_set_rrule(p, r);
    }
    auto later = [instance](std::int64_t t) { return t >= instance; };
    drop_dates(cal, master, ICAL_EXDATE_PROPERTY, later);
    drop_dates(cal, master, ICAL_RDATE_PROPERTY, later);
    for (icalcomponent* o : overrides_of(cal))
        if (later(utc_of(cal, icalcomponent_get_first_property(o, ICAL_RECURRENCEID_PROPERTY))))
            drop_component(cal, o);
}

/// The series from `instance` on under `uid`: DTSTART at the instance (in
/// the master's zone), COUNT less the `before` instances already had,
/// earlier EXDATEs, RDATEs and overrides dropped. A new series: SEQUENCE 0.
void keep_from(icalcomponent* cal, icalcomponent* master, std::int64_t instance, std::size_t before,
               const std::string& uid, std::int64_t now) {
    std::int64_t duration = duration_of(cal, master);
    replace_property(
        master, time_property(ICAL_DTSTART_PROPERTY, instance, form_of(cal, dtstart_of(master))));
    if (icalproperty* end = icalcomponent_get_first_property(master, ICAL_DTEND_PROPERTY))
        replace_property(
            master, time_property(ICAL_DTEND_PROPERTY, instance + duration, form_of(cal, end)));
    if (icalproperty* p = icalcomponent_get_first_property(master, ICAL_RRULE_PROPERTY)) {
        icalrecurrencetype r = icalproperty_get_rrule(p);
        if (r.count > 0) r.count = std::max(1, r.count - static_cast<int>(before));
        icalproperty_set_rrule(p, r);
    }
    auto earlier = [instance](std::int64_t t) { return t < instance; };
    drop_dates(cal, master, ICAL_EXDATE_PROPERTY, earlier);
    drop_dates(cal, master, ICAL_RDATE_PROPERTY, earlier);
    for (icalcomponent* o : overrides_of(cal)) {
        if (earlier(utc_of(cal, icalcomponent_get_first_property(o, ICAL_RECURRENCEID_PROPERTY)))) {
            drop_component(cal, o);
            continue;
        }
        icalcomponent_set_uid(o, uid.c_str());
    }
    icalcomponent_set_uid(master, uid.c_str());
    icalcomponent_set_sequence(master, 0);
    replace_property(master, icalproperty_new_created(utc_time(now)));
}

struct Opened {
    ComponentPtr cal;
    icalcomponent* master = nullptr;
};

std::optional<Opened> open(std::string_view ics) {
    Opened o{parse_with_libical(ics), nullptr};
    if (!o.cal || icalcomponent_isa(o.cal.get()) != ICAL_VCALENDAR_COMPONENT) return std::nullopt;
    o.master = master_of(o.cal.get());
    if (!o.master || !dtstart_of(o.master)) return std::nullopt;
    return o;
}

/// The instances of the master before `instance` (EXDATEs counted, as COUNT
/// counts them), or a FieldError when `instance` is not one or the first.
std::variant<std::size_t, FieldError> instances_before(icalcomponent* cal, std::int64_t instance) {
    if (!has_instance(cal, instance)) return no_instance();
    auto before = master_starts(cal, std::nullopt, instance, false);
    if (!before) return FieldError{"instance_date", "the series is too long to split"};
    if (before->empty())
        return FieldError{"instance_date", "the first instance: change or delete the whole event"};
    return before->size();
}

}  // namespace

EditResult edit_all(std::string_view ics, const EventPatch& patch, std::int64_t now) {
    auto opened = open(ics);
    if (!opened) return no_event();
    if (auto view = read_event(ics))
        if (auto e = check_patch(*view, patch)) return *e;
    patch_series(opened->cal.get(), opened->master, patch, now, true);
    return text_of(opened->cal.get());
}

EditResult edit_instance(std::string_view ics, std::int64_t instance, const EventPatch& patch,
                         std::int64_t now) {
    if (patch.recurrence)
        return FieldError{"recurrence", "one instance has no recurrence of its own"};
    auto opened = open(ics);
    if (!opened) return no_event();
    auto view = read_event(ics, instance);
    if (!view) return no_instance();
    if (auto e = check_patch(*view, patch)) return *e;
    icalcomponent* cal = opened->cal.get();
    icalcomponent* o = override_at(cal, instance);
    // A single event is its only instance: no RECURRENCE-ID without a series.
    if (!o && !recurring(opened->master)) o = opened->master;
    if (!o) o = new_override(cal, opened->master, instance);
    apply_patch(cal, o, patch);
    touch(o, now);
    return text_of(cal);
}

std::variant<SplitResult, FieldError> split_series(std::string_view ics, std::int64_t instance,
                                                   const std::string& new_uid,
                                                   const EventPatch& patch, std::int64_t now) {
    auto opened = open(ics);
    if (!opened) return no_event();
    auto before = instances_before(opened->cal.get(), instance);
    if (auto* e = std::get_if<FieldError>(&before)) return *e;
    if (auto view = read_event(ics, instance))
        if (auto e = check_patch(*view, patch)) return *e;
    ComponentPtr second(icalcomponent_new_clone(opened->cal.get()));
    cut_before(opened->cal.get(), opened->master, instance);
    touch(opened->master, now);
    icalcomponent* master2 = master_of(second.get());
    keep_from(second.get(), master2, instance, std::get<std::size_t>(before), new_uid, now);
    patch_series(second.get(), master2, patch, now, false);
    return SplitResult{text_of(opened->cal.get()), text_of(second.get())};
}

EditResult remove_instance(std::string_view ics, std::int64_t instance, std::int64_t now) {
    auto opened = open(ics);
    if (!opened) return no_event();
    icalcomponent* cal = opened->cal.get();
    icalcomponent* o = override_at(cal, instance);
    if (!o && !has_instance(cal, instance)) return no_instance();
    if (o) drop_component(cal, o);
    TimeForm form = form_of(cal, dtstart_of(opened->master));
    icalcomponent_add_property(opened->master, time_property(ICAL_EXDATE_PROPERTY, instance, form));
    touch(opened->master, now);
    return text_of(cal);
}

EditResult end_series_before(std::string_view ics, std::int64_t instance, std::int64_t now) {
    auto opened = open(ics);
    if (!opened) return no_event();
    auto before = instances_before(opened->cal.get(), instance);
    if (auto* e = std::get_if<FieldError>(&before)) return *e;
    cut_before(opened->cal.get(), opened->master, instance);
    touch(opened->master, now);
    return text_of(opened->cal.get());
}

EditResult with_instance_partstat(std::string_view ics, std::string_view attendee,
                                  std::string_view partstat, std::int64_t instance,
                                  std::int64_t now) {
    auto opened = open(ics);
    if (!opened) return no_event();
    icalcomponent* cal = opened->cal.get();
    icalcomponent* o = override_at(cal, instance);
    if (!o && !has_instance(cal, instance)) return no_instance();
    icalcomponent* source = o ? o : opened->master;
    icalproperty* found = nullptr;
    for (icalproperty* a = icalcomponent_get_first_property(source, ICAL_ATTENDEE_PROPERTY);
         a && !found; a = icalcomponent_get_next_property(source, ICAL_ATTENDEE_PROPERTY))
        if (same_address(text_or(icalproperty_get_attendee(a)), attendee)) found = a;
    if (!found) return FieldError{"attendee", "not invited to this instance"};
    if (!o && !recurring(opened->master)) o = opened->master;
    if (!o) {
        o = new_override(cal, opened->master, instance);
        found = nullptr;
        for (icalproperty* a = icalcomponent_get_first_property(o, ICAL_ATTENDEE_PROPERTY);
             a && !found; a = icalcomponent_get_next_property(o, ICAL_ATTENDEE_PROPERTY))
            if (same_address(text_or(icalproperty_get_attendee(a)), attendee)) found = a;
    }
    while (icalparameter* p = icalproperty_get_first_parameter(found, ICAL_PARTSTAT_PARAMETER))
        icalproperty_remove_parameter_by_ref(found, p);
    icalproperty_add_parameter(found, new_partstat(partstat));
    // RFC 5546 §2.1.4: an attendee's answer leaves SEQUENCE alone.
    touch(o, now, false);
    return text_of(cal);
}

}  // namespace ical
