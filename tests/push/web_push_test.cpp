// Web Push crypto (src/push/web_push.hpp): the RFC 8291 Appendix A worked
// example byte for byte, VAPID tokens (RFC 8292) checked with the public key
// as a push service checks them, base64url, and endpoint rules.
#define BOOST_TEST_MODULE push
#include "src/push/web_push.hpp"

#include <boost/test/unit_test.hpp>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace push = server::push;

namespace {

std::string b64(std::string_view text) {
    auto raw = push::base64url_decode(text);
    BOOST_TEST_REQUIRE(raw.has_value());
    return *raw;
}

// RFC 8291 Appendix A.
constexpr std::string_view rfc_plaintext = "When I grow up, I want to be a watermelon";
constexpr std::string_view rfc_as_private = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
constexpr std::string_view rfc_as_public =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
constexpr std::string_view rfc_ua_private = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
constexpr std::string_view rfc_ua_public =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
constexpr std::string_view rfc_salt = "DGv6ra1nlYgDCS1FRnbzlw";
constexpr std::string_view rfc_auth = "BTBZMqHH6r4Tts7J_aSIgg";
constexpr std::string_view rfc_body =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_"
    "yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

/// Whether `jwt`'s ES256 signature verifies with the uncompressed point `public_key`.
bool es256_verifies(const std::string& jwt, const std::string& public_key) {
    auto last = jwt.rfind('.');
    auto raw = push::base64url_decode(jwt.substr(last + 1));
    if (!raw || raw->size() != 64) return false;
    // Back from JWS's r || s to the DER OpenSSL verifies.
    ECDSA_SIG* sig = ECDSA_SIG_new();
    auto* bytes = reinterpret_cast<const unsigned char*>(raw->data());
    ECDSA_SIG_set0(sig, BN_bin2bn(bytes, 32, nullptr), BN_bin2bn(bytes + 32, 32, nullptr));
    unsigned char* der = nullptr;
    int der_len = i2d_ECDSA_SIG(sig, &der);
    ECDSA_SIG_free(sig);
    EVP_PKEY* pub = nullptr;
    {
        // The public key alone, as a SubjectPublicKeyInfo built from the
        // point: the fixed 26-byte P-256 prefix (RFC 5480), then the point.
        static const unsigned char prefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                               0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                               0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
        std::string spki(reinterpret_cast<const char*>(prefix), sizeof prefix);
        spki += public_key;
        auto* p = reinterpret_cast<const unsigned char*>(spki.data());
        pub = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size()));
    }
    BOOST_TEST_REQUIRE(pub != nullptr);
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    const std::string input = jwt.substr(0, last);
    bool ok = EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, pub) == 1 &&
              EVP_DigestVerify(md, der, static_cast<std::size_t>(der_len),
                               reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pub);
    OPENSSL_free(der);
    return ok;
}

}  // namespace

BOOST_AUTO_TEST_CASE(base64url_round_trips_every_length_and_refuses_other_characters) {
    std::string bytes;
    for (int i = 0; i < 40; ++i) {
        BOOST_TEST(push::base64url_decode(push::base64url_encode(bytes)).value() == bytes);
        bytes.push_back(static_cast<char>(i * 37 + 250));
    }
    BOOST_TEST(push::base64url_encode("\xfb\xff") == "-_8");
    BOOST_TEST(push::base64url_decode("-_8=").value() == "\xfb\xff");
    BOOST_TEST(!push::base64url_decode("ab$d").has_value());
    BOOST_TEST(!push::base64url_decode("abcde").has_value());
}

BOOST_AUTO_TEST_CASE(the_rfc_8291_example_keys_give_the_rfc_public_key) {
    auto as = push::EcKey::from_private_bytes(b64(rfc_as_private));
    BOOST_TEST_REQUIRE(as.has_value());
    BOOST_TEST(push::base64url_encode(as->public_bytes()) == rfc_as_public);
}

BOOST_AUTO_TEST_CASE(encrypting_the_rfc_8291_example_gives_its_exact_message) {
    auto as = push::EcKey::from_private_bytes(b64(rfc_as_private));
    BOOST_TEST_REQUIRE(as.has_value());
    auto body = push::encrypt_message(rfc_plaintext, b64(rfc_ua_public), b64(rfc_auth), *as, b64(rfc_salt));
    BOOST_TEST_REQUIRE(body.has_value());
    BOOST_TEST(push::base64url_encode(*body) == rfc_body);
}

BOOST_AUTO_TEST_CASE(both_sides_of_the_rfc_example_derive_the_same_ecdh_secret) {
    auto as = push::EcKey::from_private_bytes(b64(rfc_as_private));
    auto ua = push::EcKey::from_private_bytes(b64(rfc_ua_private));
    BOOST_TEST_REQUIRE((as && ua));
    BOOST_TEST(push::base64url_encode(ua->public_bytes()) == rfc_ua_public);
    auto one = as->shared_secret(ua->public_bytes());
    auto two = ua->shared_secret(as->public_bytes());
    BOOST_TEST_REQUIRE((one && two));
    BOOST_TEST(*one == *two);
    // RFC 8291 Appendix A's ecdh_secret.
    BOOST_TEST(push::base64url_encode(*one) == "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs");
}

