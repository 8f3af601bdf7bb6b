// Resource resolution with the actor's privileges (RFC 3744 §7), and the
// request header helpers shared by the method handlers.
#include "caldav/context.hpp"

#include <ctime>

#include "caldav/error.hpp"
#include "caldav/sharing.hpp"

namespace caldav {

unsigned Resource::bit() const {
    switch (kind) {
    case ResourceKind::root: return k_root;
    case ResourceKind::principals: return k_principals;
    case ResourceKind::principal: return k_principal;
    case ResourceKind::calendars_root: return k_calendars_root;
    case ResourceKind::home: return k_home;
    case ResourceKind::collection:
        if (!collection) return k_calendar;
        switch (collection->kind) {
        case CollectionKind::calendar: return k_calendar;
        case CollectionKind::inbox: return k_inbox;
        case CollectionKind::outbox: return k_outbox;
        case CollectionKind::plain: return k_plain;
        }
        return k_plain;
    case ResourceKind::object: return k_object;
    case ResourceKind::notifications: return k_notifications;
    case ResourceKind::notification: return k_notification;
    case ResourceKind::proxy_group: return k_proxy_group;
    default: return 0;
    }
}

namespace {

/// Where `r` sits, as far as privileges go (RFC 3744 §3.9-3.10: bind and unbind
/// are privileges on the collection that gains or loses a member): the
/// collection holding an object or a nested collection, the home holding a
/// collection, the collection of homes or of principals above the others.
/// `collection` is the name of the collection `r` is or is in.
Resource parent_of(const Resource& r, std::string_view collection) {
    Resource p;
    p.owner = r.owner;
    p.delegations = r.delegations;  // the same home
    switch (r.kind) {
    case ResourceKind::object:
        p.kind = ResourceKind::collection;
        p.grants = r.grants;  // the same calendar
        break;
    case ResourceKind::collection:
        p.kind = parent_collection(collection).empty() ? ResourceKind::home : ResourceKind::collection;
        break;
    case ResourceKind::home:
        p.kind = ResourceKind::calendars_root;
        p.owner.reset();
        break;
    case ResourceKind::principal:
        p.kind = ResourceKind::principals;
        p.owner.reset();
        break;
    default:
        p.kind = ResourceKind::root;
        p.owner.reset();
        break;
    }
    return p;
}

/// Fills in `user`'s privileges on `r` and on where it sits.
void grant(Resource& r, const ResourcePath& path, const PrincipalRecord& user) {
    r.privileges = privileges_of(r, user);
    r.parent_privileges = privileges_of(parent_of(r, path.collection), user);
}

/// The href the request names below a home (what a refusal may repeat).
std::string requested_href(const ResourcePath& path, std::string_view owner) {
    switch (path.kind) {
    case ResourceKind::home: return home_href(owner);
    case ResourceKind::collection: return collection_href(owner, path.collection);
    case ResourceKind::object: return object_href(owner, path.collection, path.object);
    default: return notifications_href(owner);
    }
}

/// The owner of the home `name` names: `user` or another principal.
std::optional<PrincipalRecord> home_owner(std::string_view name, Store& store, const PrincipalRecord& user) {
    return name == user.name ? std::optional<PrincipalRecord>(user) : store.find_principal(name);
}

}  // namespace

Resource resolve(const ResourcePath& path, Store& store, const PrincipalRecord& user,
                 std::optional<FreeBusyRule> rule) {
    Resource r;
    r.kind = path.kind;
    r.exists = true;
    if (path.kind == ResourceKind::home) r.free_busy_rule = rule;
    switch (path.kind) {
    case ResourceKind::root: r.href = path.object == "/" ? "/" : "/dav/"; break;
    case ResourceKind::principals: r.href = "/dav/principals/users/"; break;
    case ResourceKind::calendars_root: r.href = "/dav/calendars/"; break;
    case ResourceKind::principal:
        r.owner = home_owner(path.owner, store, user);
        if (!r.owner) throw Error(404, "no such principal");
        r.href = principal_href(r.owner->name);
        break;
    case ResourceKind::proxy_group:
        r.owner = home_owner(path.owner, store, user);
        if (!r.owner) throw Error(404, "no such principal");
        r.href = proxy_group_href(r.owner->name, path.collection);
        r.collection = CollectionRecord{};
        r.collection->name = path.collection;  // which group
        r.collection->owner_id = r.owner->id;
        r.delegations = store.delegations_of(r.owner->id);
        grant(r, path, user);
        return r;
    default:
        r.owner = home_owner(path.owner, store, user);
        if (!r.owner) throw Error(404, "no such calendar home");
        break;
    }
    const bool notes = path.kind == ResourceKind::notifications || path.kind == ResourceKind::notification;
    // Issue 25 §5: the owner's delegates hold privileges in their home.
    if (r.owner && r.owner->id != user.id && path.kind != ResourceKind::principal && !notes)
        r.delegations = store.delegations_of(r.owner->id);
    if (r.owner && path.kind != ResourceKind::principal && path.kind != ResourceKind::home && !notes) {
        // Issue 25: a calendar's grants decide who else holds privileges on it.
        r.collection = store.find_collection(r.owner->id, path.collection);
        if (r.collection && r.collection->kind == CollectionKind::calendar)
            r.grants = store.grants_of_collection(r.collection->id);
    }
    grant(r, path, user);
    if (!r.owner || path.kind == ResourceKind::principal) return r;
    // A home is looked into only for an actor holding some privilege there:
    // the owner, or a sharee on the shared calendar and its members. Anything
    // else is 403 whether it exists or not, so that nothing about others'
    // data leaks (RFC 3744 §7.1.1).
    if (r.privileges == Privileges::none)
        throw need_privileges_error(requested_href(path, r.owner->name), Privileges::read,
                                    "only the owner may access this resource");
    const auto& owner = *r.owner;
    if (notes) {
        resolve_notification(r, path, store);  // issue 25 (caldav/sharing.cpp)
        return r;
    }
    if (path.kind == ResourceKind::home) {
        r.href = home_href(owner.name);
        r.home = store.find_home(owner.id);
        return r;
    }
    if (path.kind == ResourceKind::collection) {
        r.href = collection_href(owner.name, path.collection);
        r.exists = r.collection.has_value();
        return r;
    }
    r.href = object_href(owner.name, path.collection, path.object);
    if (r.collection) r.object = store.find_object(r.collection->id, path.object, false);
    r.exists = r.object.has_value();
    return r;
}

void refine_path(ResourcePath& path, Store& store, const PrincipalRecord& user, bool making_collection) {
    if (path.kind != ResourceKind::object) return;
    Resource home;
    home.kind = ResourceKind::home;
    home.owner = home_owner(path.owner, store, user);
    if (!home.owner || privileges_of(home, user) == Privileges::none) return;
    auto parent = store.find_collection(home.owner->id, path.collection);
    if (!parent || parent->kind != CollectionKind::plain) return;
    std::string nested = path.collection + "/" + path.object;
    bool is_collection = making_collection ? !store.find_object(parent->id, path.object, false)
                                           : store.find_collection(home.owner->id, nested).has_value();
    if (!is_collection) return;
    path.kind = ResourceKind::collection;
    path.collection = std::move(nested);
    path.object.clear();
}

std::string parent_collection(std::string_view name) {
    auto slash = name.rfind('/');
    return slash == std::string_view::npos ? std::string() : std::string(name.substr(0, slash));
}

std::vector<Resource> children_of(const Resource& r, Store& store, const PrincipalRecord& user) {
    std::vector<Resource> out;
    auto add_path = [&](const std::string& p) {
        out.push_back(resolve(ResourcePath::parse(p), store, user));
    };
    switch (r.kind) {
    case ResourceKind::root:
        add_path("/dav/principals/");
        add_path("/dav/calendars/");
        break;
    case ResourceKind::principals: add_path(principal_href(user.name)); break;
    case ResourceKind::calendars_root: add_path(home_href(user.name)); break;
    case ResourceKind::notifications:
        for (auto& n : notification_members(r, store)) out.push_back(std::move(n));
        break;
    case ResourceKind::home:
        for (auto& c : store.list_collections(r.owner->id)) {
            if (c.name.find('/') != std::string::npos) continue;  // nested below a child
            Resource child;
            child.kind = ResourceKind::collection;
            child.href = collection_href(r.owner->name, c.name);
            child.owner = r.owner;
            child.delegations = r.delegations;
            // Issue 25: DAV:acl, CS:invite and the rest show each calendar's grants.
            if (c.kind == CollectionKind::calendar) child.grants = store.grants_of_collection(c.id);
            child.collection = std::move(c);
            child.exists = true;
            child.privileges = privileges_of(child, user);
            child.parent_privileges = r.privileges;
            out.push_back(std::move(child));
        }
        break;
    case ResourceKind::collection:
        if (!r.collection) break;
        if (r.collection->kind == CollectionKind::plain) {
            for (auto& c : store.list_collections(r.owner->id)) {
                if (parent_collection(c.name) != r.collection->name) continue;
                Resource child;
                child.kind = ResourceKind::collection;
                child.href = collection_href(r.owner->name, c.name);
                child.owner = r.owner;
                child.delegations = r.delegations;
                child.collection = std::move(c);
                child.exists = true;
                child.privileges = privileges_of(child, user);
                child.parent_privileges = r.privileges;
                out.push_back(std::move(child));
            }
        }
        for (auto& o : store.list_objects(r.collection->id, false)) {
            Resource child;
            child.kind = ResourceKind::object;
            child.href = object_href(r.owner->name, r.collection->name, o.name);
            child.owner = r.owner;
            child.collection = r.collection;
            child.grants = r.grants;
            child.delegations = r.delegations;
            child.object = std::move(o);
            child.exists = true;
            child.privileges = privileges_of(child, user);
            child.parent_privileges = r.privileges;
            out.push_back(std::move(child));
        }
        break;
    default: break;
    }
    return out;
}

int depth_of(const Request& request, int fallback) {
    auto d = request.headers.get("Depth");
    if (!d) return fallback;
    if (*d == "0") return 0;
    if (*d == "1") return 1;
    if (iequals(*d, "infinity")) return -1;
    throw Error(400, "Depth must be 0, 1 or infinity");
}

std::optional<std::string> if_match_of(const Request& request) {
    auto v = request.headers.get("If-Match");
    if (!v) return std::nullopt;
    std::string s(*v);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    if (s.starts_with("W/")) s.erase(0, 2);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return s;
}

std::optional<std::string> if_schedule_tag_match_of(const Request& request) {
    auto v = request.headers.get("If-Schedule-Tag-Match");
    if (!v) return std::nullopt;
    std::string s(*v);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(0, 1);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    // One opaque tag (RFC 6638 §8.3): no list, no weak tag, no wildcard.
    if (s.empty() || s.find_first_of("\",*") != std::string::npos)
        throw Error(400, "If-Schedule-Tag-Match takes one quoted schedule tag");
    return s;
}

std::string http_date(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

std::string rfc3339(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace caldav
