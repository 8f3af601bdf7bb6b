// PgStore's CollectionStore: calendar homes, collections and their properties.
#include <chrono>
#include <map>
#include <set>
#include <unordered_map>

#include "caldav/reminders.hpp"
#include "caldav/store_policy.hpp"
#include "caldav/webdav_push.hpp"
#include "src/storage/postgres/pg_store_internal.hpp"

namespace server {

using caldav::StoreStatus;
using namespace pgrows;

void PgStore::provision_home(std::int64_t principal_id) {
    bool complete = read([&](pg::Conn& c) {
        auto r = c.query("SELECT count(*) FROM collections WHERE owner_id = $1 AND kind IN ('inbox', 'outbox')",
                         pg::params(principal_id));
        return r.int64(0, 0) == 2;
    });
    if (complete) return;
    write([&](pg::Conn& c) {
        const auto now = now_seconds();
        // Two nodes provisioning one home at once: the principal's row orders them.
        auto who = c.query("SELECT 1 FROM principals WHERE id = $1 FOR UPDATE", pg::params(principal_id));
        if (who.empty()) return;
        bool has_a_calendar = !c.query("SELECT 1 FROM collections WHERE owner_id = $1 AND kind = 'calendar' LIMIT 1",
                                       pg::params(principal_id))
                                   .empty();
        for (const auto& d : caldav::default_collections()) {
            if (d.unless_a_calendar_exists && has_a_calendar) continue;
            c.query("INSERT INTO collections (owner_id, name, kind, display_name, components, created_at, "
                    "modified_at) VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (owner_id, name) DO NOTHING",
                    pg::params(principal_id, d.name, kind_name(d.kind), d.display_name, d.components, now));
        }
        refresh_owner_zone(c, reminder_indexer_, principal_id);  // a new inbox keeps it from now on
    });
}

std::vector<caldav::CollectionRecord> PgStore::list_collections(std::int64_t owner_id) {
    return read([&](pg::Conn& c) {
        auto r = c.query("SELECT " + std::string(collection_columns) +
                             " FROM collections WHERE owner_id = $1 ORDER BY name",
                         pg::params(owner_id));
        std::vector<caldav::CollectionRecord> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(collection_from(r, i));
        return out;
    });
}

std::optional<caldav::CollectionRecord> PgStore::find_collection(std::int64_t owner_id, std::string_view name) {
    return read([&](pg::Conn& c) -> std::optional<caldav::CollectionRecord> {
        auto r = c.query("SELECT " + std::string(collection_columns) +
                             " FROM collections WHERE owner_id = $1 AND name = $2",
                         pg::params(owner_id, name));
        if (r.empty()) return std::nullopt;
        return collection_from(r, 0);
    });
}

namespace {

void set_dead(pg::Conn& c, std::int64_t owner_id, std::int64_t collection_id, std::string_view object_name,
              const caldav::DeadProperty& p) {
    c.query("INSERT INTO dead_properties (owner_id, collection_id, object_name, namespace, name, value_xml) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (owner_id, collection_id, object_name, namespace, name) "
            "DO UPDATE SET value_xml = $6",
            pg::params(owner_id, collection_id, object_name, p.ns, p.name, p.xml));
}

}  // namespace

namespace pgrows {

void copy_dead_properties(pg::Conn& c, std::int64_t from_collection, std::string_view from_name,
                          std::int64_t to_collection, std::string_view to_name) {
    c.query("DELETE FROM dead_properties WHERE collection_id = $1 AND object_name = $2",
            pg::params(to_collection, to_name));
    c.query("INSERT INTO dead_properties (owner_id, collection_id, object_name, namespace, name, value_xml) "
            "SELECT (SELECT owner_id FROM collections WHERE id = $3), $3, $4, namespace, name, value_xml "
            "FROM dead_properties WHERE collection_id = $1 AND object_name = $2",
            pg::params(from_collection, from_name, to_collection, to_name));
}

}  // namespace pgrows

StoreStatus PgStore::create_collection(caldav::CollectionRecord& col, const std::vector<caldav::DeadProperty>& dead) {
    try {
        return write([&](pg::Conn& c) {
            const auto now = now_seconds();
            auto r = c.query(
                "INSERT INTO collections (owner_id, name, kind, display_name, description, timezone, components, "
                "created_at, modified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) "
                "ON CONFLICT (owner_id, name) DO NOTHING RETURNING id",
                pg::params(col.owner_id, col.name, kind_name(col.kind), col.display_name, col.description,
                           col.timezone, col.components, now));
            if (r.empty()) return StoreStatus::exists;
            col.id = r.int64(0, 0);
            col.created_at = col.modified_at = now;
            for (const auto& p : dead) set_dead(c, col.owner_id, col.id, "", p);
            // A new calendar may become the default one (its name, or the first).
            if (col.kind == caldav::CollectionKind::calendar) refresh_owner_zone(c, reminder_indexer_, col.owner_id);
            return StoreStatus::ok;
        });
    } catch (const pg::Error& e) {
        if (e.sqlstate() == "23503") return StoreStatus::not_found;  // the owner is gone
        return status_of(e);
    }
}

namespace {

/// A read-only request's member dead properties (PgStore::read_scope).
struct MemberProperties final : caldav::ReadScope {
    struct OfCollection {
        std::set<std::string, std::less<>> asked;  ///< members asked one by one so far
        bool loaded = false;                        ///< `by_member` holds every member's
        std::map<std::string, std::vector<caldav::DeadProperty>, std::less<>> by_member;
    };
    const PgStore* store;
    MemberProperties* outer;
    std::unordered_map<std::int64_t, OfCollection> collections;

