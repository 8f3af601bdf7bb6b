// PgCollectionSource: what the collection cache reads (CollectionSource), in
// one of PgStore's REPEATABLE READ snapshots (issue 27). Each node keeps its
// own CollectionCache; a read compares the collection's stamp in its
// snapshot with the copy and brings the copy up to date from the change log
// first, so a node answers from memory only what the database holds at that
// snapshot, whichever node wrote it.
#pragma once
#include "src/storage/collection_cache.hpp"
#include "src/storage/postgres/pg.hpp"

namespace server {

/// The cache's reads on `conn`, inside the snapshot transaction it is in
/// (collection stamps, the instances table, the changes log). Lives for one read.
class PgCollectionSource final : public CollectionSource {
public:
    explicit PgCollectionSource(pg::Conn& conn) : conn_(conn) {}

    std::optional<CollectionStamp> stamp(std::int64_t collection_id) override;
    void members(std::int64_t collection_id, const std::function<bool(CachedMember&)>& visit) override;
    bool member(std::int64_t collection_id, std::string_view name,
                const std::function<void(CachedMember&)>& visit) override;
    void instances(std::int64_t collection_id,
                   const std::function<bool(std::int64_t, std::int64_t, std::int64_t)>& visit) override;
    void instances_of(std::int64_t object_id, const std::function<void(std::int64_t, std::int64_t)>& visit) override;
    bool changed_names(std::int64_t collection_id, std::int64_t since, std::size_t max,
                       std::vector<std::string>& names) override;
    bool data(std::int64_t object_id, const std::function<void(std::string_view)>& use) override;

private:
    pg::Conn& conn_;
};

}  // namespace server
