#pragma once

// Where one HTTP/1.1 request ends in the bytes received so far on a
// connection. The connection gate (http/connection_gate.h) holds a
// connection until FrameRequest says a worker can read the whole request
// from memory, so a client that sends slowly, or not at all, costs a buffer
// and never a worker thread.
//
// The rules are cpp-httplib's and the pipeline's, read the way they will
// read the request:
//   - the header ends at the first line after the request line that is
//     exactly CRLF (httplib skips lines ending in a bare LF);
//   - a body is awaited only when the pipeline will let httplib read it: a
//     valid Content-Length within the body limit with no Transfer-Encoding,
//     or Transfer-Encoding: chunked alone, whose chunks are walked to the
//     last one and its trailers;
//   - anything else (no body, a body over the limit, a malformed length or
//     chunk) is complete at the end of the header: the pipeline or httplib
//     refuses it without reading on, and any read it does make is bounded
//     by the request's deadline (ConnectionStream).

#include <cstddef>
#include <string_view>

namespace cairn::http {

struct FramingLimits {
  size_t max_request_line = 8192;       // CPPHTTPLIB_REQUEST_URI_MAX_LENGTH
  size_t max_header_bytes = 8192 + 16 * 1024 + 4;  // request line, headers, blank line
  size_t max_body_bytes = 10 * 1024;    // MAX_BODY_BYTES
  size_t max_chunk_line = 1024;         // a chunk-size line with its extensions
};

struct Framing {
  enum class State {
    kIncomplete,      // wait for more bytes
    kComplete,        // a worker can read the request without waiting
    kUriTooLong,      // no end of the request line within its limit: 414
    kHeaderTooLarge,  // no end of the header within its limit: 431
  };
  State state = State::kIncomplete;
  size_t header_size = 0;  // bytes up to and including the blank line, once known
  // The header is complete, the body is still to come, and the client waits
  // for "100 Continue" before sending it. [expect_begin, expect_end) is the
  // Expect line, which the gate removes once it has answered it, so that
  // httplib does not answer it a second time.
  bool awaits_continue = false;
  size_t expect_begin = 0;
  size_t expect_end = 0;
};

Framing FrameRequest(std::string_view received, const FramingLimits& limits);

}  // namespace cairn::http
