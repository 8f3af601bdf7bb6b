// Merging versions of scheduling objects (RFC 6638 §3.2.2, §3.2.10, RFC 5546
// §3.2.3) on libical.
#include "ical/schedule_merge.hpp"

#include <libical/ical.h>

#include <vector>

#include "ical/calendar_data.hpp"
#include "ical/libical_text.hpp"
#include "ical/scheduled_components.hpp"
#include "ical/scheduling.hpp"

namespace ical {

namespace {

std::string text_of(icalcomponent* cal) {
    char* text = icalcomponent_as_ical_string(cal);  // owned by libical's ring buffer
    return text ? std::string(text) : std::string();
}

std::string property_text(icalproperty* p) {
    const char* text = icalproperty_as_ical_string(p);  // ring buffer: copied at once
    return text ? std::string(text) : std::string();
}

/// The RECURRENCE-ID as written ("" for a master): versions of one object
/// name an instance the same way.
std::string instance_key(icalcomponent* c) {
    icalproperty* p = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
    if (!p) return {};
    const char* v = icalproperty_get_value_as_string(p);
    return v ? std::string(v) : std::string("?");
}

icalcomponent* find_instance(const std::vector<icalcomponent*>& components,
                             const std::string& key) {
    for (icalcomponent* c : components)
        if (instance_key(c) == key) return c;
    return nullptr;
}

/// What makes a reschedule (RFC 6638 §3.2.8): the times and the recurrence set.
std::string timing(icalcomponent* c) {
    std::string out;
    for (auto kind :
         {ICAL_DTSTART_PROPERTY, ICAL_DTEND_PROPERTY, ICAL_DURATION_PROPERTY, ICAL_DUE_PROPERTY,
          ICAL_RRULE_PROPERTY, ICAL_RDATE_PROPERTY, ICAL_EXDATE_PROPERTY})
        for (icalproperty* p = icalcomponent_get_first_property(c, kind); p;
             p = icalcomponent_get_next_property(c, kind))
            out += property_text(p);
    return out;
}

/// A new override of an instance that did not move: DTSTART is the RECURRENCE-ID.
bool unmoved_override(icalcomponent* c) {
    icalproperty* rid = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
    icalproperty* start = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
    if (!rid || !start) return false;
    const char* a = icalproperty_get_value_as_string(rid);
    const char* b = icalproperty_get_value_as_string(start);
    return a && b && std::string_view(a) == std::string_view(b);
}

icalproperty* attendee_in(icalcomponent* c, std::string_view address) {
    for (icalproperty* a = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); a;
         a = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
        const char* v = icalproperty_get_attendee(a);
        if (v && same_address(v, address)) return a;
    }
    return nullptr;
}

/// Makes parameter `kind` of `to` what it is on `from` (absent included);
/// true when that changed anything.
bool copy_parameter(icalproperty* to, icalproperty* from, icalparameter_kind kind) {
    icalparameter* want = icalproperty_get_first_parameter(from, kind);
    icalparameter* have = icalproperty_get_first_parameter(to, kind);
    auto text = [](icalparameter* p) {
        char* t = p ? icalparameter_as_ical_string(p) : nullptr;
        return t ? std::string(t) : std::string();
    };
    if (text(want) == text(have)) return false;
    while (icalparameter* p = icalproperty_get_first_parameter(to, kind))
        icalproperty_remove_parameter_by_ref(to, p);
    if (want) icalproperty_add_parameter(to, icalparameter_new_clone(want));
    return true;
}

void remove_alarms(icalcomponent* c) {
    while (icalcomponent* alarm = icalcomponent_get_first_component(c, ICAL_VALARM_COMPONENT)) {
        icalcomponent_remove_component(c, alarm);
        icalcomponent_free(alarm);
    }
}

bool has_property_named(icalcomponent* c, const char* name) {
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
        const char* n = icalproperty_get_property_name(p);
        if (n && std::string_view(n) == name) return true;
    }
    return false;
}

/// Adds the X- properties of `from` that `to` has no property of that name for.
void keep_x_properties(icalcomponent* to, icalcomponent* from) {
    std::vector<icalproperty*> add;
    for (icalproperty* p = icalcomponent_get_first_property(from, ICAL_X_PROPERTY); p;
         p = icalcomponent_get_next_property(from, ICAL_X_PROPERTY)) {
        const char* name = icalproperty_get_property_name(p);
        if (name && !has_property_named(to, name)) add.push_back(p);
    }
    for (icalproperty* p : add) icalcomponent_add_property(to, icalproperty_new_clone(p));
}

