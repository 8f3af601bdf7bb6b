// Who may change whose events through scheduling (issue 22 §1; iTIP RFC 5546
// §3.2): for every way a message reaches another user — organizer PUT,
// attendee PUT, DELETE, outbox POST, iMIP in, RSVP link — a sender who is not
// the event's organizer (or, for a reply, its attendee) changes nothing of
// anybody else's. Each case takes a snapshot of every other principal's
// collections (objects with their bytes and ETags, inbox included) before and
// after, and requires them equal.
#include <boost/test/unit_test.hpp>

#include <map>

#include "caldav/imip.hpp"
#include "src/mail/rsvp_token.hpp"
#include "tests/support/server_fixture.hpp"

using test_support::basic_auth;
using test_support::HttpClient;
using test_support::HttpReply;
using test_support::ServerFixture;

namespace {

const std::string alice_addr = "mailto:alice@example.com";
const std::string bob_addr = "mailto:bob@example.com";
const std::string carol_addr = "mailto:carol@example.com";
const std::string room_addr = "mailto:room1@example.com";
const std::string link_secret = "scheduling authorization test secret";

/// A VEVENT with `lines` (ORGANIZER, ATTENDEE, …) between DTEND and END:VEVENT.
std::string event(const std::string& uid, const std::string& summary, const std::string& start,
                  const std::string& lines) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kalends tests//EN\r\nBEGIN:VEVENT\r\nUID:" +
           uid + "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + start + "\r\nDURATION:PT1H\r\nSUMMARY:" +
           summary + "\r\n" + lines + "END:VEVENT\r\nEND:VCALENDAR\r\n";
}

/// alice (the sender in every case), bob, carol and room1 (accept-if-free),
/// with answer links on so that /rsvp/ is served.
struct Site {
    ServerFixture f{[](server::Config& c) {
        c.imip.public_url = "https://calendar.example.org";
        c.imip.link_secret = link_secret;
    }};

    Site() {
        f.store->add_user("carol", "carol@example.com", server::hash_password("carol-pw"));
        f.store->add_resource("room1", "room1@example.com", "room", "accept-if-free");
    }

    HttpReply call(const std::string& user, const std::string& method, const std::string& path,
                   const std::string& body = {}, std::string headers = {}) {
        HttpClient c(f.port);
        if (method == "PUT") headers += "Content-Type: text/calendar; charset=utf-8\r\n";
        c.send(ServerFixture::request(method, path, body, basic_auth(user, user + "-pw"), headers));
        auto r = c.read_reply(std::chrono::seconds(10));
        BOOST_REQUIRE(r);
        return *r;
    }

    void put(const std::string& user, const std::string& name, const std::string& data) {
        auto r = call(user, "PUT", "/dav/calendars/" + user + "/calendar/" + name, data);
        BOOST_TEST_REQUIRE((r.status == 201 || r.status == 204), name << ": " << r.status << r.body);
    }

    /// Every object of `user` (collection/name → ETag and bytes).
    std::map<std::string, std::string> snapshot(const std::string& user) {
        std::map<std::string, std::string> out;
        auto who = f.store->find_principal(user);
        BOOST_REQUIRE(who);
        for (const auto& c : f.store->list_collections(who->id))
            for (const auto& o : f.store->list_objects(c.id, true))
                out[c.name + "/" + o.name] = o.etag + "\n" + std::string(o.text());
        return out;
    }

    /// Snapshots of everybody but alice.
    std::map<std::string, std::map<std::string, std::string>> others() {
        return {{"bob", snapshot("bob")}, {"carol", snapshot("carol")}, {"room1", snapshot("room1")}};
    }

    /// alice's stored copy of `name` in her default calendar.
    std::string alice_copy(const std::string& name) {
        auto r = call("alice", "GET", "/dav/calendars/alice/calendar/" + name);
        BOOST_TEST_REQUIRE(r.status == 200);
        std::string text = r.body;
        for (auto at = text.find("\r\n "); at != std::string::npos; at = text.find("\r\n ", at))
            text.erase(at, 3);
        return text;
    }

