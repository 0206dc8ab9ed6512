#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "collectors/http_fetcher.h"

namespace grpc {
class Channel;
namespace experimental {
class FileWatcherCertificateProvider;
}
}  // namespace grpc

namespace tikv_exporter {

// Channels to the cluster's gRPC upstreams (PD's pdpb.PD, TiKV's debugpb.Debug), all made the
// same way: a bound on one received message, and for https:// URLs the cluster TLS of
// [security] (mTLS when a client certificate is set; with no CA, the system roots). The
// certificate files are watched, so rotated files serve new connections without a restart.
// Thread-compatible: one caller at a time.
class GrpcChannelMaker {
 public:
  GrpcChannelMaker(size_t max_message_bytes, UpstreamTls tls);
  ~GrpcChannelMaker();

  // A channel to `url` (http:// or https:// plus host:port); gRPC connects lazily and
  // reconnects by itself, so a channel is kept across polls.
  std::shared_ptr<grpc::Channel> Make(const std::string& url);

 private:
  const size_t max_message_bytes_;
  const UpstreamTls tls_;
  std::shared_ptr<grpc::experimental::FileWatcherCertificateProvider> certificates_;  // made once
};

}  // namespace tikv_exporter
