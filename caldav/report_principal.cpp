// Reports about principals and href-valued properties: expand-property
// (RFC 3253 §3.8), principal-property-search and principal-search-property-set
// (RFC 3744 §9.4, §9.5), principal-match (RFC 3744 §9.3) and
// acl-principal-prop-set (RFC 3744 §9.2).
#include <algorithm>
#include <cctype>

#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/properties.hpp"
#include "caldav/report.hpp"
#include "caldav/target.hpp"

namespace caldav {

namespace {

using names::caldav_ns;
using names::calendarserver_ns;
using names::dav_ns;

constexpr std::size_t principal_page = 500;
constexpr int max_expand_depth = 3;

Response multistatus_response(xml::Multistatus& ms) {
    Response r;
    r.status = 207;
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    r.body = ms.finish();
    return r;
}

/// Undoes the five XML entities our own serialiser produces.
std::string unescape(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out.push_back(s[i]);
            continue;
        }
        static constexpr std::pair<std::string_view, char> entities[] = {
            {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
        bool matched = false;
        for (auto [entity, ch] : entities) {
            if (s.substr(i, entity.size()) == entity) {
                out.push_back(ch);
                i += entity.size() - 1;
                matched = true;
                break;
            }
        }
        if (!matched) out.push_back('&');
    }
    return out;
}

/// The inner text of every DAV:href our serialiser wrote into `value`.
std::vector<std::string> hrefs_in(std::string_view value) {
    std::vector<std::string> out;
    const std::string_view open = "<D:href>", close = "</D:href>";
    for (std::size_t pos = value.find(open); pos != std::string_view::npos; pos = value.find(open, pos)) {
        pos += open.size();
        auto end = value.find(close, pos);
        if (end == std::string_view::npos) break;
        out.push_back(unescape(value.substr(pos, end - pos)));
        pos = end + close.size();
    }
    return out;
}

/// The start tag's name of a serialised property ("D:displayname").
std::string tag_of(std::string_view element) {
    auto end = element.find_first_of(" />", 1);
    return std::string(element.substr(1, end - 1));
}

/// Propstats of `r` for the DAV:property list of `request`, with href-valued
/// properties that list nested DAV:property children expanded into responses.
xml::Propstats expand(Context& ctx, const Resource& r, const xml::Element& request, int depth) {
    PropertyRequest wanted;
    wanted.mode = PropertyRequest::Mode::prop;
    std::vector<const xml::Element*> asks;
    for (const auto& p : request.children) {
        if (!p.is(dav_ns, "property")) continue;
        auto ns = p.attribute("namespace");
        wanted.names.emplace_back(ns.empty() ? std::string(dav_ns) : ns, p.attribute("name"));
        asks.push_back(&p);
    }
    auto propstats = properties_of(ctx, r, wanted);
    if (depth >= max_expand_depth) return propstats;
    for (auto& ps : propstats) {
        if (ps.status != 200) continue;
        for (std::size_t i = 0; i < ps.props.size(); ++i) {
            auto& value = ps.props[i];
            // Which request element this value answers: one with nested properties.
            auto tag = tag_of(value);
            auto local = tag.substr(tag.find(':') + 1);
            const xml::Element* ask = nullptr;
            for (const auto* a : asks)
                if (!a->children.empty() && a->attribute("name") == local) ask = a;
            if (!ask) continue;
            std::string inner;
            for (const auto& h : hrefs_in(value)) {
                auto path = decode_target(h);
                std::optional<Resource> target;
                if (path) {
                    try {
                        auto found = resolve(ResourcePath::parse(*path), ctx.store, ctx.user);
                        if (found.exists) target = std::move(found);
                    } catch (const Error&) {
                        // Not visible to this user: reported as 404 below.
                    }
                }
                if (target)
                    inner += xml::response(target->href, expand(ctx, *target, *ask, depth + 1));
                else
                    inner += "<D:response>" + xml::href(h) + "<D:status>" + xml::status_line(404) +
                             "</D:status></D:response>";
            }
            auto open_end = value.find('>');
            bool empty = value[open_end - 1] == '/';
            auto start = empty ? value.substr(0, open_end - 1) + ">" : value.substr(0, open_end + 1);
            value = start + inner + "</" + tag + ">";
        }
    }
    return propstats;
}

/// A principal's value of a searchable property, lower-cased, for matching.
std::vector<std::string> searchable_values(const PrincipalRecord& p, std::string_view ns, std::string_view local) {
    if (ns == dav_ns && local == "displayname") return {lower(p.display_name.empty() ? p.name : p.display_name)};
    if ((ns == caldav_ns && local == "calendar-user-address-set") ||
        (ns == calendarserver_ns && local == "email-address-set")) {
        std::vector<std::string> out;
        if (!p.email.empty()) out.push_back(lower("mailto:" + p.email));
        if (ns == caldav_ns) out.push_back(lower(principal_href(p.name)));
        return out;
    }
    if (ns == caldav_ns && local == "calendar-user-type") {
        return {p.kind == "room" ? "room" : p.kind == "resource" ? "resource" : "individual"};
    }
    return {};
}

bool searchable(std::string_view ns, std::string_view local) {
    return (ns == dav_ns && local == "displayname") || (ns == caldav_ns && local == "calendar-user-address-set") ||
           (ns == calendarserver_ns && local == "email-address-set") ||
           (ns == caldav_ns && local == "calendar-user-type");
}

struct SearchTerm {
    std::vector<std::pair<std::string, std::string>> props;
    std::string match;  ///< lower case
    bool starts_with = false;
};

bool term_matches(const PrincipalRecord& p, const SearchTerm& t) {
    for (const auto& [ns, local] : t.props)
        for (const auto& v : searchable_values(p, ns, local)) {
            if (t.starts_with ? v.rfind(t.match, 0) == 0 : v.find(t.match) != std::string::npos) return true;
            // Addresses also match on their part after "mailto:".
            if (t.starts_with && v.rfind("mailto:" + t.match, 0) == 0) return true;
        }
    return false;
}

/// The principal resource of `p`, with `actor`'s privileges on it.
Resource principal_resource(const PrincipalRecord& p, const PrincipalRecord& actor) {
    Resource r;
    r.kind = ResourceKind::principal;
    r.owner = p;
    r.href = principal_href(p.name);
    r.exists = true;
    r.privileges = privileges_of(r, actor);
    return r;
}

}  // namespace

Response report_expand_property(Context& ctx, const xml::Element& root) {
    xml::Multistatus ms;
    ms.add(ctx.target.href, expand(ctx, ctx.target, root, 0));
    return multistatus_response(ms);
}

Response report_principal_search_property_set(Context& ctx, const xml::Element&) {
    if (ctx.target.kind != ResourceKind::principals)
        throw Error(403, Precondition::supported_report, "principal-search-property-set works on the principal collection");
    auto one = [](std::string_view ns, std::string_view local, std::string_view description) {
        return xml::element(dav_ns, "principal-search-property",
                            xml::element(dav_ns, "prop", xml::element(ns, local)) +
                                "<D:description xml:lang=\"en\">" + xml::escape(description) + "</D:description>");
    };
    Response r;
    r.status = 200;
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    r.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:principal-search-property-set xmlns:D=\"DAV:\" "
             "xmlns:C=\"urn:ietf:params:xml:ns:caldav\" xmlns:CS=\"http://calendarserver.org/ns/\">" +
             one(dav_ns, "displayname", "Display name") +
             one(caldav_ns, "calendar-user-address-set", "Calendar user address") +
             one(calendarserver_ns, "email-address-set", "Email address") +
             one(caldav_ns, "calendar-user-type", "Calendar user type") + "</D:principal-search-property-set>";
    return r;
}

Response report_principal_property_search(Context& ctx, const xml::Element& root) {
    auto kind = ctx.target.kind;
    if (kind != ResourceKind::principals && kind != ResourceKind::root && kind != ResourceKind::principal)
        throw Error(403, Precondition::supported_report, "principal-property-search works on principal collections");
    bool all_of = root.attribute("test") == "allof";
    std::vector<SearchTerm> terms;
    for (const auto& ps : root.children) {
        if (!ps.is(dav_ns, "property-search")) continue;
        SearchTerm t;
        const auto* prop = ps.child(dav_ns, "prop");
        const auto* match = ps.child(dav_ns, "match");
        if (!prop || !match) throw Error(400, "DAV:property-search needs DAV:prop and DAV:match");
        for (const auto& p : prop->children) {
            if (!searchable(p.ns, p.local))
                throw Error(403, "{" + p.ns + "}" + p.local + " is not searchable (see principal-search-property-set)");
            t.props.emplace_back(p.ns, p.local);
        }
        t.match = lower(match->text);
        t.starts_with = match->attribute("match-type") == "starts-with";
        terms.push_back(std::move(t));
    }
    if (terms.empty()) throw Error(400, "principal-property-search needs a DAV:property-search");
    auto wanted = parse_property_request(root, PropertyRequest::Mode::prop);
    xml::Multistatus ms;
    std::string after;
    std::size_t matched = 0;
    for (;;) {
        auto page = ctx.store.list_principals(after, principal_page);
        for (const auto& p : page) {
            bool ok = all_of;
            for (const auto& t : terms) {
                bool m = term_matches(p, t);
                ok = all_of ? ok && m : ok || m;
            }
            if (!ok) continue;
            if (++matched > ctx.limits.max_multiget_hrefs)
                throw Error(507, Precondition::number_of_matches_within_limits, "too many principals match");
            ms.add(principal_href(p.name), properties_of(ctx, principal_resource(p, ctx.user), wanted));
        }
        if (page.size() < principal_page) break;
        after = page.back().name;
    }
    return multistatus_response(ms);
}

Response report_principal_match(Context& ctx, const xml::Element& root) {
    if (depth_of(ctx.request, 0) != 0)
        throw Error(400, "principal-match needs Depth: 0 (RFC 3744 §9.3)");
    auto wanted = parse_property_request(root, PropertyRequest::Mode::prop);
    xml::Multistatus ms;
    if (root.child(dav_ns, "self")) {
        // Every principal collection holds the user's own principal, and that is
        // the only principal the user matches (no groups yet).
        if (ctx.target.kind == ResourceKind::principals || ctx.target.kind == ResourceKind::principal ||
            ctx.target.kind == ResourceKind::root) {
            if (ctx.target.kind != ResourceKind::principal || ctx.target.owner->id == ctx.user.id)
                ms.add(principal_href(ctx.user.name), properties_of(ctx, principal_resource(ctx.user, ctx.user), wanted));
        }
        return multistatus_response(ms);
    }
    const auto* pp = root.child(dav_ns, "principal-property");
    if (!pp || pp->children.empty()) throw Error(400, "principal-match needs DAV:self or DAV:principal-property");
    if (!pp->children.front().is(dav_ns, "owner"))
        throw Error(403, "principal-match supports DAV:owner as the principal property");
    // Everything under the user's own home is owned by the user; other homes
    // are refused by resolve() before we get here.
    if (ctx.target.kind == ResourceKind::home || ctx.target.kind == ResourceKind::collection) {
        for (auto& member : children_of(ctx.target, ctx.store, ctx.user))
            ms.add(member.href, properties_of(ctx, member, wanted));
    }
    return multistatus_response(ms);
}

Response report_acl_principal_prop_set(Context& ctx, const xml::Element& root) {
    if (depth_of(ctx.request, 0) != 0)
        throw Error(400, "acl-principal-prop-set needs Depth: 0 (RFC 3744 §9.2)");
    const auto& t = ctx.target;
    // §9.2: the user needs DAV:read-acl.
    if (!holds(t.privileges, Privileges::read_acl))
        throw need_privileges_error(t.href, Privileges::read_acl, "reading the ACL needs DAV:read-acl");
    auto wanted = parse_property_request(root, PropertyRequest::Mode::prop);
    xml::Multistatus ms;
    // The principals the ACL (acl_of, as DAV:acl shows it) names by href, once each.
    std::vector<std::int64_t> named;
    for (const auto& ace : acl_of(t)) {
        if (!ace.principal || std::find(named.begin(), named.end(), ace.principal->id) != named.end()) continue;
        named.push_back(ace.principal->id);
        ms.add(principal_href(ace.principal->name), properties_of(ctx, principal_resource(*ace.principal, ctx.user), wanted));
    }
    return multistatus_response(ms);
}

}  // namespace caldav
