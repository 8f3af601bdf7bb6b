// Outgoing iMIP in process (RFC 6047, RFC 6638 §3.2.9, issue 6 §5 and §7):
// what a PUT queues, SCHEDULE-STATUS, the per-user allowance, the attendee
// cap, replies to external organizers, the worker's backoff and give-up.
#include "src/mail/imip_gateway.hpp"

#include <boost/test/unit_test.hpp>

#include <ctime>

#include "caldav/service.hpp"
#include "ical/itip.hpp"
#include "src/mail/imip_mail.hpp"
#include "src/mail/mail_worker.hpp"
#include "tests/support/server_fixture.hpp"

using test_support::ServerFixture;

namespace {

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

std::string unfolded(std::string text) {
    for (auto at = text.find("\r\n "); at != std::string::npos; at = text.find("\r\n ", at))
        text.erase(at, 3);
    return text;
}

caldav::Response call(ServerFixture& f, const std::string& method, const std::string& path,
                      const std::string& body = {}, const std::string& user = "alice") {
    caldav::Request r;
    r.method = method;
    r.path = path;
    r.raw_target = path;
    r.body = body;
    if (!body.empty()) r.headers.add("Content-Type", "text/calendar");
    r.principal = caldav::Principal{0, user};
    return f.service->handle(r);
}

std::string meeting(const std::string& uid, int sequence, const std::vector<std::string>& externals,
                    const std::string& organizer = "mailto:alice@example.com",
                    const std::string& alice_partstat = "ACCEPTED") {
    std::string s =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kalends tests//EN\r\nBEGIN:VEVENT\r\nUID:" +
        uid +
        "\r\nDTSTAMP:20261101T090000Z\r\nDTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\n"
        "SUMMARY:Sync\r\nSEQUENCE:" +
        std::to_string(sequence) + "\r\nORGANIZER;CN=Org:" + organizer +
        "\r\nATTENDEE;CN=Alice;PARTSTAT=" + alice_partstat + ":mailto:alice@example.com\r\n";
    for (const auto& e : externals) s += "ATTENDEE;RSVP=TRUE:mailto:" + e + "\r\n";
    return s + "END:VEVENT\r\nEND:VCALENDAR\r\n";
}

server::SmtpConfig relay() {
    server::SmtpConfig c;
    c.url = "smtp://127.0.0.1:9";  // never reached here: nothing sends in these tests
    c.from = "Kalends <calendar@example.org>";
    c.tls = "none";
    return c;
}

/// A clock the test moves by hand.
struct FakeClock {
    std::chrono::steady_clock::time_point now{};
    server::ImipComposer::Clock fn() {
        return [this] { return now; };
    }
};

const std::string href = "/dav/calendars/alice/calendar/m.ics";

}  // namespace

BOOST_AUTO_TEST_SUITE(imip_queue)

BOOST_AUTO_TEST_CASE(without_a_relay_external_attendees_get_5_1_and_nothing_is_queued) {
    ServerFixture f;
    BOOST_TEST(call(f, "PUT", href, meeting("q1", 0, {"carol@outside.test"})).status == 201);
    auto copy = call(f, "GET", href);
    BOOST_TEST(contains(unfolded(copy.body), "SCHEDULE-STATUS=5.1:mailto:carol@outside.test"));
    BOOST_TEST(f.store->list_mail().empty());
}

