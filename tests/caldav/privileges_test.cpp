// Authorization decisions (issue 23 §4): a table of method × resource kind ×
// role → status, driven through caldav::Service over a real SqliteStore; the
// privilege model (caldav/privileges.hpp) and the one check on its own.
#include "caldav/privileges.hpp"

#define BOOST_TEST_MODULE privileges
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <ostream>
#include <string>

#include "caldav/context.hpp"
#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
#include "caldav/service.hpp"
#include "src/storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace caldav;

namespace caldav {
// For failure messages: the names, and the bits behind them.
std::ostream& operator<<(std::ostream& out, Privileges p) {
    return out << privilege_elements(p) << " (" << static_cast<std::uint32_t>(p) << ")";
}
}  // namespace caldav

namespace {

const std::string event =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:priv-1\r\n"
    "DTSTAMP:20240101T000000Z\r\nDTSTART:20240102T090000Z\r\nDTEND:20240102T100000Z\r\n"
    "SUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

const std::string other_event = [] {
    auto s = event;
    s.replace(s.find("priv-1"), 6, "priv-2");
    return s;
}();

const std::string freebusy_request =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\n"
    "UID:fb-1\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240102T000000Z\r\nDTEND:20240103T000000Z\r\n"
    "ORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:alice@example.com\r\nEND:VFREEBUSY\r\n"
    "END:VCALENDAR\r\n";

/// Alice's resources, one of each kind, and bob, another authenticated user.
struct World {
    test_support::TempDir dir;
    std::unique_ptr<server::SqliteStore> store;
    std::unique_ptr<Service> service;

    World() {
        server::SqliteOptions o;
        o.file = dir.path() / "k.sqlite3";
        store = server::SqliteStore::open(o);
        store->add_user("alice", "alice@example.com", "$y$x");
        store->add_user("bob", "bob@example.com", "$y$x");
        service = std::make_unique<Service>(*store, Limits{});
        Request put;
        put.headers.set("Content-Type", "text/calendar");
        put.body = event;
        send("alice", "PUT", "/dav/calendars/alice/calendar/e1.ics", put, 201);
        send("alice", "MKCOL", "/dav/calendars/alice/files/", {}, 201);
        Request file;
        file.headers.set("Content-Type", "text/plain");
        file.body = "hello";
        send("alice", "PUT", "/dav/calendars/alice/files/f.txt", file, 201);
    }

