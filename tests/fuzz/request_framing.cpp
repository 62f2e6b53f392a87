// Fuzz target: http::FrameRequest, which decides from a client's raw bytes
// when the connection gate hands a request to a worker. The input is what a
// connection has received; the limits are small so that every limit is
// reached.
//
// Beyond not crashing, it checks:
//  - the header size, once known, lies within what was received, and the
//    Expect line to drop lies within the header and is one whole line;
//  - more bytes never undo a decision: a prefix that is complete, or
//    refused as too large, stays so with everything after it (the gate must
//    never wait on a request it already handed over, nor serve one it
//    refused);
//  - a request framed as incomplete is no longer than the header limit,
//    three times the body limit and a chunk line (the most a chunked body
//    of tiny chunks may take on the wire before it is handed over as it
//    is): a client cannot make the gate buffer without bound. The gate's
//    own buffer cap is above this.

#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/request_framing.h"

namespace cairn::http {
namespace {

FramingLimits Limits() {
  FramingLimits l;
  l.max_request_line = 96;
  l.max_header_bytes = 384;
  l.max_body_bytes = 64;
  l.max_chunk_line = 24;
  return l;
}

bool Decided(Framing::State s) { return s != Framing::State::kIncomplete; }

}  // namespace
}  // namespace cairn::http

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cairn;
  using namespace cairn::http;
  std::string_view all = fuzz::AsText(data, size);
  const FramingLimits limits = Limits();
  Framing whole = FrameRequest(all, limits);

  FUZZ_CHECK(whole.header_size <= all.size());
  if (whole.state == Framing::State::kIncomplete) {
    FUZZ_CHECK(all.size() <= limits.max_header_bytes + 3 * limits.max_body_bytes +
                                 limits.max_chunk_line + 2);
  }
  if (whole.awaits_continue) {
    FUZZ_CHECK(whole.state == Framing::State::kIncomplete);
    FUZZ_CHECK(whole.expect_begin < whole.expect_end);
    FUZZ_CHECK(whole.expect_end <= whole.header_size);
    FUZZ_CHECK(all[whole.expect_end - 1] == '\n');
    FUZZ_CHECK(whole.expect_begin == 0 || all[whole.expect_begin - 1] == '\n');
    std::string_view line = all.substr(whole.expect_begin, whole.expect_end - whole.expect_begin);
    FUZZ_CHECK(line.size() > 7 && (line[0] == 'E' || line[0] == 'e'));
  }

  // Every prefix that was already decided must have decided the same.
  for (size_t cut = 0; cut < all.size(); ++cut) {
    Framing part = FrameRequest(all.substr(0, cut), limits);
    if (Decided(part.state)) {
      FUZZ_CHECK(part.state == whole.state);
      FUZZ_CHECK(part.header_size == whole.header_size);
    }
  }
  return 0;
}
