// SqliteStore: the storage Backend (src/storage/backend.hpp) over SQLite in WAL mode, with one
// group-committing writer thread and a pool of reader connections (DESIGN.md "Scale").
#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "src/storage/backend.hpp"
#include "caldav/write_set.hpp"
#include "src/storage/collection_cache.hpp"
#include "src/storage/migrations.hpp"
#include "src/storage/sqlite.hpp"

namespace server {

/// What SqliteStore::open needs.
struct SqliteOptions {
    std::filesystem::path file;             ///< database file; created when missing
    std::size_t readers = 4;                ///< reader connections in the pool
    std::chrono::milliseconds busy_timeout{5000};
    std::size_t max_batch = 256;            ///< writes committed together at most
    std::size_t cache_mb = 16;              ///< SQLite page cache per connection
    std::size_t mmap_mb = 0;                ///< file bytes mapped instead of read (shared by all connections)
    /// Bound of the in-memory copy of queried calendars (CollectionCache); 0 turns it off.
    std::size_t collection_cache_bytes = std::size_t{64} << 20;
    /// Idempotency records older than this are deleted when a new one is
    /// committed (a bounded handful each time) and no longer block their key
    /// (api.idempotency-hours).
    std::chrono::seconds idempotency_retention{std::chrono::hours(24)};
};

/// A Store opened from one SQLite file. Thread-safe. Writes from many threads are
/// queued to one writer thread that commits them together (group commit) with
/// synchronous=FULL, so a write returns only once it is durable; reads use a
/// pool of connections and never wait for writes (WAL).
class SqliteStore final : public Backend {
public:
    /// While one lives, the reads of the thread that made it share one pooled
    /// connection and one read transaction, begun at the first read: they see
    /// one snapshot, and a request's several lookups (credentials, principal,
    /// home, collection, objects) pay for one BEGIN, COMMIT and trip to the
    /// pool instead of one each. A write on the thread ends the snapshot
    /// first (what follows reads what was written) and gives the connection
    /// back. Sessions nest; the outer one counts. Holds a connection until it
    /// ends, so it belongs around work that is mostly reads.
    class ReadSession final : public caldav::ReadScope {
    public:
        explicit ReadSession(SqliteStore& store);
        ~ReadSession() override;
        ReadSession(const ReadSession&) = delete;
        ReadSession& operator=(const ReadSession&) = delete;

    private:
        friend class SqliteStore;
        SqliteStore* store_;
        ReadSession* outer_;        ///< the thread's session before this one
        sqlite::Db* db_ = nullptr;  ///< taken at the first read, in a transaction
        int busy_ = 0;              ///< reads running on db_ (a read inside a read)
    };

    /// Opens the file, applies `migrations` and starts the writer. Throws
    /// MigrationError or sqlite::Error with a message naming the file.
    static std::unique_ptr<SqliteStore> open(const SqliteOptions& options,
                                             const std::vector<Migration>& migrations =
                                                 builtin_migrations());
    ~SqliteStore() override;

    /// Finishes queued writes, stops the writer and closes every connection.
    /// Idempotent; called by the destructor.
    void close() override;

    /// A ReadSession.
    std::unique_ptr<caldav::ReadScope> read_scope() override;

    /// The in-memory copy of queried calendars (for tests).
    const CollectionCache& collection_cache() const { return cache_; }

    /// The schema version the file had before open() migrated it.
    int opened_version() const { return opened_version_; }

    // AccountStore (server-level; caldav/ sees principals only).
    caldav::StoreStatus add_user(const std::string& name, const std::string& email,
                                 const std::string& password_hash) override;
    caldav::StoreStatus set_password(const std::string& name, const std::string& password_hash) override;
    caldav::StoreStatus set_user_limits(const std::string& name, const caldav::UserLimits& limits) override;
    caldav::StoreStatus delete_user(const std::string& name) override;
    std::vector<caldav::PrincipalRecord> list_principals() override;
    std::optional<Credentials> find_credentials(const std::string& name) override;
    caldav::StoreStatus add_token(const std::string& user, const std::string& token_name,
                                  const std::string& token_hash) override;
    std::optional<std::vector<AccessToken>> list_tokens(const std::string& user) override;
    caldav::StoreStatus revoke_token(const std::string& user, const std::string& token_name) override;
    std::optional<TokenCredentials> find_token(const std::string& token_hash) override;
    caldav::StoreStatus touch_token(std::int64_t token_id, std::int64_t used_at) override;

