// Storage figures read at scrape time for /metrics (src/storage/storage_metrics.hpp).
#include "src/storage/storage_metrics.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

#include "src/storage/sqlite.hpp"
#include "src/storage/sqlite_store.hpp"
#include "src/util/log.hpp"

namespace server {

namespace {

double file_bytes(const std::filesystem::path& p) {
    std::error_code ec;
    auto n = std::filesystem::file_size(p, ec);
    return ec ? 0.0 : static_cast<double>(n);
}

/// WAL frames not yet copied back into the database file (checkpoint lag),
/// read from the wal-index header in the -shm file without touching the
/// database (https://sqlite.org/walformat.html §2.2: mxFrame at byte 16 of
/// the header, nBackfill at byte 96, native byte order). The two header
/// copies differ while a writer is changing them, so a torn read is tried
/// again a few times; nullopt when there is no -shm file or every read was
/// torn.
std::optional<std::uint32_t> checkpoint_lag_frames(const std::filesystem::path& db_file) {
    auto shm = db_file;
    shm += "-shm";
    constexpr int attempts = 8;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        std::ifstream in(shm, std::ios::binary);
        std::array<char, 136> head{};
        if (!in.read(head.data(), head.size())) return std::nullopt;
        if (std::memcmp(head.data(), head.data() + 48, 48) != 0) continue;
        std::uint32_t max_frame = 0, backfilled = 0;
        std::memcpy(&max_frame, head.data() + 16, 4);
        std::memcpy(&backfilled, head.data() + 96, 4);
        return max_frame >= backfilled ? max_frame - backfilled : 0;
    }
    return std::nullopt;
}

/// Pending (not failed) jobs per kind with the age of the oldest, and the
/// jobs that failed for good, from a read-only connection; false when the
/// database could not be read.
bool write_job_figures(std::string& out, const std::filesystem::path& db_file) {
    std::string depth, age, gave_up;
    try {
        sqlite::Db db(db_file, false, true);
        sqlite3_busy_timeout(db.handle(), 1000);
        auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
        auto st = db.prepare(
            "SELECT kind, count(*), min(created_at) FROM jobs WHERE failed_at IS NULL GROUP BY kind ORDER BY kind");
        while (st.step()) {
            auto labels = "kind=\"" + metrics::escape_label(st.view(0)) + "\"";
            metrics::write_sample(depth, "kalends_job_queue_depth", labels, static_cast<double>(st.int64(1)));
            metrics::write_sample(age, "kalends_job_queue_oldest_age_seconds", labels,
                                  static_cast<double>(std::max<std::int64_t>(0, now - st.int64(2))));
        }
        auto failed = db.prepare("SELECT kind, count(*) FROM jobs WHERE failed_at IS NOT NULL GROUP BY kind ORDER BY kind");
        while (failed.step())
            metrics::write_sample(gave_up, "kalends_jobs_failed", "kind=\"" + metrics::escape_label(failed.view(0)) + "\"",
                                  static_cast<double>(failed.int64(1)));
    } catch (const std::exception& e) {
        log::warn(std::string("metrics: cannot read the job queue: ") + e.what());
        return false;
    }
    metrics::write_family(out, "kalends_job_queue_depth", "gauge", "Jobs waiting or running, by kind (mail, reminder, ...).");
    out += depth;
    metrics::write_family(out, "kalends_job_queue_oldest_age_seconds", "gauge",
                          "Age of the oldest waiting or running job, by kind.");
    out += age;
    metrics::write_family(out, "kalends_jobs_failed", "gauge",
                          "Jobs that failed for good and are kept for operators (undelivered mail...), by kind.");
    out += gave_up;
    return true;
}

void write_cache_figures(std::string& out, const CollectionCache& cache) {
    metrics::write_family(out, "kalends_collection_cache_requests_total", "counter",
                          "Collection queries the in-memory cache answered (hit) or left to the database (miss).");
    metrics::write_sample(out, "kalends_collection_cache_requests_total", "result=\"hit\"",
                          static_cast<double>(cache.hits()));
    metrics::write_sample(out, "kalends_collection_cache_requests_total", "result=\"miss\"",
                          static_cast<double>(cache.misses()));
    metrics::write_family(out, "kalends_collection_cache_bytes", "gauge",
                          "Memory the collection cache holds (an estimate).");
    metrics::write_sample(out, "kalends_collection_cache_bytes", "", static_cast<double>(cache.bytes()));
    auto asked = cache.hits() + cache.misses();
    metrics::write_family(out, "kalends_collection_cache_hit_ratio", "gauge",
                          "Hits over all collection cache queries since start; 0 before the first.");
    metrics::write_sample(out, "kalends_collection_cache_hit_ratio", "",
                          asked == 0 ? 0.0 : static_cast<double>(cache.hits()) / static_cast<double>(asked));
}

}  // namespace

void add_storage_metrics(metrics::Registry& registry, Backend& backend, const Config& config) {
    auto errors = std::make_shared<std::atomic<std::uint64_t>>(0);
    const auto* sqlite_store = dynamic_cast<const SqliteStore*>(&backend);
    auto db_file = config.database_file();
    registry.add_collector([sqlite_store, db_file, errors](std::string& out) {
        metrics::write_family(out, "kalends_database_bytes", "gauge", "Size of the database file.");
        metrics::write_sample(out, "kalends_database_bytes", "", file_bytes(db_file));
        metrics::write_family(out, "kalends_database_wal_bytes", "gauge",
                              "Size of the write-ahead log (what the next checkpoint copies back, at most).");
        auto wal = db_file;
        wal += "-wal";
        metrics::write_sample(out, "kalends_database_wal_bytes", "", file_bytes(wal));
        if (auto lag = checkpoint_lag_frames(db_file)) {
            metrics::write_family(out, "kalends_database_wal_checkpoint_lag_frames", "gauge",
                                  "Pages written to the write-ahead log and not yet checkpointed into the database.");
            metrics::write_sample(out, "kalends_database_wal_checkpoint_lag_frames", "", *lag);
        }
        if (!write_job_figures(out, db_file)) ++*errors;
        metrics::write_family(out, "kalends_storage_scrape_errors_total", "counter",
                              "Scrapes that could not read the job queue.");
        metrics::write_sample(out, "kalends_storage_scrape_errors_total", "", static_cast<double>(errors->load()));
        if (sqlite_store) write_cache_figures(out, sqlite_store->collection_cache());
    });
}

}  // namespace server
