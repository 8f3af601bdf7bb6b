// Server metrics in the Prometheus text exposition format 0.0.4 (src/util/metrics.hpp).
#include "src/util/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace server::metrics {

namespace {

constexpr std::array<std::string_view, 16> method_names{
    "GET",    "HEAD",     "PUT",       "DELETE", "POST",       "PATCH", "OPTIONS", "PROPFIND",
    "PROPPATCH", "REPORT", "MKCALENDAR", "MKCOL", "MOVE", "COPY", "ACL", "other"};

constexpr std::array<std::string_view, resource_kind_count> kind_names{
    "principal", "home", "calendar", "object", "inbox", "outbox", "api", "rsvp", "other"};

constexpr std::array<std::string_view, 5> status_class_names{"1xx", "2xx", "3xx", "4xx", "5xx"};

constexpr std::array<std::string_view, api_operation_count> api_operation_names{"event_create",
                                                                                "availability_check", "rsvp"};

std::string format_number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[40];
    // Integers print whole (counters); others with enough digits to round-trip.
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else
        std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

/// How many "/"-separated segments `rest` has; `second` gets the second one
/// (the collection, when `rest` starts with the owner).
std::size_t count_segments(std::string_view rest, std::string_view& second) {
    std::size_t n = 0;
    std::size_t pos = 0;
    while (pos < rest.size()) {
        if (rest[pos] == '/') {
            ++pos;
            continue;
        }
        auto end = std::min(rest.find('/', pos), rest.size());
        if (n == 1) second = rest.substr(pos, end - pos);
        ++n;
        pos = end;
    }
    return n;
}

}  // namespace

void Histogram::observe(std::chrono::steady_clock::duration d) noexcept {
    double seconds = std::chrono::duration<double>(d).count();
    auto it = std::lower_bound(latency_bounds.begin(), latency_bounds.end(), seconds);
    buckets_[static_cast<std::size_t>(it - latency_bounds.begin())].fetch_add(1, std::memory_order_relaxed);
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    sum_ns_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, ns)), std::memory_order_relaxed);
}

std::uint64_t Histogram::count() const noexcept {
    std::uint64_t n = 0;
    for (const auto& b : buckets_) n += b.load(std::memory_order_relaxed);
    return n;
}

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
    std::string bucket = std::string(name) + "_bucket";
    std::string prefix = labels.empty() ? std::string() : std::string(labels) + ",";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= latency_bounds.size(); ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        std::string le = i < latency_bounds.size() ? format_number(latency_bounds[i]) : "+Inf";
        write_sample(out, bucket, prefix + "le=\"" + le + "\"", static_cast<double>(cumulative));
    }
    write_sample(out, std::string(name) + "_sum", labels,
                 static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9);
    write_sample(out, std::string(name) + "_count", labels, static_cast<double>(cumulative));
}

ResourceKind classify_path(std::string_view path) {
    if (path == "/api" || path.starts_with("/api/")) return ResourceKind::api;
    if (path.starts_with("/rsvp/")) return ResourceKind::rsvp;
    if (path.starts_with("/dav/principals/users/")) {
        std::string_view ignored;
        return count_segments(path.substr(22), ignored) == 1 ? ResourceKind::principal : ResourceKind::other;
    }
    if (!path.starts_with("/dav/calendars/")) return ResourceKind::other;
    std::string_view collection;
    auto n = count_segments(path.substr(15), collection);
    if (n == 0) return ResourceKind::other;
    if (n == 1) return ResourceKind::home;
    if (collection == "inbox") return ResourceKind::inbox;
    if (collection == "outbox") return ResourceKind::outbox;
    if (n == 2 || path.back() == '/') return ResourceKind::calendar;
    return ResourceKind::object;
}

void write_family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void write_sample(std::string& out, std::string_view name, std::string_view labels, double value) {
    out.append(name);
    if (!labels.empty()) out.append("{").append(labels).append("}");
    out.append(" ").append(format_number(value)).append("\n");
}

