'use strict';
// Express 5 hello world: the "typical Node API server" peer in bench/run.sh.
// Kept to the minimum an Express app would have (no middleware) so the figure
// is Express itself, not whatever a real app stacks on top of it.
const express = require('express');

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('server.js: set PORT to the port to listen on');
  process.exit(2);
}

const app = express();
// The X-Powered-By header is the only default an API would normally turn off.
app.disable('x-powered-by');

app.get('/health', (req, res) => {
  res.json({ status: 'ok' });
});

// Loopback only: the benchmark never exposes anything to the network.
const server = app.listen(port, '127.0.0.1', (err) => {
  if (err) {
    console.error(`server.js: ${err.message}`);
    process.exit(1);
  }
});

// run.sh stops the peer with SIGTERM; exit promptly rather than waiting for
// wrk's keep-alive connections to drain.
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
