// Small helpers shared by the messages built with GMime 3 (iMIP invitations,
// reminder e-mail).
#pragma once
#include <gmime/gmime.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>

namespace server::gmime {

/// Drops a GObject reference (GMime objects are GObjects).
struct Unref {
    void operator()(void* object) const {
        if (object) g_object_unref(object);
    }
};

/// An owned GObject reference.
template <class T>
using GPtr = std::unique_ptr<T, Unref>;

/// Text for a header: no line breaks, so no header can be injected.
inline std::string one_line(std::string_view text) {
    std::string out(text);
    std::replace_if(out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
    return out;
}

/// Sets the message's Date to now and a fresh Message-ID in the domain of
/// `sender_address` (a bare user@domain; "kalends" when it has no domain).
inline void stamp_date_and_id(GMimeMessage* message, std::string_view sender_address) {
    GDateTime* now = g_date_time_new_now_utc();
    g_mime_message_set_date(message, now);
    g_date_time_unref(now);
    auto at = sender_address.find('@');
    std::string domain = at == std::string_view::npos ? "kalends" : std::string(sender_address.substr(at + 1));
    char* id = g_mime_utils_generate_message_id(domain.c_str());
    g_mime_message_set_message_id(message, id);
    g_free(id);
}

}  // namespace server::gmime
