// The Kalends URL space (DESIGN.md "Data") parsed into a resource kind and names.
#pragma once
#include <string>
#include <string_view>

namespace caldav {

/// Which kind of resource a path names.
enum class ResourceKind {
    unknown,          ///< outside the URL space
    well_known,       ///< /.well-known/caldav (RFC 6764)
    root,             ///< /dav/ (and the server root /, which answers the same)
    principals,       ///< /dav/principals/ and /dav/principals/users/
    principal,        ///< /dav/principals/users/NAME/
    calendars_root,   ///< /dav/calendars/
    home,             ///< /dav/calendars/NAME/
    collection,       ///< /dav/calendars/NAME/COLL/
    object,           ///< /dav/calendars/NAME/COLL/RES
    notifications,    ///< /dav/calendars/NAME/notification/ (caldav-sharing §4)
    notification,     ///< /dav/calendars/NAME/notification/RES
    /// /dav/principals/users/NAME/calendar-proxy-read/ and .../calendar-proxy-write/:
    /// NAME's delegates (CalendarServer delegation, issue 25 §5); `collection`
    /// holds the group's segment.
    proxy_group,
};

/// The segments of a principal's two proxy groups (CalendarServer delegation).
inline constexpr std::string_view proxy_read_group = "calendar-proxy-read";
inline constexpr std::string_view proxy_write_group = "calendar-proxy-write";

/// The name of the notification collection in each home (caldav-sharing §4,
/// as Apple's CalendarServer names it): reserved, no calendar takes it.
inline constexpr std::string_view notification_collection = "notification";

/// A decoded request path split into the names it contains.
struct ResourcePath {
    ResourceKind kind = ResourceKind::unknown;
    std::string owner;       ///< principal name (principal, home, collection, object)
    /// collection segment (collection, object); for a plain collection nested in
    /// another, the segments below the home joined by "/" ("files/2024")
    std::string collection;
    std::string object;      ///< resource segment (object)
    bool trailing_slash = false;

    /// Parses a decoded, normalised path. Never fails: unknown paths give `unknown`.
    static ResourcePath parse(std::string_view path);
};

/// Percent-encodes one path segment for use in an href (RFC 3986 unreserved
/// characters and sub-delims other than "/" stay as they are).
std::string encode_segment(std::string_view segment);

/// The href of a principal, a home, a collection or an object (percent-encoded;
/// a nested collection's "/"-joined name becomes one segment per part).
std::string principal_href(std::string_view owner);
std::string home_href(std::string_view owner);
std::string collection_href(std::string_view owner, std::string_view collection);
std::string object_href(std::string_view owner, std::string_view collection,
                        std::string_view object);

/// The href of one of a principal's proxy groups (`group`: proxy_read_group
/// or proxy_write_group).
std::string proxy_group_href(std::string_view owner, std::string_view group);

/// The href of a principal's notification collection (caldav-sharing §4.1.1).
std::string notifications_href(std::string_view owner);

}  // namespace caldav
