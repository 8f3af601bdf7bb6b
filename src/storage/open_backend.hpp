// The one place that picks the storage backend the config names ([storage]
// in kalends.conf(5)) and opens it.
#pragma once
#include <memory>

#include "src/config/config.hpp"
#include "src/storage/backend.hpp"

namespace server {

/// Prepares the data directory and opens the configured backend (the SQLite
/// file there, migrated to the current schema). Throws ConfigError naming the
/// data directory or the database file when either cannot be used.
std::unique_ptr<Backend> open_backend(const Config& config);

}  // namespace server
