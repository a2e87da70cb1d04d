// The shared SMTP vectors (testdata/smtp: AUTH payloads, reply parsing and
// classification, scripted sessions) through the package's public API. Fails
// if fewer cases ran than the files hold.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Message, Credentials, Reply, Session, authLogin, authPlain, authXoauth2, loginAnswer } from "mailwright";
import { toInit } from "./vectors.mjs";

const dir = process.env.MW_SMTP_VECTORS;
const load = (path) => JSON.parse(readFileSync(path, "utf8"));
const text = (bytes) => Buffer.from(bytes).toString("utf8");
const b64 = (s) => Buffer.from(s).toString("base64");

function credentials(c) {
  return "token" in c ? Credentials.oauth2(c.user, c.token, c.label) : new Credentials(c.user, c.key, c.label);
}

// Runs `make`; returns [value, error kind or null]; non-mailwright errors fail.
function attempt(make) {
  try {
    return [make(), null];
  } catch (e) {
    if (typeof e.code !== "string" || typeof e.errorCode !== "number") throw e;
    return [null, e.code];
  }
}

test("auth.json", () => {
  const { cases } = load(join(dir, "auth.json"));
  let ran = 0;
  for (const c of cases) {
    const [creds, error] = attempt(() => credentials(c.credentials));
    assert.equal(error, c.expected_error ?? null, `${c.name}: expected_error`);
    if (creds) {
      const expected = creds.isOAuth2
        ? { username: creds.username, xoauth2: text(authXoauth2(creds)) }
        : {
          username: creds.username,
          login: text(authLogin(creds)),
          login_username: text(loginAnswer(b64("Username:"), creds, false)),
          login_password: text(loginAnswer(b64("Password:"), creds, true)),
          plain: text(authPlain(creds)),
        };
      assert.deepEqual(expected, c.expected, c.name);
    }
    ran++;
  }
  assert.ok(cases.length > 0);
  assert.equal(ran, cases.length);
});

test("replies.json", () => {
  const { cases } = load(join(dir, "replies.json"));
  let ran = 0;
  for (const c of cases) {
    const [reply, error] = attempt(() => Reply.parse(Buffer.from(c.input, "utf8")));
    assert.equal(error, c.expected_error ?? null, `${c.name}: expected_error`);
    if (reply) {
      assert.deepEqual({
        code: reply.code, enhanced: reply.enhancedCode ?? null, lines: reply.lines, class: reply.classification,
        transient: reply.transient, queue_id: reply.queueId ?? null,
      }, c.expected, c.name);
    }
    ran++;
  }
  assert.ok(cases.length > 0);
  assert.equal(ran, cases.length);
});

const message = (name) => new Message(toInit(load(join(dir, "..", "vectors", `${name}.json`)).input));
const refused = (list) => list.map((r) => ({ recipient: r.address, code: r.code }));

function eventJson(e) {
  switch (e.kind) {
    case "Sent":
      return { type: e.kind, handle: e.handle, queue_id: e.result.queueId ?? null, accepted: e.result.accepted, refused: refused(e.result.refused), code: e.result.code };
    case "Failed":
      return { type: e.kind, handle: e.handle, error: e.error.code, code: e.error.smtpCode ?? null, refused: refused(e.refused) };
    case "Error":
      return { type: e.kind, error: e.error.code, code: e.error.smtpCode ?? null };
    default:
      return { type: e.kind };
  }
}

function runSession(c) {
  const cfg = c.config;
  const [session, error] = attempt(() => new Session(
    { helloName: cfg.hello_name, tls: cfg.tls, pipelining: cfg.pipelining, transcript: false, allowPlaintextAuth: cfg.allow_plaintext_auth ?? false },
    cfg.credentials ? credentials(cfg.credentials) : undefined));
  assert.equal(error, c.expected_error ?? null, `${c.name}: expected_error`);
  if (!session) return;
  c.steps.forEach((step, i) => {
    const where = `${c.name} step ${i + 1}`;
    let handle = null, stepError = null;
    if ("send" in step) [handle, stepError] = attempt(() => session.send(message(step.send)));
    else if ("server" in step) session.receive(Buffer.from(step.server, "utf8"));
    else if ("tls_established" in step) session.tlsEstablished();
    else if ("lost" in step) session.connectionLost(step.lost, "");
    else if ("quit" in step) session.quit();
    else if ("advance_ms" in step) session.advance(step.advance_ms);
    else assert.fail(`${where}: unknown step ${JSON.stringify(step)}`);
    const client = text(session.takeOutput());
    const events = [];
    for (let e = session.pollEvent(); e; e = session.pollEvent()) events.push(eventJson(e));
    assert.equal(handle, step.handle ?? null, `${where}: handle`);
    assert.equal(stepError, step.expected_error ?? null, `${where}: expected_error`);
    assert.equal(client, step.client, `${where}: client`);
    assert.deepEqual(events, step.events, `${where}: events`);
  });
}

test("sessions/*.json", () => {
  const files = readdirSync(join(dir, "sessions")).filter((f) => f.endsWith(".json")).sort();
  let ran = 0;
  for (const f of files) {
    runSession(load(join(dir, "sessions", f)));
    ran++;
  }
  assert.ok(files.length > 0);
  assert.equal(ran, files.length);
});

test("the d.ts unions are exactly the core's name tables", async () => {
  const { createRequire } = await import("node:module");
  const { dirname } = await import("node:path");
  const mw = (await import("mailwright")).default;
  const dts = readFileSync(join(dirname(createRequire(import.meta.url).resolve("mailwright")), "..", "index.d.ts"), "utf8");
  const union = (name) => [...dts.match(new RegExp(`export type ${name} =([\\s\\S]*?);\\n`))[1].matchAll(/"(\w+)"/g)].map((m) => m[1]);
  const names = mw.__names();
  assert.deepEqual(union("TlsMode"), names.tlsModes);
  assert.deepEqual(union("ConnectionLoss"), names.connectionLosses);
  assert.deepEqual(union("ReplyClass"), names.replyClasses);
  assert.deepEqual(union("Direction"), names.directions);
  assert.deepEqual(union("ErrorCategory"), names.errorCategories);
  assert.deepEqual(union("OutcomeKind"), names.outcomes);
  const actions = [...dts.match(/export type DispatcherAction =([\s\S]*?);\n/)[1].matchAll(/kind: "(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual(actions, names.actions);
  const events = [...dts.match(/export type SessionEvent =([\s\S]*?);\n\n/)[1].matchAll(/kind: "(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual(events, names.events);
});

test("the d.ts names every reply class, event and TLS mode the vectors use", async () => {
  const { createRequire } = await import("node:module");
  const { dirname } = await import("node:path");
  const dts = readFileSync(join(dirname(createRequire(import.meta.url).resolve("mailwright")), "..", "index.d.ts"), "utf8");
  const union = (name) => dts.match(new RegExp(`export type ${name} =([\\s\\S]*?);\\n`))[1];
  for (const c of load(join(dir, "replies.json")).cases) if (c.expected) assert.ok(union("ReplyClass").includes(`"${c.expected.class}"`), c.expected.class);
  for (const f of readdirSync(join(dir, "sessions")).filter((f) => f.endsWith(".json"))) {
    const c = load(join(dir, "sessions", f));
    if (!c.expected_error) assert.ok(union("TlsMode").includes(`"${c.config.tls}"`), c.config.tls);
    for (const step of c.steps) for (const e of step.events) assert.ok(union("SessionEvent").includes(`kind: "${e.type}"`), e.type);
  }
});
