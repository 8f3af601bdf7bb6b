// PgStore: the storage Backend (src/storage/backend.hpp) over PostgreSQL
// through libpq (issue 27): a pool of connections shared by all threads, each
// call one transaction on one pooled connection, so that any number of
// kalends processes may serve one database.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "caldav/write_set.hpp"
#include "src/storage/backend.hpp"
#include "src/storage/collection_cache.hpp"
#include "src/storage/postgres/pg.hpp"
#include "src/storage/postgres/pg_migrations.hpp"

namespace server {

/// What PgStore::open needs.
struct PgOptions {
    std::string url;               ///< postgresql://USER@HOST:PORT/DB or a libpq key=value string
    std::string password;          ///< empty: libpq's own sources (PGPASSWORD, ~/.pgpass, service file)
    std::size_t pool_size = 8;     ///< connections in the pool
    /// How long a call waits for a free connection before answering `busy`.
    std::chrono::milliseconds pool_timeout{5000};
    /// As SqliteOptions::idempotency_retention.
    std::chrono::seconds idempotency_retention{std::chrono::hours(24)};
    /// Bound of this process's in-memory copy of queried calendars
    /// (CollectionCache, brought up to date from the change log on every
    /// read, so writes through other nodes are seen); 0 turns it off.
    std::size_t collection_cache_bytes = std::size_t{64} << 20;
};

/// A Store over one PostgreSQL database. Thread-safe.
///
/// Writes: each mutating call is one READ COMMITTED transaction, retried
/// from the start on a serialization failure or deadlock. A member write
/// locks the member's row, does its work, and bumps its collection's
/// revision last, with an UPDATE of the collection row sent with the COMMIT
/// (pg_store_writes.cpp, Stamps), which holds that row's lock until commit:
/// writers of one collection take revisions one after another in commit
/// order, so a sync token never skips or repeats a change. Room bookings
/// are held by an exclusion constraint (schema room_holds), jobs leased
/// with FOR UPDATE SKIP LOCKED.
///
/// Reads: no shared snapshot across calls (read_scope() batches only member
/// dead properties, see there, as does the page list_objects_page last
/// gave the thread); each read call
/// that needs more than one statement runs in its own REPEATABLE READ, READ
/// ONLY transaction (one snapshot), a single-statement read runs alone.
/// Range and multiget reads of a calendar are answered from this process's
/// CollectionCache once it is brought up to that snapshot's revision from
/// the change log (whichever node wrote).
class PgStore final : public Backend {
public:
    /// Connects the pool, applies `migrations` in one transaction (under an
    /// advisory lock, so nodes starting together migrate once). Throws
    /// pg::Error or PgMigrationError.
    static std::unique_ptr<PgStore> open(const PgOptions& options,
                                         const std::vector<PgMigration>& migrations = postgres_migrations());
    ~PgStore() override;

    /// Closes every connection. Idempotent; called by the destructor.
    void close() override;

    /// A read-only request's scope on the calling thread: once it asks for
    /// the dead properties of a second member of one collection (a PROPFIND
    /// of a calendar asks for each), those of all its members are read in
    /// one query and answered from the scope. A write on the thread forgets them.
    std::unique_ptr<caldav::ReadScope> read_scope() override;

    /// The schema version the database had before open() migrated it.
    int opened_version() const { return opened_version_; }
    /// The in-memory copy of queried calendars (for /metrics and tests).
    const CollectionCache& collection_cache() const { return cache_; }

    // AccountStore.
    caldav::StoreStatus add_user(const std::string& name, const std::string& email,
                                 const std::string& password_hash) override;
    caldav::StoreStatus set_password(const std::string& name, const std::string& password_hash) override;
    caldav::StoreStatus set_user_limits(const std::string& name, const caldav::UserLimits& limits) override;
    caldav::StoreStatus delete_user(const std::string& name) override;
    std::vector<caldav::PrincipalRecord> list_principals() override;
    std::optional<Credentials> find_credentials(const std::string& name) override;
    caldav::StoreStatus add_resource(const std::string& name, const std::string& email, const std::string& kind,
                                     const std::string& policy) override;
    caldav::StoreStatus add_token(const std::string& user, const std::string& token_name,
                                  const std::string& token_hash) override;
    std::optional<std::vector<AccessToken>> list_tokens(const std::string& user) override;
    caldav::StoreStatus revoke_token(const std::string& user, const std::string& token_name) override;
    std::optional<TokenCredentials> find_token(const std::string& token_hash) override;
    caldav::StoreStatus touch_token(std::int64_t token_id, std::int64_t used_at) override;

