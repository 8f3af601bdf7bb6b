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

constexpr std::string_view property = schedule_default_calendar_property;

/// `href` without scheme and authority ("https://host/dav/…" → "/dav/…").
std::string_view path_of(std::string_view href) {
    auto scheme = href.find("://");
    if (scheme == std::string_view::npos || href.find('/') < scheme) return href;
    auto path = href.find('/', scheme + 3);
    return path == std::string_view::npos ? std::string_view("/") : href.substr(path);
}

/// The DAV:href inside a stored property element, or "" when it holds none.
std::string href_in(std::string_view property_xml, const Limits& limits) {
    try {
        auto root = xml::parse(property_xml, limits);
        if (const auto* h = root.child(names::dav_ns, "href")) return h->text;
    } catch (const Error&) {
        // Stored by an older version without checks: ignored, the default applies.
    }
    return {};
}

/// The stored property element of `who`'s inbox, or "" when none is set.
std::string chosen_property(Store& store, const PrincipalRecord& who) {
    auto inbox = store.find_collection(who.id, "inbox");
    if (!inbox || inbox->kind != CollectionKind::inbox) return {};
    for (auto& d : store.dead_properties(inbox->id, ""))
        if (d.ns == names::caldav_ns && d.name == property) return std::move(d.xml);
    return {};
}

/// The collection among `collections` of user `owner_name` that `href` names, when it
/// may hold invitations.
std::optional<CollectionRecord> calendar_at(std::string_view owner_name, std::vector<CollectionRecord>& collections,
                                            std::string_view href) {
    auto path = path_of(href);
    while (path.size() > 1 && path.ends_with("//")) path.remove_suffix(1);
    for (auto& c : collections) {
        auto own = collection_href(owner_name, c.name);
        std::string_view bare(own);
        if (bare.ends_with('/')) bare.remove_suffix(1);
        if ((path == own || path == bare) && takes_invitations(c)) return std::move(c);
    }
    return std::nullopt;
}

}  // namespace

bool takes_invitations(const CollectionRecord& c) {
    return c.kind == CollectionKind::calendar &&
           (c.components.empty() || c.components.find("VEVENT") != std::string::npos);
}

std::optional<CollectionRecord> invitation_calendar_at(Store& store, const PrincipalRecord& who,
                                                       std::string_view href) {
    auto collections = store.list_collections(who.id);
    return calendar_at(who.name, collections, href);
}

std::optional<CollectionRecord> default_calendar(Store& store, const PrincipalRecord& who,
                                                 const Limits& limits) {
    return default_calendar_among(who.name, chosen_property(store, who), store.list_collections(who.id), limits);
}

std::optional<CollectionRecord> default_calendar_among(std::string_view owner_name,
                                                       std::string_view chosen_property_xml,
                                                       std::vector<CollectionRecord> collections,
                                                       const Limits& limits) {
    if (auto href = chosen_property_xml.empty() ? std::string() : href_in(chosen_property_xml, limits); !href.empty())
        if (auto chosen = calendar_at(owner_name, collections, href)) return chosen;
    for (auto& c : collections)
        if (c.name == "calendar" && takes_invitations(c)) return std::move(c);
    for (auto& c : collections)
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
