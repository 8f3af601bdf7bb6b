// Property updates (RFC 4918 §9.2 PROPPATCH semantics, reused by RFC 4791
// MKCALENDAR and RFC 5689 extended MKCOL).
#include "caldav/property_update.hpp"

#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/properties.hpp"
#include "caldav/reminders.hpp"
#include "ical/calendar_data.hpp"

namespace caldav {

using names::caldav_ns;
using names::dav_ns;

namespace {

/// RFC 4791 §5.2.2, §5.3.1.1: a calendar-timezone value is an iCalendar
/// object holding exactly one VTIMEZONE and no other component.
bool is_one_vtimezone(const std::string& text) {
    auto parsed = ical::parse_calendar(text);
    if (parsed.error || !parsed.calendar || icalcomponent_isa(parsed.calendar.get()) != ICAL_VCALENDAR_COMPONENT)
        return false;
    std::size_t zones = 0;
    for (auto* c = icalcomponent_get_first_component(parsed.calendar.get(), ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(parsed.calendar.get(), ICAL_ANY_COMPONENT)) {
        if (icalcomponent_isa(c) != ICAL_VTIMEZONE_COMPONENT) return false;
        ++zones;
    }
    return zones == 1;
}

}  // namespace

std::vector<PropertyUpdate> collect_updates(const xml::Element& root) {
    std::vector<PropertyUpdate> out;
    for (const auto& op : root.children) {
        bool remove = op.is(dav_ns, "remove");
        if (!remove && !op.is(dav_ns, "set")) continue;  // unknown elements are ignored (RFC 4918 §17)
        const auto* prop = op.child(dav_ns, "prop");
        if (!prop) throw Error(400, "DAV:set and DAV:remove need a DAV:prop");
        for (const auto& p : prop->children) out.push_back({remove, &p});
    }
    return out;
}

UpdatePlan plan_updates(const std::vector<PropertyUpdate>& updates, unsigned kind, bool creating) {
    UpdatePlan plan;
    std::vector<std::string> good;
    std::vector<std::string> bad;
    std::vector<std::string> bad_timezone;
    std::vector<std::string> bad_value;  // RFC 4918 §9.2.1: 409, a value not fit for the property
    for (const auto& u : updates) {
        const auto& p = *u.property;
        std::string name_xml = xml::element(p.ns, p.local);
        bool is_collection = (kind & k_any_collection) != 0;
        auto text = [&] { return u.remove ? std::string() : p.text; };
        if (creating && (p.is(dav_ns, "resourcetype") || p.is(caldav_ns, "supported-calendar-component-set"))) {
            good.push_back(name_xml);
            continue;
        }
        if (is_collection && p.is(dav_ns, "displayname")) {
            plan.patch.display_name = text();
        } else if ((kind & k_calendar) && p.is(caldav_ns, "calendar-description")) {
            plan.patch.description = text();
        } else if ((kind & k_calendar) && p.is(caldav_ns, "calendar-timezone")) {
            if (!u.remove && !is_one_vtimezone(p.text)) {
                bad_timezone.push_back(name_xml);
                continue;
            }
            plan.patch.timezone = text();
        } else if (p.is(names::kalends_ns, push_display_alarms_property)) {
            // Issue 26: the calendar's switch for pushing its DISPLAY alarms, "true" or "false".
            auto choice = display_alarms_choice(p.to_string());
            if (!(kind & k_calendar) || (!u.remove && !choice)) {
                ((kind & k_calendar) ? bad_value : bad).push_back(name_xml);
                continue;
            }
            std::erase_if(plan.patch.set, [](const DeadProperty& d) { return d.name == push_display_alarms_property; });
            std::erase_if(plan.patch.remove, [](const auto& r) { return r.second == push_display_alarms_property; });
            if (u.remove) plan.patch.remove.emplace_back(names::kalends_ns, push_display_alarms_property);
            else plan.patch.set.push_back(display_alarms_property(*choice));
        } else if (const auto* d = find_property(p.ns, p.local); d && d->is_protected) {
            bad.push_back(name_xml);
            continue;
        } else if (u.remove) {
            // RFC 4918 §9.2: instructions apply in document order, so a remove
            // undoes an earlier set of the same property and a set an earlier remove.
            std::erase_if(plan.patch.set, [&](const DeadProperty& d) { return d.ns == p.ns && d.name == p.local; });
            plan.patch.remove.emplace_back(p.ns, p.local);
        } else {
            std::erase_if(plan.patch.remove, [&](const auto& r) { return r.first == p.ns && r.second == p.local; });
            plan.patch.set.push_back({p.ns, p.local, p.to_string()});
        }
        good.push_back(name_xml);
    }
    plan.ok = bad.empty() && bad_timezone.empty() && bad_value.empty();
    if (plan.ok) {
        plan.propstats.push_back({200, std::move(good), {}});
    } else {
        plan.propstats.push_back({403, std::move(bad), "<D:cannot-modify-protected-property/>"});
        // RFC 4791 §5.3.1.1 names CALDAV:valid-calendar-data for a bad calendar-timezone.
        plan.propstats.push_back({403, std::move(bad_timezone), "<C:valid-calendar-data/>"});
        plan.propstats.push_back({409, std::move(bad_value), {}});
        plan.propstats.push_back({424, std::move(good), {}});
    }
    return plan;
}

}  // namespace caldav