    /// bob's private event, carol's meeting with bob (accepted by him) and
    /// bob's booking of room1 from 10:00 to 11:00 on 2027-03-01.
    void seed() {
        put("bob", "private.ics", event("bob-private", "Doctor", "20270301T080000Z", ""));
        put("carol", "meet.ics",
            event("carol-meet", "Carol's review", "20270302T090000Z",
                  "ORGANIZER:" + carol_addr + "\r\nATTENDEE;PARTSTAT=ACCEPTED:" + carol_addr +
                      "\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:" + bob_addr + "\r\n"));
        auto bobs = f.store->find_object_by_uid(f.store->find_principal("bob")->id, "carol-meet");
        BOOST_REQUIRE(bobs);
        put("bob", "room.ics",
            event("bob-room", "Bob's workshop", "20270301T100000Z",
                  "ORGANIZER:" + bob_addr + "\r\nATTENDEE;PARTSTAT=ACCEPTED:" + bob_addr +
                      "\r\nATTENDEE;CUTYPE=ROOM:" + room_addr + "\r\n"));
        BOOST_REQUIRE(f.store->find_object_by_uid(f.store->find_principal("room1")->id, "bob-room"));
    }
};

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(scheduling_authorization)

BOOST_AUTO_TEST_CASE(an_organizer_put_and_delete_reusing_another_users_uid_change_nothing_of_theirs) {
    Site s;
    s.seed();
    auto before = s.others();
    // alice "invites" bob to events whose UIDs are bob's private event,
    // carol's meeting and bob's room booking (with the room, at another time).
    const std::string invite = "ORGANIZER:" + alice_addr + "\r\nATTENDEE;PARTSTAT=ACCEPTED:" +
                               alice_addr + "\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:" + bob_addr + "\r\n";
    s.put("alice", "a.ics", event("bob-private", "Hijacked", "20270305T120000Z", invite));
    s.put("alice", "b.ics", event("carol-meet", "Hijacked", "20270305T130000Z", invite));
    s.put("alice", "c.ics",
          event("bob-room", "Hijacked", "20270305T140000Z",
                invite + "ATTENDEE;CUTYPE=ROOM:" + room_addr + "\r\n"));
    BOOST_TEST((s.others() == before));
    // Her own copies say why: 3.8, no authority (RFC 5546 §3.6).
    BOOST_TEST(contains(s.alice_copy("a.ics"), "SCHEDULE-STATUS=3.8"));
    BOOST_TEST(contains(s.alice_copy("b.ics"), "SCHEDULE-STATUS=3.8"));
    BOOST_TEST(contains(s.alice_copy("c.ics"), "SCHEDULE-STATUS=3.8"));
    // Her DELETEs cancel nothing of theirs, and the room keeps bob's booking.
    for (const char* name : {"a.ics", "b.ics", "c.ics"})
        BOOST_TEST(s.call("alice", "DELETE", std::string("/dav/calendars/alice/calendar/") + name)
                       .status == 204);
    BOOST_TEST((s.others() == before));
}

BOOST_AUTO_TEST_CASE(another_attendees_answer_refreshes_no_event_of_bobs_that_reuses_the_uid) {
    Site s;
    s.seed();
    // alice invites bob and carol to an event with the UID of bob's private
    // event: bob's copy is refused, carol's is made.
    s.put("alice", "a.ics",
          event("bob-private", "Hijacked", "20270305T120000Z",
                "ORGANIZER:" + alice_addr + "\r\nATTENDEE;PARTSTAT=ACCEPTED:" + alice_addr +
                    "\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:" + bob_addr +
                    "\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:" + carol_addr + "\r\n"));
    auto bob_before = s.snapshot("bob");
    const std::string carols = "/dav/calendars/carol/calendar/bob-private.ics";
    auto copy = s.call("carol", "GET", carols);
    BOOST_TEST_REQUIRE(copy.status == 200);
    // carol accepts: her answer reaches alice, and the refresh it queues
    // leaves bob's own event with that UID alone.
    std::string text = copy.body;
    for (auto fold = text.find("\r\n "); fold != std::string::npos; fold = text.find("\r\n ", fold))
        text.erase(fold, 3);
    auto mine = text.find("NEEDS-ACTION:" + carol_addr);
    BOOST_TEST_REQUIRE(mine != std::string::npos);
    text.replace(mine, 12, "ACCEPTED");
    auto put = s.call("carol", "PUT", carols, text, "If-Match: " + copy.header("etag") + "\r\n");
    BOOST_TEST_REQUIRE(put.status == 204, put.body);
    BOOST_TEST(contains(s.alice_copy("a.ics"), "PARTSTAT=ACCEPTED:" + carol_addr));
    BOOST_TEST(s.f.run_attendee_refresh() == 1u);
    BOOST_TEST((s.snapshot("bob") == bob_before));
}

