#include "exporter/web_config_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "common/regular_file.h"
#include "server/basic_auth.h"
#include "server/response_headers.h"

namespace tikv_exporter {
namespace {

constexpr size_t kMaxCheckedFileBytes = 1 << 20;  // a certificate, key or CA file

// Thrown inside the loader only; LoadWebConfigFile turns it into a Status.
struct WebConfigError {
  std::string message;
};

class Loader {
 public:
  Loader(std::string path, ExporterConfig* config) : path_(std::move(path)), config_(config) {
    const size_t slash = path_.rfind('/');
    directory_ = slash == std::string::npos ? "" : path_.substr(0, slash + 1);
  }

  void Load(const YAML::Node& root) {
    if (root.IsNull()) return;  // an empty file: no TLS, no auth, as exporter-toolkit reads it
    Visit(root, "", {
        {"tls_server_config", [&](const YAML::Node& v, const std::string& k) { LoadTls(v, k); }},
        {"http_server_config", [&](const YAML::Node& v, const std::string& k) { LoadHttp(v, k); }},
        {"basic_auth_users", [&](const YAML::Node& v, const std::string& k) { LoadUsers(v, k); }},
    });
  }

 private:
  using Handler = std::function<void(const YAML::Node&, const std::string&)>;

  [[noreturn]] void Fail(const YAML::Node& node, const std::string& key, const std::string& what) const {
    const YAML::Mark mark = node.Mark();
    std::string where = path_;
    if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    throw WebConfigError{where + ": " + (key.empty() ? "" : key + ": ") + what};
  }

  // Calls the handler of each key of the mapping `node`; an unknown or repeated key fails.
  void Visit(const YAML::Node& node, const std::string& name, const std::map<std::string, Handler>& handlers) {
    if (!node.IsMap()) Fail(node, name, "expected a mapping");
    std::set<std::string> seen;
    for (const auto& entry : node) {
      const std::string key = Scalar(entry.first, name);
      const std::string full = name.empty() ? key : name + "." + key;
      if (!seen.insert(key).second) Fail(entry.first, full, "set twice");
      auto handler = handlers.find(key);
      if (handler == handlers.end()) {
        std::string known;
        for (const auto& [candidate, unused] : handlers) known += (known.empty() ? "" : ", ") + candidate;
        Fail(entry.first, full, "not supported by tikv-exporter (supported here: " + known + ")");
      }
      if (!entry.second.IsNull()) handler->second(entry.second, full);
    }
  }

  std::string Scalar(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) Fail(node, key, "expected a string");
    return node.Scalar();
  }

  bool Bool(const YAML::Node& node, const std::string& key) const {
    const std::string text = Scalar(node, key);
    if (text == "true") return true;
    if (text == "false") return false;
    Fail(node, key, "expected true or false");
  }

  // A file name, relative to the config file's directory unless absolute, that is readable.
  std::string File(const YAML::Node& node, const std::string& key) const {
    std::string file = Scalar(node, key);
    if (file.empty()) return file;
    if (file[0] != '/') file = directory_ + file;
    if (StatusOr<std::string> read = ReadRegularFile(file, kMaxCheckedFileBytes); !read.ok()) {
      Fail(node, key, "\"" + file + "\" is not a readable file: " + read.status().message());
    }
    return file;
  }

  std::string Choice(const YAML::Node& node, const std::string& key, const std::vector<std::string>& choices,
                     const std::string& why_not_others) const {
    const std::string text = Scalar(node, key);
    for (const std::string& choice : choices) {
      if (text == choice) return text;
    }
    std::string list;
    for (const std::string& choice : choices) list += (list.empty() ? "" : " | ") + choice;
    Fail(node, key, "\"" + text + "\" is not supported (" + list + ")" + why_not_others);
  }

  void LoadTls(const YAML::Node& node, const std::string& name) {
    std::string client_auth = "NoClientCert";
    Visit(node, name, {
        {"cert_file", [&](const YAML::Node& v, const std::string& k) { config_->web_cert_file = File(v, k); }},
        {"key_file", [&](const YAML::Node& v, const std::string& k) { config_->web_key_file = File(v, k); }},
        {"client_ca_file",
         [&](const YAML::Node& v, const std::string& k) { config_->web_client_ca_file = File(v, k); }},
        {"client_auth_type",
         [&](const YAML::Node& v, const std::string& k) {
           client_auth = Choice(v, k, {"NoClientCert", "RequireAndVerifyClientCert"},
                                ": the other policies let clients in without a verified certificate");
         }},
        {"min_version",
         [&](const YAML::Node& v, const std::string& k) {
           config_->web_min_tls_version =
               Choice(v, k, {"TLS12", "TLS13"}, ": TLS 1.0 and 1.1 are not offered");
         }},
        {"max_version",
         [&](const YAML::Node& v, const std::string& k) {
           Choice(v, k, {"TLS13"}, ": the listener always offers up to TLS 1.3");
         }},
        {"prefer_server_cipher_suites", [&](const YAML::Node& v, const std::string& k) { Bool(v, k); }},
    });
    if (config_->web_cert_file.empty() != config_->web_key_file.empty()) {
      Fail(node, name, "cert_file and key_file go together");
    }
    // exporter-toolkit's own rule: a CA without a policy, or a policy without a CA, is an error.
    if (!config_->web_client_ca_file.empty() && client_auth != "RequireAndVerifyClientCert") {
      Fail(node, name, "client_ca_file needs client_auth_type: RequireAndVerifyClientCert");
    }
    if (client_auth == "RequireAndVerifyClientCert" && config_->web_client_ca_file.empty()) {
      Fail(node, name, "client_auth_type RequireAndVerifyClientCert needs client_ca_file");
    }
    if (!config_->web_client_ca_file.empty() && config_->web_cert_file.empty()) {
      Fail(node, name, "client_ca_file needs cert_file and key_file (client certificates need TLS)");
    }
  }

