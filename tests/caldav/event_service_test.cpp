// The event operations apps call (issue 24) over a real SQLite store: they
// write through the same path as a CalDAV PUT or DELETE (invitations,
// replies, cancellations), change a series by scope, list a range with
// recurrences expanded, and find conflicts without leaking other users'
// event details.
#include "caldav/event_service.hpp"

#include <cstdlib>

#include <boost/test/unit_test.hpp>
#include <libical/ical.h>

#include "caldav/error.hpp"
#include "src/storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/thread_alongside.hpp"

using namespace caldav;

namespace {

std::int64_t utc(std::string_view text) {
    auto t = ical::parse_rfc3339(text);
    BOOST_REQUIRE(t.has_value());
    return *t;
}

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

std::string unfolded(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text.compare(i, 3, "\r\n ") == 0) {
            i += 2;
            continue;
        }
        out += text[i];
    }
    return out;
}

/// The unfolded lines of `text` naming `part`.
std::vector<std::string> lines_with(std::string_view text, std::string_view part) {
    std::vector<std::string> out;
    auto all = unfolded(text);
    std::size_t at = 0;
    while (at < all.size()) {
        auto end = all.find("\r\n", at);
        if (end == std::string::npos) end = all.size();
        auto line = all.substr(at, end - at);
        if (contains(line, part)) out.push_back(line);
        at = end + 2;
    }
    return out;
}

struct EventFixture {
    test_support::TempDir dir;
    std::unique_ptr<server::SqliteStore> store;
    Limits limits;
    const std::int64_t now = utc("2027-01-01T00:00:00Z");
    const int horizon = 90;

    EventFixture() {
        server::SqliteOptions o;
        o.file = dir.path() / "k.sqlite3";
        store = server::SqliteStore::open(o);
        for (const char* name : {"alice", "bob", "carol"}) {
            store->add_user(name, std::string(name) + "@example.com", "$y$x");
            store->provision_home(user(name).id);
        }
    }

    PrincipalRecord user(const std::string& name) { return *store->find_principal(name); }
    Actor actor(const std::string& name) { return Actor{*store, limits, user(name)}; }
    CollectionRecord calendar_of(const std::string& name) {
        return *store->find_collection(user(name).id, "calendar");
    }

    std::vector<ObjectRecord> inbox_of(const std::string& name) {
        auto inbox = store->find_collection(user(name).id, "inbox");
        return store->list_objects(inbox->id, true);
    }
    std::vector<ObjectRecord> events_of(const std::string& name) {
        return store->list_objects(calendar_of(name).id, true);
    }

    static ical::EventSpec spec(std::string title, std::string_view start, std::string_view end,
                                std::vector<std::string> attendees = {}) {
        ical::EventSpec s;
        s.title = std::move(title);
        s.start = utc(start);
        s.end = utc(end);
        for (auto& a : attendees) {
            ical::AttendeeSpec who;
            who.email = std::move(a);
            s.attendees.push_back(std::move(who));
        }
        return s;
    }

    /// A daily series of `days` instances.
    static ical::EventSpec daily(std::string title, std::string_view start, std::string_view end,
                                 int days, std::vector<std::string> attendees = {}) {
        auto s = spec(std::move(title), start, end, std::move(attendees));
        s.recurrence.emplace();
        s.recurrence->frequency = "daily";
        s.recurrence->count = days;
        return s;
    }

    CreatedEvent create(const std::string& who, ical::EventSpec s, bool reject = false) {
        auto a = actor(who);
        return create_event(a, calendar_of(who), who, std::move(s), reject, horizon, now);
    }

    EventLocation where(const std::string& who, const std::string& uid) {
        auto a = actor(who);
        auto found = find_event(a, uid);
        BOOST_REQUIRE(found.has_value());
        return *found;
    }

