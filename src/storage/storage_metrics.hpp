// The storage figures /metrics reads at scrape time (issue 29 §1): database
// and WAL size, job queue depth and age, the collection cache's hit rate and memory.
#pragma once
#include "src/config/config.hpp"
#include "src/storage/backend.hpp"
#include "src/util/metrics.hpp"

namespace server {

/// Adds to `registry` a collector that reads, on each scrape: the database
/// and WAL file sizes, the pending jobs per kind (count and oldest age) and
/// those that failed for good (through a read-only connection of its own),
/// and for SqliteStore the collection cache's hits, misses and bytes. `backend` and `config` must
/// outlive the collector (Registry::clear_collectors before they go). A
/// database that cannot be read leaves the job figures out and says so in
/// kalends_storage_scrape_errors_total.
void add_storage_metrics(metrics::Registry& registry, Backend& backend, const Config& config);

}  // namespace server
