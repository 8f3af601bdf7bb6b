// Every write of one user action, committed together (issue 23 §3): the
// user's own object, each local attendee's copy and inbox item, room
// bookings, the email and later jobs. The service plans them by reading
// (caldav/write_plan.hpp); the store commits them all or none.
#pragma once
#include <cstddef>
#include <cstdint>
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
};

/// The writes of one action, in the order they apply.
struct WriteSet {
    std::vector<ObjectWrite> writes;
    std::vector<OutgoingMail> mail;  ///< queued as mail jobs, due at once
    std::vector<NewJob> jobs;
};

/// Outcome of Store::commit.
struct CommitResult {
    /// ok: every write applied. Else nothing was written, and `failed` is the
    /// write that was refused (its status here: etag_mismatch, exists,
    /// uid_conflict, not_found, conflict), or writes.size() when the store
    /// itself failed (busy, full).
    StoreStatus status = StoreStatus::ok;
    std::size_t failed = 0;
    /// One per write when ok; on failure, the refused write's result alone
    /// (uid_conflict names the holder in `conflicting_name`).
    std::vector<PutResult> results;
};

}  // namespace caldav
