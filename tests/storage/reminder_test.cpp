// Reminders end to end below HTTP (issue 26): events written through the
// object service into a SQLite store, the store's reminder index, and the
// ReminderWorker run on a clock the test moves. Each test asserts the exact
// deliveries: to whom, for which instance, at which instant.
#include "src/jobs/reminder_worker.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "caldav/names.hpp"
#include "caldav/object_service.hpp"
#include "ical/zone_resolver.hpp"
#include "src/util/metrics.hpp"
#include "src/storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

constexpr std::int64_t start = 1741597200;  // 2025-03-10T09:00:00Z
constexpr std::int64_t minute = 60;

/// An event at `at` for an hour with `alarms` (VALARM lines).
std::string event(const std::string& uid, std::int64_t at, const std::string& alarms) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
           "\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:" + ical::format_utc(at) + "\r\nDTEND:" +
           ical::format_utc(at + 3600) + "\r\nSUMMARY:Planning " + uid + "\r\nLOCATION:Room 4\r\n" +
           "URL:https://meet.example.com/" + uid + "\r\n" + alarms + "END:VEVENT\r\nEND:VCALENDAR\r\n";
}

const std::string email_15 = "BEGIN:VALARM\r\nACTION:EMAIL\r\nSUMMARY:s\r\nDESCRIPTION:d\r\n"
                             "ATTENDEE:mailto:stranger@elsewhere.test\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n";
const std::string push_5 = "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:r\r\nX-KALENDS-METHOD:push\r\n"
                           "TRIGGER:-PT5M\r\nEND:VALARM\r\n";
const std::string display_10 = "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:r\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\n";

/// A store with alice's calendar, a worker and a clock the test moves.
struct Fixture {
    test_support::TempDir dir;
    std::int64_t now = start - 86400;
    server::JobClock clock = [this] { return now; };
    caldav::ReminderPolicy policy;
    std::unique_ptr<server::SqliteStore> store;
    std::unique_ptr<server::ReminderWorker> worker;
    caldav::Limits limits;
    caldav::PrincipalRecord alice;
    caldav::CollectionRecord calendar;

    explicit Fixture(bool display_alarms = false) {
        policy.display_alarms = display_alarms;
        open();
        BOOST_TEST_REQUIRE((store->add_user("alice", "alice@example.com", "x") == caldav::StoreStatus::ok));
        alice = *store->find_principal("alice");
        store->provision_home(alice.id);
        calendar = store->list_collections(alice.id).front();
        for (const auto& c : store->list_collections(alice.id))
            if (c.kind == caldav::CollectionKind::calendar) calendar = c;
    }
    /// Opens the store and a worker, as a (re)started server does.
    void open() {
        worker.reset();
        if (store) store->close();
        store.reset();
        server::SqliteOptions o;
        o.file = dir.path() / "r.sqlite3";
        store = server::SqliteStore::open(o);
        store->set_reminder_indexer(server::reminder_indexer(policy, clock));
        worker = std::make_unique<server::ReminderWorker>(
            *store, *store, server::ReminderWorkerConfig{policy, "Kalends <cal@example.com>", "https://cal.example.com"},
            clock);
    }
    void put(const std::string& name, const std::string& ics) { put_in(calendar, name, ics); }
    void put_in(const caldav::CollectionRecord& into, const std::string& name, const std::string& ics) {
        caldav::Actor actor{*store, limits, alice};
        caldav::ObjectPut p;
        p.calendar = into;
        p.owner_name = "alice";
        p.name = name;
        p.data = ics;
        p.current = store->find_object(into.id, name, false);
        caldav::put_calendar_object(actor, p);
    }
    void remove(const std::string& name) {
        caldav::Actor actor{*store, limits, alice};
        caldav::remove_object(actor, calendar, name, {});
    }
    /// Runs the worker at `t`.
    void run_at(std::int64_t t) {
        now = t;
        worker->run_due_at(t);
    }
    /// The deliveries so far: "mail TO SUBJECT-LINE" and "push OWNER TITLE".
    std::vector<std::string> deliveries() {
        std::vector<std::string> out;
        for (const auto& m : store->list_mail()) {
            auto subject = m.message.find("Subject: ");
            out.push_back("mail " + m.recipient + " " +
                          m.message.substr(subject + 9, m.message.find('\r', subject) - subject - 9));
        }
        for (const auto& j : store->list_jobs(caldav::webpush_job_kind)) {
            auto title = j.payload.find("\"title\":\"");
            out.push_back("push " + std::to_string(j.owner_id) + " " +
                          j.payload.substr(title + 9, j.payload.find('"', title + 9) - title - 9));
        }
        return out;
    }
    /// Patches alice's calendar as PROPPATCH and the JSON API do.
    void patch(const caldav::PropertyPatch& p) {
        BOOST_TEST_REQUIRE((store->patch_properties(calendar.id, "", p) == caldav::StoreStatus::ok));
    }
    /// Sets (true, false) or removes (nullopt) the calendar's push-display-alarms.
    void push_display_alarms(std::optional<bool> on) {
        caldav::PropertyPatch p;
        if (on) p.set.push_back(caldav::display_alarms_property(*on));
        else p.remove.emplace_back(caldav::names::kalends_ns, caldav::push_display_alarms_property);
        patch(p);
    }
    /// Sets the calendar's calendar-timezone to IANA zone `zone`.
    void calendar_zone(const std::string& zone) {
        caldav::PropertyPatch p;
        p.timezone = ical::zone_calendar(zone);
        patch(p);
    }
    /// Another calendar of alice's, in IANA zone `zone` ("": none of its own).
    caldav::CollectionRecord add_calendar(const std::string& name, const std::string& zone) {
        caldav::CollectionRecord c;
        c.owner_id = alice.id;
        c.name = name;
        if (!zone.empty()) c.timezone = ical::zone_calendar(zone);
        BOOST_TEST_REQUIRE((store->create_collection(c) == caldav::StoreStatus::ok));
        return c;
    }
    std::vector<std::int64_t> reminder_dues() {
        std::vector<std::int64_t> out;
        for (const auto& j : store->list_jobs(caldav::reminder_job_kind)) out.push_back(j.due_at);
        return out;
    }
};

