// Answer-link tokens (issue 6 §5): HMAC-SHA256 over the fields, base64url,
// on OpenSSL (HMAC, RAND_bytes, CRYPTO_memcmp).
#include "src/mail/rsvp_token.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace server {

namespace {

constexpr std::size_t mac_bytes = 32;  // SHA-256

std::string base64url(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (auto& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
    return out;
}

std::optional<std::string> from_base64url(std::string_view text) {
    if (text.empty() || text.size() % 4 == 1 || text.size() > 8192) return std::nullopt;
    std::string in(text);
    for (auto& c : in) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok) return std::nullopt;
        c = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    std::size_t padding = (4 - in.size() % 4) % 4;
    in.append(padding, '=');
    std::string out(in.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()),
                            static_cast<int>(in.size()));
    if (n < 0 || static_cast<std::size_t>(n) < padding) return std::nullopt;
    out.resize(static_cast<std::size_t>(n) - padding);
    // Only one spelling per byte string: unused low bits must be zero.
    if (base64url(out) != text) return std::nullopt;
    return out;
}

std::string mac_of(std::string_view payload, std::string_view secret) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), out.data(), &len);
    return std::string(reinterpret_cast<const char*>(out.data()), len);
}

std::optional<std::int64_t> number(std::string_view text) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return v;
}

std::optional<RsvpToken> parse_payload(std::string_view payload) {
    std::vector<std::string_view> f;
    for (int i = 0; i < 6; ++i) {
        auto nl = payload.find('\n');
        if (nl == std::string_view::npos) return std::nullopt;
        f.push_back(payload.substr(0, nl));
        payload.remove_prefix(nl + 1);
    }
    if (f[0] != "v1") return std::nullopt;
    auto id = number(f[1]);
    auto expires = number(f[2]);
    if (!id || !expires || f[3].empty() || f[4].empty() || f[5].empty() || payload.empty())
        return std::nullopt;
    RsvpToken t;
    t.organizer_id = *id;
    t.expires = *expires;
    t.partstat = f[3];
    t.organizer = f[4];
    t.attendee = f[5];
    t.uid = payload;
    return t;
}

}  // namespace

std::string sign_rsvp_token(const RsvpToken& t, std::string_view secret) {
    for (const auto* field : {&t.partstat, &t.organizer, &t.attendee})
        if (field->empty() || field->find_first_of("\r\n") != std::string::npos) return {};
    if (t.uid.empty()) return {};
    std::string payload = "v1\n" + std::to_string(t.organizer_id) + "\n" +
                          std::to_string(t.expires) + "\n" + t.partstat + "\n" + t.organizer +
                          "\n" + t.attendee + "\n" + t.uid;
    return base64url(payload) + "." + base64url(mac_of(payload, secret));
}

RsvpVerified verify_rsvp_token(std::string_view text, std::string_view secret, std::int64_t now) {
    RsvpVerified result;
    auto dot = text.find('.');
    if (dot == std::string_view::npos) return result;
    auto payload = from_base64url(text.substr(0, dot));
    auto mac = from_base64url(text.substr(dot + 1));
    if (!payload || !mac || mac->size() != mac_bytes) return result;
    auto expected = mac_of(*payload, secret);
    if (expected.size() != mac_bytes || CRYPTO_memcmp(expected.data(), mac->data(), mac_bytes) != 0)
        return result;
    auto token = parse_payload(*payload);
    if (!token) return result;
    result.token = std::move(*token);
    result.check = result.token.expires < now ? RsvpCheck::expired : RsvpCheck::valid;
    return result;
}

std::string rsvp_link_secret(const Config& config) {
    if (!config.imip.link_secret.empty()) return config.imip.link_secret;
    auto file = config.data_dir / "rsvp-link.key";
    auto read = [&]() -> std::string {
        std::ifstream in(file, std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    };
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno != EEXIST)
            throw ConfigError(file.string() +
                              ": cannot create the link key: " + std::strerror(errno));
        auto key = read();
        if (key.size() < 16)
            throw ConfigError(file.string() + ": the link key is shorter than 16 bytes");
        return key;
    }
    std::array<unsigned char, 32> key{};
    bool ok = RAND_bytes(key.data(), static_cast<int>(key.size())) == 1;
    ok = ok && ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
    ok = ::fsync(fd) == 0 && ok;
    ::close(fd);
    if (!ok) {
        std::filesystem::remove(file);
        throw ConfigError(file.string() + ": cannot write the link key");
    }
    return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

}  // namespace server
