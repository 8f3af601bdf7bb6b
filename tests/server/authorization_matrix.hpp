// The authorization matrix's axes (issue 25): the roles, the kinds of resource
// and the requests, and the site they run against — alice's calendars on one
// real server, shared with one user per permission, restored after every
// request that changed them.
#pragma once
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "src/http/feed_endpoint.hpp"
#include "tests/support/server_fixture.hpp"

namespace matrix {

/// One role: who sends the request ("" for anonymous) and what they hold on
/// alice's shared calendar.
struct Role {
    std::string_view label;
    std::string_view user;
};

/// Every role, in the order of the table's columns. alice owns everything;
/// carol, dave, erin and fay hold admin, edit, view and free-busy grants on
/// alice's "calendar"; gina and hank are in alice's calendar-proxy-read and
/// calendar-proxy-write groups (issue 25 §5: her delegates, over her whole
/// home); bob holds nothing.
inline constexpr std::array<Role, 9> roles{{
    {"owner", "alice"},
    {"admin", "carol"},
    {"edit", "dave"},
    {"view", "erin"},
    {"free-busy", "fay"},
    {"proxy-read", "gina"},
    {"proxy-write", "hank"},
    {"other", "bob"},
    {"anonymous", ""},
}};

/// One kind of resource, as alice's: its href.
struct Kind {
    std::string label;
    std::string href;
};

/// The shared calendar, its object, and alice's unshared calendar.
inline const std::string shared_calendar = "/dav/calendars/alice/calendar/";
inline const std::string shared_object = shared_calendar + "review.ics";
inline const std::string hidden_calendar = "/dav/calendars/alice/private/";

/// Stands for the path of the public feed of alice's shared calendar.
inline const std::string feed_placeholder = "{feed}";

inline const std::vector<Kind>& kinds() {
    static const std::vector<Kind> all{
        {"principal", "/dav/principals/users/alice/"},
        {"home", "/dav/calendars/alice/"},
        {"calendar", shared_calendar},
        {"object", shared_object},
        {"inbox", "/dav/calendars/alice/inbox/"},
        {"outbox", "/dav/calendars/alice/outbox/"},
        {"notifications", "/dav/calendars/alice/notification/"},
        // The shared calendar's free/busy public feed; Site::run puts in its secret.
        {"public feed", feed_placeholder},
    };
    return all;
}

/// Where a request goes: the resource itself, a new member of it, or the
/// resource with a Destination inside alice's home or in another user's.
enum class Target { self, child, copy_inside, copy_across };

/// One request of the matrix.
struct Method {
    std::string label;
    std::string verb;
    Target target = Target::self;
    std::string headers;  ///< extra header lines, each ending in CRLF
    std::string body;
};

/// What a cell must answer: one status per role, in the order of `roles`.
struct Expected {
    std::string method;
    std::string kind;
    std::array<int, roles.size()> status;
};

/// An event of alice's: organised by her with an external guest, so that
/// a leak of ATTENDEE shows.
inline std::string event(const std::string& uid, const std::string& summary) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//matrix//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
           "\r\nDTSTAMP:20250301T000000Z\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\nSUMMARY:" +
           summary + "\r\nDESCRIPTION:Agenda of " + summary +
           "\r\nLOCATION:Room 7\r\nORGANIZER:mailto:alice@example.com\r\n"
           "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
           "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:guest@elsewhere.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
}

/// The text of the shared event and of the unshared calendar: what must not
/// appear in answers to those who may not read them.
inline const std::vector<std::string> hidden_words{"private", "Hidden Plans", "secret", "Secret Plan"};
inline const std::vector<std::string> event_words{"Budget Review", "review", "Agenda", "Room 7",
                                                  "guest@elsewhere", "SUMMARY", "DESCRIPTION",
                                                  "LOCATION", "ATTENDEE"};

/// What must not appear in any answer to `role`. A delegate's grant is the
/// delegator's whole home, the unshared calendar too (CalendarServer's
/// calendar-proxy groups): nothing of hers is outside it.
inline std::vector<std::string> leaks_for(const Role& role) {
    if (role.label == "owner" || role.label.starts_with("proxy-")) return {};
    std::vector<std::string> out = hidden_words;
    if (role.label == "admin" || role.label == "edit" || role.label == "view") return out;
    out.insert(out.end(), event_words.begin(), event_words.end());
    return out;
}

namespace bodies {

inline const std::string propfind_acl = R"(<?xml version="1.0"?>
<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><D:current-user-privilege-set/>
<D:acl/><D:owner/><D:displayname/><D:resourcetype/><CS:invite/><D:invite/><D:share-access/>
<D:principal-collection-set/><D:supported-privilege-set/></D:prop></D:propfind>)";

