// Sharing by the clients' own protocols over real HTTP (issue 25 §2-3, §7):
// CalendarServer sharing (CS:share, CS:invite-reply, the sharing properties,
// per-user name and colour) and draft-pot-webdav-resource-sharing
// (DAV:share-resource), both writing the same grants; who may share, what a
// bad body leaves behind, and the sharee's home sync state. Request bodies
// follow Apple's caldav-sharing.txt §5.3.2 examples and the requests of
// Apple's CalendarServer load-test client (contrib/performance/loadtest/ical.py).
#include <boost/test/unit_test.hpp>

#include "tests/support/server_fixture.hpp"

using test_support::basic_auth;
using test_support::HttpClient;
using test_support::HttpReply;
using test_support::ServerFixture;

namespace {

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

const std::string cal = "/dav/calendars/alice/calendar/";

std::string event(const std::string& uid, const std::string& summary) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//sharing//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
           "\r\nDTSTAMP:20250301T000000Z\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\nSUMMARY:" +
           summary + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
}

/// caldav-sharing.txt §5.3.2.1's request, for one sharee and access element.
std::string cs_share_set(const std::string& who, const std::string& access) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n"
           "<CS:share xmlns:D=\"DAV:\" xmlns:CS=\"http://calendarserver.org/ns/\">\n"
           "  <CS:set>\n    <D:href>mailto:" + who + "@example.com</D:href>\n"
           "    <CS:summary>Shared workspace</CS:summary>\n    <CS:" + access + " />\n  </CS:set>\n</CS:share>";
}

std::string cs_share_remove(const std::string& who) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n"
           "<CS:share xmlns:D=\"DAV:\" xmlns:CS=\"http://calendarserver.org/ns/\">\n"
           "  <CS:remove>\n    <D:href>mailto:" + who + "@example.com</D:href>\n  </CS:remove>\n</CS:share>";
}

/// The invite-reply Apple's load-test client posts to the sharee's home.
std::string invite_reply(const std::string& answer, const std::string& hosturl, const std::string& uid) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<C:invite-reply xmlns:C=\"http://calendarserver.org/ns/\">\n"
           "  <A:href xmlns:A=\"DAV:\">urn:x-uid:sharee</A:href>\n  <C:" + answer + "/>\n"
           "  <C:hosturl>\n    <A:href xmlns:A=\"DAV:\">" + hosturl + "</A:href>\n  </C:hosturl>\n"
           "  <C:in-reply-to>" + uid + "</C:in-reply-to>\n  <C:summary>Shared workspace</C:summary>\n"
           "</C:invite-reply>";
}

/// draft-pot-webdav-resource-sharing §5.3.2's request, as sabre/dav takes it.
std::string share_resource(const std::string& who, const std::string& access) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<D:share-resource xmlns:D=\"DAV:\">\n"
           "  <D:sharee>\n    <D:href>mailto:" + who + "@example.com</D:href>\n"
           "    <D:prop><D:displayname>" + who + "</D:displayname></D:prop>\n"
           "    <D:comment>Shared workspace</D:comment>\n"
           "    <D:share-access><D:" + access + " /></D:share-access>\n  </D:sharee>\n</D:share-resource>";
}

const std::string sharing_props = R"(<?xml version="1.0"?>
<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/" xmlns:I="http://apple.com/ns/ical/">
  <D:prop><D:resourcetype/><D:displayname/><I:calendar-color/><CS:invite/><CS:shared-url/>
  <CS:allowed-sharing-modes/><CS:getctag/><D:sync-token/><D:invite/><D:share-access/>
  <D:current-user-privilege-set/></D:prop></D:propfind>)";

/// alice's "calendar" holding review.ics; users carol, dave, erin and zoe besides bob.
struct Protocol {
    ServerFixture f;
    std::int64_t calendar_id = 0;

