// The HTTP/1.1 front end on Boost.Beast: a coroutine per connection, limits and
// timeouts answered with a status and a log line, TLS, graceful shutdown.
// This is the one translation unit (with asio_impl.cpp) that includes Beast.
#include "src/http/server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cctype>
#include <cstdio>
#include <functional>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "caldav/target.hpp"
#include "src/api/api_endpoint.hpp"
#include "src/config/settings_reload.hpp"
#include "src/http/feed_endpoint.hpp"
#include "src/http/metrics_endpoint.hpp"
#include "src/http/web_assets.hpp"
#include "src/util/log.hpp"
#include "src/util/metrics.hpp"
#include "src/util/notify.hpp"

namespace server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::use_awaitable;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

namespace {

std::shared_ptr<ssl::context> make_tls_context(const Config& c) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                     ssl::context::single_dh_use | SSL_OP_NO_RENEGOTIATION |
                     SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    // TLS 1.2: forward-secret AEAD suites only; TLS 1.3 suites are OpenSSL's defaults.
    SSL_CTX_set_cipher_list(ctx->native_handle(),
                            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                            "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                            "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(c.tls_certificate.string(), ec);
    if (ec) throw ConfigError(c.tls_certificate.string() + ": cannot load TLS certificate: " + ec.message());
    ctx->use_private_key_file(c.tls_key.string(), ssl::context::pem, ec);
    if (ec) throw ConfigError(c.tls_key.string() + ": cannot load TLS key: " + ec.message());
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
        throw ConfigError(c.tls_key.string() + ": TLS key does not match the certificate");
    return ctx;
}

/// A session as shutdown and the pressure valve see it. `done` and `cancel`
/// are touched only on the session's strand; `idle`, `idle_since` and
/// `evicting` are read from the accept loop too.
struct SessionState {
    std::atomic<bool> idle{true};
    /// When the session last became idle (steady_clock ticks).
    std::atomic<std::int64_t> idle_since{std::chrono::steady_clock::now().time_since_epoch().count()};
    std::atomic<bool> evicting{false};  ///< chosen to make room; not chosen again
    bool done = false;
    std::function<void()> cancel;

    void set_idle(bool now_idle) {
        if (now_idle && !idle) idle_since = std::chrono::steady_clock::now().time_since_epoch().count();
        idle = now_idle;
    }
};

/// A per-connection timeout that cancels (not closes) the socket when it fires,
/// so the session can still answer 408. beast::tcp_stream's own expiry closes the
/// socket, which would make the 408 impossible. Touched only on the strand.
class Deadline {
public:
    Deadline(const asio::any_io_executor& ex, tcp::socket& socket) : timer_(ex) { state_->socket = &socket; }
    ~Deadline() {
        state_->socket = nullptr;
        timer_.cancel();
    }
    Deadline(const Deadline&) = delete;
    Deadline& operator=(const Deadline&) = delete;

    /// (Re)starts the countdown; a previous one no longer counts.
    void arm(std::chrono::steady_clock::duration d) {
        auto generation = ++state_->generation;
        state_->fired = false;
        timer_.expires_after(d);
        timer_.async_wait([st = state_, generation](boost::system::error_code ec) {
            if (ec || !st->socket || st->generation != generation) return;
            st->fired = true;
            boost::system::error_code ignored;
            st->socket->cancel(ignored);
        });
    }
    /// True when the last countdown ran out (the pending operation was cancelled).
    bool fired() const { return state_->fired; }

private:
    struct State {
        tcp::socket* socket = nullptr;
        std::uint64_t generation = 0;
        bool fired = false;
    };
    asio::steady_timer timer_;
    std::shared_ptr<State> state_ = std::make_shared<State>();
};

HttpResponse plain_response(http::status status, unsigned version, std::string body) {
    HttpResponse res{status, version};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.keep_alive(false);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

/// RFC 3986 §2.2-2.3 and §3.3-3.4: the characters of a path and query
/// (unreserved, sub-delims, ":", "@", "/", "?" and "%" of an escape).
bool is_path_or_query_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("-._~!$&'()*+,;=:@/?%").find(c) != std::string_view::npos;
}

/// Why `target` is not a request-target RFC 9112 §3.2 allows (origin-form,
/// absolute-form with http(s), or "*"), or empty when it is. A fragment
/// ("#") is never sent (RFC 9110 §7.1): one that arrives is refused rather
/// than cut off, as what follows it would otherwise be dropped silently.
std::string request_target_problem(std::string_view target) {
    if (target == "*") return {};
    std::string_view path = target;
    for (std::string_view scheme : {"http://", "https://"}) {
        if (!target.starts_with(scheme)) continue;
        auto slash = target.find('/', scheme.size());
        auto authority = target.substr(scheme.size(), slash - scheme.size());
        if (authority.empty()) return "absolute-form without a host";
        for (char c : authority)
            if (!is_path_or_query_char(c) && c != '[' && c != ']') return "character not allowed in the host";
        path = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    }
    if (path.empty() || path.front() != '/') return "not an absolute path";
    for (std::size_t i = 0; i < path.size(); ++i) {
        char c = path[i];
        if (c == '#') return "a fragment (#) is not part of a request target";
        if (!is_path_or_query_char(c)) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "character 0x%02x not allowed in a request target",
                          static_cast<unsigned>(static_cast<unsigned char>(c)));
            return buf;
        }
        if (c == '%' && (i + 2 >= path.size() || !std::isxdigit(static_cast<unsigned char>(path[i + 1])) ||
                         !std::isxdigit(static_cast<unsigned char>(path[i + 2]))))
            return "malformed percent escape";
    }
    return {};
}

