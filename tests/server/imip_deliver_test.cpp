// `kalends imip deliver` (RFC 6047 §2, issue 6 §5): emails in the forms
// Outlook and Gmail send (tests/server/data/imip/) piped into the binary the
// way an MTA does; exit statuses from sysexits.h.
#include "src/cli/imip_command.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ical/itip.hpp"
#include "tests/support/process.hpp"
#include "tests/support/server_fixture.hpp"

using test_support::ServerFixture;

namespace {

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

std::string fixture(const std::string& name) {
    const char* dir = std::getenv("KALENDS_IMIP_DATA");
    BOOST_REQUIRE(dir);
    std::ifstream in(std::string(dir) + "/" + name, std::ios::binary);
    BOOST_REQUIRE(in);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// alice organizes imip-in-1 (SEQUENCE 2) with two external attendees.
const std::string organized =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kalends "
    "tests//EN\r\nBEGIN:VEVENT\r\nUID:imip-in-1\r\n"
    "DTSTAMP:20261130T120000Z\r\nDTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\nSUMMARY:"
    "Budget review\r\n"
    "SEQUENCE:2\r\nORGANIZER;CN=Alice Example:mailto:alice@example.com\r\n"
    "ATTENDEE;CN=Alice Example;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
    "ATTENDEE;CN=Carol;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:carol.outside@outside.test\r\n"
    "ATTENDEE;CN=Dan;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:dan.outside@gmail.test\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n";

struct DeliverFixture : ServerFixture {
    DeliverFixture() {
        BOOST_REQUIRE(put_budget(organized) == 201);
        alice = *store->find_principal("alice");
        bob = *store->find_principal("bob");
    }

    /// alice PUTs `body` as her budget.ics (in process); returns the status.
    int put_budget(const std::string& body) {
        caldav::Request r;
        r.method = "PUT";
        r.path = r.raw_target = "/dav/calendars/alice/calendar/budget.ics";
        r.body = body;
        r.headers.add("Content-Type", "text/calendar");
        r.principal = caldav::Principal{0, "alice"};
        return service->handle(r).status;
    }

    /// Runs `kalends imip deliver` on this fixture's data with `email` on stdin.
    int deliver(const std::string& email, const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args{"imip", "deliver", "--data", config.data_dir.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        for (const auto& a : cli_config()) args.push_back(a);
        auto child = test_support::run_kalends(args, email);
        last_err = child->err();
        return *child->wait();
    }

    /// alice's copy with folded lines joined.
    std::string organizer_copy() {
        auto text = store->find_object_by_uid(alice.id, "imip-in-1")->data;
        return replaced(text, "\r\n ", "");
    }

    /// The PARTSTAT alice's copy records for `address`.
    std::string partstat(const std::string& address) {
        auto summary = ical::itip_summary(store->find_object_by_uid(alice.id, "imip-in-1")->data);
        for (const auto& a : summary->attendees)
            if (a.address == address) return a.partstat;
        return "(absent)";
    }

    std::size_t inbox_size(const caldav::PrincipalRecord& who) {
        auto inbox = store->find_collection(who.id, "inbox");
        return inbox ? store->list_objects(inbox->id, false).size() : 0;
    }

    caldav::PrincipalRecord alice, bob;
    std::string last_err;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(imip_deliver, DeliverFixture)

BOOST_AUTO_TEST_CASE(an_outlook_reply_with_other_case_and_cn_and_no_sequence_is_applied) {
    BOOST_TEST(deliver(fixture("outlook-reply-accepted.eml"),
                       {"--sender", "Carol.Outside@outside.test"}) == 0,
               last_err);
    BOOST_TEST(partstat("mailto:carol.outside@outside.test") == "ACCEPTED");
    BOOST_TEST(contains(organizer_copy(), "CN=Carol;"));  // the organizer's CN stays
    BOOST_TEST(partstat("mailto:dan.outside@gmail.test") == "NEEDS-ACTION");
    BOOST_TEST(inbox_size(alice) == 1u);  // the REPLY in the organizer's inbox too
}

BOOST_AUTO_TEST_CASE(an_emailed_reply_reaches_the_copies_of_the_other_local_attendees) {
    // bob, a local user, is invited too: his copy is in his calendar.
    auto with_bob =
        replaced(organized, "ATTENDEE;CN=Dan;",
                 "ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\n"
                 "ATTENDEE;CN=Dan;");
    BOOST_REQUIRE(put_budget(with_bob) == 204);
    auto before = store->find_object_by_uid(bob.id, "imip-in-1");
    BOOST_REQUIRE(before);
    BOOST_TEST(!contains(before->data, "PARTSTAT=ACCEPTED:mailto:carol"));

    BOOST_TEST(deliver(fixture("outlook-reply-accepted.eml"),
                       {"--sender", "Carol.Outside@outside.test"}) == 0,
               last_err);
    // bob's copy takes the answer with the queued refresh, not before.
    BOOST_TEST(store->find_object_by_uid(bob.id, "imip-in-1")->etag == before->etag);
    BOOST_TEST(run_attendee_refresh() == 1u);
    auto after = store->find_object_by_uid(bob.id, "imip-in-1");
    BOOST_REQUIRE(after);
    auto text = replaced(after->data, "\r\n ", "");
    BOOST_TEST(contains(text, "PARTSTAT=ACCEPTED:mailto:carol.outside@outside.test"));
    BOOST_TEST(contains(text, "PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com"));
    BOOST_TEST(after->schedule_tag == before->schedule_tag);  // only answers changed
    BOOST_TEST(inbox_size(bob) == 1u);  // the invitation; no item for carol's answer
}

BOOST_AUTO_TEST_CASE(a_gmail_reply_in_multipart_mixed_with_an_invite_ics_is_applied_once) {
    BOOST_TEST(deliver(fixture("gmail-reply-declined.eml")) == 0, last_err);
    BOOST_TEST(partstat("mailto:dan.outside@gmail.test") == "DECLINED");
    BOOST_TEST(inbox_size(alice) == 1u);
}

BOOST_AUTO_TEST_CASE(a_quoted_printable_latin1_attachment_is_decoded_and_applied) {
    BOOST_TEST(deliver(fixture("qp-latin1-reply-tentative.eml")) == 0, last_err);
    BOOST_TEST(partstat("mailto:carol.outside@outside.test") == "TENTATIVE");
    // The REPLY kept in the inbox is UTF-8 now.
    auto inbox = store->find_collection(alice.id, "inbox");
    auto items = store->list_objects(inbox->id, true);
    BOOST_REQUIRE(items.size() == 1u);
    BOOST_TEST(contains(replaced(items[0].data, "\r\n ", ""), "Peut-\xc3\xaatre"));
}

BOOST_AUTO_TEST_CASE(a_reply_from_someone_else_than_the_attendee_is_refused_with_ex_noperm) {
    auto forged =
        replaced(fixture("gmail-reply-declined.eml"), "From: Dan Outside <dan.outside@gmail.test>",
                 "From: Mallory <mallory@evil.test>");
    BOOST_TEST(deliver(forged, {"--sender", "mallory@evil.test"}) == 77, last_err);
    BOOST_TEST(partstat("mailto:dan.outside@gmail.test") == "NEEDS-ACTION");
    BOOST_TEST(inbox_size(alice) == 0u);
}

BOOST_AUTO_TEST_CASE(a_reply_from_an_attendee_who_was_not_invited_is_refused) {
    auto crasher =
        replaced(fixture("gmail-reply-declined.eml"), "dan.outside@gmail.test", "zoe@gmail.test");
    crasher = replaced(crasher, "Dan Ou\r\n tside", "Zoe");
    BOOST_TEST(deliver(crasher) == 77, last_err);
    BOOST_TEST(inbox_size(alice) == 0u);
}

BOOST_AUTO_TEST_CASE(a_reply_to_an_older_sequence_changes_nothing_and_exits_0) {
    auto stale = replaced(fixture("gmail-reply-declined.eml"), "SEQUENCE:2", "SEQUENCE:1");
    BOOST_TEST(deliver(stale) == 0, last_err);
    BOOST_TEST(contains(last_err, "older SEQUENCE"));
    BOOST_TEST(partstat("mailto:dan.outside@gmail.test") == "NEEDS-ACTION");
}

BOOST_AUTO_TEST_CASE(a_reply_for_an_instance_or_with_an_unknown_partstat_changes_nothing) {
    auto instance = replaced(fixture("gmail-reply-declined.eml"), "UID:imip-in-1\r\n",
                             "UID:imip-in-1\r\nRECURRENCE-ID:20261208T090000Z\r\n");
    BOOST_TEST(deliver(instance) == 0, last_err);
    BOOST_TEST(partstat("mailto:dan.outside@gmail.test") == "NEEDS-ACTION");
    auto odd =
        replaced(fixture("gmail-reply-declined.eml"), "PARTSTAT=DECLINED", "PARTSTAT=X-MAYBE");
    BOOST_TEST(deliver(odd) == 0, last_err);
    BOOST_TEST(partstat("mailto:dan.outside@gmail.test") == "NEEDS-ACTION");
}

BOOST_AUTO_TEST_CASE(a_reply_for_an_organizer_who_is_not_local_is_ex_nouser) {
    auto elsewhere = replaced(fixture("gmail-reply-declined.eml"),
                              "ORGANIZER;CN=Alice Example:mailto:alice@example.com",
                              "ORGANIZER;CN=Zed:mailto:zed@example.com");
    BOOST_TEST(deliver(elsewhere) == 67, last_err);
}

BOOST_AUTO_TEST_CASE(an_email_without_a_calendar_part_is_ex_dataerr) {
    BOOST_TEST(deliver(fixture("no-calendar.eml")) == 65, last_err);
    BOOST_TEST(deliver("not an email at all") == 65, last_err);
}

BOOST_AUTO_TEST_CASE(a_gmail_request_reaches_bob_and_its_cancel_cancels_his_copy) {
    BOOST_TEST(deliver(fixture("gmail-request.eml"), {"--recipient", "bob@example.com"}) == 0,
               last_err);
    auto copy = store->find_object_by_uid(bob.id, "7kukuqrfedlm2f9t0vmc2ouu9q@google.test");
    BOOST_REQUIRE(copy);
    BOOST_TEST(!contains(copy->data, "METHOD:"));
    BOOST_TEST(contains(replaced(copy->data, "\r\n ", ""), "PARTSTAT=NEEDS-ACTION"));
    BOOST_TEST(inbox_size(bob) == 1u);
    // The same request again keeps one copy.
    BOOST_TEST(deliver(fixture("gmail-request.eml")) == 0, last_err);
    BOOST_TEST(store->find_object_by_uid(bob.id, "7kukuqrfedlm2f9t0vmc2ouu9q@google.test")->name ==
               copy->name);

    auto cancel = replaced(fixture("gmail-request.eml"), "METHOD:REQUEST", "METHOD:CANCEL");
    cancel = replaced(cancel, "method=REQUEST", "method=CANCEL");
    cancel = replaced(cancel, "SEQUENCE:0", "SEQUENCE:1");
    BOOST_TEST(deliver(cancel) == 0, last_err);
    BOOST_TEST(
        contains(store->find_object_by_uid(bob.id, "7kukuqrfedlm2f9t0vmc2ouu9q@google.test")->data,
                 "STATUS:CANCELLED"));
}

BOOST_AUTO_TEST_CASE(a_request_not_from_its_organizer_is_refused_and_not_delivered) {
    auto forged =
        replaced(fixture("gmail-request.eml"), "From: Erin Outside <erin.outside@gmail.test>",
                 "From: Mallory <mallory@evil.test>");
    BOOST_TEST(deliver(forged) == 77, last_err);
    BOOST_TEST(!store->find_object_by_uid(bob.id, "7kukuqrfedlm2f9t0vmc2ouu9q@google.test"));
    BOOST_TEST(inbox_size(bob) == 0u);
}

BOOST_AUTO_TEST_CASE(email_in_the_name_of_a_local_user_is_refused) {
    // Local users schedule through the server; email claiming to be them is forged.
    auto forged =
        replaced(fixture("gmail-request.eml"), "erin.outside@gmail.test", "alice@example.com");
    BOOST_TEST(deliver(forged) == 77, last_err);
    BOOST_TEST(inbox_size(bob) == 0u);
    auto reply =
        replaced(fixture("gmail-reply-declined.eml"), "dan.outside@gmail.test", "bob@example.com");
    BOOST_TEST(deliver(reply) == 77, last_err);
    BOOST_TEST(inbox_size(alice) == 0u);
}

BOOST_AUTO_TEST_CASE(a_request_for_nobody_here_is_ex_nouser) {
    auto elsewhere = replaced(fixture("gmail-request.eml"), "mailto:bob@example.com",
                              "mailto:nobody@example.com");
    BOOST_TEST(deliver(elsewhere) == 67, last_err);
}

BOOST_AUTO_TEST_SUITE_END()
