// CollectionCache: see the header. A copy is a map of members by id (the
// objects row, its data while there is room, and its index state), the
// instance rows sorted by start, and the members the range query must check
// by their bounds.
#include "src/storage/collection_cache.hpp"

#include <algorithm>
#include <limits>
#include <shared_mutex>
#include <string>
#include <vector>

#include "caldav/xml/element.hpp"

namespace server {

namespace {

/// A member's bytes, and the same escaped for XML character data as a report
/// sends whole calendar-data: escaped once when read, not once per answer
/// (escaping was a fifth of the server's CPU under the mixed load with data).
struct Text {
    std::string raw, escaped;
    explicit Text(std::string_view bytes) : raw(bytes) { caldav::xml::escape_append(escaped, raw); }
    /// What it holds, as the copy's budget counts it.
    std::size_t size() const { return raw.size() + escaped.size(); }
};

struct Member {
    caldav::ObjectRecord record;  ///< without its data, which is in `data`
    /// The member's bytes while there is room, shared with the records that
    /// queries are given (no copy per answer).
    std::shared_ptr<const Text> data;
    bool indexed = false;  ///< index_state != 0: its instance rows are written
    std::optional<std::int64_t> indexed_until;
    bool exact = false;
    std::uint32_t rows = 0;  ///< its instance rows in the copy
    std::uint32_t slot = 0;  ///< below Entry::slots, one per member: where a query marks it found
    /// The name's first eight bytes as a big-endian number (zeros after a
    /// shorter name): names with different keys compare as their keys do.
    std::uint64_t name_key = 0;
};

/// The first eight bytes of `name`, big-endian, zero-padded.
std::uint64_t name_key_of(std::string_view name) {
    std::uint64_t key = 0;
    for (std::size_t i = 0; i < 8; ++i)
        key = key << 8 | (i < name.size() ? static_cast<unsigned char>(name[i]) : 0u);
    return key;
}

/// One instance row. A range query reads rows by the thousand: what it checks
/// on each (the times, and through the slot whether the member is gone or
/// already found) sits in the row or in dense per-slot arrays, not in the
/// member's node, which is read only for members found.
struct Instance {
    std::int64_t start = 0, end = 0;
    const Member* member = nullptr;  ///< its node in Entry::members (nodes do not move)
    std::uint32_t slot = 0;          ///< the member's slot, renumbered with it by compact()
};

/// A member the range query checks by its bounds: it is a candidate for a
/// range reaching `until` (rows written only before it; the lowest value
/// when it has none) and overlapping [first, last].
struct Bounded {
    std::int64_t object_id = 0;
    std::int64_t until = 0, first = 0, last = 0;
};

/// What a member costs, roughly: its strings, its node in two maps, its record.
std::size_t cost_of(const Member& m) {
    const auto& r = m.record;
    return sizeof(Member) + 2 * r.name.size() + r.uid.size() + r.component.size() + r.etag.size() +
           r.schedule_tag.size() + r.content_type.size() + (m.data ? m.data->size() : 0) + 128;
}

/// Takes a member as the source gives it, with its data while the copy holds
/// less than `data_room` bytes: a copy read whole answers its first queries
/// from memory too, and a large calendar keeps its index and metadata.
void read_member(CachedMember& row, Member& m, std::size_t held, std::size_t data_room) {
    // The escaped form takes a little more than the bytes (&#13; per line).
    const bool with_data = held + 2 * row.data.size() + row.data.size() / 8 <= data_room;
    m.record = std::move(row.record);
    if (with_data) m.data = std::make_shared<const Text>(row.data);
    m.indexed = row.indexed;
    m.indexed_until = row.indexed_until;
    m.exact = row.exact;
}

/// Where an instance overlapping [from, to] can start (as SqliteStore's scan).
std::int64_t scan_start(std::int64_t from, std::int64_t span) {
    constexpr auto lowest = std::numeric_limits<std::int64_t>::min();
    return from < lowest + span ? lowest : from - span;
}

/// Gives `to` the bytes and escaped bytes of `text` (or none), sharing them.
void give_text(const std::shared_ptr<const Text>& text, caldav::ObjectRecord& to) {
    if (!text) {
        to.shared_data.reset();
        to.shared_escaped.reset();
        return;
    }
    to.shared_data = std::shared_ptr<const std::string>(text, &text->raw);
    to.shared_escaped = std::shared_ptr<const std::string>(text, &text->escaped);
}

/// Copies a member's record into `to`, reusing its strings' storage; its
/// data is shared, not copied.
void copy_record(const Member& m, caldav::ObjectRecord& to, bool with_data) {
    const auto& from = m.record;
    to.id = from.id;
    to.collection_id = from.collection_id;
    to.name.assign(from.name);
    to.uid.assign(from.uid);
    to.component.assign(from.component);
    to.etag.assign(from.etag);
    to.schedule_tag.assign(from.schedule_tag);
    to.size = from.size;
    to.revision = from.revision;
    to.created_at = from.created_at;
    to.modified_at = from.modified_at;
    to.first_start = from.first_start;
    to.last_end = from.last_end;
    to.data.clear();
    give_text(with_data ? m.data : nullptr, to);
    to.content_type.assign(from.content_type);
}

}  // namespace

struct CollectionCache::Entry {
    std::shared_mutex mutex;
    bool loaded = false;
    bool evicted = false;  ///< out of the map: no longer counted in the total
    /// The collection did not fit: not tried again before this revision.
    std::optional<std::int64_t> retry_at;
    std::int64_t revision = 0, incarnation = 0, generation = 0;
    using Members = std::unordered_map<std::int64_t, Member>;
    Members members;
    std::unordered_map<std::string, std::int64_t> by_name;
    std::vector<Instance> instances;  ///< by start
    /// Rows added by catch-ups since the last compaction, by start: a change
    /// costs what it changed, not a pass over every row.
    std::vector<Instance> recent;
    /// Members removed since the last compaction: their nodes stay (rows
    /// point at them), their slots marked in `gone` so that the rows are skipped.
    std::vector<Members::node_type> graveyard;
    std::size_t dead_rows = 0;  ///< rows of the graveyard's members
    std::uint32_t slots = 0;    ///< slots given out since the copy was read or compacted
    /// By slot: the member was removed by a catch-up; its rows are skipped until compacted away.
    std::vector<std::uint8_t> gone;
    std::vector<Bounded> bounded;  ///< members without rows, or with rows up to a horizon
    std::size_t bytes = 0;
    std::atomic<std::uint64_t> last_used{0};

