// The parsed occurrences of stored events, kept per object and ETag (issue
// 24: listings and conflict checks read the same objects again and again;
// parsing them with libical is most of what those cost). An object's entry
// covers a window of time; a new ETag replaces it, so an edit is never served
// from the old version. Bounded by a number of entries, least recently used
// first out. Thread-safe.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "caldav/store.hpp"
#include "ical/event_spec.hpp"

namespace caldav {

/// An object's occurrences over [from, to): all of them overlapping it
/// (`occurrences.single`: the one occurrence, whatever the window).
struct ParsedEvent {
    std::int64_t from = 0, to = 0;
    ical::EventOccurrences occurrences;

    /// True when the entry answers for [start, end).
    bool covers(std::int64_t start, std::int64_t end) const {
        return occurrences.single || (from <= start && end <= to);
    }
};

/// Parsed events keyed by object id and ETag, at most `capacity` objects
/// (each with at most max_windows windows).
class ParsedEventCache {
public:
    /// Windows are whole blocks of this many seconds (28 days), so that the
    /// weeks of a month share one parse.
    static constexpr std::int64_t block_seconds = 28 * 86400;
    /// Windows kept per object (a listing of weeks far apart, or a conflict
    /// check over months, each keep their own), the least recently used dropped.
    static constexpr std::size_t max_windows = 6;

    /// capacity 0: nothing is kept (every call parses).
    explicit ParsedEventCache(std::size_t capacity) : capacity_(capacity) {}

    /// The occurrences of `object` (with data) covering [start, end): a kept
    /// window when the ETag fits, else the object parsed over the blocks
    /// around the range (kept) or, when that hits a cap of `limits`, over the
    /// range alone (not kept). A new ETag drops the object's windows. Never null.
    std::shared_ptr<const ParsedEvent> occurrences(const ObjectRecord& object, std::int64_t start,
                                                   std::int64_t end, const ical::ExpandLimits& limits);

    /// Objects kept now.
    std::size_t size() const;
    /// Sets the bound (dropping the least recently used entries past it).
    void set_capacity(std::size_t capacity);
    /// Parses done by occurrences() so far (for tests and the bench).
    std::size_t parses() const;

private:
    /// The version of an object a parse is of: its ETag and size (ids of
    /// another store, as tests hold several, never pass for this one's).
    struct Tag {
        std::string etag;
        std::size_t size = 0;
        bool operator==(const Tag&) const = default;
    };
    struct Entry {
        Tag tag;  ///< the version parsed
        std::vector<std::shared_ptr<const ParsedEvent>> windows;  ///< most recently used first
        std::list<std::int64_t>::iterator used;  ///< its place in `lru_`
    };
    /// The kept window of `id` covering [start, end) when `tag` matches; else null.
    /// Compares the ETag in place: a lookup allocates nothing.
    std::shared_ptr<const ParsedEvent> find(std::int64_t id, std::string_view etag, std::size_t size,
                                            std::int64_t start, std::int64_t end);
    void keep(std::int64_t id, Tag tag, std::shared_ptr<const ParsedEvent> parsed);
    /// Drops the least recently used entries past the capacity into `dropped`.
    void trim(std::vector<Entry>& dropped);

    mutable std::mutex mutex_;
    std::size_t capacity_;
    std::atomic<std::size_t> parses_{0};
    std::list<std::int64_t> lru_;  ///< object ids, most recently used first
    std::unordered_map<std::int64_t, Entry> entries_;
};

/// The process's cache, shared by every request (default 10,000 entries).
ParsedEventCache& parsed_event_cache();

}  // namespace caldav