using Lines = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(reminders)

BOOST_AUTO_TEST_CASE(email_and_push_reminders_are_delivered_once_at_their_instants_to_the_owner) {
    Fixture f;
    f.put("a.ics", event("a", start, email_15 + push_5 + display_10));
    // The client's own DISPLAY alarm is not the server's.
    BOOST_TEST((f.reminder_dues() == std::vector<std::int64_t>{start - 15 * minute, start - 5 * minute}));
    f.run_at(start - 15 * minute - 1);
    BOOST_TEST(f.deliveries().empty());
    f.run_at(start - 15 * minute);
    // To the owner, not to the alarm's stranger.
    const std::string mail = "mail alice@example.com Reminder: Planning a @ Mon 10 Mar 2025, 09:00 (UTC)";
    BOOST_TEST((f.deliveries() == Lines{mail}));
    f.run_at(start - 10 * minute);
    BOOST_TEST((f.deliveries() == Lines{mail}));
    f.run_at(start - 5 * minute);
    BOOST_TEST((f.deliveries() == Lines{mail, "push " + std::to_string(f.alice.id) + " Planning a"}));
    f.run_at(start);
    BOOST_TEST(f.deliveries().size() == 2u);
    BOOST_TEST(f.reminder_dues().empty());
    auto m = f.store->list_mail().front().message;
    BOOST_TEST(m.find("Auto-Submitted: auto-generated") != std::string::npos);
    BOOST_TEST(m.find("text/html") != std::string::npos);
    BOOST_TEST(m.find("https://meet.example.com/a") != std::string::npos);
    BOOST_TEST(m.find("Room 4") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_edit_that_moves_the_event_after_its_reminder_was_queued_moves_the_reminder) {
    Fixture f;
    f.put("a.ics", event("a", start, email_15));
    BOOST_TEST((f.reminder_dues() == std::vector<std::int64_t>{start - 15 * minute}));
    f.now = start - 60 * minute;
    f.put("a.ics", event("a", start + 86400, email_15));
    f.run_at(start - 15 * minute);
    BOOST_TEST(f.deliveries().empty());
    f.run_at(start + 86400 - 15 * minute);
    BOOST_TEST((f.deliveries() == Lines{"mail alice@example.com Reminder: Planning a @ Tue 11 Mar 2025, 09:00 (UTC)"}));
}

BOOST_AUTO_TEST_CASE(a_deleted_event_sends_no_reminder) {
    Fixture f;
    f.put("a.ics", event("a", start, email_15 + push_5));
    f.remove("a.ics");
    BOOST_TEST(f.reminder_dues().empty());
    f.run_at(start);
    BOOST_TEST(f.deliveries().empty());
}

BOOST_AUTO_TEST_CASE(after_a_restart_a_missed_reminder_fires_once_and_one_missed_too_long_ago_not_at_all) {
    Fixture f;
    f.put("a.ics", event("a", start, email_15));
    f.put("b.ics", event("b", start + 3 * 3600, email_15));
    // The old process leased a's reminder and died before it completed it.
    BOOST_TEST_REQUIRE(f.store->lease_jobs({"reminder"}, start - 15 * minute, start + 3600,
                                                server::node_worker_name("reminder"), 1).size() == 1u);
    // Down until 2 minutes later; a fresh worker takes the lease back at once.
    f.open();
    f.run_at(start - 13 * minute);
    BOOST_TEST((f.deliveries() == Lines{"mail alice@example.com Reminder: Planning a @ Mon 10 Mar 2025, 09:00 (UTC)"}));
    f.run_at(start - 12 * minute);
    BOOST_TEST(f.deliveries().size() == 1u);
    // Down again past b's reminder by more than skip-after (60 minutes): skipped.
    f.open();
    f.run_at(start + 3 * 3600 - 15 * minute + 61 * minute);
    BOOST_TEST(f.deliveries().size() == 1u);
    BOOST_TEST(f.reminder_dues().empty());
}

BOOST_AUTO_TEST_CASE(ordinary_display_alarms_are_pushed_only_when_the_setting_asks) {
    Fixture off;
    off.put("a.ics", event("a", start, display_10));
    BOOST_TEST(off.reminder_dues().empty());
    Fixture on(true);
    on.put("a.ics", event("a", start, display_10));
    on.run_at(start - 10 * minute);
    BOOST_TEST((on.deliveries() == Lines{"push " + std::to_string(on.alice.id) + " Planning a"}));
}

BOOST_AUTO_TEST_CASE(a_calendar_that_asks_for_its_display_alarms_pushed_gets_them_and_the_switch_requeues_them) {
    Fixture f;
    f.put("a.ics", event("a", start, email_15 + display_10));
    BOOST_TEST((f.reminder_dues() == std::vector<std::int64_t>{start - 15 * minute}));
    // Switched on: the DISPLAY alarm is queued in the same write, and pushed.
    f.push_display_alarms(true);
    BOOST_TEST((f.reminder_dues() == std::vector<std::int64_t>{start - 15 * minute, start - 10 * minute}));
    f.put("b.ics", event("b", start + 3600, display_10));
    BOOST_TEST((f.reminder_dues() ==
                std::vector<std::int64_t>{start - 15 * minute, start - 10 * minute, start + 50 * minute}));
    f.run_at(start - 15 * minute);
    f.run_at(start - 10 * minute);
    const std::string push_a = "push " + std::to_string(f.alice.id) + " Planning a";
    const std::string mail = "mail alice@example.com Reminder: Planning a @ Mon 10 Mar 2025, 09:00 (UTC)";
    BOOST_TEST((f.deliveries() == Lines{mail, push_a}));
    // Switched off again: b's queued push goes; the server's setting (off) is not asked.
    f.push_display_alarms(false);
    BOOST_TEST(f.reminder_dues().empty());
    f.run_at(start + 50 * minute);
    BOOST_TEST((f.deliveries() == Lines{mail, push_a}));
}

BOOST_AUTO_TEST_CASE(a_calendar_can_refuse_the_servers_display_alarm_pushes_and_removing_its_choice_restores_them) {
    Fixture f(true);
    f.put("a.ics", event("a", start, display_10));
    BOOST_TEST((f.reminder_dues() == std::vector<std::int64_t>{start - 10 * minute}));
    f.push_display_alarms(false);
    BOOST_TEST(f.reminder_dues().empty());
    f.put("b.ics", event("b", start, display_10));
    BOOST_TEST(f.reminder_dues().empty());
    f.push_display_alarms(std::nullopt);
    BOOST_TEST((f.reminder_dues() == std::vector<std::int64_t>{start - 10 * minute, start - 10 * minute}));
    f.run_at(start - 10 * minute);
    const std::string push = "push " + std::to_string(f.alice.id) + " Planning ";
    auto got = f.deliveries();
    std::sort(got.begin(), got.end());  // one pass runs both, on threads of their own
    BOOST_TEST((got == Lines{push + "a", push + "b"}));
}

BOOST_AUTO_TEST_CASE(a_display_alarm_choice_other_than_true_or_false_leaves_the_servers_setting) {
    BOOST_TEST((caldav::display_alarms_choice("<K:push-display-alarms xmlns:K=\"https://kalends.invalid/ns/\"> true\n"
                                              "</K:push-display-alarms>") == std::optional<bool>(true)));
    BOOST_TEST((caldav::display_alarms_choice(caldav::display_alarms_property(false).xml) == std::optional<bool>(false)));
    BOOST_TEST(!caldav::display_alarms_choice("<K:push-display-alarms xmlns:K=\"https://kalends.invalid/ns/\">yes"
                                              "</K:push-display-alarms>"));
    BOOST_TEST(!caldav::display_alarms_choice("<unclosed"));
    BOOST_TEST(!caldav::display_alarms_choice(""));
}

/// A floating daily event at 09:00 local from `first` (YYYYMMDD), `count` days.
std::string floating_daily(const std::string& uid, const std::string& first, int count) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
           "\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:" + first + "T090000\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT=" +
           std::to_string(count) + "\r\nSUMMARY:Standup\r\n" + email_15 + "END:VEVENT\r\nEND:VCALENDAR\r\n";
}

