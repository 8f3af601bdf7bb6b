// The collection cache (src/storage/collection_cache) answers range queries
// and multigets exactly as the database does, whoever writes: a store with the cache and one
// without share a file, both write, and every answer is compared.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <limits>
#include <memory>
#include <random>
#include <thread>
#include <tuple>

#include "caldav/xml/element.hpp"
#include "src/storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using caldav::StoreStatus;
using server::SqliteStore;

namespace {

struct CacheFixture {
    test_support::TempDir dir;
    std::unique_ptr<SqliteStore> cached = open(std::size_t{64} << 20);
    std::unique_ptr<SqliteStore> plain = open(0);  // the database's own answers
    std::int64_t alice = 0;
    std::mt19937_64 rng{20261201};

    CacheFixture() {
        BOOST_REQUIRE(cached->add_user("alice", "alice@example.com", "$y$fake") == StoreStatus::ok);
        alice = cached->find_principal("alice")->id;
    }

    std::unique_ptr<SqliteStore> open(std::size_t cache_bytes) {
        server::SqliteOptions o;
        o.file = dir.path() / "k.sqlite3";
        o.collection_cache_bytes = cache_bytes;
        return SqliteStore::open(o);
    }

    std::int64_t calendar(SqliteStore& via, const std::string& name) {
        caldav::CollectionRecord c;
        c.owner_id = alice;
        c.name = name;
        c.kind = caldav::CollectionKind::calendar;
        BOOST_REQUIRE(via.create_collection(c) == StoreStatus::ok);
        return c.id;
    }

    std::int64_t pick(std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); }

    /// A random time index: rows in 60 days, sometimes up to a horizon,
    /// sometimes none at all (the object is parsed), sometimes inexact.
    std::optional<caldav::InstanceIndex> random_index(std::optional<std::int64_t>& first,
                                                      std::optional<std::int64_t>& last) {
        first.reset();
        last.reset();
        if (pick(0, 9) == 0) return std::nullopt;  // index_state 0: bounds only
        caldav::InstanceIndex index;
        index.exact = pick(0, 4) != 0;
        if (pick(0, 7) == 0) index.indexed_until = pick(0, 60) * 86400;
        if (pick(0, 15) == 0) index.indexed_until = std::numeric_limits<std::int64_t>::min();
        const auto n = pick(0, 6);
        for (std::int64_t i = 0; i < n; ++i) {
            const auto start = pick(0, 60 * 24) * 3600;
            const auto length = pick(0, 3) == 0 ? 0 : pick(1, 48) * 1800;  // zero-length too
            index.rows.push_back({start, start + length, 1, false});
            first = std::min(first.value_or(start), start);
            last = std::max(last.value_or(start + length), start + length);
        }
        if (pick(0, 5) == 0) first.reset(), last.reset();  // unbounded
        return index;
    }

    void put(SqliteStore& via, std::int64_t collection, int k) {
        caldav::PutObject o;
        o.collection_id = collection;
        o.name = "ev" + std::to_string(k) + ".ics";
        o.uid = "uid-" + std::to_string(k);
        o.component = "VEVENT";
        // Bytes XML escapes too (the copy keeps them escaped as well).
        o.data = "BEGIN:VCALENDAR\r\nX-VERSION:" + std::to_string(pick(0, 1 << 30)) +
                 "\r\nX-NOTE:a<b & \"c\">\r\nEND:VCALENDAR\r\n";
        o.instances = random_index(o.first_start, o.last_end);
        BOOST_REQUIRE(via.put_object(o).status == StoreStatus::ok);
    }

    using Row = std::tuple<std::string, std::string, bool, std::string, std::int64_t>;

    static std::vector<Row> answer(SqliteStore& s, std::int64_t collection, std::optional<std::int64_t> from,
                                   std::optional<std::int64_t> to, bool with_data) {
        std::vector<Row> out;
        for (auto& o : s.list_objects_in_range(collection, from, to, with_data))
            out.emplace_back(o.name, o.etag, o.index_match, o.data, o.revision);
        return out;
    }

    /// False where collections may not fit the cache's budget: the database
    /// answers those, and its visits come in its own order.
    bool copy_answers = true;