    // caldav::PrincipalStore.
    std::optional<caldav::PrincipalRecord> find_principal(std::string_view name) override;
    std::vector<caldav::PrincipalRecord> list_principals(std::string_view after, std::size_t limit) override;
    std::optional<caldav::PrincipalRecord> find_principal_by_email(std::string_view email) override;
    std::string booking_policy(std::int64_t principal_id) override;
    caldav::UserLimits user_limits(std::int64_t principal_id) override;

    // caldav::CollectionStore.
    void provision_home(std::int64_t principal_id) override;
    std::vector<caldav::CollectionRecord> list_collections(std::int64_t owner_id) override;
    std::optional<caldav::CollectionRecord> find_collection(std::int64_t owner_id, std::string_view name) override;
    caldav::StoreStatus create_collection(caldav::CollectionRecord& c,
                                          const std::vector<caldav::DeadProperty>& dead = {}) override;
    std::vector<caldav::DeadProperty> dead_properties(std::int64_t collection_id,
                                                      std::string_view object_name) override;
    caldav::StoreStatus patch_properties(std::int64_t collection_id, std::string_view object_name,
                                         const caldav::PropertyPatch& patch) override;
    std::int64_t used_bytes(std::int64_t owner_id) override;
    caldav::StoreStatus delete_collection(std::int64_t collection_id) override;
    caldav::PutResult copy_collection(std::int64_t owner_id, std::string_view from_name, std::string_view to_name,
                                      bool with_members, bool overwrite, bool remove_source) override;
    std::size_t backfill_owner_zones() override;

    // caldav::Store: an owner's change of a shared calendar, each one transaction
    // (issue 25 §7; pg_store_sharing.cpp).
    caldav::StoreStatus patch_shared_collection_properties(std::int64_t collection_id,
                                                           const caldav::PropertyPatch& patch) override;
    caldav::StoreStatus delete_collection_with_shares(std::int64_t collection_id) override;

    // caldav::ObjectStore.
    std::vector<caldav::ObjectRecord> list_objects(std::int64_t collection_id, bool with_data) override;
    std::vector<caldav::ObjectRecord> list_objects_page(std::int64_t collection_id, std::string_view after,
                                                        std::size_t limit, bool with_data) override;
    void visit_objects_in_range(std::int64_t collection_id, std::optional<std::int64_t> start,
                                std::optional<std::int64_t> end, bool with_data,
                                const std::function<void(caldav::ObjectRecord&)>& visit) override;
    void visit_objects_named(std::int64_t collection_id, const std::vector<std::string>& names, bool with_data,
                             const std::function<void(caldav::ObjectRecord&)>& visit) override;
    IndexedBusy busy_in_range(std::int64_t collection_id, std::int64_t start, std::int64_t end,
                              bool declines_count) override;
    std::optional<caldav::ObjectRecord> find_object_by_uid(std::int64_t owner_id, std::string_view uid) override;
    caldav::PutResult book_if_free(const caldav::PutObject& object, std::int64_t owner_id) override;
    std::vector<caldav::ObjectRecord> objects_without_index(std::size_t limit) override;
    caldav::StoreStatus set_instances(std::int64_t object_id, const caldav::InstanceIndex& index) override;
    std::optional<caldav::ObjectRecord> find_object(std::int64_t collection_id, std::string_view name,
                                                    bool with_data) override;
    caldav::PutResult put_object(const caldav::PutObject& object) override;
    caldav::StoreStatus delete_object(std::int64_t collection_id, std::string_view name,
                                      const std::optional<std::string>& if_match,
                                      const std::optional<std::string>& if_schedule_tag_match = std::nullopt) override;
    caldav::CommitResult commit(const caldav::WriteSet& writes) override;
    caldav::PutResult copy_object(std::int64_t from_collection, std::string_view from_name,
                                  std::int64_t to_collection, std::string_view to_name, bool overwrite,
                                  bool remove_source) override;

    // caldav::ChangeLog.
    std::optional<caldav::ChangeSet> changes_since(std::int64_t collection_id, std::int64_t since,
                                                   std::size_t limit) override;
    std::optional<caldav::ChangeSet> current_members(std::int64_t collection_id, std::size_t limit) override;
    std::optional<caldav::HomeRecord> find_home(std::int64_t owner_id) override;
    std::optional<caldav::HomeChangeSet> home_changes_since(std::int64_t owner_id, std::int64_t since,
                                                            std::size_t limit) override;
    /// The statement changes_since reads the change log with ($1 the
    /// collection, $2 the revision, $3 the limit), prepared once per
    /// connection; public for the test that checks its plan.
    static const std::string& changes_since_statement();

    // caldav::IdempotencyStore.
    std::optional<caldav::IdempotencyRecord> find_idempotency(std::int64_t principal_id,
                                                              std::string_view key) override;
    std::size_t prune_idempotency(std::int64_t created_before, std::size_t limit) override;

