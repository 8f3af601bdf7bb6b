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

}  // namespace server::gmime
