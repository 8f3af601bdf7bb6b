// MailWorker: sends the mail jobs of the job queue (schema 0014) through the
// SMTP relay, retrying with exponential backoff (iMIP, RFC 6047).
#pragma once
#include <atomic>
#include <cstdint>

#include "caldav/limits.hpp"
#include "src/config/config.hpp"
#include "src/jobs/job_runner.hpp"
#include "src/mail/smtp_client.hpp"
#include "caldav/store.hpp"
#include "caldav/store_jobs.hpp"

namespace server {

/// Sends queued email: due mail jobs are leased, handed to the relay, done
/// on success; a failure is logged and retried after retry_min, doubling up
/// to retry_max, until the message is older than give_up (then failed for
/// good, logged as an error, and the organizer's copy says SCHEDULE-STATUS
/// 5.1 for that attendee). A message the relay refuses for good (a 5xx to
/// RCPT or DATA) fails the same way at once. Up to smtp.connections messages
/// are sent at once, each connection carrying up to
/// smtp.messages_per_connection of them (SmtpPool); each message is its own
/// job, so its outcome is recorded once and a failure retries only it.
/// `store` (for the 5.1 status) and `jobs` (the queue) must outlive the
/// worker; one Backend is both.
class MailWorker {
public:
    MailWorker(caldav::Store& store, caldav::JobStore& jobs, SmtpConfig smtp, caldav::Limits limits = {});
    MailWorker(const MailWorker&) = delete;
    MailWorker& operator=(const MailWorker&) = delete;

    /// Starts the thread; messages queued before a restart are sent too.
    void start() { runner_.start(); }
    /// Wakes the thread to look for due messages now.
    void poke() { runner_.wake(); }
    /// Stops after the messages being sent, if any, and closes the
    /// connections. Idempotent.
    void stop() {
        runner_.stop();
        pool_.close_idle();
    }

    /// One pass: sends what is due at `now` (unix seconds). Returns how many
    /// messages the relay accepted. Used by the thread; public for tests.
    std::size_t run_once(std::int64_t now);

    /// Delay before attempt `failures` + 1: retry_min * 2^(failures - 1), at most retry_max.
    std::int64_t backoff_seconds(std::int64_t failures) const { return retry_.delay_after(failures); }

private:
    /// Sends one mail job's message; runs on several threads at once.
    JobOutcome send(const caldav::JobRecord& job, std::int64_t now);
    /// Tells the organizer of a message that will never be sent.
    void give_up(const caldav::OutgoingMail& m);

    caldav::Store& store_;
    SmtpConfig smtp_;
    caldav::Limits limits_;
    RetryPolicy retry_;
    std::atomic<std::size_t> sent_{0};  ///< accepted by the relay in the current pass
    SmtpPool pool_;
    JobRunner runner_;
};

}  // namespace server
