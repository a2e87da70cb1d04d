// Errors, types, payloads, replies and the sans-IO session from JS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Message, Credentials, Reply, Session, authLogin, authPlain, loginAnswer, MailwrightError, SmtpError } from "mailwright";

const base = { from: "support@ifaxin.com", to: "ben@ifaxin.com", text: "x" };

test("errors are Error subclasses with a code", () => {
  for (const [init, code] of [
    [{ ...base, subject: "a\r\nBcc: x@y.com" }, "HeaderInjection"],
    [{ ...base, from: "nope" }, "InvalidAddress"],
    [{ to: "ben@ifaxin.com" }, "MissingFrom"],
    [{ ...base, headers: { Bcc: "x@y.com" } }, "InvalidHeaderName"],
    [{ ...base, inline: [{ cid: "a b", contentType: "image/png", data: new Uint8Array(1) }] }, "InvalidContentId"],
    [{ ...base, xSmtpApi: { to: ["a@b.com", "c@d.com"], sub: { "%n%": ["1"] } } }, "XSmtpApiInvalid"],
  ]) {
    assert.throws(() => new Message(init), (e) => e instanceof MailwrightError && e instanceof Error && e.code === code && typeof e.errorCode === "number" && typeof e.stack === "string");
  }
  for (const init of [{ from: 5 }, { ...base, to: [7] }, { ...base, attachments: [{ filename: "a", contentType: "a/b", data: "str" }] }, { ...base, date: "x" }]) {
    assert.throws(() => new Message(init), TypeError);
  }
});

test("deterministic options, dates, ArrayBuffer data", () => {
  const when = new Date(Date.UTC(2015, 2, 15, 3, 26, 55));
  const data = new Uint8Array([1, 2, 3]);
  const a = new Message({ ...base, date: when, messageId: "x@ifaxin.com", boundarySeed: "s", attachments: [{ filename: "a.bin", contentType: "application/octet-stream", data }] });
  const b = new Message({ ...base, date: 1426390015, messageId: "x@ifaxin.com", boundarySeed: "s", attachments: [{ filename: "a.bin", contentType: "application/octet-stream", data: data.buffer }] });
  assert.deepEqual(a.toBytes(), b.toBytes());
  assert.equal(a.date, 1426390015);
  assert.notDeepEqual(new Message(base).toBytes(), new Message(base).toBytes());
  assert.match(new Message(base).messageId, /^[0-9a-f]{32}@ifaxin\.com$/);
});

test("payloads, replies, session", () => {
  const creds = new Credentials("api_user", "api_key", "12345");
  assert.equal(creds.username, "api_user#12345");
  assert.ok(!String(creds).includes("api_key"));
  assert.equal(Buffer.from(authLogin(creds)).toString(), "AUTH LOGIN YXBpX3VzZXIjMTIzNDU=\r\n");
  assert.equal(Buffer.from(loginAnswer("UGFzc3dvcmQ6", creds, true)).toString(), "YXBpX2tleQ==\r\n");
  assert.equal(Buffer.from(authPlain(creds)).toString(), "AUTH PLAIN AGFwaV91c2VyIzEyMzQ1AGFwaV9rZXk=\r\n");
  const r = Reply.parse(Buffer.from("250 #1426390015358_15_6484_8661.sc-10_10_127_51-inbound#Queued\r\n"));
  assert.equal(r.queueId, "1426390015358_15_6484_8661.sc-10_10_127_51-inbound");
  assert.equal(Reply.parse(Buffer.from("536 Frequency limited\r\n")).classification, "rate_limited");
  assert.throws(() => Reply.parse(Buffer.from("hello\r\n")), (e) => e.code === "Protocol");

  const s = new Session({ helloName: "ifaxin.com", tls: "never" }, creds.clone());
  s.receive(Buffer.from("220 hi\r\n250-mx\r\n250-PIPELINING\r\n250 AUTH LOGIN\r\n"));
  assert.equal(Buffer.from(s.takeOutput()).toString(), "EHLO ifaxin.com\r\nAUTH LOGIN YXBpX3VzZXIjMTIzNDU=\r\n");
  s.receive(Buffer.from("334 UGFzc3dvcmQ6\r\n"));
  s.takeOutput();
  s.receive(Buffer.from("235 ok\r\n"));
  assert.equal(s.pollEvent().kind, "ready");
  const handle = s.send(new Message(base));
  assert.match(Buffer.from(s.takeOutput()).toString(), /^MAIL FROM:<support@ifaxin\.com>/);
  s.receive(Buffer.from("536 Frequency limited\r\n503 no\r\n503 no\r\n"));
  const event = s.pollEvent();
  assert.equal(event.kind, "failed");
  assert.equal(event.handle, handle);
  assert.ok(event.error instanceof SmtpError && event.error.code === "RateLimited" && event.error.smtpCode === 536);
  assert.equal(s.pollEvent(), undefined);
  assert.equal(creds.username, "api_user#12345", "credentials stay usable");
});
