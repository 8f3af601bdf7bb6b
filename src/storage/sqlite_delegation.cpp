// SqliteStore's caldav::DelegationStore (schema 0020): CalendarServer's
// calendar-proxy-read and calendar-proxy-write groups (issue 25 §5), kept
// apart from sqlite_store.cpp.
#include <algorithm>

#include "src/storage/sqlite_store.hpp"

namespace server {

using caldav::DelegationRecord;
using caldav::ProxyMode;
using caldav::StoreStatus;

namespace {

constexpr std::string_view delegation_columns =
    "SELECT o.id, o.name, o.kind, o.display_name, o.email, e.id, e.name, e.kind, e.display_name, e.email, "
    "d.mode FROM delegations d JOIN principals o ON o.id = d.delegator_id "
    "JOIN principals e ON e.id = d.delegate_id ";

std::vector<DelegationRecord> delegation_rows(sqlite::Stmt& s) {
    std::vector<DelegationRecord> out;
    while (s.step()) {
        DelegationRecord d;
        d.delegator = {s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4)};
        d.delegate = {s.int64(5), s.text(6), s.text(7), s.text(8), s.text(9)};
        // The CHECK of schema 0020 admits only 'read' and 'write'.
        d.mode = s.text(10) == "write" ? ProxyMode::write : ProxyMode::read;
        out.push_back(std::move(d));
    }
    return out;
}

/// A delegation change changes what the delegate's and the delegator's
/// clients see (the delegator's principal, the delegate's proxy-for lists).
void bump_home(sqlite::Db& db, std::int64_t principal_id) {
    auto bump = db.prepare(
        "UPDATE principals SET home_revision = home_revision + 1, "
        "home_modified_at = max(home_modified_at, strftime('%s','now')) WHERE id = ?1");
    bump.bind(1, principal_id).run();
}

StoreStatus delegation_status_of(const sqlite::Error& e) {
    if (e.code() == SQLITE_BUSY || e.code() == SQLITE_LOCKED) return StoreStatus::busy;
    if (e.code() == SQLITE_FULL) return StoreStatus::full;
    throw e;
}

}  // namespace

StoreStatus SqliteStore::set_delegates(std::int64_t delegator_id, ProxyMode mode,
                                       const std::vector<std::int64_t>& delegate_ids) {
    StoreStatus status = StoreStatus::ok;
    const char* text = mode == ProxyMode::write ? "write" : "read";
    try {
        write_with([&](sqlite::Db& db) {
            auto p = db.prepare("SELECT 1 FROM principals WHERE id = ?1");
            p.bind(1, delegator_id);
            if (!p.step()) {
                status = StoreStatus::not_found;
                return;
            }
            std::vector<std::int64_t> touched;
            auto old = db.prepare("SELECT delegate_id FROM delegations WHERE delegator_id = ?1 AND mode = ?2");
            old.bind(1, delegator_id).bind(2, text);
            while (old.step()) touched.push_back(old.int64(0));
            auto clear = db.prepare("DELETE FROM delegations WHERE delegator_id = ?1 AND mode = ?2");
            clear.bind(1, delegator_id).bind(2, text).run();
            for (auto id : delegate_ids) {
                if (id == delegator_id) continue;
                // A delegate named here leaves the other group (one row per pair).
                auto s = db.prepare(
                    "INSERT INTO delegations (delegator_id, delegate_id, mode) "
                    "SELECT ?1, id, ?3 FROM principals WHERE id = ?2 "
                    "ON CONFLICT (delegator_id, delegate_id) DO UPDATE SET mode = excluded.mode");
                s.bind(1, delegator_id).bind(2, id).bind(3, text).run();
                touched.push_back(id);
            }
            std::sort(touched.begin(), touched.end());
            touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
            for (auto id : touched) bump_home(db, id);
            bump_home(db, delegator_id);
        });
    } catch (const sqlite::Error& e) {
        return delegation_status_of(e);
    }
    return status;
}

std::vector<DelegationRecord> SqliteStore::delegations_of(std::int64_t delegator_id) {
    std::vector<DelegationRecord> out;
    read_with([&](sqlite::Db& db) {
        auto s = db.prepare(std::string(delegation_columns) + "WHERE d.delegator_id = ?1 ORDER BY d.mode, e.name");
        s.bind(1, delegator_id);
        out = delegation_rows(s);
    });
    return out;
}

std::vector<DelegationRecord> SqliteStore::delegations_to(std::int64_t delegate_id) {
    std::vector<DelegationRecord> out;
    read_with([&](sqlite::Db& db) {
        auto s = db.prepare(std::string(delegation_columns) + "WHERE d.delegate_id = ?1 ORDER BY o.name");
        s.bind(1, delegate_id);
        out = delegation_rows(s);
    });
    return out;
}

}  // namespace server
