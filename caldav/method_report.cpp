// REPORT (RFC 3253 §3.6): parses the body and runs the report its root names.
#include <array>

#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
#include "caldav/names.hpp"
#include "caldav/report.hpp"

namespace caldav {

namespace {

/// Calendar object resources of a calendar: RFC 4791 §7.8, §7.9 let
/// calendar-query and calendar-multiget address one (issue 22 item 17).
bool calendar_object(const Resource& r) {
    return (r.bit() & k_object) && r.collection && r.collection->kind == CollectionKind::calendar;
}

struct ReportRow {
    std::string_view ns;
    std::string_view local;
    Response (*run)(Context&, const xml::Element&);
    unsigned kinds;                               ///< resources it is listed for
    bool (*also)(const Resource&) = nullptr;      ///< and these (nullptr: none)
    bool needs_owner = false;                     ///< listed only where the resource has an owner
    /// What the actor needs on a collection or object to run it (issue 25: a
    /// free-busy sharee runs free-busy-query only).
    Privileges needs = Privileges::read;
};

constexpr unsigned k_member_sets = k_home | k_calendar | k_plain | k_inbox;
constexpr unsigned k_principal_sets = k_principals | k_principal | k_root;

// In the order supported-report-set lists them.
constexpr std::array<ReportRow, 9> reports{{
    {names::dav_ns, "sync-collection", &report_sync_collection, k_member_sets},
    {names::caldav_ns, "calendar-multiget", &report_calendar_multiget, k_member_sets, &calendar_object},
    {names::caldav_ns, "calendar-query", &report_calendar_query, k_member_sets, &calendar_object},
    {names::caldav_ns, "free-busy-query", &report_free_busy_query, k_home | k_calendar, nullptr, false,
     Privileges::read_free_busy},
    {names::dav_ns, "principal-property-search", &report_principal_property_search, k_principal_sets},
    {names::dav_ns, "principal-search-property-set", &report_principal_search_property_set, k_principal_sets},
    {names::dav_ns, "expand-property", &report_expand_property, k_all | k_proxy_group},
    {names::dav_ns, "principal-match", &report_principal_match, k_all},
    {names::dav_ns, "acl-principal-prop-set", &report_acl_principal_prop_set, k_all, nullptr, true},
}};

/// The report body. One who may not read the target (a free-busy sharee, or
/// a user the organisation rule shows a home's busy time, issue 25) learns
/// no more from a malformed body than from any report they may not run: 403.
xml::Element parse_body(Context& ctx) {
    try {
        return xml::parse(ctx.request.body, ctx.limits);
    } catch (const Error&) {
        if ((ctx.target.bit() & (k_any_collection | k_object | k_home)) &&
            !holds(ctx.target.privileges, Privileges::read))
            throw need_privileges_error(ctx.target.href, Privileges::read,
                                        "the user lacks a privilege this report needs");
        throw;
    }
}

}  // namespace

std::vector<std::pair<std::string_view, std::string_view>> supported_reports(const Resource& r) {
    std::vector<std::pair<std::string_view, std::string_view>> out;
    for (const auto& row : reports) {
        if (row.needs_owner && !r.owner) continue;
        if ((row.kinds & r.bit()) || (row.also && row.also(r))) out.emplace_back(row.ns, row.local);
    }
    return out;
}

Response handle_report(Context& ctx) {
    // A sharee who may not read (free-busy, issue 25) learns no member names.
    if (!ctx.target.exists && (ctx.target.bit() & (k_any_collection | k_object)) &&
        !holds(ctx.target.privileges, Privileges::read))
        throw need_privileges_error(ctx.target.href, Privileges::read, "the user lacks a privilege this report needs");
    if (!ctx.target.exists) throw Error(404, "no such resource");
    auto root = parse_body(ctx);
    for (const auto& row : reports) {
        if (!root.is(row.ns, row.local)) continue;
        // Issue 25 §9: on a home the organisation rule may give read-free-busy alone.
        if ((ctx.target.bit() & (k_any_collection | k_object | k_home)) && !holds(ctx.target.privileges, row.needs))
            throw need_privileges_error(ctx.target.href, row.needs, "the user lacks a privilege this report needs");
        return row.run(ctx, root);
    }
    throw Error(403, Precondition::supported_report, "report {" + root.ns + "}" + root.local + " is not supported here");
}

}  // namespace caldav
