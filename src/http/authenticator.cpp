// HTTP Basic authentication (RFC 7617) over yescrypt hashes from libcrypt, and
// Bearer personal access tokens (RFC 6750 §2.1) stored as SHA-256 hashes.
#include "src/http/authenticator.hpp"

#include <arpa/inet.h>
#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <ctime>
#include <stdexcept>
#include <vector>

#include "src/http/user_name.hpp"
#include "src/util/log.hpp"

namespace server {

namespace {

constexpr std::size_t max_cache_entries = 100000;
/// Account names longer than this are counted under a digest of the name,
/// so that a spray of long names costs the failure tables little memory.
constexpr std::size_t max_name_key_bytes = 128;

/// Longest Bearer credential looked up; ours are 47 characters.
constexpr std::size_t max_token_bytes = 256;
/// A token's last use is written when it is older than this (seconds).
constexpr std::int64_t token_touch_interval = 60;

/// Lowercase hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
    std::string out;
    static constexpr char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < len; ++i) {
        out.push_back(hex[md[i] >> 4]);
        out.push_back(hex[md[i] & 15]);
    }
    return out;
}

std::string account_key(const std::string& name) {
    if (name.size() <= max_name_key_bytes) return name;
    return "#" + sha256_hex(name);
}

/// `value` without the auth scheme `scheme` (lowercase, with its space);
/// nullopt when it names another scheme or has no credentials.
std::optional<std::string_view> credentials_of(std::string_view value, std::string_view scheme) {
    if (value.size() <= scheme.size() || !caldav::iequals(value.substr(0, scheme.size()), scheme))
        return std::nullopt;
    value.remove_prefix(scheme.size());
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    return value;
}

/// Decodes standard base64; nullopt on malformed input.
std::optional<std::string> decode_base64(std::string_view in) {
    while (!in.empty() && (in.back() == ' ' || in.back() == '\t')) in.remove_suffix(1);
    if (in.empty() || in.size() % 4 != 0 || in.size() > 4096) return std::nullopt;
    std::string out(in.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()),
                            static_cast<int>(in.size()));
    if (n < 0) return std::nullopt;
    std::size_t pad = static_cast<std::size_t>(std::count(in.end() - 2, in.end(), '='));
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

}  // namespace

std::string address_key(const std::string& remote) {
    in6_addr a{};
    if (remote.find(':') == std::string::npos || inet_pton(AF_INET6, remote.c_str(), &a) != 1) return remote;
    std::fill(a.s6_addr + 8, a.s6_addr + 16, 0);
    char buf[INET6_ADDRSTRLEN];
    if (!inet_ntop(AF_INET6, &a, buf, sizeof buf)) return remote;
    return std::string(buf) + "/64";
}

std::string hash_password(std::string_view password) {
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn("$y$", 0, nullptr, 0, setting, sizeof setting))
        throw std::runtime_error("libcrypt cannot generate a yescrypt salt");
    crypt_data data{};
    std::string phrase(password);
    const char* hashed = crypt_rn(phrase.c_str(), setting, &data, sizeof data);
    OPENSSL_cleanse(phrase.data(), phrase.size());
    if (!hashed || hashed[0] == '*') throw std::runtime_error("libcrypt cannot hash the password");
    return hashed;
}

bool verify_password(std::string_view password, const std::string& hash) {
    if (hash.empty() || hash[0] == '*' || hash[0] == '!') return false;
    crypt_data data{};
    std::string phrase(password);
    const char* hashed = crypt_rn(phrase.c_str(), hash.c_str(), &data, sizeof data);
    OPENSSL_cleanse(phrase.data(), phrase.size());
    if (!hashed) return false;
    std::string_view h(hashed);
    return h.size() == hash.size() && CRYPTO_memcmp(h.data(), hash.data(), h.size()) == 0;
}

std::string new_access_token() {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("OpenSSL cannot produce random bytes");
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string token = "kal_";
    // Unpadded base64url (RFC 4648 §5): 32 bytes are 43 characters.
    std::uint32_t bits = 0;
    int held = 0;
    for (unsigned char b : bytes) {
        bits = (bits << 8) | b;
        held += 8;
        while (held >= 6) {
            held -= 6;
            token.push_back(alphabet[(bits >> held) & 63]);
        }
    }
    if (held > 0) token.push_back(alphabet[(bits << (6 - held)) & 63]);
    OPENSSL_cleanse(bytes, sizeof bytes);
    return token;
}

