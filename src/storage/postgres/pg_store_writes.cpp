// PgStore's member writes: put, book, delete, copy and the all-or-nothing
// commit of a WriteSet, each one transaction. A write first locks its
// collection's row (FOR NO KEY UPDATE): writers of one collection then check
// their conditions and take revisions one after another, in commit order.
#include <algorithm>

#include "caldav/store_policy.hpp"
#include "src/storage/postgres/pg_store_internal.hpp"

namespace server {

using caldav::StoreStatus;
using namespace pgrows;

namespace {

std::string resource_uid(std::string_view name) { return "\x01" + std::string(name); }

/// Locks collection `collection_id` for a member write; its owner, or 0 when it is gone.
std::int64_t lock_collection(pg::Conn& c, std::int64_t collection_id) {
    auto r = c.query("SELECT owner_id FROM collections WHERE id = $1 FOR NO KEY UPDATE", pg::params(collection_id));
    return r.empty() ? 0 : r.int64(0, 0);
}

/// A member's current version, as a write checks it.
struct Current {
    std::string etag, schedule_tag, uid;
    bool calendar_data = false;
};

std::optional<Current> current_of(pg::Conn& c, std::int64_t collection_id, std::string_view name) {
    auto r = c.query("SELECT etag, schedule_tag, uid, content_type FROM objects WHERE collection_id = $1 AND name = $2",
                     pg::params(collection_id, name));
    if (r.empty()) return std::nullopt;
    return Current{r.text(0, 0), r.text(0, 1), r.text(0, 2), r.view(0, 3).empty()};
}

/// put_object's conditions (If-None-Match, If-Match, If-Schedule-Tag-Match,
/// the UID rules of RFC 4791 §5.3.2.1); `ok` when the write may go on.
caldav::PutResult check_put(pg::Conn& c, const caldav::PutObject& o, const std::optional<Current>& now_there,
                            const std::string& uid) {
    caldav::PutResult r;
    if (o.if_none_match && now_there) return r.status = StoreStatus::exists, r;
    if ((o.if_match && (!now_there || now_there->etag != *o.if_match)) ||
        (o.if_schedule_tag_match &&
         (!now_there || now_there->schedule_tag.empty() || now_there->schedule_tag != *o.if_schedule_tag_match)))
        return r.status = StoreStatus::etag_mismatch, r;
    if (now_there && now_there->calendar_data && o.content_type.empty() && now_there->uid != uid) {
        r.status = StoreStatus::uid_conflict;
        r.conflicting_name = o.name;
        return r;
    }
    auto holder = c.query("SELECT name FROM objects WHERE collection_id = $1 AND uid = $2 AND name <> $3",
                          pg::params(o.collection_id, uid, o.name));
    if (!holder.empty()) {
        r.status = StoreStatus::uid_conflict;
        r.conflicting_name = holder.text(0, 0);
    }
    return r;
}

/// A put done: its result, and the object's id and owner.
struct Put {
    caldav::PutResult result;
    std::int64_t id = 0, owner_id = 0;
};

/// put_object's work inside a write transaction.
Put put_locked(pg::Conn& c, const caldav::PutObject& o, const caldav::ReminderIndexer& reminders) {
    Put p;
    p.owner_id = lock_collection(c, o.collection_id);
    if (p.owner_id == 0) return p.result.status = StoreStatus::not_found, p;
    auto now_there = current_of(c, o.collection_id, o.name);
    const std::string uid = o.content_type.empty() ? o.uid : resource_uid(o.name);
    p.result = check_put(c, o, now_there, uid);
    if (p.result.status != StoreStatus::ok) return p;
    const auto now = now_seconds();
    const auto revision = log_change(c, o.collection_id, o.name, false, now);
    auto& r = p.result;
    r.etag = caldav::entity_tag(revision, o.data);
    r.created = !now_there;
    r.schedule_tag = caldav::schedule_tag_after(o.schedule_tag, now_there ? now_there->schedule_tag : "", r.etag);
    auto row = c.query(
        "INSERT INTO objects (owner_id, collection_id, name, uid, component, etag, data, size, revision, first_start, "
        "last_end, created_at, modified_at, schedule_tag, content_type, index_state, indexed_until, index_exact) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, 0, NULL, false) "
        "ON CONFLICT (owner_id, collection_id, name) DO UPDATE SET uid = $4, component = $5, etag = $6, data = $7, "
        "size = $8, revision = $9, first_start = $10, last_end = $11, modified_at = $12, schedule_tag = $13, "
        "content_type = $14, index_state = 0, indexed_until = NULL, index_exact = false RETURNING id",
        pg::params(p.owner_id, o.collection_id, o.name, uid, o.component, r.etag, o.data, o.data.size(), revision,
                   o.first_start, o.last_end, now, r.schedule_tag, o.content_type));
    p.id = row.int64(0, 0);
    if (now_there) c.query("DELETE FROM room_holds WHERE owner_id = $1 AND object_id = $2", pg::params(p.owner_id, p.id));
    if (o.instances) write_instances(c, p.owner_id, p.id, o.collection_id, *o.instances);
    else if (now_there) c.query("DELETE FROM instances WHERE owner_id = $1 AND object_id = $2", pg::params(p.owner_id, p.id));
    if (o.content_type.empty()) index_reminders(c, reminders, p.id, o.collection_id, o.name, o.data, std::nullopt);
    return p;
}

/// book_if_free's work inside a write transaction: the overlap check
/// SqliteStore makes against what is committed, then the put, then the
/// booking's hold rows, which the exclusion constraint of room_holds refuses
/// (SQLSTATE 23P01, thrown) when a concurrent booking took the slot.
caldav::PutResult book_locked(pg::Conn& c, const caldav::PutObject& o, std::int64_t owner_id,
                              const caldav::ReminderIndexer& reminders) {
    static const std::vector<caldav::InstanceRow> none;
    const auto& rows = o.instances ? o.instances->rows : none;
    for (const auto& row : rows) {
        if (row.end <= row.start || row.busy == -1) continue;
        auto overlap = c.query(
            "SELECT 1 FROM instances i JOIN objects o ON o.owner_id = i.owner_id AND o.id = i.object_id "
            "JOIN collections c ON c.owner_id = o.owner_id AND c.id = o.collection_id WHERE i.owner_id = $1 AND "
            "c.kind = 'calendar' AND o.uid <> $2 AND i.start_at < $4 AND i.end_at > $3 AND i.end_at > i.start_at "
            "AND (i.busy IS NULL OR i.busy >= 0) LIMIT 1",
            pg::params(owner_id, o.uid, row.start, row.end));
        if (!overlap.empty()) return caldav::PutResult{StoreStatus::conflict, false, {}, {}, {}};
    }
    auto p = put_locked(c, o, reminders);
    if (p.result.status != StoreStatus::ok) return p.result;
    for (const auto& row : rows) {
        if (row.end <= row.start || row.busy == -1) continue;
        c.query("INSERT INTO room_holds (owner_id, object_id, uid, during) VALUES ($1, $2, $3, int8range($4, $5))",
                pg::params(owner_id, p.id, o.uid, row.start, row.end));
    }
    return p.result;
}

bool is_exclusion(const pg::Error& e) { return e.sqlstate() == "23P01"; }

/// delete_object's work inside a write transaction.
StoreStatus delete_locked(pg::Conn& c, std::int64_t collection_id, std::string_view name,
                          const std::optional<std::string>& if_match,
                          const std::optional<std::string>& if_schedule_tag_match) {
    if (lock_collection(c, collection_id) == 0) return StoreStatus::not_found;
    auto now_there = current_of(c, collection_id, name);
    if (!now_there) return StoreStatus::not_found;
    if (if_match && now_there->etag != *if_match) return StoreStatus::etag_mismatch;
    if (if_schedule_tag_match && (now_there->schedule_tag.empty() || now_there->schedule_tag != *if_schedule_tag_match))
        return StoreStatus::etag_mismatch;
    c.query("DELETE FROM objects WHERE collection_id = $1 AND name = $2", pg::params(collection_id, name));
    c.query("DELETE FROM dead_properties WHERE collection_id = $1 AND object_name = $2",
            pg::params(collection_id, name));
    log_change(c, collection_id, name, true, now_seconds());
    return StoreStatus::ok;
}

}  // namespace

caldav::PutResult PgStore::put_object(const caldav::PutObject& o) {
    try {
        return write([&](pg::Conn& c) { return put_locked(c, o, reminder_indexer_).result; });
    } catch (const pg::Error& e) {
        return {status_of(e), false, {}, {}, {}};
    }
}

caldav::PutResult PgStore::book_if_free(const caldav::PutObject& o, std::int64_t owner_id) {
    try {
        return write([&](pg::Conn& c) { return book_locked(c, o, owner_id, reminder_indexer_); });
    } catch (const pg::Error& e) {
        if (is_exclusion(e)) return {StoreStatus::conflict, false, {}, {}, {}};
        return {status_of(e), false, {}, {}, {}};
    }
}

StoreStatus PgStore::delete_object(std::int64_t collection_id, std::string_view name,
                                   const std::optional<std::string>& if_match,
                                   const std::optional<std::string>& if_schedule_tag_match) {
    try {
        return write([&](pg::Conn& c) { return delete_locked(c, collection_id, name, if_match, if_schedule_tag_match); });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

namespace {

/// A write of a WriteSet refused: thrown so that the transaction rolls back.
struct Refused {
    std::size_t index;
    caldav::PutResult result;
};

/// The WriteSet's idempotency key already has a record.
struct IdempotencyTaken {};

/// Records `r` after pruning a handful of expired records (its own key's
/// included); throws IdempotencyTaken when its key has a younger record.
void insert_idempotency(pg::Conn& c, const caldav::IdempotencyRecord& r, std::int64_t retention) {
    c.query("DELETE FROM idempotency_records WHERE (principal_id, key) IN (SELECT principal_id, key FROM "
            "idempotency_records WHERE created_at < $1 ORDER BY created_at LIMIT 64 FOR UPDATE SKIP LOCKED) "
            "OR (principal_id = $2 AND key = $3 AND created_at < $1)",
            pg::params(r.created_at - retention, r.principal_id, r.key));
    auto in = c.query("INSERT INTO idempotency_records (principal_id, key, request_hash, status, body, created_at) "
                      "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (principal_id, key) DO NOTHING",
                      pg::params(r.principal_id, r.key, r.request_hash, r.status, r.body, r.created_at));
    if (in.affected() != 1) throw IdempotencyTaken{};
}

/// Adds jobs inside the caller's transaction; their ids in `ids` when given.
void insert_jobs(pg::Conn& c, const std::vector<caldav::NewJob>& jobs, std::int64_t now,
                 std::vector<std::int64_t>* ids) {
    for (const auto& j : jobs) {
        auto r = c.query("INSERT INTO jobs (owner_id, kind, payload, due_at, created_at) VALUES ($1, $2, $3, $4, $5) "
                         "RETURNING id",
                         pg::params(j.owner_id, j.kind, j.payload, j.due_at, now));
        if (ids) ids->push_back(r.int64(0, 0));
    }
}

/// Mail as jobs of the queue, due at once.
std::vector<caldav::NewJob> mail_jobs(const std::vector<caldav::OutgoingMail>& mail, std::int64_t now) {
    std::vector<caldav::NewJob> out;
    for (const auto& m : mail)
        out.push_back({std::string(caldav::mail_job_kind), std::max<std::int64_t>(m.principal_id, 0), now,
                       caldav::mail_job_payload(m)});
    return out;
}

/// One write of a WriteSet inside the commit's transaction.
caldav::PutResult apply_write(pg::Conn& c, const caldav::ObjectWrite& w, const caldav::ReminderIndexer& reminders) {
    using Kind = caldav::ObjectWrite::Kind;
    caldav::PutResult r;
    switch (w.kind) {
    case Kind::put: return put_locked(c, w.object, reminders).result;
    case Kind::book: return book_locked(c, w.object, w.booking_owner, reminders);
    case Kind::remove:
        r.status = delete_locked(c, w.object.collection_id, w.object.name, w.object.if_match,
                                 w.object.if_schedule_tag_match);
        return r;
    }
    return r;
}

}  // namespace

caldav::CommitResult PgStore::commit(const caldav::WriteSet& set) {
    caldav::CommitResult out;
    try {
        out.results = write([&](pg::Conn& c) {
            if (set.idempotency) insert_idempotency(c, *set.idempotency, options_.idempotency_retention.count());
            std::vector<caldav::PutResult> results;
            for (std::size_t i = 0; i < set.writes.size(); ++i) {
                caldav::PutResult r;
                try {
                    r = apply_write(c, set.writes[i], reminder_indexer_);
                } catch (const pg::Error& e) {
                    if (!is_exclusion(e)) throw;
                    r.status = StoreStatus::conflict;  // a concurrent booking took the slot
                }
                if (r.status != StoreStatus::ok) throw Refused{i, std::move(r)};
                results.push_back(std::move(r));
            }
            const auto now = now_seconds();
            insert_jobs(c, mail_jobs(set.mail, now), now, nullptr);
            insert_jobs(c, set.jobs, now, nullptr);
            return results;
        });
    } catch (const IdempotencyTaken&) {
        out.status = StoreStatus::exists;
        out.failed = set.writes.size();
        out.idempotency_taken = true;
    } catch (Refused& refused) {
        out.status = refused.result.status;
        out.failed = refused.index;
        out.results.push_back(std::move(refused.result));
    } catch (const pg::Error& e) {
        out.status = status_of(e);
        out.failed = set.writes.size();
    }
    return out;
}

namespace {

/// The source of a copy_object.
struct Source {
    std::string uid, component, data, content_type, schedule_tag;
    std::optional<std::int64_t> first, last;
    caldav::InstanceIndex instances;
};

std::optional<Source> source_of(pg::Conn& c, std::int64_t collection_id, std::string_view name) {
    auto r = c.query("SELECT uid, component, data, first_start, last_end, id, schedule_tag, content_type FROM objects "
                     "WHERE collection_id = $1 AND name = $2",
                     pg::params(collection_id, name));
    if (r.empty()) return std::nullopt;
    return Source{r.text(0, 0), r.text(0, 1), r.text(0, 2), r.text(0, 7), r.text(0, 6),
                  r.optional_int64(0, 3), r.optional_int64(0, 4), read_instances(c, r.int64(0, 5))};
}

/// copy_object's checks of the destination: `ok` when the copy may be written.
caldav::PutResult check_copy(pg::Conn& c, const Source& s, std::int64_t from_collection, std::string_view from_name,
                             std::int64_t to_collection, std::string_view to_name, bool overwrite, bool remove_source,
                             bool& exists) {
    caldav::PutResult r;
    auto dst = c.query("SELECT uid, content_type FROM objects WHERE collection_id = $1 AND name = $2",
                       pg::params(to_collection, to_name));
    exists = !dst.empty();
    if (exists && !overwrite) return r.status = StoreStatus::exists, r;
    if (exists && s.content_type.empty() && dst.view(0, 1).empty() && dst.view(0, 0) != s.uid) {
        r.status = StoreStatus::uid_conflict;
        r.conflicting_name = std::string(to_name);
        return r;
    }
    auto holder = c.query("SELECT name FROM objects WHERE collection_id = $1 AND uid = $2 AND name <> $3 AND "
                          "NOT (collection_id = $4 AND name = $5 AND $6)",
                          pg::params(to_collection, s.uid, to_name, from_collection, from_name, remove_source));
    if (!holder.empty()) {
        r.status = StoreStatus::uid_conflict;
        r.conflicting_name = holder.text(0, 0);
    }
    return r;
}

}  // namespace

caldav::PutResult PgStore::copy_object(std::int64_t from_collection, std::string_view from_name,
                                       std::int64_t to_collection, std::string_view to_name, bool overwrite,
                                       bool remove_source) {
    try {
        return write([&](pg::Conn& c) {
            caldav::PutResult r;
            // Both collections locked, in id order (two copies the other way round wait, not deadlock).
            lock_collection(c, std::min(from_collection, to_collection));
            const auto owner = lock_collection(c, to_collection);
            if (remove_source) lock_collection(c, from_collection);
            auto s = source_of(c, from_collection, from_name);
            if (!s || owner == 0) return r.status = StoreStatus::not_found, r;
            if (!s->content_type.empty()) s->uid = resource_uid(to_name);
            bool exists = false;
            r = check_copy(c, *s, from_collection, from_name, to_collection, to_name, overwrite, remove_source, exists);
            if (r.status != StoreStatus::ok) return r;
            const auto now = now_seconds();
            copy_dead_properties(c, from_collection, from_name, to_collection, to_name);
            if (remove_source) {
                c.query("DELETE FROM objects WHERE collection_id = $1 AND name = $2", pg::params(from_collection, from_name));
                c.query("DELETE FROM dead_properties WHERE collection_id = $1 AND object_name = $2",
                        pg::params(from_collection, from_name));
                log_change(c, from_collection, from_name, true, now);
            }
            const auto revision = log_change(c, to_collection, to_name, false, now);
            r.etag = caldav::entity_tag(revision, s->data);
            r.created = !exists;
            r.schedule_tag = s->schedule_tag;
            auto row = c.query(
                "INSERT INTO objects (owner_id, collection_id, name, uid, component, etag, data, size, revision, "
                "first_start, last_end, created_at, modified_at, schedule_tag, content_type) VALUES ($1, $2, $3, $4, "
                "$5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14) ON CONFLICT (owner_id, collection_id, name) DO "
                "UPDATE SET uid = $4, component = $5, etag = $6, data = $7, size = $8, revision = $9, "
                "first_start = $10, last_end = $11, modified_at = $12, schedule_tag = $13, content_type = $14 "
                "RETURNING id",
                pg::params(owner, to_collection, to_name, s->uid, s->component, r.etag, s->data, s->data.size(),
                           revision, s->first, s->last, now, r.schedule_tag, s->content_type));
            write_instances(c, owner, row.int64(0, 0), to_collection, s->instances);
            if (s->content_type.empty())
                index_reminders(c, reminder_indexer_, row.int64(0, 0), to_collection, to_name, s->data, std::nullopt);
            return r;
        });
    } catch (const pg::Error& e) {
        return {status_of(e), false, {}, {}, {}};
    }
}

}  // namespace server