/// The values of every property `kind` of `c` without parameters ("" when
/// none): a client writing the same time with other parameters (VALUE,
/// quoting) changes nothing.
std::string values_of(icalcomponent* c, icalproperty_kind kind) {
    std::string out;
    for (icalproperty* p = icalcomponent_get_first_property(c, kind); p;
         p = icalcomponent_get_next_property(c, kind)) {
        const char* v = icalproperty_get_value_as_string(p);  // ring buffer: copied at once
        out += v ? v : "";
        out += '\n';
    }
    return out;
}

std::string tzid_of(icalproperty* p) {
    icalparameter* tz = p ? icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER) : nullptr;
    const char* v = tz ? icalparameter_get_tzid(tz) : nullptr;
    return v ? v : "";
}

/// How a date-time is written: its TZID, in UTC or not, a DATE or not.
std::string time_form(icalproperty* p) {
    const char* v = p ? icalproperty_get_value_as_string(p) : nullptr;
    std::string text = v ? v : "";
    return tzid_of(p) + (text.ends_with('Z') ? "|utc" : "|") + (text.size() == 8 ? "|date" : "");
}

/// The time property of the attendee's `now` that the organizer's `was` has
/// otherwise, or "". Times are compared as written, and only when written
/// alike: a client that rewrites the zone (another TZID for the same zone,
/// UTC) may well keep the time, and is given the benefit of the doubt.
std::string time_change(icalcomponent* now, icalcomponent* was, bool new_override) {
    auto first = [](icalcomponent* c, icalproperty_kind kind) {
        return icalcomponent_get_first_property(c, kind);
    };
    if (new_override) {
        // RFC 6638 §3.2.2.1 (11): an override may only restate its instance.
        icalproperty* rid = first(now, ICAL_RECURRENCEID_PROPERTY);
        icalproperty* start = first(now, ICAL_DTSTART_PROPERTY);
        bool alike = rid && start && time_form(rid) == time_form(start);
        return alike && !unmoved_override(now) ? "DTSTART" : "";
    }
    if (time_form(first(now, ICAL_DTSTART_PROPERTY)) !=
        time_form(first(was, ICAL_DTSTART_PROPERTY)))
        return {};
    for (auto kind : {ICAL_DTSTART_PROPERTY, ICAL_RRULE_PROPERTY})
        if (values_of(now, kind) != values_of(was, kind)) return property_kind_name(kind);
    // An end given as DTEND on one side and DURATION on the other may be the
    // same: only like is compared with like.
    if (first(now, ICAL_DTEND_PROPERTY) && first(was, ICAL_DTEND_PROPERTY) &&
        time_form(first(now, ICAL_DTEND_PROPERTY)) == time_form(first(was, ICAL_DTEND_PROPERTY)) &&
        values_of(now, ICAL_DTEND_PROPERTY) != values_of(was, ICAL_DTEND_PROPERTY))
        return "DTEND";
    if (first(now, ICAL_DURATION_PROPERTY) && first(was, ICAL_DURATION_PROPERTY) &&
        values_of(now, ICAL_DURATION_PROPERTY) != values_of(was, ICAL_DURATION_PROPERTY))
        return "DURATION";
    return {};
}

/// The first organizer-owned difference of the attendee's `now` from `was`
/// (the same component before, or the master for a new override), or "".
std::string organizer_change(icalcomponent* now, icalcomponent* was, bool new_override,
                             const std::function<bool(std::string_view)>& is_own,
                             bool other_partstats) {
    if (auto what = time_change(now, was, new_override); !what.empty()) return what;
    for (auto kind : {ICAL_SUMMARY_PROPERTY, ICAL_LOCATION_PROPERTY}) {
        // An empty value and none are the same to a user.
        auto a = values_of(now, kind), b = values_of(was, kind);
        if (a == "\n") a.clear();
        if (b == "\n") b.clear();
        if (a != b) return property_kind_name(kind);
    }
    // A copy written without ORGANIZER is no longer scheduled: that is not
    // refused here (the server then has no organizer to answer).
    icalproperty* org_now = icalcomponent_get_first_property(now, ICAL_ORGANIZER_PROPERTY);
    icalproperty* org_was = icalcomponent_get_first_property(was, ICAL_ORGANIZER_PROPERTY);
    if (org_now && org_was) {
        const char* a = icalproperty_get_organizer(org_now);
        const char* b = icalproperty_get_organizer(org_was);
        if (a && b && !same_address(a, b)) return "ORGANIZER";
    }
    for (icalproperty* a = icalcomponent_get_first_property(now, ICAL_ATTENDEE_PROPERTY); a;
         a = icalcomponent_get_next_property(now, ICAL_ATTENDEE_PROPERTY)) {
        const char* v = icalproperty_get_attendee(a);
        if (!v || is_own(v)) continue;
        icalproperty* before = attendee_in(was, v);
        if (!before) return std::string("ATTENDEE ") + v + " (added)";
        // A new override copies the others' answers from wherever the
        // client last saw them: only a kept component's are compared.
        if (other_partstats && !new_override && partstat_text(a) != partstat_text(before))
            return std::string("PARTSTAT of ") + v;
    }
    for (icalproperty* a = icalcomponent_get_first_property(was, ICAL_ATTENDEE_PROPERTY); a;
         a = icalcomponent_get_next_property(was, ICAL_ATTENDEE_PROPERTY)) {
        const char* v = icalproperty_get_attendee(a);
        if (v && !is_own(v) && !attendee_in(now, v))
            return std::string("ATTENDEE ") + v + " (removed)";
    }
    return {};
}

}  // namespace

