// CALDAV:calendar-data in a request (RFC 4791 §9.6): which components and
// properties of a stored object a PROPFIND or REPORT returns, and the expand /
// limit-recurrence-set / limit-freebusy-set options.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "caldav/error.hpp"
#include "caldav/limits.hpp"
#include "caldav/xml/element.hpp"

namespace caldav {

/// CALDAV:comp (§9.6.1): the properties and subcomponents kept of one component.
struct CompSelection {
    std::string name;  ///< upper case
    bool all_props = false;
    bool all_comps = false;
    struct Prop {
        std::string name;  ///< upper case
        bool novalue = false;
    };
    std::vector<Prop> props;
    std::vector<CompSelection> comps;
};

/// A UTC interval [start, end) from a CALDAV time-range-like element.
struct UtcInterval {
    std::int64_t start = 0;
    std::int64_t end = 0;
};

/// Everything a CALDAV:calendar-data request element asks for.
struct DataSelection {
    std::optional<CompSelection> comp;  ///< empty: the whole object
    std::optional<UtcInterval> expand;
    std::optional<UtcInterval> limit_recurrence_set;
    std::optional<UtcInterval> limit_freebusy_set;

    /// True when the stored text is returned unchanged.
    bool whole() const { return !comp && !expand && !limit_recurrence_set && !limit_freebusy_set; }
};

/// Reads a CALDAV:calendar-data request element. Throws Error 403
/// CALDAV:supported-calendar-data for a content-type or version we do not
/// produce, and 400 for malformed comp/prop/expand elements.
DataSelection parse_data_selection(const xml::Element& calendar_data);

/// The content lines of `ics` that `selection` keeps, with their original
/// folding; `novalue` properties keep their name and parameters only.
std::string select_components(std::string_view ics, const CompSelection& selection);

/// A stored object taken apart for merging into one calendar (an export): its
/// VTIMEZONEs by TZID and the text of its other components, each unchanged.
struct CalendarParts {
    std::vector<std::pair<std::string, std::string>> timezones;  ///< (TZID, BEGIN..END text)
    std::string components;
};
CalendarParts split_calendar(std::string_view ics);

/// The calendar-data of `ics` that `selection` asks for: expanded or limited
/// first, then subset. Throws Error 403 CALDAV:max-instances when expansion
/// reaches the limits.
std::string render_calendar_data(std::string_view ics, const DataSelection& selection, const Limits& limits);

/// Appends the DAV:response of one member a REPORT could not evaluate within
/// the limits (issue 22 item 5): `error`'s status in DAV:status, its
/// precondition in DAV:error and its description in DAV:responsedescription
/// (RFC 4918 §14.24), so that one resource does not fail the whole report.
/// `encoded_href` is percent-encoded.
void append_member_error(std::string& out, std::string_view encoded_href, const Error& error);

}  // namespace caldav