BOOST_AUTO_TEST_CASE(a_floating_event_reminds_at_its_local_time_in_the_calendars_zone_on_both_sides_of_dst) {
    Fixture f;
    f.now = 1741305600;  // 2025-03-07T00:00Z; New York leaves EST for EDT on 9 March
    f.calendar_zone("America/New_York");
    f.put("s.ics", floating_daily("s", "20250308", 3));
    // 08:45 New York each day: 13:45Z in EST, 12:45Z in EDT.
    const std::vector<std::int64_t> dues{1741441500, 1741524300, 1741610700};
    BOOST_TEST((f.reminder_dues() == dues));
    const std::string mail = "mail alice@example.com Reminder: Standup @ ";
    const Lines days{mail + "Sat 8 Mar 2025, 09:00 (America/New_York)", mail + "Sun 9 Mar 2025, 09:00 (America/New_York)",
                     mail + "Mon 10 Mar 2025, 09:00 (America/New_York)"};
    for (std::size_t i = 0; i < dues.size(); ++i) {
        f.run_at(dues[i] - 1);
        BOOST_TEST(f.deliveries().size() == i);
        f.run_at(dues[i]);
        BOOST_TEST((f.deliveries() == Lines(days.begin(), days.begin() + static_cast<std::ptrdiff_t>(i) + 1)));
    }
}

