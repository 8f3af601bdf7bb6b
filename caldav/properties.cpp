// Live properties, one table row each (STYLE.md "Adding things: a property").
#include "caldav/properties.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>

#include "caldav/delegation.hpp"
#include "caldav/names.hpp"
#include "caldav/privileges.hpp"
#include "caldav/quota.hpp"
#include "caldav/schedule_collections.hpp"
#include "caldav/sharing.hpp"
#include "caldav/webdav_push.hpp"
#include "caldav/report.hpp"
#include "caldav/xml/element.hpp"
#include "caldav/xml/multistatus.hpp"

namespace caldav {

namespace {

using names::apple_ical_ns;
using names::caldav_ns;
using names::calendarserver_ns;
using names::dav_ns;
using xml::element;
using xml::escape;
using xml::href;

using Value = std::optional<std::string>;

std::string format_ical_utc(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

Value resourcetype(Context& ctx, const Resource& r) {
    switch (r.bit()) {
    case k_principal: return element(dav_ns, "collection") + element(dav_ns, "principal");
    case k_calendar:
        // caldav-sharing §5.2.1: CS:shared-owner or CS:shared besides.
        return element(dav_ns, "collection") + element(caldav_ns, "calendar") + sharing_resourcetype(ctx, r);
    case k_inbox: return element(dav_ns, "collection") + element(caldav_ns, "schedule-inbox");
    case k_outbox: return element(dav_ns, "collection") + element(caldav_ns, "schedule-outbox");
    case k_object: return std::string();
    case k_notification: return std::string();
    case k_notifications: return element(dav_ns, "collection") + element(calendarserver_ns, "notification");
    case k_proxy_group: return proxy_resourcetype(ctx, r);
    default: return element(dav_ns, "collection");
    }
}

Value displayname(Context& ctx, const Resource& r) {
    // caldav-sharing §5.5.3: a sharee's own name for a shared calendar.
    if (auto own = sharee_display_name(ctx, r)) return own;
    if (r.kind == ResourceKind::proxy_group) return proxy_displayname(ctx, r);
    if (r.kind == ResourceKind::principal)
        return escape(r.owner->display_name.empty() ? r.owner->name : r.owner->display_name);
    if (r.collection && r.kind == ResourceKind::collection) return escape(r.collection->display_name);
    return std::nullopt;
}

bool append_getetag(Context&, const Resource& r, std::string& out) {
    if (r.notification) {
        xml::escape_append(out, notification_etag(*r.notification));
        return true;
    }
    out += "&quot;";
    xml::escape_append(out, r.object->etag);
    out += "&quot;";
    return true;
}

Value getetag(Context& ctx, const Resource& r) {
    std::string out;
    append_getetag(ctx, r, out);
    return out;
}

/// RFC 6638 §9.3: only scheduling object resources have one.
Value schedule_tag(Context&, const Resource& r) {
    if (r.object->schedule_tag.empty()) return std::nullopt;
    return escape("\"" + r.object->schedule_tag + "\"");
}

Value getcontenttype(Context&, const Resource& r) {
    if (r.notification) return std::string("application/xml; charset=utf-8");
    if (!r.object->content_type.empty()) return escape(r.object->content_type);
    if (r.object->component == "VEVENT") return "text/calendar; charset=utf-8; component=vevent";
    if (r.object->component == "VTODO") return "text/calendar; charset=utf-8; component=vtodo";
    std::string comp = r.object->component;
    for (auto& c : comp) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "text/calendar; charset=utf-8" + (comp.empty() ? std::string() : "; component=" + comp);
}

Value getcontentlength(Context&, const Resource& r) { return std::to_string(r.object->size); }

Value getlastmodified(Context&, const Resource& r) {
    if (r.object) return http_date(r.object->modified_at);
    if (r.collection) return http_date(r.collection->modified_at);
    if (r.home) return http_date(r.home->modified_at);
    return std::nullopt;
}

Value creationdate(Context&, const Resource& r) {
    if (r.object) return rfc3339(r.object->created_at);
    if (r.collection) return rfc3339(r.collection->created_at);
    if (r.home) return rfc3339(r.home->created_at);
    return std::nullopt;
}

Value sync_token_prop(Context&, const Resource& r) {
    if (r.home) return escape(home_sync_token(*r.home, r.home->revision));
    if (!r.collection) return std::nullopt;
    return escape(sync_token(*r.collection, r.collection->revision));
}

Value getctag(Context&, const Resource& r) {
    if (r.collection) return escape(sync_token(*r.collection, r.collection->revision));
    // A home's revision grows when a collection comes, goes, or changes in
    // properties or members (schema 0008), so it serves as the home's ctag.
    if (r.home) return escape(home_sync_token(*r.home, r.home->revision));
    return std::nullopt;
}

Value current_user_principal(Context& ctx, const Resource&) { return href(principal_href(ctx.user.name)); }

Value principal_url(Context& ctx, const Resource& r) {
    if (r.kind == ResourceKind::proxy_group) return proxy_principal_url(ctx, r);
    return href(principal_href(r.owner->name));
}

Value principal_collection_set(Context&, const Resource&) { return href("/dav/principals/users/"); }

Value owner(Context&, const Resource& r) {
    if (!r.owner) return std::nullopt;
    return href(principal_href(r.owner->name));
}

// RFC 3744 §5.4: what privileges_of gave the actor when the resource was resolved.
Value current_user_privilege_set(Context&, const Resource& r) {
    // The notification collection reports as a plain collection does, a
    // proxy group as a principal.
    const unsigned bit = r.bit();
    return current_user_privilege_set_xml(r.privileges, (bit & k_notes)          ? k_plain
                                                        : bit == k_proxy_group ? k_principal
                                                                               : bit);
}

Value supported_report_set(Context&, const Resource& r) {
    // Derived from the report table (caldav/method_report.cpp): only reports that work.
    std::string out;
    for (const auto& [ns, name] : supported_reports(r))
        out += element(dav_ns, "supported-report", element(dav_ns, "report", element(ns, name)));
    return out;
}

// RFC 3744 §5.3: the aggregation tree of caldav/privileges.cpp, with the
// scheduling privileges on inbox and outbox (RFC 6638 §6.1, §6.2). Issue 22 item 16.
Value supported_privilege_set(Context&, const Resource& r) { return supported_privilege_set_xml(r.bit()); }

// RFC 3744 §5.5: the entries privileges_of evaluates (acl_of): those of
// ownership protected, a calendar's grants (issue 25) its own to change by
// ACL, and on its members inherited from it. Read with DAV:read-acl.
Value acl(Context&, const Resource& r) {
    if (!holds(r.privileges, Privileges::read_acl)) return std::nullopt;
    std::string out;
    for (const auto& ace : acl_of(r)) {
        auto principal = ace.principal ? href(principal_href(ace.principal->name)) : element(dav_ns, "authenticated");
        std::string marker = element(dav_ns, "protected");
        if (ace.from_grant && r.owner && r.collection)
            marker = r.kind == ResourceKind::object
                         ? element(dav_ns, "inherited", href(collection_href(r.owner->name, r.collection->name)))
                         : std::string();
        out += element(dav_ns, "ace", element(dav_ns, "principal", principal) +
                                          element(dav_ns, "grant", privilege_elements(ace.granted)) + marker);
    }
    return out;
}

Value acl_restrictions(Context&, const Resource&) {
    // §5.6: only grants, never a deny, and no inverted principals.
    return element(dav_ns, "grant-only") + element(dav_ns, "no-invert");
}

Value inherited_acl_set(Context&, const Resource& r) {
    // §5.7: a calendar object inherits its calendar's grants (issue 25).
    if (r.kind == ResourceKind::object && r.owner && r.collection && !r.grants.empty())
        return href(collection_href(r.owner->name, r.collection->name));
    return std::string();
}

Value quota_used_bytes(Context& ctx, const Resource& r) {
    return std::to_string(ctx.store.used_bytes(r.owner->id));
}

Value quota_available_bytes(Context& ctx, const Resource& r) {
    return std::to_string(quota_available_bytes(ctx.store, ctx.limits, r.owner->id));
}

Value calendar_home_set(Context&, const Resource& r) { return href(home_href(r.owner->name)); }

Value calendar_user_address_set(Context&, const Resource& r) {
    // RFC 6638 §2.4.1; the mailto: address first, as clients take the first one.
    std::string out;
    if (!r.owner->email.empty()) out += href("mailto:" + r.owner->email);
    out += href(principal_href(r.owner->name));
    return out;
}

Value email_address_set(Context&, const Resource& r) {
    // CalendarServer's email-address-set: the addresses without "mailto:",
    // which principal-property-search already offers to match on.
    if (r.owner->email.empty()) return std::nullopt;
    return xml::text_element(calendarserver_ns, "email-address", r.owner->email);
}

Value calendar_user_type(Context&, const Resource& r) {
    if (r.owner->kind == "room") return std::string("ROOM");
    if (r.owner->kind == "resource") return std::string("RESOURCE");
    return std::string("INDIVIDUAL");
}

Value schedule_inbox_url(Context&, const Resource& r) { return href(collection_href(r.owner->name, "inbox")); }
Value schedule_outbox_url(Context&, const Resource& r) { return href(collection_href(r.owner->name, "outbox")); }

Value schedule_default_calendar_url(Context& ctx, const Resource& r) {
    // RFC 6638 §9.2: the calendar new invitations land in, the same one
    // deliveries use (caldav/schedule_collections.hpp).
    if (auto c = default_calendar(ctx.store, *r.owner, ctx.limits))
        return href(collection_href(r.owner->name, c->name));
    return std::nullopt;
}

Value schedule_calendar_transp(Context& ctx, const Resource& r) {
    // RFC 6638 §9.1: opaque unless the user made it transparent (kept as a
    // dead property, read where busy time is computed).
    return counts_for_busy(ctx.store, *r.collection) ? "<C:opaque/>" : "<C:transparent/>";
}

Value calendar_description(Context&, const Resource& r) {
    if (r.collection->description.empty()) return std::nullopt;
    return escape(r.collection->description);
}

Value calendar_timezone(Context&, const Resource& r) {
    if (r.collection->timezone.empty()) return std::nullopt;
    return escape(r.collection->timezone);
}

Value supported_calendar_component_set(Context&, const Resource& r) {
    std::string list = r.collection->components.empty() ? "VEVENT,VTODO,VJOURNAL" : r.collection->components;
    std::string out;
    std::size_t pos = 0;
    while (pos <= list.size()) {
        auto end = list.find(',', pos);
        if (end == std::string::npos) end = list.size();
        if (end > pos) out += "<C:comp name=\"" + escape(list.substr(pos, end - pos)) + "\"/>";
        pos = end + 1;
    }
    return out;
}

Value supported_calendar_data(Context&, const Resource&) {
    return std::string("<C:calendar-data content-type=\"text/calendar\" version=\"2.0\"/>");
}

Value max_resource_size(Context& ctx, const Resource&) { return std::to_string(ctx.limits.max_resource_bytes); }
Value min_date_time(Context& ctx, const Resource&) { return format_ical_utc(ctx.limits.min_date_time); }
Value max_date_time(Context& ctx, const Resource&) { return format_ical_utc(ctx.limits.max_date_time); }
Value max_instances(Context& ctx, const Resource&) { return std::to_string(ctx.limits.max_instances); }
Value max_attendees(Context& ctx, const Resource&) {
    return std::to_string(ctx.limits.max_attendees_per_instance);
}

bool append_calendar_data(Context& ctx, const Resource& r, std::string& out) {
    if (!r.object->content_type.empty()) return false;  // not a calendar object
    // Read here because listings carry no data.
    std::optional<ObjectRecord> full;
    if (r.object->text().empty()) {
        full = ctx.store.find_object(r.collection->id, r.object->name, true);
        if (!full) return false;
    }
    const std::string_view data = full ? full->text() : r.object->text();
    const bool whole = !ctx.data_selection || ctx.data_selection->whole();
    if (whole && !full && r.object->shared_escaped) out.append(*r.object->shared_escaped);
    else if (whole) xml::escape_append(out, data);
    else xml::escape_append(out, render_calendar_data(data, *ctx.data_selection, ctx.limits));
    return true;
}

Value calendar_data(Context& ctx, const Resource& r) {
    std::string out;
    if (!append_calendar_data(ctx, r, out)) return std::nullopt;
    return out;
}

constexpr unsigned k_home_and_collections = k_home | k_any_collection;

const std::vector<PropertyDescriptor> table{
    // RFC 4918 §15
    {dav_ns, "resourcetype", k_all | k_notes | k_proxy_group, true, true, &resourcetype},
    {dav_ns, "displayname", k_principal | k_any_collection | k_proxy_group, true, false, &displayname},
    {dav_ns, "getetag", k_object | k_notification, true, true, &getetag, &append_getetag},
    {dav_ns, "getcontenttype", k_object | k_notification, true, true, &getcontenttype},
    {dav_ns, "getcontentlength", k_object, true, true, &getcontentlength},
    {dav_ns, "getlastmodified", k_object | k_home_and_collections, true, true, &getlastmodified},
    {dav_ns, "creationdate", k_object | k_home_and_collections, true, true, &creationdate},
    // RFC 6578 §4
    {dav_ns, "sync-token", k_home | k_calendar | k_plain | k_inbox, false, true, &sync_token_prop},
    // RFC 5397, RFC 3744 §4-5
    {dav_ns, "current-user-principal", k_all | k_notes | k_proxy_group, false, true, &current_user_principal},
    {dav_ns, "principal-URL", k_principal | k_proxy_group, false, true, &principal_url},
    {dav_ns, "principal-collection-set", k_all | k_proxy_group, false, true, &principal_collection_set},
    {dav_ns, "owner", k_principal | k_home_and_collections | k_object, false, true, &owner},
    {dav_ns, "current-user-privilege-set", k_all | k_notes | k_proxy_group, false, true,
     &current_user_privilege_set},
    // RFC 3253 §3.1.5
    {dav_ns, "supported-report-set", k_all, false, true, &supported_report_set},
    {dav_ns, "supported-privilege-set", k_all, false, true, &supported_privilege_set},
    {dav_ns, "acl", k_principal | k_home_and_collections | k_object, false, true, &acl},
    {dav_ns, "acl-restrictions", k_principal | k_home_and_collections | k_object, false, true,
     &acl_restrictions},
    {dav_ns, "inherited-acl-set", k_principal | k_home_and_collections | k_object, false, true,
     &inherited_acl_set},
    // RFC 4331
    {dav_ns, "quota-used-bytes", k_home_and_collections, false, true, &quota_used_bytes},
    {dav_ns, "quota-available-bytes", k_home_and_collections, false, true, &quota_available_bytes},
    // RFC 4791 §6, RFC 6638 §2.4
    {caldav_ns, "calendar-home-set", k_principal, false, true, &calendar_home_set},
    {caldav_ns, "calendar-user-address-set", k_principal, false, true, &calendar_user_address_set},
    {calendarserver_ns, "email-address-set", k_principal, false, true, &email_address_set},
    {caldav_ns, "calendar-user-type", k_principal, false, true, &calendar_user_type},
    {caldav_ns, "schedule-inbox-URL", k_principal, false, true, &schedule_inbox_url},
    {caldav_ns, "schedule-outbox-URL", k_principal, false, true, &schedule_outbox_url},
    // Settable (§9.2): the user's choice is kept as a dead property of the
    // inbox, checked in PROPPATCH (check_default_calendar_choice).
    {caldav_ns, "schedule-default-calendar-URL", k_inbox, false, false, &schedule_default_calendar_url},
    {caldav_ns, "schedule-tag", k_object, false, true, &schedule_tag},
    {caldav_ns, "schedule-calendar-transp", k_calendar, false, false, &schedule_calendar_transp},
    // RFC 4791 §5.2
    {caldav_ns, "calendar-description", k_calendar, false, false, &calendar_description},
    {caldav_ns, "calendar-timezone", k_calendar, false, false, &calendar_timezone},
    {caldav_ns, "supported-calendar-component-set", k_calendar, false, true, &supported_calendar_component_set},
    {caldav_ns, "supported-calendar-data", k_calendar, false, true, &supported_calendar_data},
    {caldav_ns, "max-resource-size", k_calendar, false, true, &max_resource_size},
    {caldav_ns, "min-date-time", k_calendar, false, true, &min_date_time},
    {caldav_ns, "max-date-time", k_calendar, false, true, &max_date_time},
    {caldav_ns, "max-instances", k_calendar, false, true, &max_instances},
    {caldav_ns, "max-attendees-per-instance", k_calendar, false, true, &max_attendees},
    {caldav_ns, "calendar-data", k_object, false, true, &calendar_data, &append_calendar_data},
    // CalendarServer
    {calendarserver_ns, "getctag", k_home_and_collections, false, true, &getctag},
    // draft-bitfire-webdav-push "Push Properties" (caldav/webdav_push.cpp)
    {push_ns, "transports", k_calendar, false, true, &push_transports_property},
    {push_ns, "topic", k_calendar, false, true, &push_topic_property},
    {push_ns, "supported-triggers", k_calendar, false, true, &push_supported_triggers_property},
    // Sharing (issue 25): caldav/sharing.cpp. calendar-color is otherwise a
    // dead property; a sharee's own colour answers for them.
    {calendarserver_ns, "invite", k_calendar, false, true, &cs_invite},
    {calendarserver_ns, "allowed-sharing-modes", k_calendar, false, true, &cs_allowed_sharing_modes},
    {calendarserver_ns, "shared-url", k_calendar, false, true, &cs_shared_url},
    {dav_ns, "invite", k_calendar, false, true, &dav_invite},
    {dav_ns, "share-access", k_calendar, false, true, &dav_share_access},
    {apple_ical_ns, "calendar-color", k_calendar, false, false, &sharee_color},
    {calendarserver_ns, "notificationtype", k_notification, false, true, &cs_notificationtype},
    {calendarserver_ns, "notification-URL", k_principal, false, true, &cs_notification_url},
    // Delegation (issue 25 §5): caldav/delegation.cpp. group-member-set is
    // set by PROPPATCH of the group (handle_proxy_proppatch), not here.
    {dav_ns, "group-member-set", k_proxy_group, false, false, &group_member_set},
    {dav_ns, "group-membership", k_principal, false, true, &group_membership},
    {calendarserver_ns, "calendar-proxy-read-for", k_principal, false, true, &calendar_proxy_read_for},
    {calendarserver_ns, "calendar-proxy-write-for", k_principal, false, true, &calendar_proxy_write_for},
};

}  // namespace

const std::vector<PropertyDescriptor>& property_table() { return table; }

const PropertyDescriptor* find_property(std::string_view ns, std::string_view local) {
    for (const auto& d : table)
        if (d.ns == ns && d.local == local) return &d;
    return nullptr;
}

std::string sync_token(const CollectionRecord& c, std::int64_t revision) {
    return "urn:kalends:sync:" + std::to_string(c.id) + ":" + std::to_string(revision);
}

std::optional<std::int64_t> parse_sync_token(const CollectionRecord& c, std::string_view token) {
    std::string prefix = "urn:kalends:sync:" + std::to_string(c.id) + ":";
    if (!token.starts_with(prefix)) return std::nullopt;
    auto rest = token.substr(prefix.size());
    std::int64_t rev = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), rev);
    if (ec != std::errc() || p != rest.data() + rest.size() || rev < 0) return std::nullopt;
    return rev;
}

