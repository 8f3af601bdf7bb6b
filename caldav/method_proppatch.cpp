// PROPPATCH (RFC 4918 §9.2): all or nothing, one propstat per outcome.
#include "caldav/schedule_collections.hpp"
#include "caldav/delegation.hpp"
#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
#include "caldav/store_outcome.hpp"
#include "caldav/names.hpp"
#include "caldav/property_update.hpp"
#include "caldav/sharing.hpp"

namespace caldav {

namespace {

/// RFC 6638 §9.2: a schedule-default-calendar-URL set on the inbox must name
/// one of the owner's calendars that takes events; otherwise the whole
/// update fails, that property with CALDAV:valid-schedule-default-calendar-URL.
void check_default_calendar_choice(Context& ctx, const std::vector<PropertyUpdate>& updates,
                                   UpdatePlan& plan) {
    if (!plan.ok || !ctx.target.collection || ctx.target.collection->kind != CollectionKind::inbox)
        return;
    for (const auto& u : updates) {
        const auto& p = *u.property;
        if (u.remove || !p.is(names::caldav_ns, "schedule-default-calendar-URL")) continue;
        const auto* h = p.child(names::dav_ns, "href");
        if (h && invitation_calendar_at(ctx.store, *ctx.target.owner, h->text)) continue;
        std::vector<std::string> others;
        for (const auto& o : updates)
            if (&o != &u) others.push_back(xml::element(o.property->ns, o.property->local));
        plan = UpdatePlan{};
        plan.ok = false;
        plan.propstats.push_back(
            {403, {xml::element(p.ns, p.local)}, "<C:valid-schedule-default-calendar-URL/>"});
        if (!others.empty()) plan.propstats.push_back({424, std::move(others), {}});
        return;
    }
}

}  // namespace

Response handle_proppatch(Context& ctx) {
    if (is_sharee_proppatch(ctx)) return handle_sharee_proppatch(ctx);  // issue 25: per-user properties
    if (ctx.target.kind == ResourceKind::proxy_group) return handle_proxy_proppatch(ctx);  // issue 25 §5
    auto& t = ctx.target;
    if (!t.exists) throw Error(404, "no such resource");
    auto root = xml::parse(ctx.request.body, ctx.limits);
    if (!root.is(names::dav_ns, "propertyupdate"))
        throw Error(400, "PROPPATCH body must be DAV:propertyupdate");
    auto updates = collect_updates(root);
    // The actor holds write-properties here (Service::handle checked it).
    bool writable = t.collection && (t.kind == ResourceKind::collection || t.kind == ResourceKind::object);
    UpdatePlan plan;
    if (writable) {
        plan = plan_updates(updates, t.bit(), false);
        check_default_calendar_choice(ctx, updates, plan);
    } else {
        // Principals, homes and the fixed collections keep no client properties.
        std::vector<std::string> names;
        for (const auto& u : updates) names.push_back(xml::element(u.property->ns, u.property->local));
        plan.ok = false;
        plan.propstats.push_back({403, std::move(names), "<D:cannot-modify-protected-property/>"});
    }
    if (plan.ok) {
        // Issue 25 §7: a collection's own properties through the one call
        // that also shows the owner's new name or colour in the sharees' homes.
        auto status = t.object ? ctx.store.patch_properties(t.collection->id, t.object->name, plan.patch)
                               : patch_collection_properties(ctx.store, *t.collection, plan.patch);
        if (status == StoreStatus::not_found) throw Error(404, "the resource went away");
        if (status != StoreStatus::ok) throw store_error(status);
    }
    xml::Multistatus ms;
    ms.add(t.href, plan.propstats);
    Response r;
    r.status = 207;
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    r.body = ms.finish();
    return r;
}

}  // namespace caldav