std::string merge_replies(std::string_view sent, std::string_view stored,
                          const std::function<bool(std::string_view)>& is_own) {
    auto mine = parse_calendar(sent);
    auto theirs = parse_calendar(stored);
    if (mine.error || theirs.error) return std::string(sent);
    auto stored_components = detail::scheduled_components(theirs.calendar.get());
    bool changed = false;
    for (icalcomponent* c : detail::scheduled_components(mine.calendar.get())) {
        icalcomponent* s = find_instance(stored_components, instance_key(c));
        if (!s || timing(c) != timing(s)) continue;
        for (icalproperty* a = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); a;
             a = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
            const char* v = icalproperty_get_attendee(a);
            if (!v || is_own(v)) continue;
            icalproperty* was = attendee_in(s, v);
            if (!was) continue;
            changed = copy_parameter(a, was, ICAL_PARTSTAT_PARAMETER) || changed;
            changed = copy_parameter(a, was, ICAL_SCHEDULESTATUS_PARAMETER) || changed;
        }
    }
    return changed ? text_of(mine.calendar.get()) : std::string(sent);
}

std::string reset_rescheduled(std::string_view sent, std::string_view previous,
                              const std::function<bool(std::string_view)>& is_own) {
    auto now = parse_calendar(sent);
    auto before = parse_calendar(previous);
    if (now.error || before.error) return std::string(sent);
    auto old_components = detail::scheduled_components(before.calendar.get());
    bool changed = false;
    for (icalcomponent* c : detail::scheduled_components(now.calendar.get())) {
        icalcomponent* was = find_instance(old_components, instance_key(c));
        bool moved =
            was ? timing(c) != timing(was) : !instance_key(c).empty() && !unmoved_override(c);
        if (!moved) continue;
        for (icalproperty* a = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); a;
             a = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
            const char* v = icalproperty_get_attendee(a);
            if (!v || is_own(v) || partstat_text(a) == "NEEDS-ACTION") continue;
            while (icalparameter* p = icalproperty_get_first_parameter(a, ICAL_PARTSTAT_PARAMETER))
                icalproperty_remove_parameter_by_ref(a, p);
            icalproperty_add_parameter(a, icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
            changed = true;
        }
    }
    return changed ? text_of(now.calendar.get()) : std::string(sent);
}

std::string merge_attendee_copy(std::string_view incoming, std::string_view existing,
                                std::string_view attendee) {
    auto update = parse_calendar(incoming);
    auto copy = parse_calendar(existing);
    if (update.error || copy.error) return std::string(incoming);
    return merge_attendee_copy(update.calendar.get(), copy.calendar.get(), attendee);
}

std::string merge_attendee_copy(icalcomponent* incoming, icalcomponent* existing, std::string_view attendee) {
    merge_into_attendee_copy(incoming, existing, attendee);
    return text_of(incoming);
}

void merge_into_attendee_copy(icalcomponent* incoming, icalcomponent* existing, std::string_view attendee) {
    auto own_components = detail::scheduled_components(existing);
    icalcomponent* own_master = find_instance(own_components, {});
    for (icalcomponent* c : detail::scheduled_components(incoming)) {
        auto key = instance_key(c);
        icalcomponent* same = find_instance(own_components, key);
        icalcomponent* own = same ? same : (key.empty() ? nullptr : own_master);
        remove_alarms(c);
        if (!own) continue;
        for (icalcomponent* alarm = icalcomponent_get_first_component(own, ICAL_VALARM_COMPONENT);
             alarm; alarm = icalcomponent_get_next_component(own, ICAL_VALARM_COMPONENT))
            icalcomponent_add_component(c, icalcomponent_new_clone(alarm));
        keep_x_properties(c, own);
        // Their answer stands unless the organizer moved the instance(s).
        bool unmoved = same ? timing(c) == timing(same) : unmoved_override(c);
        icalproperty* mine = attendee_in(c, attendee);
        icalproperty* was = attendee_in(own, attendee);
        if (unmoved && mine && was) copy_parameter(mine, was, ICAL_PARTSTAT_PARAMETER);
    }
    keep_x_properties(incoming, existing);
}

