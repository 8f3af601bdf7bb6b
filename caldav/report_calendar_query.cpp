// calendar-query REPORT (RFC 4791 §7.8): the filter grammar of §9.7 parsed into
// ical::CompFilter, candidates narrowed by the index, each checked exactly.
#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "caldav/calendar_data_select.hpp"
#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/properties.hpp"
#include "caldav/report.hpp"
#include "ical/freebusy.hpp"
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
        else if (c.is(caldav_ns, "text-match") && !f.text_match) f.text_match = parse_text_match(c);
        else if (c.is(caldav_ns, "text-match")) invalid("param-filter " + f.name + " has more than one text-match");
        else throw Error(403, Precondition::supported_filter, "unsupported element in param-filter: " + c.local);
    }
    // RFC 4791 §9.7.3: (is-not-defined | text-match?).
    if (f.is_not_defined && (f.text_match || e.children.size() > 1))
        invalid("is-not-defined stands alone in param-filter " + f.name);
    return f;
}

/// RFC 4791 §9.9: the properties a time-range may test.
bool is_time_range_property(const std::string& name) {
    static constexpr std::array<std::string_view, 7> names{"COMPLETED", "CREATED", "DTEND", "DTSTAMP",
                                                           "DTSTART", "DUE", "LAST-MODIFIED"};
    return std::find(names.begin(), names.end(), name) != names.end();
}

ical::PropFilter parse_prop_filter(const xml::Element& e) {
    ical::PropFilter f;
    f.name = upper(e.attribute("name"));
    if (f.name.empty()) invalid("prop-filter needs a name");
    std::size_t tests = 0;  // is-not-defined, time-range and text-match exclude each other
    for (const auto& c : e.children) {
        if (c.is(caldav_ns, "param-filter")) {
            f.params.push_back(parse_param_filter(c));
            continue;
        }
        ++tests;
        if (c.is(caldav_ns, "is-not-defined")) f.is_not_defined = true;
        else if (c.is(caldav_ns, "time-range")) f.time_range = parse_time_range(c);
        else if (c.is(caldav_ns, "text-match")) f.text_match = parse_text_match(c);
        else throw Error(403, Precondition::supported_filter, "unsupported element in prop-filter: " + c.local);
    }
    // RFC 4791 §9.7.2: (is-not-defined | ((time-range | text-match)?, param-filter*)).
    if (tests > 1) invalid("prop-filter " + f.name + " takes one of is-not-defined, time-range, text-match");
    if (f.is_not_defined && !f.params.empty()) invalid("is-not-defined stands alone in prop-filter " + f.name);
    if (f.time_range && !is_time_range_property(f.name))
        invalid("a time-range cannot test " + f.name + " (RFC 4791 §9.9 defines it for date-time properties)");
    return f;
}

/// Which component may be filtered inside which, and whether RFC 4791 §9.9
/// defines a time-range for it there.
struct Nesting {
    std::string_view parent;
    std::string_view child;
    bool time_range;
};
constexpr std::array<Nesting, 9> nesting{{
    {"VCALENDAR", "VEVENT", true},      {"VCALENDAR", "VTODO", true},    {"VCALENDAR", "VJOURNAL", true},
    {"VCALENDAR", "VFREEBUSY", true},   {"VCALENDAR", "VTIMEZONE", false}, {"VEVENT", "VALARM", true},
    {"VTODO", "VALARM", true},          {"VTIMEZONE", "STANDARD", false}, {"VTIMEZONE", "DAYLIGHT", false},
}};

/// Checks that `child` may appear in `parent`: a known component in the wrong
/// place is an invalid filter (RFC 4791 §7.8: no VEVENT inside VTODO); a
/// non-standard one is a filter we do not support (§7.7).
const Nesting& check_nesting(const std::string& parent, const std::string& child) {
    for (const auto& n : nesting)
        if (n.parent == parent && n.child == child) return n;
    for (const auto& n : nesting)
        if (n.child == child || child == "VCALENDAR") invalid("a " + child + " comp-filter cannot be inside " + parent);
    throw Error(403, Precondition::supported_filter, "queries on component " + child + " are not supported");
}

