// Implicit scheduling end to end over HTTP (RFC 6638, issue 6): three users
// and a room on a real server over loopback; Schedule-Tag and
// If-Schedule-Tag-Match (§3.2.10, §8.3), SCHEDULE-FORCE-SEND and
// SCHEDULE-AGENT (§7.1, §7.3), an attendee's alarms and X- properties kept
// across the organizer's updates, answers shared with the other attendees
// (§4.2) and what an attendee may change (§3.2.2.1).
#include "src/http/server.hpp"

#define BOOST_TEST_MODULE scheduling
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <thread>
#include <vector>

#include "caldav/scheduling.hpp"
#include "tests/support/server_fixture.hpp"

using test_support::basic_auth;
using test_support::HttpClient;
using test_support::HttpReply;
using test_support::ServerFixture;

namespace {

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

std::size_t count_of(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = hay.find(needle); at != std::string::npos;
         at = hay.find(needle, at + needle.size()))
        ++n;
    return n;
}

/// iCalendar text with folded lines joined (RFC 5545 §3.1).
std::string unfolded(std::string text) {
    for (auto at = text.find("\r\n "); at != std::string::npos; at = text.find("\r\n ", at))
        text.erase(at, 3);
    return text;
}

/// The lines of `ics` (unfolded) that start with `prefix` and contain `needle`.
std::vector<std::string> lines_with(const std::string& ics, const std::string& prefix,
                                    const std::string& needle) {
    std::vector<std::string> out;
    auto text = unfolded(ics);
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find("\r\n", pos);
        if (end == std::string::npos) end = text.size();
        auto line = text.substr(pos, end - pos);
        if (line.starts_with(prefix) && contains(line, needle)) out.push_back(line);
        pos = end + 2;
    }
    return out;
}

/// The PARTSTAT of every ATTENDEE line for `address`, in order (NEEDS-ACTION when absent).
std::vector<std::string> partstats(const std::string& ics, const std::string& address) {
    std::vector<std::string> out;
    for (const auto& line : lines_with(ics, "ATTENDEE", address)) {
        auto at = line.find("PARTSTAT=");
        if (at == std::string::npos) {
            out.emplace_back("NEEDS-ACTION");
            continue;
        }
        at += 9;
        out.push_back(line.substr(at, line.find_first_of(";:", at) - at));
    }
    return out;
}

std::size_t count_partstat(const std::string& ics, const std::string& address,
                           const std::string& partstat) {
    auto all = partstats(ics, address);
    return static_cast<std::size_t>(std::count(all.begin(), all.end(), partstat));
}

/// `ics` (unfolded) with the PARTSTAT of `address` set to `partstat` on every ATTENDEE line.
std::string with_partstat(const std::string& ics, const std::string& address,
                          const std::string& partstat) {
    auto text = unfolded(ics);
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find("\r\n", pos);
        if (end == std::string::npos) end = text.size();
        auto line = text.substr(pos, end - pos);
        if (line.starts_with("ATTENDEE") && contains(line, address)) {
            auto at = line.find("PARTSTAT=");
            if (at != std::string::npos) {
                auto stop = line.find_first_of(";:", at);
                line.replace(at, stop - at, "PARTSTAT=" + partstat);
            } else {
                line.insert(std::string("ATTENDEE").size(), ";PARTSTAT=" + partstat);
            }
        }
        out += line + "\r\n";
        pos = end + 2;
    }
    return out;
}

/// `ics` with `component` (whole BEGIN..END text) added before END:VCALENDAR.
std::string with_component(const std::string& ics, const std::string& component) {
    auto text = unfolded(ics);
    auto at = text.rfind("END:VCALENDAR");
    return text.substr(0, at) + component + text.substr(at);
}

const std::string alice_addr = "mailto:alice@example.com";
const std::string bob_addr = "mailto:bob@example.com";
const std::string carol_addr = "mailto:carol@example.com";
const std::string room_addr = "mailto:room1@example.com";

std::string event(const std::string& uid, const std::string& organizer,
                  const std::vector<std::string>& attendees,
                  const std::string& start = "20270104T100000Z",
                  const std::string& end = "20270104T110000Z",
                  const std::string& extra = "RRULE:FREQ=WEEKLY;COUNT=10\r\n") {
    std::string s =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kalends tests//EN\r\nBEGIN:VEVENT\r\nUID:" +
        uid + "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + start + "\r\nDTEND:" + end + "\r\n" +
        extra + "SUMMARY:Weekly sync\r\nSEQUENCE:0\r\nORGANIZER:" + organizer + "\r\n";
    for (const auto& a : attendees) s += "ATTENDEE;" + a + "\r\n";
    return s + "END:VEVENT\r\nEND:VCALENDAR\r\n";
}

/// A server with alice, bob, carol and the room "room1" (accept-if-free).
struct Site {
    Site() {
        f.store->add_user("carol", "carol@example.com", server::hash_password("carol-pw"));
        f.store->add_resource("room1", "room1@example.com", "room", "accept-if-free");
    }

    HttpReply call(const std::string& user, const std::string& method, const std::string& path,
                   const std::string& body = {}, const std::string& headers = {}) {
        HttpClient c(f.port);
        std::string h = headers;
        if (method == "PUT") h += "Content-Type: text/calendar; charset=utf-8\r\n";
        c.send(ServerFixture::request(method, path, body, basic_auth(user, user + "-pw"), h));
        auto r = c.read_reply(std::chrono::seconds(10), method == "HEAD");
        BOOST_REQUIRE(r);
        return *r;
    }

    HttpReply get(const std::string& user, const std::string& path) {
        auto r = call(user, "GET", path);
        BOOST_TEST_REQUIRE(r.status == 200, path << ": " << r.status << " " << r.body);
        r.body = unfolded(r.body);
        return r;
    }

    /// Every message in a user's scheduling inbox, as one text.
    std::string inbox(const std::string& user) {
        auto r = call(user, "PROPFIND", "/dav/calendars/" + user + "/inbox/",
                      "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\" "
                      "xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop><C:calendar-data/></"
                      "D:prop></D:propfind>",
                      "Depth: 1\r\nContent-Type: application/xml\r\n");
        BOOST_TEST_REQUIRE(r.status == 207);
        return r.body;
    }

    std::string tag_match(const std::string& tag) {
        return "If-Schedule-Tag-Match: " + tag + "\r\n";
    }

