#include "http/client_ip.h"

#include <arpa/inet.h>

#include <cstring>

#include "util/numbers.h"

namespace cairn::http {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An address as 16 bytes, IPv4 in its v4-mapped form ::ffff:a.b.c.d.
bool ToBytes(std::string_view text, std::array<uint8_t, 16>* out) {
  if (text.size() > 45) return false;
  // "[::1]" (with a port stripped already) and a zone ("fe80::1%eth0").
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  text = text.substr(0, text.find('%'));
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  in_addr v4;
  if (inet_pton(AF_INET, buf, &v4) == 1) {
    out->fill(0);
    (*out)[10] = 0xff;
    (*out)[11] = 0xff;
    std::memcpy(out->data() + 12, &v4, 4);
    return true;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, buf, &v6) == 1) {
    std::memcpy(out->data(), &v6, 16);
    return true;
  }
  return false;
}

bool IsMappedV4(const std::array<uint8_t, 16>& b) {
  static const uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(b.data(), kPrefix, 12) == 0;
}

bool InRange(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& net, int prefix) {
  int full = prefix / 8;
  if (std::memcmp(a.data(), net.data(), static_cast<size_t>(full)) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (net[full] & mask);
}

}  // namespace

Result<ProxyTrust> ProxyTrust::Parse(std::string_view setting) {
  ProxyTrust t;
  setting = Trim(setting);
  if (setting.empty() || setting == "0" || setting == "false") return t;
  if (setting == "true") setting = "1";
  int64_t hops = 0;
  if (ParseDecimal(setting, 1, 16, &hops)) {
    t.hops_ = static_cast<int>(hops);
    return t;
  }
  size_t start = 0;
  while (start <= setting.size()) {
    size_t comma = setting.find(',', start);
    if (comma == std::string_view::npos) comma = setting.size();
    std::string_view item = Trim(setting.substr(start, comma - start));
    start = comma + 1;
    size_t slash = item.find('/');
    Range r;
    if (!ToBytes(item.substr(0, slash), &r.addr)) {
      return Status::InvalidArgument("not an address or CIDR range: " + std::string(item));
    }
    bool v4 = IsMappedV4(r.addr);
    r.prefix = 128;
    if (slash != std::string_view::npos) {
      int64_t bits = 0;
      if (!ParseDecimal(item.substr(slash + 1), 0, v4 ? 32 : 128, &bits)) {
        return Status::InvalidArgument("bad prefix length in " + std::string(item));
      }
      r.prefix = static_cast<int>(v4 ? bits + 96 : bits);
    }
    t.ranges_.push_back(r);
  }
  return t;
}

bool ProxyTrust::Trusted(std::string_view ip) const {
  std::array<uint8_t, 16> b;
  if (!ToBytes(ip, &b)) return false;
  for (const Range& r : ranges_) {
    if (InRange(b, r.addr, r.prefix)) return true;
  }
  return false;
}

std::string ProxyTrust::ClientIp(const httplib::Request& req) const {
  if (hops_ == 0 && ranges_.empty()) return req.remote_addr;
  // Several X-Forwarded-For headers count as one list, in order.
  std::string forwarded;
  auto range = req.headers.equal_range("X-Forwarded-For");
  for (auto it = range.first; it != range.second; ++it) {
    if (!forwarded.empty()) forwarded += ',';
    forwarded += it->second;
  }
  return ClientIp(req.remote_addr, forwarded);
}

std::string ProxyTrust::ClientIp(std::string_view peer, std::string_view forwarded_for) const {
  if (hops_ == 0 && ranges_.empty()) return std::string(peer);
  // The chain, oldest first: the X-Forwarded-For entries, then the peer.
  std::vector<std::string_view> chain;
  size_t start = 0;
  while (start < forwarded_for.size()) {
    size_t comma = forwarded_for.find(',', start);
    if (comma == std::string_view::npos) comma = forwarded_for.size();
    std::string_view item = Trim(forwarded_for.substr(start, comma - start));
    if (!item.empty()) chain.push_back(item);
    start = comma + 1;
  }
  chain.push_back(peer);
  size_t i = chain.size() - 1;
  if (hops_ > 0) {
    // Each trusted hop appended the address it saw: skip that many from the
    // right. With fewer entries than hops, the leftmost is all there is.
    i = chain.size() > static_cast<size_t>(hops_) ? chain.size() - 1 - hops_ : 0;
  } else {
    while (i > 0 && Trusted(chain[i])) --i;
  }
  std::array<uint8_t, 16> b;
  // A forged entry that is not an address at all is not a client either.
  if (!ToBytes(chain[i], &b)) return std::string(peer);
  return std::string(chain[i]);
}

std::string IpKey(std::string_view ip) {
  std::array<uint8_t, 16> b;
  if (!ToBytes(ip, &b)) return std::string(ip);
  char buf[INET6_ADDRSTRLEN];
  if (IsMappedV4(b)) {
    inet_ntop(AF_INET, b.data() + 12, buf, sizeof buf);
    return buf;
  }
  std::memset(b.data() + 8, 0, 8);
  inet_ntop(AF_INET6, b.data(), buf, sizeof buf);
  return std::string(buf) + "/64";
}

}  // namespace cairn::http
