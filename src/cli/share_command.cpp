// Calendar grants from the command line (issue 25 §9): they are the rows
// caldav/privileges.cpp reads through GrantStore.
#include "src/cli/share_command.hpp"

#include <optional>

#include "caldav/sharing.hpp"
#include "src/http/user_name.hpp"

namespace server {

namespace {

/// The principal named `name` as given, else in NFC (names are stored in NFC).
std::optional<caldav::PrincipalRecord> principal_named(caldav::Store& store, const std::string& name) {
    if (auto p = store.find_principal(name)) return p;
    if (auto nfc = to_nfc(name); nfc && *nfc != name) return store.find_principal(*nfc);
    return std::nullopt;
}

/// A calendar named "OWNER/CALENDAR", with its owner.
struct Calendar {
    caldav::PrincipalRecord owner;
    caldav::CollectionRecord calendar;
};

/// The calendar `target` names, or nullopt after a message on `err`.
std::optional<Calendar> find_calendar(caldav::Store& store, const std::string& target, std::ostream& err) {
    auto slash = target.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == target.size()) {
        err << "kalends: expected OWNER/CALENDAR, not '" << target << "'\n";
        return std::nullopt;
    }
    auto owner = principal_named(store, target.substr(0, slash));
    if (!owner) {
        err << "kalends: no user '" << target.substr(0, slash) << "'\n";
        return std::nullopt;
    }
    auto c = store.find_collection(owner->id, target.substr(slash + 1));
    if (!c || c->kind != caldav::CollectionKind::calendar) {
        err << "kalends: " << owner->name << " has no calendar '" << target.substr(slash + 1) << "'\n";
        return std::nullopt;
    }
    return Calendar{*owner, *c};
}

/// The user `name` as a grantee, or nullopt after a message on `err`.
std::optional<caldav::PrincipalRecord> find_grantee(caldav::Store& store, const std::string& name,
                                                    std::ostream& err) {
    auto p = principal_named(store, name);
    if (!p || p->kind != "user") {
        err << "kalends: no user '" << name << "' (calendars are shared with users)\n";
        return std::nullopt;
    }
    return p;
}

void print_grants(caldav::Store& store, const caldav::CollectionRecord& c, const std::string& owner,
                  std::ostream& out) {
    for (const auto& g : store.grants_of_collection(c.id))
        out << owner << "/" << c.name << "\t" << g.grantee.name << "\t"
            << caldav::share_permission_name(g.permission) << "\n";
}

}  // namespace

int share_add(caldav::Store& store, const std::string& target, const std::string& user,
              const std::string& permission, std::ostream& out, std::ostream& err, caldav::ImipGateway* imip) {
    auto p = caldav::parse_share_permission(permission);
    if (!p) {
        err << "kalends: --permission is view, edit, admin or free-busy, not '" << permission << "'\n";
        return 1;
    }
    auto cal = find_calendar(store, target, err);
    if (!cal) return 1;
    auto grantee = find_grantee(store, user, err);
    if (!grantee) return 1;
    bool unchanged = false;
    for (const auto& g : store.grants_of_collection(cal->calendar.id))
        if (g.grantee.id == grantee->id) unchanged = g.permission == *p && g.status == caldav::InviteStatus::accepted;
    auto status = store.set_grant(cal->calendar.id, grantee->id, *p);
    if (status == caldav::StoreStatus::exists) {
        err << "kalends: " << grantee->name << " owns this calendar\n";
        return 1;
    }
    if (status == caldav::StoreStatus::not_found) {
        err << "kalends: the calendar or the user is gone\n";
        return 1;
    }
    if (status != caldav::StoreStatus::ok) {
        err << "kalends: cannot share the calendar: database busy or full\n";
        return 1;
    }
    // Issue 25 §9: told as a share by CalDAV or the JSON API tells them.
    if (!unchanged)
        for (const auto& g : store.grants_of_collection(cal->calendar.id))
            if (g.grantee.id == grantee->id) caldav::mail_share_notice(store, imip, g);
    out << "shared " << cal->owner.name << "/" << cal->calendar.name << " with " << grantee->name << " ("
        << permission << ")\n";
    return 0;
}

int share_list(caldav::Store& store, const std::string& target, std::ostream& out, std::ostream& err) {
    if (target.find('/') != std::string::npos) {
        auto cal = find_calendar(store, target, err);
        if (!cal) return 1;
        print_grants(store, cal->calendar, cal->owner.name, out);
        return 0;
    }
    auto owner = principal_named(store, target);
    if (!owner) {
        err << "kalends: no user '" << target << "'\n";
        return 1;
    }
    for (const auto& c : store.list_collections(owner->id))
        if (c.kind == caldav::CollectionKind::calendar) print_grants(store, c, owner->name, out);
    return 0;
}

int share_remove(caldav::Store& store, const std::string& target, const std::string& user, std::ostream& out,
                 std::ostream& err) {
    auto cal = find_calendar(store, target, err);
    if (!cal) return 1;
    auto grantee = find_grantee(store, user, err);
    if (!grantee) return 1;
    auto status = store.remove_grant(cal->calendar.id, grantee->id);
    if (status == caldav::StoreStatus::not_found) {
        err << "kalends: " << cal->owner.name << "/" << cal->calendar.name << " is not shared with "
            << grantee->name << "\n";
        return 1;
    }
    if (status != caldav::StoreStatus::ok) {
        err << "kalends: cannot unshare the calendar: database busy or full\n";
        return 1;
    }
    out << "unshared " << cal->owner.name << "/" << cal->calendar.name << " with " << grantee->name << "\n";
    return 0;
}

}  // namespace server