    /// carol books the room from `start` to `end` in her NAME.ics (UID
    /// carol-NAME); returns the room's ATTENDEE line in her stored copy.
    std::string carol_books_room(const std::string& name, const std::string& start,
                                 const std::string& end) {
        auto path = "/dav/calendars/carol/calendar/" + name + ".ics";
        auto put = call(
            "carol", "PUT", path,
            event("carol-" + name, carol_addr,
                  {"PARTSTAT=ACCEPTED:" + carol_addr, "CUTYPE=ROOM:" + room_addr}, start, end, ""));
        BOOST_TEST_REQUIRE(put.status == 201, put.body);
        return lines_with(get("carol", path).body, "ATTENDEE", room_addr).at(0);
    }

    ServerFixture f;
};

const std::string alice_path = "/dav/calendars/alice/calendar/weekly.ics";
const std::string bob_path = "/dav/calendars/bob/calendar/weekly-1.ics";

std::string weekly() {
    return event(
        "weekly-1", alice_addr,
        {"CN=Alice;PARTSTAT=ACCEPTED:" + alice_addr, "PARTSTAT=NEEDS-ACTION;RSVP=TRUE:" + bob_addr,
         "CUTYPE=ROOM;PARTSTAT=NEEDS-ACTION:" + room_addr});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(scheduling_e2e)

BOOST_AUTO_TEST_CASE(invite_accept_reschedule_decline_one_instance_cancel_and_the_room_is_freed) {
    Site s;
    // alice invites bob and the room to a weekly meeting.
    auto put = s.call("alice", "PUT", alice_path, weekly());
    BOOST_TEST_REQUIRE(put.status == 201, put.body);
    auto alice_tag = put.header("schedule-tag");
    BOOST_TEST(!alice_tag.empty());
    BOOST_TEST(put.header("etag").empty());  // SCHEDULE-STATUS was added: not what the client sent

    auto alice_copy = s.get("alice", alice_path);
    BOOST_TEST(alice_copy.header("schedule-tag") ==
               alice_tag);  // recording SCHEDULE-STATUS kept the tag
    BOOST_TEST(lines_with(alice_copy.body, "ATTENDEE", room_addr).at(0).find("PARTSTAT=ACCEPTED") !=
               std::string::npos);
    BOOST_TEST(
        contains(lines_with(alice_copy.body, "ATTENDEE", bob_addr).at(0), "SCHEDULE-STATUS=1.2"));

    // bob has the REQUEST in his inbox and a NEEDS-ACTION copy with its own tag.
    auto inbox = s.inbox("bob");
    BOOST_TEST(count_of(inbox, "METHOD:REQUEST") == 1u);
    auto bob_copy = s.get("bob", bob_path);
    auto bob_tag = bob_copy.header("schedule-tag");
    BOOST_TEST(!bob_tag.empty());
    BOOST_TEST(
        contains(lines_with(bob_copy.body, "ATTENDEE", bob_addr).at(0), "PARTSTAT=NEEDS-ACTION"));

    // bob accepts with If-Schedule-Tag-Match, adding his own alarm and note.
    auto accepted = with_partstat(bob_copy.body, bob_addr, "ACCEPTED");
    auto at = accepted.find("END:VEVENT");
    accepted.insert(
        at,
        "X-BOB-NOTE:bring slides\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:bob's own\r\n"
        "TRIGGER:-PT15M\r\nEND:VALARM\r\n");
    auto accept = s.call("bob", "PUT", bob_path, accepted, s.tag_match(bob_tag));
    BOOST_TEST_REQUIRE(accept.status == 204, accept.body);
    auto bob_tag2 = accept.header("schedule-tag");
    BOOST_TEST(!bob_tag2.empty());
    BOOST_TEST(bob_tag2 != bob_tag);  // the attendee's own change is consequential for his copy
    // A client still holding the old tag is refused.
    BOOST_TEST(s.call("bob", "PUT", bob_path, accepted, s.tag_match(bob_tag)).status == 412);

    // alice's copy shows ACCEPTED; her Schedule-Tag did not change (only a reply was merged).
    alice_copy = s.get("alice", alice_path);
    BOOST_TEST(
        contains(lines_with(alice_copy.body, "ATTENDEE", bob_addr).at(0), "PARTSTAT=ACCEPTED"));
    // RFC 6638 §4.2: the reply's status (none given: 2.0) replaces "delivered".
    BOOST_TEST(
        contains(lines_with(alice_copy.body, "ATTENDEE", bob_addr).at(0), "SCHEDULE-STATUS=2.0"));
    BOOST_TEST(alice_copy.header("schedule-tag") == alice_tag);
    BOOST_TEST(count_of(s.inbox("alice"), "METHOD:REPLY") == 1u);

    // alice's client, still holding the version before the reply, edits the
    // description: accepted thanks to the tag, and bob's answer is merged, not lost.
    auto stale = weekly();
    stale.insert(stale.find("SUMMARY"), "DESCRIPTION:agenda attached\r\n");
    put = s.call("alice", "PUT", alice_path, stale, s.tag_match(alice_tag));
    BOOST_TEST_REQUIRE(put.status == 204, put.body);
    auto alice_tag2 = put.header("schedule-tag");
    BOOST_TEST(alice_tag2 != alice_tag);  // the organizer's own change
    alice_copy = s.get("alice", alice_path);
    BOOST_TEST(
        contains(lines_with(alice_copy.body, "ATTENDEE", bob_addr).at(0), "PARTSTAT=ACCEPTED"));
    BOOST_TEST(contains(alice_copy.body, "DESCRIPTION:agenda attached"));

    // bob's copy took the update: a new tag, his answer, alarm and note kept.
    bob_copy = s.get("bob", bob_path);
    BOOST_TEST(bob_copy.header("schedule-tag") != bob_tag2);
    BOOST_TEST(contains(bob_copy.body, "DESCRIPTION:agenda attached"));
    BOOST_TEST(
        contains(lines_with(bob_copy.body, "ATTENDEE", bob_addr).at(0), "PARTSTAT=ACCEPTED"));
    BOOST_TEST(contains(bob_copy.body, "X-BOB-NOTE:bring slides"));
    BOOST_TEST(contains(bob_copy.body, "DESCRIPTION:bob's own"));
    BOOST_TEST(count_of(s.inbox("bob"), "METHOD:REQUEST") == 2u);

    // alice moves the third instance to the afternoon.
    auto moved = with_component(with_partstat(alice_copy.body, bob_addr, "ACCEPTED"),
                                "BEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:"
                                "20260101T000000Z\r\nRECURRENCE-ID:20270118T100000Z\r\n"
                                "DTSTART:20270118T140000Z\r\nDTEND:20270118T150000Z\r\nSUMMARY:"
                                "Weekly sync (moved)\r\nSEQUENCE:1\r\n"
                                "ORGANIZER:" +
                                    alice_addr + "\r\nATTENDEE;PARTSTAT=ACCEPTED:" + alice_addr +
                                    "\r\nATTENDEE;PARTSTAT=ACCEPTED:" + bob_addr +
                                    "\r\nATTENDEE;CUTYPE=ROOM;PARTSTAT=ACCEPTED:" + room_addr +
                                    "\r\nEND:VEVENT\r\n");
    put = s.call("alice", "PUT", alice_path, moved, s.tag_match(alice_copy.header("schedule-tag")));
    BOOST_TEST_REQUIRE(put.status == 204, put.body);
    // Copied from the series by her client, the answers of the moved instance
    // are reset (RFC 6638 §3.2.8); the room answers again at once.
    alice_copy = s.get("alice", alice_path);
    BOOST_TEST((partstats(alice_copy.body, bob_addr) ==
                std::vector<std::string>{"ACCEPTED", "NEEDS-ACTION"}));
    BOOST_TEST((partstats(alice_copy.body, room_addr) ==
                std::vector<std::string>{"ACCEPTED", "ACCEPTED"}));
    bob_copy = s.get("bob", bob_path);
    BOOST_TEST(contains(bob_copy.body, "RECURRENCE-ID:20270118T100000Z"));
    BOOST_TEST(contains(bob_copy.body, "DTSTART:20270118T140000Z"));
    BOOST_TEST(count_of(s.inbox("bob"), "METHOD:REQUEST") == 3u);
    // The moved instance asks bob again; the series keeps his answer.
    auto bob_lines = lines_with(bob_copy.body, "ATTENDEE", bob_addr);
    BOOST_TEST_REQUIRE(bob_lines.size() == 2u);
    BOOST_TEST(count_partstat(bob_copy.body, bob_addr, "ACCEPTED") == 1u);

    // bob declines one (unmoved) instance: an override of his own copy.
    alice_tag = s.get("alice", alice_path).header("schedule-tag");
    auto declined = with_component(bob_copy.body,
                                   "BEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:"
                                   "20260101T000000Z\r\nRECURRENCE-ID:20270125T100000Z\r\n"
                                   "DTSTART:20270125T100000Z\r\nDTEND:20270125T110000Z\r\nSUMMARY:"
                                   "Weekly sync\r\nSEQUENCE:0\r\n"
                                   "ORGANIZER:" +
                                       alice_addr + "\r\nATTENDEE;PARTSTAT=ACCEPTED:" + alice_addr +
                                       "\r\nATTENDEE;PARTSTAT=DECLINED:" + bob_addr +
                                       "\r\nATTENDEE;CUTYPE=ROOM;PARTSTAT=ACCEPTED:" + room_addr +
                                       "\r\nEND:VEVENT\r\n");
    auto decline =
        s.call("bob", "PUT", bob_path, declined, s.tag_match(bob_copy.header("schedule-tag")));
    BOOST_TEST_REQUIRE(decline.status == 204, decline.body);
    alice_copy = s.get("alice", alice_path);
    BOOST_TEST(alice_copy.header("schedule-tag") == alice_tag);
    BOOST_TEST(contains(alice_copy.body, "RECURRENCE-ID:20270125T100000Z"));
    BOOST_TEST(count_partstat(alice_copy.body, bob_addr, "DECLINED") == 1u);
    BOOST_TEST(count_partstat(alice_copy.body, bob_addr, "ACCEPTED") == 1u);  // the series
    BOOST_TEST(count_of(s.inbox("alice"), "METHOD:REPLY") == 2u);

    // A wrong tag does not delete; alice cancels with the right one.
    BOOST_TEST(s.call("alice", "DELETE", alice_path, {}, s.tag_match("\"not-the-tag\"")).status ==
               412);
    auto del = s.call("alice", "DELETE", alice_path, {}, s.tag_match(alice_tag));
    BOOST_TEST_REQUIRE(del.status == 204, del.body);
    BOOST_TEST(count_of(s.inbox("bob"), "METHOD:CANCEL") == 1u);
    bob_copy = s.get("bob", bob_path);
    BOOST_TEST(contains(bob_copy.body, "STATUS:CANCELLED"));

    // The room is free again: carol books one of the old slots.
    BOOST_TEST(contains(s.carol_books_room("c1", "20270111T100000Z", "20270111T110000Z"),
                        "PARTSTAT=ACCEPTED"));
}

BOOST_AUTO_TEST_CASE(a_second_booking_of_a_busy_room_is_declined_on_the_organizers_copy) {
    Site s;
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", alice_path, weekly()).status == 201);
    // carol wants the room for the second week's slot, half an hour in.
    auto room = s.carol_books_room("c2", "20270111T103000Z", "20270111T113000Z");
    BOOST_TEST(contains(room, "PARTSTAT=DECLINED"));
    BOOST_TEST(
        contains(room, "SCHEDULE-STATUS=1.2"));  // delivered; the room's answer is the PARTSTAT
    // alice's booking is untouched.
    auto alice_copy = s.get("alice", alice_path);
    BOOST_TEST(
        contains(lines_with(alice_copy.body, "ATTENDEE", room_addr).at(0), "PARTSTAT=ACCEPTED"));
}

BOOST_AUTO_TEST_CASE(of_three_organizers_booking_the_room_at_once_exactly_one_gets_it) {
    Site s;
    const std::vector<std::string> users{"alice", "bob", "carol"};
    std::vector<std::thread> threads;
    std::vector<int> statuses(users.size());
    for (std::size_t i = 0; i < users.size(); ++i)
        threads.emplace_back([&, i] {
            auto me = "mailto:" + users[i] + "@example.com";
            HttpClient c(s.f.port);
            c.send(ServerFixture::request(
                "PUT", "/dav/calendars/" + users[i] + "/calendar/race.ics",
                event("race-" + users[i], me,
                      {"PARTSTAT=ACCEPTED:" + me, "CUTYPE=ROOM:" + room_addr}, "20270301T090000Z",
                      "20270301T100000Z", ""),
                basic_auth(users[i], users[i] + "-pw"), "Content-Type: text/calendar\r\n"));
            auto r = c.read_reply();
            statuses[i] = r ? r->status : 0;
        });
    for (auto& t : threads) t.join();
    std::size_t accepted = 0, declined = 0;
    for (std::size_t i = 0; i < users.size(); ++i) {
        BOOST_TEST(statuses[i] == 201);
        auto copy = s.get(users[i], "/dav/calendars/" + users[i] + "/calendar/race.ics");
        auto room = partstats(copy.body, room_addr);
        BOOST_REQUIRE(room.size() == 1u);
        accepted += room[0] == "ACCEPTED";
        declined += room[0] == "DECLINED";
    }
    BOOST_TEST(accepted == 1u);
    BOOST_TEST(declined == 2u);
}

BOOST_AUTO_TEST_CASE(deleting_an_invitation_declines_it_unless_schedule_reply_is_f) {
    Site s;
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", alice_path, weekly()).status == 201);
    BOOST_TEST(s.call("bob", "DELETE", bob_path, {}, "Schedule-Reply: F\r\n").status == 204);
    BOOST_TEST(count_of(s.inbox("alice"), "METHOD:REPLY") == 0u);
    BOOST_TEST(partstats(s.get("alice", alice_path).body, bob_addr).at(0) == "NEEDS-ACTION");
    // A fresh invitation, deleted without the header: alice learns bob declined.
    auto again = s.get("alice", alice_path).body;
    again.insert(again.find("SUMMARY"), "DESCRIPTION:again\r\n");
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", alice_path, again).status == 204);
    BOOST_TEST(s.call("bob", "DELETE", bob_path).status == 204);
    BOOST_TEST(count_of(s.inbox("alice"), "METHOD:REPLY") == 1u);
    BOOST_TEST(partstats(s.get("alice", alice_path).body, bob_addr).at(0) == "DECLINED");
}

BOOST_AUTO_TEST_CASE(an_answer_reaches_the_other_attendees_copies_and_keeps_their_schedule_tag) {
    Site s;
    const std::string team_path = "/dav/calendars/alice/calendar/team.ics";
    const std::string bob_team = "/dav/calendars/bob/calendar/team-1.ics";
    const std::string carol_team = "/dav/calendars/carol/calendar/team-1.ics";
    auto put = s.call(
        "alice", "PUT", team_path,
        event("team-1", alice_addr,
              {"PARTSTAT=ACCEPTED:" + alice_addr, "PARTSTAT=NEEDS-ACTION;RSVP=TRUE:" + bob_addr,
               "PARTSTAT=NEEDS-ACTION;RSVP=TRUE:" + carol_addr}));
    BOOST_TEST_REQUIRE(put.status == 201, put.body);
    auto carol_before = s.get("carol", carol_team);
    auto carol_tag = carol_before.header("schedule-tag");
    BOOST_TEST_REQUIRE(!carol_tag.empty());
    auto carol_inbox = s.inbox("carol");
    BOOST_TEST(count_of(carol_inbox, "METHOD:") == 1u);

    // bob accepts.
    auto bob_copy = s.get("bob", bob_team);
    auto accept = s.call("bob", "PUT", bob_team, with_partstat(bob_copy.body, bob_addr, "ACCEPTED"),
                         s.tag_match(bob_copy.header("schedule-tag")));
    BOOST_TEST_REQUIRE(accept.status == 204, accept.body);
    auto bob_tag = accept.header("schedule-tag");

    // RFC 6638 §4.2: carol's copy shows bob's answer once the queued
    // refresh ran (after [limits] attendee-refresh-delay); hers is still to give.
    BOOST_TEST(s.get("carol", carol_team).header("etag") == carol_before.header("etag"));
    BOOST_TEST(s.f.run_attendee_refresh() == 1u);
    auto carol_after = s.get("carol", carol_team);
    BOOST_TEST((partstats(carol_after.body, bob_addr) == std::vector<std::string>{"ACCEPTED"}));
    BOOST_TEST(
        (partstats(carol_after.body, carol_addr) == std::vector<std::string>{"NEEDS-ACTION"}));
    BOOST_TEST(!contains(carol_after.body, "SCHEDULE-STATUS"));
    // §3.2.10: only answers changed, so her Schedule-Tag did not (her ETag did).
    BOOST_TEST(carol_after.header("schedule-tag") == carol_tag);
    BOOST_TEST(carol_after.header("etag") != carol_before.header("etag"));
    // No inbox item for somebody else's answer.
    BOOST_TEST(s.inbox("carol") == carol_inbox);

    // carol's client still holds the copy from before bob's answer: her
    // old Schedule-Tag still matches, and bob's answer is merged, not lost.
    auto carol_accept =
        s.call("carol", "PUT", carol_team, with_partstat(carol_before.body, carol_addr, "ACCEPTED"),
               s.tag_match(carol_tag));
    BOOST_TEST_REQUIRE(carol_accept.status == 204, carol_accept.body);
    auto carol_now = s.get("carol", carol_team);
    BOOST_TEST((partstats(carol_now.body, bob_addr) == std::vector<std::string>{"ACCEPTED"}));
    BOOST_TEST((partstats(carol_now.body, carol_addr) == std::vector<std::string>{"ACCEPTED"}));

    // And her answer reaches alice and bob, whose tag stays.
    auto alice_copy = s.get("alice", team_path);
    BOOST_TEST((partstats(alice_copy.body, carol_addr) == std::vector<std::string>{"ACCEPTED"}));
    BOOST_TEST(count_of(s.inbox("alice"), "METHOD:REPLY") == 2u);
    BOOST_TEST(s.f.run_attendee_refresh() == 1u);
    auto bob_now = s.get("bob", bob_team);
    BOOST_TEST((partstats(bob_now.body, carol_addr) == std::vector<std::string>{"ACCEPTED"}));
    BOOST_TEST((partstats(bob_now.body, bob_addr) == std::vector<std::string>{"ACCEPTED"}));
    BOOST_TEST(bob_now.header("schedule-tag") == bob_tag);
    BOOST_TEST(count_of(s.inbox("bob"), "METHOD:") == 1u);

    // bob declines one instance: carol's copy gets the instance with his
    // answer and her own (from her series), and still the same tag.
    carol_tag = carol_now.header("schedule-tag");
    auto declined =
        with_component(bob_now.body,
                       "BEGIN:VEVENT\r\nUID:team-1\r\nDTSTAMP:20260101T000000Z\r\n"
                       "RECURRENCE-ID:20270111T100000Z\r\nDTSTART:20270111T100000Z\r\n"
                       "DTEND:20270111T110000Z\r\nSUMMARY:Weekly sync\r\nSEQUENCE:0\r\n"
                       "ORGANIZER:" +
                           alice_addr + "\r\nATTENDEE;PARTSTAT=ACCEPTED:" + alice_addr +
                           "\r\nATTENDEE;PARTSTAT=DECLINED:" + bob_addr +
                           "\r\nATTENDEE;PARTSTAT=ACCEPTED:" + carol_addr + "\r\nEND:VEVENT\r\n");
    auto decline = s.call("bob", "PUT", bob_team, declined, s.tag_match(bob_tag));
    BOOST_TEST_REQUIRE(decline.status == 204, decline.body);
    BOOST_TEST(s.f.run_attendee_refresh() == 1u);
    carol_now = s.get("carol", carol_team);
    BOOST_TEST(contains(carol_now.body, "RECURRENCE-ID:20270111T100000Z"));
    BOOST_TEST(
        (partstats(carol_now.body, bob_addr) == std::vector<std::string>{"ACCEPTED", "DECLINED"}));
    BOOST_TEST(count_partstat(carol_now.body, carol_addr, "ACCEPTED") == 2u);
    BOOST_TEST(carol_now.header("schedule-tag") == carol_tag);
    BOOST_TEST(s.inbox("carol") == carol_inbox);
}

BOOST_AUTO_TEST_CASE(answers_are_shared_by_a_job_committed_with_them_and_a_deleted_copy_stays_deleted) {
    Site s;
    const std::string team_path = "/dav/calendars/alice/calendar/team.ics";
    const std::string bob_team = "/dav/calendars/bob/calendar/team-2.ics";
    const std::string carol_team = "/dav/calendars/carol/calendar/team-2.ics";
    auto jobs = [&] { return s.f.store->list_jobs(caldav::attendee_refresh_job_kind).size(); };
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", team_path,
                              event("team-2", alice_addr,
                                    {"PARTSTAT=ACCEPTED:" + alice_addr, "PARTSTAT=NEEDS-ACTION;RSVP=TRUE:" + bob_addr,
                                     "PARTSTAT=NEEDS-ACTION;RSVP=TRUE:" + carol_addr}))
                           .status == 201);
    BOOST_TEST(jobs() == 0u);  // an invitation is no answer

    // bob accepts and carol declines before either refresh runs: each
    // answer queued its refresh in its own commit, and alice has both.
    auto bob_copy = s.get("bob", bob_team);
    auto bob_put = s.call("bob", "PUT", bob_team, with_partstat(bob_copy.body, bob_addr, "ACCEPTED"),
                          s.tag_match(bob_copy.header("schedule-tag")));
    BOOST_TEST_REQUIRE(bob_put.status == 204, bob_put.body);
    BOOST_TEST(jobs() == 1u);
    auto carol_copy = s.get("carol", carol_team);
    auto carol_put = s.call("carol", "PUT", carol_team, with_partstat(carol_copy.body, carol_addr, "DECLINED"),
                            s.tag_match(carol_copy.header("schedule-tag")));
    BOOST_TEST_REQUIRE(carol_put.status == 204, carol_put.body);
    BOOST_TEST(jobs() == 2u);
    auto alice_copy = s.get("alice", team_path);
    BOOST_TEST((partstats(alice_copy.body, bob_addr) == std::vector<std::string>{"ACCEPTED"}));
    BOOST_TEST((partstats(alice_copy.body, carol_addr) == std::vector<std::string>{"DECLINED"}));
    BOOST_TEST((partstats(s.get("bob", bob_team).body, carol_addr) == std::vector<std::string>{"NEEDS-ACTION"}));

    BOOST_TEST(s.f.run_attendee_refresh() == 2u);
    BOOST_TEST(jobs() == 0u);
    auto bob_now = s.get("bob", bob_team);
    auto carol_now = s.get("carol", carol_team);
    BOOST_TEST((partstats(bob_now.body, carol_addr) == std::vector<std::string>{"DECLINED"}));
    BOOST_TEST((partstats(bob_now.body, bob_addr) == std::vector<std::string>{"ACCEPTED"}));
    BOOST_TEST((partstats(carol_now.body, bob_addr) == std::vector<std::string>{"ACCEPTED"}));
    BOOST_TEST((partstats(carol_now.body, carol_addr) == std::vector<std::string>{"DECLINED"}));
    // Only answers changed: the tags their own answers were given stay.
    BOOST_TEST(bob_now.header("schedule-tag") == bob_put.header("schedule-tag"));
    BOOST_TEST(carol_now.header("schedule-tag") == carol_put.header("schedule-tag"));

    // bob changes his answer: the same refresh, run twice, writes carol's
    // copy once.
    auto tentative = s.call("bob", "PUT", bob_team, with_partstat(bob_now.body, bob_addr, "TENTATIVE"),
                            s.tag_match(bob_now.header("schedule-tag")));
    BOOST_TEST_REQUIRE(tentative.status == 204, tentative.body);
    auto queued = s.f.store->list_jobs(caldav::attendee_refresh_job_kind);
    BOOST_TEST_REQUIRE(queued.size() == 1u);
    BOOST_TEST(s.f.run_attendee_refresh() == 1u);
    auto carol_refreshed = s.get("carol", carol_team);
    BOOST_TEST((partstats(carol_refreshed.body, bob_addr) == std::vector<std::string>{"TENTATIVE"}));
    BOOST_TEST_REQUIRE((s.f.store->enqueue_jobs({{queued[0].kind, queued[0].owner_id, 0, queued[0].payload}}) ==
                        caldav::StoreStatus::ok));
    BOOST_TEST(s.f.run_attendee_refresh() == 1u);
    BOOST_TEST(s.get("carol", carol_team).header("etag") == carol_refreshed.header("etag"));

    // carol deletes her copy without telling alice, and bob answers again:
    // the refresh does not bring her copy back.
    BOOST_TEST(s.call("carol", "DELETE", carol_team, {}, "Schedule-Reply: F\r\n").status == 204);
    BOOST_TEST_REQUIRE(s.call("bob", "PUT", bob_team, with_partstat(s.get("bob", bob_team).body, bob_addr, "ACCEPTED"),
                              s.tag_match(tentative.header("schedule-tag")))
                           .status == 204);
    BOOST_TEST(s.f.run_attendee_refresh() == 1u);
    BOOST_TEST(s.call("carol", "GET", carol_team).status == 404);
    BOOST_TEST((partstats(s.get("alice", team_path).body, bob_addr) == std::vector<std::string>{"ACCEPTED"}));
}

