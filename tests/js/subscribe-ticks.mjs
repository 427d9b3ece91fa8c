// Drives the server with the graphql-ws client library.
// Usage: node subscribe-ticks.mjs <ws-url> <token> <count>
// Prints one "NEXT <json>" line per result, "QUERY <json>" for a query on the same socket, then "DONE <n>";
// on failure prints "FAILED <code> <reason>" and exits 1.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, countText] = process.argv.slice(2);
const count = Number(countText);
const watchdog = setTimeout(() => { console.log('FAILED timeout'); process.exit(2); }, 20000);

const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { token }, retryAttempts: 0 });

function run(payload, onNext) {
  return new Promise((resolve, reject) => {
    client.subscribe(payload, { next: onNext, error: reject, complete: resolve });
  });
}

let exitCode = 0;
try {
  let received = 0;
  await run({ query: 'subscription Ticks($n: Int) { ticks(count: $n) }', variables: { n: count } }, (result) => {
    received++;
    console.log('NEXT ' + JSON.stringify(result));
  });
  await run({ query: '{ hello(name: "node") }' }, (result) => console.log('QUERY ' + JSON.stringify(result)));
  console.log('DONE ' + received);
} catch (error) {
  // a close event (code, reason), an array of GraphQL errors, or an Error
  const detail = error?.code !== undefined ? `${error.code} ${error.reason}` : JSON.stringify(error?.message ?? error);
  console.log('FAILED ' + detail);
  exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await client.dispose();
}
process.exit(exitCode);