BOOST_AUTO_TEST_CASE(a_floating_event_in_a_calendar_without_a_zone_reminds_in_the_servers_zone_till_it_names_one) {
    Fixture f;
    f.policy.time_zone = "Europe/Berlin";
    f.open();
    f.now = 1741305600;
    f.put("s.ics", floating_daily("s", "20250310", 1));
    BOOST_TEST((f.reminder_dues() == std::vector<std::int64_t>{1741592700}));  // 08:45 CET
    // Naming the calendar's zone moves the queued reminder in the same write.
    f.calendar_zone("America/New_York");
    BOOST_TEST((f.reminder_dues() == std::vector<std::int64_t>{1741610700}));  // 08:45 EDT
}

BOOST_AUTO_TEST_CASE(a_floating_event_in_a_calendar_without_a_zone_reminds_in_its_owners_zone_and_moves_with_it) {
    Fixture f;  // the server's zone is UTC
    f.now = 1741305600;  // 2025-03-07T00:00Z; New York leaves EST for EDT on 9 March
    f.calendar_zone("America/New_York");  // alice's default calendar
    auto work = f.add_calendar("work", "");
    auto tokyo = f.add_calendar("tokyo", "Asia/Tokyo");
    f.put_in(work, "s.ics", floating_daily("s", "20250308", 3));
    f.put_in(tokyo, "t.ics", floating_daily("t", "20250308", 1));
    // "work" names no zone: 08:45 New York, 13:45Z in EST, 12:45Z in EDT;
    // "tokyo" names its own: 08:45 Tokyo on 8 March is 23:45Z on the 7th.
    auto dues = f.reminder_dues();
    std::sort(dues.begin(), dues.end());
    BOOST_TEST((dues == std::vector<std::int64_t>{1741391100, 1741441500, 1741524300, 1741610700}));
    const std::string mail = "mail alice@example.com Reminder: Standup @ ";
    f.run_at(1741391100);
    f.run_at(1741441500);
    BOOST_TEST((f.deliveries() ==
                Lines{mail + "Sat 8 Mar 2025, 09:00 (Asia/Tokyo)", mail + "Sat 8 Mar 2025, 09:00 (America/New_York)"}));
    // Alice's zone becomes Berlin (her default calendar's): the pending
    // reminders of "work" move to 08:45 CET (07:45Z) in that same write.
    f.calendar_zone("Europe/Berlin");
    BOOST_TEST((f.reminder_dues() == std::vector<std::int64_t>{1741506300, 1741592700}));
    f.run_at(1741506300);
    BOOST_TEST(f.deliveries().back() == mail + "Sun 9 Mar 2025, 09:00 (Europe/Berlin)");
}

