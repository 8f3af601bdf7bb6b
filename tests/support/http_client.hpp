// A deliberately simple blocking HTTP/1.1 client over loopback (optionally TLS via
// OpenSSL) for tests: raw bytes in, parsed responses out, nothing hidden.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace test_support {

/// One parsed response.
struct HttpReply {
    int status = 0;
    std::map<std::string, std::string> headers;  ///< names lower-cased
    std::string body;
    std::string header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
};

/// A connection to 127.0.0.1:port. With `tls_ctx`, performs a TLS handshake.
class HttpClient {
public:
    explicit HttpClient(std::uint16_t port, SSL_CTX* tls_ctx = nullptr) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) throw std::runtime_error("socket failed");
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd_);
            throw std::runtime_error("connect failed");
        }
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (tls_ctx) {
            ssl_ = SSL_new(tls_ctx);
            SSL_set_fd(ssl_, fd_);
            SSL_set_tlsext_host_name(ssl_, "localhost");
            if (SSL_connect(ssl_) != 1) {
                char buf[256];
                ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
                handshake_error_ = buf;
            }
        }
    }
    /// A plain connection to 127.0.0.1:port from the local IPv4 address
    /// `source` ("127.0.0.2": on Linux all of 127/8 is loopback), so that the
    /// server sees another client address.
    HttpClient(std::uint16_t port, const std::string& source) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) throw std::runtime_error("socket failed");
        sockaddr_in local{};
        local.sin_family = AF_INET;
        if (::inet_pton(AF_INET, source.c_str(), &local.sin_addr) != 1 ||
            ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
            ::close(fd_);
            throw std::runtime_error("cannot bind to " + source);
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd_);
            throw std::runtime_error("connect failed");
        }
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~HttpClient() {
        if (ssl_) SSL_free(ssl_);
        if (fd_ >= 0) ::close(fd_);
    }
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    /// Empty when the TLS handshake (if any) succeeded.
    const std::string& handshake_error() const { return handshake_error_; }
    SSL* ssl() const { return ssl_; }

    /// Sends raw bytes.
    void send(const std::string& data) {
        std::size_t off = 0;
        while (off < data.size()) {
            long n = ssl_ ? SSL_write(ssl_, data.data() + off, static_cast<int>(data.size() - off))
                          : ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
            if (n <= 0) throw std::runtime_error("send failed");
            off += static_cast<std::size_t>(n);
        }
    }

    /// Reads one response (Content-Length bodies only). nullopt when the
    /// connection closed first or nothing came within `timeout`.
    std::optional<HttpReply> read_reply(std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                        bool head = false) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        std::size_t header_end;
        while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos)
            if (!fill(deadline)) return std::nullopt;
        HttpReply r;
        std::string head_text = buffer_.substr(0, header_end);
        auto line_end = head_text.find("\r\n");
        std::string status_line = head_text.substr(0, line_end);
        if (status_line.size() < 12) return std::nullopt;
        r.status = std::stoi(status_line.substr(9, 3));
        std::size_t pos = line_end == std::string::npos ? head_text.size() : line_end + 2;
        while (pos < head_text.size()) {
            auto e = head_text.find("\r\n", pos);
            if (e == std::string::npos) e = head_text.size();
            auto line = head_text.substr(pos, e - pos);
            auto colon = line.find(':');
            if (colon != std::string::npos) {
                std::string name = line.substr(0, colon);
                for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                auto value = line.substr(colon + 1);
                while (!value.empty() && value.front() == ' ') value.erase(0, 1);
                r.headers[name] = value;
            }
            pos = e + 2;
        }
        buffer_.erase(0, header_end + 4);
        if (!head && r.header("transfer-encoding").find("chunked") != std::string::npos) {
            // RFC 9112 §7.1: size line, data, CRLF; a zero size ends the body.
            for (;;) {
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
            return r;
        }
        std::size_t length = head || r.status == 100 || r.status == 204 || r.status == 304
                                 ? 0
                                 : static_cast<std::size_t>(std::stoul(r.header("content-length").empty() ? "0" : r.header("content-length")));
        while (buffer_.size() < length)
            if (!fill(deadline)) return std::nullopt;
        r.body = buffer_.substr(0, length);
        buffer_.erase(0, length);
        return r;
    }

    /// True when the peer closed the connection (EOF) within `timeout`.
    bool closed_by_peer(std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (fill(deadline)) {
        }
        return eof_;
    }

private:
    bool fill(std::chrono::steady_clock::time_point deadline) {
        if (eof_) return false;
        if (!ssl_ || SSL_pending(ssl_) == 0) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        }
        char buf[16384];
        long n = ssl_ ? SSL_read(ssl_, buf, sizeof buf) : ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) {
            eof_ = true;
            return false;
        }
        buffer_.append(buf, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    SSL* ssl_ = nullptr;
    std::string buffer_;
    std::string handshake_error_;
    bool eof_ = false;
};

/// "Basic ..." for user:password.
inline std::string basic_auth(const std::string& user, const std::string& password) {
    std::string in = user + ":" + password;
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return "Basic " + out;
}

}  // namespace test_support
