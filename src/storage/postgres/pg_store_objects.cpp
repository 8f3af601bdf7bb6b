// PgStore's ObjectStore: members of collections, their time index, room
// bookings and the all-or-nothing commit of a WriteSet.
#include <algorithm>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "caldav/store_policy.hpp"
#include "src/storage/postgres/pg_collection_source.hpp"
#include "src/storage/postgres/pg_store_internal.hpp"

namespace server {

using caldav::StoreStatus;
using namespace pgrows;

namespace {

/// "{a,b,NULL}": a bigint[] literal.
template <class T, class F>
std::string array_of(const std::vector<T>& items, F&& value) {
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ',';
        out += value(items[i]);
    }
    return out + "}";
}

}  // namespace

namespace pgrows {

void insert_instance_rows(pg::Conn& c, std::int64_t owner_id, std::int64_t object_id, std::int64_t collection_id,
                          const caldav::InstanceIndex& index) {
    const auto& rows = index.rows;
    if (!rows.empty()) {
        using Row = caldav::InstanceRow;
        c.query("INSERT INTO instances (owner_id, object_id, collection_id, start_at, end_at, busy, declined) "
                "SELECT $1, $2, $3, s, e, b, d FROM unnest($4::bigint[], $5::bigint[], $6::smallint[], "
                "$7::boolean[]) AS t(s, e, b, d)",
                pg::params(owner_id, object_id, collection_id,
                           array_of(rows, [](const Row& r) { return std::to_string(r.start); }),
                           array_of(rows, [](const Row& r) { return std::to_string(r.end); }),
                           array_of(rows, [](const Row& r) { return r.busy ? std::to_string(*r.busy) : "NULL"; }),
                           array_of(rows, [](const Row& r) { return std::string(r.declined ? "t" : "f"); })));
    }
    std::int64_t span = 0;
    for (const auto& row : rows) span = std::max(span, row.end - row.start);
    if (span > 0)
        c.query("UPDATE collections SET max_span = $2 WHERE id = $1 AND max_span < $2", pg::params(collection_id, span));
}

void write_instances(pg::Conn& c, std::int64_t owner_id, std::int64_t object_id, std::int64_t collection_id,
                     const caldav::InstanceIndex& index) {
    c.query("DELETE FROM instances WHERE owner_id = $1 AND object_id = $2", pg::params(owner_id, object_id));
    insert_instance_rows(c, owner_id, object_id, collection_id, index);
    c.query("UPDATE objects SET index_state = 1, indexed_until = $2, index_exact = $3 WHERE id = $1",
            pg::params(object_id, index.indexed_until, index.exact));
}

caldav::InstanceIndex read_instances(pg::Conn& c, std::int64_t object_id) {
    caldav::InstanceIndex index;
    auto head = c.query("SELECT indexed_until, index_exact, index_state FROM objects WHERE id = $1",
                        pg::params(object_id));
    if (head.empty() || head.int64(0, 2) == 0) {
        index.indexed_until = std::numeric_limits<std::int64_t>::min();
        return index;
    }
    index.indexed_until = head.optional_int64(0, 0);
    index.exact = head.boolean(0, 1);
    auto rows = c.query("SELECT start_at, end_at, busy, declined FROM instances WHERE object_id = $1",
                        pg::params(object_id));
    for (int i = 0; i < rows.rows(); ++i) {
        auto busy = rows.optional_int64(i, 2);
        index.rows.push_back({rows.int64(i, 0), rows.int64(i, 1),
                              busy ? std::optional<int>(static_cast<int>(*busy)) : std::nullopt,
                              rows.boolean(i, 3)});
    }
    return index;
}

}  // namespace pgrows

// ------------------------------------------------------------------ reads

std::vector<caldav::ObjectRecord> PgStore::list_objects(std::int64_t collection_id, bool with_data) {
    return read([&](pg::Conn& c) {
        auto r = c.query("SELECT " + object_columns_of("", with_data) +
                             " FROM objects WHERE collection_id = $1 ORDER BY name",
                         pg::params(collection_id));
        std::vector<caldav::ObjectRecord> out(static_cast<std::size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) read_object(r, i, out[static_cast<std::size_t>(i)], with_data);
        return out;
    });
}

std::vector<caldav::ObjectRecord> PgStore::list_objects_page(std::int64_t collection_id, std::string_view after,
                                                             std::size_t limit, bool with_data) {
    auto page = read([&](pg::Conn& c) {
        auto r = c.query("SELECT " + object_columns_of("", with_data) +
                             " FROM objects WHERE collection_id = $1 AND name > $2 ORDER BY name LIMIT $3",
                         pg::params(collection_id, after, limit));
        std::vector<caldav::ObjectRecord> out(static_cast<std::size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) read_object(r, i, out[static_cast<std::size_t>(i)], with_data);
        return out;
    });
    note_listed_page(this, collection_id, after, page);
    return page;
}

