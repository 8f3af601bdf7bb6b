// Delegation (issue 25 §5): CalendarServer's calendar-proxy-read /
// calendar-proxy-write group principals (RFC 3744 §4.3-4.4 group properties).
#include "caldav/delegation.hpp"

#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/property_update.hpp"
#include "caldav/scheduling.hpp"
#include "caldav/store_outcome.hpp"
#include "caldav/target.hpp"
#include "caldav/xml/element.hpp"
#include "caldav/xml/multistatus.hpp"

namespace caldav {

namespace {

using names::calendarserver_ns;
using names::dav_ns;

std::string_view group_of(ProxyMode mode) { return mode == ProxyMode::write ? proxy_write_group : proxy_read_group; }

/// The user principal an href of group-member-set names: a principal URL
/// (path or absolute) or a mailto: address.
std::optional<PrincipalRecord> member_of_href(Store& store, std::string_view href) {
    if (href.size() > 7 && lower(href.substr(0, 7)) == "mailto:") return principal_of(store, href);
    auto path = decode_target(href);
    if (!path) return std::nullopt;
    auto parsed = ResourcePath::parse(*path);
    if (parsed.kind != ResourceKind::principal) return std::nullopt;
    return store.find_principal(parsed.owner);
}

/// The href list of whom `user` is a `mode` delegate of.
std::optional<std::string> proxy_for(Context& ctx, const Resource& r, ProxyMode mode) {
    if (r.kind != ResourceKind::principal || !r.owner || r.owner->id != ctx.user.id) return std::nullopt;
    std::string out;
    for (const auto& d : ctx.store.delegations_to(r.owner->id))
        if (d.mode == mode) out += xml::href(principal_href(d.delegator.name));
    return out;
}

Response multistatus(const std::string& href, xml::Propstats propstats) {
    xml::Multistatus ms;
    ms.add(href, std::move(propstats));
    Response out;
    out.status = 207;
    out.headers.set("Content-Type", "application/xml; charset=utf-8");
    out.body = ms.finish();
    return out;
}

}  // namespace

ProxyMode proxy_mode_of(const Resource& r) {
    return r.collection && r.collection->name == proxy_write_group ? ProxyMode::write : ProxyMode::read;
}

Response handle_proxy_proppatch(Context& ctx) {
    auto& t = ctx.target;
    // Only the delegator names their delegates (acl_of: write-properties on
    // the group is theirs alone).
    if (!holds(t.privileges, Privileges::write_properties))
        throw Error(403, Precondition::need_privileges, "only the delegator names their delegates");
    auto root = xml::parse(ctx.request.body, ctx.limits);
    if (!root.is(dav_ns, "propertyupdate")) throw Error(400, "PROPPATCH body must be DAV:propertyupdate");
    auto updates = collect_updates(root);
    std::optional<std::vector<std::int64_t>> members;
    std::string refused, refusal, others;
    for (const auto& u : updates) {
        const auto& p = *u.property;
        auto name = xml::element(p.ns, p.local);
        if (!p.is(dav_ns, "group-member-set")) {
            refused += name, refusal = "<D:cannot-modify-protected-property/>";
            continue;
        }
        std::vector<std::int64_t> ids;
        bool ok = true;
        for (const auto& h : p.children) {
            if (!h.is(dav_ns, "href")) continue;
            auto who = member_of_href(ctx.store, h.text);
            ok = ok && who && who->kind == "user" && who->id != t.owner->id;
            if (who) ids.push_back(who->id);
        }
        if (!ok) {
            refused += name;
            continue;
        }
        others += name;
        members = u.remove ? std::vector<std::int64_t>{} : std::move(ids);
    }
    if (!refused.empty()) {
        xml::Propstats ps{{403, {refused}, refusal}};
        if (!others.empty()) ps.push_back({424, {others}, {}});
        return multistatus(t.href, std::move(ps));
    }
    if (members) {
        auto status = ctx.store.set_delegates(t.owner->id, proxy_mode_of(t), *members);
        if (status != StoreStatus::ok) throw store_error(status);
    }
    return multistatus(t.href, {{200, {others}, {}}});
}

std::optional<std::string> proxy_resourcetype(Context&, const Resource& r) {
    return xml::element(dav_ns, "principal") + xml::element(calendarserver_ns, group_of(proxy_mode_of(r)));
}

std::optional<std::string> proxy_displayname(Context&, const Resource& r) {
    const auto& o = *r.owner;
    auto who = o.display_name.empty() ? o.name : o.display_name;
    return xml::escape(who + (proxy_mode_of(r) == ProxyMode::write ? " (read-write delegates)" : " (read delegates)"));
}

std::optional<std::string> proxy_principal_url(Context&, const Resource& r) { return xml::href(r.href); }

std::optional<std::string> group_member_set(Context& ctx, const Resource& r) {
    const auto mode = proxy_mode_of(r);
    bool member = false;
    std::string out;
    for (const auto& d : r.delegations) {
        if (d.mode != mode) continue;
        member = member || d.delegate.id == ctx.user.id;
        out += xml::href(principal_href(d.delegate.name));
    }
    // Who else delegates to whom is the delegator's and the delegates' business.
    if (r.owner->id != ctx.user.id && !member) return std::nullopt;
    return out;
}

std::optional<std::string> group_membership(Context& ctx, const Resource& r) {
    if (r.kind != ResourceKind::principal || !r.owner || r.owner->id != ctx.user.id) return std::nullopt;
    std::string out;
    for (const auto& d : ctx.store.delegations_to(r.owner->id))
        out += xml::href(proxy_group_href(d.delegator.name, group_of(d.mode)));
    return out;
}

std::optional<std::string> calendar_proxy_read_for(Context& ctx, const Resource& r) {
    return proxy_for(ctx, r, ProxyMode::read);
}

std::optional<std::string> calendar_proxy_write_for(Context& ctx, const Resource& r) {
    return proxy_for(ctx, r, ProxyMode::write);
}

}  // namespace caldav
