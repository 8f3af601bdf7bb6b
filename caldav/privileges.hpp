// Privileges (RFC 3744 §3, CalDAV's read-free-busy RFC 4791 §6.1.1, the
// scheduling privileges RFC 6638 §6.1-6.2): their names and aggregation in one
// table, and who holds which on a resource (issue 23 §4).
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "caldav/limits.hpp"
#include "caldav/error.hpp"
#include "caldav/store.hpp"

namespace caldav {

struct Resource;

/// A set of privileges, one bit per privilege that aggregates nothing; an
/// aggregate is the union of what it contains (RFC 3744 §3.12), so holding it
/// means holding every member.
enum class Privileges : std::uint32_t {
    none = 0,
    read_content = 1u << 0,  ///< DAV:read without what it aggregates (no name of its own)
    read_free_busy = 1u << 1,
    write_properties = 1u << 2,
    write_content = 1u << 3,
    bind = 1u << 4,
    unbind = 1u << 5,
    write_acl = 1u << 6,
    read_acl = 1u << 7,
    read_current_user_privilege_set = 1u << 8,
    schedule_deliver_invite = 1u << 9,
    schedule_deliver_reply = 1u << 10,
    schedule_query_freebusy = 1u << 11,
    schedule_send_invite = 1u << 12,
    schedule_send_reply = 1u << 13,
    schedule_send_freebusy = 1u << 14,
    /// Sharing a calendar further (issue 25 §1; CS:share, DAV:share-resource):
    /// held by the owner (DAV:all) and admin sharees, named in no property.
    share = 1u << 15,
    // Aggregates.
    read = read_content | read_free_busy,  ///< RFC 4791 §6.1.1: read-free-busy is in read
    write = write_properties | write_content | bind | unbind,  ///< RFC 3744 §3.12
    schedule_deliver = schedule_deliver_invite | schedule_deliver_reply | schedule_query_freebusy,
    schedule_send = schedule_send_invite | schedule_send_reply | schedule_send_freebusy,
    all = (1u << 16) - 1,
};

constexpr Privileges operator|(Privileges a, Privileges b) {
    return static_cast<Privileges>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
constexpr Privileges operator&(Privileges a, Privileges b) {
    return static_cast<Privileges>(static_cast<std::uint32_t>(a) & static_cast<std::uint32_t>(b));
}
constexpr Privileges& operator|=(Privileges& a, Privileges b) { return a = a | b; }

/// True when `held` includes every privilege of `needed` (an aggregate: all its members).
constexpr bool holds(Privileges held, Privileges needed) { return (held & needed) == needed; }

/// One named privilege: its XML name, where it sits in the aggregation tree
/// and where DAV:supported-privilege-set lists it.
struct PrivilegeName {
    Privileges privilege;
    std::string_view ns;
    std::string_view local;
    std::string_view description;  ///< for DAV:supported-privilege-set (English)
    int depth;                     ///< in the aggregation tree: 0 for DAV:all
    unsigned listed_on;            ///< KindBits whose supported-privilege-set lists it
};

/// Every named privilege, in pre-order of the aggregation tree: a row's
/// members are the rows after it with a greater depth.
std::span<const PrivilegeName> privilege_names();

/// The row of `p`, or nullptr when `p` is not one named privilege.
const PrivilegeName* privilege_name(Privileges p);

/// An access control entry (RFC 3744 §5.5): a grant to one principal, or
/// with no principal to every authenticated user (DAV:authenticated).
/// Those ownership implies are protected; those of a calendar's grants are
/// what the ACL method changes (caldav/method_acl.cpp).
struct Ace {
    std::optional<PrincipalRecord> principal;
    Privileges granted = Privileges::none;
    bool from_grant = false;  ///< a calendar's grant (issue 25), not protected
};

/// The access control list of `r`: the protected entries ownership implies
/// (the owner holds DAV:all on their home and what it holds, read and
/// read-acl on their principal; every authenticated user reads principals
/// and the collections of principals and homes), and on a shared calendar
/// and its members one entry per grant in `r.grants` (share_privileges), so
/// that every decision below follows them (issue 25).
std::vector<Ace> acl_of(const Resource& r);

/// The privileges `actor` holds on `r`: the union of the ACEs of acl_of(r)
/// that apply to them (RFC 3744 §6), and on a home resolved under the
/// organisation's free/busy rule (Resource::free_busy_rule) the
/// read-free-busy free_busy_privileges gives. A resource not yet created
/// (PUT, MKCOL) has what its place in the URL space gives.
Privileges privileges_of(const Resource& r, const PrincipalRecord& actor);

/// The privileges a grant of `p` gives on the shared calendar and each of
/// its members (issue 25 §1): free-busy: read-free-busy; view: read and
/// read-current-user-privilege-set; edit: also write-content and bind
/// (create and update, not unbind); admin: also unbind, write-properties
/// read-acl and share (sharing further, by CS:share or
/// DAV:share-resource; the ACL method, which replaces every grant at once,
/// is the owner's: write-acl). Only accepted grants (InviteStatus) count in
/// acl_of.
Privileges share_privileges(SharePermission p);

/// The privileges a delegate of `mode` (CalendarServer calendar-proxy-read /
/// -write, issue 25 §5) holds on `r` in the delegator's home: read on the
/// home and everything in it; a write proxy also write (content, properties,
/// bind, unbind) and schedule-send/-deliver on every collection and object
/// below the home, so that they schedule and answer invitations for them.
Privileges proxy_privileges(ProxyMode mode, const Resource& r);
/// The permission whose grant an ACE granting `p` stands for (the ACL
/// method, RFC 3744 §8.1): read-free-busy alone → free-busy; read → view;
/// read, write-content and bind → edit; read and write, or DAV:all → admin.
/// read-current-user-privilege-set, read-acl and write-acl may come with
/// any of them (they are what the permission holds). nullopt for any other
/// set (DAV:not-supported-privilege).
std::optional<SharePermission> permission_of_privileges(Privileges p);

/// The row of the privilege named {ns}local, or nullptr for a name not in
/// the table.
const PrivilegeName* privilege_named(std::string_view ns, std::string_view local);

/// A 403 DAV:need-privileges error (RFC 3744 §7.1.1) naming each privilege
/// of `missing` on the resource `href` in a DAV:resource element. The
/// internal share privilege is named as DAV:write-acl, which goes with it.
Error need_privileges_error(std::string_view href, Privileges missing, std::string description);

/// The privileges `actor` holds on calendar `c` of `owner` whose grants
/// (GrantStore::grants_of_collection) are `grants`: privileges_of for that
/// collection, for front ends that name calendars by id rather than by URL
/// (the JSON API).
Privileges privileges_on_collection(const PrincipalRecord& actor, const PrincipalRecord& owner,
                                    const CollectionRecord& c, std::span<const GrantRecord> grants = {});

/// The privileges `actor` holds on `target`'s busy time (read-free-busy,
/// RFC 4791 §6.1.1) as the availability API and the outbox lookup (RFC 6638
/// §5) ask for it: all of their own; of another calendar user,
/// read-free-busy when the organisation rule `rule` lets the actor see it
/// (issue 25 §9; rooms and resources are everyone's to look up), else none.
Privileges free_busy_privileges(const PrincipalRecord& actor, const PrincipalRecord& target,
                                FreeBusyRule rule = FreeBusyRule::same_domain);

/// The inner XML of DAV:current-user-privilege-set (RFC 3744 §5.4) for
/// `held` on a resource of KindBit `kind`.
std::string current_user_privilege_set_xml(Privileges held, unsigned kind);

/// The inner XML of DAV:supported-privilege-set (RFC 3744 §5.3) on a
/// resource of KindBit `kind`: the aggregation tree.
std::string supported_privilege_set_xml(unsigned kind);

/// The DAV:privilege elements naming `p` with the fewest names: an
/// aggregate held whole is named instead of its members (DAV:grant in DAV:acl).
std::string privilege_elements(Privileges p);

}  // namespace caldav
