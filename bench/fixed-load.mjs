// A fixed number of keep-alive GET / to one proxy (127.0.0.1 only), for bench/instructions.sh:
// a count, not a duration, so that two runs execute the same requests.
//
//   node fixed-load.mjs <port> <requests> <connections> [cookie-file]
//
// With a cookie file (harvest.mjs writes one) request i sends its line i mod n as Cookie.
// Prints one JSON line {requests, errors, ms}; exits 1 when any request failed. Bounded: 120 s.
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [portArg, requestsArg, connectionsArg, cookieFile] = process.argv.slice(2);
const port = Number(portArg);
const requests = Number(requestsArg);
const connections = Number(connectionsArg);
if (!port || !requests || !connections) {
  console.error('usage: node fixed-load.mjs <port> <requests> <connections> [cookie-file]');
  process.exit(2);
}
const cookies = cookieFile ? readFileSync(cookieFile, 'utf8').split('\n').filter(Boolean) : [];
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const deadline = setTimeout(() => {
  console.error('fixed-load: gave up after 120 s');
  process.exit(3);
}, 120_000);
const started = Date.now();
let sent = 0;
let done = 0;
let errors = 0;

function next() {
  if (sent === requests) return;
  const i = sent++;
  const headers = cookies.length > 0 ? { cookie: cookies[i % cookies.length] } : {};
  http.get({ host: '127.0.0.1', port, path: '/', agent, headers, timeout: 30_000 }, (res) => {
    if (res.statusCode !== 200) errors++;
    res.resume();
    res.on('end', finished);
  }).on('error', () => {
    errors++;
    finished();
  });
}

function finished() {
  if (++done < requests) return next();
  clearTimeout(deadline);
  agent.destroy();
  console.log(JSON.stringify({ requests, errors, ms: Date.now() - started }));
  process.exitCode = errors > 0 ? 1 : 0;
}

for (let k = 0; k < connections; k++) next();
