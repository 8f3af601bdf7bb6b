// Every write of one user action, committed together (issue 23 §3): the
// user's own object, each local attendee's copy and inbox item, room
// bookings, the email and later jobs. The service plans them by reading
// (caldav/write_plan.hpp); the store commits them all or none.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "caldav/store.hpp"
#include "caldav/store_jobs.hpp"

namespace caldav {

/// One object written by an action.
struct ObjectWrite {
    enum class Kind {
        put,     ///< create or replace `object` (its conditions checked)
        remove,  ///< delete `object.collection_id`/`object.name` (if_match, if_schedule_tag_match checked)
        book,    ///< put, refused with `conflict` when it overlaps another booking of `booking_owner`
    };
    Kind kind = Kind::put;
    PutObject object;
    std::int64_t booking_owner = 0;  ///< book: the room or resource whose calendars hold no overlap
    /// libical's parse of exactly `object.data` when the plan holds one (the
    /// data's validation made it), for the store's reminder indexer to read
    /// instead of parsing the text again (ReminderSource::parsed); null: none.
    std::shared_ptr<icalcomponent_impl> parsed = nullptr;
};

/// The answer to a POST sent with an Idempotency-Key (issue 24), kept so
/// that a retry of the same request gets it again instead of a second write.
struct IdempotencyRecord {
    std::int64_t principal_id = 0;  ///< who sent it: keys are per principal
    std::string key;                ///< the Idempotency-Key header's value
    std::string request_hash;       ///< of the request (method, path, body): a reuse with another body is an error
    int status = 0;                 ///< the HTTP status answered
    std::string body;               ///< the body answered
    std::int64_t created_at = 0;    ///< unix seconds
};

/// The writes of one action, in the order they apply.
struct WriteSet {
    std::vector<ObjectWrite> writes;
    std::vector<OutgoingMail> mail;  ///< queued as mail jobs, due at once
    std::vector<NewJob> jobs;
    /// Recorded in the same transaction as the writes; a record already held
    /// for (principal_id, key) refuses the whole commit (CommitResult::idempotency_taken).
    std::optional<IdempotencyRecord> idempotency;
};

/// Outcome of Store::commit.
struct CommitResult {
    /// ok: every write applied. Else nothing was written, and `failed` is the
    /// write that was refused (its status here: etag_mismatch, exists,
    /// uid_conflict, not_found, conflict), or writes.size() when the store
    /// itself failed (busy, full) or the idempotency record was refused.
    StoreStatus status = StoreStatus::ok;
    std::size_t failed = 0;
    /// True when nothing was written because `WriteSet::idempotency` names a
    /// (principal_id, key) that already has a record (status `exists`,
    /// failed = writes.size()): a concurrent request with the key won; read
    /// its answer with IdempotencyStore::find_idempotency.
    bool idempotency_taken = false;
    /// One per write when ok; on failure, the refused write's result alone
    /// (uid_conflict names the holder in `conflicting_name`).
    std::vector<PutResult> results;
};

}  // namespace caldav