std::string home_sync_token(const HomeRecord& h, std::int64_t revision) {
    return "urn:kalends:sync:home:" + std::to_string(h.owner_id) + ":" + std::to_string(revision);
}

std::optional<std::int64_t> parse_home_sync_token(const HomeRecord& h, std::string_view token) {
    std::string prefix = "urn:kalends:sync:home:" + std::to_string(h.owner_id) + ":";
    if (!token.starts_with(prefix)) return std::nullopt;
    auto rest = token.substr(prefix.size());
    std::int64_t rev = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), rev);
    if (ec != std::errc() || p != rest.data() + rest.size() || rev < 0) return std::nullopt;
    return rev;
}

PropertyRequest parse_property_request(const xml::Element& root, PropertyRequest::Mode fallback) {
    PropertyRequest req;
    req.mode = fallback;
    auto add = [&req](const xml::Element& list) {
        for (const auto& p : list.children) {
            req.names.emplace_back(p.ns, p.local);
            if (p.is(caldav_ns, "calendar-data")) req.calendar_data = parse_data_selection(p);
        }
    };
    if (const auto* prop = root.child(dav_ns, "prop")) {
        req.mode = PropertyRequest::Mode::prop;
        add(*prop);
    } else if (root.child(dav_ns, "propname")) {
        req.mode = PropertyRequest::Mode::propname;
    } else if (root.child(dav_ns, "allprop")) {
        req.mode = PropertyRequest::Mode::allprop;
        if (const auto* include = root.child(dav_ns, "include")) add(*include);
    }
    return req;
}

