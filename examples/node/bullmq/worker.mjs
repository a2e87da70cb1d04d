// A BullMQ worker that sends one message per job through ONE long-lived
// mailwright Mailer (a pool of connections, its retries, one outcome per
// message), the relay's quota shared with every other worker on Redis
// (redis-quota.mjs). Run as many of these processes as you like:
//
//   node worker.mjs --redis redis://127.0.0.1:6379 --relay smtp.sendcloud.net:587 \
//     --quota sendcloud --connections 8
//
// (--quota: "sendcloud" or MESSAGES/PER_MS, e.g. 2000/10000, the Mailer's
// `rate`; the window each slot is kept for on Redis is the core's, from
// mailwright's rate(); credentials from MAILWRIGHT_API_USER /
// MAILWRIGHT_API_KEY when set).
// Each job's outcome is its result: a delivered or uncertain message
// completes the job with { kind, queueId, refused, ... }; an uncertain one is
// never sent again by BullMQ (the relay may already hold it); a failed one
// (the core gave up after its own retries, or a permanent refusal) fails the
// job with the error kind in its reason, and BullMQ does not retry it either.
// SIGTERM/SIGINT: stop taking jobs, finish the active ones, QUIT.
import { parseArgs } from "node:util";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Worker, UnrecoverableError } from "bullmq";
import { Redis } from "ioredis";
import { Mailer, Credentials } from "mailwright";
import { RedisQuota } from "./redis-quota.mjs";

const { values: opt } = parseArgs({
  options: {
    redis: { type: "string", default: "redis://127.0.0.1:6379" },
    relay: { type: "string" },
    tls: { type: "string", default: "starttls" },
    queue: { type: "string", default: "mail" },
    "api-user": { type: "string", default: process.env.MAILWRIGHT_API_USER || "api_user" },
    quota: { type: "string", default: "sendcloud" },
    connections: { type: "string", default: "8" },
    concurrency: { type: "string", default: "200" },
    "lock-duration": { type: "string", default: "30000" },
    "stalled-interval": { type: "string", default: "30000" },
  },
});
if (!opt.relay) throw new Error("--relay host:port is required");
const [relayHost, relayPort] = opt.relay.split(":");
// The relay's quota, as the Mailer's `rate` option: "sendcloud" or { messages, per }.
const rate = opt.quota.includes("/")
  ? (([messages, per]) => ({ messages, per }))(opt.quota.split("/").map(Number))
  : opt.quota;
const redisUrl = new URL(opt.redis);
const connection = { host: redisUrl.hostname, port: Number(redisUrl.port || 6379) };

// The quota's own Redis client: fail fast while Redis is away (the Mailer then holds its messages).
const quotaRedis = new Redis({ ...connection, enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
await quotaRedis.connect();
const quota = new RedisQuota(quotaRedis, opt["api-user"], rate);

const key = process.env.MAILWRIGHT_API_KEY;
const mailer = new Mailer({
  host: relayHost,
  port: Number(relayPort),
  tls: opt.tls,
  credentials: key ? new Credentials(opt["api-user"], key) : undefined,
  connections: Number(opt.connections),
  // This process's own pace (and the pause after a 536); the shared window is the limiter's.
  rate,
  limiter: quota,
});

/** The Message-ID is fixed per job: a second run of the job is visible at the relay as the same message. */
const messageId = (job) => `job-${job.id}.${job.queueName}@ifaxin.com`;

async function deliver(job) {
  // stalledCounter > 0: BullMQ's stalled-job check moved this job back to wait
  // after a run that lost its lock (its worker was killed, or stalled past
  // lockDuration); that run may have sent the message already.
  const redelivered = job.stalledCounter > 0;
  const { to, subject, text } = job.data;
  const outcome = await mailer.send({ from: "support@ifaxin.com", to, subject, text, messageId: messageId(job) });
  if (outcome.kind === "failed") {
    const e = outcome.error;
    throw new UnrecoverableError(`${e.code} after ${outcome.attempts} attempt(s)${outcome.gaveUp ? ", gave up" : ""}: ${e.message}`);
  }
  return {
    kind: outcome.kind,
    queueId: outcome.queueId ?? null,
    refused: outcome.refused.map((r) => `${r.address} ${r.code}`),
    error: outcome.error ? outcome.error.code : null,
    attempts: outcome.attempts,
    // Earlier attempts of this run that ended uncertain and were resent (only with atLeastOnce).
    uncertainAttempts: outcome.uncertainAttempts,
    redelivered,
    stalledCounter: job.stalledCounter,
    worker: process.pid,
  };
}

const worker = new Worker(opt.queue, deliver, {
  connection,
  concurrency: Number(opt.concurrency),
  lockDuration: Number(opt["lock-duration"]),
  stalledInterval: Number(opt["stalled-interval"]),
  maxStalledCount: 1,
});
worker.on("error", (err) => console.error(`worker ${process.pid}: ${err.message}`));
// How late this process's timers ran (lock renewals among them): a worker late by more than
// lockDuration loses its jobs' locks, and BullMQ gives them to another worker while it still sends them.
const lag = monitorEventLoopDelay({ resolution: 20 });
lag.enable();
await worker.waitUntilReady();
console.log(`ready ${process.pid}`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await worker.close();
  await mailer.close();
  quotaRedis.disconnect();
  const late = (lag.max / 1e6).toFixed(0);
  console.log(`stopped ${process.pid}: ${JSON.stringify(mailer.counters)}, event loop late by ${late} ms at most, ${quota.discarded} quota slots unused`);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
