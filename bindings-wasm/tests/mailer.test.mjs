// The Mailer (Node) against a small recording SMTP server written here:
// thousands of sends at once through a small queue, close() draining (retries
// included), abort() stopping at once, the process not kept alive by an idle
// Mailer, and misuse: bad options throw, bad input and sends after close()
// reject, failures resolve to outcomes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import mw, { Mailer, Message, Credentials, MailwrightError, errorKinds } from "mailwright";
import { spawnScript } from "./script.mjs";

const base = { from: "support@ifaxin.com", to: "ben@ifaxin.com", subject: "hi", text: "x" };
const kinds = new Map(errorKinds().map((k) => [k.name, k]));
const coreError = (e, code) => e instanceof MailwrightError && e.code === code && kinds.get(code).code === e.errorCode;

/**
 * A recording SMTP server (PIPELINING, no TLS): each connection's commands,
 * each message's subject; queue ids R1, R2, ...; the most connections open at once;
 * how often a MAIL FROM came in the same read as the end of the previous data.
 * The first `refuse` messages get a transient 451 after their data (counted in `refused`, not stored).
 */
async function recorder({ refuse = 0 } = {}) {
  const rec = { connections: [], subjects: [], open: 0, mostOpen: 0, afterData: 0, refused: 0 };
  const server = createServer((socket) => {
    const conn = { commands: [] };
    rec.connections.push(conn);
    rec.mostOpen = Math.max(rec.mostOpen, ++rec.open);
    socket.setNoDelay(true);
    let buffer = "", data = null;
    socket.on("error", () => {});
    socket.on("close", () => rec.open--);
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      for (let eol = buffer.indexOf("\r\n"); eol >= 0; eol = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        if (data !== null) {
          if (line !== ".") { data.push(line); continue; }
          const subject = data.find((l) => l.startsWith("Subject: "));
          data = null;
          if (rec.refused < refuse) {
            rec.refused++;
            socket.write("451 4.3.0 try again later\r\n");
            continue;
          }
          rec.subjects.push(subject && subject.slice(9));
          // The next message's MAIL FROM in the same read as the end of the data: pipelined after it.
          if (buffer.toUpperCase().startsWith("MAIL FROM:")) rec.afterData++;
          socket.write(`250 2.0.0 Ok: queued as R${rec.subjects.length}\r\n`);
          continue;
        }
        const verb = line.split(" ")[0].toUpperCase();
        conn.commands.push(verb);
        if (verb === "EHLO") socket.write("250-rec.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
        else if (verb === "DATA") { data = []; socket.write("354 go ahead\r\n"); }
        else if (verb === "QUIT") { socket.end("221 bye\r\n"); return; }
        else socket.write("250 ok\r\n");
      }
    });
    socket.write("220 rec.test ESMTP\r\n");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  rec.port = server.address().port;
  rec.close = () => new Promise((resolve) => server.close(resolve));
  return rec;
}

test("2,000 sends at once through a queue of 50: each delivered once, an outcome event each, at most 3 connections", async () => {
  const rec = await recorder();
  try {
    const mailer = new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none", connections: 3, queueCapacity: 50, timeout: 20000 });
    const events = [];
    mailer.on("outcome", (o) => events.push(o.ticket));
    const outcomes = await Promise.all(Array.from({ length: 2000 }, (_, n) => mailer.send({ ...base, subject: `bulk ${n}` })));
    assert.ok(outcomes.every((o) => o.kind === "delivered" && o.attempts === 1 && o.error === undefined && o.gaveUp === false), JSON.stringify(outcomes.find((o) => o.kind !== "delivered")));
    assert.deepEqual(outcomes.map((o) => o.accepted), Array(2000).fill(["ben@ifaxin.com"]));
    assert.equal(new Set(outcomes.map((o) => o.queueId)).size, 2000);
    assert.deepEqual([...rec.subjects].sort(), Array.from({ length: 2000 }, (_, n) => `bulk ${n}`).sort(), "each message stored once");
    assert.deepEqual(events.sort((a, b) => a - b), outcomes.map((o) => o.ticket).sort((a, b) => a - b));
    const c = mailer.counters;
    assert.deepEqual([c.delivered, c.failed, c.uncertain, c.retries, c.queued, c.inFlight], [2000, 0, 0, 0, 0, 0]);
    assert.ok(rec.mostOpen <= 3 && rec.mostOpen >= 1, `${rec.mostOpen} connections at once`);
    assert.equal(rec.afterData, 0, "no pipelining after the data by default");
    await mailer.close();
    assert.equal(mailer.counters.connections, 0);
  } finally {
    await rec.close();
  }
});

test("every outcome names its Message-ID; a Prepared under a key carries it (a bad key is InvalidKey)", async () => {
  const rec = await recorder();
  try {
    const mailer = new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none", connections: 2, timeout: 20000 });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, n) => mailer.send({ ...base, subject: `id ${n}`, messageId: `order-${n}@ifaxin.com` })),
    );
    outcomes.forEach((o, n) => {
      assert.equal(o.kind, "delivered");
      assert.equal(o.messageId, `order-${n}@ifaxin.com`);
      assert.equal(o.key, undefined);
    });
    const raw = await mailer.sendRaw("Message-ID: <raw-1@ifaxin.com>\nSubject: raw\n\nbody\n", "a@ifaxin.com", "b@ifaxin.com");
    assert.equal(raw.messageId, "raw-1@ifaxin.com");
    await mailer.close();
  } finally {
    await rec.close();
  }
  const p = mw.Prepared.raw("Subject: k\n\nx\n", "a@ifaxin.com", "b@ifaxin.com");
  const k = p.withKey("order-7");
  assert.deepEqual([p.key, k.key], [undefined, "order-7"]);
  assert.throws(() => p.withKey("a\r\nBcc: x@evil.test"), (e) => coreError(e, "InvalidKey"));
  assert.throws(() => p.withKey(""), (e) => coreError(e, "InvalidKey"));
  p.free();
  k.free();
});