std::string hash_access_token(std::string_view token) { return sha256_hex(token); }

std::string new_session_token(std::int64_t expires_at) {
    return "kals_" + std::to_string(expires_at) + "_" + new_access_token().substr(4);
}

std::optional<std::int64_t> session_token_expiry(std::string_view token) {
    constexpr std::string_view prefix = "kals_";
    if (!token.starts_with(prefix)) return std::nullopt;
    token.remove_prefix(prefix.size());
    auto end = token.find('_');
    if (end == 0 || end == std::string_view::npos || end > 12) return std::nullopt;
    std::int64_t at = 0;
    for (char c : token.substr(0, end)) {
        if (c < '0' || c > '9') return std::nullopt;
        at = at * 10 + (c - '0');
    }
    return at;
}

std::string session_token_name(std::string_view token) {
    auto expiry = session_token_expiry(token);
    return "session-" + std::to_string(expiry.value_or(0)) + "-" + sha256_hex(token).substr(0, 12);
}

Authenticator::Authenticator(AccountStore& store, AuthOptions options)
    : store_(store),
      options_(options),
      key_(32, '\0'),
      hash_slots_(static_cast<std::ptrdiff_t>(std::max(1u, options.max_concurrent_hashes))) {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key_.data()), static_cast<int>(key_.size())) != 1)
        throw std::runtime_error("OpenSSL cannot produce random bytes");
}

std::string Authenticator::digest(const std::string& stored_hash, std::string_view password) const {
    std::string input = stored_hash;
    input.push_back('\0');
    input.append(password);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), out, &len);
    OPENSSL_cleanse(input.data(), input.size());
    return std::string(reinterpret_cast<char*>(out), len);
}

unsigned Authenticator::bump(FailureTable& table, const std::string& key,
                             std::chrono::steady_clock::time_point now) {
    if (table.size() >= options_.max_failure_entries && !table.contains(key)) {
        // Full: forget what expired, then the oldest tenth, so that a spray of
        // addresses or names neither grows the table nor wipes it.
        std::erase_if(table, [&](const auto& e) { return now - e.second.last > options_.failure_memory; });
        if (table.size() >= options_.max_failure_entries) {
            std::vector<std::chrono::steady_clock::time_point> times;
            times.reserve(table.size());
            for (const auto& [k, f] : table) times.push_back(f.last);
            auto cut = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 10);
            std::nth_element(times.begin(), cut, times.end());
            auto oldest = *cut;
            std::erase_if(table, [&](const auto& e) { return e.second.last <= oldest; });
        }
    }
    auto& f = table[key];
    if (now - f.last > options_.failure_memory) f.count = 0;
    f.last = now;
    return ++f.count;
}

std::chrono::milliseconds Authenticator::record_failure(const std::string& remote, const std::string& name) {
    auto now = std::chrono::steady_clock::now();
    auto address = address_key(remote);
    std::lock_guard lock(mutex_);
    unsigned count = bump(by_address_, address, now);
    if (!name.empty()) {
        auto account = account_key(name);
        count = std::max(count, bump(by_account_, account, now));
        bump(by_pair_, address + '\n' + account, now);
    }
    if (count <= options_.free_failures) return std::chrono::milliseconds(0);
    auto extra = std::min<unsigned>(count - options_.free_failures, 16);
    auto delay = std::chrono::milliseconds(125) * (1u << (extra - 1));
    return std::min(delay, options_.max_delay);
}

void Authenticator::record_success(const std::string& remote, const std::string& name) {
    auto address = address_key(remote);
    auto account = account_key(name);
    std::lock_guard lock(mutex_);
    auto pair = by_pair_.find(address + '\n' + account);
    if (pair == by_pair_.end()) return;
    // Only this address's failures for this account are taken back: those
    // were the user's own typos. Guesses at other accounts still count.
    unsigned mine = pair->second.count;
    by_pair_.erase(pair);
    for (auto [table, key] : {std::pair{&by_address_, &address}, std::pair{&by_account_, &account}}) {
        auto it = table->find(*key);
        if (it == table->end()) continue;
        if (it->second.count <= mine)
            table->erase(it);
        else
            it->second.count -= mine;
    }
}

std::size_t Authenticator::failure_entries() {
    std::lock_guard lock(mutex_);
    return by_address_.size() + by_account_.size() + by_pair_.size();
}

