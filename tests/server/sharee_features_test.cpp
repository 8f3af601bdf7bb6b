// What a sharee gets besides the shared calendar (issue 25 §7, §9 and the
// JSON API): their home's sync-collection shows calendars appearing and
// disappearing, they are told by e-mail, the organisation rule decides whose
// busy time they see, and an edit or admin share lets them write events
// through the JSON API as the owner's organizer.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "caldav/imip.hpp"
#include "src/mail/sharing_mail.hpp"
#include "tests/support/server_fixture.hpp"

using test_support::basic_auth;
using test_support::HttpClient;
using test_support::HttpReply;
using test_support::ServerFixture;
namespace json = boost::json;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

HttpReply send(ServerFixture& f, const std::string& user, const std::string& method, const std::string& path,
               const std::string& body = {}, std::string headers = {}) {
    HttpClient c(f.port);
    if (!body.empty())
        headers += path.starts_with("/api/")      ? "Content-Type: application/json\r\n"
                   : body.starts_with("BEGIN:")   ? "Content-Type: text/calendar\r\n"
                                                  : "Content-Type: application/xml\r\n";
    c.send(ServerFixture::request(method, path, body, basic_auth(user, user + "-pw"), headers));
    auto r = c.read_reply(std::chrono::seconds(10));
    BOOST_REQUIRE(r);
    return *r;
}

std::int64_t calendar_of(ServerFixture& f, const std::string& user) {
    auto p = f.store->find_principal(user);
    f.store->provision_home(p->id);
    return f.store->find_collection(p->id, "calendar")->id;
}

std::string home_sync_body(const std::string& token) {
    return "<?xml version=\"1.0\"?><D:sync-collection xmlns:D=\"DAV:\"><D:sync-token>" + token +
           "</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:resourcetype/></D:prop></D:sync-collection>";
}

std::string token_in(const std::string& body) {
    auto at = body.find("<D:sync-token>");
    BOOST_REQUIRE(at != std::string::npos);
    at += 14;
    return body.substr(at, body.find("</D:sync-token>", at) - at);
}

/// The response for `href` in a multistatus body, or "".
std::string response_for(const std::string& body, const std::string& href) {
    auto at = body.find("<D:href>" + href + "</D:href>");
    if (at == std::string::npos) return {};
    return body.substr(at, body.find("</D:response>", at) - at);
}

