// libpq wrapper: prepared statements per connection, text results, SQLSTATE errors.
#include "src/storage/postgres/pg.hpp"

#include <charconv>
#include <optional>
#include <utility>

namespace server::pg {

Params& Params::add_array(const std::vector<std::string>& items) {
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ',';
        out += '"';
        for (char ch : items[i]) {
            if (ch == '"' || ch == '\\') out += '\\';
            out += ch;
        }
        out += '"';
    }
    out += '}';
    return push(std::move(out));
}

std::int64_t Result::affected() const {
    const char* n = PQcmdTuples(r_.get());
    return n && *n ? std::stoll(n) : 0;
}

std::int64_t Result::int64(int row, int col) const {
    auto v = view(row, col);
    std::int64_t out = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc() || end != v.data() + v.size())
        throw Error("not an integer: " + std::string(v), "22P02");
    return out;
}

Conn::Conn(const std::string& conninfo, const std::string& password) {
    std::vector<const char*> keys{"dbname"}, values{conninfo.c_str()};
    if (!password.empty()) keys.push_back("password"), values.push_back(password.c_str());
    keys.push_back(nullptr), values.push_back(nullptr);
    // expand_dbname: the dbname value may be a URI or a key=value string.
    c_ = PQconnectdbParams(keys.data(), values.data(), 1);
    if (!c_ || PQstatus(c_) != CONNECTION_OK) {
        std::string message = c_ ? PQerrorMessage(c_) : "out of memory";
        if (c_) PQfinish(c_);
        c_ = nullptr;
        throw Error("cannot connect to PostgreSQL: " + message, "");
    }
    // Kalends' statements read and write a few rows each. Planned
    // generically (a prepared statement, after five runs) PostgreSQL
    // estimates them by the average collection, which in a database of
    // 1,000,000 members is large enough for parallel workers and JIT
    // compilation: 60-120 ms of start-up each for 0.3 ms of work on the 1M
    // bench (bench/pg/explain_sync). Neither pays for statements this small.
    exec("SET client_min_messages = warning; SET jit = off; SET max_parallel_workers_per_gather = 0");
}

Conn::~Conn() {
    if (c_) PQfinish(c_);
}

Result Conn::check(PGresult* r, std::string_view what) {
    auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Result(r);
    std::string state, message = r ? PQresultErrorMessage(r) : PQerrorMessage(c_);
    if (r) {
        if (const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE)) state = s;
        PQclear(r);
    }
    if (message.empty()) message = PQerrorMessage(c_);
    throw Error(std::string(what.substr(0, 80)) + ": " + message, state);
}

void Conn::exec(std::string_view sql) {
    if (!begin_sql_.empty()) {
        // A transaction that ran nothing ends without a round trip.
        if (sql == "COMMIT" || sql == "ROLLBACK") return begin_sql_.clear();
        check(PQexec(c_, std::exchange(begin_sql_, {}).c_str()), "BEGIN");
    }
    check(PQexec(c_, std::string(sql).c_str()), sql);
}

void Conn::begin(std::string begin_sql) {
    begin_sql_ = std::move(begin_sql);
    commit_sent_ = false;
}

const std::string& Conn::prepared_name(const std::string& sql) {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
        std::string name = "k" + std::to_string(prepared_.size());
        check(PQprepare(c_, name.c_str(), sql.c_str(), 0, nullptr), sql);  // outside any transaction's state
        it = prepared_.emplace(sql, std::move(name)).first;
    }
    return it->second;
}

Result Conn::query(const std::string& sql, const Params& p) {
    if (!begin_sql_.empty()) return pipeline(sql, p, false);
    const auto& name = prepared_name(sql);
    std::vector<const char*> values;
    values.reserve(p.values().size());
    for (const auto& v : p.values()) values.push_back(v ? v->c_str() : nullptr);
    return check(PQexecPrepared(c_, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0),
                 sql);
}

Result Conn::query_and_commit(const std::string& sql, const Params& p) { return pipeline(sql, p, true); }

Result Conn::pipeline(const std::string& sql, const Params& p, bool commit) {
    const auto& name = prepared_name(sql);
    std::vector<const char*> values;
    values.reserve(p.values().size());
    for (const auto& v : p.values()) values.push_back(v ? v->c_str() : nullptr);
    const std::string begin_sql = std::exchange(begin_sql_, {});
    if (PQenterPipelineMode(c_) != 1) throw Error("cannot enter pipeline mode: " + std::string(PQerrorMessage(c_)), "");
    // [BEGIN,] the statement[, COMMIT], then a sync point: one round trip.
    int sent = 0;
    if (!begin_sql.empty()) sent += PQsendQueryParams(c_, begin_sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
    const int statement = sent;
    sent += PQsendQueryPrepared(c_, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0);
    if (commit) {
        commit_sent_ = true;
        sent += PQsendQueryParams(c_, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0);
    }
    PQpipelineSync(c_);
    // Each query's result is followed by a NULL; the sync point's comes last.
    std::vector<PGresult*> results;
    for (int i = 0; i < sent; ++i) {
        PGresult* r = PQgetResult(c_);
        results.push_back(r);
        if (!r) break;  // the connection is lost
        while (PGresult* more = PQgetResult(c_)) PQclear(more);
    }
    if (PGresult* sync = PQgetResult(c_)) PQclear(sync);
    if (PQexitPipelineMode(c_) != 1) broken_ = true;
    // The first failure is the error (those after it only say "aborted").
    std::optional<Result> rows;
    for (std::size_t i = 0; i < results.size(); ++i) {
        if (!results[i] || PQresultStatus(results[i]) != PGRES_PIPELINE_ABORTED) {
            try {
                auto r = check(results[i], i == static_cast<std::size_t>(statement) ? sql : std::string("BEGIN/COMMIT"));
                if (i == static_cast<std::size_t>(statement)) rows.emplace(std::move(r));
            } catch (...) {
                for (auto j = i + 1; j < results.size(); ++j) PQclear(results[j]);
                throw;
            }
        } else {
            PQclear(results[i]);
        }
    }
    if (!rows || static_cast<int>(results.size()) != sent)
        throw Error(sql.substr(0, 80) + ": " + PQerrorMessage(c_), "");
    return std::move(*rows);
}

}  // namespace server::pg