    /// Random ranges (some open-ended, some empty or at instants) asked of
    /// both stores; returns how many members the cached store answered.
    std::size_t compare(std::int64_t collection, int queries) {
        std::size_t seen = 0;
        for (int q = 0; q < queries; ++q) {
            std::optional<std::int64_t> from = pick(-2, 62 * 24) * 3600, to;
            to = *from + pick(0, 14 * 24) * 3600 + pick(0, 1);
            if (pick(0, 9) == 0) from.reset();
            if (pick(0, 9) == 0) to.reset();
            const bool with_data = pick(0, 1) == 1;
            auto want = answer(*plain, collection, from, to, with_data);
            auto got = answer(*cached, collection, from, to, with_data);
            BOOST_TEST_REQUIRE((got == want), "query " << q << " [" << from.value_or(-1) << ", " << to.value_or(-1)
                                                       << "] with_data " << with_data << ": " << got.size()
                                                       << " members, the database says " << want.size());
            seen += got.size();
            // The copy visits them in name order (a report then writes its
            // answer as they come, with no second pass to sort it).
            std::vector<std::string> visited;
            cached->visit_objects_in_range(collection, from, to, with_data,
                                           [&](caldav::ObjectRecord& o) { visited.push_back(o.name); });
            if (copy_answers)
                BOOST_TEST_REQUIRE(std::is_sorted(visited.begin(), visited.end()),
                                   "query " << q << ": visited out of name order");
            BOOST_TEST_REQUIRE(visited.size() == got.size());
        }
        // A multiget's names: members, names that are not, repeats, in any order.
        std::vector<std::string> names;
        for (int k = 0; k < 30; ++k) names.push_back("ev" + std::to_string(pick(0, 260)) + ".ics");
        names.push_back(names.front());
        for (bool with_data : {false, true}) {
            auto want = named(*plain, collection, names, with_data);
            auto got = named(*cached, collection, names, with_data);
            BOOST_TEST_REQUIRE((got == want), "multiget with_data " << with_data << ": " << got.size()
                                                                    << " members, the database says " << want.size());
        }
        return seen;
    }

    /// Escaped bytes, when given, are the XML escape of the bytes given with them.
    static void check_escaped(const caldav::ObjectRecord& o, bool with_data) {
        if (!with_data) BOOST_TEST(!o.shared_escaped);
        if (o.shared_escaped) BOOST_TEST(*o.shared_escaped == caldav::xml::escape(o.text()));
    }

