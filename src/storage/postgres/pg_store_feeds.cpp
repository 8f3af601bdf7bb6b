// PgStore's caldav::FeedStore (schema/postgresql/0006, the meaning of SQLite
// 0021): public feeds of calendars (issue 25 §8).
#include "src/storage/postgres/pg_store_internal.hpp"

namespace server {

using caldav::PublicFeed;
using caldav::StoreStatus;
using namespace pgrows;

namespace {

constexpr std::string_view feed_columns =
    "SELECT f.id, f.owner_id, f.collection_id, f.token_hash, f.free_busy, f.created_at, p.name, c.name "
    "FROM public_feeds f JOIN principals p ON p.id = f.owner_id JOIN collections c ON c.owner_id = f.owner_id AND c.id = f.collection_id ";

std::vector<PublicFeed> feed_rows(const pg::Result& r) {
    std::vector<PublicFeed> out;
    for (int i = 0; i < r.rows(); ++i) {
        PublicFeed f;
        f.id = r.int64(i, 0);
        f.owner_id = r.int64(i, 1);
        f.collection_id = r.int64(i, 2);
        f.token_hash = r.text(i, 3);
        f.free_busy = r.boolean(i, 4);
        f.created_at = r.int64(i, 5);
        f.owner_name = r.text(i, 6);
        f.collection_name = r.text(i, 7);
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace

StoreStatus PgStore::add_feed(PublicFeed& f) {
    try {
        return write([&](pg::Conn& c) {
            // The calendar is locked against deletion until commit.
            if (c.query("SELECT 1 FROM collections WHERE id = $1 AND owner_id = $2 AND kind = 'calendar' "
                        "FOR KEY SHARE",
                        pg::params(f.collection_id, f.owner_id))
                    .rows() == 0)
                return StoreStatus::not_found;
            if (c.query("SELECT 1 FROM public_feeds WHERE token_hash = $1", pg::params(f.token_hash)).rows() > 0)
                return StoreStatus::exists;
            auto r = c.query(
                "INSERT INTO public_feeds (owner_id, collection_id, token_hash, free_busy, created_at) "
                "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                pg::params(f.owner_id, f.collection_id, f.token_hash, f.free_busy, f.created_at));
            f.id = r.int64(0, 0);
            return StoreStatus::ok;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

std::vector<PublicFeed> PgStore::feeds_of_collection(std::int64_t collection_id) {
    return read([&](pg::Conn& c) {
        return feed_rows(c.query(std::string(feed_columns) + "WHERE f.collection_id = $1 ORDER BY f.id",
                                 pg::params(collection_id)));
    });
}

std::optional<PublicFeed> PgStore::find_feed(std::string_view token_hash) {
    auto rows = read([&](pg::Conn& c) {
        return feed_rows(c.query(std::string(feed_columns) + "WHERE f.token_hash = $1", pg::params(std::string(token_hash))));
    });
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

StoreStatus PgStore::remove_feed(std::int64_t collection_id, std::int64_t id) {
    try {
        return write([&](pg::Conn& c) {
            auto r = c.query("DELETE FROM public_feeds WHERE collection_id = $1 AND id = $2",
                             pg::params(collection_id, id));
            return r.affected() == 1 ? StoreStatus::ok : StoreStatus::not_found;
        });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

}  // namespace server
