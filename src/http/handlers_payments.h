#pragma once

// The payments domain's routes (API.md §9, §13), registered by area.

#include "http/router.h"

namespace cairn::payments {
class BankAccounts;
class Recipients;
class Transactions;
class Merchants;
class Notifications;
class Compliance;
class Cards;
}

namespace cairn::http {

struct PaymentDeps {
  payments::BankAccounts* bank_accounts = nullptr;
  payments::Recipients* recipients = nullptr;
  payments::Transactions* transactions = nullptr;
  payments::Merchants* merchants = nullptr;
  payments::Notifications* notifications = nullptr;
  payments::Compliance* compliance = nullptr;
  payments::Cards* cards = nullptr;
  bool cards_enabled = false;  // FEATURE_CARDS: the card routes exist only when set
  int64_t rates_updated_at = 0;  // when the rate table was loaded (Unix seconds)
};

// deps must outlive the router's use; its members may be null when only the
// OpenAPI document is built.
void RegisterBankAccountRoutes(Router& router, PaymentDeps* deps);
void RegisterRateRoutes(Router& router, PaymentDeps* deps);
void RegisterRecipientRoutes(Router& router, PaymentDeps* deps);
void RegisterTransactionRoutes(Router& router, PaymentDeps* deps);
void RegisterMerchantRoutes(Router& router, PaymentDeps* deps);
void RegisterNotificationRoutes(Router& router, PaymentDeps* deps);
void RegisterComplianceRoutes(Router& router, PaymentDeps* deps);
void RegisterCardRoutes(Router& router, PaymentDeps* deps);

}  // namespace cairn::http
