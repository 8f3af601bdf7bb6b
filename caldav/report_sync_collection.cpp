// sync-collection REPORT (RFC 6578 §3): changes since a token, deletions as 404,
// paging with DAV:limit (507 on the collection itself, §3.6); on a calendar home
// the members are its collections.
#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/properties.hpp"
#include "caldav/report.hpp"
#include "caldav/sharing.hpp"

namespace caldav {

namespace {

using names::dav_ns;

/// What a sync-collection body asks for (RFC 6578 §6.1): the token (empty for
/// an initial sync), the page size and the properties.
struct SyncRequest {
    std::string token;
    bool infinite = false;  ///< DAV:sync-level infinite
    std::size_t limit = 0;
    PropertyRequest props;
};

SyncRequest parse_sync_request(Context& ctx, const xml::Element& root) {
    // RFC 6578 §3.3: Depth 0 and 1 are both accepted. Collections here hold
    // no collections, so sync-level "infinite" reports the same members as "1".
    if (const auto* level = root.child(dav_ns, "sync-level");
        level && level->text != "1" && level->text != "infinite" && level->text != "infinity")
        throw Error(400, "DAV:sync-level must be 1 or infinite");
    SyncRequest out;
    if (const auto* level = root.child(dav_ns, "sync-level")) out.infinite = level->text != "1";
    const auto* token_el = root.child(dav_ns, "sync-token");
    out.token = token_el ? token_el->text : std::string();
    auto& token = out.token;
    while (!token.empty() && (token.back() == ' ' || token.back() == '\n')) token.pop_back();
    while (!token.empty() && (token.front() == ' ' || token.front() == '\n')) token.erase(0, 1);
    out.limit = ctx.limits.max_sync_results;
    if (const auto* lim = root.child(dav_ns, "limit")) {
        if (const auto* n = lim->child(dav_ns, "nresults")) {
            try {
                auto v = std::stoll(n->text);
                if (v <= 0) throw std::invalid_argument("nresults");
                out.limit = std::min<std::size_t>(out.limit, static_cast<std::size_t>(v));
            } catch (const std::exception&) {
                throw Error(400, "DAV:nresults must be a positive number");
            }
        }
    }
    out.props = parse_property_request(root, PropertyRequest::Mode::prop);
    return out;
}

Response multistatus_reply(xml::Multistatus& ms) {
    Response r;
    r.status = 207;
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    r.body = ms.finish();
    return r;
}

/// sync-collection on a calendar home: its members are collections. Apple
/// Calendar (OS X 10.11, CalendarAgent) asks it with Depth 0 to learn which
/// calendars changed (tests/golden/clients/apple/sync-collection-home.txt).
Response sync_home(Context& ctx, const SyncRequest& req) {
    auto& t = ctx.target;
    if (!t.home) throw Error(404, "no such calendar home");
    // The home's members are collections; "infinite" would also owe every
    // object below them, which this report does not list.
    if (req.infinite)
        throw Error(403, Precondition::supported_report, "sync-level infinite is not supported on a calendar home");
    bool initial = req.token.empty();
    std::int64_t since = 0;
    if (!initial) {
        auto rev = parse_home_sync_token(*t.home, req.token);
        if (!rev) throw Error(403, Precondition::valid_sync_token, "unknown sync token");
        since = *rev;
    }
    xml::Multistatus ms;
    auto add_child = [&](CollectionRecord&& c) {
        Resource child;
        child.kind = ResourceKind::collection;
        child.href = collection_href(t.owner->name, c.name);
        child.owner = t.owner;
        child.collection = std::move(c);
        child.exists = true;
        child.privileges = privileges_of(child, ctx.user);
        child.parent_privileges = t.privileges;
        append_properties(ms.buffer(), child.href, ctx, child, req.props);
    };
    std::int64_t reached = t.home->revision;
    if (initial) {
        // Collections made before the home had a change log (schema 0008) have
        // no row in it, so the first answer lists what exists now. The token is
        // the revision read before the listing: a change racing with it is
        // reported again next time, never missed.
        auto all = ctx.store.list_collections(t.owner->id);
        if (all.size() > req.limit)
            throw Error(507, Precondition::number_of_matches_within_limits,
                        "the home has more collections than DAV:limit allows");
        for (auto& c : all)
            if (c.name.find('/') == std::string::npos) add_child(std::move(c));  // nested ones are not members
        // Issue 25 §7: the calendars shared with the user are members of their home.
        for (const auto& r : shared_calendars_in_home(ctx)) append_properties(ms.buffer(), r.href, ctx, r, req.props);
    } else {
        // One more than the limit tells whether the answer is truncated.
        auto changes = ctx.store.home_changes_since(t.owner->id, since, req.limit + 1);
        if (!changes)
            throw Error(403, Precondition::valid_sync_token, "sync token unknown or expired; sync again from scratch");
        bool truncated = changes->changes.size() > req.limit;
        if (truncated) changes->changes.resize(req.limit);
        reached = changes->revision;
        for (auto& c : changes->changes) {
            if (truncated) reached = c.revision;
            if (c.name.starts_with("/shared/")) {  // a calendar shared with the user (issue 25 §7)
                std::string href;
                if (auto r = shared_calendar_change(ctx, c.name, href))
                    append_properties(ms.buffer(), r->href, ctx, *r, req.props);
                else
                    ms.add_status(href, 404);
                continue;
            }
            if (c.name.find('/') != std::string::npos) continue;  // nested below a member
            if (c.deleted || !c.collection) {
                ms.add_status(collection_href(t.owner->name, c.name), 404);
                continue;
            }
            add_child(std::move(*c.collection));
        }
        if (truncated) ms.add_status(t.href, 507);
    }
    ms.append("<D:sync-token>" + xml::escape(home_sync_token(*t.home, reached)) + "</D:sync-token>");
    return multistatus_reply(ms);
}

}  // namespace

Response report_sync_collection(Context& ctx, const xml::Element& root) {
    auto& t = ctx.target;
    auto req = parse_sync_request(ctx, root);
    if (t.kind == ResourceKind::home && t.exists) return sync_home(ctx, req);
    if (t.kind != ResourceKind::collection || !t.exists || t.collection->kind == CollectionKind::outbox)
        throw Error(403, Precondition::supported_report, "sync-collection works on calendar homes and collections");
    bool initial = req.token.empty();
    std::int64_t since = 0;
    if (!initial) {
        auto rev = parse_sync_token(*t.collection, req.token);
        if (!rev) throw Error(403, Precondition::valid_sync_token, "unknown sync token");
        since = *rev;
    }
    const auto limit = req.limit;
    const auto& props = req.props;

    // One more than the limit tells whether the answer is truncated.
    // An initial sync that fits is a listing of what exists now; otherwise
    // (or when it does not fit) the change log pages it by revision.
    auto changes = initial ? ctx.store.current_members(t.collection->id, limit + 1) : std::nullopt;
    if (!changes) changes = ctx.store.changes_since(t.collection->id, since, limit + 1);
    if (!changes) throw Error(403, Precondition::valid_sync_token, "sync token unknown or expired; sync again from scratch");
    bool truncated = changes->changes.size() > limit;
    if (truncated) changes->changes.resize(limit);

    // One child resource is reused for rendering (copying the collection
    // record per member would dominate large initial syncs).
    Resource child = t;
    child.kind = ResourceKind::object;
    child.exists = true;

    xml::Multistatus ms;
    ms.buffer().reserve(ms.buffer().size() + 256 * changes->changes.size());
    std::int64_t reached = since;
    for (auto& c : changes->changes) {
        reached = c.revision;
        if (c.deleted || !c.object) {
            if (!initial) ms.add_status(t.href + encode_segment(c.name), 404);
            continue;
        }
        child.href = t.href + encode_segment(c.name);
        child.object = std::move(c.object);
        append_properties(ms.buffer(), child.href, ctx, child, props);
    }
    if (truncated) {
        ms.add_status(t.href, 507);
    } else {
        // Nothing left: the token is the revision of the snapshot the changes came from.
        reached = changes->revision;
    }
    ms.append("<D:sync-token>" + xml::escape(sync_token(*t.collection, reached)) + "</D:sync-token>");
    return multistatus_reply(ms);
}

}  // namespace caldav
