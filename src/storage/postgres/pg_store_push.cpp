// PgStore's caldav::PushStore (schema/postgresql/0002, the meaning of SQLite
// 0019): Web Push subscriptions and WebDAV-Push registrations (issue 26 §5).
// The davpush job of a change is queued by the schema's trigger, not here.
#include "src/storage/postgres/pg_store_internal.hpp"

namespace server {

using caldav::PushSubscription;
using caldav::StoreStatus;
using namespace pgrows;

namespace {

constexpr std::string_view push_columns =
    "SELECT id, owner_id, collection_id, endpoint, p256dh, auth, created_at, expires_at, last_ok, topic "
    "FROM push_subscriptions ";

std::vector<PushSubscription> push_rows(const pg::Result& r) {
    std::vector<PushSubscription> out;
    for (int i = 0; i < r.rows(); ++i) {
        PushSubscription p;
        p.id = r.int64(i, 0);
        p.owner_id = r.int64(i, 1);
        p.collection_id = r.int64(i, 2);
        p.endpoint = r.text(i, 3);
        p.p256dh = r.text(i, 4);
        p.auth = r.text(i, 5);
        p.created_at = r.int64(i, 6);
        p.expires_at = r.int64(i, 7);
        p.last_ok = r.int64(i, 8);
        p.topic = r.text(i, 9);
        out.push_back(std::move(p));
    }
    return out;
}

/// Inside put_push_subscription's transaction: whether the principal and the
/// collection (unless 0) exist, each locked against deletion until commit,
/// so that no registration outlives its collection.
bool push_targets_exist(pg::Conn& c, const PushSubscription& sub) {
    if (c.query("SELECT 1 FROM principals WHERE id = $1 FOR KEY SHARE", pg::params(sub.owner_id)).rows() == 0)
        return false;
    return sub.collection_id == 0 ||
           c.query("SELECT 1 FROM collections WHERE id = $1 FOR KEY SHARE", pg::params(sub.collection_id)).rows() > 0;
}

}  // namespace

StoreStatus PgStore::put_push_subscription(PushSubscription& sub) {
    try {
        return write([&](pg::Conn& c) {
            if (!push_targets_exist(c, sub)) return StoreStatus::not_found;
            auto r = c.query(
                "INSERT INTO push_subscriptions (owner_id, collection_id, endpoint, p256dh, auth, created_at, "
                "expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                "ON CONFLICT (owner_id, collection_id, endpoint) DO UPDATE SET p256dh = excluded.p256dh, "
                "auth = excluded.auth, expires_at = excluded.expires_at, topic = '' RETURNING id, created_at",
                pg::params(sub.owner_id, sub.collection_id, sub.endpoint, sub.p256dh, sub.auth, sub.created_at,
                           sub.expires_at));
            sub.id = r.int64(0, 0);
            sub.created_at = r.int64(0, 1);
            return StoreStatus::ok;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

std::vector<PushSubscription> PgStore::push_subscriptions_of(std::int64_t owner_id) {
    return read([&](pg::Conn& c) {
        return push_rows(c.query(std::string(push_columns) + "WHERE owner_id = $1 AND collection_id = 0 ORDER BY id",
                                 pg::params(owner_id)));
    });
}

std::vector<PushSubscription> PgStore::collection_push_subscriptions(std::int64_t collection_id, std::int64_t now) {
    if (collection_id == 0) return {};  // 0 marks user-level subscriptions, not a collection
    return read([&](pg::Conn& c) {
        return push_rows(c.query(std::string(push_columns) +
                                     "WHERE collection_id = $1 AND (expires_at = 0 OR expires_at > $2) ORDER BY id",
                                 pg::params(collection_id, now)));
    });
}

std::optional<PushSubscription> PgStore::find_push_subscription(std::int64_t owner_id, std::int64_t id) {
    auto rows = read([&](pg::Conn& c) {
        return push_rows(
            c.query(std::string(push_columns) + "WHERE owner_id = $1 AND id = $2", pg::params(owner_id, id)));
    });
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

StoreStatus PgStore::remove_push_subscription(std::int64_t owner_id, std::int64_t id) {
    try {
        return write([&](pg::Conn& c) {
            auto r = c.query("DELETE FROM push_subscriptions WHERE owner_id = $1 AND id = $2", pg::params(owner_id, id));
            return r.affected() == 1 ? StoreStatus::ok : StoreStatus::not_found;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

StoreStatus PgStore::push_delivered(std::int64_t id, std::int64_t now) {
    try {
        return write([&](pg::Conn& c) {
            auto r = c.query("UPDATE push_subscriptions SET last_ok = $2 WHERE id = $1", pg::params(id, now));
            return r.affected() == 1 ? StoreStatus::ok : StoreStatus::not_found;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

std::optional<std::int64_t> PgStore::collection_revision(std::int64_t collection_id) {
    return read([&](pg::Conn& c) -> std::optional<std::int64_t> {
        auto r = c.query("SELECT revision FROM collections WHERE id = $1", pg::params(collection_id));
        if (r.rows() == 0) return std::nullopt;
        return r.int64(0, 0);
    });
}

std::size_t PgStore::prune_push_subscriptions(std::int64_t now, std::size_t limit) {
    if (limit == 0) return 0;
    try {
        return write([&](pg::Conn& c) {
            auto r = c.query(
                "DELETE FROM push_subscriptions WHERE (owner_id, id) IN (SELECT owner_id, id FROM push_subscriptions "
                "WHERE expires_at <> 0 AND expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)",
                pg::params(now, limit));
            return static_cast<std::size_t>(r.affected());
        });
    } catch (const pg::Error& e) {
        status_of(e);  // busy or full: nothing pruned this time
        return std::size_t{0};
    }
}

}  // namespace server
