// Web Push encryption (RFC 8291, RFC 8188), VAPID (RFC 8292) and delivery
// (RFC 8030 §5) with OpenSSL 3's EVP interfaces and libcurl.
#include "src/push/web_push.hpp"

#include <curl/curl.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <algorithm>

#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

namespace server::push {

namespace {

// ---- small RAII holders for OpenSSL objects ---------------------------------

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using KdfPtr = std::unique_ptr<EVP_KDF, Deleter<EVP_KDF, EVP_KDF_free>>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, Deleter<EVP_KDF_CTX, EVP_KDF_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using GroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP, EC_GROUP_free>>;
using PointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;

constexpr char curve_name[] = "prime256v1";
constexpr std::size_t public_key_bytes = 65;

const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

/// A key made from OSSL parameters (public only, or a pair).
PkeyPtr key_from(const std::string& public_point, const BIGNUM* d) {
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve_name, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, public_point.data(),
                                          public_point.size()) ||
        (d && !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d)))
        return nullptr;
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
        EVP_PKEY_fromdata(ctx.get(), &key, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
        return nullptr;
    return PkeyPtr(key);
}

/// The peer's public key from its uncompressed point, checked to be on the curve.
PkeyPtr public_key_from(std::string_view point) {
    if (point.size() != public_key_bytes || point[0] != 0x04) return nullptr;
    auto key = key_from(std::string(point), nullptr);
    if (!key) return nullptr;
    PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
    return key;
}

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return out;
}

/// AES-128-GCM of one record: ciphertext || 16-byte tag, or nullopt.
std::optional<std::string> aes128gcm_seal(std::string_view key, std::string_view nonce, std::string_view record) {
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    std::string out(record.size() + 16, '\0');
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    int len = 0, tail = 0;
    if (!ctx || EVP_EncryptInit_ex2(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) != 1 ||
        EVP_EncryptInit_ex2(ctx.get(), nullptr, bytes_of(key), bytes_of(nonce), nullptr) != 1 ||
        EVP_EncryptUpdate(ctx.get(), o, &len, bytes_of(record), static_cast<int>(record.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), o + len, &tail) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, o + len + tail) != 1)
        return std::nullopt;
    out.resize(static_cast<std::size_t>(len + tail) + 16);
    return out;
}

void put_u32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

}  // namespace

// ---- base64url ----------------------------------------------------------------

std::string base64url_encode(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        std::uint32_t v = (std::uint32_t(std::uint8_t(bytes[i])) << 16) | (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) |
                          std::uint8_t(bytes[i + 2]);
        for (int shift = 18; shift >= 0; shift -= 6) out.push_back(alphabet[(v >> shift) & 63]);
    }
    if (std::size_t rest = bytes.size() - i; rest > 0) {
        std::uint32_t v = std::uint32_t(std::uint8_t(bytes[i])) << 16;
        if (rest == 2) v |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        if (rest == 2) out.push_back(alphabet[(v >> 6) & 63]);
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char ch : text) {
        int v;
        if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
        else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
        else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
        else if (ch == '-' || ch == '+') v = 62;
        else if (ch == '_' || ch == '/') v = 63;
        else return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    return out;
}

// ---- EcKey ----------------------------------------------------------------------

EcKey EcKey::generate() {
    EVP_PKEY* key = EVP_EC_gen(curve_name);
    if (!key) throw std::runtime_error("cannot generate a P-256 key");
    return EcKey(key);
}

std::optional<EcKey> EcKey::from_private_bytes(std::string_view d) {
    if (d.size() != 32) return std::nullopt;
    BnPtr scalar(BN_bin2bn(bytes_of(d), 32, nullptr));
    GroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    if (!scalar || !group || BN_is_zero(scalar.get()) || BN_cmp(scalar.get(), EC_GROUP_get0_order(group.get())) >= 0)
        return std::nullopt;
    PointPtr point(EC_POINT_new(group.get()));
    std::string pub(public_key_bytes, '\0');
    if (!point || EC_POINT_mul(group.get(), point.get(), scalar.get(), nullptr, nullptr, nullptr) != 1 ||
        EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED,
                           reinterpret_cast<unsigned char*>(pub.data()), pub.size(), nullptr) != public_key_bytes)
        return std::nullopt;
    auto key = key_from(pub, scalar.get());
    if (!key) return std::nullopt;
    return EcKey(key.release());
}

