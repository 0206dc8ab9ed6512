#pragma once

#include <string>
#include <string_view>

namespace tikv_exporter {

// Makes an upstream JSON body (PD's API, TiKV's /config) decodable by protobuf's JSON parser,
// which rejects the whole body for one invalid UTF-8 byte ("Encountered non UTF-8 code points")
// or one unpaired surrogate escape such as \ud800 ("Missing low surrogate"): a single bad store
// label would otherwise take every PD series down. Each ill-formed UTF-8 sequence becomes U+FFFD
// and each unpaired surrogate escape \ufffd; nothing else changes, so the JSON structure and every
// valid string stay as they were. Returns `json` itself when it needs no repair (no copy), else a
// view of the repaired text in `*storage`. Pure and thread-safe.
std::string_view RepairJsonUtf8(std::string_view json, std::string* storage);

}  // namespace tikv_exporter
