// Issue 15 over real sockets: the misbehaving server (testservers/misbehaving)
// and a small idle-closing server written here; bad options open nothing and
// leave nothing to keep the process alive.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { Message, Client, send, MailwrightError } from "mailwright";
import { spawnScript } from "./script.mjs";

const base = { from: "support@ifaxin.com", to: "ben@ifaxin.com", subject: "hi", text: "x" };
const KEY = "s3cr3t-api-key";

/** Runs the misbehaving server with this scenario; returns its port and a stop function. */
async function bad(scenario) {
  const child = spawn("python3", [process.env.MW_BADSMTP, scenario], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", () => reject(new Error("badsmtp.py exited")));
  });
  return { port: Number(line), stop: () => child.stdin.end() };
}

async function withBad(scenario, body) {
  const server = await bad(scenario);
  try {
    await body(server.port);
  } finally {
    server.stop();
  }
}

const noControls = (s) => !/[\x00-\x08\x0b-\x1f\x7f]/.test(s);

test("#5 credentials are never sent in clear text when not allowed: TlsUnavailable before AUTH", () => withBad("echo_auth", async (port) => {
  for (const tls of ["opportunistic", "none"]) {
    await assert.rejects(send(base, { host: "127.0.0.1", port, tls, allowPlaintextAuth: false, credentials: { user: "u", key: KEY } }),
      (e) => e instanceof MailwrightError && e.code === "TlsUnavailable" && !e.message.includes(KEY), tls);
  }
}));

test("#7 a server echoing the secret: <redacted> in the error and its reply text; no raw ESC/BEL", () => withBad("echo_auth", async (port) => {
  const b64 = Buffer.from(`\0u\0${KEY}`).toString("base64");
  // 127.0.0.1 is a loopback host: clear-text AUTH is allowed by default there.
  const err = await send(base, { host: "127.0.0.1", port, tls: "opportunistic", credentials: { user: "u", key: KEY } }).then(() => null, (e) => e);
  assert.ok(err instanceof MailwrightError && err.code === "AuthenticationFailed", String(err));
  for (const shown of [err.message, err.text ?? ""]) {
    assert.ok(shown.includes("<redacted>"), shown);
    assert.ok(!shown.includes(KEY) && !shown.includes(b64) && !shown.includes(Buffer.from(KEY).toString("base64")), shown);
    assert.ok(noControls(shown), JSON.stringify(shown));
  }
}));

test("#7 control characters in a queue id are escaped", () => withBad("control_chars", async (port) => {
  const result = await send(base, { host: "127.0.0.1", port, tls: "none" });
  assert.equal(result.queueId, "q\\x00id\\x1B[2J");
}));

test("#8 an early talker is a protocol error", () => withBad("early_talker", async (port) => {
  await assert.rejects(send(base, { host: "127.0.0.1", port, tls: "none" }), (e) => e instanceof MailwrightError && e.code === "Protocol");
}));

test("#10 a server dripping one byte every half second: Timeout after the reply deadline", () => withBad("slow_drip", async (port) => {
  const started = performance.now();
  await assert.rejects(send(base, { host: "127.0.0.1", port, tls: "none", timeout: 2000 }),
    (e) => e instanceof MailwrightError && e.code === "Timeout" && e.transient);
  const took = performance.now() - started;
  assert.ok(took >= 1900 && took < 5000, `${took} ms`);
}));

test("#10 a server that never answers the end of DATA: Timeout (message deadline)", () => withBad("stall_final", async (port) => {
  const started = performance.now();
  await assert.rejects(send(base, { host: "127.0.0.1", port, tls: "none", timeout: 60_000, messageTimeout: 1500 }),
    (e) => e instanceof MailwrightError && e.code === "Timeout");
  assert.ok(performance.now() - started < 5000);
}));

/** A small SMTP server (no PIPELINING, no TLS) counting connections and messages; closes idle connections after `idleClose` ms with a 421. */
async function tinySmtp({ idleClose } = {}) {
  const stats = { connections: 0, messages: 0 };
  const server = createServer((socket) => {
    stats.connections++;
    let buffer = "", inData = false, idle = null;
    const reply = (line) => {
      socket.write(`${line}\r\n`);
      clearTimeout(idle);
      if (idleClose) idle = setTimeout(() => socket.end("421 4.4.2 idle too long\r\n"), idleClose);
    };
    socket.on("error", () => {});
    socket.on("close", () => clearTimeout(idle));
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          buffer = buffer.slice(end + 5);
          inData = false;
          reply(`250 2.0.0 queued as T${++stats.messages}`);
          continue;
        }
        const eol = buffer.indexOf("\r\n");
        if (eol < 0) return;
        const cmd = buffer.slice(0, eol).toUpperCase();
        buffer = buffer.slice(eol + 2);
        if (cmd.startsWith("EHLO")) reply("250 tiny");
        else if (cmd.startsWith("MAIL") || cmd.startsWith("RCPT") || cmd === "RSET") reply("250 ok");
        else if (cmd === "DATA") { reply("354 go"); inData = true; buffer = "\r\n" + buffer; }
        else if (cmd === "QUIT") { socket.end("221 bye\r\n"); clearTimeout(idle); return; }
        else reply("500 what");
      }
    });
    reply("220 tiny ESMTP");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: server.address().port, stats, close: () => server.close() };
}

test("#11 an idle Client stays open past its timeout and sends on the same connection", async () => {
  const server = await tinySmtp();
  try {
    const client = await Client.connect({ host: "127.0.0.1", port: server.port, tls: "none", timeout: 300 });
    assert.match((await client.send(base)).queueId, /^T1$/);
    await sleep(900);
    assert.match((await client.send(new Message(base))).queueId, /^T2$/);
    assert.equal(server.stats.connections, 1);
    await client.quit();
    await assert.rejects(client.send(base), (e) => e instanceof MailwrightError && e.code === "InvalidState" && /closing or closed/.test(e.message));
  } finally {
    server.close();
  }
});

test("#11 when the server closed an idle connection, the next send reconnects (nothing in flight: nothing duplicated)", async () => {
  const server = await tinySmtp({ idleClose: 200 });
  try {
    const client = await Client.connect({ host: "127.0.0.1", port: server.port, tls: "none", timeout: 1000, transcript: true });
    assert.equal((await client.send(base)).queueId, "T1");
    await sleep(600); // the server says 421 and closes
    assert.equal((await client.send(base)).queueId, "T2");
    assert.equal(server.stats.connections, 2);
    assert.equal(server.stats.messages, 2);
    assert.ok(client.takeTranscript().length > 0);
    assert.deepEqual(client.takeTranscript(), [], "drained");
    await client.quit();
  } finally {
    server.close();
  }
});

test("#4 bad time-outs open no socket and leave nothing to keep the process alive", async () => {
  const script = `
    import { send } from "mailwright";
    const started = Date.now();
    for (const timeout of [-1, NaN, 0, Infinity]) {
      try { await send({ from: "a@b.com", to: "c@d.com", text: "x" }, { host: "127.0.0.1", port: ${process.env.MW_CLOSED_PORT ?? 9}, timeout }); process.exit(3); }
      catch (e) { if (e.code !== "InvalidOption") { console.error(e); process.exit(4); } }
    }
    console.log("refused");`;
  const child = spawnScript(script, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => { out += d; });
  const code = await Promise.race([
    new Promise((resolve) => child.once("exit", resolve)),
    sleep(10_000).then(() => { child.kill(); return "still running after 10 s"; }),
  ]);
  assert.equal(code, 0);
  assert.equal(out.trim(), "refused");
});
