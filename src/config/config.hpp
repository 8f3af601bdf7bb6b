// Config: the one plain struct the program runs from, built from the config file
// (man/kalends.conf.5) and command-line flags (man/kalends.8).
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "caldav/availability.hpp"
#include "caldav/limits.hpp"

namespace server {

/// A configuration problem; the message names the file, key or address.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// An address to listen on. Port 0 asks the kernel for a free port.
struct ListenAddress {
    std::string host;  ///< numeric IPv4 or IPv6 address (IPv6 without brackets)
    std::uint16_t port = 0;

    /// Parses "ADDR:PORT" or "[V6ADDR]:PORT"; throws ConfigError naming `text`.
    static ListenAddress parse(const std::string& text);
    /// True for 127.0.0.0/8 and ::1.
    bool is_loopback() const;
    std::string to_string() const;
};

/// [smtp]: the relay that carries scheduling email (iMIP, RFC 6047). No url:
/// no email is sent and external attendees get SCHEDULE-STATUS 5.1.
struct SmtpConfig {
    std::string url;       ///< smtp://HOST[:PORT] or smtps://HOST[:PORT]
    std::string from;      ///< our mailbox, "Name <addr>" or "addr": From and MAIL FROM
    std::string username;  ///< empty: no authentication
    std::string password;
    std::string tls = "starttls";  ///< starttls (when offered), required, none
    std::chrono::seconds retry_min{60};    ///< first retry delay; doubles per failure
    std::chrono::seconds retry_max{3600};  ///< longest retry delay
    std::chrono::hours give_up{72};        ///< a message older than this is dropped
    std::chrono::seconds timeout{60};      ///< one delivery attempt at most
    std::size_t connections = 1;               ///< SMTP connections open at once (messages sent in parallel; see kalends.conf(5) on repeats)
    std::size_t messages_per_connection = 20;  ///< messages on one connection before a new one

    bool enabled() const { return !url.empty(); }
};

/// [imip]: answer links in invitation email for attendees without a calendar
/// program (issue 6 §5). No public_url: no links in mail, no /rsvp/ endpoint.
struct ImipLinkConfig {
    std::string public_url;   ///< base URL the links use, e.g. https://cal.example.org
    std::string link_secret;  ///< HMAC key; empty: a random one kept in the data directory
    unsigned link_days = 30;  ///< how long a link stays valid

    bool enabled() const { return !public_url.empty(); }
};

/// [push]: Web Push (RFC 8030, RFC 8291, RFC 8292) for push reminders and
/// WebDAV-Push for sync (issue 26 §5, docs/push.md).
struct PushConfig {
    /// The contact push services see in our VAPID token (RFC 8292 §2.1):
    /// mailto: or https:. Empty: mailto: the [smtp] from address, else
    /// mailto:postmaster@localhost (with a warning).
    std::string vapid_subject;
    std::filesystem::path key_file;    ///< VAPID private key (PEM); empty: DATA/vapid-key.pem, made at first start
    std::chrono::seconds ttl{86400};   ///< how long a push service keeps an undelivered message
    bool allow_http = false;           ///< accept http:// push endpoints (tests on loopback; never in production)
    std::string public_url;            ///< base of WebDAV-Push registration URLs; empty: the request's Host
    unsigned registration_days = 7;    ///< longest WebDAV-Push registration granted
    std::size_t connections = 1;       ///< push jobs sent at once (concurrent HTTP requests; see kalends.conf(5) on repeats)
};

/// [reminders]: alarms the server delivers itself (issue 26, docs/reminders.md).
struct ReminderConfig {
    bool enabled = true;             ///< deliver ACTION:EMAIL and push reminders
    unsigned horizon_days = 14;      ///< reminders are queued this far ahead
    bool display_alarms = false;     ///< also push ordinary ACTION:DISPLAY alarms (clients fire those)
    unsigned skip_after_minutes = 60;  ///< a reminder found later than this (server down) is skipped
    unsigned extend_minutes = 60;    ///< how often the horizon is extended
};

/// The [api] section: the JSON API (issue 24).
struct ApiConfig {
    /// Working hours of users who have set none (VAVAILABILITY), and the
    /// zone of users whose calendars name none: api.working-hours,
    /// api.working-days, api.time-zone.
    caldav::WorkingHours working_hours;
    unsigned conflict_horizon_days = 90;     ///< recurring events checked this far for conflicts
    /// Threads that check a new event's conflicts while it is written
    /// (api.conflict-threads; 0: each request checks on its own thread first).
    unsigned conflict_threads = 2;
    std::size_t max_availability_users = 50; ///< users in one availability check or suggestion
    unsigned max_availability_days = 62;     ///< longest range of one check or suggestion
    unsigned max_list_days = 366;            ///< longest range of one listing
    std::size_t list_page_size = 250;        ///< instances per listing page (default and most)
    std::size_t parsed_cache_entries = 10000;  ///< events kept parsed for listings and conflict checks (0: none)
    std::size_t max_json_depth = 32;         ///< nesting of a request body
    std::size_t max_json_bytes = 1 << 20;    ///< bytes of a request body
    std::size_t max_string_bytes = 64 * 1024;  ///< bytes of one string in a request body
    unsigned rate_per_minute = 600;          ///< requests per user per minute (0 = no limit)
    unsigned rate_burst = 120;               ///< requests a user may send at once above the rate
    unsigned idempotency_hours = 24;         ///< how long an Idempotency-Key's answer is kept
    unsigned session_hours = 12;             ///< how long a web app sign-in lasts (api.session-hours)
};

/// Everything the server needs to run. Defaults are the zero-configuration setup.
struct Config {
    std::filesystem::path data_dir;             ///< holds kalends.sqlite3
    std::optional<std::filesystem::path> file;  ///< the config file read, if any

