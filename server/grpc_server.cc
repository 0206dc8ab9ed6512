#include "server/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/grpc_tls_files.h"
#include "snapshot/snapshot_proto.h"
#include "tikv_exporter.grpc.pb.h"  // generated from proto/tikv_exporter.proto

namespace tikv_exporter {
namespace {

// How often a watch that has nothing to send checks that its client is still there.
constexpr auto kWatchTick = std::chrono::milliseconds(250);

// The synchronous server runs each call on a thread of its own, also a unary call whose answer
// the client never reads (5,000 such calls on one connection made 5,009 threads). Its threads
// are bounded to the watches plus these (unary calls, health, reflection, the server's pollers);
// a call beyond them is answered RESOURCE_EXHAUSTED at once.
constexpr int kSpareThreads = 16;
// Idle connections hold a descriptor each; clients reconnect transparently.
constexpr int kMaxConnectionIdleMs = 60'000;
// An old connection gets a GOAWAY (its open streams finish; the client reconnects for new ones).
constexpr int kMaxConnectionAgeMs = 3'600'000;
// Keepalive pings more often than this without data are strikes; after kMaxPingStrikes, GOAWAY.
constexpr int kMinClientPingIntervalMs = 10'000;
constexpr int kMaxPingStrikes = 2;
// How soon a rotated certificate is picked up: our copy is refreshed, then gRPC's watcher reads it.
constexpr unsigned kCertificateRefreshSeconds = 5;

class SnapshotServiceImpl final : public v1::SnapshotService::Service {
 public:
  SnapshotServiceImpl(const SnapshotHistory* history, int max_watchers, LimitTracker* limits)
      : history_(history), max_watchers_(max_watchers), limits_(limits) {}

  void Stop() { stopping_ = true; }

  grpc::Status GetSnapshot(grpc::ServerContext*, const v1::GetSnapshotRequest*, v1::Snapshot* response) override {
    std::shared_ptr<const Snapshot> latest = history_->WaitNewer(0, std::chrono::steady_clock::now());
    if (!latest) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "no poll has finished yet");
    SnapshotToProto(*latest, response);
    return grpc::Status::OK;
  }

  grpc::Status WatchSnapshots(grpc::ServerContext* context, const v1::WatchSnapshotsRequest*,
                              grpc::ServerWriter<v1::Snapshot>* writer) override {
    if (watchers_.fetch_add(1) >= max_watchers_) {
      watchers_.fetch_sub(1);
      if (limits_ != nullptr) limits_->Hit(Limit::kGrpcWatchers, std::to_string(max_watchers_) + " watches are open");
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "too many open watches ([exporter] max_grpc_watchers = " + std::to_string(max_watchers_) + ")");
    }
    if (limits_ != nullptr) limits_->Clear(Limit::kGrpcWatchers);
    grpc::Status status = Watch(context, writer);
    watchers_.fetch_sub(1);
    return status;
  }

 private:
  grpc::Status Watch(grpc::ServerContext* context, grpc::ServerWriter<v1::Snapshot>* writer) {
    uint64_t sent = 0;
    // Only ever the newest snapshot is written: a reader slower than the polls skips some, and
    // the poll loop (which only pushes to the history) never waits for it.
    while (!stopping_ && !context->IsCancelled()) {
      std::shared_ptr<const Snapshot> next = history_->WaitNewer(sent, std::chrono::steady_clock::now() + kWatchTick);
      if (!next) continue;
      v1::Snapshot message;
      SnapshotToProto(*next, &message);
      if (!writer->Write(message)) break;
      sent = next->sequence;
    }
    return grpc::Status::OK;
  }

  const SnapshotHistory* history_;
  const int max_watchers_;
  LimitTracker* const limits_;
  std::atomic<int> watchers_{0};
  std::atomic<bool> stopping_{false};
};

// gRPC's watcher reads only the copies `tls` (null: plain text) keeps of the configured files.
std::shared_ptr<grpc::ServerCredentials> Credentials(const GrpcServerOptions& options, const GrpcTlsFiles* tls) {
  if (tls == nullptr) return grpc::InsecureServerCredentials();
  namespace tls_api = grpc::experimental;
  auto files = std::make_shared<tls_api::FileWatcherCertificateProvider>(tls->key_copy(), tls->cert_copy(),
                                                                          tls->ca_copy(), kCertificateRefreshSeconds);
  tls_api::TlsServerCredentialsOptions tls_options(files);
  tls_options.watch_identity_key_cert_pairs();
  if (!options.client_ca_file.empty()) {
    tls_options.watch_root_certs();
    tls_options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return tls_api::TlsServerCredentials(tls_options);
}

}  // namespace

struct GrpcServer::Impl {
  Impl(const SnapshotHistory* history, GrpcServerOptions options, LimitTracker* limits)
      : options(std::move(options)), service(history, this->options.max_watchers, limits) {}
  GrpcServerOptions options;
  SnapshotServiceImpl service;
  std::unique_ptr<GrpcTlsFiles> tls;  // with TLS on
  std::unique_ptr<grpc::Server> server;
  // Refreshes `tls` every kCertificateRefreshSeconds until stopped.
  std::thread refresher;
  std::mutex mutex;
  std::condition_variable stop_refreshing;
  bool stopping = false;
};

GrpcServer::GrpcServer(const SnapshotHistory* history, GrpcServerOptions options, LimitTracker* limits)
    : impl_(std::make_unique<Impl>(history, std::move(options), limits)) {}

GrpcServer::~GrpcServer() { Stop(); }

Status GrpcServer::Start(const std::string& listen_address) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  if (!impl_->options.cert_file.empty()) {
    StatusOr<std::unique_ptr<GrpcTlsFiles>> tls =
        GrpcTlsFiles::Create(impl_->options.cert_file, impl_->options.key_file, impl_->options.client_ca_file);
    if (!tls.ok()) {
      return Status::Error("[web] the gRPC listener cannot use its certificate: " + tls.status().message());
    }
    impl_->tls = std::move(*tls);
  }
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen_address, Credentials(impl_->options, impl_->tls.get()), &port);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  const int max_threads = impl_->options.max_watchers + kSpareThreads;
  grpc::ResourceQuota quota("tikv-exporter-grpc");
  quota.SetMaxThreads(max_threads);
  builder.SetResourceQuota(quota);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, max_threads);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, kMaxConnectionIdleMs);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, kMaxConnectionAgeMs);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, kMinClientPingIntervalMs);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, kMaxPingStrikes);
  builder.RegisterService(&impl_->service);
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || port == 0) {
    impl_->server.reset();
    impl_->tls.reset();
    return Status::Error("cannot listen for gRPC on " + listen_address);
  }
  if (impl_->tls) {
    impl_->refresher = std::thread([impl = impl_.get()] {
      std::unique_lock<std::mutex> lock(impl->mutex);
      while (!impl->stop_refreshing.wait_for(lock, std::chrono::seconds(kCertificateRefreshSeconds),
                                             [impl] { return impl->stopping; })) {
        impl->tls->Refresh();
      }
    });
  }
  return Status::Ok();
}

void GrpcServer::Stop() {
  if (!impl_->server) return;
  impl_->service.Stop();
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  impl_->server.reset();
  if (impl_->refresher.joinable()) {
    {
      std::lock_guard<std::mutex> lock(impl_->mutex);
      impl_->stopping = true;
    }
    impl_->stop_refreshing.notify_all();
    impl_->refresher.join();
  }
  impl_->tls.reset();
}

}  // namespace tikv_exporter