BOOST_AUTO_TEST_CASE(with_a_relay_the_invitation_is_queued_with_the_copy_that_says_1_1) {
    ServerFixture f;
    server::ImipComposer composer(relay(), 10);
    f.service->set_imip_gateway(&composer);
    auto put = call(f, "PUT", href, meeting("q2", 0, {"carol@outside.test", "bob@example.com"}));
    BOOST_TEST(put.status == 201);
    // SCHEDULE-STATUS was added after the client's version: no ETag (RFC 6638 §3.2).
    BOOST_TEST(!put.headers.has("ETag"));
    auto copy = unfolded(call(f, "GET", href).body);
    BOOST_TEST(contains(copy, "SCHEDULE-STATUS=1.1:mailto:carol@outside.test"));
    BOOST_TEST(contains(copy, "SCHEDULE-STATUS=1.2:mailto:bob@example.com"));  // local: delivered
    auto queued = f.store->list_mail();
    BOOST_REQUIRE(queued.size() == 1u);
    BOOST_TEST(queued[0].recipient == "carol@outside.test");
    BOOST_TEST(queued[0].envelope_sender == "calendar@example.org");
    BOOST_TEST(queued[0].uid == "q2");
    BOOST_TEST(queued[0].attempts == 0);
    auto mail = server::parse_received_mail(queued[0].message);
    BOOST_REQUIRE(mail);
    BOOST_REQUIRE(mail->calendars.size() == 1u);
    BOOST_TEST(ical::itip_summary(mail->calendars[0])->method == "REQUEST");
    // RFC 5321 wants CRLF line ends on the wire.
    BOOST_TEST(contains(queued[0].message, "\r\nMIME-Version: 1.0\r\n"));
}

BOOST_AUTO_TEST_CASE(saving_the_same_event_again_sends_no_new_email) {
    ServerFixture f;
    server::ImipComposer composer(relay(), 10);
    f.service->set_imip_gateway(&composer);
    auto v0 = meeting("q8", 0, {"carol@outside.test"});
    BOOST_TEST(call(f, "PUT", href, v0).status == 201);
    BOOST_TEST(f.store->list_mail().size() == 1u);
    // Same content, new DTSTAMP and an alarm: nothing new for carol.
    auto resaved = replace_all(v0, "DTSTAMP:20261101T090000Z", "DTSTAMP:20261102T090000Z");
    resaved = replace_all(resaved, "END:VEVENT",
                          "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT");
    BOOST_TEST(call(f, "PUT", href, resaved).status == 204);
    BOOST_TEST(f.store->list_mail().size() == 1u);
    BOOST_TEST(contains(unfolded(call(f, "GET", href).body), "SCHEDULE-STATUS=1.1:mailto:carol@outside.test"));
    // A new time is news.
    BOOST_TEST(call(f, "PUT", href, replace_all(resaved, "DTSTART:20261201T090000Z", "DTSTART:20261201T080000Z"))
                   .status == 204);
    BOOST_TEST(f.store->list_mail().size() == 2u);
}

BOOST_AUTO_TEST_CASE(an_attendee_not_mailed_before_is_mailed_when_the_event_is_saved_again) {
    ServerFixture f;
    FakeClock clock;
    server::ImipComposer composer(relay(), 1, clock.fn());
    f.service->set_imip_gateway(&composer);
    auto v0 = meeting("q9", 0, {"a@outside.test", "b@outside.test"});
    BOOST_TEST(call(f, "PUT", href, v0).status == 201);
    BOOST_TEST(contains(unfolded(call(f, "GET", href).body), "SCHEDULE-STATUS=5.1:mailto:b@outside.test"));
    clock.now += std::chrono::seconds(61);
    BOOST_TEST(call(f, "PUT", href, v0).status == 204);
    auto copy = unfolded(call(f, "GET", href).body);
    BOOST_TEST(contains(copy, "SCHEDULE-STATUS=1.1:mailto:a@outside.test"));
    BOOST_TEST(contains(copy, "SCHEDULE-STATUS=1.1:mailto:b@outside.test"));
    auto queued = f.store->list_mail();
    BOOST_REQUIRE(queued.size() == 2u);
    BOOST_TEST(queued[1].recipient == "b@outside.test");
}

BOOST_AUTO_TEST_CASE(an_attendee_dropped_from_the_event_gets_a_cancel_by_email) {
    ServerFixture f;
    server::ImipComposer composer(relay(), 10);
    f.service->set_imip_gateway(&composer);
    BOOST_TEST(
        call(f, "PUT", href, meeting("q3", 0, {"carol@outside.test", "dan@outside.test"})).status ==
        201);
    BOOST_TEST(call(f, "PUT", href, meeting("q3", 1, {"carol@outside.test"})).status == 204);
    auto queued = f.store->list_mail();
    BOOST_REQUIRE(queued.size() == 4u);
    bool cancelled_dan = false;
    for (const auto& m : queued)
        if (m.recipient == "dan@outside.test" && contains(m.message, "method=CANCEL"))
            cancelled_dan = true;
    BOOST_TEST(cancelled_dan);
}

