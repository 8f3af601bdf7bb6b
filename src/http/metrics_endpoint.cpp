// Access to /metrics: loopback clients, or the configured bearer token (src/http/metrics_endpoint.hpp).
#include "src/http/metrics_endpoint.hpp"

#include <openssl/crypto.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include <boost/asio/ip/address.hpp>

#include "caldav/observers.hpp"
#include "src/config/config.hpp"
#include "src/util/metrics.hpp"

namespace server {

std::string load_metrics_token(const std::filesystem::path& file) {
    if (file.empty()) return {};
    std::ifstream in(file);
    if (!in) throw ConfigError(file.string() + ": cannot read metrics.token-file");
    std::stringstream text;
    text << in.rdbuf();
    std::string token = text.str();
    auto first = token.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) throw ConfigError(file.string() + ": metrics.token-file holds no token");
    auto last = token.find_last_not_of(" \t\r\n");
    return token.substr(first, last - first + 1);
}

bool metrics_access_allowed(std::string_view remote, std::optional<std::string_view> authorization,
                            std::string_view token) {
    if (token.empty()) {
        boost::system::error_code ec;
        auto address = boost::asio::ip::make_address(std::string(remote), ec);
        if (ec) return false;
        if (address.is_v6() && address.to_v6().is_v4_mapped())
            return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()).is_loopback();
        return address.is_loopback();
    }
    if (!authorization) return false;
    std::string_view v = *authorization;
    constexpr std::string_view scheme = "Bearer ";
    // RFC 9110 §11.1: the scheme name is case-insensitive.
    if (v.size() < scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(v[i])) != std::tolower(static_cast<unsigned char>(scheme[i])))
            return false;
    v.remove_prefix(scheme.size());
    return v.size() == token.size() && CRYPTO_memcmp(v.data(), token.data(), token.size()) == 0;
}

void observe_caldav_into_metrics() {
    auto& o = caldav::observers();
    o.conflict_detection.store([](std::chrono::steady_clock::duration d) noexcept {
        metrics::registry().record_conflict_detection(d);
    });
    o.scheduling_delivery.store([](caldav::DeliveryRoute route, bool delivered) noexcept {
        metrics::registry().record_scheduling_delivery(
            route == caldav::DeliveryRoute::local ? metrics::SchedulingChannel::local : metrics::SchedulingChannel::imip,
            delivered);
    });
}

}  // namespace server
