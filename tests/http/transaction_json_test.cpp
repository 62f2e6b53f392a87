#include "http/transaction_json.h"

#include <doctest/doctest.h>

#include <string>

namespace cairn::http {
namespace {

store::TransactionRow Row() {
  store::TransactionRow t;
  t.id = "tx_rem_0123456789abcdef";
  t.type = "remittance";
  t.status = "processing";
  t.amount = 200000;  // 2,000 NOK
  t.currency = "NOK";
  t.fee = 1000;
  t.total = 201000;
  t.recipient_name = "Ana \"Anči\" Kovač";
  t.created_at = 1767225600;  // 2026-01-01T00:00:00Z
  t.updated_at = 1767225661;
  return t;
}

TEST_CASE("a list row is written as JSON with sorted keys, money going out negative") {
  std::string out;
  AppendTransactionItem(out, Row());
  CHECK(out ==
        R"({"amount":-2000,"createdAt":"2026-01-01T00:00:00Z","currency":"NOK","fee":10,)"
        R"("id":"tx_rem_0123456789abcdef","recipientName":"Ana \"Anči\" Kovač",)"
        R"("status":"processing","total":2010,"type":"remittance",)"
        R"("updatedAt":"2026-01-01T00:01:01Z"})");
}

TEST_CASE("a QR list row names its merchant, keeps its decimals, and appends to what is there") {
  store::TransactionRow t = Row();
  t.id = "tx_qr_0123456789abcdef";
  t.type = "qr_payment";
  t.status = "completed";
  t.amount = 129;
  t.fee = 1;
  t.total = 130;
  t.recipient_name.clear();
  t.merchant_name = "Kiosk\n1";
  std::string out = "[";
  AppendTransactionItem(out, t);
  CHECK(out ==
        R"([{"amount":-1.29,"createdAt":"2026-01-01T00:00:00Z","currency":"NOK","fee":0.01,)"
        R"("id":"tx_qr_0123456789abcdef","merchantName":"Kiosk\n1","status":"completed",)"
        R"("total":1.3,"type":"qr_payment","updatedAt":"2026-01-01T00:01:01Z"})");
}

}  // namespace
}  // namespace cairn::http
