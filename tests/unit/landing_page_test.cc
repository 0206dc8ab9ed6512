// The landing page: web/assets/landing.html with its places filled once, every value escaped.

#include "web/landing_page.h"

#include <gtest/gtest.h>

#include <string>

#include "snapshot/snapshot.h"
#include "web/status_page.h"

namespace tikv_exporter {
namespace {

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

TEST(LandingPage, EveryPlaceIsFilledOnceAndEveryValueEscaped) {
  const std::string page = RenderLandingPage(Snapshot{}, "1.2.3", "abc<def", "<tikv>&:20180");
  EXPECT_EQ(page.find("{{"), std::string::npos) << page.substr(0, 400);
  EXPECT_EQ(Count(page, "&lt;tikv&gt;&amp;:20180"), 2u);  // the title and the header
  EXPECT_EQ(page.find("<tikv>"), std::string::npos);
  EXPECT_NE(page.find("tikv-exporter 1.2.3"), std::string::npos);
  EXPECT_NE(page.find("revision abc&lt;def"), std::string::npos);
  EXPECT_NE(page.find(StatusPageAssets()), std::string::npos);
  EXPECT_NE(page.find("<pre id=\"snapshot\">"), std::string::npos);
  for (const char* path : {"/metrics", "/api/v1/snapshot", "/api/v1/health", "/-/ready"}) {
    EXPECT_NE(page.find(std::string("<a href=\"") + path + "\">"), std::string::npos) << path;
  }
}

TEST(LandingPage, AValueThatLooksLikeAPlaceIsNotFilledAgain) {
  const std::string page = RenderLandingPage(Snapshot{}, "{{revision}}", "abc", "tikv:20180");
  EXPECT_NE(page.find("tikv-exporter {{revision}}"), std::string::npos);
}

}  // namespace
}  // namespace tikv_exporter