    std::string uid_of(const CreatedEvent& e) { return e.where.object.uid; }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(event_service, EventFixture)

BOOST_AUTO_TEST_CASE(creating_a_meeting_invites_its_attendees_exactly_as_a_put_does) {
    auto created = create("alice", spec("Planning", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z",
                                        {"bob@example.com"}));
    BOOST_TEST(created.outcome.created);
    const auto& uid = created.where.object.uid;
    // A fresh version 4 UUID in lower case names it.
    BOOST_TEST(uid.size() == 36u);
    BOOST_TEST(uid[14] == '4');
    BOOST_TEST(uid == created.where.object.name.substr(0, 36));
    BOOST_TEST(std::none_of(uid.begin(), uid.end(),
                            [](char c) { return std::isupper(static_cast<unsigned char>(c)); }));
    // The stored object is what scheduling made of it (SCHEDULE-STATUS).
    BOOST_TEST(contains(created.where.object.data, "SCHEDULE-STATUS"));
    BOOST_TEST(lines_with(created.where.object.data, "ORGANIZER").size() == 1u);
    BOOST_TEST(contains(lines_with(created.where.object.data, "ORGANIZER").front(),
                        "mailto:alice@example.com"));
    auto copy = store->find_object_by_uid(user("bob").id, uid);
    BOOST_REQUIRE(copy.has_value());
    BOOST_TEST(contains(copy->data, "SUMMARY:Planning"));
    auto inbox = inbox_of("bob");
    BOOST_REQUIRE(inbox.size() == 1u);
    BOOST_TEST(contains(inbox[0].data, "METHOD:REQUEST"));
    // Found again by its UID, with its data.
    auto found = where("alice", uid);
    BOOST_TEST(found.object.etag == created.where.object.etag);
    BOOST_TEST(found.calendar.name == "calendar");
}

BOOST_AUTO_TEST_CASE(conflicts_show_the_callers_own_events_with_titles_and_attendees_only_by_time) {
    create("alice", spec("Dentist", "2027-01-05T10:30:00Z", "2027-01-05T11:30:00Z"));
    create("bob", spec("Secret interview", "2027-01-05T09:30:00Z", "2027-01-05T10:15:00Z"));
    // Free time does not conflict: transparent, or the day after.
    auto free = spec("Holiday note", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z");
    auto transparent = create("bob", free);
    {
        // Mark it transparent through a plain edit of the stored text.
        auto loc = where("bob", uid_of(transparent));
        std::string text(loc.object.text());
        text.insert(text.find("END:VEVENT"), "TRANSP:TRANSPARENT\r\n");
        ObjectPut put;
        put.calendar = loc.calendar;
        put.owner_name = "bob";
        put.name = loc.object.name;
        put.data = text;
        put.current = loc.object;
        auto bob = actor("bob");
        put_calendar_object(bob, put);
    }
    create("bob", spec("Tomorrow", "2027-01-06T10:00:00Z", "2027-01-06T11:00:00Z"));

    auto created = create("alice", spec("Planning", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z",
                                        {"bob@example.com", "someone@elsewhere.example"}));
    BOOST_REQUIRE(created.conflicts.size() == 2u);
    const auto& bobs = created.conflicts[0];
    BOOST_TEST(bobs.who == "bob@example.com");
    BOOST_TEST(bobs.start == utc("2027-01-05T09:30:00Z"));
    BOOST_TEST(bobs.end == utc("2027-01-05T10:15:00Z"));
    BOOST_TEST(bobs.title.empty());
    BOOST_TEST(bobs.calendar_id.empty());
    const auto& own = created.conflicts[1];
    BOOST_TEST(own.who == "alice@example.com");
    BOOST_TEST(own.title == "Dentist");
    BOOST_TEST(own.calendar_id == "calendar");
    BOOST_TEST(!own.event_id.empty());
    // The event itself is never its own conflict (bob's copy included).
    auto a = actor("alice");
    auto again =
        find_conflicts(a, created.where.object.data, {"bob@example.com"}, horizon, 50, now);
    BOOST_TEST(again.size() == 2u);
    for (const auto& c : again) BOOST_TEST(c.event_id != uid_of(created));
}

BOOST_AUTO_TEST_CASE(a_create_answers_with_what_it_stored_without_reading_it_back) {
    // A meeting's copy gets SCHEDULE-STATUS from scheduling; a lone event is stored as built.
    const std::vector<std::vector<std::string>> invitees{{"bob@example.com", "dora@elsewhere.example"}, {}};
    for (const auto& attendees : invitees) {
        auto created = create("alice", spec("Review", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", attendees));
        auto stored = where("alice", uid_of(created));
        BOOST_TEST(created.where.object.data == stored.object.data);
        BOOST_TEST(created.where.object.etag == stored.object.etag);
        BOOST_TEST(created.where.object.schedule_tag == stored.object.schedule_tag);
        BOOST_TEST(created.where.object.name == stored.object.name);
        BOOST_TEST(created.where.object.size == stored.object.size);
        BOOST_TEST((created.where.object.data.find("SCHEDULE-STATUS") != std::string::npos) == !attendees.empty());
        // The parse handed back is of exactly that text.
        BOOST_REQUIRE(created.parsed);
        char* text = icalcomponent_as_ical_string_r(created.parsed.get());
        BOOST_TEST(std::string(text) == stored.object.data);
        std::free(text);
    }
}

BOOST_AUTO_TEST_CASE(a_create_checked_beside_its_write_reports_the_conflicts_a_check_before_it_would) {
    create("alice", spec("Dentist", "2027-01-05T10:30:00Z", "2027-01-05T11:30:00Z"));
    create("bob", spec("Interview", "2027-01-05T09:30:00Z", "2027-01-05T10:15:00Z"));
    test_support::ThreadAlongside threads;
    auto a = actor("alice");
    a.alongside = &threads;
    auto created = create_event(a, calendar_of("alice"), "alice",
                                spec("Planning", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z",
                                     {"bob@example.com"}),
                                false, horizon, now);
    BOOST_TEST(threads.started() == 1);
    BOOST_REQUIRE(created.conflicts.size() == 2u);
    BOOST_TEST(created.conflicts[0].who == "bob@example.com");
    BOOST_TEST(created.conflicts[0].title.empty());
    BOOST_TEST(created.conflicts[1].title == "Dentist");
    // The same as a check made now, before or after the write: the event's own copies never count.
    auto again = find_conflicts(a, created.where.object.data, {"bob@example.com"}, horizon, 50, now);
    BOOST_REQUIRE(again.size() == 2u);
    for (std::size_t i = 0; i < again.size(); ++i) {
        BOOST_TEST(again[i].event_id == created.conflicts[i].event_id);
        BOOST_TEST(again[i].start == created.conflicts[i].start);
    }
    // A conflict that refuses the event is checked before anything is written, on the caller's thread.
    BOOST_CHECK_THROW(create_event(a, calendar_of("alice"), "alice",
                                   spec("Review", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z"), true,
                                   horizon, now),
                      Error);
    BOOST_TEST(threads.started() == 1);
    BOOST_TEST(events_of("alice").size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_series_conflicts_where_any_instance_overlaps_within_the_horizon) {
    create("alice", spec("Offsite", "2027-01-07T09:00:00Z", "2027-01-07T17:00:00Z"));
    create("alice", spec("Far away", "2027-06-07T10:00:00Z", "2027-06-07T11:00:00Z"));
    auto created =
        create("alice", daily("Standup", "2027-01-04T10:00:00Z", "2027-01-04T10:15:00Z", 300));
    BOOST_REQUIRE(created.conflicts.size() == 1u);
    BOOST_TEST(created.conflicts[0].title == "Offsite");
    auto a = actor("alice");
    BOOST_TEST(find_conflicts(a, created.where.object.data, {}, horizon, 0, now).empty());
}

BOOST_AUTO_TEST_CASE(rejecting_conflicts_answers_409_and_writes_nothing) {
    create("alice", spec("Dentist", "2027-01-05T10:30:00Z", "2027-01-05T11:30:00Z"));
    BOOST_CHECK_EXCEPTION(create("alice",
                                 spec("Planning", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z",
                                      {"bob@example.com"}),
                                 true),
                          Error, [](const Error& e) { return e.status() == 409; });
    BOOST_TEST(events_of("alice").size() == 1u);
    BOOST_TEST(events_of("bob").empty());
    BOOST_TEST(inbox_of("bob").empty());
    // Without a conflict, rejecting them creates as usual.
    auto ok = create("alice", spec("Later", "2027-01-05T12:00:00Z", "2027-01-05T13:00:00Z"), true);
    BOOST_TEST(ok.conflicts.empty());
    BOOST_TEST(events_of("alice").size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_description_that_cannot_be_an_event_names_its_field) {
    auto bad = spec("Backwards", "2027-01-05T11:00:00Z", "2027-01-05T10:00:00Z");
    try {
        create("alice", bad);
        BOOST_FAIL("no error");
    } catch (const EventFieldError& e) {
        BOOST_TEST(e.status() == 422);
        BOOST_TEST(!e.field().empty());
    }
    BOOST_TEST(events_of("alice").empty());
}

BOOST_AUTO_TEST_CASE(changing_all_of_a_series_updates_the_attendees_copies) {
    auto created = create("alice", daily("Standup", "2027-01-04T10:00:00Z", "2027-01-04T10:15:00Z",
                                         5, {"bob@example.com"}));
    ical::EventPatch patch;
    patch.title = "Daily sync";
    auto a = actor("alice");
    auto edited = update_event(a, where("alice", uid_of(created)), patch, EditScope::all,
                               std::nullopt, std::nullopt, false, horizon, now);
    BOOST_TEST(edited.event_id == uid_of(created));
    BOOST_TEST(!edited.exception_id.has_value());
    BOOST_TEST(contains(where("alice", uid_of(created)).object.data, "SUMMARY:Daily sync"));
    auto copy = store->find_object_by_uid(user("bob").id, uid_of(created));
    BOOST_REQUIRE(copy.has_value());
    BOOST_TEST(contains(copy->data, "SUMMARY:Daily sync"));
    BOOST_TEST(inbox_of("bob").size() == 2u);
}

BOOST_AUTO_TEST_CASE(changing_one_instance_writes_an_override_for_everyone) {
    auto created = create("alice", daily("Standup", "2027-01-04T10:00:00Z", "2027-01-04T10:15:00Z",
                                         5, {"bob@example.com"}));
    ical::EventPatch patch;
    patch.title = "Standup with demo";
    patch.start = utc("2027-01-06T14:00:00Z");
    patch.end = utc("2027-01-06T14:30:00Z");
    auto a = actor("alice");
    auto edited = update_event(a, where("alice", uid_of(created)), patch, EditScope::this_instance,
                               utc("2027-01-06T10:00:00Z"), std::nullopt, false, horizon, now);
    BOOST_REQUIRE(edited.exception_id.has_value());
    BOOST_TEST(*edited.exception_id == uid_of(created) + "_20270106T100000Z");
    auto mine = where("alice", uid_of(created)).object.data;
    BOOST_TEST(lines_with(mine, "RECURRENCE-ID").size() == 1u);
    BOOST_TEST(contains(mine, "SUMMARY:Standup with demo"));
    auto copy = store->find_object_by_uid(user("bob").id, uid_of(created));
    BOOST_REQUIRE(copy.has_value());
    BOOST_TEST(lines_with(copy->data, "RECURRENCE-ID").size() == 1u);
    BOOST_TEST(contains(copy->data, "SUMMARY:Standup with demo"));
}

BOOST_AUTO_TEST_CASE(changing_all_future_instances_writes_both_series_in_one_action) {
    auto created = create("alice", daily("Standup", "2027-01-04T10:00:00Z", "2027-01-04T10:15:00Z",
                                         5, {"bob@example.com"}));
    ical::EventPatch patch;
    patch.title = "New standup";
    auto a = actor("alice");
    auto edited = update_event(a, where("alice", uid_of(created)), patch, EditScope::all_future,
                               utc("2027-01-06T10:00:00Z"), std::nullopt, false, horizon, now);
    BOOST_REQUIRE(edited.new_event_id.has_value());
    BOOST_TEST(*edited.new_event_id != uid_of(created));
    auto old = where("alice", uid_of(created)).object.data;
    BOOST_TEST(contains(old, "UNTIL="));
    BOOST_TEST(contains(old, "SUMMARY:Standup"));
    auto next = where("alice", *edited.new_event_id).object.data;
    BOOST_TEST(contains(next, "SUMMARY:New standup"));
    BOOST_TEST(events_of("alice").size() == 2u);
    // Bob got both: the shortened series and the new one.
    auto bobs_old = store->find_object_by_uid(user("bob").id, uid_of(created));
    auto bobs_new = store->find_object_by_uid(user("bob").id, *edited.new_event_id);
    BOOST_REQUIRE(bobs_old.has_value());
    BOOST_REQUIRE(bobs_new.has_value());
    BOOST_TEST(contains(bobs_old->data, "UNTIL="));
    BOOST_TEST(contains(bobs_new->data, "SUMMARY:New standup"));
    BOOST_TEST(inbox_of("bob").size() == 3u);
    // The listing shows two days of the old series and three of the new.
    auto listed = list_events(a, utc("2027-01-04T00:00:00Z"), utc("2027-01-11T00:00:00Z"));
    BOOST_REQUIRE(listed.size() == 5u);
    BOOST_TEST(listed[1].view->title == "Standup");
    BOOST_TEST(listed[2].view->title == "New standup");
    BOOST_TEST(listed[2].event_id == *edited.new_event_id);
}

BOOST_AUTO_TEST_CASE(all_future_from_the_first_instance_changes_the_whole_series) {
    auto created =
        create("alice", daily("Standup", "2027-01-04T10:00:00Z", "2027-01-04T10:15:00Z", 5));
    ical::EventPatch patch;
    patch.title = "Renamed";
    auto a = actor("alice");
    auto edited = update_event(a, where("alice", uid_of(created)), patch, EditScope::all_future,
                               utc("2027-01-04T10:00:00Z"), std::nullopt, false, horizon, now);
    BOOST_TEST(!edited.new_event_id.has_value());
    BOOST_TEST(events_of("alice").size() == 1u);
    BOOST_TEST(contains(where("alice", uid_of(created)).object.data, "SUMMARY:Renamed"));
}

BOOST_AUTO_TEST_CASE(several_puts_commit_together_or_not_at_all) {
    auto created = create("alice", spec("Planning", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z",
                                        {"bob@example.com"}));
    auto taken = create("alice", spec("Taken", "2027-01-08T10:00:00Z", "2027-01-08T11:00:00Z"));
    auto loc = where("alice", uid_of(created));
    std::string text(loc.object.text());
    auto renamed = text;
    renamed.replace(renamed.find("SUMMARY:Planning"), 16, "SUMMARY:Renamed!");
    ObjectPut first;
    first.calendar = loc.calendar;
    first.owner_name = "alice";
    first.name = loc.object.name;
    first.data = renamed;
    first.conditions.if_match = loc.object.etag;
    first.current = loc.object;
    // The second holds a UID the calendar already has under another name.
    ObjectPut second;
    second.calendar = loc.calendar;
    second.owner_name = "alice";
    second.name = "other.ics";
    second.data = std::string(where("alice", uid_of(taken)).object.text());
    second.conditions.if_none_match = true;
    auto a = actor("alice");
    BOOST_CHECK_EXCEPTION(put_calendar_objects(a, {first, second}), Error, [](const Error& e) {
        return e.status() == 403 && e.precondition() == Precondition::no_uid_conflict;
    });
    // Nothing of the first was written, nor sent.
    BOOST_TEST(where("alice", uid_of(created)).object.etag == loc.object.etag);
    BOOST_TEST(inbox_of("bob").size() == 1u);
    BOOST_TEST(
        !contains(store->find_object_by_uid(user("bob").id, uid_of(created))->data, "Renamed!"));
    // Alone, the first goes through, with its update to bob.
    auto outcomes = put_calendar_objects(a, {first});
    BOOST_REQUIRE(outcomes.size() == 1u);
    BOOST_TEST(!outcomes[0].created);
    BOOST_TEST(
        contains(store->find_object_by_uid(user("bob").id, uid_of(created))->data, "Renamed!"));
    BOOST_TEST(inbox_of("bob").size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_stale_if_match_answers_412_and_changes_nothing) {
    auto created =
        create("alice", spec("Planning", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z"));
    auto before = where("alice", uid_of(created)).object;
    ical::EventPatch patch;
    patch.title = "Changed";
    auto a = actor("alice");
    BOOST_CHECK_EXCEPTION(update_event(a, where("alice", uid_of(created)), patch, EditScope::all,
                                       std::nullopt, std::string("stale"), false, horizon, now),
                          Error, [](const Error& e) { return e.status() == 412; });
    BOOST_CHECK_EXCEPTION(delete_event(a, where("alice", uid_of(created)), EditScope::all,
                                       std::nullopt, std::string("stale"), now),
                          Error, [](const Error& e) { return e.status() == 412; });
    BOOST_TEST(where("alice", uid_of(created)).object.etag == before.etag);
    // The current ETag is accepted.
    update_event(a, where("alice", uid_of(created)), patch, EditScope::all, std::nullopt,
                 before.etag, false, horizon, now);
    BOOST_TEST(contains(where("alice", uid_of(created)).object.data, "SUMMARY:Changed"));
}

BOOST_AUTO_TEST_CASE(an_attendee_cannot_change_the_meeting_and_is_told_to_answer_it) {
    auto created = create("alice", spec("Planning", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z",
                                        {"bob@example.com"}));
    auto before = *store->find_object_by_uid(user("bob").id, uid_of(created));
    ical::EventPatch patch;
    patch.title = "Bob's meeting now";
    auto b = actor("bob");
    try {
        update_event(b, where("bob", uid_of(created)), patch, EditScope::all, std::nullopt,
                     std::nullopt, false, horizon, now);
        BOOST_FAIL("no error");
    } catch (const Error& e) {
        BOOST_TEST(e.status() == 403);
        BOOST_TEST(contains(e.description(), "rsvp"));
    }
    BOOST_TEST(store->find_object_by_uid(user("bob").id, uid_of(created))->etag == before.etag);
}

BOOST_AUTO_TEST_CASE(deleting_by_scope_excludes_ends_or_removes_the_series) {
    auto created = create("alice", daily("Standup", "2027-01-04T10:00:00Z", "2027-01-04T10:15:00Z",
                                         5, {"bob@example.com"}));
    auto uid = uid_of(created);
    auto a = actor("alice");
    auto week = [&] {
        return list_events(a, utc("2027-01-04T00:00:00Z"), utc("2027-01-11T00:00:00Z")).size();
    };
    delete_event(a, where("alice", uid), EditScope::this_instance, utc("2027-01-05T10:00:00Z"),
                 std::nullopt, now);
    BOOST_TEST(contains(where("alice", uid).object.data, "EXDATE"));
    BOOST_TEST(week() == 4u);
    delete_event(a, where("alice", uid), EditScope::all_future, utc("2027-01-07T10:00:00Z"),
                 std::nullopt, now);
    BOOST_TEST(contains(where("alice", uid).object.data, "UNTIL="));
    BOOST_TEST(week() == 2u);
    auto copy = store->find_object_by_uid(user("bob").id, uid);
    BOOST_REQUIRE(copy.has_value());
    BOOST_TEST(contains(copy->data, "UNTIL="));
    // From the first instance on: all of it, cancelled for the attendee.
    delete_event(a, where("alice", uid), EditScope::all_future, utc("2027-01-04T10:00:00Z"),
                 std::nullopt, now);
    BOOST_TEST(!find_event(a, uid).has_value());
    copy = store->find_object_by_uid(user("bob").id, uid);
    BOOST_REQUIRE(copy.has_value());
    BOOST_TEST(contains(copy->data, "STATUS:CANCELLED"));
}

BOOST_AUTO_TEST_CASE(an_attendee_deleting_one_instance_declines_it_for_the_organizer) {
    auto created = create("alice", daily("Standup", "2027-01-04T10:00:00Z", "2027-01-04T10:15:00Z",
                                         5, {"bob@example.com"}));
    auto b = actor("bob");
    delete_event(b, where("bob", uid_of(created)), EditScope::this_instance,
                 utc("2027-01-06T10:00:00Z"), std::nullopt, now);
    auto a = actor("alice");
    auto listed = list_events(a, utc("2027-01-04T00:00:00Z"), utc("2027-01-11T00:00:00Z"));
    BOOST_REQUIRE(listed.size() == 5u);
    for (const auto& li : listed)
        for (const auto& at : li.view->attendees)
            if (at.email == "bob@example.com")
                BOOST_TEST(at.partstat ==
                           (li.start == utc("2027-01-06T10:00:00Z") ? "DECLINED" : "NEEDS-ACTION"));
    BOOST_TEST(inbox_of("alice").size() == 1u);
    // Ending the series is the organizer's.
    BOOST_CHECK_EXCEPTION(delete_event(b, where("bob", uid_of(created)), EditScope::all_future,
                                       utc("2027-01-07T10:00:00Z"), std::nullopt, now),
                          Error, [](const Error& e) { return e.status() == 403; });
}

BOOST_AUTO_TEST_CASE(deleting_all_cancels_for_the_attendees) {
    auto created = create("alice", spec("Planning", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z",
                                        {"bob@example.com"}));
    auto a = actor("alice");
    delete_event(a, where("alice", uid_of(created)), EditScope::all, std::nullopt, std::nullopt,
                 now);
    BOOST_TEST(events_of("alice").empty());
    BOOST_TEST(contains(store->find_object_by_uid(user("bob").id, uid_of(created))->data,
                        "STATUS:CANCELLED"));
    BOOST_TEST(inbox_of("bob").size() == 2u);
}

BOOST_AUTO_TEST_CASE(answering_the_whole_event_reaches_the_organizers_copy_with_the_comment) {
    auto created = create("alice", spec("Planning", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z",
                                        {"bob@example.com"}));
    auto b = actor("bob");
    auto who = rsvp_event(b, where("bob", uid_of(created)), "ACCEPTED", std::nullopt,
                          "Happy to, see you there", now);
    BOOST_TEST(who == "bob@example.com");
    auto organizers = where("alice", uid_of(created)).object.data;
    auto bob_lines = lines_with(organizers, "ATTENDEE");
    bool accepted = false;
    for (const auto& l : bob_lines)
        if (contains(l, "bob@example.com")) accepted = contains(l, "PARTSTAT=ACCEPTED");
    BOOST_TEST(accepted);
    auto replies = inbox_of("alice");
    BOOST_REQUIRE(replies.size() == 1u);
    BOOST_TEST(contains(replies[0].data, "METHOD:REPLY"));
    BOOST_TEST(contains(unfolded(replies[0].data), "COMMENT:Happy to\\, see you there"));
    // The organizer's listing shows it; bob's shows his answer.
    auto a = actor("alice");
    auto listed = list_events(a, utc("2027-01-05T00:00:00Z"), utc("2027-01-06T00:00:00Z"));
    BOOST_REQUIRE(listed.size() == 1u);
    BOOST_TEST(listed[0].my_status == "organizer");
    auto bobs = list_events(b, utc("2027-01-05T00:00:00Z"), utc("2027-01-06T00:00:00Z"));
    BOOST_REQUIRE(bobs.size() == 1u);
    BOOST_TEST(bobs[0].my_status == "accepted");
    // Only an answer is an answer.
    BOOST_CHECK_EXCEPTION(
        rsvp_event(b, where("bob", uid_of(created)), "MAYBE", std::nullopt, "", now),
        EventFieldError, [](const EventFieldError& e) { return e.field() == "response"; });
}

BOOST_AUTO_TEST_CASE(answering_one_instance_changes_only_that_instance_for_the_organizer) {
    auto created = create("alice", daily("Standup", "2027-01-04T10:00:00Z", "2027-01-04T10:15:00Z",
                                         5, {"bob@example.com"}));
    auto b = actor("bob");
    rsvp_event(b, where("bob", uid_of(created)), "DECLINED", utc("2027-01-06T10:00:00Z"), "", now);
    auto organizers = where("alice", uid_of(created)).object.data;
    BOOST_TEST(lines_with(organizers, "RECURRENCE-ID").size() == 1u);
    auto a = actor("alice");
    auto listed = list_events(a, utc("2027-01-04T00:00:00Z"), utc("2027-01-11T00:00:00Z"));
    BOOST_REQUIRE(listed.size() == 5u);
    for (const auto& li : listed) {
        std::string bobs;
        for (const auto& at : li.view->attendees)
            if (at.email == "bob@example.com") bobs = at.partstat;
        BOOST_TEST(bobs == (li.start == utc("2027-01-06T10:00:00Z") ? "DECLINED" : "NEEDS-ACTION"));
    }
    // Bob's week: that day declined, the others pending.
    auto bobs = list_events(b, utc("2027-01-04T00:00:00Z"), utc("2027-01-11T00:00:00Z"));
    BOOST_REQUIRE(bobs.size() == 5u);
    BOOST_TEST(bobs[2].my_status == "declined");
    BOOST_TEST(bobs[1].my_status == "pending");
}

BOOST_AUTO_TEST_CASE(a_week_listing_expands_series_shows_overrides_and_flags_overlaps) {
    auto series = create("alice", daily("Standup", "2027-01-04T10:00:00Z", "2027-01-04T10:30:00Z",
                                        10, {"bob@example.com"}));
    ical::EventPatch moved;
    moved.title = "Standup (moved)";
    moved.start = utc("2027-01-06T14:00:00Z");
    moved.end = utc("2027-01-06T14:30:00Z");
    auto a = actor("alice");
    update_event(a, where("alice", uid_of(series)), moved, EditScope::this_instance,
                 utc("2027-01-06T10:00:00Z"), std::nullopt, false, horizon, now);
    auto lunch = create("alice", spec("Lunch", "2027-01-06T14:15:00Z", "2027-01-06T15:00:00Z"));
    create("alice", spec("Next week", "2027-01-12T09:00:00Z", "2027-01-12T10:00:00Z"));

    auto listed = list_events(a, utc("2027-01-04T00:00:00Z"), utc("2027-01-11T00:00:00Z"));
    BOOST_REQUIRE(listed.size() == 8u);  // seven standups and the lunch
    for (std::size_t i = 1; i < listed.size(); ++i)
        BOOST_TEST(listed[i - 1].start <= listed[i].start);
    const auto& wednesday = listed[2];
    BOOST_TEST(wednesday.view->title == "Standup (moved)");
    BOOST_TEST(wednesday.start == utc("2027-01-06T14:00:00Z"));
    BOOST_REQUIRE(wednesday.instance_date.has_value());
    BOOST_TEST(*wednesday.instance_date == utc("2027-01-06T10:00:00Z"));
    BOOST_TEST(wednesday.is_recurring);
    BOOST_TEST(wednesday.my_status == "organizer");
    BOOST_TEST(wednesday.conflicts);
    BOOST_TEST(listed[3].event_id == uid_of(lunch));
    BOOST_TEST(!listed[3].is_recurring);
    BOOST_TEST(!listed[3].instance_date.has_value());
    BOOST_TEST(listed[3].my_status == "");
    BOOST_TEST(listed[3].conflicts);
    BOOST_TEST(!listed[0].conflicts);
    BOOST_TEST(*listed[0].instance_date == utc("2027-01-04T10:00:00Z"));
    BOOST_TEST(listed[0].view->title == "Standup");
    BOOST_TEST(listed[0].start == *listed[0].instance_date);  // an instance not moved starts at its RECURRENCE-ID
    // Bob sees the same series, as an attendee who has not answered.
    auto b = actor("bob");
    auto bobs = list_events(b, utc("2027-01-04T00:00:00Z"), utc("2027-01-11T00:00:00Z"));
    BOOST_REQUIRE(bobs.size() == 7u);
    BOOST_TEST(bobs[0].my_status == "pending");
    BOOST_TEST(!bobs[2].conflicts);
}

BOOST_AUTO_TEST_CASE(a_listing_past_the_instance_limit_answers_422) {
    create("alice", daily("Standup", "2027-01-04T10:00:00Z", "2027-01-04T10:30:00Z", 10));
    limits.max_instances = 4;
    auto a = actor("alice");
    BOOST_CHECK_EXCEPTION(list_events(a, utc("2027-01-04T00:00:00Z"), utc("2027-01-11T00:00:00Z")),
                          Error, [](const Error& e) { return e.status() == 422; });
    BOOST_TEST(list_events(a, utc("2027-01-04T00:00:00Z"), utc("2027-01-06T00:00:00Z")).size() ==
               2u);
    BOOST_CHECK_EXCEPTION(
        list_events(a, utc("2027-01-04T00:00:00Z"), utc("2027-01-06T00:00:00Z"), {"nope"}), Error,
        [](const Error& e) { return e.status() == 404; });
}

BOOST_AUTO_TEST_CASE(pages_read_with_cursors_give_the_whole_listing_with_its_totals_order_and_conflicts) {
    // Equal starts: three events and a series' instance at 10:00 on Tuesday
    // (all overlapping), so a page boundary falls among equal starts.
    auto series = create("alice", daily("Standup", "2027-01-04T10:00:00Z", "2027-01-04T10:30:00Z", 5));
    for (const char* title : {"Review", "Interview", "Call"})
        create("alice", spec(title, "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z"));
    create("alice", spec("Late", "2027-01-08T16:00:00Z", "2027-01-08T17:00:00Z"));
    // Floating events: their index rows are widened by 14 hours, so the one
    // on the next Monday morning is a candidate the exact test leaves out.
    auto a = actor("alice");
    auto floating = [&](const std::string& uid, const std::string& start, const std::string& end) {
        ObjectPut put;
        put.calendar = calendar_of("alice");
        put.owner_name = "alice";
        put.name = uid + ".ics";
        put.data = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
                   "\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:" + start + "\r\nDTEND:" + end +
                   "\r\nSUMMARY:Floating\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        put.conditions.if_none_match = true;
        put_calendar_object(a, put);
    };
    floating("floating-in", "20270105T100000", "20270105T103000");
    floating("floating-out", "20270111T060000", "20270111T070000");
    const auto start = utc("2027-01-04T00:00:00Z"), end = utc("2027-01-11T00:00:00Z");
    auto whole = list_events(a, start, end);
    BOOST_REQUIRE(whole.size() == 10u);  // 5 standups, 3 on Tuesday, the late one, the floating one inside
    for (std::size_t i = 1; i < whole.size(); ++i)
        BOOST_TEST((std::tie(whole[i - 1].start, whole[i - 1].event_id) < std::tie(whole[i].start, whole[i].event_id)));
    const auto tuesday = utc("2027-01-05T10:00:00Z");
    BOOST_TEST(std::count_if(whole.begin(), whole.end(), [&](const auto& i) { return i.start == tuesday; }) == 5);
    for (const auto& i : whole) {
        BOOST_TEST(i.event_id != "floating-out");
        BOOST_TEST(i.conflicts == (i.start == tuesday), i.event_id << " at " << i.start);
    }

    // Every page size: the pages together are the whole listing, each with
    // its total, none repeated or left out, conflicts as in the whole.
    for (std::size_t limit = 1; limit <= whole.size() + 1; ++limit) {
        std::vector<ListedInstance> read;
        std::optional<ListCursor> after;
        for (int pages = 0; pages < 20; ++pages) {
            auto page = list_events_page(a, start, end, {}, after, limit);
            BOOST_TEST(page.total == whole.size());
            BOOST_TEST(page.instances.size() <= limit);
            read.insert(read.end(), page.instances.begin(), page.instances.end());
            if (!page.more) break;
            BOOST_REQUIRE(!page.instances.empty());
            after = ListCursor{page.instances.back().start, page.instances.back().event_id};
        }
        BOOST_TEST_REQUIRE(read.size() == whole.size(), "limit " << limit);
        for (std::size_t i = 0; i < whole.size(); ++i) {
            BOOST_TEST(read[i].event_id == whole[i].event_id, "limit " << limit << " at " << i);
            BOOST_TEST(read[i].start == whole[i].start);
            BOOST_TEST((read[i].instance_date == whole[i].instance_date));
            BOOST_TEST(read[i].conflicts == whole[i].conflicts);
            BOOST_TEST(read[i].etag == whole[i].etag);
            BOOST_TEST(read[i].my_status == whole[i].my_status);
            BOOST_TEST(read[i].view->title == whole[i].view->title);
        }
    }
    // A cursor past the last occurrence: an empty last page, still with the total.
    auto past = list_events_page(a, start, end, {}, ListCursor{end, ""}, 3);
    BOOST_TEST(past.instances.empty());
    BOOST_TEST(!past.more);
    BOOST_TEST(past.total == whole.size());
    BOOST_TEST(uid_of(series) == whole.front().event_id);
}

BOOST_AUTO_TEST_CASE(instance_ids_and_api_statuses_read_as_the_api_documents) {
    BOOST_TEST(instance_id("abc", utc("2024-01-15T10:00:00Z")) == "abc_20240115T100000Z");
    BOOST_TEST(api_status("NEEDS-ACTION") == "pending");
    BOOST_TEST(api_status("ACCEPTED") == "accepted");
    BOOST_TEST(api_status("DECLINED") == "declined");
    BOOST_TEST(api_status("TENTATIVE") == "tentative");
    BOOST_TEST(api_status("DELEGATED") == "delegated");
}

BOOST_AUTO_TEST_SUITE_END()