BOOST_AUTO_TEST_CASE(a_room_keeps_its_booking_and_refuses_a_double_booking_after_a_uid_attack) {
    Site s;
    s.seed();
    s.put("alice", "c.ics",
          event("bob-room", "Hijacked", "20270305T140000Z",
                "ORGANIZER:" + alice_addr + "\r\nATTENDEE;CUTYPE=ROOM:" + room_addr + "\r\n"));
    BOOST_TEST(s.call("alice", "DELETE", "/dav/calendars/alice/calendar/c.ics").status == 204);
    // carol asks for the slot bob booked: the room is still busy then.
    s.put("carol", "clash.ics",
          event("carol-clash", "Clash", "20270301T100000Z",
                "ORGANIZER:" + carol_addr + "\r\nATTENDEE;CUTYPE=ROOM:" + room_addr + "\r\n"));
    auto r = s.call("carol", "GET", "/dav/calendars/carol/calendar/clash.ics");
    BOOST_TEST(contains(r.body, "PARTSTAT=DECLINED"), r.body);
}

BOOST_AUTO_TEST_CASE(an_attendee_put_and_delete_naming_somebody_elses_event_change_nothing) {
    Site s;
    s.seed();
    auto before = s.others();
    // alice claims to attend carol's meeting (she is not invited), carol's
    // "event" with bob's private UID, and an event bob "organizes" with the
    // UID of carol's meeting (bob only attends it).
    auto as_attendee = [](const std::string& organizer) {
        return "ORGANIZER:" + organizer + "\r\nATTENDEE;PARTSTAT=ACCEPTED:" + alice_addr + "\r\n";
    };
    s.put("alice", "x.ics", event("carol-meet", "Mine", "20270302T090000Z", as_attendee(carol_addr)));
    s.put("alice", "y.ics", event("bob-private", "Mine", "20270301T080000Z", as_attendee(bob_addr)));
    // An answer changed on each: a REPLY goes out, and changes nothing.
    for (const char* name : {"x.ics", "y.ics"}) {
        auto copy = s.alice_copy(name);
        auto at = copy.find("PARTSTAT=ACCEPTED");
        copy.replace(at, 17, "PARTSTAT=DECLINED");
        s.put("alice", name, copy);
    }
    BOOST_TEST((s.others() == before));
    for (const char* name : {"x.ics", "y.ics"})
        BOOST_TEST(s.call("alice", "DELETE", std::string("/dav/calendars/alice/calendar/") + name)
                       .status == 204);
    BOOST_TEST((s.others() == before));
    s.put("alice", "z.ics", event("carol-meet", "Mine", "20270302T090000Z", as_attendee(bob_addr)));
    auto copy = s.alice_copy("z.ics");
    copy.replace(copy.find("PARTSTAT=ACCEPTED"), 17, "PARTSTAT=TENTATIVE");
    s.put("alice", "z.ics", copy);
    BOOST_TEST(s.call("alice", "DELETE", "/dav/calendars/alice/calendar/z.ics").status == 204);
    BOOST_TEST((s.others() == before));
}

