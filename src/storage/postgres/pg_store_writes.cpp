// PgStore's member writes: put, book, delete, copy and the all-or-nothing
// commit of a WriteSet, each one transaction. A put or delete first locks
// its member's row (FOR UPDATE: writers of one member check their conditions
// one after another), writes everything, and takes its revision last
// (Stamps): the collection's row is locked from there to the commit, so that
// writers of one collection take revisions in commit order while holding
// that lock for one statement and the commit only. A copy locks the
// collections' rows first.
#include <algorithm>
#include <cstdio>

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

/// The member's current version, its row locked until commit (FOR UPDATE):
/// a concurrent write of the same member waits here and then sees this one's.
std::optional<Current> current_of(pg::Conn& c, std::int64_t owner_id, std::int64_t collection_id,
                                  std::string_view name) {
    auto r = c.query("SELECT etag, schedule_tag, uid, content_type FROM objects WHERE owner_id = $1 AND "
                     "collection_id = $2 AND name = $3 FOR UPDATE",
                     pg::params(owner_id, collection_id, name));
    if (r.empty()) return std::nullopt;
    return Current{r.text(0, 0), r.text(0, 1), r.text(0, 2), r.view(0, 3).empty()};
}

/// put_object's conditions (If-None-Match, If-Match, If-Schedule-Tag-Match,
/// the UID rules of RFC 4791 §5.3.2.1); `ok` when the write may go on.
caldav::PutResult check_put(pg::Conn& c, std::int64_t owner_id, const caldav::PutObject& o,
                            const std::optional<Current>& now_there, const std::string& uid) {
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
    auto holder = c.query("SELECT name FROM objects WHERE owner_id = $1 AND collection_id = $2 AND uid = $3 AND "
                          "name <> $4",
                          pg::params(owner_id, o.collection_id, uid, o.name));
    if (!holder.empty()) {
        r.status = StoreStatus::uid_conflict;
        r.conflicting_name = holder.text(0, 0);
    }
    return r;
}

/// A state a concurrent transaction changed under this one's checks (a
/// member created meanwhile, a UID taken meanwhile): the transaction runs
/// again from the start (PgStore::write retries SQLSTATE 40001).
[[noreturn]] void run_again(const char* why) { throw pg::Error(why, "40001"); }

/// A put done: its result, and the object's id and owner.
struct Put {
    caldav::PutResult result;
    std::int64_t id = 0, owner_id = 0;
    std::size_t stamp = 0;  ///< its change in the transaction's Stamps
};

/// Writes the object row of a put (its revision and ETag stamped later, see
/// Stamp); its id. A member created or a UID taken by a concurrent
/// transaction since the checks makes the transaction run again.
std::int64_t upsert_object(pg::Conn& c, const caldav::PutObject& o, std::int64_t owner_id, const std::string& uid,
                           const std::string& schedule_tag, bool existed, std::int64_t now) {
    auto values = pg::params(owner_id, o.collection_id, o.name, uid, o.component, o.data, o.data.size(),
                             o.first_start, o.last_end, now, schedule_tag, o.content_type, o.instances ? 1 : 0,
                             o.instances ? o.instances->indexed_until : std::nullopt,
                             o.instances && o.instances->exact);
    try {
        // The row is locked since current_of when it existed; else a
        // concurrent put of the same name may have created it meanwhile.
        auto row = existed ? c.query("UPDATE objects SET uid = $4, component = $5, data = $6, size = $7, "
                                     "first_start = $8, last_end = $9, modified_at = $10, schedule_tag = $11, "
                                     "content_type = $12, index_state = $13, indexed_until = $14, index_exact = $15 "
                                     "WHERE owner_id = $1 AND collection_id = $2 AND name = $3 RETURNING id",
                                     values)
                           : c.query("INSERT INTO objects (owner_id, collection_id, name, uid, component, etag, data, "
                                     "size, revision, first_start, last_end, created_at, modified_at, schedule_tag, "
                                     "content_type, index_state, indexed_until, index_exact) VALUES ($1, $2, $3, $4, "
                                     "$5, '', $6, $7, 0, $8, $9, $10, $10, $11, $12, $13, $14, $15) "
                                     "ON CONFLICT (owner_id, collection_id, name) DO NOTHING RETURNING id",
                                     values);
        if (row.empty()) run_again("member created concurrently");
        return row.int64(0, 0);
    } catch (const pg::Error& e) {
        if (e.sqlstate() == "23505") run_again("UID taken concurrently");  // objects' UNIQUE (owner, collection, uid)
        throw;
    }
}

