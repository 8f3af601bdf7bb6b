// PgStore's bulk path of commit(): a WriteSet of new members of one calendar
// (what `kalends import` sends, 1,000 to a transaction) written with a
// handful of statements instead of about nine round trips per member. The
// rows written are those put_object writes (objects, instances, reminder
// jobs and index, change log, revision and ETag), and revisions are still
// taken last, in the statement that travels with the COMMIT, so the
// guarantees of pg_store_writes.cpp hold; only the number of statements
// changes. Anything else (a name or UID already there, conditions, other
// kinds of write) goes the one-write-at-a-time way.
#include <algorithm>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include "caldav/store_policy.hpp"
#include "src/storage/postgres/pg_store_internal.hpp"

namespace server::pgrows {

namespace {

/// "{1,NULL,3}": a bigint[] or smallint[] literal.
std::string int_array(const std::vector<std::optional<std::int64_t>>& items) {
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ',';
        out += items[i] ? std::to_string(*items[i]) : "NULL";
    }
    return out + "}";
}

/// The column arrays of the objects rows of a bulk put.
struct ObjectColumns {
    std::vector<std::string> names, uids, components, data, tags;
    std::vector<std::optional<std::int64_t>> sizes, first, last, index_state, indexed_until, exact;
};

ObjectColumns object_columns(const caldav::WriteSet& set) {
    ObjectColumns out;
    for (const auto& w : set.writes) {
        const auto& o = w.object;
        out.names.push_back(o.name);
        out.uids.push_back(o.uid);
        out.components.push_back(o.component);
        out.data.push_back(o.data);
        // A renewed Schedule-Tag is the new ETag, written with it by the stamp.
        out.tags.push_back(o.schedule_tag == caldav::ScheduleTagChange::renew
                               ? std::string()
                               : caldav::schedule_tag_after(o.schedule_tag, "", ""));
        out.sizes.emplace_back(static_cast<std::int64_t>(o.data.size()));
        out.first.push_back(o.first_start);
        out.last.push_back(o.last_end);
        out.index_state.emplace_back(o.instances ? 1 : 0);
        out.indexed_until.push_back(o.instances ? o.instances->indexed_until : std::nullopt);
        out.exact.emplace_back(o.instances && o.instances->exact ? 1 : 0);
    }
    return out;
}

/// Inserts the objects rows (revision and ETag stamped later); each one's id
/// by name. A member created or a UID taken by a concurrent transaction
/// since the check makes the transaction run again (as upsert_object does).
std::unordered_map<std::string, std::int64_t> insert_objects(pg::Conn& c, std::int64_t owner_id,
                                                             std::int64_t collection_id, const caldav::WriteSet& set) {
    const auto cols = object_columns(set);
    pg::Params p;
    p.add(owner_id).add(collection_id).add(now_seconds());
    p.add_array(cols.names).add_array(cols.uids).add_array(cols.components).add_array(cols.data);
    p.add(int_array(cols.sizes)).add(int_array(cols.first)).add(int_array(cols.last)).add_array(cols.tags);
    p.add(int_array(cols.index_state)).add(int_array(cols.indexed_until)).add(int_array(cols.exact));
    std::unordered_map<std::string, std::int64_t> ids;
    try {
        auto r = c.query(
            "INSERT INTO objects (owner_id, collection_id, name, uid, component, etag, data, size, revision, "
            "first_start, last_end, created_at, modified_at, schedule_tag, content_type, index_state, "
            "indexed_until, index_exact) SELECT $1, $2, n, u, k, '', d, s, 0, f, l, $3, $3, t, '', x, i, e <> 0 "
            "FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], "
            "$10::bigint[], $11::text[], $12::smallint[], $13::bigint[], $14::smallint[]) "
            "AS v(n, u, k, d, s, f, l, t, x, i, e) "
            "ON CONFLICT (owner_id, collection_id, name) DO NOTHING RETURNING name, id",
            p);
        for (int i = 0; i < r.rows(); ++i) ids.emplace(r.text(i, 0), r.int64(i, 1));
    } catch (const pg::Error& e) {
        if (e.sqlstate() == "23505") throw pg::Error("UID taken concurrently", "40001");
        throw;
    }
    if (ids.size() != set.writes.size()) throw pg::Error("member created concurrently", "40001");
    return ids;
}

/// The instance rows of every object, in one statement, and the
/// collection's longest-instance bound widened once.
void insert_all_instances(pg::Conn& c, std::int64_t owner_id, std::int64_t collection_id,
                          const caldav::WriteSet& set, const std::unordered_map<std::string, std::int64_t>& ids) {
    std::vector<std::optional<std::int64_t>> object, start, end, busy, declined;
    std::int64_t span = 0;
    for (const auto& w : set.writes) {
        if (!w.object.instances) continue;
        const auto id = ids.at(w.object.name);
        for (const auto& row : w.object.instances->rows) {
            object.emplace_back(id);
            start.emplace_back(row.start);
            end.emplace_back(row.end);
            busy.push_back(row.busy ? std::optional<std::int64_t>(*row.busy) : std::nullopt);
            declined.emplace_back(row.declined ? 1 : 0);
            span = std::max(span, row.end - row.start);
        }
    }
    if (!object.empty())
        c.query("INSERT INTO instances (owner_id, object_id, collection_id, start_at, end_at, busy, declined) "
                "SELECT $1, o, $2, s, e, b, d <> 0 FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], "
                "$6::smallint[], $7::smallint[]) AS t(o, s, e, b, d)",
                pg::params(owner_id, collection_id, int_array(object), int_array(start), int_array(end),
                           int_array(busy), int_array(declined)));
    if (span > 0)
        c.query("UPDATE collections SET max_span = $2 WHERE id = $1 AND max_span < $2", pg::params(collection_id, span));
}

/// Takes the revisions of every member at once (the collection's revision
/// grows by their number, each member gets the next one in set order), logs
/// them and stamps each object's revision and ETag, sent with the COMMIT.
/// The first revision taken.
std::int64_t stamp_all(pg::Conn& c, std::int64_t collection_id, const caldav::WriteSet& set,
                       const std::unordered_map<std::string, std::int64_t>& ids, std::vector<std::string>& hashes) {
    std::vector<std::string> names;
    std::vector<std::optional<std::int64_t>> object, renew;
    for (const auto& w : set.writes) {
        names.push_back(w.object.name);
        object.emplace_back(ids.at(w.object.name));
        renew.emplace_back(w.object.schedule_tag == caldav::ScheduleTagChange::renew ? 1 : 0);
        hashes.push_back(caldav::entity_tag(0, w.object.data).substr(2));  // "0-HASH"
    }
    pg::Params p;
    p.add(collection_id).add(now_seconds()).add(set.writes.size());
    p.add_array(names).add(int_array(object)).add_array(hashes).add(int_array(renew));
    auto r = c.query_and_commit(
        "WITH bump AS (UPDATE collections SET revision = revision + $3, modified_at = $2 WHERE id = $1 "
        "RETURNING owner_id, revision - $3 AS base), "
        "v AS (SELECT n, o, h, r, k FROM unnest($4::text[], $5::bigint[], $6::text[], $7::smallint[]) "
        "WITH ORDINALITY AS t(n, o, h, r, k)), "
        "logged AS (INSERT INTO changes (owner_id, collection_id, name, revision, deleted) "
        "SELECT b.owner_id, $1, v.n, b.base + v.k, false FROM bump b, v "
        "ON CONFLICT (owner_id, collection_id, name) DO UPDATE SET revision = excluded.revision, deleted = false), "
        "stamped AS (UPDATE objects x SET revision = b.base + v.k, etag = to_hex(b.base + v.k) || '-' || v.h, "
        "schedule_tag = CASE WHEN v.r <> 0 THEN to_hex(b.base + v.k) || '-' || v.h ELSE x.schedule_tag END "
        "FROM bump b, v WHERE x.owner_id = b.owner_id AND x.id = v.o) "
        "SELECT base FROM bump",
        p);
    if (r.empty()) throw pg::Error("collection gone during a bulk write", "40001");
    return r.int64(0, 0);
}

/// "REVISION-HASH" as caldav::entity_tag makes it, from the hash part.
std::string etag_of(std::int64_t revision, std::string_view hash) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%llx-", static_cast<unsigned long long>(revision));
    return buf + std::string(hash);
}

}  // namespace

