// Node send(), Client and Mailer against the local Haraka: STARTTLS, AUTH
// LOGIN with a label, pinned certificates; options refused by the core before
// any socket.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync, readdirSync, mkdtempSync } from "node:fs";
import tls from "node:tls";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { Message, Credentials, Client, send, Mailer, MailwrightError, SmtpError } from "mailwright";

let haraka, info, leaf;
before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "mw-haraka-"));
  haraka = spawn("python3", [process.env.MW_HARAKACTL, "--dir", dir, "--user", "api_user=api_key"], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: haraka.stdout }).once("line", resolve);
    haraka.once("exit", () => reject(new Error("harakactl.py exited")));
  });
  info = JSON.parse(line);
  // The server's own certificate, beside the CA that signed it.
  leaf = readFileSync(join(dirname(info.ca_file), "tls_cert.pem"), "utf8");
});
after(() => haraka.stdin.end());

const message = (n) => new Message({
  from: "Support <support@ifaxin.com>", to: ["ben@ifaxin.com"], bcc: ["audit@ifaxin.com"],
  subject: `测试内嵌图片 ${n}`, html: '<img src="cid:image1">', text: ".dot",
  inline: [{ cid: "image1", contentType: "image/png", data: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) }],
});
const login = (label = "12345", key = "api_key") => new Credentials("api_user", key, label);

test("send() with a label over STARTTLS", async () => {
  const msg = message(0);
  const result = await send(msg, { host: "127.0.0.1", port: info.port, credentials: login(), tls: "starttls", ca: readFileSync(info.ca_file) });
  const meta = JSON.parse(readFileSync(join(info.queue_dir, `${result.queueId}.json`), "utf8"));
  assert.equal(meta.label, "12345");
  assert.equal(meta.tls, true);
  assert.deepEqual(meta.rcpt_to, ["ben@ifaxin.com", "audit@ifaxin.com"]);
  const stored = readFileSync(join(info.queue_dir, `${result.queueId}.eml`));
  assert.ok(stored.subarray(stored.length - msg.size).equals(Buffer.from(msg.toBytes())));
  assert.deepEqual(result.accepted, ["ben@ifaxin.com", "audit@ifaxin.com"]);
  assert.equal(result.code, 250);
});

test("a Client sends several messages; a wrong key is an SmtpError; an unknown CA a Tls error", async () => {
  const client = await Client.connect({ host: "127.0.0.1", port: info.port, credentials: login("7"), ca: readFileSync(info.ca_file), transcript: true });
  const ids = new Set();
  for (let i = 0; i < 3; i++) ids.add((await client.send(message(i))).queueId);
  const transcript = client.takeTranscript();
  assert.deepEqual(client.takeTranscript(), [], "the transcript is drained");
  await client.quit();
  assert.equal(ids.size, 3);
  assert.ok(transcript.some(([who, text]) => who === "client" && text === "<password, masked>"));
  await assert.rejects(
    send(message(9), { host: "127.0.0.1", port: info.port, credentials: login("1", "wrong"), ca: readFileSync(info.ca_file) }),
    (e) => e instanceof SmtpError && e.code === "AuthenticationFailed" && e.smtpCode === 535 && e.category === "server" && !e.transient);
  await assert.rejects(send(message(9), { host: "127.0.0.1", port: info.port, credentials: login() }),
    (e) => e instanceof MailwrightError && e.code === "Tls" && e.category === "connection" && !e.transient);
  // Plain-data credentials work too.
  const plain = await send(message(10), { host: "127.0.0.1", port: info.port, credentials: { user: "api_user", key: "api_key", label: "3" }, ca: readFileSync(info.ca_file) });
  assert.equal(JSON.parse(readFileSync(join(info.queue_dir, `${plain.queueId}.json`), "utf8")).label, "3");
});

test("ca adds to Node's default roots: the send works with Haraka's CA, and every default root is still trusted", async () => {
  const ca = readFileSync(info.ca_file, "utf8");
  const seen = [];
  const connect = tls.connect;
  tls.connect = (...args) => { seen.push(args[0]); return connect.apply(tls, args); };
  try {
    const result = await send(message(40), { host: "127.0.0.1", port: info.port, credentials: login(), ca });
    assert.equal(JSON.parse(readFileSync(join(info.queue_dir, `${result.queueId}.json`), "utf8")).tls, true);
  } finally {
    tls.connect = connect;
  }
  assert.equal(seen.length, 1);
  const trusted = seen[0].ca;
  assert.ok(tls.rootCertificates.length > 100);
  for (const root of tls.rootCertificates) assert.ok(trusted.includes(root), "a default root is missing");
  assert.ok(trusted.some((pem) => pem.trim() === ca.trim()), "the extra CA is missing");
  assert.equal(trusted.length, tls.rootCertificates.length + 1);
  assert.notEqual(seen[0].rejectUnauthorized, false);
});

