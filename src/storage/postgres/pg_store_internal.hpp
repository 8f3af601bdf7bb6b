// What the pg_store_*.cpp files share: PgStore's transaction templates, the
// column lists and how records are read from rows. Not for use outside them.
#pragma once
#include <ctime>
#include <string>
#include <string_view>

#include "src/storage/postgres/pg_store.hpp"

namespace server::pgrows {

inline std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

/// The StoreStatus of a failed statement that callers answer rather than
/// throw: the server unreachable or overloaded (busy), disk full (full).
/// Any other error is a bug and is thrown on.
caldav::StoreStatus status_of(const pg::Error& e);

/// Whether a transaction failing with `e` should simply run again.
inline bool retryable(const pg::Error& e) { return e.sqlstate() == "40001" || e.sqlstate() == "40P01"; }

const char* kind_name(caldav::CollectionKind k);

inline constexpr std::string_view collection_columns =
    "id, owner_id, name, kind, display_name, description, timezone, components, revision, "
    "sync_floor, created_at, modified_at";

/// collection_columns qualified by `alias` ("k.").
std::string collection_columns_of(std::string_view alias);

/// A collection from collection_columns starting at column `at` of `row`.
caldav::CollectionRecord collection_from(const pg::Result& r, int row, int at = 0);

inline constexpr std::string_view object_columns =
    "id, collection_id, name, uid, component, etag, schedule_tag, size, revision, first_start, "
    "last_end, created_at, modified_at, data, content_type";

/// object_columns qualified by `alias` ("o."), data as NULL unless wanted.
std::string object_columns_of(std::string_view alias, bool with_data);

/// Fills `o` from object_columns starting at column `at` of `row`.
void read_object(const pg::Result& r, int row, caldav::ObjectRecord& o, bool with_data, int at = 0);

inline caldav::ObjectRecord object_from(const pg::Result& r, int row, bool with_data, int at = 0) {
    caldav::ObjectRecord o;
    read_object(r, row, o, with_data, at);
    return o;
}

/// The owner of collection `collection_id`, or 0 when it is gone (inside a write: locks nothing).
std::int64_t owner_of_collection(pg::Conn& c, std::int64_t collection_id);

/// Bumps a collection's revision (locking its row until commit, so that
/// writers of one collection take revisions in commit order) and logs `name`
/// as changed at it. 0 when the collection is gone.
std::int64_t log_change(pg::Conn& c, std::int64_t collection_id, std::string_view name, bool deleted,
                        std::int64_t now);

}  // namespace server::pgrows

namespace server {

template <class F>
auto PgStore::write(F&& fn) -> std::invoke_result_t<F, pg::Conn&> {
    forget_scoped_reads();
    auto conn = take();
    struct Back {
        PgStore* self;
        std::unique_ptr<pg::Conn>& c;
        ~Back() { self->give_back(std::move(c)); }
    } back{this, conn};
    bool reconnected = false;
    for (int attempt = 0;; ++attempt) {
        bool committing = false;
        try {
            conn->begin();  // sent with the first statement
            // `fn` may have committed already with its last statement (pg::Conn::query_and_commit).
            if constexpr (std::is_void_v<std::invoke_result_t<F, pg::Conn&>>) {
                fn(*conn);
                committing = true;
                if (conn->in_transaction()) conn->exec("COMMIT");
                return;
            } else {
                auto result = fn(*conn);
                committing = true;
                if (conn->in_transaction()) conn->exec("COMMIT");
                return result;
            }
        } catch (const pg::Error& e) {
            // A pooled connection the server closed since (a restart, a
            // terminated backend): its transaction is gone, so it runs once
            // more on a new one, unless the COMMIT itself was lost (its
            // outcome unknown, the error is the caller's).
            if (!conn->ok() && !committing && !conn->commit_sent() && !reconnected) {
                reconnected = true;
                conn = std::make_unique<pg::Conn>(options_.url, options_.password);
                continue;
            }
            if (conn->ok() && conn->in_transaction()) conn->exec("ROLLBACK");
            if (!pgrows::retryable(e) || attempt >= 20) throw;
        } catch (...) {
            if (conn->ok() && conn->in_transaction()) conn->exec("ROLLBACK");
            throw;
        }
    }
}

namespace pgrows {
/// The store and connection of the read the calling thread is inside (its
/// visitor running): reads it makes meanwhile use that connection and
/// snapshot rather than wait for a second one from the pool.
inline thread_local const PgStore* reading_store = nullptr;
inline thread_local pg::Conn* reading_conn = nullptr;
}  // namespace pgrows

template <class F>
auto PgStore::read(F&& fn, bool snapshot) -> std::invoke_result_t<F, pg::Conn&> {
    if (pgrows::reading_store == this && pgrows::reading_conn) return fn(*pgrows::reading_conn);
    auto conn = take();
    struct Back {
        PgStore* self;
        std::unique_ptr<pg::Conn>& c;
        ~Back() {
            pgrows::reading_store = nullptr;
            pgrows::reading_conn = nullptr;
            if (c->ok() && c->in_transaction()) {
                try {
                    c->exec("ROLLBACK");
                } catch (const pg::Error&) {
                    // A lost connection is dropped by give_back.
                }
            }
            self->give_back(std::move(c));
        }
    } back{this, conn};
    for (bool reconnected = false;; reconnected = true) {
        try {
            if (snapshot) conn->begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");  // sent with the first read
            pgrows::reading_store = this;
            pgrows::reading_conn = conn.get();
            return fn(*conn);
        } catch (const pg::Error&) {
            // A pooled connection the server closed since: reads run once more on a new one.
            if (reconnected || conn->ok()) throw;
            conn = std::make_unique<pg::Conn>(options_.url, options_.password);
        }
    }
}

}  // namespace server

