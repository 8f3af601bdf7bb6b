// open_backend: [storage] settings to an opened SqliteStore.
#include "src/storage/open_backend.hpp"

#include <exception>

#include "src/storage/sqlite_store.hpp"

namespace server {

std::unique_ptr<Backend> open_backend(const Config& c) {
    prepare_data_dir(c);
    SqliteOptions o;
    o.file = c.database_file();
    o.readers = c.storage_readers;
    o.busy_timeout = c.busy_timeout;
    o.cache_mb = c.storage_cache_mb;
    o.mmap_mb = c.storage_mmap_mb;
    o.collection_cache_bytes = std::size_t{c.storage_collection_cache_mb} << 20;
    o.idempotency_retention = std::chrono::hours(c.api.idempotency_hours);
    try {
        return SqliteStore::open(o);
    } catch (const std::exception& e) {
        throw ConfigError(c.database_file().string() + ": " + e.what());
    }
}

}  // namespace server
