#include "collectors/grpc_channel.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>

#include <algorithm>
#include <climits>

#include "common/address.h"

namespace tikv_exporter {

GrpcChannelMaker::GrpcChannelMaker(size_t max_message_bytes, UpstreamTls tls)
    : max_message_bytes_(max_message_bytes), tls_(std::move(tls)) {}

GrpcChannelMaker::~GrpcChannelMaker() = default;

std::shared_ptr<grpc::Channel> GrpcChannelMaker::Make(const std::string& url) {
  grpc::ChannelArguments arguments;
  // The upstream's answer is bounded like an HTTP body: a larger one fails the call with
  // RESOURCE_EXHAUSTED before it is held in memory whole.
  arguments.SetMaxReceiveMessageSize(static_cast<int>(std::min<size_t>(max_message_bytes_, INT32_MAX)));
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (!url.starts_with("https://")) {
    credentials = grpc::InsecureChannelCredentials();
  } else if (!tls_.enabled()) {
    credentials = grpc::SslCredentials(grpc::SslCredentialsOptions());
  } else {
    namespace tls = grpc::experimental;
    if (!certificates_) {
      constexpr unsigned kRefreshSeconds = 10;  // how soon rotated files are picked up
      certificates_ = std::make_shared<tls::FileWatcherCertificateProvider>(tls_.key_path, tls_.cert_path,
                                                                            tls_.ca_path, kRefreshSeconds);
    }
    tls::TlsChannelCredentialsOptions options;
    options.set_certificate_provider(certificates_);
    options.watch_root_certs();
    if (!tls_.cert_path.empty()) options.watch_identity_key_cert_pairs();
    options.set_verify_server_certs(true);
    credentials = tls::TlsCredentials(options);
  }
  return grpc::CreateCustomChannel(std::string(WithoutScheme(url)), credentials, arguments);
}

}  // namespace tikv_exporter
