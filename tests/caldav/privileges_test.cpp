// Authorization decisions (issue 23 §4): a table of method × resource kind ×
// role → status, driven through caldav::Service over a real SqliteStore.
#include "caldav/service.hpp"

#define BOOST_TEST_MODULE privileges
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <string>

#include "src/storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace caldav;

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

    Response send(const std::string& user, const std::string& method, const std::string& path, Request r,
                  int expected = 0) {
        r.method = method;
        r.path = path;
        r.principal = Principal{store->find_principal(user)->id, user};
        auto res = service->handle(r);
        res.collect();
        if (expected) BOOST_REQUIRE_MESSAGE(res.status == expected, method << " " << path << ": " << res.body);
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
        {"PROPPATCH", "PROPPATCH",
         "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop><D:displayname>x</D:displayname></D:prop></D:set>"
         "</D:propertyupdate>",
         {}},
        {"MKCALENDAR", "MKCALENDAR", "", {}},
        {"MKCOL", "MKCOL", "", {}},
        {"DELETE", "DELETE", "", {}},
        {"REPORT", "REPORT",
         "<D:expand-property xmlns:D=\"DAV:\"><D:property name=\"owner\"/></D:expand-property>",
         {{"Depth", "0"}}},
        {"REPORT-acl", "REPORT",
         "<D:acl-principal-prop-set xmlns:D=\"DAV:\"><D:prop><D:displayname/></D:prop></D:acl-principal-prop-set>",
         {{"Depth", "0"}}},
        {"GET", "GET", "", {}},
        {"HEAD", "HEAD", "", {}},
        {"PUT", "PUT", event, {{"Content-Type", "text/calendar"}}},
        {"PUT-new", "PUT", other_event, {{"Content-Type", "text/calendar"}}},
        {"POST", "POST", freebusy_request, {{"Content-Type", "text/calendar"}}},
        {"COPY", "COPY", "", {{"Destination", "/dav/calendars/alice/copied/"}, {"Depth", "infinity"}}},
        {"COPY-obj", "COPY", "", {{"Destination", "/dav/calendars/alice/files/copied.ics"}}},
        {"COPY-away", "COPY", "", {{"Destination", "/dav/calendars/bob/calendar/copied.ics"}}},
        {"MOVE", "MOVE", "", {{"Destination", "/dav/calendars/alice/moved/"}, {"Depth", "infinity"}}},
        {"MOVE-obj", "MOVE", "", {{"Destination", "/dav/calendars/alice/files/moved.ics"}}},
        {"MOVE-away", "MOVE", "", {{"Destination", "/dav/calendars/bob/moved/"}, {"Depth", "infinity"}}},
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
    {"ACL", Role::owner, {ACE, ACE, ACE, ACE, ACE, ACE, ACE, ACE, ACE, ACE, "404", "404"}},
    {"ACL", Role::other, {ACE, ACE, ACE, NP, NP, NP, NP, NP, NP, NP, NP, NP}},
    {"LOCK", Role::owner, {"405", "405", "405", "405", "405", "405", "405", "405", "405", "405", "405", "405"}},
    {"LOCK", Role::other, {"405", "405", "405", NP, NP, NP, NP, NP, NP, NP, NP, NP}},
};
// clang-format on

std::string answer_of(const Response& r) {
    return r.precondition.empty() ? std::to_string(r.status) : std::to_string(r.status) + " " + r.precondition;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(authorization_table)

BOOST_AUTO_TEST_CASE(every_method_kind_and_role_gets_todays_answer) {
    BOOST_TEST(std::size(table) == shapes().size() * 2);
    for (const auto& row : table) {
        const auto shape = std::find_if(shapes().begin(), shapes().end(), [&](const Shape& s) { return s.name == row.shape; });
        BOOST_REQUIRE(shape != shapes().end());
        const auto* user = row.role == Role::owner ? "alice" : "bob";
        for (std::size_t k = 0; k < kinds().size(); ++k) {
            World w;  // fresh data for every request: DELETE and MOVE change it
            Request r;
            r.body = shape->body;
            for (const auto& [n, v] : shape->headers) r.headers.set(n, v);
            auto res = w.send(user, shape->method, kinds()[k].second, r);
            BOOST_TEST(answer_of(res) == std::string(row.answers[k]),
                       row.shape << " " << kinds()[k].first << " as " << user << ": got " << answer_of(res));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
