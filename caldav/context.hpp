// What every method handler works with: the request, the resolved resource
// with the actor's privileges on it (RFC 3744), the store and the limits.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "caldav/limits.hpp"
#include "caldav/message.hpp"
#include "caldav/privileges.hpp"
#include "caldav/resource_path.hpp"
#include "caldav/store.hpp"

namespace caldav {

struct DataSelection;
struct DavPushSettings;
class ImipGateway;
class PushStore;

/// One bit per kind of resource, for property and method tables.
enum KindBit : unsigned {
    k_root = 1u << 0,
    k_principals = 1u << 1,
    k_principal = 1u << 2,
    k_calendars_root = 1u << 3,
    k_home = 1u << 4,
    k_calendar = 1u << 5,
    k_inbox = 1u << 6,
    k_outbox = 1u << 7,
    k_plain = 1u << 8,
    k_object = 1u << 9,
    k_any_collection = k_calendar | k_inbox | k_outbox | k_plain,
    k_all = (1u << 10) - 1,
    /// The notification collection and its members (caldav-sharing §4):
    /// outside k_all, so that only the rows naming them apply.
    k_notifications = 1u << 10,
    k_notification = 1u << 11,
    k_notes = k_notifications | k_notification,
    /// A principal's calendar-proxy-read or -write group (issue 25 §5):
    /// outside k_all too.
    k_proxy_group = 1u << 12,
};

/// A resource the request names (or would create), looked up in the store.
struct Resource {
    ResourceKind kind = ResourceKind::unknown;
    std::string href;  ///< canonical percent-encoded href
    std::optional<PrincipalRecord> owner;
    std::optional<CollectionRecord> collection;
    std::optional<ObjectRecord> object;
    std::optional<HomeRecord> home;  ///< a calendar home's sync state (home only)
    std::optional<NotificationRecord> notification;  ///< a notification (notification only)
    /// The grants on the calendar this resource is or is in (issue 25),
    /// loaded by resolve for a calendar and its objects; acl_of reads them.
    std::vector<GrantRecord> grants;
    /// The delegations of the owner (issue 25 §5), loaded by resolve for
    /// what lies in the home of somebody other than the actor (and for a
    /// proxy group); acl_of reads them.
    std::vector<DelegationRecord> delegations;
    /// The organisation's free/busy rule (issue 25 §9) when the request was
    /// resolved under it: on a home it gives other calendar users
    /// read-free-busy (privileges_of). Unset: no such privilege.
    std::optional<FreeBusyRule> free_busy_rule;
    bool exists = false;
    /// The actor's privileges on it (privileges_of); a resource not yet
    /// created has those its place gives.
    Privileges privileges = Privileges::none;
    /// The actor's privileges on the collection holding it (bind, unbind).
    Privileges parent_privileges = Privileges::none;

    /// The KindBit of this resource (0 for unknown).
    unsigned bit() const;
};

/// The request being handled and what it needs.
struct Context {
    const Request& request;
    ResourcePath path;
    Store& store;
    const Limits& limits;
    PrincipalRecord user;  ///< the authenticated principal
    Resource target;       ///< the resource the path names
    /// The calendar-data selection of the property request being answered
    /// (set by properties_of for the calendar-data getter), or nullptr.
    const DataSelection* data_selection = nullptr;
    /// Email for external calendar users (iMIP), or nullptr when no relay is set.
    ImipGateway* imip = nullptr;
    /// WebDAV-Push (caldav/webdav_push.hpp): the server's push settings and
    /// where registrations go; nullptr when push is off.
    const DavPushSettings* push = nullptr;
    PushStore* push_store = nullptr;
};

/// Looks the path up for `user` and fills in their privileges on it, with
/// the grants of the calendar it is or is in (issue 25). Throws Error 404 for
/// a principal or home of no one, and 403 DAV:need-privileges for what lies
/// in a home where `user` holds no privilege on it (not the owner, no grant),
/// existing or not, before any member is looked up. A missing last segment gives
/// `exists = false` (for PUT, MKCALENDAR, ...). `rule`, when given, is the
/// organisation's free/busy rule, which gives read-free-busy on homes.
Resource resolve(const ResourcePath& path, Store& store, const PrincipalRecord& user,
                 std::optional<FreeBusyRule> rule = std::nullopt);

/// Turns an object path into a collection path where it names a plain
/// collection nested in another without the trailing slash, or, with
/// `making_collection` (MKCOL), where no resource holds the name. Leaves
/// other paths, and paths in homes where `user` holds no privilege, as they are.
void refine_path(ResourcePath& path, Store& store, const PrincipalRecord& user, bool making_collection);

/// The name of the collection `name` is nested in ("a/b" -> "a"), or empty at
/// the top of the home.
std::string parent_collection(std::string_view name);

/// The members of a collection-like resource for Depth 1, with `user`'s privileges on each.
std::vector<Resource> children_of(const Resource& r, Store& store, const PrincipalRecord& user);

/// The Depth header: 0, 1 or infinity (-1); `fallback` when absent.
int depth_of(const Request& request, int fallback);

/// The value of If-Match without quotes (nullopt when absent; "*" kept).
std::optional<std::string> if_match_of(const Request& request);

/// The value of If-Schedule-Tag-Match (RFC 6638 §8.3) without quotes;
/// nullopt when absent. An empty or list value is a 400.
std::optional<std::string> if_schedule_tag_match_of(const Request& request);

/// The Schedule-Tag response header value for a stored tag (quoted).
inline std::string schedule_tag_header(const std::string& tag) { return "\"" + tag + "\""; }

/// RFC 1123 date for getlastmodified; RFC 3339 for creationdate.
std::string http_date(std::int64_t unix_seconds);
std::string rfc3339(std::int64_t unix_seconds);

}  // namespace caldav