BOOST_AUTO_TEST_CASE(the_per_minute_allowance_stops_more_mail_and_reports_5_1) {
    ServerFixture f;
    FakeClock clock;
    server::ImipComposer composer(relay(), 2, clock.fn());
    f.service->set_imip_gateway(&composer);
    BOOST_TEST(call(f, "PUT", href,
                    meeting("q4", 0, {"a@outside.test", "b@outside.test", "c@outside.test"}))
                   .status == 201);
    auto copy = unfolded(call(f, "GET", href).body);
    BOOST_TEST(contains(copy, "SCHEDULE-STATUS=1.1:mailto:a@outside.test"));
    BOOST_TEST(contains(copy, "SCHEDULE-STATUS=1.1:mailto:b@outside.test"));
    BOOST_TEST(contains(copy, "SCHEDULE-STATUS=5.1:mailto:c@outside.test"));
    BOOST_TEST(f.store->list_mail().size() == 2u);
    // bob has his own allowance.
    BOOST_TEST(call(f, "PUT", "/dav/calendars/bob/calendar/b.ics",
                    meeting("q4b", 0, {"a@outside.test"}, "mailto:bob@example.com"), "bob")
                   .status == 201);
    BOOST_TEST(f.store->list_mail().size() == 3u);
    // A minute later alice may send again.
    clock.now += std::chrono::seconds(61);
    BOOST_TEST(call(f, "PUT", href,
                    meeting("q4", 1, {"a@outside.test", "b@outside.test", "c@outside.test"}))
                   .status == 204);
    BOOST_TEST(f.store->list_mail().size() == 5u);
}

BOOST_AUTO_TEST_CASE(more_attendees_than_the_limit_is_refused_with_max_attendees_per_instance) {
    ServerFixture f([](server::Config& c) { c.limits.max_attendees_per_instance = 3; });
    server::ImipComposer composer(relay(), 100);
    f.service->set_imip_gateway(&composer);
    auto r = call(f, "PUT", href,
                  meeting("q5", 0, {"a@outside.test", "b@outside.test", "c@outside.test"}));
    BOOST_TEST(r.status == 403);
    BOOST_TEST(contains(r.body, "max-attendees-per-instance"));
    BOOST_TEST(call(f, "GET", href).status == 404);
    BOOST_TEST(f.store->list_mail().empty());
    BOOST_TEST(
        call(f, "PUT", href, meeting("q5", 0, {"a@outside.test", "b@outside.test"})).status == 201);
}

BOOST_AUTO_TEST_CASE(an_attendee_answer_to_an_external_organizer_is_a_reply_by_email) {
    ServerFixture f;
    server::ImipComposer composer(relay(), 10);
    f.service->set_imip_gateway(&composer);
    const std::string organizer = "mailto:dave@outside.test";
    // Saving the invitation answers nothing yet.
    BOOST_TEST(
        call(f, "PUT", href, meeting("q6", 0, {"erin@outside.test"}, organizer, "NEEDS-ACTION"))
            .status == 201);
    BOOST_TEST(f.store->list_mail().empty());
    BOOST_TEST(call(f, "PUT", href, meeting("q6", 0, {"erin@outside.test"}, organizer, "ACCEPTED"))
                   .status == 204);
    auto queued = f.store->list_mail();
    BOOST_REQUIRE(queued.size() == 1u);
    BOOST_TEST(queued[0].recipient == "dave@outside.test");
    BOOST_TEST(contains(queued[0].message, "Reply-To: Alice <alice@example.com>"));
    BOOST_TEST(contains(queued[0].message, "To: Org <dave@outside.test>"));
    BOOST_TEST(contains(queued[0].message, "Subject: Accepted: Sync"));
    auto mail = server::parse_received_mail(queued[0].message);
    auto reply = ical::itip_summary(mail->calendars.at(0));
    BOOST_TEST(reply->method == "REPLY");
    BOOST_REQUIRE(reply->attendees.size() == 1u);  // RFC 5546 §3.2.3: only the one replying
    BOOST_TEST(reply->attendees[0].address == "mailto:alice@example.com");
    BOOST_TEST(reply->attendees[0].partstat == "ACCEPTED");
    // Deleting the invitation declines it.
    BOOST_TEST(call(f, "DELETE", href).status == 204);
    queued = f.store->list_mail();
    BOOST_REQUIRE(queued.size() == 2u);
    BOOST_TEST(contains(queued[1].message, "Subject: Declined: Sync"));
}

