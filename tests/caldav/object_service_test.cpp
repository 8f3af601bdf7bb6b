// The calendar service's object operations called without a DAV request, as
// the JSON API will call them (issue 23 §1): an invitation stored by its
// organizer, answered by its attendee.
#include "caldav/object_service.hpp"

#include <boost/test/unit_test.hpp>

#include "caldav/error.hpp"
#include "caldav/scheduling.hpp"
#include "src/storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace caldav;

namespace {

struct ServiceFixture {
    test_support::TempDir dir;
    std::unique_ptr<server::SqliteStore> store;
    Limits limits;

    ServiceFixture() {
        server::SqliteOptions o;
        o.file = dir.path() / "k.sqlite3";
        store = server::SqliteStore::open(o);
        for (const char* name : {"alice", "bob", "carol"})
            store->add_user(name, std::string(name) + "@example.com", "$y$x");
    }

    PrincipalRecord user(const std::string& name) { return *store->find_principal(name); }

    CollectionRecord calendar_of(const std::string& name) {
        store->provision_home(user(name).id);
        return *store->find_collection(user(name).id, "calendar");
    }

    std::vector<ObjectRecord> inbox_of(const std::string& name) {
        auto inbox = store->find_collection(user(name).id, "inbox");
        return store->list_objects(inbox->id, true);
    }