namespace {

/// Where an instance overlapping [from, to] can start: `span` before `from`.
std::int64_t scan_start(std::int64_t from, std::int64_t span) {
    constexpr auto lowest = std::numeric_limits<std::int64_t>::min();
    return from < lowest + span ? lowest : from - span;
}

std::int64_t max_span_of(pg::Conn& c, std::int64_t collection_id) {
    auto r = c.query("SELECT max_span FROM collections WHERE id = $1", pg::params(collection_id));
    return r.empty() ? 0 : r.int64(0, 0);
}

/// Objects that the time index cannot answer for (no rows yet, or rows only
/// up to a horizon before `$3`) whose bounds may overlap [$2, $3].
const std::string unindexed_in_range =
    "(last_end IS NULL OR last_end >= $2) AND (first_start IS NULL OR first_start <= $3) AND "
    "(index_state = 0 OR (indexed_until IS NOT NULL AND indexed_until <= $3))";

}  // namespace

void PgStore::visit_objects_in_range(std::int64_t collection_id, std::optional<std::int64_t> start,
                                     std::optional<std::int64_t> end, bool with_data,
                                     const std::function<void(caldav::ObjectRecord&)>& visit) {
    const auto from = start.value_or(std::numeric_limits<std::int64_t>::min());
    const auto to = end.value_or(std::numeric_limits<std::int64_t>::max());
    auto r = read(
        [&](pg::Conn& c) -> std::optional<pg::Result> {
            PgCollectionSource source(c);
            auto stamp = source.stamp(collection_id);
            if (!stamp) return std::nullopt;  // no such collection
            if (cache_.visit_in_range(source, *stamp, from, to, with_data, visit)) return std::nullopt;
            const std::string columns = object_columns_of("o.", with_data);
            // As SqliteStore: indexed objects with an instance row overlapping
            // the range (hit: the exact VEVENT overlap), then the candidates
            // the index cannot answer for, by their bounds.
            return c.query(
                "WITH hits AS (SELECT object_id, bool_or(start_at < $3 AND (end_at > $2 OR (end_at = start_at AND "
                "start_at >= $2))) AS hit FROM instances WHERE collection_id = $1 AND start_at >= $4 AND "
                "start_at <= $3 AND end_at >= $2 GROUP BY object_id) "
                "SELECT " + columns + ", hits.hit AND o.index_exact FROM objects o JOIN hits ON hits.object_id = o.id "
                "UNION ALL SELECT " + columns + ", false FROM objects o WHERE o.collection_id = $1 AND " +
                    unindexed_in_range + " AND o.id NOT IN (SELECT object_id FROM hits)",
                pg::params(collection_id, from, to, scan_start(from, max_span_of(c, collection_id))));
        },
        true);
    if (!r) return;
    caldav::ObjectRecord record;
    for (int i = 0; i < r->rows(); ++i) {
        read_object(*r, i, record, with_data);
        record.index_match = r->boolean(i, 15);
        visit(record);
    }
}

void PgStore::visit_objects_named(std::int64_t collection_id, const std::vector<std::string>& names, bool with_data,
                                  const std::function<void(caldav::ObjectRecord&)>& visit) {
    auto r = read(
        [&](pg::Conn& c) -> std::optional<pg::Result> {
            PgCollectionSource source(c);
            auto stamp = source.stamp(collection_id);
            if (!stamp) return std::nullopt;  // no such collection
            if (cache_.visit_named(source, *stamp, names, with_data, visit)) return std::nullopt;
            return c.query("SELECT " + object_columns_of("o.", with_data) +
                               " FROM unnest($2::text[]) WITH ORDINALITY AS n(name, at) JOIN objects o ON "
                               "o.collection_id = $1 AND o.name = n.name ORDER BY n.at",
                           pg::Params().add(collection_id).add_array(names));
        },
        true);
    if (!r) return;
    caldav::ObjectRecord record;
    for (int i = 0; i < r->rows(); ++i) {
        read_object(*r, i, record, with_data);
        visit(record);
    }
}

