// PostgreSQL schema migrations: the numbered schema/postgresql/*.sql files,
// applied at start in one transaction, refused when the database is newer.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "src/storage/postgres/pg.hpp"

namespace server {

/// One numbered migration (schema/postgresql/NNNN_name.sql).
struct PgMigration {
    int version;
    const char* name;
    const char* sql;
};

/// The PostgreSQL migrations embedded in this binary, in order.
const std::vector<PgMigration>& postgres_migrations();

/// Why a database cannot be used by this binary.
class PgMigrationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Brings the database up to the last of `migrations` in one transaction,
/// recording the version in table kalends_schema; an advisory lock keeps two
/// processes from migrating at once. Returns the version found before. Throws
/// PgMigrationError when the database is newer than the binary or a
/// migration fails (nothing is applied then).
int migrate_postgres(pg::Conn& conn, const std::vector<PgMigration>& migrations);

}  // namespace server
