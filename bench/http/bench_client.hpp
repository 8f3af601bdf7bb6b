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

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

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
        len_ = 0;
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
        sent_ = true;
        return true;
    }

    /// What has been received and not consumed yet.
    std::string_view received() const { return {buf_.get(), len_}; }

    /// Drops the first `n` bytes received (a reply; usually all there is).
    void consume(std::size_t n) {
        std::memmove(buf_.get(), buf_.get() + n, len_ - n);
        len_ -= n;
    }

    /// Receives more into the buffer (kept between replies, never zeroed),
    /// straight after a request waiting first (the answer is not there yet),
    /// then trying first and waiting only when the socket is empty.
    bool fill(std::chrono::steady_clock::time_point deadline) {
        if (eof_) return false;
        constexpr std::size_t room = 64 * 1024;
        if (cap_ - len_ < room) {
            const auto cap = std::max(2 * cap_, len_ + 4 * room);
            auto bigger = std::make_unique_for_overwrite<char[]>(cap);
            std::memcpy(bigger.get(), buf_.get(), len_);
            buf_ = std::move(bigger);
            cap_ = cap;
        }
        ssize_t n = -1;
        if (!sent_) n = ::recv(fd_, buf_.get() + len_, cap_ - len_, MSG_DONTWAIT);
        if (sent_ || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) {
            sent_ = false;
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            pollfd p{fd_, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
            n = ::recv(fd_, buf_.get() + len_, cap_ - len_, 0);
        }
        if (n <= 0) {
            eof_ = true;
            return false;
        }
        len_ += static_cast<std::size_t>(n);
        received_any_ = true;
        return true;
    }

    static std::string lower(std::string_view s) {
        std::string out(s);
        for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return out;
    }

    std::optional<Reply> read_reply(std::chrono::steady_clock::time_point deadline) {
        std::size_t header_end;
        while ((header_end = received().find("\r\n\r\n")) == std::string_view::npos)
            if (!fill(deadline)) return std::nullopt;
        std::string head = lower(received().substr(0, header_end));
        consume(header_end + 4);
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
                while ((line_end = received().find("\r\n")) == std::string_view::npos)
                    if (!fill(deadline)) return std::nullopt;
                std::size_t size = std::stoul(std::string(received().substr(0, line_end)), nullptr, 16);
                while (len_ < line_end + 2 + size + 2)
                    if (!fill(deadline)) return std::nullopt;
                r.body.append(received().substr(line_end + 2, size));
                consume(line_end + 2 + size + 2);
                if (size == 0) break;
            }
        } else if (auto length = header("content-length"); !length.empty() || r.status == 204 || r.status == 304) {
            std::size_t n = length.empty() ? 0 : std::stoul(length);
            while (len_ < n)
                if (!fill(deadline)) return std::nullopt;
            r.body.assign(received().substr(0, n));
            consume(n);
        } else {
            while (fill(deadline)) {
            }
            if (!eof_) return std::nullopt;
            r.body.assign(received());
            len_ = 0;
            keep_alive = false;
        }
        if (!keep_alive) close();
        return r;
    }

    std::uint16_t port_;
    int fd_ = -1;
    std::unique_ptr<char[]> buf_;
    std::size_t cap_ = 0, len_ = 0;
    bool sent_ = false;  ///< a request went out since the last receive
    bool eof_ = false;
    bool received_any_ = false;
};

}  // namespace bench
