// SqliteCollectionSource: what the collection cache reads (CollectionSource),
// read in one of SqliteStore's read transactions.
#pragma once
#include "src/storage/collection_cache.hpp"
#include "src/storage/sqlite.hpp"

namespace server {

/// The cache's reads on `db`, in the read transaction it is in (schema 0012
/// stamps, the instances table, the changes log). Lives for one read.
class SqliteCollectionSource final : public CollectionSource {
public:
    explicit SqliteCollectionSource(sqlite::Db& db) : db_(db) {}

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
    sqlite::Db& db_;
};

}  // namespace server
