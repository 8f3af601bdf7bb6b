// `kalends token add|list|revoke`: personal access tokens for the JSON API
// (issue 24; man/kalends.8).
#pragma once
#include <ostream>
#include <string>

#include "src/storage/account_store.hpp"

namespace server {

/// Why a token name is refused ("" when fine): empty, longer than 64 bytes,
/// or holding a control character (the list prints one token a line).
std::string token_name_problem(const std::string& name);

/// Makes a token named `token_name` for user `user` and prints it once on
/// `out`, followed by a line saying it is not shown again; only its hash is
/// stored. Returns the exit status (1 with a message on `err`: no such user,
/// name taken, database busy or full).
int token_add(AccountStore& store, const std::string& user, const std::string& token_name,
              std::ostream& out, std::ostream& err);

/// Prints the tokens of `user`, one a line: name, created (RFC 3339 UTC),
/// last use (RFC 3339 UTC, to the minute, or "never"), tab-separated.
int token_list(AccountStore& store, const std::string& user, std::ostream& out, std::ostream& err);

/// Deletes the token `token_name` of `user`; it stops working at once.
int token_revoke(AccountStore& store, const std::string& user, const std::string& token_name,
                 std::ostream& out, std::ostream& err);

}  // namespace server
