// `kalends check` (issue 29 §2): SQLite's own checks, then the time index and
// the change logs rebuilt on the side and compared with the stored ones
// (DESIGN.md "Data"; src/storage/database_tools.hpp).
#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <tuple>

#include "caldav/calendar_data.hpp"
#include "src/storage/database_tools.hpp"
#include "src/storage/migrations.hpp"
#include "src/storage/sqlite.hpp"

namespace server {

namespace {

/// A time-index row as stored: start, end, busy (-2 for NULL), declined.
using Row = std::tuple<std::int64_t, std::int64_t, std::int64_t, int>;

/// Problems of one kind, listed up to a limit and counted past it.
class Findings {
public:
    Findings(CheckReport& report, std::size_t max) : report_(report), max_(max) {}
    void add(const std::string& kind, const std::string& text) {
        if (++counts_[kind] <= max_) report_.problems.push_back(text);
    }
    /// Appends "... and N more" lines for kinds over the limit.
    void finish() {
        for (const auto& [kind, n] : counts_)
            if (n > max_) report_.problems.push_back(kind + ": " + std::to_string(n - max_) + " more not listed");
    }

private:
    CheckReport& report_;
    std::size_t max_;
    std::map<std::string, std::size_t> counts_;
};

std::string describe(const Row& r) {
    auto [start, end, busy, declined] = r;
    return "[" + std::to_string(start) + ", " + std::to_string(end) + "] busy=" +
           (busy == -2 ? std::string("null") : std::to_string(busy)) + " declined=" + std::to_string(declined);
}

void sqlite_checks(sqlite::Db& db, Findings& f) {
    auto integrity = db.prepare("PRAGMA integrity_check");
    while (integrity.step())
        if (integrity.view(0) != "ok") f.add("integrity", "integrity: " + integrity.text(0));
    auto fk = db.prepare("PRAGMA foreign_key_check");
    while (fk.step())
        f.add("foreign key", "foreign key: " + fk.text(0) + " row " + fk.text(1) + " refers to a missing " +
                                 fk.text(2) + " row");
    auto version = db.prepare("PRAGMA user_version");
    version.step();
    auto latest = builtin_migrations().back().version;
    if (version.int64(0) != latest)
        f.add("schema", "schema: version " + version.text(0) + ", this kalends has " + std::to_string(latest) +
                            (version.int64(0) < latest ? " (a server start migrates it)" : " (newer than this kalends)"));
}

/// The stored rows of `object_id` below `until`, sorted.
std::vector<Row> stored_rows(sqlite::Db& db, std::int64_t object_id, std::int64_t collection_id, Findings& f,
                             const std::string& label) {
    std::vector<Row> rows;
    auto st = db.prepare(
        "SELECT start_at, end_at, coalesce(busy, -2), declined, collection_id FROM instances WHERE object_id = ?1");
    st.bind(1, object_id);
    while (st.step()) {
        rows.emplace_back(st.int64(0), st.int64(1), st.int64(2), static_cast<int>(st.int64(3)));
        if (st.int64(4) != collection_id)
            f.add("time index", "time index: " + label + ": a row names collection " + st.text(4) + ", not " +
                                    std::to_string(collection_id));
    }
    std::sort(rows.begin(), rows.end());
    return rows;
}

/// Compares one object's stored time-index rows with rows rebuilt from its
/// data, up to the horizon both cover.
void check_object_index(sqlite::Db& db, const sqlite::Stmt& o, const caldav::Limits& limits, std::int64_t now,
                        CheckReport& report, Findings& f) {
    std::int64_t id = o.int64(0), collection_id = o.int64(1);
    std::string label = o.text(2) + "/" + o.text(3) + "/" + o.text(4);
    caldav::InstanceIndex rebuilt;
    try {
        rebuilt = caldav::index_instances(o.view(5), o.view(6), o.optional_int64(7), limits, now);
    } catch (const std::exception& e) {
        f.add("object", "object: " + label + ": its data cannot be indexed: " + e.what());
        return;
    }
    constexpr auto unbounded = std::numeric_limits<std::int64_t>::max();
    std::int64_t until = std::min(o.optional_int64(8).value_or(unbounded), rebuilt.indexed_until.value_or(unbounded));
    auto stored = stored_rows(db, id, collection_id, f, label);
    std::vector<Row> expected;
    for (const auto& r : rebuilt.rows)
        expected.emplace_back(r.start, r.end, r.busy ? *r.busy : -2, r.declined ? 1 : 0);
    std::sort(expected.begin(), expected.end());
    auto below = [until](const Row& r) { return std::get<0>(r) < until; };
    std::vector<Row> a, b;
    std::copy_if(stored.begin(), stored.end(), std::back_inserter(a), below);
    std::copy_if(expected.begin(), expected.end(), std::back_inserter(b), below);
    ++report.indexed_objects;
    report.instance_rows += a.size();
    if (a == b) return;
    std::vector<Row> extra, missing;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(extra));
    std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(missing));
    std::string text = "time index: " + label + " (object " + std::to_string(id) + "): " +
                       std::to_string(a.size()) + " rows stored, " + std::to_string(b.size()) + " rebuilt";
    if (!extra.empty()) text += "; stored but not in its data: " + describe(extra.front());
    if (!missing.empty()) text += "; missing: " + describe(missing.front());
    f.add("time index", text);
}

