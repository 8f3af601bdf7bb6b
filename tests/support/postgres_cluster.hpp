// A throwaway PostgreSQL cluster for tests (issue 27): initdb into a
// temporary directory, the postmaster started on a free 127.0.0.1 port with
// its unix socket in that directory, databases created on demand, and the
// postmaster stopped by its PID (immediate shutdown) when the object goes,
// or by its parent-death signal when the test process dies first.
// initdb and postgres refuse to run as root: when the test runs as root (CI
// does), both run as the unprivileged user `nobody` through setpriv(1), and
// the temporary directory is given to that user.
#pragma once
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback.hpp"
#include "tests/support/temp_dir.hpp"

namespace test_support {

class PostgresCluster {
public:
    /// The superuser the cluster is created with (trust authentication).
    static constexpr const char* user = "kalends";

    /// Creates and starts the cluster; throws std::runtime_error with the
    /// server's log when it does not come up.
    PostgresCluster() {
        bin_ = bin_dir();
        data_ = dir_.path() / "data";
        if (::getuid() == 0) {
            std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_all);
            if (::chown(dir_.path().c_str(), nobody_uid, nobody_gid) != 0)
                throw std::runtime_error("cannot give the cluster directory to nobody");
        }
        run({bin_ + "/initdb", "-D", data_.string(), "-U", user, "-A", "trust", "--no-locale", "-E", "UTF8",
             "--no-sync"},
            dir_.path() / "initdb.log");
        port_ = test_support::free_port();
        start();
        wait_ready();
    }

    ~PostgresCluster() { stop(); }

    /// Stops the postmaster (immediate shutdown: nothing to keep) and waits for it.
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGQUIT);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

    /// Starts the stopped postmaster again on the same port and data.
    void restart() {
        if (pid_ > 0) return;
        start();
        wait_ready();
    }

    PostgresCluster(const PostgresCluster&) = delete;
    PostgresCluster& operator=(const PostgresCluster&) = delete;

    int port() const { return port_; }
    /// The postmaster's PID.
    pid_t pid() const { return pid_; }
    /// The cluster's pg_hba.conf (reloaded with SELECT pg_reload_conf()).
    std::filesystem::path hba_file() const { return data_ / "pg_hba.conf"; }

    /// The URL of database `db` (postgresql://kalends@127.0.0.1:PORT/db).
    /// Without GSSAPI encryption: libpq would first look for Kerberos
    /// credentials on every connection (about 60 ms each here).
    std::string url(const std::string& db) const {
        return "postgresql://" + std::string(user) + "@127.0.0.1:" + std::to_string(port_) + "/" + db +
               "?gssencmode=disable";
    }

    /// Runs one SQL command on database `db` (default: postgres); throws on failure.
    void sql(const std::string& command, const std::string& db = "postgres") const {
        PGconn* c = PQconnectdb(url(db).c_str());
        std::string error;
        if (PQstatus(c) != CONNECTION_OK) {
            error = PQerrorMessage(c);
        } else {
            PGresult* r = PQexec(c, command.c_str());
            if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
                error = PQresultErrorMessage(r);
            PQclear(r);
        }
        PQfinish(c);
        if (!error.empty()) throw std::runtime_error(command + ": " + error);
    }

    /// Creates database `name` (from `template_db` when given) and returns its URL.
    std::string create_database(const std::string& name, const std::string& template_db = "") const {
        sql("CREATE DATABASE " + name + (template_db.empty() ? "" : " TEMPLATE " + template_db));
        return url(name);
    }

    /// Drops database `name`, ending its sessions.
    void drop_database(const std::string& name) const { sql("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); }

private:
    static constexpr uid_t nobody_uid = 65534;
    static constexpr gid_t nobody_gid = 65534;

    static std::string bin_dir() {
        if (const char* p = std::getenv("KALENDS_PG_BIN")) return p;
        return "/usr/lib/postgresql/15/bin";
    }

    /// `args` prefixed to run as nobody when we are root.
    static std::vector<std::string> as_user(std::vector<std::string> args) {
        if (::getuid() != 0) return args;
        // The death signal again after the change of user, which clears it.
        std::vector<std::string> out{"/usr/bin/setpriv", "--reuid=" + std::to_string(nobody_uid),
                                     "--regid=" + std::to_string(nobody_gid), "--clear-groups",
                                     "--pdeathsig", "QUIT", "--"};
        out.insert(out.end(), args.begin(), args.end());
        return out;
    }

    /// Starts `args` (as nobody when root) with stdout and stderr to `log`; its PID.
    static pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& log) {
        auto full = as_user(args);
        pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error("fork failed");
        if (pid == 0) {
            // A test that dies (a crash, a timeout's SIGKILL) takes the postmaster along.
            ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
            FILE* f = std::fopen(log.c_str(), "a");
            if (f) {
                ::dup2(fileno(f), 1);
                ::dup2(fileno(f), 2);
            }
            std::vector<char*> argv;
            for (auto& a : full) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        return pid;
    }

    static std::string read_file(const std::filesystem::path& p) {
        std::ifstream in(p);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

    void run(const std::vector<std::string>& args, const std::filesystem::path& log) const {
        pid_t pid = spawn(args, log);
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            throw std::runtime_error(args[0] + " failed:\n" + read_file(log));
    }

    /// The postmaster itself (not pg_ctl), so that its PID is the child's.
    void start() {
        pid_ = spawn({bin_ + "/postgres", "-D", data_.string(), "-p", std::to_string(port_), "-k",
                      dir_.path().string(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c",
                      "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200", "-c",
                      "shared_buffers=32MB"},
                     dir_.path() / "postgres.log");
    }

    void wait_ready() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        const std::string info = url("postgres") + "&connect_timeout=2";
        while (PQping(info.c_str()) != PQPING_OK) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("postgres exited:\n" + read_file(dir_.path() / "postgres.log"));
            }
            if (std::chrono::steady_clock::now() > deadline)
                throw std::runtime_error("postgres did not start:\n" + read_file(dir_.path() / "postgres.log"));
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

    TempDir dir_;
    std::string bin_;
    std::filesystem::path data_;
    int port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace test_support
