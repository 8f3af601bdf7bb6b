// REPORT (RFC 3253 §3.6): parses the body and runs the report its root names.
#include <array>

#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
#include "caldav/names.hpp"
#include "caldav/report.hpp"

namespace caldav {

namespace {

struct ReportRow {
    std::string_view ns;
    std::string_view local;
    Response (*run)(Context&, const xml::Element&);
};

constexpr std::array<ReportRow, 9> reports{{
    {names::caldav_ns, "free-busy-query", &report_free_busy_query},
    {names::caldav_ns, "calendar-query", &report_calendar_query},
    {names::dav_ns, "sync-collection", &report_sync_collection},
    {names::caldav_ns, "calendar-multiget", &report_calendar_multiget},
    {names::dav_ns, "expand-property", &report_expand_property},
    {names::dav_ns, "principal-property-search", &report_principal_property_search},
    {names::dav_ns, "principal-search-property-set", &report_principal_search_property_set},
    {names::dav_ns, "principal-match", &report_principal_match},
    {names::dav_ns, "acl-principal-prop-set", &report_acl_principal_prop_set},
}};

}  // namespace

Response handle_report(Context& ctx) {
    if (!ctx.target.exists) throw Error(404, "no such resource");
    auto root = xml::parse(ctx.request.body, ctx.limits);
    for (const auto& row : reports)
        if (root.is(row.ns, row.local)) return row.run(ctx, root);
    throw Error(403, Precondition::supported_report, "report {" + root.ns + "}" + root.local + " is not supported here");
}

}  // namespace caldav
