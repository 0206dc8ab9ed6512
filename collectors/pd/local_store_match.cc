#include "collectors/pd/local_store_match.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "common/address.h"

namespace tikv_exporter {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A host that names whatever machine it is used on.
bool IsLoopbackOrWildcard(const std::string& host) {
  return host == "localhost" || host.starts_with("127.") || host == "::1" || host == "0.0.0.0" ||
         host == "::";
}

bool NamesThisHost(const std::string& host, const HostIdentity& self) {
  if (IsLoopbackOrWildcard(host)) return true;
  const std::string name = Lower(self.hostname);
  if (!name.empty() && (host == name || host.starts_with(name + "."))) return true;
  return std::find(self.addresses.begin(), self.addresses.end(), host) != self.addresses.end();
}

// A host with many interfaces (host networking, one veth per pod) lists only the first few.
std::string Describe(const HostIdentity& self) {
  constexpr size_t kShown = 8;
  std::string out = "name \"" + self.hostname + "\", addresses";
  for (size_t i = 0; i < self.addresses.size() && i < kShown; ++i) out += " " + self.addresses[i];
  if (self.addresses.size() > kShown)
    out += " ... (" + std::to_string(self.addresses.size()) + " in all)";
  return out;
}

// The first few status addresses PD lists, for the log line when none matched.
std::string Listed(const std::vector<PdStore>& stores) {
  constexpr size_t kShown = 5;
  std::string out;
  for (size_t i = 0; i < stores.size() && i < kShown; ++i)
    out += (i ? ", " : "") + stores[i].status_address;
  if (stores.size() > kShown) out += ", ... (" + std::to_string(stores.size()) + " stores)";
  return out.empty() ? "no stores" : out;
}

}  // namespace

HostIdentity ThisHost() {
  HostIdentity self;
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) == 0) self.hostname = name;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return self;
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr) continue;
    char text[INET6_ADDRSTRLEN] = {};
    const int family = entry->ifa_addr->sa_family;
    const void* raw = nullptr;
    if (family == AF_INET) raw = &reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr;
    if (family == AF_INET6)
      raw = &reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr)->sin6_addr;
    if (raw == nullptr || inet_ntop(family, raw, text, sizeof(text)) == nullptr) continue;
    if (std::find(self.addresses.begin(), self.addresses.end(), text) == self.addresses.end()) {
      self.addresses.emplace_back(text);
    }
  }
  freeifaddrs(list);
  return self;
}

LocalStoreMatch MatchLocalStore(const std::vector<PdStore>& stores,
                                std::string_view local_status_address,
                                std::optional<uint64_t> configured_id, const HostIdentity& host) {
  LocalStoreMatch match;
  if (configured_id) {
    for (const PdStore& store : stores) {
      if (store.id != *configured_id) continue;
      match.store_id = store.id;
      match.method = "store_id";
      match.detail = "local_store_id = " + std::to_string(store.id) + " (status address " +
                     store.status_address + ")";
      return match;
    }
    match.detail = "[collectors.pd] local_store_id = " + std::to_string(*configured_id) +
                   " is not among PD's " + std::to_string(stores.size()) + " stores";
    return match;
  }
  const std::string local_text(WithoutScheme(local_status_address));
  StatusOr<HostPort> local = ParseHostPort(local_text);
  if (!local.ok()) {
    match.detail = "status_address " + local.status().message();
    return match;
  }
  const std::string local_host = Lower(local->host);
  std::vector<const PdStore*> same_host;
  for (const PdStore& store : stores) {
    StatusOr<HostPort> listed = ParseHostPort(WithoutScheme(store.status_address));
    if (!listed.ok() || listed->port != local->port) continue;
    const std::string listed_host = Lower(listed->host);
    if (listed_host == local_host) {
      match.store_id = store.id;
      match.method = "address";
      match.detail =
          "store " + std::to_string(store.id) + ": PD lists status address " + store.status_address;
      return match;
    }
    if (NamesThisHost(listed_host, host) && NamesThisHost(local_host, host))
      same_host.push_back(&store);
  }
  if (same_host.size() == 1) {
    match.store_id = same_host[0]->id;
    match.method = "this_host";
    match.detail = "store " + std::to_string(same_host[0]->id) + ": PD lists status address " +
                   same_host[0]->status_address + ", this host at port " +
                   std::to_string(local->port) + " (" + Describe(host) + ")";
    return match;
  }
  if (same_host.size() > 1) {
    match.detail = "stores " + std::to_string(same_host[0]->id) + " and " +
                   std::to_string(same_host[1]->id) + " both list this host at port " +
                   std::to_string(local->port) + "; set [collectors.pd] local_store_id";
    return match;
  }
  match.detail =
      "no store lists status address " + local_text +
      (NamesThisHost(local_host, host)
           ? " or this host (" + Describe(host) + ") at port " + std::to_string(local->port)
           : "") +
      "; PD lists " + Listed(stores) +
      ". Set [tikv] status_address to the address PD lists, or [collectors.pd] local_store_id";
  return match;
}

}  // namespace tikv_exporter
