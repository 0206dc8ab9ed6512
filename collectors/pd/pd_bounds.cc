#include "collectors/pd/pd_bounds.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>

namespace tikv_exporter {
namespace {

// Cuts (or leaves out) the strings of one poll, counting how many and naming the first.
class StringCutter {
 public:
  explicit StringCutter(size_t max_bytes) : max_bytes_(max_bytes) {}

  // `owner` and `field` name the value in the log line ("store 5", "address").
  void Cut(std::string* value, std::string_view owner, std::string_view field) {
    if (value->size() <= max_bytes_) return;
    size_t end = max_bytes_;
    // Strings are valid UTF-8 (RepairJsonUtf8): back off continuation bytes to a boundary.
    while (end > 0 && (static_cast<unsigned char>((*value)[end]) & 0xC0) == 0x80) --end;
    Count(value->size(), owner, field);
    value->resize(end);
    value->shrink_to_fit();
  }

  // True when `value` is too long to keep at all, counted like a cut.
  bool LeftOut(const std::string& value, std::string_view owner, std::string_view field) {
    if (value.size() <= max_bytes_) return false;
    Count(value.size(), owner, field);
    return true;
  }

  void Note(std::vector<LimitNote>* notes) const {
    if (cut_ == 0) return;
    notes->push_back({Limit::kPdStringBytes, std::to_string(cut_) + " PD string(s) longer than " +
                                                 std::to_string(max_bytes_) + " bytes cut, first " +
                                                 first_});
  }

 private:
  void Count(size_t bytes, std::string_view owner, std::string_view field) {
    if (cut_++ == 0) {
      first_ = std::string(owner) + "'s " + std::string(field) + " (" + std::to_string(bytes) +
               " bytes)";
    }
  }

  const size_t max_bytes_;
  size_t cut_ = 0;
  std::string first_;
};

// Why `store` cannot be taken as PD's word, or "" when it can.
std::string Invalid(const PdStore& store, const std::set<uint64_t>& seen) {
  if (store.id == 0) return "no store id";
  if (store.state == StoreState::kUnknown) return "no known state";
  if (seen.contains(store.id)) return "store id " + std::to_string(store.id) + " listed twice";
  return "";
}

}  // namespace

size_t PdMaxStores(size_t series_share) {
  return std::clamp<size_t>(series_share / kPdSeriesPerStore, 1, kPdMaxStores);
}

Status BoundPdData(size_t max_stores, size_t max_string_bytes, PdData* data,
                   std::vector<LimitNote>* notes) {
  if (data->members.size() > kPdMaxMembers) {
    notes->push_back({Limit::kPdMembers, std::to_string(data->members.size()) +
                                             " PD members, the first " +
                                             std::to_string(kPdMaxMembers) + " kept"});
    data->members.resize(kPdMaxMembers);
  }
  if (data->stores.size() > max_stores) {
    notes->push_back({Limit::kPdStores, std::to_string(data->stores.size()) +
                                            " PD stores, the first " + std::to_string(max_stores) +
                                            " kept"});
    data->stores.resize(max_stores);
  }
  StringCutter cutter(max_string_bytes);
  for (PdMember& member : data->members) {
    cutter.Cut(&member.name, "a PD member", "name");
    cutter.Cut(&member.version, member.name, "version");
    // A URL cut short would be asked as another address: one too long is left out instead.
    std::erase_if(member.client_urls, [&](const std::string& url) {
      return cutter.LeftOut(url, member.name, "client URL");
    });
  }

  const size_t listed = data->stores.size();
  std::vector<PdStore> valid;
  valid.reserve(listed);
  std::set<uint64_t> seen;
  for (size_t i = 0; i < listed; ++i) {
    PdStore& store = data->stores[i];
    if (std::string why = Invalid(store, seen); !why.empty()) {
      if (data->invalid_stores++ == 0) {
        data->invalid_store_example =
            "store #" + std::to_string(i + 1) + " of " + std::to_string(listed) + ": " + why;
      }
      continue;
    }
    seen.insert(store.id);
    const std::string owner = "store " + std::to_string(store.id);
    // Cut short, the address would name another host: it stays a label, never an address to call.
    store.address_cut = store.address.size() > max_string_bytes;
    cutter.Cut(&store.address, owner, "address");
    cutter.Cut(&store.status_address, owner, "status address");
    cutter.Cut(&store.version, owner, "version");
    cutter.Cut(&store.engine, owner, "engine label");
    valid.push_back(std::move(store));
  }
  data->stores = std::move(valid);
  cutter.Note(notes);
  if (listed > 0 && data->stores.empty()) {
    return Status::Malformed("PD /stores: none of the " + std::to_string(listed) +
                         " stores is valid (" + data->invalid_store_example + ")");
  }
  return Status::Ok();
}

}  // namespace tikv_exporter