  void LoadHttp(const YAML::Node& node, const std::string& name) {
    Visit(node, name, {
        {"http2", [&](const YAML::Node& v, const std::string& k) { Bool(v, k); }},
        {"headers",
         [&](const YAML::Node& v, const std::string& k) {
           if (!v.IsMap()) Fail(v, k, "expected a mapping");
           for (const auto& entry : v) {
             const std::string header = Scalar(entry.first, k);
             const std::string key = k + "." + header;
             const std::string value = entry.second.IsNull() ? "" : Scalar(entry.second, key);
             StatusOr<std::string> canonical = CanonicalResponseHeader(header, value);
             if (!canonical.ok()) Fail(entry.first, key, canonical.status().message());
             if (!seen_headers_.insert(*canonical).second) Fail(entry.first, key, "set twice (names ignore case)");
             if (!value.empty()) config_->web_headers[*canonical] = value;
           }
         }},
    });
  }

  void LoadUsers(const YAML::Node& node, const std::string& name) {
    if (!node.IsMap()) Fail(node, name, "expected a mapping of user names to bcrypt hashes");
    if (node.size() > kMaxWebConfigUsers) {
      Fail(node, name, "more than " + std::to_string(kMaxWebConfigUsers) + " users");
    }
    for (const auto& entry : node) {
      const std::string user = Scalar(entry.first, name);
      const std::string key = name + "." + user;
      if (user.empty() || user.find(':') != std::string::npos) Fail(entry.first, key, "a user name cannot be empty or contain ':'");
      if (config_->web_basic_auth_users.count(user) > 0) Fail(entry.first, key, "set twice");
      const std::string hash = Scalar(entry.second, key);
      if (Status valid = ValidateBcryptHash(hash); !valid.ok()) {
        Fail(entry.second, key, "expected a bcrypt hash ($2y$10$..., 60 characters; htpasswd -nBC 10 \"\" or "
                                "tikv-exporter --hash-password make one): " + valid.message());
      }
      config_->web_basic_auth_users[user] = hash;
    }
  }

  const std::string path_;
  std::string directory_;
  ExporterConfig* config_;
  std::set<std::string> seen_headers_;
};

// Refuses deep nesting before yaml-cpp (whose parser recurses) sees it: flow brackets outside
// quotes and comments at most kMaxWebConfigNesting levels, block indentation at most
// kMaxWebConfigIndent columns.
Status CheckNesting(const std::string& text, const std::string& path) {
  int depth = 0;
  int line = 1;
  size_t line_start = 0;
  char quote = 0;
  bool comment = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      line_start = i + 1;
      comment = false;
      continue;
    }
    if (comment) continue;
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '#' && (i == line_start || text[i - 1] == ' ' || text[i - 1] == '\t')) {
      comment = true;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxWebConfigNesting) {
        return Status::InvalidArgument(path + ":" + std::to_string(line) + ": nested deeper than " +
                             std::to_string(kMaxWebConfigNesting) + " levels");
      }
    } else if (c == ']' || c == '}') {
      depth = std::max(depth - 1, 0);
    } else if (c != ' ' && i - line_start > kMaxWebConfigIndent && text.find_first_not_of(' ', line_start) == i) {
      return Status::InvalidArgument(path + ":" + std::to_string(line) + ": indented by more than " +
                           std::to_string(kMaxWebConfigIndent) + " columns");
    }
  }
  return Status::Ok();
}

}  // namespace

Status LoadWebConfigFile(const std::string& path, ExporterConfig* config) {
  if (config->web_section_set) {
    return Status::InvalidArgument("--web.config.file " + path + " and the [web] table of " + config->source_path +
                         " both protect the listener: keep one of them (tikv-exporter does not merge them)");
  }
  StatusOr<std::string> text = ReadRegularFile(path, kMaxWebConfigBytes);
  if (!text.ok()) return text.status().Prefixed(path + ": cannot read the web config file: ");
  if (Status nesting = CheckNesting(*text, path); !nesting.ok()) return nesting;
  ExporterConfig loaded = *config;
  loaded.web_min_tls_version = "TLS12";
  try {
    Loader(path, &loaded).Load(YAML::Load(*text));
  } catch (const WebConfigError& e) {
    return Status::InvalidArgument(e.message);
  } catch (const YAML::Exception& e) {
    const std::string where =
        e.mark.is_null() ? "" : ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return Status::InvalidArgument(path + where + ": YAML: " + e.msg);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
  loaded.web_config_file = path;
  *config = std::move(loaded);
  return Status::Ok();
}

}  // namespace tikv_exporter