ical::CompFilter parse_comp_filter(const xml::Element& e, const std::string& parent, std::size_t depth) {
    if (depth > 8) throw Error(403, Precondition::supported_filter, "comp-filters nest at most 8 deep");
    ical::CompFilter f;
    f.name = upper(e.attribute("name"));
    if (f.name.empty()) invalid("comp-filter needs a name");
    bool time_range_defined = false;
    if (parent.empty()) {
        if (f.name != "VCALENDAR") invalid("the outer comp-filter must name VCALENDAR");
    } else {
        time_range_defined = check_nesting(parent, f.name).time_range;
    }
    for (const auto& c : e.children) {
        if (c.is(caldav_ns, "is-not-defined")) f.is_not_defined = true;
        else if (c.is(caldav_ns, "time-range") && !f.time_range) f.time_range = parse_time_range(c);
        else if (c.is(caldav_ns, "time-range")) invalid("comp-filter " + f.name + " has more than one time-range");
        else if (c.is(caldav_ns, "prop-filter")) f.props.push_back(parse_prop_filter(c));
        else if (c.is(caldav_ns, "comp-filter")) f.comps.push_back(parse_comp_filter(c, f.name, depth + 1));
        else throw Error(403, Precondition::supported_filter, "unsupported element in comp-filter: " + c.local);
    }
    // RFC 4791 §9.7.1: (is-not-defined | (time-range?, prop-filter*, comp-filter*)).
    if (f.is_not_defined && e.children.size() > 1) invalid("is-not-defined stands alone in comp-filter " + f.name);
    if (f.time_range && !time_range_defined)
        invalid("RFC 4791 §9.9 defines no time-range for " + f.name);
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

/// True for VCALENDAR > VEVENT with a time-range and nothing else: the query
/// the time index answers exactly (ObjectRecord::index_match).
bool plain_event_range(const ical::CompFilter& root) {
    if (!root.props.empty() || root.time_range || root.is_not_defined || root.comps.size() != 1) return false;
    const auto& c = root.comps.front();
    return c.name == "VEVENT" && c.time_range && !c.is_not_defined && c.props.empty() && c.comps.empty();
}

}  // namespace