/// Why the request's Transfer-Encoding cannot be read, or empty. RFC 9112
/// §6.1: a transfer coding the server does not understand is answered 501;
/// chunked, alone, is the only one we read (no gzip or other coding under it).
std::string transfer_coding_problem(const http::request_header<>& head) {
    std::string codings;
    auto [first, last] = head.equal_range(http::field::transfer_encoding);
    for (auto it = first; it != last; ++it) {
        if (!codings.empty()) codings += ", ";
        codings += std::string(it->value());
    }
    if (codings.empty()) return {};
    std::string_view v(codings);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    if (caldav::iequals(v, "chunked")) return {};
    return "transfer coding '" + codings.substr(0, 64) + "' not supported (only chunked)";
}

std::string remote_of(const tcp::socket& s) {
    boost::system::error_code ec;
    auto ep = s.remote_endpoint(ec);
    return ec ? std::string("?") : ep.address().to_string();
}

/// The value of header `field` in `req`, or empty.
std::string_view header_of(const HttpRequest& req, http::field field) {
    auto it = req.find(field);
    return it == req.end() ? std::string_view() : std::string_view(it->value().data(), it->value().size());
}

std::string format_duration_ms(std::chrono::steady_clock::duration d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2fms",
                  std::chrono::duration<double, std::milli>(d).count());
    return buf;
}

}  // namespace

struct HttpServer::Impl {
    const Config& config;
    caldav::Store& store;
    caldav::Service& service;
    Authenticator& auth;
    HttpServer::RsvpHandler rsvp;
    HttpServer::ApiHandler api;

    asio::io_context ioc;
    /// Requests that only read run on `readers`, two threads per core by
    /// default: their work is CPU, and many more threads than cores only add
    /// context switches (16 instead of 2 on two cores: week query p99 7.1 ms
    /// instead of 3.8, mixed load 387 instead of 533 req/s), while one per
    /// core lets two slow reports hold up every quick read (ETag-only week
    /// queries beside two expanding clients: p50 12.5 ms instead of 1.9 with
    /// 4 threads). Requests that write run on `handlers`, many threads, as
    /// each waits for its commit while the single writer batches the others
    /// (2 instead of 16: PUT at concurrency 16 from 2,200 to 1,150 per second).
    asio::thread_pool readers;
    asio::thread_pool handlers;
    std::vector<tcp::acceptor> acceptors;
    std::vector<ListenAddress> bound;
    std::optional<asio::signal_set> signals;

    std::mutex tls_mutex;
    std::shared_ptr<ssl::context> tls;

    std::atomic<std::size_t> connections{0};
    /// The bearer token that opens /metrics (metrics.token-file); empty:
    /// loopback only. Replaced on SIGHUP, hence the mutex.
    std::string metrics_token;
    std::mutex metrics_token_mutex;
    /// The config file as the server runs it, for SIGHUP.
    SettingsReload settings_reload;
    /// Public feeds (issue 25 §8), where the backend keeps them.
    std::unique_ptr<FeedEndpoint> feeds;
    std::mutex per_address_mutex;
    /// Open connections per address_key(); an entry goes with its last connection.
    std::unordered_map<std::string, std::size_t> per_address;
    std::atomic<bool> stopping{false};
    std::atomic<std::uint64_t> request_counter{0};
    std::uint32_t id_prefix = 0;

    std::mutex sessions_mutex;
    std::uint64_t next_session = 0;
    std::unordered_map<std::uint64_t, std::pair<asio::any_io_executor, std::shared_ptr<SessionState>>>
        sessions;

    Impl(const Config& c, caldav::Store& st, caldav::Service& s, Authenticator& a, HttpServer::RsvpHandler r,
         HttpServer::ApiHandler ap)
        : config(c),
          store(st),
          service(s),
          auth(a),
          rsvp(std::move(r)),
          api(std::move(ap)),
          ioc(static_cast<int>(io_threads())),
          readers(read_threads()),
          handlers(handler_threads()),
          metrics_token(load_metrics_token(c.metrics_token_file)),
          settings_reload(c) {
        if (auto* f = dynamic_cast<caldav::FeedStore*>(&st))
            feeds = std::make_unique<FeedEndpoint>(st, *f, c.limits, c.api.rate_per_minute, c.api.rate_burst);
        id_prefix = static_cast<std::uint32_t>(
            std::chrono::steady_clock::now().time_since_epoch().count() & 0xffff);
    }

    unsigned io_threads() const {
        return config.io_threads ? config.io_threads : std::max(1u, std::thread::hardware_concurrency());
    }
    std::size_t read_threads() const {
        return config.read_threads ? config.read_threads : 2 * std::max(1u, std::thread::hardware_concurrency());
    }
    std::size_t handler_threads() const {
        return config.handler_threads ? config.handler_threads
                                      : 8 * std::max(1u, std::thread::hardware_concurrency());
    }

    std::shared_ptr<ssl::context> current_tls() {
        std::lock_guard lock(tls_mutex);
        return tls;
    }