/// Records the notices the server asks for and gives each an e-mail.
struct FakeMail final : caldav::ImipGateway {
    std::vector<caldav::ShareNotice> notices;
    std::optional<caldav::OutgoingMail> compose(const caldav::PrincipalRecord&, std::string_view,
                                                const std::string&) override {
        return std::nullopt;
    }
    std::optional<caldav::OutgoingMail> compose_share_notice(const caldav::ShareNotice& n) override {
        notices.push_back(n);
        caldav::OutgoingMail m;
        m.principal_id = n.owner.id;
        m.recipient = n.sharee.email;
        m.envelope_sender = "calendar@example.com";
        m.message = "Subject: shared\r\n\r\nshared\r\n";
        return m;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(sharee_features)

BOOST_AUTO_TEST_CASE(a_sharees_home_sync_lists_a_calendar_shared_with_them_and_reports_it_gone_when_revoked) {
    ServerFixture f;
    auto cal = calendar_of(f, "alice");
    calendar_of(f, "bob");
    const std::string shared = "/dav/calendars/alice/calendar/";
    auto first = send(f, "bob", "REPORT", "/dav/calendars/bob/", home_sync_body(""));
    BOOST_TEST_REQUIRE(first.status == 207);
    BOOST_TEST(response_for(first.body, shared).empty());
    auto t0 = token_in(first.body);

    BOOST_REQUIRE((f.store->set_grant(cal, f.store->find_principal("bob")->id, caldav::SharePermission::edit) ==
                   caldav::StoreStatus::ok));
    auto added = send(f, "bob", "REPORT", "/dav/calendars/bob/", home_sync_body(t0));
    BOOST_TEST_REQUIRE(added.status == 207);
    auto entry = response_for(added.body, shared);
    BOOST_TEST(has(entry, "<CS:shared"), added.body);
    BOOST_TEST(has(entry, "200 OK"));
    auto t1 = token_in(added.body);
    BOOST_TEST(t1 != t0);
    // The initial sync lists it too, with bob's own calendars.
    BOOST_TEST(!response_for(send(f, "bob", "REPORT", "/dav/calendars/bob/", home_sync_body("")).body, shared).empty());

    BOOST_REQUIRE((f.store->remove_grant(cal, f.store->find_principal("bob")->id) == caldav::StoreStatus::ok));
    auto removed = send(f, "bob", "REPORT", "/dav/calendars/bob/", home_sync_body(t1));
    BOOST_TEST_REQUIRE(removed.status == 207);
    BOOST_TEST(has(response_for(removed.body, shared), "404"), removed.body);
    // Nothing of alice's calendar but its URL.
    BOOST_TEST(!has(removed.body, "<C:calendar"));
}

BOOST_AUTO_TEST_CASE(a_new_sharee_is_told_by_email_once_and_again_when_the_permission_changes) {
    ServerFixture f;
    FakeMail mail;
    f.service->set_imip_gateway(&mail);
    calendar_of(f, "alice");
    auto share = [&](const std::string& access) {
        return send(f, "alice", "POST", "/dav/calendars/alice/calendar/",
                    "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<D:share-resource xmlns:D=\"DAV:\"><D:sharee>"
                    "<D:href>mailto:bob@example.com</D:href><D:share-access><D:" + access +
                        " /></D:share-access></D:sharee></D:share-resource>");
    };
    BOOST_TEST_REQUIRE(share("read").status < 300);
    BOOST_TEST_REQUIRE(mail.notices.size() == 1u);
    BOOST_TEST(mail.notices[0].sharee.email == "bob@example.com");
    BOOST_TEST(mail.notices[0].owner.name == "alice");
    BOOST_TEST((mail.notices[0].permission == caldav::SharePermission::view));
    BOOST_TEST(mail.notices[0].calendar_path == "/dav/calendars/alice/calendar/");
    BOOST_TEST(share("read").status < 300);
    BOOST_TEST(mail.notices.size() == 1u);  // nothing changed: no second e-mail
    BOOST_TEST(share("read-write").status < 300);
    BOOST_TEST(mail.notices.size() == 2u);
    // Queued as mail jobs, due at once.
    auto jobs = f.store->lease_jobs({std::string(caldav::mail_job_kind)}, 4102444800, 4102444900, "test", 10);
    BOOST_TEST(jobs.size() == 2u);
}

BOOST_AUTO_TEST_CASE(the_share_email_names_calendar_owner_permission_and_link_on_single_header_lines) {
    server::ShareMailContent c{"Calendar <calendar@example.com>", "bob@example.com", "Alice\r\nBcc: evil@x.test",
                               "alice@example.com", "Team", "edit", "https://cal.example.org/dav/calendars/alice/team/"};
    auto m = server::compose_share_message(c);
    BOOST_TEST(has(m, "To: bob@example.com"));
    BOOST_TEST(has(m, "Reply-To:"));
    BOOST_TEST(has(m, "Auto-Submitted: auto-generated"));
    BOOST_TEST(has(m, "Permission: edit (see, add and change its events)"));
    BOOST_TEST(has(m, "https://cal.example.org/dav/calendars/alice/team/"));
    BOOST_TEST(!has(m, "\r\nBcc:"));  // no header injection through a name
    BOOST_TEST(m.find("\n") == m.find("\r\n") + 1);
}

BOOST_AUTO_TEST_CASE(the_organisation_rule_shows_busy_time_within_the_domain_only_by_default) {
    ServerFixture f;
    f.store->add_user("olga", "olga@elsewhere.test", server::hash_password("olga-pw"));
    calendar_of(f, "alice");
    auto lookup = [&](ServerFixture& s) {
        return send(s, "alice", "POST", "/dav/calendars/alice/outbox/",
                    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\n"
                    "UID:fb-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260310T000000Z\r\nDTEND:20260311T000000Z\r\n"
                    "ORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:bob@example.com\r\n"
                    "ATTENDEE:mailto:olga@elsewhere.test\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n");
    };
    auto r = lookup(f);
    BOOST_TEST_REQUIRE(r.status == 200);
    BOOST_TEST(has(response_for(r.body, "mailto:bob@example.com"), "2.0;Success"));
    BOOST_TEST(!has(r.body, "<C:recipient><D:href>mailto:olga@elsewhere.test</D:href></C:recipient><C:request-status>2.0"));
    BOOST_TEST(has(r.body, "3.8;No authority"));
    // The API's availability follows the same rule.
    auto api = send(f, "alice", "POST", "/api/v1/availability/check",
                    R"({"users":["olga@elsewhere.test"],"start_time":"2026-03-10T00:00:00Z","end_time":"2026-03-11T00:00:00Z"})");
    BOOST_TEST(api.status == 403, api.body);

    ServerFixture open([](server::Config& c) { c.limits.free_busy_rule = caldav::FreeBusyRule::everyone; });
    open.store->add_user("olga", "olga@elsewhere.test", server::hash_password("olga-pw"));
    calendar_of(open, "alice");
    BOOST_TEST(!has(lookup(open).body, "3.8;No authority"));
}

BOOST_AUTO_TEST_CASE(an_edit_sharee_creates_and_changes_events_through_the_json_api_as_the_owners_organizer) {
    ServerFixture f;
    f.store->add_user("carol", "carol@example.com", server::hash_password("carol-pw"));
    auto cal = calendar_of(f, "alice");
    calendar_of(f, "carol");
    BOOST_REQUIRE((f.store->set_grant(cal, f.store->find_principal("bob")->id, caldav::SharePermission::edit) ==
                   caldav::StoreStatus::ok));
    auto created = send(f, "bob", "POST", "/api/v1/events",
                        R"({"calendar_id":"alice:calendar","title":"Quarterly","start_time":"2026-03-10T09:00:00Z",)"
                        R"("end_time":"2026-03-10T10:00:00Z","attendees":[{"email":"carol@example.com"}]})");
    BOOST_TEST_REQUIRE(created.status == 201, created.body);
    auto id = json::value_to<std::string>(json::parse(created.body).at("event_id"));
    auto stored = f.store->find_object_by_uid(f.store->find_principal("alice")->id, id);
    BOOST_TEST_REQUIRE(stored.has_value());
    BOOST_TEST(has(stored->data, "mailto:alice@example.com"));
    BOOST_TEST(has(stored->data, "SENT-BY=\"mailto:bob@example.com\""));
    BOOST_TEST(f.store->find_object_by_uid(f.store->find_principal("carol")->id, id).has_value());

    auto patched = send(f, "bob", "PATCH", "/api/v1/events/" + id, R"({"title":"Quarterly review"})");
    BOOST_TEST(patched.status == 200, patched.body);
    BOOST_TEST(has(f.store->find_object_by_uid(f.store->find_principal("carol")->id, id)->data, "Quarterly review"));
    // edit creates and changes but does not delete (unbind is admin's).
    BOOST_TEST(send(f, "bob", "DELETE", "/api/v1/events/" + id).status == 403);
    BOOST_REQUIRE((f.store->set_grant(cal, f.store->find_principal("bob")->id, caldav::SharePermission::admin) ==
                   caldav::StoreStatus::ok));
    BOOST_TEST(send(f, "bob", "DELETE", "/api/v1/events/" + id).status == 204);
    BOOST_TEST(has(f.store->find_object_by_uid(f.store->find_principal("carol")->id, id)->data, "STATUS:CANCELLED"));
}

BOOST_AUTO_TEST_SUITE_END()
