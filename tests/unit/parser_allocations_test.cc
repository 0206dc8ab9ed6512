// How many heap allocations one parse of the largest real TiKV dump makes: a count, not a time
// (BENCHMARKS.md has the speed). Its own binary, since it counts every operator new of the process
// (tools/bench/alloc_counter.cc).

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
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

// A poll parses each body into the buffers of the scrape before (ExpositionBufferPool): in a steady
// state it asks the heap for no buffer of the body's size, whose fresh pages would all fault in.
TEST(ParserAllocations, ASteadyPollReusesTheLastScrapesBuffers) {
  const std::string fixture = testing::ReadFile(std::string(FIXTURES_DIR) + "/tikv-v5.3.0-alpha-metrics.prom");
  ASSERT_FALSE(fixture.empty());
  auto pool = std::make_shared<ExpositionBufferPool>(size_t{64} << 20);
  auto poll = [&] {
    ExpositionBuffers buffers = pool->Take();
    buffers.body.assign(fixture);  // as the HTTP client writes the body into the buffer it is given
    StatusOr<ParseResult> parsed = ParseExposition(std::move(buffers), ParseLimits{}, pool);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_GT(parsed->exposition.SampleCount(), 15000u);
  };  // the scrape is dropped: its buffers go back to the pool
  const uint64_t first_bytes = bench::AllocatedBytes();
  poll();
  const uint64_t first = bench::AllocatedBytes() - first_bytes;
  const uint64_t second_bytes = bench::AllocatedBytes();
  poll();
  const uint64_t second = bench::AllocatedBytes() - second_bytes;
  std::printf("first poll %llu bytes allocated, second %llu\n", static_cast<unsigned long long>(first),
              static_cast<unsigned long long>(second));
  EXPECT_GT(first, 3 * fixture.size()) << "the first poll allocates the body and the pools";
  EXPECT_LT(second, fixture.size() / 2) << "the second reuses them";
}

TEST(ParserAllocations, BuffersAboveThePoolsBoundGoBackToTheSystem) {
  auto pool = std::make_shared<ExpositionBufferPool>(1 << 20);
  ExpositionBuffers large;
  large.body.reserve(2 << 20);
  pool->Give(std::move(large));
  EXPECT_LT(pool->Take().body.capacity(), size_t{1} << 10) << "a new, empty set";
  ExpositionBuffers small;
  small.body.reserve(64 << 10);
  small.body.assign("x 1\n");
  pool->Give(std::move(small));
  ExpositionBuffers kept = pool->Take();
  EXPECT_GE(kept.body.capacity(), size_t{64} << 10);
  EXPECT_TRUE(kept.body.empty()) << "handed out emptied";
  EXPECT_LT(pool->Take().body.capacity(), size_t{1} << 10) << "one set, handed out once";
}

// Buffers a one-off huge body grew are not kept by the normal polls after it, which would use a
// fraction of them: a set is kept only while its last parse used a quarter of it or more.
TEST(ParserAllocations, BuffersMostlyUnusedByTheirLastParseAreNotKept) {
  auto pool = std::make_shared<ExpositionBufferPool>(size_t{64} << 20);
  ExpositionBuffers mostly_unused;
  mostly_unused.body.reserve(size_t{8} << 20);
  mostly_unused.body.assign(size_t{1} << 20, 'x');
  pool->Give(std::move(mostly_unused));
  EXPECT_LT(pool->Take().body.capacity(), size_t{1} << 10) << "1 MiB used of 8: dropped";
  ExpositionBuffers well_used;
  well_used.body.reserve(size_t{8} << 20);
  well_used.body.assign(size_t{4} << 20, 'x');
  pool->Give(std::move(well_used));
  EXPECT_GE(pool->Take().body.capacity(), size_t{8} << 20) << "4 MiB used of 8: kept";
}

}  // namespace
}  // namespace tikv_exporter