test("a ledger: each key sent once, in one run and the next; the next answers from the file without connecting", async () => {
  const { mkdtempSync, rmSync, existsSync, statSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "mw-ledger-"));
  const ledger = join(dir, "run.journal");
  const rec = await recorder();
  try {
    const keyed = (n) => ({ ...base, subject: `ledger ${n}`, messageId: `order-${n}@ifaxin.com` });
    const first = new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none", connections: 3, timeout: 20000, ledger });
    assert.deepEqual(first.resumed, { queued: 0, uncertain: [] });
    assert.ok(existsSync(`${ledger}.lock`), "locked while open");
    assert.throws(() => new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none", ledger }), (e) => coreError(e, "Ledger") && /in use by/.test(e.message));
    const outcomes = await Promise.all([
      ...Array.from({ length: 30 }, (_, n) => first.send(keyed(n), { key: `order-${n}` })),
      first.send(keyed(0), { key: "order-0" }), // the same key while it is on its way
    ]);
    assert.ok(outcomes.every((o) => o.kind === "delivered"), JSON.stringify(outcomes.find((o) => o.kind !== "delivered")));
    assert.deepEqual(outcomes.slice(0, 30).map((o) => o.key), Array.from({ length: 30 }, (_, n) => `order-${n}`));
    assert.equal(outcomes[30].queueId, outcomes[0].queueId);
    const byId = await first.send(keyed(99)); // keyed by its Message-ID
    assert.equal(byId.key, "order-99@ifaxin.com");
    await assert.rejects(first.send(keyed(1), { key: "a\r\nBcc: x@evil.test" }), (e) => coreError(e, "InvalidKey"));
    assert.equal(first.ledgerRecord("order-7").state, "delivered");
    assert.equal(first.ledgerSummary().delivered, 31);
    await first.close();
    assert.ok(!existsSync(`${ledger}.lock`), "unlocked once closed");
    assert.equal(rec.subjects.length, 31, "each key once");
    // The next run: recorded outcomes, nothing sent, no connection.
    const size = statSync(ledger).size;
    writeFileSync(ledger, Buffer.from([1, 2, 3]), { flag: "a" }); // a torn last entry: cut off
    const second = new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none", ledger });
    assert.equal(statSync(ledger).size, size);
    const again = await second.send(keyed(7), { key: "order-7" });
    assert.deepEqual([again.kind, again.key, again.queueId], ["delivered", "order-7", outcomes[7].queueId]);
    await second.close();
    assert.equal(second.counters.delivered, 0);
    assert.equal(rec.subjects.length, 31);
    // Not a journal: a typed error, the file left as it was.
    writeFileSync(join(dir, "other.db"), "SQLite format 3\0 something else");
    assert.throws(() => new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none", ledger: join(dir, "other.db") }), (e) => coreError(e, "Ledger"));
    // A durability the core does not know: its InvalidOption, and the file left unlocked.
    const odd = join(dir, "odd.journal");
    assert.throws(() => new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none", ledger: odd, durability: "sometimes" }), (e) => coreError(e, "InvalidOption"));
    assert.ok(!existsSync(`${odd}.lock`));
    // A key without a ledger is refused by the core.
    const plain = new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none" });
    await assert.rejects(plain.send(keyed(1), { key: "k" }), (e) => coreError(e, "InvalidState") && /needs a ledger/.test(e.message));
    await plain.close();
  } finally {
    await rec.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("close() drains: messages sent before it are all delivered, then every connection says QUIT", async () => {
  const rec = await recorder();
  try {
    const mailer = new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none", connections: 2, timeout: 20000 });
    const sends = Array.from({ length: 40 }, (_, n) => mailer.send({ ...base, subject: `drain ${n}` }));
    sends.push(mailer.sendRaw("Subject: raw\nFrom: a@ifaxin.com\n\nbody\n", "a@ifaxin.com", ["b@ifaxin.com", "c@ifaxin.com"]));
    const closing = mailer.close();
    assert.equal(mailer.close(), closing, "close() is idempotent");
    await assert.rejects(mailer.send(base), (e) => coreError(e, "InvalidState") && /closed/.test(e.message));
    await closing;
    const outcomes = await Promise.all(sends);
    assert.ok(outcomes.every((o) => o.kind === "delivered"), JSON.stringify(outcomes.filter((o) => o.kind !== "delivered")[0]));
    assert.deepEqual(outcomes.at(-1).accepted, ["b@ifaxin.com", "c@ifaxin.com"]);
    assert.equal(rec.subjects.length, 41);
    assert.ok(rec.connections.length >= 1 && rec.connections.length <= 2);
    for (const conn of rec.connections) assert.equal(conn.commands.at(-1), "QUIT", conn.commands.join(" "));
    assert.equal(mailer.counters.delivered, 41);
    await assert.rejects(mailer.sendRaw("x", "a@ifaxin.com", "b@ifaxin.com"), (e) => coreError(e, "InvalidState"));
    await mailer.close();
  } finally {
    await rec.close();
  }
});

test("the Mailer handles exactly the core's dispatcher actions (Action::NAMES)", () => {
  assert.deepEqual(mw.__mailerActions, mw.__names().actions);
  assert.ok(mw.__mailerActions.length > 0);
});

test("close() drains with retries: a message refused with a 451 is sent again before the QUIT", async () => {
  const rec = await recorder({ refuse: 1 });
  try {
    const mailer = new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none", connections: 1, timeout: 20000,
      retry: { initialBackoff: 20, maxBackoff: 20 } });
    const sent = mailer.send({ ...base, subject: "retried" });
    await mailer.close();
    const o = await sent;
    assert.equal(o.kind, "delivered", String(o.error));
    assert.equal(o.attempts, 2);
    assert.deepEqual([rec.refused, rec.subjects], [1, ["retried"]]);
    assert.equal(mailer.counters.retries, 1);
    for (const conn of rec.connections) assert.equal(conn.commands.at(-1), "QUIT", conn.commands.join(" "));
  } finally {
    await rec.close();
  }
});

test("abort() stops at once (even a draining close()): a message waiting for its retry fails with InvalidState, not sent", async () => {
  const rec = await recorder({ refuse: 1 });
  try {
    // A's retry would come in an hour: close() alone would wait for it.
    const mailer = new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none", connections: 1, timeout: 20000,
      retry: { initialBackoff: 3_600_000, maxBackoff: 3_600_000, deadline: 86_400_000 } });
    const a = mailer.send({ ...base, subject: "A" });
    const b = await mailer.send({ ...base, subject: "B" });
    assert.equal(b.kind, "delivered", String(b.error));
    const closing = mailer.close();
    assert.equal(mailer.abort(), closing, "abort() settles with close()");
    await closing;
    const o = await a;
    assert.equal(o.kind, "failed");
    assert.ok(coreError(o.error, "InvalidState") && !/the mailer is closed/.test(o.error.message), String(o.error));
    assert.deepEqual([o.attempts, o.gaveUp], [1, false]);
    assert.deepEqual([rec.refused, rec.subjects], [1, ["B"]], "A was not sent again");
    for (const conn of rec.connections) assert.equal(conn.commands.at(-1), "QUIT", conn.commands.join(" "));
    const c = mailer.counters;
    assert.deepEqual([c.delivered, c.failed, c.queued, c.inFlight, c.connections], [1, 1, 0, 0, 0]);
    await assert.rejects(mailer.send(base), (e) => coreError(e, "InvalidState") && /the mailer is closed/.test(e.message));
    assert.equal(mailer.abort(), closing, "abort() is idempotent");
    // Sends still waiting for room in the queue never reached the dispatcher: they reject, and nothing connects.
    const connections = rec.connections.length;
    const idle = new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none" });
    const waiting = idle.send(base);
    await idle.abort();
    await assert.rejects(waiting, (e) => coreError(e, "InvalidState") && /the mailer is closed/.test(e.message));
    assert.equal(rec.connections.length, connections);
  } finally {
    await rec.close();
  }
});

test("pipelineAfterData: the next message's commands go with the end of the data; each message stored once", async () => {
  const rec = await recorder();
  try {
    const mailer = new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none", connections: 1, pipelineAfterData: true, timeout: 20000 });
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, n) => mailer.send({ ...base, subject: `after ${n}` })));
    await mailer.close();
    assert.ok(outcomes.every((o) => o.kind === "delivered" && o.attempts === 1));
    assert.deepEqual([...rec.subjects].sort(), Array.from({ length: 30 }, (_, n) => `after ${n}`).sort());
    assert.equal(rec.connections.length, 1);
    assert.ok(rec.afterData > 0, "MAIL FROM went with the end of the data");
    assert.throws(() => new Mailer({ host: "127.0.0.1", pipelineAfterData: "yes" }), TypeError);
  } finally {
    await rec.close();
  }
});