namespace {

/// attendee_reply() up to the message: `now` keeps only the components to
/// answer; false when there are none.
bool keep_answered(icalcomponent* before, icalcomponent* now, std::string_view attendee, bool force) {
    std::vector<icalcomponent*> old_components;
    if (before) old_components = detail::scheduled_components(before);
    icalcomponent* old_master = find_instance(old_components, {});
    icalcomponent* cal = now;
    std::vector<icalcomponent*> unchanged;
    bool any = false;
    for (icalcomponent* c : detail::scheduled_components(cal)) {
        icalproperty* mine = attendee_in(c, attendee);
        auto key = instance_key(c);
        icalcomponent* was = find_instance(old_components, key);
        if (!was && !key.empty()) was = old_master;
        bool answered = mine && partstat_text(mine) !=
                                    partstat_text(was ? attendee_in(was, attendee) : nullptr);
        if (mine && (answered || force)) {
            any = true;
        } else {
            unchanged.push_back(c);
        }
    }
    if (!any) return false;
    for (icalcomponent* c : unchanged) {
        icalcomponent_remove_component(cal, c);
        icalcomponent_free(c);
    }
    return true;
}

}  // namespace

std::optional<std::string> attendee_reply(std::string_view before, std::string_view now,
                                          std::string_view attendee, bool force) {
    auto after = parse_calendar(now);
    if (after.error) return std::nullopt;
    auto old = parse_calendar(before);
    if (!keep_answered(old.error ? nullptr : old.calendar.get(), after.calendar.get(), attendee, force))
        return std::nullopt;
    return itip_message(text_of(after.calendar.get()), "REPLY", attendee);
}

std::optional<std::string> attendee_reply(icalcomponent* before, icalcomponent* now, std::string_view attendee,
                                          bool force) {
    if (!now || !keep_answered(before, now, attendee, force)) return std::nullopt;
    return itip_message(now, "REPLY", attendee);
}

std::optional<std::string> forbidden_attendee_change(
    std::string_view before, std::string_view after,
    const std::function<bool(std::string_view)>& is_own, bool other_partstats) {
    auto was = parse_calendar(before);
    auto now = parse_calendar(after);
    if (was.error || now.error) return std::nullopt;
    return forbidden_attendee_change(was.calendar.get(), now.calendar.get(), is_own, other_partstats);
}

std::optional<std::string> forbidden_attendee_change(
    icalcomponent* before, icalcomponent* after,
    const std::function<bool(std::string_view)>& is_own, bool other_partstats) {
    if (!before || !after) return std::nullopt;
    auto old_components = detail::scheduled_components(before);
    icalcomponent* old_master = find_instance(old_components, {});
    for (icalcomponent* c : detail::scheduled_components(after)) {
        auto key = instance_key(c);
        icalcomponent* same = find_instance(old_components, key);
        // RFC 6638 §3.2.2.1 (8): removed overrides and a new master are not compared.
        icalcomponent* base = same ? same : (key.empty() ? nullptr : old_master);
        if (!base) continue;
        auto what = organizer_change(c, base, !same, is_own, other_partstats);
        if (!what.empty())
            return what + (key.empty() ? std::string() : " of the instance " + key) +
                   " is the organizer's to change (RFC 6638 §3.2.2.1)";
    }
    return std::nullopt;
}

std::string without_force_send(std::string_view ics) {
    if (ics.find("SCHEDULE-FORCE-SEND") == std::string_view::npos) return std::string(ics);
    auto parsed = parse_calendar(ics);
    if (parsed.error) return std::string(ics);
    for (icalcomponent* c : detail::scheduled_components(parsed.calendar.get()))
        for (auto kind : {ICAL_ORGANIZER_PROPERTY, ICAL_ATTENDEE_PROPERTY})
            for (icalproperty* p = icalcomponent_get_first_property(c, kind); p;
                 p = icalcomponent_get_next_property(c, kind))
                while (icalparameter* f =
                           icalproperty_get_first_parameter(p, ICAL_SCHEDULEFORCESEND_PARAMETER))
                    icalproperty_remove_parameter_by_ref(p, f);
    return text_of(parsed.calendar.get());
}

}  // namespace ical
