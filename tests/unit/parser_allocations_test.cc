// How many heap allocations one parse of the largest real TiKV dump makes: a count, not a time
// (BENCHMARKS.md has the speed). Its own binary, since it counts every operator new of the process
// (tools/bench/alloc_counter.cc).

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "prom/exposition_parser.h"
#include "tests/unit/test_files.h"
#include "tools/bench/alloc_counter.h"

namespace tikv_exporter {
namespace {

TEST(ParserAllocations, NoMoreThanOnePerFamilyOnTheLargestRealDump) {
  const std::string body = testing::ReadFile(std::string(FIXTURES_DIR) + "/tikv-v5.3.0-alpha-metrics.prom");
  ASSERT_FALSE(body.empty());
  const uint64_t before = bench::Allocations();
  StatusOr<ParseResult> parsed = ParseExposition(body);
  const uint64_t allocations = bench::Allocations() - before;
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const size_t samples = parsed->exposition.SampleCount();
  const size_t families = parsed->exposition.families().size();
  std::printf("%zu samples in %zu families: %llu allocations\n", samples, families,
              static_cast<unsigned long long>(allocations));
  // Names, labels and values are views into the body, samples and labels live in pools sized from
  // it: what is left grows with the families (the family table, pools that outgrew the guess)
  // and not with the samples. With a std::string per name and value there were 40,929 for this
  // dump, and 74,916 before that.
  EXPECT_LE(allocations, families);
  EXPECT_GT(samples, 15000u);
}

}  // namespace
}  // namespace tikv_exporter