    // caldav::GrantStore.
    caldav::StoreStatus set_grant(std::int64_t collection_id, std::int64_t grantee_id,
                                  caldav::SharePermission permission) override;
    caldav::StoreStatus remove_grant(std::int64_t collection_id, std::int64_t grantee_id) override;
    std::vector<caldav::GrantRecord> grants_of_collection(std::int64_t collection_id) override;
    std::vector<caldav::GrantRecord> grants_to_principal(std::int64_t grantee_id) override;
    // Invitations and notifications (pg_store_sharing.cpp).
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

    // caldav::JobStore.
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
    // The reminder index and delivery records (pg_store_reminders.cpp).
    caldav::StoreStatus complete_job_with(std::int64_t id, std::string_view worker,
                                          const std::vector<caldav::NewJob>& next, std::string_view delivery_key,
                                          std::int64_t now) override;
    std::size_t release_leases(std::string_view worker) override;
    void set_reminder_indexer(caldav::ReminderIndexer indexer) override;
    std::size_t extend_reminders(std::int64_t before, std::size_t limit) override;
    std::size_t prune_deliveries(std::int64_t before) override;

    // caldav::DelegationStore (schema/postgresql/0007, issue 25 §5; pg_store_delegation.cpp).
    caldav::StoreStatus set_delegates(std::int64_t delegator_id, caldav::ProxyMode mode,
                                      const std::vector<std::int64_t>& delegate_ids) override;
    std::vector<caldav::DelegationRecord> delegations_of(std::int64_t delegator_id) override;
    std::vector<caldav::DelegationRecord> delegations_to(std::int64_t delegate_id) override;

    // caldav::FeedStore (schema/postgresql/0006, issue 25 §8; pg_store_feeds.cpp).
    caldav::StoreStatus add_feed(caldav::PublicFeed& f) override;
    std::vector<caldav::PublicFeed> feeds_of_collection(std::int64_t collection_id) override;
    std::optional<caldav::PublicFeed> find_feed(std::string_view token_hash) override;
    caldav::StoreStatus remove_feed(std::int64_t collection_id, std::int64_t id) override;

    // caldav::PushStore (pg_store_push.cpp).
    caldav::StoreStatus put_push_subscription(caldav::PushSubscription& s) override;
    std::vector<caldav::PushSubscription> push_subscriptions_of(std::int64_t owner_id) override;
    std::vector<caldav::PushSubscription> collection_push_subscriptions(std::int64_t collection_id,
                                                                        std::int64_t now) override;
    std::optional<caldav::PushSubscription> find_push_subscription(std::int64_t owner_id, std::int64_t id) override;
    caldav::StoreStatus remove_push_subscription(std::int64_t owner_id, std::int64_t id) override;
    caldav::StoreStatus push_delivered(std::int64_t id, std::int64_t now) override;
    std::optional<std::int64_t> collection_revision(std::int64_t collection_id) override;
    std::size_t prune_push_subscriptions(std::int64_t now, std::size_t limit) override;

private:
    explicit PgStore(const PgOptions& options) : options_(options) {}

    /// Takes a pooled connection (connecting a fresh one for a lost one);
    /// throws pg::Error when none frees up within pool_timeout.
    std::unique_ptr<pg::Conn> take();
    /// Gives a connection back (drops it when it was lost).
    void give_back(std::unique_ptr<pg::Conn> c);

    /// Runs `fn` in one READ COMMITTED transaction, from the start again on a
    /// serialization failure or deadlock; rolls back when it throws.
    template <class F>
    auto write(F&& fn) -> std::invoke_result_t<F, pg::Conn&>;
    /// Runs `fn` in one REPEATABLE READ, READ ONLY transaction (`snapshot`)
    /// or alone (each statement its own snapshot).
    template <class F>
    auto read(F&& fn, bool snapshot = false) -> std::invoke_result_t<F, pg::Conn&>;
    /// Forgets what the calling thread's read scope holds (every write first).
    static void forget_scoped_reads();
    /// patch_properties and delete_collection inside the caller's write transaction.
    caldav::StoreStatus patch_properties_in(pg::Conn& c, std::int64_t collection_id, std::string_view object_name,
                                            const caldav::PropertyPatch& patch);
    caldav::StoreStatus delete_collection_in(pg::Conn& c, std::int64_t collection_id);
    /// retry_job and fail_job: `set` is the SET clause ($3 = `time`).
    caldav::StoreStatus release_job(std::int64_t id, std::string_view worker, std::string_view set,
                                    std::int64_t time, std::string_view error);

    PgOptions options_;
    CollectionCache cache_{options_.collection_cache_bytes};
    caldav::ReminderIndexer reminder_indexer_;  ///< issue 26: called in every object write (set before writes)
    int opened_version_ = 0;
    std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<pg::Conn>> free_;
    std::size_t out_ = 0;  ///< connections taken and not yet given back
    bool closed_ = false;
};

}  // namespace server
