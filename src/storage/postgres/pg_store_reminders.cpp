// PgStore's reminder index and delivery records (schema/postgresql/0004, the
// meaning of SQLite 0018; issue 26): an object's reminder jobs are replaced
// in the transaction of each of its writes (index_reminders, called by the
// write paths), extended as time passes, and each delivery is recorded in
// the transaction that completes its job, so it is made at most once.
#include <exception>

#include "caldav/names.hpp"
#include "caldav/reminders.hpp"
#include "caldav/schedule_collections.hpp"
#include "src/storage/postgres/pg_store_internal.hpp"

namespace server {

using caldav::StoreStatus;
using namespace pgrows;

namespace pgrows {

namespace {

/// The calendar's owner, kind, owner's address and name, calendar name,
/// time zone, push-display-alarms choice and the owner's zone (kept on
/// their inbox, caldav::CollectionStore), in the columns schedule_of reads.
pg::Result reminder_owner(pg::Conn& c, std::int64_t collection_id) {
    return c.query("SELECT c.owner_id, c.kind, p.email, p.name, c.name, c.timezone, coalesce((SELECT "
                   "d.value_xml FROM dead_properties d WHERE d.owner_id = c.owner_id AND d.collection_id = c.id "
                   "AND d.object_name = '' AND d.namespace = $2 AND d.name = $3), ''), coalesce((SELECT i.timezone "
                   "FROM collections i WHERE i.owner_id = c.owner_id AND i.name = 'inbox' AND i.kind = 'inbox'), "
                   "'') FROM collections c JOIN principals p ON p.id = c.owner_id WHERE c.id = $1",
                   pg::params(collection_id, caldav::names::kalends_ns, caldav::push_display_alarms_property));
}

/// What the indexer says for the object: nothing outside calendars (inbox
/// items), nothing when it throws.
caldav::ReminderSchedule schedule_of(const caldav::ReminderIndexer& indexer, const pg::Result& who,
                                     std::int64_t collection_id, std::string_view name, std::string_view data,
                                     std::optional<std::int64_t> after) {
    caldav::ReminderSchedule none;
    none.now = now_seconds();
    if (who.view(0, 1) != "calendar") return none;
    const std::string email = who.text(0, 2), owner = who.text(0, 3), calendar = who.text(0, 4),
                      zone = who.text(0, 5), display = who.text(0, 6), owner_zone = who.text(0, 7);
    try {
        return indexer({who.int64(0, 0), email, collection_id, owner, calendar, name, data, after, zone, display,
                        nullptr, owner_zone});
    } catch (const std::exception&) {
        return none;
    }
}

}  // namespace

void index_reminders(pg::Conn& c, const caldav::ReminderIndexer& indexer, std::int64_t object_id,
                     std::int64_t collection_id, std::string_view name, std::string_view data,
                     std::optional<std::int64_t> after) {
    if (!indexer) return;
    auto who = reminder_owner(c, collection_id);
    if (who.empty()) return;
    const auto owner_id = who.int64(0, 0);
    const auto schedule = schedule_of(indexer, who, collection_id, name, data, after);
    if (!after)
        c.query("DELETE FROM jobs WHERE object_id = $1 AND kind = $2 AND due_at > $3",
                pg::params(object_id, caldav::reminder_job_kind, schedule.now));
    for (const auto& j : schedule.jobs)
        c.query("INSERT INTO jobs (owner_id, kind, payload, due_at, created_at, object_id) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                pg::params(j.owner_id, j.kind, j.payload, j.due_at, schedule.now, object_id));
    if (schedule.indexed_until)
        c.query("INSERT INTO reminder_index (owner_id, object_id, indexed_until) VALUES ($1, $2, $3) "
                "ON CONFLICT (owner_id, object_id) DO UPDATE SET indexed_until = $3",
                pg::params(owner_id, object_id, *schedule.indexed_until));
    else
        c.query("DELETE FROM reminder_index WHERE owner_id = $1 AND object_id = $2", pg::params(owner_id, object_id));
}

void reindex_collection_reminders(pg::Conn& c, const caldav::ReminderIndexer& indexer, std::int64_t owner_id,
                                  std::int64_t collection_id) {
    if (!indexer) return;
    auto rows = c.query("SELECT o.id, o.name, o.data FROM reminder_index r JOIN objects o ON o.owner_id = r.owner_id "
                        "AND o.id = r.object_id WHERE r.owner_id = $1 AND o.collection_id = $2",
                        pg::params(owner_id, collection_id));
    for (int i = 0; i < rows.rows(); ++i)
        index_reminders(c, indexer, rows.int64(i, 0), collection_id, rows.view(i, 1), rows.view(i, 2), std::nullopt);
}

bool refresh_owner_zone(pg::Conn& c, const caldav::ReminderIndexer& indexer, std::int64_t owner_id) {
    auto inbox = c.query("SELECT i.id, i.timezone, p.name FROM collections i JOIN principals p ON p.id = i.owner_id "
                         "WHERE i.owner_id = $1 AND i.name = 'inbox' AND i.kind = 'inbox'",
                         pg::params(owner_id));
    if (inbox.empty()) return false;
    const std::int64_t inbox_id = inbox.int64(0, 0);
    const std::string stored = inbox.text(0, 1), owner = inbox.text(0, 2);
    auto choice = c.query("SELECT value_xml FROM dead_properties WHERE owner_id = $1 AND collection_id = $2 AND "
                          "object_name = '' AND namespace = $3 AND name = $4",
                          pg::params(owner_id, inbox_id, caldav::names::caldav_ns,
                                     caldav::schedule_default_calendar_property));
    const std::string chosen = choice.empty() ? std::string() : choice.text(0, 0);
    auto list = c.query("SELECT " + std::string(collection_columns) +
                            " FROM collections WHERE owner_id = $1 ORDER BY name",
                        pg::params(owner_id));
    std::vector<caldav::CollectionRecord> collections;
    for (int i = 0; i < list.rows(); ++i) collections.push_back(collection_from(list, i));
    const std::string zone = caldav::owner_zone_among(owner, chosen, collections);
    if (zone == stored) return false;
    c.query("UPDATE collections SET timezone = $3 WHERE owner_id = $1 AND id = $2",
            pg::params(owner_id, inbox_id, zone));
    for (const auto& calendar : collections)
        if (calendar.kind == caldav::CollectionKind::calendar && !caldav::has_own_zone(calendar))
            reindex_collection_reminders(c, indexer, owner_id, calendar.id);
    return true;
}

void index_new_reminders(pg::Conn& c, const caldav::ReminderIndexer& indexer, std::int64_t collection_id,
                         const std::vector<BulkMember>& members) {
    if (!indexer || members.empty()) return;
    auto who = reminder_owner(c, collection_id);
    if (who.empty()) return;
    std::vector<std::string> owner, kind, payload, due, created, object, indexed_owner, indexed_object, until;
    for (const auto& m : members) {
        const auto schedule = schedule_of(indexer, who, collection_id, m.name, m.data, std::nullopt);
        for (const auto& j : schedule.jobs) {
            owner.push_back(std::to_string(j.owner_id));
            kind.push_back(j.kind);
            payload.push_back(j.payload);
            due.push_back(std::to_string(j.due_at));
            created.push_back(std::to_string(schedule.now));
            object.push_back(std::to_string(m.object_id));
        }
        if (!schedule.indexed_until) continue;
        indexed_owner.push_back(who.text(0, 0));
        indexed_object.push_back(std::to_string(m.object_id));
        until.push_back(std::to_string(*schedule.indexed_until));
    }
    if (!owner.empty()) {
        pg::Params p;
        p.add_array(owner).add_array(kind).add_array(payload).add_array(due).add_array(created).add_array(object);
        c.query("INSERT INTO jobs (owner_id, kind, payload, due_at, created_at, object_id) SELECT * FROM "
                "unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])",
                p);
    }
    if (!until.empty()) {
        pg::Params p;
        p.add_array(indexed_owner).add_array(indexed_object).add_array(until);
        c.query("INSERT INTO reminder_index (owner_id, object_id, indexed_until) SELECT * FROM "
                "unnest($1::bigint[], $2::bigint[], $3::bigint[]) ON CONFLICT (owner_id, object_id) "
                "DO UPDATE SET indexed_until = excluded.indexed_until",
                p);
    }
}

}  // namespace pgrows

StoreStatus PgStore::complete_job_with(std::int64_t id, std::string_view worker,
                                       const std::vector<caldav::NewJob>& next, std::string_view delivery_key,
                                       std::int64_t now) {
    try {
        return write([&](pg::Conn& c) {
            auto gone = c.query("DELETE FROM jobs WHERE id = $1 AND lease_owner = $2 AND failed_at IS NULL",
                                pg::params(id, worker));
            if (gone.affected() != 1) return StoreStatus::not_found;
            if (!delivery_key.empty()) {
                auto in = c.query("INSERT INTO job_deliveries (key, delivered_at) VALUES ($1, $2) "
                                  "ON CONFLICT (key) DO NOTHING",
                                  pg::params(delivery_key, now));
                if (in.affected() != 1) return StoreStatus::exists;  // delivered before: the job just goes
            }
            for (const auto& j : next)
                c.query("INSERT INTO jobs (owner_id, kind, payload, due_at, created_at) VALUES ($1, $2, $3, $4, $5)",
                        pg::params(j.owner_id, j.kind, j.payload, j.due_at, now));
            return StoreStatus::ok;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

std::size_t PgStore::release_leases(std::string_view worker) {
    try {
        return write([&](pg::Conn& c) {
            return static_cast<std::size_t>(
                c.query("UPDATE jobs SET lease_owner = '', lease_until = 0 WHERE lease_owner = $1 AND "
                        "failed_at IS NULL",
                        pg::params(worker))
                    .affected());
        });
    } catch (const pg::Error& e) {
        status_of(e);  // busy or full: nothing given back this time
        return std::size_t{0};
    }
}

void PgStore::set_reminder_indexer(caldav::ReminderIndexer indexer) { reminder_indexer_ = std::move(indexer); }

std::size_t PgStore::backfill_owner_zones() {
    return write([&](pg::Conn& c) -> std::size_t {
        // A second node starting at once waits here for the first one's
        // commit, then finds the row gone.
        if (c.query("DELETE FROM pending_upgrades WHERE name = 'owner_zones' RETURNING name").empty()) return 0;
        auto owners = c.query("SELECT owner_id FROM collections WHERE name = 'inbox' AND kind = 'inbox'");
        std::size_t changed = 0;
        for (int i = 0; i < owners.rows(); ++i)
            if (refresh_owner_zone(c, reminder_indexer_, owners.int64(i, 0))) ++changed;
        return changed;
    });
}

std::size_t PgStore::extend_reminders(std::int64_t before, std::size_t limit) {
    if (!reminder_indexer_ || limit == 0) return 0;
    try {
        return write([&](pg::Conn& c) {
            // Rows another node is extending (or an object being written) are skipped, not waited for.
            auto due = c.query(
                "SELECT r.object_id, o.collection_id, o.name, o.data, r.indexed_until FROM reminder_index r "
                "JOIN objects o ON o.owner_id = r.owner_id AND o.id = r.object_id WHERE r.indexed_until < $1 "
                "ORDER BY r.indexed_until LIMIT $2 FOR UPDATE OF r SKIP LOCKED",
                pg::params(before, limit));
            for (int i = 0; i < due.rows(); ++i)
                index_reminders(c, reminder_indexer_, due.int64(i, 0), due.int64(i, 1), due.view(i, 2),
                                due.view(i, 3), due.int64(i, 4));
            return static_cast<std::size_t>(due.rows());
        });
    } catch (const pg::Error& e) {
        status_of(e);  // busy or full: nothing extended this time
        return std::size_t{0};
    }
}

std::size_t PgStore::prune_deliveries(std::int64_t before) {
    try {
        return write([&](pg::Conn& c) {
            return static_cast<std::size_t>(
                c.query("DELETE FROM job_deliveries WHERE delivered_at < $1", pg::params(before)).affected());
        });
    } catch (const pg::Error& e) {
        status_of(e);  // busy or full: nothing pruned this time
        return std::size_t{0};
    }
}

}  // namespace server