BOOST_AUTO_TEST_CASE(an_outbox_post_changes_nothing_of_anybody_else) {
    Site s;
    s.seed();
    auto before = s.others();
    const std::string headers = "Content-Type: text/calendar; charset=utf-8\r\n";
    // A REQUEST posted to the outbox (CalDAV clients schedule implicitly):
    // refused, and nothing delivered.
    auto request = event("bob-private", "Hijacked", "20270305T120000Z",
                         "ORGANIZER:" + alice_addr + "\r\nATTENDEE:" + bob_addr + "\r\n");
    request.insert(request.find("BEGIN:VEVENT"), "METHOD:REQUEST\r\n");
    BOOST_TEST(s.call("alice", "POST", "/dav/calendars/alice/outbox/", request, headers).status == 403);
    // A free/busy lookup in bob's name: refused (organizer-allowed).
    const std::string lookup =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\n"
        "UID:fb-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270301T000000Z\r\nDTEND:20270302T000000Z\r\n"
        "ORGANIZER:" + bob_addr + "\r\nATTENDEE:" + carol_addr + "\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
    BOOST_TEST(s.call("alice", "POST", "/dav/calendars/alice/outbox/", lookup, headers).status == 403);
    BOOST_TEST((s.others() == before));
}

BOOST_AUTO_TEST_CASE(imip_from_somebody_who_is_not_the_organizer_or_attendee_changes_nothing) {
    Site s;
    s.seed();
    auto before = s.others();
    auto itip = [](const std::string& method, const std::string& uid, const std::string& lines) {
        auto text = event(uid, "Hijacked", "20270305T120000Z", lines);
        text.insert(text.find("BEGIN:VEVENT"), "METHOD:" + method + "\r\n");
        return text;
    };
    const std::string mallory = "mailto:mallory@elsewhere.example";
    for (const auto& method : {"REQUEST", "CANCEL"})
        for (const auto& uid : {"bob-private", "carol-meet", "bob-room"}) {
            auto r = caldav::apply_imip(*s.f.store, s.f.config.limits,
                                        itip(method, uid, "ORGANIZER:" + mallory + "\r\nATTENDEE:" +
                                                              bob_addr + "\r\n"),
                                        {"mallory@elsewhere.example"}, "bob@example.com");
            BOOST_TEST((r.outcome == caldav::ImipOutcome::sender_mismatch), method << " " << uid);
        }
    // A REPLY to carol from someone her meeting does not invite.
    auto r = caldav::apply_imip(
        *s.f.store, s.f.config.limits,
        itip("REPLY", "carol-meet",
             "ORGANIZER:" + carol_addr + "\r\nATTENDEE;PARTSTAT=DECLINED:" + mallory + "\r\n"),
        {"mallory@elsewhere.example"}, "carol@example.com");
    BOOST_TEST((r.outcome == caldav::ImipOutcome::sender_mismatch), r.detail);
    BOOST_TEST((s.others() == before));
}

BOOST_AUTO_TEST_CASE(an_rsvp_link_answers_only_an_event_its_organizer_organizes) {
    Site s;
    s.seed();
    // alice holds a copy of carol's meeting as an attendee (her own UID
    // reuse), and a link in alice's name for it answers nothing of carol's.
    s.put("alice", "m.ics",
          event("carol-meet", "Mine", "20270302T090000Z",
                "ORGANIZER:" + carol_addr + "\r\nATTENDEE:" + alice_addr + "\r\nATTENDEE:" +
                    bob_addr + "\r\n"));
    auto before = s.others();
    auto alice = *s.f.store->find_principal("alice");
    server::RsvpToken token{alice.id, "alice", "carol-meet", bob_addr, "any", 4'000'000'000};
    HttpClient c(s.f.port);
    c.send(ServerFixture::request("POST", "/rsvp/" + server::sign_rsvp_token(token, link_secret),
                                  "partstat=DECLINED", std::string(),
                                  "Content-Type: application/x-www-form-urlencoded\r\n"));
    auto r = c.read_reply(std::chrono::seconds(10));
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 404, r->body);
    BOOST_TEST((s.others() == before));
}

BOOST_AUTO_TEST_SUITE_END()
