// calendar-query REPORT (RFC 4791 §7.8): the filter grammar of §9.7 parsed into
// ical::CompFilter, candidates narrowed by the index, each checked exactly.
#include <algorithm>

#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/properties.hpp"
#include "caldav/report.hpp"
#include "ical/query_filter.hpp"

namespace caldav {

namespace {

using names::caldav_ns;
using names::dav_ns;

[[noreturn]] void invalid(const std::string& why) { throw Error(403, Precondition::valid_filter, why); }

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

ical::TimeRange parse_time_range(const xml::Element& e) {
    ical::TimeRange r;
    auto start = e.attribute("start");
    auto end = e.attribute("end");
    if (start.empty() && end.empty()) invalid("time-range needs start or end");
    if (!start.empty() && !(r.start = ical::parse_utc(start))) invalid("time-range start must be a UTC date-time");
    if (!end.empty() && !(r.end = ical::parse_utc(end))) invalid("time-range end must be a UTC date-time");
    if (r.start && r.end && *r.end <= *r.start) invalid("time-range end must be after its start");
    return r;
}

ical::TextMatch parse_text_match(const xml::Element& e) {
    ical::TextMatch m;
    m.text = e.text;
    auto collation = e.attribute("collation");
    if (collation.empty() || collation == "i;ascii-casemap") m.collation = ical::Collation::ascii_casemap;
    else if (collation == "i;octet") m.collation = ical::Collation::octet;
    else if (collation == "i;unicode-casemap") m.collation = ical::Collation::unicode_casemap;
    else throw Error(403, Precondition::supported_collation, "collation " + collation + " is not supported");
    auto negate = e.attribute("negate-condition");
    if (!negate.empty() && negate != "yes" && negate != "no") invalid("negate-condition is yes or no");
    m.negate = negate == "yes";
    return m;
}

ical::ParamFilter parse_param_filter(const xml::Element& e) {
    ical::ParamFilter f;
    f.name = upper(e.attribute("name"));
    if (f.name.empty()) invalid("param-filter needs a name");
    for (const auto& c : e.children) {
        if (c.is(caldav_ns, "is-not-defined")) f.is_not_defined = true;
        else if (c.is(caldav_ns, "text-match")) f.text_match = parse_text_match(c);
        else throw Error(403, Precondition::supported_filter, "unsupported element in param-filter: " + c.local);
    }
    return f;
}

ical::PropFilter parse_prop_filter(const xml::Element& e) {
    ical::PropFilter f;
    f.name = upper(e.attribute("name"));
    if (f.name.empty()) invalid("prop-filter needs a name");
    for (const auto& c : e.children) {
        if (c.is(caldav_ns, "is-not-defined")) f.is_not_defined = true;
        else if (c.is(caldav_ns, "time-range")) f.time_range = parse_time_range(c);
        else if (c.is(caldav_ns, "text-match")) f.text_match = parse_text_match(c);
        else if (c.is(caldav_ns, "param-filter")) f.params.push_back(parse_param_filter(c));
        else throw Error(403, Precondition::supported_filter, "unsupported element in prop-filter: " + c.local);
    }
    return f;
}

ical::CompFilter parse_comp_filter(const xml::Element& e, std::size_t depth) {
    if (depth > 8) throw Error(403, Precondition::supported_filter, "comp-filters nest at most 8 deep");
    ical::CompFilter f;
    f.name = upper(e.attribute("name"));
    if (f.name.empty()) invalid("comp-filter needs a name");
    for (const auto& c : e.children) {
        if (c.is(caldav_ns, "is-not-defined")) f.is_not_defined = true;
        else if (c.is(caldav_ns, "time-range")) f.time_range = parse_time_range(c);
        else if (c.is(caldav_ns, "prop-filter")) f.props.push_back(parse_prop_filter(c));
        else if (c.is(caldav_ns, "comp-filter")) f.comps.push_back(parse_comp_filter(c, depth + 1));
        else throw Error(403, Precondition::supported_filter, "unsupported element in comp-filter: " + c.local);
    }
    return f;
}

/// The time-range on the object's own component (VCALENDAR > VEVENT etc.), the
/// only one the index can narrow by (alarms may fire outside their event).
std::optional<ical::TimeRange> index_range(const ical::CompFilter& root) {
    if (root.comps.size() != 1) return std::nullopt;
    const auto& c = root.comps.front();
    if (c.is_not_defined || !c.time_range) return std::nullopt;
    return c.time_range;
}

/// Refuses calendar-data options we cannot honour yet rather than ignore them.
void check_calendar_data_request(const xml::Element* prop) {
    if (!prop) return;
    const auto* data = prop->child(caldav_ns, "calendar-data");
    if (!data) return;
    for (const auto& c : data->children) {
        if (c.is(caldav_ns, "expand") || c.is(caldav_ns, "limit-recurrence-set") ||
            c.is(caldav_ns, "limit-freebusy-set"))
            throw Error(501, "calendar-data " + c.local + " is not implemented yet (issue 5)");
    }
}

}  // namespace

Response report_calendar_query(Context& ctx, const xml::Element& root) {
    auto& t = ctx.target;
    const auto* filter_el = root.child(caldav_ns, "filter");
    if (!filter_el || filter_el->children.size() != 1 || !filter_el->children[0].is(caldav_ns, "comp-filter"))
        invalid("calendar-query needs one CALDAV:filter holding one comp-filter");
    auto filter = parse_comp_filter(filter_el->children[0], 1);
    if (filter.name != "VCALENDAR") invalid("the outer comp-filter must name VCALENDAR");
    const auto* prop = root.child(dav_ns, "prop");
    check_calendar_data_request(prop);
    PropertyRequest props;
    props.mode = PropertyRequest::Mode::prop;
    if (prop)
        for (const auto& p : prop->children) props.names.emplace_back(p.ns, p.local);
    else if (root.child(dav_ns, "allprop"))
        props.mode = PropertyRequest::Mode::allprop;

    std::vector<CollectionRecord> calendars;
    int depth = depth_of(ctx.request, 0);
    if (t.kind == ResourceKind::collection && t.collection->kind == CollectionKind::calendar) {
        if (depth != 0) calendars.push_back(*t.collection);
    } else if (t.kind == ResourceKind::home) {
        if (depth != 0)
            for (auto& c : ctx.store.list_collections(t.owner->id))
                if (c.kind == CollectionKind::calendar) calendars.push_back(std::move(c));
    } else if (t.kind != ResourceKind::object) {
        throw Error(403, Precondition::supported_report, "calendar-query works on calendars, objects and the home");
    }

    ical::QueryLimits limits;
    limits.max_instances = ctx.limits.max_instances;
    auto range = index_range(filter);
    xml::Multistatus ms;
    auto consider = [&](Resource& member) {
        auto result = ical::matches(member.object->data, filter, limits);
        if (result.error)
            throw Error(403, Precondition::max_instances, member.href + ": " + *result.error);
        if (result.matches) ms.add(member.href, properties_of(ctx, member, props));
    };
    if (t.kind == ResourceKind::object) {
        if (!t.exists) throw Error(404, "no such calendar object");
        Resource member = t;
        member.object = ctx.store.find_object(t.collection->id, t.object->name, true);
        if (member.object) consider(member);
    }
    for (const auto& cal : calendars) {
        Resource member;
        member.kind = ResourceKind::object;
        member.owner = t.owner;
        member.collection = cal;
        member.exists = true;
        auto prefix = collection_href(t.owner->name, cal.name);
        auto candidates = ctx.store.list_objects_in_range(cal.id, range ? range->start : std::nullopt,
                                                          range ? range->end : std::nullopt, true);
        for (auto& o : candidates) {
            member.href = prefix + encode_segment(o.name);
            member.object = std::move(o);
            consider(member);
        }
    }
    Response r;
    r.status = 207;
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    r.body = ms.finish();
    return r;
}

}  // namespace caldav
