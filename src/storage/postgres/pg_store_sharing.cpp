// PgStore's sharing invitations and notifications (schema/postgresql/0003,
// the meaning of SQLite 0017; issue 25): a grant made over CalDAV is pending
// until the sharee replies; the sharee's own name and colour for the
// calendar; the notification messages of a principal.
#include "src/storage/postgres/pg_store_internal.hpp"

namespace server {

using caldav::StoreStatus;
using namespace pgrows;

namespace {

/// The owner and name of calendar `collection_id`, its row locked against
/// changes until commit; empty when it is not a calendar.
pg::Result calendar_of(pg::Conn& c, std::int64_t collection_id) {
    return c.query("SELECT owner_id, name FROM collections WHERE id = $1 AND kind = 'calendar' FOR NO KEY UPDATE",
                   pg::params(collection_id));
}

std::string_view invite_status_name(caldav::InviteStatus status) {
    switch (status) {
    case caldav::InviteStatus::pending: return "pending";
    case caldav::InviteStatus::declined: return "declined";
    case caldav::InviteStatus::accepted: return "accepted";
    }
    return "accepted";
}

bool principal_exists(pg::Conn& c, std::int64_t id) {
    return !c.query("SELECT 1 FROM principals WHERE id = $1", pg::params(id)).empty();
}

/// PgStore::remove_notification inside the caller's write transaction.
StoreStatus remove_notification_row(pg::Conn& c, std::int64_t principal_id, std::string_view name) {
    auto r = c.query("DELETE FROM notifications WHERE principal_id = $1 AND name = $2", pg::params(principal_id, name));
    return r.affected() == 0 ? StoreStatus::not_found : StoreStatus::ok;
}

}  // namespace

StoreStatus PgStore::invite_grant(std::int64_t collection_id, std::int64_t grantee_id,
                                  caldav::SharePermission permission, std::string_view summary,
                                  std::string_view invite_uid) {
    try {
        return write([&](pg::Conn& c) {
            auto cal = calendar_of(c, collection_id);
            if (cal.empty()) return StoreStatus::not_found;
            const auto owner_id = cal.int64(0, 0);
            if (owner_id == grantee_id) return StoreStatus::exists;
            if (!principal_exists(c, grantee_id)) return StoreStatus::not_found;
            // A declined invitation is asked again under the new uid; a
            // pending or accepted one keeps its uid and status.
            c.query("INSERT INTO grants (owner_id, collection_id, grantee_id, permission, created_at, status, "
                    "invite_uid, summary) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) "
                    "ON CONFLICT (owner_id, collection_id, grantee_id) DO UPDATE SET "
                    "permission = excluded.permission, summary = excluded.summary, "
                    "invite_uid = CASE WHEN grants.status = 'declined' OR grants.invite_uid = '' "
                    "THEN excluded.invite_uid ELSE grants.invite_uid END, "
                    "status = CASE WHEN grants.status = 'declined' THEN 'pending' ELSE grants.status END",
                    pg::params(owner_id, collection_id, grantee_id, caldav::share_permission_name(permission),
                               now_seconds(), invite_uid, summary));
            touch_home(c, owner_id, cal.view(0, 1));
            touch_home(c, grantee_id, shared_child(c, collection_id));
            return StoreStatus::ok;
        });
    } catch (const pg::Error& e) {
        if (e.sqlstate() == "23503") return StoreStatus::not_found;  // the grantee went meanwhile
        return status_of(e);
    }
}

StoreStatus PgStore::reply_to_invite(std::int64_t collection_id, std::int64_t grantee_id,
                                     caldav::InviteStatus status) {
    try {
        return write([&](pg::Conn& c) {
            auto cal = calendar_of(c, collection_id);
            if (cal.empty()) return StoreStatus::not_found;
            const auto owner_id = cal.int64(0, 0);
            // Declining forgets the sharee's own name and colour.
            auto r = c.query("UPDATE grants SET status = $4::text, "
                             "sharee_display_name = CASE WHEN $4::text = 'declined' THEN NULL ELSE sharee_display_name END, "
                             "sharee_color = CASE WHEN $4::text = 'declined' THEN NULL ELSE sharee_color END "
                             "WHERE owner_id = $1 AND collection_id = $2 AND grantee_id = $3",
                             pg::params(owner_id, collection_id, grantee_id, invite_status_name(status)));
            if (r.affected() == 0) return StoreStatus::not_found;
            touch_home(c, owner_id, cal.view(0, 1));
            touch_home(c, grantee_id, shared_child(c, collection_id));
            return StoreStatus::ok;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

StoreStatus PgStore::set_sharee_properties(std::int64_t collection_id, std::int64_t grantee_id,
                                           std::optional<std::string> display_name,
                                           std::optional<std::string> color) {
    try {
        return write([&](pg::Conn& c) {
            auto r = c.query("UPDATE grants SET sharee_display_name = $3, sharee_color = $4 "
                             "WHERE collection_id = $1 AND grantee_id = $2",
                             pg::params(collection_id, grantee_id, display_name, color));
            if (r.affected() == 0) return StoreStatus::not_found;
            touch_home(c, grantee_id, shared_child(c, collection_id));
            return StoreStatus::ok;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

StoreStatus PgStore::put_notification(const caldav::NotificationRecord& n) {
    try {
        return write([&](pg::Conn& c) {
            if (!principal_exists(c, n.principal_id)) return StoreStatus::not_found;
            c.query("INSERT INTO notifications (principal_id, name, type, body, created_at) VALUES ($1, $2, $3, $4, $5) "
                    "ON CONFLICT (principal_id, name) DO UPDATE SET type = excluded.type, body = excluded.body, "
                    "created_at = excluded.created_at",
                    pg::params(n.principal_id, n.name, n.type, n.body, n.created_at ? n.created_at : now_seconds()));
            return StoreStatus::ok;
        });
    } catch (const pg::Error& e) {
        if (e.sqlstate() == "23503") return StoreStatus::not_found;  // the principal went meanwhile
        return status_of(e);
    }
}

std::vector<caldav::NotificationRecord> PgStore::notifications_of(std::int64_t principal_id) {
    return read([&](pg::Conn& c) {
        auto r = c.query("SELECT name, type, body, created_at FROM notifications WHERE principal_id = $1 ORDER BY name",
                         pg::params(principal_id));
        std::vector<caldav::NotificationRecord> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({principal_id, r.text(i, 0), r.text(i, 1), r.text(i, 2), r.int64(i, 3)});
        return out;
    });
}

StoreStatus PgStore::remove_notification(std::int64_t principal_id, std::string_view name) {
    try {
        return write([&](pg::Conn& c) { return remove_notification_row(c, principal_id, name); });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

// An owner's change of a shared calendar (issue 25 §7): the statements the
// separate calls run, in one transaction, so that a failure of any of them
// rolls all of them back.

StoreStatus PgStore::patch_shared_collection_properties(std::int64_t collection_id,
                                                        const caldav::PropertyPatch& patch) {
    try {
        return write([&](pg::Conn& c) {
            auto status = patch_properties_in(c, collection_id, {}, patch);
            if (status != StoreStatus::ok) return status;
            // Every grantee's home moves and logs the calendar, as the
            // default's set_sharee_properties of each grant does.
            auto grantees = c.query("SELECT grantee_id FROM grants WHERE collection_id = $1 ORDER BY grantee_id",
                                    pg::params(collection_id));
            if (grantees.empty()) return status;
            const auto name = shared_child(c, collection_id);
            for (int i = 0; i < grantees.rows(); ++i) touch_home(c, grantees.int64(i, 0), name);
            return status;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

StoreStatus PgStore::delete_collection_with_shares(std::int64_t collection_id) {
    try {
        return write([&](pg::Conn& c) {
            // Locked first, so that no grant made meanwhile (set_grant and
            // invite_grant lock the row too) goes with the calendar unlogged.
            if (c.query("SELECT 1 FROM collections WHERE id = $1 FOR UPDATE", pg::params(collection_id)).empty())
                return StoreStatus::not_found;
            auto grants = c.query("SELECT grantee_id, invite_uid FROM grants WHERE collection_id = $1 "
                                  "ORDER BY grantee_id",
                                  pg::params(collection_id));
            for (int i = 0; i < grants.rows(); ++i) {
                const auto grantee = grants.int64(i, 0);
                (void)remove_grant_row(c, collection_id, grantee);
                // The invitation names a calendar that is no more (caldav-sharing §4).
                if (!grants.view(i, 1).empty())
                    (void)remove_notification_row(c, grantee, grants.text(i, 1) + ".xml");
            }
            return delete_collection_in(c, collection_id);
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

}  // namespace server
