// Account name rules over ICU: normalization (unorm2), character properties
// (uchar) and confusable skeletons (uspoof, UTS #39).
#include "src/http/user_name.hpp"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <cstdio>
#include <memory>

namespace server {

namespace {

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::optional<std::u16string> to_utf16(std::string_view s) {
    UErrorCode err = U_ZERO_ERROR;
    int32_t len = 0;
    u_strFromUTF8(nullptr, 0, &len, s.data(), static_cast<int32_t>(s.size()), &err);
    if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) return std::nullopt;
    std::u16string out(static_cast<std::size_t>(len), u'\0');
    err = U_ZERO_ERROR;
    u_strFromUTF8(out.data(), len, nullptr, s.data(), static_cast<int32_t>(s.size()), &err);
    if (U_FAILURE(err)) return std::nullopt;
    return out;
}

std::string to_utf8(const std::u16string& s) {
    UErrorCode err = U_ZERO_ERROR;
    int32_t len = 0;
    u_strToUTF8(nullptr, 0, &len, s.data(), static_cast<int32_t>(s.size()), &err);
    std::string out(static_cast<std::size_t>(len), '\0');
    err = U_ZERO_ERROR;
    u_strToUTF8(out.data(), len, nullptr, s.data(), static_cast<int32_t>(s.size()), &err);
    return U_FAILURE(err) ? std::string() : out;
}

/// Calls an ICU function of the (dest, capacity, &err) shape twice: to size, then to fill.
template <class Fn>
std::optional<std::u16string> icu_transform(Fn fn) {
    UErrorCode err = U_ZERO_ERROR;
    int32_t len = fn(nullptr, 0, &err);
    if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) return std::nullopt;
    std::u16string out(static_cast<std::size_t>(len), u'\0');
    err = U_ZERO_ERROR;
    fn(out.data(), len, &err);
    if (U_FAILURE(err)) return std::nullopt;
    return out;
}

std::string code_point_name(UChar32 c) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
    return buf;
}

/// Why code point `c` may not appear in a name or address, or empty.
std::string invisible_or_control(UChar32 c) {
    switch (u_charType(c)) {
        case U_CONTROL_CHAR: return "control character " + code_point_name(c);
        case U_FORMAT_CHAR: return "invisible format character " + code_point_name(c);
        case U_UNASSIGNED: return "unassigned character " + code_point_name(c);
        case U_PRIVATE_USE_CHAR: return "private-use character " + code_point_name(c);
        case U_SURROGATE: return "lone surrogate " + code_point_name(c);
        case U_LINE_SEPARATOR:
        case U_PARAGRAPH_SEPARATOR: return "line separator " + code_point_name(c);
        default: break;
    }
    if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
        return "invisible character " + code_point_name(c);
    return {};
}

}  // namespace

std::optional<std::string> to_nfc(std::string_view text) {
    if (is_ascii(text)) return std::string(text);
    auto wide = to_utf16(text);
    if (!wide) return std::nullopt;
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2* nfc = unorm2_getNFCInstance(&err);
    if (U_FAILURE(err)) return std::nullopt;
    auto normal = icu_transform([&](UChar* dest, int32_t cap, UErrorCode* e) {
        return unorm2_normalize(nfc, wide->data(), static_cast<int32_t>(wide->size()), dest, cap, e);
    });
    if (!normal) return std::nullopt;
    return to_utf8(*normal);
}

std::string account_name_problem(std::string_view name) {
    if (name.empty() || name.size() > 128) return "a name has 1 to 128 bytes";
    auto wide = to_utf16(name);
    if (!wide) return "a name is UTF-8";
    if (name.front() == ' ' || name.back() == ' ') return "no space at the start or end";
    if (name.find("  ") != std::string_view::npos) return "no two spaces in a row";
    for (int32_t i = 0, n = static_cast<int32_t>(wide->size()); i < n;) {
        UChar32 c;
        U16_NEXT(wide->data(), i, n, c);
        if (c == '/' || c == ':') return "no '/' or ':'";
        if (auto why = invisible_or_control(c); !why.empty()) return "no " + why;
        if (c != ' ' && u_charType(c) == U_SPACE_SEPARATOR) return "no space other than ' ' (" + code_point_name(c) + ")";
    }
    return {};
}

std::string email_address_problem(std::string_view address) {
    auto at = address.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == address.size() ||
        address.find('@', at + 1) != std::string_view::npos)
        return "not an email address";
    if (address.size() > 254) return "longer than 254 bytes";
    if (address.find_first_of("<>\"") != std::string_view::npos) return "no <, > or \"";
    auto wide = to_utf16(address);
    if (!wide) return "not UTF-8";
    for (int32_t i = 0, n = static_cast<int32_t>(wide->size()); i < n;) {
        UChar32 c;
        U16_NEXT(wide->data(), i, n, c);
        if (u_isUWhiteSpace(c) || u_charType(c) == U_SPACE_SEPARATOR) return "no spaces";
        if (auto why = invisible_or_control(c); !why.empty()) return "no " + why;
    }
    return {};
}

namespace {

std::optional<std::u16string> skeleton_of(const USpoofChecker* checker, const std::u16string& text) {
    return icu_transform([&](UChar* dest, int32_t cap, UErrorCode* e) {
        return uspoof_getSkeleton(checker, 0, text.data(), static_cast<int32_t>(text.size()), dest, cap, e);
    });
}

std::optional<std::u16string> folded(const std::u16string& text) {
    return icu_transform([&](UChar* dest, int32_t cap, UErrorCode* e) {
        return u_strFoldCase(dest, cap, text.data(), static_cast<int32_t>(text.size()), U_FOLD_CASE_DEFAULT, e);
    });
}

/// Two keys: the skeleton of the case-folded text, and the skeleton of the
/// case-folded skeleton. Folding first finds "ALICE" (I folds to i, not to
/// the l its skeleton would give); the skeleton first finds "aIice".
std::optional<std::pair<std::u16string, std::u16string>> alike_keys(const USpoofChecker* checker,
                                                                    std::string_view text) {
    auto nfc = to_nfc(text);
    if (!nfc) return std::nullopt;
    auto wide = to_utf16(*nfc);
    if (!wide) return std::nullopt;
    auto f = folded(*wide);
    auto first = f ? skeleton_of(checker, *f) : std::nullopt;
    auto s = skeleton_of(checker, *wide);
    auto sf = s ? folded(*s) : std::nullopt;
    auto second = sf ? skeleton_of(checker, *sf) : std::nullopt;
    if (!first || !second) return std::nullopt;
    return std::make_pair(*first, *second);
}

}  // namespace

bool looks_alike(std::string_view a, std::string_view b) {
    UErrorCode err = U_ZERO_ERROR;
    std::unique_ptr<USpoofChecker, decltype(&uspoof_close)> checker(uspoof_open(&err), &uspoof_close);
    if (U_FAILURE(err)) return false;
    auto ka = alike_keys(checker.get(), a);
    auto kb = alike_keys(checker.get(), b);
    return ka && kb && (ka->first == kb->first || ka->second == kb->second);
}

}  // namespace server