BOOST_AUTO_TEST_CASE(an_answer_with_no_other_local_attendee_queues_no_refresh) {
    Site s;
    const std::string path = "/dav/calendars/alice/calendar/pair.ics";
    const std::string bob_pair = "/dav/calendars/bob/calendar/pair-1.ics";
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", path,
                              event("pair-1", alice_addr,
                                    {"PARTSTAT=ACCEPTED:" + alice_addr, "PARTSTAT=NEEDS-ACTION;RSVP=TRUE:" + bob_addr,
                                     "PARTSTAT=NEEDS-ACTION:mailto:someone@elsewhere.test"}))
                           .status == 201);
    auto copy = s.get("bob", bob_pair);
    auto put = s.call("bob", "PUT", bob_pair, with_partstat(copy.body, bob_addr, "ACCEPTED"),
                      s.tag_match(copy.header("schedule-tag")));
    BOOST_TEST_REQUIRE(put.status == 204, put.body);
    BOOST_TEST((partstats(s.get("alice", path).body, bob_addr) == std::vector<std::string>{"ACCEPTED"}));
    BOOST_TEST(s.f.store->list_jobs(caldav::attendee_refresh_job_kind).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(attendee_changes)

BOOST_AUTO_TEST_CASE(an_attendee_renaming_the_event_is_refused_and_the_copy_stays) {
    Site s;
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", alice_path, weekly()).status == 201);
    auto before = s.get("bob", bob_path);
    auto renamed = with_partstat(before.body, bob_addr, "ACCEPTED");
    renamed.replace(renamed.find("SUMMARY:Weekly sync"), 19, "SUMMARY:Bob's own meeting");
    auto put = s.call("bob", "PUT", bob_path, renamed, s.tag_match(before.header("schedule-tag")));
    // RFC 6638 §3.2.2.1, §3.2.4.4.
    BOOST_TEST(put.status == 403);
    BOOST_TEST(contains(put.body, "allowed-attendee-scheduling-object-change"));
    BOOST_TEST(contains(put.body, "urn:ietf:params:xml:ns:caldav"));
    auto after = s.get("bob", bob_path);
    BOOST_TEST(after.body == before.body);
    BOOST_TEST(after.header("etag") == before.header("etag"));
    BOOST_TEST(after.header("schedule-tag") == before.header("schedule-tag"));
    BOOST_TEST(count_of(s.inbox("alice"), "METHOD:REPLY") == 0u);

    // Moving the meeting is the organizer's too, with If-Match as Thunderbird sends it.
    auto moved = before.body;
    moved.replace(moved.find("DTSTART:20270104T100000Z"), 24, "DTSTART:20270104T090000Z");
    put = s.call("bob", "PUT", bob_path, moved, "If-Match: " + before.header("etag") + "\r\n");
    BOOST_TEST(put.status == 403);
    BOOST_TEST(contains(put.body, "allowed-attendee-scheduling-object-change"));
}

BOOST_AUTO_TEST_CASE(an_attendee_may_answer_add_an_alarm_an_x_property_and_change_transp) {
    Site s;
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", alice_path, weekly()).status == 201);
    auto before = s.get("bob", bob_path);
    auto mine = with_partstat(before.body, bob_addr, "TENTATIVE");
    mine.insert(mine.find("END:VEVENT"),
                "TRANSP:TRANSPARENT\r\nX-BOB-NOTE:maybe\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n"
                "DESCRIPTION:soon\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\n");
    auto put = s.call("bob", "PUT", bob_path, mine, "If-Match: " + before.header("etag") + "\r\n");
    BOOST_TEST_REQUIRE(put.status == 204, put.body);
    auto after = s.get("bob", bob_path);
    BOOST_TEST(contains(after.body, "X-BOB-NOTE:maybe"));
    BOOST_TEST(contains(after.body, "TRANSP:TRANSPARENT"));
    BOOST_TEST(contains(after.body, "DESCRIPTION:soon"));
    BOOST_TEST((partstats(s.get("alice", alice_path).body, bob_addr) ==
                std::vector<std::string>{"TENTATIVE"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(schedule_tag)

BOOST_AUTO_TEST_CASE(only_scheduling_objects_carry_a_tag_in_headers_and_propfind) {
    Site s;
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", alice_path, weekly()).status == 201);
    auto plain = event("plain-1", alice_addr, {});
    plain.replace(plain.find("ORGANIZER"), plain.find("END:VEVENT") - plain.find("ORGANIZER"), "");
    auto put = s.call("alice", "PUT", "/dav/calendars/alice/calendar/plain.ics", plain);
    BOOST_TEST_REQUIRE(put.status == 201, put.body);
    BOOST_TEST(put.header("schedule-tag").empty());
    BOOST_TEST(!put.header("etag").empty());

    auto tag = s.get("alice", alice_path).header("schedule-tag");
    auto head = s.call("alice", "HEAD", alice_path);
    BOOST_TEST(head.header("schedule-tag") == tag);
    BOOST_TEST(
        s.get("alice", "/dav/calendars/alice/calendar/plain.ics").header("schedule-tag").empty());

    auto r = s.call("alice", "PROPFIND", "/dav/calendars/alice/calendar/",
                    "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\" "
                    "xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
                    "<D:prop><C:schedule-tag/></D:prop></D:propfind>",
                    "Depth: 1\r\nContent-Type: application/xml\r\n");
    BOOST_TEST_REQUIRE(r.status == 207);
    BOOST_TEST_REQUIRE(tag.size() > 2u);
    BOOST_TEST(contains(r.body, tag.substr(1, tag.size() - 2)));
    BOOST_TEST(count_of(r.body, "schedule-tag") >= 2u);
    BOOST_TEST(contains(r.body, "404"));  // the plain event has none

    // And in REPORTs (RFC 6638 §9.3 is a property like any other).
    r = s.call("alice", "REPORT", "/dav/calendars/alice/calendar/",
               "<?xml version=\"1.0\"?><C:calendar-multiget xmlns:D=\"DAV:\" "
               "xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop><C:schedule-tag/></D:prop>"
               "<D:href>" +
                   alice_path + "</D:href></C:calendar-multiget>",
               "Depth: 1\r\nContent-Type: application/xml\r\n");
    BOOST_TEST_REQUIRE(r.status == 207);
    BOOST_TEST(contains(r.body, tag.substr(1, tag.size() - 2)));
}

BOOST_AUTO_TEST_CASE(if_schedule_tag_match_refuses_stale_missing_and_malformed_tags) {
    Site s;
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", alice_path, weekly()).status == 201);
    auto tag = s.get("alice", alice_path).header("schedule-tag");
    auto body = weekly();
    BOOST_TEST(s.call("alice", "PUT", alice_path, body, s.tag_match("\"nope\"")).status == 412);
    BOOST_TEST(s.call("alice", "PUT", "/dav/calendars/alice/calendar/new.ics",
                      event("new-1", alice_addr, {"PARTSTAT=NEEDS-ACTION:" + bob_addr}),
                      s.tag_match(tag))
                   .status == 412);  // nothing there to match
    BOOST_TEST(s.call("alice", "PUT", alice_path, body, s.tag_match("\"a\", \"b\"")).status == 400);
    BOOST_TEST(s.call("alice", "PUT", alice_path, body, s.tag_match("*")).status == 400);
    BOOST_TEST(s.call("alice", "PUT", alice_path, body, s.tag_match(tag)).status == 204);
}

BOOST_AUTO_TEST_CASE(resaving_an_unchanged_invitation_sends_nothing_and_keeps_the_attendees_tag) {
    Site s;
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", alice_path, weekly()).status == 201);
    auto bob_tag = s.get("bob", bob_path).header("schedule-tag");
    auto current = s.get("alice", alice_path).body;
    BOOST_TEST(s.call("alice", "PUT", alice_path, current).status == 204);
    BOOST_TEST(count_of(s.inbox("bob"), "METHOD:REQUEST") == 1u);
    BOOST_TEST(s.get("bob", bob_path).header("schedule-tag") == bob_tag);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(schedule_agent_and_force_send)

BOOST_AUTO_TEST_CASE(schedule_force_send_request_resends_and_is_not_stored) {
    Site s;
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", alice_path, weekly()).status == 201);
    auto current = unfolded(s.get("alice", alice_path).body);
    auto at = current.find("ATTENDEE;PARTSTAT=NEEDS-ACTION");
    BOOST_TEST_REQUIRE(at != std::string::npos);
    current.insert(at + std::string("ATTENDEE").size(), ";SCHEDULE-FORCE-SEND=REQUEST");
    auto put = s.call("alice", "PUT", alice_path, current);
    BOOST_TEST_REQUIRE(put.status == 204, put.body);
    BOOST_TEST(count_of(s.inbox("bob"), "METHOD:REQUEST") == 2u);
    BOOST_TEST(!contains(s.get("alice", alice_path).body, "SCHEDULE-FORCE-SEND"));
}

BOOST_AUTO_TEST_CASE(schedule_force_send_reply_answers_again_without_a_change) {
    Site s;
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", alice_path, weekly()).status == 201);
    auto copy = s.get("bob", bob_path).body;
    BOOST_TEST(s.call("bob", "PUT", bob_path, with_partstat(copy, bob_addr, "TENTATIVE")).status ==
               204);
    BOOST_TEST(count_of(s.inbox("alice"), "METHOD:REPLY") == 1u);
    auto again = unfolded(s.get("bob", bob_path).body);
    BOOST_TEST(s.call("bob", "PUT", bob_path, again).status == 204);
    BOOST_TEST(count_of(s.inbox("alice"), "METHOD:REPLY") == 1u);  // nothing changed: no reply
    auto at = again.find("ORGANIZER");
    again.insert(at + std::string("ORGANIZER").size(), ";SCHEDULE-FORCE-SEND=REPLY");
    BOOST_TEST(s.call("bob", "PUT", bob_path, again).status == 204);
    BOOST_TEST(count_of(s.inbox("alice"), "METHOD:REPLY") == 2u);
    BOOST_TEST(!contains(s.get("bob", bob_path).body, "SCHEDULE-FORCE-SEND"));
}

BOOST_AUTO_TEST_CASE(schedule_agent_client_or_none_leaves_the_attendee_to_the_client) {
    Site s;
    auto body = event("agents-1", alice_addr,
                      {"SCHEDULE-AGENT=CLIENT;PARTSTAT=NEEDS-ACTION:" + bob_addr,
                       "SCHEDULE-AGENT=NONE;PARTSTAT=NEEDS-ACTION:mailto:carol@example.com"});
    BOOST_TEST_REQUIRE(
        s.call("alice", "PUT", "/dav/calendars/alice/calendar/agents.ics", body).status == 201);
    BOOST_TEST(count_of(s.inbox("bob"), "METHOD:REQUEST") == 0u);
    BOOST_TEST(count_of(s.inbox("carol"), "METHOD:REQUEST") == 0u);
    BOOST_TEST(s.call("bob", "GET", "/dav/calendars/bob/calendar/agents-1.ics").status == 404);
    BOOST_TEST(!contains(s.get("alice", "/dav/calendars/alice/calendar/agents.ics").body,
                         "SCHEDULE-STATUS"));

    // An attendee copy whose ORGANIZER says SCHEDULE-AGENT=CLIENT: bob's client replies itself.
    auto mine = event("agents-2", alice_addr + "", {"PARTSTAT=ACCEPTED:" + bob_addr});
    mine.replace(mine.find("ORGANIZER:"), 10, "ORGANIZER;SCHEDULE-AGENT=CLIENT:");
    BOOST_TEST_REQUIRE(
        s.call("bob", "PUT", "/dav/calendars/bob/calendar/agents-2.ics", mine).status == 201);
    BOOST_TEST(count_of(s.inbox("alice"), "METHOD:REPLY") == 0u);
}

// Issue 22 §9, RFC 6638 §9.2: Apple Calendar's second calendar (its usual
// MKCALENDAR: VEVENT only, a UUID name that sorts before "calendar") does
// not move invitations; they land where schedule-default-calendar-URL
// points, and follow it when the user changes it.
BOOST_AUTO_TEST_CASE(invitations_land_in_the_calendar_schedule_default_calendar_url_names) {
    Site s;
    const std::string second = "/dav/calendars/bob/0A1B2C3D-5C3A-4B7E-9F21-6A0D8C3E7F11/";
    auto mk = s.call("bob", "MKCALENDAR", second,
                     "<C:mkcalendar xmlns:C=\"urn:ietf:params:xml:ns:caldav\" xmlns:D=\"DAV:\" "
                     "xmlns:I=\"http://apple.com/ns/ical/\"><D:set><D:prop><I:calendar-order>2</"
                     "I:calendar-order><C:supported-calendar-component-set><C:comp name=\"VEVENT\"/>"
                     "</C:supported-calendar-component-set><I:calendar-color>#FF2968FF</"
                     "I:calendar-color></D:prop></D:set></C:mkcalendar>",
                     "Content-Type: text/xml\r\n");
    BOOST_TEST_REQUIRE(mk.status == 201, mk.body);
    const std::string ask =
        "<D:propfind xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop>"
        "<C:schedule-default-calendar-URL/></D:prop></D:propfind>";
    auto default_url = [&] {
        auto r = s.call("bob", "PROPFIND", "/dav/calendars/bob/inbox/", ask,
                        "Depth: 0\r\nContent-Type: text/xml\r\n");
        BOOST_TEST_REQUIRE(r.status == 207);
        auto at = r.body.find("/dav/calendars/bob/", r.body.find("schedule-default-calendar-URL"));
        BOOST_TEST_REQUIRE(at != std::string::npos, r.body);
        return r.body.substr(at, r.body.find('<', at) - at);
    };
    auto where = default_url();
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", "/dav/calendars/alice/calendar/d1.ics",
                              event("default-1", alice_addr, {"PARTSTAT=NEEDS-ACTION:" + bob_addr}))
                           .status == 201);
    // Apple's accept flow looks for the copy where the property points.
    BOOST_TEST(s.call("bob", "GET", where + "default-1.ics").status == 200, where);

    // bob chooses the new calendar: the next invitation lands there.
    const std::string choose =
        "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:set><D:prop>"
        "<C:schedule-default-calendar-URL><D:href>" + second +
        "</D:href></C:schedule-default-calendar-URL></D:prop></D:set></D:propertyupdate>";
    auto set = s.call("bob", "PROPPATCH", "/dav/calendars/bob/inbox/", choose,
                      "Content-Type: text/xml\r\n");
    BOOST_TEST(set.status == 207);
    BOOST_TEST(contains(set.body, "200 OK"), set.body);
    BOOST_TEST(default_url() == second);
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", "/dav/calendars/alice/calendar/d2.ics",
                              event("default-2", alice_addr, {"PARTSTAT=NEEDS-ACTION:" + bob_addr}))
                           .status == 201);
    BOOST_TEST(s.call("bob", "GET", second + "default-2.ics").status == 200);
    // The copy of the first invitation stays where it was, and is updated there.
    BOOST_TEST(s.call("bob", "GET", where + "default-1.ics").status == 200);

    // Not a calendar of bob's that takes events: refused, the choice kept.
    for (const std::string& bad : {std::string("/dav/calendars/alice/calendar/"),
                                   std::string("/dav/calendars/bob/outbox/")}) {
        auto r = s.call("bob", "PROPPATCH", "/dav/calendars/bob/inbox/",
                        "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
                        "<D:set><D:prop><C:schedule-default-calendar-URL><D:href>" + bad +
                            "</D:href></C:schedule-default-calendar-URL></D:prop></D:set>"
                            "</D:propertyupdate>",
                        "Content-Type: text/xml\r\n");
        BOOST_TEST(r.status == 207);
        BOOST_TEST(contains(r.body, "valid-schedule-default-calendar-URL"), r.body);
    }
    BOOST_TEST(default_url() == second);
}

// Issue 22 §14, RFC 6638 §3.2.1.2: an organizer who takes ORGANIZER and every
// ATTENDEE out of the event cancels it for the attendees.
BOOST_AUTO_TEST_CASE(removing_organizer_and_attendees_cancels_the_meeting_for_them) {
    Site s;
    const std::string path = "/dav/calendars/alice/calendar/plain.ics";
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", path,
                              event("plain-1", alice_addr,
                                    {"PARTSTAT=ACCEPTED:" + alice_addr,
                                     "PARTSTAT=NEEDS-ACTION:" + bob_addr}))
                           .status == 201);
    BOOST_TEST(!contains(s.get("bob", "/dav/calendars/bob/calendar/plain-1.ics").body,
                         "STATUS:CANCELLED"));
    auto plain = event("plain-1", alice_addr, {});
    plain.erase(plain.find("ORGANIZER:"), std::string("ORGANIZER:" + alice_addr + "\r\n").size());
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", path, plain).status == 204);
    BOOST_TEST(contains(s.get("bob", "/dav/calendars/bob/calendar/plain-1.ics").body,
                        "STATUS:CANCELLED"));
    BOOST_TEST(count_of(s.inbox("bob"), "METHOD:CANCEL") == 1u);
}