    // [server]
    std::vector<ListenAddress> listen{{"127.0.0.1", 8008}};
    unsigned io_threads = 0;        ///< 0 = number of cores
    unsigned read_threads = 0;      ///< 0 = 2 x cores (GET, HEAD, OPTIONS, PROPFIND, REPORT)
    unsigned handler_threads = 0;   ///< 0 = 8 x cores (the other methods; they wait for commits)
    /// glibc malloc arenas; 0 = 2 x cores. glibc's own default (8 x cores)
    /// keeps freed answer buffers in one arena per handler thread.
    unsigned malloc_arenas = 0;
    bool allow_plain_remote = false;

    // [tls]
    std::filesystem::path tls_certificate;
    std::filesystem::path tls_key;

    // [limits]: transport
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 16 * 1024 * 1024;
    std::size_t max_connections = 1024;
    /// Connections one client address (an IPv6 /64) may hold at once; past it
    /// new ones get 503 (issue 22 §6). 0 = no per-address limit.
    std::size_t max_connections_per_address = 128;
    /// Share of max_connections (percent) above which idle keep-alive
    /// connections get pressure_idle_timeout, and the oldest idle one is
    /// closed for each new connection.
    unsigned pressure_percent = 75;
    std::chrono::milliseconds pressure_idle_timeout{2'000};  ///< idle timeout under pressure
    std::chrono::milliseconds header_timeout{30'000};  ///< to read one request's header
    std::chrono::milliseconds body_timeout{60'000};    ///< to read one request's body
    std::chrono::milliseconds idle_timeout{60'000};    ///< between requests on a connection
    std::chrono::milliseconds shutdown_grace{10'000};  ///< for in-flight requests at exit
    // [limits]: protocol
    caldav::Limits limits;
    unsigned mail_per_minute = 60;  ///< scheduling email one user's changes may send per minute

    // [smtp]
    SmtpConfig smtp;

    // [imip]
    ImipLinkConfig imip;

    // [reminders]
    ReminderConfig reminders;

    // [auth]
    std::chrono::seconds auth_cache_ttl{300};
    unsigned auth_free_failures = 3;  ///< failures per address before replies slow down
    std::chrono::milliseconds auth_max_delay{5'000};
    unsigned auth_max_concurrent_hashes = 2;  ///< yescrypt runs at once (16 MB each)
    std::size_t auth_failure_entries = 100'000;  ///< per failure table (address, account, both)
    std::chrono::seconds auth_failure_memory{900};  ///< how long a failure counts

    // [api]
    ApiConfig api;

    // [push]
    PushConfig push;

    // [log]
    std::string log_level = "info";
    std::filesystem::path log_file;  ///< empty = stderr
    std::string log_format = "text";  ///< "text" or "json" (one object per line)

    // [metrics]
    /// A file holding the bearer token that lets a non-loopback client read
    /// /metrics; empty: only loopback clients may.
    std::filesystem::path metrics_token_file;

    // [storage]
    unsigned storage_readers = 4;
    std::chrono::milliseconds busy_timeout{5'000};
    unsigned storage_cache_mb = 16;   ///< page cache per connection
    unsigned storage_mmap_mb = 0;   ///< database bytes read through mmap (0 = read(2))
    unsigned storage_collection_cache_mb = 64;  ///< in-memory copy of queried calendars (0 = off)
    std::string storage_backend = "sqlite";  ///< "sqlite" or "postgresql" (issue 27)
    std::string storage_url;                 ///< postgresql://USER@HOST:PORT/DB (backend = postgresql)
    std::filesystem::path storage_password_file;  ///< the PostgreSQL password, first line; empty: libpq's own sources
    unsigned storage_pool_size = 8;          ///< PostgreSQL connections per process

    /// The SQLite file under data_dir.
    std::filesystem::path database_file() const { return data_dir / "kalends.sqlite3"; }
    bool tls_enabled() const { return !tls_certificate.empty(); }
    /// The VAPID key file: push.key-file, or vapid-key.pem under data_dir.
    std::filesystem::path vapid_key_file() const { return push.key_file.empty() ? data_dir / "vapid-key.pem" : push.key_file; }
};

/// The data directory used when neither --data nor the config file names one:
/// $KALENDS_DATA, else /var/lib/kalends for root, else ~/.local/share/kalends.
std::filesystem::path default_data_dir();

/// Reads `file` (INI-style sections, see kalends.conf(5)) into `config`.
/// Throws ConfigError naming the file and the key for unknown keys or bad values.
void read_config_file(const std::filesystem::path& file, Config& config);

/// The settings `file` sets, as written ("section.key" -> value; a repeated
/// key's values joined by newlines), to tell what changed on SIGHUP.
/// Throws ConfigError naming the file when it cannot be read.
std::map<std::string, std::string> config_file_values(const std::filesystem::path& file);

/// True for the keys SIGHUP applies to a running server (log.level,
/// log.format, metrics.token-file); the others need a restart.
bool reloadable_setting(std::string_view key);

/// Checks what can be checked before starting: listen addresses (plain HTTP only
/// on loopback unless allowed), TLS files readable, data directory writable
/// (created when missing). Throws ConfigError naming the culprit.
void validate_for_serving(const Config& config);

/// Creates the data directory when missing and checks it is writable.
void prepare_data_dir(const Config& config);

}  // namespace server