BOOST_AUTO_TEST_CASE(header_fields_cannot_be_injected_through_the_summary) {
    ical::ItipSummary s;
    s.method = "REQUEST";
    s.summary = "Hi\r\nBcc: victim@example.net";
    s.organizer = {"mailto:alice@example.com", "Alice\r\nBcc: x@example.net", "ACCEPTED"};
    server::ImipAddresses who{"calendar@example.org", "carol@outside.test", "", "alice@example.com",
                              "Alice\nBcc: y@example.net", ""};
    auto message = server::compose_imip_message(who, s, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
    auto header = message.substr(0, message.find("\r\n\r\n"));
    BOOST_TEST(!contains(header, "\nBcc:"));
    BOOST_TEST(contains(header, "Subject: Invitation: Hi  Bcc: victim@example.net"));
}

BOOST_AUTO_TEST_CASE(retries_back_off_exponentially_up_to_the_maximum) {
    ServerFixture f;
    auto smtp = relay();
    smtp.retry_min = std::chrono::seconds(60);
    smtp.retry_max = std::chrono::seconds(600);
    server::MailWorker worker(*f.store, *f.store, smtp);
    BOOST_TEST(worker.backoff_seconds(1) == 60);
    BOOST_TEST(worker.backoff_seconds(2) == 120);
    BOOST_TEST(worker.backoff_seconds(4) == 480);
    BOOST_TEST(worker.backoff_seconds(5) == 600);
    BOOST_TEST(worker.backoff_seconds(40) == 600);
}

BOOST_AUTO_TEST_CASE(a_failed_send_is_kept_with_its_error_and_an_old_message_is_given_up_as_5_1) {
    ServerFixture f;
    auto smtp = relay();  // nothing listens on port 9 of 127.0.0.1
    smtp.retry_min = std::chrono::seconds(30);
    smtp.timeout = std::chrono::seconds(5);
    server::ImipComposer composer(smtp, 10);
    f.service->set_imip_gateway(&composer);
    BOOST_TEST(call(f, "PUT", href, meeting("q7", 0, {"carol@outside.test"})).status == 201);
    server::MailWorker worker(*f.store, *f.store, smtp);
    auto now = static_cast<std::int64_t>(std::time(nullptr));
    BOOST_TEST(worker.run_once(now) == 0u);
    auto queued = f.store->list_mail();
    BOOST_REQUIRE(queued.size() == 1u);
    BOOST_TEST(queued[0].attempts == 1);
    BOOST_TEST(!queued[0].last_error.empty());
    // Not due again before the backoff.
    BOOST_TEST(worker.run_once(now + 1) == 0u);
    BOOST_TEST(f.store->list_mail().at(0).attempts == 1);
    BOOST_TEST(contains(unfolded(call(f, "GET", href).body),
                        "SCHEDULE-STATUS=1.1:mailto:carol@outside.test"));
    // Past the give-up age it is dropped, and the organizer's copy says so.
    BOOST_TEST(worker.run_once(now + 72 * 3600 + 120) == 0u);
    BOOST_TEST(f.store->list_mail().empty());
    BOOST_TEST(contains(unfolded(call(f, "GET", href).body),
                        "SCHEDULE-STATUS=5.1:mailto:carol@outside.test"));
}

BOOST_AUTO_TEST_SUITE_END()
