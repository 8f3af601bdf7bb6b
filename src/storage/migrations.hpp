// Schema migrations: the numbered schema/*.sql files, applied in one transaction.
#pragma once
#include <string>
#include <vector>

#include "src/storage/sqlite.hpp"

namespace server {

/// One numbered migration (schema/NNNN_name.sql).
struct Migration {
    int version;
    const char* name;
    const char* sql;
};

/// The migrations embedded in this binary, in order (generated from schema/).
const std::vector<Migration>& builtin_migrations();

/// Why a database cannot be used by this binary.
class MigrationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Brings `db` up to the last of `migrations` in one transaction, recording the
/// version in PRAGMA user_version. Returns the version found before. Throws
/// MigrationError when the database is newer than the binary (we never
/// downgrade) or a migration fails (nothing is applied then).
int migrate(sqlite::Db& db, const std::vector<Migration>& migrations);

}  // namespace server
