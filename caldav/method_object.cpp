// GET and HEAD of calendar object resources (RFC 4918 §9.4, RFC 4791 §4.1), and
// COPY and MOVE between the user's calendars (RFC 4918 §9.8-9.9, RFC 4791 §5.3.2)
// and of plain collections.
#include <cctype>

#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
#include "caldav/quota.hpp"
#include "caldav/sharing.hpp"
#include "caldav/store_outcome.hpp"
#include "caldav/target.hpp"

namespace caldav {

namespace {

bool none_match(const Request& request, const std::string& etag) {
    auto v = request.headers.get("If-None-Match");
    if (!v) return false;
    std::string_view list = *v;
    if (list.find('*') != std::string_view::npos) return true;
    return list.find("\"" + etag + "\"") != std::string_view::npos;
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// `authority` (host[:port], lower case) without the scheme's default port.
std::string without_default_port(std::string authority, std::string_view scheme) {
    std::string_view port = scheme == "https" ? ":443" : ":80";
    if (authority.ends_with(port)) authority.erase(authority.size() - port.size());
    return authority;
}

/// RFC 4918 §9.8.4, §9.9.4: a Destination on another server is answered 502
/// (Bad Gateway). An absolute Destination must name the host of the request's
/// Host header (default ports aside); a path alone names this server.
void check_destination_server(const Request& request, std::string_view destination) {
    auto scheme_end = destination.find("://");
    if (scheme_end == std::string_view::npos) return;
    auto scheme = lower_ascii(destination.substr(0, scheme_end));
    auto rest = destination.substr(scheme_end + 3);
    auto authority = lower_ascii(rest.substr(0, rest.find_first_of("/?#")));
    if (auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
    auto host = request.headers.get("Host");
    if (!host) return;  // HTTP/1.1 requires Host; without one there is nothing to compare with
    if (without_default_port(authority, scheme) != without_default_port(lower_ascii(*host), scheme))
        throw Error(502, "the Destination names another server");
}

/// The path of the Destination header, after checking that it names this server.
std::string destination_path(const Request& request) {
    auto dest_header = request.headers.get("Destination");
    if (!dest_header) throw Error(400, "Destination header missing");
    check_destination_server(request, *dest_header);
    auto dest_path = decode_target(*dest_header);
    if (!dest_path) throw Error(400, "Destination is not a valid URL");
    return *dest_path;
}

}  // namespace

Response handle_get(Context& ctx) {
    auto& t = ctx.target;
    if (t.kind == ResourceKind::collection && t.exists) return export_calendar(ctx);
    if (t.kind != ResourceKind::object) throw Error(405, "GET is offered on calendars and calendar objects");
    if (!t.exists) throw Error(404, "no such calendar object");
    auto o = ctx.store.find_object(t.collection->id, t.object->name, true);
    if (!o) throw Error(404, "no such calendar object");
    Response r;
    r.headers.set("ETag", "\"" + o->etag + "\"");
    r.headers.set("Last-Modified", http_date(o->modified_at));
    // RFC 6638 §3.2.10: scheduling object resources name their Schedule-Tag.
    if (!o->schedule_tag.empty()) r.headers.set("Schedule-Tag", schedule_tag_header(o->schedule_tag));
    if (none_match(ctx.request, o->etag)) {
        r.status = 304;
        return r;
    }
    if (auto m = if_match_of(ctx.request); m && *m != "*" && *m != o->etag)
        throw Error(412, "If-Match does not match the current ETag");
    r.status = 200;
    if (!o->content_type.empty()) {
        // A resource of a plain collection: its bytes and type as PUT (RFC 4918 §9.4).
        r.headers.set("Content-Type", o->content_type);
        r.body = std::move(o->data);
        return r;
    }
    std::string comp = o->component;
    for (auto& c : comp) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.set("Content-Type", "text/calendar; charset=utf-8" + (comp.empty() ? "" : "; component=" + comp));
    r.body = std::move(o->data);
    return r;
}

namespace {

/// A collection copied or moved stays in its owner's home (Store::
/// copy_collection works within one home), and the actor needs bind where
/// it lands (RFC 3744 §3.9).
void check_destination(const Resource& source, const Resource& dest) {
    if (dest.owner && source.owner && dest.owner->id != source.owner->id)
        throw need_privileges_error(dest.href, Privileges::bind, "a collection is copied or moved within its own home");
    if (!holds(dest.parent_privileges, Privileges::bind))
        throw need_privileges_error(dest.href, Privileges::bind, "no bind privilege on the destination's parent");
}

/// MOVE of a calendar collection: a rename within the calendar home (RFC 4918
/// §9.9; RFC 4791 §4.2: no calendar inside another collection). The calendar
/// keeps its objects (with their data, Schedule-Tags and dead properties) and
/// its own properties; objects get new ETags. For sync it is a new collection
/// (RFC 6578 §3.2): tokens issued for the old URL name a collection that is
/// gone, and the new URL starts its own. An existing destination is not
/// replaced (412 with Overwrite: F, else 403). COPY of a calendar stays refused.
Response move_calendar(Context& ctx) {
    auto& t = ctx.target;
    if (depth_of(ctx.request, -1) != -1)
        throw Error(400, "MOVE of a collection is Depth: infinity");
    auto dest_rp = ResourcePath::parse(destination_path(ctx.request));
    refine_path(dest_rp, ctx.store, ctx.user, false);
    bool overwrite = true;
    if (auto o = ctx.request.headers.get("Overwrite")) overwrite = !(*o == "F" || *o == "f");
    const auto not_in_home = [] {
        return Error(403, Precondition::calendar_collection_location_ok,
                     "a calendar moves to another name directly in the calendar home");
    };
    if (dest_rp.kind == ResourceKind::object) throw not_in_home();
    if (dest_rp.kind != ResourceKind::collection)
        throw Error(409, "the destination must be under a calendar home");
    auto dest = resolve(dest_rp, ctx.store, ctx.user);  // 403 for another user's home
    check_destination(t, dest);
    const std::string& to = dest_rp.collection;
    if (to == t.collection->name) throw Error(403, "source and destination are the same");
    if (!parent_collection(to).empty()) throw not_in_home();
    if (dest.exists) {
        if (!overwrite) throw Error(412, "the destination exists and Overwrite is F");
        throw Error(403, "a calendar does not replace an existing collection; delete that first");
    }
    auto result = ctx.store.copy_collection(t.collection->owner_id, t.collection->name, to, true, false, true);
    switch (result.status) {
        case StoreStatus::ok:
            break;
        case StoreStatus::not_found:
            throw Error(404, "the source went away");
        case StoreStatus::exists:
            throw Error(412, "the destination exists");
        default:
            throw store_error(result.status);
    }
    // Issue 25 §7: the grants went along; invitations not yet answered name the new URL.
    if (!t.grants.empty())
        if (auto moved = ctx.store.find_collection(t.collection->owner_id, to)) reissue_invitations(ctx.store, *moved);
    Response r;
    r.status = 201;
    return r;
}

/// COPY and MOVE of a plain collection (RFC 4918 §9.8.3, §9.9.2): Depth
/// infinity (or 0 for COPY: the collection and its properties only).
Response copy_move_collection(Context& ctx, bool move) {
    auto& t = ctx.target;
    if (!t.exists) throw Error(404, "no such collection");
    if (move && t.collection->kind == CollectionKind::calendar) return move_calendar(ctx);
    if (t.collection->kind != CollectionKind::plain)
        throw Error(403,
                    "only plain WebDAV collections can be copied or moved, and calendars moved");
    int depth = depth_of(ctx.request, -1);
    if (depth == 1 || (move && depth != -1))
        throw Error(400, move ? "MOVE of a collection is Depth: infinity" : "COPY of a collection is Depth 0 or infinity");
    auto dest_rp = ResourcePath::parse(destination_path(ctx.request));
    refine_path(dest_rp, ctx.store, ctx.user, false);
    bool overwrite = true;
    if (auto o = ctx.request.headers.get("Overwrite")) overwrite = !(*o == "F" || *o == "f");
    bool replaced = false;
    if (dest_rp.kind == ResourceKind::object) {
        // The destination names a resource in a plain collection: it becomes a
        // collection of that name, replacing the resource when Overwrite allows.
        auto dest = resolve(dest_rp, ctx.store, ctx.user);
        if (!dest.collection) throw Error(409, "the destination's parent collection does not exist");
        if (dest.collection->kind != CollectionKind::plain)
            throw Error(403, Precondition::calendar_collection_location_ok, "collections cannot go inside a calendar");
        if (dest.exists) {
            if (!overwrite) throw Error(412, "the destination exists and Overwrite is F");
            if (auto s = ctx.store.delete_object(dest.collection->id, dest_rp.object, std::nullopt);
                s != StoreStatus::ok)
                throw store_error(s);
            replaced = true;
        }
        dest_rp.kind = ResourceKind::collection;
        dest_rp.collection += "/" + dest_rp.object;
        dest_rp.object.clear();
    }
    if (dest_rp.kind != ResourceKind::collection) throw Error(409, "the destination must be under a calendar home");
    auto dest = resolve(dest_rp, ctx.store, ctx.user);  // 403 for another user's home
    check_destination(t, dest);
    const std::string& from = t.collection->name;
    const std::string& to = dest_rp.collection;
    if (to == from) throw Error(403, "source and destination are the same");
    if (to.starts_with(from + "/") || from.starts_with(to + "/"))
        throw Error(409, "a collection cannot be copied or moved into itself or over its own parent");
    if (dest.exists && dest.collection->kind != CollectionKind::plain)
        throw Error(403, "only a plain collection can be replaced");
    if (auto parent = parent_collection(to); !parent.empty()) {
        auto p = ctx.store.find_collection(t.collection->owner_id, parent);
        if (!p) throw Error(409, "the destination's parent collection does not exist");
        if (p->kind != CollectionKind::plain)
            throw Error(403, Precondition::calendar_collection_location_ok, "collections cannot go inside a calendar");
    }
    if (!move && depth != 0) {
        // The copy's bytes count against the quota (its direct members; issue 29 §6).
        auto members = ctx.store.list_objects(t.collection->id, false);
        std::uint64_t bytes = 0;
        for (const auto& m : members) bytes += static_cast<std::uint64_t>(m.size);
        check_collection_copy(ctx.store, ctx.limits, t.collection->owner_id, bytes, members.size(), false);
    }
    auto result = ctx.store.copy_collection(t.collection->owner_id, from, to, depth != 0, overwrite, move);
    switch (result.status) {
    case StoreStatus::ok: break;
    case StoreStatus::not_found: throw Error(404, "the source went away");
    case StoreStatus::exists: throw Error(412, "the destination exists and Overwrite is F");
    default: throw store_error(result.status);
    }
    Response r;
    r.status = result.created && !replaced ? 201 : 204;
    return r;
}

}  // namespace

Response handle_copy_move(Context& ctx) {
    auto& t = ctx.target;
    bool move = ctx.request.method == "MOVE";
    if (t.kind == ResourceKind::collection) return copy_move_collection(ctx, move);
    if (t.kind != ResourceKind::object)
        throw Error(403, "only calendar objects can be copied or moved");
    if (!t.exists) throw Error(404, "no such calendar object");
    auto dest_rp = ResourcePath::parse(destination_path(ctx.request));
    refine_path(dest_rp, ctx.store, ctx.user, false);
    bool overwrite = true;
    if (auto o = ctx.request.headers.get("Overwrite")) overwrite = !(*o == "F" || *o == "f");
    bool replaced_collection = false;
    if (dest_rp.kind == ResourceKind::collection && t.owner && dest_rp.owner == t.owner->name &&
        !parent_collection(dest_rp.collection).empty()) {
        // RFC 4918 §9.8.4, §9.9.3: with Overwrite T a nested collection at the
        // destination is deleted first and the resource takes its name.
        auto existing = ctx.store.find_collection(t.owner->id, dest_rp.collection);
        if (existing) {
            if (!overwrite) throw Error(412, "the destination exists and Overwrite is F");
            if (auto s = ctx.store.delete_collection(existing->id); s != StoreStatus::ok)
                throw store_error(s);
            replaced_collection = true;
        }
        auto slash = dest_rp.collection.rfind('/');
        dest_rp.object = dest_rp.collection.substr(slash + 1);
        dest_rp.collection.erase(slash);
        dest_rp.kind = ResourceKind::object;
    }
    auto dest = resolve(dest_rp, ctx.store, ctx.user);
    if (dest.kind != ResourceKind::object)
        throw Error(409, "the destination must be a resource inside a calendar");
    if (!holds(dest.parent_privileges, Privileges::bind))
        throw need_privileges_error(dest.href, Privileges::bind, "no bind privilege on the destination collection");
    if (!dest.collection) throw Error(409, "the destination's collection does not exist");
    if (dest.href == t.href) throw Error(403, "source and destination are the same");
    if (dest.collection->kind != CollectionKind::calendar && dest.collection->kind != CollectionKind::plain)
        throw Error(403, Precondition::calendar_collection_location_ok, "the destination cannot hold calendar data");
    // Only validated iCalendar data enters a calendar (RFC 4791 §5.3.2).
    if (!t.object->content_type.empty() && dest.collection->kind == CollectionKind::calendar)
        throw Error(403, Precondition::supported_calendar_data, "only calendar data can go into a calendar");
    // The destination owner's quota and object count (issue 29 §6); a move
    // within one home moves no bytes, within one calendar adds no member.
    if (!move || dest.collection->id != t.collection->id) {
        bool same_home = move && dest.collection->owner_id == t.collection->owner_id;
        check_object_write(ctx.store, ctx.limits, *dest.collection,
                           same_home ? 0 : static_cast<std::uint64_t>(t.object->size), dest.object);
    }
    auto result = ctx.store.copy_object(t.collection->id, t.object->name, dest.collection->id,
                                        dest_rp.object, overwrite, move);
    switch (result.status) {
    case StoreStatus::ok: break;
    case StoreStatus::not_found: throw Error(404, "the source went away");
    case StoreStatus::exists: throw Error(412, "the destination exists and Overwrite is F");
    case StoreStatus::uid_conflict:
        throw Error(
            403, Precondition::no_uid_conflict,
            result.conflicting_name == dest_rp.object
                ? "the destination holds another UID, and the UID of a resource cannot change"
                : "the destination calendar already holds this UID",
            object_href(dest.owner ? dest.owner->name : ctx.user.name, dest.collection->name, result.conflicting_name));
    default: throw store_error(result.status);
    }
    Response r;
    r.status = result.created && !replaced_collection ? 201 : 204;
    r.headers.set("ETag", "\"" + result.etag + "\"");
    if (!result.schedule_tag.empty()) r.headers.set("Schedule-Tag", schedule_tag_header(result.schedule_tag));
    return r;
}

}  // namespace caldav
