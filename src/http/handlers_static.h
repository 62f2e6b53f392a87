#pragma once

// The web pages: the console (GET /), the API reference (GET /docs) and the
// files they load (GET /assets/{file}), served from static/ as compiled into
// the binary (util/embedded.h); nothing is read from disk.
//
// They are routes in the one table, so the pipeline gives them its headers
// (the strict Content-Security-Policy on HTML among them), but they are not
// API operations: the body is the file itself, not the envelope (only a
// missing file is the usual 404 envelope), they are left out of the OpenAPI
// document and discovery (RouteDoc::published), and they are not rate
// limited (they cost no more than /health: a lookup in memory).
//
// Every answer carries a strong ETag made from the content's SHA-256 and
// Cache-Control: no-cache: a browser keeps its copy and revalidates it, and
// a matching If-None-Match is 304 with no body. Asset names are looked up as
// they are in the embedded list, so a path can name nothing else (no "..",
// no subfolders, no encoded slash).

#include <span>
#include <string_view>

#include "http/router.h"
#include "util/embedded.h"

namespace cairn::http {

// Declares GET /, GET /docs and GET /assets/{file} over files (usually
// embedded::StaticFiles()), whose bytes must outlive the router.
void RegisterStaticRoutes(Router& router, std::span<const embedded::File> files);

// The Content-Type for a file name, by its extension
// (application/octet-stream when unknown).
std::string_view ContentTypeFor(std::string_view name);

// Whether an If-None-Match header value names etag (RFC 9110 §13.1.2: "*",
// or a comma list of entity tags compared weakly, W/ ignored).
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

}  // namespace cairn::http