BOOST_AUTO_TEST_CASE(a_user_stored_before_the_owners_zone_was_kept_reminds_in_it_after_the_upgrade) {
    Fixture f;  // the server's zone is UTC
    f.now = 1741305600;  // 2025-03-07T00:00Z
    f.calendar_zone("America/New_York");  // alice's default calendar
    auto work = f.add_calendar("work", "");
    // As a version before the owner's zone was kept left the database:
    // nothing on alice's inbox, and schema 0024's pass owed.
    f.store->close();
    f.store.reset();
    f.worker.reset();
    {
        server::sqlite::Db db(f.dir.path() / "r.sqlite3", false, false);
        db.exec("UPDATE collections SET timezone = '' WHERE kind = 'inbox'; "
                "INSERT OR IGNORE INTO pending_upgrades (name) VALUES ('owner_zones')");
    }
    f.open();
    f.put_in(work, "s.ics", floating_daily("s", "20250310", 1));
    BOOST_TEST((f.reminder_dues() == std::vector<std::int64_t>{1741596300}));  // 08:45 UTC: the server's zone
    // The next start runs the pass once: 08:45 New York (EDT), queued again.
    BOOST_TEST(f.store->backfill_owner_zones() == 1u);
    BOOST_TEST(f.store->find_collection(f.alice.id, "inbox")->timezone == "America/New_York");
    BOOST_TEST((f.reminder_dues() == std::vector<std::int64_t>{1741610700}));
    f.open();
    BOOST_TEST(f.store->backfill_owner_zones() == 0u);
    BOOST_TEST((f.reminder_dues() == std::vector<std::int64_t>{1741610700}));
    f.run_at(1741610700);
    BOOST_TEST((f.deliveries() == Lines{"mail alice@example.com Reminder: Standup @ Mon 10 Mar 2025, 09:00 "
                                        "(America/New_York)"}));
}

BOOST_AUTO_TEST_CASE(the_horizon_job_queues_reminders_that_come_within_the_horizon) {
    Fixture f;
    f.policy.horizon_seconds = 2 * 86400;
    f.open();
    f.now = start - 86400;
    // Daily for a week: only the reminders of the first two days are queued now.
    f.put("s.ics", event("s", start, "RRULE:FREQ=DAILY;COUNT=7\r\n" + email_15));
    BOOST_TEST((f.reminder_dues() == std::vector<std::int64_t>{start - 15 * minute, start + 86400 - 15 * minute}));
    f.worker->ensure_horizon_job(f.now);
    for (int day = 0; day < 7; ++day) f.run_at(start + day * 86400 - 15 * minute);
    BOOST_TEST(f.deliveries().size() == 7u);
}

