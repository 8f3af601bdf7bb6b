// PROPFIND (RFC 4918 §9.1): Depth 0 and 1, prop / allprop (+include) / propname;
// answered from the index rows, never from the stored calendar data.
#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
#include "caldav/names.hpp"
#include "caldav/properties.hpp"
#include "caldav/xml/element.hpp"
#include "caldav/xml/multistatus.hpp"

namespace caldav {

namespace {

PropertyRequest parse_propfind(const Context& ctx) {
    PropertyRequest req;
    if (ctx.request.body.find_first_not_of(" \t\r\n") == std::string::npos) return req;  // allprop
    auto root = xml::parse(ctx.request.body, ctx.limits);
    if (!root.is(names::dav_ns, "propfind")) throw Error(400, "PROPFIND body must be DAV:propfind");
    if (const auto* prop = root.child(names::dav_ns, "prop")) {
        req.mode = PropertyRequest::Mode::prop;
        for (const auto& p : prop->children) req.names.emplace_back(p.ns, p.local);
    } else if (root.child(names::dav_ns, "propname")) {
        req.mode = PropertyRequest::Mode::propname;
    } else if (root.child(names::dav_ns, "allprop")) {
        if (const auto* include = root.child(names::dav_ns, "include"))
            for (const auto& p : include->children) req.names.emplace_back(p.ns, p.local);
    } else {
        throw Error(400, "DAV:propfind needs prop, allprop or propname");
    }
    return req;
}

}  // namespace

Response handle_propfind(Context& ctx) {
    int depth = depth_of(ctx.request, -1);
    if (depth < 0)
        throw Error(403, Precondition::propfind_finite_depth, "Depth: infinity is not supported; use 0 or 1");
    auto req = parse_propfind(ctx);
    if (!ctx.target.exists) throw Error(404, "no such resource");
    xml::Multistatus ms;
    ms.add(ctx.target.href, properties_of(ctx, ctx.target, req));
    if (depth == 1) {
        for (const auto& child : children_of(ctx.target, ctx.store, ctx.user))
            ms.add(child.href, properties_of(ctx, child, req));
    }
    Response r;
    r.status = 207;
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    r.body = ms.finish();
    return r;
}

}  // namespace caldav
