// PROPPATCH (RFC 4918 §9.2): all or nothing, one propstat per outcome.
#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
#include "caldav/names.hpp"
#include "caldav/property_update.hpp"

namespace caldav {

Response handle_proppatch(Context& ctx) {
    auto& t = ctx.target;
    if (!t.exists) throw Error(404, "no such resource");
    auto root = xml::parse(ctx.request.body, ctx.limits);
    if (!root.is(names::dav_ns, "propertyupdate"))
        throw Error(400, "PROPPATCH body must be DAV:propertyupdate");
    auto updates = collect_updates(root);
    bool writable = t.collection && t.owner && t.owner->id == ctx.user.id &&
                    (t.kind == ResourceKind::collection || t.kind == ResourceKind::object);
    UpdatePlan plan;
    if (writable) {
        plan = plan_updates(updates, t.bit(), false);
    } else {
        // Principals, homes and the fixed collections keep no client properties.
        std::vector<std::string> names;
        for (const auto& u : updates) names.push_back(xml::element(u.property->ns, u.property->local));
        plan.ok = false;
        plan.propstats.push_back({403, std::move(names), "<D:cannot-modify-protected-property/>"});
    }
    if (plan.ok) {
        auto object_name = t.object ? std::string_view(t.object->name) : std::string_view();
        auto status = ctx.store.patch_properties(t.collection->id, object_name, plan.patch);
        if (status == StoreStatus::not_found) throw Error(404, "the resource went away");
        if (status != StoreStatus::ok) throw Error(503, "the database is busy; retry");
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