    std::string next_request_id() {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%04x-%06llx", id_prefix,
                      static_cast<unsigned long long>(++request_counter));
        return buf;
    }

    // ---- accepting -------------------------------------------------------

    asio::awaitable<void> accept_loop(tcp::acceptor& acceptor) {
        for (;;) {
            auto [ec, accepted] = co_await acceptor.async_accept(asio::make_strand(ioc), tuple_awaitable);
            if (ec) {
                if (ec == asio::error::operation_aborted || stopping) co_return;
                log::warn("accept failed: " + ec.message());
                asio::steady_timer pause(ioc, std::chrono::milliseconds(50));
                co_await pause.async_wait(tuple_awaitable);
                continue;
            }
            if (stopping) co_return;
            tcp::socket socket(std::move(accepted));
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            auto ex = socket.get_executor();
            std::string remote = remote_of(socket);
            asio::co_spawn(ex, run_connection(std::move(socket), remote),
                           [remote](std::exception_ptr e) {
                               // The session's catch-all: one bad connection never ends the process.
                               if (!e) return;
                               try {
                                   std::rethrow_exception(e);
                               } catch (const std::exception& ex) {
                                   log::error("connection from " + remote + " ended by exception: " + ex.what());
                               }
                           });
        }
    }

    /// Counts a connection from `key` while it lives (limits.connections-per-address).
    struct AddressSlot {
        Impl& self;
        std::string key;
        std::size_t count = 0;  ///< connections from `key`, this one included
        AddressSlot(Impl& s, std::string k) : self(s), key(std::move(k)) {
            std::lock_guard lock(self.per_address_mutex);
            count = ++self.per_address[key];
        }
        ~AddressSlot() {
            std::lock_guard lock(self.per_address_mutex);
            if (auto it = self.per_address.find(key); it != self.per_address.end() && --it->second == 0)
                self.per_address.erase(it);
        }
        AddressSlot(const AddressSlot&) = delete;
        AddressSlot& operator=(const AddressSlot&) = delete;
    };

    /// More connections open than limits.pressure-percent of limits.connections.
    bool under_pressure() const {
        return connections.load() * 100 > config.max_connections * config.pressure_percent;
    }

    /// Answers 503 to a connection we do not serve, with a log line saying why.
    asio::awaitable<void> refuse(tcp::socket socket, const std::string& remote, const std::string& why) {
        log::warn("connection from " + remote + " refused: " + why);
        beast::tcp_stream stream(std::move(socket));
        Deadline deadline(co_await asio::this_coro::executor, stream.socket());
        deadline.arm(std::chrono::seconds(5));
        auto res = plain_response(http::status::service_unavailable, 11, "too many connections\n");
        res.set(http::field::retry_after, "1");
        co_await http::async_write(stream, res, tuple_awaitable);
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }

    /// Closes the connection that has been idle longest (waiting for a
    /// request, or for the first one), so that a new client can be served.
    /// False when no connection is idle.
    bool evict_oldest_idle() {
        std::pair<asio::any_io_executor, std::shared_ptr<SessionState>> victim;
        {
            std::lock_guard lock(sessions_mutex);
            std::int64_t oldest = std::numeric_limits<std::int64_t>::max();
            for (auto& [id, entry] : sessions) {
                auto& st = *entry.second;
                if (!st.idle || st.evicting || st.idle_since.load() >= oldest) continue;
                oldest = st.idle_since;
                victim = entry;
            }
            if (!victim.second) return false;
            victim.second->evicting = true;
        }
        auto state = victim.second;
        asio::post(victim.first, [state] {
            if (!state->done && state->idle && state->cancel)
                state->cancel();
            else
                state->evicting = false;  // busy again: it may be chosen later
        });
        return true;
    }

    asio::awaitable<void> run_connection(tcp::socket socket, std::string remote) {
        struct Count {
            std::atomic<std::size_t>& n;
            ~Count() { --n; }
        } count{connections};
        ++connections;
        metrics::registry().record_connection();
        // Issue 22 §6: one client must not hold the server. Its own limit
        // first, so that a client at its limit closes nobody else's connection.
        AddressSlot slot(*this, address_key(remote));
        if (config.max_connections_per_address && slot.count > config.max_connections_per_address) {
            co_await refuse(std::move(socket), remote,
                            "limits.connections-per-address (" +
                                std::to_string(config.max_connections_per_address) + ") reached");
            co_return;
        }
        if (connections.load() > config.max_connections) {
            co_await refuse(std::move(socket), remote,
                            "limits.connections (" + std::to_string(config.max_connections) + ") reached");
            co_return;
        }
        // Under pressure each new connection closes the longest-idle one, so
        // the count stays near the pressure mark while any are idle and the
        // limit is reached only by connections that are all busy.
        if (under_pressure() && evict_oldest_idle())
            log::info("connections above limits.pressure-percent: closed the longest-idle one for " + remote);
        auto state = std::make_shared<SessionState>();
        std::uint64_t id = register_session(socket.get_executor(), state);
        struct Unregister {
            Impl& self;
            std::uint64_t id;
            std::shared_ptr<SessionState> state;
            ~Unregister() {
                state->done = true;
                std::lock_guard lock(self.sessions_mutex);
                self.sessions.erase(id);
            }
        } unregister{*this, id, state};

        if (auto tls_ctx = current_tls()) {
            beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls_ctx);
            auto& sock = beast::get_lowest_layer(stream).socket();
            Deadline deadline(co_await asio::this_coro::executor, sock);
            state->cancel = [&sock] {
                boost::system::error_code ignored;
                sock.cancel(ignored);
            };
            deadline.arm(config.header_timeout);
            auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, tuple_awaitable);
            if (ec) {
                log::info("TLS handshake with " + remote + " failed: " +
                          (deadline.fired() ? std::string("timeout") : ec.message()));
                co_return;
            }
            co_await run_session(stream, deadline, *state, remote);
            deadline.arm(std::chrono::seconds(2));
            co_await stream.async_shutdown(tuple_awaitable);
        } else {
            beast::tcp_stream stream(std::move(socket));
            Deadline deadline(co_await asio::this_coro::executor, stream.socket());
            state->cancel = [&stream] { stream.cancel(); };
            co_await run_session(stream, deadline, *state, remote);
            boost::system::error_code ignored;
            stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
    }

    std::uint64_t register_session(asio::any_io_executor ex, std::shared_ptr<SessionState> state) {
        std::lock_guard lock(sessions_mutex);
        auto id = ++next_session;
        sessions.emplace(id, std::make_pair(std::move(ex), std::move(state)));
        return id;
    }

    // ---- one connection --------------------------------------------------

    template <class Stream>
    asio::awaitable<void> run_session(Stream& stream, Deadline& deadline, SessionState& state,
                                      const std::string& remote) {
        beast::flat_buffer buffer;
        for (;;) {
            state.set_idle(true);
            if (stopping) co_return;
            if (buffer.size() == 0) {
                // Idle between requests: wait for the first byte of the next
                // one; briefly when connections are scarce (issue 22 §6).
                deadline.arm(under_pressure() ? std::min(config.idle_timeout, config.pressure_idle_timeout)
                                              : config.idle_timeout);
                auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), tuple_awaitable);
                if (ec) {
                    log::debug("connection from " + remote + " closed while idle: " +
                               (deadline.fired() ? std::string("idle timeout") : ec.message()));
                    co_return;
                }
                buffer.commit(n);
            }
            state.set_idle(false);

            http::request_parser<http::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
            parser.body_limit(config.max_body_bytes);
            deadline.arm(config.header_timeout);
            auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, tuple_awaitable);
            if (hec) {
                co_await reject(stream, deadline, hec, remote, "header");
                co_return;
            }
            // Refused before any body is read; the connection closes, as the
            // body's framing (or the request's meaning) is unknown.
            if (auto why = transfer_coding_problem(parser.get()); !why.empty()) {
                co_await answer_and_close(stream, deadline, remote, http::status::not_implemented, why);
                co_return;
            }
            if (auto why = request_target_problem(parser.get().target()); !why.empty()) {
                co_await answer_and_close(stream, deadline, remote, http::status::bad_request,
                                          "malformed request target: " + why);
                co_return;
            }
            if (!parser.is_done()) {
                auto& head = parser.get();
                if (caldav::iequals(std::string(head[http::field::expect]), "100-continue")) {
                    if (parser.content_length() && *parser.content_length() > config.max_body_bytes) {
                        co_await reject(stream, deadline, http::error::body_limit, remote, "body");
                        co_return;
                    }
                    http::response<http::empty_body> cont{http::status::continue_, head.version()};
                    deadline.arm(config.body_timeout);
                    auto [cec, cn] = co_await http::async_write(stream, cont, tuple_awaitable);
                    if (cec) co_return;
                }
                deadline.arm(config.body_timeout);
                auto [bec, bn] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
                if (bec) {
                    co_await reject(stream, deadline, bec, remote, "body");
                    co_return;
                }
            }
            HttpRequest req = parser.release();
            if (!co_await respond(stream, deadline, req, remote)) co_return;
        }
    }

    /// Answers a transport-level failure with its status and a log line, then the
    /// caller closes. Ordinary endings (EOF, cancellation at shutdown) get none.
    template <class Stream>
    asio::awaitable<void> reject(Stream& stream, Deadline& deadline, boost::system::error_code ec,
                                 const std::string& remote, const char* phase) {
        if (deadline.fired()) ec = beast::error::timeout;
        if (ec == http::error::end_of_stream || ec == asio::error::eof ||
            ec == asio::error::connection_reset || ec == ssl::error::stream_truncated) {
            log::debug("connection from " + remote + " ended in " + phase + ": " + ec.message());
            co_return;
        }
        if (ec == asio::error::operation_aborted && stopping) co_return;
        http::status status = http::status::bad_request;
        std::string why = "malformed request";
        if (ec == http::error::header_limit) {
            status = http::status::request_header_fields_too_large;
            why = "header larger than limits.header-bytes (" + std::to_string(config.max_header_bytes) + ")";
        } else if (ec == http::error::body_limit) {
            status = http::status::payload_too_large;
            why = "body larger than limits.body-bytes (" + std::to_string(config.max_body_bytes) + ")";
        } else if (ec == beast::error::timeout) {
            status = http::status::request_timeout;
            why = std::string(phase) + " not received within limits." + phase + "-timeout-ms";
        }
        co_await answer_and_close(stream, deadline, remote, status, why, ec.message());
    }

    /// Answers `status` with `why` as the body and logs both (and `detail`);
    /// the caller closes.
    template <class Stream>
    asio::awaitable<void> answer_and_close(Stream& stream, Deadline& deadline, const std::string& remote,
                                           http::status status, const std::string& why,
                                           const std::string& detail = {}) {
        log::warn("rid=" + next_request_id() + " remote=" + remote + " status=" +
                  std::to_string(static_cast<unsigned>(status)) + " reason=\"" + why + "\"" +
                  (detail.empty() ? "" : " (" + detail + ")"));
        auto res = plain_response(status, 11, why + "\n");
        deadline.arm(std::chrono::seconds(5));
        co_await http::async_write(stream, res, tuple_awaitable);
    }

    // ---- one request -----------------------------------------------------

    /// Handles one request and writes its answer (streamed in chunks when the
    /// handler asked for it). Returns whether the connection stays open.
    template <class Stream>
    asio::awaitable<bool> respond(Stream& stream, Deadline& deadline, HttpRequest& req, const std::string& remote) {
        auto started = std::chrono::steady_clock::now();
        caldav::Request creq;
        creq.request_id = next_request_id();
        creq.method = std::string(req.method_string());
        creq.raw_target = std::string(req.target());
        std::string user = "-";
        caldav::Response cres;
        try {
            cres = co_await dispatch(req, creq, remote, user);
        } catch (const std::exception& e) {
            cres = internal_error(creq.request_id, e.what());
        }
        bool head = req.method() == http::verb::head;
        bool keep_alive = req.keep_alive() && !stopping;
        std::size_t body_bytes = cres.body.size();
        bool ok = true;
        if (cres.next_chunk && !head) {
            ok = co_await write_streamed(stream, deadline, req.version(), keep_alive, creq, cres, body_bytes);
        } else {
            HttpResponse res{static_cast<http::status>(cres.status), req.version()};
            copy_headers(cres, creq, res);
            res.keep_alive(keep_alive);
            res.body() = std::move(cres.body);
            res.prepare_payload();
            // HEAD: the length of what GET would send, and no body (RFC 9110 §9.3.2).
            if (head) res.body().clear();
            deadline.arm(config.body_timeout);
            auto [wec, wn] = co_await http::async_write(stream, res, tuple_awaitable);
            if (wec) {
                log::info("write to " + remote + " failed: " + wec.message());
                ok = false;
            }
        }
        log_request(creq, user, remote, cres, body_bytes, std::chrono::steady_clock::now() - started);
        metrics::registry().record_request(creq.method, metrics::classify_path(creq.path), cres.status,
                                           std::chrono::steady_clock::now() - started);
        co_return ok && keep_alive;
    }

    /// The request's log line; JSON lines carry its parts as fields too.
    void log_request(const caldav::Request& creq, const std::string& user, const std::string& remote,
                     const caldav::Response& cres, std::size_t body_bytes, std::chrono::steady_clock::duration took) {
        if (!log::enabled(log::Level::info)) return;
        // An answer link's or a public feed's token is a credential: not in the log.
        std::string target = rsvp && creq.path.starts_with("/rsvp/") ? std::string("/rsvp/(token)")
                             : FeedEndpoint::serves(creq.path)        ? std::string("/feeds/(token)")
                                                                      : creq.raw_target;
        std::string text = "rid=" + creq.request_id + " user=" + user + " remote=" + remote + " " + creq.method +
                           " " + target + " " + std::to_string(cres.status) + " " + std::to_string(body_bytes) +
                           "B " + format_duration_ms(took) +
                           (cres.precondition.empty() ? "" : " precondition=" + cres.precondition);
        if (log::format() == log::Format::text) return log::write(log::Level::info, text);
        std::vector<log::Field> fields{
            {"request_id", creq.request_id},
            {"user", user},
            {"remote", remote},
            {"method", creq.method},
            {"path", std::move(target)},
            {"status", std::int64_t{cres.status}},
            {"bytes", static_cast<std::int64_t>(body_bytes)},
            {"duration_ms", std::chrono::duration<double, std::milli>(took).count()},
        };
        if (!cres.precondition.empty()) fields.push_back({"precondition", cres.precondition});
        log::write(log::Level::info, text, fields);
    }

    static caldav::Response internal_error(const std::string& request_id, const char* what) {
        log::error("rid=" + request_id + " unexpected exception: " + what);
        caldav::Response r;
        r.status = 500;
        r.headers.set("Content-Type", "text/plain; charset=utf-8");
        r.body = "internal error; request id " + request_id + "\n";
        return r;
    }

    template <class Message>
    static void copy_headers(const caldav::Response& cres, const caldav::Request& creq, Message& res) {
        for (const auto& [name, value] : cres.headers.fields()) {
            if (caldav::iequals(name, "Content-Length")) continue;
            res.insert(name, value);
        }
        res.set("X-Request-Id", creq.request_id);
    }

    /// Writes a chunked answer: the header, `cres.body`, then each piece that
    /// cres.next_chunk gives (produced on the handler pool, as it reads the store).
    template <class Stream>
    asio::awaitable<bool> write_streamed(Stream& stream, Deadline& deadline, unsigned version, bool keep_alive,
                                         const caldav::Request& creq, caldav::Response& cres,
                                         std::size_t& body_bytes) {
        http::response<http::empty_body> head{static_cast<http::status>(cres.status), version};
        copy_headers(cres, creq, head);
        head.keep_alive(keep_alive);
        head.chunked(true);
        http::response_serializer<http::empty_body> sr{head};
        deadline.arm(config.body_timeout);
        auto [hec, hn] = co_await http::async_write_header(stream, sr, tuple_awaitable);
        if (hec) co_return false;
        std::string piece = std::move(cres.body);
        for (;;) {
            if (!piece.empty()) {
                deadline.arm(config.body_timeout);
                auto [cec, cn] = co_await asio::async_write(stream, http::make_chunk(asio::buffer(piece)), tuple_awaitable);
                if (cec) co_return false;
            }
            try {
                piece = co_await asio::co_spawn(
                    pool_for(creq.method), [&]() -> asio::awaitable<std::string> { co_return cres.next_chunk(); },
                    use_awaitable);
            } catch (const std::exception& e) {
                // The status is sent already: all we can do is end the connection.
                log::error("rid=" + creq.request_id + " streamed answer failed: " + e.what());
                co_return false;
            }
            if (piece.empty()) break;
            body_bytes += piece.size();
        }
        deadline.arm(config.body_timeout);
        auto [lec, ln] = co_await asio::async_write(stream, http::make_chunk_last(), tuple_awaitable);
        co_return !lec;
    }

    /// Whether the database answers one cheap lookup (on a reader thread); a
    /// node that answers no drains from its load balancer (issue 27).
    bool database_reachable() {
        try {
            (void)store.find_principal("");
            return true;
        } catch (const std::exception& e) {
            log::warn(std::string("health: database unreachable: ") + e.what());
            return false;
        }
    }

    asio::awaitable<caldav::Response> dispatch(HttpRequest& req, caldav::Request& creq,
                                               const std::string& remote, std::string& user) {
        auto path = caldav::decode_target(req.target());
        if (!path) {
            caldav::Response r;
            r.status = 400;
            r.headers.set("Content-Type", "text/plain; charset=utf-8");
            r.body = "malformed request target\n";
            co_return r;
        }
        creq.path = *path;
        if (creq.path == "/health" && (req.method() == http::verb::get || req.method() == http::verb::head))
            co_return co_await health(req);
        if (creq.path == "/metrics" && (req.method() == http::verb::get || req.method() == http::verb::head))
            co_return co_await scrape(req, remote);
        // The web app (issue 28): public files, no credentials.
        if (auto page = web_app_response(creq.method, creq.path, header_of(req, http::field::accept_encoding)))
            co_return std::move(*page);
        for (const auto& field : req)
            creq.headers.add(std::string(field.name_string()), std::string(field.value()));
        creq.body = std::move(req.body());

        // Answer links (issue 6 §5): the signed token is the credential.
        if (rsvp && creq.path.starts_with("/rsvp/")) {
            co_return co_await asio::co_spawn(
                handlers, [&]() -> asio::awaitable<caldav::Response> { co_return rsvp(creq); },
                use_awaitable);
        }
        auto& pool = pool_for(creq.method);
        // Public feeds (issue 25 §8): the secret in the URL is the credential.
        if (feeds && FeedEndpoint::serves(creq.path)) {
            co_return co_await asio::co_spawn(
                pool, [&]() -> asio::awaitable<caldav::Response> { co_return feeds->handle(creq); }, use_awaitable);
        }
        if (creq.path.starts_with("/.well-known/")) {
            co_return co_await asio::co_spawn(
                pool, [&]() -> asio::awaitable<caldav::Response> { co_return service.handle(creq); }, use_awaitable);
        }
        std::optional<std::string_view> authorization;
        if (auto it = req.find(http::field::authorization); it != req.end()) authorization = it->value();
        // The web app's sign-in carries its password in the body (src/api/sessions_api.cpp).
        std::optional<std::string> session_login;
        if (is_api(creq.path) && (session_login = api::session_login_authorization(creq)))
            authorization = *session_login;
        // One hop to the pool checks the credentials and handles the request.
        // A login that needs a password hash goes to `handlers`, so that
        // hashing (wrong passwords included) never holds a reader thread.
        auto on = [&](asio::thread_pool& p) {
            return asio::co_spawn(
                p,
                [&]() -> asio::awaitable<Handled> {
                    // A read-only request's lookups (credentials, principal,
                    // home, collection, members) share one snapshot and one
                    // read transaction; other requests read as they go.
                    std::unique_ptr<caldav::ReadScope> snapshot;
                    if (&p == &readers) snapshot = store.read_scope();
                    co_return authenticate_and_handle(creq, authorization, remote, &p == &handlers, user);
                },
                use_awaitable);
        };
        auto outcome = co_await on(pool);
        if (outcome.login.needs_hash) outcome = co_await on(handlers);
        if (!outcome.login.principal) {
            if (authorization) metrics::registry().record_auth_failure();
            if (outcome.login.delay.count() > 0) {
                asio::steady_timer t(co_await asio::this_coro::executor, outcome.login.delay);
                co_await t.async_wait(tuple_awaitable);
            }
            if (is_api(creq.path)) co_return api::ApiEndpoint::unauthorized_for(creq);
            caldav::Response r;
            r.status = 401;
            r.headers.set("WWW-Authenticate", "Basic realm=\"Kalends\", charset=\"UTF-8\"");
            r.headers.set("Content-Type", "text/plain; charset=utf-8");
            r.body = "authentication required\n";
            co_return r;
        }
        co_return std::move(*outcome.response);
    }

    /// Set once a user account is seen: accounts are rarely all deleted, and a
    /// stale "yes" only hides the web app's first-run hint.
    std::atomic<bool> has_users{false};

    /// GET /health: 503 "database unreachable" when the database does not
    /// answer, else "kalends VERSION" as text, or with `Accept:
    /// application/json` {"status", "version", "users"}, where `users` says
    /// whether any user account exists (the web app's first-run hint, issue
    /// 28; no names).
    asio::awaitable<caldav::Response> health(const HttpRequest& req) {
        caldav::Response r;
        r.headers.set("Cache-Control", "no-store");
        r.headers.set("Vary", "Accept");
        const bool json =
            header_of(req, http::field::accept).find("application/json") != std::string_view::npos;
        const bool reachable = co_await asio::co_spawn(
            readers,
            [&]() -> asio::awaitable<bool> {
                if (!database_reachable()) co_return false;
                if (json && !has_users.load()) {
                    try {
                        has_users = any_user();
                    } catch (const std::exception& e) {
                        log::warn(std::string("health: database unreachable: ") + e.what());
                        co_return false;
                    }
                }
                co_return true;
            },
            use_awaitable);
        if (!reachable) {
            r.status = 503;
            r.headers.set("Content-Type", "text/plain; charset=utf-8");
            r.body = "database unreachable\n";
            co_return r;
        }
        if (!json) {
            r.headers.set("Content-Type", "text/plain; charset=utf-8");
            r.body = std::string("kalends ") + KALENDS_VERSION + "\n";
            co_return r;
        }
        r.headers.set("Content-Type", "application/json");
        r.body = std::string(R"({"status":"ok","version":")") + KALENDS_VERSION + R"(","users":)" +
                 (has_users.load() ? "true" : "false") + "}";
        co_return r;
    }

    /// Whether a principal of kind "user" exists (rooms and resources cannot sign in).
    bool any_user() {
        std::string after;
        for (;;) {
            auto page = store.list_principals(after, 200);
            for (const auto& p : page)
                if (p.kind == "user") return true;
            if (page.size() < 200) return false;
            after = page.back().name;
        }
    }

    /// GET /metrics (issue 29 §1): the registry and the open connections,
    /// rendered on a reader thread (the storage figures read the database).
    asio::awaitable<caldav::Response> scrape(const HttpRequest& req, const std::string& remote) {
        caldav::Response r;
        r.headers.set("Content-Type", "text/plain; charset=utf-8");
        r.headers.set("Cache-Control", "no-store");
        std::optional<std::string_view> authorization;
        if (auto it = req.find(http::field::authorization); it != req.end()) authorization = it->value();
        std::string token;
        {
            std::lock_guard lock(metrics_token_mutex);
            token = metrics_token;
        }
        if (!metrics_access_allowed(remote, authorization, token)) {
            r.status = 403;
            r.body = "metrics are for loopback clients or the metrics.token-file token\n";
            co_return r;
        }
        r.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        r.body = co_await asio::co_spawn(
            readers,
            [&]() -> asio::awaitable<std::string> {
                auto text = metrics::registry().render();
                metrics::write_family(text, "kalends_connections_open", "gauge", "Connections open now.");
                metrics::write_sample(text, "kalends_connections_open", "", static_cast<double>(connections.load()));
                co_return text;
            },
            use_awaitable);
        co_return r;
    }

    /// The pool a request runs on: `readers` for methods that only read.
    asio::thread_pool& pool_for(std::string_view method) {
        return caldav::Service::is_read_only(method) ? readers : handlers;
    }

    struct Handled {
        Authenticator::Result login;
        std::optional<caldav::Response> response;  ///< when the login succeeded
    };

    /// On a pool thread: the credentials, then the request if they hold
    /// (`user` named first, for the log line even if the handler throws).
    Handled authenticate_and_handle(caldav::Request& creq, std::optional<std::string_view> authorization,
                                    const std::string& remote, bool may_hash, std::string& user) {
        Handled out;
        // Personal access tokens are for the API (DESIGN.md "A request's path").
        bool to_api = is_api(creq.path);
        out.login = auth.authenticate(authorization, remote, may_hash, to_api);
        if (!out.login.principal) return out;
        user = out.login.principal->name;
        creq.principal = out.login.principal;
        out.response = to_api ? api(creq) : service.handle(creq);
        return out;
    }

    /// True when the JSON API answers `path`.
    bool is_api(std::string_view path) const { return api && api::ApiEndpoint::serves(path); }

    // ---- shutdown --------------------------------------------------------

    void begin_stop() {
        if (stopping.exchange(true)) return;
        log::info("shutting down: no new connections; finishing in-flight requests");
        notify::send("STOPPING=1\nSTATUS=shutting down: finishing in-flight requests");
        for (auto& a : acceptors) {
            boost::system::error_code ignored;
            a.close(ignored);
        }
        if (signals) {
            boost::system::error_code ignored;
            signals->cancel(ignored);
        }
        std::vector<std::pair<asio::any_io_executor, std::shared_ptr<SessionState>>> all;
        {
            std::lock_guard lock(sessions_mutex);
            for (auto& [id, entry] : sessions) all.push_back(entry);
        }
        for (auto& [ex, session] : all) {
            // A named copy: clang 14 cannot capture a structured binding.
            auto state = session;
            asio::post(ex, [state] {
                if (!state->done && state->idle && state->cancel) state->cancel();
            });
        }
        asio::co_spawn(ioc, drain(), asio::detached);
    }

    asio::awaitable<void> drain() {
        auto deadline = std::chrono::steady_clock::now() + config.shutdown_grace;
        asio::steady_timer t(ioc);
        while (connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
            t.expires_after(std::chrono::milliseconds(10));
            co_await t.async_wait(tuple_awaitable);
        }
        if (connections.load() > 0)
            log::warn("shutdown grace period over; closing " + std::to_string(connections.load()) +
                      " connection(s)");
        ioc.stop();
    }

    void arm_signals() {
        signals->async_wait([this](boost::system::error_code ec, int sig) {
            if (ec) return;
            if (sig == SIGHUP) {
                reload_on_signal();
                arm_signals();
                return;
            }
            log::info(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT"));
            begin_stop();
        });
    }

    /// SIGHUP (man/kalends.8): the TLS files, the metrics token file and the
    /// settings reloadable_setting() names; one line says what was reloaded
    /// and which changed settings wait for a restart.
    void reload_on_signal() {
        notify::send("RELOADING=1");
        auto plan = settings_reload.next();
        std::vector<std::string> done;
        if (config.tls_enabled() && reload()) done.push_back("the TLS certificate and key");
        const Config& fresh = plan.fresh ? *plan.fresh : config;
        if (reload_metrics_token(fresh.metrics_token_file)) done.push_back("the metrics token");
        if (plan.fresh) apply_log_settings(*plan.fresh, plan.apply);
        done.insert(done.end(), plan.apply.begin(), plan.apply.end());
        if (!plan.error.empty())
            log::error("SIGHUP: config file not reloaded: " + plan.error);
        log::info("SIGHUP: reloaded " + join_keys(done) + "; not reloaded (restart needed): " + join_keys(plan.restart));
        notify::send("READY=1\nSTATUS=serving; reloaded " + join_keys(done));
    }

    /// Re-reads the metrics token (`file` empty: loopback only from now on).
    bool reload_metrics_token(const std::filesystem::path& file) {
        try {
            auto token = load_metrics_token(file);
            std::lock_guard lock(metrics_token_mutex);
            if (file.empty() && metrics_token.empty()) return false;
            metrics_token = std::move(token);
            return true;
        } catch (const std::exception& e) {
            log::error(std::string("SIGHUP: keeping the old metrics token: ") + e.what());
            return false;
        }
    }

    static void apply_log_settings(const Config& fresh, const std::vector<std::string>& keys) {
        if (std::find(keys.begin(), keys.end(), "log.level") == keys.end() &&
            std::find(keys.begin(), keys.end(), "log.format") == keys.end())
            return;
        // read_config_file checked both values.
        log::reconfigure(*log::parse_level(fresh.log_level), *log::parse_format(fresh.log_format));
    }

    bool reload() {
        if (!config.tls_enabled()) return true;
        try {
            auto ctx = make_tls_context(config);
            std::lock_guard lock(tls_mutex);
            tls = std::move(ctx);
            log::info("TLS certificate and key reloaded");
            return true;
        } catch (const ConfigError& e) {
            log::error(std::string("TLS reload failed, keeping the old certificate: ") + e.what());
            return false;
        }
    }
};

HttpServer::HttpServer(const Config& config, caldav::Store& store, caldav::Service& service, Authenticator& auth,
                       RsvpHandler rsvp, ApiHandler api)
    : impl_(std::make_unique<Impl>(config, store, service, auth, std::move(rsvp), std::move(api))) {}

HttpServer::~HttpServer() {
    if (impl_) {
        impl_->readers.join();
        impl_->handlers.join();
    }
}

void HttpServer::bind() {
    auto& s = *impl_;
    if (s.config.tls_enabled()) s.tls = make_tls_context(s.config);
    for (const auto& addr : s.config.listen) {
        boost::system::error_code ec;
        auto ip = asio::ip::make_address(addr.host, ec);
        if (ec) throw ConfigError("listen address " + addr.to_string() + ": " + ec.message());
        tcp::endpoint ep(ip, addr.port);
        tcp::acceptor acceptor(s.ioc);
        acceptor.open(ep.protocol(), ec);
        if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec && ip.is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
        if (!ec) acceptor.bind(ep, ec);
        if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) throw ConfigError("listen address " + addr.to_string() + ": " + ec.message());
        auto local = acceptor.local_endpoint();
        s.bound.push_back({local.address().to_string(), local.port()});
        s.acceptors.push_back(std::move(acceptor));
    }
}

