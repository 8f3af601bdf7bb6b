// What the owner does to a shared calendar reaches the sharee's home (issue
// 25 §7): a rename moves the sharee's home sync token and ctag and their
// sync-collection (RFC 6578) reports the calendar with its new name; a
// deletion reports it gone (404), takes it out of their home's listing and
// takes the invitation out of their notification collection. A MOVE to a
// new URL takes the grants along: the sharee's sync reports the old URL gone
// and lists the new one. The JSON API's rename and deletion do the same as
// PROPPATCH and DELETE.
#include <boost/test/unit_test.hpp>

#include <regex>

#include "src/storage/sqlite.hpp"
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

/// A request to the JSON API as `user`.
test_support::HttpReply api(Site& site, const std::string& user, const std::string& verb, const std::string& path,
                            const std::string& body = {}) {
    return site.send(user, verb, path, body, body.empty() ? "" : "Content-Type: application/json\r\n");
}

const std::string moved_calendar = "/dav/calendars/alice/budget/";

/// While one lives, every statement that logs a change in `user`'s home
/// fails, as a full disk or a broken row would: a trigger of the test's own
/// on the server's database, dropped again at the end (a PostgreSQL test
/// database serves the next fixture).
class RefusedHomeLog {
public:
    RefusedHomeLog(test_support::ServerFixture& f, const std::string& user) : f_(f) {
        const auto id = std::to_string(f.store->find_principal(user)->id);
        if (f.pg_database.empty()) {
            server::sqlite::Db db(f.config.database_file(), false, false);
            sqlite3_busy_timeout(db.handle(), 5000);
            db.exec("CREATE TRIGGER test_refuse_home_log BEFORE INSERT ON home_changes WHEN NEW.owner_id = " + id +
                    " BEGIN SELECT RAISE(ABORT, 'home log refused by the test'); END");
        } else {
            test_support::shared_postgres_cluster().sql(
                "CREATE OR REPLACE FUNCTION test_refuse_home_log() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'home log refused by the test'; END $$; "
                "CREATE TRIGGER test_refuse_home_log BEFORE INSERT ON home_changes FOR EACH ROW WHEN (NEW.owner_id = " +
                    id + ") EXECUTE FUNCTION test_refuse_home_log()",
                f.pg_database);
        }
    }
    ~RefusedHomeLog() {
        if (!f_.pg_database.empty())
            test_support::shared_postgres_cluster().sql(
                "DROP TRIGGER test_refuse_home_log ON home_changes; DROP FUNCTION test_refuse_home_log()",
                f_.pg_database);
    }
    RefusedHomeLog(const RefusedHomeLog&) = delete;
    RefusedHomeLog& operator=(const RefusedHomeLog&) = delete;

private:
    test_support::ServerFixture& f_;
};

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