test("a pinned certificate replaces the CA: PEM or SHA-256; a wrong pin is a Tls error", async () => {
  const byPem = await send(message(20), { host: "127.0.0.1", port: info.port, credentials: login(), pinCertificate: leaf });
  assert.equal(JSON.parse(readFileSync(join(info.queue_dir, `${byPem.queueId}.json`), "utf8")).tls, true);
  const fingerprint = new X509Certificate(leaf).fingerprint256;
  const byHash = await send(message(21), { host: "127.0.0.1", port: info.port, credentials: login(), pinSha256: [fingerprint.toLowerCase()] });
  assert.ok(byHash.queueId);
  await assert.rejects(send(message(22), { host: "127.0.0.1", port: info.port, credentials: login(), pinSha256: "00".repeat(32) }),
    (e) => e instanceof MailwrightError && e.code === "Tls" && /not the pinned one/.test(e.message) && e.message.includes(fingerprint));
  // The CA's own certificate is not the server's: pinning it fails too.
  await assert.rejects(send(message(23), { host: "127.0.0.1", port: info.port, credentials: login(), pinCertificate: readFileSync(info.ca_file) }),
    (e) => e.code === "Tls");
});

test("bad options are InvalidOption before any socket opens", async () => {
  let connections = 0;
  const server = createServer((socket) => { connections++; socket.destroy(); });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;
  try {
    for (const bad of [{ timeout: -1 }, { timeout: NaN }, { timeout: 0 }, { tls: "ssl" }, { port: 0 }, { helloName: "a\r\nb" },
      { pinSha256: "not a fingerprint" }, { pinSha256: ["ab".repeat(31)] }]) {
      await assert.rejects(send(message(30), { host: "127.0.0.1", port, ...bad }),
        (e) => e instanceof MailwrightError && e.code === "InvalidOption" && e.category === "input", JSON.stringify(bad));
    }
    await assert.rejects(send(message(30), { host: "127.0.0.1", port, credentials: { user: "u", key: "" } }), (e) => e.code === "InvalidCredentials");
    assert.equal(connections, 0);
    // A server that hangs up at once: the connection closed (transient).
    await assert.rejects(send(message(31), { host: "127.0.0.1", port, tls: "none" }), (e) => e.code === "ConnectionClosed" && e.transient);
    assert.equal(connections, 1);
  } finally {
    server.close();
  }
  // Nothing listens: the connection could not be opened.
  await assert.rejects(send(message(32), { host: "127.0.0.1", port, tls: "none", timeout: 2000 }), (e) => e.code === "Connect" && e.transient);
});

test("Mailer: 200 messages over 4 connections with a label over STARTTLS, each stored once, queue ids returned", async () => {
  const tag = `mailer-${process.pid}-${Date.now()}`;
  const mailer = new Mailer({ host: "127.0.0.1", port: info.port, credentials: login(), tls: "starttls", ca: readFileSync(info.ca_file),
    connections: 4, timeout: 20000 });
  let events = 0;
  mailer.on("outcome", () => events++);
  const outcomes = await Promise.all(Array.from({ length: 200 }, (_, n) => mailer.send({
    from: "support@ifaxin.com", to: ["ben@ifaxin.com"], subject: `${tag} ${n}`, text: `message ${n}\n.dot line`,
  })));
  const counters = mailer.counters;
  await mailer.close();
  assert.deepEqual(outcomes.filter((o) => o.kind !== "delivered"), []);
  assert.ok(outcomes.every((o) => o.attempts === 1 && o.error === undefined && o.refused.length === 0));
  assert.deepEqual(outcomes.map((o) => o.accepted), Array(200).fill(["ben@ifaxin.com"]));
  assert.equal(new Set(outcomes.map((o) => o.ticket)).size, 200);
  assert.equal(events, 200);
  assert.deepEqual([counters.delivered, counters.failed, counters.uncertain], [200, 0, 0]);
  assert.ok(counters.connections <= 4);
  // Each message stored once, over TLS, with the label; its queue id is the one returned.
  const ids = outcomes.map((o) => o.queueId);
  assert.equal(new Set(ids).size, 200);
  const subjects = [];
  for (const id of ids) {
    const meta = JSON.parse(readFileSync(join(info.queue_dir, `${id}.json`), "utf8"));
    assert.equal(meta.label, "12345");
    assert.equal(meta.tls, true);
    const eml = readFileSync(join(info.queue_dir, `${id}.eml`), "utf8");
    subjects.push(eml.match(new RegExp(`^Subject: (${tag} \\d+)\r?$`, "m"))[1]);
    assert.ok(eml.includes("\r\n.dot line"), "dot-stuffing undone by the server");
  }
  assert.deepEqual(subjects.sort(), Array.from({ length: 200 }, (_, n) => `${tag} ${n}`).sort());
  const stored = readdirSync(info.queue_dir).filter((f) => f.endsWith(".eml") && readFileSync(join(info.queue_dir, f), "utf8").includes(tag));
  assert.equal(stored.length, 200, "nothing stored twice");
});

