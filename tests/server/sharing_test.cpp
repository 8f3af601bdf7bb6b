// Calendars shared with other users over CalDAV (issue 25 §1): what each
// permission lets a sharee read and change on the shared calendar and its
// objects, that a free-busy sharee learns busy time only, and that nothing
// of the owner's other calendars is reachable.
#include <boost/test/unit_test.hpp>

#include "tests/support/server_fixture.hpp"

using test_support::basic_auth;
using test_support::HttpClient;
using test_support::HttpReply;
using test_support::ServerFixture;
using caldav::SharePermission;

namespace {

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

/// `body` without `href`: a 403 names the resource it refuses (RFC 3744
/// §7.1.1 DAV:need-privileges), which the request itself named.
std::string without(std::string body, const std::string& href) {
    for (auto at = body.find(href); at != std::string::npos; at = body.find(href)) body.erase(at, href.size());
    return body;
}

const std::string shared = "/dav/calendars/alice/calendar/";
const std::string hidden = "/dav/calendars/alice/private/";

std::string event(const std::string& uid, const std::string& summary) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//sharing//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
           "\r\nDTSTAMP:20250301T000000Z\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\nSUMMARY:" +
           summary + "\r\nDESCRIPTION:Agenda of " + summary + "\r\nLOCATION:Room 7\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
}

const std::string calendar_query = R"(<?xml version="1.0"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>)";

const std::string multiget = R"(<?xml version="1.0"?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <D:href>/dav/calendars/alice/calendar/review.ics</D:href>
  <D:href>/dav/calendars/alice/private/secret.ics</D:href>
</C:calendar-multiget>)";

const std::string sync_collection = R"(<?xml version="1.0"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level>
  <D:prop><D:getetag/></D:prop></D:sync-collection>)";

const std::string free_busy_query = R"(<?xml version="1.0"?>
<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">
  <C:time-range start="20250310T000000Z" end="20250311T000000Z"/>
</C:free-busy-query>)";

const std::string privileges_propfind = R"(<?xml version="1.0"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:current-user-privilege-set/><D:acl/></D:prop></D:propfind>)";

/// alice's calendar "calendar" holding review.ics, her unshared "private"
/// holding secret.ics, and users carol, dave, erin and zoe besides bob.
struct Sharing {
    ServerFixture f;
    std::int64_t calendar_id = 0;

    Sharing() {
        for (auto name : {"carol", "dave", "erin", "zoe"})
            f.store->add_user(name, std::string(name) + "@example.com", server::hash_password(std::string(name) + "-pw"));
        auto alice = f.store->find_principal("alice");
        f.store->provision_home(alice->id);
        caldav::CollectionRecord c;
        c.owner_id = alice->id;
        c.name = "private";
        BOOST_REQUIRE((f.store->create_collection(c) == caldav::StoreStatus::ok));
        BOOST_REQUIRE(send("alice", "PUT", shared + "review.ics", event("review", "Budget Review")).status == 201);
        BOOST_REQUIRE(send("alice", "PUT", hidden + "secret.ics", event("secret", "Secret Plan")).status == 201);
        calendar_id = f.store->find_collection(alice->id, "calendar")->id;
    }

    void share(const std::string& user, SharePermission p) {
        BOOST_REQUIRE((f.store->set_grant(calendar_id, f.store->find_principal(user)->id, p) == caldav::StoreStatus::ok));
    }

    HttpReply send(const std::string& user, const std::string& method, const std::string& path,
                   const std::string& body = {}, const std::string& headers = "Depth: 1\r\n") {
        HttpClient c(f.port);
        auto extra = headers;
        if (method == "PUT") extra += "Content-Type: text/calendar\r\n";
        else if (!body.empty()) extra += "Content-Type: application/xml\r\n";
        c.send(ServerFixture::request(method, path, body, basic_auth(user, user + "-pw"), extra));
        auto r = c.read_reply(std::chrono::seconds(10), method == "HEAD");
        BOOST_REQUIRE(r);
        return *r;
    }
};

