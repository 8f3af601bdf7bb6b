// The job queue a store keeps (DESIGN.md "Data": jobs live in one durable,
// leased queue): a capability interface of its own, so that a backend
// implements it beside caldav::Store (issue 23 §5, §7).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "caldav/store.hpp"

// libical's component (icalcomponent), named without its header.
struct icalcomponent_impl;

namespace caldav {

/// A job to enqueue.
struct NewJob {
    std::string kind;           ///< which handler runs it ("mail", "reminder", ...)
    std::int64_t owner_id = 0;  ///< the principal it is for; 0 for none
    std::int64_t due_at = 0;    ///< unix seconds: not run before
    std::string payload;        ///< the kind's own data
};

/// A job as a worker holds it.
struct JobRecord {
    std::int64_t id = 0;
    std::string kind;
    std::int64_t owner_id = 0;
    std::int64_t due_at = 0;
    std::string payload;
    std::int64_t attempts = 0;   ///< earlier runs that ended in a retry
    std::string last_error;
    std::int64_t lease_until = 0;  ///< unix seconds the lease held by the worker ends
    std::optional<std::int64_t> failed_at;  ///< set on a job that failed for good
    std::int64_t created_at = 0;   ///< unix seconds it was enqueued
};

/// The kind of the jobs that send e-mail (iMIP) through the relay.
inline constexpr std::string_view mail_job_kind = "mail";

/// The kind of the jobs that deliver one reminder (issue 26,
/// caldav/reminders.hpp); tied to their calendar object (schema 0018).
inline constexpr std::string_view reminder_job_kind = "reminder";

/// The payload of a mail job: UID, recipient and envelope sender on a line
/// each, then the message (schema 0014 moves queued mail over in this form).
inline std::string mail_job_payload(const OutgoingMail& m) {
    return m.uid + "\n" + m.recipient + "\n" + m.envelope_sender + "\n" + m.message;
}

/// The mail a mail job carries (principal_id from its owner); nullopt when
/// the payload is not in that form.
inline std::optional<OutgoingMail> mail_of_job(std::int64_t owner_id, std::string_view payload) {
    OutgoingMail m;
    m.principal_id = owner_id;
    std::string* fields[] = {&m.uid, &m.recipient, &m.envelope_sender};
    for (auto* field : fields) {
        auto end = payload.find('\n');
        if (end == std::string_view::npos) return std::nullopt;
        field->assign(payload.substr(0, end));
        payload.remove_prefix(end + 1);
    }
    m.message.assign(payload);
    return m;
}

/// An email waiting in the queue (a mail job, schema 0014), as operators and
/// tests see it.
struct QueuedMail {
    std::int64_t id = 0;            ///< the mail job's id
    std::int64_t principal_id = 0;  ///< 0 when the user is gone
    std::string uid;
    std::string recipient;
    std::string envelope_sender;
    std::string message;
    std::int64_t attempts = 0;    ///< failed attempts so far
    std::int64_t created_at = 0;  ///< unix seconds
    std::string last_error;
    std::int64_t next_attempt_at = 0;  ///< unix seconds
};

/// An object whose reminder jobs (issue 26) the store is about to replace,
/// as it hands it to the ReminderIndexer inside the write.
struct ReminderSource {
    std::int64_t owner_id = 0;       ///< the calendar's owner
    std::string_view owner_email;    ///< the owner's address, may be empty
    std::int64_t collection_id = 0;
    std::string_view owner_name;       ///< the owner's URL name
    std::string_view collection_name;  ///< the calendar's URL segment
    std::string_view name;           ///< the member name
    std::string_view data;           ///< its iCalendar text
    /// Reminders due up to this instant are queued already (the horizon
    /// being extended); nullopt: the object was just written.
    std::optional<std::int64_t> after;

    /// The calendar's CALDAV:calendar-timezone text (floating times remind
    /// in its zone), may be empty.
    std::string_view calendar_timezone;
    /// The calendar's push-display-alarms dead property element
    /// (caldav/reminders.hpp), empty when it has none.
    std::string_view display_alarms;
    /// libical's parse of exactly `data` when the write has one (its
    /// validation's), read instead of parsing the text again; null: none.
    /// The indexer only reads it.
    icalcomponent_impl* parsed = nullptr;
    /// The owner's zone, an IANA name (their default calendar's
    /// calendar-timezone as the store keeps it on their inbox, see
    /// CollectionStore): floating times remind in it when the calendar
    /// names no zone of its own. Empty: the owner has none.
    std::string_view owner_time_zone;
};

/// The reminder jobs of one object in a window of time.
struct ReminderSchedule {
    std::int64_t now = 0;  ///< the indexer's clock: jobs due after it are replaced, earlier ones kept
    std::vector<NewJob> jobs;  ///< due after `now` (and after `after`), up to `indexed_until`
    /// How far the jobs reach; nullopt when the object has no alarm at all
    /// (nothing to extend later).
    std::optional<std::int64_t> indexed_until;
};

/// Computes a calendar object's reminder jobs; called by the store inside the
/// transaction of every write of a calendar object (any path: PUT, the JSON
/// API, scheduling, COPY/MOVE), so that the reminder index changes with the
/// object or not at all. Must not call the store; should not throw (a throw
/// counts as no reminders).
using ReminderIndexer = std::function<ReminderSchedule(const ReminderSource&)>;

/// A durable queue of jobs leased to workers. Every call is one transaction.
/// Times are unix seconds from the caller's clock (tests move it).
class JobStore {
public:
    virtual ~JobStore() = default;

