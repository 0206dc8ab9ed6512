#include "server/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "common/descriptors.h"
#include "common/mutex.h"
#include "server/grpc_log.h"
#include "server/grpc_tls_files.h"
#include "snapshot/snapshot_proto.h"
#include "tikv_exporter.grpc.pb.h"  // generated from proto/tikv_exporter.proto

namespace tikv_exporter {
namespace {

// How often a watch that has nothing to send checks that its client is still there.
constexpr auto kWatchTick = std::chrono::milliseconds(250);

// The synchronous server runs each of its calls on a thread of its own (5,000 unread GetSnapshot
// calls on one connection once made 5,009 threads; GetSnapshot is a callback method now). Its
// threads are bounded to the watches plus these (reflection, the server's pollers); a call
// beyond them is answered RESOURCE_EXHAUSTED at once.
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
// How often the listener is checked (and how soon a stopped one is replaced).
constexpr auto kMaintenanceTick = std::chrono::seconds(1);

// GetSnapshot is a callback method: its answer is sent without holding a thread. On the
// synchronous server a unary call whose client never reads its answer (a flow-control window of
// 0) held its thread until the connection ended, and a client that opens streams without
// acknowledging the server's SETTINGS is not held to MAX_CONCURRENT_STREAMS: one connection took
// every call thread and other clients were answered RESOURCE_EXHAUSTED (CI: 33 -> 111 threads).
// The watches stay synchronous: a watch is a thread for its life, bounded by max_grpc_watchers.
class SnapshotServiceImpl final : public v1::SnapshotService::WithCallbackMethod_GetSnapshot<v1::SnapshotService::Service> {
 public:
  SnapshotServiceImpl(const SnapshotHistory* history, int max_watchers, LimitTracker* limits)
      : history_(history), max_watchers_(max_watchers), limits_(limits) {}

  void Stop() { stopping_ = true; }

  grpc::ServerUnaryReactor* GetSnapshot(grpc::CallbackServerContext* context, const v1::GetSnapshotRequest*,
                                        v1::Snapshot* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    std::shared_ptr<const Snapshot> latest = history_->WaitNewer(0, std::chrono::steady_clock::now());
    if (!latest) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "no poll has finished yet"));
      return reactor;
    }
    SnapshotToProto(*latest, response);
    reactor->Finish(grpc::Status::OK);
    return reactor;
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
      : options(std::move(options)), limits(limits), service(history, this->options.max_watchers, limits) {}

