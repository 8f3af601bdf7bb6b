// libpq wrapper: prepared statements per connection, text results, SQLSTATE errors.
#include "src/storage/postgres/pg.hpp"

#include <charconv>

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
    exec("SET client_min_messages = warning");
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

void Conn::exec(std::string_view sql) { check(PQexec(c_, std::string(sql).c_str()), sql); }

Result Conn::query(const std::string& sql, const Params& p) {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
        std::string name = "k" + std::to_string(prepared_.size());
        check(PQprepare(c_, name.c_str(), sql.c_str(), 0, nullptr), sql);
        it = prepared_.emplace(sql, std::move(name)).first;
    }
    std::vector<const char*> values;
    values.reserve(p.values().size());
    for (const auto& v : p.values()) values.push_back(v ? v->c_str() : nullptr);
    return check(PQexecPrepared(c_, it->second.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                                nullptr, 0),
                 sql);
}

}  // namespace server::pg
