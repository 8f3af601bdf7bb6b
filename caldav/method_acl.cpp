// ACL (RFC 3744 §8.1) on a calendar: its ACEs other than the owner's are the
// calendar's grants (issue 25), so an ACL request sets them — one ACE per
// principal href granting read (view), read + write-content + bind (edit),
// read + write or DAV:all (admin), or read-free-busy (free-busy). Every other
// ACE is refused with the precondition §8.1.1 names for it.
#include <map>

#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
#include "caldav/names.hpp"
#include "caldav/scheduling.hpp"
#include "caldav/store_outcome.hpp"
#include "caldav/xml/element.hpp"

namespace caldav {

namespace {

using names::dav_ns;

/// The path of an href that may be an absolute URL ("https://host/dav/...").
std::string_view path_of(std::string_view href) {
    auto scheme = href.find("://");
    if (scheme == std::string_view::npos || href.find('/') < scheme) return href;
    auto slash = href.find('/', scheme + 3);
    return slash == std::string_view::npos ? std::string_view("/") : href.substr(slash);
}

/// The principal an ACE names (§5.5.1): only a DAV:href to a user of this
/// server (a principal URL or a calendar user address) can hold a grant.
PrincipalRecord principal_of_ace(Context& ctx, const xml::Element& ace) {
    const auto* principal = ace.child(dav_ns, "principal");
    if (!principal || principal->children.size() != 1)
        throw Error(400, "each DAV:ace names exactly one DAV:principal (RFC 3744 §5.5.1)");
    const auto& who = principal->children.front();
    if (!who.is(dav_ns, "href"))
        throw Error(403, Precondition::allowed_principal,
                    "a calendar is shared with users named by DAV:href only, not with {" + who.ns + "}" + who.local);
    auto path = ResourcePath::parse(path_of(who.text));
    std::optional<PrincipalRecord> found;
    if (path.kind == ResourceKind::principal) found = ctx.store.find_principal(path.owner);
    else if (who.text.starts_with("mailto:")) found = principal_of(ctx.store, who.text);
    if (!found) throw Error(403, Precondition::recognized_principal, "no user of this server is " + who.text);
    return *found;
}

/// The privileges an ACE grants (§5.5.2); an unknown name is not supported.
Privileges granted_by(const xml::Element& ace) {
    if (ace.child(dav_ns, "deny")) throw Error(403, Precondition::grant_only, "only grants, no denials (RFC 3744 §5.6)");
    const auto* grant = ace.child(dav_ns, "grant");
    if (!grant) throw Error(400, "each DAV:ace has a DAV:grant (RFC 3744 §5.5.2)");
    Privileges out = Privileges::none;
    for (const auto& privilege : grant->children) {
        if (!privilege.is(dav_ns, "privilege") || privilege.children.size() != 1)
            throw Error(400, "DAV:grant holds DAV:privilege elements, each naming one privilege");
        const auto& name = privilege.children.front();
        const auto* row = privilege_named(name.ns, name.local);
        if (!row) throw Error(403, Precondition::not_supported_privilege, "{" + name.ns + "}" + name.local + " is not a privilege here");
        out |= row->privilege;
    }
    return out;
}

/// The grants the ACL request asks for, grantee id → (grantee, permission),
/// all checked before anything is written.
std::map<std::int64_t, std::pair<PrincipalRecord, SharePermission>> wanted_grants(Context& ctx, const xml::Element& acl) {
    std::map<std::int64_t, std::pair<PrincipalRecord, SharePermission>> out;
    for (const auto& ace : acl.children) {
        if (!ace.is(dav_ns, "ace")) throw Error(400, "DAV:acl holds DAV:ace elements only");
        if (ace.child(dav_ns, "invert")) throw Error(403, Precondition::no_invert, "inverted principals are not supported");
        if (ace.child(dav_ns, "inherited"))
            throw Error(403, Precondition::no_inherited_ace_conflict, "a calendar inherits no ACE");
        auto who = principal_of_ace(ctx, ace);
        auto privileges = granted_by(ace);
        if (who.id == ctx.target.owner->id) {
            // The owner's entry is protected: sending it back as it is changes nothing.
            if (holds(privileges, Privileges::all)) continue;
            throw Error(403, Precondition::no_protected_ace_conflict, "the owner's access cannot be changed");
        }
        auto permission = permission_of_privileges(privileges);
        if (!permission)
            throw Error(403, Precondition::not_supported_privilege,
                        "grant read, read and write-content and bind, read and write, all, or read-free-busy");
        if (!out.emplace(who.id, std::pair{who, *permission}).second)
            throw Error(403, Precondition::no_ace_conflict, "one ACE per principal");
    }
    return out;
}

}  // namespace

Response handle_acl(Context& ctx) {
    auto& t = ctx.target;
    if (!t.exists) throw Error(404, "no such resource");
    auto root = xml::parse(ctx.request.body, ctx.limits);
    if (!root.is(dav_ns, "acl")) throw Error(400, "ACL body must be DAV:acl (RFC 3744 §8.1)");
    // Only a calendar's entries are grants; everywhere else every ACE is
    // ownership's, protected (§8.1.1).
    if (t.bit() != k_calendar)
        throw Error(403, Precondition::no_protected_ace_conflict,
                    "only a calendar's access control list can be changed; the entries here are protected");
    auto wanted = wanted_grants(ctx, root);
    // §8.1: the request replaces every entry that is not protected. An
    // invitation not yet answered is no entry (acl_of): it stays unless named.
    for (const auto& g : t.grants) {
        if (g.status != InviteStatus::accepted || wanted.count(g.grantee.id)) continue;
        auto status = ctx.store.remove_grant(t.collection->id, g.grantee.id);
        if (status != StoreStatus::ok && status != StoreStatus::not_found) throw store_error(status);
    }
    for (const auto& [id, grant] : wanted) {
        auto status = ctx.store.set_grant(t.collection->id, id, grant.second);
        if (status != StoreStatus::ok) throw store_error(status);
    }
    Response r;
    r.status = 200;
    return r;
}

}  // namespace caldav
