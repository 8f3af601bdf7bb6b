// /api/v1/calendars: the caller's calendars and those shared with them (issue
// 25), and creating, renaming and deleting one of their own (issue 24). A calendar here is the CalDAV calendar collection
// of the same name; its colour is Apple's calendar-color property, so CalDAV
// clients and the API show the same.
#include <boost/json/array.hpp>

#include "caldav/names.hpp"
#include "caldav/privileges.hpp"
#include "caldav/quota.hpp"
#include "caldav/reminders.hpp"
#include "caldav/resource_path.hpp"
#include "caldav/schedule_collections.hpp"
#include "caldav/sharing.hpp"
#include "caldav/xml/element.hpp"
#include "ical/event_spec.hpp"
#include "ical/zone_resolver.hpp"
#include "src/api/api_call.hpp"
#include "src/api/api_error.hpp"

namespace server::api {

namespace json = boost::json;

namespace {

constexpr std::string_view color_name = "calendar-color";

/// The text of Apple's calendar-color dead property, or empty.
std::string color_of(caldav::Store& store, const caldav::CollectionRecord& c) {
    for (const auto& p : store.dead_properties(c.id, {})) {
        if (p.ns != caldav::names::apple_ical_ns || p.name != color_name) continue;
        auto open = p.xml.find('>');
        auto close = p.xml.rfind("</");
        if (open == std::string::npos || close == std::string::npos || close < open) return {};
        return p.xml.substr(open + 1, close - open - 1);
    }
    return {};
}

/// The calendar's push-display-alarms choice (issue 26): true, false, or
/// null when the server's [reminders] display-alarms decides.
json::value display_alarms_of(caldav::Store& store, const caldav::CollectionRecord& c) {
    for (const auto& p : store.dead_properties(c.id, {}))
        if (p.ns == caldav::names::kalends_ns && p.name == caldav::push_display_alarms_property)
            if (auto choice = caldav::display_alarms_choice(p.xml)) return *choice;
    return nullptr;
}

caldav::DeadProperty color_property(const std::string& color) {
    return {std::string(caldav::names::apple_ical_ns), std::string(color_name),
            "<A:calendar-color xmlns:A=\"http://apple.com/ns/ical/\">" + caldav::xml::escape(color) +
                "</A:calendar-color>"};
}

json::object calendar_json(Call& call, const caldav::CollectionRecord& c, const std::string& default_name) {
    json::object o;
    o["calendar_id"] = c.name;
    o["name"] = c.display_name.empty() ? c.name : c.display_name;
    o["description"] = c.description;
    auto color = color_of(call.actor.store, c);
    o["color"] = color.empty() ? json::value(nullptr) : json::value(color);
    auto zone = ical::zone_calendar_tzid(c.timezone);
    o["time_zone"] = zone.empty() ? json::value(nullptr) : json::value(zone);
    o["push_display_alarms"] = display_alarms_of(call.actor.store, c);
    o["is_default"] = c.name == default_name;
    o["url"] = caldav::collection_href(call.actor.principal.name, c.name);
    o["permission"] = "owner";
    return o;
}

/// A calendar shared with the caller (issue 25): its id is "OWNER:NAME", its
/// permission what the grant gives. A free-busy sharee sees no description.
json::object shared_calendar_json(Call& call, const caldav::GrantRecord& g, const caldav::CollectionRecord& c) {
    json::object o = calendar_json(call, c, {});
    o["calendar_id"] = g.owner.name + ":" + c.name;
    if (g.permission == caldav::SharePermission::free_busy) o["description"] = "";
    o["url"] = caldav::collection_href(g.owner.name, c.name);
    o["permission"] = std::string(caldav::share_permission_name(g.permission));
    return o;
}

std::string default_name(Call& call) {
    auto d = caldav::default_calendar(call.actor.store, call.actor.principal, call.actor.limits);
    return d ? d->name : std::string();
}

/// "#RRGGBB" or "#RRGGBBAA" (what Apple Calendar and Thunderbird write).
std::string checked_color(const std::string& color) {
    bool ok = (color.size() == 7 || color.size() == 9) && color[0] == '#';
    for (std::size_t i = 1; ok && i < color.size(); ++i) ok = std::isxdigit(static_cast<unsigned char>(color[i]));
    if (!ok) throw ApiError(422, "validation", "color must be #RRGGBB or #RRGGBBAA", "color");
    return color;
}

/// The caller's calendar `id`, with the privilege `needed` on it.
caldav::CollectionRecord own_calendar(Call& call, const std::string& id, caldav::Privileges needed) {
    auto c = call.actor.store.find_collection(call.actor.principal.id, id);
    if (!c || c->kind != caldav::CollectionKind::calendar)
        throw ApiError(404, "not-found", "you have no calendar with this id");
    if (!caldav::holds(caldav::privileges_on_collection(call.actor.principal, call.actor.principal, *c), needed))
        throw ApiError(403, "forbidden", "you may not change this calendar");
    return *c;
}

}  // namespace

caldav::Response list_calendars(Call& call) {
    call.actor.store.provision_home(call.actor.principal.id);
    auto default_id = default_name(call);
    json::array calendars;
    for (const auto& c : call.actor.store.list_collections(call.actor.principal.id))
        if (c.kind == caldav::CollectionKind::calendar) calendars.push_back(calendar_json(call, c, default_id));
    for (const auto& g : call.actor.store.grants_to_principal(call.actor.principal.id)) {
        auto c = call.actor.store.find_collection(g.owner.id, g.collection_name);
        if (c && c->kind == caldav::CollectionKind::calendar) calendars.push_back(shared_calendar_json(call, g, *c));
    }
    return json_response(200, json::object{{"calendars", std::move(calendars)}});
}

caldav::Response create_calendar(Call& call) {
    auto body = call.body();
    Fields f(body);
    caldav::CollectionRecord c;
    c.owner_id = call.actor.principal.id;
    c.kind = caldav::CollectionKind::calendar;
    c.display_name = f.required_string("name");
    c.description = f.string("description").value_or("");
    c.components = "VEVENT,VTODO";
    c.name = f.string("calendar_id").value_or("");
    if (c.name.empty()) {
        // A readable id from the name where it is plain, else a random one.
        for (char ch : c.display_name)
            if (std::isalnum(static_cast<unsigned char>(ch)) && c.name.size() < 32)
                c.name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
            else if ((ch == ' ' || ch == '-') && !c.name.empty() && c.name.back() != '-')
                c.name.push_back('-');
        while (!c.name.empty() && c.name.back() == '-') c.name.pop_back();
        if (c.name.empty()) c.name = "calendar-" + std::to_string(call.now);
    }
    bool ok = c.name.size() <= 64 && c.name != "inbox" && c.name != "outbox" && c.name[0] != '.';
    for (char ch : c.name) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.');
    if (!ok)
        throw ApiError(422, "validation", "calendar_id must be 1 to 64 letters, digits, '-', '_' or '.'",
                       "calendar_id");
    if (auto zone = f.string("time_zone")) c.timezone = ical::zone_calendar(checked_zone(*zone, "time_zone"));
    std::vector<caldav::DeadProperty> dead;
    if (auto color = f.string("color")) dead.push_back(color_property(checked_color(*color)));
    if (auto push = f.boolean("push_display_alarms")) dead.push_back(caldav::display_alarms_property(*push));
    call.actor.store.provision_home(call.actor.principal.id);
    caldav::check_new_calendar(call.actor.store, call.actor.limits, c.owner_id);  // issue 29 §6
    auto status = call.actor.store.create_collection(c, dead);
    if (status == caldav::StoreStatus::exists)
        throw ApiError(409, "conflict", "you have a calendar with this id already", "calendar_id");
    if (status != caldav::StoreStatus::ok) throw ApiError(503, "unavailable", "the calendar could not be created");
    auto r = json_response(201, calendar_json(call, c, default_name(call)));
    r.headers.set("Location", "/api/v1/calendars/" + caldav::encode_segment(c.name));
    return r;
}

caldav::Response update_calendar(Call& call) {
    auto body = call.body();
    Fields f(body);
    auto c = own_calendar(call, call.segments[1], caldav::Privileges::write_properties);
    caldav::PropertyPatch patch;
    if (auto name = f.string("name")) {
        if (name->empty()) throw ApiError(422, "validation", "name may not be empty", "name");
        patch.display_name = *name;
    }
    patch.description = f.string("description");
    if (auto zone = f.string("time_zone")) patch.timezone = ical::zone_calendar(checked_zone(*zone, "time_zone"));
    if (auto color = f.string("color")) patch.set.push_back(color_property(checked_color(*color)));
    // Issue 26: true or false; null gives the choice back to the server's setting.
    if (auto push = f.boolean("push_display_alarms")) patch.set.push_back(caldav::display_alarms_property(*push));
    else if (body.contains("push_display_alarms"))
        patch.remove.emplace_back(caldav::names::kalends_ns, caldav::push_display_alarms_property);
    // Issue 25 §7: the same call as a PROPPATCH, so that the sharees' homes show the change.
    auto status = caldav::patch_collection_properties(call.actor.store, c, patch);
    if (status == caldav::StoreStatus::not_found) throw ApiError(404, "not-found", "the calendar is gone");
    if (status != caldav::StoreStatus::ok) throw ApiError(503, "unavailable", "the calendar could not be changed");
    auto now = call.actor.store.find_collection(call.actor.principal.id, c.name);
    if (!now) throw ApiError(404, "not-found", "the calendar is gone");
    return json_response(200, calendar_json(call, *now, default_name(call)));
}

caldav::Response delete_calendar(Call& call) {
    auto c = own_calendar(call, call.segments[1], caldav::Privileges::unbind);
    if (c.name == default_name(call))
        throw ApiError(409, "conflict", "this is your default calendar; make another the default first");
    // Issue 25 §7: the same call as a DELETE, so that the sharees' homes report it gone.
    auto status = caldav::delete_collection_and_shares(call.actor.store, c);
    if (status == caldav::StoreStatus::not_found) throw ApiError(404, "not-found", "the calendar is gone");
    if (status != caldav::StoreStatus::ok) throw ApiError(503, "unavailable", "the calendar could not be deleted");
    caldav::Response r;
    r.status = 204;
    return r;
}

}  // namespace server::api