std::string escape_label(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

std::size_t Registry::method_index(std::string_view method) noexcept {
    for (std::size_t i = 0; i + 1 < method_names.size(); ++i)
        if (method_names[i] == method) return i;
    return method_names.size() - 1;
}

void Registry::record_request(std::string_view method, ResourceKind kind, int status,
                              std::chrono::steady_clock::duration d) noexcept {
    auto m = method_index(method);
    auto k = static_cast<std::size_t>(kind);
    auto s = static_cast<std::size_t>(std::clamp(status / 100, 1, 5) - 1);
    requests_[(m * resource_kind_count + k) * status_classes + s].inc();
    request_seconds_[m * resource_kind_count + k].observe(d);
}

void Registry::record_api(ApiOperation op, std::chrono::steady_clock::duration d) noexcept {
    api_seconds_[static_cast<std::size_t>(op)].observe(d);
}

void Registry::add_collector(std::function<void(std::string&)> collect) {
    std::lock_guard lock(collectors_mutex_);
    collectors_.push_back(std::move(collect));
}

void Registry::clear_collectors() {
    std::lock_guard lock(collectors_mutex_);
    collectors_.clear();
}

std::string Registry::render() const {
    std::string out;
    out.reserve(16 * 1024);
    // Series that never moved are left out: 720 request series would be mostly zeros.
    write_family(out, "kalends_http_requests_total", "counter",
                 "HTTP requests answered, by method, resource kind and status class.");
    for (std::size_t m = 0; m < method_count; ++m)
        for (std::size_t k = 0; k < resource_kind_count; ++k)
            for (std::size_t s = 0; s < status_classes; ++s) {
                auto v = requests_[(m * resource_kind_count + k) * status_classes + s].value();
                if (v == 0) continue;
                write_sample(out, "kalends_http_requests_total",
                             "method=\"" + std::string(method_names[m]) + "\",kind=\"" +
                                 std::string(kind_names[k]) + "\",status=\"" + std::string(status_class_names[s]) +
                                 "\"",
                             static_cast<double>(v));
            }
    write_family(out, "kalends_http_request_duration_seconds", "histogram",
                 "Time from a request read to its answer written, by method and resource kind.");
    for (std::size_t m = 0; m < method_count; ++m)
        for (std::size_t k = 0; k < resource_kind_count; ++k) {
            const auto& h = request_seconds_[m * resource_kind_count + k];
            if (h.count() == 0) continue;
            h.render(out, "kalends_http_request_duration_seconds",
                     "method=\"" + std::string(method_names[m]) + "\",kind=\"" + std::string(kind_names[k]) + "\"");
        }
    write_family(out, "kalends_api_operation_duration_seconds", "histogram",
                 "JSON API event creation, availability check and RSVP handling time.");
    for (std::size_t i = 0; i < api_operation_count; ++i)
        api_seconds_[i].render(out, "kalends_api_operation_duration_seconds",
                               "operation=\"" + std::string(api_operation_names[i]) + "\"");
    write_family(out, "kalends_auth_failures_total", "counter", "Requests whose credentials were refused.");
    write_sample(out, "kalends_auth_failures_total", "", static_cast<double>(auth_failures_.value()));
    write_family(out, "kalends_connections_accepted_total", "counter", "Connections accepted.");
    write_sample(out, "kalends_connections_accepted_total", "", static_cast<double>(connections_total_.value()));
    render_deliveries(out);
    render_scheduling(out);
    std::lock_guard lock(collectors_mutex_);
    for (const auto& collect : collectors_) collect(out);
    return out;
}

void Registry::record_delivery(Channel c, std::chrono::milliseconds late) noexcept {
    delivered_[static_cast<std::size_t>(c)].inc();
    delivery_seconds_[static_cast<std::size_t>(c)].observe(std::max(late, std::chrono::milliseconds(0)));
}

void Registry::record_delivery_failure(Channel c, DeliveryFailure cause) noexcept {
    delivery_failures_[static_cast<std::size_t>(c) * delivery_failure_count + static_cast<std::size_t>(cause)].inc();
}

void Registry::render_deliveries(std::string& out) const {
    constexpr std::array<std::string_view, channel_count> channels{"email", "push"};
    constexpr std::array<std::string_view, delivery_failure_count> causes{"retry", "refused", "gone", "given_up",
                                                                          "late"};
    write_family(out, "kalends_notification_delivery_seconds", "histogram",
                 "Time from a notification's due instant (a reminder's trigger, a message queued) to its hand-over "
                 "to the SMTP relay or push service, by channel.");
    for (std::size_t c = 0; c < channel_count; ++c)
        delivery_seconds_[c].render(out, "kalends_notification_delivery_seconds",
                                    "channel=\"" + std::string(channels[c]) + "\"");
    write_family(out, "kalends_notification_failures_total", "counter",
                 "Notifications that did not go out, by channel and cause (retry: tried again later).");
    std::uint64_t sent = 0, lost = 0;
    for (std::size_t c = 0; c < channel_count; ++c) {
        sent += delivered_[c].value();
        for (std::size_t k = 0; k < delivery_failure_count; ++k) {
            auto v = delivery_failures_[c * delivery_failure_count + k].value();
            if (causes[k] != "retry") lost += v;
            write_sample(out, "kalends_notification_failures_total",
                         "channel=\"" + std::string(channels[c]) + "\",cause=\"" + std::string(causes[k]) + "\"",
                         static_cast<double>(v));
        }
    }
    // The specification's "notification delivery rate": delivered over
    // delivered plus lost for good (retries still pending count for neither).
    write_family(out, "kalends_notification_delivery_rate", "gauge",
                 "Notifications delivered / (delivered + failed for good) since start; 1 when none.");
    write_sample(out, "kalends_notification_delivery_rate", "",
                 sent + lost == 0 ? 1.0 : static_cast<double>(sent) / static_cast<double>(sent + lost));
}

void Registry::render_scheduling(std::string& out) const {
    write_family(out, "kalends_conflict_detection_seconds", "histogram",
                 "Time the JSON API spent looking for overlapping events (create, edit, move).");
    conflict_seconds_.render(out, "kalends_conflict_detection_seconds", "");
    write_family(out, "kalends_scheduling_deliveries_total", "counter",
                 "iTIP messages delivered to a local inbox or queued as iMIP mail, or that could not be, "
                 "by channel and result.");
    constexpr std::array<std::string_view, 2> channels{"local", "imip"};
    constexpr std::array<std::string_view, 2> results{"delivered", "failed"};
    for (std::size_t c = 0; c < channels.size(); ++c)
        for (std::size_t r = 0; r < results.size(); ++r)
            write_sample(out, "kalends_scheduling_deliveries_total",
                         "channel=\"" + std::string(channels[c]) + "\",result=\"" + std::string(results[r]) + "\"",
                         static_cast<double>(scheduling_[c * 2 + r].value()));
}

Registry& registry() {
    static Registry r;
    return r;
}

}  // namespace server::metrics
