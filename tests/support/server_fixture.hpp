// ServerFixture: a real Kalends server in this process on 127.0.0.1 with a free
// port, over a real SQLite file in a temporary directory; stopped by the test.
#pragma once
#include <functional>
#include <memory>
#include <thread>

#include "caldav/service.hpp"
#include "src/config/config.hpp"
#include "src/api/api_endpoint.hpp"
#include "src/http/authenticator.hpp"
#include "src/http/rate_limiter.hpp"
#include "src/http/rsvp_endpoint.hpp"
#include "src/http/server.hpp"
#include "src/mail/rsvp_token.hpp"
#include "src/storage/sqlite_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace test_support {

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
        server::prepare_data_dir(config);
        server::SqliteOptions o;
        o.file = config.database_file();
        store = server::SqliteStore::open(o);
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

    ~ServerFixture() { stop(); }

    /// Graceful shutdown; waits until run() returned.
    void stop() {
        if (!thread.joinable()) return;
        http->stop();
        thread.join();
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
    std::unique_ptr<server::SqliteStore> store;
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
