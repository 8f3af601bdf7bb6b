// Contract cases (store_contract.hpp) for queued mail (RFC 6047), the job
// queue (issue 23 §7), concurrent writers and durability.
#include "tests/storage/store_contract_cases.hpp"

#include "caldav/names.hpp"
#include "caldav/reminders.hpp"
#include "ical/zone_resolver.hpp"

namespace contract {

namespace {

// --------------------------------------------------- mail (RFC 6047 iMIP)

std::vector<caldav::OutgoingMail> queued_mail(Fixture& f) {
    std::vector<caldav::OutgoingMail> out;
    for (const auto& j : f.jobs().list_jobs(caldav::mail_job_kind)) {
        auto m = caldav::mail_of_job(j.owner_id, j.payload);
        BOOST_TEST_REQUIRE(m.has_value(), "mail job " << j.id);
        out.push_back(*m);
    }
    return out;
}

/// Commits `writes` (a Store::commit of one action).
caldav::CommitResult commit(Fixture& f, const caldav::WriteSet& writes) { return f.store().commit(writes); }

void a_write_set_commits_every_write_with_its_mail_and_jobs_or_none(Fixture& f) {
    using Kind = caldav::ObjectWrite::Kind;
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto other = make_collection(f, alice, "home");
    auto held = put(f, calendar_object(other.id, "held.ics", event("uid-held", day0, day0 + hour)));
    auto mail = mail_to(alice, "carol@outside.test");

    // The third write is refused (a stale If-Match): the two before it, the
    // mail and the job are not written either, and the result names it.
    caldav::WriteSet set;
    set.writes.push_back({Kind::put, calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour)), 0});
    caldav::PutObject removal;
    removal.collection_id = other.id;
    removal.name = "held.ics";
    set.writes.push_back({Kind::remove, removal, 0});
    auto stale = calendar_object(cal.id, "b.ics", event("uid-b", day0, day0 + hour));
    stale.if_match = "stale";
    set.writes.push_back({Kind::put, stale, 0});
    set.mail = {mail};
    set.jobs = {job("reminder", 100, "p")};
    auto before = revision_of(f, alice, "work");
    auto refused = commit(f, set);
    BOOST_TEST((refused.status == StoreStatus::etag_mismatch));
    BOOST_TEST(refused.failed == 2u);
    BOOST_TEST(!f.store().find_object(cal.id, "a.ics", false));
    BOOST_TEST(f.store().find_object(other.id, "held.ics", false).has_value());
    BOOST_TEST(queued_mail(f).empty());
    BOOST_TEST(f.jobs().list_jobs("reminder").empty());
    BOOST_TEST(revision_of(f, alice, "work") == before);

    // Without it: all of them, each write with its own result, in order.
    set.writes.pop_back();
    set.writes[1].object.if_match = held.etag;
    auto done = commit(f, set);
    BOOST_TEST_REQUIRE((done.status == StoreStatus::ok));
    BOOST_TEST_REQUIRE(done.results.size() == 2u);
    BOOST_TEST(done.results[0].created);
    BOOST_TEST(done.results[0].etag == f.store().find_object(cal.id, "a.ics", false)->etag);
    BOOST_TEST(!f.store().find_object(other.id, "held.ics", false));
    auto queued = queued_mail(f);
    BOOST_TEST_REQUIRE(queued.size() == 1u);
    BOOST_TEST(queued[0].recipient == "carol@outside.test");
    BOOST_TEST(queued[0].principal_id == alice);
    BOOST_TEST(queued[0].message == mail.message);
    BOOST_TEST(f.jobs().list_jobs("reminder").size() == 1u);
    BOOST_TEST(revision_of(f, alice, "work") == before + 1);
    // Queued mail is due at once; a set of mail alone is a write too.
    BOOST_TEST(f.jobs().next_job_due({std::string(caldav::mail_job_kind)}).has_value());
    caldav::WriteSet mail_only;
    mail_only.mail = {mail_to(alice, "dave@outside.test"), mail_to(alice, "erin@outside.test")};
    BOOST_TEST((commit(f, mail_only).status == StoreStatus::ok));
    BOOST_TEST((commit(f, caldav::WriteSet{}).status == StoreStatus::ok));
    BOOST_TEST(queued_mail(f).size() == 3u);

    // A UID held by another member names its holder; a missing calendar is not_found.
    caldav::WriteSet clash;
    clash.writes.push_back({Kind::put, calendar_object(cal.id, "c.ics", event("uid-a", day0, day0 + hour)), 0});
    auto conflict = commit(f, clash);
    BOOST_TEST((conflict.status == StoreStatus::uid_conflict));
    BOOST_TEST_REQUIRE(conflict.results.size() == 1u);
    BOOST_TEST(conflict.results[0].conflicting_name == "a.ics");
    clash.writes[0].object.collection_id = 999999;
    BOOST_TEST((commit(f, clash).status == StoreStatus::not_found));
}

