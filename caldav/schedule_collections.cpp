// RFC 6638 §9 collection properties. schedule-default-calendar-URL: the
// property and the deliveries read this one choice (issue 22 §9: they
// disagreed once Apple Calendar created a second calendar whose name sorted
// first). schedule-calendar-transp: read by free/busy lookups (§14).
#include "caldav/schedule_collections.hpp"

#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/resource_path.hpp"
#include "caldav/xml/element.hpp"

namespace caldav {

namespace {

constexpr std::string_view property = "schedule-default-calendar-URL";

/// `href` without scheme and authority ("https://host/dav/…" → "/dav/…").
std::string_view path_of(std::string_view href) {
    auto scheme = href.find("://");
    if (scheme == std::string_view::npos || href.find('/') < scheme) return href;
    auto path = href.find('/', scheme + 3);
    return path == std::string_view::npos ? std::string_view("/") : href.substr(path);
}

/// The DAV:href inside the stored property, or "" when it holds none.
std::string chosen_href(Store& store, const PrincipalRecord& who, const Limits& limits) {
    auto inbox = store.find_collection(who.id, "inbox");
    if (!inbox || inbox->kind != CollectionKind::inbox) return {};
    for (const auto& d : store.dead_properties(inbox->id, "")) {
        if (d.ns != names::caldav_ns || d.name != property) continue;
        try {
            auto root = xml::parse(d.xml, limits);
            if (const auto* h = root.child(names::dav_ns, "href")) return h->text;
        } catch (const Error&) {
            // Stored by an older version without checks: ignored, the default applies.
        }
    }
    return {};
}

}  // namespace

bool takes_invitations(const CollectionRecord& c) {
    return c.kind == CollectionKind::calendar &&
           (c.components.empty() || c.components.find("VEVENT") != std::string::npos);
}

std::optional<CollectionRecord> invitation_calendar_at(Store& store, const PrincipalRecord& who,
                                                       std::string_view href) {
    auto path = path_of(href);
    while (path.size() > 1 && path.ends_with("//")) path.remove_suffix(1);
    for (auto& c : store.list_collections(who.id)) {
        auto own = collection_href(who.name, c.name);
        std::string_view bare(own);
        if (bare.ends_with('/')) bare.remove_suffix(1);
        if ((path == own || path == bare) && takes_invitations(c)) return std::move(c);
    }
    return std::nullopt;
}

std::optional<CollectionRecord> default_calendar(Store& store, const PrincipalRecord& who,
                                                 const Limits& limits) {
    if (auto href = chosen_href(store, who, limits); !href.empty())
        if (auto chosen = invitation_calendar_at(store, who, href)) return chosen;
    if (auto c = store.find_collection(who.id, "calendar"); c && takes_invitations(*c)) return c;
    for (auto& c : store.list_collections(who.id))
        if (takes_invitations(c)) return std::move(c);
    return std::nullopt;
}

bool counts_for_busy(Store& store, const CollectionRecord& c) {
    if (c.kind != CollectionKind::calendar) return false;
    for (const auto& d : store.dead_properties(c.id, ""))
        if (d.ns == names::caldav_ns && d.name == "schedule-calendar-transp")
            return d.xml.find("transparent") == std::string::npos;
    return true;
}

}  // namespace caldav