test("Mailer: a wrong key or an unknown certificate is a failed outcome (not a rejection), nothing retried", async () => {
  const ca = readFileSync(info.ca_file);
  const wrongKey = new Mailer({ host: "127.0.0.1", port: info.port, credentials: login("1", "wrong"), ca, timeout: 20000 });
  const [a, b] = await Promise.all([wrongKey.send(message(50)), wrongKey.send(message(51))]);
  await wrongKey.close();
  for (const o of [a, b]) {
    assert.equal(o.kind, "failed");
    assert.ok(o.error instanceof SmtpError && o.error.code === "AuthenticationFailed" && o.error.smtpCode === 535, String(o.error));
    assert.equal(o.gaveUp, false);
    assert.equal(o.attempts, 0);
  }
  const pinned = new Mailer({ host: "127.0.0.1", port: info.port, credentials: login(), pinSha256: "00".repeat(32), timeout: 20000 });
  const o = await pinned.send(message(52));
  await pinned.close();
  assert.equal(o.kind, "failed");
  assert.ok(o.error instanceof MailwrightError && o.error.code === "Tls" && /not the pinned one/.test(o.error.message), String(o.error));
  // The right pin (the server's own certificate): delivered.
  const good = new Mailer({ host: "127.0.0.1", port: info.port, credentials: login("9"), pinCertificate: leaf, timeout: 20000 });
  const ok = await good.send(message(53));
  await good.close();
  assert.equal(ok.kind, "delivered");
  assert.equal(JSON.parse(readFileSync(join(info.queue_dir, `${ok.queueId}.json`), "utf8")).label, "9");
});

test("Mailer over implicit TLS (Haraka's SMTPS port), pinned: delivered with the label; a wrong pin is a failed outcome", async () => {
  const mailer = new Mailer({ host: "127.0.0.1", port: info.smtps_port, tls: "implicit", credentials: login("465"), pinCertificate: leaf,
    connections: 2, timeout: 20000 });
  const outcomes = await Promise.all([60, 61, 62].map((n) => mailer.send(message(n))));
  await mailer.close();
  for (const o of outcomes) {
    assert.equal(o.kind, "delivered", String(o.error));
    const meta = JSON.parse(readFileSync(join(info.queue_dir, `${o.queueId}.json`), "utf8"));
    assert.deepEqual([meta.label, meta.tls], ["465", true]);
  }
  const wrong = new Mailer({ host: "127.0.0.1", port: info.smtps_port, tls: "implicit", credentials: login(), pinSha256: "00".repeat(32), timeout: 20000 });
  const o = await wrong.send(message(63));
  await wrong.close();
  assert.equal(o.kind, "failed");
  assert.ok(o.error instanceof MailwrightError && o.error.code === "Tls" && /not the pinned one/.test(o.error.message), String(o.error));
});

// A loopback server that refuses every key with 535 (or greets with 554)
// and records each connection's commands.
function refuser(greeting = "220 refuser ESMTP\r\n") {
  const sessions = [];
  const server = createServer((socket) => {
    const commands = [];
    sessions.push(commands);
    socket.write(greeting);
    let buf = "";
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      buf += chunk.toString("latin1");
      for (let at = buf.indexOf("\r\n"); at >= 0; at = buf.indexOf("\r\n")) {
        const verb = buf.slice(0, at).split(" ")[0].toUpperCase();
        buf = buf.slice(at + 2);
        commands.push(verb);
        if (verb === "EHLO") socket.write("250-refuser\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n");
        else if (verb === "AUTH") socket.write("535 5.7.8 authentication failed\r\n");
        else if (verb === "QUIT") socket.end("221 2.0.0 bye\r\n");
        else socket.write("503 5.5.1 what?\r\n");
      }
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, sessions, port: server.address().port })));
}

const until = async (check) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  return check();
};

test("a refused key ends with QUIT on every path (send, Client.connect, Mailer)", async () => {
  const { server, sessions, port } = await refuser();
  const options = { host: "127.0.0.1", port, tls: "none", credentials: login("12345", "wrong"), timeout: 5000 };
  try {
    await assert.rejects(send(message(1), options), (err) => err.code === "AuthenticationFailed");
    await assert.rejects(Client.connect(options), (err) => err.code === "AuthenticationFailed");
    const mailer = new Mailer({ ...options, connections: 2 });
    const outcome = await mailer.send(message(2));
    await mailer.close();
    assert.equal(outcome.error.code, "AuthenticationFailed");
    assert.ok(await until(() => sessions.length >= 3 && sessions.every((s) => s.at(-1) === "QUIT")), JSON.stringify(sessions));
  } finally {
    server.close();
  }
});

test("a 554 greeting says QUIT", async () => {
  const { server, sessions, port } = await refuser("554 5.7.1 too many connections\r\n");
  try {
    await assert.rejects(send(message(3), { host: "127.0.0.1", port, tls: "none", timeout: 5000 }), (err) => err.code === "SmtpPermanent");
    assert.ok(await until(() => sessions.length === 1 && sessions[0].join() === "QUIT"), JSON.stringify(sessions));
  } finally {
    server.close();
  }
});
