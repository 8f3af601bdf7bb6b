// Resource resolution and access checks shared by the method handlers (RFC 3744 §7).
#include "caldav/context.hpp"

#include <ctime>

#include "caldav/error.hpp"

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
    default: return 0;
    }
}

namespace {

[[noreturn]] void forbidden() {
    throw Error(403, Precondition::need_privileges, "only the owner may access this resource");
}

}  // namespace

Resource resolve(const ResourcePath& path, Store& store, const PrincipalRecord& user) {
    Resource r;
    r.kind = path.kind;
    switch (path.kind) {
    case ResourceKind::root: r.href = path.object == "/" ? "/" : "/dav/"; r.exists = true; return r;
    case ResourceKind::principals: r.href = "/dav/principals/users/"; r.exists = true; return r;
    case ResourceKind::calendars_root: r.href = "/dav/calendars/"; r.exists = true; return r;
    case ResourceKind::principal:
        r.owner = path.owner == user.name ? user : store.find_principal(path.owner);
        if (!r.owner) throw Error(404, "no such principal");
        r.href = principal_href(r.owner->name);
        r.exists = true;
        return r;
    default: break;
    }
    // Homes and what they hold belong to their owner alone (sharing comes later);
    // checked before any lookup so that nothing about others' data leaks.
    if (path.owner != user.name) {
        if (!store.find_principal(path.owner)) throw Error(404, "no such calendar home");
        forbidden();
    }
    r.owner = user;
    if (path.kind == ResourceKind::home) {
        r.href = home_href(user.name);
        r.home = store.find_home(user.id);
        r.exists = true;
        return r;
    }
    r.collection = store.find_collection(user.id, path.collection);
    if (path.kind == ResourceKind::collection) {
        r.href = collection_href(user.name, path.collection);
        r.exists = r.collection.has_value();
        return r;
    }
    r.href = object_href(user.name, path.collection, path.object);
    if (r.collection) r.object = store.find_object(r.collection->id, path.object, false);
    r.exists = r.object.has_value();
    return r;
}

void refine_path(ResourcePath& path, Store& store, const PrincipalRecord& user, bool making_collection) {
    if (path.kind != ResourceKind::object || path.owner != user.name) return;
    auto parent = store.find_collection(user.id, path.collection);
    if (!parent || parent->kind != CollectionKind::plain) return;
    std::string nested = path.collection + "/" + path.object;
    bool is_collection = making_collection ? !store.find_object(parent->id, path.object, false)
                                           : store.find_collection(user.id, nested).has_value();
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
    case ResourceKind::home:
        for (auto& c : store.list_collections(r.owner->id)) {
            if (c.name.find('/') != std::string::npos) continue;  // nested below a child
            Resource child;
            child.kind = ResourceKind::collection;
            child.href = collection_href(r.owner->name, c.name);
            child.owner = r.owner;
            child.collection = std::move(c);
            child.exists = true;
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
                child.collection = std::move(c);
                child.exists = true;
                out.push_back(std::move(child));
            }
        }
        for (auto& o : store.list_objects(r.collection->id, false)) {
            Resource child;
            child.kind = ResourceKind::object;
            child.href = object_href(r.owner->name, r.collection->name, o.name);
            child.owner = r.owner;
            child.collection = r.collection;
            child.object = std::move(o);
            child.exists = true;
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
