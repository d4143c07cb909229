#include "server/store/postgres/connection.hpp"
#include "server/store/statement_counter.hpp"

#include <libpq-fe.h>

#include <charconv>

namespace tessera::store::postgres {
namespace {

std::int64_t parse_int64(const char* text) {
  std::int64_t value = 0;
  const std::string_view view(text);
  const auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), value);
  if (ec != std::errc() || end != view.data() + view.size()) {
    throw std::runtime_error("not an integer in a PostgreSQL result");
  }
  return value;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  throw std::runtime_error("bad hex digit in a bytea result");
}

std::string seconds_text(std::chrono::milliseconds duration) {
  // libpq's connect_timeout is whole seconds, and it treats 1 as 2.
  return std::to_string(std::max<std::int64_t>(2, (duration.count() + 999) / 1000));
}

}  // namespace

bool PgError::connection_lost() const {
  return sqlstate_.empty() || sqlstate_.starts_with("08") || sqlstate_ == "57P01" ||
         sqlstate_ == "57P02" || sqlstate_ == "57P03";
}

bool PgError::transient() const {
  return sqlstate_ == "40001" || sqlstate_ == "40P01";
}

StoreError to_store_error(const std::exception& error) {
  if (const auto* pg = dynamic_cast<const PgError*>(&error)) {
    const std::string& state = pg->sqlstate();
    if (state == "23505") return StoreError::already_exists;
    if (state == "23503") return StoreError::not_found;  // the row it refers to is gone
    // Other integrity violations and data exceptions (invalid UTF-8, out of range) are input the
    // domain layer should have refused; everything else is an outage to retry.
    if (state.starts_with("23") || state.starts_with("22")) return StoreError::failed_precondition;
    return StoreError::unavailable;
  }
  if (dynamic_cast<const InvalidInput*>(&error)) return StoreError::failed_precondition;
  return StoreError::unavailable;
}

// --- Rows ----------------------------------------------------------------------------------------

Rows::~Rows() {
  if (result_) PQclear(result_);
}

int Rows::size() const {
  return PQntuples(result_);
}

bool Rows::is_null(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}

std::int64_t Rows::int64(int row, int column) const {
  return parse_int64(PQgetvalue(result_, row, column));
}

std::string Rows::text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::optional<std::string> Rows::optional_text(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return text(row, column);
}

std::vector<std::uint8_t> Rows::bytes(int row, int column) const {
  // Text-format bytea is "\x" followed by two hex digits per byte (bytea_output = hex, which
  // every connection sets).
  const std::string hex = text(row, column);
  if (hex.size() < 2 || hex[0] != '\\' || hex[1] != 'x' || hex.size() % 2 != 0) {
    throw std::runtime_error("unexpected bytea format in a PostgreSQL result");
  }
  std::vector<std::uint8_t> out;
  out.reserve((hex.size() - 2) / 2);
  for (std::size_t i = 2; i < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(hex_value(hex[i]) * 16 + hex_value(hex[i + 1])));
  }
  return out;
}

domain::Timestamp Rows::time(int row, int column) const {
  return domain::from_unix_micros(int64(row, column));
}

std::optional<domain::Timestamp> Rows::optional_time(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return time(row, column);
}

bool Rows::boolean(int row, int column) const {
  return std::string_view(PQgetvalue(result_, row, column)) == "t";
}

std::int64_t Rows::affected() const {
  const char* count = PQcmdTuples(result_);
  return *count == '\0' ? 0 : parse_int64(count);
}

// --- Params --------------------------------------------------------------------------------------

void Params::add(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  lengths_.push_back(0);
  formats_.push_back(0);
}

void Params::add(std::string_view text) {
  // Text parameters travel as C strings, and PostgreSQL text cannot hold NUL anyway.
  if (text.find('\0') != std::string_view::npos) throw InvalidInput("text contains NUL");
  values_.emplace_back(std::string(text));
  lengths_.push_back(0);
  formats_.push_back(0);
}

void Params::add(Bytes bytes) {
  values_.emplace_back(std::string(bytes.bytes.begin(), bytes.bytes.end()));
  lengths_.push_back(static_cast<int>(bytes.bytes.size()));
  formats_.push_back(1);
}

