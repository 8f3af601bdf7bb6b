// PgStore's ChangeLog and GrantStore: sync state of collections and homes
// (each read in one REPEATABLE READ snapshot, so that the revision returned
// is the one the changes were read at), and calendars shared with others.
#include <algorithm>

#include "src/storage/postgres/pg_store_internal.hpp"

namespace server {

using caldav::StoreStatus;
using namespace pgrows;

// The change rows are limited first, then each one's member is looked up by
// its key (LATERAL, with LIMIT 1 so that the planner cannot flatten it into
// a join): a nested loop over at most `limit` rows whatever the estimates.
// A plain LEFT JOIN was planned, for a custom plan, as a hash join over all
// the collection's members whenever the global revision statistics said
// "many changes" (1.5 ms instead of 0.2 ms for 100 changes in a calendar of
// 5,000 at 1,000,000 members; bench/pg/explain_sync).
const std::string& PgStore::changes_since_statement() {
    static const std::string sql =
        "SELECT c.name, c.revision, c.deleted, o.* FROM (SELECT owner_id, collection_id, name, revision, deleted "
        "FROM changes WHERE collection_id = $1 AND revision > $2 ORDER BY revision LIMIT $3) c "
        "LEFT JOIN LATERAL (SELECT " + object_columns_of("x.", false) + " FROM objects x WHERE x.owner_id = c.owner_id "
        "AND x.collection_id = c.collection_id AND x.name = c.name LIMIT 1) o ON true ORDER BY c.revision";
    return sql;
}

std::optional<caldav::ChangeSet> PgStore::changes_since(std::int64_t collection_id, std::int64_t since,
                                                        std::size_t limit) {
    return read(
        [&](pg::Conn& c) -> std::optional<caldav::ChangeSet> {
            auto floor = c.query("SELECT sync_floor, revision FROM collections WHERE id = $1", pg::params(collection_id));
            if (floor.empty() || since < floor.int64(0, 0) || since > floor.int64(0, 1)) return std::nullopt;
            caldav::ChangeSet out;
            out.revision = floor.int64(0, 1);
            auto r = c.query(changes_since_statement(), pg::params(collection_id, since, limit));
            for (int i = 0; i < r.rows(); ++i) {
                caldav::Change ch{r.text(i, 0), r.int64(i, 1), r.boolean(i, 2), std::nullopt};
                if (!ch.deleted && !r.is_null(i, 3)) ch.object = object_from(r, i, false, 3);
                out.changes.push_back(std::move(ch));
            }
            return out;
        },
        true);
}

std::optional<caldav::ChangeSet> PgStore::current_members(std::int64_t collection_id, std::size_t limit) {
    return read(
        [&](pg::Conn& c) -> std::optional<caldav::ChangeSet> {
            auto head = c.query("SELECT revision FROM collections WHERE id = $1", pg::params(collection_id));
            if (head.empty()) return std::nullopt;
            caldav::ChangeSet out;
            out.revision = head.int64(0, 0);
            auto r = c.query("SELECT " + object_columns_of("", false) +
                                 " FROM objects WHERE collection_id = $1 ORDER BY name LIMIT $2",
                             pg::params(collection_id, limit));
            if (static_cast<std::size_t>(r.rows()) >= limit) return std::nullopt;
            for (int i = 0; i < r.rows(); ++i) {
                auto o = object_from(r, i, false);
                caldav::Change ch{o.name, o.revision, false, std::move(o)};
                out.changes.push_back(std::move(ch));
            }
            return out;
        },
        true);
}

std::optional<caldav::HomeRecord> PgStore::find_home(std::int64_t owner_id) {
    return read([&](pg::Conn& c) -> std::optional<caldav::HomeRecord> {
        auto r = c.query("SELECT home_revision, home_sync_floor, created_at, home_modified_at FROM principals "
                         "WHERE id = $1",
                         pg::params(owner_id));
        if (r.empty()) return std::nullopt;
        return caldav::HomeRecord{owner_id, r.int64(0, 0), r.int64(0, 1), r.int64(0, 2),
                                  std::max(r.int64(0, 2), r.int64(0, 3))};
    });
}

std::optional<caldav::HomeChangeSet> PgStore::home_changes_since(std::int64_t owner_id, std::int64_t since,
                                                                 std::size_t limit) {
    return read(
        [&](pg::Conn& c) -> std::optional<caldav::HomeChangeSet> {
            auto floor = c.query("SELECT home_sync_floor, home_revision FROM principals WHERE id = $1",
                                 pg::params(owner_id));
            if (floor.empty() || since < floor.int64(0, 0) || since > floor.int64(0, 1)) return std::nullopt;
            caldav::HomeChangeSet out;
            out.revision = floor.int64(0, 1);
            auto r = c.query("SELECT h.name, h.revision, h.deleted, " + collection_columns_of("k.") +
                                 " FROM home_changes h LEFT JOIN collections k ON k.owner_id = h.owner_id AND "
                                 "k.name = h.name WHERE h.owner_id = $1 AND h.revision > $2 ORDER BY h.revision "
                                 "LIMIT $3",
                             pg::params(owner_id, since, limit));
            for (int i = 0; i < r.rows(); ++i) {
                caldav::HomeChange ch{r.text(i, 0), r.int64(i, 1), r.boolean(i, 2), std::nullopt};
                if (!ch.deleted && !r.is_null(i, 3)) ch.collection = collection_from(r, i, 3);
                out.changes.push_back(std::move(ch));
            }
            return out;
        },
        true);
}

// -------------------------------------------------------------- GrantStore

namespace pgrows {

void touch_home(pg::Conn& c, std::int64_t principal_id, std::string_view child) {
    auto r = c.query("UPDATE principals SET home_revision = home_revision + 1, "
                     "home_modified_at = greatest(home_modified_at, $2) WHERE id = $1 RETURNING home_revision",
                     pg::params(principal_id, now_seconds()));
    if (child.empty() || r.empty()) return;
    c.query("INSERT INTO home_changes (owner_id, name, revision, deleted) VALUES ($1, $2, $3, false) "
            "ON CONFLICT (owner_id, name) DO UPDATE SET revision = $3, deleted = false",
            pg::params(principal_id, child, r.int64(0, 0)));
}

std::string shared_child(pg::Conn& c, std::int64_t collection_id) {
    auto r = c.query("SELECT p.name, c.name FROM collections c JOIN principals p ON p.id = c.owner_id WHERE c.id = $1",
                     pg::params(collection_id));
    return r.empty() ? std::string() : caldav::shared_change_name(r.view(0, 0), r.view(0, 1));
}

}  // namespace pgrows

namespace {

/// The status a grants row spells (the CHECK of schema 0003 admits three).
caldav::InviteStatus invite_status_of(std::string_view text) {
    if (text == "pending") return caldav::InviteStatus::pending;
    if (text == "declined") return caldav::InviteStatus::declined;
    return caldav::InviteStatus::accepted;
}

const std::string grant_select =
    "SELECT g.collection_id, c.name, o.id, o.name, o.kind, o.display_name, o.email, "
    "e.id, e.name, e.kind, e.display_name, e.email, g.permission, g.created_at, "
    "g.status, g.invite_uid, g.summary, g.sharee_display_name, g.sharee_color FROM grants g "
    "JOIN collections c ON c.owner_id = g.owner_id AND c.id = g.collection_id JOIN principals o ON o.id = g.owner_id "
    "JOIN principals e ON e.id = g.grantee_id ";

std::vector<caldav::GrantRecord> grant_rows(const pg::Result& r) {
    std::vector<caldav::GrantRecord> out;
    for (int i = 0; i < r.rows(); ++i) {
        caldav::GrantRecord g;
        g.collection_id = r.int64(i, 0);
        g.collection_name = r.text(i, 1);
        g.owner = {r.int64(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5), r.text(i, 6)};
        g.grantee = {r.int64(i, 7), r.text(i, 8), r.text(i, 9), r.text(i, 10), r.text(i, 11)};
        g.permission = caldav::parse_share_permission(r.view(i, 12)).value_or(caldav::SharePermission::free_busy);
        g.created_at = r.int64(i, 13);
        g.status = invite_status_of(r.view(i, 14));
        g.invite_uid = r.text(i, 15);
        g.summary = r.text(i, 16);
        if (!r.is_null(i, 17)) g.sharee_display_name = r.text(i, 17);
        if (!r.is_null(i, 18)) g.sharee_color = r.text(i, 18);
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace

StoreStatus PgStore::set_grant(std::int64_t collection_id, std::int64_t grantee_id,
                               caldav::SharePermission permission) {
    try {
        return write([&](pg::Conn& c) {
            auto col = c.query("SELECT owner_id, name FROM collections WHERE id = $1 AND kind = 'calendar' "
                               "FOR NO KEY UPDATE",
                               pg::params(collection_id));
            if (col.empty()) return StoreStatus::not_found;
            const auto owner_id = col.int64(0, 0);
            const auto name = col.text(0, 1);
            if (owner_id == grantee_id) return StoreStatus::exists;
            if (c.query("SELECT 1 FROM principals WHERE id = $1", pg::params(grantee_id)).empty())
                return StoreStatus::not_found;
            const std::string text(caldav::share_permission_name(permission));
            auto before = c.query("SELECT permission, status FROM grants WHERE owner_id = $1 AND "
                                  "collection_id = $2 AND grantee_id = $3",
                                  pg::params(owner_id, collection_id, grantee_id));
            if (!before.empty() && before.view(0, 0) == text && before.view(0, 1) == "accepted")
                return StoreStatus::ok;  // nothing changes
            // An administrator's grant is in force at once (schema 0003).
            c.query("INSERT INTO grants (owner_id, collection_id, grantee_id, permission, created_at) "
                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (owner_id, collection_id, grantee_id) "
                    "DO UPDATE SET permission = excluded.permission, status = 'accepted'",
                    pg::params(owner_id, collection_id, grantee_id, text, now_seconds()));
            touch_home(c, owner_id, name);
            touch_home(c, grantee_id, shared_child(c, collection_id));
            return StoreStatus::ok;
        });
    } catch (const pg::Error& e) {
        if (e.sqlstate() == "23503") return StoreStatus::not_found;  // the grantee went meanwhile
        return status_of(e);
    }
}

StoreStatus pgrows::remove_grant_row(pg::Conn& c, std::int64_t collection_id, std::int64_t grantee_id) {
    auto r = c.query("DELETE FROM grants g USING collections c WHERE c.owner_id = g.owner_id AND "
                     "c.id = g.collection_id AND g.collection_id = $1 AND g.grantee_id = $2 "
                     "RETURNING c.owner_id, c.name",
                     pg::params(collection_id, grantee_id));
    if (r.empty()) return StoreStatus::not_found;
    touch_home(c, r.int64(0, 0), r.view(0, 1));
    touch_home(c, grantee_id, shared_child(c, collection_id));
    return StoreStatus::ok;
}

StoreStatus PgStore::remove_grant(std::int64_t collection_id, std::int64_t grantee_id) {
    try {
        return write([&](pg::Conn& c) { return remove_grant_row(c, collection_id, grantee_id); });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

std::vector<caldav::GrantRecord> PgStore::grants_of_collection(std::int64_t collection_id) {
    return read([&](pg::Conn& c) {
        return grant_rows(c.query(grant_select + "WHERE g.collection_id = $1 ORDER BY e.name", pg::params(collection_id)));
    });
}

std::vector<caldav::GrantRecord> PgStore::grants_to_principal(std::int64_t grantee_id) {
    return read([&](pg::Conn& c) {
        return grant_rows(
            c.query(grant_select + "WHERE g.grantee_id = $1 AND g.status = 'accepted' ORDER BY o.name, c.name", pg::params(grantee_id)));
    });
}

}  // namespace server