    /// Alice invites Bob to "meet-1", through the service.
    ObjectPutOutcome invite() {
        Actor alice{*store, limits, user("alice")};
        ObjectPut put;
        put.calendar = calendar_of("alice");
        put.owner_name = "alice";
        put.name = "meet-1.ics";
        put.data =
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:meet-1\r\n"
            "DTSTAMP:20260101T000000Z\r\nDTSTART:20270105T100000Z\r\nDTEND:20270105T110000Z\r\n"
            "SUMMARY:Planning\r\nORGANIZER:mailto:alice@example.com\r\n"
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
            "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n";
        return put_calendar_object(alice, std::move(put));
    }
};

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(object_service, ServiceFixture)

BOOST_AUTO_TEST_CASE(an_invitation_stores_every_copy_and_inbox_item_at_once) {
    auto stored = invite();
    BOOST_TEST(stored.created);
    // SCHEDULE-STATUS recorded: what is stored is not what was sent, so no ETag.
    BOOST_TEST(stored.etag.empty());
    BOOST_TEST(!stored.schedule_tag.empty());
    auto own = store->find_object(calendar_of("alice").id, "meet-1.ics", true);
    BOOST_REQUIRE(own.has_value());
    BOOST_TEST(contains(own->data, "SCHEDULE-STATUS=1.2"));
    auto copy = store->find_object_by_uid(user("bob").id, "meet-1");
    BOOST_REQUIRE(copy.has_value());
    BOOST_TEST(!contains(copy->data, "SCHEDULE-STATUS"));
    auto inbox = inbox_of("bob");
    BOOST_REQUIRE(inbox.size() == 1u);
    BOOST_TEST(contains(inbox[0].data, "METHOD:REQUEST"));
}

BOOST_AUTO_TEST_CASE(an_attendee_answers_and_the_organizer_learns_it) {
    invite();
    auto copy = store->find_object_by_uid(user("bob").id, "meet-1");
    BOOST_REQUIRE(copy.has_value());
    Actor bob{*store, limits, user("bob")};
    auto answered = answer_invitation(bob, calendar_of("bob"), "bob", copy->name, "ACCEPTED");
    BOOST_TEST(!answered.created);
    auto mine = store->find_object(calendar_of("bob").id, copy->name, true);
    BOOST_TEST(contains(mine->data, "PARTSTAT=ACCEPTED"));
    // How the reply fared, on the ORGANIZER of Bob's copy (RFC 6638 §7.3).
    BOOST_TEST(contains(mine->data, "SCHEDULE-STATUS=1.2"));
    auto organizers = store->find_object(calendar_of("alice").id, "meet-1.ics", true);
    // Bob's ATTENDEE line (unfolded) on the organizer's copy says ACCEPTED.
    std::string unfolded;
    for (std::size_t i = 0; i < organizers->data.size(); ++i) {
        if (organizers->data.compare(i, 3, "\r\n ") == 0) {
            i += 2;
            continue;
        }
        unfolded += organizers->data[i];
    }
    auto at = unfolded.find("mailto:bob@example.com");
    BOOST_REQUIRE(at != std::string::npos);
    auto line = unfolded.substr(unfolded.rfind("\n", at), at - unfolded.rfind("\n", at));
    BOOST_TEST(contains(line, "PARTSTAT=ACCEPTED"), line);
    auto replies = inbox_of("alice");
    BOOST_REQUIRE(replies.size() == 1u);
    BOOST_TEST(contains(replies[0].data, "METHOD:REPLY"));
}

BOOST_AUTO_TEST_CASE(only_an_invited_attendee_answers_and_only_with_an_answer) {
    invite();
    auto copy = store->find_object_by_uid(user("bob").id, "meet-1");
    BOOST_REQUIRE(copy.has_value());
    Actor bob{*store, limits, user("bob")};
    BOOST_CHECK_EXCEPTION(answer_invitation(bob, calendar_of("bob"), "bob", copy->name, "MAYBE"), Error,
                          [](const Error& e) { return e.status() == 400; });
    BOOST_CHECK_EXCEPTION(answer_invitation(bob, calendar_of("bob"), "bob", "none.ics", "ACCEPTED"), Error,
                          [](const Error& e) { return e.status() == 404; });
    // The organizer is no attendee of their own event to answer.
    Actor alice{*store, limits, user("alice")};
    BOOST_CHECK_EXCEPTION(answer_invitation(alice, calendar_of("alice"), "alice", "meet-1.ics", "DECLINED"), Error,
                          [](const Error& e) { return e.status() == 403; });
    BOOST_TEST(inbox_of("alice").empty());
}

BOOST_AUTO_TEST_CASE(deleting_the_invitation_cancels_it_for_the_attendee_in_the_same_write) {
    invite();
    Actor alice{*store, limits, user("alice")};
    remove_object(alice, calendar_of("alice"), "meet-1.ics", {});
    BOOST_TEST(!store->find_object(calendar_of("alice").id, "meet-1.ics", false));
    auto copy = store->find_object_by_uid(user("bob").id, "meet-1");
    BOOST_REQUIRE(copy.has_value());
    BOOST_TEST(contains(copy->data, "STATUS:CANCELLED"));
    BOOST_TEST(inbox_of("bob").size() == 2u);
    // A stale If-Match deletes nothing and sends nothing.
    invite();
    WriteConditions stale;
    stale.if_match = "stale";
    BOOST_CHECK_EXCEPTION(remove_object(alice, calendar_of("alice"), "meet-1.ics", stale), Error,
                          [](const Error& e) { return e.status() == 412; });
    BOOST_TEST(store->find_object(calendar_of("alice").id, "meet-1.ics", false).has_value());
    BOOST_TEST(inbox_of("bob").size() == 3u);
}

BOOST_AUTO_TEST_CASE(own_addresses_match_mailto_in_any_case_and_the_principal_urls) {
    PrincipalRecord alice;
    alice.name = "alice";
    alice.email = "Alice@Example.com";
    BOOST_TEST(is_own_address(alice, "mailto:alice@example.com"));
    BOOST_TEST(is_own_address(alice, "MAILTO:ALICE@EXAMPLE.COM"));
    BOOST_TEST(!is_own_address(alice, "mailto:alice@example.org"));
    BOOST_TEST(!is_own_address(alice, "mailto:"));
    BOOST_TEST(!is_own_address(alice, "alice@example.com"));  // not a calendar user address
    BOOST_TEST(is_own_address(alice, "/dav/principals/users/alice"));
    BOOST_TEST(!is_own_address(alice, "/dav/principals/users/alicia"));
    PrincipalRecord no_mail;
    no_mail.name = "bob";
    BOOST_TEST(!is_own_address(no_mail, "mailto:"));
    BOOST_TEST(!is_own_address(no_mail, "mailto:bob@example.com"));
}

BOOST_AUTO_TEST_SUITE_END()
