/**
 * The baseline process of `cli_process.ts`: a bare Deno `WebSocket` that `JSON.parse`s every
 * frame of the loopback sender's stream and exits once it has them all (`total`) and the socket
 * closed. What a user's own loop would be with no client library at all.
 *
 *   deno run --allow-net=127.0.0.1 bench/_bare_parse_process.ts ws://127.0.0.1:PORT/ TOTAL
 *
 * @module
 */

const [url, totalText] = Deno.args;
const total = Number(totalText);
if (url === undefined || !(total > 0)) throw new Error("usage: _bare_parse_process.ts URL TOTAL");

let sink = 0;
let count = 0;
const ws = new WebSocket(url);
ws.onopen = () => ws.send('{"start":true}');
ws.onmessage = (event) => {
  sink += JSON.parse(event.data as string).sid;
  if (++count === total) ws.close();
};
ws.onclose = () => {
  if (count !== total) {
    console.error(`bare client: ${count} of ${total} frames`);
    Deno.exit(1);
  }
  if (sink === 0.5) console.log(sink); // keeps the parse alive
};
ws.onerror = () => {
  console.error("bare client: socket failed");
  Deno.exit(1);
};