// Issue 22 §14, RFC 6638 §7.3: once bob's reply is delivered, his copy's
// ORGANIZER says so (SCHEDULE-STATUS=1.2).
BOOST_AUTO_TEST_CASE(a_delivered_reply_is_recorded_on_the_attendees_organizer_property) {
    Site s;
    BOOST_TEST_REQUIRE(s.call("alice", "PUT", "/dav/calendars/alice/calendar/r.ics",
                              event("reply-1", alice_addr, {"PARTSTAT=NEEDS-ACTION:" + bob_addr}))
                           .status == 201);
    const std::string path = "/dav/calendars/bob/calendar/reply-1.ics";
    auto copy = s.get("bob", path).body;
    BOOST_TEST(!contains(copy, "SCHEDULE-STATUS"));
    BOOST_TEST_REQUIRE(s.call("bob", "PUT", path, with_partstat(copy, bob_addr, "ACCEPTED")).status ==
                       204);
    auto organizer = lines_with(s.get("bob", path).body, "ORGANIZER", alice_addr);
    BOOST_TEST_REQUIRE(organizer.size() == 1u);
    BOOST_TEST(contains(organizer[0], "SCHEDULE-STATUS=1.2"), organizer[0]);
}

// Issue 22 §14, RFC 5545 §3.6.1 / RFC 5546 §3.2: an event stored without
// DTSTAMP goes out with one.
BOOST_AUTO_TEST_CASE(an_invitation_without_dtstamp_is_sent_with_one) {
    Site s;
    auto body = event("stamp-1", alice_addr, {"PARTSTAT=NEEDS-ACTION:" + bob_addr});
    body.erase(body.find("DTSTAMP:"), std::string("DTSTAMP:20260101T000000Z\r\n").size());
    BOOST_TEST_REQUIRE(
        s.call("alice", "PUT", "/dav/calendars/alice/calendar/stamp.ics", body).status == 201);
    auto inbox = s.inbox("bob");
    BOOST_TEST(count_of(inbox, "METHOD:REQUEST") == 1u);
    BOOST_TEST(count_of(inbox, "DTSTAMP:") == 1u, inbox);
}

