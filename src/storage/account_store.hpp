// The accounts a backend keeps (issue 23 §5): users with their password
// hashes, and rooms and resources. Server-level: the CLI manages them and
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
    /// Deletes a user and everything they own; `not_found` when absent.
    virtual caldav::StoreStatus delete_user(const std::string& name) = 0;
    /// Every principal, by name.
    virtual std::vector<caldav::PrincipalRecord> list_principals() = 0;
    /// The stored hash of a principal, for authentication.
    virtual std::optional<Credentials> find_credentials(const std::string& name) = 0;
    /// Adds a room or resource principal (no password: it cannot log in).
    virtual caldav::StoreStatus add_resource(const std::string& name, const std::string& email,
                                             const std::string& kind, const std::string& policy) = 0;
};

}  // namespace server
