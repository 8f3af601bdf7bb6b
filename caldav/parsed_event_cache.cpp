// The parsed occurrences of stored events per object and ETag (issue 24):
// windows of whole blocks, least recently used entries dropped past the bound.
#include "caldav/parsed_event_cache.hpp"

#include <algorithm>

namespace caldav {

namespace {

std::int64_t floor_block(std::int64_t t) {
    const auto b = ParsedEventCache::block_seconds;
    return (t >= 0 ? t / b : (t - b + 1) / b) * b;
}

std::int64_t ceil_block(std::int64_t t) { return floor_block(t) + (t % ParsedEventCache::block_seconds ? ParsedEventCache::block_seconds : 0); }

/// `object` parsed over [from, to).
std::shared_ptr<ParsedEvent> parse(const ObjectRecord& object, std::int64_t from, std::int64_t to,
                                   const ical::ExpandLimits& limits) {
    auto parsed = std::make_shared<ParsedEvent>();
    parsed->from = from;
    parsed->to = to;
    parsed->occurrences = ical::read_event_occurrences(object.text(), from, to, limits);
    return parsed;
}

}  // namespace

std::shared_ptr<const ParsedEvent> ParsedEventCache::find(std::int64_t id, std::string_view etag, std::size_t size,
                                                          std::int64_t start, std::int64_t end) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second.tag.size != size || it->second.tag.etag != etag) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second.used);
    auto& windows = it->second.windows;
    for (std::size_t i = 0; i < windows.size(); ++i)
        if (windows[i]->covers(start, end)) {
            std::rotate(windows.begin(), windows.begin() + static_cast<std::ptrdiff_t>(i),
                        windows.begin() + static_cast<std::ptrdiff_t>(i) + 1);
            return windows.front();
        }
    return nullptr;
}

std::shared_ptr<const ParsedEvent> ParsedEventCache::occurrences(const ObjectRecord& object, std::int64_t start,
                                                                 std::int64_t end,
                                                                 const ical::ExpandLimits& limits) {
    const std::size_t size = object.text().size();
    if (auto hit = find(object.id, object.etag, size, start, end)) return hit;
    const std::int64_t from = floor_block(start), to = std::max(ceil_block(end), from + block_seconds);
    ++parses_;
    auto parsed = parse(object, from, to, limits);
    if (parsed->occurrences.error && !parsed->occurrences.single && (from < start || to > end)) {
        // The blocks hold more than the caps allow; the range alone may not.
        ++parses_;
        return parse(object, start, end, limits);
    }
    if (!parsed->occurrences.error) keep(object.id, Tag{object.etag, size}, parsed);
    return parsed;
}

void ParsedEventCache::keep(std::int64_t id, Tag tag, std::shared_ptr<const ParsedEvent> parsed) {
    // What leaves the cache is freed after the lock is released: freeing
    // a parsed event (views, instances) inside it held up every listing.
    std::vector<Entry> dropped;
    std::lock_guard lock(mutex_);
    if (capacity_ == 0) return;
    auto it = entries_.find(id);
    if (it == entries_.end()) {
        lru_.push_front(id);
        it = entries_.emplace(id, Entry{tag, {}, lru_.begin()}).first;
    } else {
        lru_.splice(lru_.begin(), lru_, it->second.used);
    }
    auto& entry = it->second;
    if (entry.tag != tag) {  // a new version: the old windows are stale
        entry.tag = std::move(tag);
        dropped.push_back(Entry{{}, std::move(entry.windows), {}});
        entry.windows.clear();
    }
    entry.windows.insert(entry.windows.begin(), std::move(parsed));
    if (entry.windows.size() > max_windows) {
        dropped.push_back(Entry{{}, {std::move(entry.windows.back())}, {}});
        entry.windows.pop_back();
    }
    trim(dropped);
}  // `dropped`, declared before `lock`, is destroyed after the lock is released

void ParsedEventCache::trim(std::vector<Entry>& dropped) {
    while (entries_.size() > capacity_) {
        auto it = entries_.find(lru_.back());
        dropped.push_back(std::move(it->second));
        entries_.erase(it);
        lru_.pop_back();
    }
}

std::size_t ParsedEventCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

void ParsedEventCache::set_capacity(std::size_t capacity) {
    std::vector<Entry> dropped;
    std::lock_guard lock(mutex_);
    capacity_ = capacity;
    trim(dropped);
}

std::size_t ParsedEventCache::parses() const { return parses_.load(); }

ParsedEventCache& parsed_event_cache() {
    static ParsedEventCache cache(10000);
    return cache;
}

}  // namespace caldav