test("a Mailer that never sent closes at once, without a connection", async () => {
  const rec = await recorder();
  try {
    const mailer = new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none" });
    await mailer.close();
    assert.equal(rec.connections.length, 0);
    assert.equal(mailer.counters.delivered, 0);
  } finally {
    await rec.close();
  }
});

test("bad input rejects (and is not sent); failures are outcomes, not rejections", async () => {
  const rec = await recorder();
  try {
    const mailer = new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none", timeout: 20000 });
    await assert.rejects(mailer.send({ ...base, from: "nope" }), (e) => coreError(e, "InvalidAddress"));
    await assert.rejects(mailer.send({ ...base, subject: "a\r\nBcc: x@y.com" }), (e) => coreError(e, "HeaderInjection"));
    await assert.rejects(mailer.sendRaw("x", "a@ifaxin.com", []), (e) => coreError(e, "NoRecipients"));
    await assert.rejects(mailer.sendRaw("x", "a@ifaxin.com", ["x\r\nRCPT TO:<e@vil>"]), (e) => coreError(e, "HeaderInjection"));
    await assert.rejects(mailer.sendRaw(5, "a@ifaxin.com", ["b@ifaxin.com"]), TypeError);
    await assert.rejects(mailer.send(undefined), TypeError);
    const freed = new Message(base);
    freed.free();
    await assert.rejects(mailer.send(freed), (e) => coreError(e, "InvalidState") && /freed/.test(e.message));
    const kept = new Message(base);
    const sent = await mailer.send(kept);
    assert.equal(sent.kind, "delivered");
    assert.equal(kept.size > 0, true, "the Message stays usable");
    kept.free();
    assert.equal(rec.subjects.length, 1, "nothing bad was sent");
    await mailer.close();
  } finally {
    await rec.close();
  }
  // Nothing listens any more: the connection cannot be opened; the outcome says so.
  const gone = new Mailer({ host: "127.0.0.1", port: rec.port, tls: "none", retry: { maxAttempts: 2, initialBackoff: 10, deadline: 1000 } });
  const outcome = await gone.send(base);
  assert.equal(outcome.kind, "failed");
  assert.ok(coreError(outcome.error, "Connect") && outcome.error.transient, String(outcome.error));
  assert.equal(outcome.attempts, 0);
  assert.equal(outcome.gaveUp, true);
  await gone.close();
});

