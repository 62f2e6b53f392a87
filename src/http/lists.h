#pragma once

// The query side of API.md §7 for every list route: page/pageSize (alias
// limit), limit/offset, cursor, and sort (sort=createdAt&dir=desc or
// sort=-createdAt,email) against the route's whitelist; and the pagination
// object of the response. A bad value is 400 naming the parameter.
//
// The cursor is opaque to clients: base64url of the sort it was made for and
// the keys of the last row, so a cursor used with another sort is refused
// instead of silently skipping rows. An empty cursor asks for the first page
// in cursor style. Cursor pages carry no total: counting reads every
// matching row, the cost keyset paging exists to avoid.

#include <picojson.h>

#include <string>
#include <vector>

#include "http/httplib_config.h"
#include "http/router.h"
#include "store/list_query.h"
#include "util/status.h"

namespace cairn::http {

inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;

struct ListRequest {
  store::ListSpec spec;
  enum class Style { kPage, kOffset, kCursor } style = Style::kPage;
  int page = 1;
  std::string sort_key;  // canonical form of the sort, bound into cursors
};

// Reads paging and sort. default_sort is a sort expression ("-createdAt").
Result<ListRequest> ReadListRequest(const httplib::Request& req,
                                    const std::vector<store::SortColumn>& whitelist,
                                    const std::string& default_sort);

// The paging and sort parameters of a list route's OpenAPI entry, naming
// the sortable fields of its whitelist.
std::vector<QueryParam> ListQueryParams(const std::vector<store::SortColumn>& whitelist);

// Appended to a list route's OpenAPI description: the answer's shape.
inline constexpr char kPaginationNote[] =
    " Lists answer {success, data: [...], pagination: {page, pageSize, total, totalPages, "
    "hasNextPage, hasPreviousPage, nextCursor}}; cursor pages leave out total and totalPages.";

// Writes {"success": true, "data": items, "pagination": {...}}.
void WriteList(httplib::Response& res, picojson::array items, const ListRequest& list,
               const store::ListResult& result);
// The same with the items already written as a JSON array (`[...]`), for
// pages whose rows are appended as text (AppendTransactionItem).
void WriteListJson(httplib::Response& res, std::string items_json, const ListRequest& list,
                   const store::ListResult& result);

// A search parameter: empty, or 2-100 characters (else 400).
Result<std::string> ReadSearch(const httplib::Request& req);

// Range filters: <field>[gte] and <field>[lte] (API.md §7), each optional.
// Times are ISO 8601 UTC or plain dates; a date as the upper bound means the
// end of that day. Unix seconds, 0 when absent.
Status ReadTimeRange(const httplib::Request& req, const std::string& field, int64_t* from,
                     int64_t* to);
// Amounts (at most two decimals) in minor units, -1 when absent.
Status ReadAmountRange(const httplib::Request& req, const std::string& field, int64_t* min,
                       int64_t* max);

}  // namespace cairn::http
