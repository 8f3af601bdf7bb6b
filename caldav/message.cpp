// Header container for caldav::Request and caldav::Response.
#include "caldav/message.hpp"

#include <algorithm>

namespace caldav {

void Response::collect() {
    if (!next_chunk) return;
    for (std::string piece; !(piece = next_chunk()).empty();) body += piece;
    next_chunk = nullptr;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
               return lower(x) == lower(y);
           });
}

void Headers::add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::set(std::string name, std::string value) {
    std::erase_if(fields_, [&](const auto& f) { return iequals(f.first, name); });
    fields_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
    for (const auto& [n, v] : fields_)
        if (iequals(n, name)) return std::string_view(v);
    return std::nullopt;
}

}  // namespace caldav
