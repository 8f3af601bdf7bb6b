// HTTP Basic authentication against the store's password hashes, with a
// verified-credential cache and per-address slow-down after failures.
#pragma once
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
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
};

/// Checks `Authorization: Basic` headers. Thread-safe.
class Authenticator {
public:
    /// Outcome of one check; `delay` is how long to wait before answering 401.
    struct Result {
        std::optional<caldav::Principal> principal;  ///< set on success
        std::chrono::milliseconds delay{0};
    };

    Authenticator(SqliteStore& store, AuthOptions options);

    /// Verifies the header value (nullopt = header absent) for a client at
    /// `remote` (its IP address, for the failure counter). Never logs secrets.
    Result authenticate(std::optional<std::string_view> authorization, const std::string& remote);

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
    std::string digest(const std::string& stored_hash, std::string_view password) const;

    SqliteStore& store_;
    AuthOptions options_;
    std::string key_;  ///< random per process: cached digests are useless elsewhere
    std::mutex mutex_;
    std::unordered_map<std::string, Cached> cache_;
    std::unordered_map<std::string, Failures> failures_;
};

}  // namespace server
