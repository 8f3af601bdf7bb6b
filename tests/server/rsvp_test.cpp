// Answer links in invitation email (issue 6 §5) over loopback: the links in
// the composed mail, GET /rsvp/<token> (a page, no change), POST (the answer
// applied as an emailed REPLY would be), and refused tokens.
#include "src/http/rsvp_endpoint.hpp"

#include <boost/test/unit_test.hpp>

#include "caldav/service.hpp"
#include "ical/itip.hpp"
#include "src/mail/imip_gateway.hpp"
#include "src/mail/imip_mail.hpp"
#include "src/mail/rsvp_token.hpp"
#include "tests/support/server_fixture.hpp"

using test_support::HttpClient;
using test_support::HttpReply;
using test_support::ServerFixture;

namespace {

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

const std::string public_url = "https://cal.example.org/kalends";
const std::string secret = "a test secret of some length";
const std::string href = "/dav/calendars/alice/calendar/rsvp.ics";
const std::string carol = "mailto:carol@outside.test";

std::string meeting(const std::string& summary) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kalends tests//EN\r\nBEGIN:VEVENT\r\n"
           "UID:rsvp-1\r\nDTSTAMP:20261101T090000Z\r\nDTSTART:20261201T090000Z\r\n"
           "DTEND:20261201T100000Z\r\nSUMMARY:" +
           summary +
           "\r\nSEQUENCE:0\r\nORGANIZER;CN=Alice:mailto:alice@example.com\r\n"
           "ATTENDEE;CN=Alice;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
           "ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\n"
           "ATTENDEE;CN=Carol;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:carol@outside.test\r\n"
           "END:VEVENT\r\nEND:VCALENDAR\r\n";
}

caldav::Response call(ServerFixture& f, const std::string& method, const std::string& path,
                      const std::string& body = {}) {
    caldav::Request r;
    r.method = method;
    r.path = r.raw_target = path;
    r.body = body;
    if (!body.empty()) r.headers.add("Content-Type", "text/calendar");
    r.principal = caldav::Principal{0, "alice"};
    return f.service->handle(r);
}

/// A server with answer links on, and alice's invitation to bob (local) and
/// carol (external) queued as email.
struct RsvpFixture {
    ServerFixture f{[](server::Config& c) {
        c.imip.public_url = public_url;
        c.imip.link_secret = secret;
    }};
    server::ImipComposer composer{relay(), 10};

    explicit RsvpFixture(const std::string& summary = "Budget review") {
        composer.set_answer_links(f.config.imip, secret);
        f.service->set_imip_gateway(&composer);
        BOOST_REQUIRE(call(f, "PUT", href, meeting(summary)).status == 201);
        alice = *f.store->find_principal("alice");
        bob = *f.store->find_principal("bob");
    }

    static server::SmtpConfig relay() {
        server::SmtpConfig c;
        c.url = "smtp://127.0.0.1:9";  // never reached: nothing sends in these tests
        c.from = "Kalends <calendar@example.org>";
        c.tls = "none";
        return c;
    }

    /// The text part of the one mail queued (to carol).
    std::string mail_text() {
        auto queued = f.store->list_mail();
        BOOST_REQUIRE(queued.size() == 1u);
        auto mail = server::parse_received_mail(queued[0].message);
        BOOST_REQUIRE(mail);
        return mail->text;
    }

    /// The token of the links in carol's mail.
    std::string token() {
        auto text = mail_text();
        auto start = text.find(public_url + "/rsvp/");
        BOOST_REQUIRE(start != std::string::npos);
        start += public_url.size() + 6;
        return text.substr(start, text.find('?', start) - start);
    }

    HttpReply http(const std::string& method, const std::string& path,
                   const std::string& body = {}) {
        HttpClient c(f.port);
        std::string headers =
            body.empty() ? "" : "Content-Type: application/x-www-form-urlencoded\r\n";
        c.send(ServerFixture::request(method, path, body, std::string(), headers));
        auto reply = c.read_reply();
        BOOST_REQUIRE(reply);
        return *reply;
    }

    /// The PARTSTAT `owner`'s copy records for `address`.
    std::string partstat(const caldav::PrincipalRecord& owner, const std::string& address) {
        auto copy = f.store->find_object_by_uid(owner.id, "rsvp-1");
        BOOST_REQUIRE(copy);
        auto summary = ical::itip_summary(copy->data);
        BOOST_REQUIRE(summary);
        for (const auto& a : summary->attendees)
            if (a.address == address) return a.partstat;
        return "(absent)";
    }

    std::size_t inbox_size(const caldav::PrincipalRecord& who) {
        auto inbox = f.store->find_collection(who.id, "inbox");
        return inbox ? f.store->list_objects(inbox->id, false).size() : 0;
    }

