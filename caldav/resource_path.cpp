// Path parsing and href building for the Kalends URL space (DESIGN.md "Data").
#include "caldav/resource_path.hpp"

#include <vector>

namespace caldav {

namespace {

std::vector<std::string_view> split_segments(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (pos < path.size()) {
        if (path[pos] == '/') {
            ++pos;
            continue;
        }
        auto end = path.find('/', pos);
        if (end == std::string_view::npos) end = path.size();
        out.push_back(path.substr(pos, end - pos));
        pos = end;
    }
    return out;
}

}  // namespace

ResourcePath ResourcePath::parse(std::string_view path) {
    ResourcePath r;
    r.trailing_slash = !path.empty() && path.back() == '/';
    auto seg = split_segments(path);
    if (seg.size() == 2 && seg[0] == ".well-known" && seg[1] == "caldav") {
        r.kind = ResourceKind::well_known;
        return r;
    }
    if (seg.empty()) {
        // The server root answers like the DAV root: clients given only a host
        // name ask it for current-user-principal (RFC 5397) before anything else.
        r.kind = ResourceKind::root;
        r.owner.clear();
        r.object = "/";
        return r;
    }
    if (seg[0] != "dav") return r;
    if (seg.size() == 1) {
        r.kind = ResourceKind::root;
        return r;
    }
    if (seg[1] == "principals") {
        if (seg.size() == 2 || (seg.size() == 3 && seg[2] == "users")) {
            r.kind = ResourceKind::principals;
        } else if (seg.size() == 4 && seg[2] == "users") {
            r.kind = ResourceKind::principal;
            r.owner = seg[3];
        } else if (seg.size() == 5 && seg[2] == "users" &&
                   (seg[4] == proxy_read_group || seg[4] == proxy_write_group)) {
            r.kind = ResourceKind::proxy_group;
            r.owner = seg[3];
            r.collection = seg[4];
        }
        return r;
    }
    if (seg[1] == "calendars") {
        switch (seg.size()) {
        case 2: r.kind = ResourceKind::calendars_root; break;
        case 3: r.kind = ResourceKind::home; r.owner = seg[2]; break;
        case 4:
            r.owner = seg[2];
            r.collection = seg[3];
            r.kind = seg[3] == notification_collection ? ResourceKind::notifications : ResourceKind::collection;
            break;
        default: {
            r.owner = seg[2];
            if (seg[3] == notification_collection) {
                // One level only: notifications are plain resources.
                if (seg.size() == 5 && !r.trailing_slash) {
                    r.kind = ResourceKind::notification;
                    r.collection = seg[3];
                    r.object = seg[4];
                }
                return r;
            }
            // Deeper paths name members of nested plain collections (RFC 4918
            // §9.3): the collection is stored under its slash-joined path.
            std::size_t last = r.trailing_slash ? seg.size() : seg.size() - 1;
            for (std::size_t i = 3; i < last; ++i) {
                if (i > 3) r.collection += '/';
                r.collection += seg[i];
            }
            if (r.trailing_slash) {
                r.kind = ResourceKind::collection;
            } else {
                r.object = seg.back();
                r.kind = ResourceKind::object;
            }
            break;
        }
        }
    }
    return r;
}

std::string encode_segment(std::string_view segment) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(segment.size());
    for (unsigned char c : segment) {
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~' || c == '@' || c == '!' ||
                    c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' ||
                    c == '+' || c == ',' || c == ';' || c == '=' || c == ':';
        if (keep) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

std::string principal_href(std::string_view owner) {
    return "/dav/principals/users/" + encode_segment(owner) + "/";
}

std::string home_href(std::string_view owner) {
    return "/dav/calendars/" + encode_segment(owner) + "/";
}

std::string collection_href(std::string_view owner, std::string_view collection) {
    std::string out = home_href(owner);
    std::size_t pos = 0;
    while (true) {
        auto slash = collection.find('/', pos);
        out += encode_segment(collection.substr(pos, slash == std::string_view::npos ? slash : slash - pos));
        out += '/';
        if (slash == std::string_view::npos) break;
        pos = slash + 1;
    }
    return out;
}

std::string object_href(std::string_view owner, std::string_view collection,
                        std::string_view object) {
    return collection_href(owner, collection) + encode_segment(object);
}

std::string notifications_href(std::string_view owner) { return collection_href(owner, notification_collection); }

std::string proxy_group_href(std::string_view owner, std::string_view group) {
    return principal_href(owner) + std::string(group) + "/";
}

}  // namespace caldav
