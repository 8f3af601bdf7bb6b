// calendar-multiget REPORT (RFC 4791 §7.9): members named by href, in any
// encoding that decodes to an object the user may read; missing ones as 404.
#include <cctype>
#include <map>
#include <unordered_map>

#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/properties.hpp"
#include "caldav/resource_path.hpp"
#include "caldav/report.hpp"
#include "caldav/target.hpp"

namespace caldav {

Response report_calendar_multiget(Context& ctx, const xml::Element& root) {
    auto& t = ctx.target;
    // RFC 4791 §7.9: the Request-URI is a calendar collection or a calendar
    // object resource (issue 22 item 17); the home is accepted as well.
    if (t.kind != ResourceKind::collection && t.kind != ResourceKind::home && t.kind != ResourceKind::object)
        throw Error(403, Precondition::supported_report, "calendar-multiget works on calendars, their objects and the home");
    auto props = parse_property_request(root, PropertyRequest::Mode::prop);
    std::vector<std::string> hrefs;
    for (const auto& c : root.children)
        if (c.is(names::dav_ns, "href")) hrefs.push_back(c.text);
    if (hrefs.size() > ctx.limits.max_multiget_hrefs)
        throw Error(403, Precondition::number_of_matches_within_limits,
                    "more than " + std::to_string(ctx.limits.max_multiget_hrefs) + " hrefs (limits.multiget-hrefs)");
    xml::Multistatus ms;
    // The hrefs are read first; then each collection named is looked up once
    // and its members read together in one store call, with their data in the
    // same lookup when calendar-data is asked for; answers keep the hrefs' order.
    const bool wants_data = props.calendar_data || props.mode != PropertyRequest::Mode::prop;
    struct Wanted {
        std::string href;  ///< as answered: canonical for members, else as sent
        int status = 0;    ///< 0: a member to look up
        std::string collection, object;  ///< the collection's href, the member's name
    };
    struct Collection {
        PrincipalRecord owner;
        std::string name;
        Privileges privileges = Privileges::none;  ///< what its members give the user
        std::optional<CollectionRecord> record;
        std::vector<std::string> names;
        std::unordered_map<std::string, ObjectRecord> found;
    };
    std::vector<Wanted> wanted;
    std::map<std::string, Collection> collections;  // by href
    std::map<std::string, std::optional<PrincipalRecord>, std::less<>> owners;  // by name
    for (const auto& raw : hrefs) {
        auto trimmed = raw;
        while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.pop_back();
        while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) trimmed.erase(0, 1);
        auto path = decode_target(trimmed);
        if (!path) {
            wanted.push_back({xml::escape(trimmed), 404, {}, {}});
            continue;
        }
        auto rp = ResourcePath::parse(*path);
        if (rp.kind != ResourceKind::object) {
            wanted.push_back({trimmed, 404, {}, {}});
            continue;
        }
        // RFC 3744 §7.1.1: a member the user may not read is answered 403, as
        // resolve answers for it, without looking it up.
        auto [known, fresh] = owners.try_emplace(rp.owner);
        if (fresh) known->second = rp.owner == ctx.user.name ? ctx.user : ctx.store.find_principal(rp.owner);
        Resource member;
        member.kind = ResourceKind::object;
        member.owner = known->second;
        // Issue 25: the grants of the calendar reported on hold on its members.
        const auto& t = ctx.target;
        if (t.collection && t.owner && rp.owner == t.owner->name && rp.collection == t.collection->name)
            member.grants = t.grants;
        auto privileges = known->second ? privileges_of(member, ctx.user) : Privileges::none;
        if (!holds(privileges, Privileges::read)) {
            wanted.push_back({trimmed, 403, {}, {}});
            continue;
        }
        auto key = collection_href(rp.owner, rp.collection);
        auto& c = collections[key];
        if (c.names.empty()) c = Collection{*known->second, rp.collection, privileges, {}, {}, {}};
        c.names.push_back(rp.object);
        wanted.push_back({object_href(rp.owner, rp.collection, rp.object), 0, key, rp.object});
    }
    for (auto& [key, c] : collections) {
        c.record = ctx.store.find_collection(c.owner.id, c.name);
        if (!c.record) continue;
        ctx.store.visit_objects_named(c.record->id, c.names, wants_data,
                                      [&found = c.found](ObjectRecord& o) { found.try_emplace(o.name, std::move(o)); });
    }
    Resource member;
    member.kind = ResourceKind::object;
    const Collection* last = nullptr;  // the owner is copied when it changes, not per member
    for (auto& w : wanted) {
        if (w.status != 0) {
            ms.add_status(w.href, w.status);
            continue;
        }
        auto& c = collections[w.collection];
        auto it = c.found.find(w.object);
        if (it == c.found.end()) {
            ms.add_status(w.href, 404);
            continue;
        }
        if (last != &c) {
            member.owner = c.owner;
            member.privileges = member.parent_privileges = c.privileges;
            last = &c;
        }
        member.collection = c.record;
        member.href = std::move(w.href);
        member.object = it->second;
        member.exists = true;
        append_properties(ms.buffer(), member.href, ctx, member, props);
    }
    Response r;
    r.status = 207;
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    r.body = ms.finish();
    return r;
}

}  // namespace caldav
