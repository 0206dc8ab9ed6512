#pragma once

#include <string>

#include "common/enum_names.h"

namespace tikv_exporter {

// The exporter's bounds (README: Operations), the `limit` label of
// tikv_exporter_limit_hits_total and tikv_exporter_limit_reached: a closed set, so a typo cannot
// make a new series.
enum class Limit {
  // On what upstreams send; every poll either hits them or clears them.
  kUpstreamBodyBytes,
  kUpstreamHeaderBytes,
  kSeriesPerPoll,
  kLabelsPerSeries,
  kLabelValueBytes,
  kUpstreamJsonDepth,    // nesting of a JSON body, checked before protobuf parses it
  kPdStores,             // stores in one PD /stores body
  kPdMembers,            // members in one PD /members or /health body
  kPdStringBytes,        // one PD string (address, label, version, name): truncated, store kept
  // On what clients of the exporter open or send.
  kHttpConcurrentRequests,
  kHttpConnections,
  kHttpRequestHeadBytes,
  kHttpRequestBodyBytes,
  kHttpRequestDeadline,
  kHttpAuthConcurrency,
  kGrpcWatchers,
  kHttpSlowReaders,
  kHttpAcceptDescriptors,
  kHttpRequestMalformed,
  kGrpcAcceptDescriptors,  // gRPC's accept failed (out of descriptors); its listener is replaced
};

inline constexpr EnumName<Limit> kLimitNames[] = {
    {Limit::kUpstreamBodyBytes, "upstream_body_bytes"},
    {Limit::kUpstreamHeaderBytes, "upstream_header_bytes"},
    {Limit::kSeriesPerPoll, "series_per_poll"},
    {Limit::kLabelsPerSeries, "labels_per_series"},
    {Limit::kLabelValueBytes, "label_value_bytes"},
    {Limit::kUpstreamJsonDepth, "upstream_json_depth"},
    {Limit::kPdStores, "pd_stores"},
    {Limit::kPdMembers, "pd_members"},
    {Limit::kPdStringBytes, "pd_string_bytes"},
    {Limit::kHttpConcurrentRequests, "http_concurrent_requests"},
    {Limit::kHttpConnections, "http_connections"},
    {Limit::kHttpRequestHeadBytes, "http_request_head_bytes"},
    {Limit::kHttpRequestBodyBytes, "http_request_body_bytes"},
    {Limit::kHttpRequestDeadline, "http_request_deadline"},
    {Limit::kHttpAuthConcurrency, "http_auth_concurrency"},
    {Limit::kGrpcWatchers, "grpc_watchers"},
    {Limit::kHttpSlowReaders, "http_slow_readers"},
    {Limit::kHttpAcceptDescriptors, "http_accept_descriptors"},
    {Limit::kHttpRequestMalformed, "http_request_malformed"},
    {Limit::kGrpcAcceptDescriptors, "grpc_accept_descriptors"},
};

inline constexpr Limit kUpstreamLimits[] = {
    Limit::kUpstreamBodyBytes, Limit::kUpstreamHeaderBytes, Limit::kSeriesPerPoll,
    Limit::kLabelsPerSeries,   Limit::kLabelValueBytes,     Limit::kUpstreamJsonDepth,
    Limit::kPdStores,          Limit::kPdMembers,           Limit::kPdStringBytes};

// A bound a collector hit while still delivering its data (a value truncated, entries left
// out): the poll succeeds, and the poller counts the hit as it counts a failing one.
struct LimitNote {
  Limit limit;
  std::string detail;
};

inline constexpr std::string_view LimitName(Limit limit) { return NameOf(kLimitNames, limit); }

}  // namespace tikv_exporter
