// HTTP Basic authentication against the store's password hashes, with a
// verified-credential cache and per-address slow-down after failures.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <unordered_map>

#include "caldav/message.hpp"
#include "src/storage/sqlite_store.hpp"

namespace server {

/// Hashes a password with yescrypt (libcrypt's strongest method) and a fresh
/// salt. Throws std::runtime_error if libcrypt cannot produce a hash.
std::string hash_password(std::string_view password);

/// True when `password` matches the crypt(3) string `hash` (constant-time compare).
bool verify_password(std::string_view password, const std::string& hash);

/// Tuning of the authenticator (from [auth] in the config file).
struct AuthOptions {
    std::chrono::seconds cache_ttl{300};         ///< how long a verified password is trusted
    unsigned free_failures = 3;                  ///< failures per address before slowing down
    std::chrono::milliseconds max_delay{5000};   ///< cap of the slow-down
    /// Password hashes computed at once. Each yescrypt run holds 16 MB: when
    /// the cached credentials of 16 busy connections expire together, an
    /// unbounded server hashed 16 times at once (a 150–200 MB spike every
    /// cache_ttl while loading 1M events); bounded, the others wait and then
    /// find the credentials verified.
    unsigned max_concurrent_hashes = 2;
};

/// Checks `Authorization: Basic` headers. Thread-safe.
class Authenticator {
public:
    /// Outcome of one check; `delay` is how long to wait before answering 401.
    struct Result {
        std::optional<caldav::Principal> principal;  ///< set on success
        std::chrono::milliseconds delay{0};
        /// Set instead when `may_hash` was false and only a password hash
        /// could decide: nothing is recorded, ask again with `may_hash`.
        bool needs_hash = false;
    };

    Authenticator(SqliteStore& store, AuthOptions options);

    /// Verifies the header value (nullopt = header absent) for a client at
    /// `remote` (its IP address, for the failure counter). Never logs secrets.
    Result authenticate(std::optional<std::string_view> authorization, const std::string& remote,
                        bool may_hash = true);

    /// Password hashes computed so far, and the most that ran at once.
    std::size_t hashes_computed() const { return hashes_; }
    unsigned peak_concurrent_hashes() const { return peak_; }

private:
    struct Cached {
        std::string digest;  ///< HMAC of (stored hash, password) under key_
        std::chrono::steady_clock::time_point expires;
    };
    struct Failures {
        unsigned count = 0;
        std::chrono::steady_clock::time_point last;
    };

    std::chrono::milliseconds record_failure(const std::string& remote);
    /// Whether `name`'s cached digest equals `d` and has not expired.
    bool cached(const std::string& name, const std::string& d);
    std::string digest(const std::string& stored_hash, std::string_view password) const;

    SqliteStore& store_;
    AuthOptions options_;
    std::string key_;  ///< random per process: cached digests are useless elsewhere
    std::mutex mutex_;
    std::unordered_map<std::string, Cached> cache_;
    std::unordered_map<std::string, Failures> failures_;
    std::counting_semaphore<> hash_slots_;
    std::atomic<std::size_t> hashes_{0};
    std::atomic<unsigned> running_{0}, peak_{0};
};

}  // namespace server