/// Every request that reads the owner's unshared calendar or home is refused,
/// and no answer names it or what it holds.
void check_nothing_else_reachable(Sharing& s, const std::string& user) {
    for (const auto& [method, path, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"PROPFIND", "/dav/calendars/alice/", ""},
             {"PROPFIND", hidden, ""},
             {"GET", hidden + "secret.ics", ""},
             {"REPORT", hidden, calendar_query},
             {"REPORT", "/dav/calendars/alice/", sync_collection},
             {"REPORT", hidden, free_busy_query},
             {"PUT", hidden + "new.ics", event("new", "New")},
             {"DELETE", hidden + "secret.ics", ""},
             {"PROPFIND", "/dav/calendars/alice/nothing-here/", ""}}) {
        auto r = s.send(user, method, path, body);
        r.body = without(r.body, path);
        BOOST_TEST(r.status == 403, user << " " << method << " " << path << " gave " << r.status);
        BOOST_TEST(!contains(r.body, "secret"), method << " " << path);
        BOOST_TEST(!contains(r.body, "Secret Plan"), method << " " << path);
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sharing)

BOOST_AUTO_TEST_CASE(a_view_sharee_reads_the_shared_calendar_and_changes_nothing) {
    Sharing s;
    s.share("bob", SharePermission::view);
    auto get = s.send("bob", "GET", shared + "review.ics");
    BOOST_TEST(get.status == 200);
    BOOST_TEST(contains(get.body, "SUMMARY:Budget Review"));
    auto listing = s.send("bob", "PROPFIND", shared);
    BOOST_TEST(listing.status == 207);
    BOOST_TEST(contains(listing.body, "review.ics"));
    auto query = s.send("bob", "REPORT", shared, calendar_query);
    BOOST_TEST(query.status == 207);
    BOOST_TEST(contains(query.body, "Budget Review"));
    auto mget = s.send("bob", "REPORT", shared, multiget);
    BOOST_TEST(mget.status == 207);
    BOOST_TEST(contains(mget.body, "Budget Review"));
    BOOST_TEST(!contains(mget.body, "Secret Plan"));  // the other calendar's href: 403, no data
    BOOST_TEST(s.send("bob", "REPORT", shared, sync_collection).status == 207);
    auto privileges = s.send("bob", "PROPFIND", shared, privileges_propfind, "Depth: 0\r\n");
    BOOST_TEST(privileges.status == 207);
    BOOST_TEST(contains(privileges.body, "<D:read/>"));
    BOOST_TEST(!contains(privileges.body, "write-content"));

    BOOST_TEST(s.send("bob", "PUT", shared + "new.ics", event("new", "New")).status == 403);
    BOOST_TEST(s.send("bob", "PUT", shared + "review.ics", event("review", "Changed")).status == 403);
    BOOST_TEST(s.send("bob", "DELETE", shared + "review.ics").status == 403);
    // Per-user properties (caldav-sharing §5.5.3) are the sharee's own; the
    // calendar's other properties are not theirs to change.
    BOOST_TEST(s.send("bob", "PROPPATCH", shared,
                      R"(<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>)"
                      R"(<C:calendar-description>x</C:calendar-description></D:prop></D:set></D:propertyupdate>)")
                   .status == 207);
    BOOST_TEST(!contains(s.send("alice", "PROPFIND", shared, {}, "Depth: 0\r\n").body, "<C:calendar-description>x"));
    BOOST_TEST(s.send("bob", "DELETE", shared).status == 403);
    BOOST_TEST(contains(s.send("alice", "GET", shared + "review.ics").body, "SUMMARY:Budget Review"));
    check_nothing_else_reachable(s, "bob");
}

BOOST_AUTO_TEST_CASE(an_edit_sharee_creates_and_updates_but_does_not_delete) {
    Sharing s;
    s.share("carol", SharePermission::edit);
    BOOST_TEST(s.send("carol", "PUT", shared + "new.ics", event("new", "Added by Carol")).status == 201);
    auto put = s.send("carol", "PUT", shared + "review.ics", event("review", "Reviewed by Carol"));
    BOOST_TEST(put.status == 204);
    BOOST_TEST(contains(s.send("alice", "GET", shared + "review.ics").body, "SUMMARY:Reviewed by Carol"));
    BOOST_TEST(contains(s.send("alice", "GET", shared + "new.ics").body, "SUMMARY:Added by Carol"));
    BOOST_TEST(s.send("carol", "DELETE", shared + "review.ics").status == 403);
    BOOST_TEST(s.send("alice", "GET", shared + "review.ics").status == 200);
    check_nothing_else_reachable(s, "carol");
}

