// The CalDAV client of `kalends import --from URL` (src/cli/caldav_client.hpp):
// RFC 6764 discovery, RFC 4918 PROPFIND and multistatus, RFC 4791 §7.9
// calendar-multiget, over libcurl.
#include "src/cli/caldav_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/xml/element.hpp"

namespace server::migrate {

namespace names = caldav::names;
using caldav::xml::Element;

namespace {

struct UrlDeleter {
    void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using UrlPtr = std::unique_ptr<CURLU, UrlDeleter>;

/// A part of the URL held by `u`, or empty.
std::string url_part(CURLU* u, CURLUPart part, unsigned flags) {
    char* text = nullptr;
    if (curl_url_get(u, part, &text, flags) != CURLUE_OK || !text) return {};
    std::string out = text;
    curl_free(text);
    return out;
}

/// `url` without user name and password: libcurl's effective URL carries
/// the credentials given as options, and URLs end up in messages.
std::string without_credentials(const std::string& url) {
    UrlPtr u(curl_url());
    if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), CURLU_ALLOW_SPACE) != CURLUE_OK) return url;
    curl_url_set(u.get(), CURLUPART_USER, nullptr, 0);
    curl_url_set(u.get(), CURLUPART_PASSWORD, nullptr, 0);
    auto out = url_part(u.get(), CURLUPART_URL, 0);
    return out.empty() ? url : out;
}