    // caldav::IdempotencyStore (schema 0015).
    std::optional<caldav::IdempotencyRecord> find_idempotency(std::int64_t principal_id,
                                                              std::string_view key) override;
    std::size_t prune_idempotency(std::int64_t created_before, std::size_t limit) override;

    // caldav::GrantStore (schema 0016).
    caldav::StoreStatus set_grant(std::int64_t collection_id, std::int64_t grantee_id,
                                  caldav::SharePermission permission) override;
    caldav::StoreStatus remove_grant(std::int64_t collection_id, std::int64_t grantee_id) override;
    std::vector<caldav::GrantRecord> grants_of_collection(std::int64_t collection_id) override;
    std::vector<caldav::GrantRecord> grants_to_principal(std::int64_t grantee_id) override;
    caldav::StoreStatus invite_grant(std::int64_t collection_id, std::int64_t grantee_id,
                                     caldav::SharePermission permission, std::string_view summary,
                                     std::string_view invite_uid) override;
    caldav::StoreStatus reply_to_invite(std::int64_t collection_id, std::int64_t grantee_id,
                                        caldav::InviteStatus status) override;
    caldav::StoreStatus set_sharee_properties(std::int64_t collection_id, std::int64_t grantee_id,
                                              std::optional<std::string> display_name,
                                              std::optional<std::string> color) override;
    caldav::StoreStatus put_notification(const caldav::NotificationRecord& n) override;
    std::vector<caldav::NotificationRecord> notifications_of(std::int64_t principal_id) override;
    caldav::StoreStatus remove_notification(std::int64_t principal_id, std::string_view name) override;

    // caldav::DelegationStore (schema 0020; src/storage/sqlite_delegation.cpp).
    caldav::StoreStatus set_delegates(std::int64_t delegator_id, caldav::ProxyMode mode,
                                      const std::vector<std::int64_t>& delegate_ids) override;
    std::vector<caldav::DelegationRecord> delegations_of(std::int64_t delegator_id) override;
    std::vector<caldav::DelegationRecord> delegations_to(std::int64_t delegate_id) override;
    // caldav::FeedStore (schema 0021, issue 25 §8; src/storage/sqlite_feeds.cpp).
    caldav::StoreStatus add_feed(caldav::PublicFeed& f) override;
    std::vector<caldav::PublicFeed> feeds_of_collection(std::int64_t collection_id) override;
    std::optional<caldav::PublicFeed> find_feed(std::string_view token_hash) override;
    caldav::StoreStatus remove_feed(std::int64_t collection_id, std::int64_t id) override;

    // caldav::PushStore (schema 0019; src/storage/sqlite_push.cpp).
    caldav::StoreStatus put_push_subscription(caldav::PushSubscription& s) override;
    std::vector<caldav::PushSubscription> push_subscriptions_of(std::int64_t owner_id) override;
    std::vector<caldav::PushSubscription> collection_push_subscriptions(std::int64_t collection_id,
                                                                        std::int64_t now) override;
    std::optional<caldav::PushSubscription> find_push_subscription(std::int64_t owner_id, std::int64_t id) override;
    caldav::StoreStatus remove_push_subscription(std::int64_t owner_id, std::int64_t id) override;
    caldav::StoreStatus push_delivered(std::int64_t id, std::int64_t now) override;
    std::optional<std::int64_t> collection_revision(std::int64_t collection_id) override;
    std::size_t prune_push_subscriptions(std::int64_t now, std::size_t limit) override;

