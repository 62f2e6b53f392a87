#pragma once

// Status and Result<T>: errors as values across module boundaries.
//
// A Status is OK or carries one code from a short fixed list, a public message
// and optional per-field details. Only src/http turns codes into HTTP statuses
// (see http/envelope.h); everything below it speaks in these codes. A message
// is safe to show a client; causes that are not (SQL, paths) are logged where
// they happen and never put in a Status.

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace cairn {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // malformed input (400)
  kValidation,          // well-formed input that breaks a rule (422)
  kUnauthenticated,     // no or bad credentials (401)
  kPermissionDenied,    // authenticated but not allowed (403)
  kNotFound,            // absent, or not the caller's (404)
  kAlreadyExists,       // unique constraint (409)
  kFailedPrecondition,  // state does not allow it
  kResourceExhausted,   // limits (413, 429)
  kUnavailable,         // try again later (503)
  kInternal,            // a bug or an unexpected failure (500)
};

// One failed field of a request.
struct FieldError {
  std::string field;
  std::string message;
  std::string code;  // machine-readable, e.g. "invalid_format"
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status Validation(std::string msg, std::vector<FieldError> details = {}) {
    Status s(Code::kValidation, std::move(msg));
    s.details_ = std::move(details);
    return s;
  }
  static Status Unauthenticated(std::string msg) { return {Code::kUnauthenticated, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) { return {Code::kPermissionDenied, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status FailedPrecondition(std::string msg) { return {Code::kFailedPrecondition, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) { return {Code::kResourceExhausted, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldError>& details() const { return details_; }

  // A finer, API-level error code ("csrf_failed", "kyc_required") that the
  // envelope uses instead of the default for code(). Empty means the default.
  const std::string& reason() const { return reason_; }
  Status&& WithReason(std::string reason) && {
    reason_ = std::move(reason);
    return std::move(*this);
  }

  // Seconds after which the caller may try again (429, 423, 503); 0: none.
  // The envelope sends it as the Retry-After header and details.retryAfter.
  int retry_after_s() const { return retry_after_s_; }
  Status&& WithRetryAfter(int seconds) && {
    retry_after_s_ = seconds;
    return std::move(*this);
  }

  // Details that are not per-field, as a JSON object's text, e.g.
  // {"reason":"token_reused"}. Used instead of the field list when set.
  const std::string& details_json() const { return details_json_; }
  Status&& WithDetailsJson(std::string json_object) && {
    details_json_ = std::move(json_object);
    return std::move(*this);
  }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
  std::string reason_;
  std::vector<FieldError> details_;
  std::string details_json_;
  int retry_after_s_ = 0;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}   // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace cairn