// Apple Calendar and DAVx5 keep a shared calendar by its href: after the
// owner's MOVE the sharee's home sync must drop the old URL (404) and list
// the new one, and the grant must still let them read it there.
BOOST_AUTO_TEST_CASE(the_owners_move_of_a_shared_calendar_reaches_the_sharees_home_at_its_new_url) {
    Site site;  // erin holds view on alice's "calendar"
    // zoe is invited the CalendarServer way and has not answered yet.
    BOOST_TEST_REQUIRE(site.send("alice", "POST", shared_calendar, bodies::cs_share, xml).status == 200);
    auto initial = site.send("erin", "REPORT", "/dav/calendars/erin/", sync_body(""), xml);
    BOOST_TEST_REQUIRE(initial.status == 207);
    auto token = token_of(initial.body);
    auto ctag = ctag_of(site, "erin");

    auto moved = site.send("alice", "MOVE", shared_calendar, "", "Destination: " + moved_calendar + "\r\n");
    BOOST_TEST_REQUIRE(moved.status == 201, moved.body);

    BOOST_TEST(ctag_of(site, "erin") != ctag);
    auto changes = site.send("erin", "REPORT", "/dav/calendars/erin/", sync_body(token), xml);
    BOOST_TEST_REQUIRE(changes.status == 207, changes.body);
    BOOST_TEST(contains(response_for(changes.body, shared_calendar), "404"), changes.body);
    auto now = response_for(changes.body, moved_calendar);
    BOOST_TEST(contains(now, "<D:displayname>Calendar</D:displayname>"), changes.body);
    BOOST_TEST(contains(now, "200 OK"), changes.body);
    BOOST_TEST(!contains(changes.body, hidden_calendar));
    // The grant went along: erin reads the events at the new URL only.
    auto event = site.send("erin", "GET", moved_calendar + "review.ics");
    BOOST_TEST(event.status == 200);
    BOOST_TEST(contains(event.body, "Budget Review"), event.body);
    // The old URL names nothing of erin's: 403, as for any calendar she holds no grant on.
    BOOST_TEST(site.send("erin", "GET", shared_object).status == 403);
    auto listing = site.send("erin", "PROPFIND", "/dav/calendars/erin/", "", "Depth: 1\r\n");
    BOOST_TEST_REQUIRE(listing.status == 207);
    BOOST_TEST(contains(listing.body, moved_calendar), listing.body);
    // The public feed (its URL names no calendar) serves the moved calendar still.
    BOOST_TEST(site.send("", "GET", site.feed_path()).status == 200);
    BOOST_TEST(!contains(listing.body, "<D:href>" + shared_calendar + "</D:href>"), listing.body);
    // zoe's invitation names the new URL, and answering it there works.
    auto notes = site.send("zoe", "PROPFIND", "/dav/calendars/zoe/notification/", "", "Depth: 1\r\n");
    std::smatch m;
    BOOST_TEST_REQUIRE(std::regex_search(notes.body, m, std::regex("<D:href>([^<]*\\.xml)</D:href>")), notes.body);
    auto note = site.send("zoe", "GET", m[1]);
    BOOST_TEST_REQUIRE(note.status == 200);
    BOOST_TEST(contains(note.body, moved_calendar), note.body);
    auto reply = site.send("zoe", "POST", "/dav/calendars/zoe/",
                           R"(<?xml version="1.0"?><CS:invite-reply xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">)"
                           R"(<D:href>mailto:alice@example.com</D:href><CS:invite-accepted/><CS:hosturl><D:href>)" +
                               moved_calendar + R"(</D:href></CS:hosturl></CS:invite-reply>)",
                           xml);
    BOOST_TEST(reply.status == 200, reply.body);
    BOOST_TEST(site.send("zoe", "PROPFIND", moved_calendar, "", "Depth: 0\r\n").status == 207);
}

BOOST_AUTO_TEST_CASE(the_owners_rename_through_the_json_api_reaches_the_sharees_home_sync) {
    Site site;
    auto initial = site.send("erin", "REPORT", "/dav/calendars/erin/", sync_body(""), xml);
    BOOST_TEST_REQUIRE(initial.status == 207);
    auto token = token_of(initial.body);
    auto ctag = ctag_of(site, "erin");

    auto patched = api(site, "alice", "PATCH", "/api/v1/calendars/calendar", R"({"name": "Budget 2025"})");
    BOOST_TEST_REQUIRE(patched.status == 200, patched.body);

    BOOST_TEST(ctag_of(site, "erin") != ctag);
    auto changes = site.send("erin", "REPORT", "/dav/calendars/erin/", sync_body(token), xml);
    BOOST_TEST_REQUIRE(changes.status == 207, changes.body);
    BOOST_TEST(contains(response_for(changes.body, shared_calendar), "<D:displayname>Budget 2025</D:displayname>"),
               changes.body);
    BOOST_TEST(!contains(changes.body, hidden_calendar));
}

BOOST_AUTO_TEST_CASE(a_shared_calendar_deleted_through_the_json_api_leaves_the_sharees_home) {
    Site site;
    // alice's default calendar cannot go through the API: share "private" too.
    auto& store = *site.fixture().store;
    auto alice = store.find_principal("alice")->id;
    auto erin = store.find_principal("erin")->id;
    BOOST_TEST_REQUIRE((store.set_grant(store.find_collection(alice, "private")->id, erin,
                                        caldav::SharePermission::view) == caldav::StoreStatus::ok));
    auto initial = site.send("erin", "REPORT", "/dav/calendars/erin/", sync_body(""), xml);
    BOOST_TEST_REQUIRE(contains(initial.body, hidden_calendar), initial.body);
    auto token = token_of(initial.body);
    auto ctag = ctag_of(site, "erin");

    BOOST_TEST_REQUIRE(api(site, "alice", "DELETE", "/api/v1/calendars/private").status == 204);

    BOOST_TEST(ctag_of(site, "erin") != ctag);
    auto changes = site.send("erin", "REPORT", "/dav/calendars/erin/", sync_body(token), xml);
    BOOST_TEST_REQUIRE(changes.status == 207, changes.body);
    BOOST_TEST(contains(response_for(changes.body, hidden_calendar), "404"), changes.body);
}

