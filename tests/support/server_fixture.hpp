// ServerFixture: a real Kalends server in this process on 127.0.0.1 with a free
// port, over a real SQLite file in a temporary directory; stopped by the test.
// With KALENDS_TEST_BACKEND=postgresql in the environment (issue 27), over a
// database of one throwaway PostgreSQL cluster per test process instead, with
// no rows in it.
#pragma once
#include <atomic>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "caldav/service.hpp"
#include "src/config/config.hpp"
#include "src/api/api_endpoint.hpp"
#include "src/http/authenticator.hpp"
#include "src/http/rate_limiter.hpp"
#include "src/http/rsvp_endpoint.hpp"
#include "src/http/server.hpp"
#include "src/jobs/attendee_refresh.hpp"
#include "src/mail/rsvp_token.hpp"
#include "src/storage/open_backend.hpp"
#include "src/storage/postgres/pg_store.hpp"
#include "src/storage/sqlite_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/postgres_cluster.hpp"
#include "tests/support/temp_dir.hpp"

namespace test_support {

/// True when KALENDS_TEST_BACKEND=postgresql: server fixtures then run on PgStore.
inline bool test_backend_is_postgres() {
    const char* b = std::getenv("KALENDS_TEST_BACKEND");
    return b && std::string(b) == "postgresql";
}

/// The test process's PostgreSQL cluster, started on first use and stopped (by
/// its PID) when the process exits; it holds a migrated template database
/// `kalends_template` that new databases copy.
inline PostgresCluster& shared_postgres_cluster() {
    static PostgresCluster cluster;
    static const bool templated = [] {
        cluster.create_database("kalends_template");
        server::PgOptions o;
        o.url = cluster.url("kalends_template");
        o.pool_size = 1;
        server::PgStore::open(o)->close();
        return true;
    }();
    (void)templated;
    return cluster;
}

/// Databases of the shared cluster that no fixture uses now.
class IdlePostgresDatabases {
public:
    /// A migrated database with no rows (an idle one emptied, every table
    /// truncated and identities restarted: ten times faster than a new copy).
    static std::string take() {
        auto& c = shared_postgres_cluster();
        std::string name;
        {
            std::lock_guard lock(mutex());
            if (!names().empty()) {
                name = names().back();
                names().pop_back();
            }
        }
        if (name.empty()) {
            static std::atomic<int> created{0};
            name = "fixture" + std::to_string(++created);
            c.create_database(name, "kalends_template");
            return name;
        }
        c.sql("DO $$ BEGIN EXECUTE (SELECT 'TRUNCATE ' || string_agg(quote_ident(tablename), ', ') || "
              "' RESTART IDENTITY CASCADE' FROM pg_tables WHERE schemaname = 'public' AND "
              "tablename <> 'kalends_schema'); END $$",
              name);
        return name;
    }
    /// Gives back a database whose users have all disconnected.
    static void give_back(std::string name) {
        std::lock_guard lock(mutex());
        names().push_back(std::move(name));
    }

private:
    static std::mutex& mutex() {
        static std::mutex m;
        return m;
    }
    static std::vector<std::string>& names() {
        static std::vector<std::string> n;
        return n;
    }
};

class ServerFixture {
public:
    /// Starts a server; `tune` may change the config first (limits, TLS, ...).
    explicit ServerFixture(const std::function<void(server::Config&)>& tune = {}) {
        config.data_dir = dir.path() / "data";
        config.listen = {{"127.0.0.1", 0}};
        config.io_threads = 2;
        config.handler_threads = 4;
        config.auth_max_delay = std::chrono::milliseconds(400);
        if (tune) tune(config);
        if (test_backend_is_postgres()) {
            pg_database = IdlePostgresDatabases::take();
            config.storage_backend = "postgresql";
            config.storage_url = shared_postgres_cluster().url(pg_database);
            config.storage_pool_size = 4;
            store = server::open_backend(config);
            std::ofstream(dir.path() / "kalends.conf") << "[storage]\nbackend = postgresql\nurl = "
                                                       << config.storage_url << "\npool-size = 2\n";
        } else {
            server::prepare_data_dir(config);
            server::SqliteOptions o;
            o.file = config.database_file();
            store = server::SqliteStore::open(o);
        }
        store->add_user("alice", "alice@example.com", server::hash_password("alice-pw"));
        store->add_user("bob", "bob@example.com", server::hash_password("bob-pw"));
        service = std::make_unique<caldav::Service>(*store, config.limits);
        auth = std::make_unique<server::Authenticator>(
            *store, server::AuthOptions{config.auth_cache_ttl, config.auth_free_failures, config.auth_max_delay});
        server::HttpServer::RsvpHandler rsvp_handler;
        if (config.imip.enabled()) {
            rsvp = std::make_unique<server::RsvpEndpoint>(*store, config.limits,
                                                          server::rsvp_link_secret(config));
            rsvp_handler = [this](const caldav::Request& r) { return rsvp->handle(r); };
        }
        api = std::make_unique<server::api::ApiEndpoint>(*store, config.limits, config.api);
        rate = std::make_unique<server::RateLimiter>(config.api.rate_per_minute, config.api.rate_burst);
        server::HttpServer::ApiHandler api_handler = [this](const caldav::Request& r) {
            if (auto wait = rate->admit(r.principal->id))
                return server::api::ApiEndpoint::rate_limited(r.request_id, wait->count());
            return api->handle(r);
        };
        http = std::make_unique<server::HttpServer>(config, *store, *service, *auth, rsvp_handler, api_handler);
        http->bind();
        port = http->bound().front().port;
        thread = std::thread([this] { http->run(false); });
    }

