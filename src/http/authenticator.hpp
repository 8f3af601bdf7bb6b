// HTTP Basic authentication against the store's password hashes, with a
// verified-credential cache and a slow-down after failures per address and
// per account (issue 22 §7); personal access tokens as Bearer credentials
// (RFC 6750 §2.1) where the caller allows them (the JSON API, issue 24).
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
#include "src/storage/account_store.hpp"

namespace server {

/// The key a client at `remote` (a numeric IP address) is counted under for
/// limits: the address itself, or for IPv6 its /64 ("2001:db8::/64"), which
/// one client usually holds whole.
std::string address_key(const std::string& remote);

/// Hashes a password with yescrypt (libcrypt's strongest method) and a fresh
/// salt. Throws std::runtime_error if libcrypt cannot produce a hash.
std::string hash_password(std::string_view password);

/// True when `password` matches the crypt(3) string `hash` (constant-time compare).
bool verify_password(std::string_view password, const std::string& hash);

/// A new personal access token: "kal_" and 32 random bytes in unpadded
/// base64url (47 characters). Throws std::runtime_error when OpenSSL has no
/// randomness.
std::string new_access_token();

/// What a token is stored as: the lowercase hex SHA-256 of its text.
std::string hash_access_token(std::string_view token);

/// A new web sign-in (session) token that stops working at `expires_at`
/// (unix seconds): "kals_EXPIRES_" and a personal access token's random
/// part. The expiry is part of the hashed text, so it cannot be altered.
std::string new_session_token(std::int64_t expires_at);

/// The expiry of a session token (unix seconds); nullopt for any other text.
std::optional<std::int64_t> session_token_expiry(std::string_view token);

/// The name a session token is stored under in the user's token list:
/// "session-EXPIRES-" and the first 12 hex digits of its hash (unique, and
/// derivable from the token, so that signing out can revoke it by name).
std::string session_token_name(std::string_view token);

/// Tuning of the authenticator (from [auth] in the config file).
struct AuthOptions {
    std::chrono::seconds cache_ttl{300};         ///< how long a verified password is trusted
    /// Failures per address, or per account, before slowing down. A success
    /// for an account clears only the failures from that address for that
    /// account: logging in as oneself does not reset guesses at others.
    unsigned free_failures = 3;
    std::chrono::milliseconds max_delay{5000};   ///< cap of the slow-down
    /// Password hashes computed at once. Each yescrypt run holds 16 MB: when
    /// the cached credentials of 16 busy connections expire together, an
    /// unbounded server hashed 16 times at once (a 150–200 MB spike every
    /// cache_ttl while loading 1M events); bounded, the others wait and then
    /// find the credentials verified.
    unsigned max_concurrent_hashes = 2;
    /// Entries each failure table (per address, per account, per address and
    /// account) holds at most; past it, the entries failed longest ago go.
    std::size_t max_failure_entries = 100000;
    /// A failure counts for this long after the last one of its key.
    std::chrono::seconds failure_memory{900};
};

/// Checks `Authorization: Basic` headers, and `Bearer` ones where allowed. Thread-safe.
class Authenticator {
public:
    /// Outcome of one check; `delay` is how long to wait before answering 401.
    struct Result {
        std::optional<caldav::Principal> principal;  ///< set on success
        std::chrono::milliseconds delay{0};
        /// Set instead when `may_hash` was false and only a password hash
        /// could decide, or a valid token's last use is due to be written
        /// (a blocking write, once a minute per token): nothing is
        /// recorded, ask again with `may_hash`.
        bool needs_hash = false;
    };

    Authenticator(AccountStore& store, AuthOptions options);

    /// Verifies the header value (nullopt = header absent) for a client at
    /// `remote` (its IP address, for the failure counter). Never logs secrets.
    /// With `allow_bearer`, "Bearer TOKEN" is checked against the stored
    /// personal access tokens (no cache: a revoked token fails at once; its
    /// last use is written at most once a minute); without it, or when the
    /// token is unknown, it is a failure like a wrong password.
    Result authenticate(std::optional<std::string_view> authorization, const std::string& remote,
                        bool may_hash = true, bool allow_bearer = false);

    /// Password hashes computed so far, and the most that ran at once.
    std::size_t hashes_computed() const { return hashes_; }
    unsigned peak_concurrent_hashes() const { return peak_; }
    /// Entries in the failure tables together (each is bounded by
    /// AuthOptions::max_failure_entries).
    std::size_t failure_entries();

private:
    struct Cached {
        std::string digest;  ///< HMAC of (stored hash, password) under key_
        std::chrono::steady_clock::time_point expires;
    };
    struct Failures {
        unsigned count = 0;
        std::chrono::steady_clock::time_point last;
    };
    using FailureTable = std::unordered_map<std::string, Failures>;

    /// Counts a failure from `remote` for account `name` (empty: no name
    /// could be read) and returns the delay before answering.
    /// The Bearer path of authenticate(): `token` is the header's credentials;
    /// `may_write` as authenticate()'s `may_hash`.
    Result authenticate_token(std::string_view token, const std::string& remote, bool may_write);
    std::chrono::milliseconds record_failure(const std::string& remote, const std::string& name);
    /// Forgets the failures from `remote` for `name` (a correct password).
    void record_success(const std::string& remote, const std::string& name);
    /// Adds one failure to `key` in `table`, keeping the table bounded;
    /// returns the new count. Needs mutex_.
    unsigned bump(FailureTable& table, const std::string& key, std::chrono::steady_clock::time_point now);
    /// Whether `name`'s cached digest equals `d` and has not expired.
    bool cached(const std::string& name, const std::string& d);
    std::string digest(const std::string& stored_hash, std::string_view password) const;

    AccountStore& store_;
    AuthOptions options_;
    std::string key_;  ///< random per process: cached digests are useless elsewhere
    std::mutex mutex_;
    std::unordered_map<std::string, Cached> cache_;
    FailureTable by_address_;  ///< every failure from an address (an IPv6 /64)
    FailureTable by_account_;  ///< every failure for an account name, from anywhere
    FailureTable by_pair_;     ///< failures from an address for one account
    std::counting_semaphore<> hash_slots_;
    std::atomic<std::size_t> hashes_{0};
    std::atomic<unsigned> running_{0}, peak_{0};
};

}  // namespace server
