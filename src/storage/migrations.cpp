// Migration runner over PRAGMA user_version (schema/README in DESIGN.md "Data").
#include "src/storage/migrations.hpp"

namespace server {

namespace {

int user_version(sqlite::Db& db) {
    auto stmt = db.prepare("PRAGMA user_version");
    return stmt.step() ? static_cast<int>(stmt.int64(0)) : 0;
}

}  // namespace

int migrate(sqlite::Db& db, const std::vector<Migration>& migrations) {
    db.exec("BEGIN IMMEDIATE");
    try {
        int found = user_version(db);
        int latest = migrations.empty() ? 0 : migrations.back().version;
        if (found > latest) {
            throw MigrationError("database schema version " + std::to_string(found) +
                                 " is newer than this binary supports (" +
                                 std::to_string(latest) + "); use a newer kalends");
        }
        for (const auto& m : migrations) {
            if (m.version <= found) continue;
            try {
                db.exec(m.sql);
            } catch (const sqlite::Error& e) {
                throw MigrationError("migration " + std::to_string(m.version) + " (" + m.name +
                                     ") failed: " + e.what());
            }
        }
        if (latest != found) db.exec("PRAGMA user_version = " + std::to_string(latest));
        db.exec("COMMIT");
        return found;
    } catch (...) {
        db.exec("ROLLBACK");
        throw;
    }
}

}  // namespace server