inline const std::string proppatch_description = R"(<?xml version="1.0"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<C:calendar-description>Changed</C:calendar-description></D:prop></D:set></D:propertyupdate>)";

inline const std::string proppatch_displayname = R"(<?xml version="1.0"?>
<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>Mine</D:displayname></D:prop></D:set>
</D:propertyupdate>)";

inline const std::string calendar_query = R"(<?xml version="1.0"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>)";

inline const std::string multiget = R"(<?xml version="1.0"?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <D:href>/dav/calendars/alice/calendar/review.ics</D:href>
  <D:href>/dav/calendars/alice/private/secret.ics</D:href>
</C:calendar-multiget>)";

inline const std::string sync_collection = R"(<?xml version="1.0"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level>
  <D:prop><D:getetag/><D:displayname/></D:prop></D:sync-collection>)";

inline const std::string free_busy_query = R"(<?xml version="1.0"?>
<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">
  <C:time-range start="20250310T000000Z" end="20250311T000000Z"/>
</C:free-busy-query>)";

inline const std::string expand_property = R"(<?xml version="1.0"?>
<D:expand-property xmlns:D="DAV:"><D:property name="owner"><D:property name="displayname"/></D:property>
<D:property name="acl"/><D:property name="principal-collection-set"/></D:expand-property>)";

inline const std::string principal_property_search = R"(<?xml version="1.0"?>
<D:principal-property-search xmlns:D="DAV:"><D:property-search><D:prop><D:displayname/></D:prop>
<D:match>alice</D:match></D:property-search><D:prop><D:displayname/></D:prop></D:principal-property-search>)";

inline const std::string principal_search_property_set = R"(<?xml version="1.0"?>
<D:principal-search-property-set xmlns:D="DAV:"/>)";

inline const std::string principal_match = R"(<?xml version="1.0"?>
<D:principal-match xmlns:D="DAV:"><D:self/><D:prop><D:displayname/></D:prop></D:principal-match>)";

inline const std::string acl_principal_prop_set = R"(<?xml version="1.0"?>
<D:acl-principal-prop-set xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:acl-principal-prop-set>)";

inline const std::string outbox_free_busy =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\n"
    "UID:matrix-fb\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250310T000000Z\r\nDTEND:20250311T000000Z\r\n"
    "ORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:alice@example.com\r\nEND:VFREEBUSY\r\n"
    "END:VCALENDAR\r\n";

inline const std::string cs_share = R"(<?xml version="1.0" encoding="utf-8" ?>
<CS:share xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><CS:set>
<D:href>mailto:zoe@example.com</D:href><CS:summary>Matrix</CS:summary><CS:read/></CS:set></CS:share>)";

inline const std::string share_resource = R"(<?xml version="1.0" encoding="utf-8" ?>
<D:share-resource xmlns:D="DAV:"><D:sharee><D:href>mailto:zoe@example.com</D:href>
<D:share-access><D:read/></D:share-access></D:sharee></D:share-resource>)";

/// RFC 3744 §8.1: grant zoe read, with the entries that stand as they are.
inline const std::string acl = R"(<?xml version="1.0" encoding="utf-8" ?>
<D:acl xmlns:D="DAV:"><D:ace><D:principal><D:href>/dav/principals/users/zoe/</D:href></D:principal>
<D:grant><D:privilege><D:read/></D:privilege></D:grant></D:ace></D:acl>)";

}  // namespace bodies