    bool current(const CollectionStamp& s) const {
        return loaded && revision == s.revision && incarnation == s.incarnation && generation == s.index_generation;
    }
    /// True when this copy is of the same collection and index as `s` but
    /// newer than that snapshot: only the database can answer it.
    bool ahead_of(const CollectionStamp& s) const {
        return loaded && incarnation == s.incarnation && generation == s.index_generation && revision > s.revision;
    }
};

namespace {

using Entry = CollectionCache::Entry;

/// Adds `m` to the members checked by their bounds if its rows cannot answer.
void note_bounds(Entry& e, const Member& m) {
    if (m.indexed && !m.indexed_until) return;
    constexpr auto lowest = std::numeric_limits<std::int64_t>::min();
    constexpr auto highest = std::numeric_limits<std::int64_t>::max();
    e.bounded.push_back({m.record.id, m.indexed ? *m.indexed_until : lowest, m.record.first_start.value_or(lowest),
                         m.record.last_end.value_or(highest)});
}

/// Puts a member into the copy and counts it; its node does not move after.
Member* insert(Entry& e, Member&& m) {
    note_bounds(e, m);
    m.slot = e.slots++;
    m.name_key = name_key_of(m.record.name);
    e.gone.push_back(0);
    e.bytes += cost_of(m);
    e.by_name.emplace(m.record.name, m.record.id);
    const auto id = m.record.id;
    return &e.members.emplace(id, std::move(m)).first->second;
}

/// Adds a member and its instance rows (appended to `rows`, unsorted).
void add_member(CollectionSource& source, Entry& e, CachedMember& row, std::vector<Instance>& rows,
                std::size_t data_room) {
    Member m;
    read_member(row, m, e.bytes, data_room);
    const auto id = m.record.id;
    Member* node = insert(e, std::move(m));
    if (node->indexed) {
        std::uint32_t n = 0;
        source.instances_of(id, [&](std::int64_t start, std::int64_t end) {
            rows.push_back({start, end, node, node->slot});
            ++n;
        });
        node->rows = n;
    }
}

void clear(Entry& e) {
    e.members.clear();
    e.by_name.clear();
    e.instances.clear();
    e.instances.shrink_to_fit();
    e.recent.clear();
    e.graveyard.clear();
    e.dead_rows = 0;
    e.slots = 0;
    e.gone.clear();
    e.bounded.clear();
    e.bytes = 0;
    e.loaded = false;
}

/// Reads the whole collection. False when it does not fit in `budget`.
bool rebuild(CollectionSource& source, Entry& e, const CollectionStamp& stamp, std::size_t budget) {
    clear(e);
    // Even an empty calendar's copy counts, so that copies of many small
    // calendars are evicted like one large one.
    e.bytes = sizeof(Entry) + 256;
    source.members(stamp.id, [&](CachedMember& row) {
        Member m;
        read_member(row, m, e.bytes, budget / 2);
        insert(e, std::move(m));
        return e.bytes <= budget;
    });
    if (e.bytes > budget) return false;
    source.instances(stamp.id, [&](std::int64_t start, std::int64_t end, std::int64_t id) {
        auto m = e.members.find(id);
        if (m == e.members.end()) return true;  // cannot be: rows go with their object
        e.instances.push_back({start, end, &m->second, m->second.slot});
        ++m->second.rows;
        e.bytes += sizeof(Instance);
        return e.bytes <= budget;
    });
    return e.bytes <= budget;
}

/// Drops the rows of removed members and merges the recent rows in.
void compact(Entry& e) {
    auto dead = [&](const Instance& i) { return e.gone[i.slot] != 0; };
    const auto before = e.instances.size() + e.recent.size();
    std::erase_if(e.instances, dead);
    std::erase_if(e.recent, dead);
    const auto middle = static_cast<std::ptrdiff_t>(e.instances.size());
    e.instances.insert(e.instances.end(), e.recent.begin(), e.recent.end());
    std::inplace_merge(e.instances.begin(), e.instances.begin() + middle, e.instances.end(),
                       [](const Instance& a, const Instance& b) { return a.start < b.start; });
    e.bytes -= (before - e.instances.size()) * sizeof(Instance);
    for (const auto& node : e.graveyard) e.bytes -= cost_of(node.mapped());
    e.recent.clear();
    e.graveyard.clear();
    e.dead_rows = 0;
    // The slots of removed members are given out again.
    e.slots = 0;
    for (auto& [id, m] : e.members) m.slot = e.slots++;
    e.gone.assign(e.slots, 0);
    for (auto& i : e.instances) i.slot = i.member->slot;
}

/// Applies the members the change log names since the copy's revision.
/// False when so many changed that reading everything is cheaper.
bool catch_up(CollectionSource& source, Entry& e, const CollectionStamp& stamp, std::size_t budget) {
    std::vector<std::string> names;
    if (!source.changed_names(stamp.id, e.revision, 64 + e.members.size() / 4, names)) return false;
    std::vector<std::int64_t> gone;  // sorted below: usually one or a few
    for (const auto& name : names) {
        auto it = e.by_name.find(name);
        if (it == e.by_name.end()) continue;
        auto node = e.members.extract(it->second);
        auto& m = node.mapped();
        // Its data goes now; the rest of its cost when its rows are compacted away.
        if (m.data) e.bytes -= m.data->size();
        m.data.reset();
        e.gone[m.slot] = 1;
        e.dead_rows += m.rows;
        gone.push_back(it->second);
        e.graveyard.push_back(std::move(node));
        e.by_name.erase(it);
    }
    if (!gone.empty()) {
        std::sort(gone.begin(), gone.end());
        std::erase_if(e.bounded,
                      [&](const Bounded& b) { return std::binary_search(gone.begin(), gone.end(), b.object_id); });
    }
    std::vector<Instance> added;
    for (const auto& name : names)
        source.member(stamp.id, name, [&](CachedMember& row) { add_member(source, e, row, added, budget / 2); });
    auto by_start = [](const Instance& a, const Instance& b) { return a.start < b.start; };
    std::sort(added.begin(), added.end(), by_start);
    const auto middle = static_cast<std::ptrdiff_t>(e.recent.size());
    e.recent.insert(e.recent.end(), added.begin(), added.end());
    std::inplace_merge(e.recent.begin(), e.recent.begin() + middle, e.recent.end(), by_start);
    e.bytes += added.size() * sizeof(Instance);
    // Compacted once the rows to skip or merge are a sixteenth of the rest.
    if (e.recent.size() + e.dead_rows > 64 + e.instances.size() / 16) compact(e);
    return true;
}

}  // namespace

/// What a query takes from a copy: records copied out (reused between the
/// thread's queries), and which of them still need their data read.
struct CollectionCache::Picked {
    Picked(std::vector<caldav::ObjectRecord>& records, bool data) : out(records), with_data(data) {}

