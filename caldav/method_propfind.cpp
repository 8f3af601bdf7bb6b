// PROPFIND (RFC 4918 §9.1): Depth 0 and 1, prop / allprop (+include) / propname;
// answered from the index rows, never from the stored calendar data.
#include <algorithm>
#include <memory>

#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
#include "caldav/names.hpp"
#include "caldav/properties.hpp"
#include "caldav/sharing.hpp"
#include "caldav/xml/element.hpp"
#include "caldav/xml/multistatus.hpp"

namespace caldav {

namespace {

PropertyRequest parse_propfind(const Context& ctx) {
    PropertyRequest req;
    if (ctx.request.body.find_first_not_of(" \t\r\n") == std::string::npos) return req;  // allprop
    auto root = xml::parse(ctx.request.body, ctx.limits);
    if (!root.is(names::dav_ns, "propfind")) throw Error(400, "PROPFIND body must be DAV:propfind");
    // RFC 4918 §14.20: <!ELEMENT propfind ( propname | (allprop, include?) | prop ) >
    std::size_t kinds = 0;
    for (const auto& c : root.children)
        if (c.is(names::dav_ns, "prop") || c.is(names::dav_ns, "propname") || c.is(names::dav_ns, "allprop")) ++kinds;
    if (kinds == 0) throw Error(400, "DAV:propfind needs prop, allprop or propname");
    if (kinds > 1) throw Error(400, "DAV:propfind takes one of prop, allprop or propname (RFC 4918 §14.20)");
    req = parse_property_request(root, PropertyRequest::Mode::allprop);
    return req;
}

/// Streams the members of a calendar page by page, so that a Depth 1 PROPFIND
/// of a large calendar needs neither the whole listing nor the whole answer in
/// memory (issue 4 §4). Owns copies of everything it uses.
struct MemberStream {
    Request request;  // empty: the property getters do not read the request
    Limits limits;
    PropertyRequest wanted;
    Resource collection;
    Context ctx;
    std::string after;
    bool done = false;
    std::string closing;
    std::size_t chunk_hint = 0;

    MemberStream(Context& from, PropertyRequest w, std::string close)
        : limits(from.limits),
          wanted(std::move(w)),
          collection(from.target),
          ctx{request, from.path, from.store, limits, from.user, from.target},
          closing(std::move(close)) {}

    std::string next() {
        if (done) return {};
        constexpr std::size_t page = 500;
        auto objects = ctx.store.list_objects_page(collection.collection->id, after, page, false);
        std::string out;
        out.reserve(chunk_hint);  // chunks are alike: grow once, not by doubling
        // One child resource reused for every member: copying the collection
        // record (its calendar-timezone text) per member would dominate.
        Resource child = collection;
        child.kind = ResourceKind::object;
        child.exists = true;
        // Members hold what their collection gives (caldav/privileges.hpp).
        child.parent_privileges = collection.privileges;
        const std::string prefix = collection.href;
        for (auto& o : objects) {
            child.href = prefix + encode_segment(o.name);
            after = o.name;
            child.object = std::move(o);
            append_properties(out, child.href, ctx, child, wanted);
        }
        chunk_hint = std::max(chunk_hint, out.size() + out.size() / 8);
        if (objects.size() < page) {
            done = true;
            out += closing;
        }
        return out;
    }
};

}  // namespace

Response handle_propfind(Context& ctx) {
    int depth = depth_of(ctx.request, -1);
    if (depth < 0)
        throw Error(403, Precondition::propfind_finite_depth, "Depth: infinity is not supported; use 0 or 1");
    auto req = parse_propfind(ctx);
    if (!ctx.target.exists) throw Error(404, "no such resource");
    xml::Multistatus ms;
    ms.add(ctx.target.href, properties_of(ctx, ctx.target, req));
    Response r;
    r.status = 207;
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    if (depth == 1 && ctx.target.kind == ResourceKind::collection) {
        // Collections nested in a plain one first, then its resources, streamed.
        if (ctx.target.collection->kind == CollectionKind::plain)
            for (const auto& child : children_of(ctx.target, ctx.store, ctx.user))
                if (child.kind == ResourceKind::collection) ms.add(child.href, properties_of(ctx, child, req));
        auto closing = ms.closing();
        auto stream = std::make_shared<MemberStream>(ctx, req, closing);
        r.body = ms.take_open();
        r.next_chunk = [stream] { return stream->next(); };
        return r;
    }
    if (depth == 1) {
        for (const auto& child : children_of(ctx.target, ctx.store, ctx.user))
            ms.add(child.href, properties_of(ctx, child, req));
        // Issue 25: calendars shared with the user and accepted, at their owner's URL.
        if (ctx.target.kind == ResourceKind::home) {
            for (const auto& shared : shared_calendars_in_home(ctx)) ms.add(shared.href, properties_of(ctx, shared, req));
            if (ctx.target.owner->id == ctx.user.id) {
                auto notes = notification_collection_of(ctx);
                ms.add(notes.href, properties_of(ctx, notes, req));
            }
        }
    }
    r.body = ms.finish();
    return r;
}

}  // namespace caldav