bool bulk_eligible(const caldav::WriteSet& set) {
    if (set.writes.size() < 2 || set.idempotency || !set.mail.empty() || !set.jobs.empty()) return false;
    std::unordered_set<std::string_view> names, uids;
    for (const auto& w : set.writes) {
        const auto& o = w.object;
        if (w.kind != caldav::ObjectWrite::Kind::put || o.collection_id != set.writes.front().object.collection_id ||
            o.if_match || o.if_schedule_tag_match || !o.content_type.empty() || !names.insert(o.name).second ||
            !uids.insert(o.uid).second)
            return false;
    }
    return true;
}

std::optional<std::vector<caldav::PutResult>> bulk_put(pg::Conn& c, const caldav::WriteSet& set,
                                                       const caldav::ReminderIndexer& reminders) {
    const auto collection_id = set.writes.front().object.collection_id;
    const auto owner_id = owner_of_collection(c, collection_id);
    if (owner_id == 0) return std::nullopt;
    std::vector<std::string> names, uids;
    for (const auto& w : set.writes) names.push_back(w.object.name), uids.push_back(w.object.uid);
    pg::Params taken;
    taken.add(owner_id).add(collection_id).add_array(names).add_array(uids);
    if (!c.query("SELECT 1 FROM objects WHERE owner_id = $1 AND collection_id = $2 AND "
                 "(name = ANY($3::text[]) OR uid = ANY($4::text[])) LIMIT 1",
                 taken)
             .empty())
        return std::nullopt;
    const auto ids = insert_objects(c, owner_id, collection_id, set);
    insert_all_instances(c, owner_id, collection_id, set, ids);
    std::vector<BulkMember> members;
    for (const auto& w : set.writes) members.push_back({ids.at(w.object.name), w.object.name, w.object.data});
    index_new_reminders(c, reminders, collection_id, members);
    std::vector<std::string> hashes;
    const auto base = stamp_all(c, collection_id, set, ids, hashes);
    std::vector<caldav::PutResult> out;
    for (std::size_t i = 0; i < set.writes.size(); ++i) {
        caldav::PutResult r;
        r.created = true;
        r.etag = etag_of(base + static_cast<std::int64_t>(i) + 1, hashes[i]);
        r.schedule_tag = caldav::schedule_tag_after(set.writes[i].object.schedule_tag, "", r.etag);
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace server::pgrows