std::optional<EcKey> EcKey::read_pem(const std::filesystem::path& file) {
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (!f) return std::nullopt;
    EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (!key) return std::nullopt;
    EcKey out(key);
    char group[32] = {};
    std::size_t len = 0;
    if (!EVP_PKEY_is_a(key, "EC") ||
        EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1 ||
        std::string_view(group, len) != curve_name)
        return std::nullopt;
    return out;
}

EcKey EcKey::load_or_create(const std::filesystem::path& file) {
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) {
        auto key = read_pem(file);
        if (!key) throw std::runtime_error(file.string() + ": not a P-256 private key in PEM");
        return std::move(*key);
    }
    auto key = generate();
    auto pem = key.private_pem();
    auto temp = file;
    temp += ".new";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error(temp.string() + ": cannot write the VAPID key");
        ::chmod(temp.c_str(), 0600);
        out << pem;
        if (!out.flush()) throw std::runtime_error(temp.string() + ": cannot write the VAPID key");
    }
    std::filesystem::rename(temp, file, ec);
    if (ec) throw std::runtime_error(file.string() + ": cannot write the VAPID key: " + ec.message());
    return key;
}

EcKey::EcKey(EcKey&& other) noexcept : key_(std::exchange(other.key_, nullptr)) {}

EcKey& EcKey::operator=(EcKey&& other) noexcept {
    if (this != &other) {
        EVP_PKEY_free(key_);
        key_ = std::exchange(other.key_, nullptr);
    }
    return *this;
}

EcKey::~EcKey() { EVP_PKEY_free(key_); }

std::string EcKey::public_bytes() const {
    std::string out(public_key_bytes, '\0');
    std::size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(key_, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                        reinterpret_cast<unsigned char*>(out.data()), out.size(), &len) != 1)
        throw std::runtime_error("cannot read the P-256 public key");
    out.resize(len);
    return out;
}

std::string EcKey::private_pem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw std::runtime_error("cannot write the private key as PEM");
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

std::optional<std::string> EcKey::shared_secret(std::string_view peer_public) const {
    auto peer = public_key_from(peer_public);
    if (!peer) return std::nullopt;
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_, nullptr));
    std::size_t len = 0;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 || EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) <= 0 ||
        EVP_PKEY_derive(ctx.get(), nullptr, &len) <= 0)
        return std::nullopt;
    std::string out(len, '\0');
    if (EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len) <= 0) return std::nullopt;
    out.resize(len);
    return out;
}

std::string EcKey::sign_es256(std::string_view data) const {
    MdCtxPtr md(EVP_MD_CTX_new());
    std::size_t len = 0;
    if (!md || EVP_DigestSignInit_ex(md.get(), nullptr, "SHA256", nullptr, nullptr, key_, nullptr) != 1 ||
        EVP_DigestSign(md.get(), nullptr, &len, bytes_of(data), data.size()) != 1)
        throw std::runtime_error("ES256 signing failed");
    std::string der(len, '\0');
    if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(der.data()), &len, bytes_of(data), data.size()) != 1)
        throw std::runtime_error("ES256 signing failed");
    // JWS (RFC 7518 §3.4) wants r and s as two 32-byte big-endian numbers, not DER.
    const unsigned char* p = bytes_of(der);
    SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
    if (!sig) throw std::runtime_error("ES256 signing gave no ECDSA signature");
    std::string raw(64, '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, 32) != 32 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + 32, 32) != 32)
        throw std::runtime_error("ES256 signature out of range");
    return raw;
}

// ---- HKDF and the aes128gcm coding --------------------------------------------

