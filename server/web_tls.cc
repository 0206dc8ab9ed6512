#include "server/web_tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>

#include "common/mutex.h"
#include "common/regular_file.h"

namespace tikv_exporter {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct ChainFree {
  void operator()(STACK_OF(X509)* chain) const { sk_X509_pop_free(chain, X509_free); }
};

// A certificate (with its chain) and its private key, known to match.
struct Pair {
  std::shared_ptr<X509> leaf;
  std::shared_ptr<STACK_OF(X509)> chain;
  std::shared_ptr<EVP_PKEY> key;
};

StatusOr<std::string> ReadFile(const std::string& what, const std::string& path) {
  StatusOr<std::string> text = ReadRegularFile(path, kMaxWebTlsFileBytes);
  if (!text.ok()) return text.status().Prefixed(what + " " + path + ": ");
  return text;
}

StatusOr<Pair> ParsePair(const std::string& cert_pem, const std::string& key_pem, const std::string& cert_file,
                         const std::string& key_file) {
  std::unique_ptr<BIO, BioFree> cert_bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  std::unique_ptr<BIO, BioFree> key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  if (!cert_bio || !key_bio) return Status::ResourceExhausted("out of memory");
  std::shared_ptr<X509> leaf(PEM_read_bio_X509_AUX(cert_bio.get(), nullptr, nullptr, nullptr), X509Free());
  if (!leaf) {
    ERR_clear_error();
    return Status::InvalidArgument("cert_file " + cert_file + " holds no PEM certificate");
  }
  std::shared_ptr<STACK_OF(X509)> chain(sk_X509_new_null(), ChainFree());
  while (X509* intermediate = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)) {
    sk_X509_push(chain.get(), intermediate);
  }
  ERR_clear_error();  // reading past the last certificate queues an error
  std::shared_ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), KeyFree());
  if (!key) {
    ERR_clear_error();
    return Status::InvalidArgument("key_file " + key_file + " holds no PEM private key");
  }
  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("key_file " + key_file + " does not match the certificate in cert_file " + cert_file);
  }
  return Pair{std::move(leaf), std::move(chain), std::move(key)};
}

std::string Subject(X509* cert) {
  char text[256] = "";
  X509_NAME_oneline(X509_get_subject_name(cert), text, sizeof(text));
  return text;
}

// The certificate files of one listener and the last pair read from them that was valid.
class WebTlsFiles {
 public:
  WebTlsFiles(std::string cert_file, std::string key_file)
      : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {}

  // The first read, at start: the files must be a valid pair, which is returned.
  StatusOr<Pair> Load() {
    MutexLock lock(mutex_);
    Refresh(false);
    if (!good_) return Status::InvalidArgument(failure_.empty() ? "no certificate" : failure_);
    return *good_;
  }

  // On each handshake: reads the files again and puts the last good pair on `ssl`.
  void UseOn(SSL* ssl) {
    MutexLock lock(mutex_);
    Refresh(true);
    SSL_use_certificate(ssl, good_->leaf.get());  // each takes its own reference
    SSL_use_PrivateKey(ssl, good_->key.get());
    SSL_set1_chain(ssl, good_->chain.get());
  }

