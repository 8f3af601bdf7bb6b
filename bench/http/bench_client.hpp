// A blocking HTTP/1.1 client for the load driver: keep-alive when the server
// allows it, a fresh connection when it does not (Radicale answers HTTP/1.0-style
// "Connection: close"), Content-Length, chunked and read-to-close bodies (RFC 9112 §6).
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

namespace bench {

/// One response: status and body (headers are not kept; the driver needs none).
struct Reply {
    int status = 0;
    std::string body;
};

/// A connection to 127.0.0.1:port, reopened on demand.
class Client {
public:
    explicit Client(std::uint16_t port) : port_(port) {}
    ~Client() { close(); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// Sends one request and reads its response; nullopt on a transport error
    /// or when nothing complete came back within `timeout`. A request that
    /// meets a keep-alive connection the server already closed is sent once more.
    std::optional<Reply> exchange(const std::string& request, std::chrono::milliseconds timeout) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            bool fresh = fd_ < 0;
            if (fresh && !open()) return std::nullopt;
            received_any_ = false;
            if (send_all(request)) {
                auto r = read_reply(std::chrono::steady_clock::now() + timeout);
                if (r) return r;
            }
            close();
            if (fresh || received_any_) return std::nullopt;
        }
        return std::nullopt;
    }

private:
    bool open() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) return false;
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port_);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            close();
            return false;
        }
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        buffer_.clear();
        eof_ = false;
        return true;
    }

    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    bool send_all(const std::string& data) {
        std::size_t off = 0;
        while (off < data.size()) {
            auto n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return false;
            off += static_cast<std::size_t>(n);
        }
        return true;
    }

    /// Appends what the socket has to `buffer_`, waiting (poll) only when
    /// nothing is there yet; received straight into the buffer.
    bool fill(std::chrono::steady_clock::time_point deadline) {
        if (eof_) return false;
        constexpr std::size_t chunk = 256 * 1024;
        const auto had = buffer_.size();
        buffer_.resize(had + chunk);
        auto n = ::recv(fd_, buffer_.data() + had, chunk, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            pollfd p{fd_, POLLIN, 0};
            if (left.count() > 0 && ::poll(&p, 1, static_cast<int>(left.count())) > 0)
                n = ::recv(fd_, buffer_.data() + had, chunk, 0);
            else {
                buffer_.resize(had);
                return false;
            }
        }
        if (n <= 0) {
            buffer_.resize(had);
            eof_ = true;
            return false;
        }
        buffer_.resize(had + static_cast<std::size_t>(n));
        received_any_ = true;
        return true;
    }

    static std::string lower(std::string s) {
        for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    }

    std::optional<Reply> read_reply(std::chrono::steady_clock::time_point deadline) {
        std::size_t header_end;
        while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos)
            if (!fill(deadline)) return std::nullopt;
        std::string head = lower(buffer_.substr(0, header_end));
        buffer_.erase(0, header_end + 4);
        if (head.size() < 12 || head.compare(0, 5, "http/") != 0) return std::nullopt;
        Reply r;
        r.status = std::atoi(head.c_str() + 9);
        auto header = [&](const std::string& name) -> std::string {
            auto p = head.find("\r\n" + name + ":");
            if (p == std::string::npos) return {};
            p += name.size() + 3;
            auto e = head.find("\r\n", p);
            auto v = head.substr(p, e == std::string::npos ? std::string::npos : e - p);
            while (!v.empty() && v.front() == ' ') v.erase(0, 1);
            return v;
        };
        bool keep_alive = head.compare(0, 8, "http/1.1") == 0 ? header("connection").find("close") == std::string::npos
                                                                 : header("connection").find("keep-alive") != std::string::npos;
        if (header("transfer-encoding").find("chunked") != std::string::npos) {
            for (;;) {  // RFC 9112 §7.1: size line, data, CRLF; a zero size ends the body
                std::size_t line_end;
                while ((line_end = buffer_.find("\r\n")) == std::string::npos)
                    if (!fill(deadline)) return std::nullopt;
                std::size_t size = std::stoul(buffer_.substr(0, line_end), nullptr, 16);
                while (buffer_.size() < line_end + 2 + size + 2)
                    if (!fill(deadline)) return std::nullopt;
                r.body.append(buffer_, line_end + 2, size);
                buffer_.erase(0, line_end + 2 + size + 2);
                if (size == 0) break;
            }
        } else if (auto length = header("content-length"); !length.empty() || r.status == 204 || r.status == 304) {
            std::size_t n = length.empty() ? 0 : std::stoul(length);
            while (buffer_.size() < n)
                if (!fill(deadline)) return std::nullopt;
            if (buffer_.size() == n) {
                r.body = std::move(buffer_);  // the usual case: nothing pipelined after it
                buffer_ = std::string();
            } else {
                r.body = buffer_.substr(0, n);
                buffer_.erase(0, n);
            }
        } else {
            while (fill(deadline)) {
            }
            if (!eof_) return std::nullopt;
            r.body = std::move(buffer_);
            buffer_.clear();
            keep_alive = false;
        }
        if (!keep_alive) close();
        return r;
    }

    std::uint16_t port_;
    int fd_ = -1;
    std::string buffer_;
    bool eof_ = false;
    bool received_any_ = false;
};

}  // namespace bench
