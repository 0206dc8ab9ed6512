#include "server/grpc_tls_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "common/regular_file.h"
#include "server/web_tls.h"

namespace tikv_exporter {
namespace {

StatusOr<std::string> Read(const char* what, const std::string& path) {
  StatusOr<std::string> text = ReadRegularFile(path, kMaxWebTlsFileBytes);
  if (!text.ok())
    return text.status().Prefixed(std::string(what) + " " + path + ": ");
  return text;
}

// Replaces `path` with `content` at once (a reader sees the old file or the new one, whole),
// readable by this user only.
Status WriteAtomically(const std::string& path, const std::string& content) {
  const std::string temporary = path + ".new";
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno(errno, "cannot write " + temporary + ": ");
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  close(fd);
  if (written != content.size()) return Status::ResourceExhausted("cannot write " + temporary);
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    return Status::FromErrno(errno, "cannot replace " + path + ": ");
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<GrpcTlsFiles>> GrpcTlsFiles::Create(std::string cert_file,
                                                             std::string key_file,
                                                             std::string client_ca_file) {
  std::error_code error;
  const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", error)
                                         ? "/dev/shm"
                                         : std::filesystem::temp_directory_path(error);
  std::string pattern = (base / "tikv-exporter-grpc-tls-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {  // mode 0700
    return Status::FromErrno(errno, "cannot create a private directory for the gRPC listener's certificate in " +
                                        base.string() + ": ");
  }
  std::unique_ptr<GrpcTlsFiles> files(new GrpcTlsFiles(std::move(cert_file), std::move(key_file),
                                                       std::move(client_ca_file), pattern));
  if (Status read = files->ReadAndCopy(); !read.ok()) return read;
  return files;
}

GrpcTlsFiles::GrpcTlsFiles(std::string cert_file, std::string key_file, std::string client_ca_file,
                           std::string dir)
    : cert_file_(std::move(cert_file)),
      key_file_(std::move(key_file)),
      client_ca_file_(std::move(client_ca_file)),
      dir_(std::move(dir)) {}

GrpcTlsFiles::~GrpcTlsFiles() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string GrpcTlsFiles::cert_copy() const { return dir_ + "/cert.pem"; }
std::string GrpcTlsFiles::key_copy() const { return dir_ + "/key.pem"; }
std::string GrpcTlsFiles::ca_copy() const {
  return client_ca_file_.empty() ? "" : dir_ + "/ca.pem";
}

Status GrpcTlsFiles::ReadAndCopy() {
  StatusOr<std::string> cert = Read("cert_file", cert_file_);
  if (!cert.ok()) return cert.status();
  StatusOr<std::string> key = Read("key_file", key_file_);
  if (!key.ok()) return key.status();
  StatusOr<std::string> ca = client_ca_file_.empty() ? StatusOr<std::string>(std::string())
                                                     : Read("client_ca_file", client_ca_file_);
  if (!ca.ok()) return ca.status();
  const std::string contents = *cert + '\0' + *key + '\0' + *ca;
  if (contents == copied_) return Status::Ok();
  if (Status pair = CheckWebTlsPair(*cert, *key, cert_file_, key_file_); !pair.ok()) return pair;
  // Each copy is replaced whole; gRPC picks the new pair up at its next refresh.
  for (const auto& [path, content] :
       {std::pair{key_copy(), &*key}, std::pair{cert_copy(), &*cert}}) {
    if (Status written = WriteAtomically(path, *content); !written.ok()) return written;
  }
  if (!client_ca_file_.empty()) {
    if (Status written = WriteAtomically(ca_copy(), *ca); !written.ok()) return written;
  }
  const bool first = copied_.empty();
  copied_ = contents;
  if (!first) spdlog::info("[web] the gRPC listener serves the new certificate in {}", cert_file_);
  return Status::Ok();
}

void GrpcTlsFiles::Refresh() {
  Status status = ReadAndCopy();
  if (status.ok()) {
    if (!failure_.empty())
      spdlog::info("[web] the gRPC listener's certificate files are usable again");
    failure_.clear();
    return;
  }
  if (status.message() == failure_) return;
  failure_ = status.message();
  spdlog::warn(
      "[web] gRPC listener: cannot use the certificate files ({}); still serving the last good "
      "pair",
      failure_);
}

}  // namespace tikv_exporter
