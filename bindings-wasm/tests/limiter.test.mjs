// The Mailer's `limiter` (a quota shared with other processes, the core's
// QuotaGate) with fake limiters against a small counting SMTP server: a go is
// one message sent, a wait holds the message that long, a throw holds every
// message until its deadline (the thrown text in its failure) or until the
// limiter answers again, the limiter is never asked while the Mailer's own
// rate says wait, and a limiter that is not one is refused. And `rate(init)`:
// the core's numbers for a rate, the window a shared quota must keep.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { Mailer, MailwrightError, rate } from "mailwright";

test("rate(): the core's numbers for a rate option, and the window a shared quota keeps", () => {
  // SendCloud's documented quota: 20,000 a minute; slots held 1 s longer (the core's margin, at most 1 s).
  assert.deepEqual({ ...rate("sendcloud") }, { messages: 20000, per: 60000, burst: 500, sharedWindow: 61000 });
  // A twentieth of the window when that is less than 1 s; a burst of one second's worth.
  assert.deepEqual({ ...rate({ messages: 2000, per: 10000 }) }, { messages: 2000, per: 10000, burst: 200, sharedWindow: 10500 });
  assert.deepEqual({ ...rate({ messages: 10, per: 1000 }) }, { messages: 10, per: 1000, burst: 10, sharedWindow: 1050 });
  // The same numbers the Mailer paces by: its current rate is messages / per.
  for (const init of ["sendcloud", { messages: 2000, per: 10000 }]) {
    const mailer = new Mailer({ host: "127.0.0.1", port: 25, tls: "none", rate: init });
    const r = rate(init);
    assert.equal(mailer.counters.currentRate, r.messages / (r.per / 1000));
    mailer.abort();
  }
  // Refused as the Mailer's option is.
  for (const bad of ["mailgun", { messages: 0, per: 1000 }, { messages: 5, per: -1 }]) {
    assert.throws(() => rate(bad), (e) => e instanceof MailwrightError && e.code === "InvalidOption", JSON.stringify(bad));
  }
  for (const bad of [undefined, null, 5, { messages: 5 }, { per: 1000 }]) assert.throws(() => rate(bad), TypeError, String(bad));
});

const base = { from: "support@ifaxin.com", to: "ben@ifaxin.com", text: "x" };

/** A PIPELINING SMTP server (no TLS) that counts the MAIL commands and the messages stored. */
async function counting() {
  const rec = { mails: 0, stored: 0 };
  const server = createServer((socket) => {
    let buffer = "", inData = false;
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      for (let eol = buffer.indexOf("\r\n"); eol >= 0; eol = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        if (inData) {
          if (line === ".") {
            inData = false;
            socket.write(`250 2.0.0 Ok: queued as L${++rec.stored}\r\n`);
          }
          continue;
        }
        const verb = line.split(" ")[0].toUpperCase();
        if (verb === "EHLO") socket.write("250-limit.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
        else if (verb === "MAIL") { rec.mails++; socket.write("250 ok\r\n"); }
        else if (verb === "DATA") { inData = true; socket.write("354 go ahead\r\n"); }
        else if (verb === "QUIT") { socket.end("221 bye\r\n"); return; }
        else socket.write("250 ok\r\n");
      }
    });
    socket.write("220 limit.test ESMTP\r\n");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  rec.port = server.address().port;
  rec.close = () => new Promise((resolve) => server.close(resolve));
  return rec;
}

const options = (rec, more) => ({ host: "127.0.0.1", port: rec.port, tls: "none", timeout: 5000, connections: 2, ...more });

/** A fake limiter answering from `answers` (a function of the call's number, from 0), recording each call. */
function fake(answer, rec) {
  return {
    calls: [],
    acquire() {
      this.calls.push({ at: performance.now(), mails: rec.mails });
      return answer(this.calls.length - 1);
    },
  };
}

test("limiter: each go is one message sent, and only a go sends one", async () => {
  const rec = await counting();
  try {
    const limiter = fake(() => 0, rec);
    const mailer = new Mailer(options(rec, { limiter }));
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, n) => mailer.send({ ...base, subject: `go ${n}` })));
    await mailer.close();
    assert.deepEqual(outcomes.map((o) => o.kind), Array(20).fill("delivered"));
    assert.equal(rec.stored, 20);
    // A slot the limiter grants is always used: asked exactly once per message.
    assert.equal(limiter.calls.length, 20);
  } finally {
    await rec.close();
  }
});

