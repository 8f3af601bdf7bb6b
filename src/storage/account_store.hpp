// The accounts a backend keeps (issue 23 §5): users with their password
// hashes and personal access tokens (issue 24), and rooms and resources. Server-level: the CLI manages them and
// the authenticator checks passwords against them; caldav/ sees principals
// only (caldav::PrincipalStore).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "caldav/store.hpp"

namespace server {

/// Credentials of a principal for authentication.
struct Credentials {
    std::int64_t principal_id = 0;
    std::string name;
    std::string password_hash;  ///< crypt(3) string; empty = cannot log in
};

/// A personal access token as listed (its secret is never stored).
struct AccessToken {
    std::int64_t id = 0;
    std::int64_t principal_id = 0;
    std::string name;                         ///< the user's label, unique per user
    std::int64_t created_at = 0;              ///< unix seconds
    std::optional<std::int64_t> last_used_at; ///< unix seconds, to the minute; nullopt: never used
};

/// The principal a presented token stands for.
struct TokenCredentials {
    std::int64_t token_id = 0;
    std::int64_t principal_id = 0;
    std::string principal_name;               ///< URL name of the user
    std::optional<std::int64_t> last_used_at; ///< as stored
};

/// Accounts: who may log in, and the principals that exist. Thread-safe;
/// every write is one durable transaction, as for caldav::Store.
class AccountStore {
public:
    virtual ~AccountStore() = default;

    /// Adds a user; `exists` when the name is taken.
    virtual caldav::StoreStatus add_user(const std::string& name, const std::string& email,
                                         const std::string& password_hash) = 0;
    /// Replaces a user's password hash; `not_found` when there is no such user.
    virtual caldav::StoreStatus set_password(const std::string& name, const std::string& password_hash) = 0;
    /// Replaces the limits set for user `name` alone (issue 29 §6; all
    /// empty: the server's again); `not_found` when there is no such user.
    virtual caldav::StoreStatus set_user_limits(const std::string& name, const caldav::UserLimits& limits) = 0;
    /// Deletes a user and everything they own; `not_found` when absent.
    virtual caldav::StoreStatus delete_user(const std::string& name) = 0;
    /// Every principal, by name.
    virtual std::vector<caldav::PrincipalRecord> list_principals() = 0;
    /// The stored hash of a principal, for authentication.
    virtual std::optional<Credentials> find_credentials(const std::string& name) = 0;
    /// Adds a room or resource principal (no password: it cannot log in).
    virtual caldav::StoreStatus add_resource(const std::string& name, const std::string& email,
                                             const std::string& kind, const std::string& policy) = 0;

    /// Stores a personal access token of user `user` under `token_name` by
    /// its hash (lowercase hex SHA-256 of the token text). `not_found` when
    /// there is no such user (rooms and resources hold none), `exists` when
    /// the user has a token of that name.
    virtual caldav::StoreStatus add_token(const std::string& user, const std::string& token_name,
                                          const std::string& token_hash) = 0;
    /// The tokens of `user`, by name; nullopt when there is no such user.
    virtual std::optional<std::vector<AccessToken>> list_tokens(const std::string& user) = 0;
    /// Deletes a token: it stops working at once. `not_found` when the user
    /// or the token is absent.
    virtual caldav::StoreStatus revoke_token(const std::string& user, const std::string& token_name) = 0;
    /// Who the token with hash `token_hash` belongs to; nullopt when none.
    virtual std::optional<TokenCredentials> find_token(const std::string& token_hash) = 0;
    /// Sets the token's last use to `used_at` (unix seconds) unless it is
    /// already at or after `used_at - 59`: concurrent callers write it once a minute.
    virtual caldav::StoreStatus touch_token(std::int64_t token_id, std::int64_t used_at) = 0;
};

}  // namespace server
