// Windows → IANA zone names via ICU's copy of CLDR windowsZones.xml.
#include "ical/windows_zones.hpp"

#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include <map>
#include <mutex>

namespace ical {

namespace {

std::optional<std::string> lookup(const std::string& name) {
    // Windows zone names are short ASCII; anything else is not one.
    constexpr int32_t capacity = 128;
    if (name.empty() || name.size() >= capacity) return std::nullopt;
    for (unsigned char c : name)
        if (c < 0x20 || c > 0x7e) return std::nullopt;
    UChar windows_id[capacity];
    u_uastrncpy(windows_id, name.c_str(), capacity);
    UChar iana[capacity];
    UErrorCode status = U_ZERO_ERROR;
    int32_t len = ucal_getTimeZoneIDForWindowsID(windows_id, static_cast<int32_t>(name.size()), nullptr, iana,
                                                 capacity, &status);
    if (U_FAILURE(status) || len <= 0 || len >= capacity) return std::nullopt;
    char out[capacity];
    u_austrncpy(out, iana, len);
    return std::string(out, static_cast<std::size_t>(len));
}

}  // namespace

std::optional<std::string> iana_for_windows_zone(std::string_view windows_name) {
    static std::mutex mutex;
    static std::map<std::string, std::optional<std::string>, std::less<>> cache;
    std::lock_guard lock(mutex);
    if (auto it = cache.find(windows_name); it != cache.end()) return it->second;
    std::string key(windows_name);
    auto result = lookup(key);
    if (cache.size() < 1024) cache.emplace(std::move(key), result);  // bounded: TZIDs come from clients
    return result;
}

}  // namespace ical
