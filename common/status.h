#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "common/enum_names.h"
#include "common/limits.h"

namespace tikv_exporter {

// What kind of failure a Status is, so a caller acts on the kind (counts a bound, calls an
// upstream down, refuses a config) without reading the message. gRPC's names where one fits.
enum class StatusCode {
  kOk,
  kInvalidArgument,    // the caller's input is wrong: a config value, a flag, a client's request
  kNotFound,           // a file or an entry that is not there
  kPermissionDenied,   // a file the process may not read
  kUnavailable,        // an upstream or a file does not answer now; the next try may work
  kDeadlineExceeded,   // no complete answer before the deadline
  kResourceExhausted,  // one of the exporter's bounds (limit() says which) or the process's own
  kMalformed,          // an upstream answered something that is not what it serves
  kInternal,           // the environment failed the exporter (no thread, no randomness)
};

inline constexpr EnumName<StatusCode> kStatusCodeNames[] = {
    {StatusCode::kOk, "ok"},
    {StatusCode::kInvalidArgument, "invalid_argument"},
    {StatusCode::kNotFound, "not_found"},
    {StatusCode::kPermissionDenied, "permission_denied"},
    {StatusCode::kUnavailable, "unavailable"},
    {StatusCode::kDeadlineExceeded, "deadline_exceeded"},
    {StatusCode::kResourceExhausted, "resource_exhausted"},
    {StatusCode::kMalformed, "malformed"},
    {StatusCode::kInternal, "internal"},
};

// The result of a fallible call: ok, or an error of a kind with a message a user can act on.
// A value type; copyable and thread-compatible. [[nodiscard]]: an error dropped on the floor is
// a bug the compiler reports.
class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message) { return {StatusCode::kInvalidArgument, std::move(message)}; }
  static Status NotFound(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
  static Status PermissionDenied(std::string message) { return {StatusCode::kPermissionDenied, std::move(message)}; }
  static Status Unavailable(std::string message) { return {StatusCode::kUnavailable, std::move(message)}; }
  static Status DeadlineExceeded(std::string message) { return {StatusCode::kDeadlineExceeded, std::move(message)}; }
  static Status ResourceExhausted(std::string message) {
    return {StatusCode::kResourceExhausted, std::move(message)};
  }
  static Status Malformed(std::string message) { return {StatusCode::kMalformed, std::move(message)}; }
  static Status Internal(std::string message) { return {StatusCode::kInternal, std::move(message)}; }
  // A failed system call: its errno as a code (ENOENT not found, EACCES/EPERM permission denied,
  // EMFILE/ENFILE/ENOMEM resource exhausted, else unavailable) and strerror after `context`.
  static Status FromErrno(int error_number, const std::string& context);
  // An error caused by one of the exporter's own bounds (e.g. "upstream_body_bytes"), so the
  // poller can count and log it by name (tikv_exporter_limit_hits_total{limit}).
  static Status LimitHit(Limit limit, std::string message) {
    Status status(StatusCode::kResourceExhausted, std::move(message));
    status.limit_ = limit;
    return status;
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The bound that was hit, or none for any other error.
  std::optional<Limit> limit() const { return limit_; }

  // The same error with context in front of its message; keeps code() and limit().
  Status Prefixed(const std::string& context) const { return WithMessage(context + message_); }
  // The same error with another message; keeps code() and limit().
  Status WithMessage(std::string message) const {
    Status status = *this;
    status.message_ = std::move(message);
    return status;
  }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::optional<Limit> limit_;
};

// Either a value of T or a failed Status. A value type like Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}            // NOLINT: implicit by design
  StatusOr(Status status) : value_(std::move(status)) {}     // NOLINT: must not be ok

  bool ok() const { return std::holds_alternative<T>(value_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T& value() & { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace tikv_exporter
