// JobRunner: runs the jobs of a caldav::JobStore (schema 0014) with handlers
// per kind, leases, retries with exponential backoff and an injected clock
// (issue 23 §7). E-mail, reminders and index-horizon extension run on it.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "caldav/store_jobs.hpp"

namespace server {

/// What one run of a job came to.
struct JobOutcome {
    enum class Kind {
        done,   ///< finished: the job is removed
        retry,  ///< failed for now: run again after the kind's backoff
        fail,   ///< failed for good: kept as failed, never run again
    };
    Kind kind = Kind::done;
    std::string error;  ///< why, for retry and fail
    /// done: jobs enqueued in the transaction that removes this one (a
    /// reminder's e-mail), and the delivery recorded with them
    /// (JobStore::complete_job_with); a delivery recorded before enqueues nothing.
    std::vector<caldav::NewJob> next;
    std::string delivery_key;

    static JobOutcome done() { return {}; }
    static JobOutcome done_with(std::vector<caldav::NewJob> next, std::string delivery_key) {
        return {Kind::done, {}, std::move(next), std::move(delivery_key)};
    }
    static JobOutcome retry(std::string why) { return {Kind::retry, std::move(why), {}, {}}; }
    static JobOutcome fail(std::string why) { return {Kind::fail, std::move(why), {}, {}}; }
};

/// Runs one job at `now` (unix seconds, the runner's clock); may throw
/// (taken as a retry with the exception's text).
using JobHandler = std::function<JobOutcome(const caldav::JobRecord& job, std::int64_t now)>;

/// When a job that asked for a retry runs again: `first_delay` after the
/// first failure, doubling up to `max_delay`; after `max_attempts` runs the
/// job fails for good.
struct RetryPolicy {
    std::int64_t first_delay = 30;    ///< seconds
    std::int64_t max_delay = 3600;    ///< seconds
    std::int64_t max_attempts = 20;   ///< runs, the first one included

    /// Seconds to wait after the run numbered `attempt` (1 = the first) failed.
    std::int64_t delay_after(std::int64_t attempt) const;
};

/// Seconds since the Unix epoch; tests give a clock they move.
using JobClock = std::function<std::int64_t()>;

struct JobRunnerOptions {
    std::string worker = "worker";    ///< lease owner name, unique per runner (node:thread)
    std::int64_t lease_seconds = 300; ///< a job's lease: longer than a run may take
    std::size_t batch = 16;           ///< jobs leased at once
    std::chrono::milliseconds idle_poll{5000};  ///< longest sleep when nothing is due
    /// Jobs of one pass run on this many threads at once, so that their
    /// completions share the store's group commit (one fsync for many)
    /// instead of one fsync each. 1: in order, on the calling thread. The
    /// handlers must then be safe to run concurrently.
    std::size_t parallel = 1;
};

/// A lease owner name for `role` ("mail", "push", "reminder") unique per
/// host and stable across restarts: ROLE@HOSTNAME. A worker starting up
/// gives back the leases its name holds (JobStore::release_leases): its
/// earlier process was killed, so the jobs it held run now, not when their
/// leases end; the host name keeps it from taking another node's jobs.
std::string node_worker_name(std::string_view role);

/// How long after it was due a job that delivers something runs, on the
/// wall clock in milliseconds: from its due_at on its first run (a reminder
/// queues its e-mail due at the reminder's trigger), from its creation on a
/// retry (due_at has moved). For the delivery metrics (issue 26 §7).
std::chrono::milliseconds delivery_lateness(const caldav::JobRecord& job);

/// Leases due jobs of the kinds it has handlers for and runs them. run_due()
/// does one pass on the caller's thread (tests); start() runs passes on a
/// thread of its own until stop().
class JobRunner {
public:
    JobRunner(caldav::JobStore& store, JobClock clock, JobRunnerOptions options = {});
    ~JobRunner();
    JobRunner(const JobRunner&) = delete;
    JobRunner& operator=(const JobRunner&) = delete;

    /// Runs jobs of `kind` with `handler`; set before start().
    void handle(const std::string& kind, JobHandler handler, RetryPolicy retry = {});

    /// Leases the jobs due now and runs each once; returns how many ran.
    std::size_t run_due() { return run_due_at(clock_()); }
    /// The same at `now` (unix seconds), for callers that hold the time.
    std::size_t run_due_at(std::int64_t now);

    /// Starts the runner's thread: passes until stop(), sleeping until the
    /// next due job (at most idle_poll) or wake().
    void start();
    /// Lets the running pass finish, then joins the thread. Idempotent.
    void stop();
    /// Looks for due jobs now (after a write that enqueued one).
    void wake();
    /// Calls `hook` (on the runner's thread) after each job whose completion
    /// enqueued jobs (JobOutcome::next): a reminder wakes the mail and push
    /// workers so that its e-mail is handed on at once, not at their next poll.
    /// Set before start().
    void after_enqueue(std::function<void()> hook) { after_enqueue_ = std::move(hook); }

private:
    struct Kind {
        JobHandler handler;
        RetryPolicy retry;
    };
    void finish(const caldav::JobRecord& job, const Kind& kind, JobOutcome outcome, std::int64_t now);
    /// After its outcome could not be recorded (the store was busy or
    /// failed): releases the job to run again a second later; never throws.
    void give_back(const caldav::JobRecord& job, std::int64_t now, const std::string& why);
    /// Runs one leased job and records its outcome; never throws.
    void run_one(const caldav::JobRecord& job, std::int64_t now);
    void loop();

    caldav::JobStore& store_;
    JobClock clock_;
    JobRunnerOptions options_;
    std::map<std::string, Kind> kinds_;
    std::vector<std::string> kind_names_;
    std::function<void()> after_enqueue_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    bool woken_ = false;
    std::thread thread_;
};

}  // namespace server