Response report_calendar_query(Context& ctx, const xml::Element& root) {
    auto& t = ctx.target;
    const auto* filter_el = root.child(caldav_ns, "filter");
    if (!filter_el || filter_el->children.size() != 1 || !filter_el->children[0].is(caldav_ns, "comp-filter"))
        invalid("calendar-query needs one CALDAV:filter holding one comp-filter");
    auto filter = parse_comp_filter(filter_el->children[0], {}, 1);
    // prop / allprop, with the calendar-data selection (expand, comp/prop).
    auto props = parse_property_request(root, PropertyRequest::Mode::prop);

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
    // RFC 4791 §9.8: floating and DATE values are read in the request's
    // CALDAV:timezone, else in the calendar's calendar-timezone, else in UTC.
    std::optional<ical::ReaderZone> request_zone;
    if (const auto* tz = root.child(caldav_ns, "timezone")) {
        // RFC 4791 §7.3, §9.8: the CALDAV:timezone precondition is valid-calendar-data.
        if (auto error = ical::check_reader_zone(tz->text))
            throw Error(403, Precondition::valid_calendar_data,
                        "CALDAV:timezone: " + error->message);
        request_zone = ical::ReaderZone::parse(tz->text);
        if (!request_zone)
            throw Error(403, Precondition::valid_calendar_data, "CALDAV:timezone must hold one VTIMEZONE");
    }
    xml::Multistatus ms;
    // A plain VEVENT time-range query is answered by the time index alone for
    // objects whose indexed instances are exact (no floating times).
    const bool index_decides = plain_event_range(filter);
    // Most clients ask for ETags only and fetch what changed with a multiget:
    // then the data is read only for members the index cannot decide.
    const bool wants_data = props.calendar_data || props.mode != PropertyRequest::Mode::prop;
    // Appends the member's response to `out` if it matches.
    // A member whose expansion reaches the limits (in the filter or in
    // calendar-data's expand) gets its own 403 response naming
    // CALDAV:max-instances, and the others are answered as usual: one object
    // (say a FREQ=SECONDLY invitation) must not fail every query of the
    // calendar (issue 22 item 5).
    auto consider = [&](Resource& member, const ical::ReaderZone* reader, std::string& out) {
        const auto before = out.size();
        try {
            if (index_decides && member.object->index_match) {
                append_properties(out, member.href, ctx, member, props);
                return;
            }
            auto result = ical::matches(member.object->text(), filter, limits, reader);
            if (result.error) throw Error(403, Precondition::max_instances, *result.error);
            if (result.matches) append_properties(out, member.href, ctx, member, props);
        } catch (const Error& e) {
            if (e.precondition() != Precondition::max_instances) throw;
            out.resize(before);
            append_member_error(out, member.href, e);
        }
    };
    auto reader_for = [&](const CollectionRecord& cal) {
        std::optional<ical::ReaderZone> zone;
        if (!request_zone && !cal.timezone.empty()) zone = ical::ReaderZone::parse(cal.timezone);
        return zone;
    };
    if (t.kind == ResourceKind::object) {
        if (!t.exists) throw Error(404, "no such calendar object");
        Resource member = t;
        member.object = ctx.store.find_object(t.collection->id, t.object->name, true);
        auto zone = reader_for(*t.collection);
        // A non-calendar resource of a plain collection matches no filter.
        if (member.object && member.object->content_type.empty())
            consider(member, request_zone ? &*request_zone : zone ? &*zone : nullptr, ms.buffer());
    }
    // Members are rendered straight into the answer as the store gives them,
    // with no record or string allocated per member. A store gives them in
    // name order when it can (the collection cache does); otherwise they are
    // put in href order after, through a scratch buffer kept by the thread.
    auto& answer = ms.buffer();
    const std::size_t members_start = answer.size();
    struct Rendered {
        std::size_t name, name_size;  // the encoded name, in `names`
        std::size_t begin, end;       // the response, in `answer`
    };
    std::vector<Rendered> rendered;
    std::string names;
    bool in_order = true;
    auto by_name = [&](const Rendered& a, const Rendered& b) {
        return std::string_view(names).substr(a.name, a.name_size) <
               std::string_view(names).substr(b.name, b.name_size);
    };
    std::vector<std::string> unread;  // members the index cannot decide, listed without data
    for (const auto& cal : calendars) {
        Resource member;
        member.kind = ResourceKind::object;
        member.owner = t.owner;
        member.collection = cal;
        member.grants = t.grants;  // issue 25: those of the calendar reported on
        member.exists = true;
        member.object.emplace();
        // Members hold what their calendar gives (caldav/privileges.hpp).
        member.privileges = privileges_of(member, ctx.user);
        member.parent_privileges = member.privileges;
        const auto prefix = collection_href(t.owner->name, cal.name);
        auto zone = reader_for(cal);
        const ical::ReaderZone* reader = request_zone ? &*request_zone : zone ? &*zone : nullptr;
        const std::size_t first = rendered.size();
        auto render = [&] {
            const auto encoded = encode_segment(member.object->name);
            member.href.assign(prefix).append(encoded);
            const auto begin = answer.size();
            consider(member, reader, answer);
            if (answer.size() == begin) return;
            rendered.push_back({names.size(), encoded.size(), begin, answer.size()});
            names += encoded;
        };
        // Without calendar-data, data is read only when a filter needs parsing.
        ctx.store.visit_objects_in_range(cal.id, range ? range->start : std::nullopt,
                                         range ? range->end : std::nullopt, wants_data || !index_decides,
                                         [&](ObjectRecord& o) {
                                             if (!(index_decides && o.index_match) && o.text().empty()) {
                                                 unread.push_back(o.name);
                                                 return;
                                             }
                                             std::swap(*member.object, o);
                                             render();
                                         });
        for (const auto& name : unread) {
            auto full = ctx.store.find_object(cal.id, name, true);
            if (!full) continue;  // deleted since the listing
            member.object = std::move(*full);
            render();
        }
        unread.clear();
        const auto from = rendered.begin() + static_cast<std::ptrdiff_t>(first);
        if (!std::is_sorted(from, rendered.end(), by_name)) {
            std::sort(from, rendered.end(), by_name);
            in_order = false;
        }
    }
    if (!in_order) {
        thread_local std::string scratch;
        scratch.assign(answer, 0, members_start);
        scratch.reserve(answer.size());
        for (const auto& m : rendered) scratch.append(answer, m.begin, m.end - m.begin);
        answer.swap(scratch);
        // The thread keeps the old buffer for next time, unless very large.
        if (scratch.capacity() > (std::size_t{8} << 20)) scratch = std::string();
        else scratch.clear();
    }
    Response r;
    r.status = 207;
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    r.body = ms.finish();
    return r;
}

}  // namespace caldav