/// "REVISION-HASH" as caldav::entity_tag makes it, from the hash part.
std::string etag_of(std::int64_t revision, std::string_view hash) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%llx-", static_cast<unsigned long long>(revision));
    return buf + std::string(hash);
}

/// The member changes of one transaction, whose revisions are taken at its
/// end: apply() bumps each collection's revision (locking its row until
/// commit, so that writers of one collection take revisions in commit
/// order), logs the change and stamps the object's revision and ETag, all
/// in one statement per change. Everything else a write does runs before,
/// without the collection's lock, so the lock is held for the stamps and the
/// commit only.
class Stamps {
public:
    /// Records a change of member `name`: a delete, or a put of object
    /// `object_id` with `data`, whose Schedule-Tag is `current_tag` changed by
    /// `change`. Its index for etag()/schedule_tag().
    std::size_t add(std::int64_t collection_id, std::string_view name, bool deleted, std::int64_t object_id,
                    std::string_view data, caldav::ScheduleTagChange change, std::string current_tag) {
        Stamp s{collection_id, std::string(name), deleted, object_id, {}, change, std::move(current_tag), {}, 0};
        if (!deleted) s.hash = caldav::entity_tag(0, data).substr(2);  // "0-HASH"
        s.order = pending_.size();
        pending_.push_back(std::move(s));
        return pending_.size() - 1;
    }

    /// Takes the revisions and writes the stamps, inside the caller's
    /// transaction; with `commit`, the last stamp goes with the COMMIT in
    /// one round trip (the transaction is then committed).
    void apply(pg::Conn& c, bool commit) {
        // Collection after collection in id order (two transactions stamping
        // the same two collections wait rather than deadlock), each one's
        // changes in the order they were made.
        std::vector<Stamp*> order;
        for (auto& s : pending_) order.push_back(&s);
        std::stable_sort(order.begin(), order.end(),
                         [](const Stamp* a, const Stamp* b) { return a->collection_id < b->collection_id; });
        const auto now = now_seconds();
        for (auto* s : order) {
            const auto run = commit && s == order.back() ? &pg::Conn::query_and_commit : &pg::Conn::query;
            auto r = (c.*run)(
                "WITH bump AS (UPDATE collections SET revision = revision + 1, modified_at = $2 WHERE id = $1 "
                "RETURNING owner_id, revision), "
                "logged AS (INSERT INTO changes (owner_id, collection_id, name, revision, deleted) "
                "SELECT owner_id, $1, $3, revision, $4 FROM bump ON CONFLICT (owner_id, collection_id, name) "
                "DO UPDATE SET revision = excluded.revision, deleted = excluded.deleted), "
                "stamped AS (UPDATE objects o SET revision = b.revision, etag = to_hex(b.revision) || '-' || $5, "
                "schedule_tag = CASE WHEN $6 THEN to_hex(b.revision) || '-' || $5 ELSE o.schedule_tag END "
                "FROM bump b WHERE o.owner_id = b.owner_id AND o.id = $7) "
                "SELECT revision FROM bump",
                pg::params(s->collection_id, now, s->name, s->deleted, s->hash,
                           s->change == caldav::ScheduleTagChange::renew, s->object_id));
            if (s->deleted) continue;
            s->etag = etag_of(r.empty() ? 0 : r.int64(0, 0), s->hash);
        }
    }

    /// Change `i`'s ETag and Schedule-Tag, once applied.
    void finish(std::size_t i, caldav::PutResult& r) const {
        const auto& s = pending_.at(i);
        r.etag = s.etag;
        r.schedule_tag = caldav::schedule_tag_after(s.change, s.current_tag, s.etag);
    }

private:
    struct Stamp {
        std::int64_t collection_id;
        std::string name;
        bool deleted;
        std::int64_t object_id;
        std::string hash;  ///< the data's hash part of its ETag
        caldav::ScheduleTagChange change;
        std::string current_tag;
        std::string etag;  ///< once applied
        std::size_t order;
    };
    std::vector<Stamp> pending_;
};

