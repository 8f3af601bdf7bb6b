// calendar-multiget REPORT (RFC 4791 §7.9): members named by href, in any
// encoding that decodes to one of the user's objects; missing ones as 404.
#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/properties.hpp"
#include "caldav/resource_path.hpp"
#include "caldav/report.hpp"
#include "caldav/target.hpp"

namespace caldav {

Response report_calendar_multiget(Context& ctx, const xml::Element& root) {
    auto& t = ctx.target;
    if (t.kind != ResourceKind::collection && t.kind != ResourceKind::home)
        throw Error(403, Precondition::supported_report, "calendar-multiget works on calendars and the home");
    auto props = parse_property_request(root, PropertyRequest::Mode::prop);
    std::vector<std::string> hrefs;
    for (const auto& c : root.children)
        if (c.is(names::dav_ns, "href")) hrefs.push_back(c.text);
    if (hrefs.size() > ctx.limits.max_multiget_hrefs)
        throw Error(403, Precondition::number_of_matches_within_limits,
                    "more than " + std::to_string(ctx.limits.max_multiget_hrefs) + " hrefs (limits.multiget-hrefs)");
    xml::Multistatus ms;
    // One member record reused for every href, its collection looked up once
    // per collection named (hrefs usually all name one), and the object read
    // with its data in the same lookup when calendar-data is asked for.
    const bool wants_data = props.calendar_data || props.mode != PropertyRequest::Mode::prop;
    Resource member;
    member.kind = ResourceKind::object;
    member.owner = ctx.user;
    std::optional<std::string> collection_name;
    for (const auto& raw : hrefs) {
        auto trimmed = raw;
        while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.pop_back();
        while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) trimmed.erase(0, 1);
        auto path = decode_target(trimmed);
        if (!path) {
            ms.add_status(xml::escape(trimmed), 404);
            continue;
        }
        auto rp = ResourcePath::parse(*path);
        if (rp.kind != ResourceKind::object || rp.owner != ctx.user.name) {
            ms.add_status(trimmed, rp.kind == ResourceKind::object ? 403 : 404);
            continue;
        }
        if (collection_name != rp.collection) {
            member.collection = ctx.store.find_collection(ctx.user.id, rp.collection);
            collection_name = rp.collection;
        }
        member.href = object_href(ctx.user.name, rp.collection, rp.object);
        member.object = member.collection ? ctx.store.find_object(member.collection->id, rp.object, wants_data)
                                          : std::nullopt;
        member.exists = member.object.has_value();
        if (!member.exists) {
            ms.add_status(member.href, 404);
            continue;
        }
        append_properties(ms.buffer(), member.href, ctx, member, props);
    }
    Response r;
    r.status = 207;
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    r.body = ms.finish();
    return r;
}

}  // namespace caldav