namespace {

/// busy_in_range's rows from the time index: the busy rows of objects whose
/// rows decide it; the ids of the objects that must be parsed into `parse`.
std::vector<caldav::InstanceRow> indexed_busy(pg::Conn& c, std::int64_t collection_id, std::int64_t start,
                                              std::int64_t end, bool declines_count,
                                              std::unordered_map<std::int64_t, bool>& answered) {
    auto rows = c.query("SELECT object_id, start_at, end_at, busy, declined FROM instances WHERE collection_id = $1 "
                        "AND start_at >= $4 AND start_at <= $3 AND end_at >= $2",
                        pg::params(collection_id, start, end, scan_start(start, max_span_of(c, collection_id))));
    std::vector<std::pair<std::int64_t, caldav::InstanceRow>> busy;
    for (int i = 0; i < rows.rows(); ++i) {
        auto id = rows.int64(i, 0);
        auto type = rows.optional_int64(i, 3);
        auto [it, fresh] = answered.try_emplace(id, true);
        if (!type || (declines_count && rows.boolean(i, 4))) it->second = false;
        std::int64_t s = rows.int64(i, 1), e = rows.int64(i, 2);
        if (type && *type > 0 && s < end && e > start) busy.push_back({id, {s, e, static_cast<int>(*type)}});
    }
    std::vector<caldav::InstanceRow> out;
    for (auto& [id, row] : busy)
        if (answered[id]) out.push_back(row);
    return out;
}

}  // namespace

caldav::Store::IndexedBusy PgStore::busy_in_range(std::int64_t collection_id, std::int64_t start, std::int64_t end,
                                                  bool declines_count) {
    return read(
        [&](pg::Conn& c) {
            IndexedBusy out;
            auto unindexed = c.query("SELECT " + std::string(object_columns) + " FROM objects WHERE collection_id = "
                                     "$1 AND component IN ('VEVENT', 'VFREEBUSY', 'VAVAILABILITY') AND " +
                                         unindexed_in_range,
                                     pg::params(collection_id, start, end));
            std::unordered_map<std::int64_t, bool> answered;  // object: every row has its busy time
            for (int i = 0; i < unindexed.rows(); ++i) {
                out.others.push_back(object_from(unindexed, i, true));
                answered.emplace(out.others.back().id, false);
            }
            std::unordered_set<std::int64_t> read_already;
            for (const auto& o : out.others) read_already.insert(o.id);
            out.rows = indexed_busy(c, collection_id, start, end, declines_count, answered);
            for (auto [id, ok] : answered) {
                if (ok || read_already.count(id)) continue;
                auto o = c.query("SELECT " + std::string(object_columns) + " FROM objects WHERE id = $1",
                                 pg::params(id));
                if (!o.empty()) out.others.push_back(object_from(o, 0, true));
            }
            return out;
        },
        true);
}

std::optional<caldav::ObjectRecord> PgStore::find_object_by_uid(std::int64_t owner_id, std::string_view uid) {
    return read([&](pg::Conn& c) -> std::optional<caldav::ObjectRecord> {
        auto r = c.query("SELECT " + object_columns_of("o.", true) +
                             " FROM objects o JOIN collections c ON c.owner_id = o.owner_id AND c.id = o.collection_id "
                             "WHERE o.owner_id = $1 AND c.kind = 'calendar' AND o.uid = $2 ORDER BY o.id LIMIT 1",
                         pg::params(owner_id, uid));
        if (r.empty()) return std::nullopt;
        return object_from(r, 0, true);
    });
}

std::vector<caldav::ObjectRecord> PgStore::objects_without_index(std::size_t limit) {
    return read([&](pg::Conn& c) {
        auto r = c.query("SELECT " + std::string(object_columns) + " FROM objects WHERE index_state = 0 LIMIT $1",
                         pg::params(limit));
        std::vector<caldav::ObjectRecord> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(object_from(r, i, true));
        return out;
    });
}

std::optional<caldav::ObjectRecord> PgStore::find_object(std::int64_t collection_id, std::string_view name,
                                                         bool with_data) {
    return read([&](pg::Conn& c) -> std::optional<caldav::ObjectRecord> {
        auto r = c.query("SELECT " + object_columns_of("", with_data) +
                             " FROM objects WHERE collection_id = $1 AND name = $2",
                         pg::params(collection_id, name));
        if (r.empty()) return std::nullopt;
        return object_from(r, 0, with_data);
    });
}

StoreStatus PgStore::set_instances(std::int64_t object_id, const caldav::InstanceIndex& index) {
    try {
        return write([&](pg::Conn& c) {
            auto r = c.query("SELECT owner_id, collection_id FROM objects WHERE id = $1 FOR UPDATE",
                             pg::params(object_id));
            if (r.empty()) return StoreStatus::not_found;
            write_instances(c, r.int64(0, 0), object_id, r.int64(0, 1), index);
            c.query("UPDATE collections SET index_generation = index_generation + 1 WHERE id = $1",
                    pg::params(r.int64(0, 1)));
            return StoreStatus::ok;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

}  // namespace server
