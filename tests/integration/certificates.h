#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/integration/harness.h"

// The test CA, server and client certificates of the TLS tests, and the simulator flags and
// exporter [security] table that use them.
namespace tikv_exporter::testing {

// Certificates made fresh for each test by scripts/make-test-certs.sh.
class Certificates {
 public:
  explicit Certificates(const TempDir& dir) : dir_(dir.path() + "/certs") {
    std::string output;
    EXPECT_EQ(RunCommand("bash " SOURCE_DIR "/tests/integration/scripts/make-test-certs.sh " + dir_, &output), 0)
        << output;
  }
  std::string operator()(const std::string& name) const { return dir_ + "/" + name; }
  // Copies certificate and key `from` over `to` (a rotation).
  void Replace(const std::string& to, const std::string& from) const {
    for (const char* ext : {".crt", ".key"}) {
      std::filesystem::copy_file((*this)(from + ext), (*this)(to + ext),
                                 std::filesystem::copy_options::overwrite_existing);
    }
  }

 private:
  std::string dir_;
};

inline std::vector<std::string> SimTlsFlags(const Certificates& certs) {
  return {"--tls-ca", certs("ca.crt"), "--tls-cert", certs("server.crt"), "--tls-key", certs("server.key")};
}

inline std::string SecurityTable(const Certificates& certs, const std::string& client) {
  std::string table = "[security]\nca_path = \"" + certs("ca.crt") + "\"\n";
  if (!client.empty()) {
    table += "cert_path = \"" + certs(client + ".crt") + "\"\nkey_path = \"" + certs(client + ".key") + "\"\n";
  }
  return table;
}

}  // namespace tikv_exporter::testing
