// Protocol-level limits on what a client may ask of the server (STYLE.md §5).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>

namespace caldav {

/// Every bound a client controls at the protocol level; defaults are documented
/// in man/kalends.conf.5 and set from the [limits] section of the config file.
/// Whose busy time a user may read without a grant (issue 25 §9, the
/// organisation rule; kalends.conf `sharing.free-busy`): read-free-busy
/// only, never event details.
enum class FreeBusyRule {
    everyone,     ///< every user's
    same_domain,  ///< users whose e-mail addresses share the domain (the default)
    nobody,       ///< only through a free-busy (or wider) grant
};

struct Limits {
    std::size_t max_resource_bytes = 1 << 20;        ///< CALDAV:max-resource-size
    std::size_t max_xml_depth = 64;                  ///< nesting of request XML bodies
    std::size_t max_xml_elements = 100000;           ///< elements in one request body
    std::size_t max_xml_attributes = 100000;         ///< attributes, namespace declarations included, in one request body
    std::size_t max_multiget_hrefs = 1000;           ///< hrefs per calendar-multiget
    std::size_t max_instances = 10000;               ///< CALDAV:max-instances
    /// Stored data may not have more than max_instances instances within this
    /// many days (from its start, or from now): the span of the longest
    /// free/busy lookup, so that what is stored can be queried (issue 22 item 5).
    std::int64_t instance_window_days = 366;
    /// How many times one user action is planned when the writes it planned
    /// keep meeting versions somebody wrote meanwhile, before it is answered
    /// 503 (caldav/write_plan.hpp).
    int plan_attempts = 5;
    /// Seconds after an answer to a meeting that the other local attendees'
    /// copies show it (caldav/scheduling.hpp, attendee_refresh_job_kind):
    /// answers given within this time are refreshed together.
    std::int64_t attendee_refresh_delay = 5;
    std::int64_t index_horizon_days = 1100;          ///< instances indexed ahead of now
    std::size_t max_attendees_per_instance = 500;    ///< CALDAV:max-attendees-per-instance
    std::uint64_t quota_bytes_per_user = 10ULL << 30;  ///< RFC 4331 quota per principal
    std::size_t max_calendars_per_user = 0;          ///< calendars in one home (0 = no limit)
    std::size_t max_objects_per_calendar = 0;        ///< members of one calendar (0 = no limit)
    std::size_t max_sync_results = 10000;            ///< members per sync-collection answer
    std::int64_t min_date_time = -2208988800;        ///< 1900-01-01T00:00:00Z
    std::int64_t max_date_time = 7258118400;         ///< 2200-01-01T00:00:00Z
    FreeBusyRule free_busy_rule = FreeBusyRule::same_domain;  ///< issue 25 §9
};

/// Limits an operator set for one user (issue 29 §6, `kalends user limits`);
/// each field left empty follows the server's Limits.
struct UserLimits {
    std::optional<std::uint64_t> quota_bytes;            ///< Limits::quota_bytes_per_user
    std::optional<std::size_t> max_calendars;            ///< Limits::max_calendars_per_user (0 = no limit)
    std::optional<std::size_t> max_objects_per_calendar; ///< Limits::max_objects_per_calendar (0 = no limit)
    bool operator==(const UserLimits&) const = default;
};

}  // namespace caldav
