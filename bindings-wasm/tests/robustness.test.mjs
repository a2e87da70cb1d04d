// Issue 15 without a network: WebAssembly memory (one-shot builds, dispose,
// freed objects, allocation failure), lone surrogates in every string
// parameter, size limits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  Message, buildMessage, Credentials, Reply, Session, connectOptions, loginAnswer, authPlain, wasmMemorySize, rate,
  MailwrightError,
} from "mailwright";
import { spawnScriptSync } from "./script.mjs";

const base = { from: "support@ifaxin.com", to: "ben@ifaxin.com", text: "x" };
const isKind = (code) => (e) => e instanceof MailwrightError && e.code === code;

test("buildMessage: the same bytes as Message, and no WebAssembly memory kept", () => {
  const init = { ...base, subject: "测试", date: 1426390015, messageId: "x@ifaxin.com", boundarySeed: "s",
    attachments: [{ filename: "a.bin", contentType: "application/octet-stream", data: new Uint8Array(1000).fill(7) }] };
  const built = buildMessage(init);
  const msg = new Message(init);
  assert.ok(built.bytes instanceof Uint8Array);
  assert.deepEqual(built.bytes, msg.toBytes());
  assert.deepEqual([built.size, built.envelope, built.messageId, built.date, built.structure],
    [msg.size, msg.envelope, msg.messageId, msg.date, msg.structure]);
  msg.free();
  assert.throws(() => buildMessage({ ...base, subject: "a\r\nBcc: x@y.com" }), isKind("HeaderInjection"));
});

test("20,000 one-shot builds with 64 KB attachments: WebAssembly memory bounded by one message, not the loop", () => {
  const data = new Uint8Array(64 * 1024).map((_, i) => (i * 7919) & 0xff);
  const init = { ...base, attachments: [{ filename: "a.bin", contentType: "application/octet-stream", data }] };
  for (let i = 0; i < 20; i++) buildMessage(init); // warm up the allocator
  const before = wasmMemorySize();
  let bytes = 0;
  for (let i = 0; i < 20_000; i++) bytes += buildMessage(init).bytes.length;
  const grown = wasmMemorySize() - before;
  // One message holds about 64 KB of input and 90 KB of output: allow 16 of them.
  assert.ok(grown <= 16 * 160 * 1024, `memory grew by ${grown} bytes over 20,000 builds (${bytes} bytes built)`);
  assert.ok(bytes > 20_000 * 64 * 1024);
});

test("Symbol.dispose and free(): a freed object says so (typed InvalidState), free() twice does nothing", () => {
  const msg = new Message(base);
  assert.equal(typeof msg[Symbol.dispose], "function");
  msg[Symbol.dispose]();
  for (const use of [() => msg.toBytes(), () => msg.size, () => msg.envelope, () => msg.checkSize(0), () => new Session().send(msg)]) {
    assert.throws(use, (e) => isKind("InvalidState")(e) && e.category === "state" && /this Message was freed/.test(e.message) && !/null pointer/.test(e.message));
  }
  msg.free();
  msg[Symbol.dispose]();
  const creds = new Credentials("u", "k");
  const session = new Session({ tls: "none" }, creds); // taken by value: creds is moved
  assert.throws(() => creds.username, (e) => isKind("InvalidState")(e) && /this Credentials was freed/.test(e.message));
  assert.throws(() => authPlain(creds), (e) => isKind("InvalidState")(e) && /Credentials/.test(e.message));
  session.free();
  assert.throws(() => session.takeOutput(), (e) => isKind("InvalidState")(e) && /this Session was freed/.test(e.message));
  const reply = Reply.parse(Buffer.from("250 ok\r\n"));
  reply[Symbol.dispose]();
  assert.throws(() => reply.code, isKind("InvalidState"));
  const plan = connectOptions({ host: "h" });
  plan.free();
  assert.throws(() => plan.session(), isKind("InvalidState"));
});

test("checkSize refuses a limit that is not a whole number of bytes", () => {
  const msg = new Message(base);
  for (const bad of [-1, NaN, 1.5, Infinity, -Infinity, 2 ** 60]) {
    assert.throws(() => msg.checkSize(bad), (e) => isKind("InvalidOption")(e) && e.category === "input", String(bad));
  }
  assert.throws(() => msg.checkSize("10"), TypeError);
  msg.checkSize(0);
  msg.checkSize(msg.size);
  assert.throws(() => msg.checkSize(msg.size - 1), isKind("MessageTooLarge"));
  msg.free();
});

test("allocation failure where the binding allocates is a typed error, and the module goes on", () => {
  // 2.5 GiB of (untouched) zeros: more than a wasm32 buffer can hold.
  const huge = new Uint8Array(2.5 * 2 ** 30);
  assert.throws(() => buildMessage({ ...base, attachments: [{ filename: "a", contentType: "application/octet-stream", data: huge }] }),
    (e) => isKind("Io")(e) && e.category === "system" && /out of WebAssembly memory/.test(e.message));
  assert.equal(buildMessage(base).envelope.sender, "support@ifaxin.com");
});

