// One run of the BullMQ example against the relay simulator, checked:
//
//   node run-test.mjs --relaysim PATH [--workers 3] [--count 6000] [--kill-after 2000]
//
// Starts redis-server (127.0.0.1, a free port, no persistence) and the relay
// simulator (a round trip, a sliding-window quota, a log), N worker processes
// (worker.mjs), enqueues --count jobs (producer.mjs), and waits until every
// job has an outcome (completed or failed), SIGKILLing the first worker once
// --kill-after outcomes are recorded (0: no kill). Then checks, from the
// relay's log and the jobs kept in Redis:
//   - no MAIL was refused with 536 (no R line);
//   - no sliding window of the quota's length holds more accepted messages
//     than the quota (from the D lines' times);
//   - every job ended with an outcome, and every delivered job's Message-ID
//     reached the relay;
//   - every Message-ID the relay accepted more than once is explained: its
//     job recorded an uncertain outcome (or an uncertain attempt resent, with
//     atLeastOnce), or was redelivered after a lost worker (BullMQ's
//     stalledCounter > 0: the stalled-job check moved it back to wait).
// Prints one line of figures (the total time from the first job enqueued to
// the last outcome) and exits 1 on any failed check.
import { parseArgs } from "node:util";
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import { createInterface } from "node:readline";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";

const here = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    relaysim: { type: "string" },
    workers: { type: "string", default: "3" },
    count: { type: "string", default: "6000" },
    "kill-after": { type: "string", default: "0" },
    quota: { type: "string", default: "2000" },
    "window-s": { type: "string", default: "10" },
    "rtt-ms": { type: "string", default: "50" },
    connections: { type: "string", default: "8" },
    "timeout-s": { type: "string", default: "150" },
    // A live worker whose event loop is late by more than this loses its jobs' locks (see README).
    "lock-duration": { type: "string", default: "15000" },
  },
});
if (!opt.relaysim) throw new Error("--relaysim PATH (target/release/mailwright-relaysim) is required");
const workers = Number(opt.workers), count = Number(opt.count), killAfter = Number(opt["kill-after"]);
const quota = Number(opt.quota), windowMs = Number(opt["window-s"]) * 1000;
const scratch = mkdtempSync(join(tmpdir(), "mw-bullmq-"));
const children = new Set();
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Spawns a process; resolves with it once a stdout line matches `ready` (its match kept as `.ready`). */
function start(cmd, args, ready, { stdin = "ignore" } = {}) {
  const child = spawn(cmd, args, { stdio: [stdin, "pipe", "pipe"] });
  children.add(child);
  child.stderrText = "";
  child.stderr.on("data", (d) => { child.stderrText += d; });
  child.exited = new Promise((resolve) => child.on("exit", (code, signal) => { children.delete(child); resolve({ code, signal }); }));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    let waiting = true;
    child.lines = [];
    lines.on("line", (line) => {
      child.lines.push(line);
      const m = waiting && line.match(ready);
      if (m) { waiting = false; child.ready = m; resolve(child); }
    });
    child.exited.then(({ code, signal }) => { if (waiting) reject(new Error(`${cmd} ended (${code ?? signal}) before it was ready: ${child.stderrText}`)); });
  });
}

/** Resolves once something accepts connections on 127.0.0.1:port (false after `ms`). */
async function listening(port, ms) {
  for (const until = performance.now() + ms; performance.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    const ok = await new Promise((resolve) => {
      const s = connect({ port, host: "127.0.0.1" }, () => { s.destroy(); resolve(true); });
      s.on("error", () => resolve(false));
    });
    if (ok) return true;
  }
  return false;
}

async function startRedis() {
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    children.add(child);
    child.exited = new Promise((resolve) => child.on("exit", () => { children.delete(child); resolve(); }));
    if (await listening(port, 5000)) return { child, port };
    child.kill();
    if (tries >= 3) throw new Error("redis-server did not start");
  }
}