void a_booking_in_a_write_set_refuses_an_overlap_and_undoes_the_set(Fixture& f) {
    using Kind = caldav::ObjectWrite::Kind;
    auto alice = f.add_user("alice", "alice@example.com");
    auto room = f.add_room("room", "room@example.com");
    auto cal = make_collection(f, alice, "work");
    auto rooms = make_collection(f, room, "bookings");
    put(f, calendar_object(rooms.id, "held.ics", event("uid-held", day0, day0 + hour)));
    caldav::WriteSet set;
    set.writes.push_back({Kind::put, calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour)), 0});
    set.writes.push_back(
        {Kind::book, calendar_object(rooms.id, "asked.ics", event("uid-asked", day0 + hour / 2, day0 + hour)), room});
    auto refused = commit(f, set);
    BOOST_TEST((refused.status == StoreStatus::conflict));
    BOOST_TEST(refused.failed == 1u);
    BOOST_TEST(!f.store().find_object(cal.id, "a.ics", false));
    // The next slot is free: booked with the rest.
    set.writes[1].object = calendar_object(rooms.id, "asked.ics", event("uid-asked", day0 + hour, day0 + 2 * hour));
    BOOST_TEST((commit(f, set).status == StoreStatus::ok));
    BOOST_TEST(f.store().find_object(rooms.id, "asked.ics", false).has_value());
}

// ------------------------------------------------------------ the job queue

void due_jobs_of_the_asked_kinds_are_leased_earliest_first(Fixture& f) {
    auto& q = f.jobs();
    std::vector<std::int64_t> ids;
    BOOST_TEST_REQUIRE((q.enqueue_jobs({job("mail", 200, "late"), job("mail", 100, "early"),
                                        job("reminder", 50), job("mail", 1000, "future")},
                                       &ids) == StoreStatus::ok));
    BOOST_TEST(ids.size() == 4u);
    BOOST_TEST(std::set<std::int64_t>(ids.begin(), ids.end()).size() == 4u);
    auto leased = q.lease_jobs({"mail"}, 500, 800, "w1", 10);
    BOOST_TEST_REQUIRE(leased.size() == 2u);
    BOOST_TEST(leased[0].payload == "early");
    BOOST_TEST(leased[0].id == ids[1]);
    BOOST_TEST(leased[1].payload == "late");
    BOOST_TEST(leased[0].owner_id == 7);
    BOOST_TEST(leased[0].kind == "mail");
    BOOST_TEST(leased[0].due_at == 100);
    BOOST_TEST(leased[0].lease_until == 800);
    BOOST_TEST(leased[0].attempts == 0);
    // Leased: nobody else gets them while the lease runs.
    BOOST_TEST(q.lease_jobs({"mail"}, 600, 900, "w2", 10).empty());
    // The other kind is there for whoever asks for it.
    BOOST_TEST(q.lease_jobs({"reminder", "mail"}, 600, 900, "w2", 10).size() == 1u);
    BOOST_TEST(q.lease_jobs({"other"}, 600, 900, "w2", 10).empty());
    // A limit is a limit.
    BOOST_TEST(q.lease_jobs({"mail"}, 5000, 5100, "w3", 1).size() == 1u);
}

void an_expired_lease_passes_to_another_worker_and_the_first_cannot_finish(Fixture& f) {
    auto& q = f.jobs();
    BOOST_TEST_REQUIRE((q.enqueue_jobs({job("mail", 100)}) == StoreStatus::ok));
    auto first = q.lease_jobs({"mail"}, 100, 130, "w1", 1);
    BOOST_TEST_REQUIRE(first.size() == 1u);
    BOOST_TEST(q.lease_jobs({"mail"}, 130, 160, "w2", 1).empty());  // not before the lease ends
    auto second = q.lease_jobs({"mail"}, 131, 161, "w2", 1);
    BOOST_TEST_REQUIRE(second.size() == 1u);
    BOOST_TEST(second[0].id == first[0].id);
    // w1 stalled past its lease: its completion does not count.
    BOOST_TEST((q.complete_job(first[0].id, "w1") == StoreStatus::not_found));
    BOOST_TEST((q.retry_job(first[0].id, "w1", 500, "x") == StoreStatus::not_found));
    BOOST_TEST((q.fail_job(first[0].id, "w1", 140, "x") == StoreStatus::not_found));
    BOOST_TEST(q.list_jobs("mail").size() == 1u);
    BOOST_TEST((q.complete_job(first[0].id, "w2") == StoreStatus::ok));
    BOOST_TEST(q.list_jobs("mail").empty());
    BOOST_TEST((q.complete_job(first[0].id, "w2") == StoreStatus::not_found));  // gone
}

