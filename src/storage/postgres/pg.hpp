// A thin C++ face on libpq (PostgreSQL's client library, libpq-dev): one
// connection with its prepared statements, results read as text, and errors
// with their SQLSTATE. PgStore (pg_store.hpp) is built on it.
#pragma once
#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace server::pg {

/// A failed statement or connection: the server's message and SQLSTATE
/// (empty when the connection itself failed).
class Error : public std::runtime_error {
public:
    Error(const std::string& message, std::string sqlstate)
        : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
    /// The five-character SQLSTATE, e.g. "23505"; empty for a lost connection.
    const std::string& sqlstate() const { return sqlstate_; }

private:
    std::string sqlstate_;
};

/// One statement parameter in text form; nullopt is SQL NULL.
using Param = std::optional<std::string>;

/// Parameters built from C++ values: integers, text, optionals (NULL when
/// empty) and booleans.
class Params {
public:
    /// Appends one value; each returns *this for chaining.
    Params& add(std::int64_t v) { return push(std::to_string(v)); }
    Params& add(int v) { return push(std::to_string(v)); }
    Params& add(std::size_t v) { return push(std::to_string(v)); }
    Params& add(bool v) { return push(v ? "t" : "f"); }
    Params& add(std::string_view v) { return push(std::string(v)); }
    Params& add(const std::string& v) { return push(v); }
    Params& add(const char* v) { return push(v); }
    Params& add(std::nullopt_t) { values_.emplace_back(); return *this; }
    template <class T>
    Params& add(const std::optional<T>& v) { return v ? add(*v) : add(std::nullopt); }
    /// A text[] array literal of `items` (for "= ANY($n)").
    Params& add_array(const std::vector<std::string>& items);

    /// The values in order ($1, $2, ...).
    const std::vector<Param>& values() const { return values_; }

private:
    Params& push(std::string v) { values_.emplace_back(std::move(v)); return *this; }
    std::vector<Param> values_;
};

/// Builds Params from a list of values.
template <class... T>
Params params(const T&... v) {
    Params p;
    (p.add(v), ...);
    return p;
}

/// The rows of one statement, in text form.
class Result {
public:
    /// Takes ownership of a successful result.
    explicit Result(PGresult* r) : r_(r, &PQclear) {}
    /// Rows returned.
    int rows() const { return PQntuples(r_.get()); }
    /// Whether no row was returned.
    bool empty() const { return rows() == 0; }
    /// Rows a command changed (UPDATE, DELETE, INSERT).
    std::int64_t affected() const;
    /// Whether a column is SQL NULL.
    bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
    /// A column's text, valid while the Result lives.
    std::string_view view(int row, int col) const {
        return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
    }
    /// A column's text, copied.
    std::string text(int row, int col) const { return std::string(view(row, col)); }
    /// A column as an integer; throws Error when it is not one.
    std::int64_t int64(int row, int col) const;
    /// An integer column, nullopt for NULL.
    std::optional<std::int64_t> optional_int64(int row, int col) const {
        return is_null(row, col) ? std::nullopt : std::optional<std::int64_t>(int64(row, col));
    }
    /// A boolean column ('t' or 'f').
    bool boolean(int row, int col) const { return view(row, col) == "t"; }

private:
    std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

/// One connection. Not thread-safe: the pool gives it to one thread at a time.
class Conn {
public:
    /// Connects with a libpq connection string or URI (plus `password` when
    /// not empty). Throws Error when the server cannot be reached.
    Conn(const std::string& conninfo, const std::string& password);
    /// Closes the connection.
    ~Conn();
    Conn(const Conn&) = delete;
    Conn& operator=(const Conn&) = delete;

    /// Runs `sql` (no parameters, several statements allowed).
    void exec(std::string_view sql);
    /// Runs `sql` with `$1`.. parameters as a prepared statement, prepared on
    /// this connection the first time it is used.
    Result query(const std::string& sql, const Params& p = {});
    /// Opens a transaction with `begin_sql` ("BEGIN ..."), sent together
    /// with the first statement that follows (one round trip less); a
    /// COMMIT or ROLLBACK before any statement sends nothing.
    void begin(std::string begin_sql = "BEGIN");
    /// Runs `sql` as query() does and then COMMIT, sent together in one
    /// round trip (libpq pipeline mode); the statement's rows. Throws Error
    /// when either fails: the transaction is then rolled back, or left
    /// failed for the caller's ROLLBACK, or of unknown outcome when the
    /// connection was lost after the COMMIT was sent (commit_sent()).
    Result query_and_commit(const std::string& sql, const Params& p = {});
    /// Whether a COMMIT was sent since the last begin().
    bool commit_sent() const { return commit_sent_; }
    /// Whether the connection is still usable (not lost).
    bool ok() const { return !broken_ && PQstatus(c_) == CONNECTION_OK; }
    /// Whether a transaction is open (or failed and not yet rolled back).
    bool in_transaction() const { return !begin_sql_.empty() || PQtransactionStatus(c_) != PQTRANS_IDLE; }

private:
    Result check(PGresult* r, std::string_view what);
    const std::string& prepared_name(const std::string& sql);
    Result pipeline(const std::string& sql, const Params& p, bool commit);
    PGconn* c_ = nullptr;
    std::unordered_map<std::string, std::string> prepared_;  ///< sql -> statement name
    std::string begin_sql_;     ///< a begin() not sent yet
    bool commit_sent_ = false;
    bool broken_ = false;       ///< a pipeline left in a state it cannot be used in
};

}  // namespace server::pg