std::string hkdf_sha256(std::string_view salt, std::string_view ikm, std::string_view info, std::size_t length) {
    KdfPtr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    KdfCtxPtr ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
    if (!ctx) throw std::runtime_error("HKDF is not available");
    char digest[] = "SHA256";
    std::string s(salt), k(ikm), i(info);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, s.data(), s.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, k.data(), k.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, i.data(), i.size()),
        OSSL_PARAM_construct_end(),
    };
    std::string out(length, '\0');
    if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), length, params) != 1)
        throw std::runtime_error("HKDF failed");
    return out;
}

std::optional<std::string> encrypt_message(std::string_view plaintext, std::string_view ua_public,
                                           std::string_view auth_secret, const EcKey& sender, std::string_view salt,
                                           std::size_t pad_to) {
    if (plaintext.size() > max_plaintext_bytes || auth_secret.size() != 16 || salt.size() != 16) return std::nullopt;
    auto ecdh = sender.shared_secret(ua_public);
    if (!ecdh) return std::nullopt;
    const std::string as_public = sender.public_bytes();
    // RFC 8291 §3.4: the auth secret and both public keys go into the IKM.
    std::string key_info = std::string("WebPush: info") + '\0' + std::string(ua_public) + as_public;
    const auto ikm = hkdf_sha256(auth_secret, *ecdh, key_info, 32);
    // RFC 8188 §2.2, §2.3: content encryption key and nonce from the salt.
    const auto cek = hkdf_sha256(salt, ikm, std::string("Content-Encoding: aes128gcm") + '\0', 16);
    const auto nonce = hkdf_sha256(salt, ikm, std::string("Content-Encoding: nonce") + '\0', 12);
    // One record, the last: the data, the delimiter 0x02, then zero padding (RFC 8188 §2).
    std::string record(plaintext);
    record.push_back('\x02');
    if (pad_to > 1) {
        std::size_t want = (plaintext.size() + pad_to - 1) / pad_to * pad_to;
        want = std::min(want, max_plaintext_bytes);
        if (want > plaintext.size()) record.append(want - plaintext.size(), '\0');
    }
    auto sealed = aes128gcm_seal(cek, nonce, record);
    if (!sealed) return std::nullopt;
    std::string out(salt);
    put_u32(out, record_size);
    out.push_back(static_cast<char>(as_public.size()));
    out += as_public;
    out += *sealed;
    return out;
}

std::optional<std::string> encrypt_message(std::string_view plaintext, std::string_view ua_public,
                                           std::string_view auth_secret) {
    auto sender = EcKey::generate();
    return encrypt_message(plaintext, ua_public, auth_secret, sender, random_bytes(16), 32);
}

// ---- VAPID ----------------------------------------------------------------------

std::string topic_of(std::string_view key) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(key.data(), key.size(), digest, &length, EVP_sha256(), nullptr) != 1) return {};
    // 32 of the 43 characters: 192 bits, more than enough to tell keys apart.
    return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), length)).substr(0, 32);
}

std::string origin_of(std::string_view endpoint) {
    std::string_view scheme;
    if (endpoint.starts_with("https://")) scheme = "https://";
    else if (endpoint.starts_with("http://")) scheme = "http://";
    else return {};
    auto rest = endpoint.substr(scheme.size());
    auto end = rest.find_first_of("/?#");
    auto authority = rest.substr(0, end);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    if (authority.empty()) return {};
    return std::string(scheme) + std::string(authority);
}

namespace {

/// `text` as a JSON string literal (the JWT claims hold URLs and addresses).
std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (char ch : text) {
        if (ch == '"' || ch == '\\') {
            out.push_back('\\');
            out.push_back(ch);
        } else if (static_cast<unsigned char>(ch) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(ch)));
            out += buf;
        } else {
            out.push_back(ch);
        }
    }
    return out + "\"";
}

}  // namespace

