// ReminderWorker: runs the reminder jobs of the job queue (issue 26): a due
// reminder becomes its e-mail (a mail job) or push message (a webpush job)
// in the transaction that completes it, recorded as delivered, so that it is
// delivered once; and a periodic job extends the reminder index's horizon.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "caldav/reminders.hpp"
#include "caldav/store.hpp"
#include "caldav/store_jobs.hpp"
#include "src/config/config.hpp"
#include "src/jobs/job_runner.hpp"

namespace server {

/// What the worker needs besides the store.
struct ReminderWorkerConfig {
    caldav::ReminderPolicy policy;
    std::string mail_from;   ///< [smtp] from; empty: no relay, e-mail reminders are skipped
    std::string public_url;  ///< base of the event links in e-mail; empty: no link
    std::string worker = node_worker_name("reminder");  ///< lease owner name, unique per node
};

/// The policy the [reminders] settings ask for; floating times remind in
/// `time_zone` ([api] time-zone) where a calendar names no zone.
caldav::ReminderPolicy reminder_policy(const ReminderConfig& c, const std::string& time_zone = "UTC");

/// The store's ReminderIndexer (caldav::schedule_reminders) on `clock`.
caldav::ReminderIndexer reminder_indexer(const caldav::ReminderPolicy& policy, JobClock clock);

/// Delivers reminders. `store` (object reads) and `jobs` (the queue) must
/// outlive it; one Backend is both. Its construction gives back the leases
/// an earlier process of the same worker name held (it crashed or was
/// killed), so the reminders it was running are run now, not when their
/// leases end.
class ReminderWorker {
public:
    ReminderWorker(caldav::Store& store, caldav::JobStore& jobs, ReminderWorkerConfig config, JobClock clock);
    ReminderWorker(const ReminderWorker&) = delete;
    ReminderWorker& operator=(const ReminderWorker&) = delete;

    /// Queues the horizon job when none is queued (at startup).
    void ensure_horizon_job(std::int64_t now);
    /// Calls `wake` each time a delivery has queued its e-mail or push jobs
    /// (the mail and push workers' poke), so that they are handed on at once.
    /// Set before start().
    void on_delivery(std::function<void()> wake) { runner_.after_enqueue(std::move(wake)); }
    /// Starts the thread (see JobRunner::start).
    void start() { runner_.start(); }
    /// Stops after the job being run. Idempotent.
    void stop() { runner_.stop(); }
    /// One pass at `now` (unix seconds); returns how many jobs ran. For tests.
    std::size_t run_due_at(std::int64_t now) { return runner_.run_due_at(now); }

    /// One reminder job's run: the delivery's jobs, or why there is none.
    JobOutcome deliver(const caldav::JobRecord& job, std::int64_t now);
    /// The horizon job's run: extends the index, prunes old delivery
    /// records, and queues itself again.
    JobOutcome extend(const caldav::JobRecord& job, std::int64_t now);

private:
    caldav::Store& store_;
    caldav::JobStore& jobs_;
    ReminderWorkerConfig config_;
    JobRunner runner_;
};

}  // namespace server
