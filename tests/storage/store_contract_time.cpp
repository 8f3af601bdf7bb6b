// Contract cases (store_contract.hpp) for the time index: range queries,
// free/busy, UIDs across calendars, room bookings (RFC 4791 §7.8-7.10, RFC 6638).
#include "tests/storage/store_contract_cases.hpp"

namespace contract {

namespace {

// -------------------------------------------- time range (RFC 4791 §9.9)

// Candidates for a time-range query: every object with an instance in the
// range must be among them (the caller checks exactly after, but cannot
// find what the store leaves out).
void a_range_query_never_misses_an_overlapping_object(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    const auto from = day0 + 10 * hour, to = day0 + 11 * hour;
    put_event(f, cal.id, "before.ics", "before", day0 + 8 * hour, day0 + 9 * hour);
    put_event(f, cal.id, "over-start.ics", "over-start", day0 + 9 * hour + 1800,
              day0 + 10 * hour + 1800);
    put_event(f, cal.id, "inside.ics", "inside", day0 + 10 * hour + 900, day0 + 10 * hour + 2700);
    put_event(f, cal.id, "over-end.ics", "over-end", day0 + 10 * hour + 1800,
              day0 + 11 * hour + 1800);
    put_event(f, cal.id, "covering.ics", "covering", day0 - 48 * hour, day0 + 48 * hour);
    put_event(f, cal.id, "after.ics", "after", day0 + 12 * hour, day0 + 13 * hour);
    put(f, calendar_object(cal.id, "daily.ics",
                           event_lines("daily",
                                       "DTSTART:20250101T103000Z\r\nDTEND:20250101T104500Z\r\n"
                                       "RRULE:FREQ=DAILY\r\n")));
    put(f, calendar_object(
               cal.id, "floating.ics",
               event_lines("floating", "DTSTART:20250310T101500\r\nDTEND:20250310T103000\r\n")));
    put(f, calendar_object(
               cal.id, "all-day.ics",
               event_lines("all-day",
                           "DTSTART;VALUE=DATE:20250310\r\nDTEND;VALUE=DATE:20250311\r\n")));
    put(f,
        calendar_object(
            cal.id, "todo.ics",
            vcalendar("BEGIN:VTODO\r\nUID:todo\r\nDTSTAMP:20250101T000000Z\r\nSUMMARY:undated\r\n"
                      "END:VTODO\r\n")));
    auto got = names_in_range(f, cal.id, from, to);
    for (auto name : {"over-start.ics", "inside.ics", "over-end.ics", "covering.ics", "daily.ics",
                      "floating.ics", "all-day.ics", "todo.ics"})
        BOOST_TEST(got.count(name) == 1u, name << " overlaps the range");
    // Far past the time index's horizon, the endless rule is still found.
    auto far = names_in_range(f, cal.id, utc(2100, 6, 1, 10, 35), utc(2100, 6, 1, 10, 40));
    BOOST_TEST(far.count("daily.ics") == 1u);
    BOOST_TEST(far.count("todo.ics") == 1u);
    // Open ends: everything.
    BOOST_TEST(names_in_range(f, cal.id, std::nullopt, std::nullopt).size() == 10u);
    BOOST_TEST(names_in_range(f, cal.id, from, std::nullopt).count("after.ics") == 1u);
    BOOST_TEST(names_in_range(f, cal.id, std::nullopt, to).count("before.ics") == 1u);
    // The data comes with the candidates when asked for.
    std::size_t visited = 0;
    f.store().visit_objects_in_range(cal.id, from, to, true, [&](caldav::ObjectRecord& o) {
        ++visited;
        BOOST_TEST(o.text().find("UID:" + o.uid) != std::string_view::npos);
    });
    BOOST_TEST(visited == got.size());
}

void a_range_query_follows_moves_and_deletes(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    put_event(f, cal.id, "a.ics", "a", day0 + 9 * hour, day0 + 10 * hour);
    BOOST_TEST(names_in_range(f, cal.id, day0 + 9 * hour, day0 + 10 * hour).count("a.ics") == 1u);
    put_event(f, cal.id, "a.ics", "a", day0 + 30 * hour, day0 + 31 * hour);  // moved a day on
    BOOST_TEST(names_in_range(f, cal.id, day0 + 30 * hour, day0 + 31 * hour).count("a.ics") == 1u);
    BOOST_TEST((f.store().delete_object(cal.id, "a.ics", std::nullopt) == StoreStatus::ok));
    BOOST_TEST(names_in_range(f, cal.id, std::nullopt, std::nullopt).empty());
}

/// Whether busy_in_range accounts for the busy instance [start, end): as an
/// indexed row or as an object handed back to be parsed.
bool accounts_for(const caldav::Store::IndexedBusy& busy, const std::string& uid,
                  std::int64_t start, std::int64_t end) {
    for (const auto& row : busy.rows)
        if (row.start == start && row.end == end && row.busy && *row.busy > 0) return true;
    for (const auto& o : busy.others)
        if (o.uid == uid) return true;
    return false;
}

void busy_in_range_accounts_for_every_busy_instance(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    const auto from = day0 + 9 * hour, to = day0 + 12 * hour;
    put_event(f, cal.id, "busy.ics", "busy", day0 + 10 * hour, day0 + 11 * hour);
    put_event(f, cal.id, "tentative.ics", "tentative", day0 + 11 * hour, day0 + 11 * hour + 1800,
              "STATUS:TENTATIVE\r\n");
    put_event(f, cal.id, "free.ics", "free", day0 + 9 * hour, day0 + 9 * hour + 1800,
              "TRANSP:TRANSPARENT\r\n");
    put_event(f, cal.id, "later.ics", "later", day0 + 14 * hour, day0 + 15 * hour);
    put(f, calendar_object(
               cal.id, "floating.ics",
               event_lines("floating", "DTSTART:20250310T093000\r\nDTEND:20250310T094500\r\n")));
    auto busy = f.store().busy_in_range(cal.id, from, to, false);
    BOOST_TEST(accounts_for(busy, "busy", day0 + 10 * hour, day0 + 11 * hour));
    BOOST_TEST(accounts_for(busy, "tentative", day0 + 11 * hour, day0 + 11 * hour + 1800));
    BOOST_TEST(accounts_for(busy, "floating", day0 + 9 * hour + 1800, day0 + 9 * hour + 2700));
    for (const auto& row : busy.rows) {
        BOOST_TEST((row.busy && *row.busy > 0));         // only busy time
        BOOST_TEST((row.start < to && row.end > from));  // only in the range
        if (row.start == day0 + 11 * hour) BOOST_TEST(row.tentative());
    }
}

void find_object_by_uid_searches_every_calendar_of_the_owner(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    f.store().provision_home(alice);
    auto work = make_collection(f, alice, "work");
    auto inbox = f.store().find_collection(alice, "inbox");
    BOOST_TEST_REQUIRE(inbox.has_value());
    put_event(f, work.id, "w.ics", "uid-work");
    put_event(f, inbox->id, "i.ics", "uid-inbox");  // a scheduling message, not a calendar's object
    auto bobs = make_collection(f, bob, "work");
    put_event(f, bobs.id, "b.ics", "uid-bob");
    auto found = f.store().find_object_by_uid(alice, "uid-work");
    BOOST_TEST_REQUIRE(found.has_value());
    BOOST_TEST(found->name == "w.ics");
    BOOST_TEST(found->collection_id == work.id);
    BOOST_TEST(found->text().find("UID:uid-work") != std::string_view::npos);
    BOOST_TEST(!f.store().find_object_by_uid(alice, "uid-inbox"));
    BOOST_TEST(!f.store().find_object_by_uid(alice, "uid-bob"));
    BOOST_TEST(!f.store().find_object_by_uid(alice, "nothing"));
}

// ------------------------------------------------ bookings (RFC 6638 rooms)

/// A booking of `room`'s calendar from `start` to `end`.
PutObject booking(std::int64_t calendar_id, const std::string& uid, std::int64_t start,
                  std::int64_t end) {
    return calendar_object(calendar_id, uid + ".ics", event(uid, start, end));
}

void a_booking_that_overlaps_another_is_refused_and_an_adjacent_one_is_not(Fixture& f) {
    auto room = f.add_room("room-1", "room-1@example.com");
    auto alice = f.add_user("alice", "alice@example.com");
    BOOST_TEST(f.store().booking_policy(room) == "accept-if-free");
    BOOST_TEST(f.store().booking_policy(alice) == "manual");
    f.store().provision_home(room);
    auto cal = f.store().find_collection(room, "calendar");
    BOOST_TEST_REQUIRE(cal.has_value());
    BOOST_TEST(
        (f.store()
             .book_if_free(booking(cal->id, "first", day0 + 9 * hour, day0 + 10 * hour), room)
             .status == StoreStatus::ok));
    auto overlapping = f.store().book_if_free(
        booking(cal->id, "second", day0 + 9 * hour + 1800, day0 + 11 * hour), room);
    BOOST_TEST((overlapping.status == StoreStatus::conflict));
    BOOST_TEST(!f.store().find_object(cal->id, "second.ics", false));  // refused: nothing stored
    BOOST_TEST(
        (f.store()
             .book_if_free(booking(cal->id, "adjacent", day0 + 10 * hour, day0 + 11 * hour), room)
             .status == StoreStatus::ok));
    // The booking's own earlier version is no conflict: it moves within its slot.
    auto moved = booking(cal->id, "first", day0 + 9 * hour + 900, day0 + 10 * hour);
    BOOST_TEST((f.store().book_if_free(moved, room).status == StoreStatus::ok));
    BOOST_TEST(f.store().list_objects(cal->id, false).size() == 2u);
    // Other calendars of the same owner hold the room too.
    auto second = make_collection(f, room, "second");
    BOOST_TEST(
        (f.store()
             .book_if_free(booking(second.id, "elsewhere", day0 + 9 * hour, day0 + 9 * hour + 1800),
                           room)
             .status == StoreStatus::conflict));
}

void two_concurrent_bookings_of_one_slot_exactly_one_wins(Fixture& f) {
    auto room = f.add_room("room-1", "room-1@example.com");
    f.store().provision_home(room);
    const auto cal = f.store().find_collection(room, "calendar")->id;
    for (int round = 0; round < 20; ++round) {
        const auto start = day0 + round * 24 * hour;
        std::atomic<int> ready{0};
        std::array<StoreStatus, 2> outcome{};
        std::vector<std::thread> pair;
        for (int t = 0; t < 2; ++t)
            pair.emplace_back([&, t] {
                auto o = booking(cal, "r" + std::to_string(round) + "-t" + std::to_string(t),
                                 start + t * 900, start + hour);
                ++ready;
                while (ready.load() < 2) std::this_thread::yield();
                outcome[t] = f.store().book_if_free(o, room).status;
            });
        for (auto& t : pair) t.join();
        const auto won = std::count(outcome.begin(), outcome.end(), StoreStatus::ok);
        const auto lost = std::count(outcome.begin(), outcome.end(), StoreStatus::conflict);
        BOOST_TEST(won == 1, "round " << round);
        BOOST_TEST(lost == 1, "round " << round);
    }
    BOOST_TEST(f.store().list_objects(cal, false).size() == 20u);
}

// --------------------------------------------------------- the time index

void objects_stored_without_index_rows_wait_for_them_and_are_still_found(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto o = calendar_object(cal.id, "a.ics", event("uid-a", day0 + 9 * hour, day0 + 10 * hour));
    auto index = *o.instances;
    o.instances.reset();  // rows to be built later, as after an upgrade
    put(f, o);
    put_event(f, cal.id, "b.ics", "uid-b");
    auto waiting = f.store().objects_without_index(10);
    BOOST_TEST_REQUIRE(waiting.size() == 1u);
    BOOST_TEST(waiting[0].name == "a.ics");
    BOOST_TEST(waiting[0].text() == o.data);  // with data, to index it
    // Until then it is a candidate of every query its bounds allow.
    BOOST_TEST(names_in_range(f, cal.id, day0 + 9 * hour, day0 + 10 * hour).count("a.ics") == 1u);
    BOOST_TEST((f.store().set_instances(waiting[0].id, index) == StoreStatus::ok));
    BOOST_TEST(f.store().objects_without_index(10).empty());
    BOOST_TEST(names_in_range(f, cal.id, day0 + 9 * hour, day0 + 10 * hour).count("a.ics") == 1u);
    BOOST_TEST(accounts_for(f.store().busy_in_range(cal.id, day0, day0 + 24 * hour, false), "uid-a",
                            day0 + 9 * hour, day0 + 10 * hour));
    BOOST_TEST((f.store().set_instances(waiting[0].id + 1000, index) == StoreStatus::not_found));
}

constexpr Case cases[] = {
    {"a_range_query_never_misses_an_overlapping_object",
     a_range_query_never_misses_an_overlapping_object},
    {"a_range_query_follows_moves_and_deletes", a_range_query_follows_moves_and_deletes},
    {"busy_in_range_accounts_for_every_busy_instance",
     busy_in_range_accounts_for_every_busy_instance},
    {"find_object_by_uid_searches_every_calendar_of_the_owner",
     find_object_by_uid_searches_every_calendar_of_the_owner},
    {"a_booking_that_overlaps_another_is_refused_and_an_adjacent_one_is_not",
     a_booking_that_overlaps_another_is_refused_and_an_adjacent_one_is_not},
    {"two_concurrent_bookings_of_one_slot_exactly_one_wins",
     two_concurrent_bookings_of_one_slot_exactly_one_wins},
    {"objects_stored_without_index_rows_wait_for_them_and_are_still_found",
     objects_stored_without_index_rows_wait_for_them_and_are_still_found},
};

}  // namespace

std::span<const Case> time_cases() { return cases; }

}  // namespace contract
