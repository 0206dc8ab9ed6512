#pragma once

#include <string>

#include "common/mutex.h"

namespace tikv_exporter {

// This node's TiKV gRPC address as PD lists its store (the store's `address`), handed from the
// PD collector, which finds the node's store, to the RocksDB collector, which calls TiKV's debug
// service there when [tikv] grpc_address is not set. The collectors run on their own threads,
// hence the mutex. Holds the last address PD gave: a PD that stops answering, or a store not
// matched for a poll, does not move the debug service back to a guessed address.
class TikvGrpcAddressHint {
 public:
  void Set(std::string address) {
    if (address.empty()) return;
    MutexLock lock(mutex_);
    address_ = std::move(address);
  }
  // "" until PD has named this node's store.
  std::string Get() const {
    MutexLock lock(mutex_);
    return address_;
  }

 private:
  mutable Mutex mutex_;
  std::string address_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace tikv_exporter