 private:
  void Refresh(bool log) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    StatusOr<std::string> cert = ReadFile("cert_file", cert_file_);
    StatusOr<std::string> key = cert.ok() ? ReadFile("key_file", key_file_) : cert.status();
    if (!cert.ok() || !key.ok()) {
      SetFailure(key.status().message(), log);
      return;
    }
    if (!parsed_ || *cert != read_cert_ || *key != read_key_) {  // changed since the last read
      read_cert_ = std::move(*cert);
      read_key_ = std::move(*key);
      parsed_ = ParsePair(read_cert_, read_key_, cert_file_, key_file_);
      if (parsed_->ok()) {
        if (log && failure_.empty()) {
          spdlog::info("[web] serving the new certificate in {} ({})", cert_file_, Subject((*parsed_)->leaf.get()));
        }
        good_ = **parsed_;
      }
    }
    if (!parsed_->ok()) {
      SetFailure(parsed_->status().message(), log);
    } else if (!failure_.empty()) {
      if (log) {
        spdlog::info("[web] {} and {} are a valid pair again; serving them ({})", cert_file_, key_file_,
                     Subject(good_->leaf.get()));
      }
      failure_.clear();
    }
  }

  // Logs a failure when it differs from the one logged last (not on every handshake).
  void SetFailure(const std::string& failure, bool log) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (failure == failure_) return;
    failure_ = failure;
    if (log && good_) {
      spdlog::warn("[web] cannot use the certificate files ({}); still serving the last good certificate ({})",
                   failure_, Subject(good_->leaf.get()));
    }
  }

  const std::string cert_file_;
  const std::string key_file_;
  // Held by Load() and by each handshake (OpenSSL calls UseOn on the handshaking thread).
  Mutex mutex_;
  // The files' contents at the last read that got both.
  std::string read_cert_ ABSL_GUARDED_BY(mutex_);
  std::string read_key_ ABSL_GUARDED_BY(mutex_);
  std::optional<StatusOr<Pair>> parsed_ ABSL_GUARDED_BY(mutex_);  // what those contents made
  std::optional<Pair> good_ ABSL_GUARDED_BY(mutex_);              // the last valid pair
  // Why the files are not usable now; "" when they are.
  std::string failure_ ABSL_GUARDED_BY(mutex_);
};

thread_local std::string last_configure_failure;

void FreeFiles(void*, void* files, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<WebTlsFiles*>(files); }

// The context's WebTlsFiles, freed with the context.
int FilesIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeFiles);
  return index;
}

// Runs on every handshake (SSL_CTX_set_cert_cb).
int UseCurrentFiles(SSL* ssl, void* arg) {
  static_cast<WebTlsFiles*>(arg)->UseOn(ssl);
  ERR_clear_error();
  return 1;
}

}  // namespace

bool ConfigureWebTls(SSL_CTX& context, const HttpServerOptions* options) {
  last_configure_failure.clear();
  SSL_CTX_set_min_proto_version(&context, options->min_tls_version == "TLS13" ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_options(&context, SSL_OP_NO_COMPRESSION);
  if (SSL_CTX_set_cipher_list(&context, kWebTls12Ciphers) != 1) {
    last_configure_failure = "OpenSSL refused the TLS 1.2 cipher list";
    return false;
  }
  auto files = std::make_unique<WebTlsFiles>(options->cert_file, options->key_file);
  StatusOr<Pair> loaded = files->Load();
  if (!loaded.ok()) {
    last_configure_failure = loaded.status().message();
    return false;
  }
  const Pair& pair = *loaded;
  if (SSL_CTX_use_certificate(&context, pair.leaf.get()) != 1 || SSL_CTX_use_PrivateKey(&context, pair.key.get()) != 1 ||
      SSL_CTX_set1_chain(&context, pair.chain.get()) != 1) {
    return false;
  }
  if (!options->client_ca_file.empty()) {
    if (StatusOr<std::string> ca = ReadFile("client_ca_file", options->client_ca_file); !ca.ok()) {
      last_configure_failure = ca.status().message();  // checked first: OpenSSL would block on a FIFO
      return false;
    }
    if (SSL_CTX_load_verify_locations(&context, options->client_ca_file.c_str(), nullptr) != 1) return false;
    SSL_CTX_set_verify(&context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  WebTlsFiles* owned = files.release();
  SSL_CTX_set_ex_data(&context, FilesIndex(), owned);  // freed with the context
  SSL_CTX_set_cert_cb(&context, UseCurrentFiles, owned);
  return true;
}

Status CheckWebTlsPair(const std::string& cert_pem, const std::string& key_pem, const std::string& cert_file,
                       const std::string& key_file) {
  return ParsePair(cert_pem, key_pem, cert_file, key_file).status();
}

std::string DescribeWebTlsFailure(const HttpServerOptions& options) {
  std::string message = last_configure_failure;
  if (message.empty()) {
    char text[256] = "unknown error";
    if (unsigned long error = ERR_get_error(); error != 0) ERR_error_string_n(error, text, sizeof(text));
    message = text;
  }
  return "[web] cannot use cert_file " + options.cert_file + " / key_file " + options.key_file +
         (options.client_ca_file.empty() ? "" : " / client_ca_file " + options.client_ca_file) + ": " + message;
}

}  // namespace tikv_exporter
