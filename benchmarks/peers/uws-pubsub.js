// uWebSockets.js pub/sub peer for benchmarks/run.sh peer-probe.
// Every WebSocket connection subscribes to topic "guild"; any text message a connection sends is published to
// "guild" (the sender is subscribed too, so it gets its own message back, as a NATS subscriber would).
// Usage: node uws-pubsub.js PORT   (listens on 127.0.0.1 only; prints "uws listening on 127.0.0.1:PORT")
'use strict';
const path = require('path');
const modDir = process.env.UWS_MODULE_DIR || path.join(__dirname, 'node_modules');
const uWS = require(path.join(modDir, '@trufflesuite', 'uws-js-unofficial'));
const port = Number(process.argv[2] || 0);
const app = uWS.App();
app.ws('/*', {
  compression: uWS.DISABLED,
  maxPayloadLength: 64 * 1024,
  maxBackpressure: 64 * 1024 * 1024,
  idleTimeout: 0,
  sendPingsAutomatically: false,
  open: (ws) => { ws.subscribe('guild'); },
  message: (ws, message, isBinary) => { app.publish('guild', message, isBinary); },
});
app.listen('127.0.0.1', port, (token) => {
  if (!token) { console.error('uws: listen failed on port ' + port); process.exit(1); }
  console.log('uws listening on 127.0.0.1:' + uWS.us_socket_local_port(token));
});
process.on('SIGTERM', () => process.exit(0));
