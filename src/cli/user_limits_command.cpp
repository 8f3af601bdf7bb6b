// `kalends user limits NAME` (src/cli/user_limits_command.hpp; issue 29 §6).
#include "src/cli/user_limits_command.hpp"

#include <cctype>
#include <charconv>
#include <limits>

namespace server {

namespace {

/// `text` as a count: digits, then for a quota an optional K, M, G or T
/// (powers of 1024); nullopt when it is not one or overflows.
std::optional<std::uint64_t> parse_count(const std::string& text, bool sizes) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end == text.data()) return std::nullopt;
    std::string_view rest(end, static_cast<std::size_t>(text.data() + text.size() - end));
    if (rest.empty()) return v;
    if (!sizes || rest.size() != 1) return std::nullopt;
    const std::string_view units = "KMGT";
    auto at = units.find(static_cast<char>(std::toupper(static_cast<unsigned char>(rest[0]))));
    if (at == std::string_view::npos) return std::nullopt;
    for (std::size_t i = 0; i <= at; ++i) {
        if (v > std::numeric_limits<std::uint64_t>::max() / 1024) return std::nullopt;
        v *= 1024;
    }
    return v;
}

/// Sets `field` from `asked` ("default": empty); false when `asked` is no count.
template <class T>
bool apply(std::optional<T>& field, const std::optional<std::string>& asked, bool sizes) {
    if (!asked) return true;
    if (*asked == "default") {
        field.reset();
        return true;
    }
    auto v = parse_count(*asked, sizes);
    if (!v) return false;
    if constexpr (sizeof(T) < sizeof(std::uint64_t))
        if (*v > std::numeric_limits<T>::max()) return false;
    field = static_cast<T>(*v);
    return true;
}

template <class T>
void print(std::ostream& out, const char* setting, const std::optional<T>& own, std::uint64_t server_value) {
    out << setting << "\t" << (own ? static_cast<std::uint64_t>(*own) : server_value) << "\t"
        << (own ? "user" : "server") << "\n";
}

}  // namespace

int user_limits(Backend& store, const caldav::Limits& server_limits, const std::string& name,
                const UserLimitsChange& change, std::ostream& out, std::ostream& err) {
    auto who = store.find_principal(name);
    if (!who || who->kind != "user") {
        err << "kalends: no user '" << name << "'\n";
        return 1;
    }
    auto limits = store.user_limits(who->id);
    if (!apply(limits.quota_bytes, change.quota, true)) {
        err << "kalends: --quota: '" << *change.quota << "' is not a size (bytes, or a number with K, M, G or T)\n";
        return 2;
    }
    if (!apply(limits.max_calendars, change.max_calendars, false)) {
        err << "kalends: --max-calendars: '" << *change.max_calendars << "' is not a count\n";
        return 2;
    }
    if (!apply(limits.max_objects_per_calendar, change.max_objects_per_calendar, false)) {
        err << "kalends: --max-objects: '" << *change.max_objects_per_calendar << "' is not a count\n";
        return 2;
    }
    bool asked = change.quota || change.max_calendars || change.max_objects_per_calendar;
    if (asked && store.set_user_limits(who->name, limits) != caldav::StoreStatus::ok) {
        err << "kalends: cannot set the limits of '" << name << "': database busy or full\n";
        return 1;
    }
    print(out, "quota-bytes", limits.quota_bytes, server_limits.quota_bytes_per_user);
    print(out, "max-calendars", limits.max_calendars, server_limits.max_calendars_per_user);
    print(out, "max-objects-per-calendar", limits.max_objects_per_calendar, server_limits.max_objects_per_calendar);
    out << "used-bytes\t" << store.used_bytes(who->id) << "\n";
    return 0;
}

}  // namespace server
