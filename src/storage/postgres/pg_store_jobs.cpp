// PgStore's JobStore: the leased job queue. A lease is one UPDATE over the
// due jobs selected FOR UPDATE SKIP LOCKED, so two workers (two nodes) never
// take one job and never wait for each other's rows.
#include <algorithm>
#include <tuple>

#include "src/storage/postgres/pg_store_internal.hpp"

namespace server {

using caldav::StoreStatus;
using namespace pgrows;

namespace {

constexpr std::string_view job_columns =
    "id, kind, owner_id, due_at, payload, attempts, last_error, lease_until, failed_at, created_at";

std::vector<caldav::JobRecord> job_rows(const pg::Result& r) {
    std::vector<caldav::JobRecord> out;
    for (int i = 0; i < r.rows(); ++i) {
        caldav::JobRecord j;
        j.id = r.int64(i, 0);
        j.kind = r.text(i, 1);
        j.owner_id = r.int64(i, 2);
        j.due_at = r.int64(i, 3);
        j.payload = r.text(i, 4);
        j.attempts = r.int64(i, 5);
        j.last_error = r.text(i, 6);
        j.lease_until = r.int64(i, 7);
        j.failed_at = r.optional_int64(i, 8);
        j.created_at = r.int64(i, 9);
        out.push_back(std::move(j));
    }
    return out;
}

}  // namespace

StoreStatus PgStore::enqueue_jobs(const std::vector<caldav::NewJob>& jobs, std::vector<std::int64_t>* ids) {
    if (jobs.empty()) return StoreStatus::ok;
    try {
        auto made = write([&](pg::Conn& c) {
            std::vector<std::int64_t> out;
            const auto now = now_seconds();
            for (const auto& j : jobs) {
                auto r = c.query("INSERT INTO jobs (owner_id, kind, payload, due_at, created_at) "
                                 "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                                 pg::params(j.owner_id, j.kind, j.payload, j.due_at, now));
                out.push_back(r.int64(0, 0));
            }
            return out;
        });
        if (ids) *ids = std::move(made);
        return StoreStatus::ok;
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

std::vector<caldav::JobRecord> PgStore::lease_jobs(const std::vector<std::string>& kinds, std::int64_t now,
                                                   std::int64_t lease_until, std::string_view worker,
                                                   std::size_t limit) {
    if (kinds.empty() || limit == 0) return {};
    auto out = write([&](pg::Conn& c) {
        return job_rows(c.query(
            "UPDATE jobs SET lease_owner = $1, lease_until = $2 WHERE (owner_id, id) IN (SELECT owner_id, id FROM "
            "jobs WHERE kind = ANY($5::text[]) AND failed_at IS NULL AND due_at <= $3 AND (lease_owner = '' OR "
            "lease_until < $3) ORDER BY due_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING " +
                std::string(job_columns),
            pg::params(worker, lease_until, now, limit).add_array(kinds)));
    });
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return std::tie(a.due_at, a.id) < std::tie(b.due_at, b.id); });
    return out;
}

StoreStatus PgStore::complete_job(std::int64_t id, std::string_view worker) {
    try {
        bool held = write([&](pg::Conn& c) {
            return c.query("DELETE FROM jobs WHERE id = $1 AND lease_owner = $2 AND failed_at IS NULL",
                           pg::params(id, worker))
                       .affected() == 1;
        });
        return held ? StoreStatus::ok : StoreStatus::not_found;
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

StoreStatus PgStore::release_job(std::int64_t id, std::string_view worker, std::string_view set, std::int64_t time,
                                 std::string_view error) {
    try {
        bool held = write([&](pg::Conn& c) {
            return c.query("UPDATE jobs SET " + std::string(set) +
                               ", attempts = attempts + 1, last_error = $4, lease_owner = '', lease_until = 0 "
                               "WHERE id = $1 AND lease_owner = $2 AND failed_at IS NULL",
                           pg::params(id, worker, time, error))
                       .affected() == 1;
        });
        return held ? StoreStatus::ok : StoreStatus::not_found;
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

StoreStatus PgStore::retry_job(std::int64_t id, std::string_view worker, std::int64_t due_at, std::string_view error) {
    return release_job(id, worker, "due_at = $3", due_at, error);
}

StoreStatus PgStore::fail_job(std::int64_t id, std::string_view worker, std::int64_t now, std::string_view error) {
    return release_job(id, worker, "failed_at = $3", now, error);
}

std::optional<std::int64_t> PgStore::next_job_due(const std::vector<std::string>& kinds) {
    if (kinds.empty()) return std::nullopt;
    try {
        return read([&](pg::Conn& c) -> std::optional<std::int64_t> {
            auto r = c.query("SELECT min(CASE WHEN lease_owner = '' THEN due_at ELSE greatest(due_at, lease_until) END) "
                             "FROM jobs WHERE failed_at IS NULL AND kind = ANY($1::text[])",
                             pg::Params().add_array(kinds));
            return r.optional_int64(0, 0);
        });
    } catch (const pg::Error&) {
        // The database unreachable: nothing known to be due, the runner polls
        // again after its idle interval (the job runner calls this outside
        // its catch-all, so an exception here ended the process).
        return std::nullopt;
    }
}

std::vector<caldav::JobRecord> PgStore::list_jobs(std::string_view kind) {
    return read([&](pg::Conn& c) {
        return job_rows(c.query("SELECT " + std::string(job_columns) + " FROM jobs WHERE $1 = '' OR kind = $1 ORDER BY id",
                                pg::params(kind)));
    });
}

}  // namespace server
