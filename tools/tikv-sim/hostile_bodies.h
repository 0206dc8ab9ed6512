#pragma once

#include <cstddef>
#include <string>

namespace tikv_exporter::sim {

// JSON bodies an upstream gone wrong (or hostile) could send, well-formed but outsized, for the
// exporter's upstream bounds (POST /control/pd/hostile-stores, /control/hostile-config).

// PD /stores shaped as `shape`: "many" (`count` realistic Up stores, ~330 bytes each),
// "minimal" (`count` empty objects), "long-address" (one Up store whose address is `bytes`
// long), "empty" ({"stores":[{}]}: one store with nothing in it). "" for an unknown shape.
std::string HostilePdStores(const std::string& shape, size_t count, size_t bytes);

// A JSON object whose one value is `bytes` of nested arrays, half "[" and half "]".
std::string DeepArraysJson(size_t bytes);

}  // namespace tikv_exporter::sim