/** The largest number of D times inside any window [t, t + windowMs) (the relay's own rule). */
function mostInAnyWindow(times) {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (j < times.length && times[j] < times[i] + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

async function allJobs(queue, state) {
  const jobs = [];
  for (let from = 0; ; from += 1000) {
    const page = await queue.getJobs([state], from, from + 999, true);
    jobs.push(...page);
    if (page.length < 1000) return jobs;
  }
}

let redis, relay, queue;
try {
  redis = await startRedis();
  const log = join(scratch, "relay.log");
  relay = await start(opt.relaysim, ["--rtt-ms", opt["rtt-ms"], "--quota", opt.quota, "--window-s", opt["window-s"], "--log", log], /^(\d+)$/, { stdin: "pipe" });
  const redisUrl = `redis://127.0.0.1:${redis.port}`;
  const workerArgs = ["--redis", redisUrl, "--relay", `127.0.0.1:${relay.ready[1]}`, "--tls", "none", "--quota", `${quota}/${windowMs}`,
    "--connections", opt.connections, "--concurrency", "200", "--lock-duration", opt["lock-duration"], "--stalled-interval", "1000"];
  const pool = await Promise.all(Array.from({ length: workers }, () => start(process.execPath, [join(here, "worker.mjs"), ...workerArgs], /^ready (\d+)$/)));
  queue = new Queue("mail", { connection: { host: "127.0.0.1", port: redis.port } });

  const t0 = performance.now();
  const producer = spawn(process.execPath, [join(here, "producer.mjs"), "--redis", redisUrl, "--count", String(count)], { stdio: ["ignore", "ignore", "inherit"] });
  const produced = new Promise((resolve) => producer.on("exit", resolve));
  let killed = null, done = 0, counts = {};
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    counts = await queue.getJobCounts("completed", "failed", "active", "wait", "delayed", "prioritized");
    done = counts.completed + counts.failed;
    if (killAfter > 0 && killed === null && done >= killAfter) {
      pool[0].kill("SIGKILL");
      killed = { at: done, active: counts.active };
    }
    if (done >= count) break;
    if (performance.now() - t0 > Number(opt["timeout-s"]) * 1000) {
      failures.push(`timed out with ${done} of ${count} outcomes: ${JSON.stringify(counts)}`);
      break;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  check((await produced) === 0, "the producer failed");

  // Stop the workers that are left (they drain and QUIT), then the relay.
  for (const w of pool) if (w !== pool[0] || !killed) w.kill("SIGTERM");
  await Promise.all(pool.map((w) => w.exited));
  relay.stdin.end();
  await relay.exited;
  const summary = relay.stderrText.match(/relaysim: (\d+) accepted, (\d+) refused with 536, (\d+) connections/);
  check(summary !== null, `no summary from the relay: ${relay.stderrText}`);

  // The relay's log: D <ms> <message-id>, R <ms>.
  const lines = readFileSync(log, "utf8").split("\n").filter(Boolean);
  const refused = lines.filter((l) => l.startsWith("R ")).length;
  const accepted = lines.filter((l) => l.startsWith("D ")).map((l) => l.split(" "));
  const times = accepted.map((d) => Number(d[1])).sort((a, b) => a - b);
  const seen = new Map();
  for (const d of accepted) {
    const id = (d[2] || "").match(/^<?job-(.+)\.mail@ifaxin\.com>?$/)?.[1];
    check(id !== undefined, `a message at the relay without a job's Message-ID: ${d.join(" ")}`);
    seen.set(id, (seen.get(id) || 0) + 1);
  }
  const most = mostInAnyWindow(times);
  check(refused === 0, `${refused} MAIL refused with 536 at the relay`);
  check(most <= quota, `${most} messages accepted within one ${windowMs} ms window (quota ${quota})`);
  check(summary === null || Number(summary[1]) === accepted.length, "the relay's count differs from its log");

  // Every job's outcome, kept in Redis.
  const completed = await allJobs(queue, "completed");
  const failed = await allJobs(queue, "failed");
  const jobs = new Map([...completed, ...failed].map((j) => [j.id, j]));
  check(jobs.size === count, `${jobs.size} of ${count} jobs have an outcome`);
  const kinds = { delivered: 0, uncertain: 0, failed: failed.length };
  for (const j of completed) {
    const r = j.returnvalue;
    if (r?.kind === "delivered" || r?.kind === "uncertain") kinds[r.kind]++;
    else failures.push(`job ${j.id} completed without an outcome: ${JSON.stringify(r)}`);
    if (r?.kind === "delivered") check(seen.has(j.id), `job ${j.id} delivered (queue id ${r.queueId}) but its Message-ID never reached the relay`);
  }
  for (const j of failed) check(typeof j.failedReason === "string" && j.failedReason.length > 0, `job ${j.id} failed without a reason`);
  const redelivered = [...jobs.values()].filter((j) => j.stalledCounter > 0).length;
  let duplicates = 0;
  for (const [id, n] of seen) {
    if (n < 2) continue;
    duplicates++;
    const job = jobs.get(id);
    // Uncertain (or resent after an uncertain attempt, with atLeastOnce), or run again after a lost worker.
    const r = job?.returnvalue;
    const explained = job && (r?.kind === "uncertain" || r?.uncertainAttempts > 0 || job.stalledCounter > 0);
    check(explained, `Message-ID of job ${id} accepted ${n} times at the relay, and the job was neither uncertain nor redelivered`);
  }
  check(seen.size <= count, "more distinct Message-IDs than jobs");
  if (killAfter > 0) check(killed !== null, "the worker was never killed (all outcomes came first)");

  // Slots granted by Redis but not handed over within their validity (wasted, never used late).
  const unused = pool.flatMap((w) => w.lines).map((l) => l.match(/, (\d+) quota slots unused$/)).filter(Boolean)
    .reduce((sum, m) => sum + Number(m[1]), 0);
  const lateMs = Math.max(0, ...pool.flatMap((w) => w.lines).map((l) => Number(l.match(/late by (\d+) ms/)?.[1] ?? 0)));
  for (const w of pool) {
    const errors = w.stderrText.trimEnd().split("\n").filter(Boolean);
    if (errors.length) console.error(`worker ${w.pid}: ${errors.length} error line(s), the first: ${errors.slice(0, 5).join(" | ")}`);
  }
  const floor = (count / quota) * (windowMs / 1000);
  console.log(`${workers} worker(s)${killed ? `, one SIGKILLed after ${killed.at} outcomes (${killed.active} jobs active)` : ""}: ` +
    `${count} jobs in ${seconds.toFixed(1)} s (quota floor ${floor.toFixed(0)} s); ${kinds.delivered} delivered, ${kinds.failed} failed, ` +
    `${kinds.uncertain} uncertain; ${redelivered} redelivered; relay: ${accepted.length} accepted, ${refused} refused with 536, ` +
    `at most ${most} in any ${windowMs / 1000} s window, ${duplicates} Message-IDs accepted more than once; ${unused} quota slots unused; event loop late by ${lateMs} ms at most; ${failures.length === 0 ? "ok" : "FAILED"}`);
} catch (err) {
  failures.push(err.stack || String(err));
} finally {
  if (queue) await queue.close();
  for (const child of children) child.kill("SIGKILL");
  rmSync(scratch, { recursive: true, force: true });
}
for (const f of failures) console.error(`FAIL: ${f}`);
process.exit(failures.length ? 1 : 0);
