#include "tools/tikv-sim/synthetic_body.h"

#include <algorithm>
#include <vector>

namespace tikv_exporter::sim {
namespace {

// One family of the base dump: its comment lines, then its sample lines.
struct Block {
  std::vector<std::string_view> comments;
  std::vector<std::string_view> samples;
};

std::vector<Block> SplitBlocks(std::string_view base) {
  std::vector<Block> blocks;
  bool in_samples = true;  // a comment after samples opens a new family
  size_t pos = 0;
  while (pos < base.size()) {
    size_t end = base.find('\n', pos);
    if (end == std::string_view::npos) end = base.size();
    std::string_view line = base.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    if (line.front() == '#') {
      if (in_samples || blocks.empty()) blocks.emplace_back();
      in_samples = false;
      blocks.back().comments.push_back(line);
    } else {
      if (blocks.empty()) blocks.emplace_back();
      in_samples = true;
      blocks.back().samples.push_back(line);
    }
  }
  return blocks;
}

// `line` with `label` (`name="value"`) added as its first label.
void AppendWithLabel(std::string& out, std::string_view line, std::string_view label) {
  size_t name_end = line.find_first_of("{ \t");
  if (name_end == std::string_view::npos) name_end = line.size();
  out.append(line.substr(0, name_end));
  out.push_back('{');
  out.append(label);
  if (name_end < line.size() && line[name_end] == '{') {
    if (name_end + 1 < line.size() && line[name_end + 1] != '}') out.push_back(',');
    out.append(line.substr(name_end + 1));
  } else {
    out.push_back('}');
    out.append(line.substr(name_end));
  }
  out.push_back('\n');
}

}  // namespace

std::string SyntheticBody(std::string_view base, size_t target_series, size_t* series) {
  const std::vector<Block> blocks = SplitBlocks(base);
  size_t base_series = 0;
  for (const Block& block : blocks) base_series += block.samples.size();
  const size_t copies =
      std::max<size_t>(1, (target_series + base_series / 2) / std::max<size_t>(1, base_series));
  std::vector<std::string> labels;
  labels.reserve(copies);
  for (size_t i = 0; i < copies; ++i)
    labels.push_back("instance=\"tikv-" + std::to_string(i) + ":20180\"");
  std::string out;
  out.reserve(copies * (base.size() + base_series * 24));
  for (const Block& block : blocks) {
    for (std::string_view comment : block.comments) {
      out.append(comment);
      out.push_back('\n');
    }
    for (const std::string& label : labels) {
      for (std::string_view sample : block.samples) AppendWithLabel(out, sample, label);
    }
  }
  if (series != nullptr) *series = copies * base_series;
  return out;
}

}  // namespace tikv_exporter::sim
