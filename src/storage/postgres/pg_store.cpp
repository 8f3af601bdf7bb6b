// PgStore: the connection pool, the shared row readers, and the accounts,
// principals and idempotency records (AccountStore, PrincipalStore,
// IdempotencyStore).
#include "src/storage/postgres/pg_store.hpp"

#include "src/storage/postgres/pg_store_internal.hpp"

namespace server {

using caldav::StoreStatus;

namespace pgrows {

StoreStatus status_of(const pg::Error& e) {
    const auto& s = e.sqlstate();
    // Lost or refused connections, too many clients, shutdown, lock timeouts.
    if (s.empty() || s.starts_with("08") || s.starts_with("57P") || s == "53300" || s == "55P03" || s == "40001" ||
        s == "40P01")
        return StoreStatus::busy;
    if (s == "53100" || s == "53200") return StoreStatus::full;  // disk full, out of memory
    throw e;
}

const char* kind_name(caldav::CollectionKind k) {
    switch (k) {
    case caldav::CollectionKind::calendar: return "calendar";
    case caldav::CollectionKind::inbox: return "inbox";
    case caldav::CollectionKind::outbox: return "outbox";
    case caldav::CollectionKind::plain: return "plain";
    }
    return "plain";
}

namespace {
caldav::CollectionKind kind_from(std::string_view s) {
    if (s == "calendar") return caldav::CollectionKind::calendar;
    if (s == "inbox") return caldav::CollectionKind::inbox;
    if (s == "outbox") return caldav::CollectionKind::outbox;
    return caldav::CollectionKind::plain;
}

std::string qualified(std::string_view columns, std::string_view alias, bool with_data) {
    std::string out;
    while (!columns.empty()) {
        auto comma = columns.find(", ");
        auto name = columns.substr(0, comma);
        if (!out.empty()) out += ", ";
        if (name == "data" && !with_data) out += "NULL";
        else out.append(alias).append(name);
        columns = comma == std::string_view::npos ? std::string_view() : columns.substr(comma + 2);
    }
    return out;
}
}  // namespace

std::string collection_columns_of(std::string_view alias) { return qualified(collection_columns, alias, true); }

std::string object_columns_of(std::string_view alias, bool with_data) {
    return qualified(object_columns, alias, with_data);
}

caldav::CollectionRecord collection_from(const pg::Result& r, int row, int at) {
    caldav::CollectionRecord c;
    c.id = r.int64(row, at + 0);
    c.owner_id = r.int64(row, at + 1);
    c.name = r.text(row, at + 2);
    c.kind = kind_from(r.view(row, at + 3));
    c.display_name = r.text(row, at + 4);
    c.description = r.text(row, at + 5);
    c.timezone = r.text(row, at + 6);
    c.components = r.text(row, at + 7);
    c.revision = r.int64(row, at + 8);
    c.sync_floor = r.int64(row, at + 9);
    c.created_at = r.int64(row, at + 10);
    c.modified_at = r.int64(row, at + 11);
    return c;
}

void read_object(const pg::Result& r, int row, caldav::ObjectRecord& o, bool with_data, int at) {
    o.id = r.int64(row, at + 0);
    o.collection_id = r.int64(row, at + 1);
    o.name.assign(r.view(row, at + 2));
    o.uid.assign(r.view(row, at + 3));
    o.component.assign(r.view(row, at + 4));
    o.etag.assign(r.view(row, at + 5));
    o.schedule_tag.assign(r.view(row, at + 6));
    o.size = r.int64(row, at + 7);
    o.revision = r.int64(row, at + 8);
    o.first_start = r.optional_int64(row, at + 9);
    o.last_end = r.optional_int64(row, at + 10);
    o.created_at = r.int64(row, at + 11);
    o.modified_at = r.int64(row, at + 12);
    if (with_data) o.data.assign(r.view(row, at + 13));
    else o.data.clear();
    o.shared_data.reset();
    o.shared_escaped.reset();
    o.content_type.assign(r.view(row, at + 14));
    o.index_match = false;
}

std::int64_t owner_of_collection(pg::Conn& c, std::int64_t collection_id) {
    auto r = c.query("SELECT owner_id FROM collections WHERE id = $1", pg::params(collection_id));
    return r.empty() ? 0 : r.int64(0, 0);
}

std::int64_t log_change(pg::Conn& c, std::int64_t collection_id, std::string_view name, bool deleted,
                        std::int64_t now) {
    auto bump = c.query(
        "UPDATE collections SET revision = revision + 1, modified_at = $2 WHERE id = $1 "
        "RETURNING revision, owner_id",
        pg::params(collection_id, now));
    if (bump.empty()) return 0;
    const auto revision = bump.int64(0, 0);
    c.query("INSERT INTO changes (owner_id, collection_id, name, revision, deleted) VALUES ($1, $2, $3, $4, $5) "
            "ON CONFLICT (owner_id, collection_id, name) DO UPDATE SET revision = $4, deleted = $5",
            pg::params(bump.int64(0, 1), collection_id, name, revision, deleted));
    return revision;
}

}  // namespace pgrows

using namespace pgrows;

// ------------------------------------------------------------------ the pool

std::unique_ptr<PgStore> PgStore::open(const PgOptions& options, const std::vector<PgMigration>& migrations) {
    std::unique_ptr<PgStore> store(new PgStore(options));
    auto first = std::make_unique<pg::Conn>(options.url, options.password);
    store->opened_version_ = migrate_postgres(*first, migrations);
    store->free_.push_back(std::move(first));
    return store;
}

PgStore::~PgStore() { close(); }

void PgStore::close() {
    std::unique_lock lock(mutex_);
    closed_ = true;
    freed_.wait(lock, [&] { return out_ == 0; });
    free_.clear();
}

std::unique_ptr<pg::Conn> PgStore::take() {
    std::unique_lock lock(mutex_);
    const auto cap = std::max<std::size_t>(1, options_.pool_size);
    if (!freed_.wait_for(lock, options_.pool_timeout, [&] { return closed_ || !free_.empty() || out_ < cap; }))
        throw pg::Error("no PostgreSQL connection free within the pool timeout", "53300");
    if (closed_) throw pg::Error("store is closed", "08003");
    ++out_;
    if (!free_.empty()) {
        auto c = std::move(free_.back());
        free_.pop_back();
        return c;
    }
    lock.unlock();
    try {
        return std::make_unique<pg::Conn>(options_.url, options_.password);  // connected outside the lock
    } catch (...) {
        lock.lock();
        --out_;
        freed_.notify_one();
        throw;
    }
}

void PgStore::give_back(std::unique_ptr<pg::Conn> c) {
    {
        std::lock_guard lock(mutex_);
        --out_;
        // A lost connection, or one left in a transaction, is not reused.
        if (c && c->ok() && !c->in_transaction() && !closed_) free_.push_back(std::move(c));
    }
    freed_.notify_all();
}

// ------------------------------------------------------------ AccountStore

StoreStatus PgStore::add_user(const std::string& name, const std::string& email, const std::string& password_hash) {
    try {
        return write([&](pg::Conn& c) {
            auto r = c.query(
                "INSERT INTO principals (name, kind, display_name, email, password_hash, booking_policy, created_at) "
                "VALUES ($1, 'user', $1, $2, $3, 'manual', $4) ON CONFLICT (name) DO NOTHING",
                pg::params(name, email, password_hash, now_seconds()));
            return r.affected() == 1 ? StoreStatus::ok : StoreStatus::exists;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

StoreStatus PgStore::set_password(const std::string& name, const std::string& password_hash) {
    return write([&](pg::Conn& c) {
        auto r = c.query("UPDATE principals SET password_hash = $2 WHERE name = $1", pg::params(name, password_hash));
        return r.affected() == 1 ? StoreStatus::ok : StoreStatus::not_found;
    });
}

StoreStatus PgStore::delete_user(const std::string& name) {
    return write([&](pg::Conn& c) {
        auto r = c.query("DELETE FROM principals WHERE name = $1", pg::params(name));
        return r.affected() == 1 ? StoreStatus::ok : StoreStatus::not_found;
    });
}

namespace {
std::vector<caldav::PrincipalRecord> principal_rows(const pg::Result& r) {
    std::vector<caldav::PrincipalRecord> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back({r.int64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4)});
    return out;
}
constexpr const char* principal_select = "SELECT id, name, kind, display_name, email FROM principals ";
}  // namespace

std::vector<caldav::PrincipalRecord> PgStore::list_principals() {
    return read([](pg::Conn& c) { return principal_rows(c.query(std::string(principal_select) + "ORDER BY name")); });
}

std::optional<Credentials> PgStore::find_credentials(const std::string& name) {
    return read([&](pg::Conn& c) -> std::optional<Credentials> {
        auto r = c.query("SELECT id, name, coalesce(password_hash, '') FROM principals WHERE name = $1",
                         pg::params(name));
        if (r.empty()) return std::nullopt;
        return Credentials{r.int64(0, 0), r.text(0, 1), r.text(0, 2)};
    });
}

StoreStatus PgStore::add_resource(const std::string& name, const std::string& email, const std::string& kind,
                                  const std::string& policy) {
    try {
        return write([&](pg::Conn& c) {
            auto r = c.query(
                "INSERT INTO principals (name, kind, display_name, email, password_hash, created_at, booking_policy) "
                "VALUES ($1, $2, $1, $3, NULL, $4, $5) ON CONFLICT (name) DO NOTHING",
                pg::params(name, kind, email, now_seconds(), policy));
            return r.affected() == 1 ? StoreStatus::ok : StoreStatus::exists;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

StoreStatus PgStore::add_token(const std::string& user, const std::string& token_name, const std::string& token_hash) {
    try {
        return write([&](pg::Conn& c) {
            auto r = c.query(
                "INSERT INTO access_tokens (principal_id, name, token_hash, created_at) "
                "SELECT id, $2, $3, $4 FROM principals WHERE name = $1 AND kind = 'user' "
                "ON CONFLICT (principal_id, name) DO NOTHING",
                pg::params(user, token_name, token_hash, now_seconds()));
            if (r.affected() == 1) return StoreStatus::ok;
            auto p = c.query("SELECT 1 FROM principals WHERE name = $1 AND kind = 'user'", pg::params(user));
            return p.empty() ? StoreStatus::not_found : StoreStatus::exists;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

std::optional<std::vector<AccessToken>> PgStore::list_tokens(const std::string& user) {
    return read(
        [&](pg::Conn& c) -> std::optional<std::vector<AccessToken>> {
            auto p = c.query("SELECT id FROM principals WHERE name = $1 AND kind = 'user'", pg::params(user));
            if (p.empty()) return std::nullopt;
            auto r = c.query(
                "SELECT id, principal_id, name, created_at, last_used_at FROM access_tokens "
                "WHERE principal_id = $1 ORDER BY name",
                pg::params(p.int64(0, 0)));
            std::vector<AccessToken> out;
            for (int i = 0; i < r.rows(); ++i)
                out.push_back({r.int64(i, 0), r.int64(i, 1), r.text(i, 2), r.int64(i, 3), r.optional_int64(i, 4)});
            return out;
        },
        true);
}

StoreStatus PgStore::revoke_token(const std::string& user, const std::string& token_name) {
    try {
        return write([&](pg::Conn& c) {
            auto r = c.query(
                "DELETE FROM access_tokens WHERE name = $2 AND principal_id = "
                "(SELECT id FROM principals WHERE name = $1 AND kind = 'user')",
                pg::params(user, token_name));
            return r.affected() == 1 ? StoreStatus::ok : StoreStatus::not_found;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

std::optional<TokenCredentials> PgStore::find_token(const std::string& token_hash) {
    return read([&](pg::Conn& c) -> std::optional<TokenCredentials> {
        auto r = c.query(
            "SELECT t.id, p.id, p.name, t.last_used_at FROM access_tokens t "
            "JOIN principals p ON p.id = t.principal_id WHERE t.token_hash = $1 AND p.kind = 'user'",
            pg::params(token_hash));
        if (r.empty()) return std::nullopt;
        return TokenCredentials{r.int64(0, 0), r.int64(0, 1), r.text(0, 2), r.optional_int64(0, 3)};
    });
}

StoreStatus PgStore::touch_token(std::int64_t token_id, std::int64_t used_at) {
    try {
        return write([&](pg::Conn& c) {
            c.query("UPDATE access_tokens SET last_used_at = $2 WHERE id = $1 "
                    "AND (last_used_at IS NULL OR last_used_at < $2 - 59)",
                    pg::params(token_id, used_at));
            return StoreStatus::ok;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

// ---------------------------------------------------------- PrincipalStore

std::optional<caldav::PrincipalRecord> PgStore::find_principal(std::string_view name) {
    return read([&](pg::Conn& c) -> std::optional<caldav::PrincipalRecord> {
        auto rows = principal_rows(c.query(std::string(principal_select) + "WHERE name = $1", pg::params(name)));
        if (rows.empty()) return std::nullopt;
        return rows.front();
    });
}

std::vector<caldav::PrincipalRecord> PgStore::list_principals(std::string_view after, std::size_t limit) {
    return read([&](pg::Conn& c) {
        return principal_rows(c.query(std::string(principal_select) + "WHERE name > $1 ORDER BY name LIMIT $2",
                                      pg::params(after, limit)));
    });
}

std::optional<caldav::PrincipalRecord> PgStore::find_principal_by_email(std::string_view email) {
    return read([&](pg::Conn& c) -> std::optional<caldav::PrincipalRecord> {
        auto rows = principal_rows(c.query(std::string(principal_select) +
                                               "WHERE lower(email) = lower($1) AND email <> '' ORDER BY id LIMIT 1",
                                           pg::params(email)));
        if (rows.empty()) return std::nullopt;
        return rows.front();
    });
}

std::string PgStore::booking_policy(std::int64_t principal_id) {
    return read([&](pg::Conn& c) {
        auto r = c.query("SELECT kind, booking_policy FROM principals WHERE id = $1", pg::params(principal_id));
        if (r.empty() || r.view(0, 0) == "user") return std::string("manual");
        return r.text(0, 1);
    });
}

// -------------------------------------------------------- IdempotencyStore

std::optional<caldav::IdempotencyRecord> PgStore::find_idempotency(std::int64_t principal_id, std::string_view key) {
    return read([&](pg::Conn& c) -> std::optional<caldav::IdempotencyRecord> {
        auto r = c.query(
            "SELECT request_hash, status, body, created_at FROM idempotency_records "
            "WHERE principal_id = $1 AND key = $2",
            pg::params(principal_id, key));
        if (r.empty()) return std::nullopt;
        return caldav::IdempotencyRecord{principal_id, std::string(key), r.text(0, 0),
                                         static_cast<int>(r.int64(0, 1)), r.text(0, 2), r.int64(0, 3)};
    });
}

std::size_t PgStore::prune_idempotency(std::int64_t created_before, std::size_t limit) {
    try {
        return write([&](pg::Conn& c) {
            auto r = c.query(
                "DELETE FROM idempotency_records WHERE (principal_id, key) IN (SELECT principal_id, key FROM "
                "idempotency_records WHERE created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)",
                pg::params(created_before, limit));
            return static_cast<std::size_t>(r.affected());
        });
    } catch (const pg::Error&) {
        return 0;
    }
}

}  // namespace server