/// Every request of the matrix, in the order of the table.
inline const std::vector<Method>& methods() {
    const std::string xml = "Content-Type: application/xml; charset=utf-8\r\n";
    const std::string ics = "Content-Type: text/calendar; charset=utf-8\r\n";
    static const std::vector<Method> all{
        {"OPTIONS", "OPTIONS", Target::self, "", ""},
        {"GET", "GET", Target::self, "", ""},
        {"HEAD", "HEAD", Target::self, "", ""},
        {"PUT", "PUT", Target::self, ics, event("review", "Budget Review")},
        {"PUT new member", "PUT", Target::child, ics, event("matrix-new", "Budget Review")},
        {"DELETE", "DELETE", Target::self, "", ""},
        {"PROPFIND depth 0 allprop", "PROPFIND", Target::self, "Depth: 0\r\n", ""},
        {"PROPFIND depth 1 allprop", "PROPFIND", Target::self, "Depth: 1\r\n", ""},
        {"PROPFIND depth 1 acl", "PROPFIND", Target::self, "Depth: 1\r\n" + xml, bodies::propfind_acl},
        {"PROPPATCH description", "PROPPATCH", Target::self, xml, bodies::proppatch_description},
        {"PROPPATCH displayname", "PROPPATCH", Target::self, xml, bodies::proppatch_displayname},
        {"MKCALENDAR", "MKCALENDAR", Target::child, "", ""},
        {"MKCOL", "MKCOL", Target::child, "", ""},
        {"COPY inside", "COPY", Target::copy_inside, "", ""},
        {"COPY across", "COPY", Target::copy_across, "", ""},
        {"MOVE inside", "MOVE", Target::copy_inside, "", ""},
        {"MOVE across", "MOVE", Target::copy_across, "", ""},
        {"REPORT calendar-query", "REPORT", Target::self, "Depth: 1\r\n" + xml, bodies::calendar_query},
        {"REPORT calendar-multiget", "REPORT", Target::self, "Depth: 1\r\n" + xml, bodies::multiget},
        {"REPORT sync-collection", "REPORT", Target::self, xml, bodies::sync_collection},
        {"REPORT free-busy-query", "REPORT", Target::self, "Depth: 1\r\n" + xml, bodies::free_busy_query},
        {"REPORT expand-property", "REPORT", Target::self, "Depth: 0\r\n" + xml, bodies::expand_property},
        {"REPORT principal-property-search", "REPORT", Target::self, "Depth: 0\r\n" + xml,
         bodies::principal_property_search},
        {"REPORT principal-search-property-set", "REPORT", Target::self, "Depth: 0\r\n" + xml,
         bodies::principal_search_property_set},
        {"REPORT principal-match", "REPORT", Target::self, "Depth: 0\r\n" + xml, bodies::principal_match},
        {"REPORT acl-principal-prop-set", "REPORT", Target::self, "Depth: 0\r\n" + xml,
         bodies::acl_principal_prop_set},
        {"POST VFREEBUSY", "POST", Target::self, ics, bodies::outbox_free_busy},
        {"POST CS:share", "POST", Target::self, xml, bodies::cs_share},
        {"POST DAV:share-resource", "POST", Target::self, xml, bodies::share_resource},
        {"ACL", "ACL", Target::self, xml, bodies::acl},
    };
    return all;
}

/// The last path segment of a kind's href for names made from it.
inline std::string child_href(const Kind& kind, const Method& m) {
    std::string base = kind.href.back() == '/' ? kind.href : kind.href + "/";
    if (m.verb == "PUT") return base + "matrix-new.ics";
    return base + "matrix-" + (m.verb == "MKCOL" ? std::string("col") : std::string("cal")) + "/";
}

/// The Destination of a COPY or MOVE of `kind` by `role`: inside alice's
/// home, or in the home of the actor (bob's for the owner and anonymous).
inline std::string destination(const Kind& kind, const Method& m, const Role& role, bool across) {
    std::string home = "alice";
    if (across) home = (role.user.empty() || role.user == "alice") ? "bob" : std::string(role.user);
    std::string name = (m.verb == "COPY" ? "copy-" : "move-") + kind.label;
    for (auto& ch : name)
        if (ch == ' ') ch = '-';
    if (kind.label == "object") return "/dav/calendars/" + home + "/calendar/" + name + ".ics";
    if (kind.label == "principal") return "/dav/principals/users/" + home + "-" + name + "/";
    return "/dav/calendars/" + home + "/" + name + "/";
}

/// One real server holding the matrix's users and alice's calendars.
class Site {
public:
    Site() {
        for (auto name : {"carol", "dave", "erin", "fay", "gina", "hank", "zoe"})
            f_.store->add_user(name, std::string(name) + "@example.com",
                               server::hash_password(std::string(name) + "-pw"));
        for (const auto& role : roles)
            if (!role.user.empty()) f_.store->provision_home(f_.store->find_principal(role.user)->id);
        reset();
    }

    /// Sends `m` to `kind` as `role`; a request that changed anything makes
    /// the next one start from the same state again.
    test_support::HttpReply run(const Method& m, const Kind& kind, const Role& role) {
        if (dirty_) reset();
        Kind k = kind;
        if (k.href == feed_placeholder) k.href = feed_path_;
        return send_to(m, k, role);
    }

    /// The hrefs the last request named (its path, Destination, the DAV:href
    /// elements of its body): an answer may repeat them without leaking.
    const std::vector<std::string>& echoed() const { return echoed_; }

    /// `body` without the hrefs the last request named.
    std::string without_echo(std::string body) const {
        for (const auto& h : echoed_)
            for (auto at = body.find(h); !h.empty() && at != std::string::npos; at = body.find(h)) body.erase(at, h.size());
        return body;
    }

