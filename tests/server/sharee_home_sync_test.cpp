// What the owner does to a shared calendar reaches the sharee's home (issue
// 25 §7): a rename moves the sharee's home sync token and ctag and their
// sync-collection (RFC 6578) reports the calendar with its new name; a
// deletion reports it gone (404), takes it out of their home's listing and
// takes the invitation out of their notification collection.
#include <boost/test/unit_test.hpp>

#include <regex>

#include "tests/server/authorization_matrix.hpp"

using namespace matrix;

namespace {

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

const std::string xml = "Content-Type: application/xml; charset=utf-8\r\n";

/// The DAV:sync-token of a sync-collection answer.
std::string token_of(const std::string& body) {
    std::smatch m;
    BOOST_REQUIRE(std::regex_search(body, m, std::regex("<D:sync-token>([^<]*)</D:sync-token>")));
    return m[1];
}

std::string sync_body(const std::string& token) {
    return R"(<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>)" + token +
           R"(</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:displayname/></D:prop></D:sync-collection>)";
}

/// CS:getctag of `user`'s home.
std::string ctag_of(Site& site, const std::string& user) {
    auto r = site.send(user, "PROPFIND", "/dav/calendars/" + user + "/",
                       R"(<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">)"
                       R"(<D:prop><CS:getctag/></D:prop></D:propfind>)",
                       "Depth: 0\r\n" + xml);
    BOOST_REQUIRE(r.status == 207);
    std::smatch m;
    BOOST_REQUIRE(std::regex_search(r.body, m, std::regex("getctag[^>]*>([^<]+)<")));
    return m[1];
}

/// The DAV:response of `href` in a multistatus, or "".
std::string response_for(const std::string& body, const std::string& href) {
    auto at = body.find("<D:href>" + href + "</D:href>");
    if (at == std::string::npos) return {};
    auto start = body.rfind("<D:response>", at);
    return body.substr(start, body.find("</D:response>", at) - start);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sharee_home_sync)

BOOST_AUTO_TEST_CASE(the_owners_rename_of_a_shared_calendar_reaches_the_sharees_home_sync_and_ctag) {
    Site site;  // erin holds view on alice's "calendar"
    auto initial = site.send("erin", "REPORT", "/dav/calendars/erin/", sync_body(""), xml);
    BOOST_TEST_REQUIRE(initial.status == 207);
    BOOST_TEST(contains(response_for(initial.body, shared_calendar), "<D:displayname>Calendar</D:displayname>"),
               initial.body);
    auto token = token_of(initial.body);
    auto ctag = ctag_of(site, "erin");

    auto patched = site.send("alice", "PROPPATCH", shared_calendar,
                             R"(<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>)"
                             R"(<D:displayname>Budget 2025</D:displayname></D:prop></D:set></D:propertyupdate>)",
                             xml);
    BOOST_TEST_REQUIRE(patched.status == 207);
    BOOST_TEST(contains(patched.body, "200 OK"), patched.body);

    BOOST_TEST(ctag_of(site, "erin") != ctag);
    auto changes = site.send("erin", "REPORT", "/dav/calendars/erin/", sync_body(token), xml);
    BOOST_TEST_REQUIRE(changes.status == 207, changes.body);
    BOOST_TEST(contains(response_for(changes.body, shared_calendar), "<D:displayname>Budget 2025</D:displayname>"),
               changes.body);
    BOOST_TEST(token_of(changes.body) != token);
    // Nothing else of alice's is in the sharee's answer.
    BOOST_TEST(!contains(changes.body, hidden_calendar));
}

BOOST_AUTO_TEST_CASE(a_deleted_shared_calendar_leaves_the_sharees_home_and_notifications) {
    Site site;
    // zoe is invited the CalendarServer way: a notification waits for her.
    auto invite = site.send("alice", "POST", shared_calendar, bodies::cs_share, xml);
    BOOST_TEST_REQUIRE(invite.status == 200, invite.body);
    auto notes = site.send("zoe", "PROPFIND", "/dav/calendars/zoe/notification/", "", "Depth: 1\r\n");
    BOOST_TEST_REQUIRE(notes.status == 207);
    BOOST_TEST_REQUIRE(contains(notes.body, ".xml</D:href>"), notes.body);

    auto initial = site.send("erin", "REPORT", "/dav/calendars/erin/", sync_body(""), xml);
    auto token = token_of(initial.body);
    auto ctag = ctag_of(site, "erin");
    BOOST_TEST_REQUIRE(site.send("alice", "DELETE", shared_calendar).status == 204);

    BOOST_TEST(ctag_of(site, "erin") != ctag);
    auto changes = site.send("erin", "REPORT", "/dav/calendars/erin/", sync_body(token), xml);
    BOOST_TEST_REQUIRE(changes.status == 207, changes.body);
    BOOST_TEST(contains(response_for(changes.body, shared_calendar), "404"), changes.body);
    auto listing = site.send("erin", "PROPFIND", "/dav/calendars/erin/", "", "Depth: 1\r\n");
    BOOST_TEST(listing.status == 207);
    BOOST_TEST(!contains(listing.body, shared_calendar), listing.body);
    auto after = site.send("zoe", "PROPFIND", "/dav/calendars/zoe/notification/", "", "Depth: 1\r\n");
    BOOST_TEST(after.status == 207);
    BOOST_TEST(!contains(after.body, ".xml</D:href>"), after.body);
    // A calendar made again under the same name is not shared with anyone.
    BOOST_TEST_REQUIRE(site.send("alice", "MKCALENDAR", shared_calendar).status == 201);
    BOOST_TEST(site.send("erin", "PROPFIND", shared_calendar, "", "Depth: 0\r\n").status == 403);
}

BOOST_AUTO_TEST_SUITE_END()
