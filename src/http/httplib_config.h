#pragma once

// The one way Cairn includes cpp-httplib: its compile-time limits are set here
// so every translation unit sees the same Server layout.

// Whole request line; longer is 414 before routing.
#define CPPHTTPLIB_REQUEST_URI_MAX_LENGTH 8192
// Per header line and number of header lines; past either, httplib answers
// 400. The total is checked again in the middleware (kMaxHeaderBytes).
#define CPPHTTPLIB_HEADER_MAX_LENGTH 8192
#define CPPHTTPLIB_HEADER_MAX_COUNT 64
// wrk and browsers open many connections at once; httplib's default backlog
// of 5 drops SYNs under such bursts and costs a 1 s retransmit.
#define CPPHTTPLIB_LISTEN_BACKLOG 1024
#define CPPHTTPLIB_TCP_NODELAY true
// poll(2) instead of select(2) for every socket wait: select is limited to
// FD_SETSIZE (1024) descriptors and scans a bitmap up to the highest one.
#define CPPHTTPLIB_USE_POLL
// OpenSSL (3, linked statically), for https webhook deliveries
// (http/webhook_client.h). It changes the layout of Request, Stream and the
// clients, so it is defined here, for every translation unit, or for none.
#define CPPHTTPLIB_OPENSSL_SUPPORT

#include <httplib.h>