    // caldav::JobStore (schema 0014).
    caldav::StoreStatus enqueue_jobs(const std::vector<caldav::NewJob>& jobs,
                                     std::vector<std::int64_t>* ids = nullptr) override;
    std::vector<caldav::JobRecord> lease_jobs(const std::vector<std::string>& kinds, std::int64_t now,
                                              std::int64_t lease_until, std::string_view worker,
                                              std::size_t limit) override;
    caldav::StoreStatus complete_job(std::int64_t id, std::string_view worker) override;
    caldav::StoreStatus retry_job(std::int64_t id, std::string_view worker, std::int64_t due_at,
                                  std::string_view error) override;
    caldav::StoreStatus fail_job(std::int64_t id, std::string_view worker, std::int64_t now,
                                 std::string_view error) override;
    std::optional<std::int64_t> next_job_due(const std::vector<std::string>& kinds) override;
    std::vector<caldav::JobRecord> list_jobs(std::string_view kind) override;
    caldav::StoreStatus complete_job_with(std::int64_t id, std::string_view worker,
                                          const std::vector<caldav::NewJob>& next, std::string_view delivery_key,
                                          std::int64_t now) override;
    std::size_t release_leases(std::string_view worker) override;
    void set_reminder_indexer(caldav::ReminderIndexer indexer) override;
    std::size_t extend_reminders(std::int64_t before, std::size_t limit) override;
    std::size_t prune_deliveries(std::int64_t before) override;
    std::optional<caldav::PrincipalRecord> find_principal(std::string_view name) override;
    std::vector<caldav::PrincipalRecord> list_principals(std::string_view after, std::size_t limit) override;
    std::optional<caldav::PrincipalRecord> find_principal_by_email(std::string_view email) override;
    std::vector<caldav::ObjectRecord> objects_without_index(std::size_t limit) override;
    std::string booking_policy(std::int64_t principal_id) override;
    caldav::UserLimits user_limits(std::int64_t principal_id) override;
    caldav::PutResult book_if_free(const caldav::PutObject& object, std::int64_t owner_id) override;
    /// Adds a room or resource principal (no password: it cannot log in).
    caldav::StoreStatus add_resource(const std::string& name, const std::string& email, const std::string& kind,
                                     const std::string& policy) override;
    std::optional<caldav::ObjectRecord> find_object_by_uid(std::int64_t owner_id, std::string_view uid) override;
    caldav::StoreStatus set_instances(std::int64_t object_id, const caldav::InstanceIndex& index) override;
    void provision_home(std::int64_t principal_id) override;
    std::vector<caldav::CollectionRecord> list_collections(std::int64_t owner_id) override;
    std::optional<caldav::CollectionRecord> find_collection(std::int64_t owner_id,
                                                            std::string_view name) override;
    caldav::StoreStatus create_collection(caldav::CollectionRecord& c,
                                          const std::vector<caldav::DeadProperty>& dead = {}) override;
    std::vector<caldav::DeadProperty> dead_properties(std::int64_t collection_id,
                                                      std::string_view object_name) override;
    caldav::StoreStatus patch_properties(std::int64_t collection_id, std::string_view object_name,
                                         const caldav::PropertyPatch& patch) override;
    std::int64_t used_bytes(std::int64_t owner_id) override;
    caldav::StoreStatus delete_collection(std::int64_t collection_id) override;
    std::vector<caldav::ObjectRecord> list_objects(std::int64_t collection_id,
                                                   bool with_data) override;
    std::vector<caldav::ObjectRecord> list_objects_page(std::int64_t collection_id,
                                                        std::string_view after, std::size_t limit,
                                                        bool with_data) override;
    void visit_objects_in_range(std::int64_t collection_id, std::optional<std::int64_t> start,
                                std::optional<std::int64_t> end, bool with_data,
                                const std::function<void(caldav::ObjectRecord&)>& visit) override;
    void visit_objects_named(std::int64_t collection_id, const std::vector<std::string>& names, bool with_data,
                             const std::function<void(caldav::ObjectRecord&)>& visit) override;
    IndexedBusy busy_in_range(std::int64_t collection_id, std::int64_t start, std::int64_t end,
                              bool declines_count) override;
    std::optional<caldav::ObjectRecord> find_object(std::int64_t collection_id,
                                                    std::string_view name,
                                                    bool with_data) override;
    caldav::PutResult put_object(const caldav::PutObject& object) override;
    caldav::CommitResult commit(const caldav::WriteSet& writes) override;
    caldav::StoreStatus delete_object(std::int64_t collection_id, std::string_view name,
                                      const std::optional<std::string>& if_match,
                                      const std::optional<std::string>& if_schedule_tag_match = std::nullopt) override;
    caldav::PutResult copy_object(std::int64_t from_collection, std::string_view from_name,
                                  std::int64_t to_collection, std::string_view to_name, bool overwrite,
                                  bool remove_source) override;
    std::optional<caldav::ChangeSet> changes_since(std::int64_t collection_id, std::int64_t since,
                                                   std::size_t limit) override;
    caldav::PutResult copy_collection(std::int64_t owner_id, std::string_view from_name, std::string_view to_name,
                                      bool with_members, bool overwrite, bool remove_source) override;
    std::size_t backfill_owner_zones() override;
    std::optional<caldav::HomeRecord> find_home(std::int64_t owner_id) override;
    std::optional<caldav::ChangeSet> current_members(std::int64_t collection_id, std::size_t limit) override;
    std::optional<caldav::HomeChangeSet> home_changes_since(std::int64_t owner_id, std::int64_t since,
                                                            std::size_t limit) override;