test("bad options throw before any socket opens: the core's InvalidOption, or a TypeError", async () => {
  const rec = await recorder();
  try {
    const at = { host: "127.0.0.1", port: rec.port, tls: "none" };
    for (const bad of [{ connections: 0 }, { connections: 1025 }, { connections: 1.5 }, { connections: -1 }, { queueCapacity: 0 },
      { messagesPerConnection: 0 }, { idleTimeout: 0 }, { rateLimitedPause: NaN }, { rate: "fast" }, { rate: { messages: 0, per: 1000 } },
      { rate: { messages: 10, per: 0 } }, { retry: { maxAttempts: 0 } }, { retry: { deadline: 0 } }, { retry: { initialBackoff: -1 } },
      { retry: { maxBackoff: Infinity } }, { timeout: 0 }, { tls: "ssl" }, { port: 0 }]) {
      assert.throws(() => new Mailer({ ...at, ...bad }), (e) => coreError(e, "InvalidOption"), JSON.stringify(bad));
    }
    for (const bad of [{ rate: 5 }, { rate: { messages: 5 } }, { retry: "often" }, { connections: "4" }, { atLeastOnce: "yes" }]) {
      assert.throws(() => new Mailer({ ...at, ...bad }), TypeError, JSON.stringify(bad));
    }
    assert.throws(() => new Mailer(), TypeError);
    assert.throws(() => new Mailer({ ...at, credentials: { user: "u", key: "" } }), (e) => coreError(e, "InvalidCredentials"));
    for (const good of [{ rate: "sendcloud" }, { rate: { messages: 100, per: 1000 } }, { messagesPerConnection: Infinity },
      { connections: 1024, queueCapacity: 1, idleTimeout: 1, atLeastOnce: true, retry: { maxAttempts: 1 } }]) {
      await new Mailer({ ...at, ...good }).close();
    }
    // Credentials passed as an object stay the caller's.
    const creds = new Credentials("u", "k", "1");
    await new Mailer({ ...at, credentials: creds }).close();
    assert.equal(creds.username, "u#1");
    assert.equal(rec.connections.length, 0, "no option opened a socket");
  } finally {
    await rec.close();
  }
});

