// PUT (RFC 4918 §9.7): of calendar object resources through the calendar
// service (caldav/object_service.hpp: validation, conditions, scheduling, one
// transaction), and of resources of any type in plain WebDAV collections.
#include "caldav/calendar_data.hpp"
#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
#include "caldav/object_service.hpp"
#include "caldav/quota.hpp"
#include "caldav/store_outcome.hpp"

namespace caldav {

namespace {

void check_content_type(const Request& request) {
    auto type = request.headers.get("Content-Type");
    if (!type) return;  // some clients omit it; the data decides
    std::string t(*type);
    for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (t.rfind("text/calendar", 0) != 0)
        throw Error(403, Precondition::supported_calendar_data,
                    "calendar collections hold text/calendar only");
}

/// The If-Match / If-None-Match conditions of a PUT (RFC 7232 §3.1-3.2).
void set_conditions(const Context& ctx, PutObject& put) {
    if (auto m = if_match_of(ctx.request)) {
        if (*m == "*") {
            if (!ctx.target.exists) throw Error(412, "If-Match: * but the resource does not exist");
        } else {
            put.if_match = *m;
        }
    }
    if (auto n = ctx.request.headers.get("If-None-Match");
        n && n->find('*') != std::string_view::npos)
        put.if_none_match = true;
}

void check_quota(const Context& ctx) {
    check_object_write(ctx.store, ctx.limits, *ctx.target.collection, ctx.request.body.size(), ctx.target.object);
}

/// PUT into a plain WebDAV collection (RFC 4918 §9.7): any content, stored as
/// sent with its Content-Type, bounded by max-resource-size like calendar data.
Response put_resource(Context& ctx) {
    if (ctx.request.body.size() > ctx.limits.max_resource_bytes)
        throw Error(413, "the resource is larger than " +
                             std::to_string(ctx.limits.max_resource_bytes) + " bytes");
    check_quota(ctx);
    PutObject put;
    put.collection_id = ctx.target.collection->id;
    put.name = ctx.path.object;
    put.data = ctx.request.body;
    auto type = ctx.request.headers.get("Content-Type");
    put.content_type = type && !type->empty() ? std::string(*type) : "application/octet-stream";
    set_conditions(ctx, put);
    auto result = ctx.store.put_object(put);
    switch (result.status) {
        case StoreStatus::ok:
            break;
        case StoreStatus::etag_mismatch:
        case StoreStatus::exists:
            throw Error(412, "the conditional headers do not match the current state");
        case StoreStatus::not_found:
            throw Error(409, "the collection went away");
        default:
            throw store_error(result.status);
    }
    Response r;
    r.status = result.created ? 201 : 204;
    r.headers.set("ETag", "\"" + result.etag + "\"");
    return r;
}

}  // namespace

Response handle_put(Context& ctx) {
    auto& t = ctx.target;
    if (t.kind != ResourceKind::object)
        throw Error(405, "PUT creates calendar objects inside a calendar");
    if (!t.collection) throw Error(409, "the calendar does not exist");
    if (t.collection->kind == CollectionKind::plain) return put_resource(ctx);
    if (t.collection->kind != CollectionKind::calendar)
        throw Error(403, Precondition::supported_calendar_data,
                    "this collection does not hold calendar objects");
    check_content_type(ctx.request);
    ObjectPut put;
    put.calendar = *t.collection;
    put.owner_name = t.owner ? t.owner->name : ctx.user.name;
    put.name = ctx.path.object;
    put.data = ctx.request.body;
    put.conditions.if_match = if_match_of(ctx.request);
    auto none = ctx.request.headers.get("If-None-Match");
    put.conditions.if_none_match = none && none->find('*') != std::string_view::npos;
    put.conditions.if_schedule_tag_match = if_schedule_tag_match_of(ctx.request);
    if (t.exists) put.current = t.object;
    Actor actor{ctx.store, ctx.limits, ctx.user, ctx.imip};
    auto stored = put_calendar_object(actor, std::move(put));
    Response r;
    r.status = stored.created ? 201 : 204;
    if (!stored.schedule_tag.empty()) r.headers.set("Schedule-Tag", schedule_tag_header(stored.schedule_tag));
    if (!stored.etag.empty()) r.headers.set("ETag", "\"" + stored.etag + "\"");
    return r;
}

}  // namespace caldav
