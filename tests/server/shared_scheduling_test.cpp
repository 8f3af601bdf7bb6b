// Scheduling on shared calendars and by delegates (issue 25 §5, §6) over
// real HTTP: a sharee's or write proxy's meeting in the owner's calendar is
// organized by the owner with SENT-BY naming them, the invitations reach the
// attendees' inboxes and calendars as from the owner, a sharee's own answer
// in the owner's copy goes to the owner as a REPLY, and SENT-BY gives nobody
// else a way to change other people's calendars.
#include <boost/test/unit_test.hpp>

#include "tests/support/server_fixture.hpp"

using test_support::basic_auth;
using test_support::HttpClient;
using test_support::HttpReply;
using test_support::ServerFixture;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

/// iCalendar text with folded lines joined (RFC 5545 §3.1).
std::string unfolded(std::string text) {
    for (auto at = text.find("\r\n "); at != std::string::npos; at = text.find("\r\n ", at)) text.erase(at, 3);
    return text;
}

/// The ORGANIZER line of `ics` (unfolded), or "".
std::string organizer_line(const std::string& ics) {
    auto text = unfolded(ics);
    auto at = text.find("\r\nORGANIZER");
    if (at == std::string::npos) return {};
    at += 2;
    return text.substr(at, text.find("\r\n", at) - at);
}

/// The ATTENDEE line of `ics` (unfolded) for `address`, or "".
std::string attendee_line(const std::string& ics, const std::string& address) {
    auto text = unfolded(ics);
    for (auto at = text.find("\r\nATTENDEE"); at != std::string::npos; at = text.find("\r\nATTENDEE", at + 2)) {
        auto line = text.substr(at + 2, text.find("\r\n", at + 2) - at - 2);
        if (line.ends_with(":mailto:" + address)) return line;
    }
    return {};
}

std::string meeting(const std::string& uid, const std::string& organizer, const std::string& summary,
                    const std::string& attendees) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//shared scheduling//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
           "\r\nDTSTAMP:20260301T000000Z\r\nDTSTART:20260310T090000Z\r\nDTEND:20260310T100000Z\r\nSUMMARY:" + summary +
           "\r\nORGANIZER:mailto:" + organizer + "\r\n" + attendees + "END:VEVENT\r\nEND:VCALENDAR\r\n";
}

std::string attendee(const std::string& address, const std::string& partstat = "NEEDS-ACTION") {
    return "ATTENDEE;CN=" + address.substr(0, address.find('@')) + ";PARTSTAT=" + partstat +
           ";RSVP=TRUE:mailto:" + address + "\r\n";
}

const std::string owners = "/dav/calendars/alice/calendar/";

/// alice's calendar; users bob (sharee or delegate), carol (attendee) and dave (nobody's).
struct Shared {
    ServerFixture f;
    std::int64_t calendar_id = 0;

    Shared() {
        for (auto name : {"carol", "dave"})
            f.store->add_user(name, std::string(name) + "@example.com", server::hash_password(std::string(name) + "-pw"));
        for (auto name : {"alice", "bob", "carol", "dave"}) f.store->provision_home(id_of(name));
        calendar_id = f.store->find_collection(id_of("alice"), "calendar")->id;
    }

    std::int64_t id_of(const std::string& user) { return f.store->find_principal(user)->id; }

    void share(const std::string& user, caldav::SharePermission p) {
        BOOST_REQUIRE((f.store->set_grant(calendar_id, id_of(user), p) == caldav::StoreStatus::ok));
    }

    HttpReply send(const std::string& user, const std::string& method, const std::string& path,
                   const std::string& body = {}, std::string headers = {}) {
        HttpClient c(f.port);
        if (method == "PUT") headers += "Content-Type: text/calendar\r\n";
        else if (!body.empty()) headers += "Content-Type: application/xml\r\n";
        c.send(ServerFixture::request(method, path, body, basic_auth(user, user + "-pw"), headers));
        auto r = c.read_reply(std::chrono::seconds(10), method == "HEAD");
        BOOST_REQUIRE(r);
        return *r;
    }

    /// The user's copy of `uid` in their calendars, or "".
    std::string copy_of(const std::string& user, const std::string& uid) {
        auto o = f.store->find_object_by_uid(id_of(user), uid);
        return o ? o->data : std::string();
    }

    /// The texts of the user's inbox items.
    std::vector<std::string> inbox(const std::string& user) {
        std::vector<std::string> out;
        auto box = f.store->find_collection(id_of(user), "inbox");
        if (!box) return out;
        for (auto& o : f.store->list_objects(box->id, true)) out.push_back(unfolded(o.data));
        return out;
    }

