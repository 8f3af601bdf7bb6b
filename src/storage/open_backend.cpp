// open_backend: [storage] settings to an opened SqliteStore or PgStore.
#include "src/storage/open_backend.hpp"

#include <exception>
#include <fstream>

#include "src/storage/postgres/pg_store.hpp"
#include "src/storage/sqlite_store.hpp"

namespace server {

namespace {

/// The first line of the password file ([storage] password-file).
std::string read_password(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw ConfigError(file.string() + ": cannot read the PostgreSQL password file");
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

std::unique_ptr<Backend> open_postgres(const Config& c) {
    PgOptions o;
    o.url = c.storage_url;
    if (!c.storage_password_file.empty()) o.password = read_password(c.storage_password_file);
    o.pool_size = c.storage_pool_size;
    o.pool_timeout = c.busy_timeout;
    o.idempotency_retention = std::chrono::hours(c.api.idempotency_hours);
    o.collection_cache_bytes = std::size_t{c.storage_collection_cache_mb} << 20;
    try {
        return PgStore::open(o);
    } catch (const std::exception& e) {
        // The URL names no password (it comes from the file or libpq's own sources).
        throw ConfigError("storage.url " + c.storage_url + ": " + e.what());
    }
}

}  // namespace

std::unique_ptr<Backend> open_backend(const Config& c) {
    prepare_data_dir(c);
    if (c.storage_backend == "postgresql") return open_postgres(c);
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