/// put_object's work inside a write transaction; its revision and ETag are
/// left to `stamps` (the collection's row is locked only from there on).
Put put_unstamped(pg::Conn& c, const caldav::PutObject& o, const caldav::ReminderIndexer& reminders,
                  Stamps& stamps) {
    Put p;
    p.owner_id = owner_of_collection(c, o.collection_id);
    if (p.owner_id == 0) return p.result.status = StoreStatus::not_found, p;
    auto now_there = current_of(c, p.owner_id, o.collection_id, o.name);
    const std::string uid = o.content_type.empty() ? o.uid : resource_uid(o.name);
    p.result = check_put(c, p.owner_id, o, now_there, uid);
    if (p.result.status != StoreStatus::ok) return p;
    const auto now = now_seconds();
    auto& r = p.result;
    r.created = !now_there;
    const std::string current_tag = now_there ? now_there->schedule_tag : "";
    // A renewed Schedule-Tag is the new ETag, written with it by the stamp.
    const std::string tag = o.schedule_tag == caldav::ScheduleTagChange::renew
                                ? std::string()
                                : caldav::schedule_tag_after(o.schedule_tag, current_tag, "");
    p.id = upsert_object(c, o, p.owner_id, uid, tag, now_there.has_value(), now);
    if (now_there) {
        c.query("WITH holds AS (DELETE FROM room_holds WHERE owner_id = $1 AND object_id = $2) "
                "DELETE FROM instances WHERE owner_id = $1 AND object_id = $2",
                pg::params(p.owner_id, p.id));
    }
    // The index state went with the row.
    if (o.instances) insert_instance_rows(c, p.owner_id, p.id, o.collection_id, *o.instances);
    if (o.content_type.empty()) index_reminders(c, reminders, p.id, o.collection_id, o.name, o.data, std::nullopt);
    p.stamp = stamps.add(o.collection_id, o.name, false, p.id, o.data, o.schedule_tag, current_tag);
    return p;
}

/// book_if_free's work inside a write transaction: the overlap check
/// SqliteStore makes against what is committed, then the put, then the
/// booking's hold rows, which the exclusion constraint of room_holds refuses
/// (SQLSTATE 23P01, thrown) when a concurrent booking took the slot.
Put book_unstamped(pg::Conn& c, const caldav::PutObject& o, std::int64_t owner_id,
                   const caldav::ReminderIndexer& reminders, Stamps& stamps) {
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
        if (!overlap.empty()) return Put{caldav::PutResult{StoreStatus::conflict, false, {}, {}, {}}};
    }
    auto p = put_unstamped(c, o, reminders, stamps);
    if (p.result.status != StoreStatus::ok) return p;
    for (const auto& row : rows) {
        if (row.end <= row.start || row.busy == -1) continue;
        c.query("INSERT INTO room_holds (owner_id, object_id, uid, during) VALUES ($1, $2, $3, int8range($4, $5))",
                pg::params(owner_id, p.id, o.uid, row.start, row.end));
    }
    return p;
}

bool is_exclusion(const pg::Error& e) { return e.sqlstate() == "23P01"; }

/// delete_object's work inside a write transaction, its revision left to `stamps`.
StoreStatus delete_unstamped(pg::Conn& c, std::int64_t collection_id, std::string_view name,
                             const std::optional<std::string>& if_match,
                             const std::optional<std::string>& if_schedule_tag_match, Stamps& stamps) {
    const auto owner = owner_of_collection(c, collection_id);
    if (owner == 0) return StoreStatus::not_found;
    auto now_there = current_of(c, owner, collection_id, name);
    if (!now_there) return StoreStatus::not_found;
    if (if_match && now_there->etag != *if_match) return StoreStatus::etag_mismatch;
    if (if_schedule_tag_match && (now_there->schedule_tag.empty() || now_there->schedule_tag != *if_schedule_tag_match))
        return StoreStatus::etag_mismatch;
    c.query("DELETE FROM objects WHERE owner_id = $1 AND collection_id = $2 AND name = $3",
            pg::params(owner, collection_id, name));
    c.query("DELETE FROM dead_properties WHERE owner_id = $1 AND collection_id = $2 AND object_name = $3",
            pg::params(owner, collection_id, name));
    stamps.add(collection_id, name, true, 0, {}, caldav::ScheduleTagChange::keep, {});
    return StoreStatus::ok;
}

