// MailWorker: the server thread that empties the durable mail queue (schema
// 0007) through the SMTP relay, retrying with exponential backoff.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "caldav/limits.hpp"
#include "src/config/config.hpp"
#include "src/storage/sqlite_store.hpp"

namespace server {

/// Sends queued email: due messages are leased, handed to the relay, deleted
/// on success; a failure is logged and retried after retry_min, doubling up
/// to retry_max, until the message is older than give_up (then dropped,
/// logged as an error, and the organizer's copy says SCHEDULE-STATUS 5.1 for
/// that attendee). A message the relay refuses for good (a 5xx to RCPT or
/// DATA) is dropped the same way at once. The store must outlive the worker.
class MailWorker {
public:
    MailWorker(SqliteStore& store, SmtpConfig smtp, caldav::Limits limits = {});
    ~MailWorker();
    MailWorker(const MailWorker&) = delete;
    MailWorker& operator=(const MailWorker&) = delete;

    /// Starts the thread; messages queued before a restart are sent too.
    void start();
    /// Wakes the thread to look for due messages now.
    void poke();
    /// Stops after the message being sent, if any. Idempotent.
    void stop();

    /// One pass: sends what is due at `now` (unix seconds). Returns how many
    /// messages were handed over. Used by the thread; public for tests.
    std::size_t run_once(std::int64_t now);

    /// Delay before attempt `failures` + 1: retry_min * 2^(failures - 1), at most retry_max.
    std::int64_t backoff_seconds(std::int64_t failures) const;

private:
    void loop();
    /// Drops a message that will never be sent and tells its organizer.
    void give_up(const QueuedMail& m);

    SqliteStore& store_;
    SmtpConfig smtp_;
    caldav::Limits limits_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    bool poked_ = false;
};

}  // namespace server