BOOST_AUTO_TEST_CASE(a_delivery_wakes_the_senders_and_queues_its_mail_due_at_the_trigger_even_when_run_late) {
    Fixture f;
    int woken = 0;
    f.worker->on_delivery([&woken] { ++woken; });
    f.put("a.ics", event("a", start, email_15 + push_5));
    f.run_at(start - 15 * minute - 1);
    BOOST_TEST(woken == 0);
    // Run 40 s late (the server was busy or down): the mail is due at the
    // trigger, so the delivery metrics count its lateness from there.
    f.run_at(start - 15 * minute + 40);
    BOOST_TEST(woken == 1);
    auto mail = f.store->list_jobs(caldav::mail_job_kind);
    BOOST_TEST_REQUIRE(mail.size() == 1u);
    BOOST_TEST(mail.front().due_at == start - 15 * minute);
    f.run_at(start - 5 * minute);
    BOOST_TEST(woken == 2);
    BOOST_TEST(f.store->list_jobs(caldav::webpush_job_kind).front().due_at == start - 5 * minute);
    // Nothing left to deliver: no wake-up.
    f.run_at(start);
    BOOST_TEST(woken == 2);
}

BOOST_AUTO_TEST_CASE(a_reminder_skipped_as_too_late_is_counted_as_a_late_failure) {
    auto failures = [] {
        auto text = server::metrics::registry().render();
        const std::string series = "kalends_notification_failures_total{channel=\"email\",cause=\"late\"} ";
        auto at = text.find(series);
        return at == std::string::npos ? -1.0 : std::stod(text.substr(at + series.size()));
    };
    const double before = failures();
    BOOST_TEST_REQUIRE(before >= 0.0);
    Fixture f;
    f.put("a.ics", event("a", start, email_15));
    f.run_at(start - 15 * minute + 61 * minute);
    BOOST_TEST(f.deliveries().empty());
    BOOST_TEST(failures() == before + 1);
}

BOOST_AUTO_TEST_CASE(default_reminders_come_from_the_calendars_default_alarm_properties) {
    Fixture f;
    BOOST_TEST(caldav::default_reminders(*f.store, f.calendar, false).empty());
    caldav::PropertyPatch patch;
    // As Apple Calendar sends them: LF line ends, its own X- properties, an AUDIO alarm.
    patch.set.push_back({"urn:ietf:params:xml:ns:caldav", "default-alarm-vevent-datetime",
                         "<C:default-alarm-vevent-datetime xmlns:C=\"urn:ietf:params:xml:ns:caldav\">\n"
                         "BEGIN:VALARM\nX-WR-ALARMUID:A1\nUID:A1\nTRIGGER:-PT15M\nATTACH;VALUE=URI:Basso\n"
                         "ACTION:AUDIO\nEND:VALARM\nBEGIN:VALARM\nACTION:EMAIL\nSUMMARY:s\nDESCRIPTION:d\n"
                         "ATTENDEE:mailto:alice@example.com\nTRIGGER:-PT1H\nEND:VALARM\n"
                         "</C:default-alarm-vevent-datetime>"});
    patch.set.push_back({"urn:ietf:params:xml:ns:caldav", "default-alarm-vevent-date",
                         "<C:default-alarm-vevent-date xmlns:C=\"urn:ietf:params:xml:ns:caldav\">not an alarm"
                         "</C:default-alarm-vevent-date>"});
    BOOST_TEST_REQUIRE((f.store->patch_properties(f.calendar.id, "", patch) == caldav::StoreStatus::ok));
    auto timed = caldav::default_reminders(*f.store, f.calendar, false);
    BOOST_TEST_REQUIRE(timed.size() == 2u);
    BOOST_TEST(timed[0].minutes_before == 15);
    BOOST_TEST(timed[0].method == "display");
    BOOST_TEST(timed[1].minutes_before == 60);
    BOOST_TEST(timed[1].method == "email");
    BOOST_TEST(caldav::default_reminders(*f.store, f.calendar, true).empty());
}

BOOST_AUTO_TEST_SUITE_END()
