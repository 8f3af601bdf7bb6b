// What a create and an RSVP plan and store (issue 24): the texts planned
// from the plan's shared parses are byte for byte those the ical:: text
// functions, each parsing what it is given, make from the same data.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <ctime>

#include "caldav/object_service.hpp"
#include "caldav/scheduling.hpp"
#include "caldav/write_plan.hpp"
#include "ical/itip.hpp"
#include "ical/schedule_merge.hpp"
#include "ical/scheduling.hpp"
#include "src/storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace caldav;

namespace {

/// A weekly meeting with an exception, an alarm of the organizer's, an X-
/// property and one libical does not know (both with values libical would
/// re-escape in a clone): what the attendees' copies, the messages and the
/// merges treat differently from a plain event.
const std::string with_x =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nX-WR-CALNAME:Work\r\n"
    "BEGIN:VEVENT\r\nUID:plan-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270105T100000Z\r\n"
    "DTEND:20270105T110000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Planning\\, weekly\r\n"
    "X-ORGANIZER-NOTE:kept,as written\r\nSTRUCTURED-LOCATION;VALUE=URI:geo:52.5,13.4\r\nORGANIZER;CN=Alice:mailto:alice@example.com\r\n"
    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
    "ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\n"
    "ATTENDEE;CN=Carol;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:carol@example.com\r\n"
    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:soon\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:plan-1\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20270112T100000Z\r\n"
    "DTSTART:20270112T120000Z\r\nDTEND:20270112T130000Z\r\nSUMMARY:Planning\\, moved\r\n"
    "ORGANIZER;CN=Alice:mailto:alice@example.com\r\n"
    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
    "ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\n"
    "ATTENDEE;CN=Carol;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:carol@example.com\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n";

/// The same without the values a clone would re-escape (its X-WR-CALNAME
/// is plain): what the plan clones.
std::string without_x(std::string text) {
    for (std::string line : {"X-ORGANIZER-NOTE:kept,as written\r\n",
                             "STRUCTURED-LOCATION;VALUE=URI:geo:52.5,13.4\r\n"})
        text.erase(text.find(line), line.size());
    return text;
}

struct PlanFixture {
    test_support::TempDir dir;
    std::unique_ptr<server::SqliteStore> store;
    Limits limits;

    PlanFixture() {
        server::SqliteOptions o;
        o.file = dir.path() / "k.sqlite3";
        store = server::SqliteStore::open(o);
        for (const char* name : {"alice", "bob", "carol"}) {
            store->add_user(name, std::string(name) + "@example.com", "$y$x");
            store->provision_home(user(name).id);
        }
    }

    PrincipalRecord user(const std::string& name) { return *store->find_principal(name); }
    CollectionRecord calendar_of(const std::string& name) { return *store->find_collection(user(name).id, "calendar"); }

    /// The one object in `name`'s calendar.
    ObjectRecord copy_of(const std::string& name) {
        auto objects = store->list_objects(calendar_of(name).id, true);
        BOOST_REQUIRE_EQUAL(objects.size(), 1u);
        return objects.front();
    }

    /// The texts in `name`'s inbox, in name order.
    std::vector<std::string> inbox_of(const std::string& name) {
        auto inbox = store->find_collection(user(name).id, "inbox");
        std::vector<std::string> out;
        for (const auto& o : store->list_objects(inbox->id, true)) out.push_back(o.data);
        return out;
    }

    std::string meeting = without_x(with_x);

    void create() {
        Actor alice{*store, limits, user("alice")};
        ObjectPut put;
        put.calendar = calendar_of("alice");
        put.owner_name = "alice";
        put.name = "plan-1.ics";
        put.data = meeting;
        put.conditions.if_none_match = true;
        put_calendar_object(alice, std::move(put));
    }

    void answer(const std::string& name, const std::string& partstat) {
        Actor who{*store, limits, user(name)};
        answer_invitation(who, calendar_of(name), name, copy_of(name).name, partstat);
    }