    caldav::PrincipalRecord alice, bob;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(rsvp)

BOOST_AUTO_TEST_CASE(an_invitation_to_an_external_attendee_carries_three_answer_links) {
    RsvpFixture t;
    auto text = t.mail_text();
    auto token = t.token();
    BOOST_TEST(
        contains(text, "Accept:    " + public_url + "/rsvp/" + token + "?partstat=ACCEPTED"), text);
    BOOST_TEST(
        contains(text, "Decline:   " + public_url + "/rsvp/" + token + "?partstat=DECLINED"));
    BOOST_TEST(
        contains(text, "Tentative: " + public_url + "/rsvp/" + token + "?partstat=TENTATIVE"));
    auto verified = server::verify_rsvp_token(token, secret, 0);
    BOOST_TEST((verified.check == server::RsvpCheck::valid));
    BOOST_TEST(verified.token.organizer == "alice");
    BOOST_TEST(verified.token.uid == "rsvp-1");
    BOOST_TEST(verified.token.attendee == carol);
    // The calendar part is the iTIP REQUEST as before, without links.
    auto mail = server::parse_received_mail(t.f.store->list_mail()[0].message);
    BOOST_REQUIRE(mail->calendars.size() == 1u);
    BOOST_TEST(!contains(mail->calendars[0], "/rsvp/"));
}

BOOST_AUTO_TEST_CASE(without_a_public_url_the_invitation_has_no_links) {
    ServerFixture f;
    server::ImipComposer composer(RsvpFixture::relay(), 10);
    f.service->set_imip_gateway(&composer);
    BOOST_REQUIRE(call(f, "PUT", href, meeting("Plain")).status == 201);
    auto queued = f.store->list_mail();
    BOOST_REQUIRE(queued.size() == 1u);
    auto mail = server::parse_received_mail(queued[0].message);
    BOOST_REQUIRE(mail);
    BOOST_TEST(contains(mail->text, "Attendees:"));
    BOOST_TEST(!contains(mail->text, "/rsvp/"));
    // And no endpoint: /rsvp/ is an ordinary path that needs authentication.
    HttpClient c(f.port);
    c.send(ServerFixture::request("GET", "/rsvp/x.y", {}, std::string()));
    BOOST_TEST(c.read_reply()->status == 401);
}

BOOST_AUTO_TEST_CASE(post_with_a_valid_token_applies_the_answer_as_an_emailed_reply_would) {
    RsvpFixture t;
    auto tag_before = t.f.store->find_object_by_uid(t.alice.id, "rsvp-1")->schedule_tag;
    auto token = t.token();
    auto r = t.http("POST", "/rsvp/" + token + "?partstat=ACCEPTED", "partstat=ACCEPTED");
    BOOST_TEST(r.status == 200, r.body);
    BOOST_TEST(contains(r.body, "accepted"));
    BOOST_TEST(contains(r.header("content-type"), "text/html"));
    BOOST_TEST(t.partstat(t.alice, carol) == "ACCEPTED");
    BOOST_TEST(t.partstat(t.alice, "mailto:bob@example.com") == "NEEDS-ACTION");
    // RFC 6638 §3.2.10: an attendee's answer leaves the organizer's Schedule-Tag.
    BOOST_TEST(t.f.store->find_object_by_uid(t.alice.id, "rsvp-1")->schedule_tag == tag_before);
    BOOST_TEST(t.inbox_size(t.alice) == 1u);  // the REPLY in the organizer's inbox
    auto inbox = t.f.store->find_collection(t.alice.id, "inbox");
    auto items = t.f.store->list_objects(inbox->id, true);
    BOOST_REQUIRE(items.size() == 1u);
    auto reply = ical::itip_summary(items[0].data);
    BOOST_TEST(reply->method == "REPLY");
    BOOST_REQUIRE(reply->attendees.size() == 1u);
    BOOST_TEST(reply->attendees[0].address == carol);
    // bob, a local attendee, sees carol's answer in his copy once the
    // refresh it queued ran.
    BOOST_TEST(t.partstat(t.bob, carol) == "NEEDS-ACTION");
    BOOST_TEST(t.f.run_attendee_refresh() == 1u);
    BOOST_TEST(t.partstat(t.bob, carol) == "ACCEPTED");

    // A second answer through the same link changes it again.
    r = t.http("POST", "/rsvp/" + token, "partstat=DECLINED");
    BOOST_TEST(r.status == 200, r.body);
    BOOST_TEST(t.partstat(t.alice, carol) == "DECLINED");
}

BOOST_AUTO_TEST_CASE(a_token_with_one_byte_changed_is_refused_with_403_and_changes_nothing) {
    RsvpFixture t;
    auto token = t.token();
    auto dot = token.find('.');
    BOOST_REQUIRE(dot != std::string::npos);
    for (std::size_t at : {std::size_t(0), dot / 2, dot - 1, dot, dot + 1, token.size() - 1}) {
        auto forged = token;
        forged[at] = forged[at] == 'A' ? 'B' : 'A';
        auto r = t.http("POST", "/rsvp/" + forged, "partstat=ACCEPTED");
        BOOST_TEST(r.status == 403, "byte " << at << ": " << r.status);
        BOOST_TEST(t.http("GET", "/rsvp/" + forged).status == 403);
    }
    // Signed with another key: refused too.
    auto other = server::verify_rsvp_token(token, secret, 0).token;
    auto r = t.http("POST", "/rsvp/" + server::sign_rsvp_token(other, "another secret"),
                    "partstat=ACCEPTED");
    BOOST_TEST(r.status == 403);
    BOOST_TEST(t.http("POST", "/rsvp/", "partstat=ACCEPTED").status == 403);
    BOOST_TEST(t.partstat(t.alice, carol) == "NEEDS-ACTION");
    BOOST_TEST(t.inbox_size(t.alice) == 0u);
}

BOOST_AUTO_TEST_CASE(an_expired_token_is_refused_with_410) {
    RsvpFixture t;
    server::RsvpToken old{t.alice.id, "alice", "rsvp-1", carol, "any", 1'000'000'000};  // 2001
    auto r = t.http("POST", "/rsvp/" + server::sign_rsvp_token(old, secret), "partstat=ACCEPTED");
    BOOST_TEST(r.status == 410, r.body);
    BOOST_TEST(t.partstat(t.alice, carol) == "NEEDS-ACTION");
    BOOST_TEST(t.inbox_size(t.alice) == 0u);
}

BOOST_AUTO_TEST_CASE(get_shows_the_invitation_and_changes_nothing) {
    RsvpFixture t;
    auto before = t.f.store->find_object_by_uid(t.alice.id, "rsvp-1")->etag;
    for (const char* query : {"", "?partstat=ACCEPTED", "?partstat=DECLINED"}) {
        auto r = t.http("GET", "/rsvp/" + t.token() + query);
        BOOST_TEST(r.status == 200, r.body);
        BOOST_TEST(contains(r.body, "Budget review"));
        BOOST_TEST(contains(r.body, "<form method=\"post\">"));
        BOOST_TEST(contains(r.body, "value=\"TENTATIVE\""));
        BOOST_TEST(r.header("referrer-policy") == "no-referrer");
    }
    BOOST_TEST(t.f.store->find_object_by_uid(t.alice.id, "rsvp-1")->etag == before);
    BOOST_TEST(t.partstat(t.alice, carol) == "NEEDS-ACTION");
    BOOST_TEST(t.inbox_size(t.alice) == 0u);
}

BOOST_AUTO_TEST_CASE(the_page_escapes_a_summary_with_a_script_tag) {
    RsvpFixture t("<script>alert('x')</script> & \"co\"");
    auto r = t.http("GET", "/rsvp/" + t.token());
    BOOST_TEST(r.status == 200, r.body);
    BOOST_TEST(!contains(r.body, "<script"));
    BOOST_TEST(
        contains(r.body, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"));
    r = t.http("POST", "/rsvp/" + t.token(), "partstat=TENTATIVE");
    BOOST_TEST(r.status == 200, r.body);
    BOOST_TEST(!contains(r.body, "<script"));
}

BOOST_AUTO_TEST_CASE(a_bad_partstat_is_400_and_a_deleted_event_is_404) {
    RsvpFixture t;
    auto token = t.token();
    BOOST_TEST(t.http("POST", "/rsvp/" + token, "partstat=DELEGATED").status == 400);
    BOOST_TEST(t.http("POST", "/rsvp/" + token, "other=1").status == 400);
    BOOST_TEST(t.http("PUT", "/rsvp/" + token, "partstat=ACCEPTED").status == 405);
    BOOST_TEST(t.partstat(t.alice, carol) == "NEEDS-ACTION");
    // carol is no longer invited: 404.
    auto without_carol = meeting("Budget review");
    without_carol.erase(without_carol.find("ATTENDEE;CN=Carol"));
    without_carol += "END:VEVENT\r\nEND:VCALENDAR\r\n";
    BOOST_REQUIRE(call(t.f, "PUT", href, without_carol).status == 204);
    BOOST_TEST(t.http("POST", "/rsvp/" + token, "partstat=ACCEPTED").status == 404);
    // The event is gone: 404.
    BOOST_REQUIRE(call(t.f, "DELETE", href).status == 204);
    BOOST_TEST(t.http("POST", "/rsvp/" + token, "partstat=ACCEPTED").status == 404);
    BOOST_TEST(t.http("GET", "/rsvp/" + token).status == 404);
}

BOOST_AUTO_TEST_SUITE_END()
