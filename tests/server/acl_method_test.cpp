// The ACL method on a calendar (RFC 3744 §8.1, issue 25): ACEs for user
// principals granting read, read + write-content + bind, read + write or
// all, or read-free-busy become view, edit, admin and free-busy grants;
// DAV:acl shows them; every other ACE is refused with its precondition; and
// 403 answers name the privileges they lack (DAV:need-privileges, §7.1.1).
#include <boost/test/unit_test.hpp>

#include "tests/server/authorization_matrix.hpp"

using namespace matrix;

namespace {

const std::string xml_headers = "Content-Type: application/xml; charset=utf-8\r\n";

/// An ACL body of one ACE per (principal element, privileges) pair.
std::string acl_of(const std::vector<std::pair<std::string, std::string>>& aces) {
    std::string out = R"(<?xml version="1.0" encoding="utf-8"?><D:acl xmlns:D="DAV:" )"
                      R"(xmlns:C="urn:ietf:params:xml:ns:caldav">)";
    for (const auto& [principal, privileges] : aces)
        out += "<D:ace><D:principal>" + principal + "</D:principal><D:grant>" + privileges + "</D:grant></D:ace>";
    return out + "</D:acl>";
}

std::string href(const std::string& user) { return "<D:href>/dav/principals/users/" + user + "/</D:href>"; }

std::string privileges(std::initializer_list<const char*> names) {
    std::string out;
    for (auto n : names) out += std::string("<D:privilege><") + n + "/></D:privilege>";
    return out;
}

/// The grant of `user` on alice's shared calendar, or "none".
std::string permission_of(Site& site, const std::string& user) {
    auto& store = *site.fixture().store;
    for (const auto& g : store.grants_of_collection(site.calendar_id()))
        if (g.grantee.name == user && g.status == caldav::InviteStatus::accepted)
            return std::string(caldav::share_permission_name(g.permission));
    return "none";
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(acl_method)

BOOST_AUTO_TEST_CASE(an_acl_request_by_the_owner_replaces_the_calendars_grants) {
    Site site;
    auto r = site.send("alice", "ACL", shared_calendar,
                       acl_of({{href("zoe"), privileges({"D:read"})},
                               {href("bob"), privileges({"D:read", "D:write-content", "D:bind"})},
                               {href("carol"), privileges({"D:all"})},
                               {href("dave"), privileges({"C:read-free-busy"})},
                               {"<D:href>mailto:erin@example.com</D:href>", privileges({"D:read", "D:write"})}}),
                       xml_headers);
    BOOST_TEST(r.status == 200, r.body);
    BOOST_TEST(permission_of(site, "zoe") == "view");
    BOOST_TEST(permission_of(site, "bob") == "edit");
    BOOST_TEST(permission_of(site, "carol") == "admin");
    BOOST_TEST(permission_of(site, "dave") == "free-busy");
    BOOST_TEST(permission_of(site, "erin") == "admin");
    BOOST_TEST(permission_of(site, "fay") == "none");  // not named: no longer shared
    // The grants are in force at once.
    BOOST_TEST(site.send("bob", "GET", shared_object).status == 200);
    BOOST_TEST(site.send("fay", "REPORT", shared_calendar, bodies::free_busy_query, xml_headers).status == 403);
}

BOOST_AUTO_TEST_CASE(dav_acl_shows_the_grants_and_a_client_may_send_them_back_as_they_are) {
    Site site;
    auto before = site.send("alice", "PROPFIND", shared_calendar, bodies::propfind_acl, "Depth: 0\r\n" + xml_headers);
    BOOST_TEST(before.status == 207);
    for (auto user : {"carol", "dave", "erin", "fay"})
        BOOST_TEST(contains(before.body, "/dav/principals/users/" + std::string(user) + "/"), user);
    // The owner's entry is protected; the grants are not.
    BOOST_TEST(contains(before.body, "<D:protected/>"));
    // Echo of the readable ACL (as clients that edit it do): the owner's
    // ACE with DAV:all, then one ACE per grant with what DAV:acl showed.
    auto echo = acl_of({{href("alice"), privileges({"D:all"})},
                        {href("carol"), privileges({"D:read", "D:write", "D:read-acl",
                                                    "D:read-current-user-privilege-set"})},
                        {href("dave"), privileges({"D:read", "D:write-content", "D:bind",
                                                   "D:read-current-user-privilege-set"})},
                        {href("erin"), privileges({"D:read", "D:read-current-user-privilege-set"})},
                        {href("fay"), privileges({"C:read-free-busy"})}});
    BOOST_TEST(site.send("alice", "ACL", shared_calendar, echo, xml_headers).status == 200);
    BOOST_TEST(permission_of(site, "carol") == "admin");
    BOOST_TEST(permission_of(site, "dave") == "edit");
    BOOST_TEST(permission_of(site, "erin") == "view");
    BOOST_TEST(permission_of(site, "fay") == "free-busy");
    // An object inherits its calendar's grants.
    auto object = site.send("alice", "PROPFIND", shared_object,
                            R"(<D:propfind xmlns:D="DAV:"><D:prop><D:acl/><D:inherited-acl-set/></D:prop></D:propfind>)",
                            "Depth: 0\r\n" + xml_headers);
    BOOST_TEST(contains(object.body, "<D:inherited><D:href>/dav/calendars/alice/calendar/</D:href></D:inherited>"),
               object.body);
}

BOOST_AUTO_TEST_CASE(every_other_ace_is_refused_with_the_rfcs_precondition_and_nothing_changes) {
    Site site;
    const std::vector<std::pair<std::string, std::string>> refused{
        {acl_of({{"<D:all/>", privileges({"D:read"})}}), "allowed-principal"},
        {acl_of({{"<D:authenticated/>", privileges({"D:read"})}}), "allowed-principal"},
        {acl_of({{"<D:unauthenticated/>", privileges({"D:read"})}}), "allowed-principal"},
        {acl_of({{"<D:property><D:owner/></D:property>", privileges({"D:read"})}}), "allowed-principal"},
        {acl_of({{"<D:href>/dav/principals/users/nobody/</D:href>", privileges({"D:read"})}}), "recognized-principal"},
        {acl_of({{"<D:href>mailto:stranger@elsewhere.example</D:href>", privileges({"D:read"})}}),
         "recognized-principal"},
        {acl_of({{href("zoe"), privileges({"D:write-content"})}}), "not-supported-privilege"},
        {acl_of({{href("zoe"), privileges({"D:read", "D:unbind"})}}), "not-supported-privilege"},
        {acl_of({{href("zoe"), privileges({"D:write-acl"})}}), "not-supported-privilege"},
        {acl_of({{href("zoe"), "<D:privilege><D:frobnicate/></D:privilege>"}}), "not-supported-privilege"},
        {acl_of({{href("zoe"), privileges({"D:read"})}, {href("zoe"), privileges({"D:all"})}}), "no-ace-conflict"},
        {acl_of({{href("alice"), privileges({"D:read"})}}), "no-protected-ace-conflict"},
        {R"(<D:acl xmlns:D="DAV:"><D:ace><D:principal>)" + href("zoe") +
             R"(</D:principal><D:deny><D:privilege><D:read/></D:privilege></D:deny></D:ace></D:acl>)",
         "grant-only"},
        {R"(<D:acl xmlns:D="DAV:"><D:ace><D:invert><D:principal>)" + href("zoe") +
             R"(</D:principal></D:invert><D:grant><D:privilege><D:read/></D:privilege></D:grant></D:ace></D:acl>)",
         "no-invert"},
    };
    for (const auto& [body, precondition] : refused) {
        auto r = site.send("alice", "ACL", shared_calendar, body, xml_headers);
        BOOST_TEST(r.status == 403, precondition << ": " << r.status << " " << r.body);
        BOOST_TEST(contains(r.body, "<D:" + precondition + "/>"), precondition << ": " << r.body);
        BOOST_TEST(permission_of(site, "carol") == "admin");
        BOOST_TEST(permission_of(site, "zoe") == "none");
    }
    // Elsewhere every entry is ownership's.
    for (auto path : {"/dav/calendars/alice/", "/dav/calendars/alice/inbox/", shared_object.c_str()}) {
        auto r = site.send("alice", "ACL", path, acl_of({{href("zoe"), privileges({"D:read"})}}), xml_headers);
        BOOST_TEST(r.status == 403, path);
        BOOST_TEST(contains(r.body, "no-protected-ace-conflict"), path);
    }
}

BOOST_AUTO_TEST_CASE(only_the_owner_changes_the_acl_and_403s_name_the_missing_privilege) {
    Site site;
    const auto body = acl_of({{href("zoe"), privileges({"D:read"})}});
    for (auto user : {"carol", "dave", "erin", "fay", "bob"}) {
        auto r = site.send(user, "ACL", shared_calendar, body, xml_headers);
        BOOST_TEST(r.status == 403, user);
        BOOST_TEST(contains(r.body, "<D:need-privileges><D:resource><D:href>/dav/calendars/alice/calendar/</D:href>"),
                   user << ": " << r.body);
        BOOST_TEST(permission_of(site, "zoe") == "none");
    }
    // carol (admin) lacks write-acl; erin (view) lacks write-content to PUT.
    BOOST_TEST(contains(site.send("carol", "ACL", shared_calendar, body, xml_headers).body,
                        "<D:privilege><D:write-acl/></D:privilege>"));
    auto put = site.send("erin", "PUT", shared_object, event("review", "Budget Review"), "Content-Type: text/calendar\r\n");
    BOOST_TEST(put.status == 403);
    BOOST_TEST(contains(put.body, "<D:privilege><D:write-content/></D:privilege>"), put.body);
    auto fb = site.send("fay", "GET", shared_object);
    BOOST_TEST(fb.status == 403);
    BOOST_TEST(contains(fb.body, "<D:privilege><D:read/></D:privilege>"), fb.body);
}

BOOST_AUTO_TEST_SUITE_END()
