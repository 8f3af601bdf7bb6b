// The one place that picks the storage backend the config names ([storage]
// in kalends.conf(5)) and opens it.
#pragma once
#include <memory>

#include "src/config/config.hpp"
#include "src/storage/backend.hpp"

namespace server {

/// Prepares the data directory and opens the configured backend (the SQLite
/// file there, or the PostgreSQL database of [storage] url; either migrated
/// to the current schema). Throws ConfigError naming the data directory, the
/// database file or the URL when one cannot be used.
std::unique_ptr<Backend> open_backend(const Config& config);

}  // namespace server
