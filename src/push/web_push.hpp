// Web Push for the application server (issue 26 §5): message encryption
// (RFC 8291 over the aes128gcm content coding of RFC 8188), VAPID (RFC 8292)
// and delivery to a push resource (RFC 8030 §5), on OpenSSL 3 and libcurl.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace server::push {

/// `bytes` in base64url without padding (RFC 4648 §5), as Web Push spells keys.
std::string base64url_encode(std::string_view bytes);

/// The bytes of base64url `text` (padding and standard-alphabet '+' '/'
/// accepted, as some clients send them); nullopt when it is not base64.
std::optional<std::string> base64url_decode(std::string_view text);

/// A P-256 key pair (VAPID signing, or the sender's ephemeral ECDH key).
/// Move-only; owns its OpenSSL key.
class EcKey {
public:
    /// A fresh random key pair; throws std::runtime_error when OpenSSL fails.
    static EcKey generate();
    /// The key pair of the 32-byte private scalar `d` (big-endian); nullopt
    /// when it is not a valid P-256 private key. For test vectors.
    static std::optional<EcKey> from_private_bytes(std::string_view d);
    /// The key in a PEM file (PKCS #8 "PRIVATE KEY"); nullopt when unreadable
    /// or not a P-256 key.
    static std::optional<EcKey> read_pem(const std::filesystem::path& file);
    /// The key in a PEM file, made and written (mode 0600) when the file is
    /// missing. Throws std::runtime_error naming the file when it can be
    /// neither read nor written.
    static EcKey load_or_create(const std::filesystem::path& file);

    EcKey(EcKey&&) noexcept;
    EcKey& operator=(EcKey&&) noexcept;
    ~EcKey();

    /// The public key as an uncompressed point: 0x04 || X || Y, 65 bytes.
    std::string public_bytes() const;
    /// The private key as PKCS #8 PEM text.
    std::string private_pem() const;
    /// ECDH (SEC 1 §3.3.1) with the peer's uncompressed point: the 32-byte
    /// shared X coordinate, or nullopt when the point is not on the curve.
    std::optional<std::string> shared_secret(std::string_view peer_public) const;
    /// An ES256 signature (RFC 7518 §3.4) of `data`: raw r || s, 64 bytes.
    std::string sign_es256(std::string_view data) const;

    evp_pkey_st* get() const { return key_; }

private:
    explicit EcKey(evp_pkey_st* key) : key_(key) {}
    evp_pkey_st* key_ = nullptr;
};

/// HKDF-SHA256 (RFC 5869), extract and expand: `length` bytes.
std::string hkdf_sha256(std::string_view salt, std::string_view ikm, std::string_view info, std::size_t length);

/// The record size we write in aes128gcm headers: one record holds the whole
/// message (RFC 8291 §4 asks for a single record).
inline constexpr std::uint32_t record_size = 4096;

/// Largest plaintext one message carries: the record size less the header
/// (86 bytes with a 65-byte key id), the padding delimiter and the GCM tag.
inline constexpr std::size_t max_plaintext_bytes = record_size - 86 - 1 - 16;

/// RFC 8291 §3.4: the aes128gcm body (RFC 8188 §2: salt, rs, idlen, the
/// sender's public key, one record) that only the holder of the private key
/// of `ua_public` (65 bytes) with `auth_secret` (16 bytes) can read.
/// `sender` is the ephemeral key and `salt` 16 random bytes; tests fix both.
/// The plaintext is padded with zeros to a multiple of `pad_to` bytes (0: no
/// padding), hiding its exact length from the push service. nullopt when a
/// key is malformed or the plaintext is longer than max_plaintext_bytes.
std::optional<std::string> encrypt_message(std::string_view plaintext, std::string_view ua_public,
                                           std::string_view auth_secret, const EcKey& sender, std::string_view salt,
                                           std::size_t pad_to = 0);

/// The same with a fresh ephemeral key and salt, padded to 32-byte steps.
std::optional<std::string> encrypt_message(std::string_view plaintext, std::string_view ua_public,
                                           std::string_view auth_secret);

/// RFC 8030 §5.4: a Topic for messages that stand for one thing (a
/// reminder's delivery key): 32 characters of base64url of its SHA-256, so
/// a push service replaces an undelivered message of the same key (a
/// repeat after a crash) instead of keeping both, and the key itself is not
/// shown to the push service.
std::string topic_of(std::string_view key);

/// The origin of a push resource URL ("https://push.example.net[:port]"),
/// the VAPID audience (RFC 8292 §2); empty when `endpoint` is no http(s) URL.
std::string origin_of(std::string_view endpoint);

/// RFC 8292 §2: a JWT signed with ES256 by `key`, for `audience`, valid
/// until `expires` (unix seconds), naming `subject` (mailto: or https:).
std::string vapid_jwt(const EcKey& key, std::string_view audience, std::int64_t expires, std::string_view subject);

/// RFC 8292 §3: the Authorization header value "vapid t=JWT, k=KEY".
std::string vapid_authorization(const EcKey& key, std::string_view audience, std::int64_t expires,
                                std::string_view subject);

/// Why an endpoint URL is refused for a subscription, or empty when it is
/// acceptable: an absolute https URL with a host (http too when `allow_http`).
std::string endpoint_problem(std::string_view endpoint, bool allow_http);

/// One message to one push resource.
struct PushMessage {
    std::string endpoint;    ///< the push resource
    std::string p256dh;      ///< base64url user agent public key
    std::string auth;        ///< base64url authentication secret
    std::string payload;     ///< plaintext to encrypt
    std::int64_t ttl = 86400;        ///< seconds the push service may keep it (RFC 8030 §5.2)
    std::string urgency = "normal";  ///< very-low, low, normal, high (RFC 8030 §5.3)
    std::string topic;               ///< replaces an undelivered message of the same topic; empty: none
};

/// What the server sends with: the VAPID key and subject, limits.
struct PushSender {
    const EcKey* vapid = nullptr;   ///< must outlive the call
    std::string subject;            ///< mailto: or https: contact for the push service
    bool allow_http = false;        ///< deliver to http:// endpoints (tests)
    long timeout_seconds = 30;      ///< one delivery at most
};

/// How a delivery ended (RFC 8030 §5, §6.2, §8.4).
struct DeliveryResult {
    enum class Kind {
        delivered,  ///< 201 (any 2xx): the push service took it
        gone,       ///< 404 or 410: the subscription is over; remove it
        retry,      ///< 429, 5xx, or no answer: try again later
        rejected,   ///< another 4xx or a message we cannot encrypt: trying again will not help
    };
    Kind kind = Kind::retry;
    long status = 0;     ///< HTTP status, 0 when none came
    std::string error;   ///< why, for the log and the job's last_error
};

/// Encrypts `m` and POSTs it with TTL, Urgency, Topic (when set),
/// Content-Encoding: aes128gcm and the VAPID Authorization; never throws.
/// Each thread keeps one libcurl handle across calls, so messages a thread
/// sends to the same push service reuse its open connection (HTTP
/// keep-alive, and TLS sessions) instead of connecting each time.
DeliveryResult deliver(const PushMessage& m, const PushSender& sender, std::int64_t now);

}  // namespace server::push