test("limiter: a wait (milliseconds) holds the message that long, then it is asked again", async () => {
  const rec = await counting();
  try {
    const limiter = fake((n) => (n < 3 ? 40 : 0), rec);
    const mailer = new Mailer(options(rec, { limiter, connections: 1 }));
    const outcome = await mailer.send({ ...base, subject: "wait" });
    await mailer.close();
    assert.equal(outcome.kind, "delivered");
    assert.equal(outcome.attempts, 1);
    assert.equal(limiter.calls.length, 4);
    // Nothing reached the relay while the limiter said wait.
    assert.deepEqual(limiter.calls.map((c) => c.mails), [0, 0, 0, 0]);
    assert.equal(rec.mails, 1);
    // Every wait was kept: the core does not ask again before a wait ends,
    // whatever else wakes it (e.g. the connection opening; lower bounds only).
    for (let n = 1; n < 4; n++) {
      assert.ok(limiter.calls[n].at - limiter.calls[n - 1].at >= 39, `asked again (call ${n}) before the wait it was given`);
    }
  } finally {
    await rec.close();
  }
});

test("limiter: a throw holds every message; they fail at their deadline with the reason, and nothing is sent", async () => {
  const rec = await counting();
  try {
    const limiter = fake(() => { throw new Error("redis at 127.0.0.1:1 is down"); }, rec);
    const mailer = new Mailer(options(rec, { limiter, retry: { deadline: 1500 } }));
    const outcomes = await Promise.all([1, 2, 3].map((n) => mailer.send({ ...base, subject: `held ${n}` })));
    await mailer.close();
    for (const o of outcomes) {
      assert.equal(o.kind, "failed");
      assert.equal(o.gaveUp, true);
      assert.ok(o.error instanceof MailwrightError);
      assert.equal(o.error.code, "Timeout");
      assert.match(o.error.message, /shared quota could not be asked \(limiter\.acquire\(\) threw Error: redis at 127\.0\.0\.1:1 is down\)/);
    }
    assert.ok(limiter.calls.length >= 1);
    assert.equal(rec.mails, 0, "no MAIL while the limiter could not be asked");
  } finally {
    await rec.close();
  }
});

test("limiter: after a throw it is asked again later, and the held message goes once it says go", async () => {
  const rec = await counting();
  try {
    const limiter = fake((n) => { if (n === 0) throw new Error("redis restarting"); return 0; }, rec);
    const mailer = new Mailer(options(rec, { limiter }));
    const outcome = await mailer.send({ ...base, subject: "held then sent" });
    await mailer.close();
    assert.equal(outcome.kind, "delivered");
    assert.equal(limiter.calls.length, 2);
    assert.equal(rec.stored, 1);
  } finally {
    await rec.close();
  }
});

test("limiter: never asked while the Mailer's own rate says wait", async () => {
  const rec = await counting();
  try {
    const limiter = fake(() => 0, rec);
    // One message a minute: the second must wait for the Mailer's own window, without asking the limiter.
    const mailer = new Mailer(options(rec, { limiter, rate: { messages: 1, per: 60000 } }));
    const first = mailer.send({ ...base, subject: "first" });
    const second = mailer.send({ ...base, subject: "second" });
    assert.equal((await first).kind, "delivered");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(limiter.calls.length, 1, "asked while the Mailer's own rate said wait");
    await mailer.abort();
    const held = await second;
    assert.equal(held.kind, "failed");
    assert.equal(held.error.code, "InvalidState");
    assert.equal(limiter.calls.length, 1);
    assert.equal(rec.stored, 1);
  } finally {
    await rec.close();
  }
});

test("limiter: an asynchronous acquire() is not a limiter's answer (the reason says so)", async () => {
  const rec = await counting();
  try {
    const mailer = new Mailer(options(rec, { limiter: { acquire: async () => 0 }, retry: { deadline: 300 } }));
    const outcome = await mailer.send({ ...base, subject: "async" });
    await mailer.close();
    assert.equal(outcome.kind, "failed");
    assert.match(outcome.error.message, /returned a Promise/);
    assert.equal(rec.mails, 0);
  } finally {
    await rec.close();
  }
});

test("limiter: anything without an acquire() method is a TypeError", () => {
  for (const limiter of [{}, { acquire: 1 }, 5, "redis"]) {
    assert.throws(() => new Mailer({ host: "127.0.0.1", port: 25, tls: "none", limiter }), TypeError);
  }
  // undefined and null: no limiter.
  for (const limiter of [undefined, null]) new Mailer({ host: "127.0.0.1", port: 25, tls: "none", limiter }).abort();
});