    Response send(const std::string& user, const std::string& method, const std::string& path,
                  Request r, int expected = 0) {
        r.method = method;
        r.path = path;
        r.principal = Principal{store->find_principal(user)->id, user};
        auto res = service->handle(r);
        res.collect();
        if (expected)
            BOOST_REQUIRE_MESSAGE(res.status == expected,
                                  method << " " << path << ": " << res.body);
        return res;
    }
};

enum class Role { owner, other };

/// One request shape: the method and what it sends.
struct Shape {
    std::string name;  ///< as the table names it
    std::string method;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

const std::vector<Shape>& shapes() {
    static const std::vector<Shape> all{
        {"OPTIONS", "OPTIONS", "", {}},
        {"PROPFIND", "PROPFIND", "", {{"Depth", "0"}}},
        {"PROPFIND-1", "PROPFIND", "", {{"Depth", "1"}}},
        {"PROPPATCH",
         "PROPPATCH",
         "<D:propertyupdate "
         "xmlns:D=\"DAV:\"><D:set><D:prop><D:displayname>x</D:displayname></D:prop></D:set>"
         "</D:propertyupdate>",
         {}},
        {"MKCALENDAR", "MKCALENDAR", "", {}},
        {"MKCOL", "MKCOL", "", {}},
        {"DELETE", "DELETE", "", {}},
        {"REPORT",
         "REPORT",
         "<D:expand-property xmlns:D=\"DAV:\"><D:property name=\"owner\"/></D:expand-property>",
         {{"Depth", "0"}}},
        {"REPORT-acl",
         "REPORT",
         "<D:acl-principal-prop-set "
         "xmlns:D=\"DAV:\"><D:prop><D:displayname/></D:prop></D:acl-principal-prop-set>",
         {{"Depth", "0"}}},
        {"GET", "GET", "", {}},
        {"HEAD", "HEAD", "", {}},
        {"PUT", "PUT", event, {{"Content-Type", "text/calendar"}}},
        {"PUT-new", "PUT", other_event, {{"Content-Type", "text/calendar"}}},
        {"POST", "POST", freebusy_request, {{"Content-Type", "text/calendar"}}},
        {"COPY",
         "COPY",
         "",
         {{"Destination", "/dav/calendars/alice/copied/"}, {"Depth", "infinity"}}},
        {"COPY-obj", "COPY", "", {{"Destination", "/dav/calendars/alice/files/copied.ics"}}},
        {"COPY-away", "COPY", "", {{"Destination", "/dav/calendars/bob/calendar/copied.ics"}}},
        {"MOVE",
         "MOVE",
         "",
         {{"Destination", "/dav/calendars/alice/moved/"}, {"Depth", "infinity"}}},
        {"MOVE-obj", "MOVE", "", {{"Destination", "/dav/calendars/alice/files/moved.ics"}}},
        {"MOVE-away",
         "MOVE",
         "",
         {{"Destination", "/dav/calendars/bob/moved/"}, {"Depth", "infinity"}}},
        {"ACL", "ACL", "<D:acl xmlns:D=\"DAV:\"/>", {}},
        {"LOCK", "LOCK", "", {}},
    };
    return all;
}

const std::vector<std::pair<std::string, std::string>>& kinds() {
    static const std::vector<std::pair<std::string, std::string>> all{
        {"root", "/dav/"},
        {"principals", "/dav/principals/users/"},
        {"principal", "/dav/principals/users/alice/"},
        {"home", "/dav/calendars/alice/"},
        {"calendar", "/dav/calendars/alice/calendar/"},
        {"inbox", "/dav/calendars/alice/inbox/"},
        {"outbox", "/dav/calendars/alice/outbox/"},
        {"object", "/dav/calendars/alice/calendar/e1.ics"},
        {"plain", "/dav/calendars/alice/files/"},
        {"resource", "/dav/calendars/alice/files/f.txt"},
        {"new-object", "/dav/calendars/alice/calendar/new.ics"},
        {"new-collection", "/dav/calendars/alice/new/"},
    };
    return all;
}

/// One expected answer: a status, and for errors the precondition element.
using Answer = const char*;
constexpr Answer NP = "403 need-privileges";
constexpr Answer ACE = "403 no-protected-ace-conflict";
constexpr Answer LOC = "403 calendar-collection-location-ok";
constexpr Answer NULL_ = "403 resource-must-be-null";
constexpr Answer TAKEN = "405 resource-must-be-null";  // RFC 4918 §9.3.1: plain MKCOL
constexpr Answer UID = "403 no-uid-conflict";

/// A request shape as the owner or as another user, on each kind of kinds().
struct Row {
    const char* shape;
    Role role;
    std::array<Answer, 12> answers;
};

// The answers clients got before issue 23 moved the checks into one place,
// captured from that code. In another user's home everything is refused;
// principals and the collections above them are readable by all, and what a
// method cannot do there is refused alike for everyone.
// clang-format off
//                                root    principals principal home    calendar inbox  outbox  object  plain   resource new-object new-collection
const Row table[] = {
    {"OPTIONS", Role::owner, {"200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200"}},
    {"OPTIONS", Role::other, {"200", "200", "200", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"PROPFIND", Role::owner, {"207", "207", "207", "207", "207", "207", "207", "207", "207", "207", "404", "404"}},
    {"PROPFIND", Role::other, {"207", "207", "207", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"PROPFIND-1", Role::owner, {"207", "207", "207", "207", "207", "207", "207", "207", "207", "207", "404", "404"}},
    {"PROPFIND-1", Role::other, {"207", "207", "207", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"PROPPATCH", Role::owner, {"207", "207", "207", "207", "207", "207", "207", "207", "207", "207", "404", "404"}},
    {"PROPPATCH", Role::other, {"207", "207", "207", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"MKCALENDAR", Role::owner, {LOC, LOC, LOC, LOC, NULL_, NULL_, NULL_, NULL_, NULL_, NULL_, LOC, "201"}},
    {"MKCALENDAR", Role::other, {LOC, LOC, LOC, NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"MKCOL", Role::owner, {"405", "405", "405", "405", TAKEN, TAKEN, TAKEN, TAKEN, TAKEN, TAKEN, "403", "201"}},
    {"MKCOL", Role::other, {"405", "405", "405", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"DELETE", Role::owner, {NP, NP, NP, NP, "204", NP, NP, "204", "204", "204", "404", "404"}},
    {"DELETE", Role::other, {NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"REPORT", Role::owner, {"207", "207", "207", "207", "207", "207", "207", "207", "207", "207", "404", "404"}},
    {"REPORT", Role::other, {"207", "207", "207", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"REPORT-acl", Role::owner, {NP, NP, "207", "207", "207", "207", "207", "207", "207", "207", "404", "404"}},
    {"REPORT-acl", Role::other, {NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"GET", Role::owner, {"405", "405", "405", "405", "200", "405", "405", "200", "405", "200", "404", "405"}},
    {"GET", Role::other, {"405", "405", "405", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"HEAD", Role::owner, {"405", "405", "405", "405", "200", "405", "405", "200", "405", "200", "404", "405"}},
    {"HEAD", Role::other, {"405", "405", "405", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"PUT", Role::owner, {"405", "405", "405", "405", "405", "405", "405", "204", "405", "204", UID, "405"}},
    {"PUT", Role::other, {"405", "405", "405", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"PUT-new", Role::owner, {"405", "405", "405", "405", "405", "405", "405", UID, "405", "204", "201", "405"}},
    {"PUT-new", Role::other, {"405", "405", "405", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"POST", Role::owner, {"405", "405", "405", "405", "405", "405", "200", "405", "405", "405", "405", "405"}},
    {"POST", Role::other, {"405", "405", "405", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"COPY", Role::owner, {"405", "405", "405", "405", "405", "405", "405", "409", "201", "409", "404", "405"}},
    {"COPY", Role::other, {"405", "405", "405", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"COPY-obj", Role::owner, {"405", "405", "405", "405", "405", "405", "405", "201", "409", "201", "404", "405"}},
    {"COPY-obj", Role::other, {"405", "405", "405", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"COPY-away", Role::owner, {"405", "405", "405", "405", "405", "405", "405", NP, NP, NP, "404", "405"}},
    {"COPY-away", Role::other, {"405", "405", "405", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"MOVE", Role::owner, {"405", "405", "405", "405", "201", "405", "405", "409", "201", "409", "404", "404"}},
    {"MOVE", Role::other, {"405", "405", "405", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"MOVE-obj", Role::owner, {"405", "405", "405", "405", LOC, "405", "405", "201", "409", "201", "404", "404"}},
    {"MOVE-obj", Role::other, {"405", "405", "405", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"MOVE-away", Role::owner, {"405", "405", "405", "405", NP, "405", "405", NP, NP, NP, "404", "404"}},
    {"MOVE-away", Role::other, {"405", "405", "405", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"ACL", Role::owner, {ACE, ACE, ACE, ACE, "200", ACE, ACE, ACE, ACE, ACE, "404", "404"}},
    {"ACL", Role::other, {ACE, ACE, ACE, NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"LOCK", Role::owner, {"405", "405", "405", "405", "405", "405", "405", "405", "405", "405", "405", "405"}},
    {"LOCK", Role::other, {"405", "405", "405", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
};
// clang-format on

std::string answer_of(const Response& r) {
    return r.precondition.empty() ? std::to_string(r.status)
                                  : std::to_string(r.status) + " " + r.precondition;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(authorization_table)

BOOST_AUTO_TEST_CASE(every_method_kind_and_role_gets_todays_answer) {
    BOOST_TEST(std::size(table) == shapes().size() * 2);
    for (const auto& row : table) {
        const auto shape = std::find_if(shapes().begin(), shapes().end(),
                                        [&](const Shape& s) { return s.name == row.shape; });
        BOOST_REQUIRE(shape != shapes().end());
        const auto* user = row.role == Role::owner ? "alice" : "bob";
        for (std::size_t k = 0; k < kinds().size(); ++k) {
            World w;  // fresh data for every request: DELETE and MOVE change it
            Request r;
            r.body = shape->body;
            for (const auto& [n, v] : shape->headers) r.headers.set(n, v);
            auto res = w.send(user, shape->method, kinds()[k].second, r);
            BOOST_TEST(answer_of(res) == std::string(row.answers[k]),
                       row.shape << " " << kinds()[k].first << " as " << user << ": got "
                                 << answer_of(res));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(body_dependent_checks)

BOOST_AUTO_TEST_CASE(multiget_answers_403_for_hrefs_in_another_home_and_reads_its_own) {
    World w;
    Request r;
    r.headers.set("Depth", "1");
    r.body =
        "<C:calendar-multiget xmlns:D=\"DAV:\" "
        "xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop><D:getetag/>"
        "</D:prop><D:href>/dav/calendars/alice/calendar/e1.ics</D:href>"
        "<D:href>/dav/calendars/bob/calendar/e1.ics</D:href>"
        "<D:href>/dav/calendars/nobody/calendar/e1.ics</D:href></C:calendar-multiget>";
    auto alice = w.send("alice", "REPORT", "/dav/calendars/alice/calendar/", r, 207);
    auto status_of = [](const std::string& body, const std::string& href) {
        auto at = body.find("<D:href>" + href + "</D:href>");
        return at == std::string::npos ? std::string("absent")
                                       : body.substr(body.find("HTTP/1.1 ", at) + 9, 3);
    };
    BOOST_TEST(status_of(alice.body, "/dav/calendars/alice/calendar/e1.ics") == "200");
    BOOST_TEST(status_of(alice.body, "/dav/calendars/bob/calendar/e1.ics") == "403");
    BOOST_TEST(status_of(alice.body, "/dav/calendars/nobody/calendar/e1.ics") == "403");
}

BOOST_AUTO_TEST_CASE(a_principals_acl_is_read_by_its_owner_only) {
    World w;
    Request r;
    r.headers.set("Depth", "0");
    r.body =
        "<D:propfind "
        "xmlns:D=\"DAV:\"><D:prop><D:acl/><D:current-user-privilege-set/></D:prop></D:propfind>";
    auto own = w.send("alice", "PROPFIND", "/dav/principals/users/alice/", r, 207);
    BOOST_TEST(
        own.body.find(
            "<D:acl><D:ace><D:principal><D:authenticated/></D:principal><D:grant><D:privilege>"
            "<D:read/></D:privilege><D:privilege><D:read-current-user-privilege-set/>"
            "</D:privilege></D:grant><D:protected/></D:ace><D:ace><D:principal><D:href>"
            "/dav/principals/users/alice/</D:href></D:principal><D:grant><D:privilege><D:read/>"
            "</D:privilege><D:privilege><D:read-acl/></D:privilege></D:grant><D:protected/>"
            "</D:ace></D:acl>") != std::string::npos,
        own.body);
    auto other = w.send("bob", "PROPFIND", "/dav/principals/users/alice/", r, 207);
    BOOST_TEST(other.body.find("<D:acl/>") != std::string::npos,
               other.body);  // among the 404 properties
    BOOST_TEST(other.body.find("<D:read-acl/>") == std::string::npos, other.body);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(privilege_model)

using P = Privileges;

PrincipalRecord principal(std::int64_t id, std::string name) {
    PrincipalRecord p;
    p.id = id;
    p.name = std::move(name);
    return p;
}

Resource resource(ResourceKind kind, std::optional<PrincipalRecord> owner, bool exists = true) {
    Resource r;
    r.kind = kind;
    r.owner = std::move(owner);
    r.exists = exists;
    return r;
}

BOOST_AUTO_TEST_CASE(aggregates_hold_their_members) {
    BOOST_TEST(holds(P::all, P::write_content));
    BOOST_TEST(holds(P::all, P::schedule_send_freebusy));
    BOOST_TEST(holds(P::write, P::bind));
    BOOST_TEST(holds(P::read, P::read_free_busy));                       // RFC 4791 §6.1.1
    BOOST_TEST(holds(P::schedule_deliver, P::schedule_query_freebusy));  // RFC 6638 §6.1.1
    BOOST_TEST(!holds(P::read, P::write_content));
    BOOST_TEST(!holds(P::write, P::write_acl));
    BOOST_TEST(!holds(P::read_free_busy, P::read));
    BOOST_TEST(holds(P::none, P::none));
}

BOOST_AUTO_TEST_CASE(the_table_is_a_tree_whose_aggregates_are_their_members) {
    auto rows = privilege_names();
    BOOST_TEST(rows.front().privilege == P::all);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        BOOST_TEST(privilege_name(rows[i].privilege) == &rows[i],
                   rows[i].local);  // one row per privilege
        Privileges members = P::none;
        for (std::size_t j = i + 1; j < rows.size() && rows[j].depth > rows[i].depth; ++j) {
            BOOST_TEST(holds(rows[i].privilege, rows[j].privilege),
                       rows[j].local << " in " << rows[i].local);
            members |= rows[j].privilege;
        }
        // Only DAV:read has a part of its own (reading content) besides its
        // members, and DAV:all the unnamed share privilege (issue 25).
        if (members != P::none && rows[i].privilege != P::read && rows[i].privilege != P::all)
            BOOST_TEST((members == rows[i].privilege), rows[i].local);
        if (rows[i].privilege == P::all) BOOST_TEST(((members | P::share) == P::all));
    }
}

BOOST_AUTO_TEST_CASE(owners_hold_all_in_their_home_and_others_nothing) {
    auto alice = principal(1, "alice"), bob = principal(2, "bob");
    for (auto kind : {ResourceKind::home, ResourceKind::collection, ResourceKind::object}) {
        BOOST_TEST((privileges_of(resource(kind, alice), alice) == P::all));
        BOOST_TEST((privileges_of(resource(kind, alice), bob) == P::none));
        BOOST_TEST(
            (privileges_of(resource(kind, alice, false), alice) == P::all));  // not yet created
    }
}

BOOST_AUTO_TEST_CASE(principals_are_readable_by_everyone_and_their_acl_by_their_owner) {
    auto alice = principal(1, "alice"), bob = principal(2, "bob");
    const auto readable = P::read | P::read_current_user_privilege_set;
    BOOST_TEST((privileges_of(resource(ResourceKind::principal, alice), bob) == readable));
    BOOST_TEST((privileges_of(resource(ResourceKind::principal, alice), alice) ==
                (readable | P::read_acl)));
    for (auto kind : {ResourceKind::root, ResourceKind::principals, ResourceKind::calendars_root})
        BOOST_TEST((privileges_of(resource(kind, std::nullopt), bob) == readable));
}

BOOST_AUTO_TEST_CASE(current_user_privilege_set_names_what_the_actor_holds) {
    auto alice = principal(1, "alice"), bob = principal(2, "bob");
    auto calendar = resource(ResourceKind::collection, alice);
    BOOST_TEST(
        current_user_privilege_set_xml(privileges_of(calendar, alice), k_calendar) ==
        "<D:privilege><D:read/></D:privilege>"
        "<D:privilege><D:read-current-user-privilege-set/></D:privilege>"
        "<D:privilege><D:write/></D:privilege><D:privilege><D:write-properties/></D:privilege>"
        "<D:privilege><D:write-content/></D:privilege><D:privilege><D:bind/></D:privilege>"
        "<D:privilege><D:unbind/></D:privilege><D:privilege><D:read-acl/></D:privilege>"
        "<D:privilege><C:read-free-busy/></D:privilege>");
    BOOST_TEST(current_user_privilege_set_xml(privileges_of(calendar, bob), k_calendar).empty());
    auto own = resource(ResourceKind::principal, alice);
    BOOST_TEST(current_user_privilege_set_xml(privileges_of(own, bob), k_principal) ==
               "<D:privilege><D:read/></D:privilege>"
               "<D:privilege><D:read-current-user-privilege-set/></D:privilege>");
    BOOST_TEST(current_user_privilege_set_xml(privileges_of(own, alice), k_principal) ==
               "<D:privilege><D:read/></D:privilege>"
               "<D:privilege><D:read-current-user-privilege-set/></D:privilege>"
               "<D:privilege><D:read-acl/></D:privilege>");
    // A sharee's read-only grant (issue 25) would read as read and its parts.
    BOOST_TEST(
        current_user_privilege_set_xml(P::read | P::read_current_user_privilege_set, k_calendar) ==
        "<D:privilege><D:read/></D:privilege>"
        "<D:privilege><D:read-current-user-privilege-set/></D:privilege>"
        "<D:privilege><C:read-free-busy/></D:privilege>");
}

BOOST_AUTO_TEST_CASE(grants_name_aggregates_held_whole) {
    BOOST_TEST(privilege_elements(P::all) == "<D:privilege><D:all/></D:privilege>");
    BOOST_TEST(privilege_elements(P::read | P::read_acl) ==
               "<D:privilege><D:read/></D:privilege><D:privilege><D:read-acl/></D:privilege>");
    BOOST_TEST(privilege_elements(P::write_content | P::bind) ==
               "<D:privilege><D:write-content/></D:privilege><D:privilege><D:bind/></D:privilege>");
}

BOOST_AUTO_TEST_CASE(scheduling_privileges_are_listed_on_inbox_and_outbox_only) {
    auto has = [](const std::string& xml, const std::string& s) {
        return xml.find(s) != std::string::npos;
    };
    BOOST_TEST(has(supported_privilege_set_xml(k_inbox), "schedule-deliver"));
    BOOST_TEST(!has(supported_privilege_set_xml(k_inbox), "schedule-send"));
    BOOST_TEST(has(supported_privilege_set_xml(k_outbox), "schedule-send"));
    BOOST_TEST(!has(supported_privilege_set_xml(k_calendar), "schedule-"));
    BOOST_TEST(has(supported_privilege_set_xml(k_calendar), "<C:read-free-busy/>"));
}

/// A resource of `kind` on which the actor holds `held`, in a collection where they hold `parent`.
Resource granted(unsigned kind, Privileges held, Privileges parent, bool exists = true) {
    Resource r;
    r.kind = kind == k_object ? ResourceKind::object : ResourceKind::collection;
    r.collection.emplace();
    r.collection->kind = kind == k_outbox ? CollectionKind::outbox : CollectionKind::calendar;
    r.exists = exists;
    r.privileges = held;
    r.parent_privileges = parent;
    return r;
}

bool allowed(std::string_view method, const Resource& r) {
    try {
        check_privileges(method, r);
        return true;
    } catch (const Error& e) {
        BOOST_TEST(e.status() == 403);
        BOOST_TEST((e.precondition() == Precondition::need_privileges));
        return false;
    }
}

BOOST_AUTO_TEST_CASE(the_method_table_names_what_each_method_needs) {
    // As a read-only sharee of a calendar would hold (issue 25).
    auto object = granted(k_object, P::read, P::read);
    BOOST_TEST(allowed("GET", object));
    BOOST_TEST(allowed("PROPFIND", object));
    BOOST_TEST(allowed("REPORT", object));
    BOOST_TEST(allowed("COPY", object));
    BOOST_TEST(!allowed("PUT", object));
    BOOST_TEST(!allowed("PROPPATCH", object));
    BOOST_TEST(!allowed("DELETE", object));
    BOOST_TEST(!allowed("MOVE", object));
    BOOST_TEST(!allowed("ACL", object));
    // Writing a member needs write-content; creating one, bind on the calendar too.
    BOOST_TEST(allowed("PUT", granted(k_object, P::write_content, P::none)));
    BOOST_TEST(!allowed("PUT", granted(k_object, P::write_content, P::none, false)));
    BOOST_TEST(allowed("PUT", granted(k_object, P::write_content, P::bind, false)));
    // Removing one needs unbind on the calendar, not a privilege on itself.
    BOOST_TEST(allowed("DELETE", granted(k_object, P::none, P::unbind)));
    BOOST_TEST(!allowed("DELETE", granted(k_object, P::all, P::bind)));
    BOOST_TEST(allowed("MKCALENDAR", granted(k_calendar, P::none, P::bind, false)));
    BOOST_TEST(!allowed("MKCOL", granted(k_calendar, P::all, P::read, false)));
    BOOST_TEST(allowed("PROPPATCH", granted(k_calendar, P::write_properties, P::none)));
    BOOST_TEST(allowed("POST", granted(k_outbox, P::schedule_send, P::none)));
    BOOST_TEST(!allowed("POST", granted(k_outbox, P::all & P::read, P::all)));
    BOOST_TEST(allowed("ACL", granted(k_calendar, P::write_acl, P::none)));
    // A method the table does not offer there is answered 405 to those who see the resource.
    BOOST_TEST(allowed("LOCK", granted(k_calendar, P::read, P::none)));
    BOOST_TEST(!allowed("LOCK", granted(k_calendar, P::none, P::all)));
    BOOST_TEST(!allowed("OPTIONS", granted(k_calendar, P::read_free_busy, P::all)));
}

BOOST_AUTO_TEST_CASE(on_the_servers_own_resources_seeing_is_enough_for_the_handlers_answer) {
    Resource principal_resource;
    principal_resource.kind = ResourceKind::principal;
    principal_resource.exists = true;
    principal_resource.privileges = P::read | P::read_current_user_privilege_set;
    for (auto method : {"PROPPATCH", "MKCOL", "DELETE", "ACL", "PUT"})
        BOOST_TEST(allowed(method, principal_resource), method);
    principal_resource.privileges = P::none;
    BOOST_TEST(!allowed("PROPFIND", principal_resource));
}

BOOST_AUTO_TEST_CASE(a_free_busy_grant_passes_the_method_table_for_report_only) {
    // Issue 25: the REPORT handler then allows free-busy-query alone.
    auto calendar = granted(k_calendar, P::read_free_busy, P::none);
    BOOST_TEST(allowed("REPORT", calendar));
    for (auto method : {"GET", "HEAD", "PROPFIND", "COPY", "PUT", "PROPPATCH", "DELETE", "MOVE"})
        BOOST_TEST(!allowed(method, calendar), method);
    BOOST_TEST(!allowed("GET", granted(k_object, P::read_free_busy, P::read_free_busy)));
}

BOOST_AUTO_TEST_CASE(each_share_permission_gives_its_privileges_on_the_calendar_and_its_members) {
    using caldav::SharePermission;
    const auto view = P::read | P::read_current_user_privilege_set;
    BOOST_TEST((share_privileges(SharePermission::free_busy) == P::read_free_busy));
    BOOST_TEST((share_privileges(SharePermission::view) == view));
    BOOST_TEST((share_privileges(SharePermission::edit) == (view | P::write_content | P::bind)));
    BOOST_TEST((share_privileges(SharePermission::admin) == (view | P::write | P::read_acl | P::share)));
    for (auto p : {SharePermission::free_busy, SharePermission::view, SharePermission::edit})
        BOOST_TEST(!holds(share_privileges(p), P::share));  // only admin shares further
    BOOST_TEST(!holds(share_privileges(SharePermission::edit), P::unbind));
    BOOST_TEST(!holds(share_privileges(SharePermission::free_busy), P::read));
    for (auto p : {SharePermission::free_busy, SharePermission::view, SharePermission::edit, SharePermission::admin})
        BOOST_TEST(!holds(share_privileges(p), P::write_acl));  // only the owner changes the ACL

    auto alice = principal(1, "alice"), bob = principal(2, "bob"), carol = principal(3, "carol");
    caldav::GrantRecord g;
    g.owner = alice;
    g.grantee = bob;
    g.permission = SharePermission::edit;
    for (auto kind : {ResourceKind::collection, ResourceKind::object}) {
        auto r = resource(kind, alice);
        r.grants = {g};
        BOOST_TEST((privileges_of(r, bob) == share_privileges(SharePermission::edit)));
        BOOST_TEST((privileges_of(r, alice) == P::all));
        BOOST_TEST((privileges_of(r, carol) == P::none));
        BOOST_TEST(acl_of(r).size() == 2u);
    }
    // The home holds no grant: a sharee holds nothing there.
    auto home = resource(ResourceKind::home, alice);
    home.grants = {g};
    BOOST_TEST((privileges_of(home, bob) == P::none));
    caldav::CollectionRecord c;
    const caldav::GrantRecord grants[] = {g};
    BOOST_TEST((privileges_on_collection(bob, alice, c, grants) == share_privileges(SharePermission::edit)));
    BOOST_TEST((privileges_on_collection(bob, alice, c) == P::none));
}

BOOST_AUTO_TEST_CASE(an_invitation_not_accepted_gives_nothing) {
    using caldav::SharePermission;
    auto alice = principal(1, "alice"), bob = principal(2, "bob");
    caldav::GrantRecord g;
    g.owner = alice;
    g.grantee = bob;
    g.permission = SharePermission::admin;
    for (auto status : {caldav::InviteStatus::pending, caldav::InviteStatus::declined}) {
        g.status = status;
        auto r = resource(ResourceKind::collection, alice);
        r.grants = {g};
        BOOST_TEST((privileges_of(r, bob) == P::none));
        BOOST_TEST(acl_of(r).size() == 1u);
    }
}

BOOST_AUTO_TEST_CASE(posting_to_a_calendar_needs_read_and_sharing_it_the_share_privilege) {
    // POST on a calendar carries CS:share / DAV:share-resource (issue 25) or a
    // WebDAV-Push push-register (issue 26), which any reader may send. The
    // method table asks for read; caldav/sharing.cpp asks for share on top
    // (tests/server/sharing_protocol_test.cpp: view and edit sharees get 403
    // need-privileges there). The share privilege: the owner in DAV:all, an
    // admin sharee by their grant, no one else.
    BOOST_TEST(allowed("POST", granted(k_calendar, P::all, P::all)));
    BOOST_TEST(!allowed("POST", granted(k_calendar, share_privileges(caldav::SharePermission::free_busy), P::none)));
    BOOST_TEST(!allowed("POST", granted(k_calendar, P::none, P::none)));
    BOOST_TEST(holds(share_privileges(caldav::SharePermission::admin), P::share));
    for (auto p : {caldav::SharePermission::free_busy, caldav::SharePermission::view, caldav::SharePermission::edit})
        BOOST_TEST(!holds(share_privileges(p), P::share));
}

BOOST_AUTO_TEST_CASE(share_permission_names_read_back) {
    using caldav::SharePermission;
    for (auto p : {SharePermission::free_busy, SharePermission::view, SharePermission::edit, SharePermission::admin})
        BOOST_TEST((caldav::parse_share_permission(caldav::share_permission_name(p)) == p));
    BOOST_TEST(caldav::share_permission_name(SharePermission::free_busy) == "free-busy");
    BOOST_TEST(!caldav::parse_share_permission("owner").has_value());
    BOOST_TEST(!caldav::parse_share_permission("View").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