    /// Runs the attendee-refresh jobs the answers queued, as the server's
    /// job runner does once they are due; returns how many ran.
    std::size_t refresh() {
        const auto later = static_cast<std::int64_t>(std::time(nullptr)) + 86400;
        auto jobs = store->lease_jobs({std::string(attendee_refresh_job_kind)}, later, later + 60, "test", 100);
        for (const auto& j : jobs) {
            BOOST_TEST((refresh_attendee_copies(*store, limits, j.owner_id, j.payload) == RefreshResult::done));
            BOOST_TEST((store->complete_job(j.id, "test") == StoreStatus::ok));
        }
        return jobs.size();
    }
};

bool holds(const std::vector<std::string>& texts, const std::string& text) {
    return std::find(texts.begin(), texts.end(), text) != texts.end();
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(schedule_plan, PlanFixture)

BOOST_AUTO_TEST_CASE(a_created_meeting_stores_what_the_text_functions_make_byte_for_byte) {
    BOOST_REQUIRE(ical::clones_faithfully(ical::parse_calendar(meeting).calendar.get()));
    create();
    const auto message = ical::itip_message(meeting, "REQUEST");
    const auto copy = ical::attendee_copy(meeting);
    BOOST_TEST(copy != ical::attendee_copy(message));  // the organizer's alarm is no attendee's
    BOOST_TEST(copy_of("alice").data ==
               ical::with_schedule_status(meeting, {{"mailto:bob@example.com", "1.2"},
                                                    {"mailto:carol@example.com", "1.2"}}));
    for (const char* name : {"bob", "carol"}) {
        BOOST_TEST(copy_of(name).data == copy);
        auto inbox = inbox_of(name);
        BOOST_REQUIRE_EQUAL(inbox.size(), 1u);
        BOOST_TEST(inbox.front() == message);
    }
}

BOOST_AUTO_TEST_CASE(an_answer_stores_and_sends_what_the_text_functions_make_byte_for_byte) {
    create();
    answer("carol", "TENTATIVE");
    BOOST_TEST(refresh() == 1u);
    const auto bob_before = copy_of("bob");
    const auto carol_before = copy_of("carol");
    const auto alice_before = copy_of("alice");
    const auto alice_inbox = inbox_of("alice");
    answer("bob", "ACCEPTED");
    // Carol's copy takes the answer with the job the answer queued.
    BOOST_TEST(copy_of("carol").data == carol_before.data);
    BOOST_TEST(refresh() == 1u);

    // Bob's write, the REPLY it sends and how it fared.
    const std::string bob = "mailto:bob@example.com";
    const auto answered = ical::with_partstat(bob_before.data, bob, "ACCEPTED");
    const auto reply = ical::attendee_reply(bob_before.data, answered, bob, false);
    BOOST_REQUIRE(reply.has_value());
    BOOST_TEST(copy_of("bob").data == ical::with_organizer_schedule_status(answered, "1.2"));

    // The organizer's copy and inbox.
    const auto applied = ical::apply_reply(alice_before.data, *reply);
    BOOST_REQUIRE(applied.has_value());
    BOOST_TEST(applied->changed);
    BOOST_TEST(copy_of("alice").data == applied->data);
    BOOST_TEST(copy_of("alice").schedule_tag == alice_before.schedule_tag);
    auto inbox = inbox_of("alice");
    BOOST_TEST(inbox.size() == alice_inbox.size() + 1);
    BOOST_TEST(holds(inbox, *reply));

    // Carol's copy shows Bob's answer, her own kept; only answers changed, so
    // her Schedule-Tag stays.
    const std::string carol = "mailto:carol@example.com";
    const auto now = ical::attendee_copy(applied->data);
    const auto then = ical::attendee_copy(alice_before.data);
    BOOST_TEST(copy_of("carol").data != carol_before.data);
    BOOST_TEST(copy_of("carol").data == ical::merge_attendee_copy(now, carol_before.data, carol));
    BOOST_TEST(ical::same_for_attendees(carol_before.data,
                                        ical::merge_attendee_copy(then, carol_before.data, carol)));
    BOOST_TEST(copy_of("carol").schedule_tag == carol_before.schedule_tag);
}

BOOST_AUTO_TEST_CASE(x_properties_are_written_as_the_text_functions_write_them) {
    meeting = with_x;
    BOOST_REQUIRE(!ical::clones_faithfully(ical::parse_calendar(meeting).calendar.get()));
    create();
    BOOST_TEST(copy_of("bob").data == ical::attendee_copy(meeting));
    BOOST_TEST(inbox_of("bob").front() == ical::itip_message(meeting, "REQUEST"));
    const auto alice_before = copy_of("alice");
    const auto bob_before = copy_of("bob");
    const auto carol_before = copy_of("carol");
    answer("bob", "DECLINED");
    BOOST_TEST(refresh() == 1u);
    const std::string bob = "mailto:bob@example.com";
    const auto answered = ical::with_partstat(bob_before.data, bob, "DECLINED");
    const auto reply = ical::attendee_reply(bob_before.data, answered, bob, false);
    BOOST_REQUIRE(reply.has_value());
    BOOST_TEST(copy_of("bob").data == ical::with_organizer_schedule_status(answered, "1.2"));
    BOOST_TEST(copy_of("alice").data == ical::apply_reply(alice_before.data, *reply)->data);
    BOOST_TEST(copy_of("carol").data != carol_before.data);
    BOOST_TEST(copy_of("carol").data == ical::merge_attendee_copy(ical::attendee_copy(copy_of("alice").data),
                                                                  carol_before.data, "mailto:carol@example.com"));
}

BOOST_AUTO_TEST_CASE(an_answer_edits_the_parse_of_the_copy_it_read) {
    // Issue 24: answer_invitation_with parses the copy once and hands that
    // parse to the edit; editing it answers what the text function does.
    for (const auto& text : {without_x(with_x), with_x}) {
        PlanFixture f;
        f.meeting = text;
        f.create();
        const auto before = f.copy_of("bob");
        const std::string bob = "mailto:bob@example.com";
        Actor who{*f.store, f.limits, f.user("bob")};
        int edits = 0;
        answer_invitation_with(who, f.calendar_of("bob"), "bob", before.name,
                               [&](const std::string& copy, icalcomponent* parsed, const std::string& attendee) {
                                   ++edits;
                                   BOOST_TEST(copy == before.data);
                                   BOOST_TEST(attendee == bob);
                                   BOOST_REQUIRE(parsed != nullptr);
                                   BOOST_TEST(std::string(icalcomponent_as_ical_string(parsed)) ==
                                              std::string(icalcomponent_as_ical_string(
                                                  ical::parse_calendar(copy).calendar.get())));
                                   return AnsweredCopy{ical::with_partstat(parsed, attendee, "ACCEPTED"), true};
                               });
        BOOST_TEST(edits == 1);
        const auto answered = ical::with_partstat(before.data, bob, "ACCEPTED");
        BOOST_TEST(f.copy_of("bob").data == ical::with_organizer_schedule_status(answered, "1.2"));
    }
}

BOOST_AUTO_TEST_CASE(a_put_with_the_parse_of_its_current_version_stores_what_one_without_does) {
    // ObjectPut::current_parsed is only read as the parse of current->data,
    // and ObjectPut::parsed as the tree data was written from: a write with
    // them plans and stores what the same write without them does.
    create();
    const auto before = copy_of("bob");
    const std::string bob = "mailto:bob@example.com";
    auto put_answer = [&](PlanFixture& f, bool with_parse) {
        Actor who{*f.store, f.limits, f.user("bob")};
        ObjectPut put;
        put.calendar = f.calendar_of("bob");
        put.owner_name = "bob";
        put.name = before.name;
        put.data = ical::with_partstat(before.data, bob, "TENTATIVE");
        put.conditions.if_match = f.copy_of("bob").etag;
        put.current = f.copy_of("bob");
        if (with_parse) {
            put.current_parsed = std::shared_ptr<icalcomponent>(
                ical::parse_calendar(put.current->data).calendar.release(), ical::ComponentDeleter{});
            // And the answer as the tree it was serialised from (ObjectPut::parsed).
            auto tree = ical::parse_calendar(before.data).calendar;
            BOOST_REQUIRE(tree);
            put.data = ical::with_partstat(tree.get(), bob, "TENTATIVE");
            put.parsed = std::shared_ptr<icalcomponent>(tree.release(), ical::ComponentDeleter{});
        }
        put_calendar_object(who, std::move(put));
    };
    PlanFixture other;
    other.create();
    BOOST_REQUIRE(other.copy_of("bob").data == before.data);
    put_answer(*this, true);
    put_answer(other, false);
    for (const char* name : {"alice", "bob", "carol"}) BOOST_TEST(copy_of(name).data == other.copy_of(name).data);
    BOOST_TEST(inbox_of("alice").size() == other.inbox_of("alice").size());
}

BOOST_AUTO_TEST_CASE(a_plan_parses_a_text_once_and_hands_out_clones_to_edit) {
    WritePlan plan(*store);
    icalcomponent* parsed = plan.parse(meeting);
    BOOST_REQUIRE(parsed != nullptr);
    BOOST_TEST(plan.parse(meeting) == parsed);
    auto copy = plan.copy_of(meeting);
    BOOST_REQUIRE(copy != nullptr);
    BOOST_TEST(copy.get() != parsed);
    // Editing the clone leaves the plan's parse as it was.
    auto message = ical::itip_message(copy.get(), "REQUEST");
    BOOST_TEST(message == ical::itip_message(meeting, "REQUEST"));
    BOOST_TEST(ical::itip_message(plan.copy_of(meeting).get(), "REQUEST") == message);
    // What an edit made is read as the parse of its text.
    icalcomponent* edited = copy.get();
    plan.remember(message, std::move(copy));
    BOOST_TEST(plan.parse(message) == edited);
    BOOST_TEST(plan.attendee_copy(message) == ical::attendee_copy(message));
    // Text that does not parse has no parse and no clone.
    BOOST_TEST(plan.parse("BEGIN:VCALENDAR\r\nnot ical") == nullptr);
    BOOST_TEST(plan.copy_of("BEGIN:VCALENDAR\r\nnot ical") == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
