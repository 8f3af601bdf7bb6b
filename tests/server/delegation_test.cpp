// Delegation over CalDAV (issue 25 §5) as Apple Calendar's Delegation pane
// speaks it: the calendar-proxy-read / calendar-proxy-write group
// principals, group-member-set set by the delegator's PROPPATCH, the
// delegate's calendar-proxy-*-for and group-membership (expand-property),
// and what the delegation gives and takes away.
#include <boost/test/unit_test.hpp>

#include "tests/support/server_fixture.hpp"

using test_support::basic_auth;
using test_support::HttpClient;
using test_support::HttpReply;
using test_support::ServerFixture;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

const std::string write_group = "/dav/principals/users/alice/calendar-proxy-write/";
const std::string read_group = "/dav/principals/users/alice/calendar-proxy-read/";

std::string member_set(const std::vector<std::string>& hrefs) {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A:propertyupdate xmlns:A=\"DAV:\"><A:set><A:prop>"
                      "<A:group-member-set>";
    for (const auto& h : hrefs) out += "<A:href>" + h + "</A:href>";
    return out + "</A:group-member-set></A:prop></A:set></A:propertyupdate>";
}

// The expand-property body Apple Calendar sends for the delegate's list of
// accounts it may open (see tests/golden/sharing/delegation-flow.txt).
const std::string proxy_for_expand = R"(<?xml version="1.0" encoding="UTF-8"?>
<A:expand-property xmlns:A="DAV:">
  <A:property name="calendar-proxy-write-for" namespace="http://calendarserver.org/ns/">
    <A:property name="displayname" namespace="DAV:"/>
    <A:property name="principal-URL" namespace="DAV:"/>
    <A:property name="calendar-user-address-set" namespace="urn:ietf:params:xml:ns:caldav"/>
  </A:property>
  <A:property name="calendar-proxy-read-for" namespace="http://calendarserver.org/ns/">
    <A:property name="displayname" namespace="DAV:"/>
    <A:property name="principal-URL" namespace="DAV:"/>
    <A:property name="calendar-user-address-set" namespace="urn:ietf:params:xml:ns:caldav"/>
  </A:property>
</A:expand-property>)";

struct Delegation {
    ServerFixture f;

    Delegation() {
        f.store->add_user("carol", "carol@example.com", server::hash_password("carol-pw"));
        for (auto name : {"alice", "bob", "carol"}) f.store->provision_home(f.store->find_principal(name)->id);
    }

    HttpReply send(const std::string& user, const std::string& method, const std::string& path,
                   const std::string& body = {}, std::string headers = "Depth: 0\r\n") {
        HttpClient c(f.port);
        if (!body.empty()) headers += "Content-Type: application/xml\r\n";
        c.send(ServerFixture::request(method, path, body, basic_auth(user, user + "-pw"), headers));
        auto r = c.read_reply(std::chrono::seconds(10), method == "HEAD");
        BOOST_REQUIRE(r);
        return *r;
    }

