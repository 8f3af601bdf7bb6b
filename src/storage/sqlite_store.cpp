// SqliteStore: WAL, group commit on one writer thread, pooled readers.
#include "src/storage/sqlite_store.hpp"

#include <algorithm>
#include <cstring>
#include <cstdio>
#include <limits>
#include <ctime>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "caldav/names.hpp"
#include "caldav/reminders.hpp"
#include "caldav/schedule_collections.hpp"
#include "caldav/store_policy.hpp"
#include "caldav/webdav_push.hpp"
#include "src/storage/object_rows.hpp"
#include "src/storage/sqlite_collection_source.hpp"
#include "src/storage/sqlite_wal_vfs.hpp"

namespace server {

using caldav::StoreStatus;
using rows::object_columns;
using rows::read_object;

namespace {

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

/// Strong ETag of a stored version: the collection revision that wrote it and a
/// hash of the bytes (FNV-1a), so neither a rewrite nor a recreation repeats one.
StoreStatus status_of(const sqlite::Error& e) {
    switch (e.code()) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return StoreStatus::busy;
    case SQLITE_FULL: return StoreStatus::full;
    default: throw e;
    }
}

const char* kind_name(caldav::CollectionKind k) {
    switch (k) {
    case caldav::CollectionKind::calendar: return "calendar";
    case caldav::CollectionKind::inbox: return "inbox";
    case caldav::CollectionKind::outbox: return "outbox";
    case caldav::CollectionKind::plain: return "plain";
    }
    return "plain";
}

caldav::CollectionKind kind_from(std::string_view s) {
    if (s == "calendar") return caldav::CollectionKind::calendar;
    if (s == "inbox") return caldav::CollectionKind::inbox;
    if (s == "outbox") return caldav::CollectionKind::outbox;
    return caldav::CollectionKind::plain;
}

constexpr std::string_view collection_columns =
    "id, owner_id, name, kind, display_name, description, timezone, components, revision, "
    "sync_floor, created_at, modified_at";

/// A collection from `collection_columns` starting at column `at`.
caldav::CollectionRecord collection_from(sqlite::Stmt& s, int at = 0) {
    caldav::CollectionRecord c;
    c.id = s.int64(at + 0);
    c.owner_id = s.int64(at + 1);
    c.name = s.text(at + 2);
    c.kind = kind_from(s.text(at + 3));
    c.display_name = s.text(at + 4);
    c.description = s.text(at + 5);
    c.timezone = s.text(at + 6);
    c.components = s.text(at + 7);
    c.revision = s.int64(at + 8);
    c.sync_floor = s.int64(at + 9);
    c.created_at = s.int64(at + 10);
    c.modified_at = s.int64(at + 11);
    return c;
}

/// An object from `object_columns` starting at column `at`.
caldav::ObjectRecord object_from(const sqlite::Stmt& s, bool with_data, int at = 0) {
    caldav::ObjectRecord o;
    read_object(s, o, with_data, at);
    return o;
}

/// Bumps a collection's revision and records `name` as changed at it; the
/// collection's max_span (schema 0004) in `max_span` when given.
std::int64_t log_change(sqlite::Db& db, std::int64_t collection_id, std::string_view name,
                        bool deleted, std::int64_t now, std::int64_t* max_span = nullptr) {
    auto bump = db.prepare(
        "UPDATE collections SET revision = revision + 1, modified_at = ?2 WHERE id = ?1 "
        "RETURNING revision, max_span");
    bump.bind(1, collection_id).bind(2, now);
    if (!bump.step()) return 0;
    std::int64_t revision = bump.int64(0);
    if (max_span) *max_span = bump.int64(1);
    auto log = db.prepare(
        "INSERT INTO changes (collection_id, name, revision, deleted) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (collection_id, name) DO UPDATE SET revision = ?3, deleted = ?4");
    log.bind(1, collection_id).bind(2, name).bind(3, revision).bind(4, deleted ? 1 : 0).run();
    return revision;
}

}  // namespace

SqliteStore::SqliteStore(const SqliteOptions& options) : options_(options) {}

std::unique_ptr<SqliteStore> SqliteStore::open(const SqliteOptions& options,
                                               const std::vector<Migration>& migrations) {
    std::unique_ptr<SqliteStore> store(new SqliteStore(options));
    // Every connection runs with synchronous=FULL (configure, and the
    // checkpointer below), which the WAL-gathering VFS needs (sqlite_wal_vfs.cpp).
    const char* vfs = sqlite::wal_vfs_name();
    store->writer_db_ = std::make_unique<sqlite::Db>(options.file, true, false, vfs);
    store->configure(*store->writer_db_, true);
    store->opened_version_ = migrate(*store->writer_db_, migrations);
    for (std::size_t i = 0; i < std::max<std::size_t>(1, options.readers); ++i) {
        store->readers_.push_back(std::make_unique<sqlite::Db>(options.file, false, false, vfs));
        store->configure(*store->readers_.back(), false);
        store->free_readers_.push_back(store->readers_.back().get());
    }
    // The log is copied back by checkpoint_loop rather than inside a commit.
    store->checkpoint_db_ = std::make_unique<sqlite::Db>(options.file, false, false, vfs);
    // Its checkpoints sync the database file (synchronous FULL, as everywhere).
    store->checkpoint_db_->exec("PRAGMA synchronous = FULL");
    sqlite3_wal_hook(store->writer_db_->handle(), &SqliteStore::on_wal_commit, store.get());
    store->checkpointer_ = std::thread([s = store.get()] { s->checkpoint_loop(); });
    store->writer_ = std::thread([s = store.get()] { s->writer_loop(); });
    return store;
}

namespace {
/// Log pages after which the checkpointer copies the log back (SQLite's own
/// automatic checkpoint default).
constexpr int checkpoint_pages = 1000;
/// Log pages after which the writer checkpoints itself (passive, as SQLite's
/// automatic checkpoint does), should the checkpointer fall behind.
constexpr int inline_checkpoint_pages = 20000;
}  // namespace

