// Server metrics for Prometheus (issue 29 §1): counters and fixed-bucket
// histograms on relaxed atomics, rendered in the text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
#pragma once
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace server::metrics {

/// A monotonically growing count; lock-free, any thread.
class Counter {
public:
    void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

/// Upper bounds (seconds) of every latency histogram's buckets, +Inf implied.
inline constexpr std::array<double, 14> latency_bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                       0.1,    0.25,  0.5,    1,     2.5,   5,    10};

/// A latency histogram over latency_bounds; observe() is two relaxed atomic
/// additions after a short search. Any thread.
class Histogram {
public:
    void observe(std::chrono::steady_clock::duration d) noexcept;
    /// Observations so far.
    std::uint64_t count() const noexcept;
    /// Appends the _bucket, _sum and _count samples of `name` with `labels`
    /// ("a=\"b\"" pairs joined by commas, or empty).
    void render(std::string& out, std::string_view name, std::string_view labels) const;

private:
    std::array<std::atomic<std::uint64_t>, latency_bounds.size() + 1> buckets_{};  ///< not cumulative
    std::atomic<std::uint64_t> sum_ns_{0};
};

/// What a request was addressed to, for the request metrics' `kind` label.
enum class ResourceKind { principal, home, calendar, object, inbox, outbox, api, rsvp, other };
inline constexpr std::size_t resource_kind_count = 9;

/// The kind of resource a decoded request path names (the URL space of
/// caldav/resource_path.hpp, /api/ and /rsvp/); anything else is `other`.
ResourceKind classify_path(std::string_view path);

/// JSON API operations whose latency the specification names.
enum class ApiOperation { event_create, availability_check, rsvp };
inline constexpr std::size_t api_operation_count = 3;

/// Appends one metric family's # HELP and # TYPE lines.
void write_family(std::string& out, std::string_view name, std::string_view type, std::string_view help);
/// Appends one sample line; `labels` as for Histogram::render.
void write_sample(std::string& out, std::string_view name, std::string_view labels, double value);
/// `value` escaped for a label value (backslash, quote, newline).
std::string escape_label(std::string_view value);

/// How a notification reaches its recipient, the delivery metrics' `channel`
/// label (issue 26 §7): e-mail (reminders and iMIP alike) or Web Push.
enum class Channel { email, push };
inline constexpr std::size_t channel_count = 2;

/// Why a notification did not go out, the `cause` label: `retry` (the relay
/// or push service could not take it now; it is tried again), `refused` (for
/// good: a 5xx to RCPT/DATA, a 4xx from a push service), `gone` (the push
/// subscription no longer exists), `given_up` (retried too long), `late`
/// (a reminder found past skip-after-minutes or its event's end).
enum class DeliveryFailure { retry, refused, gone, given_up, late };
inline constexpr std::size_t delivery_failure_count = 5;

/// Where an iTIP message went (RFC 6638 §3.2, RFC 6047), the scheduling
/// metrics' `channel` label: a local user's inbox, or e-mail (iMIP).
enum class SchedulingChannel { local, imip };

/// Every metric of the process. Instruments live as long as the program.
class Registry {
public:
    /// Counts one answered HTTP request and its time from read to written.
    void record_request(std::string_view method, ResourceKind kind, int status,
                        std::chrono::steady_clock::duration d) noexcept;
    /// Counts one request whose credentials were refused.
    void record_auth_failure() noexcept { auth_failures_.inc(); }
    /// Counts one accepted connection.
    void record_connection() noexcept { connections_total_.inc(); }
    /// Records the latency of one JSON API operation (whatever its outcome).
    void record_api(ApiOperation op, std::chrono::steady_clock::duration d) noexcept;

    /// Records the time one conflict check took (the JSON API's create, edit
    /// and move look for overlaps in the calendars of the organizer and attendees).
    void record_conflict_detection(std::chrono::steady_clock::duration d) noexcept { conflict_seconds_.observe(d); }
    /// Counts one iTIP message planned into a local inbox or queued as iMIP
    /// mail (`delivered`), or one that could not be (no inbox, invalid copy).
    void record_scheduling_delivery(SchedulingChannel c, bool delivered) noexcept {
        scheduling_[static_cast<std::size_t>(c) * 2 + (delivered ? 0 : 1)].inc();
    }

    /// Counts one notification handed to the SMTP relay or a push service,
    /// `late` after it was due (negative: counted as 0).
    void record_delivery(Channel c, std::chrono::milliseconds late) noexcept;
    /// Counts one notification that did not go out, by cause.
    void record_delivery_failure(Channel c, DeliveryFailure cause) noexcept;

    /// Adds a function that appends families read at scrape time (queue
    /// depths, file sizes, the cache's figures). Thread-safe.
    void add_collector(std::function<void(std::string&)> collect);
    /// Drops every collector (the server that added them is gone).
    void clear_collectors();

    /// The whole exposition, collectors included.
    std::string render() const;

private:
    static constexpr std::size_t method_count = 16;
    static constexpr std::size_t status_classes = 5;
    static std::size_t method_index(std::string_view method) noexcept;

    std::array<Counter, method_count * resource_kind_count * status_classes> requests_{};
    std::array<Histogram, method_count * resource_kind_count> request_seconds_{};
    std::array<Histogram, api_operation_count> api_seconds_{};
    std::array<Counter, channel_count> delivered_{};
    std::array<Histogram, channel_count> delivery_seconds_{};
    std::array<Counter, channel_count * delivery_failure_count> delivery_failures_{};
    Histogram conflict_seconds_;
    std::array<Counter, 4> scheduling_{};  ///< channel × {delivered, failed}
    void render_deliveries(std::string& out) const;
    void render_scheduling(std::string& out) const;
    Counter auth_failures_;
    Counter connections_total_;
    mutable std::mutex collectors_mutex_;
    std::vector<std::function<void(std::string&)>> collectors_;
};

/// The process's registry.
Registry& registry();

/// Records into registry() the time from its construction to its end.
class ApiTimer {
public:
    explicit ApiTimer(ApiOperation op) : op_(op) {}
    ~ApiTimer() { registry().record_api(op_, std::chrono::steady_clock::now() - started_); }
    ApiTimer(const ApiTimer&) = delete;
    ApiTimer& operator=(const ApiTimer&) = delete;

private:
    ApiOperation op_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace server::metrics