    /// Adds jobs in one transaction; their ids in `ids` when given.
    virtual StoreStatus enqueue_jobs(const std::vector<NewJob>& jobs,
                                     std::vector<std::int64_t>* ids = nullptr) = 0;

    /// Leases to `worker`, until `lease_until`, up to `limit` jobs of one of
    /// `kinds` that are due at `now`, not failed, and not leased (or whose
    /// lease ended before `now`), earliest due first. Two callers never get
    /// the same job while its lease runs.
    virtual std::vector<JobRecord> lease_jobs(const std::vector<std::string>& kinds,
                                              std::int64_t now, std::int64_t lease_until,
                                              std::string_view worker, std::size_t limit) = 0;

    /// Removes a job `worker` holds (it ran). `not_found` when the job is gone
    /// or its lease passed to another worker: then the caller's run does not
    /// count, and whoever holds it now decides.
    virtual StoreStatus complete_job(std::int64_t id, std::string_view worker) = 0;

    /// Gives a job `worker` holds back, due again at `due_at`, with one more
    /// attempt and `error` recorded. `not_found` as for complete_job.
    virtual StoreStatus retry_job(std::int64_t id, std::string_view worker, std::int64_t due_at,
                                  std::string_view error) = 0;

    /// Marks a job `worker` holds as failed for good at `now`: kept with
    /// `error` for operators, never leased again. `not_found` as for complete_job.
    virtual StoreStatus fail_job(std::int64_t id, std::string_view worker, std::int64_t now,
                                 std::string_view error) = 0;

    /// The earliest due_at of a job of `kinds` that is not failed (its lease
    /// end when leased), or nullopt: when a worker should look again.
    virtual std::optional<std::int64_t> next_job_due(const std::vector<std::string>& kinds) = 0;

    /// Removes a job `worker` holds, and in the same transaction enqueues
    /// `next` (its follow-ups: the e-mail a reminder sends) and, unless
    /// `delivery_key` is empty, records that delivery. `exists` when that key
    /// was recorded already: the job is removed and `next` is not enqueued
    /// (a delivery made once is never made again). `not_found` as for
    /// complete_job, nothing enqueued.
    virtual StoreStatus complete_job_with(std::int64_t id, std::string_view worker, const std::vector<NewJob>& next,
                                          std::string_view delivery_key, std::int64_t now) = 0;

    /// Gives back every job leased to `worker` (due again as it was): for a
    /// worker starting up, whose earlier process cannot be running them any
    /// more. Returns how many.
    virtual std::size_t release_leases(std::string_view worker) = 0;

    /// Sets the indexer the store calls on every write of a calendar object
    /// (nullptr: none; reminder jobs are then left as they are). Set once,
    /// before writes begin.
    virtual void set_reminder_indexer(ReminderIndexer indexer) = 0;

    /// Extends the reminder index: for up to `limit` objects with alarms
    /// whose reminders are queued only up to before `before`, asks the
    /// indexer for the ones after and queues them, in one transaction.
    /// Returns how many objects it extended (0: none left).
    virtual std::size_t extend_reminders(std::int64_t before, std::size_t limit) = 0;

    /// Deletes delivery records (complete_job_with) made before `before`;
    /// returns how many.
    virtual std::size_t prune_deliveries(std::int64_t before) = 0;

    /// Every job of `kind` (all kinds when empty), failed ones too, by id:
    /// for operators and tests.
    virtual std::vector<JobRecord> list_jobs(std::string_view kind) = 0;

    /// Every queued message not given up, oldest first (for the CLI and
    /// tests): the mail jobs read as mail, whichever backend keeps them.
    std::vector<QueuedMail> list_mail() {
        std::vector<QueuedMail> out;
        for (const auto& j : list_jobs(mail_job_kind)) {
            if (j.failed_at) continue;  // given up: kept for operators, no longer queued
            auto m = mail_of_job(j.owner_id, j.payload);
            if (!m) continue;
            out.push_back({j.id, j.owner_id, m->uid, m->recipient, m->envelope_sender, m->message, j.attempts,
                           j.created_at, j.last_error, j.due_at});
        }
        return out;
    }
};

}  // namespace caldav