void a_retry_counts_an_attempt_and_a_failed_job_is_kept_and_never_leased(Fixture& f) {
    auto& q = f.jobs();
    BOOST_TEST_REQUIRE((q.enqueue_jobs({job("mail", 100), job("mail", 100)}) == StoreStatus::ok));
    auto leased = q.lease_jobs({"mail"}, 100, 400, "w", 2);
    BOOST_TEST_REQUIRE(leased.size() == 2u);
    BOOST_TEST((q.retry_job(leased[0].id, "w", 250, "relay down") == StoreStatus::ok));
    BOOST_TEST((q.fail_job(leased[1].id, "w", 120, "550 no such user") == StoreStatus::ok));
    BOOST_TEST((q.next_job_due({"mail"}) == std::optional<std::int64_t>(250)));
    BOOST_TEST(q.lease_jobs({"mail"}, 249, 500, "w", 5).empty());
    auto again = q.lease_jobs({"mail"}, 250, 500, "w", 5);
    BOOST_TEST_REQUIRE(again.size() == 1u);
    BOOST_TEST(again[0].id == leased[0].id);
    BOOST_TEST(again[0].attempts == 1);
    BOOST_TEST(again[0].last_error == "relay down");
    BOOST_TEST(again[0].due_at == 250);
    auto all = q.list_jobs("");
    BOOST_TEST_REQUIRE(all.size() == 2u);
    BOOST_TEST(!all[0].failed_at);
    BOOST_TEST((all[1].failed_at == std::optional<std::int64_t>(120)));
    BOOST_TEST(all[1].last_error == "550 no such user");
    // The failed one never comes back, however late it gets.
    auto late = q.lease_jobs({"mail"}, 100000, 100100, "w2", 5);
    BOOST_TEST_REQUIRE(late.size() == 1u);
    BOOST_TEST(late[0].id == leased[0].id);
    BOOST_TEST((q.complete_job(leased[1].id, "w") == StoreStatus::not_found));
}

void next_job_due_says_when_to_look_again(Fixture& f) {
    auto& q = f.jobs();
    BOOST_TEST(!q.next_job_due({"mail"}));
    BOOST_TEST_REQUIRE(
        (q.enqueue_jobs({job("mail", 300), job("reminder", 100)}) == StoreStatus::ok));
    BOOST_TEST((q.next_job_due({"mail"}) == std::optional<std::int64_t>(300)));
    BOOST_TEST((q.next_job_due({"mail", "reminder"}) == std::optional<std::int64_t>(100)));
    BOOST_TEST(!q.next_job_due({"other"}));
    // A leased job is due again when its lease ends.
    BOOST_TEST_REQUIRE(q.lease_jobs({"reminder"}, 100, 700, "w", 1).size() == 1u);
    BOOST_TEST((q.next_job_due({"reminder"}) == std::optional<std::int64_t>(700)));
}

void list_jobs_lists_one_kind_or_all_by_id(Fixture& f) {
    auto& q = f.jobs();
    std::vector<std::int64_t> ids;
    BOOST_TEST_REQUIRE((q.enqueue_jobs({job("b", 5, "1"), job("a", 1, "2"), job("b", 3, "3")},
                                       &ids) == StoreStatus::ok));
    auto all = q.list_jobs("");
    BOOST_TEST_REQUIRE(all.size() == 3u);
    BOOST_TEST(all[0].id == ids[0]);
    BOOST_TEST(all[1].id == ids[1]);
    BOOST_TEST(all[2].id == ids[2]);
    BOOST_TEST(all[0].payload == "1");
    auto b = q.list_jobs("b");
    BOOST_TEST_REQUIRE(b.size() == 2u);
    BOOST_TEST(b[0].payload == "1");
    BOOST_TEST(b[1].payload == "3");
    BOOST_TEST(q.list_jobs("none").empty());
    BOOST_TEST((q.enqueue_jobs({}) == StoreStatus::ok));
    BOOST_TEST(q.list_jobs("").size() == 3u);
}

void concurrent_workers_never_lease_one_job_twice(Fixture& f) {
    auto& q = f.jobs();
    std::vector<caldav::NewJob> many;
    for (int i = 0; i < 400; ++i) many.push_back(job("mail", i % 10, std::to_string(i)));
    BOOST_TEST_REQUIRE((q.enqueue_jobs(many) == StoreStatus::ok));
    std::mutex m;
    std::map<std::int64_t, int> seen;
    std::atomic<int> failed_completions{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w)
        workers.emplace_back([&, w] {
            const std::string name = "w" + std::to_string(w);
            for (;;) {
                auto got = q.lease_jobs({"mail"}, 100, 10000, name, 7);
                if (got.empty()) return;
                for (const auto& j : got) {
                    {
                        std::lock_guard lock(m);
                        ++seen[j.id];
                    }
                    if (q.complete_job(j.id, name) != StoreStatus::ok) ++failed_completions;
                }
            }
        });
    for (auto& t : workers) t.join();
    BOOST_TEST(failed_completions.load() == 0);
    BOOST_TEST(seen.size() == 400u);
    BOOST_TEST(std::all_of(seen.begin(), seen.end(), [](const auto& e) { return e.second == 1; }));
    BOOST_TEST(q.list_jobs("").empty());
}

// ------------------------------------------- concurrency and durability