void check_objects(sqlite::Db& db, const caldav::Limits& limits, std::int64_t now, CheckReport& report,
                   Findings& f) {
    auto o = db.prepare(
        "SELECT o.id, o.collection_id, p.name, c.name, o.name, o.data, o.component, o.last_end, o.indexed_until, "
        "o.index_state, o.revision, ch.revision, ch.deleted FROM objects o "
        "JOIN collections c ON c.id = o.collection_id JOIN principals p ON p.id = c.owner_id "
        "LEFT JOIN changes ch ON ch.collection_id = o.collection_id AND ch.name = o.name ORDER BY o.id");
    while (o.step()) {
        ++report.objects;
        std::string label = o.text(2) + "/" + o.text(3) + "/" + o.text(4);
        if (o.is_null(11))
            f.add("change log", "change log: " + label + " is stored but was never logged (sync clients miss it)");
        else if (o.int64(12) != 0)
            f.add("change log", "change log: " + label + " is stored but logged as deleted");
        else if (o.int64(11) != o.int64(10))
            f.add("change log", "change log: " + label + " is at revision " + o.text(10) + " but logged at " +
                                    o.text(11));
        if (o.int64(9) != 0) check_object_index(db, o, limits, now, report, f);
    }
}

void check_change_logs(sqlite::Db& db, Findings& f) {
    auto ghosts = db.prepare(
        "SELECT p.name, c.name, ch.name FROM changes ch JOIN collections c ON c.id = ch.collection_id "
        "JOIN principals p ON p.id = c.owner_id WHERE ch.deleted = 0 AND NOT EXISTS "
        "(SELECT 1 FROM objects o WHERE o.collection_id = ch.collection_id AND o.name = ch.name)");
    while (ghosts.step())
        f.add("change log", "change log: " + ghosts.text(0) + "/" + ghosts.text(1) + "/" + ghosts.text(2) +
                                " is logged as present but is not stored");
    auto behind = db.prepare(
        "SELECT p.name, c.name, c.revision, max(ch.revision) FROM collections c JOIN principals p ON p.id = "
        "c.owner_id JOIN changes ch ON ch.collection_id = c.id GROUP BY c.id HAVING max(ch.revision) > c.revision");
    while (behind.step())
        f.add("change log", "change log: collection " + behind.text(0) + "/" + behind.text(1) + " is at revision " +
                                behind.text(2) + " but its log reaches " + behind.text(3) +
                                " (sync tokens would repeat)");
    auto floor = db.prepare(
        "SELECT p.name, c.name FROM collections c JOIN principals p ON p.id = c.owner_id "
        "WHERE c.sync_floor > c.revision");
    while (floor.step())
        f.add("change log", "change log: collection " + floor.text(0) + "/" + floor.text(1) +
                                " has a sync floor above its revision");
}

}  // namespace

CheckReport check_database(const std::filesystem::path& db_file, const caldav::Limits& limits, std::int64_t now,
                           std::size_t max_per_kind) {
    if (!std::filesystem::exists(db_file)) throw DatabaseToolError(db_file.string() + ": no database");
    CheckReport report;
    Findings f(report, max_per_kind);
    try {
        sqlite::Db db(db_file, false, false);
        sqlite3_busy_timeout(db.handle(), 5000);
        // One read transaction: a running server's writes do not show up halfway.
        db.exec("BEGIN");
        sqlite_checks(db, f);
        check_objects(db, limits, now, report, f);
        check_change_logs(db, f);
        db.exec("COMMIT");
    } catch (const sqlite::Error& e) {
        f.add("read", std::string("read: the database could not be read to the end: ") + e.what());
    }
    f.finish();
    return report;
}

}  // namespace server