/// A put (or booking when `booking_owner`) as one transaction of its own.
caldav::PutResult put_alone(pg::Conn& c, const caldav::PutObject& o, std::optional<std::int64_t> booking_owner,
                            const caldav::ReminderIndexer& reminders) {
    Stamps stamps;
    auto p = booking_owner ? book_unstamped(c, o, *booking_owner, reminders, stamps)
                           : put_unstamped(c, o, reminders, stamps);
    if (p.result.status != StoreStatus::ok) return p.result;
    stamps.apply(c, true);
    stamps.finish(p.stamp, p.result);
    return p.result;
}

}  // namespace

caldav::PutResult PgStore::put_object(const caldav::PutObject& o) {
    try {
        return write([&](pg::Conn& c) { return put_alone(c, o, std::nullopt, reminder_indexer_); });
    } catch (const pg::Error& e) {
        return {status_of(e), false, {}, {}, {}};
    }
}

caldav::PutResult PgStore::book_if_free(const caldav::PutObject& o, std::int64_t owner_id) {
    try {
        return write([&](pg::Conn& c) { return put_alone(c, o, owner_id, reminder_indexer_); });
    } catch (const pg::Error& e) {
        if (is_exclusion(e)) return {StoreStatus::conflict, false, {}, {}, {}};
        return {status_of(e), false, {}, {}, {}};
    }
}

StoreStatus PgStore::delete_object(std::int64_t collection_id, std::string_view name,
                                   const std::optional<std::string>& if_match,
                                   const std::optional<std::string>& if_schedule_tag_match) {
    try {
        return write([&](pg::Conn& c) {
            Stamps stamps;
            const auto s = delete_unstamped(c, collection_id, name, if_match, if_schedule_tag_match, stamps);
            if (s == StoreStatus::ok) stamps.apply(c, true);
            return s;
        });
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

/// One write of a WriteSet inside the commit's transaction, its revision
/// left to `stamps`; the put's stamp index in `stamp`.
caldav::PutResult apply_write(pg::Conn& c, const caldav::ObjectWrite& w, const caldav::ReminderIndexer& reminders,
                              Stamps& stamps, std::optional<std::size_t>& stamp) {
    using Kind = caldav::ObjectWrite::Kind;
    if (w.kind == Kind::remove) {
        caldav::PutResult r;
        r.status = delete_unstamped(c, w.object.collection_id, w.object.name, w.object.if_match,
                                    w.object.if_schedule_tag_match, stamps);
        return r;
    }
    auto p = w.kind == Kind::book ? book_unstamped(c, w.object, w.booking_owner, reminders, stamps)
                                  : put_unstamped(c, w.object, reminders, stamps);
    if (p.result.status == StoreStatus::ok) stamp = p.stamp;
    return p.result;
}

}  // namespace

caldav::CommitResult PgStore::commit(const caldav::WriteSet& set) {
    caldav::CommitResult out;
    try {
        out.results = write([&](pg::Conn& c) {
            if (bulk_eligible(set))
                if (auto all = bulk_put(c, set, reminder_indexer_)) return std::move(*all);
            if (set.idempotency) insert_idempotency(c, *set.idempotency, options_.idempotency_retention.count());
            std::vector<caldav::PutResult> results;
            std::vector<std::optional<std::size_t>> stamp_of(set.writes.size());
            Stamps stamps;
            for (std::size_t i = 0; i < set.writes.size(); ++i) {
                caldav::PutResult r;
                try {
                    r = apply_write(c, set.writes[i], reminder_indexer_, stamps, stamp_of[i]);
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
            // Revisions last: the collections' rows are locked from here to the commit.
            stamps.apply(c, true);
            for (std::size_t i = 0; i < results.size(); ++i)
                if (stamp_of[i]) stamps.finish(*stamp_of[i], results[i]);
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