test("after the module aborted (as on an allocation failure inside the core), every call throws a typed error saying so", async () => {
  const script = `
    import mw, { buildMessage, Message, MailwrightError } from "mailwright";
    const results = [];
    for (const call of [() => mw.__abortForTests(), () => buildMessage({ from: "a@b.com", to: "c@d.com" }), () => new Message({ from: "a@b.com", to: "c@d.com" })]) {
      try { call(); results.push("no error"); }
      catch (e) { results.push([e instanceof MailwrightError, e.code, e.category, /cannot be used any more/.test(e.message), e.cause instanceof WebAssembly.RuntimeError].join(" ")); }
    }
    console.log(JSON.stringify(results));`;
  const run = spawnScriptSync(script, { encoding: "utf8", timeout: 20_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), Array(3).fill("true Io system true true"));
});

test("a lone surrogate in any string parameter is InvalidUnicode, never U+FFFD", () => {
  const lone = "a\ud800b";
  const cases = {
    subject: () => buildMessage({ ...base, subject: lone }),
    text: () => buildMessage({ ...base, text: lone }),
    html: () => buildMessage({ ...base, html: "x\udc00" }),
    "address (string)": () => buildMessage({ ...base, to: `ben${"\ud800"}@ifaxin.com` }),
    "address (object)": () => buildMessage({ ...base, to: { name: lone, address: "ben@ifaxin.com" } }),
    from: () => new Message({ ...base, from: { address: `s${"\udfff"}@ifaxin.com` } }),
    "header value": () => buildMessage({ ...base, headers: { "X-Tag": lone } }),
    "header name": () => buildMessage({ ...base, headers: [[`X-${"\ud800"}`, "v"]] }),
    "header name (object key)": () => buildMessage({ ...base, headers: { [`X-${"\ud800"}`]: "v" } }),
    scCustom: () => buildMessage({ ...base, scCustom: { k: lone } }),
    "attachment filename": () => buildMessage({ ...base, attachments: [{ filename: lone, contentType: "text/plain", data: new Uint8Array(1) }] }),
    "inline cid": () => buildMessage({ ...base, html: "<img>", inline: [{ cid: lone, contentType: "image/png", data: new Uint8Array(1) }] }),
    "xSmtpApi.to": () => buildMessage({ ...base, xSmtpApi: { to: [lone] } }),
    "xSmtpApi.sub": () => buildMessage({ ...base, xSmtpApi: { to: ["a@b.com"], sub: { "%n%": [lone] } } }),
    messageId: () => buildMessage({ ...base, messageId: lone }),
    boundarySeed: () => buildMessage({ ...base, boundarySeed: lone }),
    listUnsubscribe: () => buildMessage({ ...base, listUnsubscribe: ["https://u.ifaxin.com/", `mailto:${lone}@ifaxin.com`] }),
    listId: () => buildMessage({ ...base, listId: `${lone} <news.ifaxin.com>` }),
    "calendar.method": () => buildMessage({ ...base, calendar: { method: lone, content: "BEGIN:VCALENDAR" } }),
    "calendar.content": () => buildMessage({ ...base, calendar: { method: "REQUEST", content: lone } }),
    "calendar.attachment": () => buildMessage({ ...base, calendar: { method: "REQUEST", content: "x", attachment: lone } }),
    "Credentials user": () => new Credentials(lone, "k"),
    "Credentials key": () => new Credentials("u", lone),
    "Credentials label": () => new Credentials("u", "k", lone),
    "oauth2 token": () => Credentials.oauth2("u", lone),
    loginAnswer: () => loginAnswer(lone, new Credentials("u", "k"), false),
    "Session helloName": () => new Session({ helloName: lone }),
    "Session connectionLost": () => new Session().connectionLost("closed", lone),
    "connectOptions host": () => connectOptions({ host: lone }),
    "connectOptions helloName": () => connectOptions({ host: "h", helloName: lone }),
    "connectOptions credentials": () => connectOptions({ host: "h", credentials: { user: "u", key: lone } }),
    "connectOptions ca": () => connectOptions({ host: "h", ca: lone }),
    "connectOptions pinSha256": () => connectOptions({ host: "h", pinSha256: lone }),
    "rate preset": () => rate(lone),
  };
  for (const [what, make] of Object.entries(cases)) {
    assert.throws(make, (e) => isKind("InvalidUnicode")(e) && e.category === "input" && /lone surrogate/.test(e.message), what);
  }
  // A real U+FFFD and a surrogate pair are text.
  const ok = buildMessage({ ...base, subject: "\ufffd 😀", date: 0, messageId: "x@y.z" });
  assert.ok(Buffer.from(ok.bytes).toString().includes("Subject: =?utf-8?B?77+9IPCfmIA=?="));
});

test("the two entry points carry the same guard", () => {
  const root = join(dirname(createRequire(import.meta.url).resolve("mailwright")), "..");
  const guard = (file) => readFileSync(join(root, file), "utf8").match(/\/\/ --- guard[\s\S]*?\/\/ --- end guard ---/)[0];
  assert.equal(guard("node/index.cjs"), guard("web/index.js"));
});

test("the package holds one .wasm (the Node and the web glue beside it both load it)", () => {
  const root = join(dirname(createRequire(import.meta.url).resolve("mailwright")), "..");
  const wasm = readdirSync(root, { recursive: true }).filter((f) => String(f).endsWith(".wasm"));
  assert.deepEqual(wasm, [join("wasm", "mailwright_wasm_bg.wasm")]);
});