    MemberProperties(const PgStore* s, MemberProperties* o) : store(s), outer(o) {}
    ~MemberProperties() override;
};

/// The calling thread's innermost scope, of whichever store.
thread_local MemberProperties* thread_scope = nullptr;

MemberProperties::~MemberProperties() { thread_scope = outer; }

}  // namespace

std::unique_ptr<caldav::ReadScope> PgStore::read_scope() {
    auto scope = std::make_unique<MemberProperties>(this, thread_scope);
    thread_scope = scope.get();
    return scope;
}

namespace {

/// The page of members list_objects_page last gave the calling thread, and
/// once a second member of it was asked for, the dead properties of all its
/// members not asked yet. A PROPFIND Depth 1 streams its answer page by page
/// outside the request's read scope (caldav/method_propfind.cpp): this turns
/// its one query per member into one per page. Each member is answered from
/// it once; a write on the thread, the next page or a second's age drops it.
struct ListedPage {
    const PgStore* store = nullptr;
    std::int64_t collection_id = 0;
    std::string after, last;  ///< the page is the names in (after, last]
    std::set<std::string, std::less<>> unasked;
    bool asked_one = false;  ///< a member was read alone
    bool loaded = false;     ///< `by_member` holds the unasked members'
    std::map<std::string, std::vector<caldav::DeadProperty>, std::less<>> by_member;
    std::chrono::steady_clock::time_point listed;
};

thread_local ListedPage listed_page;

}  // namespace

namespace pgrows {

void note_listed_page(const PgStore* store, std::int64_t collection_id, std::string_view after,
                      const std::vector<caldav::ObjectRecord>& page) {
    listed_page = ListedPage{};
    if (page.size() < 2) return;
    listed_page.store = store;
    listed_page.collection_id = collection_id;
    listed_page.after = std::string(after);
    listed_page.last = page.back().name;
    for (const auto& o : page) listed_page.unasked.insert(listed_page.unasked.end(), o.name);
    listed_page.listed = std::chrono::steady_clock::now();
}

}  // namespace pgrows

namespace {

/// Member `name`'s dead properties from the thread's listed page (loading
/// the page's in one query at the second member asked); nullopt when the
/// page does not answer for it.
template <class Read>
std::optional<std::vector<caldav::DeadProperty>> from_listed_page(const PgStore* store, std::int64_t collection_id,
                                                                  std::string_view name, Read&& read) {
    auto& page = listed_page;
    if (page.store != store || page.collection_id != collection_id) return std::nullopt;
    auto it = page.unasked.find(name);
    if (it == page.unasked.end() || std::chrono::steady_clock::now() - page.listed > std::chrono::seconds(1)) {
        page = ListedPage{};
        return std::nullopt;
    }
    page.unasked.erase(it);
    // The first member asked is read alone (a page whose members' dead
    // properties nobody wants costs nothing); the second loads the page's.
    if (!page.loaded && !std::exchange(page.asked_one, true)) {
        if (page.unasked.empty()) page = ListedPage{};
        return std::nullopt;
    }
    if (!std::exchange(page.loaded, true)) {
        read([&](pg::Conn& c) {
            auto r = c.query("SELECT object_name, namespace, name, value_xml FROM dead_properties "
                             "WHERE collection_id = $1 AND object_name > $2 AND object_name <= $3 "
                             "ORDER BY object_name, namespace COLLATE \"C\", name COLLATE \"C\"",
                             pg::params(collection_id, page.after, page.last));
            for (int i = 0; i < r.rows(); ++i)
                page.by_member[r.text(i, 0)].push_back({r.text(i, 1), r.text(i, 2), r.text(i, 3)});
        });
    }
    std::vector<caldav::DeadProperty> out;
    if (auto found = page.by_member.find(name); found != page.by_member.end()) out = std::move(found->second);
    if (page.unasked.empty()) page = ListedPage{};
    return out;
}

}  // namespace

void PgStore::forget_scoped_reads() {
    for (auto* s = thread_scope; s; s = s->outer) s->collections.clear();
    listed_page = ListedPage{};
}

std::vector<caldav::DeadProperty> PgStore::dead_properties(std::int64_t collection_id, std::string_view object_name) {
    if (!object_name.empty() && thread_scope && thread_scope->store == this) {
        auto& of = thread_scope->collections[collection_id];
        if (!of.loaded && of.asked.insert(std::string(object_name)).second && of.asked.size() >= 2) {
            read([&](pg::Conn& c) {
                auto r = c.query("SELECT object_name, namespace, name, value_xml FROM dead_properties "
                                 "WHERE collection_id = $1 AND object_name <> '' "
                                 "ORDER BY object_name, namespace COLLATE \"C\", name COLLATE \"C\"",
                                 pg::params(collection_id));
                for (int i = 0; i < r.rows(); ++i)
                    of.by_member[r.text(i, 0)].push_back({r.text(i, 1), r.text(i, 2), r.text(i, 3)});
            });
            of.loaded = true;
        }
        if (of.loaded) {
            auto it = of.by_member.find(object_name);
            return it == of.by_member.end() ? std::vector<caldav::DeadProperty>{} : it->second;
        }
    } else if (!object_name.empty()) {
        auto reader = [&](auto&& fn) { read(fn); };
        if (auto found = from_listed_page(this, collection_id, object_name, reader)) return std::move(*found);
    }
    return read([&](pg::Conn& c) {
        auto r = c.query(
            "SELECT namespace, name, value_xml FROM dead_properties WHERE collection_id = $1 AND object_name = $2 "
            "ORDER BY namespace COLLATE \"C\", name COLLATE \"C\"",
            pg::params(collection_id, object_name));
        std::vector<caldav::DeadProperty> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2)});
        return out;
    });
}