// Issue 22 §14, RFC 6638 §9.1: a calendar made transparent does not make its
// owner busy in free/busy lookups; opaque is the default.
BOOST_AUTO_TEST_CASE(a_transparent_calendar_does_not_count_for_busy_time) {
    Site s;
    BOOST_TEST_REQUIRE(s.call("bob", "PUT", "/dav/calendars/bob/calendar/busy.ics",
                              event("busy-1", bob_addr, {}, "20270301T100000Z", "20270301T110000Z", ""))
                           .status == 201);
    const std::string lookup =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\n"
        "UID:fb-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270301T000000Z\r\nDTEND:20270302T000000Z\r\n"
        "ORGANIZER:" + alice_addr + "\r\nATTENDEE:" + bob_addr + "\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
    auto busy = [&] {
        auto r = s.call("alice", "POST", "/dav/calendars/alice/outbox/", lookup,
                        "Content-Type: text/calendar; charset=utf-8\r\n");
        BOOST_TEST_REQUIRE(r.status == 200, r.body);
        return contains(r.body, "20270301T100000Z");
    };
    BOOST_TEST(busy());
    auto transp = [&](const std::string& value) {
        auto r = s.call("bob", "PROPPATCH", "/dav/calendars/bob/calendar/",
                        "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
                        "<D:set><D:prop><C:schedule-calendar-transp><C:" + value +
                            "/></C:schedule-calendar-transp></D:prop></D:set></D:propertyupdate>",
                        "Content-Type: text/xml\r\n");
        BOOST_TEST(r.status == 207);
        BOOST_TEST(contains(r.body, "200 OK"), r.body);
    };
    transp("transparent");
    BOOST_TEST(!busy());
    transp("opaque");
    BOOST_TEST(busy());
}

BOOST_AUTO_TEST_SUITE_END()
