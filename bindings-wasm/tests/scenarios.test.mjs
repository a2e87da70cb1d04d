// The shared delivery scenarios (testdata/delivery/scenarios.json) through
// the Mailer against the misbehaving server (testservers/misbehaving): every
// binding runs the same file and must reach the same outcomes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Mailer, Message } from "mailwright";

const file = JSON.parse(readFileSync(process.env.MW_DELIVERY_SCENARIOS, "utf8"));

/** The file's options (snake_case, milliseconds) as the Mailer's; an unknown one fails the run. */
function mailerOptions(given) {
  const options = { host: "127.0.0.1", retry: {} };
  const retry = { max_attempts: "maxAttempts", initial_backoff_ms: "initialBackoff", max_backoff_ms: "maxBackoff", deadline_ms: "deadline" };
  const direct = { tls: "tls", connections: "connections", timeout_ms: "timeout", rate_limited_pause_ms: "rateLimitedPause" };
  for (const [key, value] of Object.entries(given)) {
    if (key in retry) options.retry[retry[key]] = value;
    else if (key in direct) options[direct[key]] = value;
    else throw new Error(`scenarios.json: no Mailer option for ${key}`);
  }
  return options;
}

/** Starts badsmtp.py with this scenario; resolves with its port and a stop function. */
async function badServer(scenario) {
  const child = spawn("python3", [process.env.MW_BADSMTP, scenario], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", () => reject(new Error(`badsmtp.py ${scenario} exited`)));
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return { port: Number(line), stop: () => { child.stdin.end(); return exited; } };
}

/** Every member of `expect` against one outcome: the mismatches. */
function mismatches(expect, o) {
  const got = {
    outcome: o.kind,
    error: o.error ? o.error.code : null,
    attempts: o.attempts,
    gave_up: o.gaveUp,
    queue_id: o.queueId ?? null,
    accepted: o.accepted,
    refused: o.refused.map((r) => r.address),
  };
  const wrong = [];
  for (const [name, want] of Object.entries(expect)) {
    if (name === "counters") continue;
    if (!(name in got)) throw new Error(`scenarios.json: unknown expectation ${name}`);
    try {
      assert.deepEqual(got[name], want);
    } catch {
      wrong.push(`${name}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got[name])}`);
    }
  }
  return wrong;
}

function counterMismatches(expect, counters) {
  const names = { delivered: "delivered", failed: "failed", uncertain: "uncertain", retries: "retries", rate_limited_at_least: "rateLimited" };
  const wrong = [];
  for (const [name, want] of Object.entries(expect.counters ?? {})) {
    if (!(name in names)) throw new Error(`scenarios.json: unknown counter ${name}`);
    const got = counters[names[name]];
    if (name.endsWith("_at_least") ? got < want : got !== want) wrong.push(`counters.${name}: expected ${want}, got ${got}`);
  }
  return wrong;
}

/** Runs one case: its server, a Mailer with the merged options, `messages` sends at once; the mismatches. */
async function run(c) {
  const server = await badServer(c.server);
  const failures = [];
  try {
    const mailer = new Mailer({ ...mailerOptions({ ...file.mailer, ...c.mailer }), port: server.port });
    try {
      const message = new Message(file.message);
      const outcomes = await Promise.all(Array.from({ length: c.messages }, () => mailer.send(message)));
      message.free();
      if (outcomes.length !== c.messages || new Set(outcomes.map((o) => o.ticket)).size !== c.messages) {
        failures.push(`${c.name}: ${outcomes.length} outcomes for ${c.messages} messages`);
      }
      for (const o of outcomes) for (const wrong of mismatches(c.expect, o)) failures.push(`${c.name}: ${wrong}`);
      for (const wrong of counterMismatches(c.expect, mailer.counters)) failures.push(`${c.name}: ${wrong}`);
    } finally {
      await mailer.close();
    }
  } finally {
    await server.stop();
  }
  return failures;
}

test("every delivery scenario ends in its outcome", async () => {
  assert.ok(file.cases.length > 0, "no scenario");
  // Three cases at a time (each has its own server): the machine stays far from the time-outs.
  const pending = [...file.cases];
  let ran = 0;
  const failures = [];
  await Promise.all(Array.from({ length: 3 }, async () => {
    for (let c = pending.shift(); c; c = pending.shift()) {
      failures.push(...await run(c));
      ran++;
    }
  }));
  assert.deepEqual(failures, []);
  assert.equal(ran, file.cases.length, "every case ran");
});