void Params::add(Int64Array array) {
  std::string text = "{";
  for (std::size_t i = 0; i < array.values.size(); ++i) {
    if (i != 0) text += ',';
    text += std::to_string(array.values[i]);
  }
  text += '}';
  add(std::string_view(text));
}

void Params::add(std::nullopt_t) {
  values_.emplace_back(std::nullopt);
  lengths_.push_back(0);
  formats_.push_back(0);
}

const char* const* Params::values() const {
  pointers_.clear();
  for (const auto& value : values_) {
    pointers_.push_back(value ? value->data() : nullptr);
  }
  return pointers_.data();
}

// --- Connection ----------------------------------------------------------------------------------

Connection::Connection(const std::string& url, const ConnectOptions& options) {
  const std::string connect_timeout = seconds_text(options.connect_timeout);
  const std::string network_ms = std::to_string(options.network_timeout.count());
  const std::string keepalive_s = std::to_string(std::max<std::int64_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(options.network_timeout).count() / 3));
  // tessera's defaults come first: the URL's own parameters (dbname expands to them) win.
  const char* keywords[] = {"connect_timeout",
                            "tcp_user_timeout",
                            "keepalives",
                            "keepalives_idle",
                            "keepalives_interval",
                            "keepalives_count",
                            "application_name",
                            "client_encoding",
                            "dbname",
                            nullptr};
  const char* values[] = {connect_timeout.c_str(),
                          network_ms.c_str(),
                          "1",
                          keepalive_s.c_str(),
                          "1",
                          "3",
                          "tessera",
                          "UTF8",
                          url.c_str(),
                          nullptr};
  conn_ = PQconnectdbParams(keywords, values, 1);
  if (conn_ == nullptr) throw PgError("", "out of memory connecting to PostgreSQL");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn_);
    while (!message.empty() && message.back() == '\n')
      message.pop_back();
    PQfinish(conn_);
    conn_ = nullptr;
    throw PgError("", "cannot connect to PostgreSQL: " + message);
  }
  // Bound every wait on the server side too: a lock held by a stuck session, a slow statement.
  const std::string statement_ms = std::to_string(options.statement_timeout.count());
  exec("SET statement_timeout = " + statement_ms + "; SET lock_timeout = " + statement_ms +
       "; SET idle_in_transaction_session_timeout = " +
       std::to_string(4 * options.statement_timeout.count()) +
       "; SET bytea_output = 'hex'; SET client_min_messages = warning; SET TIME ZONE 'UTC'");
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

bool Connection::healthy() const {
  return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
}

Rows Connection::check(pg_result* result) const {
  if (result == nullptr) {
    throw PgError("", std::string("PostgreSQL connection failed: ") + PQerrorMessage(conn_));
  }
  const ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Rows(result);
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  std::string sqlstate = state ? state : "";
  std::string message = PQresultErrorMessage(result);
  PQclear(result);
  if (PQstatus(conn_) != CONNECTION_OK) sqlstate.clear();  // the session is gone
  while (!message.empty() && message.back() == '\n')
    message.pop_back();
  throw PgError(std::move(sqlstate), message);
}

void Connection::exec(const std::string& sql) {
  count_statement();
  check(PQexec(conn_, sql.c_str()));
}

Rows Connection::execute(std::string_view sql, const Params& params) {
  auto found = prepared_.find(sql);
  if (found == prepared_.end()) {
    std::string name = "tessera_" + std::to_string(prepared_.size());
    check(PQprepare(conn_, name.c_str(), std::string(sql).c_str(), 0, nullptr));
    found = prepared_.emplace(sql, std::move(name)).first;
  }
  count_statement();
  return check(PQexecPrepared(conn_, found->second.c_str(), params.count(), params.values(),
                              params.lengths(), params.formats(), 0));
}

void Connection::rollback_quietly() noexcept {
  if (!healthy() || PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
  if (PGresult* result = PQexec(conn_, "ROLLBACK")) PQclear(result);
}

}  // namespace tessera::store::postgres