BOOST_AUTO_TEST_CASE(an_admin_sharee_also_deletes_members_but_not_the_calendar) {
    Sharing s;
    s.share("dave", SharePermission::admin);
    BOOST_TEST(s.send("dave", "PUT", shared + "new.ics", event("new", "New")).status == 201);
    BOOST_TEST(s.send("dave", "DELETE", shared + "review.ics").status == 204);
    BOOST_TEST(s.send("alice", "GET", shared + "review.ics").status == 404);
    // The calendar is a member of alice's home, where dave holds nothing.
    BOOST_TEST(s.send("dave", "DELETE", shared).status == 403);
    BOOST_TEST(s.send("alice", "PROPFIND", shared, {}, "Depth: 0\r\n").status == 207);
    check_nothing_else_reachable(s, "dave");
}

BOOST_AUTO_TEST_CASE(a_free_busy_sharee_gets_busy_time_and_nothing_of_the_events) {
    Sharing s;
    s.share("erin", SharePermission::free_busy);
    auto fb = s.send("erin", "REPORT", shared, free_busy_query);
    BOOST_TEST(fb.status == 200);
    BOOST_TEST(contains(fb.body, "FREEBUSY"));
    BOOST_TEST(contains(fb.body, "20250310T090000Z"));
    for (const auto& [method, path, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"GET", shared + "review.ics", ""},
             {"HEAD", shared + "review.ics", ""},
             {"GET", shared, ""},
             {"PROPFIND", shared, ""},
             {"PROPFIND", shared + "review.ics", ""},
             {"REPORT", shared, calendar_query},
             {"REPORT", shared, multiget},
             {"REPORT", shared, sync_collection},
             {"REPORT", shared + "review.ics", calendar_query},
             {"COPY", shared + "review.ics", ""},
             {"PUT", shared + "new.ics", event("new", "New")},
             {"DELETE", shared + "review.ics", ""}}) {
        auto r = s.send("erin", method, path, body,
                        method == "COPY" ? "Destination: /dav/calendars/erin/calendar/stolen.ics\r\n" : "Depth: 1\r\n");
        BOOST_TEST(r.status == 403, method << " " << path << " gave " << r.status);
        r.body = without(r.body, path);
        for (auto leak : {"Budget Review", "SUMMARY", "DESCRIPTION", "LOCATION", "review"})
            BOOST_TEST(!contains(r.body, leak), method << " " << path << " shows " << leak);
    }
    for (auto leak : {"Budget Review", "SUMMARY", "DESCRIPTION", "LOCATION", "UID:review", "review.ics"})
        BOOST_TEST(!contains(fb.body, leak), "free-busy answer shows " << leak);
    check_nothing_else_reachable(s, "erin");
}

BOOST_AUTO_TEST_CASE(an_unrelated_user_reaches_nothing_while_others_are_sharees) {
    Sharing s;
    s.share("bob", SharePermission::admin);
    for (const auto& path : {shared, shared + "review.ics"}) {
        BOOST_TEST(s.send("zoe", "PROPFIND", path).status == 403);
        BOOST_TEST(s.send("zoe", "GET", path).status == 403);
        BOOST_TEST(s.send("zoe", "REPORT", shared, calendar_query).status == 403);
    }
    check_nothing_else_reachable(s, "zoe");
}

BOOST_AUTO_TEST_CASE(revoking_a_share_ends_access_at_the_next_request) {
    Sharing s;
    s.share("bob", SharePermission::edit);
    BOOST_TEST(s.send("bob", "GET", shared + "review.ics").status == 200);
    BOOST_REQUIRE((s.f.store->remove_grant(s.calendar_id, s.f.store->find_principal("bob")->id) ==
                   caldav::StoreStatus::ok));
    BOOST_TEST(s.send("bob", "GET", shared + "review.ics").status == 403);
    BOOST_TEST(s.send("bob", "PROPFIND", shared).status == 403);
    BOOST_TEST(s.send("bob", "PUT", shared + "new.ics", event("new", "New")).status == 403);
}

BOOST_AUTO_TEST_CASE(the_owner_acl_lists_each_sharee_with_what_they_hold) {
    Sharing s;
    s.share("bob", SharePermission::view);
    s.share("carol", SharePermission::edit);
    auto r = s.send("alice", "PROPFIND", shared, privileges_propfind, "Depth: 0\r\n");
    BOOST_TEST(r.status == 207);
    BOOST_TEST(contains(r.body, "/dav/principals/users/bob/"));
    BOOST_TEST(contains(r.body, "/dav/principals/users/carol/"));
    BOOST_TEST(contains(r.body, "write-content"));
}

BOOST_AUTO_TEST_SUITE_END()