void append_properties(std::string& out, std::string_view encoded_href, Context& ctx, const Resource& r,
                       const PropertyRequest& req) {
    if (req.mode != PropertyRequest::Mode::prop) {
        xml::append_response(out, encoded_href, properties_of(ctx, r, req));
        return;
    }
    ctx.data_selection = req.calendar_data ? &*req.calendar_data : nullptr;
    if (!req.descriptors) {
        req.descriptors.emplace();
        for (const auto& [ns, local] : req.names) req.descriptors->push_back(find_property(ns, local));
    }
    // Found values are appended straight into the answer; only the names of
    // missing ones are gathered, in a buffer reused across members.
    thread_local std::string missing;
    missing.clear();
    const auto open = xml::begin_response(out, encoded_href);
    const unsigned bit = r.bit();
    const bool has_dead = r.collection && (r.kind == ResourceKind::collection || r.kind == ResourceKind::object);
    std::optional<std::vector<DeadProperty>> dead;
    for (std::size_t i = 0; i < req.names.size(); ++i) {
        const auto& [ns, local] = req.names[i];
        if (const auto* d = (*req.descriptors)[i]; d && (d->kinds & bit)) {
            if (d->append) {
                if (xml::append_element_by(out, ns, local, [&](std::string& value) { return d->append(ctx, r, value); }))
                    continue;
            } else if (auto v = d->get(ctx, r)) {
                xml::append_element(out, ns, local, *v);
                continue;
            }
        }
        if (!dead) {
            dead = has_dead ? ctx.store.dead_properties(r.collection->id, r.object ? std::string_view(r.object->name)
                                                                                   : std::string_view())
                            : std::vector<DeadProperty>{};
        }
        // Init-captures: clang before 16 (14 builds the fuzzers) lacks C++20's
        // capture of structured bindings (P1091).
        auto p = std::find_if(dead->begin(), dead->end(),
                              [&, ns = ns, local = local](const auto& p) { return p.ns == ns && p.name == local; });
        if (p != dead->end()) out += p->xml;
        else xml::append_element(missing, ns, local, {});
    }
    xml::end_response(out, open, encoded_href, missing);
}

