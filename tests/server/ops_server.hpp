// A `kalends serve` child for the operations tests (issue 29): a data
// directory with users, a free loopback port, requests with Basic credentials.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/loopback.hpp"
#include "tests/support/process.hpp"

namespace ops_test {

using test_support::free_port;

/// Runs `kalends ARGS... --data DIR` to the end; throws unless it exits 0.
inline std::string run_kalends(const std::vector<std::string>& args, const std::filesystem::path& data,
                               const std::string& input = {}) {
    std::vector<std::string> all{test_support::kalends_bin()};
    all.insert(all.end(), args.begin(), args.end());
    all.insert(all.end(), {"--data", data.string()});
    test_support::Child c(all);
    if (!input.empty()) c.write_stdin(input);
    c.close_stdin();
    auto status = c.wait(std::chrono::seconds(60));
    if (status != 0) throw std::runtime_error("kalends " + args.front() + " failed: " + c.err());
    return c.out();
}

/// Adds user `name` with password "pw" and address NAME@example.com.
inline void add_user(const std::filesystem::path& data, const std::string& name) {
    run_kalends({"user", "add", name, "--email", name + "@example.com", "--password-stdin"}, data, "pw\n");
}

/// `kalends serve` on a free loopback port until the object goes (SIGTERM, then reaped).
class Server {
public:
    explicit Server(const std::filesystem::path& data, const std::string& config = {}) : port_(free_port()) {
        std::vector<std::string> args{test_support::kalends_bin(), "serve", "--data", data.string(), "--listen",
                                      "127.0.0.1:" + std::to_string(port_), "--log-level", "error"};
        if (!config.empty()) args.insert(args.end(), {"--config", config});
        child_ = std::make_unique<test_support::Child>(args);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            if (child_->wait(std::chrono::milliseconds(0))) throw std::runtime_error("kalends serve exited: " + child_->err());
            try {
                test_support::HttpClient probe(port_);
                return;
            } catch (const std::runtime_error&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        }
        throw std::runtime_error("kalends serve did not listen");
    }
    ~Server() { stop(); }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// SIGTERM and wait for the exit.
    void stop() {
        if (!child_) return;
        child_->signal(SIGTERM);
        child_->wait(std::chrono::seconds(20));
        child_.reset();
    }
    std::uint16_t port() const { return port_; }

    /// One request on its own connection; `auth` is the whole Authorization value (empty: none).
    test_support::HttpReply call(const std::string& method, const std::string& path, const std::string& auth,
                                 const std::string& body = {}, const std::string& headers = {}) const {
        test_support::HttpClient c(port_);
        std::string r = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + headers;
        if (!auth.empty()) r += "Authorization: " + auth + "\r\n";
        r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        c.send(r);
        auto reply = c.read_reply(std::chrono::seconds(30));
        if (!reply) throw std::runtime_error(method + " " + path + ": no answer");
        return *reply;
    }

private:
    std::uint16_t port_;
    std::unique_ptr<test_support::Child> child_;
};

/// "Basic ..." for `user` with password "pw".
inline std::string as(const std::string& user) { return test_support::basic_auth(user, "pw"); }

}  // namespace ops_test
