// SqliteCollectionSource: see the header.
#include "src/storage/sqlite_collection_source.hpp"

#include "src/storage/object_rows.hpp"

namespace server {

namespace {

/// The objects row, then the index state (columns 15–17), of the members of
/// collection ?1 (and with `named`, only the one named ?2).
const std::string& member_select(bool named) {
    static const std::string head =
        "SELECT " + std::string(rows::object_columns) + ", index_state, indexed_until, index_exact FROM objects ";
    static const std::string all = head + "WHERE collection_id = ?1";
    static const std::string one = head + "WHERE collection_id = ?1 AND name = ?2";
    return named ? one : all;
}

/// Fills `m` from a `member_select` row; its data stays in the row.
void read_member(const sqlite::Stmt& s, CachedMember& m) {
    rows::read_object(s, m.record, false);
    m.data = s.view(13);
    m.indexed = s.int64(15) != 0;
    m.indexed_until = s.optional_int64(16);
    m.exact = s.int64(17) != 0;
}

}  // namespace

std::optional<CollectionStamp> SqliteCollectionSource::stamp(std::int64_t collection_id) {
    auto s = db_.prepare(
        "SELECT revision, sync_floor, incarnation, index_generation, max_span FROM collections WHERE id = ?1");
    s.bind(1, collection_id);
    if (!s.step()) return std::nullopt;
    return CollectionStamp{collection_id, s.int64(0), s.int64(1), s.int64(2), s.int64(3), s.int64(4)};
}

void SqliteCollectionSource::members(std::int64_t collection_id,
                                     const std::function<bool(CachedMember&)>& visit) {
    auto s = db_.prepare(member_select(false));
    s.bind(1, collection_id);
    CachedMember m;
    while (s.step()) {
        read_member(s, m);
        if (!visit(m)) return;
    }
}

bool SqliteCollectionSource::member(std::int64_t collection_id, std::string_view name,
                                    const std::function<void(CachedMember&)>& visit) {
    auto s = db_.prepare(member_select(true));
    s.bind(1, collection_id).bind(2, name);
    if (!s.step()) return false;
    CachedMember m;
    read_member(s, m);
    visit(m);
    return true;
}

void SqliteCollectionSource::instances(
    std::int64_t collection_id, const std::function<bool(std::int64_t, std::int64_t, std::int64_t)>& visit) {
    // The covering time index gives the rows in start order.
    auto r = db_.prepare(
        "SELECT start_at, end_at, object_id FROM instances WHERE collection_id = ?1 ORDER BY start_at");
    r.bind(1, collection_id);
    while (r.step())
        if (!visit(r.int64(0), r.int64(1), r.int64(2))) return;
}

void SqliteCollectionSource::instances_of(std::int64_t object_id,
                                          const std::function<void(std::int64_t, std::int64_t)>& visit) {
    auto r = db_.prepare("SELECT start_at, end_at FROM instances WHERE object_id = ?1");
    r.bind(1, object_id);
    while (r.step()) visit(r.int64(0), r.int64(1));
}

bool SqliteCollectionSource::changed_names(std::int64_t collection_id, std::int64_t since, std::size_t max,
                                           std::vector<std::string>& names) {
    auto c = db_.prepare("SELECT name FROM changes WHERE collection_id = ?1 AND revision > ?2");
    c.bind(1, collection_id).bind(2, since);
    std::size_t n = 0;
    while (c.step()) {
        if (++n > max) return false;
        names.emplace_back(c.view(0));
    }
    return true;
}

bool SqliteCollectionSource::data(std::int64_t object_id, const std::function<void(std::string_view)>& use) {
    auto s = db_.prepare("SELECT data FROM objects WHERE id = ?1");
    s.bind(1, object_id);
    if (!s.step()) return false;
    use(s.view(0));
    return true;
}

}  // namespace server
