// HttpServer: the HTTP/1.1 (and TLS) front end that feeds caldav::Service.
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "caldav/service.hpp"
#include "src/config/config.hpp"
#include "src/http/authenticator.hpp"

namespace server {

/// Listens on the configured addresses and serves requests with a coroutine per
/// connection on a pool of I/O threads; protocol handlers run on a separate pool
/// because they block on the store. All references must outlive the server.
class HttpServer {
public:
    /// Answers unauthenticated requests under /rsvp/ (RsvpEndpoint::handle);
    /// empty: those paths go to the Service like any other.
    using RsvpHandler = std::function<caldav::Response(const caldav::Request&)>;
    /// Answers authenticated requests under /api/ (the JSON API,
    /// api::ApiEndpoint::handle behind the rate limit); empty: no API.
    using ApiHandler = std::function<caldav::Response(const caldav::Request&)>;

    /// `store` is the one `service` and `auth` read: a read-only request's
    /// reads share one snapshot of it (caldav::Store::read_scope).
    HttpServer(const Config& config, caldav::Store& store, caldav::Service& service, Authenticator& auth,
               RsvpHandler rsvp = {}, ApiHandler api = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Loads TLS (when configured) and binds every listen address. Throws
    /// ConfigError naming the address or file that failed.
    void bind();

    /// The addresses actually bound (port 0 resolved), valid after bind().
    std::vector<ListenAddress> bound() const;

    /// Serves until stop() (or SIGINT/SIGTERM when `handle_signals`; SIGHUP then
    /// reloads TLS). Returns after in-flight requests finished or the shutdown
    /// grace period ran out.
    void run(bool handle_signals);

    /// Starts a graceful shutdown: stop accepting, close idle connections, let
    /// in-flight requests finish. Thread-safe, idempotent.
    void stop();

    /// Reloads the TLS certificate and key for new connections. Thread-safe;
    /// returns false (and logs why) if they cannot be loaded, keeping the old ones.
    bool reload_tls();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace server
