// The mail jobs' sender (iMIP, RFC 6047; issue 6 §5), on the job queue
// (issue 23 §7).
#include "src/mail/mail_worker.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <limits>

#include "caldav/imip.hpp"
#include "src/util/log.hpp"
#include "src/util/metrics.hpp"

namespace server {

namespace {

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

/// Messages taken per pass and the lease: longer than one attempt (two
/// tries when a reused connection was found closed) and the wait for a free
/// connection, so a message being sent is not taken again, and one whose
/// sender died is retried once the lease ends. A pass's messages are sent on
/// smtp.connections threads, each holding one connection of the pool, and
/// their completions share the store's group commit.
JobRunnerOptions runner_options(const SmtpConfig& smtp) {
    JobRunnerOptions o;
    o.worker = node_worker_name("mail");
    o.lease_seconds = smtp.timeout.count() * 4 + 60;
    o.parallel = std::max<std::size_t>(smtp.connections, 1);
    o.batch = std::max<std::size_t>(16, 8 * o.parallel);
    o.idle_poll = std::chrono::seconds(1);
    return o;
}

}  // namespace

MailWorker::MailWorker(caldav::Store& store, caldav::JobStore& jobs, SmtpConfig smtp, caldav::Limits limits)
    : store_(store),
      smtp_(std::move(smtp)),
      limits_(limits),
      // Giving up is by age (give_up), not by a count of attempts.
      retry_{smtp_.retry_min.count(), smtp_.retry_max.count(), std::numeric_limits<std::int64_t>::max()},
      pool_(smtp_),
      runner_(jobs, &now_seconds, runner_options(smtp_)) {
    // Messages an earlier process was sending when it died go out now, not
    // when their leases end (a message cut off mid-send may arrive twice:
    // SMTP hand-over is at-least-once).
    if (auto n = jobs.release_leases(node_worker_name("mail")); n > 0)
        log::info("mail: took back " + std::to_string(n) + " messages an earlier run held");
    runner_.handle(std::string(caldav::mail_job_kind),
                   [this](const caldav::JobRecord& job, std::int64_t now) { return send(job, now); },
                   retry_);
}

std::size_t MailWorker::run_once(std::int64_t now) {
    sent_ = 0;
    runner_.run_due_at(now);
    return sent_;
}

JobOutcome MailWorker::send(const caldav::JobRecord& job, std::int64_t now) {
    auto m = caldav::mail_of_job(job.owner_id, job.payload);
    if (!m) return JobOutcome::fail("not a mail job payload");
    const auto id = std::to_string(job.id);
    if (now - job.created_at >
        std::chrono::duration_cast<std::chrono::seconds>(smtp_.give_up).count()) {
        log::error("imip: giving up on mail " + id + " to " + m->recipient + " about " + m->uid +
                   " after " + std::to_string(job.attempts) + " attempts; last error: " +
                   job.last_error);
        give_up(*m);
        metrics::registry().record_delivery_failure(metrics::Channel::email, metrics::DeliveryFailure::given_up);
        return JobOutcome::fail("given up after " + std::to_string(job.attempts) +
                                " attempts: " + job.last_error);
    }
    auto result = pool_.send(m->envelope_sender, m->recipient, m->message);
    if (result.ok) {
        log::info("imip: sent mail " + id + " to " + m->recipient + " about " + m->uid);
        ++sent_;
        metrics::registry().record_delivery(metrics::Channel::email, delivery_lateness(job));
        return JobOutcome::done();
    }
    if (result.permanent) {
        log::error("imip: the relay refused mail " + id + " to " + m->recipient +
                   " for good: " + result.error);
        give_up(*m);
        metrics::registry().record_delivery_failure(metrics::Channel::email, metrics::DeliveryFailure::refused);
        return JobOutcome::fail(result.error);
    }
    log::warn("imip: mail " + id + " to " + m->recipient + " not sent (attempt " +
              std::to_string(job.attempts + 1) + "): " + result.error + "; retrying in " +
              std::to_string(backoff_seconds(job.attempts + 1)) + " s");
    metrics::registry().record_delivery_failure(metrics::Channel::email, metrics::DeliveryFailure::retry);
    return JobOutcome::retry(result.error);
}

void MailWorker::give_up(const caldav::OutgoingMail& m) {
    // RFC 6638 §3.2.9: 5.1, could not be delivered, replaces 1.1 on the copy.
    if (m.principal_id > 0 && !m.uid.empty())
        caldav::record_schedule_status(store_, limits_, m.principal_id, m.uid, m.recipient, "5.1");
}

}  // namespace server
