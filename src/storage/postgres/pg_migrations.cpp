// Migration runner over table kalends_schema (one row: the version).
#include "src/storage/postgres/pg_migrations.hpp"

namespace server {

namespace {

/// An arbitrary constant: the advisory lock every kalends migration takes.
constexpr const char* lock_key = "7210462715";

int apply(pg::Conn& c, const std::vector<PgMigration>& migrations) {
    c.exec(std::string("SELECT pg_advisory_xact_lock(") + lock_key + ")");
    c.exec("CREATE TABLE IF NOT EXISTS kalends_schema (version integer NOT NULL)");
    auto v = c.query("SELECT max(version) FROM kalends_schema");
    const int found = v.is_null(0, 0) ? 0 : static_cast<int>(v.int64(0, 0));
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    if (found > latest)
        throw PgMigrationError("database schema version " + std::to_string(found) +
                               " is newer than this binary supports (" + std::to_string(latest) +
                               "); use a newer kalends");
    for (const auto& m : migrations) {
        if (m.version <= found) continue;
        try {
            c.exec(m.sql);
        } catch (const pg::Error& e) {
            throw PgMigrationError("migration " + std::to_string(m.version) + " (" + m.name + ") failed: " + e.what());
        }
    }
    if (latest != found) {
        c.exec("DELETE FROM kalends_schema");
        c.query("INSERT INTO kalends_schema (version) VALUES ($1)", pg::params(latest));
    }
    return found;
}

}  // namespace

int migrate_postgres(pg::Conn& c, const std::vector<PgMigration>& migrations) {
    c.exec("BEGIN");
    try {
        int found = apply(c, migrations);
        c.exec("COMMIT");
        return found;
    } catch (...) {
        c.exec("ROLLBACK");
        throw;
    }
}

}  // namespace server
