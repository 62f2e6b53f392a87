#include "http/webhook_client.h"

#include "http/httplib_config.h"

namespace cairn::http {

namespace {

constexpr size_t kMaxAnswerBytes = 64 * 1024;

std::string HostPort(const events::WebhookUrl& url) {
  // IPv6 literals are bracketed in URLs and Host headers.
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  return host + ":" + std::to_string(url.port);
}

}  // namespace

HttpWebhookSender::HttpWebhookSender() : watchdog_([this] { Watch(); }) {}

HttpWebhookSender::~HttpWebhookSender() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  watchdog_.join();
}

void HttpWebhookSender::Watch() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    auto now = std::chrono::steady_clock::now();
    auto next = now + std::chrono::seconds(1);
    for (auto& [ticket, a] : active_) {
      if (a.deadline <= now) {
        // Thread-safe in httplib: shuts the socket down under the sender.
        a.client->stop();
        a.deadline = now + std::chrono::hours(1);  // once
      } else if (a.deadline < next) {
        next = a.deadline;
      }
    }
    wake_.wait_until(lock, next);
  }
}

events::SendOutcome HttpWebhookSender::Send(const events::OutgoingRequest& r) {
  httplib::Client client("http://" + HostPort(r.url));
  // Connect to the address that was checked, under the URL's host name.
  client.set_hostname_addr_map({{r.url.host, r.address.ToString()}});
  client.set_follow_location(false);
  client.set_keep_alive(false);
  client.set_connection_timeout(std::chrono::duration_cast<std::chrono::microseconds>(
      r.connect_timeout));
  client.set_read_timeout(std::chrono::duration_cast<std::chrono::microseconds>(r.total_timeout));
  client.set_write_timeout(std::chrono::duration_cast<std::chrono::microseconds>(r.total_timeout));

  httplib::Request req;
  req.method = "POST";
  req.path = r.url.target;
  for (const auto& [name, value] : r.headers) req.headers.emplace(name, value);
  req.headers.emplace("Content-Type", "application/json");
  req.body = r.body;
  size_t received = 0;
  bool too_long = false;
  req.content_receiver = [&received, &too_long](const char*, size_t n, uint64_t, uint64_t) {
    received += n;
    too_long = received > kMaxAnswerBytes;
    return !too_long;
  };

  uint64_t ticket;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ticket = next_ticket_++;
    active_[ticket] = {&client, std::chrono::steady_clock::now() + r.total_timeout};
  }
  wake_.notify_all();
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  bool ok = client.send(req, res, error);
  bool timed_out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    timed_out = active_[ticket].deadline - std::chrono::steady_clock::now() >
                std::chrono::minutes(30);
    active_.erase(ticket);
  }

  events::SendOutcome out;
  // An answer whose status line and headers arrived counts, even when its
  // body was cut off: the receiver has spoken.
  if (ok || (too_long && res.status > 0)) {
    out.status = res.status;
    return out;
  }
  if (timed_out) {
    out.error = "timed out after " + std::to_string(r.total_timeout.count()) + " ms";
  } else if (error == httplib::Error::Connection) {
    out.error = "connection failed";
  } else if (error == httplib::Error::ConnectionTimeout) {
    out.error = "connect timed out after " + std::to_string(r.connect_timeout.count()) + " ms";
  } else {
    out.error = httplib::to_string(error);
  }
  return out;
}

}  // namespace cairn::http
