// Errors, types, payloads, replies, options and the sans-IO session from JS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import mw, {
  Message, buildMessage, Credentials, Reply, Session, authLogin, authPlain, authXoauth2, loginAnswer, connectOptions,
  errorKinds, dkimSigner, MailwrightError, SmtpError,
} from "mailwright";
import crypto from "node:crypto";
import { toInit } from "./vectors.mjs";

const base = { from: "support@ifaxin.com", to: "ben@ifaxin.com", text: "x" };
const kinds = new Map(errorKinds().map((k) => [k.name, k]));

// A thrown error carries exactly what the core says about its kind.
function isCoreError(e, code) {
  const kind = kinds.get(e.code);
  return e instanceof MailwrightError && e instanceof Error && typeof e.stack === "string" &&
    (code === undefined || e.code === code) && kind !== undefined && e.errorCode === kind.code &&
    e.category === kind.category && e.transient === kind.transient &&
    (e instanceof SmtpError) === (kind.category === "server") && e.name === (e instanceof SmtpError ? "SmtpError" : "MailwrightError");
}

test("every kind the core reports: class, category and transient from the core", () => {
  const all = errorKinds();
  assert.ok(all.length >= 31, `${all.length} kinds`);
  assert.equal(new Set(all.map((k) => k.code)).size, all.length, "codes are unique");
  assert.ok(kinds.has("InvalidOption") && kinds.get("InvalidOption").code === 213 && kinds.get("InvalidOption").category === "input");
  for (const kind of all) {
    const e = mw.__errorOfKind(kind.name);
    assert.ok(isCoreError(e, kind.name), `${kind.name}: ${JSON.stringify({ ...e, name: e.name })}`);
  }
  // The d.ts names every category the core has.
  const dts = readFileSync(join(dirname(createRequire(import.meta.url).resolve("mailwright")), "..", "index.d.ts"), "utf8");
  const categories = dts.match(/export type ErrorCategory = ([^;]*);/)[1];
  for (const { category } of all) assert.ok(categories.includes(`"${category}"`), category);
});

test("errorKinds() is in code order and holds issue 13's kinds (input errors, not transient)", () => {
  const codes = errorKinds().map((k) => k.code);
  assert.deepEqual(codes, [...codes].sort((a, b) => a - b));
  const added = { InvalidUnsubscribeUri: 118, OneClickRequiresHttps: 119, InvalidListId: 120, InvalidDkimKey: 121,
    InvalidDkimOption: 122, InvalidCalendar: 123, CalendarMethodMismatch: 124 };
  for (const [name, code] of Object.entries(added)) {
    const kind = kinds.get(name);
    assert.ok(kind && kind.code === code && kind.category === "input" && kind.transient === false, name);
    const e = mw.__errorOfKind(name);
    assert.ok(isCoreError(e, name) && e.errorCode === code && !(e instanceof SmtpError), name);
  }
});

const ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ifaxin//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n" +
  "UID:1@ifaxin.com\r\nDTSTAMP:20250301T090000Z\r\nDTSTART:20250310T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

