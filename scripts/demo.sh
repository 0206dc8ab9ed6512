#!/usr/bin/env bash
# Starts a simulated TiKV node (tikv-sim) and the exporter polling it, and prints where to look.
# Ctrl-C stops both. Needs nothing outside this repository.
set -euo pipefail
bin_dir=${1:-build/bin}
repo=$(cd "$(dirname "$0")/.." && pwd)
sim_address=${DEMO_SIM_ADDRESS:-127.0.0.1:20180}
control_address=${DEMO_CONTROL_ADDRESS:-127.0.0.1:20181}

"$bin_dir/tikv-sim" --status-address "$sim_address" --control-address "$control_address" --wave 0.5 \
  --pd-address 127.0.0.1:23790 --pd-address 127.0.0.1:23791 --pd-address 127.0.0.1:23792 \
  --grpc-address 127.0.0.1:20160 --rocksdb-log "$repo/tests/fixtures/real/rocksdb-7.8.3-tikv-cfs-LOG" &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null || true' EXIT

cat <<TEXT

  tikv-exporter demo: a simulated TiKV node at http://$sim_address, its rates swinging over 2 minutes,
  in a simulated cluster of 5 stores with 3 PD members (127.0.0.1:23790-23792), and TiKV's debug
  service on 127.0.0.1:20160 answering real RocksDB stats dumps (the status page's RocksDB levels).

    Status page    http://127.0.0.1:20190/   (live charts and source health)
    Metrics        http://127.0.0.1:20190/metrics     (try: curl -s localhost:20190/metrics | grep qps)
    Snapshot JSON  http://127.0.0.1:20190/api/v1/snapshot   (history: /api/v1/snapshots?since=<unix_ms>)
    gRPC           127.0.0.1:20191   (try: $bin_dir/watch_snapshots 127.0.0.1:20191)
    Fail the node  curl -d '' 'http://$control_address/control/fault?mode=down'   (mode=none heals)
    Fail a store   curl -d '' 'http://$control_address/control/pd/store?id=4&state=Down'
    Fail PD        curl -d '' 'http://$control_address/control/pd/member?index=0&mode=down'
    RocksDB        http://127.0.0.1:20190/api/v1/rocksdb   (write_stall below shows in
                   tikv_exporter_rocksdb_write_stalls_total within one 5 s RocksDB interval)
    Hang RocksDB   curl -d '' 'http://$control_address/control/debug/fault?mode=hang'   (fail, oversized; none heals)

  Make the node unhealthy and watch the health verdict change (within a poll or two, 5 s each):
    Verdict        curl -s http://127.0.0.1:20190/api/v1/health      (200 healthy, 503 unhealthy)
    Slow apply     curl -d '' 'http://$control_address/control/unhealthy?state=apply_latency'
    Heal it        curl -d '' 'http://$control_address/control/unhealthy?state=apply_latency&on=false'
    Other states   slow_score disk_almost_full disk_full busy gc_stuck resolved_ts not_ready
                   critical_error thread_pools latch_wait grpc_errors flow_control
                   cpu_quota write_stall (a warning: 200)
                   (state=none heals all; GET /control/state lists them)

  Ctrl-C stops the demo.

TEXT
"$bin_dir/tikv-exporter" --config "$repo/config/demo.toml"
