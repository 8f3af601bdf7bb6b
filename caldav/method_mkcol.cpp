// MKCALENDAR (RFC 4791 §5.3.1) and MKCOL with or without a body (RFC 4918 §9.3,
// extended MKCOL RFC 5689): collections directly under the user's calendar home.
#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
#include "caldav/quota.hpp"
#include "caldav/store_outcome.hpp"
#include "caldav/names.hpp"
#include "caldav/property_update.hpp"

namespace caldav {

namespace {

using names::caldav_ns;
using names::dav_ns;

bool has_body(const Request& r) { return r.body.find_first_not_of(" \t\r\n") != std::string::npos; }

/// The status for a request whose URL is taken: RFC 4791 §5.3.1.1 (MKCALENDAR)
/// and RFC 5689 §3 (extended MKCOL, with a body) make DAV:resource-must-be-null
/// a 403 precondition; RFC 4918 §9.3.1 keeps 405 for a plain MKCOL, as litmus expects.
int taken_status(const Context& ctx, bool calendar) { return calendar || has_body(ctx.request) ? 403 : 405; }

/// The principal whose home the new collection goes into: the owner the path
/// names, not necessarily the one asking (a delegate or sharee with bind).
const PrincipalRecord& home_owner(const Context& ctx) { return ctx.target.owner ? *ctx.target.owner : ctx.user; }

/// Where a new collection may go: directly under the user's own home.
void check_location(Context& ctx, bool calendar) {
    if (ctx.target.kind == ResourceKind::object) {
        if (ctx.target.exists)
            throw Error(taken_status(ctx, calendar), Precondition::resource_must_be_null, "a resource already exists here");
        if (calendar)
            throw Error(403, Precondition::calendar_collection_location_ok,
                        "calendars cannot be created inside another collection");
        throw Error(ctx.target.collection ? 403 : 409, "collections cannot be nested here");
    }
    if (ctx.target.kind != ResourceKind::collection)
        throw Error(calendar ? 403 : 405,
                    calendar ? Precondition::calendar_collection_location_ok : Precondition::none,
                    "collections can only be created in a calendar home");
    if (ctx.target.exists)
        throw Error(taken_status(ctx, calendar), Precondition::resource_must_be_null, "a resource already exists here");
    // Plain collections nest in plain collections (RFC 4918 §9.3); calendars
    // and what they hold stay directly under the home.
    auto parent_name = parent_collection(ctx.path.collection);
    if (parent_name.empty()) return;
    auto parent = ctx.store.find_collection(home_owner(ctx).id, parent_name);
    if (!parent) throw Error(409, "the parent collection does not exist");
    if (calendar || parent->kind != CollectionKind::plain)
        throw Error(403, Precondition::calendar_collection_location_ok,
                    calendar ? "calendars can only be created in a calendar home"
                             : "collections cannot be created inside a calendar");
    // neon-based clients (litmus mkcol_over_plain) add the trailing slash to
    // the name of an existing resource: still a resource there.
    if (ctx.store.find_object(parent->id, ctx.path.collection.substr(parent_name.size() + 1), false))
        throw Error(taken_status(ctx, calendar), Precondition::resource_must_be_null, "a resource already exists here");
}

std::string components_of(const xml::Element& set) {
    std::string out;
    for (const auto& comp : set.children) {
        if (!comp.is(caldav_ns, "comp")) continue;
        auto name = comp.attribute("name");
        for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (name != "VEVENT" && name != "VTODO" && name != "VJOURNAL" && name != "VFREEBUSY" &&
            name != "VAVAILABILITY")
            throw Error(403, Precondition::supported_calendar_component, "unsupported component " + name);
        if (!out.empty()) out += ",";
        out += name;
    }
    return out;
}

Response create(Context& ctx, CollectionKind kind, const std::vector<PropertyUpdate>& updates,
                std::string_view failure_root) {
    CollectionRecord c;
    c.owner_id = home_owner(ctx).id;
    c.name = ctx.path.collection;
    c.kind = kind;
    c.components = kind == CollectionKind::calendar ? "VEVENT,VTODO,VJOURNAL,VFREEBUSY" : "";
    unsigned bit = kind == CollectionKind::calendar ? k_calendar : k_plain;
    auto plan = plan_updates(updates, bit, true);
    if (!plan.ok) {
        xml::Multistatus body(failure_root);
        body.add_root_propstats(plan.propstats);
        Response r;
        r.status = 403;
        r.headers.set("Content-Type", "application/xml; charset=utf-8");
        r.body = body.finish();
        return r;
    }
    for (const auto& u : updates) {
        if (u.property->is(caldav_ns, "supported-calendar-component-set") && kind == CollectionKind::calendar) {
            c.components = components_of(*u.property);
            if (c.components.empty())
                throw Error(403, Precondition::supported_calendar_component, "no component named");
        }
    }
    if (plan.patch.display_name) c.display_name = *plan.patch.display_name;
    if (plan.patch.description) c.description = *plan.patch.description;
    if (plan.patch.timezone) c.timezone = *plan.patch.timezone;
    if (kind == CollectionKind::calendar) check_new_calendar(ctx.store, ctx.limits, c.owner_id);
    auto status = ctx.store.create_collection(c, plan.patch.set);
    if (status == StoreStatus::exists)
        throw Error(taken_status(ctx, failure_root.starts_with("C:")),
                    Precondition::resource_must_be_null, "a resource already exists here");
    if (status != StoreStatus::ok) throw store_error(status);
    Response r;
    r.status = 201;
    r.headers.set("Cache-Control", "no-cache");
    r.headers.set("Location", ctx.target.href);
    return r;
}

}  // namespace

Response handle_mkcalendar(Context& ctx) {
    check_location(ctx, true);
    std::vector<PropertyUpdate> updates;
    std::optional<xml::Element> root;
    if (has_body(ctx.request)) {
        root = xml::parse(ctx.request.body, ctx.limits);
        if (!root->is(caldav_ns, "mkcalendar")) throw Error(400, "MKCALENDAR body must be CALDAV:mkcalendar");
        updates = collect_updates(*root);
    }
    return create(ctx, CollectionKind::calendar, updates, "C:mkcalendar-response");
}

Response handle_mkcol(Context& ctx) {
    // RFC 4918 §9.3: a body the server does not understand is 415, wherever
    // the collection would go.
    auto type = ctx.request.headers.get("Content-Type");
    if (has_body(ctx.request) && type && type->find("xml") == std::string_view::npos)
        throw Error(415, "MKCOL bodies must be XML (RFC 5689)");
    check_location(ctx, false);
    if (!has_body(ctx.request)) return create(ctx, CollectionKind::plain, {}, "D:mkcol-response");
    auto root = xml::parse(ctx.request.body, ctx.limits);
    if (!root.is(dav_ns, "mkcol")) throw Error(415, "MKCOL body must be DAV:mkcol");
    auto updates = collect_updates(root);
    CollectionKind kind = CollectionKind::plain;
    for (const auto& u : updates) {
        if (!u.property->is(dav_ns, "resourcetype")) continue;
        for (const auto& t : u.property->children) {
            if (t.is(dav_ns, "collection")) continue;
            if (t.is(caldav_ns, "calendar")) {
                kind = CollectionKind::calendar;
                continue;
            }
            throw Error(403, Precondition::valid_resourcetype,
                        "cannot create a collection of type {" + t.ns + "}" + t.local);
        }
    }
    return create(ctx, kind, updates, "D:mkcol-response");
}

}  // namespace caldav
