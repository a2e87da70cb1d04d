// Compiled with `tsc --noEmit` in CI: the package's types fit this usage.
import { Message, Credentials, Session, Reply, send, Client, MailwrightError, SmtpError, connectOptions, errorKinds, buildMessage, wasmMemorySize, Mailer, rate, dkimSigner } from "mailwright";
import type { CalendarInit, DkimInit, DkimAlgorithm } from "mailwright";
import type { MessageInit, SendResult, SessionEvent, Envelope, SendOptions, ErrorCategory, ReplyClass, BuiltMessage, Direction, MailerOptions, Outcome, Counters, Limiter, RateNumbers } from "mailwright";

const init: MessageInit = {
  from: { name: "客服", address: "support@ifaxin.com" },
  to: ["ben@ifaxin.com"],
  subject: "测试内嵌图片",
  html: '<img src="cid:image1">',
  inline: [{ cid: "image1", contentType: "image/png", data: new Uint8Array([1, 2, 3]) }],
  headers: { "X-Campaign": "spring" },
  xSmtpApi: { to: ["ben@ifaxin.com"], sub: { "%name%": ["Ben"] }, openTracking: true },
  date: new Date(),
  listUnsubscribe: ["https://u.ifaxin.com/unsubscribe?id=8f2c", "mailto:unsubscribe@ifaxin.com"],
  oneClickUnsubscribe: true,
  listId: "Spring news <spring.news.ifaxin.com>",
};
const invite: CalendarInit = { method: "REQUEST", content: "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n", attachment: "invite.ics" };
const invitation: MessageInit = { from: "support@ifaxin.com", to: "ben@ifaxin.com", html: "<p>invited</p>", calendar: invite };
// @ts-expect-error a dkim member needs selector, algorithm and sign.
const unsigned: MessageInit = { from: "support@ifaxin.com", to: "ben@ifaxin.com", dkim: [{ domain: "ifaxin.com" }] };
const rsa: DkimInit = dkimSigner({ domain: "ifaxin.com", selector: "mw2025", privateKey: "-----BEGIN PRIVATE KEY-----...", time: new Date(), expiresAfter: 86400 });
const algorithm: DkimAlgorithm = rsa.algorithm;
const own: DkimInit = { domain: "ifaxin.com", selector: "ed", algorithm: "ed25519-sha256", sign: (digest: Uint8Array) => digest, canonicalization: "relaxed/simple" };
const signed: MessageInit = { from: "support@ifaxin.com", to: "ben@ifaxin.com", text: "hi", dkim: [rsa, own] };
const msg = new Message(init);
const bytes: Uint8Array = msg.toBytes();
const envelope: Envelope = msg.envelope;
const size: number = msg.size + bytes.length + envelope.recipients.length;
const creds = new Credentials("api_user", "api_key", "12345");
const session = new Session({ tls: "starttls", helloName: "ifaxin.com" }, creds.clone());
session.receive(new Uint8Array());
const event: SessionEvent | undefined = session.pollEvent();
const reply: Reply = Reply.parse(new TextEncoder().encode("250 ok\r\n"));
const klass: ReplyClass = reply.classification;
if (event?.kind === "Failed") console.log(event.error.code, event.refused.length);
const options: SendOptions = { host: "127.0.0.1", port: 2525, tls: "starttls", timeout: 5000, messageTimeout: 60000, allowPlaintextAuth: false, pinSha256: "AB:CD", credentials: { user: "u", key: "k", label: "1" } };
const built: BuiltMessage = buildMessage(init);
const memory: number = wasmMemorySize() + built.bytes.length;
session.advance(performance.now());
const deadline: number | undefined = session.pollTimeout();
function disposable(): number {
  using scoped = new Message(init);
  return scoped.size;
}
const plan = connectOptions(options);
const categories: ErrorCategory[] = errorKinds().map((k) => k.category);
async function go(): Promise<SendResult> {
  const client: Client = await Client.connect({ host: "127.0.0.1", port: 2525, credentials: creds });
  await client.send(init);
  const lines: [Direction, string][] = client.takeTranscript();
  await client.quit();
  await using other = await Client.connect({ host: "127.0.0.1", port: 2525 });
  void lines; void other;
  try {
    return await send(msg, { host: "127.0.0.1", port: 2525, credentials: creds, tls: "starttls" });
  } catch (e) {
    if (e instanceof SmtpError && e.code === "RateLimited") throw e;
    if (e instanceof MailwrightError) console.log(e.code, e.errorCode, e.category, e.transient);
    throw e;
  }
}
async function bulk(): Promise<number> {
  const options: MailerOptions = {
    host: "127.0.0.1", port: 2525, credentials: creds.clone(), tls: "starttls", timeout: 20000,
    connections: 4, rate: "sendcloud", retry: { maxAttempts: 5, initialBackoff: 1000, maxBackoff: 60000, deadline: 600000 },
    rateLimitedPause: 60000, messagesPerConnection: Infinity, idleTimeout: 30000, queueCapacity: 10000, atLeastOnce: false,
  };
  let slots = 10;
  const window: RateNumbers = rate({ messages: 100, per: 1000 });   // sharedWindow: how long a shared store keeps a slot
  if (window.sharedWindow < window.per || window.burst < 1) throw new Error("unexpected");
  const limiter: Limiter = { acquire: () => (slots-- > 0 ? 0 : 250) };
  await using mailer = new Mailer({ ...options, rate: { messages: 100, per: 1000 }, limiter });
  mailer.on("outcome", (o: Outcome) => { if (o.kind === "failed" && o.gaveUp) console.log(o.error.code, o.attempts); });
  const outcomes: Outcome[] = await Promise.all([mailer.send(init), mailer.send(msg), mailer.sendRaw(bytes, "a@ifaxin.com", ["b@ifaxin.com"])]);
  let queued = 0;
  for (const o of outcomes) {
    if (o.kind === "delivered") queued += o.accepted.length + (o.queueId ? 1 : 0) + o.refused.length + o.uncertainAttempts;
    else if (o.kind === "uncertain") console.log(o.error.transient);
    else console.log(o.error.code, o.gaveUp, o.refused.map((r) => r.code));
  }
  const counters: Counters = mailer.counters;
  const stop: () => Promise<void> = counters.failed > 0 ? mailer.abort.bind(mailer) : mailer.close.bind(mailer);
  await stop();
  return queued + counters.delivered + (counters.currentRate ?? 0);
}
void bulk; void go; void disposable; void memory; void deadline; void event; void size; void reply.queueId; void klass; void plan.port; void categories;