int SqliteStore::on_wal_commit(void* self, sqlite3* db, const char* name, int pages) {
    auto* store = static_cast<SqliteStore*>(self);
    if (pages >= inline_checkpoint_pages) {
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (pages >= checkpoint_pages) {
        std::lock_guard lock(store->checkpoint_mutex_);
        store->checkpoint_wanted_ = true;
        store->checkpoint_cv_.notify_one();
    }
    return SQLITE_OK;
}

void SqliteStore::checkpoint_loop() {
    for (;;) {
        {
            std::unique_lock lock(checkpoint_mutex_);
            checkpoint_cv_.wait(lock, [&] { return checkpoint_stopping_ || checkpoint_wanted_; });
            if (checkpoint_stopping_) return;
            checkpoint_wanted_ = false;
        }
        // Passive: never waits for readers or the writer; what it cannot copy
        // now, the next one does. Failures (busy) are left to the next.
        sqlite3_wal_checkpoint_v2(checkpoint_db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
}

SqliteStore::~SqliteStore() { close(); }

void SqliteStore::configure(sqlite::Db& db, bool writer) const {
    sqlite3_busy_timeout(db.handle(), static_cast<int>(options_.busy_timeout.count()));
    if (writer) {
        db.exec("PRAGMA journal_mode = WAL");
    } else {
        db.exec("PRAGMA query_only = ON");
    }
    // RFC-free but essential: in WAL mode only FULL makes each commit durable.
    db.exec("PRAGMA synchronous = FULL");
    db.exec("PRAGMA foreign_keys = ON");
    // Readers share the kernel's page cache through the mapping instead of each
    // copying pages into its own cache with pread(2).
    db.exec("PRAGMA cache_size = -" + std::to_string(options_.cache_mb * 1024));
    db.exec("PRAGMA mmap_size = " + std::to_string(options_.mmap_mb * 1024 * 1024));
    // Statement and savepoint journals in memory: on disk (SQLite's default
    // past 64 KB) each batch of writes created, wrote and removed a temporary
    // file, 8% of the server's time in the JSON API create profile (issue 24).
    db.exec("PRAGMA temp_store = MEMORY");
}

void SqliteStore::close() {
    {
        std::lock_guard lock(queue_mutex_);
        if (closed_) return;
        closed_ = true;
        stopping_ = true;
    }
    queue_cv_.notify_all();
    if (writer_.joinable()) writer_.join();
    {
        std::lock_guard lock(checkpoint_mutex_);
        checkpoint_stopping_ = true;
    }
    checkpoint_cv_.notify_all();
    if (checkpointer_.joinable()) checkpointer_.join();
    checkpoint_db_.reset();
    std::lock_guard lock(readers_mutex_);
    free_readers_.clear();
    readers_.clear();
    if (writer_db_) {
        try {
            writer_db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (const sqlite::Error&) {
            // Another process may hold the database; the WAL stays valid either way.
        }
    }
    writer_db_.reset();
}

void SqliteStore::submit(Job& job) {
    std::unique_lock lock(queue_mutex_);
    if (stopping_) throw sqlite::Error(SQLITE_MISUSE, "store is closed");
    queue_.push_back(&job);
    queue_cv_.notify_one();
    done_cv_.wait(lock, [&] { return job.done; });
}

void SqliteStore::writer_loop() {
    auto& db = *writer_db_;
    for (;;) {
        std::vector<Job*> batch;
        {
            std::unique_lock lock(queue_mutex_);
            queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and drained
            while (!queue_.empty() && batch.size() < options_.max_batch) {
                batch.push_back(queue_.front());
                queue_.pop_front();
            }
        }
        // Statements the writer runs per job are prepared once: sqlite3_exec
        // would compile each of them again for every write.
        auto run = [&](std::string_view sql) { db.prepare(sql).run(); };
        std::exception_ptr batch_error;
        try {
            run("BEGIN IMMEDIATE");
        } catch (...) {
            batch_error = std::current_exception();
        }
        // A job alone in its batch runs without a savepoint: its failure
        // rolls the whole transaction back, which is the same, and the
        // savepoint's journal (a copy of every page the job changes: about
        // 50 for a JSON API create with two attendees) is not written at all.
        const bool alone = batch.size() == 1;
        if (!batch_error && alone) {
            try {
                batch.front()->run(db);
            } catch (...) {
                batch.front()->error = std::current_exception();
            }
        } else if (!batch_error) {
            for (Job* job : batch) {
                run("SAVEPOINT job");
                try {
                    job->run(db);
                    run("RELEASE job");
                } catch (...) {
                    job->error = std::current_exception();
                    run("ROLLBACK TO job");
                    run("RELEASE job");
                }
            }
        }
        if (!batch_error && alone && batch.front()->error) {
            try {
                run("ROLLBACK");
            } catch (...) {
                batch_error = std::current_exception();
            }
        } else if (!batch_error) {
            try {
                run("COMMIT");
            } catch (...) {
                batch_error = std::current_exception();
                try {
                    run("ROLLBACK");
                } catch (const sqlite::Error&) {
                    // COMMIT failing may already have rolled back.
                }
            }
        }
        std::lock_guard lock(queue_mutex_);
        for (Job* job : batch) {
            if (batch_error && !job->error) job->error = batch_error;
            job->done = true;
        }
        done_cv_.notify_all();
    }
}

template <class F>
auto SqliteStore::write(F&& fn) -> std::invoke_result_t<F, sqlite::Db&> {
    using R = std::invoke_result_t<F, sqlite::Db&>;
    end_session_snapshot();
    Job job;
    if constexpr (std::is_void_v<R>) {
        job.run = [&](sqlite::Db& db) { fn(db); };
        submit(job);
        if (job.error) std::rethrow_exception(job.error);
    } else {
        std::optional<R> result;
        job.run = [&](sqlite::Db& db) { result.emplace(fn(db)); };
        submit(job);
        if (job.error) std::rethrow_exception(job.error);
        return std::move(*result);
    }
}

namespace {
/// The calling thread's innermost ReadSession, of whichever store.
thread_local SqliteStore::ReadSession* thread_session = nullptr;
}  // namespace

SqliteStore::ReadSession::ReadSession(SqliteStore& store) : store_(&store), outer_(thread_session) {
    thread_session = this;
}

SqliteStore::ReadSession::~ReadSession() {
    if (db_) store_->finish_read(db_);
    thread_session = outer_;
}

std::unique_ptr<caldav::ReadScope> SqliteStore::read_scope() { return std::make_unique<ReadSession>(*this); }

sqlite::Db* SqliteStore::take_reader() {
    std::unique_lock lock(readers_mutex_);
    readers_cv_.wait(lock, [&] { return !free_readers_.empty() || readers_.empty(); });
    if (readers_.empty()) throw sqlite::Error(SQLITE_MISUSE, "store is closed");
    auto* db = free_readers_.back();
    free_readers_.pop_back();
    return db;
}

void SqliteStore::return_reader(sqlite::Db* db) {
    {
        std::lock_guard lock(readers_mutex_);
        free_readers_.push_back(db);
    }
    readers_cv_.notify_one();
}

void SqliteStore::finish_read(sqlite::Db* db) {
    try {
        db->prepare("COMMIT").run();
    } catch (const sqlite::Error&) {
        // A read transaction has nothing to lose.
    }
    return_reader(db);
}

SqliteStore::ReadSession* SqliteStore::thread_session_of_this_store() {
    // The outermost one: it holds the connection.
    ReadSession* session = nullptr;
    for (auto* s = thread_session; s; s = s->outer_)
        if (s->store_ == this) session = s;
    return session;
}

void SqliteStore::end_session_snapshot() {
    auto* session = thread_session_of_this_store();
    // A write from inside a read (none does today) leaves the snapshot be.
    if (!session || !session->db_ || session->busy_ > 0) return;
    finish_read(std::exchange(session->db_, nullptr));
}

template <class F>
auto SqliteStore::read(F&& fn) -> std::invoke_result_t<F, sqlite::Db&> {
    if (auto* session = thread_session_of_this_store()) {
        if (!session->db_) {
            auto* db = take_reader();
            try {
                db->prepare("BEGIN").run();
            } catch (...) {
                return_reader(db);
                throw;
            }
            session->db_ = db;
        }
        struct Busy {
            int& n;
            ~Busy() { --n; }
        } busy{++session->busy_};
        return fn(*session->db_);
    }
    sqlite::Db* db = take_reader();
    struct Release {
        SqliteStore* self;
        sqlite::Db* db;
        ~Release() { self->finish_read(db); }
    } release{this, db};
    db->prepare("BEGIN").run();  // cached: a read is often one short statement
    return fn(*db);
}

void SqliteStore::write_with(const std::function<void(sqlite::Db&)>& fn) { write(fn); }
void SqliteStore::read_with(const std::function<void(sqlite::Db&)>& fn) { read(fn); }

StoreStatus SqliteStore::add_user(const std::string& name, const std::string& email,
                                  const std::string& password_hash) {
    try {
        return write([&](sqlite::Db& db) {
            auto s = db.prepare(
                "INSERT INTO principals (name, kind, display_name, email, password_hash, "
                "created_at) VALUES (?1, 'user', ?1, ?2, ?3, ?4) ON CONFLICT (name) DO NOTHING");
            s.bind(1, name).bind(2, email).bind(3, password_hash).bind(4, now_seconds()).run();
            return db.changes() == 1 ? StoreStatus::ok : StoreStatus::exists;
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

StoreStatus SqliteStore::set_password(const std::string& name, const std::string& password_hash) {
    return write([&](sqlite::Db& db) {
        auto s = db.prepare("UPDATE principals SET password_hash = ?2 WHERE name = ?1");
        s.bind(1, name).bind(2, password_hash).run();
        return db.changes() == 1 ? StoreStatus::ok : StoreStatus::not_found;
    });
}

StoreStatus SqliteStore::delete_user(const std::string& name) {
    return write([&](sqlite::Db& db) {
        auto s = db.prepare("DELETE FROM principals WHERE name = ?1");
        s.bind(1, name).run();
        return db.changes() == 1 ? StoreStatus::ok : StoreStatus::not_found;
    });
}

std::vector<caldav::PrincipalRecord> SqliteStore::list_principals() {
    return read([](sqlite::Db& db) {
        std::vector<caldav::PrincipalRecord> out;
        auto s = db.prepare(
            "SELECT id, name, kind, display_name, email FROM principals ORDER BY name");
        while (s.step()) out.push_back({s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4)});
        return out;
    });
}

std::optional<Credentials> SqliteStore::find_credentials(const std::string& name) {
    return read([&](sqlite::Db& db) -> std::optional<Credentials> {
        auto s = db.prepare(
            "SELECT id, name, coalesce(password_hash, '') FROM principals WHERE name = ?1");
        s.bind(1, name);
        if (!s.step()) return std::nullopt;
        return Credentials{s.int64(0), s.text(1), s.text(2)};
    });
}

StoreStatus SqliteStore::add_token(const std::string& user, const std::string& token_name,
                                   const std::string& token_hash) {
    try {
        return write([&](sqlite::Db& db) {
            auto s = db.prepare(
                "INSERT INTO access_tokens (principal_id, name, token_hash, created_at) "
                "SELECT id, ?2, ?3, ?4 FROM principals WHERE name = ?1 AND kind = 'user' "
                "ON CONFLICT (principal_id, name) DO NOTHING");
            s.bind(1, user).bind(2, token_name).bind(3, token_hash).bind(4, now_seconds()).run();
            if (db.changes() == 1) return StoreStatus::ok;
            auto p = db.prepare("SELECT 1 FROM principals WHERE name = ?1 AND kind = 'user'");
            p.bind(1, user);
            return p.step() ? StoreStatus::exists : StoreStatus::not_found;
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

std::optional<std::vector<AccessToken>> SqliteStore::list_tokens(const std::string& user) {
    return read([&](sqlite::Db& db) -> std::optional<std::vector<AccessToken>> {
        auto p = db.prepare("SELECT id FROM principals WHERE name = ?1 AND kind = 'user'");
        p.bind(1, user);
        if (!p.step()) return std::nullopt;
        auto s = db.prepare(
            "SELECT id, principal_id, name, created_at, last_used_at FROM access_tokens "
            "WHERE principal_id = ?1 ORDER BY name");
        s.bind(1, p.int64(0));
        std::vector<AccessToken> out;
        while (s.step()) out.push_back({s.int64(0), s.int64(1), s.text(2), s.int64(3), s.optional_int64(4)});
        return out;
    });
}

StoreStatus SqliteStore::revoke_token(const std::string& user, const std::string& token_name) {
    try {
        return write([&](sqlite::Db& db) {
            auto s = db.prepare(
                "DELETE FROM access_tokens WHERE name = ?2 AND principal_id = "
                "(SELECT id FROM principals WHERE name = ?1 AND kind = 'user')");
            s.bind(1, user).bind(2, token_name).run();
            return db.changes() == 1 ? StoreStatus::ok : StoreStatus::not_found;
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

std::optional<TokenCredentials> SqliteStore::find_token(const std::string& token_hash) {
    return read([&](sqlite::Db& db) -> std::optional<TokenCredentials> {
        auto s = db.prepare(
            "SELECT t.id, p.id, p.name, t.last_used_at FROM access_tokens t "
            "JOIN principals p ON p.id = t.principal_id WHERE t.token_hash = ?1 AND p.kind = 'user'");
        s.bind(1, token_hash);
        if (!s.step()) return std::nullopt;
        return TokenCredentials{s.int64(0), s.int64(1), s.text(2), s.optional_int64(3)};
    });
}

StoreStatus SqliteStore::touch_token(std::int64_t token_id, std::int64_t used_at) {
    try {
        return write([&](sqlite::Db& db) {
            auto s = db.prepare(
                "UPDATE access_tokens SET last_used_at = ?2 WHERE id = ?1 "
                "AND (last_used_at IS NULL OR last_used_at < ?2 - 59)");
            s.bind(1, token_id).bind(2, used_at).run();
            return StoreStatus::ok;
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

std::optional<caldav::IdempotencyRecord> SqliteStore::find_idempotency(std::int64_t principal_id,
                                                                      std::string_view key) {
    return read([&](sqlite::Db& db) -> std::optional<caldav::IdempotencyRecord> {
        auto s = db.prepare(
            "SELECT request_hash, status, body, created_at FROM idempotency_records "
            "WHERE principal_id = ?1 AND key = ?2");
        s.bind(1, principal_id).bind(2, key);
        if (!s.step()) return std::nullopt;
        return caldav::IdempotencyRecord{principal_id, std::string(key), s.text(0),
                                         static_cast<int>(s.int64(1)), s.text(2), s.int64(3)};
    });
}

std::size_t SqliteStore::prune_idempotency(std::int64_t created_before, std::size_t limit) {
    try {
        return write([&](sqlite::Db& db) {
            auto s = db.prepare(
                "DELETE FROM idempotency_records WHERE rowid IN (SELECT rowid FROM idempotency_records "
                "WHERE created_at < ?1 ORDER BY created_at LIMIT ?2)");
            s.bind(1, created_before).bind(2, static_cast<std::int64_t>(limit)).run();
            return static_cast<std::size_t>(db.changes());
        });
    } catch (const sqlite::Error&) {
        return 0;
    }
}

namespace {

/// Moves the sync state of a home a grant changed (issue 25 §7): the revision
/// and modification time of the home of `principal_id`, and with `child` a
/// change of that child collection in its log, as a property change logs it.
void touch_home(sqlite::Db& db, std::int64_t principal_id, std::string_view child) {
    auto bump = db.prepare(
        "UPDATE principals SET home_revision = home_revision + 1, "
        "home_modified_at = max(home_modified_at, ?2) WHERE id = ?1");
    bump.bind(1, principal_id).bind(2, now_seconds()).run();
    if (child.empty()) return;
    auto old = db.prepare("DELETE FROM home_changes WHERE owner_id = ?1 AND name = ?2");
    old.bind(1, principal_id).bind(2, child).run();
    auto log = db.prepare(
        "INSERT INTO home_changes (owner_id, name, revision, deleted) "
        "SELECT id, ?2, home_revision, 0 FROM principals WHERE id = ?1");
    log.bind(1, principal_id).bind(2, child).run();
}

/// The grants a query selects, its columns: collection id and name, owner
/// (id, name, kind, display name, email), grantee (the same), permission,
/// created_at, then the invitation (schema 0017): status, uid, summary, the
/// grantee's own name and colour.
constexpr std::string_view grant_columns =
    "SELECT g.collection_id, c.name, o.id, o.name, o.kind, o.display_name, o.email, "
    "e.id, e.name, e.kind, e.display_name, e.email, g.permission, g.created_at, "
    "g.status, g.invite_uid, g.summary, g.sharee_display_name, g.sharee_color FROM grants g "
    "JOIN collections c ON c.id = g.collection_id JOIN principals o ON o.id = g.owner_id "
    "JOIN principals e ON e.id = g.grantee_id ";

/// The status a grants row spells (the CHECK of schema 0017 admits three).
caldav::InviteStatus invite_status_of(std::string_view text) {
    if (text == "pending") return caldav::InviteStatus::pending;
    if (text == "declined") return caldav::InviteStatus::declined;
    return caldav::InviteStatus::accepted;
}

std::string_view invite_status_name(caldav::InviteStatus status) {
    switch (status) {
        case caldav::InviteStatus::pending: return "pending";
        case caldav::InviteStatus::declined: return "declined";
        case caldav::InviteStatus::accepted: return "accepted";
    }
    return "accepted";
}

/// The owner and name of calendar `collection_id`; nullopt when it is not a calendar.
std::optional<std::pair<std::int64_t, std::string>> calendar_of(sqlite::Db& db, std::int64_t collection_id) {
    auto c = db.prepare("SELECT owner_id, name FROM collections WHERE id = ?1 AND kind = 'calendar'");
    c.bind(1, collection_id);
    if (!c.step()) return std::nullopt;
    return std::pair{c.int64(0), c.text(1)};
}

/// The change a grant on `collection_id` logs in the grantee's home (issue 25 §7).
std::string shared_child(sqlite::Db& db, std::int64_t collection_id) {
    auto c = db.prepare("SELECT p.name, c.name FROM collections c JOIN principals p ON p.id = c.owner_id WHERE c.id = ?1");
    c.bind(1, collection_id);
    if (!c.step()) return {};
    return caldav::shared_change_name(c.text(0), c.text(1));
}

bool principal_exists(sqlite::Db& db, std::int64_t id) {
    auto p = db.prepare("SELECT 1 FROM principals WHERE id = ?1");
    p.bind(1, id);
    return p.step();
}

std::vector<caldav::GrantRecord> grant_rows(sqlite::Stmt& s) {
    std::vector<caldav::GrantRecord> out;
    while (s.step()) {
        caldav::GrantRecord g;
        g.collection_id = s.int64(0);
        g.collection_name = s.text(1);
        g.owner = {s.int64(2), s.text(3), s.text(4), s.text(5), s.text(6)};
        g.grantee = {s.int64(7), s.text(8), s.text(9), s.text(10), s.text(11)};
        // The CHECK of schema 0016 admits only the four names.
        g.permission = caldav::parse_share_permission(s.text(12)).value_or(caldav::SharePermission::free_busy);
        g.created_at = s.int64(13);
        g.status = invite_status_of(s.text(14));
        g.invite_uid = s.text(15);
        g.summary = s.text(16);
        if (!s.is_null(17)) g.sharee_display_name = s.text(17);
        if (!s.is_null(18)) g.sharee_color = s.text(18);
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace

StoreStatus SqliteStore::set_grant(std::int64_t collection_id, std::int64_t grantee_id,
                                   caldav::SharePermission permission) {
    try {
        return write([&](sqlite::Db& db) {
            auto c = db.prepare("SELECT owner_id, name FROM collections WHERE id = ?1 AND kind = 'calendar'");
            c.bind(1, collection_id);
            if (!c.step()) return StoreStatus::not_found;
            const auto owner_id = c.int64(0);
            const auto name = c.text(1);
            if (owner_id == grantee_id) return StoreStatus::exists;
            auto p = db.prepare("SELECT 1 FROM principals WHERE id = ?1");
            p.bind(1, grantee_id);
            if (!p.step()) return StoreStatus::not_found;
            const auto text = std::string(caldav::share_permission_name(permission));
            auto before = db.prepare(
                "SELECT permission, status FROM grants WHERE collection_id = ?1 AND grantee_id = ?2");
            before.bind(1, collection_id).bind(2, grantee_id);
            if (before.step() && before.text(0) == text && before.text(1) == "accepted")
                return StoreStatus::ok;  // nothing changes
            // An administrator's grant is in force at once (schema 0017).
            auto s = db.prepare(
                "INSERT INTO grants (collection_id, owner_id, grantee_id, permission, created_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (collection_id, grantee_id) "
                "DO UPDATE SET permission = excluded.permission, status = 'accepted'");
            s.bind(1, collection_id).bind(2, owner_id).bind(3, grantee_id).bind(4, text).bind(5, now_seconds()).run();
            touch_home(db, owner_id, name);
            touch_home(db, grantee_id, shared_child(db, collection_id));
            return StoreStatus::ok;
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

namespace {

/// remove_grant inside the caller's write transaction: both homes log the
/// shared calendar. `not_found` when there is no such grant.
StoreStatus remove_grant_row(sqlite::Db& db, std::int64_t collection_id, std::int64_t grantee_id) {
    auto c = db.prepare(
        "SELECT c.owner_id, c.name FROM grants g JOIN collections c ON c.id = g.collection_id "
        "WHERE g.collection_id = ?1 AND g.grantee_id = ?2");
    c.bind(1, collection_id).bind(2, grantee_id);
    if (!c.step()) return StoreStatus::not_found;
    const auto owner_id = c.int64(0);
    const auto name = c.text(1);
    auto s = db.prepare("DELETE FROM grants WHERE collection_id = ?1 AND grantee_id = ?2");
    s.bind(1, collection_id).bind(2, grantee_id).run();
    touch_home(db, owner_id, name);
    touch_home(db, grantee_id, shared_child(db, collection_id));
    return StoreStatus::ok;
}

/// remove_notification inside the caller's write transaction.
StoreStatus remove_notification_row(sqlite::Db& db, std::int64_t principal_id, std::string_view name) {
    auto s = db.prepare("DELETE FROM notifications WHERE principal_id = ?1 AND name = ?2");
    s.bind(1, principal_id).bind(2, name).run();
    return db.changes() == 0 ? StoreStatus::not_found : StoreStatus::ok;
}

/// touch_sharee_homes inside the caller's write transaction: every grantee's
/// home moves and logs the calendar under its shared name, as the default's
/// set_sharee_properties of each grant does.
void touch_sharee_homes_in(sqlite::Db& db, std::int64_t collection_id) {
    std::vector<std::int64_t> grantees;
    auto find = db.prepare("SELECT grantee_id FROM grants WHERE collection_id = ?1 ORDER BY grantee_id");
    find.bind(1, collection_id);
    while (find.step()) grantees.push_back(find.int64(0));
    if (grantees.empty()) return;
    const auto name = shared_child(db, collection_id);
    for (auto grantee : grantees) touch_home(db, grantee, name);
}

}  // namespace

StoreStatus SqliteStore::remove_grant(std::int64_t collection_id, std::int64_t grantee_id) {
    try {
        return write([&](sqlite::Db& db) { return remove_grant_row(db, collection_id, grantee_id); });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

std::vector<caldav::GrantRecord> SqliteStore::grants_of_collection(std::int64_t collection_id) {
    return read([&](sqlite::Db& db) {
        auto s = db.prepare(std::string(grant_columns) + "WHERE g.collection_id = ?1 ORDER BY e.name");
        s.bind(1, collection_id);
        return grant_rows(s);
    });
}

std::vector<caldav::GrantRecord> SqliteStore::grants_to_principal(std::int64_t grantee_id) {
    return read([&](sqlite::Db& db) {
        auto s = db.prepare(std::string(grant_columns) + "WHERE g.grantee_id = ?1 AND g.status = 'accepted' ORDER BY o.name, c.name");
        s.bind(1, grantee_id);
        return grant_rows(s);
    });
}

StoreStatus SqliteStore::invite_grant(std::int64_t collection_id, std::int64_t grantee_id,
                                      caldav::SharePermission permission, std::string_view summary,
                                      std::string_view invite_uid) {
    try {
        return write([&](sqlite::Db& db) {
            auto cal = calendar_of(db, collection_id);
            if (!cal) return StoreStatus::not_found;
            if (cal->first == grantee_id) return StoreStatus::exists;
            if (!principal_exists(db, grantee_id)) return StoreStatus::not_found;
            // A declined invitation is asked again under the new uid; a
            // pending or accepted one keeps its uid and status.
            auto s = db.prepare(
                "INSERT INTO grants (collection_id, owner_id, grantee_id, permission, created_at, status, "
                "invite_uid, summary) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7) "
                "ON CONFLICT (collection_id, grantee_id) DO UPDATE SET permission = excluded.permission, "
                "summary = excluded.summary, "
                "invite_uid = CASE WHEN status = 'declined' OR invite_uid = '' THEN excluded.invite_uid "
                "ELSE invite_uid END, "
                "status = CASE WHEN status = 'declined' THEN 'pending' ELSE status END");
            s.bind(1, collection_id).bind(2, cal->first).bind(3, grantee_id);
            s.bind(4, caldav::share_permission_name(permission)).bind(5, now_seconds());
            s.bind(6, invite_uid).bind(7, summary).run();
            touch_home(db, cal->first, cal->second);
            touch_home(db, grantee_id, shared_child(db, collection_id));
            return StoreStatus::ok;
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

StoreStatus SqliteStore::reply_to_invite(std::int64_t collection_id, std::int64_t grantee_id,
                                         caldav::InviteStatus status) {
    try {
        return write([&](sqlite::Db& db) {
            auto cal = calendar_of(db, collection_id);
            if (!cal) return StoreStatus::not_found;
            auto s = db.prepare(
                "UPDATE grants SET status = ?3, "
                "sharee_display_name = CASE WHEN ?3 = 'declined' THEN NULL ELSE sharee_display_name END, "
                "sharee_color = CASE WHEN ?3 = 'declined' THEN NULL ELSE sharee_color END "
                "WHERE collection_id = ?1 AND grantee_id = ?2");
            s.bind(1, collection_id).bind(2, grantee_id).bind(3, invite_status_name(status)).run();
            if (db.changes() == 0) return StoreStatus::not_found;
            touch_home(db, cal->first, cal->second);
            touch_home(db, grantee_id, shared_child(db, collection_id));
            return StoreStatus::ok;
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

StoreStatus SqliteStore::set_sharee_properties(std::int64_t collection_id, std::int64_t grantee_id,
                                               std::optional<std::string> display_name,
                                               std::optional<std::string> color) {
    try {
        return write([&](sqlite::Db& db) {
            auto s = db.prepare(
                "UPDATE grants SET sharee_display_name = ?3, sharee_color = ?4 "
                "WHERE collection_id = ?1 AND grantee_id = ?2");
            s.bind(1, collection_id).bind(2, grantee_id);
            if (display_name) s.bind(3, *display_name); else s.bind_null(3);
            if (color) s.bind(4, *color); else s.bind_null(4);
            s.run();
            if (db.changes() == 0) return StoreStatus::not_found;
            touch_home(db, grantee_id, shared_child(db, collection_id));
            return StoreStatus::ok;
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

StoreStatus SqliteStore::put_notification(const caldav::NotificationRecord& n) {
    try {
        return write([&](sqlite::Db& db) {
            if (!principal_exists(db, n.principal_id)) return StoreStatus::not_found;
            auto s = db.prepare(
                "INSERT OR REPLACE INTO notifications (principal_id, name, type, body, created_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5)");
            s.bind(1, n.principal_id).bind(2, n.name).bind(3, n.type).bind(4, n.body);
            s.bind(5, n.created_at ? n.created_at : now_seconds()).run();
            return StoreStatus::ok;
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

std::vector<caldav::NotificationRecord> SqliteStore::notifications_of(std::int64_t principal_id) {
    return read([&](sqlite::Db& db) {
        auto s = db.prepare(
            "SELECT name, type, body, created_at FROM notifications WHERE principal_id = ?1 ORDER BY name");
        s.bind(1, principal_id);
        std::vector<caldav::NotificationRecord> out;
        while (s.step()) out.push_back({principal_id, s.text(0), s.text(1), s.text(2), s.int64(3)});
        return out;
    });
}

StoreStatus SqliteStore::remove_notification(std::int64_t principal_id, std::string_view name) {
    try {
        return write([&](sqlite::Db& db) { return remove_notification_row(db, principal_id, name); });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

std::optional<caldav::PrincipalRecord> SqliteStore::find_principal(std::string_view name) {
    return read([&](sqlite::Db& db) -> std::optional<caldav::PrincipalRecord> {
        auto s = db.prepare(
            "SELECT id, name, kind, display_name, email FROM principals WHERE name = ?1");
        s.bind(1, name);
        if (!s.step()) return std::nullopt;
        return caldav::PrincipalRecord{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4)};
    });
}

std::vector<caldav::PrincipalRecord> SqliteStore::list_principals(std::string_view after, std::size_t limit) {
    return read([&](sqlite::Db& db) {
        auto s = db.prepare(
            "SELECT id, name, kind, display_name, email FROM principals WHERE name > ?1 ORDER BY name LIMIT ?2");
        s.bind(1, after);
        s.bind(2, static_cast<std::int64_t>(limit));
        std::vector<caldav::PrincipalRecord> out;
        while (s.step()) out.push_back({s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4)});
        return out;
    });
}

std::optional<caldav::PrincipalRecord> SqliteStore::find_principal_by_email(std::string_view email) {
    return read([&](sqlite::Db& db) -> std::optional<caldav::PrincipalRecord> {
        auto s = db.prepare(
            "SELECT id, name, kind, display_name, email FROM principals WHERE email = ?1 COLLATE NOCASE "
            "AND email <> '' LIMIT 1");
        s.bind(1, email);
        if (!s.step()) return std::nullopt;
        return caldav::PrincipalRecord{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4)};
    });
}

namespace {
bool refresh_owner_zone(sqlite::Db& db, const caldav::ReminderIndexer& indexer, std::int64_t owner_id);
}  // namespace

void SqliteStore::provision_home(std::int64_t principal_id) {
    bool complete = read([&](sqlite::Db& db) {
        auto s = db.prepare(
            "SELECT count(*) FROM collections WHERE owner_id = ?1 AND kind IN ('inbox', "
            "'outbox')");
        s.bind(1, principal_id);
        return s.step() && s.int64(0) == 2;
    });
    if (complete) return;
    write([&](sqlite::Db& db) {
        auto now = now_seconds();
        auto has_calendar = db.prepare(
            "SELECT 1 FROM collections WHERE owner_id = ?1 AND kind = 'calendar' LIMIT 1");
        has_calendar.bind(1, principal_id);
        bool has_a_calendar = has_calendar.step();
        auto insert = db.prepare(
            "INSERT INTO collections (owner_id, name, kind, display_name, components, "
            "created_at, modified_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) "
            "ON CONFLICT (owner_id, name) DO NOTHING");
        for (const auto& c : caldav::default_collections()) {
            if (c.unless_a_calendar_exists && has_a_calendar) continue;
            insert.bind(1, principal_id).bind(2, c.name).bind(3, kind_name(c.kind)).bind(4, c.display_name);
            insert.bind(5, c.components).bind(6, now).run();
            insert.reset();
        }
        refresh_owner_zone(db, reminder_indexer_, principal_id);  // a new inbox keeps it from now on
    });
}

std::vector<caldav::CollectionRecord> SqliteStore::list_collections(std::int64_t owner_id) {
    return read([&](sqlite::Db& db) {
        std::vector<caldav::CollectionRecord> out;
        auto s = db.prepare("SELECT " + std::string(collection_columns) +
                            " FROM collections WHERE owner_id = ?1 ORDER BY name");
        s.bind(1, owner_id);
        while (s.step()) out.push_back(collection_from(s));
        return out;
    });
}

std::optional<caldav::CollectionRecord> SqliteStore::find_collection(std::int64_t owner_id,
                                                                     std::string_view name) {
    return read([&](sqlite::Db& db) -> std::optional<caldav::CollectionRecord> {
        auto s = db.prepare("SELECT " + std::string(collection_columns) +
                            " FROM collections WHERE owner_id = ?1 AND name = ?2");
        s.bind(1, owner_id).bind(2, name);
        if (!s.step()) return std::nullopt;
        return collection_from(s);
    });
}

namespace {

void set_dead(sqlite::Db& db, std::int64_t collection_id, std::string_view object_name,
              const caldav::DeadProperty& p) {
    auto s = db.prepare(
        "INSERT INTO dead_properties (collection_id, object_name, namespace, name, value_xml) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (collection_id, object_name, namespace, name) "
        "DO UPDATE SET value_xml = ?5");
    s.bind(1, collection_id).bind(2, object_name).bind(3, p.ns).bind(4, p.name).bind(5, p.xml).run();
}

void reindex_collection_reminders(sqlite::Db& db, const caldav::ReminderIndexer& indexer,
                                  std::int64_t collection_id);

/// The owner of collection `collection_id`, 0 when it is gone.
std::int64_t owner_of_collection(sqlite::Db& db, std::int64_t collection_id) {
    auto s = db.prepare("SELECT owner_id FROM collections WHERE id = ?1");
    s.bind(1, collection_id);
    return s.step() ? s.int64(0) : 0;
}

}  // namespace

std::vector<caldav::DeadProperty> SqliteStore::dead_properties(std::int64_t collection_id,
                                                               std::string_view object_name) {
    return read([&](sqlite::Db& db) {
        std::vector<caldav::DeadProperty> out;
        auto s = db.prepare(
            "SELECT namespace, name, value_xml FROM dead_properties WHERE collection_id = ?1 AND "
            "object_name = ?2 ORDER BY namespace, name");
        s.bind(1, collection_id).bind(2, object_name);
        while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2)});
        return out;
    });
}

StoreStatus SqliteStore::patch_properties(std::int64_t collection_id, std::string_view object_name,
                                          const caldav::PropertyPatch& patch) {
    try {
        return write([&](sqlite::Db& db) { return patch_properties_in(db, collection_id, object_name, patch); });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

StoreStatus SqliteStore::patch_properties_in(sqlite::Db& db, std::int64_t collection_id, std::string_view object_name,
                                             const caldav::PropertyPatch& patch) {
    auto exists = db.prepare(object_name.empty()
                                 ? "SELECT 1 FROM collections WHERE id = ?1 AND ?2 = ''"
                                 : "SELECT 1 FROM objects WHERE collection_id = ?1 AND name = ?2");
    exists.bind(1, collection_id).bind(2, object_name);
    if (!exists.step()) return StoreStatus::not_found;
    if (object_name.empty() && (patch.display_name || patch.description || patch.timezone)) {
        auto s = db.prepare(
            "UPDATE collections SET display_name = coalesce(?2, display_name), description = "
            "coalesce(?3, description), timezone = coalesce(?4, timezone), modified_at = ?5 "
            "WHERE id = ?1");
        s.bind(1, collection_id);
        patch.display_name ? s.bind(2, *patch.display_name) : s.bind_null(2);
        patch.description ? s.bind(3, *patch.description) : s.bind_null(3);
        patch.timezone ? s.bind(4, *patch.timezone) : s.bind_null(4);
        s.bind(5, now_seconds()).run();
    }
    for (const auto& p : patch.set) set_dead(db, collection_id, object_name, p);
    for (const auto& [ns, name] : patch.remove) {
        auto s = db.prepare(
            "DELETE FROM dead_properties WHERE collection_id = ?1 AND object_name = ?2 AND "
            "namespace = ?3 AND name = ?4");
        s.bind(1, collection_id).bind(2, object_name).bind(3, ns).bind(4, name).run();
    }
    // Issue 26: which alarms the server pushes, or when floating ones fire, changed.
    if (object_name.empty() && caldav::patch_changes_reminders(patch))
        reindex_collection_reminders(db, reminder_indexer_, collection_id);
    // ... or the owner's zone, where their calendars without a zone remind.
    if (object_name.empty() && caldav::patch_changes_owner_zone(patch))
        refresh_owner_zone(db, reminder_indexer_, owner_of_collection(db, collection_id));
    return StoreStatus::ok;
}

std::int64_t SqliteStore::used_bytes(std::int64_t owner_id) {
    return read([&](sqlite::Db& db) {
        auto s = db.prepare("SELECT used_bytes FROM principals WHERE id = ?1");
        s.bind(1, owner_id);
        return s.step() ? s.int64(0) : std::int64_t{0};
    });
}

StoreStatus SqliteStore::create_collection(caldav::CollectionRecord& c,
                                           const std::vector<caldav::DeadProperty>& dead) {
    try {
        return write([&](sqlite::Db& db) {
            auto now = now_seconds();
            auto s = db.prepare(
                "INSERT INTO collections (owner_id, name, kind, display_name, description, "
                "timezone, components, created_at, modified_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                "?7, ?8, ?8) ON CONFLICT (owner_id, name) DO NOTHING");
            s.bind(1, c.owner_id).bind(2, c.name).bind(3, kind_name(c.kind));
            s.bind(4, c.display_name).bind(5, c.description).bind(6, c.timezone);
            s.bind(7, c.components).bind(8, now).run();
            if (db.changes() != 1) return StoreStatus::exists;
            c.id = db.last_insert_rowid();
            c.created_at = c.modified_at = now;
            for (const auto& p : dead) set_dead(db, c.id, "", p);
            // A new calendar may become the default one (its name, or the first).
            if (c.kind == caldav::CollectionKind::calendar) refresh_owner_zone(db, reminder_indexer_, c.owner_id);
            return StoreStatus::ok;
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

namespace {

void copy_dead_properties(sqlite::Db& db, std::int64_t from_collection, std::string_view from_name,
                          std::int64_t to_collection, std::string_view to_name);
void write_instances(sqlite::Db& db, std::int64_t object_id, std::int64_t collection_id,
                     const caldav::InstanceIndex& index);
caldav::InstanceIndex read_instances(sqlite::Db& db, std::int64_t object_id);
void index_reminders(sqlite::Db& db, const caldav::ReminderIndexer& indexer, std::int64_t object_id,
                     std::int64_t collection_id, std::string_view name, std::string_view data,
                     std::optional<std::int64_t> after,
                     icalcomponent_impl* parsed = nullptr, bool inserted = false);

/// Ids and names of a collection of `owner_id` and of the plain collections
/// nested in it ("NAME/..."), parents before children.
std::vector<std::pair<std::int64_t, std::string>> collection_subtree(sqlite::Db& db, std::int64_t owner_id,
                                                                     std::string_view name) {
    std::vector<std::pair<std::int64_t, std::string>> out;
    auto s = db.prepare(
        "SELECT id, name FROM collections WHERE owner_id = ?1 AND (name = ?2 OR substr(name, 1, length(?2) + 1) = "
        "?2 || '/') ORDER BY length(name)");
    s.bind(1, owner_id).bind(2, name);
    while (s.step()) out.emplace_back(s.int64(0), s.text(1));
    return out;
}

/// A calendar moved (MOVE, issue 25 §7) takes its grants, public feeds and
/// WebDAV-Push registrations along from `from_id` to `to_id`: each grantee's
/// home logs the old shared name and the new one, so that their sync reports
/// the old URL gone and lists the new; a feed's URL names no calendar and
/// stays as it was.
/// Inside the caller's write transaction, before the source is deleted.
void move_shares(sqlite::Db& db, std::int64_t from_id, std::int64_t to_id) {
    db.prepare("UPDATE public_feeds SET collection_id = ?2 WHERE collection_id = ?1").bind(1, from_id).bind(2, to_id).run();
    // WebDAV-Push registrations go along under the topic they were made
    // under (the client knows the calendar by it, docs/push.md).
    db.prepare("UPDATE push_subscriptions SET collection_id = ?2, topic = CASE topic WHEN '' THEN ?3 ELSE topic END "
               "WHERE collection_id = ?1")
        .bind(1, from_id)
        .bind(2, to_id)
        .bind(3, caldav::push_topic(from_id))
        .run();
    std::vector<std::int64_t> grantees;
    auto find = db.prepare("SELECT grantee_id FROM grants WHERE collection_id = ?1");
    find.bind(1, from_id);
    while (find.step()) grantees.push_back(find.int64(0));
    if (grantees.empty()) return;
    const auto old_name = shared_child(db, from_id);
    db.prepare("UPDATE grants SET collection_id = ?2 WHERE collection_id = ?1").bind(1, from_id).bind(2, to_id).run();
    const auto new_name = shared_child(db, to_id);
    for (auto grantee : grantees) {
        touch_home(db, grantee, old_name);
        touch_home(db, grantee, new_name);
    }
}

/// Deletes collections and their members; inside the caller's write transaction.
void delete_collections(sqlite::Db& db, const std::vector<std::pair<std::int64_t, std::string>>& subtree) {
    for (const auto& [id, name] : subtree) {
        // Members first, while the collection still names their owner (usage trigger).
        db.prepare("DELETE FROM objects WHERE collection_id = ?1").bind(1, id).run();
        db.prepare("DELETE FROM collections WHERE id = ?1").bind(1, id).run();
    }
}

}  // namespace

caldav::PutResult SqliteStore::copy_collection(std::int64_t owner_id, std::string_view from_name,
                                               std::string_view to_name, bool with_members, bool overwrite,
                                               bool remove_source) {
    try {
        return write([&](sqlite::Db& db) {
            caldav::PutResult r;
            auto source = collection_subtree(db, owner_id, from_name);
            if (source.empty()) {
                r.status = StoreStatus::not_found;
                return r;
            }
            if (!with_members) source.resize(1);
            auto existing = collection_subtree(db, owner_id, to_name);
            if (!existing.empty() && !overwrite) {
                r.status = StoreStatus::exists;
                return r;
            }
            delete_collections(db, existing);
            r.created = existing.empty();
            auto now = now_seconds();
            for (const auto& [from_id, name] : source) {
                std::string target = std::string(to_name) + name.substr(from_name.size());
                auto make = db.prepare(
                    "INSERT INTO collections (owner_id, name, kind, display_name, description, timezone, components, "
                    "created_at, modified_at) SELECT owner_id, ?2, kind, display_name, description, timezone, "
                    "components, ?3, ?3 FROM collections WHERE id = ?1 RETURNING id");
                make.bind(1, from_id).bind(2, target).bind(3, now);
                if (!make.step()) throw sqlite::Error(SQLITE_ERROR, "collection copy returned no row");
                auto to_id = make.int64(0);
                make.reset();
                copy_dead_properties(db, from_id, "", to_id, "");
                if (remove_source) move_shares(db, from_id, to_id);
                if (!with_members) break;
                auto members = db.prepare(
                    "SELECT name, uid, component, data, content_type, first_start, last_end, id, "
                    "schedule_tag FROM "
                    "objects WHERE collection_id = ?1 ORDER BY name");
                members.bind(1, from_id);
                while (members.step()) {
                    std::string member = members.text(0), data = members.text(3);
                    auto revision = log_change(db, to_id, member, false, now);
                    // The Schedule-Tag and the time index go along (a calendar's
                    // MOVE keeps its scheduling objects as they were, RFC 6638 §3.2.10).
                    auto put = db.prepare(
                        "INSERT INTO objects (collection_id, name, uid, component, etag, data, "
                        "size, revision, "
                        "first_start, last_end, created_at, modified_at, content_type, "
                        "schedule_tag) VALUES (?1, ?2, "
                        "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13) RETURNING id");
                    put.bind(1, to_id).bind(2, member).bind(3, members.text(1)).bind(4, members.text(2));
                    put.bind(5, caldav::entity_tag(revision, data)).bind(6, data).bind(7, static_cast<std::int64_t>(data.size()));
                    put.bind(8, revision).bind(9, members.optional_int64(5)).bind(10, members.optional_int64(6));
                    put.bind(11, now).bind(12, members.text(4)).bind(13, members.text(8));
                    if (!put.step())
                        throw sqlite::Error(SQLITE_ERROR, "member copy returned no row");
                    auto copy_id = put.int64(0);
                    put.reset();
                    write_instances(db, copy_id, to_id, read_instances(db, members.int64(7)));
                    if (members.text(4).empty())
                        index_reminders(db, reminder_indexer_, copy_id, to_id, member, data, std::nullopt);
                    copy_dead_properties(db, from_id, member, to_id, member);
                }
            }
            if (remove_source) delete_collections(db, collection_subtree(db, owner_id, from_name));
            refresh_owner_zone(db, reminder_indexer_, owner_id);  // the default calendar may have moved
            return r;
        });
    } catch (const sqlite::Error& e) {
        return {status_of(e), false, {}, {}, {}};
    }
}

std::size_t SqliteStore::backfill_owner_zones() {
    return write([&](sqlite::Db& db) -> std::size_t {
        auto owed = db.prepare("DELETE FROM pending_upgrades WHERE name = 'owner_zones' RETURNING name");
        if (!owed.step()) return 0;
        owed.reset();
        std::vector<std::int64_t> owners;
        auto inboxes = db.prepare("SELECT owner_id FROM collections WHERE name = 'inbox' AND kind = 'inbox'");
        while (inboxes.step()) owners.push_back(inboxes.int64(0));
        std::size_t changed = 0;
        for (auto owner : owners)
            if (refresh_owner_zone(db, reminder_indexer_, owner)) ++changed;
        return changed;
    });
}

StoreStatus SqliteStore::delete_collection(std::int64_t collection_id) {
    try {
        return write([&](sqlite::Db& db) { return delete_collection_in(db, collection_id); });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

StoreStatus SqliteStore::delete_collection_in(sqlite::Db& db, std::int64_t collection_id) {
    // The collection and the plain collections nested below it ("NAME/...").
    const std::string subtree =
        "SELECT c.id FROM collections c JOIN collections t ON t.id = ?1 AND c.owner_id = t.owner_id "
        "WHERE c.id = ?1 OR substr(c.name, 1, length(t.name) + 1) = t.name || '/'";
    std::vector<std::int64_t> ids;
    auto find = db.prepare(subtree);
    find.bind(1, collection_id);
    while (find.step()) ids.push_back(find.int64(0));
    if (ids.empty()) return StoreStatus::not_found;
    const auto owner_id = owner_of_collection(db, collection_id);
    for (auto id : ids) {
        // Members first, while the collection still names their owner (usage trigger).
        auto members = db.prepare("DELETE FROM objects WHERE collection_id = ?1");
        members.bind(1, id).run();
        auto s = db.prepare("DELETE FROM collections WHERE id = ?1");
        s.bind(1, id).run();
    }
    refresh_owner_zone(db, reminder_indexer_, owner_id);  // it may have been the default calendar
    return StoreStatus::ok;
}

// An owner's change of a shared calendar (issue 25 §7): the statements the
// separate calls run, in one job of the writer, so that a failure of any of
// them (a full disk, a lost lock) rolls all of them back.

StoreStatus SqliteStore::patch_shared_collection_properties(std::int64_t collection_id,
                                                            const caldav::PropertyPatch& patch) {
    try {
        return write([&](sqlite::Db& db) {
            auto status = patch_properties_in(db, collection_id, {}, patch);
            if (status == StoreStatus::ok) touch_sharee_homes_in(db, collection_id);
            return status;
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

StoreStatus SqliteStore::delete_collection_with_shares(std::int64_t collection_id) {
    try {
        return write([&](sqlite::Db& db) {
            std::vector<std::pair<std::int64_t, std::string>> grants;  // grantee, invitation uid
            auto find = db.prepare(
                "SELECT grantee_id, invite_uid FROM grants WHERE collection_id = ?1 ORDER BY grantee_id");
            find.bind(1, collection_id);
            while (find.step()) grants.emplace_back(find.int64(0), find.text(1));
            for (const auto& [grantee, invite_uid] : grants) {
                (void)remove_grant_row(db, collection_id, grantee);
                // The invitation names a calendar that is no more (caldav-sharing §4).
                if (!invite_uid.empty()) (void)remove_notification_row(db, grantee, invite_uid + ".xml");
            }
            return delete_collection_in(db, collection_id);
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

namespace {
/// The UID column of a non-calendar resource: unique per name, and never a
/// calendar UID (RFC 5545 §3.3.11 TEXT holds no control characters).
std::string resource_uid(std::string_view name) { return "\x01" + std::string(name); }

/// Replaces the dead properties of member `to` by those of member `from`;
/// inside the caller's write transaction (RFC 4918 §9.8.2, §9.9.1).
void copy_dead_properties(sqlite::Db& db, std::int64_t from_collection, std::string_view from_name,
                          std::int64_t to_collection, std::string_view to_name) {
    auto clear = db.prepare("DELETE FROM dead_properties WHERE collection_id = ?1 AND object_name = ?2");
    clear.bind(1, to_collection).bind(2, to_name).run();
    auto copy = db.prepare(
        "INSERT INTO dead_properties (collection_id, object_name, namespace, name, value_xml) "
        "SELECT ?3, ?4, namespace, name, value_xml FROM dead_properties WHERE collection_id = ?1 AND "
        "object_name = ?2");
    copy.bind(1, from_collection).bind(2, from_name).bind(3, to_collection).bind(4, to_name).run();
}

/// object_columns qualified by a table alias ("o."), data as NULL unless wanted.
std::string object_columns_of(std::string_view alias, bool with_data) {
    std::string out;
    std::string_view rest = object_columns;
    while (!rest.empty()) {
        auto comma = rest.find(", ");
        auto name = rest.substr(0, comma);
        if (!out.empty()) out += ", ";
        if (name == "data" && !with_data) out += "NULL";
        else out.append(alias).append(name);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
    }
    return out;
}

/// An instance row as stored: start, end, busy (-2 for NULL), declined.
using StoredRow = std::tuple<std::int64_t, std::int64_t, std::int64_t, int>;

StoredRow stored_row(const caldav::InstanceRow& row) {
    return {row.start, row.end, row.busy ? *row.busy : -2, row.declined ? 1 : 0};
}

/// Writes `index`'s rows for object `object_id` and widens the collection's
/// longest-instance bound, inside the caller's write transaction; the caller
/// records index_state. With `replace`, only the rows that differ from the
/// stored ones are deleted and inserted: most updates (a new title, a reply's
/// PARTSTAT) leave the times alone, and then the time index is not touched.
/// `max_span`: the collection's, when the caller read it in this
/// transaction; a span within it needs no UPDATE of the collection.
void write_instance_rows(sqlite::Db& db, std::int64_t object_id, std::int64_t collection_id,
                         const caldav::InstanceIndex& index, bool replace,
                         std::optional<std::int64_t> max_span = std::nullopt) {
    std::vector<const caldav::InstanceRow*> to_insert;
    to_insert.reserve(index.rows.size());
    for (const auto& row : index.rows) to_insert.push_back(&row);
    if (replace) {
        std::vector<std::pair<StoredRow, std::int64_t>> old;  // with its rowid
        auto read = db.prepare(
            "SELECT start_at, end_at, coalesce(busy, -2), declined, rowid FROM instances WHERE object_id = ?1");
        read.bind(1, object_id);
        while (read.step())
            old.push_back({{read.int64(0), read.int64(1), read.int64(2), static_cast<int>(read.int64(3))}, read.int64(4)});
        std::sort(old.begin(), old.end());
        auto by_row = [](const caldav::InstanceRow* a, const caldav::InstanceRow* b) {
            return stored_row(*a) < stored_row(*b);
        };
        std::sort(to_insert.begin(), to_insert.end(), by_row);
        // A multiset difference: rows in both stay, the rest of `old` goes.
        std::vector<const caldav::InstanceRow*> fresh;
        auto erase = db.prepare("DELETE FROM instances WHERE rowid = ?1");
        std::size_t i = 0, j = 0;
        while (i < old.size() || j < to_insert.size()) {
            if (j == to_insert.size() || (i < old.size() && old[i].first < stored_row(*to_insert[j]))) {
                erase.bind(1, old[i++].second).run();
                erase.reset();
            } else if (i == old.size() || stored_row(*to_insert[j]) < old[i].first) {
                fresh.push_back(to_insert[j++]);
            } else {
                ++i, ++j;
            }
        }
        to_insert.swap(fresh);
    }
    auto insert = db.prepare(
        "INSERT INTO instances (object_id, collection_id, start_at, end_at, busy, declined) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    for (const auto* r : to_insert) {
        const auto& row = *r;
        insert.bind(1, object_id).bind(2, collection_id).bind(3, row.start).bind(4, row.end);
        if (row.busy)
            insert.bind(5, *row.busy);
        else
            insert.bind_null(5);
        insert.bind(6, row.declined ? 1 : 0).run();
        insert.reset();
    }
    std::int64_t span = 0;
    for (const auto& row : index.rows) span = std::max(span, row.end - row.start);
    if (span > 0 && (!max_span || span > *max_span)) {
        auto widen = db.prepare("UPDATE collections SET max_span = ?2 WHERE id = ?1 AND max_span < ?2");
        widen.bind(1, collection_id).bind(2, span).run();
    }
}

void write_instances(sqlite::Db& db, std::int64_t object_id, std::int64_t collection_id,
                     const caldav::InstanceIndex& index) {
    write_instance_rows(db, object_id, collection_id, index, true);
    auto state = db.prepare("UPDATE objects SET index_state = 1, indexed_until = ?2, index_exact = ?3 WHERE id = ?1");
    state.bind(1, object_id).bind(2, index.indexed_until).bind(3, index.exact ? 1 : 0).run();
}

/// The instance rows of one object, for copies.
caldav::InstanceIndex read_instances(sqlite::Db& db, std::int64_t object_id) {
    caldav::InstanceIndex index;
    auto head = db.prepare("SELECT indexed_until, index_exact, index_state FROM objects WHERE id = ?1");
    head.bind(1, object_id);
    if (!head.step() || head.int64(2) == 0) {
        index.indexed_until = std::numeric_limits<std::int64_t>::min();
        return index;
    }
    index.indexed_until = head.optional_int64(0);
    index.exact = head.int64(1) != 0;
    auto rows = db.prepare("SELECT start_at, end_at, busy, declined FROM instances WHERE object_id = ?1");
    rows.bind(1, object_id);
    while (rows.step()) {
        auto busy = rows.optional_int64(2);
        index.rows.push_back({rows.int64(0), rows.int64(1),
                              busy ? std::optional<int>(static_cast<int>(*busy)) : std::nullopt,
                              rows.int64(3) != 0});
    }
    return index;
}
}

std::vector<caldav::ObjectRecord> SqliteStore::list_objects(std::int64_t collection_id,
                                                            bool with_data) {
    return read([&](sqlite::Db& db) {
        std::vector<caldav::ObjectRecord> out;
        std::string columns(object_columns);
        if (!with_data) columns.replace(columns.rfind(", data"), 6, ", NULL");
        auto s = db.prepare("SELECT " + columns +
                            " FROM objects WHERE collection_id = ?1 ORDER BY name");
        s.bind(1, collection_id);
        while (s.step()) out.push_back(object_from(s, with_data));
        return out;
    });
}

std::vector<caldav::ObjectRecord> SqliteStore::list_objects_page(std::int64_t collection_id,
                                                                 std::string_view after,
                                                                 std::size_t limit, bool with_data) {
    return read([&](sqlite::Db& db) {
        std::vector<caldav::ObjectRecord> out;
        std::string columns(object_columns);
        if (!with_data) columns.replace(columns.rfind(", data"), 6, ", NULL");
        // Without data, the covering index (schema 0006) answers alone.
        auto s = db.prepare("SELECT " + columns + (with_data ? " FROM objects" : " FROM objects INDEXED BY objects_listing") +
                            " WHERE collection_id = ?1 AND name > ?2 ORDER BY name LIMIT ?3");
        s.bind(1, collection_id).bind(2, after).bind(3, static_cast<std::int64_t>(limit));
        out.reserve(std::min<std::size_t>(limit, 4096));
        while (s.step()) out.push_back(object_from(s, with_data));
        return out;
    });
}

namespace {

std::int64_t max_span_of(sqlite::Db& db, std::int64_t collection_id) {
    auto span_of = db.prepare("SELECT max_span FROM collections WHERE id = ?1");
    span_of.bind(1, collection_id);
    return span_of.step() ? span_of.int64(0) : 0;
}

/// Where an instance overlapping [from, to] can start: `span` (the longest
/// instance of the collection) before `from`.
std::int64_t scan_start(std::int64_t from, std::int64_t span) {
    constexpr auto lowest = std::numeric_limits<std::int64_t>::min();
    return from < lowest + span ? lowest : from - span;
}

/// The members of visit_objects_in_range inside a read transaction:
/// `row(statement)` for each, the object in `object_columns` and column 15
/// its index_match.
template <typename Row>
void objects_in_range(sqlite::Db& db, std::int64_t collection_id, std::int64_t from, std::int64_t to,
                      bool with_data, Row&& row) {
    std::string columns(object_columns);
    if (!with_data) columns.replace(columns.rfind(", data"), 6, ", NULL");
    std::int64_t scan_from = scan_start(from, max_span_of(db, collection_id));
    // Indexed objects: those with an instance row overlapping the range (an
    // instance starting before scan_from ends before `from`). Inclusive at
    // both ends, as zero-length events and to-dos due at an edge still match
    // (RFC 4791 §9.9); hit is the exact VEVENT overlap test.
    // Not indexed (index_state 0), or indexed only up to a horizon the range
    // passes: candidates by their bounds, checked by parsing after.
    // Each arm below is one partial-index scan (schema 0006), never a walk
    // over every object of the collection.
    const std::string unindexed_in_range =
        "(last_end IS NULL OR last_end >= ?2) AND (first_start IS NULL OR first_start <= ?3) AND "
        "id NOT IN (SELECT object_id FROM hits)";
    auto s = db.prepare(
        "WITH hits AS (SELECT object_id, max(start_at < ?3 AND (end_at > ?2 OR (end_at = start_at AND "
        "start_at >= ?2))) AS hit FROM instances WHERE collection_id = ?1 AND start_at >= ?4 AND "
        "start_at <= ?3 AND end_at >= ?2 GROUP BY object_id) "
        "SELECT " + columns + ", hits.hit AND objects.index_exact FROM objects JOIN hits ON hits.object_id = "
        "objects.id "
        "UNION ALL SELECT " + columns + ", 0 FROM objects INDEXED BY objects_unindexed WHERE collection_id = ?1 AND "
        "index_state = 0 AND " +
        unindexed_in_range +
        " UNION ALL SELECT " + columns + ", 0 FROM objects INDEXED BY objects_by_horizon WHERE collection_id = ?1 AND "
        "index_state != 0 AND "
        "indexed_until IS NOT NULL AND indexed_until <= ?3 AND " + unindexed_in_range);
    s.bind(1, collection_id).bind(2, from).bind(3, to).bind(4, scan_from);
    while (s.step()) row(s);
}

}  // namespace

void SqliteStore::visit_objects_in_range(std::int64_t collection_id, std::optional<std::int64_t> start,
                                         std::optional<std::int64_t> end, bool with_data,
                                         const std::function<void(caldav::ObjectRecord&)>& visit) {
    const auto from = start.value_or(std::numeric_limits<std::int64_t>::min());
    const auto to = end.value_or(std::numeric_limits<std::int64_t>::max());
    read([&](sqlite::Db& db) {
        SqliteCollectionSource source(db);
        auto stamp = source.stamp(collection_id);
        if (!stamp) return;  // no such collection
        if (cache_.visit_in_range(source, *stamp, from, to, with_data, visit)) return;
        caldav::ObjectRecord record;
        objects_in_range(db, collection_id, from, to, with_data,
                         [&](const sqlite::Stmt& s) {
                             read_object(s, record, with_data);
                             record.index_match = s.int64(15) != 0;
                             visit(record);
                         });
    });
}

void SqliteStore::visit_objects_named(std::int64_t collection_id, const std::vector<std::string>& names,
                                      bool with_data, const std::function<void(caldav::ObjectRecord&)>& visit) {
    read([&](sqlite::Db& db) {
        SqliteCollectionSource source(db);
        auto stamp = source.stamp(collection_id);
        if (!stamp) return;  // no such collection
        if (cache_.visit_named(source, *stamp, names, with_data, visit)) return;
        auto s = db.prepare("SELECT " + object_columns_of("", with_data) +
                            " FROM objects WHERE collection_id = ?1 AND name = ?2");
        caldav::ObjectRecord record;
        for (const auto& name : names) {
            s.reset();
            s.bind(1, collection_id).bind(2, name);
            if (!s.step()) continue;
            read_object(s, record, with_data);
            visit(record);
        }
    });
}

caldav::Store::IndexedBusy SqliteStore::busy_in_range(std::int64_t collection_id, std::int64_t start,
                                                      std::int64_t end, bool declines_count) {
    return read([&](sqlite::Db& db) {
        IndexedBusy out;
        // Parsed: objects without rows (index_state 0) and objects whose rows
        // stop at a horizon before `end`, as in objects_in_range. To-dos and
        // journal entries take no busy time (RFC 4791 §7.10).
        const std::string in_range =
            "(last_end IS NULL OR last_end >= ?2) AND (first_start IS NULL OR first_start <= ?3) AND "
            "component IN ('VEVENT', 'VFREEBUSY', 'VAVAILABILITY')";
        auto unindexed = db.prepare(
            "SELECT " + std::string(object_columns) + " FROM objects INDEXED BY objects_unindexed WHERE "
            "collection_id = ?1 AND index_state = 0 AND " + in_range +
            " UNION ALL SELECT " + std::string(object_columns) + " FROM objects INDEXED BY objects_by_horizon WHERE "
            "collection_id = ?1 AND index_state != 0 AND indexed_until IS NOT NULL AND indexed_until <= ?3 AND " +
            in_range);
        unindexed.bind(1, collection_id).bind(2, start).bind(3, end);
        std::unordered_map<std::int64_t, bool> answered;  // object: every row in the window has its busy time
        while (unindexed.step()) {
            out.others.push_back(object_from(unindexed, true));
            answered.emplace(out.others.back().id, false);
        }
        // The instance rows in the window of objects_in_range's first arm, from
        // the covering time index. A row without its busy time (a widened
        // floating or all-day instance, or a row from before schema 0011)
        // sends its object to parsing, as does, when declines count, a row
        // of a component someone declined.
        auto rows = db.prepare(
            "SELECT object_id, start_at, end_at, busy, declined FROM instances WHERE collection_id = ?1 AND "
            "start_at >= ?4 AND start_at <= ?3 AND end_at >= ?2");
        rows.bind(1, collection_id).bind(2, start).bind(3, end).bind(4, scan_start(start, max_span_of(db, collection_id)));
        std::vector<std::pair<std::int64_t, caldav::InstanceRow>> busy;
        while (rows.step()) {
            auto id = rows.int64(0);
            auto type = rows.optional_int64(3);
            auto [it, fresh] = answered.try_emplace(id, true);
            if (!type || (declines_count && rows.int64(4) != 0)) it->second = false;
            std::int64_t s = rows.int64(1), e = rows.int64(2);
            if (type && *type > 0 && s < end && e > start) busy.push_back({id, {s, e, static_cast<int>(*type)}});
        }
        for (auto& [id, row] : busy)
            if (answered[id]) out.rows.push_back(row);
        auto object = db.prepare("SELECT " + std::string(object_columns) + " FROM objects WHERE id = ?1");
        std::unordered_set<std::int64_t> read_already;
        for (const auto& o : out.others) read_already.insert(o.id);
        for (auto [id, ok] : answered) {
            if (ok || read_already.count(id)) continue;
            object.reset();
            object.bind(1, id);
            if (object.step()) out.others.push_back(object_from(object, true));
        }
        return out;
    });
}

std::optional<caldav::ObjectRecord> SqliteStore::find_object_by_uid(std::int64_t owner_id, std::string_view uid) {
    return read([&](sqlite::Db& db) -> std::optional<caldav::ObjectRecord> {
        auto s = db.prepare("SELECT " + object_columns_of("o.", true) + " FROM objects o "
                            "JOIN collections c ON c.id = o.collection_id WHERE c.owner_id = ?1 AND c.kind = "
                            "'calendar' AND o.uid = ?2 LIMIT 1");
        s.bind(1, owner_id).bind(2, uid);
        if (!s.step()) return std::nullopt;
        return object_from(s, true);
    });
}

std::vector<caldav::ObjectRecord> SqliteStore::objects_without_index(std::size_t limit) {
    return read([&](sqlite::Db& db) {
        std::vector<caldav::ObjectRecord> out;
        auto s = db.prepare("SELECT " + std::string(object_columns) +
                            " FROM objects WHERE index_state = 0 LIMIT ?1");
        s.bind(1, static_cast<std::int64_t>(limit));
        while (s.step()) out.push_back(object_from(s, true));
        return out;
    });
}

caldav::StoreStatus SqliteStore::set_instances(std::int64_t object_id, const caldav::InstanceIndex& index) {
    try {
        return write([&](sqlite::Db& db) {
            auto c = db.prepare("SELECT collection_id FROM objects WHERE id = ?1");
            c.bind(1, object_id);
            if (!c.step()) return StoreStatus::not_found;
            const auto collection_id = c.int64(0);
            write_instances(db, object_id, collection_id, index);
            // Not a member change: the collection cache learns of it here.
            db.prepare("UPDATE collections SET index_generation = index_generation + 1 WHERE id = ?1")
                .bind(1, collection_id)
                .run();
            return StoreStatus::ok;
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

std::optional<caldav::ObjectRecord> SqliteStore::find_object(std::int64_t collection_id,
                                                             std::string_view name,
                                                             bool with_data) {
    return read([&](sqlite::Db& db) -> std::optional<caldav::ObjectRecord> {
        auto s = db.prepare("SELECT " + std::string(object_columns) +
                            " FROM objects WHERE collection_id = ?1 AND name = ?2");
        s.bind(1, collection_id).bind(2, name);
        if (!s.step()) return std::nullopt;
        return object_from(s, with_data);
    });
}

namespace {

/// Queues email inside the caller's write transaction; due at once.
void insert_mail(sqlite::Db& db, const std::vector<caldav::OutgoingMail>& mail, std::int64_t now) {
    if (mail.empty()) return;
    // Jobs of the queue (schema 0014), due at once.
    auto s = db.prepare(
        "INSERT INTO jobs (owner_id, kind, payload, due_at, created_at) VALUES (?1, ?2, ?3, ?4, ?4)");
    for (const auto& m : mail) {
        s.bind(1, std::max<std::int64_t>(m.principal_id, 0))
            .bind(2, caldav::mail_job_kind)
            .bind(3, caldav::mail_job_payload(m))
            .bind(4, now)
            .run();
        s.reset();
    }
}

/// Adds jobs inside the caller's write transaction; their ids in `ids` when given.
void insert_jobs(sqlite::Db& db, const std::vector<caldav::NewJob>& jobs, std::int64_t now,
                 std::vector<std::int64_t>* ids) {
    if (jobs.empty()) return;
    auto s = db.prepare("INSERT INTO jobs (owner_id, kind, payload, due_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    for (const auto& j : jobs) {
        s.bind(1, j.owner_id).bind(2, j.kind).bind(3, j.payload).bind(4, j.due_at).bind(5, now);
        s.run();
        s.reset();
        if (ids) ids->push_back(db.last_insert_rowid());
    }
}

/// Replaces the reminder jobs of calendar object `object_id` (issue 26,
/// schema 0018) by those `indexer` gives, inside the caller's write
/// transaction: with `after` empty (the object was written) the jobs due
/// after the indexer's now go; with `after` (the horizon is extended) jobs
/// are only added. Objects outside calendars (inbox items) get none.
/// `inserted`: the object's row was inserted by this write, so it has no
/// jobs and no reminder_index row to replace (those of an earlier object
/// under the same id went with it: trigger objects_reminders_deleted and the
/// foreign key's cascade), and the two deletes are not run (issue 24).
void index_reminders(sqlite::Db& db, const caldav::ReminderIndexer& indexer, std::int64_t object_id,
                     std::int64_t collection_id, std::string_view name, std::string_view data,
                     std::optional<std::int64_t> after,
                     icalcomponent_impl* parsed, bool inserted) {
    if (!indexer) return;
    auto who = db.prepare(
        "SELECT c.owner_id, c.kind, coalesce(p.email, ''), p.name, c.name, c.timezone, coalesce((SELECT value_xml "
        "FROM dead_properties d WHERE d.collection_id = c.id AND d.object_name = '' AND d.namespace = ?2 AND "
        "d.name = ?3), ''), coalesce((SELECT i.timezone FROM collections i WHERE i.owner_id = c.owner_id AND "
        "i.name = 'inbox' AND i.kind = 'inbox'), '') FROM collections c JOIN principals p ON p.id = c.owner_id "
        "WHERE c.id = ?1");
    who.bind(1, collection_id).bind(2, caldav::names::kalends_ns).bind(3, caldav::push_display_alarms_property);
    if (!who.step()) return;
    // Column 7: the owner's zone, kept on their inbox (caldav::CollectionStore).
    const std::string email = who.text(2), owner = who.text(3), calendar = who.text(4), zone = who.text(5),
                      display = who.text(6), owner_zone = who.text(7);
    caldav::ReminderSchedule schedule;
    schedule.now = now_seconds();
    if (who.text(1) == "calendar") {
        try {
            schedule = indexer(
                {who.int64(0), email, collection_id, owner, calendar, name, data, after, zone, display, parsed,
                 owner_zone});
        } catch (const std::exception&) {
            schedule = {};
            schedule.now = now_seconds();
        }
    }
    if (!after && !inserted)
        db.prepare("DELETE FROM jobs WHERE object_id = ?1 AND kind = ?2 AND due_at > ?3")
            .bind(1, object_id)
            .bind(2, caldav::reminder_job_kind)
            .bind(3, schedule.now)
            .run();
    auto insert = db.prepare(
        "INSERT INTO jobs (owner_id, kind, payload, due_at, created_at, object_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    for (const auto& j : schedule.jobs) {
        insert.bind(1, j.owner_id).bind(2, j.kind).bind(3, j.payload).bind(4, j.due_at).bind(5, schedule.now);
        insert.bind(6, object_id).run();
        insert.reset();
    }
    if (schedule.indexed_until)
        db.prepare(
              "INSERT INTO reminder_index (object_id, indexed_until) VALUES (?1, ?2) ON CONFLICT (object_id) DO "
              "UPDATE SET indexed_until = ?2")
            .bind(1, object_id)
            .bind(2, *schedule.indexed_until)
            .run();
    else if (!inserted)
        db.prepare("DELETE FROM reminder_index WHERE object_id = ?1").bind(1, object_id).run();
}

/// Re-indexes the reminders of the objects with alarms in calendar
/// `collection_id` (its push-display-alarms or calendar-timezone changed),
/// inside the caller's write transaction.
void reindex_collection_reminders(sqlite::Db& db, const caldav::ReminderIndexer& indexer,
                                  std::int64_t collection_id) {
    if (!indexer) return;
    std::vector<std::tuple<std::int64_t, std::string, std::string>> rows;
    auto s = db.prepare(
        "SELECT o.id, o.name, o.data FROM reminder_index r JOIN objects o ON o.id = r.object_id WHERE "
        "o.collection_id = ?1");
    s.bind(1, collection_id);
    while (s.step()) rows.emplace_back(s.int64(0), s.text(1), s.text(2));
    for (const auto& [id, name, data] : rows) index_reminders(db, indexer, id, collection_id, name, data, std::nullopt);
}

/// Recomputes the zone of `owner_id` (caldav::CollectionStore) inside the
/// caller's write transaction; when it changed, keeps it on their inbox and
/// re-indexes the reminders of their calendars without a zone of their own
/// (the floating times among them move). Nothing for a user without inbox:
/// the server's zone applies to them. Returns whether it changed.
bool refresh_owner_zone(sqlite::Db& db, const caldav::ReminderIndexer& indexer, std::int64_t owner_id) {
    auto inbox = db.prepare(
        "SELECT i.id, i.timezone, p.name FROM collections i JOIN principals p ON p.id = i.owner_id WHERE "
        "i.owner_id = ?1 AND i.name = 'inbox' AND i.kind = 'inbox'");
    inbox.bind(1, owner_id);
    if (!inbox.step()) return false;
    const std::int64_t inbox_id = inbox.int64(0);
    const std::string stored = inbox.text(1), owner = inbox.text(2);
    std::string chosen;
    auto choice = db.prepare(
        "SELECT value_xml FROM dead_properties WHERE collection_id = ?1 AND object_name = '' AND namespace = ?2 "
        "AND name = ?3");
    choice.bind(1, inbox_id).bind(2, caldav::names::caldav_ns).bind(3, caldav::schedule_default_calendar_property);
    if (choice.step()) chosen = choice.text(0);
    std::vector<caldav::CollectionRecord> collections;
    auto list = db.prepare("SELECT " + std::string(collection_columns) +
                           " FROM collections WHERE owner_id = ?1 ORDER BY name");
    list.bind(1, owner_id);
    while (list.step()) collections.push_back(collection_from(list));
    const std::string zone = caldav::owner_zone_among(owner, chosen, collections);
    if (zone == stored) return false;
    db.prepare("UPDATE collections SET timezone = ?2 WHERE id = ?1").bind(1, inbox_id).bind(2, zone).run();
    for (const auto& c : collections)
        if (c.kind == caldav::CollectionKind::calendar && !caldav::has_own_zone(c))
            reindex_collection_reminders(db, indexer, c.id);
    return true;
}

/// put_object's work inside a write transaction.
caldav::PutResult put_locked(sqlite::Db& db, const caldav::PutObject& o, const caldav::ReminderIndexer& reminders,
                             icalcomponent_impl* parsed = nullptr) {
    caldav::PutResult r;
    auto current = db.prepare(
        "SELECT etag, schedule_tag, uid, content_type FROM objects WHERE collection_id = ?1 AND "
        "name = ?2");
    current.bind(1, o.collection_id).bind(2, o.name);
    std::optional<std::string> etag;
    std::string schedule_tag, old_uid;
    bool old_is_calendar_data = false;
    if (current.step())
        etag = current.text(0), schedule_tag = current.text(1), old_uid = current.text(2),
        old_is_calendar_data = current.text(3).empty();
    if (o.if_none_match && etag) {
        r.status = StoreStatus::exists;
        return r;
    }
    if ((o.if_match && (!etag || *etag != *o.if_match)) ||
        (o.if_schedule_tag_match && (schedule_tag.empty() || schedule_tag != *o.if_schedule_tag_match))) {
        r.status = StoreStatus::etag_mismatch;
        return r;
    }
    const std::string uid = o.content_type.empty() ? o.uid : resource_uid(o.name);
    // RFC 4791 §5.3.2.1 CALDAV:no-uid-conflict: the UID of a calendar object
    // resource cannot change; checked here, in the write, so that no other
    // write slips between the read of the old UID and the replacement.
    if (etag && old_is_calendar_data && o.content_type.empty() && old_uid != uid) {
        r.status = StoreStatus::uid_conflict;
        r.conflicting_name = o.name;
        return r;
    }
    auto holder = db.prepare(
        "SELECT name FROM objects WHERE collection_id = ?1 AND uid = ?2 AND name <> ?3");
    holder.bind(1, o.collection_id).bind(2, uid).bind(3, o.name);
    if (holder.step()) {
        r.status = StoreStatus::uid_conflict;
        r.conflicting_name = holder.text(0);
        return r;
    }
    auto now = now_seconds();
    std::int64_t max_span = 0;
    auto revision = log_change(db, o.collection_id, o.name, false, now, &max_span);
    if (revision == 0) {
        r.status = StoreStatus::not_found;
        return r;
    }
    r.etag = caldav::entity_tag(revision, o.data);
    r.created = !etag;
    // A renewed Schedule-Tag takes the new ETag's value: unique for the same reasons.
    r.schedule_tag = caldav::schedule_tag_after(o.schedule_tag, schedule_tag, r.etag);
    // The index state goes in with the row: a separate UPDATE would rewrite
    // the row and its partial-index entries in the same transaction.
    auto s = db.prepare(
        "INSERT INTO objects (collection_id, name, uid, component, etag, data, size, "
        "revision, first_start, last_end, created_at, modified_at, schedule_tag, content_type, index_state, "
        "indexed_until, index_exact) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13, ?14, ?15, "
        "?16) ON CONFLICT (collection_id, name) DO "
        "UPDATE SET uid = ?3, component = ?4, etag = ?5, data = ?6, size = ?7, "
        "revision = ?8, first_start = ?9, last_end = ?10, modified_at = ?11, schedule_tag = ?12, "
        "content_type = ?13, index_state = ?14, indexed_until = ?15, index_exact = ?16 RETURNING id");
    s.bind(1, o.collection_id).bind(2, o.name).bind(3, uid).bind(4, o.component);
    s.bind(5, r.etag).bind(6, o.data).bind(7, static_cast<std::int64_t>(o.data.size()));
    s.bind(8, revision).bind(9, o.first_start).bind(10, o.last_end).bind(11, now).bind(12, r.schedule_tag);
    s.bind(13, o.content_type);
    s.bind(14, o.instances ? 1 : 0);
    o.instances ? s.bind(15, o.instances->indexed_until) : s.bind_null(15);
    s.bind(16, o.instances && o.instances->exact ? 1 : 0);
    if (!s.step()) throw sqlite::Error(SQLITE_ERROR, "upsert returned no row");
    auto id = s.int64(0);
    s.reset();
    // A new object has no rows to replace.
    if (o.instances) write_instance_rows(db, id, o.collection_id, *o.instances, etag.has_value(), max_span);
    else if (etag) db.prepare("DELETE FROM instances WHERE object_id = ?1").bind(1, id).run();
    if (o.content_type.empty())
        index_reminders(db, reminders, id, o.collection_id, o.name, o.data, std::nullopt, parsed, r.created);
    return r;
}

}  // namespace

caldav::PutResult SqliteStore::put_object(const caldav::PutObject& o) {
    try {
        return write([&](sqlite::Db& db) { return put_locked(db, o, reminder_indexer_); });
    } catch (const sqlite::Error& e) {
        return {status_of(e), false, {}, {}, {}};
    }
}

namespace {

/// book_if_free's work inside a write transaction.
caldav::PutResult book_locked(sqlite::Db& db, const caldav::PutObject& o, std::int64_t owner_id,
                              const caldav::ReminderIndexer& reminders, icalcomponent_impl* parsed = nullptr) {
    auto overlap = db.prepare(
        "SELECT 1 FROM instances i JOIN objects o ON o.id = i.object_id JOIN collections c ON c.id = "
        "o.collection_id WHERE c.owner_id = ?1 AND c.kind = 'calendar' AND o.uid <> ?2 AND i.start_at < ?4 "
        "AND i.end_at > ?3 AND i.end_at > i.start_at AND (i.busy IS NULL OR i.busy >= 0) LIMIT 1");
    // A cancelled instance neither holds nor asks for the room; a
    // transparent one does both (its TRANSP is about its organizer's
    // free/busy time, not the room's). Rows of unknown busy time count.
    for (const auto& row : o.instances ? o.instances->rows : decltype(o.instances->rows){}) {
        if (row.end <= row.start || row.busy == -1) continue;
        overlap.bind(1, owner_id).bind(2, o.uid).bind(3, row.start).bind(4, row.end);
        bool busy = overlap.step();
        overlap.reset();
        if (busy) return caldav::PutResult{StoreStatus::conflict, false, {}, {}, {}};
    }
    return put_locked(db, o, reminders, parsed);
}

/// delete_object's work inside a write transaction.
StoreStatus delete_locked(sqlite::Db& db, std::int64_t collection_id, std::string_view name,
                          const std::optional<std::string>& if_match,
                          const std::optional<std::string>& if_schedule_tag_match) {
    auto current = db.prepare("SELECT etag, schedule_tag FROM objects WHERE collection_id = ?1 AND name = ?2");
    current.bind(1, collection_id).bind(2, name);
    if (!current.step()) return StoreStatus::not_found;
    if (if_match && current.text(0) != *if_match) return StoreStatus::etag_mismatch;
    if (if_schedule_tag_match && (current.text(1).empty() || current.text(1) != *if_schedule_tag_match))
        return StoreStatus::etag_mismatch;
    auto s = db.prepare("DELETE FROM objects WHERE collection_id = ?1 AND name = ?2");
    s.bind(1, collection_id).bind(2, name).run();
    auto props = db.prepare("DELETE FROM dead_properties WHERE collection_id = ?1 AND object_name = ?2");
    props.bind(1, collection_id).bind(2, name).run();
    log_change(db, collection_id, name, true, now_seconds());
    return StoreStatus::ok;
}

/// A write of a WriteSet refused: thrown inside the writer's transaction so
/// that everything the set wrote before it is rolled back.
struct Refused {
    std::size_t index;
    caldav::PutResult result;
};

/// The WriteSet's idempotency key already has a record: thrown inside the
/// writer's transaction so that nothing of the set is written.
struct IdempotencyTaken {};

/// Records `r` (after pruning a handful of records older than `retention`
/// seconds before it, its own key's included); throws IdempotencyTaken when
/// its key has a younger record.
void insert_idempotency(sqlite::Db& db, const caldav::IdempotencyRecord& r, std::int64_t retention) {
    auto prune = db.prepare(
        "DELETE FROM idempotency_records WHERE rowid IN (SELECT rowid FROM idempotency_records "
        "WHERE created_at < ?1 ORDER BY created_at LIMIT 64) OR (principal_id = ?2 AND key = ?3 AND created_at < ?1)");
    prune.bind(1, r.created_at - retention).bind(2, r.principal_id).bind(3, r.key).run();
    auto s = db.prepare(
        "INSERT INTO idempotency_records (principal_id, key, request_hash, status, body, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (principal_id, key) DO NOTHING");
    s.bind(1, r.principal_id).bind(2, r.key).bind(3, r.request_hash).bind(4, r.status).bind(5, r.body);
    s.bind(6, r.created_at).run();
    if (db.changes() != 1) throw IdempotencyTaken{};
}

}  // namespace

caldav::PutResult SqliteStore::book_if_free(const caldav::PutObject& o, std::int64_t owner_id) {
    try {
        return write([&](sqlite::Db& db) { return book_locked(db, o, owner_id, reminder_indexer_); });
    } catch (const sqlite::Error& e) {
        return {status_of(e), false, {}, {}, {}};
    }
}

caldav::CommitResult SqliteStore::commit(const caldav::WriteSet& set) {
    using Kind = caldav::ObjectWrite::Kind;
    caldav::CommitResult out;
    try {
        out.results = write([&](sqlite::Db& db) {
            // First: a taken key stops the set before any write is tried.
            if (set.idempotency)
                insert_idempotency(db, *set.idempotency, options_.idempotency_retention.count());
            std::vector<caldav::PutResult> results;
            results.reserve(set.writes.size());
            for (std::size_t i = 0; i < set.writes.size(); ++i) {
                const auto& w = set.writes[i];
                caldav::PutResult r;
                switch (w.kind) {
                // The plan's parse of the data, when it has one: not parsed again (issue 24).
                case Kind::put: r = put_locked(db, w.object, reminder_indexer_, w.parsed.get()); break;
                case Kind::book:
                    r = book_locked(db, w.object, w.booking_owner, reminder_indexer_, w.parsed.get());
                    break;
                case Kind::remove:
                    r.status = delete_locked(db, w.object.collection_id, w.object.name, w.object.if_match,
                                             w.object.if_schedule_tag_match);
                    break;
                }
                if (r.status != StoreStatus::ok) throw Refused{i, std::move(r)};
                results.push_back(std::move(r));
            }
            insert_mail(db, set.mail, now_seconds());
            insert_jobs(db, set.jobs, now_seconds(), nullptr);
            return results;
        });
    } catch (const IdempotencyTaken&) {
        out.status = StoreStatus::exists;
        out.failed = set.writes.size();
        out.idempotency_taken = true;
    } catch (Refused& refused) {
        out.status = refused.result.status;
        out.failed = refused.index;
        out.results.push_back(std::move(refused.result));
    } catch (const sqlite::Error& e) {
        out.status = status_of(e);
        out.failed = set.writes.size();
    }
    return out;
}

std::string SqliteStore::booking_policy(std::int64_t principal_id) {
    return read([&](sqlite::Db& db) {
        auto s = db.prepare("SELECT kind, booking_policy FROM principals WHERE id = ?1");
        s.bind(1, principal_id);
        if (!s.step() || s.text(0) == "user") return std::string("manual");
        return s.text(1);
    });
}

StoreStatus SqliteStore::add_resource(const std::string& name, const std::string& email, const std::string& kind,
                                      const std::string& policy) {
    try {
        return write([&](sqlite::Db& db) {
            auto s = db.prepare(
                "INSERT INTO principals (name, kind, display_name, email, password_hash, created_at, booking_policy) "
                "VALUES (?1, ?2, ?1, ?3, NULL, ?4, ?5) ON CONFLICT (name) DO NOTHING");
            s.bind(1, name).bind(2, kind).bind(3, email).bind(4, now_seconds()).bind(5, policy).run();
            return db.changes() == 1 ? StoreStatus::ok : StoreStatus::exists;
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

StoreStatus SqliteStore::delete_object(std::int64_t collection_id, std::string_view name,
                                       const std::optional<std::string>& if_match,
                                       const std::optional<std::string>& if_schedule_tag_match) {
    try {
        return write([&](sqlite::Db& db) {
            return delete_locked(db, collection_id, name, if_match, if_schedule_tag_match);
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

caldav::PutResult SqliteStore::copy_object(std::int64_t from_collection, std::string_view from_name,
                                           std::int64_t to_collection, std::string_view to_name,
                                           bool overwrite, bool remove_source) {
    try {
        return write([&](sqlite::Db& db) {
            caldav::PutResult r;
            auto src = db.prepare(
                "SELECT uid, component, data, first_start, last_end, id, schedule_tag, content_type FROM objects WHERE "
                "collection_id = ?1 AND name = ?2");
            src.bind(1, from_collection).bind(2, from_name);
            if (!src.step()) {
                r.status = StoreStatus::not_found;
                return r;
            }
            std::string uid = src.text(0), component = src.text(1), data = src.text(2);
            std::string content_type = src.text(7);
            if (!content_type.empty()) uid = resource_uid(to_name);
            auto first = src.optional_int64(3), last = src.optional_int64(4);
            auto instances = read_instances(db, src.int64(5));
            r.schedule_tag = src.text(6);
            auto dst = db.prepare(
                "SELECT uid, content_type FROM objects WHERE collection_id = ?1 AND name = ?2");
            dst.bind(1, to_collection).bind(2, to_name);
            bool exists = dst.step();
            if (exists && !overwrite) {
                r.status = StoreStatus::exists;
                return r;
            }
            // RFC 4791 §5.3.2.1: Overwrite: T replaces the resource's data, and
            // calendar data over calendar data keeps its UID (as put_locked).
            if (exists && content_type.empty() && dst.text(1).empty() && dst.text(0) != uid) {
                r.status = StoreStatus::uid_conflict;
                r.conflicting_name = std::string(to_name);
                return r;
            }
            auto holder = db.prepare(
                "SELECT name FROM objects WHERE collection_id = ?1 AND uid = ?2 AND name <> ?3 AND "
                "NOT (collection_id = ?4 AND name = ?5 AND ?6)");
            holder.bind(1, to_collection).bind(2, uid).bind(3, to_name);
            holder.bind(4, from_collection).bind(5, from_name).bind(6, remove_source ? 1 : 0);
            if (holder.step()) {
                r.status = StoreStatus::uid_conflict;
                r.conflicting_name = holder.text(0);
                return r;
            }
            // The destination collection may have gone since the request
            // looked it up: nothing is written then.
            auto target = db.prepare("SELECT 1 FROM collections WHERE id = ?1");
            target.bind(1, to_collection);
            if (!target.step()) {
                r.status = StoreStatus::not_found;
                return r;
            }
            auto now = now_seconds();
            copy_dead_properties(db, from_collection, from_name, to_collection, to_name);
            if (remove_source) {
                auto del = db.prepare("DELETE FROM objects WHERE collection_id = ?1 AND name = ?2");
                del.bind(1, from_collection).bind(2, from_name).run();
                auto props = db.prepare("DELETE FROM dead_properties WHERE collection_id = ?1 AND object_name = ?2");
                props.bind(1, from_collection).bind(2, from_name).run();
                log_change(db, from_collection, from_name, true, now);
            }
            auto revision = log_change(db, to_collection, to_name, false, now);
            r.etag = caldav::entity_tag(revision, data);
            r.created = !exists;
            auto s = db.prepare(
                "INSERT INTO objects (collection_id, name, uid, component, etag, data, size, "
                "revision, first_start, last_end, created_at, modified_at, schedule_tag, content_type) VALUES (?1, ?2, "
                "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13) ON CONFLICT (collection_id, name) DO "
                "UPDATE SET uid = ?3, component = ?4, etag = ?5, data = ?6, size = ?7, "
                "revision = ?8, first_start = ?9, last_end = ?10, modified_at = ?11, schedule_tag = ?12, "
                "content_type = ?13 RETURNING id");
            s.bind(1, to_collection).bind(2, to_name).bind(3, uid).bind(4, component);
            s.bind(5, r.etag).bind(6, data).bind(7, static_cast<std::int64_t>(data.size()));
            s.bind(8, revision).bind(9, first).bind(10, last).bind(11, now).bind(12, r.schedule_tag);
            s.bind(13, content_type);
            if (!s.step()) throw sqlite::Error(SQLITE_ERROR, "upsert returned no row");
            auto id = s.int64(0);
            s.reset();
            write_instances(db, id, to_collection, instances);
            if (content_type.empty())
                index_reminders(db, reminder_indexer_, id, to_collection, to_name, data, std::nullopt);
            return r;
        });
    } catch (const sqlite::Error& e) {
        return {status_of(e), false, {}, {}, {}};
    }
}

std::optional<caldav::ChangeSet> SqliteStore::changes_since(std::int64_t collection_id,
                                                            std::int64_t since, std::size_t limit) {
    return read([&](sqlite::Db& db) -> std::optional<caldav::ChangeSet> {
        auto floor = db.prepare("SELECT sync_floor, revision FROM collections WHERE id = ?1");
        floor.bind(1, collection_id);
        if (!floor.step() || since < floor.int64(0) || since > floor.int64(1)) return std::nullopt;
        caldav::ChangeSet out;
        out.revision = floor.int64(1);
        // Each change with the member's current metadata, from the covering
        // listing index: an incremental sync costs its changes, not the collection.
        const std::string columns = object_columns_of("o.", false);
        auto s = db.prepare(
            "SELECT c.name, c.revision, c.deleted, " + columns + " FROM changes c LEFT JOIN objects o "
            "INDEXED BY objects_listing ON o.collection_id = c.collection_id AND o.name = c.name "
            "WHERE c.collection_id = ?1 AND c.revision > ?2 ORDER BY c.revision LIMIT ?3");
        s.bind(1, collection_id).bind(2, since).bind(3, static_cast<std::int64_t>(limit));
        while (s.step()) {
            caldav::Change c{s.text(0), s.int64(1), s.int64(2) != 0, std::nullopt};
            if (!c.deleted && !s.is_null(3)) c.object = object_from(s, false, 3);
            out.changes.push_back(std::move(c));
        }
        return out;
    });
}

std::optional<caldav::ChangeSet> SqliteStore::current_members(std::int64_t collection_id, std::size_t limit) {
    return read([&](sqlite::Db& db) -> std::optional<caldav::ChangeSet> {
        auto head = db.prepare("SELECT revision FROM collections WHERE id = ?1");
        head.bind(1, collection_id);
        if (!head.step()) return std::nullopt;
        caldav::ChangeSet out;
        out.revision = head.int64(0);
        // The covering listing index in name order, as a Depth 1 PROPFIND:
        // no join from the change log to each member.
        std::string columns(object_columns);
        columns.replace(columns.rfind(", data"), 6, ", NULL");
        auto s = db.prepare("SELECT " + columns +
                            " FROM objects INDEXED BY objects_listing WHERE collection_id = ?1 ORDER BY name LIMIT ?2");
        s.bind(1, collection_id).bind(2, static_cast<std::int64_t>(limit));
        out.changes.reserve(std::min<std::size_t>(limit, 4096));
        while (s.step()) {
            auto o = object_from(s, false);
            caldav::Change c{o.name, o.revision, false, std::move(o)};
            out.changes.push_back(std::move(c));
        }
        if (out.changes.size() >= limit) return std::nullopt;
        return out;
    });
}

std::optional<caldav::HomeRecord> SqliteStore::find_home(std::int64_t owner_id) {
    return read([&](sqlite::Db& db) -> std::optional<caldav::HomeRecord> {
        auto s = db.prepare(
            "SELECT home_revision, home_sync_floor, created_at, home_modified_at FROM principals WHERE id = ?1");
        s.bind(1, owner_id);
        if (!s.step()) return std::nullopt;
        return caldav::HomeRecord{owner_id, s.int64(0), s.int64(1), s.int64(2),
                                  std::max(s.int64(2), s.int64(3))};
    });
}

std::optional<caldav::HomeChangeSet> SqliteStore::home_changes_since(std::int64_t owner_id, std::int64_t since,
                                                                     std::size_t limit) {
    return read([&](sqlite::Db& db) -> std::optional<caldav::HomeChangeSet> {
        auto floor = db.prepare("SELECT home_sync_floor, home_revision FROM principals WHERE id = ?1");
        floor.bind(1, owner_id);
        if (!floor.step() || since < floor.int64(0) || since > floor.int64(1)) return std::nullopt;
        caldav::HomeChangeSet out;
        out.revision = floor.int64(1);
        std::string columns;
        for (std::string_view rest = collection_columns; !rest.empty();) {
            auto comma = rest.find(", ");
            columns += "k." + std::string(rest.substr(0, comma));
            if (comma == std::string_view::npos) break;
            columns += ", ";
            rest.remove_prefix(comma + 2);
        }
        auto s = db.prepare(
            "SELECT h.name, h.revision, h.deleted, " + columns + " FROM home_changes h LEFT JOIN collections k "
            "ON k.owner_id = h.owner_id AND k.name = h.name "
            "WHERE h.owner_id = ?1 AND h.revision > ?2 ORDER BY h.revision LIMIT ?3");
        s.bind(1, owner_id).bind(2, since).bind(3, static_cast<std::int64_t>(limit));
        while (s.step()) {
            caldav::HomeChange c{s.text(0), s.int64(1), s.int64(2) != 0, std::nullopt};
            if (!c.deleted && !s.is_null(3)) c.collection = collection_from(s, 3);
            out.changes.push_back(std::move(c));
        }
        return out;
    });
}

// The job queue (schema 0014, caldav/store_jobs.hpp). Leasing is one write
// on the single writer connection, so two workers never take one job.

namespace {

constexpr std::string_view job_columns =
    "id, kind, owner_id, due_at, payload, attempts, last_error, lease_until, failed_at, created_at";

caldav::JobRecord job_from(sqlite::Stmt& s) {
    caldav::JobRecord j;
    j.id = s.int64(0);
    j.kind = s.text(1);
    j.owner_id = s.int64(2);
    j.due_at = s.int64(3);
    j.payload = s.text(4);
    j.attempts = s.int64(5);
    j.last_error = s.text(6);
    j.lease_until = s.int64(7);
    j.failed_at = s.optional_int64(8);
    j.created_at = s.int64(9);
    return j;
}

/// "?F, ?F+1, ..." for `n` values bound from index `first`.
std::string placeholders(std::size_t first, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += (i ? ", ?" : "?") + std::to_string(first + i);
    return out;
}

}  // namespace

StoreStatus SqliteStore::enqueue_jobs(const std::vector<caldav::NewJob>& jobs, std::vector<std::int64_t>* ids) {
    if (jobs.empty()) return StoreStatus::ok;
    try {
        auto made = write([&](sqlite::Db& db) {
            std::vector<std::int64_t> out;
            insert_jobs(db, jobs, now_seconds(), &out);
            return out;
        });
        if (ids) *ids = std::move(made);
        return StoreStatus::ok;
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

std::vector<caldav::JobRecord> SqliteStore::lease_jobs(const std::vector<std::string>& kinds, std::int64_t now,
                                                      std::int64_t lease_until, std::string_view worker,
                                                      std::size_t limit) {
    if (kinds.empty() || limit == 0) return {};
    return write([&](sqlite::Db& db) {
        auto s = db.prepare(
            "UPDATE jobs SET lease_owner = ?1, lease_until = ?2 WHERE id IN (SELECT id FROM jobs WHERE kind IN (" +
            placeholders(5, kinds.size()) +
            ") AND failed_at IS NULL AND due_at <= ?3 AND (lease_owner = '' OR lease_until < ?3) "
            "ORDER BY due_at, id LIMIT ?4) RETURNING " +
            std::string(job_columns));
        s.bind(1, worker).bind(2, lease_until).bind(3, now).bind(4, static_cast<std::int64_t>(limit));
        for (std::size_t i = 0; i < kinds.size(); ++i) s.bind(static_cast<int>(5 + i), kinds[i]);
        std::vector<caldav::JobRecord> out;
        while (s.step()) out.push_back(job_from(s));
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
            return std::tie(a.due_at, a.id) < std::tie(b.due_at, b.id);
        });
        return out;
    });
}

StoreStatus SqliteStore::complete_job(std::int64_t id, std::string_view worker) {
    try {
        bool held = write([&](sqlite::Db& db) {
            db.prepare("DELETE FROM jobs WHERE id = ?1 AND lease_owner = ?2 AND failed_at IS NULL")
                .bind(1, id)
                .bind(2, worker)
                .run();
            return db.changes() == 1;
        });
        return held ? StoreStatus::ok : StoreStatus::not_found;
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

/// Gives a job `worker` holds back (the UPDATE's SET clause `set`, with ?3 the
/// time and ?4 the error): one more attempt, the lease released.
StoreStatus SqliteStore::release_job(std::int64_t id, std::string_view worker, std::string_view set,
                                     std::int64_t time, std::string_view error) {
    try {
        bool held = write([&](sqlite::Db& db) {
            db.prepare("UPDATE jobs SET " + std::string(set) +
                       ", attempts = attempts + 1, last_error = ?4, lease_owner = '', lease_until = 0 "
                       "WHERE id = ?1 AND lease_owner = ?2 AND failed_at IS NULL")
                .bind(1, id)
                .bind(2, worker)
                .bind(3, time)
                .bind(4, error)
                .run();
            return db.changes() == 1;
        });
        return held ? StoreStatus::ok : StoreStatus::not_found;
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

StoreStatus SqliteStore::retry_job(std::int64_t id, std::string_view worker, std::int64_t due_at,
                                   std::string_view error) {
    return release_job(id, worker, "due_at = ?3", due_at, error);
}

StoreStatus SqliteStore::fail_job(std::int64_t id, std::string_view worker, std::int64_t now,
                                  std::string_view error) {
    return release_job(id, worker, "failed_at = ?3", now, error);
}

std::optional<std::int64_t> SqliteStore::next_job_due(const std::vector<std::string>& kinds) {
    if (kinds.empty()) return std::nullopt;
    return read([&](sqlite::Db& db) -> std::optional<std::int64_t> {
        auto s = db.prepare("SELECT min(CASE WHEN lease_owner = '' THEN due_at ELSE max(due_at, lease_until) END) "
                            "FROM jobs WHERE failed_at IS NULL AND kind IN (" +
                            placeholders(1, kinds.size()) + ")");
        for (std::size_t i = 0; i < kinds.size(); ++i) s.bind(static_cast<int>(1 + i), kinds[i]);
        if (!s.step() || s.is_null(0)) return std::nullopt;
        return s.int64(0);
    });
}

std::vector<caldav::JobRecord> SqliteStore::list_jobs(std::string_view kind) {
    return read([&](sqlite::Db& db) {
        auto s = db.prepare("SELECT " + std::string(job_columns) + " FROM jobs WHERE ?1 = '' OR kind = ?1 ORDER BY id");
        s.bind(1, kind);
        std::vector<caldav::JobRecord> out;
        while (s.step()) out.push_back(job_from(s));
        return out;
    });
}

// The reminder index and delivery records (schema 0018, issue 26).

StoreStatus SqliteStore::complete_job_with(std::int64_t id, std::string_view worker,
                                           const std::vector<caldav::NewJob>& next, std::string_view delivery_key,
                                           std::int64_t now) {
    try {
        return write([&](sqlite::Db& db) {
            db.prepare("DELETE FROM jobs WHERE id = ?1 AND lease_owner = ?2 AND failed_at IS NULL")
                .bind(1, id)
                .bind(2, worker)
                .run();
            if (db.changes() != 1) return StoreStatus::not_found;
            if (!delivery_key.empty()) {
                db.prepare("INSERT INTO job_deliveries (key, delivered_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING")
                    .bind(1, delivery_key)
                    .bind(2, now)
                    .run();
                if (db.changes() != 1) return StoreStatus::exists;  // delivered before: the job just goes
            }
            insert_jobs(db, next, now, nullptr);
            return StoreStatus::ok;
        });
    } catch (const sqlite::Error& e) {
        return status_of(e);
    }
}

std::size_t SqliteStore::release_leases(std::string_view worker) {
    try {
        return write([&](sqlite::Db& db) {
            db.prepare("UPDATE jobs SET lease_owner = '', lease_until = 0 WHERE lease_owner = ?1 AND failed_at IS NULL")
                .bind(1, worker)
                .run();
            return static_cast<std::size_t>(db.changes());
        });
    } catch (const sqlite::Error&) {
        return 0;
    }
}

void SqliteStore::set_reminder_indexer(caldav::ReminderIndexer indexer) { reminder_indexer_ = std::move(indexer); }

std::size_t SqliteStore::extend_reminders(std::int64_t before, std::size_t limit) {
    if (!reminder_indexer_) return 0;
    try {
        return write([&](sqlite::Db& db) {
            struct Due {
                std::int64_t id, collection_id, until;
                std::string name, data;
            };
            std::vector<Due> due;
            auto s = db.prepare(
                "SELECT r.object_id, o.collection_id, o.name, o.data, r.indexed_until FROM reminder_index r JOIN "
                "objects o ON o.id = r.object_id WHERE r.indexed_until < ?1 ORDER BY r.indexed_until LIMIT ?2");
            s.bind(1, before).bind(2, static_cast<std::int64_t>(limit));
            while (s.step()) due.push_back({s.int64(0), s.int64(1), s.int64(4), s.text(2), s.text(3)});
            for (const auto& d : due)
                index_reminders(db, reminder_indexer_, d.id, d.collection_id, d.name, d.data, d.until);
            return due.size();
        });
    } catch (const sqlite::Error&) {
        return 0;
    }
}

std::size_t SqliteStore::prune_deliveries(std::int64_t before) {
    try {
        return write([&](sqlite::Db& db) {
            db.prepare("DELETE FROM job_deliveries WHERE delivered_at < ?1").bind(1, before).run();
            return static_cast<std::size_t>(db.changes());
        });
    } catch (const sqlite::Error&) {
        return 0;
    }
}

}  // namespace server