namespace server::pgrows {

/// Moves the sync state of a home a grant changed (issue 25 §7), with
/// `child` logged as changed when not empty; inside the caller's write.
void touch_home(pg::Conn& c, std::int64_t principal_id, std::string_view child);

/// The name a change of calendar `collection_id` is logged under in a
/// grantee's home (caldav::shared_change_name, "/shared/OWNER/CALENDAR"),
/// or empty when the calendar is gone; inside the caller's transaction.
std::string shared_child(pg::Conn& c, std::int64_t collection_id);

/// PgStore::remove_grant inside the caller's write transaction: both homes
/// log the shared calendar. `not_found` when there is no such grant.
caldav::StoreStatus remove_grant_row(pg::Conn& c, std::int64_t collection_id, std::int64_t grantee_id);

/// Replaces the dead properties of member `to` by those of member `from`
/// (RFC 4918 §9.8.2); inside the caller's write transaction.
void copy_dead_properties(pg::Conn& c, std::int64_t from_collection, std::string_view from_name,
                          std::int64_t to_collection, std::string_view to_name);

/// Adds the instance rows of `index` for object `object_id` (of `owner_id`,
/// in `collection_id`, with none yet) and widens the collection's
/// longest-instance bound; the object's index state is the caller's to
/// write. Inside the caller's write transaction.
void insert_instance_rows(pg::Conn& c, std::int64_t owner_id, std::int64_t object_id, std::int64_t collection_id,
                          const caldav::InstanceIndex& index);

/// Replaces the instance rows of object `object_id` (of `owner_id`, in
/// `collection_id`) with `index`, records its index state and widens the
/// collection's longest-instance bound; inside the caller's write transaction.
void write_instances(pg::Conn& c, std::int64_t owner_id, std::int64_t object_id, std::int64_t collection_id,
                     const caldav::InstanceIndex& index);

/// Replaces the reminder jobs of calendar object `object_id` (issue 26) by
/// those `indexer` gives, inside the caller's write transaction: with `after`
/// empty (the object was written) its jobs due after the indexer's now go;
/// with `after` (the horizon is extended) jobs are only added. Objects
/// outside calendars get none. Does nothing without an indexer.
void index_reminders(pg::Conn& c, const caldav::ReminderIndexer& indexer, std::int64_t object_id,
                     std::int64_t collection_id, std::string_view name, std::string_view data,
                     std::optional<std::int64_t> after);

/// index_reminders for each object with alarms in calendar `collection_id`
/// of `owner_id` (its push-display-alarms or calendar-timezone changed),
/// inside the caller's write transaction.
void reindex_collection_reminders(pg::Conn& c, const caldav::ReminderIndexer& indexer, std::int64_t owner_id,
                                  std::int64_t collection_id);

/// Recomputes the zone of `owner_id` (caldav::CollectionStore) inside the
/// caller's write transaction; when it changed, keeps it on their inbox and
/// re-indexes the reminders of their calendars without a zone of their own
/// (the floating times among them move). Nothing for a user without inbox:
/// the server's zone applies to them.
bool refresh_owner_zone(pg::Conn& c, const caldav::ReminderIndexer& indexer, std::int64_t owner_id);

/// Remembers `page`, the members of collection `collection_id` after
/// `after` that list_objects_page gives the calling thread, so that its
/// members' dead properties can be read in one query (PgStore::dead_properties).
void note_listed_page(const PgStore* store, std::int64_t collection_id, std::string_view after,
                      const std::vector<caldav::ObjectRecord>& page);

/// A member just created by a bulk write, for index_new_reminders.
struct BulkMember {
    std::int64_t object_id = 0;
    std::string_view name, data;
};

/// index_reminders for members created in the caller's transaction (none
/// has jobs or a reminder index row yet): their jobs and index rows in two
/// statements whatever their number.
void index_new_reminders(pg::Conn& c, const caldav::ReminderIndexer& indexer, std::int64_t collection_id,
                         const std::vector<BulkMember>& members);

/// Whether commit() may write `set` with bulk_put: two or more puts of new
/// members into one calendar (distinct names and UIDs), without conditions
/// other than If-None-Match, idempotency key, mail or jobs.
bool bulk_eligible(const caldav::WriteSet& set);

/// Writes a bulk_eligible `set` in a few statements and commits it (the
/// collection's revision taken last, with the COMMIT); the results in set
/// order. nullopt, having written nothing, when the calendar is gone or a
/// name or UID of the set is taken already: the caller writes one by one.
std::optional<std::vector<caldav::PutResult>> bulk_put(pg::Conn& c, const caldav::WriteSet& set,
                                                       const caldav::ReminderIndexer& reminders);

/// The instance rows of one object, for copies.
caldav::InstanceIndex read_instances(pg::Conn& c, std::int64_t object_id);

}  // namespace server::pgrows
