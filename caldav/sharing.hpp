// Calendar sharing by the clients' protocols (issue 25): CalendarServer
// sharing (caldav-sharing.txt: CS:share, CS:invite-reply, notifications) and
// draft-pot-webdav-resource-sharing (DAV:share-resource), both over the
// grants of GrantStore, and the sharing properties both show.
#pragma once
#include <optional>
#include <string>

#include "caldav/context.hpp"
#include "caldav/message.hpp"

namespace caldav {

/// POST of a sharing document: CS:share or DAV:share-resource on a calendar
/// (the actor must hold the share privilege: its owner or an admin sharee),
/// CS:invite-reply on the actor's own calendar home or notification
/// collection. Every sharee is resolved and checked before any grant is
/// written. Throws Error 400 for a body of another kind or a malformed one,
/// 403 (DAV:need-privileges) without the privilege, 403 for an unknown
/// sharee or one who owns the calendar, 404 for an invitation not found.
Response handle_sharing_post(Context& ctx);

/// The accepted grant of `ctx.user` on the calendar `r` is (not its owner),
/// or nullopt.
std::optional<GrantRecord> own_grant(const Context& ctx, const Resource& r);

/// The calendars shared with `ctx.user` and accepted, as Depth-1 members of
/// their home: each at its owner's URL (the same calendar, docs/sharing.md).
std::vector<Resource> shared_calendars_in_home(Context& ctx);

/// Issue 25 §7: the shared calendar a change logged in the user's home names
/// (shared_change_name, "/shared/OWNER/CALENDAR") as they see it now, or
/// nullopt when it is gone or they may no longer read it (a 404 member of
/// their home's sync-collection). Sets `href` to its URL either way.
std::optional<Resource> shared_calendar_change(Context& ctx, std::string_view name, std::string& href);

/// Issue 25 §9: queues the e-mail telling the grantee of `g` that the
/// calendar was shared with them (ImipGateway::compose_share_notice, committed
/// through the store's mail queue). Nothing without a gateway; a refused
/// queue write leaves the grant as it is.
void mail_share_notice(Store& store, ImipGateway* imip, const GrantRecord& g);

/// Issue 25 §7: deletes collection `c` for every front end (DELETE, the
/// JSON API's DELETE of a calendar) in one store transaction
/// (Store::delete_collection_with_shares): each of its grants (which logs
/// the calendar as gone in the grantee's home, so their sync-collection
/// reports it 404), each grantee's invitation notification, and the
/// collection; all of it or, on a failure, none. Returns the store's status.
StoreStatus delete_collection_and_shares(Store& store, const CollectionRecord& c);

/// Issue 25 §7: writes `patch` to the own properties of collection `c` for
/// every front end (PROPPATCH, the JSON API's PATCH of a calendar); when `c`
/// is a calendar, each grantee's home moves and logs it in the same store
/// transaction (Store::patch_shared_collection_properties), so that their
/// ctag and sync-collection show the owner's new name or colour. Returns the
/// store's status of the patch.
StoreStatus patch_collection_properties(Store& store, const CollectionRecord& c, const PropertyPatch& patch);

/// Issue 25 §7: after calendar `moved` got its new URL (MOVE; its grants went
/// along, Store::copy_collection), each invitation to it not yet answered is
/// written again naming the new URL as CS:hosturl, so that the sharee's
/// CS:invite-reply finds the calendar.
void reissue_invitations(Store& store, const CollectionRecord& moved);

/// True for a PROPPATCH by an accepted sharee of the target calendar: its
/// per-user properties (caldav-sharing §5.5.3) are theirs to set whatever
/// the permission, so the request needs only that grant.
bool is_sharee_proppatch(const Context& ctx);

/// PROPPATCH by a sharee (is_sharee_proppatch): DAV:displayname and
/// ICAL:calendar-color are stored on their grant, for them only; any other
/// property is refused with 403 (and the rest 424, nothing written).
Response handle_sharee_proppatch(Context& ctx);

/// Fills in the notification collection or notification `path` names in
/// `r` (owner and privileges already set): its href, and for a member the
/// stored record (`exists` false when there is none).
void resolve_notification(Resource& r, const ResourcePath& path, Store& store);

/// The notifications in the collection `r` is, as Depth-1 members.
std::vector<Resource> notification_members(const Resource& r, Store& store);

/// The notification collection of `ctx.user` as a member of their home.
Resource notification_collection_of(Context& ctx);

/// GET/HEAD of a notification: its XML document. DELETE of one: removes it
/// (clients delete what they have handled, caldav-sharing §4).
Response handle_notification_get(Context& ctx);
Response handle_notification_delete(Context& ctx);

/// The ETag of a notification (quoted).
std::string notification_etag(const NotificationRecord& n);

/// CS:notificationtype of a notification (§4.2.1) and CS:notification-URL
/// of a principal (§4.1.1, the principal's own only).
std::optional<std::string> cs_notificationtype(Context& ctx, const Resource& r);
std::optional<std::string> cs_notification_url(Context& ctx, const Resource& r);

/// Property getters of the sharing properties (caldav/properties.cpp table):
/// the resourcetype additions (CS:shared-owner for the owner of a calendar
/// with grants, CS:shared for a sharee), CS:invite, CS:allowed-sharing-modes,
/// CS:shared-url, DAV:invite, DAV:share-access, CS:notification-URL, and the
/// sharee's own displayname and calendar-color (nullopt: the owner's value).
std::string sharing_resourcetype(Context& ctx, const Resource& r);
std::optional<std::string> cs_invite(Context& ctx, const Resource& r);
std::optional<std::string> cs_allowed_sharing_modes(Context& ctx, const Resource& r);
std::optional<std::string> cs_shared_url(Context& ctx, const Resource& r);
std::optional<std::string> dav_invite(Context& ctx, const Resource& r);
std::optional<std::string> dav_share_access(Context& ctx, const Resource& r);
std::optional<std::string> sharee_display_name(Context& ctx, const Resource& r);
std::optional<std::string> sharee_color(Context& ctx, const Resource& r);

}  // namespace caldav
