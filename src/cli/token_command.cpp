// Personal access tokens from the command line (issue 24): shown once, stored
// as their SHA-256 (src/http/authenticator.hpp), revocable.
#include "src/cli/token_command.hpp"

#include <ctime>

#include "ical/event_spec.hpp"
#include "src/http/authenticator.hpp"
#include "src/http/user_name.hpp"

namespace server {

namespace {

constexpr std::size_t max_token_name_bytes = 64;

/// `user` as stored: as given, else in NFC (names are stored in NFC).
std::string stored_user(AccountStore& store, const std::string& user) {
    if (store.list_tokens(user)) return user;
    return to_nfc(user).value_or(user);
}


}  // namespace

std::string token_name_problem(const std::string& name) {
    if (name.empty()) return "a token needs a --name";
    if (name.size() > max_token_name_bytes) return "a token name has at most 64 bytes";
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7f) return "a token name has no control characters";
    return {};
}

int token_add(AccountStore& store, const std::string& user, const std::string& token_name,
              std::ostream& out, std::ostream& err) {
    if (auto why = token_name_problem(token_name); !why.empty()) {
        err << "kalends: token not added: " << why << "\n";
        return 1;
    }
    auto name = stored_user(store, user);
    auto token = new_access_token();
    auto status = store.add_token(name, token_name, hash_access_token(token));
    if (status == caldav::StoreStatus::not_found) {
        err << "kalends: no user '" << name << "' (rooms and resources hold no tokens)\n";
        return 1;
    }
    if (status == caldav::StoreStatus::exists) {
        err << "kalends: user '" << name << "' already has a token named '" << token_name << "'\n";
        return 1;
    }
    if (status != caldav::StoreStatus::ok) {
        err << "kalends: cannot add the token: database busy or full\n";
        return 1;
    }
    out << token << "\n";
    out << "(token '" << token_name << "' for " << name << "; it is not shown again)\n";
    return 0;
}

int token_list(AccountStore& store, const std::string& user, std::ostream& out, std::ostream& err) {
    auto name = stored_user(store, user);
    auto tokens = store.list_tokens(name);
    if (!tokens) {
        err << "kalends: no user '" << name << "'\n";
        return 1;
    }
    for (const auto& t : *tokens)
        out << t.name << "\tcreated=" << ical::format_rfc3339(t.created_at)
            << "\tlast-used=" << (t.last_used_at ? ical::format_rfc3339(*t.last_used_at) : std::string("never")) << "\n";
    return 0;
}

int token_revoke(AccountStore& store, const std::string& user, const std::string& token_name,
                 std::ostream& out, std::ostream& err) {
    auto name = stored_user(store, user);
    auto status = store.revoke_token(name, token_name);
    if (status == caldav::StoreStatus::not_found) {
        err << "kalends: user '" << name << "' has no token named '" << token_name << "'\n";
        return 1;
    }
    if (status != caldav::StoreStatus::ok) {
        err << "kalends: cannot revoke the token: database busy or full\n";
        return 1;
    }
    out << "revoked token '" << token_name << "' of " << name << "\n";
    return 0;
}

}  // namespace server