void concurrent_writers_all_commit_and_each_gets_its_own_revision(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "busy");
    constexpr int threads = 8;
    constexpr int per_thread = 25;
    std::atomic<int> failures{0};
    std::mutex m;
    std::set<std::string> etags;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                auto name = "t" + std::to_string(t) + "-" + std::to_string(i);
                auto r = f.store().put_object(
                    calendar_object(cal.id, name + ".ics", event(name, day0, day0 + hour)));
                if (r.status != StoreStatus::ok) ++failures;
                std::lock_guard lock(m);
                etags.insert(r.etag);
            }
        });
    for (auto& t : pool) t.join();
    BOOST_TEST(failures.load() == 0);
    BOOST_TEST(etags.size() == std::size_t(threads * per_thread));
    BOOST_TEST(revision_of(f, alice, "busy") == threads * per_thread);
    BOOST_TEST(f.store().list_objects(cal.id, false).size() == std::size_t(threads * per_thread));
    auto log = f.store().changes_since(cal.id, 0, 1000);
    BOOST_TEST_REQUIRE(log.has_value());
    std::set<std::int64_t> revisions;
    for (const auto& c : log->changes) revisions.insert(c.revision);
    BOOST_TEST(revisions.size() == std::size_t(threads * per_thread));
    // Every write that returned is durable.
    f.reopen();
    BOOST_TEST(f.store().list_objects(cal.id, false).size() == std::size_t(threads * per_thread));
}

void everything_written_is_there_after_a_reopen(Fixture& f) {
    auto alice = f.add_user("alice", "Alice@Example.com");
    f.store().provision_home(alice);
    CollectionRecord cal;
    cal.owner_id = alice;
    cal.name = "work";
    cal.display_name = "Work";
    BOOST_TEST_REQUIRE((f.store().create_collection(cal, {colour("#FF0000")}) == StoreStatus::ok));
    auto o = calendar_object(cal.id, "a.ics", event("uid-a", day0 + 9 * hour, day0 + 10 * hour));
    o.schedule_tag = caldav::ScheduleTagChange::renew;
    caldav::WriteSet with_mail;
    with_mail.writes.push_back({caldav::ObjectWrite::Kind::put, o, 0});
    with_mail.mail = {mail_to(alice, "carol@outside.test")};
    auto committed = f.store().commit(with_mail);
    BOOST_TEST_REQUIRE((committed.status == StoreStatus::ok));
    auto written = committed.results.front();
    put_event(f, cal.id, "b.ics", "uid-b");
    BOOST_TEST((f.store().delete_object(cal.id, "b.ics", std::nullopt) == StoreStatus::ok));
    caldav::PropertyPatch patch;
    patch.set = {order("3")};
    BOOST_TEST((f.store().patch_properties(cal.id, "a.ics", patch) == StoreStatus::ok));
    BOOST_TEST_REQUIRE(
        (f.jobs().enqueue_jobs({job("reminder", 42, "remind me")}) == StoreStatus::ok));
    const auto revision = revision_of(f, alice, "work");
    const auto home = f.store().find_home(alice)->revision;
    const auto used = f.store().used_bytes(alice);

    f.reopen();

    BOOST_TEST(f.store().find_principal_by_email("alice@example.com")->id == alice);
    BOOST_TEST(f.store().list_collections(alice).size() == 4u);
    auto c = f.store().find_collection(alice, "work");
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST(c->display_name == "Work");
    BOOST_TEST(c->revision == revision);
    BOOST_TEST(f.store().dead_properties(c->id, "").size() == 1u);
    auto a = f.store().find_object(c->id, "a.ics", true);
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST(a->text() == o.data);
    BOOST_TEST(a->etag == written.etag);
    BOOST_TEST(a->schedule_tag == written.schedule_tag);
    BOOST_TEST(f.store().dead_properties(c->id, "a.ics").size() == 1u);
    BOOST_TEST(!f.store().find_object(c->id, "b.ics", false));
    auto log = f.store().changes_since(c->id, 0, 100);
    BOOST_TEST_REQUIRE(log.has_value());
    BOOST_TEST(log->changes.size() == 2u);  // a.ics, and b.ics's tombstone
    BOOST_TEST(f.store().find_home(alice)->revision == home);
    BOOST_TEST(f.store().used_bytes(alice) == used);
    BOOST_TEST(names_in_range(f, c->id, day0 + 9 * hour, day0 + 10 * hour).count("a.ics") == 1u);
    BOOST_TEST(queued_mail(f).size() == 1u);
    auto leased = f.jobs().lease_jobs({"reminder"}, 42, 100, "w", 1);
    BOOST_TEST_REQUIRE(leased.size() == 1u);
    BOOST_TEST(leased[0].payload == "remind me");
}


// ------------------------------------------- reminders (issue 26, schema 0018)