    std::vector<caldav::ObjectRecord>& out;
    bool with_data;
    std::size_t n = 0;
    std::vector<std::size_t> missing;

    void emit(const Member& m, bool match) {
        if (out.size() == n) out.emplace_back();
        auto& r = out[n];
        copy_record(m, r, with_data);
        r.index_match = match;
        if (with_data && !m.data) missing.push_back(n);
        ++n;
    }
};

namespace {

using Picked = CollectionCache::Picked;

/// The members of a range, as the range query of SqliteStore finds them.
void collect_range(const Entry& e, const CollectionStamp& stamp, std::int64_t from, std::int64_t to, Picked& p) {
    // Rows overlapping the range, one entry per member (found through its
    // slot, marked with this query's number): hit is the exact VEVENT overlap
    // test (RFC 4791 §9.9), inclusive for zero-length instances.
    struct Found {
        std::uint64_t name_key;  ///< the member's, copied: the sort reads no node
        const Member* member;
        bool hit;
    };
    thread_local std::vector<Found> found;
    thread_local std::vector<std::uint32_t> mark, where;  // by slot: the query that found it, and where
    thread_local std::uint32_t query = 0;
    found.clear();
    if (mark.size() < e.slots) {
        mark.resize(e.slots, 0);
        where.resize(e.slots, 0);
    }
    if (++query == 0) {  // the numbers wrapped: forget every old mark
        std::fill(mark.begin(), mark.end(), 0);
        query = 1;
    }
    const auto scan_from = scan_start(from, stamp.max_span);
    for (const auto* rows : {&e.instances, &e.recent}) {
        auto it = std::lower_bound(rows->begin(), rows->end(), scan_from,
                                   [](const Instance& i, std::int64_t t) { return i.start < t; });
        for (; it != rows->end() && it->start <= to; ++it) {
            const auto slot = it->slot;
            if (it->end < from || e.gone[slot]) continue;
            const bool hit = it->start < to && (it->end > from || (it->end == it->start && it->start >= from));
            if (mark[slot] != query) {
                mark[slot] = query;
                where[slot] = static_cast<std::uint32_t>(found.size());
                found.push_back({it->member->name_key, it->member, hit});
            } else if (hit) {
                found[where[slot]].hit = true;
            }
        }
    }
    // Members whose rows cannot answer: by their bounds, checked by parsing after.
    for (const auto& b : e.bounded) {
        if (b.until > to || b.last < from || b.first > to) continue;
        const auto& m = e.members.at(b.object_id);
        if (mark[m.slot] != query) found.push_back({m.name_key, &m, false});
    }
    // In name order: a report then writes its answer as it goes, in href
    // order, with no second copy to sort it.
    std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
        if (a.name_key != b.name_key) return a.name_key < b.name_key;
        return a.member->record.name < b.member->record.name;
    });
    for (const auto& f : found) p.emit(*f.member, f.hit && f.member->exact);
}

}  // namespace