    ~ServerFixture() {
        stop();
        if (pg_database.empty()) return;
        // Everything that uses the store first, then its connections; then its database is free.
        http.reset();
        rate.reset();
        api.reset();
        rsvp.reset();
        auth.reset();
        service.reset();
        store->close();
        IdlePostgresDatabases::give_back(pg_database);
    }

    /// Graceful shutdown; waits until run() returned.
    void stop() {
        if (!thread.joinable()) return;
        http->stop();
        thread.join();
    }

    /// Runs the attendee-refresh jobs queued so far as the server's runner
    /// does once they are due (an answer reaches the other attendees'
    /// copies after [limits] attendee-refresh-delay); returns how many ran.
    std::size_t run_attendee_refresh() {
        server::JobRunner runner(*store, [] { return static_cast<std::int64_t>(std::time(nullptr)) + 86400; });
        server::handle_attendee_refresh(runner, *store, config.limits);
        return runner.run_due();
    }

    /// The options that point a `kalends` command at this fixture's database
    /// besides `--data`: a config file naming it on PostgreSQL, else none.
    std::vector<std::string> cli_config() const {
        if (pg_database.empty()) return {};
        return {"--config", (dir.path() / "kalends.conf").string()};
    }

    /// A request with alice's credentials unless `auth` is given ("" = none).
    static std::string request(const std::string& method, const std::string& path,
                               const std::string& body = {},
                               std::optional<std::string> auth = std::nullopt,
                               const std::string& extra_headers = {}) {
        std::string a = auth ? *auth : basic_auth("alice", "alice-pw");
        std::string r = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n";
        if (!a.empty()) r += "Authorization: " + a + "\r\n";
        r += extra_headers;
        if (!body.empty() || method == "PUT" || method == "POST")
            r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        return r + "\r\n" + body;
    }

    TempDir dir;
    server::Config config;
    std::string pg_database;  ///< the fixture's PostgreSQL database; empty on SQLite
    std::unique_ptr<server::Backend> store;  ///< a SqliteStore, or a PgStore on PostgreSQL
    std::unique_ptr<caldav::Service> service;
    std::unique_ptr<server::Authenticator> auth;
    std::unique_ptr<server::RsvpEndpoint> rsvp;  ///< with config.imip.public_url set
    std::unique_ptr<server::api::ApiEndpoint> api;  ///< the JSON API (issue 24)
    std::unique_ptr<server::RateLimiter> rate;     ///< api.rate-per-minute
    std::unique_ptr<server::HttpServer> http;
    std::uint16_t port = 0;
    std::thread thread;
};

}  // namespace test_support
