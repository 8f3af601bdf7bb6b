// /api/v1/calendars/{id}/shares: who a calendar is shared with, sharing it and
// ending a share (issue 25 §10). A share is a GrantStore row, the same the
// `kalends share` command and CalDAV's privileges read. The calendar id is
// the name of one of the caller's calendars, or "OWNER:NAME" of one shared
// with them; the owner and admin sharees manage its shares.
#include <algorithm>

#include <boost/json/array.hpp>

#include "caldav/privileges.hpp"
#include "caldav/sharing.hpp"
#include "src/api/api_call.hpp"
#include "src/api/api_error.hpp"

namespace server::api {

namespace json = boost::json;

namespace {

/// A calendar whose shares the caller manages, with its current grants.
struct Shared {
    caldav::PrincipalRecord owner;
    caldav::CollectionRecord calendar;
    std::vector<caldav::GrantRecord> grants;
};

/// The calendar `id` names for the caller; 404 when they cannot see it at
/// all (it may not exist: nothing leaks), 403 when they may see it but are
/// neither its owner nor an admin sharee.
Shared managed_calendar(Call& call, const std::string& id) {
    auto& store = call.actor.store;
    const auto& me = call.actor.principal;
    // The caller's own calendar first; else OWNER:NAME (user names hold no ':').
    std::optional<caldav::PrincipalRecord> owner = me;
    auto c = store.find_collection(me.id, id);
    auto colon = id.find(':');
    if (!c && colon != std::string::npos) {
        owner = store.find_principal(id.substr(0, colon));
        if (owner) c = store.find_collection(owner->id, id.substr(colon + 1));
    }
    Shared s;
    if (c && c->kind == caldav::CollectionKind::calendar) s.grants = store.grants_of_collection(c->id);
    auto held = c && c->kind == caldav::CollectionKind::calendar
                    ? caldav::privileges_on_collection(me, *owner, *c, s.grants)
                    : caldav::Privileges::none;
    if (held == caldav::Privileges::none) throw ApiError(404, "not-found", "you have no calendar with this id");
    // Only the owner holds write-acl; an admin grant is the other way to share.
    bool admin = std::any_of(s.grants.begin(), s.grants.end(), [&](const caldav::GrantRecord& g) {
        return g.grantee.id == me.id && g.permission == caldav::SharePermission::admin;
    });
    if (!caldav::holds(held, caldav::Privileges::write_acl) && !admin)
        throw ApiError(403, "forbidden", "only the owner and admins of this calendar manage its shares");
    s.owner = std::move(*owner);
    s.calendar = std::move(*c);
    return s;
}

json::object share_json(const caldav::PrincipalRecord& grantee, caldav::SharePermission p) {
    json::object o;
    o["email"] = grantee.email.empty() ? json::value(nullptr) : json::value(grantee.email);
    o["permission"] = std::string(caldav::share_permission_name(p));
    return o;
}

/// The user whose address is `email`; 422 naming `email` when there is none.
caldav::PrincipalRecord grantee_of(Call& call, const std::string& email) {
    auto p = call.actor.store.find_principal_by_email(email);
    if (!p || p->kind != "user") throw ApiError(422, "validation", "no user has this email address", "email");
    return *p;
}

void check_stored(caldav::StoreStatus status) {
    if (status == caldav::StoreStatus::not_found) throw ApiError(404, "not-found", "the calendar is gone");
    if (status != caldav::StoreStatus::ok) throw ApiError(503, "unavailable", "the share could not be changed");
}

}  // namespace

caldav::Response list_shares(Call& call) {
    auto s = managed_calendar(call, call.segments[1]);
    json::array shares;
    for (const auto& g : s.grants) shares.push_back(share_json(g.grantee, g.permission));
    return json_response(200, json::object{{"shares", std::move(shares)}});
}

caldav::Response put_share(Call& call) {
    auto body = call.body();
    Fields f(body);
    auto s = managed_calendar(call, call.segments[1]);
    auto grantee = grantee_of(call, f.required_string("email"));
    auto text = f.required_string("permission");
    auto permission = caldav::parse_share_permission(text);
    if (!permission)
        throw ApiError(422, "validation", "permission must be view, edit, admin or free-busy", "permission");
    if (grantee.id == s.owner.id)
        throw ApiError(422, "validation", "the owner of a calendar always holds all of it", "email");
    const bool changed = std::none_of(s.grants.begin(), s.grants.end(), [&](const caldav::GrantRecord& g) {
        return g.grantee.id == grantee.id && g.permission == *permission;
    });
    check_stored(call.actor.store.set_grant(s.calendar.id, grantee.id, *permission));
    if (changed)  // issue 25 §9: the sharee is told by e-mail
        for (const auto& g : call.actor.store.grants_of_collection(s.calendar.id))
            if (g.grantee.id == grantee.id) caldav::mail_share_notice(call.actor.store, call.actor.imip, g);
    return json_response(200, share_json(grantee, *permission));
}

caldav::Response delete_share(Call& call) {
    auto s = managed_calendar(call, call.segments[1]);
    auto grantee = grantee_of(call, call.segments[3]);
    auto status = call.actor.store.remove_grant(s.calendar.id, grantee.id);
    if (status == caldav::StoreStatus::not_found)
        throw ApiError(404, "not-found", "this calendar is not shared with this user");
    check_stored(status);
    caldav::Response r;
    r.status = 204;
    return r;
}

}  // namespace server::api