void complete_job_with_enqueues_its_follow_ups_once_per_delivery_key(Fixture& f) {
    auto& q = f.jobs();
    BOOST_TEST_REQUIRE((q.enqueue_jobs({job("reminder", 100, "r1"), job("reminder", 100, "r2")}) == StoreStatus::ok));
    auto leased = q.lease_jobs({"reminder"}, 100, 200, "w", 2);
    BOOST_TEST_REQUIRE(leased.size() == 2u);
    // Not held by this worker: nothing is removed or enqueued.
    BOOST_TEST((q.complete_job_with(leased[0].id, "other", {job("mail", 100, "m")}, "k", 100) ==
                StoreStatus::not_found));
    BOOST_TEST(q.list_jobs("mail").empty());
    BOOST_TEST((q.complete_job_with(leased[0].id, "w", {job("mail", 100, "m1")}, "k", 100) == StoreStatus::ok));
    // The same delivery again (the reminder was queued twice): the job goes,
    // its follow-up is not enqueued.
    BOOST_TEST((q.complete_job_with(leased[1].id, "w", {job("mail", 100, "m2")}, "k", 101) == StoreStatus::exists));
    auto mail = q.list_jobs("mail");
    BOOST_TEST_REQUIRE(mail.size() == 1u);
    BOOST_TEST(mail[0].payload == "m1");
    BOOST_TEST(q.list_jobs("reminder").empty());
    // Old records are pruned; then the key may be delivered again.
    BOOST_TEST(q.prune_deliveries(100) == 0u);
    BOOST_TEST(q.prune_deliveries(101) == 1u);
}

void release_leases_gives_back_the_jobs_of_one_worker(Fixture& f) {
    auto& q = f.jobs();
    BOOST_TEST_REQUIRE((q.enqueue_jobs({job("reminder", 100, "a"), job("reminder", 100, "b")}) == StoreStatus::ok));
    BOOST_TEST_REQUIRE(q.lease_jobs({"reminder"}, 100, 1000, "old", 1).size() == 1u);
    BOOST_TEST_REQUIRE(q.lease_jobs({"reminder"}, 100, 1000, "other", 1).size() == 1u);
    BOOST_TEST(q.release_leases("old") == 1u);
    auto again = q.lease_jobs({"reminder"}, 100, 1000, "new", 5);
    BOOST_TEST_REQUIRE(again.size() == 1u);
    BOOST_TEST(again[0].payload == "a");
}

/// An indexer for the contract: one reminder per X-TEST-REMIND line (its
/// value: unix seconds), with the store's view of the object in the payload.
caldav::ReminderIndexer test_indexer(std::int64_t now, std::vector<std::optional<std::int64_t>>* afters = nullptr) {
    return [now, afters](const caldav::ReminderSource& s) {
        if (afters) afters->push_back(s.after);
        caldav::ReminderSchedule out;
        out.now = now;
        std::string_view data = s.data;
        for (auto at = data.find("X-TEST-REMIND:"); at != std::string_view::npos;
             at = data.find("X-TEST-REMIND:", at + 1)) {
            auto due = std::stoll(std::string(data.substr(at + 14, data.find('\r', at) - at - 14)));
            if (due > std::max(now, s.after.value_or(now)))
                out.jobs.push_back({"reminder", s.owner_id, due,
                                    std::string(s.owner_name) + "/" + std::string(s.collection_name) + "/" +
                                        std::string(s.name) + " " + std::string(s.owner_email)});
            out.indexed_until = now + 100000;
        }
        return out;
    };
}

std::vector<std::int64_t> reminder_dues(Fixture& f) {
    std::vector<std::int64_t> out;
    for (const auto& j : f.jobs().list_jobs("reminder")) out.push_back(j.due_at);
    std::sort(out.begin(), out.end());
    return out;
}

void an_objects_reminder_jobs_are_replaced_with_every_write_and_go_with_it(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto home = make_collection(f, alice, "home");
    auto inbox = make_collection(f, alice, "in", CollectionKind::inbox);
    f.jobs().set_reminder_indexer(test_indexer(1000));
    put(f, calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour, "X-TEST-REMIND:5000\r\n")));
    auto jobs = f.jobs().list_jobs("reminder");
    BOOST_TEST_REQUIRE(jobs.size() == 1u);
    BOOST_TEST(jobs[0].owner_id == alice);
    BOOST_TEST(jobs[0].payload == "alice/work/a.ics alice@example.com");
    // A due job (at or before now) is owed already: an edit keeps it.
    BOOST_TEST_REQUIRE((f.jobs().enqueue_jobs({job("reminder", 900, "other")}) == StoreStatus::ok));
    // An edit (a commit this time) replaces the future ones of this object only.
    caldav::WriteSet set;
    set.writes.push_back({caldav::ObjectWrite::Kind::put,
                          calendar_object(cal.id, "a.ics",
                                          event("uid-a", day0, day0 + hour,
                                                "X-TEST-REMIND:6000\r\nX-TEST-REMIND:7000\r\nX-TEST-REMIND:500\r\n")),
                          0});
    BOOST_TEST_REQUIRE((f.store().commit(set).status == StoreStatus::ok));
    BOOST_TEST((reminder_dues(f) == std::vector<std::int64_t>{900, 6000, 7000}));
    // Inbox items never remind.
    put(f, calendar_object(inbox.id, "i.ics", event("uid-i", day0, day0 + hour, "X-TEST-REMIND:8000\r\n")));
    BOOST_TEST((reminder_dues(f) == std::vector<std::int64_t>{900, 6000, 7000}));
    // A copy has its own; a delete takes the object's along.
    BOOST_TEST_REQUIRE((f.store().copy_object(cal.id, "a.ics", home.id, "b.ics", false, false).status ==
                        StoreStatus::ok));
    BOOST_TEST((reminder_dues(f) == std::vector<std::int64_t>{900, 6000, 6000, 7000, 7000}));
    BOOST_TEST_REQUIRE((f.store().delete_object(cal.id, "a.ics", std::nullopt) == StoreStatus::ok));
    BOOST_TEST((reminder_dues(f) == std::vector<std::int64_t>{900, 6000, 7000}));
    BOOST_TEST_REQUIRE((f.store().delete_collection(home.id) == StoreStatus::ok));
    BOOST_TEST((reminder_dues(f) == std::vector<std::int64_t>{900}));
}

