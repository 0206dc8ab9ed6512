#include "common/status.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace tikv_exporter {
namespace {

TEST(Status, AFailedSystemCallIsTheKindItsErrnoSays) {
  EXPECT_EQ(Status::FromErrno(ENOENT, "").code(), StatusCode::kNotFound);
  EXPECT_EQ(Status::FromErrno(EACCES, "").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Status::FromErrno(EMFILE, "").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(Status::FromErrno(EIO, "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(Status::FromErrno(ENOENT, "/etc/x: ").message(), "/etc/x: No such file or directory");
}

TEST(Status, ContextKeepsTheKindAndTheBound) {
  const Status hit = Status::LimitHit(Limit::kUpstreamBodyBytes, "too large");
  EXPECT_EQ(hit.code(), StatusCode::kResourceExhausted);
  const Status prefixed = hit.Prefixed("GET /metrics: ");
  EXPECT_EQ(prefixed.message(), "GET /metrics: too large");
  EXPECT_EQ(prefixed.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(prefixed.limit(), Limit::kUpstreamBodyBytes);
  const Status reworded = Status::Malformed("line 3: bad").WithMessage("PD /stores: line 3: bad");
  EXPECT_EQ(reworded.code(), StatusCode::kMalformed);
  EXPECT_FALSE(reworded.limit());
}

TEST(Status, OkIsTheOnlyStatusWithoutAnError) {
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(Status::Ok().code(), StatusCode::kOk);
  for (const Status& failed : {Status::InvalidArgument(""), Status::Unavailable(""), Status::Internal("")}) {
    EXPECT_FALSE(failed.ok());
  }
  StatusOr<int> value = 3;
  EXPECT_EQ(value.status().code(), StatusCode::kOk);
  StatusOr<int> error = Status::DeadlineExceeded("late");
  EXPECT_EQ(error.status().code(), StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace tikv_exporter