StoreStatus PgStore::patch_properties(std::int64_t collection_id, std::string_view object_name,
                                      const caldav::PropertyPatch& patch) {
    try {
        return write([&](pg::Conn& c) { return patch_properties_in(c, collection_id, object_name, patch); });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

StoreStatus PgStore::patch_properties_in(pg::Conn& c, std::int64_t collection_id, std::string_view object_name,
                                         const caldav::PropertyPatch& patch) {
    const auto owner = owner_of_collection(c, collection_id);
    if (owner == 0) return StoreStatus::not_found;
    if (!object_name.empty() && c.query("SELECT 1 FROM objects WHERE collection_id = $1 AND name = $2",
                                        pg::params(collection_id, object_name))
                                    .empty())
        return StoreStatus::not_found;
    if (object_name.empty() && (patch.display_name || patch.description || patch.timezone))
        c.query("UPDATE collections SET display_name = coalesce($2, display_name), description = "
                "coalesce($3, description), timezone = coalesce($4, timezone), modified_at = $5 WHERE id = $1",
                pg::params(collection_id, patch.display_name, patch.description, patch.timezone,
                           now_seconds()));
    for (const auto& p : patch.set) set_dead(c, owner, collection_id, object_name, p);
    for (const auto& [ns, name] : patch.remove)
        c.query("DELETE FROM dead_properties WHERE collection_id = $1 AND object_name = $2 AND "
                "namespace = $3 AND name = $4",
                pg::params(collection_id, object_name, ns, name));
    // Issue 26: which alarms the server pushes, or when floating ones fire, changed.
    if (object_name.empty() && caldav::patch_changes_reminders(patch))
        reindex_collection_reminders(c, reminder_indexer_, owner, collection_id);
    // ... or the owner's zone, where their calendars without a zone remind.
    if (object_name.empty() && caldav::patch_changes_owner_zone(patch))
        refresh_owner_zone(c, reminder_indexer_, owner);
    return StoreStatus::ok;
}

std::int64_t PgStore::used_bytes(std::int64_t owner_id) {
    return read([&](pg::Conn& c) {
        auto r = c.query("SELECT used_bytes FROM principals WHERE id = $1", pg::params(owner_id));
        return r.empty() ? std::int64_t{0} : r.int64(0, 0);
    });
}

namespace {

/// Ids and names of a collection of `owner_id` and of the plain collections
/// nested in it ("NAME/..."), parents before children.
std::vector<std::pair<std::int64_t, std::string>> collection_subtree(pg::Conn& c, std::int64_t owner_id,
                                                                     std::string_view name) {
    auto r = c.query("SELECT id, name FROM collections WHERE owner_id = $1 AND (name = $2 OR "
                     "left(name, length($2) + 1) = $2 || '/') ORDER BY length(name)",
                     pg::params(owner_id, name));
    std::vector<std::pair<std::int64_t, std::string>> out;
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.int64(i, 0), r.text(i, 1));
    return out;
}

/// Deletes collections (their members and logs go by cascade).
void delete_collections(pg::Conn& c, std::int64_t owner_id,
                        const std::vector<std::pair<std::int64_t, std::string>>& subtree) {
    for (const auto& [id, name] : subtree)
        c.query("DELETE FROM collections WHERE owner_id = $1 AND id = $2", pg::params(owner_id, id));
}

}  // namespace

StoreStatus PgStore::delete_collection(std::int64_t collection_id) {
    try {
        return write([&](pg::Conn& c) { return delete_collection_in(c, collection_id); });
    } catch (const pg::Error& e) {
        return status_of(e);
    }
}

StoreStatus PgStore::delete_collection_in(pg::Conn& c, std::int64_t collection_id) {
    auto r = c.query("SELECT owner_id, name FROM collections WHERE id = $1", pg::params(collection_id));
    if (r.empty()) return StoreStatus::not_found;
    const auto owner = r.int64(0, 0);
    delete_collections(c, owner, collection_subtree(c, owner, r.view(0, 1)));
    refresh_owner_zone(c, reminder_indexer_, owner);  // it may have been the default calendar
    return StoreStatus::ok;
}

namespace {

/// Copies the members of collection `from_id` into `to_id` (with their
/// Schedule-Tags, time index and dead properties), each logged for sync.
void copy_members(pg::Conn& c, std::int64_t owner_id, std::int64_t from_id, std::int64_t to_id, std::int64_t now,
                  const caldav::ReminderIndexer& reminders) {
    auto members = c.query("SELECT name, uid, component, data, content_type, first_start, last_end, id, schedule_tag "
                           "FROM objects WHERE collection_id = $1 ORDER BY name",
                           pg::params(from_id));
    for (int i = 0; i < members.rows(); ++i) {
        const auto member = members.text(i, 0);
        const auto data = members.view(i, 3);
        auto revision = log_change(c, to_id, member, false, now);
        auto put = c.query(
            "INSERT INTO objects (owner_id, collection_id, name, uid, component, etag, data, size, revision, "
            "first_start, last_end, created_at, modified_at, content_type, schedule_tag) VALUES ($1, $2, $3, $4, "
            "$5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14) RETURNING id",
            pg::params(owner_id, to_id, member, members.view(i, 1), members.view(i, 2),
                       caldav::entity_tag(revision, data), data, data.size(), revision,
                       members.optional_int64(i, 5), members.optional_int64(i, 6), now, members.view(i, 4),
                       members.view(i, 8)));
        write_instances(c, owner_id, put.int64(0, 0), to_id, read_instances(c, members.int64(i, 7)));
        if (members.view(i, 4).empty()) index_reminders(c, reminders, put.int64(0, 0), to_id, member, data, std::nullopt);
        copy_dead_properties(c, from_id, member, to_id, member);
    }
}

/// A calendar moved (MOVE, issue 25 §7) takes its grants, public feeds and
/// WebDAV-Push registrations along from `from_id` to `to_id` (both
/// `owner_id`'s): each grantee's home logs the old shared name and the new
/// one, so that their sync reports the old URL gone and lists the new; a
/// feed's URL names no calendar and stays as it was. Inside the caller's
/// write transaction, before the source is deleted.
void move_shares(pg::Conn& c, std::int64_t owner_id, std::int64_t from_id, std::int64_t to_id) {
    c.query("UPDATE public_feeds SET collection_id = $3 WHERE owner_id = $1 AND collection_id = $2",
            pg::params(owner_id, from_id, to_id));
    // WebDAV-Push registrations (their owner is the subscriber, a sharee
    // perhaps) go along under the topic they were made under (the client
    // knows the calendar by it, docs/push.md).
    c.query("UPDATE push_subscriptions SET collection_id = $2, topic = CASE topic WHEN '' THEN $3 ELSE topic END "
            "WHERE collection_id = $1",
            pg::params(from_id, to_id, caldav::push_topic(from_id)));
    auto moved = c.query("UPDATE grants SET collection_id = $3 WHERE owner_id = $1 AND collection_id = $2 "
                         "RETURNING grantee_id",
                         pg::params(owner_id, from_id, to_id));
    if (moved.empty()) return;
    const auto old_name = shared_child(c, from_id);
    const auto new_name = shared_child(c, to_id);
    for (int i = 0; i < moved.rows(); ++i) {
        touch_home(c, moved.int64(i, 0), old_name);
        touch_home(c, moved.int64(i, 0), new_name);
    }
}

}  // namespace

caldav::PutResult PgStore::copy_collection(std::int64_t owner_id, std::string_view from_name,
                                           std::string_view to_name, bool with_members, bool overwrite,
                                           bool remove_source) {
    try {
        return write([&](pg::Conn& c) {
            caldav::PutResult r;
            auto source = collection_subtree(c, owner_id, from_name);
            if (source.empty()) return r.status = StoreStatus::not_found, r;
            if (!with_members) source.resize(1);
            auto existing = collection_subtree(c, owner_id, to_name);
            if (!existing.empty() && !overwrite) return r.status = StoreStatus::exists, r;
            delete_collections(c, owner_id, existing);
            r.created = existing.empty();
            const auto now = now_seconds();
            for (const auto& [from_id, name] : source) {
                const std::string target = std::string(to_name) + name.substr(from_name.size());
                auto made = c.query(
                    "INSERT INTO collections (owner_id, name, kind, display_name, description, timezone, components, "
                    "created_at, modified_at) SELECT owner_id, $2, kind, display_name, description, timezone, "
                    "components, $3, $3 FROM collections WHERE id = $1 RETURNING id",
                    pg::params(from_id, target, now));
                const auto to_id = made.int64(0, 0);
                copy_dead_properties(c, from_id, "", to_id, "");
                if (remove_source) move_shares(c, owner_id, from_id, to_id);
                if (!with_members) break;
                copy_members(c, owner_id, from_id, to_id, now, reminder_indexer_);
            }
            if (remove_source) delete_collections(c, owner_id, collection_subtree(c, owner_id, from_name));
            refresh_owner_zone(c, reminder_indexer_, owner_id);  // the default calendar may have moved
            return r;
        });
    } catch (const pg::Error& e) {
        return {status_of(e), false, {}, {}, {}};
    }
}

}  // namespace server
