// Public feeds from the command line (issue 25 §8): the rows
// src/http/feed_endpoint.cpp serves, through caldav::FeedStore.
#include "src/cli/feed_command.hpp"

#include <optional>

#include "src/http/feed_endpoint.hpp"

namespace server {

namespace {

/// The calendar "OWNER/CALENDAR" names, or nullopt after a message on `err`.
std::optional<std::pair<caldav::PrincipalRecord, caldav::CollectionRecord>> calendar_of(Backend& store,
                                                                                        const std::string& target,
                                                                                        std::ostream& err) {
    auto slash = target.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == target.size()) {
        err << "kalends: expected OWNER/CALENDAR, not '" << target << "'\n";
        return std::nullopt;
    }
    auto owner = store.find_principal(target.substr(0, slash));
    if (!owner) {
        err << "kalends: no user '" << target.substr(0, slash) << "'\n";
        return std::nullopt;
    }
    auto c = store.find_collection(owner->id, target.substr(slash + 1));
    if (!c || c->kind != caldav::CollectionKind::calendar) {
        err << "kalends: " << owner->name << " has no calendar '" << target.substr(slash + 1) << "'\n";
        return std::nullopt;
    }
    return std::pair{*owner, *c};
}

}  // namespace

int feed_add(Backend& store, const std::string& target, bool free_busy, std::ostream& out, std::ostream& err) {
    auto cal = calendar_of(store, target, err);
    if (!cal) return 1;
    caldav::PublicFeed feed;
    caldav::StoreStatus status = caldav::StoreStatus::ok;
    auto token = create_feed(store, cal->first, cal->second, free_busy, feed, status);
    if (status != caldav::StoreStatus::ok) {
        err << "kalends: cannot make the feed: " << (status == caldav::StoreStatus::not_found ? "the calendar is gone"
                                                                                              : "database busy or full")
            << "\n";
        return 1;
    }
    out << feed.id << "\t" << (free_busy ? "free-busy" : "full") << "\t" << feed_path(token) << "\n";
    return 0;
}

int feed_list(Backend& store, const std::string& target, std::ostream& out, std::ostream& err) {
    auto cal = calendar_of(store, target, err);
    if (!cal) return 1;
    for (const auto& f : store.feeds_of_collection(cal->second.id))
        out << f.id << "\t" << (f.free_busy ? "free-busy" : "full") << "\t" << f.created_at << "\n";
    return 0;
}

int feed_revoke(Backend& store, const std::string& target, const std::string& id, std::ostream& out,
                std::ostream& err) {
    auto cal = calendar_of(store, target, err);
    if (!cal) return 1;
    std::int64_t n = 0;
    try {
        std::size_t used = 0;
        n = std::stoll(id, &used);
        if (used != id.size()) n = 0;
    } catch (const std::exception&) {
        n = 0;
    }
    auto status = n > 0 ? store.remove_feed(cal->second.id, n) : caldav::StoreStatus::not_found;
    if (status == caldav::StoreStatus::not_found) {
        err << "kalends: " << target << " has no feed '" << id << "'\n";
        return 1;
    }
    if (status != caldav::StoreStatus::ok) {
        err << "kalends: cannot revoke the feed: database busy or full\n";
        return 1;
    }
    out << "revoked feed " << n << " of " << target << "\n";
    return 0;
}

}  // namespace server
