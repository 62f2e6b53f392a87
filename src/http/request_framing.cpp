#include "http/request_framing.h"

#include <cstdint>

namespace cairn::http {
namespace {

using State = Framing::State;

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                        s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// What the header says about the body. Like httplib, the first of repeated
// fields counts.
struct BodyFields {
  bool has_length = false;
  bool length_valid = false;  // digits only, as httplib requires
  uint64_t length = 0;        // saturates instead of overflowing
  bool has_transfer_encoding = false;
  bool chunked = false;
  bool expect_continue = false;
  size_t expect_begin = 0;
  size_t expect_end = 0;
};

void ReadLength(std::string_view value, BodyFields* f) {
  f->has_length = true;
  f->length_valid = !value.empty();
  for (char c : value) {
    if (c < '0' || c > '9') {
      f->length_valid = false;
      return;
    }
    uint64_t digit = static_cast<uint64_t>(c - '0');
    f->length = f->length > (UINT64_MAX - digit) / 10 ? UINT64_MAX : f->length * 10 + digit;
  }
}

// Header lines are [begin, end) of `received`, each ending in '\n'.
void ReadField(std::string_view line, size_t line_begin, BodyFields* f) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return;
  std::string_view name = line.substr(0, colon);
  std::string_view value = TrimSpace(line.substr(colon + 1));
  if (EqualsIgnoringCase(name, "Content-Length")) {
    if (!f->has_length) ReadLength(value, f);
  } else if (EqualsIgnoringCase(name, "Transfer-Encoding")) {
    if (!f->has_transfer_encoding) f->chunked = EqualsIgnoringCase(value, "chunked");
    f->has_transfer_encoding = true;
  } else if (EqualsIgnoringCase(name, "Expect")) {
    // httplib compares the first Expect value exactly.
    if (f->expect_end == 0) {
      f->expect_continue = value == "100-continue";
      f->expect_begin = line_begin;
      f->expect_end = line_begin + line.size();
    }
  }
}

enum class LineRead { kLine, kWait, kTooLong };

// The line at pos through its '\n', if it has arrived within `max` bytes;
// kWait while it still may.
LineRead LineAt(std::string_view received, size_t pos, size_t max, std::string_view* line) {
  size_t nl = received.find('\n', pos);
  if (nl == std::string_view::npos) {
    return received.size() - pos > max ? LineRead::kTooLong : LineRead::kWait;
  }
  *line = received.substr(pos, nl + 1 - pos);
  return line->size() > max ? LineRead::kTooLong : LineRead::kLine;
}

// Walks chunks from `pos`. Complete at the terminating blank line, or as
// soon as the body is malformed or over the limit (httplib will refuse it).
State FrameChunks(std::string_view received, size_t pos, const FramingLimits& limits) {
  const size_t body_start = pos;
  // Tiny chunks cost more framing than data; past this much on the wire the
  // body is handed over as it is and httplib's limit decides.
  const size_t max_wire = 2 * limits.max_body_bytes + limits.max_chunk_line;
  uint64_t total = 0;
  for (;;) {
    if (pos - body_start > max_wire) return State::kComplete;
    std::string_view line;
    LineRead read = LineAt(received, pos, limits.max_chunk_line, &line);
    if (read != LineRead::kLine) return read == LineRead::kWait ? State::kIncomplete : State::kComplete;
    uint64_t size = 0;
    size_t digits = 0;
    for (char c : line) {
      int v = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (v < 0) break;
      if (size > (limits.max_body_bytes + 1)) break;  // already over; stop before overflowing
      size = size * 16 + static_cast<uint64_t>(v);
      ++digits;
    }
    if (digits == 0) return State::kComplete;  // httplib: malformed chunk size
    pos += line.size();
    if (size == 0) break;
    total += size;
    if (total > limits.max_body_bytes) return State::kComplete;
    if (received.size() - pos < size + 2) return State::kIncomplete;  // data and its CRLF
    pos += size + 2;
  }
  // Trailer fields, then the blank line.
  for (;;) {
    if (pos - body_start > max_wire) return State::kComplete;
    std::string_view line;
    LineRead read = LineAt(received, pos, limits.max_chunk_line, &line);
    if (read != LineRead::kLine) return read == LineRead::kWait ? State::kIncomplete : State::kComplete;
    if (line == "\r\n") return State::kComplete;
    pos += line.size();
  }
}

}  // namespace

Framing FrameRequest(std::string_view received, const FramingLimits& limits) {
  Framing out;
  // httplib's limit counts the line with its CRLF.
  size_t request_line_end = received.find('\n');
  size_t request_line_size =
      request_line_end == std::string_view::npos ? received.size() : request_line_end + 1;
  if (request_line_size > limits.max_request_line) {
    out.state = State::kUriTooLong;
    return out;
  }
  if (request_line_end == std::string_view::npos) return out;

  BodyFields fields;
  size_t pos = request_line_end + 1;
  for (;;) {
    size_t nl = received.find('\n', pos);
    if (nl == std::string_view::npos || nl + 1 > limits.max_header_bytes) {
      if (received.size() > limits.max_header_bytes) out.state = State::kHeaderTooLarge;
      return out;
    }
    std::string_view line = received.substr(pos, nl + 1 - pos);
    pos = nl + 1;
    if (line == "\r\n") break;
    // httplib skips a line that does not end in CRLF, so it is no field.
    if (line.size() >= 2 && line[line.size() - 2] == '\r') ReadField(line, pos - line.size(), &fields);
  }
  out.header_size = pos;

  size_t body_needed = 0;
  if (fields.has_transfer_encoding) {
    // The pipeline refuses a Transfer-Encoding with a Content-Length, or one
    // other than chunked, without reading the body.
    if (!fields.chunked || fields.has_length) {
      out.state = State::kComplete;
      return out;
    }
    out.state = FrameChunks(received, pos, limits);
  } else if (fields.has_length && fields.length_valid && fields.length > 0 &&
             fields.length <= limits.max_body_bytes) {
    body_needed = static_cast<size_t>(fields.length);
    out.state = received.size() - pos >= body_needed ? State::kComplete : State::kIncomplete;
  } else {
    out.state = State::kComplete;
  }

  if (out.state == State::kIncomplete && fields.expect_continue) {
    out.awaits_continue = true;
    out.expect_begin = fields.expect_begin;
    out.expect_end = fields.expect_end;
  }
  return out;
}

}  // namespace cairn::http