void extend_reminders_asks_only_for_the_reminders_after_those_queued(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    std::vector<std::optional<std::int64_t>> afters;
    f.jobs().set_reminder_indexer(test_indexer(1000, &afters));
    put(f, calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour, "X-TEST-REMIND:5000\r\n")));
    put_event(f, cal.id, "plain.ics", "uid-plain");  // no alarm: not indexed for later
    BOOST_TEST(afters.size() == 2u);
    // Queued up to 101000: nothing to extend before that.
    BOOST_TEST(f.jobs().extend_reminders(101000, 10) == 0u);
    f.jobs().set_reminder_indexer(test_indexer(200000, &afters));
    BOOST_TEST(f.jobs().extend_reminders(101001, 10) == 1u);
    BOOST_TEST_REQUIRE(afters.size() == 3u);
    BOOST_TEST((afters[2] == std::optional<std::int64_t>(101000)));
    BOOST_TEST(f.jobs().extend_reminders(101001, 10) == 0u);  // now up to 300000
    BOOST_TEST((reminder_dues(f) == std::vector<std::int64_t>{5000}));
}

void a_calendars_reminder_settings_reach_the_indexer_and_changing_them_reindexes_its_objects(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto cal = make_collection(f, alice, "work");
    auto other = make_collection(f, alice, "other");
    int calls = 0;
    // Queues X-TEST-REMIND only where the calendar asks for display pushes,
    // with the calendar's zone text in the payload.
    f.jobs().set_reminder_indexer([&calls](const caldav::ReminderSource& s) {
        ++calls;
        caldav::ReminderSchedule out;
        out.now = 1000;
        out.indexed_until = 100000;
        auto at = s.data.find("X-TEST-REMIND:");
        if (at != std::string_view::npos && caldav::display_alarms_choice(s.display_alarms).value_or(false))
            out.jobs.push_back({"reminder", s.owner_id, std::stoll(std::string(s.data.substr(at + 14, 4))),
                                std::string(s.collection_name) + " " + std::string(s.calendar_timezone)});
        return out;
    });
    put(f, calendar_object(cal.id, "a.ics", event("uid-a", day0, day0 + hour, "X-TEST-REMIND:5000\r\n")));
    put(f, calendar_object(other.id, "b.ics", event("uid-b", day0, day0 + hour, "X-TEST-REMIND:6000\r\n")));
    BOOST_TEST(reminder_dues(f).empty());
    auto patch = [&](const caldav::PropertyPatch& p) {
        BOOST_TEST_REQUIRE((f.store().patch_properties(cal.id, "", p) == StoreStatus::ok));
    };
    caldav::PropertyPatch on;
    on.set.push_back(caldav::display_alarms_property(true));
    calls = 0;
    patch(on);
    BOOST_TEST(calls == 1);  // a.ics only: the other calendar is not asked
    BOOST_TEST((reminder_dues(f) == std::vector<std::int64_t>{5000}));
    caldav::PropertyPatch zone;
    zone.timezone = "ZONE-TEXT";
    patch(zone);
    auto jobs = f.jobs().list_jobs("reminder");
    BOOST_TEST_REQUIRE(jobs.size() == 1u);
    BOOST_TEST(jobs[0].payload == "work ZONE-TEXT");
    caldav::PropertyPatch name;
    name.display_name = "Work";
    calls = 0;
    patch(name);
    BOOST_TEST(calls == 0);  // nothing reminders depend on changed
    caldav::PropertyPatch off;
    off.remove.emplace_back(std::string(caldav::names::kalends_ns), std::string(caldav::push_display_alarms_property));
    patch(off);
    BOOST_TEST(reminder_dues(f).empty());
}