    static std::vector<Row> named(SqliteStore& s, std::int64_t collection, const std::vector<std::string>& names,
                                  bool with_data) {
        std::vector<Row> out;
        s.visit_objects_named(collection, names, with_data, [&](caldav::ObjectRecord& o) {
            out.emplace_back(o.name, o.etag, o.index_match, std::string(o.text()), o.revision);
            check_escaped(o, with_data);
        });
        return out;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(collection_cache, CacheFixture)

BOOST_AUTO_TEST_CASE(answers_as_the_database_while_both_stores_write_move_reindex_and_delete) {
    const auto work = calendar(*cached, "work");
    const auto home = calendar(*cached, "home");
    for (int k = 0; k < 150; ++k) put(*cached, work, k);
    BOOST_TEST(compare(work, 20) > 0);
    BOOST_TEST(cached->collection_cache().bytes() > 0);  // the copy answered, not the database
    for (int round = 0; round < 120; ++round) {
        auto& via = pick(0, 1) == 0 ? *cached : *plain;  // the other writer is another connection pool
        const int k = static_cast<int>(pick(0, 199));
        const auto name = "ev" + std::to_string(k) + ".ics";
        switch (pick(0, 5)) {
        case 0:
        case 1: put(via, work, k); break;
        case 2: via.delete_object(work, name, std::nullopt); break;
        case 3: via.copy_object(work, name, home, name, true, pick(0, 1) == 1); break;
        case 4: {
            // The background indexer rewrites rows without a member change.
            if (auto o = via.find_object(work, name, false)) {
                std::optional<std::int64_t> first, last;
                auto index = random_index(first, last);
                if (index) via.set_instances(o->id, *index);
            }
            break;
        }
        default: put(via, home, k); break;
        }
        compare(work, 3);
        compare(home, 2);
    }
}

BOOST_AUTO_TEST_CASE(many_small_changes_are_caught_up_and_compacted_without_losing_a_row) {
    // Each catch-up marks the old rows of a changed member and keeps its new
    // rows apart until they are merged in: hundreds of rounds of one to three
    // changes cross that merge many times.
    const auto work = calendar(*cached, "work");
    for (int k = 0; k < 120; ++k) put(*cached, work, k);
    BOOST_TEST(compare(work, 5) > 0);
    for (int round = 0; round < 400; ++round) {
        for (auto n = pick(1, 3); n > 0; --n) {
            auto& via = pick(0, 1) == 0 ? *cached : *plain;
            const int k = static_cast<int>(pick(0, 139));
            if (pick(0, 3) == 0) via.delete_object(work, "ev" + std::to_string(k) + ".ics", std::nullopt);
            else put(via, work, k);
        }
        compare(work, 2);
    }
    BOOST_TEST(cached->collection_cache().bytes() > 0);
}

BOOST_AUTO_TEST_CASE(a_collection_created_under_a_deleted_ones_id_is_not_taken_for_it) {
    const auto old_id = calendar(*cached, "old");
    for (int k = 0; k < 40; ++k) put(*cached, old_id, k);
    compare(old_id, 5);
    // Another process deletes it and creates one that SQLite gives the same id;
    // with as many writes, the new one reaches the old one's revision.
    BOOST_REQUIRE(plain->delete_collection(old_id) == StoreStatus::ok);
    const auto new_id = calendar(*plain, "new");
    BOOST_REQUIRE(new_id == old_id);
    for (int k = 100; k < 140; ++k) put(*plain, new_id, k);
    BOOST_TEST(compare(new_id, 20) > 0);
}

BOOST_AUTO_TEST_CASE(a_collection_over_the_budget_is_answered_by_the_database_and_copies_are_evicted) {
    // A budget for one small calendar: the large one never fits, the small
    // ones push each other out, and every answer stays the database's.
    cached = open(std::size_t{24} << 10);
    copy_answers = false;
    const auto large = calendar(*cached, "large");
    for (int k = 0; k < 300; ++k) put(*cached, large, k);
    std::vector<std::int64_t> small;
    for (int c = 0; c < 3; ++c) {
        small.push_back(calendar(*cached, "small" + std::to_string(c)));
        for (int k = 0; k < 25; ++k) put(*cached, small.back(), 1000 + k);
    }
    for (int round = 0; round < 6; ++round) {
        compare(large, 4);
        for (auto id : small) compare(id, 4);
        BOOST_TEST(cached->collection_cache().bytes() <= std::size_t{24} << 10);
        put(*cached, small[round % 3], 1000 + round);
    }
    BOOST_TEST(cached->collection_cache().bytes() > 0);
}

BOOST_AUTO_TEST_CASE(copies_of_many_empty_calendars_count_against_the_budget) {
    cached = open(std::size_t{24} << 10);
    const auto first = calendar(*cached, "empty0");
    BOOST_TEST(compare(first, 1) == 0);
    BOOST_TEST(cached->collection_cache().bytes() > 0);  // an empty copy is not free
    for (int c = 1; c < 120; ++c) compare(calendar(*cached, "empty" + std::to_string(c)), 1);
    BOOST_TEST(cached->collection_cache().bytes() <= std::size_t{24} << 10);
}

BOOST_AUTO_TEST_CASE(data_given_to_a_visitor_is_shared_and_not_kept_once_the_copy_drops_it) {
    const auto work = calendar(*cached, "work");
    for (int k = 0; k < 20; ++k) put(*cached, work, k);
    std::weak_ptr<const std::string> given;
    std::string text;
    cached->visit_objects_named(work, {"ev3.ics"}, true, [&](caldav::ObjectRecord& o) {
        BOOST_REQUIRE(o.shared_data);  // from the copy, not copied into `data`
        given = o.shared_data;
        text = o.text();
    });
    BOOST_TEST(text == plain->find_object(work, "ev3.ics", true)->data);
    BOOST_TEST(!given.expired());  // the copy holds it
    // Another writer replaces the member; a query on another thread brings
    // the copy up to date, which lets go of the old bytes: neither the store
    // nor the thread that was given them keeps them.
    put(*plain, work, 3);
    std::thread([&] { compare(work, 1); }).join();
    BOOST_TEST(given.expired());
}

BOOST_AUTO_TEST_CASE(escaped_bytes_come_with_the_bytes_and_follow_every_change) {
    const auto work = calendar(*cached, "work");
    for (int k = 0; k < 30; ++k) put(*cached, work, k);
    // Members with an instance anywhere (a random index may have none): all
    // given with their escaped bytes when data is asked for, none without.
    auto visit_all = [&](bool with_data) {
        std::size_t visited = 0, escaped = 0;
        cached->visit_objects_in_range(work, std::nullopt, std::nullopt, with_data, [&](caldav::ObjectRecord& o) {
            check_escaped(o, with_data);
            ++visited;
            if (o.shared_escaped) ++escaped;
        });
        BOOST_TEST(visited > 0u);
        return std::pair(escaped, visited);
    };
    BOOST_TEST(visit_all(false).first == 0u);
    auto [escaped, visited] = visit_all(true);
    BOOST_TEST(escaped == visited);
    // Changed by the other store, read again: the escaped bytes are the new ones.
    for (int k = 0; k < 30; k += 3) put(*plain, work, k);
    std::tie(escaped, visited) = visit_all(true);
    BOOST_TEST(escaped == visited);
    const auto got = named(*cached, work, {"ev3.ics"}, true);
    BOOST_REQUIRE(got.size() == 1u);
    BOOST_TEST(std::get<3>(got.front()) == plain->find_object(work, "ev3.ics", true)->data);
}

BOOST_AUTO_TEST_SUITE_END()