BOOST_AUTO_TEST_CASE(only_the_owner_renames_or_deletes_a_shared_calendar_through_the_json_api) {
    Site site;
    auto ctag = ctag_of(site, "erin");
    // erin views alice's "calendar", bob holds nothing, "" is no login: the
    // API addresses the caller's own calendars, so alice's is not found.
    for (const std::string who : {"erin", "bob"}) {
        BOOST_TEST(api(site, who, "PATCH", "/api/v1/calendars/alice:calendar", R"({"name": "Taken"})").status == 404,
                   who);
        BOOST_TEST(api(site, who, "DELETE", "/api/v1/calendars/alice:calendar").status == 404, who);
        BOOST_TEST(api(site, who, "DELETE", "/api/v1/calendars/alice:private").status == 404, who);
    }
    BOOST_TEST(api(site, "", "PATCH", "/api/v1/calendars/calendar", R"({"name": "Taken"})").status == 401);
    BOOST_TEST(api(site, "", "DELETE", "/api/v1/calendars/private").status == 401);
    // Nothing changed: alice's calendars stand with their names, erin's home did not move.
    auto& store = *site.fixture().store;
    auto alice = store.find_principal("alice")->id;
    BOOST_TEST(store.find_collection(alice, "private").has_value());
    BOOST_TEST(store.find_collection(alice, "calendar")->display_name != "Taken");
    BOOST_TEST(ctag_of(site, "erin") == ctag);
}

// "One user action is one transaction": when the change cannot be logged
// in a sharee's home (erin's home log refuses writes), the owner's rename
// or deletion fails as a whole, through DAV and through the JSON API; the
// calendar keeps its name, its grants and its invitations, and no home moves.
BOOST_AUTO_TEST_CASE(a_rename_or_deletion_that_cannot_reach_a_sharees_home_changes_nothing) {
    Site site;
    auto& store = *site.fixture().store;
    auto alice = store.find_principal("alice")->id;
    auto erin = store.find_principal("erin")->id;
    auto zoe = store.find_principal("zoe")->id;
    auto calendar = store.find_collection(alice, "calendar");
    auto hidden = store.find_collection(alice, "private");
    BOOST_TEST_REQUIRE((store.set_grant(hidden->id, erin, caldav::SharePermission::view) == caldav::StoreStatus::ok));
    // zoe is invited to "calendar" and has not answered yet.
    BOOST_TEST_REQUIRE((store.invite_grant(calendar->id, zoe, caldav::SharePermission::view, "", "uid-zoe") ==
                        caldav::StoreStatus::ok));
    BOOST_TEST_REQUIRE((store.put_notification({zoe, "uid-zoe.xml", "invite-notification", "<x/>", 0}) ==
                        caldav::StoreStatus::ok));
    const auto grants = store.grants_of_collection(calendar->id).size();
    const auto zoe_notes = store.notifications_of(zoe).size();
    const auto alice_home = store.find_home(alice)->revision;
    const auto erin_ctag = ctag_of(site, "erin");
    RefusedHomeLog refused(site.fixture(), "erin");

    auto patched = site.send("alice", "PROPPATCH", shared_calendar,
                             R"(<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>)"
                             R"(<D:displayname>Budget 2025</D:displayname></D:prop></D:set></D:propertyupdate>)",
                             xml);
    BOOST_TEST(patched.status >= 500, patched.status << " " << patched.body);
    BOOST_TEST(site.send("alice", "DELETE", shared_calendar).status >= 500);
    BOOST_TEST(api(site, "alice", "PATCH", "/api/v1/calendars/private", R"({"name": "Budget 2025"})").status >= 500);
    BOOST_TEST(api(site, "alice", "DELETE", "/api/v1/calendars/private").status >= 500);

    BOOST_TEST(store.find_collection(alice, "calendar")->display_name == calendar->display_name);
    BOOST_TEST(store.find_collection(alice, "private")->display_name == hidden->display_name);
    BOOST_TEST(store.grants_of_collection(calendar->id).size() == grants);
    BOOST_TEST(store.grants_of_collection(hidden->id).size() == 1u);
    BOOST_TEST(store.notifications_of(zoe).size() == zoe_notes);
    BOOST_TEST(store.find_home(alice)->revision == alice_home);
    BOOST_TEST(ctag_of(site, "erin") == erin_ctag);
}

BOOST_AUTO_TEST_SUITE_END()