    /// The path of the shared calendar's public feed (free/busy form).
    const std::string& feed_path() const { return feed_path_; }

private:
    test_support::HttpReply send_to(const Method& m, const Kind& kind, const Role& role) {
        std::string path = kind.href;
        std::string headers = m.headers;
        if (m.target == Target::child) path = child_href(kind, m);
        echoed_ = {path};
        if (m.target == Target::copy_inside || m.target == Target::copy_across) {
            echoed_.push_back(destination(kind, m, role, m.target == Target::copy_across));
            headers += "Destination: " + echoed_.back() + "\r\n";
        }
        for (auto at = m.body.find("<D:href>"); at != std::string::npos; at = m.body.find("<D:href>", at + 1)) {
            auto end = m.body.find("</D:href>", at);
            if (end != std::string::npos) echoed_.push_back(m.body.substr(at + 8, end - at - 8));
        }
        auto reply = send(role.user, m.verb, path, m.body, headers);
        const bool changes = !(m.verb == "GET" || m.verb == "HEAD" || m.verb == "OPTIONS" ||
                               m.verb == "PROPFIND" || m.verb == "REPORT" || m.label == "POST VFREEBUSY");
        if (changes && reply.status >= 200 && reply.status < 300) dirty_ = true;
        return reply;
    }

public:

    /// One request as `user` ("" for none).
    test_support::HttpReply send(std::string_view user, const std::string& verb, const std::string& path,
                                 const std::string& body = {}, const std::string& headers = {}) {
        test_support::HttpClient c(f_.port);
        std::string auth = user.empty() ? std::string() : test_support::basic_auth(std::string(user),
                                                                                    std::string(user) + "-pw");
        c.send(test_support::ServerFixture::request(verb, path, body, auth, headers));
        auto r = c.read_reply(std::chrono::seconds(10), verb == "HEAD");
        BOOST_REQUIRE(r);
        return *r;
    }

    /// alice's home as at the start: "calendar" holding review.ics, shared
    /// with one user per permission, and the unshared "private" holding
    /// secret.ics; any other collection of hers is gone.
    void reset() {
        auto& store = *f_.store;
        auto alice = store.find_principal("alice");
        store.provision_home(alice->id);
        for (const auto& c : store.list_collections(alice->id))
            if (c.kind == caldav::CollectionKind::calendar || c.kind == caldav::CollectionKind::plain)
                BOOST_REQUIRE((store.delete_collection(c.id) == caldav::StoreStatus::ok));
        for (auto [name, display] : {std::pair{"calendar", "Calendar"}, std::pair{"private", "Hidden Plans"}}) {
            caldav::CollectionRecord c;
            c.owner_id = alice->id;
            c.name = name;
            c.display_name = display;
            c.components = "VEVENT,VTODO";
            BOOST_REQUIRE((store.create_collection(c) == caldav::StoreStatus::ok));
        }
        BOOST_REQUIRE(send("alice", "PUT", shared_object, event("review", "Budget Review"),
                           "Content-Type: text/calendar\r\n").status == 201);
        BOOST_REQUIRE(send("alice", "PUT", hidden_calendar + "secret.ics", event("secret", "Secret Plan"),
                           "Content-Type: text/calendar\r\n").status == 201);
        calendar_id_ = store.find_collection(alice->id, "calendar")->id;
        using caldav::SharePermission;
        for (auto [user, p] : {std::pair{"carol", SharePermission::admin}, std::pair{"dave", SharePermission::edit},
                               std::pair{"erin", SharePermission::view}, std::pair{"fay", SharePermission::free_busy}})
            BOOST_REQUIRE((store.set_grant(calendar_id_, store.find_principal(user)->id, p) ==
                           caldav::StoreStatus::ok));
        caldav::PublicFeed feed;
        auto status = caldav::StoreStatus::ok;
        auto token = server::create_feed(store, *alice, *store.find_collection(alice->id, "calendar"), true, feed, status);
        BOOST_REQUIRE((status == caldav::StoreStatus::ok));
        feed_path_ = server::feed_path(token);
        for (auto [user, mode] : {std::pair{"gina", caldav::ProxyMode::read}, std::pair{"hank", caldav::ProxyMode::write}})
            BOOST_REQUIRE((store.set_delegates(alice->id, mode, {store.find_principal(user)->id}) ==
                           caldav::StoreStatus::ok));
        dirty_ = false;
    }

    test_support::ServerFixture& fixture() { return f_; }
    std::int64_t calendar_id() const { return calendar_id_; }

private:
    test_support::ServerFixture f_;
    std::int64_t calendar_id_ = 0;
    std::string feed_path_;
    std::vector<std::string> echoed_;
    bool dirty_ = false;
};

}  // namespace matrix
