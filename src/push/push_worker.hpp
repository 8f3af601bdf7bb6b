// PushWorker: runs the "webpush" and "davpush" jobs of the job queue
// (issue 26 §5): a user's push reminders to each of their Web Push
// subscriptions, and WebDAV-Push messages to the registrations on a changed
// collection, encrypted (RFC 8291) and signed (RFC 8292) by src/push/web_push.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include "caldav/store_jobs.hpp"
#include "caldav/store_push.hpp"
#include "src/jobs/job_runner.hpp"
#include "src/push/web_push.hpp"

namespace server {

/// How push messages are sent.
struct PushWorkerOptions {
    std::string subject = "mailto:postmaster@localhost";  ///< VAPID sub claim
    std::int64_t ttl_seconds = 86400;        ///< TTL header (RFC 8030 §5.2)
    bool allow_http = false;                 ///< deliver to http:// endpoints (tests)
    long timeout_seconds = 30;               ///< one delivery at most
    std::size_t connections = 8;             ///< jobs sent at once, each on a thread of its own
    std::chrono::milliseconds idle_poll{1000};  ///< how soon a collection change is noticed
    RetryPolicy retry{15, 1800, 12};         ///< 429, 5xx and no answer: 15 s doubling, 12 runs
};

/// Sends push jobs with its own JobRunner (lease owner "push"). A 404 or 410
/// from a push service removes that subscription (RFC 8030 §7.3); 429, 5xx
/// and no answer retry the job (for a reminder: only to the subscriptions
/// that did not take it, so nobody gets it twice); other 4xx are logged and
/// dropped. Up to options.connections jobs are sent at once (concurrent HTTP
/// requests); each job's outcome is recorded once, by its own completion. `jobs`, `subscriptions` must outlive the worker; one Backend is both.
class PushWorker {
public:
    PushWorker(caldav::JobStore& jobs, caldav::PushStore& subscriptions, push::EcKey vapid,
               PushWorkerOptions options, JobClock clock = {});
    PushWorker(const PushWorker&) = delete;
    PushWorker& operator=(const PushWorker&) = delete;

    /// Starts the thread; jobs queued before a restart are sent too.
    void start() { runner_.start(); }
    /// Stops after the message being sent, if any. Idempotent.
    void stop() { runner_.stop(); }
    /// Looks for due jobs now.
    void poke() { runner_.wake(); }
    /// One pass at `now` (unix seconds): runs the due push jobs; returns how many ran.
    std::size_t run_once(std::int64_t now) { return runner_.run_due_at(now); }

    /// The VAPID public key, base64url (what subscribers pass as applicationServerKey).
    const std::string& vapid_public_key() const { return public_key_; }

private:
    JobOutcome send_reminder(const caldav::JobRecord& job, std::int64_t now);
    JobOutcome send_collection_change(const caldav::JobRecord& job, std::int64_t now);
    /// Delivers to one subscription and keeps the table in step: last_ok on
    /// success, the row removed when the push service says it is gone.
    push::DeliveryResult send_one(const caldav::PushSubscription& s, const std::string& payload,
                                  const std::string& urgency, const std::string& topic, std::int64_t ttl,
                                  std::int64_t now);

    /// Counts one reminder's delivery to one subscription in the metrics.
    void record(const caldav::JobRecord& job, push::DeliveryResult::Kind kind) const;

    caldav::JobStore& jobs_;
    caldav::PushStore& subscriptions_;
    push::EcKey vapid_;
    std::string public_key_;
    PushWorkerOptions options_;
    JobRunner runner_;
};

}  // namespace server
