#pragma once

// Transactions as JSON (API.md §9): the list item, the full view (answers to
// the payment POSTs and GET /transactions/{id}), the receipt and the
// disclosure, with their JSON Schemas for the OpenAPI document. Amounts are
// numbers with at most two decimals (payments/money.h).

#include <picojson.h>

#include <string>

#include "payments/transactions.h"
#include "store/transactions.h"

namespace cairn::http {

// A list row, appended to out as JSON. amount is negative: the list shows
// money going out. Written straight into the page's text rather than built
// as a picojson tree first: for a page of 20 rows the tree (a map node and
// strings per field) cost more CPU in malloc than SQLite spent on the query.
void AppendTransactionItem(std::string& out, const store::TransactionRow& t);
// Everything about one transaction, by type.
picojson::value TransactionJson(const store::TransactionRow& t);
picojson::value ReceiptJson(const store::TransactionRow& t);
picojson::value QuoteJson(const payments::Quote& q);
picojson::value SummaryJson(const payments::Summary& s);

extern const char kTransactionItemSchema[];
extern const char kTransactionSchema[];
extern const char kReceiptSchema[];
extern const char kQuoteSchema[];
std::string SummarySchema();

}  // namespace cairn::http