std::string vapid_jwt(const EcKey& key, std::string_view audience, std::int64_t expires, std::string_view subject) {
    const std::string header = base64url_encode(R"({"typ":"JWT","alg":"ES256"})");
    const std::string claims = base64url_encode("{\"aud\":" + json_string(audience) +
                                                ",\"exp\":" + std::to_string(expires) +
                                                ",\"sub\":" + json_string(subject) + "}");
    const std::string signing_input = header + "." + claims;
    return signing_input + "." + base64url_encode(key.sign_es256(signing_input));
}

std::string vapid_authorization(const EcKey& key, std::string_view audience, std::int64_t expires,
                                std::string_view subject) {
    return "vapid t=" + vapid_jwt(key, audience, expires, subject) + ", k=" + base64url_encode(key.public_bytes());
}

std::string endpoint_problem(std::string_view endpoint, bool allow_http) {
    if (endpoint.size() > 2048) return "the endpoint is longer than 2048 characters";
    for (char ch : endpoint)
        if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f) return "the endpoint holds spaces or control characters";
    if (!endpoint.starts_with("https://") && !(allow_http && endpoint.starts_with("http://")))
        return allow_http ? "the endpoint must be an https:// or http:// URL" : "the endpoint must be an https:// URL";
    if (origin_of(endpoint).empty()) return "the endpoint names no host";
    return {};
}

// ---- delivery -------------------------------------------------------------------

namespace {

struct EasyDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::size_t discard_body(char*, std::size_t size, std::size_t count, void*) { return size * count; }

DeliveryResult classify(long status) {
    DeliveryResult r;
    r.status = status;
    if (status >= 200 && status < 300) r.kind = DeliveryResult::Kind::delivered;
    else if (status == 404 || status == 410) r.kind = DeliveryResult::Kind::gone;
    else if (status == 429 || status >= 500) r.kind = DeliveryResult::Kind::retry;
    else r.kind = DeliveryResult::Kind::rejected;
    if (r.kind != DeliveryResult::Kind::delivered) r.error = "push service answered " + std::to_string(status);
    return r;
}

}  // namespace

DeliveryResult deliver(const PushMessage& m, const PushSender& sender, std::int64_t now) {
    DeliveryResult rejected{DeliveryResult::Kind::rejected, 0, {}};
    if (auto why = endpoint_problem(m.endpoint, sender.allow_http); !why.empty()) {
        rejected.error = why;
        return rejected;
    }
    auto ua_public = base64url_decode(m.p256dh);
    auto auth = base64url_decode(m.auth);
    std::optional<std::string> body;
    if (ua_public && auth) body = encrypt_message(m.payload, *ua_public, *auth);
    if (!body) {
        rejected.error = "the subscription's keys are malformed or the message is too long";
        return rejected;
    }
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    // One handle per thread, reset for each message: the reset keeps its
    // cache of open connections, so the next message to the same push
    // service goes over the same connection.
    thread_local std::unique_ptr<CURL, EasyDeleter> curl;
    if (curl) curl_easy_reset(curl.get());
    else curl.reset(curl_easy_init());
    if (!curl) return {DeliveryResult::Kind::retry, 0, "curl_easy_init failed"};
    CURL* c = curl.get();
    curl_slist* list = nullptr;
    auto add = [&](const std::string& h) { list = curl_slist_append(list, h.c_str()); };
    add("Content-Type: application/octet-stream");
    add("Content-Encoding: aes128gcm");
    add("TTL: " + std::to_string(m.ttl));
    add("Urgency: " + m.urgency);
    if (!m.topic.empty()) add("Topic: " + m.topic);
    if (sender.vapid)
        add("Authorization: " + vapid_authorization(*sender.vapid, origin_of(m.endpoint), now + 12 * 3600,
                                                    sender.subject));
    add("Expect:");  // one round trip: no 100-continue for a 4 KiB body
    std::unique_ptr<curl_slist, ListDeleter> headers(list);
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_URL, m.endpoint.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, sender.allow_http ? "https,http" : "https");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &discard_body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, sender.timeout_seconds);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        return {DeliveryResult::Kind::retry, 0, std::string("no answer from the push service: ") +
                                                    (error[0] ? error : curl_easy_strerror(rc))};
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return classify(status);
}

}  // namespace server::push
