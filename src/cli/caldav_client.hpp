// A CalDAV client for `kalends import --from URL` (issue 29 §4): discovery
// as clients do it (RFC 6764 §6, RFC 5397 current-user-principal, RFC 4791
// §6.2.1 calendar-home-set), a home's calendars with their properties, and
// every object of a calendar (PROPFIND Depth 1, calendar-multiget, GET).
// HTTP is libcurl's; XML is read by caldav::xml (pugixml underneath).
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "caldav/store.hpp"

namespace server::migrate {

/// One HTTP answer; `status` 0 with `error` set when no answer came.
struct HttpReply {
    long status = 0;
    std::string body;
    std::string error;
    std::string url;  ///< the URL that answered, after redirects
};

/// `href` (absolute, absolute-path or relative) resolved against `base`, as
/// a whole URL with bytes outside the URL syntax percent-encoded; empty when
/// either cannot be read.
std::string resolve_url(const std::string& base, const std::string& href);

/// The path of `url` percent-decoded, without a trailing '/': what two
/// spellings of one resource's href have in common.
std::string decoded_path(const std::string& url);

/// HTTP/1.1 to one server through libcurl, with Basic or Digest credentials
/// when a user name is given. Redirects are followed (a /.well-known/caldav
/// answers 301), credentials only to the same host.
class DavClient {
public:
    DavClient(std::string user, std::string password);
    ~DavClient();
    DavClient(const DavClient&) = delete;
    DavClient& operator=(const DavClient&) = delete;

    /// Sends `method` to `url`; `depth` is the Depth header ("" for none);
    /// a non-empty `body` goes as application/xml.
    HttpReply send(const std::string& method, const std::string& url, const std::string& depth = {},
                   const std::string& body = {});

private:
    struct Handle;
    std::unique_ptr<Handle> handle_;
    std::string user_, password_;
};

/// A calendar collection found on the server, with its properties as the
/// server reports them.
struct RemoteCalendar {
    std::string url;           ///< absolute, with a trailing '/'
    std::string segment;       ///< last path segment, percent-decoded
    std::string display_name;  ///< DAV:displayname
    std::string description;   ///< CALDAV:calendar-description
    std::string timezone;      ///< CALDAV:calendar-timezone (VCALENDAR text)
    std::string components;    ///< supported-calendar-component-set as "VEVENT,VTODO"; empty = not said
    std::vector<caldav::DeadProperty> dead;  ///< Apple calendar-color and calendar-order, as served
};

/// What discovery found: the calendars, and the collections left out with why.
struct Discovery {
    std::string error;  ///< why nothing could be listed; empty on success
    std::string home;   ///< the calendar home's URL
    std::vector<RemoteCalendar> calendars;
    std::vector<std::string> skipped;
};

/// Finds the calendar home from `url` (the server's root, a principal or
/// the home itself, trying /.well-known/caldav as RFC 6764 §6 says) and
/// lists the calendars in it.
Discovery discover_calendars(DavClient& client, const std::string& url);

/// One object of a remote calendar: its href (for messages) and its text.
struct RemoteObject {
    std::string href;
    std::string data;
};

/// Every calendar object of `calendar`: the members PROPFIND Depth 1 lists,
/// their data by calendar-multiget in batches of `batch` hrefs, and by GET
/// for the ones a multiget leaves out (a server without multiget, a per-href
/// 404). A member gone meanwhile lands in `skipped` with the reason; `error`
/// is set when the calendar cannot be listed at all.
struct Fetched {
    std::string error;
    std::vector<RemoteObject> objects;
    std::vector<std::string> skipped;
};
Fetched fetch_objects(DavClient& client, const RemoteCalendar& calendar, std::size_t batch = 100);

}  // namespace server::migrate