BOOST_AUTO_TEST_CASE(padding_hides_the_length_and_bad_keys_or_long_messages_are_refused) {
    auto as = push::EcKey::from_private_bytes(b64(rfc_as_private));
    auto short_one = push::encrypt_message("a", b64(rfc_ua_public), b64(rfc_auth), *as, b64(rfc_salt), 32);
    auto longer = push::encrypt_message("abcdefghij", b64(rfc_ua_public), b64(rfc_auth), *as, b64(rfc_salt), 32);
    BOOST_TEST_REQUIRE((short_one && longer));
    BOOST_TEST(short_one->size() == longer->size());
    BOOST_TEST(short_one->size() == 86u + 32 + 1 + 16);
    auto fresh = push::encrypt_message("a", b64(rfc_ua_public), b64(rfc_auth));
    BOOST_TEST_REQUIRE(fresh.has_value());
    BOOST_TEST(fresh->substr(0, 16) != short_one->substr(0, 16));  // a salt of its own
    std::string off_curve = b64(rfc_ua_public);
    off_curve[40] ^= 1;
    BOOST_TEST(!push::encrypt_message("a", off_curve, b64(rfc_auth)).has_value());
    BOOST_TEST(!push::encrypt_message("a", b64(rfc_ua_public), "short").has_value());
    BOOST_TEST(!push::encrypt_message(std::string(push::max_plaintext_bytes + 1, 'x'), b64(rfc_ua_public),
                                      b64(rfc_auth))
                    .has_value());
}

BOOST_AUTO_TEST_CASE(a_vapid_token_verifies_with_the_public_key_and_names_audience_expiry_and_subject) {
    auto key = push::EcKey::generate();
    auto jwt = push::vapid_jwt(key, "https://push.example.net", 1700000000, "mailto:ops@example.org");
    BOOST_TEST(es256_verifies(jwt, key.public_bytes()));
    auto first = jwt.find('.');
    auto second = jwt.find('.', first + 1);
    BOOST_TEST(push::base64url_decode(jwt.substr(0, first)).value() == R"({"typ":"JWT","alg":"ES256"})");
    BOOST_TEST(push::base64url_decode(jwt.substr(first + 1, second - first - 1)).value() ==
               R"({"aud":"https://push.example.net","exp":1700000000,"sub":"mailto:ops@example.org"})");
    // Another key's token does not verify with this one.
    auto other = push::EcKey::generate();
    BOOST_TEST(!es256_verifies(push::vapid_jwt(other, "https://push.example.net", 1, "mailto:a@b"),
                               key.public_bytes()));
    auto header = push::vapid_authorization(key, "https://push.example.net", 1, "mailto:a@b");
    BOOST_TEST(header.starts_with("vapid t="));
    BOOST_TEST(header.ends_with(", k=" + push::base64url_encode(key.public_bytes())));
}

BOOST_AUTO_TEST_CASE(the_audience_is_the_endpoint_origin_and_endpoints_must_be_https) {
    BOOST_TEST(push::origin_of("https://fcm.googleapis.com/fcm/send/abc") == "https://fcm.googleapis.com");
    BOOST_TEST(push::origin_of("http://127.0.0.1:8080/p/1?x") == "http://127.0.0.1:8080");
    BOOST_TEST(push::origin_of("ftp://x/y").empty());
    BOOST_TEST(push::endpoint_problem("https://push.example.net/x", false).empty());
    BOOST_TEST(!push::endpoint_problem("http://push.example.net/x", false).empty());
    BOOST_TEST(push::endpoint_problem("http://127.0.0.1:9/x", true).empty());
    BOOST_TEST(!push::endpoint_problem("https:///nohost", false).empty());
    BOOST_TEST(!push::endpoint_problem("https://a b/", false).empty());
}

BOOST_AUTO_TEST_CASE(the_vapid_key_file_is_made_once_and_read_back_the_same) {
    test_support::TempDir dir;
    auto file = dir.path() / "vapid-key.pem";
    auto made = push::EcKey::load_or_create(file);
    auto again = push::EcKey::load_or_create(file);
    BOOST_TEST(made.public_bytes() == again.public_bytes());
    BOOST_TEST(made.public_bytes().size() == 65u);
    auto perms = std::filesystem::status(file).permissions();
    BOOST_TEST(((perms & std::filesystem::perms::group_all) == std::filesystem::perms::none));
    BOOST_TEST(((perms & std::filesystem::perms::others_all) == std::filesystem::perms::none));
    {
        std::ofstream(dir.path() / "bad.pem") << "not a key";
    }
    BOOST_CHECK_THROW(push::EcKey::load_or_create(dir.path() / "bad.pem"), std::runtime_error);
}
