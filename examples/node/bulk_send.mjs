// Bulk sending with the mailwright npm package's Mailer: a pool of
// connections, the relay's quota, retries, one outcome per message, and a
// progress line fed by the Mailer's "outcome" events.
//   node bulk_send.mjs --send HOST:PORT [--count 200] [--connections 4] [--rate sendcloud|MESSAGES/SECONDS]
//                      [--tls starttls|opportunistic|implicit|none] [--user U --key K [--label L]] [--ca CA.pem]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Mailer, Credentials } from "mailwright";

const { values } = parseArgs({
  options: {
    send: { type: "string" }, count: { type: "string", default: "200" }, connections: { type: "string", default: "4" },
    rate: { type: "string" }, tls: { type: "string", default: "starttls" },
    user: { type: "string" }, key: { type: "string" }, label: { type: "string" }, ca: { type: "string" },
  },
});
if (!values.send) {
  console.error("usage: node bulk_send.mjs --send HOST:PORT [--count N] [--connections N] [--rate sendcloud|N/SECONDS] [--tls MODE] [--user U --key K [--label L]] [--ca CA.pem]");
  process.exit(2);
}
const colon = values.send.lastIndexOf(":");
const count = Number(values.count);
// "sendcloud" is the core's preset (20,000 a minute); "100/60" is 100 messages a minute.
const rate = values.rate === undefined ? undefined
  : values.rate.includes("/") ? { messages: Number(values.rate.split("/")[0]), per: Number(values.rate.split("/")[1]) * 1000 } : values.rate;

const mailer = new Mailer({
  host: values.send.slice(0, colon), port: Number(values.send.slice(colon + 1)), tls: values.tls,
  credentials: values.user ? new Credentials(values.user, values.key, values.label) : undefined,
  ca: values.ca && readFileSync(values.ca),
  connections: Number(values.connections), rate,
  retry: { maxAttempts: 5, initialBackoff: 1000, maxBackoff: 60_000, deadline: 600_000 },
});

// The progress line: redrawn in place on a terminal, every 10% otherwise (CI logs).
const started = performance.now();
const tally = { delivered: 0, failed: 0, uncertain: 0 };
let done = 0, lastShown = -1;
function progress(force) {
  const tenth = Math.floor((done * 10) / count);
  if (!process.stdout.isTTY && !force && tenth === lastShown) return;
  lastShown = tenth;
  const width = 30, filled = Math.round((done / count) * width);
  const seconds = (performance.now() - started) / 1000;
  const line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${count}  delivered ${tally.delivered}  failed ${tally.failed}` +
    `  uncertain ${tally.uncertain}  ${(done / Math.max(seconds, 0.001)).toFixed(1)} msg/s  connections ${mailer.counters.connections}`;
  process.stdout.write(process.stdout.isTTY ? `\r${line}` : `${line}\n`);
}
mailer.on("outcome", (outcome) => {
  tally[outcome.kind]++;
  done++;
  progress(false);
});

// One send per message, all at once: the Mailer queues them (waiting for room
// beyond its queue) and paces them; a failed message is an outcome, not an exception.
const outcomes = await Promise.all(Array.from({ length: count }, (_, n) => mailer.send({
  from: "Newsletter <support@ifaxin.com>",
  to: [`reader+${n}@ifaxin.com`],
  subject: `Issue 12, copy ${n + 1}`,
  text: `Hello reader ${n + 1},\n\nthis is your copy.\n`,
  headers: { "X-Campaign": "bulk-example" },
  // One-click unsubscribe (RFC 8058), as Gmail and Yahoo ask of bulk senders: your https endpoint.
  listUnsubscribe: [`https://ifaxin.com/unsubscribe?reader=${n}`, "mailto:unsubscribe@ifaxin.com"], oneClickUnsubscribe: true,
})));
await mailer.close(); // drains (nothing is left here), then QUIT on every connection
if (process.stdout.isTTY) process.stdout.write("\n");

for (const o of outcomes.filter((o) => o.kind !== "delivered").slice(0, 5)) {
  console.log(`ticket ${o.ticket}: ${o.kind} after ${o.attempts} attempt(s)${o.gaveUp ? ", gave up" : ""}: ${o.error.code}: ${o.error.message}`);
}
const { retries, rateLimited } = mailer.counters;
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`done: ${tally.delivered} delivered, ${tally.failed} failed, ${tally.uncertain} uncertain in ${seconds} s (retries ${retries}, 536 replies ${rateLimited})`);
console.log(`first queue id: ${outcomes.find((o) => o.queueId)?.queueId ?? "none"}`);