bool Authenticator::cached(const std::string& name, const std::string& d) {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(name);
    return it != cache_.end() && it->second.expires > std::chrono::steady_clock::now() &&
           it->second.digest.size() == d.size() && CRYPTO_memcmp(it->second.digest.data(), d.data(), d.size()) == 0;
}

Authenticator::Result Authenticator::authenticate_token(std::string_view token, const std::string& remote,
                                                        bool may_write) {
    Result result;
    std::optional<TokenCredentials> creds;
    if (token.size() <= max_token_bytes) creds = store_.find_token(hash_access_token(token));
    if (!creds) {
        // No account name to count it under: the address pays for it.
        result.delay = record_failure(remote, {});
        log::info("auth: unknown access token from " + remote);
        return result;
    }
    auto now = static_cast<std::int64_t>(std::time(nullptr));
    // A web sign-in ends at its expiry; the row stays until the user's next sign-in sweeps it.
    // Not a guess (its hash matched): no slow-down.
    if (auto expiry = session_token_expiry(token); expiry && now >= *expiry) {
        log::info("auth: expired session token from " + remote);
        return result;
    }
    // The last use to the minute: one write a minute per token, not one per request.
    if (!creds->last_used_at || now - *creds->last_used_at >= token_touch_interval) {
        // A durable write: not on a thread that may not block (as for a hash).
        if (!may_write) {
            result.needs_hash = true;
            return result;
        }
        store_.touch_token(creds->token_id, now);
    }
    result.principal = caldav::Principal{creds->principal_id, creds->principal_name};
    return result;
}

Authenticator::Result Authenticator::authenticate(std::optional<std::string_view> authorization,
                                                  const std::string& remote, bool may_hash, bool allow_bearer) {
    Result result;
    if (!authorization) return result;  // anonymous: a plain challenge, no penalty
    std::string_view value = *authorization;
    if (allow_bearer)
        if (auto token = credentials_of(value, "bearer ")) return authenticate_token(*token, remote, may_hash);
    constexpr std::string_view scheme = "basic ";
    if (value.size() <= scheme.size() || !caldav::iequals(value.substr(0, scheme.size()), scheme)) {
        result.delay = record_failure(remote, {});
        return result;
    }
    auto decoded = decode_base64(value.substr(scheme.size()));
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) {
        result.delay = record_failure(remote, {});
        return result;
    }
    // Names are stored in NFC (kalends user add): "é" typed as e + U+0301
    // logs in too. A name stored before that rule is found as it was.
    std::string raw_name = decoded->substr(0, colon);
    std::string name = to_nfc(raw_name).value_or(raw_name);
    std::string_view password = std::string_view(*decoded).substr(colon + 1);

    auto creds = store_.find_credentials(name);
    if (!creds && name != raw_name) {
        creds = store_.find_credentials(raw_name);
        if (creds) name = raw_name;
    }
    std::string stored = creds ? creds->password_hash : std::string();
    auto d = digest(stored, password);
    bool ok = creds && cached(name, d);
    if (!ok && !may_hash) {
        OPENSSL_cleanse(decoded->data(), decoded->size());
        result.needs_hash = true;
        return result;
    }
    if (!ok) {
        // A bounded number of hashes at once (AuthOptions); a request that
        // waited may find its credentials verified by the one before it.
        hash_slots_.acquire();
        ok = creds && cached(name, d);
        if (!ok) {
            // Hash even for unknown users so that timing does not reveal which exist.
            static const std::string dummy = hash_password("kalends-timing-equaliser");
            unsigned now_running = ++running_;
            for (unsigned peak = peak_; now_running > peak && !peak_.compare_exchange_weak(peak, now_running);) {
            }
            ok = verify_password(password, creds ? stored : dummy) && creds;
            --running_;
            ++hashes_;
            if (ok) {
                std::lock_guard lock(mutex_);
                if (cache_.size() > max_cache_entries) cache_.clear();
                cache_[name] = {d, std::chrono::steady_clock::now() + options_.cache_ttl};
            }
        }
        hash_slots_.release();
    }
    OPENSSL_cleanse(decoded->data(), decoded->size());
    if (!ok) {
        result.delay = record_failure(remote, name);
        log::info("auth: failed login for user '" + name + "' from " + remote);
        return result;
    }
    record_success(remote, name);
    result.principal = caldav::Principal{creds->principal_id, creds->name};
    return result;
}

}  // namespace server
