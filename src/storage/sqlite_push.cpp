// SqliteStore's caldav::PushStore (schema 0019): Web Push subscriptions and
// WebDAV-Push registrations (issue 26 §5), kept apart from sqlite_store.cpp.
#include "src/storage/sqlite_store.hpp"

namespace server {

using caldav::PushSubscription;
using caldav::StoreStatus;

namespace {

constexpr std::string_view push_columns =
    "SELECT id, owner_id, collection_id, endpoint, p256dh, auth, created_at, expires_at, last_ok, topic "
    "FROM push_subscriptions ";

PushSubscription push_row(const sqlite::Stmt& s) {
    PushSubscription p;
    p.id = s.int64(0);
    p.owner_id = s.int64(1);
    p.collection_id = s.int64(2);
    p.endpoint = s.text(3);
    p.p256dh = s.text(4);
    p.auth = s.text(5);
    p.created_at = s.int64(6);
    p.expires_at = s.int64(7);
    p.last_ok = s.int64(8);
    p.topic = s.text(9);
    return p;
}

std::vector<PushSubscription> push_rows(sqlite::Stmt& s) {
    std::vector<PushSubscription> out;
    while (s.step()) out.push_back(push_row(s));
    return out;
}

/// busy and full are outcomes; any other SQLite error is our bug.
StoreStatus push_status_of(const sqlite::Error& e) {
    if (e.code() == SQLITE_BUSY || e.code() == SQLITE_LOCKED) return StoreStatus::busy;
    if (e.code() == SQLITE_FULL) return StoreStatus::full;
    throw e;
}

}  // namespace

StoreStatus SqliteStore::put_push_subscription(PushSubscription& sub) {
    StoreStatus status = StoreStatus::ok;
    try {
        write_with([&](sqlite::Db& db) {
            auto p = db.prepare("SELECT 1 FROM principals WHERE id = ?1");
            p.bind(1, sub.owner_id);
            if (!p.step()) {
                status = StoreStatus::not_found;
                return;
            }
            if (sub.collection_id != 0) {
                auto c = db.prepare("SELECT 1 FROM collections WHERE id = ?1");
                c.bind(1, sub.collection_id);
                if (!c.step()) {
                    status = StoreStatus::not_found;
                    return;
                }
            }
            auto s = db.prepare(
                "INSERT INTO push_subscriptions (owner_id, collection_id, endpoint, p256dh, auth, created_at, "
                "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                "ON CONFLICT (owner_id, collection_id, endpoint) DO UPDATE SET p256dh = excluded.p256dh, "
                "auth = excluded.auth, expires_at = excluded.expires_at, topic = '' RETURNING id, created_at");
            s.bind(1, sub.owner_id).bind(2, sub.collection_id).bind(3, sub.endpoint).bind(4, sub.p256dh);
            s.bind(5, sub.auth).bind(6, sub.created_at).bind(7, sub.expires_at);
            if (s.step()) {
                sub.id = s.int64(0);
                sub.created_at = s.int64(1);
            }
            s.reset();
        });
    } catch (const sqlite::Error& e) {
        return push_status_of(e);
    }
    return status;
}

std::vector<PushSubscription> SqliteStore::push_subscriptions_of(std::int64_t owner_id) {
    std::vector<PushSubscription> out;
    read_with([&](sqlite::Db& db) {
        auto s = db.prepare(std::string(push_columns) + "WHERE owner_id = ?1 AND collection_id = 0 ORDER BY id");
        s.bind(1, owner_id);
        out = push_rows(s);
    });
    return out;
}

std::vector<PushSubscription> SqliteStore::collection_push_subscriptions(std::int64_t collection_id,
                                                                         std::int64_t now) {
    std::vector<PushSubscription> out;
    if (collection_id == 0) return out;  // 0 marks user-level subscriptions, not a collection
    read_with([&](sqlite::Db& db) {
        auto s = db.prepare(std::string(push_columns) +
                            "WHERE collection_id = ?1 AND (expires_at = 0 OR expires_at > ?2) ORDER BY id");
        s.bind(1, collection_id).bind(2, now);
        out = push_rows(s);
    });
    return out;
}

std::optional<PushSubscription> SqliteStore::find_push_subscription(std::int64_t owner_id, std::int64_t id) {
    std::optional<PushSubscription> out;
    read_with([&](sqlite::Db& db) {
        auto s = db.prepare(std::string(push_columns) + "WHERE id = ?1 AND owner_id = ?2");
        s.bind(1, id).bind(2, owner_id);
        if (s.step()) out = push_row(s);
    });
    return out;
}

StoreStatus SqliteStore::remove_push_subscription(std::int64_t owner_id, std::int64_t id) {
    StoreStatus status = StoreStatus::ok;
    try {
        write_with([&](sqlite::Db& db) {
            auto s = db.prepare("DELETE FROM push_subscriptions WHERE id = ?1 AND owner_id = ?2");
            s.bind(1, id).bind(2, owner_id).run();
            if (db.changes() == 0) status = StoreStatus::not_found;
        });
    } catch (const sqlite::Error& e) {
        return push_status_of(e);
    }
    return status;
}

StoreStatus SqliteStore::push_delivered(std::int64_t id, std::int64_t now) {
    StoreStatus status = StoreStatus::ok;
    try {
        write_with([&](sqlite::Db& db) {
            auto s = db.prepare("UPDATE push_subscriptions SET last_ok = ?2 WHERE id = ?1");
            s.bind(1, id).bind(2, now).run();
            if (db.changes() == 0) status = StoreStatus::not_found;
        });
    } catch (const sqlite::Error& e) {
        return push_status_of(e);
    }
    return status;
}

std::optional<std::int64_t> SqliteStore::collection_revision(std::int64_t collection_id) {
    std::optional<std::int64_t> out;
    read_with([&](sqlite::Db& db) {
        auto s = db.prepare("SELECT revision FROM collections WHERE id = ?1");
        s.bind(1, collection_id);
        if (s.step()) out = s.int64(0);
    });
    return out;
}

std::size_t SqliteStore::prune_push_subscriptions(std::int64_t now, std::size_t limit) {
    std::size_t removed = 0;
    try {
        write_with([&](sqlite::Db& db) {
            auto s = db.prepare(
                "DELETE FROM push_subscriptions WHERE id IN (SELECT id FROM push_subscriptions "
                "WHERE expires_at <> 0 AND expires_at <= ?1 ORDER BY expires_at LIMIT ?2)");
            s.bind(1, now).bind(2, static_cast<std::int64_t>(limit)).run();
            removed = static_cast<std::size_t>(db.changes());
        });
    } catch (const sqlite::Error& e) {
        push_status_of(e);
    }
    return removed;
}

}  // namespace server
