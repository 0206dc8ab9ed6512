#include "collectors/json_shape.h"

#include <string>
#include <vector>

namespace tikv_exporter {

Status CheckJsonShape(std::string_view json, const JsonShapeLimits& limits, std::string_view what) {
  // Per open bracket: whether it is an array, and its elements so far (commas + 1 once it has
  // any). Bounded by max_depth, which is checked before each push.
  struct Open {
    bool array;
    size_t elements;
  };
  std::vector<Open> open;
  open.reserve(static_cast<size_t>(limits.max_depth) + 1);
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case ' ':
      case '\t':
      case '\r':
      case '\n':
        continue;
      case ']':
      case '}':
        if (!open.empty()) open.pop_back();
        continue;
      case ',':
        if (!open.empty() && open.back().array) {
          if (++open.back().elements > limits.max_array_elements && limits.max_array_elements > 0) {
            return Status::LimitHit(limits.array_limit,
                                    std::string(what) + ": an array of more than " +
                                        std::to_string(limits.max_array_elements) +
                                        " elements (at byte " + std::to_string(i) + ")");
          }
        }
        continue;
      default:
        break;
    }
    // A value starts here: the first element of an enclosing empty array counts.
    if (!open.empty() && open.back().array && open.back().elements == 0) open.back().elements = 1;
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (open.size() >= static_cast<size_t>(limits.max_depth)) {
        return Status::LimitHit(Limit::kUpstreamJsonDepth,
                                std::string(what) + ": JSON nested deeper than " +
                                    std::to_string(limits.max_depth) + " levels (at byte " +
                                    std::to_string(i) + ")");
      }
      open.push_back({c == '[', 0});
    }
  }
  return Status::Ok();
}

}  // namespace tikv_exporter