test("List-Unsubscribe (one-click), List-Id and a calendar invitation from MessageInit", () => {
  const init = { ...base, html: "<p>hi</p>", date: 0, messageId: "l@ifaxin.com", boundarySeed: "s",
    listUnsubscribe: ["<https://u.ifaxin.com/unsubscribe?id=8f2c>", "mailto:unsubscribe@ifaxin.com?subject=stop"],
    oneClickUnsubscribe: true, listId: "Spring news <spring.news.ifaxin.com>",
    calendar: { method: "request", content: ICS, attachment: "invite.ics" } };
  const msg = new Message(init);
  const text = Buffer.from(msg.toBytes()).toString();
  assert.ok(text.includes("List-Id: Spring news <spring.news.ifaxin.com>\r\n"));
  assert.ok(text.includes("List-Unsubscribe: <https://u.ifaxin.com/unsubscribe?id=8f2c>,\r\n <mailto:unsubscribe@ifaxin.com?subject=stop>\r\n"));
  assert.ok(text.includes("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
  assert.ok(text.includes("text/calendar; method=REQUEST; charset=utf-8"));
  assert.equal(msg.structure, "multipart/mixed[multipart/alternative[text/plain, text/html, text/calendar], application/ics]");
  msg.free();
  // One URI as a plain string; one-click off writes no List-Unsubscribe-Post.
  const one = Buffer.from(buildMessage({ ...base, listUnsubscribe: "mailto:u@ifaxin.com", oneClickUnsubscribe: false }).bytes).toString();
  assert.ok(one.includes("List-Unsubscribe: <mailto:u@ifaxin.com>\r\n") && !one.includes("List-Unsubscribe-Post"));
  // Without an attachment: the invitation is an alternative only.
  assert.equal(buildMessage({ ...base, html: "<p>x</p>", calendar: { method: "REQUEST", content: ICS } }).structure,
    "multipart/alternative[text/plain, text/html, text/calendar]");
});

test("bad unsubscribe, List-Id and calendar input: the core's typed errors; wrong JS types: TypeError", () => {
  for (const [extra, code] of [
    [{ listUnsubscribe: "http://u.ifaxin.com/" }, "InvalidUnsubscribeUri"],
    [{ listUnsubscribe: ["https://u.ifaxin.com/", "javascript:alert(1)"] }, "InvalidUnsubscribeUri"],
    [{ listUnsubscribe: "https://u.ifaxin.com/a,b" }, "InvalidUnsubscribeUri"],
    [{ listUnsubscribe: "https://u.ifaxin.com/\r\nBcc: x@y.com" }, "HeaderInjection"],
    [{ listUnsubscribe: "mailto:u@ifaxin.com", oneClickUnsubscribe: true }, "OneClickRequiresHttps"],
    [{ oneClickUnsubscribe: true }, "OneClickRequiresHttps"],
    [{ listId: "no dot" }, "InvalidListId"],
    [{ listUnsubscribe: "https://u.ifaxin.com/", headers: { "List-Unsubscribe": "<mailto:a@ifaxin.com>" } }, "InvalidHeaderName"],
    [{ calendar: { method: "REQUEST", content: "hello" } }, "InvalidCalendar"],
    [{ calendar: { method: "RE QUEST", content: ICS } }, "InvalidCalendar"],
    [{ calendar: { method: "CANCEL", content: ICS } }, "CalendarMethodMismatch"],
    [{ calendar: { method: "REQUEST", content: ICS.replace("METHOD:REQUEST\r\n", "") } }, "CalendarMethodMismatch"],
  ]) {
    assert.throws(() => new Message({ ...base, ...extra }), (e) => isCoreError(e, code) && e.category === "input" && !e.transient, JSON.stringify(extra));
    assert.throws(() => buildMessage({ ...base, ...extra }), (e) => isCoreError(e, code), JSON.stringify(extra));
  }
  for (const extra of [{ listUnsubscribe: 5 }, { listUnsubscribe: ["https://u.ifaxin.com/", null] }, { oneClickUnsubscribe: "yes" },
    { listId: 7 }, { calendar: "BEGIN:VCALENDAR" }, { calendar: { method: "REQUEST" } }, { calendar: { method: "REQUEST", content: ICS, attachment: 1 } }]) {
    assert.throws(() => new Message({ ...base, ...extra }), TypeError, JSON.stringify(extra));
  }
});

test("errors thrown by real calls are Error subclasses with the core's fields", () => {
  for (const [init, code] of [
    [{ ...base, subject: "a\r\nBcc: x@y.com" }, "HeaderInjection"],
    [{ ...base, from: "nope" }, "InvalidAddress"],
    [{ to: "ben@ifaxin.com" }, "MissingFrom"],
    [{ ...base, headers: { Bcc: "x@y.com" } }, "InvalidHeaderName"],
    [{ ...base, inline: [{ cid: "a b", contentType: "image/png", data: new Uint8Array(1) }] }, "InvalidContentId"],
    [{ ...base, xSmtpApi: { to: ["a@b.com", "c@d.com"], sub: { "%n%": ["1"] } } }, "XSmtpApiInvalid"],
  ]) {
    assert.throws(() => new Message(init), (e) => isCoreError(e, code) && e.category === "input" && e.transient === false);
  }
  for (const init of [{ from: 5 }, { ...base, to: [7] }, { ...base, attachments: [{ filename: "a", contentType: "a/b", data: "str" }] }, { ...base, date: "x" }]) {
    assert.throws(() => new Message(init), TypeError);
  }
  assert.throws(() => new Message(base).checkSize(10), (e) => isCoreError(e, "MessageTooLarge") && e.category === "capability");
});

test("the d.ts declares every export of the package, and only those", () => {
  const dts = readFileSync(join(dirname(createRequire(import.meta.url).resolve("mailwright")), "..", "index.d.ts"), "utf8");
  const declared = new Set([...dts.matchAll(/^export (?:class|function) (\w+)/gm)].map((m) => m[1]));
  assert.deepEqual([...declared].sort(), Object.keys(mw).sort());
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

test("credentials are checked when made", () => {
  for (const make of [() => new Credentials("api_user", ""), () => new Credentials("", "k"), () => new Credentials("u", "k", "a#b"),
    () => new Credentials("u\0x", "k"), () => Credentials.oauth2("u", "t\r\n")]) {
    assert.throws(make, (e) => isCoreError(e, "InvalidCredentials"));
  }
  const token = Credentials.oauth2("u", "t", "7");
  assert.ok(token.isOAuth2);
  assert.equal(token.username, "u#7");
  assert.match(Buffer.from(authXoauth2(token)).toString(), /^AUTH XOAUTH2 [A-Za-z0-9+/=]+\r\n$/);
  assert.throws(() => authPlain(token), (e) => isCoreError(e, "InvalidCredentials"));
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
  const limited = Reply.parse(Buffer.from("536 Frequency limited\r\n"));
  assert.equal(limited.classification, "RateLimited");
  assert.equal(limited.transient, true);
  assert.deepEqual(limited.lines, ["Frequency limited"]);
  assert.throws(() => Reply.parse(Buffer.from("hello\r\n")), (e) => isCoreError(e, "Protocol"));

  // Credentials without TLS only when allowed (the core's rule); a reply is
  // fed only after its command was taken (the core refuses early talkers).
  const s = new Session({ helloName: "ifaxin.com", tls: "none", transcript: true, allowPlaintextAuth: true }, creds.clone());
  s.receive(Buffer.from("220 hi\r\n"));
  assert.equal(Buffer.from(s.takeOutput()).toString(), "EHLO ifaxin.com\r\n");
  s.receive(Buffer.from("250-mx\r\n250-PIPELINING\r\n250 AUTH LOGIN\r\n"));
  assert.equal(Buffer.from(s.takeOutput()).toString(), "AUTH LOGIN YXBpX3VzZXIjMTIzNDU=\r\n");
  s.receive(Buffer.from("334 UGFzc3dvcmQ6\r\n"));
  s.takeOutput();
  s.receive(Buffer.from("235 ok\r\n"));
  assert.equal(s.pollEvent().kind, "Ready");
  const handle = s.send(new Message(base));
  assert.match(Buffer.from(s.takeOutput()).toString(), /^MAIL FROM:<support@ifaxin\.com>/);
  s.receive(Buffer.from("536 Frequency limited\r\n503 no\r\n503 no\r\n"));
  const event = s.pollEvent();
  assert.equal(event.kind, "Failed");
  assert.equal(event.handle, handle);
  assert.ok(isCoreError(event.error, "RateLimited") && event.error instanceof SmtpError && event.error.smtpCode === 536 && event.error.transient);
  assert.equal(s.pollEvent(), undefined);
  assert.equal(creds.username, "api_user#12345", "credentials stay usable");
  const transcript = s.takeTranscript();
  assert.deepEqual(transcript[0], ["server", "220 hi"]);
  assert.ok(transcript.some(([who, text]) => who === "client" && text === "<password, masked>"));
  s.connectionLost("timeout", "no answer");
  const lost = s.pollEvent();
  assert.ok(lost.kind === "Error" && isCoreError(lost.error, "Timeout") && lost.error.transient && /no answer/.test(lost.error.message));
  assert.throws(() => new Session({ tls: "never" }), (e) => isCoreError(e, "InvalidOption"));
  assert.throws(() => new Session({ helloName: "a b" }), (e) => isCoreError(e, "InvalidOption"));
  assert.throws(() => new Session().connectionLost("eof"), (e) => isCoreError(e, "InvalidOption"));
});

test("connection options: the core's defaults and rules", () => {
  const plan = connectOptions({ host: "mx.example.com" });
  assert.deepEqual([plan.port, plan.tls, plan.implicit, plan.timeout, plan.connectTimeout, plan.servername, plan.pinned],
    [25, "starttls", false, 30000, 30000, "mx.example.com", false]);
  assert.equal(connectOptions({ host: "mx.example.com", tls: "implicit" }).port, 465);
  assert.equal(connectOptions({ host: "127.0.0.1", port: 2525, timeout: 1500 }).servername, undefined);
  assert.equal(connectOptions({ host: "127.0.0.1", port: 2525, timeout: 1500 }).timeout, 1500);
  for (const bad of [{ timeout: -1 }, { timeout: NaN }, { timeout: 0 }, { timeout: 86_400_001 }, { port: 0 }, { port: 70000 }, { port: 25.5 },
    { tls: "required" }, { tls: "ssl" }, { helloName: "x\r\nRSET" }, { pinSha256: "abc" }, { pinSha256: ["AB".repeat(31) + "ZZ"] },
    { pinCertificate: "no certificate here" }]) {
    assert.throws(() => connectOptions({ host: "mx.example.com", ...bad }), (e) => isCoreError(e, "InvalidOption"), JSON.stringify(bad));
  }
  assert.throws(() => connectOptions({ host: "mx.example.com", credentials: { user: "u", key: "" } }), (e) => isCoreError(e, "InvalidCredentials"));
  assert.throws(() => connectOptions({ port: 25 }), TypeError);
  assert.ok(connectOptions({ host: "h", pinSha256: "sha256 Fingerprint=" + "ab:".repeat(31) + "ab" }).pinned);
  // Credentials in clear text: allowed for a loopback host (the core's default), else only when asked.
  for (const [host, allow, sent] of [["127.0.0.1", undefined, true], ["localhost", false, false], ["mx.example.com", undefined, false], ["mx.example.com", true, true]]) {
    const plan = connectOptions({ host, tls: "none", allowPlaintextAuth: allow }, new Credentials("u", "k", "1"));
    assert.equal(plan.allowPlaintextAuth, sent, host);
    const s = plan.session();
    s.receive(Buffer.from("220 hi\r\n"));
    assert.equal(Buffer.from(s.takeOutput()).toString(), "EHLO localhost\r\n");
    s.receive(Buffer.from("250-mx\r\n250 AUTH PLAIN\r\n"));
    if (sent) {
      assert.equal(Buffer.from(s.takeOutput()).toString(), "AUTH PLAIN AHUjMQBr\r\n");
    } else {
      assert.ok(!Buffer.from(s.takeOutput()).toString().includes("AUTH"), host);
      const e = s.pollEvent();
      assert.ok(e.kind === "Error" && isCoreError(e.error, "TlsUnavailable"), `${host}: ${e.kind} ${e.error && e.error.code}`);
    }
  }
  assert.equal(connectOptions({ host: "h", messageTimeout: 5000 }).messageTimeout, 5000);
  assert.equal(connectOptions({ host: "h" }).messageTimeout, 300000);
  for (const bad of [{ messageTimeout: 0 }, { messageTimeout: NaN }, { messageTimeout: -5 }]) {
    assert.throws(() => connectOptions({ host: "h", ...bad }), (e) => isCoreError(e, "InvalidOption"), JSON.stringify(bad));
  }
  assert.throws(() => connectOptions({ host: "h", allowPlaintextAuth: "yes" }), TypeError);
});

// DKIM: dkimSigner (node:crypto) against the golden vectors (signed there by
// vectors.mjs's own node:crypto signers), and the errors of the dkim member.
const vectorDir = () => process.env.MW_VECTORS_13 ?? join(process.env.MW_VECTORS, "..", "vectors-13");
const dkimFile = (name) => join(process.env.MW_VECTORS, "..", "dkim", name);

test("dkimSigner: PEM (PKCS#1, PKCS#8), KeyObject and raw seed keys give the vectors' bytes", () => {
  let ran = 0;
  for (const name of ["dkim_rsa_relaxed", "dkim_rsa_pkcs8_simple", "dkim_ed25519", "dkim_dual_rsa_ed25519", "dkim_sendcloud_inline"]) {
    const doc = JSON.parse(readFileSync(join(vectorDir(), `${name}.json`), "utf8"));
    const eml = readFileSync(join(vectorDir(), `${name}.eml`));
    const { dkim, ...unsigned } = doc.input;
    const init = toInit(unsigned);
    init.dkim = dkim.map((v, i) => {
      const pem = v.key_file && readFileSync(dkimFile(v.key_file), "utf8");
      // Each form of key once: a PEM string, a KeyObject, a Buffer, a seed.
      const privateKey = v.key_seed_base64 ? new Uint8Array(Buffer.from(v.key_seed_base64, "base64"))
        : i === 0 && ran % 2 ? crypto.createPrivateKey(pem) : ran % 3 === 2 ? Buffer.from(pem) : pem;
      return dkimSigner({ domain: v.domain, selector: v.selector, privateKey, time: v.time, expiresAfter: v.expires_after, canonicalization: v.canonicalization });
    });
    assert.equal(Buffer.from(new Message(init).toBytes()).toString("latin1"), eml.toString("latin1"), name);
    assert.ok(Buffer.from(buildMessage(init).bytes).equals(eml), name);
    ran++;
  }
  const ed = dkimSigner({ domain: "ifaxin.com", selector: "s", privateKey: readFileSync(dkimFile("ed25519.pem"), "utf8") });
  assert.equal(ed.algorithm, "ed25519-sha256");
  assert.ok(!("privateKey" in ed));
  assert.equal(ran, 5);
});

test("dkimSigner refuses keys it cannot use, without their bytes in the message", () => {
  const secret = "-----BEGIN PRIVATE KEY-----\nTOPSECRETAAAA\n-----END PRIVATE KEY-----\n";
  const { privateKey: ec } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const { publicKey } = crypto.generateKeyPairSync("ed25519");
  const { privateKey: small } = crypto.generateKeyPairSync("rsa", { modulusLength: 512 });
  for (const privateKey of [secret, ec, publicKey, small, new Uint8Array(31),
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"]) {
    assert.throws(() => dkimSigner({ domain: "ifaxin.com", selector: "s", privateKey }), (e) => isCoreError(e, "InvalidDkimKey") && !e.message.includes("TOPSECRET"));
  }
  assert.throws(() => dkimSigner({ domain: "ifaxin.com", selector: "s", privateKey: 5 }), TypeError);
  // The rules are the core's, in its words.
  assert.throws(() => dkimSigner({ domain: "ifaxin.com", selector: "s", privateKey: small }),
    (e) => isCoreError(e, "InvalidDkimKey") && /^an RSA key of 512 bits; DKIM needs 1024 to 4096/.test(e.message.replace(/^InvalidDkimKey: /, "")));
  assert.throws(() => dkimSigner({ domain: "ifaxin.com", selector: "s", privateKey: ec }),
    (e) => isCoreError(e, "InvalidDkimKey") && /"ec" key; DKIM signs with RSA/.test(e.message));
});

test("the dkim member: a sign that throws or returns the wrong length is InvalidDkimKey; bad options", () => {
  const signed = (dkim) => new Message({ ...base, dkim });
  const d = { domain: "ifaxin.com", selector: "s", algorithm: "ed25519-sha256", time: 1_500_000_000 };
  assert.throws(() => signed({ ...d, sign: () => { throw new Error("the HSM is offline"); } }), (e) => isCoreError(e, "InvalidDkimKey") && /the HSM is offline/.test(e.message));
  assert.throws(() => signed({ ...d, sign: () => new Uint8Array(63) }), (e) => isCoreError(e, "InvalidDkimKey") && /63 bytes/.test(e.message));
  assert.throws(() => signed({ ...d, algorithm: "rsa-sha256", sign: () => new Uint8Array(64) }), (e) => isCoreError(e, "InvalidDkimKey"));
  assert.throws(() => signed({ ...d, sign: () => "sig" }), (e) => isCoreError(e, "InvalidDkimKey") && /Uint8Array/.test(e.message));
  assert.throws(() => signed({ ...d, algorithm: "rsa-sha1", sign: () => new Uint8Array(64) }), (e) => isCoreError(e, "InvalidDkimOption"));
  assert.throws(() => signed({ ...d, canonicalization: "loose", sign: () => new Uint8Array(64) }), (e) => isCoreError(e, "InvalidDkimOption"));
  assert.throws(() => signed({ ...d, expiresAfter: -1, sign: () => new Uint8Array(64) }), (e) => isCoreError(e, "InvalidDkimOption"));
  assert.throws(() => signed({ ...d, selector: "a;b", sign: () => new Uint8Array(64) }), (e) => isCoreError(e, "InvalidDkimOption"));
  assert.throws(() => signed({ ...d }), TypeError);
  assert.throws(() => signed({ domain: "ifaxin.com", selector: "s", privateKey: "x" }), TypeError);
  assert.throws(() => signed(5), TypeError);
  // One signer, not in an array; the digest it gets; a Date as the time; ArrayBuffer back.
  let got;
  const m = signed({ ...d, time: new Date(1_500_000_000_000), expiresAfter: 60, sign: (digest) => { got = digest; return new ArrayBuffer(64); } });
  assert.equal(got.length, 32);
  const text = Buffer.from(m.toBytes()).toString();
  assert.ok(text.startsWith("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=ifaxin.com; s=s;"), text);
  assert.match(text, / t=1500000000; x=1500000060;/);
});

test("a sign function may build a message itself (the signers of nested builds stay apart)", () => {
  const { privateKey } = crypto.generateKeyPairSync("ed25519");
  const inner = dkimSigner({ domain: "ifaxin.com", selector: "inner", privateKey, time: 1 });
  const outer = dkimSigner({ domain: "ifaxin.com", selector: "outer", privateKey, time: 1 });
  const nested = { ...outer, sign: (d) => { new Message({ ...base, dkim: [inner, inner] }).free(); return outer.sign(d); } };
  const a = new Message({ ...base, messageId: "n@ifaxin.com", date: 1, boundarySeed: "s", dkim: [nested, outer] }).toBytes();
  const b = new Message({ ...base, messageId: "n@ifaxin.com", date: 1, boundarySeed: "s", dkim: [outer, outer] }).toBytes();
  assert.deepEqual(a, b);
});
