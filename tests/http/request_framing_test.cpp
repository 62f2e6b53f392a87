#include "http/request_framing.h"

#include <doctest/doctest.h>

#include <string>

namespace cairn::http {
namespace {

using State = Framing::State;

FramingLimits Limits() {
  FramingLimits l;
  l.max_request_line = 64;
  l.max_header_bytes = 256;
  l.max_body_bytes = 32;
  l.max_chunk_line = 16;
  return l;
}

State StateOf(const std::string& received) { return FrameRequest(received, Limits()).state; }

const std::string kGet = "GET /health HTTP/1.1\r\nHost: x\r\n";
const std::string kPost = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n";

TEST_CASE("a request without a body is complete at the blank line, not before") {
  CHECK(StateOf("") == State::kIncomplete);
  CHECK(StateOf("GET /hea") == State::kIncomplete);
  CHECK(StateOf(kGet) == State::kIncomplete);
  CHECK(StateOf(kGet + "\r") == State::kIncomplete);
  Framing f = FrameRequest(kGet + "\r\n", Limits());
  CHECK(f.state == State::kComplete);
  CHECK(f.header_size == kGet.size() + 2);
  // Only a CRLF line ends the header, as httplib reads it; a request line
  // followed by CRLF alone is a request without fields.
  CHECK(StateOf("GET / HTTP/1.1\r\n\r\n") == State::kComplete);
  CHECK(StateOf(kGet + "\n") == State::kIncomplete);
  CHECK(StateOf(kGet + "X: y\n\r\n") == State::kComplete);
}

TEST_CASE("a body of Content-Length bytes is awaited in full") {
  std::string head = kPost + "Content-Length: 5\r\n\r\n";
  CHECK(StateOf(head) == State::kIncomplete);
  CHECK(StateOf(head + "1234") == State::kIncomplete);
  CHECK(StateOf(head + "12345") == State::kComplete);
  // The next request pipelined behind it changes nothing.
  CHECK(StateOf(head + "12345" + kGet) == State::kComplete);
  // Field names in any case, the value with spaces around it.
  CHECK(StateOf(kPost + "content-LENGTH:   5 \r\n\r\n1234") == State::kIncomplete);
  // The first of repeated fields counts, as in httplib.
  CHECK(StateOf(kPost + "Content-Length: 2\r\nContent-Length: 9\r\n\r\nab") == State::kComplete);
}

TEST_CASE("a body the pipeline refuses unread is not awaited") {
  // Over the limit: 413 from the headers alone.
  CHECK(StateOf(kPost + "Content-Length: 33\r\n\r\n") == State::kComplete);
  CHECK(StateOf(kPost + "Content-Length: 99999999999999999999999999\r\n\r\n") == State::kComplete);
  // Not a number, zero, or none at all.
  CHECK(StateOf(kPost + "Content-Length: 5x\r\n\r\n") == State::kComplete);
  CHECK(StateOf(kPost + "Content-Length: -5\r\n\r\n") == State::kComplete);
  CHECK(StateOf(kPost + "Content-Length: \r\n\r\n") == State::kComplete);
  CHECK(StateOf(kPost + "Content-Length: 0\r\n\r\n") == State::kComplete);
  CHECK(StateOf(kPost + "\r\n") == State::kComplete);
  // A coding other than chunked, or both framings: 400.
  CHECK(StateOf(kPost + "Transfer-Encoding: gzip\r\n\r\n") == State::kComplete);
  CHECK(StateOf(kPost + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n") ==
        State::kComplete);
}

TEST_CASE("a chunked body is awaited to its last chunk and the blank line after it") {
  std::string head = kPost + "Transfer-Encoding: Chunked\r\n\r\n";
  CHECK(StateOf(head) == State::kIncomplete);
  CHECK(StateOf(head + "5\r\nhel") == State::kIncomplete);
  CHECK(StateOf(head + "5\r\nhello\r\n") == State::kIncomplete);
  CHECK(StateOf(head + "5\r\nhello\r\n0\r\n") == State::kIncomplete);
  CHECK(StateOf(head + "5\r\nhello\r\n0\r\n\r\n") == State::kComplete);
  CHECK(StateOf(head + "5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\n\r\n") == State::kComplete);
  // Trailer fields before the blank line.
  CHECK(StateOf(head + "0\r\nX-T: 1\r\n") == State::kIncomplete);
  CHECK(StateOf(head + "0\r\nX-T: 1\r\n\r\n") == State::kComplete);
}

TEST_CASE("a chunked body that is malformed or too large is handed over at once") {
  std::string head = kPost + "Transfer-Encoding: chunked\r\n\r\n";
  CHECK(StateOf(head + "zz\r\n") == State::kComplete);              // no size
  CHECK(StateOf(head + "21\r\n") == State::kComplete);              // 33 > 32
  CHECK(StateOf(head + "10\r\n0123456789abcdef\r\n11\r\n") == State::kComplete);  // 16 + 17
  CHECK(StateOf(head + "ffffffffffffffffffffffff\r\n") == State::kComplete);
  CHECK(StateOf(head + std::string(17, '1')) == State::kComplete);  // size line too long
  CHECK(StateOf(head + "0\r\n" + std::string(17, 'x')) == State::kComplete);
  // Many one-byte chunks: past twice the body limit on the wire, it goes on
  // as it is and httplib's own limit decides.
  std::string tiny;
  for (int i = 0; i < 32; ++i) tiny += "1\r\nx\r\n";
  CHECK(StateOf(head + tiny) == State::kComplete);
}

TEST_CASE("a request line or header past its limit is refused, not awaited") {
  CHECK(StateOf(std::string(64, 'G')) == State::kIncomplete);
  CHECK(StateOf(std::string(65, 'G')) == State::kUriTooLong);
  // Ended or not, a line over the limit is 414 (httplib counts its CRLF).
  CHECK(StateOf("GET /" + std::string(80, 'a') + " HTTP/1.1\r\n\r\n") == State::kUriTooLong);
  CHECK(StateOf("GET /" + std::string(48, 'a') + " HTTP/1.1\r\n\r\n") == State::kComplete);
  CHECK(StateOf("GET /" + std::string(49, 'a') + " HTTP/1.1\r\n\r\n") == State::kUriTooLong);
  std::string fields = kGet;
  while (fields.size() <= 256) fields += "X-Pad: 0123456789\r\n";
  CHECK(StateOf(fields) == State::kHeaderTooLarge);
  CHECK(StateOf(fields + "\r\n") == State::kHeaderTooLarge);
  // Within the limit it is complete, whatever httplib then makes of it.
  CHECK(StateOf(kGet + "X-Pad: 0123456789\r\n\r\n") == State::kComplete);
}

TEST_CASE("Expect: 100-continue is reported while the body is awaited, with its line") {
  std::string expect = "Expect: 100-continue\r\n";
  std::string head = kPost + expect + "Content-Length: 5\r\n\r\n";
  Framing f = FrameRequest(head, Limits());
  CHECK(f.state == State::kIncomplete);
  REQUIRE(f.awaits_continue);
  CHECK(head.substr(f.expect_begin, f.expect_end - f.expect_begin) == expect);
  // Once the line is gone, nothing is awaited any more but the body.
  std::string without = head;
  without.erase(f.expect_begin, f.expect_end - f.expect_begin);
  CHECK_FALSE(FrameRequest(without, Limits()).awaits_continue);
  // Body already there, body refused, or another expectation: nothing to answer.
  CHECK_FALSE(FrameRequest(head + "12345", Limits()).awaits_continue);
  CHECK_FALSE(FrameRequest(kPost + expect + "Content-Length: 99\r\n\r\n", Limits()).awaits_continue);
  CHECK_FALSE(FrameRequest(kPost + "Expect: 200-ok\r\nContent-Length: 5\r\n\r\n", Limits())
                  .awaits_continue);
}

}  // namespace
}  // namespace cairn::http
