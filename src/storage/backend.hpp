// Backend: every storage capability in one object (issue 23 §5). The program
// opens the configured one through open_backend (src/storage/open_backend.hpp)
// and hands each part the interfaces it needs; only src/storage names the
// implementations (SqliteStore; PostgreSQL later).
#pragma once
#include "caldav/store.hpp"
#include "caldav/store_feeds.hpp"
#include "caldav/store_jobs.hpp"
#include "caldav/store_push.hpp"
#include "src/storage/account_store.hpp"

namespace server {

/// A storage backend: calendars (caldav::Store), the job queue
/// (caldav::JobStore), accounts (AccountStore) and push subscriptions
/// (caldav::PushStore) and public feeds (caldav::FeedStore) kept together.
/// read_scope() covers the reads of all.
class Backend : public caldav::Store, public caldav::JobStore, public AccountStore, public caldav::PushStore,
                public caldav::FeedStore {
public:
    /// Both: every principal (accounts), or a page of them (principal searches).
    using AccountStore::list_principals;
    using caldav::PrincipalStore::list_principals;

    /// Finishes queued writes and releases what the backend holds (threads,
    /// connections). Idempotent; nothing may be called after it.
    virtual void close() = 0;
};

}  // namespace server