std::size_t collect_body(char* data, std::size_t size, std::size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

/// A multistatus response (RFC 4918 §14.24): its href, the status of the
/// whole response when it has one, and the properties found (2xx propstat).
struct DavResponse {
    std::string href;
    long status = 0;
    std::vector<Element> found;

    const Element* prop(std::string_view ns, std::string_view local) const {
        for (const auto& p : found)
            if (p.is(ns, local)) return &p;
        return nullptr;
    }
};

long status_code(const std::string& line) {
    // "HTTP/1.1 404 Not Found"
    auto space = line.find(' ');
    return space == std::string::npos ? 0 : std::strtol(line.c_str() + space + 1, nullptr, 10);
}

std::string trimmed(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

/// The responses of a 207 body; nullopt when it is not a DAV:multistatus.
std::optional<std::vector<DavResponse>> read_multistatus(const std::string& body) {
    caldav::Limits limits;  // answers hold a whole calendar: only the depth is ours to bound
    limits.max_xml_elements = limits.max_xml_attributes = 100'000'000;
    Element root;
    try {
        root = caldav::xml::parse(body, limits);
    } catch (const caldav::Error&) {
        return std::nullopt;
    }
    if (!root.is(names::dav_ns, "multistatus")) return std::nullopt;
    std::vector<DavResponse> out;
    for (auto& r : root.children) {
        if (!r.is(names::dav_ns, "response")) continue;
        DavResponse d;
        if (auto* h = r.child(names::dav_ns, "href")) d.href = trimmed(h->text);
        if (auto* s = r.child(names::dav_ns, "status")) d.status = status_code(trimmed(s->text));
        for (auto& ps : r.children) {
            if (!ps.is(names::dav_ns, "propstat")) continue;
            auto* s = ps.child(names::dav_ns, "status");
            long code = s ? status_code(trimmed(s->text)) : 0;
            auto* prop = ps.child(names::dav_ns, "prop");
            if (code / 100 != 2 || !prop) continue;
            for (auto& p : prop->children) d.found.push_back(p);
        }
        if (!d.href.empty()) out.push_back(std::move(d));
    }
    return out;
}

/// The text of the first DAV:href inside property `p`, or empty.
std::string href_in(const Element* p) {
    if (!p) return {};
    auto* h = p->child(names::dav_ns, "href");
    return h ? trimmed(h->text) : std::string();
}

std::string propfind_body(std::string_view props) {
    return std::string("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                       "<D:propfind xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\" "
                       "xmlns:A=\"http://apple.com/ns/ical/\"><D:prop>") +
           std::string(props) + "</D:prop></D:propfind>";
}

/// Why an answer is not the 207 asked for, for messages.
std::string why_not(const HttpReply& r) {
    if (r.status == 0) return r.error;
    if (r.status == 401) return "401: the server refused the credentials";
    return "answered " + std::to_string(r.status);
}

/// The calendar home named at `url`: its calendar-home-set, or that of the
/// current-user-principal it names. Empty with `why` set when neither.
std::string home_at(DavClient& client, const std::string& url, std::string& why) {
    auto reply = client.send("PROPFIND", url, "0",
                             propfind_body("<D:current-user-principal/><C:calendar-home-set/><D:resourcetype/>"));
    auto responses = reply.status == 207 ? read_multistatus(reply.body) : std::nullopt;
    if (!responses || responses->empty()) {
        why = url + ": " + (reply.status == 207 ? "not a multistatus answer" : why_not(reply));
        return {};
    }
    const auto& r = responses->front();
    if (auto home = href_in(r.prop(names::caldav_ns, "calendar-home-set")); !home.empty())
        return resolve_url(reply.url, home);
    auto principal = href_in(r.prop(names::dav_ns, "current-user-principal"));
    if (principal.empty()) {
        why = url + ": names no current-user-principal or calendar-home-set";
        return {};
    }
    auto principal_url = resolve_url(reply.url, principal);
    if (principal_url == url) {
        why = url + ": the principal names no calendar-home-set";
        return {};
    }
    return home_at(client, principal_url, why);
}

/// "VEVENT,VTODO" from a supported-calendar-component-set.
std::string component_list(const Element* set) {
    std::string out;
    if (!set) return out;
    for (const auto& c : set->children)
        if (c.is(names::caldav_ns, "comp") && !c.attribute("name").empty())
            out += (out.empty() ? "" : ",") + c.attribute("name");
    return out;
}

/// The last segment of `url`'s path, percent-decoded.
std::string last_segment(const std::string& url) {
    auto path = decoded_path(url);
    return path.substr(path.rfind('/') + 1);
}

RemoteCalendar calendar_from(const DavResponse& r, const std::string& url) {
    RemoteCalendar c;
    c.url = url.ends_with('/') ? url : url + "/";
    c.segment = last_segment(url);
    auto text = [&](std::string_view ns, std::string_view local) {
        auto* p = r.prop(ns, local);
        return p ? p->text : std::string();
    };
    c.display_name = trimmed(text(names::dav_ns, "displayname"));
    c.description = text(names::caldav_ns, "calendar-description");
    c.timezone = text(names::caldav_ns, "calendar-timezone");
    c.components = component_list(r.prop(names::caldav_ns, "supported-calendar-component-set"));
    for (auto local : {"calendar-color", "calendar-order"})
        if (auto* p = r.prop(names::apple_ical_ns, local); p && !trimmed(p->text).empty())
            c.dead.push_back({std::string(names::apple_ical_ns), local, p->to_string()});
    return c;
}

/// Sorts one Depth 1 response of a home into `d`.
void classify(const DavResponse& r, const std::string& url, Discovery& d) {
    auto* type = r.prop(names::dav_ns, "resourcetype");
    if (!type || !type->child(names::dav_ns, "collection")) return;
    if (type->child(names::caldav_ns, "calendar")) {
        d.calendars.push_back(calendar_from(r, url));
        return;
    }
    // Scheduling inbox and outbox (RFC 6638) hold no calendar of the user.
    if (type->child(names::caldav_ns, "schedule-inbox") || type->child(names::caldav_ns, "schedule-outbox")) return;
    bool book = type->child("urn:ietf:params:xml:ns:carddav", "addressbook") != nullptr;
    d.skipped.push_back("collection " + last_segment(url) + (book ? ": an address book" : ": not a calendar"));
}

std::string multiget_body(const std::vector<std::string>& hrefs) {
    std::string body =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<C:calendar-multiget xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
        "<D:prop><D:getetag/><C:calendar-data/></D:prop>";
    for (const auto& h : hrefs) body += "<D:href>" + caldav::xml::escape(h) + "</D:href>";
    return body + "</C:calendar-multiget>";
}

/// Fills `data` (by decoded path) from one calendar-multiget of `hrefs`;
/// false when the server does not answer it with a multistatus.
bool multiget(DavClient& client, const std::string& url, const std::vector<std::string>& hrefs,
              std::map<std::string, std::string>& data) {
    auto reply = client.send("REPORT", url, "1", multiget_body(hrefs));
    auto responses = reply.status == 207 ? read_multistatus(reply.body) : std::nullopt;
    if (!responses) return false;
    for (const auto& r : *responses)
        if (auto* d = r.prop(names::caldav_ns, "calendar-data"); d && !trimmed(d->text).empty())
            data[decoded_path(resolve_url(reply.url, r.href))] = d->text;
    return true;
}

}  // namespace

std::string resolve_url(const std::string& base, const std::string& href) {
    UrlPtr u(curl_url());
    if (!u) return {};
    const unsigned flags = CURLU_ALLOW_SPACE;
    if (curl_url_set(u.get(), CURLUPART_URL, base.c_str(), flags) != CURLUE_OK) return {};
    if (!href.empty() && curl_url_set(u.get(), CURLUPART_URL, href.c_str(), flags) != CURLUE_OK) return {};
    return url_part(u.get(), CURLUPART_URL, 0);
}

std::string decoded_path(const std::string& url) {
    UrlPtr u(curl_url());
    if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), CURLU_ALLOW_SPACE) != CURLUE_OK) return {};
    auto path = url_part(u.get(), CURLUPART_PATH, CURLU_URLDECODE);
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return path;
}

struct DavClient::Handle {
    CURL* curl = nullptr;
    ~Handle() {
        if (curl) curl_easy_cleanup(curl);
    }
};

DavClient::DavClient(std::string user, std::string password)
    : handle_(std::make_unique<Handle>()), user_(std::move(user)), password_(std::move(password)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    handle_->curl = curl_easy_init();
}

