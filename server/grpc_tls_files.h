#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace tikv_exporter {

// The gRPC listener's certificate, key and client CA ([web] cert_file, key_file, client_ca_file),
// read the way the HTTPS listener reads them (server/web_tls.h: regular files only, never
// blocking, bounded in size, certificate and key checked against each other) and handed to
// gRPC's file watcher as private copies that only this class writes. gRPC never opens the
// configured paths, so a FIFO there cannot hang its refresh thread (and with it SIGTERM), and a
// half-written, mismatched or removed file keeps the last good pair. A failure and the recovery
// are logged once each.
// Owns the private directory (mode 0700, in memory when /dev/shm exists) and removes it on
// destruction. Not thread-safe: one thread calls Refresh().
class GrpcTlsFiles {
 public:
  // Reads the files once; an error (naming the file) when they are not a valid pair now.
  static StatusOr<std::unique_ptr<GrpcTlsFiles>> Create(std::string cert_file, std::string key_file,
                                                        std::string client_ca_file);
  ~GrpcTlsFiles();
  GrpcTlsFiles(const GrpcTlsFiles&) = delete;
  GrpcTlsFiles& operator=(const GrpcTlsFiles&) = delete;

  // The copies to give gRPC's FileWatcherCertificateProvider ("" for the CA when there is none).
  std::string cert_copy() const;
  std::string key_copy() const;
  std::string ca_copy() const;

  // Reads the configured files again; a new valid pair (and CA) replaces the copies.
  void Refresh();

 private:
  GrpcTlsFiles(std::string cert_file, std::string key_file, std::string client_ca_file,
               std::string dir);
  Status ReadAndCopy();

  const std::string cert_file_;
  const std::string key_file_;
  const std::string client_ca_file_;
  const std::string dir_;
  std::string copied_;   // the three files' contents last copied
  std::string failure_;  // why the files are not usable now; "" when they are
};

}  // namespace tikv_exporter