    Protocol() {
        for (auto name : {"carol", "dave", "erin", "zoe"})
            f.store->add_user(name, std::string(name) + "@example.com", server::hash_password(std::string(name) + "-pw"));
        f.store->provision_home(f.store->find_principal("alice")->id);
        BOOST_REQUIRE(send("alice", "PUT", cal + "review.ics", event("review", "Budget Review")).status == 201);
        calendar_id = f.store->find_collection(f.store->find_principal("alice")->id, "calendar")->id;
    }

    HttpReply send(const std::string& user, const std::string& method, const std::string& path,
                   const std::string& body = {}, const std::string& headers = "Depth: 1\r\n") {
        HttpClient c(f.port);
        auto extra = headers;
        if (method == "PUT") extra += "Content-Type: text/calendar\r\n";
        else if (!body.empty()) extra += "Content-Type: application/xml; charset=\"utf-8\"\r\n";
        c.send(ServerFixture::request(method, path, body, basic_auth(user, user + "-pw"), extra));
        auto r = c.read_reply(std::chrono::seconds(10), method == "HEAD");
        BOOST_REQUIRE(r);
        return *r;
    }

    /// The invitation uid `user` was sent (from their notification), or "".
    std::string invite_uid(const std::string& user) {
        auto who = f.store->find_principal(user);
        for (const auto& g : f.store->grants_of_collection(calendar_id))
            if (g.grantee.id == who->id) return g.invite_uid;
        return {};
    }

    /// The status of `user`'s grant on alice's calendar, or nullopt.
    std::optional<caldav::InviteStatus> status_of(const std::string& user) {
        auto who = f.store->find_principal(user);
        for (const auto& g : f.store->grants_of_collection(calendar_id))
            if (g.grantee.id == who->id) return g.status;
        return std::nullopt;
    }

    HttpReply accept(const std::string& user) {
        return send(user, "POST", "/dav/calendars/" + user + "/", invite_reply("invite-accepted", cal, invite_uid(user)));
    }