    // caldav::Store: an owner's change of a shared calendar, each one writer transaction (issue 25 §7).
    caldav::StoreStatus patch_shared_collection_properties(std::int64_t collection_id,
                                                           const caldav::PropertyPatch& patch) override;
    caldav::StoreStatus delete_collection_with_shares(std::int64_t collection_id) override;

private:
    struct Job {
        std::function<void(sqlite::Db&)> run;
        std::exception_ptr error;
        bool done = false;
    };

    explicit SqliteStore(const SqliteOptions& options);

    /// Runs `fn` inside the writer's transaction and returns once committed.
    /// retry_job and fail_job: `set` is their SET clause (?3 = `time`).
    caldav::StoreStatus release_job(std::int64_t id, std::string_view worker, std::string_view set,
                                    std::int64_t time, std::string_view error);
    template <class F>
    auto write(F&& fn) -> std::invoke_result_t<F, sqlite::Db&>;
    /// write() and read() for the parts defined in other files (sqlite_push.cpp).
    void write_with(const std::function<void(sqlite::Db&)>& fn);
    void read_with(const std::function<void(sqlite::Db&)>& fn);
    /// Runs `fn` on a pooled reader inside a read transaction (the thread's
    /// ReadSession's, if it has one).
    template <class F>
    auto read(F&& fn) -> std::invoke_result_t<F, sqlite::Db&>;

    void submit(Job& job);
    void writer_loop();
    /// Copies the write-ahead log back into the database on a connection of
    /// its own when the writer's commits filled it past checkpoint_pages:
    /// off the writer thread, so that no request waits for the copy and its
    /// sync (issue 24). Each commit is durable in the log before it returns,
    /// as before; this only moves the checkpoint, never a commit's sync.
    void checkpoint_loop();
    /// sqlite3_wal_hook of the writer connection (replaces the automatic checkpoint).
    static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages);
    void configure(sqlite::Db& db, bool writer) const;
    /// patch_properties and delete_collection inside the caller's write transaction.
    caldav::StoreStatus patch_properties_in(sqlite::Db& db, std::int64_t collection_id, std::string_view object_name,
                                            const caldav::PropertyPatch& patch);
    caldav::StoreStatus delete_collection_in(sqlite::Db& db, std::int64_t collection_id);

    SqliteOptions options_;
    caldav::ReminderIndexer reminder_indexer_;  ///< issue 26: called in every object write (set before writes)
    int opened_version_ = 0;
    std::unique_ptr<sqlite::Db> writer_db_;
    std::thread writer_;
    std::mutex queue_mutex_;
    std::condition_variable queue_cv_;
    std::condition_variable done_cv_;
    std::deque<Job*> queue_;
    bool stopping_ = false;
    bool closed_ = false;

    std::unique_ptr<sqlite::Db> checkpoint_db_;  ///< the checkpointer's own connection
    std::thread checkpointer_;
    std::mutex checkpoint_mutex_;
    std::condition_variable checkpoint_cv_;
    bool checkpoint_wanted_ = false;
    bool checkpoint_stopping_ = false;

    sqlite::Db* take_reader();
    void return_reader(sqlite::Db* db);
    /// Ends `db`'s read transaction and gives it back to the pool.
    void finish_read(sqlite::Db* db);
    /// The calling thread's session of this store, if it has one.
    ReadSession* thread_session_of_this_store();
    /// Ends the calling thread's session snapshot (before a write on it).
    void end_session_snapshot();

    std::mutex readers_mutex_;
    std::condition_variable readers_cv_;
    std::vector<std::unique_ptr<sqlite::Db>> readers_;
    std::vector<sqlite::Db*> free_readers_;
    CollectionCache cache_{options_.collection_cache_bytes};
};

}  // namespace server
