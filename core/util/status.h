// Status and Result<T>: the error type of every fallible call in Phiếu.
//
// Shape follows leveldb::Status / absl::StatusOr. A Status is OK or carries a
// code and a message. Messages name the check that failed ("range proof of
// cell 3: challenge sum mismatch") and never hold a secret, a nonce or a vote.
//
// Thread-safety: values; safe to copy and move between threads.
#ifndef PHIEU_CORE_UTIL_STATUS_H_
#define PHIEU_CORE_UTIL_STATUS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace phieu {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // malformed input: bad encoding, out-of-range value
  kVerificationFailed,  // a proof, signature, hash or pin check failed
  kPermissionDenied,    // the role does not allow the request
  kFailedPrecondition,  // wrong phase: ballot not open, already voted, ...
  kNotFound,
  kAlreadyExists,
  kResourceExhausted,   // rate limit, size cap, discrete-log bound
  kUnavailable,         // I/O or network trouble that may pass
  kInternal,            // a library call failed unexpectedly (e.g. OpenSSL)
  kDataLoss,            // stored data is corrupt
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "VERIFICATION_FAILED: range proof of cell 3: ..." or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>".
  Status Annotate(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status VerificationFailed(std::string m) {
  return {StatusCode::kVerificationFailed, std::move(m)};
}
inline Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }

// Result<T>: a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT(runtime/explicit)
  Result(Status status) : v_(std::move(status)) {      // NOLINT(runtime/explicit)
    if (std::get<Status>(v_).ok()) v_ = Status(StatusCode::kInternal, "Result built from OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace phieu

#define PHIEU_CONCAT_INNER_(a, b) a##b
#define PHIEU_CONCAT_(a, b) PHIEU_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                   \
  do {                                          \
    ::phieu::Status phieu_status_ = (expr);     \
    if (!phieu_status_.ok()) return phieu_status_; \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

// ASSIGN_OR_RETURN(auto x, MakeX());
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(PHIEU_CONCAT_(phieu_result_, __LINE__), lhs, expr)

#endif  // PHIEU_CORE_UTIL_STATUS_H_
