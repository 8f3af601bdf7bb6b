// PgCollectionSource: see the header.
#include "src/storage/postgres/pg_collection_source.hpp"

#include "src/storage/postgres/pg_store_internal.hpp"

namespace server {

namespace {

/// The objects row, then the index state (columns 15–17), of the members of
/// collection $1 (and with `named`, only the one named $2).
const std::string& member_select(bool named) {
    static const std::string head = "SELECT " + pgrows::object_columns_of("", true) +
                                    ", index_state, indexed_until, index_exact FROM objects ";
    static const std::string all = head + "WHERE collection_id = $1";
    static const std::string one = head + "WHERE collection_id = $1 AND name = $2";
    return named ? one : all;
}

/// Fills `m` from row `row` of a `member_select` result; its data stays in the result.
void read_member(const pg::Result& r, int row, CachedMember& m) {
    pgrows::read_object(r, row, m.record, false);
    m.data = r.view(row, 13);
    m.indexed = r.int64(row, 15) != 0;
    m.indexed_until = r.optional_int64(row, 16);
    m.exact = r.boolean(row, 17);
}

}  // namespace

std::optional<CollectionStamp> PgCollectionSource::stamp(std::int64_t collection_id) {
    auto r = conn_.query(
        "SELECT revision, sync_floor, incarnation, index_generation, max_span FROM collections WHERE id = $1",
        pg::params(collection_id));
    if (r.empty()) return std::nullopt;
    return CollectionStamp{collection_id, r.int64(0, 0), r.int64(0, 1), r.int64(0, 2), r.int64(0, 3), r.int64(0, 4)};
}

void PgCollectionSource::members(std::int64_t collection_id, const std::function<bool(CachedMember&)>& visit) {
    auto r = conn_.query(member_select(false), pg::params(collection_id));
    CachedMember m;
    for (int i = 0; i < r.rows(); ++i) {
        read_member(r, i, m);
        if (!visit(m)) return;
    }
}

bool PgCollectionSource::member(std::int64_t collection_id, std::string_view name,
                                const std::function<void(CachedMember&)>& visit) {
    auto r = conn_.query(member_select(true), pg::params(collection_id, name));
    if (r.empty()) return false;
    CachedMember m;
    read_member(r, 0, m);
    visit(m);
    return true;
}

void PgCollectionSource::instances(std::int64_t collection_id,
                                   const std::function<bool(std::int64_t, std::int64_t, std::int64_t)>& visit) {
    auto r = conn_.query("SELECT start_at, end_at, object_id FROM instances WHERE collection_id = $1 ORDER BY start_at",
                         pg::params(collection_id));
    for (int i = 0; i < r.rows(); ++i)
        if (!visit(r.int64(i, 0), r.int64(i, 1), r.int64(i, 2))) return;
}

void PgCollectionSource::instances_of(std::int64_t object_id,
                                      const std::function<void(std::int64_t, std::int64_t)>& visit) {
    // Through objects_by_id: the instance rows are indexed by (owner_id, object_id).
    auto r = conn_.query("SELECT i.start_at, i.end_at FROM objects o JOIN instances i ON i.owner_id = o.owner_id "
                         "AND i.object_id = o.id WHERE o.id = $1",
                         pg::params(object_id));
    for (int i = 0; i < r.rows(); ++i) visit(r.int64(i, 0), r.int64(i, 1));
}

bool PgCollectionSource::changed_names(std::int64_t collection_id, std::int64_t since, std::size_t max,
                                       std::vector<std::string>& names) {
    // One more than `max` tells "more than max" without reading them all.
    auto r = conn_.query("SELECT name FROM changes WHERE collection_id = $1 AND revision > $2 LIMIT $3",
                         pg::params(collection_id, since, max + 1));
    if (static_cast<std::size_t>(r.rows()) > max) return false;
    for (int i = 0; i < r.rows(); ++i) names.emplace_back(r.view(i, 0));
    return true;
}

bool PgCollectionSource::data(std::int64_t object_id, const std::function<void(std::string_view)>& use) {
    auto r = conn_.query("SELECT data FROM objects WHERE id = $1", pg::params(object_id));
    if (r.empty()) return false;
    use(r.view(0, 0));
    return true;
}

}  // namespace server