/// An indexer that queues one reminder at the time an object's
/// X-TEST-REMIND names, its payload "CALENDAR ZONE": the owner's zone as the
/// indexer is told it.
caldav::ReminderIndexer zone_indexer() {
    return [](const caldav::ReminderSource& s) {
        caldav::ReminderSchedule out;
        out.now = 1000;
        out.indexed_until = 100000;
        auto at = s.data.find("X-TEST-REMIND:");
        if (at != std::string_view::npos)
            out.jobs.push_back({"reminder", s.owner_id, std::stoll(std::string(s.data.substr(at + 14, 4))),
                                std::string(s.collection_name) + " " + std::string(s.owner_time_zone)});
        return out;
    };
}

/// The payloads of the queued reminder jobs, sorted.
std::vector<std::string> reminder_payloads(Fixture& f) {
    std::vector<std::string> out;
    for (const auto& j : f.jobs().list_jobs("reminder")) out.push_back(j.payload);
    std::sort(out.begin(), out.end());
    return out;
}

/// Issue 26: floating times of a calendar without a zone remind in the
/// owner's zone, their default calendar's. The store keeps it (on the
/// inbox) and, in the transaction that moves it, re-indexes the calendars
/// without a zone of their own and no other.
void the_owners_zone_follows_their_default_calendar_and_moves_the_reminders_of_calendars_without_a_zone(
    Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto inbox = make_collection(f, alice, "inbox", CollectionKind::inbox);
    auto main = make_collection(f, alice, "calendar");
    auto work = make_collection(f, alice, "work");
    auto tokyo = make_collection(f, alice, "tokyo");
    auto patch = [&](std::int64_t id, const caldav::PropertyPatch& p) {
        BOOST_TEST_REQUIRE((f.store().patch_properties(id, "", p) == StoreStatus::ok));
    };
    auto zone_of = [&](std::int64_t id, const std::string& iana) {
        caldav::PropertyPatch p;
        p.timezone = iana.empty() ? std::string() : ical::zone_calendar(iana);
        patch(id, p);
    };
    zone_of(tokyo.id, "Asia/Tokyo");
    // The owner's zone as the indexer sees it, in the payload.
    f.jobs().set_reminder_indexer(zone_indexer());
    put(f, calendar_object(work.id, "a.ics", event("uid-a", day0, day0 + hour, "X-TEST-REMIND:5000\r\n")));
    put(f, calendar_object(tokyo.id, "b.ics", event("uid-b", day0, day0 + hour, "X-TEST-REMIND:6000\r\n")));
    auto payloads = [&] { return reminder_payloads(f); };
    auto kept_zone = [&] { return f.store().find_collection(alice, "inbox")->timezone; };
    using Payloads = std::vector<std::string>;
    BOOST_TEST((payloads() == Payloads{"tokyo ", "work "}));
    // The default calendar ("calendar") names New York: "work" follows, "tokyo" keeps its own.
    zone_of(main.id, "America/New_York");
    BOOST_TEST(kept_zone() == "America/New_York");
    BOOST_TEST((payloads() == Payloads{"tokyo ", "work America/New_York"}));
    // The user chooses "tokyo" as their default calendar (RFC 6638 §9.2), then takes the choice back.
    caldav::PropertyPatch choose;
    choose.set.push_back({std::string(caldav::names::caldav_ns), "schedule-default-calendar-URL",
                          "<C:schedule-default-calendar-URL xmlns:C=\"urn:ietf:params:xml:ns:caldav\" "
                          "xmlns:D=\"DAV:\"><D:href>/dav/calendars/alice/tokyo/</D:href>"
                          "</C:schedule-default-calendar-URL>"});
    patch(inbox.id, choose);
    BOOST_TEST(kept_zone() == "Asia/Tokyo");
    BOOST_TEST((payloads() == Payloads{"tokyo ", "work Asia/Tokyo"}));
    caldav::PropertyPatch unchoose;
    unchoose.remove.emplace_back(std::string(caldav::names::caldav_ns), "schedule-default-calendar-URL");
    patch(inbox.id, unchoose);
    BOOST_TEST((payloads() == Payloads{"tokyo ", "work America/New_York"}));
    // A calendar that is not the default one changes nothing for the others.
    zone_of(work.id, "Europe/Berlin");
    zone_of(work.id, "");
    BOOST_TEST(kept_zone() == "America/New_York");
    BOOST_TEST((payloads() == Payloads{"tokyo ", "work America/New_York"}));
    // Without "calendar" the first calendar by name is the default ("tokyo");
    // a new "calendar" without a zone is the default again: no zone.
    BOOST_TEST_REQUIRE((f.store().delete_collection(main.id) == StoreStatus::ok));
    BOOST_TEST((payloads() == Payloads{"tokyo ", "work Asia/Tokyo"}));
    make_collection(f, alice, "calendar");
    BOOST_TEST(kept_zone() == "");
    BOOST_TEST((payloads() == Payloads{"tokyo ", "work "}));
}

