#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "common/limits.h"

namespace tikv_exporter {

// The result of a fallible call: ok, or an error message a user can act on.
// A value type; copyable and thread-compatible.
class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }
  // An error caused by one of the exporter's own bounds (e.g. "upstream_body_bytes"), so the
  // poller can count and log it by name (tikv_exporter_limit_hits_total{limit}).
  static Status LimitHit(Limit limit, std::string message) {
    Status status(std::move(message));
    status.limit_ = limit;
    return status;
  }

  bool ok() const { return !failed_; }
  const std::string& message() const { return message_; }
  // The bound that was hit, or none for any other error.
  std::optional<Limit> limit() const { return limit_; }

  // The same error with context in front of its message; keeps limit().
  Status Prefixed(const std::string& context) const {
    Status status = *this;
    status.message_ = context + message_;
    return status;
  }

 private:
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}

  bool failed_ = false;
  std::string message_;
  std::optional<Limit> limit_;
};

// Either a value of T or a failed Status. A value type like Status.
template <typename T>
class StatusOr {
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
