// SqliteStore's caldav::FeedStore (schema 0021): public feeds of calendars
// (issue 25 §8), kept apart from sqlite_store.cpp.
#include "src/storage/sqlite_store.hpp"

namespace server {

using caldav::PublicFeed;
using caldav::StoreStatus;

namespace {

constexpr std::string_view feed_columns =
    "SELECT f.id, f.owner_id, f.collection_id, f.token_hash, f.free_busy, f.created_at, p.name, c.name "
    "FROM public_feeds f JOIN principals p ON p.id = f.owner_id JOIN collections c ON c.id = f.collection_id ";

std::vector<PublicFeed> feed_rows(sqlite::Stmt& s) {
    std::vector<PublicFeed> out;
    while (s.step()) {
        PublicFeed f;
        f.id = s.int64(0);
        f.owner_id = s.int64(1);
        f.collection_id = s.int64(2);
        f.token_hash = s.text(3);
        f.free_busy = s.int64(4) != 0;
        f.created_at = s.int64(5);
        f.owner_name = s.text(6);
        f.collection_name = s.text(7);
        out.push_back(std::move(f));
    }
    return out;
}

/// busy and full are outcomes; any other SQLite error is our bug.
StoreStatus feed_status_of(const sqlite::Error& e) {
    if (e.code() == SQLITE_BUSY || e.code() == SQLITE_LOCKED) return StoreStatus::busy;
    if (e.code() == SQLITE_FULL) return StoreStatus::full;
    throw e;
}

}  // namespace

StoreStatus SqliteStore::add_feed(PublicFeed& f) {
    StoreStatus status = StoreStatus::ok;
    try {
        write_with([&](sqlite::Db& db) {
            auto c = db.prepare("SELECT 1 FROM collections WHERE id = ?1 AND owner_id = ?2 AND kind = 'calendar'");
            c.bind(1, f.collection_id).bind(2, f.owner_id);
            if (!c.step()) {
                status = StoreStatus::not_found;
                return;
            }
            auto taken = db.prepare("SELECT 1 FROM public_feeds WHERE token_hash = ?1");
            taken.bind(1, f.token_hash);
            if (taken.step()) {
                status = StoreStatus::exists;
                return;
            }
            auto s = db.prepare(
                "INSERT INTO public_feeds (owner_id, collection_id, token_hash, free_busy, created_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
            s.bind(1, f.owner_id).bind(2, f.collection_id).bind(3, f.token_hash);
            s.bind(4, std::int64_t{f.free_busy ? 1 : 0}).bind(5, f.created_at);
            if (s.step()) f.id = s.int64(0);
            s.reset();
        });
    } catch (const sqlite::Error& e) {
        return feed_status_of(e);
    }
    return status;
}

std::vector<PublicFeed> SqliteStore::feeds_of_collection(std::int64_t collection_id) {
    std::vector<PublicFeed> out;
    read_with([&](sqlite::Db& db) {
        auto s = db.prepare(std::string(feed_columns) + "WHERE f.collection_id = ?1 ORDER BY f.id");
        s.bind(1, collection_id);
        out = feed_rows(s);
    });
    return out;
}

std::optional<PublicFeed> SqliteStore::find_feed(std::string_view token_hash) {
    std::vector<PublicFeed> rows;
    read_with([&](sqlite::Db& db) {
        auto s = db.prepare(std::string(feed_columns) + "WHERE f.token_hash = ?1");
        s.bind(1, std::string(token_hash));
        rows = feed_rows(s);
    });
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

StoreStatus SqliteStore::remove_feed(std::int64_t collection_id, std::int64_t id) {
    StoreStatus status = StoreStatus::ok;
    try {
        write_with([&](sqlite::Db& db) {
            auto s = db.prepare("DELETE FROM public_feeds WHERE collection_id = ?1 AND id = ?2");
            s.bind(1, collection_id).bind(2, id).run();
            if (db.changes() == 0) status = StoreStatus::not_found;
        });
    } catch (const sqlite::Error& e) {
        return feed_status_of(e);
    }
    return status;
}

}  // namespace server
