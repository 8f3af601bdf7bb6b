// sync-collection REPORT (RFC 6578 §3): changes since a token, deletions as 404,
// paging with DAV:limit (507 on the collection itself, §3.6).
#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/properties.hpp"
#include "caldav/report.hpp"

namespace caldav {

namespace {

using names::dav_ns;

}  // namespace

Response report_sync_collection(Context& ctx, const xml::Element& root) {
    auto& t = ctx.target;
    if (t.kind != ResourceKind::collection || !t.exists || t.collection->kind == CollectionKind::outbox)
        throw Error(403, Precondition::supported_report, "sync-collection works on calendar collections");
    // RFC 6578 §3.3: Depth 0 and 1 are both accepted. Collections here hold
    // no collections, so sync-level "infinite" reports the same members as "1".
    if (const auto* level = root.child(dav_ns, "sync-level");
        level && level->text != "1" && level->text != "infinite" && level->text != "infinity")
        throw Error(400, "DAV:sync-level must be 1 or infinite");
    const auto* token_el = root.child(dav_ns, "sync-token");
    std::string token = token_el ? token_el->text : std::string();
    while (!token.empty() && (token.back() == ' ' || token.back() == '\n')) token.pop_back();
    while (!token.empty() && (token.front() == ' ' || token.front() == '\n')) token.erase(0, 1);
    std::int64_t since = 0;
    bool initial = token.empty();
    if (!initial) {
        auto rev = parse_sync_token(*t.collection, token);
        if (!rev) throw Error(403, Precondition::valid_sync_token, "unknown sync token");
        since = *rev;
    }
    std::size_t limit = ctx.limits.max_sync_results;
    if (const auto* lim = root.child(dav_ns, "limit")) {
        if (const auto* n = lim->child(dav_ns, "nresults")) {
            try {
                auto v = std::stoll(n->text);
                if (v <= 0) throw std::invalid_argument("nresults");
                limit = std::min<std::size_t>(limit, static_cast<std::size_t>(v));
            } catch (const std::exception&) {
                throw Error(400, "DAV:nresults must be a positive number");
            }
        }
    }
    auto props = parse_property_request(root, PropertyRequest::Mode::prop);

    // One more than the limit tells whether the answer is truncated.
    auto changes = ctx.store.changes_since(t.collection->id, since, limit + 1);
    if (!changes) throw Error(403, Precondition::valid_sync_token, "sync token unknown or expired; sync again from scratch");
    bool truncated = changes->changes.size() > limit;
    if (truncated) changes->changes.resize(limit);

    // One child resource is reused for rendering (copying the collection
    // record per member would dominate large initial syncs).
    Resource child = t;
    child.kind = ResourceKind::object;
    child.exists = true;

    xml::Multistatus ms;
    std::int64_t reached = since;
    for (auto& c : changes->changes) {
        reached = c.revision;
        if (c.deleted || !c.object) {
            if (!initial) ms.add_status(t.href + encode_segment(c.name), 404);
            continue;
        }
        child.href = t.href + encode_segment(c.name);
        child.object = std::move(c.object);
        ms.add(child.href, properties_of(ctx, child, props));
    }
    if (truncated) {
        ms.add_status(t.href, 507);
    } else {
        // Nothing left: the token is the revision of the snapshot the changes came from.
        reached = changes->revision;
    }
    ms.append("<D:sync-token>" + xml::escape(sync_token(*t.collection, reached)) + "</D:sync-token>");
    Response r;
    r.status = 207;
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    r.body = ms.finish();
    return r;
}

}  // namespace caldav