    std::string home_ctag(const std::string& user) {
        auto r = send(user, "PROPFIND", "/dav/calendars/" + user + "/",
                      R"(<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><CS:getctag/></D:prop></D:propfind>)",
                      "Depth: 0\r\n");
        auto at = r.body.find("getctag>");
        return at == std::string::npos ? std::string() : r.body.substr(at, r.body.find('<', at) - at);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(sharing_protocols)

BOOST_AUTO_TEST_CASE(an_apple_invitation_gives_nothing_until_accepted_then_the_calendar_is_in_the_sharee_home) {
    Protocol p;
    BOOST_TEST(p.send("alice", "POST", cal, cs_share_set("bob", "read-write")).status == 200);
    BOOST_TEST((p.status_of("bob") == caldav::InviteStatus::pending));
    BOOST_TEST(p.send("bob", "GET", cal + "review.ics").status == 403);
    BOOST_TEST(!contains(p.send("bob", "PROPFIND", "/dav/calendars/bob/", sharing_props).body, "alice"));
    // The invitation waits in bob's notification collection (caldav-sharing §4).
    auto notes = p.f.store->notifications_of(p.f.store->find_principal("bob")->id);
    BOOST_TEST_REQUIRE(notes.size() == 1u);
    BOOST_TEST(notes[0].type == "invite-notification");
    BOOST_TEST(contains(notes[0].body, "<CS:uid>" + p.invite_uid("bob") + "</CS:uid>"));
    BOOST_TEST(contains(notes[0].body, "<CS:hosturl><D:href>" + cal + "</D:href></CS:hosturl>"));
    BOOST_TEST(contains(notes[0].body, "<CS:read-write/>"));

    auto owner = p.send("alice", "PROPFIND", cal, sharing_props, "Depth: 0\r\n");
    BOOST_TEST(contains(owner.body, "<CS:shared-owner/>"));
    BOOST_TEST(contains(owner.body, "<D:href>mailto:bob@example.com</D:href>"));
    BOOST_TEST(contains(owner.body, "<CS:invite-noresponse/>"));
    BOOST_TEST(contains(owner.body, "<CS:can-be-shared/>"));

    auto reply = p.accept("bob");
    BOOST_TEST(reply.status == 200);
    BOOST_TEST(contains(reply.body, "<D:href>" + cal + "</D:href></CS:shared-as>"), reply.body);
    BOOST_TEST(contains(reply.body, "<CS:shared-as "));
    BOOST_TEST(p.f.store->notifications_of(p.f.store->find_principal("bob")->id).empty());
    auto home = p.send("bob", "PROPFIND", "/dav/calendars/bob/", sharing_props);
    BOOST_TEST(contains(home.body, "<D:href>" + cal + "</D:href>"));
    BOOST_TEST(contains(home.body, "<CS:shared/>"));
    BOOST_TEST(contains(home.body, "<CS:shared-url><D:href>" + cal + "</D:href></CS:shared-url>"));
    BOOST_TEST(contains(home.body, "<D:share-access><D:read-write/></D:share-access>"));
    BOOST_TEST(p.send("bob", "PUT", cal + "bob.ics", event("bob", "Added by Bob")).status == 201);
    BOOST_TEST(contains(p.send("alice", "GET", cal + "bob.ics").body, "Added by Bob"));
    BOOST_TEST(contains(p.send("alice", "PROPFIND", cal, sharing_props, "Depth: 0\r\n").body, "<CS:invite-accepted/>"));
}

BOOST_AUTO_TEST_CASE(a_read_only_sharee_reads_and_is_refused_writes_with_need_privileges) {
    Protocol p;
    BOOST_TEST(p.send("alice", "POST", cal, cs_share_set("carol", "read")).status == 200);
    BOOST_TEST(p.accept("carol").status == 200);
    BOOST_TEST(contains(p.send("carol", "GET", cal + "review.ics").body, "Budget Review"));
    auto put = p.send("carol", "PUT", cal + "new.ics", event("new", "New"));
    BOOST_TEST(put.status == 403);
    BOOST_TEST(contains(put.body, "<D:need-privileges"));
    auto props = p.send("carol", "PROPFIND", cal, sharing_props, "Depth: 0\r\n");
    BOOST_TEST(contains(props.body, "<D:share-access><D:read/></D:share-access>"));
    BOOST_TEST(!contains(props.body, "<CS:can-be-shared/>"));
    BOOST_TEST(!contains(props.body, "write-content"));
}

BOOST_AUTO_TEST_CASE(revoking_an_apple_share_removes_the_calendar_from_the_sharee_home_and_ends_access) {
    Protocol p;
    BOOST_TEST(p.send("alice", "POST", cal, cs_share_set("bob", "read-write")).status == 200);
    BOOST_TEST(p.accept("bob").status == 200);
    auto before = p.home_ctag("bob");
    BOOST_TEST(p.send("alice", "POST", cal, cs_share_remove("bob")).status == 200);
    BOOST_TEST(!p.status_of("bob").has_value());
    BOOST_TEST(p.home_ctag("bob") != before);
    BOOST_TEST(!contains(p.send("bob", "PROPFIND", "/dav/calendars/bob/", sharing_props).body, "alice"));
    BOOST_TEST(p.send("bob", "GET", cal + "review.ics").status == 403);
    BOOST_TEST(p.send("bob", "PUT", cal + "x.ics", event("x", "X")).status == 403);
    // bob is told (caldav-sharing §5.3.2: a notification to each changed sharee).
    auto notes = p.f.store->notifications_of(p.f.store->find_principal("bob")->id);
    BOOST_TEST_REQUIRE(notes.size() == 1u);
    BOOST_TEST(contains(notes[0].body, "<CS:invite-deleted/>"));
}

BOOST_AUTO_TEST_CASE(a_declined_invitation_gives_nothing_and_the_owner_sees_it_declined) {
    Protocol p;
    BOOST_TEST(p.send("alice", "POST", cal, cs_share_set("bob", "read")).status == 200);
    auto r = p.send("bob", "POST", "/dav/calendars/bob/", invite_reply("invite-declined", cal, p.invite_uid("bob")));
    BOOST_TEST(r.status == 204);
    BOOST_TEST((p.status_of("bob") == caldav::InviteStatus::declined));
    BOOST_TEST(p.send("bob", "GET", cal + "review.ics").status == 403);
    BOOST_TEST(contains(p.send("alice", "PROPFIND", cal, sharing_props, "Depth: 0\r\n").body, "<CS:invite-declined/>"));
    // Sharing again asks again.
    BOOST_TEST(p.send("alice", "POST", cal, cs_share_set("bob", "read")).status == 200);
    BOOST_TEST((p.status_of("bob") == caldav::InviteStatus::pending));
}

BOOST_AUTO_TEST_CASE(a_sharee_names_and_colours_the_calendar_for_themselves_only) {
    Protocol p;
    BOOST_TEST(p.send("alice", "POST", cal, cs_share_set("carol", "read")).status == 200);
    BOOST_TEST(p.accept("carol").status == 200);
    const std::string patch = R"(<?xml version="1.0" encoding="UTF-8"?>
<A:propertyupdate xmlns:A="DAV:"><A:set><A:prop><A:displayname>Alice at work</A:displayname>
<B:calendar-color xmlns:B="http://apple.com/ns/ical/">#FF2968FF</B:calendar-color></A:prop></A:set></A:propertyupdate>)";
    auto r = p.send("carol", "PROPPATCH", cal, patch, "");
    BOOST_TEST(r.status == 207);
    BOOST_TEST(contains(r.body, "HTTP/1.1 200"));
    auto mine = p.send("carol", "PROPFIND", cal, sharing_props, "Depth: 0\r\n").body;
    BOOST_TEST(contains(mine, "<D:displayname>Alice at work</D:displayname>"));
    BOOST_TEST(contains(mine, "#FF2968FF"));
    auto owners = p.send("alice", "PROPFIND", cal, sharing_props, "Depth: 0\r\n").body;
    BOOST_TEST(!contains(owners, "Alice at work"));
    BOOST_TEST(!contains(owners, "#FF2968FF"));
    // Other properties stay the owner's: all or nothing, nothing written.
    auto refused = p.send("carol", "PROPPATCH", cal,
                          R"(<A:propertyupdate xmlns:A="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><A:set><A:prop>)"
                          R"(<A:displayname>Other</A:displayname><C:calendar-description>mine</C:calendar-description>)"
                          R"(</A:prop></A:set></A:propertyupdate>)", "");
    BOOST_TEST(refused.status == 207);
    BOOST_TEST(contains(refused.body, "HTTP/1.1 403"));
    BOOST_TEST(contains(refused.body, "HTTP/1.1 424"));
    BOOST_TEST(contains(p.send("carol", "PROPFIND", cal, sharing_props, "Depth: 0\r\n").body, "Alice at work"));
}

BOOST_AUTO_TEST_CASE(only_the_owner_and_an_admin_sharee_may_share) {
    Protocol p;
    p.f.store->set_grant(p.calendar_id, p.f.store->find_principal("bob")->id, caldav::SharePermission::view);
    p.f.store->set_grant(p.calendar_id, p.f.store->find_principal("carol")->id, caldav::SharePermission::edit);
    p.f.store->set_grant(p.calendar_id, p.f.store->find_principal("dave")->id, caldav::SharePermission::admin);
    p.f.store->set_grant(p.calendar_id, p.f.store->find_principal("erin")->id, caldav::SharePermission::free_busy);
    for (auto who : {"bob", "carol", "erin", "zoe"}) {
        for (const auto& body : {cs_share_set("zoe", "read"), share_resource("zoe", "read")}) {
            auto r = p.send(who, "POST", cal, body);
            BOOST_TEST(r.status == 403, who << " gave " << r.status);
            BOOST_TEST(contains(r.body, "need-privileges"), who);
        }
    }
    BOOST_TEST(!p.status_of("zoe").has_value());
    BOOST_TEST(p.send("dave", "POST", cal, cs_share_set("zoe", "read")).status == 200);
    BOOST_TEST((p.status_of("zoe") == caldav::InviteStatus::pending));
    // dave's own admin grant is not lowered by a client that knows only read-write.
    BOOST_TEST(p.send("alice", "POST", cal, cs_share_set("dave", "read-write")).status == 200);
    BOOST_TEST(p.send("dave", "DELETE", cal + "review.ics").status == 204);
}

BOOST_AUTO_TEST_CASE(bad_sharing_bodies_are_refused_and_write_nothing) {
    Protocol p;
    const std::string two = "<CS:share xmlns:D=\"DAV:\" xmlns:CS=\"http://calendarserver.org/ns/\">"
                            "<CS:set><D:href>mailto:bob@example.com</D:href><CS:read/></CS:set>"
                            "<CS:set><D:href>mailto:nobody@example.com</D:href><CS:read/></CS:set></CS:share>";
    BOOST_TEST(p.send("alice", "POST", cal, two).status == 403);
    BOOST_TEST(!p.status_of("bob").has_value());  // the first set was not written either
    const std::string no_access = "<CS:share xmlns:D=\"DAV:\" xmlns:CS=\"http://calendarserver.org/ns/\">"
                                  "<CS:set><D:href>mailto:bob@example.com</D:href></CS:set></CS:share>";
    BOOST_TEST(p.send("alice", "POST", cal, no_access).status == 400);
    BOOST_TEST(p.send("alice", "POST", cal, "<CS:share xmlns:CS=\"http://calendarserver.org/ns/\"/>").status == 400);
    BOOST_TEST(p.send("alice", "POST", cal, "<CS:share xmlns:CS=").status == 400);
    BOOST_TEST(p.send("alice", "POST", cal, "<D:propfind xmlns:D=\"DAV:\"/>").status == 400);
    BOOST_TEST(p.send("alice", "POST", cal, cs_share_set("alice", "read")).status == 403);
    BOOST_TEST(p.send("alice", "POST", cal, share_resource("bob", "admin")).status == 400);
    BOOST_TEST(p.f.store->grants_of_collection(p.calendar_id).empty());
    BOOST_TEST(p.f.store->notifications_of(p.f.store->find_principal("bob")->id).empty());
}

BOOST_AUTO_TEST_CASE(an_invite_reply_counts_only_in_the_sharee_own_home_and_for_their_invitation) {
    Protocol p;
    BOOST_TEST(p.send("alice", "POST", cal, cs_share_set("bob", "read")).status == 200);
    auto uid = p.invite_uid("bob");
    // zoe cannot answer for bob, in his home or hers.
    BOOST_TEST(p.send("zoe", "POST", "/dav/calendars/bob/", invite_reply("invite-accepted", cal, uid)).status == 403);
    BOOST_TEST(p.send("zoe", "POST", "/dav/calendars/zoe/", invite_reply("invite-accepted", cal, uid)).status == 404);
    BOOST_TEST(p.send("bob", "POST", "/dav/calendars/bob/", invite_reply("invite-accepted", cal, "other")).status == 403);
    BOOST_TEST(p.send("bob", "POST", "/dav/calendars/bob/",
                      invite_reply("invite-accepted", "/dav/calendars/alice/nothing/", uid)).status == 404);
    BOOST_TEST((p.status_of("bob") == caldav::InviteStatus::pending));
    BOOST_TEST(p.send("zoe", "GET", cal + "review.ics").status == 403);
}

BOOST_AUTO_TEST_CASE(a_webdav_share_resource_grant_is_in_force_at_once_and_shows_in_both_protocols) {
    Protocol p;
    BOOST_TEST(p.send("alice", "POST", cal, share_resource("bob", "read-write")).status == 200);
    BOOST_TEST((p.status_of("bob") == caldav::InviteStatus::accepted));
    BOOST_TEST(p.send("bob", "PUT", cal + "bob.ics", event("bob", "Bob")).status == 201);
    auto owner = p.send("alice", "PROPFIND", cal, sharing_props, "Depth: 0\r\n").body;
    BOOST_TEST(contains(owner, "<D:share-access><D:shared-owner/></D:share-access>"));
    BOOST_TEST(contains(owner, "<D:sharee><D:href>mailto:bob@example.com</D:href>"));
    BOOST_TEST(contains(owner, "<D:invite-accepted/>"));
    BOOST_TEST(contains(owner, "<CS:invite-accepted/>"));  // the same grant, as Apple's clients see it
    BOOST_TEST(contains(p.send("bob", "PROPFIND", "/dav/calendars/bob/", sharing_props).body, "<D:href>" + cal + "</D:href>"));
    // Downgraded, then removed with no-access.
    BOOST_TEST(p.send("alice", "POST", cal, share_resource("bob", "read")).status == 200);
    BOOST_TEST(p.send("bob", "PUT", cal + "bob2.ics", event("bob2", "Bob")).status == 403);
    BOOST_TEST(p.send("alice", "POST", cal, share_resource("bob", "no-access")).status == 200);
    BOOST_TEST(!p.status_of("bob").has_value());
    BOOST_TEST(p.send("bob", "GET", cal + "review.ics").status == 403);
    auto unshared = p.send("alice", "PROPFIND", cal, sharing_props, "Depth: 0\r\n").body;
    BOOST_TEST(contains(unshared, "<D:share-access><D:not-shared/></D:share-access>"));
    BOOST_TEST(!contains(unshared, "shared-owner"));
}

BOOST_AUTO_TEST_CASE(the_sharee_home_ctag_moves_when_a_calendar_is_shared_accepted_renamed_and_revoked) {
    Protocol p;
    auto c0 = p.home_ctag("bob");
    BOOST_TEST(p.send("alice", "POST", cal, cs_share_set("bob", "read")).status == 200);
    auto c1 = p.home_ctag("bob");
    BOOST_TEST(c1 != c0);
    BOOST_TEST(p.accept("bob").status == 200);
    auto c2 = p.home_ctag("bob");
    BOOST_TEST(c2 != c1);
    BOOST_TEST(p.send("bob", "PROPPATCH", cal,
                      R"(<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>Mine</D:displayname></D:prop></D:set></D:propertyupdate>)",
                      "").status == 207);
    auto c3 = p.home_ctag("bob");
    BOOST_TEST(c3 != c2);
    BOOST_TEST(p.send("alice", "POST", cal, cs_share_remove("bob")).status == 200);
    BOOST_TEST(p.home_ctag("bob") != c3);
}

BOOST_AUTO_TEST_CASE(a_free_busy_grant_does_not_list_the_calendar_in_the_sharee_home) {
    Protocol p;
    p.f.store->set_grant(p.calendar_id, p.f.store->find_principal("erin")->id, caldav::SharePermission::free_busy);
    auto home = p.send("erin", "PROPFIND", "/dav/calendars/erin/", sharing_props);
    BOOST_TEST(home.status == 207);
    BOOST_TEST(!contains(home.body, "alice"));
    auto patch = p.send("erin", "PROPPATCH", cal,
                        R"(<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>x</D:displayname></D:prop></D:set></D:propertyupdate>)",
                        "");
    BOOST_TEST(patch.status == 403);
}

BOOST_AUTO_TEST_CASE(the_notification_collection_holds_the_invitation_for_its_owner_alone) {
    Protocol p;
    BOOST_TEST(p.send("alice", "POST", cal, cs_share_set("bob", "read-write")).status == 200);
    const std::string notes = "/dav/calendars/bob/notification/";
    auto principal = p.send("bob", "PROPFIND", "/dav/principals/users/bob/",
                            R"(<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><CS:notification-URL/></D:prop></D:propfind>)",
                            "Depth: 0\r\n");
    BOOST_TEST(contains(principal.body, "<CS:notification-URL><D:href>" + notes + "</D:href></CS:notification-URL>"));
    // Apple's clients find it in the home listing too (resourcetype CS:notification).
    BOOST_TEST(contains(p.send("bob", "PROPFIND", "/dav/calendars/bob/", sharing_props).body, "<CS:notification/>"));
    auto listing = p.send("bob", "PROPFIND", notes,
                          R"(<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><D:getetag/><CS:notificationtype/></D:prop></D:propfind>)");
    BOOST_TEST(listing.status == 207);
    const std::string item = notes + p.invite_uid("bob") + ".xml";
    BOOST_TEST(contains(listing.body, "<D:href>" + item + "</D:href>"));
    BOOST_TEST(contains(listing.body, "<CS:invite-notification shared-type=\"calendar\"/>"));
    auto get = p.send("bob", "GET", item);
    BOOST_TEST(get.status == 200);
    BOOST_TEST(contains(get.body, "<CS:invite-notification shared-type=\"calendar\">"));
    BOOST_TEST(contains(get.body, "<CS:organizer><D:href>/dav/principals/users/alice/</D:href></CS:organizer>"));
    for (auto who : {"alice", "zoe"}) {
        BOOST_TEST(p.send(who, "PROPFIND", notes).status == 403);
        BOOST_TEST(p.send(who, "GET", item).status == 403);
        BOOST_TEST(p.send(who, "DELETE", item).status == 403);
    }
    BOOST_TEST(p.send("bob", "MKCALENDAR", notes).status == 405);
    BOOST_TEST(p.send("bob", "PUT", item, event("x", "X")).status == 405);
    // Replying to the notification collection works as to the home; the
    // sharer is told, and handled notifications are deleted by the client.
    auto reply = p.send("bob", "POST", notes, invite_reply("invite-accepted", cal, p.invite_uid("bob")));
    BOOST_TEST(reply.status == 200);
    BOOST_TEST(p.send("bob", "GET", item).status == 404);
    auto alice_notes = p.send("alice", "PROPFIND", "/dav/calendars/alice/notification/",
                              R"(<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><CS:notificationtype/></D:prop></D:propfind>)");
    BOOST_TEST(contains(alice_notes.body, "<CS:invite-reply/>"));
    auto alice_items = p.f.store->notifications_of(p.f.store->find_principal("alice")->id);
    BOOST_TEST_REQUIRE(alice_items.size() == 1u);
    BOOST_TEST(contains(alice_items[0].body, "<CS:invite-accepted/>"));
    BOOST_TEST(p.send("alice", "DELETE", "/dav/calendars/alice/notification/" + alice_items[0].name).status == 204);
    BOOST_TEST(p.f.store->notifications_of(p.f.store->find_principal("alice")->id).empty());
}

BOOST_AUTO_TEST_CASE(the_owner_home_listing_shows_each_calendar_sharees_in_its_acl_and_invite) {
    Protocol p;
    BOOST_TEST(p.send("alice", "POST", cal, cs_share_set("bob", "read")).status == 200);
    BOOST_TEST(p.accept("bob").status == 200);
    auto home = p.send("alice", "PROPFIND", "/dav/calendars/alice/",
                       R"(<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><D:acl/><CS:invite/><D:resourcetype/></D:prop></D:propfind>)");
    BOOST_TEST(home.status == 207);
    BOOST_TEST(contains(home.body, "<D:principal><D:href>/dav/principals/users/bob/</D:href></D:principal>"));
    BOOST_TEST(contains(home.body, "<CS:shared-owner/>"));
    BOOST_TEST(contains(home.body, "<D:href>mailto:bob@example.com</D:href>"));
}

BOOST_AUTO_TEST_SUITE_END()