/// Schema 0024: users stored before the owner's zone was kept have none on
/// their inbox, so their floating reminders fell back to the server's zone.
/// The one-off pass computes it for every user once, and re-indexes the
/// reminders of their calendars without a zone of their own.
void the_owners_zone_of_users_stored_before_it_was_kept_is_filled_in_once(Fixture& f) {
    auto alice = f.add_user("alice", "alice@example.com");
    auto bob = f.add_user("bob", "bob@example.com");
    make_collection(f, alice, "inbox", CollectionKind::inbox);
    auto main = make_collection(f, alice, "calendar");
    auto work = make_collection(f, alice, "work");
    make_collection(f, bob, "inbox", CollectionKind::inbox);
    auto bobs = make_collection(f, bob, "calendar");
    caldav::PropertyPatch new_york;
    new_york.timezone = ical::zone_calendar("America/New_York");
    BOOST_TEST_REQUIRE((f.store().patch_properties(main.id, "", new_york) == StoreStatus::ok));
    f.forget_owner_zones();
    f.reopen();
    auto kept_zone = [&](std::int64_t who) { return f.store().find_collection(who, "inbox")->timezone; };
    BOOST_TEST_REQUIRE(kept_zone(alice) == "");
    // The owner's zone as the indexer sees it, in the payload.
    f.jobs().set_reminder_indexer(zone_indexer());
    // Written as the older version did: in no zone of the owner's.
    put(f, calendar_object(work.id, "a.ics", event("uid-a", day0, day0 + hour, "X-TEST-REMIND:5000\r\n")));
    put(f, calendar_object(bobs.id, "b.ics", event("uid-b", day0, day0 + hour, "X-TEST-REMIND:6000\r\n")));
    auto payloads = [&] { return reminder_payloads(f); };
    using Payloads = std::vector<std::string>;
    BOOST_TEST((payloads() == Payloads{"calendar ", "work "}));
    BOOST_TEST(f.store().backfill_owner_zones() == 1u);  // alice; bob has no zone to keep
    BOOST_TEST(kept_zone(alice) == "America/New_York");
    BOOST_TEST(kept_zone(bob) == "");
    BOOST_TEST((payloads() == Payloads{"calendar ", "work America/New_York"}));
    // Once per database: the next start finds nothing owed.
    f.reopen();
    BOOST_TEST(f.store().backfill_owner_zones() == 0u);
    BOOST_TEST(kept_zone(alice) == "America/New_York");
}

constexpr Case cases[] = {
    {"a_write_set_commits_every_write_with_its_mail_and_jobs_or_none",
     a_write_set_commits_every_write_with_its_mail_and_jobs_or_none},
    {"a_booking_in_a_write_set_refuses_an_overlap_and_undoes_the_set",
     a_booking_in_a_write_set_refuses_an_overlap_and_undoes_the_set},
    {"due_jobs_of_the_asked_kinds_are_leased_earliest_first",
     due_jobs_of_the_asked_kinds_are_leased_earliest_first},
    {"an_expired_lease_passes_to_another_worker_and_the_first_cannot_finish",
     an_expired_lease_passes_to_another_worker_and_the_first_cannot_finish},
    {"a_retry_counts_an_attempt_and_a_failed_job_is_kept_and_never_leased",
     a_retry_counts_an_attempt_and_a_failed_job_is_kept_and_never_leased},
    {"next_job_due_says_when_to_look_again", next_job_due_says_when_to_look_again},
    {"the_owners_zone_follows_their_default_calendar_and_moves_the_reminders_of_calendars_without_a_zone",
     the_owners_zone_follows_their_default_calendar_and_moves_the_reminders_of_calendars_without_a_zone},
    {"the_owners_zone_of_users_stored_before_it_was_kept_is_filled_in_once",
     the_owners_zone_of_users_stored_before_it_was_kept_is_filled_in_once},
    {"list_jobs_lists_one_kind_or_all_by_id", list_jobs_lists_one_kind_or_all_by_id},
    {"concurrent_workers_never_lease_one_job_twice", concurrent_workers_never_lease_one_job_twice},
    {"concurrent_writers_all_commit_and_each_gets_its_own_revision",
     concurrent_writers_all_commit_and_each_gets_its_own_revision},
    {"everything_written_is_there_after_a_reopen", everything_written_is_there_after_a_reopen},
    {"complete_job_with_enqueues_its_follow_ups_once_per_delivery_key",
     complete_job_with_enqueues_its_follow_ups_once_per_delivery_key},
    {"release_leases_gives_back_the_jobs_of_one_worker", release_leases_gives_back_the_jobs_of_one_worker},
    {"an_objects_reminder_jobs_are_replaced_with_every_write_and_go_with_it",
     an_objects_reminder_jobs_are_replaced_with_every_write_and_go_with_it},
    {"extend_reminders_asks_only_for_the_reminders_after_those_queued",
     extend_reminders_asks_only_for_the_reminders_after_those_queued},
    {"a_calendars_reminder_settings_reach_the_indexer_and_changing_them_reindexes_its_objects",
     a_calendars_reminder_settings_reach_the_indexer_and_changing_them_reindexes_its_objects},
};

}  // namespace

std::span<const Case> jobs_cases() { return cases; }

}  // namespace contract
