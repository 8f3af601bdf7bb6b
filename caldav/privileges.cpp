// The privilege table, the ACL ownership implies, and the privilege XML
// (RFC 3744 §3, §5.3-5.5; RFC 4791 §6.1.1; RFC 6638 §6.1-6.2).
#include "caldav/privileges.hpp"

#include <array>

#include "caldav/context.hpp"
#include "caldav/names.hpp"
#include "caldav/xml/multistatus.hpp"

namespace caldav {

namespace {

using names::caldav_ns;
using names::dav_ns;
using P = Privileges;

// Where free/busy has a meaning: calendar data lives in a home's collections.
constexpr unsigned k_owned = k_home | k_any_collection | k_object;

// The one table of names, in pre-order of the aggregation tree. write-acl and
// the parts of the scheduling privileges are held but not listed: no ACL can
// grant them apart yet, and listing them would change the answer clients have
// had since issue 22 (golden discovery/supported-privilege-set).
constexpr std::array<PrivilegeName, 19> table{{
    {P::all, dav_ns, "all", "Any operation", 0, k_all},
    {P::read, dav_ns, "read", "Read any object", 1, k_all},
    {P::read_free_busy, caldav_ns, "read-free-busy", "Read free/busy information", 2, k_all},
    {P::write, dav_ns, "write", "Write any object", 1, k_all},
    {P::write_properties, dav_ns, "write-properties", "Write properties", 2, k_all},
    {P::write_content, dav_ns, "write-content", "Write resource content", 2, k_all},
    {P::bind, dav_ns, "bind", "Add new members", 2, k_all},
    {P::unbind, dav_ns, "unbind", "Remove members", 2, k_all},
    {P::write_acl, dav_ns, "write-acl", "Write the access control list", 1, 0},
    {P::read_acl, dav_ns, "read-acl", "Read the access control list", 1, k_all},
    {P::read_current_user_privilege_set, dav_ns, "read-current-user-privilege-set",
     "Read the current user's privileges", 1, k_all},
    {P::schedule_deliver, caldav_ns, "schedule-deliver", "Deliver scheduling messages", 1, k_inbox},
    {P::schedule_deliver_invite, caldav_ns, "schedule-deliver-invite", "Deliver invitations", 2, 0},
    {P::schedule_deliver_reply, caldav_ns, "schedule-deliver-reply", "Deliver replies", 2, 0},
    {P::schedule_query_freebusy, caldav_ns, "schedule-query-freebusy", "Ask for free/busy time", 2,
     0},
    {P::schedule_send, caldav_ns, "schedule-send", "Send scheduling messages", 1, k_outbox},
    {P::schedule_send_invite, caldav_ns, "schedule-send-invite", "Send invitations", 2, 0},
    {P::schedule_send_reply, caldav_ns, "schedule-send-reply", "Send replies", 2, 0},
    {P::schedule_send_freebusy, caldav_ns, "schedule-send-freebusy",
     "Ask others for free/busy time", 2, 0},
}};

/// One privilege current-user-privilege-set reports when held, and where.
struct Reported {
    Privileges privilege;
    unsigned kinds;
};

// What DAV:current-user-privilege-set names, in the order clients have seen
// since issue 22 (golden clients/*/calendar-list-home-depth1). DAV:all,
// write-acl and the scheduling privileges are held by owners but not named
// there, as before issue 23.
constexpr std::array<Reported, 9> reported{{
    {P::read, k_all},
    {P::read_current_user_privilege_set, k_all},
    {P::write, k_all},
    {P::write_properties, k_all},
    {P::write_content, k_all},
    {P::bind, k_all},
    {P::unbind, k_all},
    {P::read_acl, k_all},
    {P::read_free_busy, k_owned},
}};

/// The index after the subtree of row `i` (its last member + 1).
std::size_t subtree_end(std::size_t i) {
    std::size_t j = i + 1;
    while (j < table.size() && table[j].depth > table[i].depth) ++j;
    return j;
}

std::string privilege_element(const PrivilegeName& row) {
    return xml::element(dav_ns, "privilege", xml::element(row.ns, row.local));
}

/// The supported-privilege elements of rows [begin, end) at depth `depth`, with their members.
std::string supported(std::size_t begin, std::size_t end, int depth, unsigned kind) {
    std::string out;
    for (std::size_t i = begin; i < end; i = subtree_end(i)) {
        const auto& row = table[i];
        if (row.depth != depth || !(row.listed_on & kind)) continue;
        out += xml::element(dav_ns, "supported-privilege",
                            privilege_element(row) + "<D:description xml:lang=\"en\">" +
                                std::string(row.description) + "</D:description>" +
                                supported(i + 1, subtree_end(i), depth + 1, kind));
    }
    return out;
}

}  // namespace

std::span<const PrivilegeName> privilege_names() { return table; }

const PrivilegeName* privilege_name(Privileges p) {
    for (const auto& row : table)
        if (row.privilege == p) return &row;
    return nullptr;
}

std::vector<Ace> acl_of(const Resource& r) {
    const Privileges readable = P::read | P::read_current_user_privilege_set;
    switch (r.kind) {
        case ResourceKind::root:
        case ResourceKind::principals:
        case ResourceKind::calendars_root:
            return {Ace{std::nullopt, readable}};
        case ResourceKind::principal:
            // RFC 6638 §2.4: calendar users find each other's addresses and homes.
            return {Ace{std::nullopt, readable}, Ace{r.owner, P::read | P::read_acl}};
        case ResourceKind::proxy_group:
            // Issue 25 §5: the delegator names their delegates (group-member-set).
            if (!r.owner) return {};
            return {Ace{std::nullopt, readable}, Ace{r.owner, readable | P::write_properties | P::read_acl}};
        case ResourceKind::home: {
            if (!r.owner) return {};
            std::vector<Ace> acl{Ace{r.owner, P::all}};
            for (const auto& d : r.delegations) acl.push_back(Ace{d.delegate, proxy_privileges(d.mode, r)});
            return acl;
        }
        case ResourceKind::notifications:  // caldav-sharing §4: the owner's alone
        case ResourceKind::notification:
            if (!r.owner) return {};
            return {Ace{r.owner, P::all}};
        case ResourceKind::collection:
        case ResourceKind::object: {
            if (!r.owner) return {};
            std::vector<Ace> acl{Ace{r.owner, P::all}};
            for (const auto& d : r.delegations) acl.push_back(Ace{d.delegate, proxy_privileges(d.mode, r)});
            // Issue 25: a grant holds on the shared calendar and on each member.
            // An invitation not (yet) accepted gives nothing (schema 0017).
            for (const auto& g : r.grants)
                if (g.status == InviteStatus::accepted) acl.push_back(Ace{g.grantee, share_privileges(g.permission), true});
            return acl;
        }
        default:
            return {};
    }
}

Privileges privileges_of(const Resource& r, const PrincipalRecord& actor) {
    Privileges held = P::none;
    for (const auto& ace : acl_of(r))
        if (!ace.principal || ace.principal->id == actor.id) held |= ace.granted;
    // Issue 25 §9: the organisation rule shows other users the busy time of
    // a whole home (free-busy-query on it, RFC 4791 §7.10), as the outbox
    // lookup and the availability API do; never a single calendar, whose
    // name would otherwise be learnt by trying.
    if (r.kind == ResourceKind::home && r.owner && r.free_busy_rule)
        held |= free_busy_privileges(actor, *r.owner, *r.free_busy_rule) & P::read_free_busy;
    return held;
}

Privileges proxy_privileges(ProxyMode mode, const Resource& r) {
    const Privileges readable = P::read | P::read_current_user_privilege_set;
    // The home lists the delegator's collections; creating or removing
    // calendars stays the delegator's.
    if (mode == ProxyMode::read || r.kind == ResourceKind::home) return readable;
    // RFC 6638 §6.1-6.2: a write proxy schedules and answers for the
    // delegator, through their outbox and inbox.
    return readable | P::write | P::schedule_send | P::schedule_deliver;
}

Privileges share_privileges(SharePermission p) {
    const Privileges view = P::read | P::read_current_user_privilege_set;
    switch (p) {
        case SharePermission::free_busy: return P::read_free_busy;
        case SharePermission::view: return view;
        case SharePermission::edit: return view | P::write_content | P::bind;
        case SharePermission::admin: return view | P::write | P::read_acl | P::share;
    }
    return P::none;
}

std::optional<SharePermission> permission_of_privileges(Privileges p) {
    if (holds(p, P::all)) return SharePermission::admin;
    // What every permission may come with: naming it changes nothing.
    const auto extras = static_cast<std::uint32_t>(P::read_current_user_privilege_set | P::read_acl | P::write_acl);
    const auto core = static_cast<Privileges>(static_cast<std::uint32_t>(p) & ~extras);
    if (core == P::read_free_busy) return SharePermission::free_busy;
    if (core == P::read) return SharePermission::view;
    if (core == (P::read | P::write_content | P::bind)) return SharePermission::edit;
    if (core == (P::read | P::write) || core == (P::read | P::write | P::share)) return SharePermission::admin;
    return std::nullopt;
}

const PrivilegeName* privilege_named(std::string_view ns, std::string_view local) {
    for (const auto& row : table)
        if (row.ns == ns && row.local == local) return &row;
    return nullptr;
}

Error need_privileges_error(std::string_view href, Privileges missing, std::string description) {
    // Privileges with no name of their own are named by what holds them.
    if (holds(missing, P::share)) missing = (missing & static_cast<Privileges>(~static_cast<std::uint32_t>(P::share))) | P::write_acl;
    if ((missing & P::read_content) != P::none) missing |= P::read;
    std::string detail;
    for (std::size_t i = 0; i < table.size();) {
        if (holds(missing, table[i].privilege)) {
            detail += xml::element(dav_ns, "resource", xml::href(href) + privilege_element(table[i]));
            i = subtree_end(i);
        } else {
            ++i;
        }
    }
    Error e(403, Precondition::need_privileges, std::move(description));
    e.with_detail(std::move(detail));
    return e;
}

Privileges privileges_on_collection(const PrincipalRecord& actor, const PrincipalRecord& owner,
                                    const CollectionRecord& c, std::span<const GrantRecord> grants) {
    Resource r;
    r.kind = ResourceKind::collection;
    r.owner = owner;
    r.collection = c;
    r.exists = true;
    r.grants.assign(grants.begin(), grants.end());
    return privileges_of(r, actor);
}

Privileges free_busy_privileges(const PrincipalRecord& actor, const PrincipalRecord& target, FreeBusyRule rule) {
    if (actor.id == target.id) return P::all;
    // A room or resource is booked by anyone who may invite it.
    if (rule == FreeBusyRule::everyone || target.kind != "user") return P::read_free_busy;
    if (rule == FreeBusyRule::nobody) return P::none;
    auto domain = [](const std::string& email) {
        auto at = email.rfind('@');
        return at == std::string::npos ? std::string() : lower(email.substr(at + 1));
    };
    auto mine = domain(actor.email);
    return !mine.empty() && mine == domain(target.email) ? P::read_free_busy : P::none;
}

std::string current_user_privilege_set_xml(Privileges held, unsigned kind) {
    std::string out;
    for (const auto& [privilege, kinds] : reported)
        if ((kinds & kind) && holds(held, privilege))
            out += privilege_element(*privilege_name(privilege));
    return out;
}

std::string supported_privilege_set_xml(unsigned kind) {
    return supported(0, table.size(), 0, kind);
}

std::string privilege_elements(Privileges p) {
    std::string out;
    for (std::size_t i = 0; i < table.size();) {
        if (holds(p, table[i].privilege)) {
            out += privilege_element(table[i]);
            i = subtree_end(i);
        } else {
            ++i;
        }
    }
    return out;
}

}  // namespace caldav
