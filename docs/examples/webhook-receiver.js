// A webhook receiver for Cairn that verifies every delivery before acting on
// it. Node.js 18 or later, no packages.
//
//   WEBHOOK_SECRET=whsec_... node webhook-receiver.js [port]
//
// It listens on 127.0.0.1:port (default 4000), path /webhook. A delivery
// whose signature or timestamp does not check out is answered 400 and not
// acted on; a verified one is printed as one JSON line and answered 204. A
// delivery seen before (the same event id: a retry or a redelivery) is
// answered 204 again without acting twice.
//
// Cairn signs each delivery two ways (docs/API.md §10); this checks both,
// though a receiver needs only one:
//   X-Webhook-Signature: hex HMAC-SHA256(secret as shown, timestamp + "." + body)
//   webhook-signature:   "v1," + base64 HMAC-SHA256(base64-decoded secret after
//                        "whsec_", id + "." + timestamp + "." + body)
// The second is the Standard Webhooks scheme: its libraries (npm
// `standardwebhooks`, and others for most languages) verify it as they are.
'use strict';

const crypto = require('node:crypto');
const http = require('node:http');

const SECRET = process.env.WEBHOOK_SECRET || '';
const PORT = Number(process.argv[2] || 4000);
// A timestamp further than this from our clock is refused: a captured
// delivery replayed later is stale.
const TOLERANCE_SECONDS = 5 * 60;

if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(SECRET)) {
  console.error('set WEBHOOK_SECRET to the secret Cairn showed when the webhook was registered');
  process.exit(2);
}

function sameBytes(a, b) {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

// Returns null when the delivery is genuine, else why not.
function verify(headers, body) {
  const id = headers['x-webhook-id'];
  const timestamp = headers['x-webhook-timestamp'];
  const signature = headers['x-webhook-signature'];
  if (!id || !/^\d+$/.test(timestamp || '') || !/^[0-9a-f]{64}$/.test(signature || '')) {
    return 'missing or malformed signature headers';
  }
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) {
    return 'timestamp outside the tolerance';
  }
  // Sign the raw bytes received, never a re-serialised parse of them.
  const expected = crypto.createHmac('sha256', SECRET)
    .update(`${timestamp}.`).update(body).digest();
  if (!sameBytes(Buffer.from(signature, 'hex'), expected)) return 'bad X-Webhook-Signature';

  // The Standard Webhooks signature: same id and time, its own key and input.
  if (headers['webhook-id'] !== id || headers['webhook-timestamp'] !== timestamp) {
    return 'webhook-id or webhook-timestamp differ from the X-Webhook- headers';
  }
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  const standard = crypto.createHmac('sha256', key)
    .update(`${id}.${timestamp}.`).update(body).digest();
  const offered = (headers['webhook-signature'] || '').split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  if (!offered.some((sig) => sameBytes(sig, standard))) return 'bad webhook-signature';
  return null;
}

const seen = new Set();  // event ids acted on; a real receiver keeps these in its database

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/webhook') {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > 1 << 20) req.destroy();  // deliveries are small; refuse floods
    chunks.push(c);
  });
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const why = verify(req.headers, body);
    if (why) {
      console.error(JSON.stringify({ refused: why }));
      res.writeHead(400).end();
      return;
    }
    const event = JSON.parse(body.toString('utf8'));
    if (!seen.has(event.id)) {
      seen.add(event.id);
      // Act on the event here: it is genuine and new.
      console.log(JSON.stringify({ verified: event.id, type: event.type }));
    }
    res.writeHead(204).end();
  });
});

server.listen(PORT, '127.0.0.1', () => {
  console.error(`listening on http://127.0.0.1:${PORT}/webhook`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
