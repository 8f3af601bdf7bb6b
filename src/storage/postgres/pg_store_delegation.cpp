// PgStore's caldav::DelegationStore (schema/postgresql/0007, the meaning of
// SQLite 0020): CalendarServer's calendar-proxy-read and calendar-proxy-write
// groups (issue 25 §5).
#include <algorithm>

#include "src/storage/postgres/pg_store_internal.hpp"

namespace server {

using caldav::DelegationRecord;
using caldav::ProxyMode;
using caldav::StoreStatus;
using namespace pgrows;

namespace {

constexpr std::string_view delegation_columns =
    "SELECT o.id, o.name, o.kind, o.display_name, o.email, e.id, e.name, e.kind, e.display_name, e.email, "
    "d.mode FROM delegations d JOIN principals o ON o.id = d.delegator_id "
    "JOIN principals e ON e.id = d.delegate_id ";

std::vector<DelegationRecord> delegation_rows(const pg::Result& r) {
    std::vector<DelegationRecord> out;
    for (int i = 0; i < r.rows(); ++i) {
        DelegationRecord d;
        d.delegator = {r.int64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4)};
        d.delegate = {r.int64(i, 5), r.text(i, 6), r.text(i, 7), r.text(i, 8), r.text(i, 9)};
        // The CHECK of 0007 admits only 'read' and 'write'.
        d.mode = r.text(i, 10) == "write" ? ProxyMode::write : ProxyMode::read;
        out.push_back(std::move(d));
    }
    return out;
}

}  // namespace

StoreStatus PgStore::set_delegates(std::int64_t delegator_id, ProxyMode mode,
                                   const std::vector<std::int64_t>& delegate_ids) {
    const std::string text = mode == ProxyMode::write ? "write" : "read";
    try {
        return write([&](pg::Conn& c) {
            // The delegator's row, locked: two changes of one delegator's groups queue.
            if (c.query("SELECT 1 FROM principals WHERE id = $1 FOR NO KEY UPDATE", pg::params(delegator_id))
                    .rows() == 0)
                return StoreStatus::not_found;
            std::vector<std::int64_t> touched;
            auto old = c.query("DELETE FROM delegations WHERE delegator_id = $1 AND mode = $2 RETURNING delegate_id",
                               pg::params(delegator_id, text));
            for (int i = 0; i < old.rows(); ++i) touched.push_back(old.int64(i, 0));
            for (auto id : delegate_ids) {
                if (id == delegator_id) continue;
                // A delegate named here leaves the other group (one row per pair).
                auto r = c.query(
                    "INSERT INTO delegations (delegator_id, delegate_id, mode) "
                    "SELECT $1, id, $3 FROM principals WHERE id = $2 "
                    "ON CONFLICT (delegator_id, delegate_id) DO UPDATE SET mode = excluded.mode",
                    pg::params(delegator_id, id, text));
                if (r.affected() > 0) touched.push_back(id);
            }
            std::sort(touched.begin(), touched.end());
            touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
            // What their clients see changes: the delegates' proxy-for lists, the delegator's groups.
            for (auto id : touched) touch_home(c, id, "");
            touch_home(c, delegator_id, "");
            return StoreStatus::ok;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

std::vector<DelegationRecord> PgStore::delegations_of(std::int64_t delegator_id) {
    return read([&](pg::Conn& c) {
        return delegation_rows(c.query(
            std::string(delegation_columns) + "WHERE d.delegator_id = $1 ORDER BY d.mode, e.name",
            pg::params(delegator_id)));
    });
}

std::vector<DelegationRecord> PgStore::delegations_to(std::int64_t delegate_id) {
    return read([&](pg::Conn& c) {
        return delegation_rows(c.query(std::string(delegation_columns) + "WHERE d.delegate_id = $1 ORDER BY o.name",
                                       pg::params(delegate_id)));
    });
}

}  // namespace server
