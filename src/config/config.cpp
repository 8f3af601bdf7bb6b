// Config file parsing (Boost.Program_options, INI syntax) and validation.
#include "src/config/config.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <type_traits>

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace server {

namespace {

bool is_ip_address(const std::string& host) {
    in_addr v4{};
    in6_addr v6{};
    return inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

}  // namespace

ListenAddress ListenAddress::parse(const std::string& text) {
    std::string host;
    std::string port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
            throw ConfigError("listen address '" + text + "': expected [ADDR]:PORT");
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string::npos)
            throw ConfigError("listen address '" + text + "': expected ADDR:PORT");
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (!is_ip_address(host)) throw ConfigError("listen address '" + text + "': '" + host + "' is not an IP address");
    char* end = nullptr;
    long value = port.empty() ? -1 : std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || value < 0 || value > 65535)
        throw ConfigError("listen address '" + text + "': bad port '" + port + "'");
    return {host, static_cast<std::uint16_t>(value)};
}

bool ListenAddress::is_loopback() const {
    in_addr v4{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    return host == "::1";
}

std::string ListenAddress::to_string() const {
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
           std::to_string(port);
}

std::filesystem::path default_data_dir() {
    if (const char* env = std::getenv("KALENDS_DATA"); env && *env) return env;
    if (geteuid() == 0) return "/var/lib/kalends";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::filesystem::path(home) / ".local/share/kalends";
    return "kalends-data";
}

namespace {

template <class T>
void take(const po::variables_map& vm, const char* key, T& into) {
    if (vm.count(key)) into = vm[key].as<T>();
}

void take_ms(const po::variables_map& vm, const char* key, std::chrono::milliseconds& into) {
    if (vm.count(key)) into = std::chrono::milliseconds(vm[key].as<std::int64_t>());
}

}  // namespace

namespace {

/// The [smtp] section; throws ConfigError naming the key for bad values.
void read_smtp(const po::variables_map& vm, const std::filesystem::path& file, SmtpConfig& smtp) {
    auto where = [&](const char* key) { return file.string() + ": smtp." + key; };
    take(vm, "smtp.url", smtp.url);
    take(vm, "smtp.from", smtp.from);
    take(vm, "smtp.username", smtp.username);
    take(vm, "smtp.password", smtp.password);
    take(vm, "smtp.tls", smtp.tls);
    auto seconds = [&](const char* key, std::int64_t least, auto& into) {
        std::string full = std::string("smtp.") + key;
        if (!vm.count(full)) return;
        auto v = vm[full].as<std::int64_t>();
        if (v < least) throw ConfigError(where(key) + " must be at least " + std::to_string(least));
        into = std::remove_reference_t<decltype(into)>(v);
    };
    seconds("retry-min-seconds", 1, smtp.retry_min);
    seconds("retry-max-seconds", 1, smtp.retry_max);
    seconds("give-up-hours", 1, smtp.give_up);
    seconds("timeout-seconds", 1, smtp.timeout);
    take(vm, "smtp.connections", smtp.connections);
    take(vm, "smtp.messages-per-connection", smtp.messages_per_connection);
    if (smtp.connections < 1 || smtp.connections > 64)
        throw ConfigError(where("connections") + " must be between 1 and 64");
    if (smtp.messages_per_connection < 1)
        throw ConfigError(where("messages-per-connection") + " must be at least 1");
    if (smtp.tls != "starttls" && smtp.tls != "required" && smtp.tls != "none")
        throw ConfigError(where("tls") + ": '" + smtp.tls + "' is not one of starttls, required, none");
    if (smtp.retry_max < smtp.retry_min)
        throw ConfigError(where("retry-max-seconds") + " must not be less than smtp.retry-min-seconds");
    if (smtp.url.empty()) return;
    if (!smtp.url.starts_with("smtp://") && !smtp.url.starts_with("smtps://"))
        throw ConfigError(where("url") + ": '" + smtp.url + "' is not an smtp:// or smtps:// URL");
    if (smtp.from.find('@') == std::string::npos)
        throw ConfigError(where("from") + ": set the address scheduling email is sent from");
}

}  // namespace

namespace {

/// "09:00-17:00" or "08:00-12:00,13:00-17:00": local [from, to) minutes.
std::vector<std::pair<int, int>> parse_working_hours(const std::string& text, const std::string& where) {
    std::vector<std::pair<int, int>> out;
    auto minutes = [&](std::string_view t) {
        if (t.size() != 5 || t[2] != ':' || !std::isdigit(static_cast<unsigned char>(t[0])) ||
            !std::isdigit(static_cast<unsigned char>(t[1])) || !std::isdigit(static_cast<unsigned char>(t[3])) ||
            !std::isdigit(static_cast<unsigned char>(t[4])))
            throw ConfigError(where + ": '" + std::string(t) + "' is not a time HH:MM");
        int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
        if (h > 24 || m > 59 || (h == 24 && m != 0)) throw ConfigError(where + ": '" + std::string(t) + "' is not a time of day");
        return h * 60 + m;
    };
    std::string_view rest(text);
    while (!rest.empty()) {
        auto comma = rest.find(',');
        auto part = rest.substr(0, comma);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        auto dash = part.find('-');
        if (dash == std::string_view::npos) throw ConfigError(where + ": '" + std::string(part) + "' is not FROM-TO");
        int from = minutes(part.substr(0, dash)), to = minutes(part.substr(dash + 1));
        if (to <= from) throw ConfigError(where + ": '" + std::string(part) + "' ends before it starts");
        out.emplace_back(from, to);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    if (out.empty()) throw ConfigError(where + ": no hours given");
    return out;
}

/// The [api] section (issue 24).
void read_api(const po::variables_map& vm, const std::filesystem::path& file, ApiConfig& api) {
    auto where = [&](const char* key) { return file.string() + ": " + key; };
    std::vector<std::pair<int, int>> hours{{540, 1020}};
    bool hours_set = vm.count("api.working-hours") > 0;
    if (hours_set) hours = parse_working_hours(vm["api.working-hours"].as<std::string>(), where("api.working-hours"));
    std::array<bool, 7> working{false, true, true, true, true, true, false};
    if (vm.count("api.working-days")) {
        static constexpr std::string_view names[] = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
        working.fill(false);
        std::string text = vm["api.working-days"].as<std::string>();
        std::string_view rest(text);
        while (!rest.empty()) {
            auto comma = rest.find(',');
            std::string day(rest.substr(0, comma));
            day.erase(0, day.find_first_not_of(' '));
            day.erase(day.find_last_not_of(' ') + 1);
            for (auto& ch : day) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            auto it = std::find(std::begin(names), std::end(names), day);
            if (it == std::end(names))
                throw ConfigError(where("api.working-days") + ": '" + day + "' is not one of MO TU WE TH FR SA SU");
            working[static_cast<std::size_t>(it - std::begin(names))] = true;
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        }
    }
    for (std::size_t d = 0; d < 7; ++d) api.working_hours.days[d] = working[d] ? hours : std::vector<std::pair<int, int>>{};
    take(vm, "api.time-zone", api.working_hours.time_zone);
    take(vm, "api.conflict-horizon-days", api.conflict_horizon_days);
    take(vm, "api.conflict-threads", api.conflict_threads);
    take(vm, "api.availability-users", api.max_availability_users);
    take(vm, "api.availability-days", api.max_availability_days);
    take(vm, "api.list-days", api.max_list_days);
    take(vm, "api.list-page-size", api.list_page_size);
    take(vm, "api.parsed-cache-entries", api.parsed_cache_entries);
    take(vm, "api.json-depth", api.max_json_depth);
    take(vm, "api.json-bytes", api.max_json_bytes);
    take(vm, "api.string-bytes", api.max_string_bytes);
    take(vm, "api.rate-per-minute", api.rate_per_minute);
    take(vm, "api.rate-burst", api.rate_burst);
    take(vm, "api.idempotency-hours", api.idempotency_hours);
    take(vm, "api.session-hours", api.session_hours);
    if (api.session_hours < 1 || api.session_hours > 24 * 90)
        throw ConfigError(where("api.session-hours") + " must be between 1 and 2160 (90 days)");
    if (api.working_hours.time_zone.empty()) throw ConfigError(where("api.time-zone") + " is empty");
    if (api.conflict_horizon_days < 1 || api.conflict_horizon_days > 3660)
        throw ConfigError(where("api.conflict-horizon-days") + " must be between 1 and 3660");
    if (api.max_availability_users < 1) throw ConfigError(where("api.availability-users") + " must be at least 1");
    if (api.max_availability_days < 1) throw ConfigError(where("api.availability-days") + " must be at least 1");
    if (api.max_list_days < 1) throw ConfigError(where("api.list-days") + " must be at least 1");
    if (api.list_page_size < 1) throw ConfigError(where("api.list-page-size") + " must be at least 1");
    if (api.max_json_depth < 4) throw ConfigError(where("api.json-depth") + " must be at least 4");
    if (api.max_json_bytes < 1024) throw ConfigError(where("api.json-bytes") + " must be at least 1024");
    if (api.max_string_bytes < 256) throw ConfigError(where("api.string-bytes") + " must be at least 256");
    if (api.idempotency_hours < 1) throw ConfigError(where("api.idempotency-hours") + " must be at least 1");
}

/// The [push] section (issue 26 §5).
void read_push(const po::variables_map& vm, const std::filesystem::path& file, PushConfig& push) {
    auto where = [&](const char* key) { return file.string() + ": push." + key; };
    take(vm, "push.vapid-subject", push.vapid_subject);
    if (vm.count("push.key-file")) push.key_file = vm["push.key-file"].as<std::string>();
    if (vm.count("push.ttl-seconds")) {
        auto v = vm["push.ttl-seconds"].as<std::int64_t>();
        if (v < 0 || v > 28 * 86400) throw ConfigError(where("ttl-seconds") + " must be between 0 and 2419200");
        push.ttl = std::chrono::seconds(v);
    }
    take(vm, "push.allow-http", push.allow_http);
    take(vm, "push.public-url", push.public_url);
    take(vm, "push.registration-days", push.registration_days);
    take(vm, "push.connections", push.connections);
    if (push.connections < 1 || push.connections > 64)
        throw ConfigError(where("connections") + " must be between 1 and 64");
    if (!push.vapid_subject.empty() && !push.vapid_subject.starts_with("mailto:") &&
        !push.vapid_subject.starts_with("https:"))
        throw ConfigError(where("vapid-subject") + ": '" + push.vapid_subject + "' is not a mailto: or https: URI");
    if (!push.public_url.empty() && !push.public_url.starts_with("https://") && !push.public_url.starts_with("http://"))
        throw ConfigError(where("public-url") + ": '" + push.public_url + "' is not an http(s) URL");
    while (push.public_url.ends_with('/')) push.public_url.pop_back();
    if (push.registration_days < 1 || push.registration_days > 365)
        throw ConfigError(where("registration-days") + " must be between 1 and 365");
}

}  // namespace

void read_config_file(const std::filesystem::path& file, Config& c) {
    std::ifstream in(file);
    if (!in) throw ConfigError(file.string() + ": cannot read config file");
    po::options_description d;
    d.add_options()
        ("server.data", po::value<std::string>())
        ("server.listen", po::value<std::vector<std::string>>())
        ("server.io-threads", po::value<unsigned>())
        ("server.read-threads", po::value<unsigned>())
        ("server.handler-threads", po::value<unsigned>())
        ("server.malloc-arenas", po::value<unsigned>())
        ("server.allow-plain-remote", po::value<bool>())
        ("tls.certificate", po::value<std::string>())
        ("tls.key", po::value<std::string>())
        ("limits.header-bytes", po::value<std::size_t>())
        ("limits.body-bytes", po::value<std::size_t>())
        ("limits.connections", po::value<std::size_t>())
        ("limits.connections-per-address", po::value<std::size_t>())
        ("limits.pressure-percent", po::value<unsigned>())
        ("limits.pressure-idle-timeout-ms", po::value<std::int64_t>())
        ("limits.header-timeout-ms", po::value<std::int64_t>())
        ("limits.body-timeout-ms", po::value<std::int64_t>())
        ("limits.idle-timeout-ms", po::value<std::int64_t>())
        ("limits.shutdown-grace-ms", po::value<std::int64_t>())
        ("limits.resource-bytes", po::value<std::size_t>())
        ("limits.xml-depth", po::value<std::size_t>())
        ("limits.xml-elements", po::value<std::size_t>())
        ("limits.xml-attributes", po::value<std::size_t>())
        ("limits.multiget-hrefs", po::value<std::size_t>())
        ("limits.instances", po::value<std::size_t>())
        ("limits.index-horizon-days", po::value<std::int64_t>())
        ("limits.instance-window-days", po::value<std::int64_t>())
        ("limits.attendees-per-instance", po::value<std::size_t>())
        ("limits.quota-bytes", po::value<std::uint64_t>())
        ("limits.calendars-per-user", po::value<std::size_t>())
        ("limits.objects-per-calendar", po::value<std::size_t>())
        ("limits.sync-results", po::value<std::size_t>())
        ("limits.plan-attempts", po::value<int>())
        ("limits.attendee-refresh-delay", po::value<std::int64_t>())
        ("limits.mail-per-minute", po::value<unsigned>())
        ("sharing.free-busy", po::value<std::string>())
        ("smtp.url", po::value<std::string>())
        ("smtp.from", po::value<std::string>())
        ("smtp.username", po::value<std::string>())
        ("smtp.password", po::value<std::string>())
        ("smtp.tls", po::value<std::string>())
        ("smtp.retry-min-seconds", po::value<std::int64_t>())
        ("smtp.retry-max-seconds", po::value<std::int64_t>())
        ("smtp.give-up-hours", po::value<std::int64_t>())
        ("smtp.timeout-seconds", po::value<std::int64_t>())
        ("smtp.connections", po::value<std::size_t>())
        ("smtp.messages-per-connection", po::value<std::size_t>())
        ("imip.public-url", po::value<std::string>())
        ("imip.link-secret", po::value<std::string>())
        ("imip.link-days", po::value<unsigned>())
        ("reminders.enabled", po::value<bool>())
        ("reminders.horizon-days", po::value<unsigned>())
        ("reminders.display-alarms", po::value<bool>())
        ("reminders.skip-after-minutes", po::value<unsigned>())
        ("reminders.extend-minutes", po::value<unsigned>())
        ("auth.cache-ttl-seconds", po::value<std::int64_t>())
        ("auth.free-failures", po::value<unsigned>())
        ("auth.max-delay-ms", po::value<std::int64_t>())
        ("auth.max-concurrent-hashes", po::value<unsigned>())
        ("auth.failure-entries", po::value<std::size_t>())
        ("auth.failure-memory-seconds", po::value<std::int64_t>())
        ("api.working-hours", po::value<std::string>())
        ("api.working-days", po::value<std::string>())
        ("api.time-zone", po::value<std::string>())
        ("api.conflict-horizon-days", po::value<unsigned>())
        ("api.conflict-threads", po::value<unsigned>())
        ("api.availability-users", po::value<std::size_t>())
        ("api.availability-days", po::value<unsigned>())
        ("api.list-days", po::value<unsigned>())
        ("api.list-page-size", po::value<std::size_t>())
        ("api.session-hours", po::value<unsigned>())
        ("api.parsed-cache-entries", po::value<std::size_t>())
        ("api.json-depth", po::value<std::size_t>())
        ("api.json-bytes", po::value<std::size_t>())
        ("api.string-bytes", po::value<std::size_t>())
        ("api.rate-per-minute", po::value<unsigned>())
        ("api.rate-burst", po::value<unsigned>())
        ("api.idempotency-hours", po::value<unsigned>())
        ("push.vapid-subject", po::value<std::string>())
        ("push.key-file", po::value<std::string>())
        ("push.ttl-seconds", po::value<std::int64_t>())
        ("push.allow-http", po::value<bool>())
        ("push.public-url", po::value<std::string>())
        ("push.registration-days", po::value<unsigned>())
        ("push.connections", po::value<std::size_t>())
        ("log.level", po::value<std::string>())
        ("log.file", po::value<std::string>())
        ("log.format", po::value<std::string>())
        ("metrics.token-file", po::value<std::string>())
        ("storage.readers", po::value<unsigned>())
        ("storage.busy-timeout-ms", po::value<std::int64_t>())
        ("storage.cache-mb", po::value<unsigned>())
        ("storage.mmap-mb", po::value<unsigned>())
        ("storage.collection-cache-mb", po::value<unsigned>())
        ("storage.backend", po::value<std::string>())
        ("storage.url", po::value<std::string>())
        ("storage.password-file", po::value<std::string>())
        ("storage.pool-size", po::value<unsigned>());
    po::variables_map vm;
    try {
        po::store(po::parse_config_file(in, d, false), vm);
        po::notify(vm);
    } catch (const po::unknown_option& e) {
        throw ConfigError(file.string() + ": unknown key '" + e.get_option_name() + "'");
    } catch (const po::error& e) {
        throw ConfigError(file.string() + ": " + e.what());
    }
    c.file = file;
    if (vm.count("server.data")) c.data_dir = vm["server.data"].as<std::string>();
    if (vm.count("server.listen")) {
        c.listen.clear();
        for (const auto& text : vm["server.listen"].as<std::vector<std::string>>()) {
            try {
                c.listen.push_back(ListenAddress::parse(text));
            } catch (const ConfigError& e) {
                throw ConfigError(file.string() + ": server.listen: " + e.what());
            }
        }
    }
    take(vm, "server.io-threads", c.io_threads);
    take(vm, "server.read-threads", c.read_threads);
    take(vm, "server.handler-threads", c.handler_threads);
    take(vm, "server.malloc-arenas", c.malloc_arenas);
    take(vm, "server.allow-plain-remote", c.allow_plain_remote);
    if (vm.count("tls.certificate")) c.tls_certificate = vm["tls.certificate"].as<std::string>();
    if (vm.count("tls.key")) c.tls_key = vm["tls.key"].as<std::string>();
    take(vm, "limits.header-bytes", c.max_header_bytes);
    take(vm, "limits.body-bytes", c.max_body_bytes);
    take(vm, "limits.connections", c.max_connections);
    take(vm, "limits.connections-per-address", c.max_connections_per_address);
    take(vm, "limits.pressure-percent", c.pressure_percent);
    take_ms(vm, "limits.pressure-idle-timeout-ms", c.pressure_idle_timeout);
    take_ms(vm, "limits.header-timeout-ms", c.header_timeout);
    take_ms(vm, "limits.body-timeout-ms", c.body_timeout);
    take_ms(vm, "limits.idle-timeout-ms", c.idle_timeout);
    take_ms(vm, "limits.shutdown-grace-ms", c.shutdown_grace);
    take(vm, "limits.resource-bytes", c.limits.max_resource_bytes);
    take(vm, "limits.xml-depth", c.limits.max_xml_depth);
    take(vm, "limits.xml-elements", c.limits.max_xml_elements);
    take(vm, "limits.xml-attributes", c.limits.max_xml_attributes);
    take(vm, "limits.multiget-hrefs", c.limits.max_multiget_hrefs);
    take(vm, "limits.instances", c.limits.max_instances);
    take(vm, "limits.index-horizon-days", c.limits.index_horizon_days);
    take(vm, "limits.instance-window-days", c.limits.instance_window_days);
    take(vm, "limits.attendees-per-instance", c.limits.max_attendees_per_instance);
    take(vm, "limits.quota-bytes", c.limits.quota_bytes_per_user);
    take(vm, "limits.calendars-per-user", c.limits.max_calendars_per_user);
    take(vm, "limits.objects-per-calendar", c.limits.max_objects_per_calendar);
    take(vm, "limits.sync-results", c.limits.max_sync_results);
    take(vm, "limits.plan-attempts", c.limits.plan_attempts);
    take(vm, "limits.attendee-refresh-delay", c.limits.attendee_refresh_delay);
    take(vm, "limits.mail-per-minute", c.mail_per_minute);
    if (vm.count("sharing.free-busy")) {  // issue 25 §9: the organisation rule
        auto rule = vm["sharing.free-busy"].as<std::string>();
        if (rule == "everyone") c.limits.free_busy_rule = caldav::FreeBusyRule::everyone;
        else if (rule == "same-domain") c.limits.free_busy_rule = caldav::FreeBusyRule::same_domain;
        else if (rule == "none") c.limits.free_busy_rule = caldav::FreeBusyRule::nobody;
        else throw ConfigError(file.string() + ": sharing.free-busy: '" + rule + "' is not one of everyone, same-domain, none");
    }
    read_smtp(vm, file, c.smtp);
    take(vm, "imip.public-url", c.imip.public_url);
    take(vm, "imip.link-secret", c.imip.link_secret);
    take(vm, "imip.link-days", c.imip.link_days);
    while (c.imip.public_url.ends_with('/')) c.imip.public_url.pop_back();
    take(vm, "reminders.enabled", c.reminders.enabled);
    take(vm, "reminders.horizon-days", c.reminders.horizon_days);
    take(vm, "reminders.display-alarms", c.reminders.display_alarms);
    take(vm, "reminders.skip-after-minutes", c.reminders.skip_after_minutes);
    take(vm, "reminders.extend-minutes", c.reminders.extend_minutes);
    if (vm.count("auth.cache-ttl-seconds"))
        c.auth_cache_ttl = std::chrono::seconds(vm["auth.cache-ttl-seconds"].as<std::int64_t>());
    take(vm, "auth.free-failures", c.auth_free_failures);
    take_ms(vm, "auth.max-delay-ms", c.auth_max_delay);
    take(vm, "auth.max-concurrent-hashes", c.auth_max_concurrent_hashes);
    take(vm, "auth.failure-entries", c.auth_failure_entries);
    if (vm.count("auth.failure-memory-seconds"))
        c.auth_failure_memory = std::chrono::seconds(vm["auth.failure-memory-seconds"].as<std::int64_t>());
    read_api(vm, file, c.api);
    read_push(vm, file, c.push);
    take(vm, "log.level", c.log_level);
    if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" &&
        c.log_level != "error")
        throw ConfigError(file.string() + ": log.level: '" + c.log_level +
                          "' is not one of debug, info, warn, error");
    if (vm.count("log.file")) c.log_file = vm["log.file"].as<std::string>();
    take(vm, "log.format", c.log_format);
    if (c.log_format != "text" && c.log_format != "json")
        throw ConfigError(file.string() + ": log.format: '" + c.log_format + "' is not one of text, json");
    if (vm.count("metrics.token-file")) c.metrics_token_file = vm["metrics.token-file"].as<std::string>();
    take(vm, "storage.readers", c.storage_readers);
    take_ms(vm, "storage.busy-timeout-ms", c.busy_timeout);
    take(vm, "storage.cache-mb", c.storage_cache_mb);
    take(vm, "storage.mmap-mb", c.storage_mmap_mb);
    take(vm, "storage.collection-cache-mb", c.storage_collection_cache_mb);
    take(vm, "storage.backend", c.storage_backend);
    take(vm, "storage.url", c.storage_url);
    if (vm.count("storage.password-file")) c.storage_password_file = vm["storage.password-file"].as<std::string>();
    take(vm, "storage.pool-size", c.storage_pool_size);

    auto where = [&](const char* key) { return file.string() + ": " + key; };
    if (c.max_header_bytes < 1024) throw ConfigError(where("limits.header-bytes") + " must be at least 1024");
    if (c.max_connections == 0) throw ConfigError(where("limits.connections") + " must be at least 1");
    if (c.pressure_percent == 0 || c.pressure_percent > 100)
        throw ConfigError(where("limits.pressure-percent") + " must be between 1 and 100");
    if (c.auth_failure_entries < 16) throw ConfigError(where("auth.failure-entries") + " must be at least 16");
    if (c.auth_failure_memory.count() < 1)
        throw ConfigError(where("auth.failure-memory-seconds") + " must be at least 1");
    if (c.limits.plan_attempts < 1 || c.limits.plan_attempts > 100)
        throw ConfigError(where("limits.plan-attempts") + " must be between 1 and 100");
    if (c.limits.attendee_refresh_delay < 0 || c.limits.attendee_refresh_delay > 3600)
        throw ConfigError(where("limits.attendee-refresh-delay") + " must be between 0 and 3600 seconds");
    if (c.limits.instance_window_days < 1 || c.limits.instance_window_days > 36600)
        throw ConfigError(where("limits.instance-window-days") + " must be between 1 and 36600");
    if (c.tls_certificate.empty() != c.tls_key.empty())
        throw ConfigError(where("tls") + ": set both certificate and key, or neither");
    if (!c.imip.public_url.empty() && !c.imip.public_url.starts_with("https://") &&
        !c.imip.public_url.starts_with("http://"))
        throw ConfigError(where("imip.public-url") + ": '" + c.imip.public_url +
                          "' is not an http:// or https:// URL");
    if (c.imip.link_days == 0) throw ConfigError(where("imip.link-days") + " must be at least 1");
    if (c.reminders.horizon_days < 1 || c.reminders.horizon_days > 366)
        throw ConfigError(where("reminders.horizon-days") + " must be between 1 and 366");
    if (c.reminders.extend_minutes < 1 || c.reminders.extend_minutes >= c.reminders.horizon_days * 1440u)
        throw ConfigError(where("reminders.extend-minutes") + " must be at least 1 and less than the horizon");
    if (c.storage_readers == 0) throw ConfigError(where("storage.readers") + " must be at least 1");
    if (c.storage_backend != "sqlite" && c.storage_backend != "postgresql")
        throw ConfigError(where("storage.backend") + ": '" + c.storage_backend + "' is not sqlite or postgresql");
    if (c.storage_backend == "postgresql" && c.storage_url.empty())
        throw ConfigError(where("storage.url") + " is required with backend = postgresql");
    if (c.storage_pool_size == 0) throw ConfigError(where("storage.pool-size") + " must be at least 1");
}

void prepare_data_dir(const Config& c) {
    std::error_code ec;
    std::filesystem::create_directories(c.data_dir, ec);
    if (ec) throw ConfigError(c.data_dir.string() + ": cannot create data directory: " + ec.message());
    if (!std::filesystem::is_directory(c.data_dir))
        throw ConfigError(c.data_dir.string() + ": data directory is not a directory");
    if (::access(c.data_dir.c_str(), W_OK | X_OK) != 0)
        throw ConfigError(c.data_dir.string() + ": data directory is not writable");
}

std::map<std::string, std::string> config_file_values(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw ConfigError(file.string() + ": cannot read config file");
    std::map<std::string, std::string> values;
    try {
        // Unknown keys too: a key this version lacks is still a change to report.
        for (const auto& o : po::parse_config_file(in, po::options_description(), true).options) {
            auto& v = values[o.string_key];
            for (const auto& s : o.value) v += (v.empty() ? "" : "\n") + s;
        }
    } catch (const po::error& e) {
        throw ConfigError(file.string() + ": " + e.what());
    }
    return values;
}

bool reloadable_setting(std::string_view key) {
    return key == "log.level" || key == "log.format" || key == "metrics.token-file";
}

void validate_for_serving(const Config& c) {
    if (c.listen.empty()) throw ConfigError("no listen address configured");
    if (!c.tls_enabled() && !c.allow_plain_remote) {
        for (const auto& a : c.listen) {
            if (!a.is_loopback())
                throw ConfigError("listen address " + a.to_string() +
                                  ": plain HTTP is only served on loopback; configure [tls] or "
                                  "set server.allow-plain-remote = true");
        }
    }
    if (c.tls_enabled()) {
        for (const auto& f : {c.tls_certificate, c.tls_key}) {
            std::ifstream in(f);
            if (!in) throw ConfigError(f.string() + ": cannot read TLS file");
        }
    }
    prepare_data_dir(c);
}

}  // namespace server
