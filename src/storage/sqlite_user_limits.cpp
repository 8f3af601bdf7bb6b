// SqliteStore's per-user limits (schema 0022, issue 29 §6): what `kalends
// user limits` sets in place of kalends.conf [limits] for one user.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "src/storage/sqlite_store.hpp"

namespace server {

using caldav::StoreStatus;
using caldav::UserLimits;

namespace {

std::optional<std::int64_t> stored(const std::optional<std::uint64_t>& v) {
    if (!v) return std::nullopt;
    return static_cast<std::int64_t>(std::min<std::uint64_t>(*v, std::numeric_limits<std::int64_t>::max()));
}

}  // namespace

UserLimits SqliteStore::user_limits(std::int64_t principal_id) {
    UserLimits out;
    read_with([&](sqlite::Db& db) {
        out = {};
        auto s = db.prepare(
            "SELECT quota_bytes, max_calendars, max_objects_per_calendar FROM user_limits WHERE principal_id = ?1");
        s.bind(1, principal_id);
        if (!s.step()) return;
        if (auto v = s.optional_int64(0)) out.quota_bytes = static_cast<std::uint64_t>(*v);
        if (auto v = s.optional_int64(1)) out.max_calendars = static_cast<std::size_t>(*v);
        if (auto v = s.optional_int64(2)) out.max_objects_per_calendar = static_cast<std::size_t>(*v);
    });
    return out;
}

StoreStatus SqliteStore::set_user_limits(const std::string& name, const UserLimits& limits) {
    auto status = StoreStatus::ok;
    write_with([&](sqlite::Db& db) {
        status = StoreStatus::ok;
        auto who = db.prepare("SELECT id FROM principals WHERE name = ?1 AND kind = 'user'");
        who.bind(1, name);
        if (!who.step()) {
            status = StoreStatus::not_found;
            return;
        }
        auto id = who.int64(0);
        // A user back on every default keeps no row.
        if (limits == UserLimits{}) {
            db.prepare("DELETE FROM user_limits WHERE principal_id = ?1").bind(1, id).run();
            return;
        }
        auto s = db.prepare(
            "INSERT INTO user_limits (principal_id, quota_bytes, max_calendars, max_objects_per_calendar) "
            "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (principal_id) DO UPDATE SET quota_bytes = excluded.quota_bytes, "
            "max_calendars = excluded.max_calendars, max_objects_per_calendar = excluded.max_objects_per_calendar");
        s.bind(1, id).bind(2, stored(limits.quota_bytes)).bind(3, stored(limits.max_calendars))
            .bind(4, stored(limits.max_objects_per_calendar)).run();
    });
    return status;
}

}  // namespace server