  // A listening server on `address` with our bounds, or null when it cannot listen.
  std::unique_ptr<grpc::Server> Build() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(address, Credentials(options, tls.get()), &port);
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    const int max_threads = options.max_watchers + kSpareThreads;
    grpc::ResourceQuota quota("tikv-exporter-grpc");
    quota.SetMaxThreads(max_threads);
    builder.SetResourceQuota(quota);
    // A watch holds its thread for its life: half the threads per connection leaves the other
    // half to everyone else (for clients that acknowledge the server's SETTINGS; unread
    // GetSnapshot calls hold no thread whatever the client does).
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, std::max(1, max_threads / 2));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, kMaxConnectionIdleMs);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, kMaxConnectionAgeMs);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, kMinClientPingIntervalMs);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, kMaxPingStrikes);
    builder.RegisterService(&service);
    std::unique_ptr<grpc::Server> built = builder.BuildAndStart();
    if (built && port == 0) built.reset();
    return built;
  }

  // One maintenance tick: refreshes the certificate copies, and replaces a listener that gRPC
  // stopped (see GrpcAcceptFailures) once a descriptor is free again. Its connections go with
  // it (clients reconnect); they are what used the descriptors up, if not the exporter's own.
  void Maintain(std::chrono::steady_clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
    if (tls && now >= next_certificate_refresh) {
      tls->Refresh();
      next_certificate_refresh = now + std::chrono::seconds(kCertificateRefreshSeconds);
    }
    const uint64_t failures = GrpcAcceptFailures();
    if (failures == accept_failures_seen) return;
    if (limits != nullptr) {
      limits->Hit(Limit::kGrpcAcceptDescriptors,
                  "gRPC's listener failed to accept a connection and stopped accepting; it is restarted once a "
                  "descriptor is free");
    }
    if (DescriptorShortage() != 0) return;
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    server.reset();
    server = Build();
    if (!server) {
      spdlog::warn("the gRPC listener on {} could not be restarted yet; trying again in a second", address);
      return;
    }
    accept_failures_seen = failures;
    spdlog::info("the gRPC listener on {} was restarted after it stopped accepting", address);
  }

  const GrpcServerOptions options;
  LimitTracker* const limits;
  SnapshotServiceImpl service;
  // Held by the maintainer for each tick, and by Start() and Stop() around it.
  Mutex mutex;
  std::string address ABSL_GUARDED_BY(mutex);
  std::unique_ptr<GrpcTlsFiles> tls ABSL_GUARDED_BY(mutex);  // with TLS on
  std::unique_ptr<grpc::Server> server ABSL_GUARDED_BY(mutex);  // replaced by Maintain()
  uint64_t accept_failures_seen ABSL_GUARDED_BY(mutex) = 0;
  std::chrono::steady_clock::time_point next_certificate_refresh ABSL_GUARDED_BY(mutex);
  CondVar stop_maintaining;
  bool stopping ABSL_GUARDED_BY(mutex) = false;
  // Runs Maintain() every kMaintenanceTick until stopped. Started and joined by the thread that
  // calls Start() and Stop(); joinable exactly while the server is started.
  std::thread maintainer;
};

GrpcServer::GrpcServer(const SnapshotHistory* history, GrpcServerOptions options, LimitTracker* limits)
    : impl_(std::make_unique<Impl>(history, std::move(options), limits)) {}

GrpcServer::~GrpcServer() { Stop(); }

Status GrpcServer::Start(const std::string& listen_address) {
  RouteGrpcLogToSpdlog();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  MutexLock lock(impl_->mutex);
  if (!impl_->options.cert_file.empty()) {
    StatusOr<std::unique_ptr<GrpcTlsFiles>> tls =
        GrpcTlsFiles::Create(impl_->options.cert_file, impl_->options.key_file, impl_->options.client_ca_file);
    if (!tls.ok()) {
      return tls.status().Prefixed("[web] the gRPC listener cannot use its certificate: ");
    }
    impl_->tls = std::move(*tls);
  }
  impl_->address = listen_address;
  // Failures of an earlier server in this process (tests start several) are not this one's.
  impl_->accept_failures_seen = GrpcAcceptFailures();
  impl_->next_certificate_refresh = std::chrono::steady_clock::now() + std::chrono::seconds(kCertificateRefreshSeconds);
  impl_->server = impl_->Build();
  if (!impl_->server) {
    impl_->tls.reset();
    return Status::Unavailable("cannot listen for gRPC on " + listen_address);
  }
  impl_->maintainer = std::thread([impl = impl_.get()] {
    MutexLock lock(impl->mutex);
    while (!impl->stop_maintaining.WaitFor(impl->mutex, kMaintenanceTick, [impl] {
      impl->mutex.AssertHeld();
      return impl->stopping;
    })) {
      impl->Maintain(std::chrono::steady_clock::now());
    }
  });
  return Status::Ok();
}

void GrpcServer::Stop() {
  // Not `server`: a listener Maintain() could not replace yet leaves it null while the
  // maintainer runs, and an Impl destroyed with that thread still joinable ends the process.
  if (!impl_->maintainer.joinable()) return;
  {
    MutexLock lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->stop_maintaining.NotifyAll();
  impl_->maintainer.join();
  impl_->service.Stop();
  MutexLock lock(impl_->mutex);
  if (impl_->server) impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  impl_->server.reset();
  impl_->tls.reset();
}

}  // namespace tikv_exporter