    std::size_t inbox_with(const std::string& user, const std::string& needle) {
        std::size_t n = 0;
        for (const auto& m : inbox(user)) n += has(m, needle);
        return n;
    }

    /// alice names `user` her `group` delegate (calendar-proxy-read or -write) as Apple Calendar does.
    void delegate(const std::string& user, const std::string& group) {
        auto r = send("alice", "PROPPATCH", "/dav/principals/users/alice/" + group + "/",
                      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A:propertyupdate xmlns:A=\"DAV:\"><A:set><A:prop>"
                      "<A:group-member-set><A:href>/dav/principals/users/" + user +
                          "/</A:href></A:group-member-set></A:prop></A:set></A:propertyupdate>");
        BOOST_REQUIRE_EQUAL(r.status, 207);
        BOOST_REQUIRE(has(r.body, "200 OK"));
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(shared_scheduling)

BOOST_AUTO_TEST_CASE(an_edit_sharees_meeting_in_the_owners_calendar_is_organized_by_the_owner_sent_by_the_sharee) {
    Shared s;
    s.share("bob", caldav::SharePermission::edit);
    // bob's client puts bob as the organizer (Apple Calendar does for a sharee).
    auto put = s.send("bob", "PUT", owners + "m1.ics",
                      meeting("m1", "bob@example.com", "Planning", attendee("carol@example.com")));
    BOOST_TEST(put.status == 201);
    auto stored = organizer_line(s.copy_of("alice", "m1"));
    BOOST_TEST(has(stored, "mailto:alice@example.com"), stored);
    BOOST_TEST(has(stored, "SENT-BY=\"mailto:bob@example.com\""), stored);
    // carol is invited by alice, sent by bob: in her inbox and in her calendar.
    BOOST_TEST(s.inbox_with("carol", "METHOD:REQUEST") == 1u);
    BOOST_TEST(s.inbox_with("carol", "SENT-BY=\"mailto:bob@example.com\"") == 1u);
    auto carols = organizer_line(s.copy_of("carol", "m1"));
    BOOST_TEST(has(carols, "mailto:alice@example.com"), carols);
    // Nothing is organized by bob: his own calendar holds no copy.
    BOOST_TEST(s.copy_of("bob", "m1").empty());
}

BOOST_AUTO_TEST_CASE(a_sharees_edit_of_the_owners_meeting_updates_the_attendees_as_from_the_owner) {
    Shared s;
    s.share("bob", caldav::SharePermission::admin);
    BOOST_REQUIRE(s.send("alice", "PUT", owners + "m2.ics",
                         meeting("m2", "alice@example.com", "Review", attendee("carol@example.com")))
                      .status == 201);
    BOOST_REQUIRE(has(s.copy_of("carol", "m2"), "SUMMARY:Review"));
    auto put = s.send("bob", "PUT", owners + "m2.ics",
                      meeting("m2", "alice@example.com", "Review moved", attendee("carol@example.com")));
    BOOST_TEST(put.status == 204);
    BOOST_TEST(has(s.copy_of("carol", "m2"), "SUMMARY:Review moved"));
    BOOST_TEST(has(organizer_line(s.copy_of("carol", "m2")), "SENT-BY=\"mailto:bob@example.com\""));
    BOOST_TEST(s.inbox_with("carol", "METHOD:REQUEST") == 2u);
    // An admin sharee's DELETE cancels as the owner.
    BOOST_TEST(s.send("bob", "DELETE", owners + "m2.ics").status == 204);
    BOOST_TEST(s.inbox_with("carol", "METHOD:CANCEL") == 1u);
    BOOST_TEST(has(s.copy_of("carol", "m2"), "STATUS:CANCELLED"));
}

BOOST_AUTO_TEST_CASE(a_sharees_own_answer_in_the_owners_copy_goes_to_the_owner_as_a_reply) {
    Shared s;
    s.share("bob", caldav::SharePermission::edit);
    auto invite = meeting("m3", "alice@example.com", "Offsite",
                          attendee("bob@example.com") + attendee("carol@example.com"));
    BOOST_REQUIRE(s.send("alice", "PUT", owners + "m3.ics", invite).status == 201);
    BOOST_REQUIRE(!s.copy_of("bob", "m3").empty());
    const auto carol_before = s.inbox("carol").size();
    // bob accepts in alice's copy (the shared calendar), not in his own.
    auto answered = meeting("m3", "alice@example.com", "Offsite",
                            attendee("bob@example.com", "ACCEPTED") + attendee("carol@example.com"));
    BOOST_TEST(s.send("bob", "PUT", owners + "m3.ics", answered).status == 204);
    BOOST_TEST(s.inbox_with("alice", "METHOD:REPLY") == 1u);
    BOOST_TEST(s.inbox_with("alice", "PARTSTAT=ACCEPTED") == 1u);
    BOOST_TEST(attendee_line(s.copy_of("bob", "m3"), "bob@example.com").find("PARTSTAT=ACCEPTED") != std::string::npos);
    // An answer is no new invitation: carol's inbox gets nothing.
    BOOST_TEST(s.inbox("carol").size() == carol_before);
    // The owner's ORGANIZER is left as it was: answering sends nothing as bob.
    BOOST_TEST(!has(organizer_line(s.copy_of("alice", "m3")), "SENT-BY"));
}

BOOST_AUTO_TEST_CASE(a_view_sharee_cannot_schedule_in_the_owners_calendar) {
    Shared s;
    s.share("bob", caldav::SharePermission::view);
    auto put = s.send("bob", "PUT", owners + "m4.ics",
                      meeting("m4", "alice@example.com", "Sneaky", attendee("carol@example.com")));
    BOOST_TEST(put.status == 403);
    BOOST_TEST(s.inbox("carol").empty());
    BOOST_TEST(s.copy_of("carol", "m4").empty());
}

BOOST_AUTO_TEST_CASE(a_sent_by_written_by_somebody_without_rights_on_the_organizers_calendar_changes_nothing) {
    Shared s;
    BOOST_REQUIRE(s.send("alice", "PUT", owners + "m5.ics",
                         meeting("m5", "alice@example.com", "Board", attendee("carol@example.com")))
                      .status == 201);
    const auto carol_before = s.inbox("carol").size();
    // dave writes alice's meeting into his own calendar claiming to send for her.
    auto forged = meeting("m5", "alice@example.com", "Board cancelled, go home", attendee("carol@example.com"));
    forged.replace(forged.find("ORGANIZER:"), 10, "ORGANIZER;SENT-BY=\"mailto:dave@example.com\":");
    BOOST_TEST(s.send("dave", "PUT", "/dav/calendars/dave/calendar/m5.ics", forged).status == 201);
    BOOST_TEST(has(s.copy_of("carol", "m5"), "SUMMARY:Board"));
    BOOST_TEST(!has(s.copy_of("carol", "m5"), "go home"));
    BOOST_TEST(s.inbox("carol").size() == carol_before);
    BOOST_TEST(!has(s.copy_of("alice", "m5"), "go home"));
    // And straight into alice's calendar he may not write at all.
    BOOST_TEST(s.send("dave", "PUT", owners + "m5.ics", forged).status == 403);
}

BOOST_AUTO_TEST_CASE(a_write_delegate_schedules_for_the_delegator_and_a_read_delegate_only_reads) {
    Shared s;
    s.delegate("bob", "calendar-proxy-write");
    auto put = s.send("bob", "PUT", owners + "m6.ics",
                      meeting("m6", "bob@example.com", "Hiring", attendee("carol@example.com")));
    BOOST_TEST(put.status == 201);
    BOOST_TEST(has(organizer_line(s.copy_of("alice", "m6")), "SENT-BY=\"mailto:bob@example.com\""));
    BOOST_TEST(s.inbox_with("carol", "SUMMARY:Hiring") == 1u);
    // The delegate reads the delegator's inbox and answers for her.
    BOOST_TEST(s.send("bob", "PROPFIND", "/dav/calendars/alice/inbox/", {}, "Depth: 1\r\n").status == 207);

    s.delegate("dave", "calendar-proxy-read");
    auto home = s.send("dave", "PROPFIND", "/dav/calendars/alice/", {}, "Depth: 1\r\n");
    BOOST_TEST(home.status == 207);
    BOOST_TEST(has(home.body, "/dav/calendars/alice/calendar/"));
    BOOST_TEST(s.send("dave", "GET", owners + "m6.ics").status == 200);
    BOOST_TEST(s.send("dave", "PUT", owners + "m7.ics",
                      meeting("m7", "alice@example.com", "Nope", attendee("carol@example.com")))
                   .status == 403);
    BOOST_TEST(s.send("dave", "DELETE", owners + "m6.ics").status == 403);
}

BOOST_AUTO_TEST_SUITE_END()
