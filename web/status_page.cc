#include "web/status_page.h"

#include "web/web_assets.h"

namespace tikv_exporter {

const std::string& StatusPageAssets() {
  using namespace web_assets;
  // One classic script, in the order the files' `global` comments assume.
  static const std::string kAssets = std::string("<style>\n") + std::string(kStatusCss) + "</style>\n" +
                                     std::string(kStatusHtml) + "<script>\n\"use strict\";\n" +
                                     std::string(kHelpersJs) + std::string(kPanelsJs) + std::string(kChartsJs) +
                                     std::string(kMainJs) + "</script>\n";
  return kAssets;
}

}  // namespace tikv_exporter