CollectionCache::CollectionCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

CollectionCache::~CollectionCache() = default;

std::shared_ptr<CollectionCache::Entry> CollectionCache::entry_for(std::int64_t collection_id) {
    std::lock_guard lock(map_mutex_);
    auto& e = entries_[collection_id];
    if (!e) e = std::make_shared<Entry>();
    e->last_used = ++clock_;
    return e;
}

void CollectionCache::make_room(const Entry* keep, std::size_t extra) {
    if (total_.load() + extra <= max_bytes_) return;
    std::lock_guard lock(map_mutex_);
    std::vector<std::pair<std::uint64_t, std::int64_t>> by_age;
    for (const auto& [id, e] : entries_)
        if (e.get() != keep) by_age.emplace_back(e->last_used.load(), id);
    std::sort(by_age.begin(), by_age.end());
    for (const auto& [age, id] : by_age) {
        if (total_.load() + extra <= max_bytes_) return;
        auto it = entries_.find(id);
        std::unique_lock entry_lock(it->second->mutex, std::try_to_lock);
        if (!entry_lock) continue;  // in use: dropped next time if still needed
        it->second->evicted = true;
        total_ -= it->second->bytes;
        entry_lock.unlock();
        entries_.erase(it);
    }
}

bool CollectionCache::visit_in_range(CollectionSource& source, const CollectionStamp& stamp, std::int64_t from,
                                     std::int64_t to, bool with_data,
                                     const std::function<void(caldav::ObjectRecord&)>& visit) {
    return counted(serve(
        source, stamp, with_data, [&](const Entry& e, Picked& p) { collect_range(e, stamp, from, to, p); }, visit));
}

bool CollectionCache::visit_named(CollectionSource& source, const CollectionStamp& stamp, const std::vector<std::string>& names,
                                  bool with_data, const std::function<void(caldav::ObjectRecord&)>& visit) {
    return counted(serve(
        source, stamp, with_data,
        [&](const Entry& e, Picked& p) {
            for (const auto& name : names)
                if (auto id = e.by_name.find(name); id != e.by_name.end()) p.emit(e.members.at(id->second), false);
        },
        visit));
}

