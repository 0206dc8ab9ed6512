// The process-wide setup main() does first (exporter/process_setup.h).

#include "exporter/process_setup.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <vector>

namespace tikv_exporter {
namespace {

std::string FdTarget(int fd) {
  char target[256] = "";
  const ssize_t n = readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), target, sizeof(target) - 1);
  return n > 0 ? std::string(target, static_cast<size_t>(n)) : "";
}

// In a child: fds 0 and 2 closed, PrepareProcess() reopens both on /dev/null, in order, so the
// next descriptor opened cannot become fd 2.
void CloseStdinAndStderrAndPrepare() {
  close(0);
  close(2);
  const ProcessSetup setup = PrepareProcess();
  const bool ok = setup.reopened_fds == std::vector<int>({0, 2}) && FdTarget(0) == "/dev/null" &&
                  FdTarget(2) == "/dev/null";
  std::_Exit(ok ? 0 : 1);
}

TEST(ProcessSetupDeathTest, ClosedStandardDescriptorsAreReopenedOnDevNull) {
  EXPECT_EXIT(CloseStdinAndStderrAndPrepare(), ::testing::ExitedWithCode(0), "");
}

TEST(ProcessSetup, SigpipeIsIgnoredAndTheSoftFileLimitRaisedToTheHardOne) {
  const ProcessSetup setup = PrepareProcess();
  struct sigaction action {};
  ASSERT_EQ(sigaction(SIGPIPE, nullptr, &action), 0);
  EXPECT_EQ(action.sa_handler, SIG_IGN);
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  EXPECT_EQ(limit.rlim_cur, limit.rlim_max);
  EXPECT_EQ(setup.fd_limit, limit.rlim_cur);
  EXPECT_TRUE(setup.fd_limit_error.empty()) << setup.fd_limit_error;
}

// 512 HTTP connections + 64 watchers + 100 upstream connections + 64 reserved = 740.
TEST(ProcessSetup, TheCapsMustFitUnderTheFileLimit) {
  const ExporterConfig defaults;
  EXPECT_TRUE(CheckDescriptorBudget(defaults, 512, 1024).ok());
  EXPECT_TRUE(CheckDescriptorBudget(defaults, 512, 740).ok());
  Status refused = CheckDescriptorBudget(defaults, 512, 739);
  ASSERT_FALSE(refused.ok());
  for (const char* part : {"RLIMIT_NOFILE 739", "max_grpc_watchers 64", "[tikv] max_connections 100", "= 740",
                           "LimitNOFILE"}) {
    EXPECT_NE(refused.message().find(part), std::string::npos) << refused.message();
  }
}

}  // namespace
}  // namespace tikv_exporter