xml::Propstats properties_of(Context& ctx, const Resource& r, const PropertyRequest& req) {
    ctx.data_selection = req.calendar_data ? &*req.calendar_data : nullptr;
    std::vector<std::string> found;
    std::vector<std::string> missing;
    unsigned bit = r.bit();
    bool has_dead = r.collection && (r.kind == ResourceKind::collection || r.kind == ResourceKind::object);
    std::optional<std::vector<DeadProperty>> dead;
    auto dead_props = [&]() -> const std::vector<DeadProperty>& {
        if (!dead) {
            dead = has_dead ? ctx.store.dead_properties(r.collection->id, r.object ? std::string_view(r.object->name)
                                                                                   : std::string_view())
                            : std::vector<DeadProperty>{};
        }
        return *dead;
    };
    auto live_value = [&](const PropertyDescriptor& d) -> Value {
        if (!(d.kinds & bit)) return std::nullopt;
        return d.get(ctx, r);
    };
    auto one = [&](std::string_view ns, std::string_view local) {
        if (const auto* d = find_property(ns, local)) {
            if (auto v = live_value(*d)) {
                found.push_back(element(ns, local, *v));
                return;
            }
            // A settable live property with no value yet may still be a dead one.
        }
        for (const auto& p : dead_props()) {
            if (p.ns == ns && p.name == local) {
                found.push_back(p.xml);
                return;
            }
        }
        missing.push_back(element(ns, local));
    };

    switch (req.mode) {
    case PropertyRequest::Mode::prop:
        for (const auto& [ns, local] : req.names) one(ns, local);
        break;
    case PropertyRequest::Mode::allprop:
        for (const auto& d : table) {
            if (!d.in_allprop) continue;
            if (auto v = live_value(d)) found.push_back(element(d.ns, d.local, *v));
        }
        for (const auto& p : dead_props()) found.push_back(p.xml);
        for (const auto& [ns, local] : req.names) {
            const auto* d = find_property(ns, local);
            if (d && d->in_allprop) continue;  // already there
            one(ns, local);
        }
        break;
    case PropertyRequest::Mode::propname:
        for (const auto& d : table)
            if ((d.kinds & bit) && d.get(ctx, r)) found.push_back(element(d.ns, d.local));
        for (const auto& p : dead_props()) found.push_back(element(p.ns, p.name));
        break;
    }
    return {{200, std::move(found), {}}, {404, std::move(missing), {}}};
}

}  // namespace caldav
