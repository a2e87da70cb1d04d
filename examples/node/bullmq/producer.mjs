// Enqueues one job per message: node producer.mjs --redis redis://127.0.0.1:6379 --count 6000
// The job carries the message's fields; the worker builds the message with a
// Message-ID made of the job's id, so every run of a job sends the same message.
import { parseArgs } from "node:util";
import { Queue } from "bullmq";

const { values: opt } = parseArgs({
  options: {
    redis: { type: "string", default: "redis://127.0.0.1:6379" },
    queue: { type: "string", default: "mail" },
    count: { type: "string", default: "100" },
  },
});
const url = new URL(opt.redis);
const queue = new Queue(opt.queue, { connection: { host: url.hostname, port: Number(url.port || 6379) } });
const count = Number(opt.count);
// attempts: 1 (BullMQ's default): the Mailer already retries transient failures itself;
// results are kept (removeOnComplete/removeOnFail: false) so they can be read back.
const jobOptions = { attempts: 1, removeOnComplete: false, removeOnFail: false };
for (let first = 0; first < count; first += 500) {
  const batch = [];
  for (let n = first; n < Math.min(count, first + 500); n++) {
    batch.push({ name: "send", data: { to: `user${n}@ifaxin.com`, subject: `message ${n}`, text: `hello ${n}` }, opts: jobOptions });
  }
  await queue.addBulk(batch);
}
console.log(`enqueued ${count}`);
await queue.close();