    std::string group_members(const std::string& user, const std::string& group) {
        auto r = send(user, "PROPFIND", group,
                      "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:prop><D:group-member-set/>"
                      "<D:resourcetype/></D:prop></D:propfind>");
        BOOST_REQUIRE_EQUAL(r.status, 207);
        return r.body;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(delegation)

BOOST_AUTO_TEST_CASE(the_server_offers_calendar_proxy_and_each_user_has_two_proxy_groups) {
    Delegation d;
    auto options = d.send("alice", "OPTIONS", "/dav/principals/users/alice/");
    BOOST_TEST(has(options.header("dav"), "calendar-proxy"));
    auto body = d.group_members("alice", write_group);
    BOOST_TEST(has(body, "calendar-proxy-write"));
    BOOST_TEST(has(body, "<D:principal"));
    BOOST_TEST(has(d.group_members("alice", read_group), "calendar-proxy-read"));
    BOOST_TEST(d.send("alice", "PROPFIND", "/dav/principals/users/nobody/calendar-proxy-read/").status == 404);
}

BOOST_AUTO_TEST_CASE(the_delegators_proppatch_of_group_member_set_makes_delegates_who_see_whom_they_act_for) {
    Delegation d;
    auto r = d.send("alice", "PROPPATCH", write_group, member_set({"/dav/principals/users/bob/"}));
    BOOST_TEST(r.status == 207);
    BOOST_TEST(has(r.body, "200 OK"));
    BOOST_TEST(has(d.group_members("alice", write_group), "/dav/principals/users/bob/"));
    // By address too, into the other group.
    r = d.send("alice", "PROPPATCH", read_group, member_set({"mailto:carol@example.com"}));
    BOOST_TEST(has(r.body, "200 OK"));
    BOOST_TEST(has(d.group_members("alice", read_group), "/dav/principals/users/carol/"));
    // bob's principal names alice's account, expanded as Apple Calendar asks.
    auto expanded = d.send("bob", "REPORT", "/dav/principals/users/bob/", proxy_for_expand);
    BOOST_TEST(expanded.status == 207);
    BOOST_TEST(has(expanded.body, "calendar-proxy-write-for"));
    BOOST_TEST(has(expanded.body, "mailto:alice@example.com"));
    auto membership = d.send("bob", "PROPFIND", "/dav/principals/users/bob/",
                             "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:prop><D:group-membership/>"
                             "</D:prop></D:propfind>");
    BOOST_TEST(has(membership.body, write_group));
    // carol reads only: her -read-for names alice, her -write-for nobody.
    auto carols = d.send("carol", "REPORT", "/dav/principals/users/carol/", proxy_for_expand);
    auto write_for = carols.body.substr(0, carols.body.find("calendar-proxy-read-for"));
    BOOST_TEST(!has(write_for, "alice"));
    BOOST_TEST(has(carols.body.substr(carols.body.find("calendar-proxy-read-for")), "alice"));
}

BOOST_AUTO_TEST_CASE(only_the_delegator_names_their_delegates) {
    Delegation d;
    auto r = d.send("bob", "PROPPATCH", write_group, member_set({"/dav/principals/users/bob/"}));
    BOOST_TEST(r.status == 403);
    BOOST_TEST(!has(d.group_members("alice", write_group), "/dav/principals/users/bob/"));
    // Nobody else learns who alice's delegates are.
    BOOST_REQUIRE(d.send("alice", "PROPPATCH", write_group, member_set({"/dav/principals/users/carol/"})).status == 207);
    BOOST_TEST(!has(d.group_members("bob", write_group), "carol"));
}

BOOST_AUTO_TEST_CASE(a_group_member_set_naming_nobody_or_the_delegator_changes_nothing) {
    Delegation d;
    BOOST_REQUIRE(d.send("alice", "PROPPATCH", write_group, member_set({"/dav/principals/users/bob/"})).status == 207);
    for (const auto& bad : {"/dav/principals/users/nobody/", "/dav/principals/users/alice/", "mailto:x@elsewhere.test"}) {
        auto r = d.send("alice", "PROPPATCH", write_group, member_set({"/dav/principals/users/carol/", bad}));
        BOOST_TEST(r.status == 207);
        BOOST_TEST(has(r.body, "403"), bad);
        auto members = d.group_members("alice", write_group);
        BOOST_TEST(has(members, "/dav/principals/users/bob/"));
        BOOST_TEST(!has(members, "carol"));
    }
}

BOOST_AUTO_TEST_CASE(removing_a_delegate_takes_the_delegators_home_away) {
    Delegation d;
    BOOST_REQUIRE(d.send("alice", "PROPPATCH", read_group, member_set({"/dav/principals/users/bob/"})).status == 207);
    BOOST_TEST(d.send("bob", "PROPFIND", "/dav/calendars/alice/", {}, "Depth: 1\r\n").status == 207);
    BOOST_REQUIRE(d.send("alice", "PROPPATCH", read_group, member_set({})).status == 207);
    BOOST_TEST(d.send("bob", "PROPFIND", "/dav/calendars/alice/", {}, "Depth: 1\r\n").status == 403);
    BOOST_TEST(d.send("bob", "GET", "/dav/calendars/alice/calendar/").status == 403);
}

BOOST_AUTO_TEST_SUITE_END()