test("an idle Mailer does not keep the process alive (nor does one with its work done)", async () => {
  const rec = await recorder();
  try {
    const script = `
      import { Mailer } from "mailwright";
      const mailer = new Mailer({ host: "127.0.0.1", port: ${rec.port}, tls: "none", idleTimeout: 86400000 });
      const o = await mailer.send({ from: "a@ifaxin.com", to: "b@ifaxin.com", text: "x" });
      console.log(o.kind);`;
    const child = spawnScript(script, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    // Kept alive, it would wait a day for its idle connection: stop it rather than hang the run.
    const guard = setTimeout(() => child.kill(), 30_000);
    const code = await new Promise((resolve) => child.once("exit", resolve));
    clearTimeout(guard);
    assert.equal(code, 0, "the process ended by itself");
    assert.equal(out.trim(), "delivered");
    assert.equal(rec.subjects.length, 1);
  } finally {
    await rec.close();
  }
});

test("a lost connection reads in the core's words: the stage the driver was in, then what the socket said", async () => {
  // Greets, then hangs up at the EHLO: the session is lost while waiting for the server.
  const server = createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", () => socket.destroy());
    socket.write("220 hangs.up ESMTP\r\n");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const mailer = new Mailer({ host: "127.0.0.1", port: server.address().port, tls: "none", connections: 1,
      retry: { maxAttempts: 1, deadline: 2000 } });
    const outcome = await mailer.send(base);
    await mailer.close();
    assert.equal(outcome.kind, "failed");
    assert.ok(coreError(outcome.error, "ConnectionClosed"), String(outcome.error));
    assert.match(outcome.error.message, /^ConnectionClosed: the connection closed while waiting for the server/);
  } finally {
    server.close();
  }
});