std::vector<ListenAddress> HttpServer::bound() const { return impl_->bound; }

void HttpServer::run(bool handle_signals) {
    auto& s = *impl_;
    if (handle_signals) {
        s.signals.emplace(s.ioc, SIGINT, SIGTERM, SIGHUP);
        s.arm_signals();
    }
    for (std::size_t i = 0; i < s.acceptors.size(); ++i) {
        log::info(std::string("listening on ") + (s.tls ? "https://" : "http://") +
                  s.bound[i].to_string());
        asio::co_spawn(s.ioc, s.accept_loop(s.acceptors[i]), asio::detached);
    }
    // The acceptors listen since bind(): connections queue from now on.
    if (handle_signals)
        notify::send("READY=1\nSTATUS=serving on " + (s.bound.empty() ? std::string("no address") : s.bound.front().to_string()));
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < s.io_threads(); ++i) threads.emplace_back([&s] { s.ioc.run(); });
    s.ioc.run();
    for (auto& t : threads) t.join();
    // Handlers still running (past the grace period) finish before we return.
    s.readers.join();
    s.handlers.join();
    log::info("server stopped");
}

void HttpServer::stop() {
    asio::post(impl_->ioc, [impl = impl_.get()] { impl->begin_stop(); });
}

bool HttpServer::reload_tls() { return impl_->reload(); }

}  // namespace server