DavClient::~DavClient() = default;

HttpReply DavClient::send(const std::string& method, const std::string& url, const std::string& depth,
                          const std::string& body) {
    HttpReply reply;
    CURL* c = handle_->curl;
    if (!c) {
        reply.error = "curl_easy_init failed";
        return reply;
    }
    curl_easy_reset(c);  // the connection stays open for the next request
    curl_slist* headers = nullptr;
    if (!depth.empty()) headers = curl_slist_append(headers, ("Depth: " + depth).c_str());
    if (!body.empty()) headers = curl_slist_append(headers, "Content-Type: application/xml; charset=utf-8");
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (!body.empty()) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_POSTREDIR, static_cast<long>(CURL_REDIR_POST_ALL));  // PROPFIND keeps its body
    if (!user_.empty()) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC | CURLAUTH_DIGEST));
        curl_easy_setopt(c, CURLOPT_USERNAME, user_.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password_.c_str());
    }
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "kalends-import/" KALENDS_VERSION);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 600L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &collect_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    CURLcode code = curl_easy_perform(c);
    curl_slist_free_all(headers);
    if (code != CURLE_OK) {
        reply.error = method + " " + url + ": " + (*error ? error : curl_easy_strerror(code));
        return reply;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
    char* effective = nullptr;
    curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective);
    reply.url = without_credentials(effective ? effective : url);
    return reply;
}

Discovery discover_calendars(DavClient& client, const std::string& url) {
    Discovery d;
    auto well_known = resolve_url(url, "/.well-known/caldav");
    auto path = decoded_path(url);
    // RFC 6764 §6: a bare server name starts at the well-known URI.
    std::vector<std::string> starts = path.empty() || path == "/" ? std::vector{well_known, url}
                                                                   : std::vector{url, well_known};
    std::string why;
    for (const auto& start : starts) {
        if (start.empty()) continue;
        std::string this_why;
        d.home = home_at(client, start, this_why);
        if (!d.home.empty()) break;
        why += (why.empty() ? "" : "; ") + this_why;
    }
    if (d.home.empty()) {
        d.error = "no calendar home found (" + why + ")";
        return d;
    }
    auto reply = client.send("PROPFIND", d.home, "1",
                             propfind_body("<D:resourcetype/><D:displayname/><C:calendar-description/>"
                                           "<C:calendar-timezone/><C:supported-calendar-component-set/>"
                                           "<A:calendar-color/><A:calendar-order/>"));
    auto responses = reply.status == 207 ? read_multistatus(reply.body) : std::nullopt;
    if (!responses) {
        d.error = "calendar home " + d.home + ": " + why_not(reply);
        return d;
    }
    auto home_path = decoded_path(d.home);
    for (const auto& r : *responses) {
        auto member = resolve_url(reply.url, r.href);
        if (!member.empty() && decoded_path(member) != home_path) classify(r, member, d);
    }
    return d;
}

Fetched fetch_objects(DavClient& client, const RemoteCalendar& calendar, std::size_t batch) {
    Fetched f;
    auto reply = client.send("PROPFIND", calendar.url, "1", propfind_body("<D:resourcetype/><D:getetag/>"));
    auto responses = reply.status == 207 ? read_multistatus(reply.body) : std::nullopt;
    if (!responses) {
        f.error = "listing " + calendar.url + ": " + why_not(reply);
        return f;
    }
    auto own_path = decoded_path(calendar.url);
    std::vector<std::string> hrefs, urls;
    for (const auto& r : *responses) {
        auto url = resolve_url(reply.url, r.href);
        auto* type = r.prop(names::dav_ns, "resourcetype");
        if (url.empty() || decoded_path(url) == own_path) continue;
        if (type && type->child(names::dav_ns, "collection")) continue;
        hrefs.push_back(r.href);
        urls.push_back(url);
    }
    std::map<std::string, std::string> data;  // by decoded path
    bool multiget_works = true;
    for (std::size_t i = 0; i < hrefs.size() && multiget_works; i += batch) {
        std::vector<std::string> some(hrefs.begin() + static_cast<std::ptrdiff_t>(i),
                                      hrefs.begin() + static_cast<std::ptrdiff_t>(std::min(hrefs.size(), i + batch)));
        multiget_works = multiget(client, calendar.url, some, data);
    }
    for (std::size_t i = 0; i < urls.size(); ++i) {
        auto path = decoded_path(urls[i]);
        if (auto it = data.find(path); it != data.end()) {
            f.objects.push_back({hrefs[i], std::move(it->second)});
            continue;
        }
        auto got = client.send("GET", urls[i]);
        if (got.status == 200) {
            f.objects.push_back({hrefs[i], std::move(got.body)});
        } else {
            f.skipped.push_back("resource " + hrefs[i] +
                                (got.status == 404 || got.status == 410 ? ": gone from the server while importing"
                                                                        : ": GET " + why_not(got)));
        }
    }
    return f;
}

}  // namespace server::migrate
