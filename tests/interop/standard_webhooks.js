// Verifies one webhook delivery with the Standard Webhooks specification's
// own JavaScript library (npm `standardwebhooks`), as a receiver using it
// would: tests/api/webhooks_test.cpp captures a delivery Cairn really sent
// and runs
//   node tests/interop/standard_webhooks.js SECRET DELIVERY_FILE
// where the file holds {"headers": {name: value}, "body": "<raw body>"}.
// Exit 0 and the event id on stdout when the library accepts it; 1 and its
// error on stderr when it does not; 2 on bad usage or a missing package.
'use strict';

const fs = require('node:fs');

let Webhook;
try {
  ({ Webhook } = require('standardwebhooks'));
} catch (e) {
  console.error(`cannot load standardwebhooks (scripts/deps.sh test installs it): ${e.message}`);
  process.exit(2);
}

const [secret, file] = process.argv.slice(2);
if (!secret || !file) {
  console.error('usage: node standard_webhooks.js SECRET DELIVERY_FILE');
  process.exit(2);
}
const delivery = JSON.parse(fs.readFileSync(file, 'utf8'));
try {
  // The library takes the secret as shown ("whsec_..."), the raw body and
  // the request's headers; it checks the signature and the timestamp's age.
  const payload = new Webhook(secret).verify(delivery.body, delivery.headers);
  console.log(payload.id);
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