bool CollectionCache::serve(CollectionSource& source, const CollectionStamp& stamp, bool with_data,
                            const std::function<void(const Entry&, Picked&)>& pick,
                            const std::function<void(caldav::ObjectRecord&)>& visit) {
    if (max_bytes_ == 0) return false;
    auto entry = entry_for(stamp.id);
    auto& e = *entry;
    // Records copied out are reused by the thread's next query; a visit that
    // queries again (none does today) gets its own.
    thread_local std::vector<caldav::ObjectRecord> shared_out;
    thread_local bool in_use = false;
    std::vector<caldav::ObjectRecord> own_out;
    auto& out = in_use ? own_out : shared_out;
    struct Restore {
        bool& flag;
        bool was;
        ~Restore() { flag = was; }
    } restore{in_use, in_use};
    in_use = true;
    Picked p(out, with_data);
    // The records kept for the thread's next query hold no data, however
    // this one ends: a copy evicted meanwhile is freed.
    struct Release {
        std::vector<caldav::ObjectRecord>& out;
        const Picked& p;
        ~Release() {
            for (std::size_t i = 0; i < std::min(p.n, out.size()); ++i) give_text(nullptr, out[i]);
        }
    } release{out, p};
    bool answered = false;
    {
        std::shared_lock lock(e.mutex);
        if (e.ahead_of(stamp) || (e.retry_at && e.incarnation == stamp.incarnation && stamp.revision < *e.retry_at))
            return false;
        if (e.current(stamp)) {
            pick(e, p);
            answered = true;
        }
    }
    if (!answered) {
        std::unique_lock lock(e.mutex);
        if (e.ahead_of(stamp)) return false;
        if (!e.current(stamp)) {
            const auto before = e.bytes;
            const bool fresh = !e.loaded || e.incarnation != stamp.incarnation ||
                               e.generation != stamp.index_generation || e.revision < stamp.sync_floor;
            bool fits = false;
            try {
                fits = (!fresh && catch_up(source, e, stamp, max_bytes_)) || rebuild(source, e, stamp, max_bytes_);
            } catch (...) {
                // A read that failed half-way leaves no half-updated copy.
                clear(e);
                if (!e.evicted) total_ -= before;
                throw;
            }
            if (e.bytes > max_bytes_) fits = false;
            e.retry_at.reset();
            if (fits) {
                e.loaded = true;
                e.revision = stamp.revision;
                e.incarnation = stamp.incarnation;
                e.generation = stamp.index_generation;
            } else {
                // Tried again once it has changed by an eighth of what was read.
                e.retry_at = stamp.revision + 64 + static_cast<std::int64_t>(e.members.size() / 8);
                clear(e);
                e.incarnation = stamp.incarnation;
            }
            if (!e.evicted) {
                total_ += e.bytes;
                total_ -= before;
            }
            if (!fits) return false;
        }
        pick(e, p);
    }
    make_room(&e, 0);
    if (!p.missing.empty()) {
        // Read in the source's snapshot, which is the copy's revision.
        std::size_t added = 0;
        std::vector<std::shared_ptr<const Text>> texts;
        texts.reserve(p.missing.size());
        for (auto i : p.missing) {
            std::shared_ptr<const Text> text;
            if (!source.data(out[i].id, [&](std::string_view bytes) { text = std::make_shared<const Text>(bytes); })) {
                // Not in the snapshot the copy claims to be: drop the copy and
                // let the database answer (nothing is visited yet).
                std::unique_lock lock(e.mutex);
                if (!e.evicted) total_ -= e.bytes;
                clear(e);
                return false;
            }
            texts.push_back(std::move(text));
            give_text(texts.back(), out[i]);
            added += texts.back()->size();
        }
        make_room(&e, added);
        std::unique_lock lock(e.mutex);
        if (e.current(stamp) && !e.evicted && total_.load() + added <= max_bytes_) {
            for (std::size_t k = 0; k < p.missing.size(); ++k) {
                auto m = e.members.find(out[p.missing[k]].id);
                if (m == e.members.end() || m->second.data) continue;
                m->second.data = texts[k];
                e.bytes += m->second.data->size();
                total_ += m->second.data->size();
            }
        }
    }
    for (std::size_t i = 0; i < p.n; ++i) visit(out[i]);
    // After a very large answer (a whole calendar) the thread keeps no records.
    if (p.n > 4096) std::vector<caldav::ObjectRecord>().swap(out);
    return true;
}

}  // namespace server
