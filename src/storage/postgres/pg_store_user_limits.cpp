// PgStore's per-user limits (schema/postgresql/0009, the meaning of SQLite
// 0022; issue 29 §6): what `kalends user limits` sets for one user.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "src/storage/postgres/pg_store_internal.hpp"

namespace server {

using caldav::StoreStatus;
using caldav::UserLimits;
using namespace pgrows;

namespace {

std::optional<std::int64_t> stored(const std::optional<std::uint64_t>& v) {
    if (!v) return std::nullopt;
    return static_cast<std::int64_t>(std::min<std::uint64_t>(*v, std::numeric_limits<std::int64_t>::max()));
}

}  // namespace

UserLimits PgStore::user_limits(std::int64_t principal_id) {
    return read([&](pg::Conn& c) {
        auto r = c.query(
            "SELECT quota_bytes, max_calendars, max_objects_per_calendar FROM user_limits WHERE principal_id = $1",
            pg::params(principal_id));
        UserLimits out;
        if (r.rows() == 0) return out;
        if (auto v = r.optional_int64(0, 0)) out.quota_bytes = static_cast<std::uint64_t>(*v);
        if (auto v = r.optional_int64(0, 1)) out.max_calendars = static_cast<std::size_t>(*v);
        if (auto v = r.optional_int64(0, 2)) out.max_objects_per_calendar = static_cast<std::size_t>(*v);
        return out;
    });
}

StoreStatus PgStore::set_user_limits(const std::string& name, const UserLimits& limits) {
    try {
        return write([&](pg::Conn& c) {
            auto who = c.query("SELECT id FROM principals WHERE name = $1 AND kind = 'user'", pg::params(name));
            if (who.rows() == 0) return StoreStatus::not_found;
            auto id = who.int64(0, 0);
            // A user back on every default keeps no row.
            if (limits == UserLimits{}) {
                c.query("DELETE FROM user_limits WHERE principal_id = $1", pg::params(id));
                return StoreStatus::ok;
            }
            c.query("INSERT INTO user_limits (principal_id, quota_bytes, max_calendars, max_objects_per_calendar) "
                    "VALUES ($1, $2, $3, $4) ON CONFLICT (principal_id) DO UPDATE SET quota_bytes = "
                    "excluded.quota_bytes, max_calendars = excluded.max_calendars, "
                    "max_objects_per_calendar = excluded.max_objects_per_calendar",
                    pg::params(id, stored(limits.quota_bytes), stored(limits.max_calendars),
                               stored(limits.max_objects_per_calendar)));
            return StoreStatus::ok;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

}  // namespace server
