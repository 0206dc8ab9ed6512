#include "server/web_tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <memory>

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

// Runs on every handshake (SSL_CTX_set_cert_cb): the pair on disk now, if it is a valid pair.
int UseCurrentFiles(SSL* ssl, void* arg) {
  const auto* options = static_cast<const HttpServerOptions*>(arg);
  std::unique_ptr<BIO, BioFree> cert_bio(BIO_new_file(options->cert_file.c_str(), "r"));
  std::unique_ptr<BIO, BioFree> key_bio(BIO_new_file(options->key_file.c_str(), "r"));
  if (cert_bio && key_bio) {
    std::unique_ptr<X509, X509Free> leaf(PEM_read_bio_X509_AUX(cert_bio.get(), nullptr, nullptr, nullptr));
    std::unique_ptr<STACK_OF(X509), ChainFree> chain(sk_X509_new_null());
    while (X509* intermediate = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)) {
      sk_X509_push(chain.get(), intermediate);
    }
    std::unique_ptr<EVP_PKEY, KeyFree> key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
    if (leaf && key && X509_check_private_key(leaf.get(), key.get()) == 1) {
      SSL_use_certificate(ssl, leaf.get());  // each takes its own reference
      SSL_use_PrivateKey(ssl, key.get());
      SSL_set1_chain(ssl, chain.get());
    }
  }
  ERR_clear_error();  // reading past the last certificate queues an error
  return 1;           // the context's pair (from start) stays when the files are not usable
}

}  // namespace

bool ConfigureWebTls(SSL_CTX& context, const HttpServerOptions* options) {
  SSL_CTX_set_min_proto_version(&context, options->min_tls_version == "TLS13" ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_options(&context, SSL_OP_NO_COMPRESSION);
  if (SSL_CTX_use_certificate_chain_file(&context, options->cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(&context, options->key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(&context) != 1) {
    return false;
  }
  if (!options->client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(&context, options->client_ca_file.c_str(), nullptr) != 1) return false;
    SSL_CTX_set_verify(&context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  SSL_CTX_set_cert_cb(&context, UseCurrentFiles, const_cast<HttpServerOptions*>(options));
  return true;
}

std::string DescribeWebTlsFailure(const HttpServerOptions& options) {
  char message[256] = "unknown error";
  if (unsigned long error = ERR_get_error(); error != 0) ERR_error_string_n(error, message, sizeof(message));
  return "[web] cannot use cert_file " + options.cert_file + " / key_file " + options.key_file +
         (options.client_ca_file.empty() ? "" : " / client_ca_file " + options.client_ca_file) + ": " + message;
}

}  // namespace tikv_exporter
