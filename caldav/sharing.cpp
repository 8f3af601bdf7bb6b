// Calendar sharing by the clients' protocols (issue 25): CalendarServer
// sharing (Apple's caldav-sharing.txt §5.3-5.4: CS:share, CS:invite-reply)
// and draft-pot-webdav-resource-sharing §4-5 (DAV:share-resource), both
// writing the grants of GrantStore, and the properties that show them.
#include "caldav/sharing.hpp"

#include <algorithm>
#include <ctime>
#include <functional>

#include "caldav/error.hpp"
#include "caldav/imip.hpp"
#include "caldav/write_set.hpp"
#include "caldav/names.hpp"
#include "caldav/property_update.hpp"
#include "caldav/scheduling.hpp"
#include "caldav/store_outcome.hpp"
#include "caldav/xml/element.hpp"
#include "caldav/xml/multistatus.hpp"

namespace caldav {

namespace {

using names::apple_ical_ns;
using names::calendarserver_ns;
using names::dav_ns;
using xml::element;

/// One change a sharing request asks for, checked before any is written.
struct ShareChange {
    PrincipalRecord sharee;
    std::optional<SharePermission> permission;  ///< nullopt: remove the sharee
    std::string summary;
};

/// Now as an iCalendar UTC date-time (CS:dtstamp, caldav-sharing §6.25).
std::string utc_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

/// The path of an href that may be an absolute URL ("https://host/dav/...").
std::string path_of(std::string_view href) {
    auto scheme = href.find("://");
    if (scheme == std::string_view::npos || href.find('/') < scheme) return std::string(href);
    auto slash = href.find('/', scheme + 3);
    return slash == std::string_view::npos ? std::string("/") : std::string(href.substr(slash));
}

/// The local principal an href of a sharee names: a calendar user address
/// (mailto:) or a principal URL of ours. Error 403 for anyone else.
PrincipalRecord sharee_of(Context& ctx, const std::string& href) {
    auto path = ResourcePath::parse(path_of(href));
    std::optional<PrincipalRecord> who;
    if (path.kind == ResourceKind::principal) who = ctx.store.find_principal(path.owner);
    else who = principal_of(ctx.store, href);
    if (!who) throw Error(403, "no calendar user of this server is " + href);
    return *who;
}

/// What an existing grant keeps when a client that knows read and
/// read-write only sets read-write again: admin stays admin.
SharePermission merged(SharePermission asked, const std::vector<GrantRecord>& grants, std::int64_t sharee) {
    for (const auto& g : grants)
        if (g.grantee.id == sharee && g.permission == SharePermission::admin && asked == SharePermission::edit)
            return SharePermission::admin;
    return asked;
}

/// The changes of a CS:share body (caldav-sharing §6.26-6.28).
std::vector<ShareChange> parse_cs_share(Context& ctx, const xml::Element& root) {
    std::vector<ShareChange> out;
    for (const auto& c : root.children) {
        const bool set = c.is(calendarserver_ns, "set");
        if (!set && !c.is(calendarserver_ns, "remove")) continue;
        const auto* h = c.child(dav_ns, "href");
        if (!h || h->text.empty()) throw Error(400, "CS:set and CS:remove need a DAV:href");
        ShareChange change{sharee_of(ctx, h->text), std::nullopt, {}};
        if (set) {
            if (c.child(calendarserver_ns, "read-write")) change.permission = SharePermission::edit;
            else if (c.child(calendarserver_ns, "read")) change.permission = SharePermission::view;
            else throw Error(400, "CS:set needs CS:read or CS:read-write");
            if (const auto* s = c.child(calendarserver_ns, "summary")) change.summary = s->text;
        }
        out.push_back(std::move(change));
    }
    if (out.empty()) throw Error(400, "CS:share needs at least one CS:set or CS:remove");
    return out;
}

/// The changes of a DAV:share-resource body (draft-pot-webdav-resource-sharing §5.3).
std::vector<ShareChange> parse_share_resource(Context& ctx, const xml::Element& root) {
    std::vector<ShareChange> out;
    for (const auto& c : root.children) {
        if (!c.is(dav_ns, "sharee")) continue;
        const auto* h = c.child(dav_ns, "href");
        const auto* access = c.child(dav_ns, "share-access");
        if (!h || h->text.empty() || !access) throw Error(400, "DAV:sharee needs DAV:href and DAV:share-access");
        ShareChange change{sharee_of(ctx, h->text), std::nullopt, {}};
        if (access->child(dav_ns, "read-write")) change.permission = SharePermission::edit;
        else if (access->child(dav_ns, "read")) change.permission = SharePermission::view;
        else if (!access->child(dav_ns, "no-access"))
            throw Error(400, "DAV:share-access must be read, read-write or no-access");
        if (const auto* s = c.child(dav_ns, "comment")) change.summary = s->text;
        out.push_back(std::move(change));
    }
    if (out.empty()) throw Error(400, "DAV:share-resource needs at least one DAV:sharee");
    return out;
}

/// A unique enough CS:uid for an invitation of `sharee` to calendar `id`.
std::string invite_uid(std::int64_t calendar, std::int64_t sharee) {
    return "kalends-share-" + std::to_string(calendar) + "-" + std::to_string(sharee) + "-" +
           std::to_string(static_cast<long long>(std::time(nullptr)));
}

/// Tells `to` of a change in their invitation (caldav-sharing §4, §6.15).
void notify_invite(Store& store, const GrantRecord& g, bool deleted) {
    const std::string status = deleted ? "invite-deleted" : "invite-noresponse";
    const std::string access = g.permission == SharePermission::view || g.permission == SharePermission::free_busy
                                   ? element(calendarserver_ns, "read")
                                   : element(calendarserver_ns, "read-write");
    std::string inner = xml::text_element(calendarserver_ns, "uid", g.invite_uid) +
                        xml::href("mailto:" + xml::escape(g.grantee.email)) + element(calendarserver_ns, status) +
                        element(calendarserver_ns, "hosturl", xml::href(collection_href(g.owner.name, g.collection_name))) +
                        element(calendarserver_ns, "organizer", xml::href(principal_href(g.owner.name))) +
                        element(calendarserver_ns, "access", access) +
                        xml::text_element(calendarserver_ns, "summary", g.summary);
    NotificationRecord n;
    n.principal_id = g.grantee.id;
    n.name = g.invite_uid + ".xml";
    n.type = "invite-notification";
    n.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CS:notification xmlns:D=\"DAV:\" "
             "xmlns:CS=\"http://calendarserver.org/ns/\">" +
             xml::text_element(calendarserver_ns, "dtstamp", utc_now()) +
             "<CS:invite-notification shared-type=\"calendar\">" + inner + "</CS:invite-notification></CS:notification>";
    store.put_notification(n);
}

/// Writes the checked changes to calendar `c`: CalendarServer invitations
/// wait for a reply (`invite`), the draft's grants are in force at once.
void apply_changes(Context& ctx, const CollectionRecord& c, const std::vector<ShareChange>& changes, bool invite) {
    for (const auto& ch : changes) {
        StoreStatus status;
        if (!ch.permission) {
            status = ctx.store.remove_grant(c.id, ch.sharee.id);
            if (status == StoreStatus::not_found) continue;  // not a sharee: nothing to remove
        } else {
            auto p = merged(*ch.permission, ctx.target.grants, ch.sharee.id);
            status = invite ? ctx.store.invite_grant(c.id, ch.sharee.id, p, ch.summary, invite_uid(c.id, ch.sharee.id))
                            : ctx.store.set_grant(c.id, ch.sharee.id, p);
        }
        if (status != StoreStatus::ok) throw store_error(status);
    }
    auto after = ctx.store.grants_of_collection(c.id);
    // Issue 25 §9: a new sharee, or one whose permission changed, is told by e-mail.
    for (const auto& g : after) {
        auto before = std::find_if(ctx.target.grants.begin(), ctx.target.grants.end(),
                                   [&](const GrantRecord& r) { return r.grantee.id == g.grantee.id; });
        if (before == ctx.target.grants.end() || before->permission != g.permission)
            mail_share_notice(ctx.store, ctx.imip, g);
    }
    if (!invite) return;
    // Notifications after the grants: each sharee whose status changed.
    for (const auto& ch : changes) {
        auto g = std::find_if(after.begin(), after.end(), [&](const GrantRecord& r) { return r.grantee.id == ch.sharee.id; });
        if (g != after.end()) notify_invite(ctx.store, *g, false);
        for (const auto& old : ctx.target.grants)
            if (!ch.permission && old.grantee.id == ch.sharee.id && !old.invite_uid.empty()) notify_invite(ctx.store, old, true);
    }
}

/// Tells the sharer of the sharee's answer (caldav-sharing §5.4.1, §6.22).
void notify_reply(Context& ctx, const GrantRecord& g, bool accepted) {
    const std::string uid = (g.invite_uid.empty() ? "kalends-share-" + std::to_string(g.collection_id) : g.invite_uid) + "-reply";
    std::string inner = xml::href("mailto:" + xml::escape(g.grantee.email)) +
                        element(calendarserver_ns, accepted ? "invite-accepted" : "invite-declined") +
                        element(calendarserver_ns, "hosturl", xml::href(collection_href(g.owner.name, g.collection_name))) +
                        xml::text_element(calendarserver_ns, "in-reply-to", g.invite_uid) +
                        xml::text_element(calendarserver_ns, "summary", g.summary);
    NotificationRecord n;
    n.principal_id = g.owner.id;
    n.name = uid + ".xml";
    n.type = "invite-reply";
    n.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CS:notification xmlns:D=\"DAV:\" "
             "xmlns:CS=\"http://calendarserver.org/ns/\">" +
             xml::text_element(calendarserver_ns, "dtstamp", utc_now()) +
             element(calendarserver_ns, "invite-reply", inner) + "</CS:notification>";
    ctx.store.put_notification(n);
}

Response share(Context& ctx, const xml::Element& root, bool cs) {
    auto& t = ctx.target;
    if (t.bit() != k_calendar || !t.exists) throw Error(403, "only calendars can be shared");
    if (!holds(t.privileges, Privileges::share))
        throw need_privileges_error(t.href, Privileges::share, "only the owner or an admin sharee may share this calendar");
    auto changes = cs ? parse_cs_share(ctx, root) : parse_share_resource(ctx, root);
    for (const auto& ch : changes)
        if (ch.sharee.id == t.owner->id) throw Error(403, "a calendar is not shared with its owner");
    apply_changes(ctx, *t.collection, changes, cs);
    Response r;
    r.status = 200;
    return r;
}

/// CS:invite-reply (caldav-sharing §5.4.1) to the sharee's own home.
Response invite_reply(Context& ctx, const xml::Element& root) {
    auto& t = ctx.target;
    if ((t.kind != ResourceKind::home && t.kind != ResourceKind::notifications) || !t.owner || t.owner->id != ctx.user.id)
        throw need_privileges_error(t.href, Privileges::write_content, "reply to invitations in your own calendar home");
    const bool accepted = root.child(calendarserver_ns, "invite-accepted") != nullptr;
    if (!accepted && !root.child(calendarserver_ns, "invite-declined"))
        throw Error(400, "CS:invite-reply needs CS:invite-accepted or CS:invite-declined");
    const auto* host = root.child(calendarserver_ns, "hosturl");
    const auto* href = host ? host->child(dav_ns, "href") : nullptr;
    if (!href) throw Error(400, "CS:invite-reply needs CS:hosturl");
    auto path = ResourcePath::parse(path_of(href->text));
    auto owner = path.kind == ResourceKind::collection ? ctx.store.find_principal(path.owner) : std::nullopt;
    auto cal = owner ? ctx.store.find_collection(owner->id, path.collection) : std::nullopt;
    std::optional<GrantRecord> mine;
    if (cal)
        for (auto& g : ctx.store.grants_of_collection(cal->id))
            if (g.grantee.id == ctx.user.id) mine = std::move(g);
    if (!mine) throw Error(404, "no invitation to that calendar");
    const auto* uid = root.child(calendarserver_ns, "in-reply-to");
    if (uid && !mine->invite_uid.empty() && uid->text != mine->invite_uid)
        throw Error(403, "CS:in-reply-to names another invitation");
    auto status = ctx.store.reply_to_invite(cal->id, ctx.user.id, accepted ? InviteStatus::accepted : InviteStatus::declined);
    if (status != StoreStatus::ok) throw store_error(status);
    if (!mine->invite_uid.empty()) ctx.store.remove_notification(ctx.user.id, mine->invite_uid + ".xml");
    notify_reply(ctx, *mine, accepted);
    Response r;
    r.status = accepted ? 200 : 204;
    if (accepted) {
        r.headers.set("Content-Type", "application/xml; charset=utf-8");
        r.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CS:shared-as xmlns:D=\"DAV:\" "
                 "xmlns:CS=\"http://calendarserver.org/ns/\">" +
                 xml::href(collection_href(owner->name, cal->name)) + "</CS:shared-as>";
    }
    return r;
}

std::string access_element(std::string_view ns, SharePermission p) {
    return p == SharePermission::view || p == SharePermission::free_busy ? element(ns, "read") : element(ns, "read-write");
}

std::string_view cs_status(InviteStatus s) {
    switch (s) {
        case InviteStatus::pending: return "invite-noresponse";
        case InviteStatus::accepted: return "invite-accepted";
        case InviteStatus::declined: return "invite-declined";
    }
    return "invite-noresponse";
}

bool is_owner(const Context& ctx, const Resource& r) { return r.owner && r.owner->id == ctx.user.id; }

/// Who may see a calendar's sharees: its owner and admin sharees (read-acl).
bool sees_sharees(const Context& ctx, const Resource& r) {
    return r.bit() == k_calendar && (is_owner(ctx, r) || holds(r.privileges, Privileges::read_acl));
}

}  // namespace

StoreStatus delete_collection_and_shares(Store& store, const CollectionRecord& c) {
    return store.delete_collection_with_shares(c.id);
}

StoreStatus patch_collection_properties(Store& store, const CollectionRecord& c, const PropertyPatch& patch) {
    // A collection other than a calendar has no grants, so no sharee's home to tell.
    if (c.kind != CollectionKind::calendar) return store.patch_properties(c.id, {}, patch);
    return store.patch_shared_collection_properties(c.id, patch);
}

void reissue_invitations(Store& store, const CollectionRecord& moved) {
    for (const auto& g : store.grants_of_collection(moved.id))
        if (g.status == InviteStatus::pending && !g.invite_uid.empty()) notify_invite(store, g, false);
}

Response handle_sharing_post(Context& ctx) {
    auto root = xml::parse(ctx.request.body, ctx.limits);
    if (root.is(calendarserver_ns, "share")) return share(ctx, root, true);
    if (root.is(dav_ns, "share-resource")) return share(ctx, root, false);
    if (root.is(calendarserver_ns, "invite-reply")) return invite_reply(ctx, root);
    throw Error(400, "POST takes CS:share, DAV:share-resource or CS:invite-reply here");
}

std::optional<GrantRecord> own_grant(const Context& ctx, const Resource& r) {
    if (r.bit() != k_calendar || is_owner(ctx, r)) return std::nullopt;
    // A free-busy sharee has no calendar of its own to name or colour.
    for (const auto& g : r.grants)
        if (g.grantee.id == ctx.user.id && g.status == InviteStatus::accepted && g.permission != SharePermission::free_busy)
            return g;
    return std::nullopt;
}

std::vector<Resource> shared_calendars_in_home(Context& ctx) {
    std::vector<Resource> out;
    if (!is_owner(ctx, ctx.target)) return out;
    for (const auto& g : ctx.store.grants_to_principal(ctx.user.id)) {
        auto path = ResourcePath::parse(collection_href(g.owner.name, g.collection_name));
        try {
            auto r = resolve(path, ctx.store, ctx.user);
            // Only calendars the user may read are listed (not free-busy grants).
            if (r.exists && holds(r.privileges, Privileges::read)) out.push_back(std::move(r));
        } catch (const Error&) {
            // Gone or no longer shared between the two reads: not listed.
        }
    }
    return out;
}

void mail_share_notice(Store& store, ImipGateway* imip, const GrantRecord& g) {
    if (!imip) return;
    ShareNotice n{g.owner, g.grantee, g.collection_name, g.permission, collection_href(g.owner.name, g.collection_name)};
    if (auto c = store.find_collection(g.owner.id, g.collection_name); c && !c->display_name.empty())
        n.calendar_name = c->display_name;
    auto mail = imip->compose_share_notice(n);
    if (!mail) return;
    WriteSet set;
    set.mail.push_back(std::move(*mail));
    store.commit(set);  // refused (busy, full): the grant stands without its e-mail
}

std::optional<Resource> shared_calendar_change(Context& ctx, std::string_view name, std::string& href) {
    constexpr std::string_view prefix = "/shared/";
    auto rest = name.substr(prefix.size());
    auto slash = rest.find('/');
    href = collection_href(rest.substr(0, slash), slash == std::string_view::npos ? "" : rest.substr(slash + 1));
    try {
        auto r = resolve(ResourcePath::parse(href), ctx.store, ctx.user);
        if (r.exists && r.bit() == k_calendar && holds(r.privileges, Privileges::read)) return r;
    } catch (const Error&) {
        // No longer shared with them (403) or gone (404): reported as gone.
    }
    return std::nullopt;
}

std::string sharing_resourcetype(Context& ctx, const Resource& r) {
    if (r.bit() != k_calendar) return {};
    if (own_grant(ctx, r)) return element(calendarserver_ns, "shared");
    if (is_owner(ctx, r) && !r.grants.empty()) return element(calendarserver_ns, "shared-owner");
    return {};
}

std::optional<std::string> cs_invite(Context& ctx, const Resource& r) {
    if (r.bit() != k_calendar || r.grants.empty()) return std::nullopt;  // not shared
    auto mine = own_grant(ctx, r);
    if (!sees_sharees(ctx, r) && !mine) return std::nullopt;
    std::string out = element(calendarserver_ns, "organizer",
                              xml::href(principal_href(r.owner->name)) +
                                  xml::text_element(calendarserver_ns, "common-name",
                                                    r.owner->display_name.empty() ? r.owner->name : r.owner->display_name));
    for (const auto& g : r.grants) {
        // A sharee without read-acl learns of themselves only (§5.2.2 privacy).
        if (!sees_sharees(ctx, r) && g.grantee.id != ctx.user.id) continue;
        out += element(calendarserver_ns, "user",
                       xml::href("mailto:" + xml::escape(g.grantee.email)) +
                           xml::text_element(calendarserver_ns, "common-name",
                                             g.grantee.display_name.empty() ? g.grantee.name : g.grantee.display_name) +
                           element(calendarserver_ns, cs_status(g.status)) +
                           element(calendarserver_ns, "access", access_element(calendarserver_ns, g.permission)) +
                           (g.summary.empty() ? std::string() : xml::text_element(calendarserver_ns, "summary", g.summary)));
    }
    return out;
}

std::optional<std::string> cs_allowed_sharing_modes(Context&, const Resource& r) {
    if (r.bit() != k_calendar) return std::nullopt;
    if (!holds(r.privileges, Privileges::share)) return std::string();
    return element(calendarserver_ns, "can-be-shared");
}

std::optional<std::string> cs_shared_url(Context& ctx, const Resource& r) {
    if (!own_grant(ctx, r)) return std::nullopt;
    return xml::href(collection_href(r.owner->name, r.collection->name));
}

std::optional<std::string> dav_invite(Context& ctx, const Resource& r) {
    if (r.grants.empty() || (!sees_sharees(ctx, r) && !own_grant(ctx, r))) return std::nullopt;
    std::string out;
    for (const auto& g : r.grants) {
        if (!sees_sharees(ctx, r) && g.grantee.id != ctx.user.id) continue;
        std::string status = g.status == InviteStatus::accepted  ? "invite-accepted"
                             : g.status == InviteStatus::declined ? "invite-declined"
                                                                  : "invite-noresponse";
        out += element(dav_ns, "sharee",
                       xml::href("mailto:" + xml::escape(g.grantee.email)) +
                           element(dav_ns, "prop", xml::text_element(dav_ns, "displayname", g.grantee.display_name)) +
                           element(dav_ns, "share-access", access_element(dav_ns, g.permission)) +
                           element(dav_ns, status));
    }
    return out;
}

std::optional<std::string> dav_share_access(Context& ctx, const Resource& r) {
    if (r.bit() != k_calendar) return std::nullopt;
    if (auto mine = own_grant(ctx, r)) return access_element(dav_ns, mine->permission);
    if (!is_owner(ctx, r)) return std::nullopt;
    return r.grants.empty() ? element(dav_ns, "not-shared") : element(dav_ns, "shared-owner");
}

std::optional<std::string> sharee_display_name(Context& ctx, const Resource& r) {
    auto mine = own_grant(ctx, r);
    if (!mine || !mine->sharee_display_name) return std::nullopt;
    return xml::escape(*mine->sharee_display_name);
}

std::optional<std::string> sharee_color(Context& ctx, const Resource& r) {
    auto mine = own_grant(ctx, r);
    if (!mine || !mine->sharee_color) return std::nullopt;
    return xml::escape(*mine->sharee_color);
}

bool is_sharee_proppatch(const Context& ctx) {
    return ctx.request.method == "PROPPATCH" && own_grant(ctx, ctx.target).has_value();
}

Response handle_sharee_proppatch(Context& ctx) {
    auto mine = own_grant(ctx, ctx.target);
    auto root = xml::parse(ctx.request.body, ctx.limits);
    if (!root.is(dav_ns, "propertyupdate")) throw Error(400, "PROPPATCH body must be DAV:propertyupdate");
    auto updates = collect_updates(root);
    auto name = mine->sharee_display_name;
    auto color = mine->sharee_color;
    std::vector<std::string> ok, refused;
    for (const auto& u : updates) {
        const auto& p = *u.property;
        auto value = u.remove ? std::nullopt : std::optional<std::string>(p.text);
        if (p.is(dav_ns, "displayname")) name = value;
        else if (p.is(apple_ical_ns, "calendar-color")) color = value;
        (p.is(dav_ns, "displayname") || p.is(apple_ical_ns, "calendar-color") ? ok : refused)
            .push_back(element(p.ns, p.local));
    }
    xml::Propstats propstats;
    if (refused.empty()) {
        auto status = ctx.store.set_sharee_properties(mine->collection_id, ctx.user.id, name, color);
        if (status != StoreStatus::ok) throw store_error(status);
        propstats.push_back({200, std::move(ok), {}});
    } else {
        // All or nothing (RFC 4918 §9.2): only the per-user properties are a sharee's.
        propstats.push_back({403, std::move(refused), "<D:need-privileges/>"});
        if (!ok.empty()) propstats.push_back({424, std::move(ok), {}});
    }
    xml::Multistatus ms;
    ms.add(ctx.target.href, propstats);
    Response r;
    r.status = 207;
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    r.body = ms.finish();
    return r;
}

void resolve_notification(Resource& r, const ResourcePath& path, Store& store) {
    r.href = notifications_href(r.owner->name);
    if (path.kind != ResourceKind::notification) return;
    r.href += encode_segment(path.object);
    for (auto& n : store.notifications_of(r.owner->id))
        if (n.name == path.object) r.notification = std::move(n);
    r.exists = r.notification.has_value();
}

std::vector<Resource> notification_members(const Resource& r, Store& store) {
    std::vector<Resource> out;
    for (auto& n : store.notifications_of(r.owner->id)) {
        Resource child;
        child.kind = ResourceKind::notification;
        child.owner = r.owner;
        child.href = notifications_href(r.owner->name) + encode_segment(n.name);
        child.notification = std::move(n);
        child.exists = true;
        child.privileges = r.privileges;
        child.parent_privileges = r.privileges;
        out.push_back(std::move(child));
    }
    return out;
}

Resource notification_collection_of(Context& ctx) {
    Resource r;
    r.kind = ResourceKind::notifications;
    r.owner = ctx.user;
    r.href = notifications_href(ctx.user.name);
    r.exists = true;
    r.privileges = Privileges::all;
    r.parent_privileges = Privileges::all;
    return r;
}

std::string notification_etag(const NotificationRecord& n) {
    return "\"n" + std::to_string(n.created_at) + "-" + std::to_string(std::hash<std::string>{}(n.body) % 1000000007) + "\"";
}

Response handle_notification_get(Context& ctx) {
    if (ctx.target.kind != ResourceKind::notification) throw Error(405, "GET is offered on notifications");
    if (!ctx.target.exists) throw Error(404, "no such notification");
    Response r;
    r.status = 200;
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    r.headers.set("ETag", notification_etag(*ctx.target.notification));
    r.body = ctx.target.notification->body;
    return r;
}

Response handle_notification_delete(Context& ctx) {
    if (ctx.target.kind != ResourceKind::notification) throw Error(403, "the notification collection stays");
    if (!ctx.target.exists) throw Error(404, "no such notification");
    auto status = ctx.store.remove_notification(ctx.target.owner->id, ctx.target.notification->name);
    if (status == StoreStatus::not_found) throw Error(404, "no such notification");
    if (status != StoreStatus::ok) throw store_error(status);
    Response r;
    r.status = 204;
    return r;
}

std::optional<std::string> cs_notificationtype(Context&, const Resource& r) {
    if (!r.notification) return std::nullopt;
    if (r.notification->type == "invite-notification")
        return "<CS:invite-notification shared-type=\"calendar\"/>";
    return element(calendarserver_ns, r.notification->type);
}

std::optional<std::string> cs_notification_url(Context& ctx, const Resource& r) {
    if (!r.owner || r.owner->id != ctx.user.id) return std::nullopt;
    return xml::href(notifications_href(r.owner->name));
}

}  // namespace caldav
