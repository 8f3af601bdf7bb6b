// CollectionCache: a bounded in-memory copy of calendar collections' time
// index and member metadata, with the members' data while the budget allows
// (read with the copy up to half the budget, the rest as queries need it),
// kept coherent with the database through each collection's change log
// (DESIGN.md "Scale": the week query of a syncing client reads no page). It
// reads the backend through CollectionSource only, so it knows no SQL.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "caldav/store.hpp"

namespace server {

/// What a collection's row says in one read transaction: enough to tell
/// whether a cached copy is the database's at that snapshot (schema 0012).
struct CollectionStamp {
    std::int64_t id = 0;
    std::int64_t revision = 0;          ///< grows with every member change
    std::int64_t sync_floor = 0;        ///< changes before it may be gone
    std::int64_t incarnation = 0;       ///< drawn when the collection was created
    std::int64_t index_generation = 0;  ///< grows when instance rows change without a member change
    std::int64_t max_span = 0;          ///< the longest instance, seconds
};

/// A member as the cache reads it: its record without data, its bytes, and
/// what its instance rows cover (DESIGN.md "Data").
struct CachedMember {
    caldav::ObjectRecord record;  ///< `data` empty; the cache may move from it
    std::string_view data;        ///< the member's bytes, valid during the visit
    bool indexed = false;         ///< its instance rows are written
    std::optional<std::int64_t> indexed_until;  ///< rows cover instances before this; empty: all
    bool exact = false;           ///< the rows are exactly its VEVENT instances
};

/// What the cache reads from a backend, all in one snapshot of it: the
/// snapshot of the read that asks the cache, so that a copy brought up to
/// date is the backend's at that snapshot.
class CollectionSource {
public:
    virtual ~CollectionSource() = default;

    /// The stamp of a collection; empty when it is gone.
    virtual std::optional<CollectionStamp> stamp(std::int64_t collection_id) = 0;
    /// Every member, in no particular order, until `visit` returns false.
    virtual void members(std::int64_t collection_id, const std::function<bool(CachedMember&)>& visit) = 0;
    /// The member named, if there is one (false when not).
    virtual bool member(std::int64_t collection_id, std::string_view name,
                        const std::function<void(CachedMember&)>& visit) = 0;
    /// Every instance row of the collection's members, by start, until `visit` returns false.
    virtual void instances(std::int64_t collection_id,
                           const std::function<bool(std::int64_t start, std::int64_t end, std::int64_t object_id)>&
                               visit) = 0;
    /// The instance rows of one member.
    virtual void instances_of(std::int64_t object_id,
                              const std::function<void(std::int64_t start, std::int64_t end)>& visit) = 0;
    /// Appends to `names` the names the collection's change log holds with
    /// revision > `since` (a name once per change); false, as soon as it
    /// knows, when they are more than `max`.
    virtual bool changed_names(std::int64_t collection_id, std::int64_t since, std::size_t max,
                               std::vector<std::string>& names) = 0;
    /// Gives `use` the bytes of the member `object_id`; false when it is not
    /// in the snapshot.
    virtual bool data(std::int64_t object_id, const std::function<void(std::string_view)>& use) = 0;
};

/// Thread-safe. A copy is brought up to date by the reader that finds it
/// behind, from the rows that the change log names since its revision, in
/// that reader's transaction; it answers only a reader whose snapshot is
/// exactly its revision, so an answer never mixes two versions.
class CollectionCache {
public:
    /// `max_bytes` bounds everything held (0: the cache answers nothing).
    explicit CollectionCache(std::size_t max_bytes);
    ~CollectionCache();

    /// Visits what SqliteStore's range query would: members with an instance
    /// row overlapping [from, to] (index_match when a VEVENT instance overlaps
    /// and the rows are exact), and members without rows or indexed only up
    /// to a horizon before `to` whose bounds reach the range. `source` is
    /// the snapshot `stamp` was read in. False, having visited nothing, when
    /// the cache cannot answer: the collection does not fit in the budget, or
    /// the copy is already newer than that snapshot.
    bool visit_in_range(CollectionSource& source, const CollectionStamp& stamp, std::int64_t from, std::int64_t to,
                        bool with_data, const std::function<void(caldav::ObjectRecord&)>& visit);

    /// Visits the members named, in that order, skipping names that are not
    /// members; false as visit_in_range.
    bool visit_named(CollectionSource& source, const CollectionStamp& stamp, const std::vector<std::string>& names,
                     bool with_data, const std::function<void(caldav::ObjectRecord&)>& visit);

    /// Bytes held now (an estimate of the heap used).
    std::size_t bytes() const { return total_.load(); }
    /// Queries the cache answered (/metrics: its hit rate).
    std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
    /// Queries the cache left to the database.
    std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

    struct Entry;
    struct Picked;

private:
    /// Brings the copy up to `stamp`, lets `pick` choose members from it,
    /// reads the data it lacks, and visits them.
    bool serve(CollectionSource& source, const CollectionStamp& stamp, bool with_data,
               const std::function<void(const Entry&, Picked&)>& pick,
               const std::function<void(caldav::ObjectRecord&)>& visit);
    std::shared_ptr<Entry> entry_for(std::int64_t collection_id);
    /// Drops least recently used copies other than `keep` until `extra` more bytes fit.
    void make_room(const Entry* keep, std::size_t extra);

    const std::size_t max_bytes_;
    std::atomic<std::size_t> total_{0};
    std::atomic<std::uint64_t> clock_{0};
    std::atomic<std::uint64_t> hits_{0};
    std::atomic<std::uint64_t> misses_{0};
    /// Counts `answered` as a hit or a miss and returns it.
    bool counted(bool answered) {
        (answered ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
        return answered;
    }
    std::mutex map_mutex_;
    std::unordered_map<std::int64_t, std::shared_ptr<Entry>> entries_;
};

}  // namespace server
