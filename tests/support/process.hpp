// Runs the kalends binary as a child process for tests: arguments in; exit
// status, stdout and stderr out. Children are always reaped by the test.
#pragma once
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace test_support {

/// The binary under test, from the KALENDS_BIN environment variable (set by meson).
inline std::string kalends_bin() {
    const char* p = std::getenv("KALENDS_BIN");
    if (!p) throw std::runtime_error("KALENDS_BIN is not set");
    return p;
}

/// A started child with pipes to its stdin, stdout and stderr.
class Child {
public:
    explicit Child(const std::vector<std::string>& args) {
        int in[2], out[2], err[2];
        if (pipe(in) || pipe(out) || pipe(err)) throw std::runtime_error("pipe failed");
        pid_ = fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            dup2(in[0], 0);
            dup2(out[1], 1);
            dup2(err[1], 2);
            for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
            std::vector<char*> argv;
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
        close(in[0]);
        close(out[1]);
        close(err[1]);
        stdin_ = in[1];
        stdout_ = out[0];
        stderr_ = err[0];
    }
    ~Child() {
        if (pid_ > 0 && !status_) {
            ::kill(pid_, SIGKILL);
            wait();
        }
        for (int fd : {stdin_, stdout_, stderr_})
            if (fd >= 0) close(fd);
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    void write_stdin(const std::string& s) {
        if (::write(stdin_, s.data(), s.size()) != static_cast<ssize_t>(s.size()))
            throw std::runtime_error("write to child failed");
    }
    void close_stdin() {
        close(stdin_);
        stdin_ = -1;
    }
    void signal(int sig) { ::kill(pid_, sig); }

    /// Reads stderr until it contains `needle` or `timeout` passes; returns what was read.
    bool wait_for_stderr(const std::string& needle, std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (err_.find(needle) == std::string::npos) {
            if (!drain(stderr_, err_, deadline)) return false;
        }
        return true;
    }

    /// Waits for a stderr line containing `needle`; returns the text after it up to
    /// the end of that line, or nullopt after `timeout`.
    std::optional<std::string> stderr_after(const std::string& needle, std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            auto at = err_.find(needle);
            if (at != std::string::npos) {
                auto start = at + needle.size();
                auto end = err_.find('\n', start);
                if (end != std::string::npos) return err_.substr(start, end - start);
            }
            if (!drain(stderr_, err_, deadline)) return std::nullopt;
        }
    }

    /// Waits for exit up to `timeout`; nullopt if still running.
    std::optional<int> wait(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
        if (status_) return status_;
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            int st = 0;
            pid_t r = waitpid(pid_, &st, WNOHANG);
            if (r == pid_) {
                status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                break;
            }
            if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
            usleep(10000);
        }
        auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (drain(stdout_, out_, end)) {
        }
        while (drain(stderr_, err_, end)) {
        }
        return status_;
    }

    const std::string& out() const { return out_; }
    const std::string& err() const { return err_; }

private:
    static bool drain(int fd, std::string& into, std::chrono::steady_clock::time_point deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) return false;
        into.append(buf, static_cast<std::size_t>(n));
        return true;
    }

    pid_t pid_ = -1;
    int stdin_ = -1, stdout_ = -1, stderr_ = -1;
    std::optional<int> status_;
    std::string out_, err_;
};

/// Runs kalends with `args` and `input` on stdin; returns the finished child.
inline std::unique_ptr<Child> run_kalends(std::vector<std::string> args, const std::string& input = {}) {
    args.insert(args.begin(), kalends_bin());
    auto c = std::make_unique<Child>(args);
    if (!input.empty()) c->write_stdin(input);
    c->close_stdin();
    c->wait();
    return c;
}

}  // namespace test_support
