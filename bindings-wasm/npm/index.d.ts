/// <reference lib="esnext.disposable" />
// The TypeScript types of the mailwright npm package: the one place they are
// written (wasm-bindgen runs with --no-typescript). The package's tests check
// that every export of the Node entry is declared here and the reverse.

/** A mailbox: "Name <addr@example.com>", "addr@example.com", or { name, address }. */
export type Mailbox = string | { name?: string | null; address: string };
/** Bytes for a part: a Uint8Array (copied once into WebAssembly memory) or an ArrayBuffer. */
export type BytesLike = Uint8Array | ArrayBuffer;

/** SendCloud's X-SMTPAPI value. */
export interface XSmtpApiInit {
  to?: string[];
  /** One list of values per variable, as long as `to`. */
  sub?: Record<string, string[]>;
  section?: Record<string, string>;
  openTracking?: boolean;
  clickTracking?: boolean;
  subscriptionTracking?: boolean;
}

/** Everything a message can hold. Only `from` and one recipient are required. */
export interface MessageInit {
  from: Mailbox;
  to?: Mailbox | Mailbox[];
  cc?: Mailbox | Mailbox[];
  bcc?: Mailbox | Mailbox[];
  replyTo?: Mailbox | Mailbox[];
  sender?: Mailbox;
  envelopeFrom?: Mailbox;
  subject?: string;
  text?: string;
  html?: string;
  inline?: { cid: string; contentType: string; data: BytesLike; filename?: string }[];
  attachments?: { filename: string; contentType: string; data: BytesLike }[];
  /** Custom headers, in order: an object or [name, value] pairs. */
  headers?: Record<string, string> | [string, string][];
  /** SendCloud SC-Custom-<key> headers. */
  scCustom?: Record<string, string> | [string, string][];
  xSmtpApi?: XSmtpApiInit;
  /** Fix for deterministic output. */
  messageId?: string;
  inReplyTo?: string | string[];
  references?: string | string[];
  /** A Date, or seconds (not milliseconds) since the Unix epoch. Default: now. */
  date?: Date | number;
  /** Fix for deterministic output. */
  boundarySeed?: string;
  /**
   * List-Unsubscribe URIs (`https:` or `mailto:`), in order: one header,
   * `<uri>` comma-joined. InvalidUnsubscribeUri for any other (percent-encode
   * spaces, commas and non-ASCII), HeaderInjection for CR/LF.
   */
  listUnsubscribe?: string | string[];
  /**
   * Also writes `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058,
   * what Gmail and Yahoo ask of bulk senders). Needs an `https:` URI in
   * `listUnsubscribe` (OneClickRequiresHttps).
   */
  oneClickUnsubscribe?: boolean;
  /** List-Id: `label.namespace`, or `Description <label.namespace>` (InvalidListId). */
  listId?: string;
  /** A calendar invitation (nodemailer's `icalEvent`): see CalendarInit. */
  calendar?: CalendarInit;
  /**
   * DKIM signatures (RFC 6376), written first, in order. The package
   * canonicalizes, hashes and writes the DKIM-Signature field; `sign` (yours:
   * in Node, `dkimSigner` makes one with node:crypto) makes the signature
   * while the message is built. See DkimInit.
   */
  dkim?: DkimInit | DkimInit[];
}

/** A DKIM signing algorithm (the `a=` tag). */
export type DkimAlgorithm = "rsa-sha256" | "ed25519-sha256";

/**
 * One DKIM signature. `sign` is called once, synchronously, when the message
 * is built, with exactly the bytes the algorithm's primitive signs, and
 * returns the raw signature:
 * - `rsa-sha256`: the canonical header data, to sign with RSASSA-PKCS1-v1_5
 *   and SHA-256 (`crypto.sign("sha256", bytes, rsaKey)`); 128 to 512 bytes back;
 * - `ed25519-sha256`: the 32-byte SHA-256 digest of that data, which Ed25519
 *   signs as its message (RFC 8463; `crypto.sign(null, bytes, ed25519Key)`);
 *   64 bytes back.
 * A `sign` that throws, or returns another length, fails the build with
 * InvalidDkimKey (its message included). WebCrypto's `crypto.subtle.sign`
 * returns a Promise and cannot be used here: building is synchronous.
 */
export interface DkimInit {
  /** The signing domain (`d=`; an IDN is written as its A-labels). */
  domain: string;
  /** The selector (`s=`): the key's DNS TXT record is at `<selector>._domainkey.<domain>`. */
  selector: string;
  algorithm: DkimAlgorithm;
  sign: (bytes: Uint8Array) => Uint8Array;
  /** The signature time (`t=`): a Date or seconds since the epoch; default now. */
  time?: Date | number;
  /** Adds an expiry (`x=`) this many seconds after the signature time. */
  expiresAfter?: number;
  /** `header/body`, each `relaxed` or `simple` (default `relaxed/relaxed`). */
  canonicalization?: string;
}

/** What dkimSigner reads a private key from (node:crypto's KeyObject, structurally). */
export interface NodePrivateKeyObject {
  readonly type: string;
  readonly asymmetricKeyType?: string;
}

/** dkimSigner's options: DkimInit with a private key instead of `algorithm` and `sign`. */
export interface DkimSignerOptions extends Omit<DkimInit, "algorithm" | "sign"> {
  /**
   * An RSA (1024 to 4096 bits) or Ed25519 private key: PEM (PKCS#8 or
   * PKCS#1, not encrypted), DER PKCS#8, a raw 32-byte Ed25519 seed, or a
   * node:crypto KeyObject. The algorithm follows the key.
   */
  privateKey: string | Uint8Array | NodePrivateKeyObject;
}

/**
 * An iCalendar invitation (iMIP), the text yours: it goes in as
 * `text/calendar; method=<METHOD>; charset=utf-8`, the last alternative next
 * to `text` and `html`, where Outlook, Gmail and Apple Mail look for it.
 */
export interface CalendarInit {
  /** The iTIP method: "REQUEST", "CANCEL", "REPLY", ... (any case; written in upper case). */
  method: string;
  /**
   * The iCalendar text: BEGIN:VCALENDAR ... END:VCALENDAR (else
   * InvalidCalendar), with a calendar-level METHOD equal to `method` (else
   * CalendarMethodMismatch).
   */
  content: string;
  /** Also attach the same text as a file of this name (`application/ics`), e.g. "invite.ics". */
  attachment?: string;
}

/** The SMTP envelope. */
export interface Envelope {
  sender: string;
  recipients: string[];
}

/** What `buildMessage` returns: everything needed to send or store a message, in plain JS memory. */
export interface BuiltMessage {
  /** The message (CRLF line ends). */
  bytes: Uint8Array;
  /** `bytes.length`. */
  size: number;
  envelope: Envelope;
  /** The Message-ID, without angle brackets. */
  messageId: string;
  /** The Date, in seconds since the Unix epoch. */
  date: number;
  /** The MIME structure, e.g. "multipart/related[text/html, image/png]". */
  structure: string;
}

/**
 * Builds a message and returns its bytes, envelope and ids, keeping no
 * WebAssembly memory (nothing to free): the recommended way to build
 * messages, in a loop above all. Throws like `new Message(init)`.
 */
export function buildMessage(init: MessageInit): BuiltMessage;

/**
 * The size of the module's WebAssembly memory in bytes. It grows when a call
 * needs more and never shrinks: free objects (or use `buildMessage`).
 */
export function wasmMemorySize(): number;

/**
 * A built, immutable e-mail message, held in WebAssembly memory: release it
 * with `free()` (or `using msg = new Message(...)`) when done; the garbage
 * collector frees it too, but late. Throws MailwrightError (or TypeError for
 * wrong types). Used after `free()`, any method throws InvalidState.
 */
export class Message {
  constructor(init: MessageInit);
  /** The message as bytes (CRLF line ends). */
  toBytes(): Uint8Array;
  /** The exact size in bytes. */
  readonly size: number;
  /** MAIL FROM and RCPT TO (Bcc included). */
  readonly envelope: Envelope;
  /** The Message-ID, without angle brackets. */
  readonly messageId: string;
  /** The Date, in seconds since the Unix epoch. */
  readonly date: number;
  /** The MIME structure, e.g. "multipart/related[text/html, image/png]". */
  readonly structure: string;
  /** Throws MessageTooLarge when over a server's SIZE limit (0: none); InvalidOption for a limit that is not a whole number ≥ 0. */
  checkSize(limit: number): void;
  /** Releases the WebAssembly memory (a second call does nothing). */
  free(): void;
  [Symbol.dispose](): void;
}

/** User and key (or OAuth 2 token) with an optional SendCloud label. Checked when made (InvalidCredentials). */
export class Credentials {
  constructor(user: string, key: string, label?: string | null);
  /** Credentials with an OAuth 2 access token (sent with XOAUTH2). */
  static oauth2(user: string, token: string, label?: string | null): Credentials;
  /** A copy, for APIs that take credentials by value. */
  clone(): Credentials;
  /** The user name sent: `user` or `user#label`. */
  readonly username: string;
  /** True for an OAuth 2 token. */
  readonly isOAuth2: boolean;
  /** The user name; never the secret. */
  toString(): string;
  free(): void;
  [Symbol.dispose](): void;
}

/** Credentials as plain data, for `send()` / `Client.connect()` / `connectOptions()`. */
export type CredentialsInit =
  | { user: string; key: string; label?: string | null }
  | { user: string; token: string; label?: string | null };

/** The core's reply classes. */
export type ReplyClass = "Positive" | "Intermediate" | "Transient" | "Permanent" | "RateLimited";

/** One SMTP reply. */
export class Reply {
  private constructor();
  /** Parses exactly one complete reply; throws MailwrightError `Protocol` for anything else. */
  static parse(data: Uint8Array): Reply;
  readonly code: number;
  /** The enhanced status code, e.g. "5.7.8". */
  readonly enhancedCode: string | undefined;
  /** The text of every line, joined. */
  readonly text: string;
  /** The text of each line, without the code and separator. */
  readonly lines: string[];
  /** The core's class of the reply. */
  readonly classification: ReplyClass;
  /** True when the same command may succeed later (Transient, RateLimited). */
  readonly transient: boolean;
  /** The queue id of a reply to the end of DATA. */
  readonly queueId: string | undefined;
  free(): void;
  [Symbol.dispose](): void;
}

/** A recipient the server refused. */
export interface Refused {
  address: string;
  code: number;
  text: string;
}

/** What a server accepted. */
export interface SendResult {
  handle: number;
  queueId?: string;
  accepted: string[];
  refused: Refused[];
  /** The code of the server's final reply. */
  code: number;
}

/** An event of a Session; `kind` is the core's event name. */
export type SessionEvent =
  | { kind: "StartTls" }
  | { kind: "Ready" }
  | { kind: "Sent"; handle: number; result: SendResult }
  | { kind: "Failed"; handle: number; error: MailwrightError; refused: Refused[] }
  | { kind: "Error"; error: MailwrightError }
  | { kind: "Closed" };

/** The TLS modes (the only names accepted; anything else is InvalidOption). */
export type TlsMode = "starttls" | "opportunistic" | "implicit" | "none";

/** Why a connection ended, as a transport saw it. */
export type ConnectionLoss = "closed" | "timeout" | "tls" | "connect";
/** What a driver was doing when its connection was lost (the core's `LossStage` names). */
export type LossStage = "connecting" | "tls" | "sending" | "waiting";

/** Who said a transcript line. */
export type Direction = "client" | "server";

/** A Session's configuration; anything left out takes the core's default. */
export interface SessionInit {
  /** The EHLO name (default "localhost"); checked by the core (InvalidOption). */
  helloName?: string;
  /** Default "starttls". "implicit": the connection is already TLS. */
  tls?: TlsMode;
  /** Use PIPELINING when offered (default true). */
  pipelining?: boolean;
  /** Keep a transcript (default false). */
  transcript?: boolean;
  /** Send credentials over a connection without TLS (default false: AUTH fails with TlsUnavailable). */
  allowPlaintextAuth?: boolean;
  /** Milliseconds allowed for each complete reply once its command is sent (default 30000). */
  replyTimeout?: number;
  /** Milliseconds allowed for each message, MAIL FROM to its final reply (default 300000). */
  messageTimeout?: number;
}

/** The core's sans-IO SMTP session: feed it the server's bytes, send what it gives, read its events. */
export class Session {
  /** `credentials` are taken by value: pass `creds.clone()` to keep yours. Throws InvalidOption. */
  constructor(init?: SessionInit | null, credentials?: Credentials | null);
  /** Feeds bytes received from the server. */
  receive(data: Uint8Array): void;
  /** Everything waiting to be sent to the server. */
  takeOutput(): Uint8Array;
  /** Queues a message; returns its handle. */
  send(message: Message): number;
  /** QUIT once every queued message is done. */
  quit(): void;
  /** Call after the TLS handshake a "StartTls" event asked for. */
  tlsEstablished(): void;
  /** The connection is gone: the core makes the error from the cause. */
  connectionLost(cause: ConnectionLoss, detail?: string | null): void;
  /**
   * Tells the session the time (milliseconds on any monotonic clock, e.g.
   * `performance.now()`): it fails with Timeout when a reply or a message is
   * late. Call it on every wake-up and before `takeOutput()`.
   */
  advance(nowMs: number): void;
  /** When (on the `advance` clock, ms) the session must hear from the server; undefined when it waits for nothing. */
  pollTimeout(): number | undefined;
  readonly wantsTls: boolean;
  readonly isDone: boolean;
  /** True when no message is queued or in flight. */
  readonly isIdle: boolean;
  /** True once TLS is on. */
  readonly isTls: boolean;
  /** The next event, or undefined. */
  pollEvent(): SessionEvent | undefined;
  /** The conversation since the last call as [direction, text] pairs, secrets masked (at most 10,000 lines kept). */
  takeTranscript(): [Direction, string][];
  /** Transcript lines dropped (oldest first) because it was full. */
  readonly transcriptDropped: number;
  free(): void;
  [Symbol.dispose](): void;
}

/** Where and how to connect (`send()`, `Client.connect()`, `connectOptions()`). Checked by the core before any socket opens. */
export interface SendOptions {
  host: string;
  /** Default: the TLS mode's (465 for "implicit", else 25). */
  port?: number;
  credentials?: Credentials | CredentialsInit;
  /** Default "starttls" (required). */
  tls?: TlsMode;
  /** Extra trusted CA certificate(s), PEM, added to the default roots. */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  /** Trust exactly the certificate with this SHA-256 fingerprint (64 hex digits, colons allowed). */
  pinSha256?: string | string[];
  /** Trust exactly this certificate (PEM), e.g. a self-signed one. */
  pinCertificate?: string | Uint8Array | Array<string | Uint8Array>;
  /**
   * Milliseconds allowed to connect, for each TLS handshake and for each
   * complete reply once its command is sent (however slowly it trickles in):
   * 1 ms to one day (default 30000). An idle Client is not timed out.
   */
  timeout?: number;
  /** Milliseconds allowed for each message, MAIL FROM to its final reply (default 300000). */
  messageTimeout?: number;
  /** Send credentials without TLS: default only to a loopback host (localhost, 127.0.0.0/8, ::1); true always; false never (TlsUnavailable). */
  allowPlaintextAuth?: boolean;
  /** The EHLO name (default "localhost"). */
  helloName?: string;
  /** Use PIPELINING when offered (default true). */
  pipelining?: boolean;
  /**
   * Send the next message's MAIL FROM and RCPT TO with the end of the data
   * (a Mailer then keeps two messages in flight per connection; default
   * false: some servers, Haraka among them, refuse it).
   */
  pipelineAfterData?: boolean;
  /** Keep a transcript for `Client.takeTranscript()` (default false; a Mailer keeps none). */
  transcript?: boolean;
}

/** Options checked by the core, and what a transport needs to act on them. */
export class ClientPlan {
  private constructor();
  readonly host: string;
  /** The port given, else the TLS mode's default. */
  readonly port: number;
  readonly tls: TlsMode;
  /** True when the connection starts with the TLS handshake. */
  readonly implicit: boolean;
  /** Milliseconds. */
  readonly connectTimeout: number;
  /** Milliseconds (each reply, each handshake). */
  readonly timeout: number;
  /** Milliseconds (each message). */
  readonly messageTimeout: number;
  /** True when credentials may go without TLS (the option given, else only for a loopback host). */
  readonly allowPlaintextAuth: boolean;
  /** The SNI name (undefined for an IP address). */
  readonly servername: string | undefined;
  /** Extra trusted roots, PEM. */
  readonly ca: string[];
  /** True when certificates are pinned. */
  readonly pinned: boolean;
  /** Why this certificate (DER) is refused by the pins, or undefined. */
  pinMismatch(der: Uint8Array): string | undefined;
  /** A new session for these options. */
  session(): Session;
  free(): void;
  [Symbol.dispose](): void;
}

/**
 * Checks connection options with the core (InvalidOption, InvalidCredentials,
 * TypeError). A `Credentials` object goes in `credentials` (by value: pass
 * `creds.clone()`), plain `{ user, key }` may stay in `options`.
 */
export function connectOptions(options: SendOptions, credentials?: Credentials | null): ClientPlan;

/** `AUTH LOGIN <base64 user>\r\n`. */
export function authLogin(credentials: Credentials): Uint8Array;
/** `AUTH PLAIN <base64>\r\n`. */
export function authPlain(credentials: Credentials): Uint8Array;
/** `AUTH XOAUTH2 <base64>\r\n` (OAuth 2 credentials). */
export function authXoauth2(credentials: Credentials): Uint8Array;
/** The answer to a `334` LOGIN challenge (its base64 text). */
export function loginAnswer(challenge: string, credentials: Credentials, usernameSent: boolean): Uint8Array;
/**
 * A `dkim` member signing with node:crypto (Node only): the key read with
 * `crypto.createPrivateKey` and kept there, `rsa-sha256` or
 * `ed25519-sha256` after its type. Throws InvalidDkimKey for a key it cannot
 * read or use (never with the key's bytes in the message).
 */
export function dkimSigner(options: DkimSignerOptions): DkimInit;

/** The core's error categories. */
export type ErrorCategory = "input" | "server" | "capability" | "protocol" | "connection" | "system" | "state";

/** One error kind the core reports. */
export interface ErrorKindInfo {
  /** The kind's name (an error's `code`). */
  name: string;
  /** Its stable number (an error's `errorCode`). */
  code: number;
  category: ErrorCategory;
  transient: boolean;
}

/** Every error kind, in code order. */
export function errorKinds(): ErrorKindInfo[];

/** Every error mailwright throws. Every property comes from the core. */
export class MailwrightError extends Error {
  /** The core's error kind, e.g. "HeaderInjection", "InvalidOption". */
  readonly code: string;
  /** Its stable number. */
  readonly errorCode: number;
  readonly category: ErrorCategory;
  /** True when trying again later may succeed. */
  readonly transient: boolean;
  /** Set when a server reply caused the error. */
  readonly smtpCode?: number;
  readonly enhancedCode?: string;
  readonly text?: string;
}

/** A refusal by the server (the core's category "server"), e.g. `code` "RateLimited" for `536 Frequency limited`. */
export class SmtpError extends MailwrightError {}

/**
 * A connection sending many messages (Node only). An idle Client stays open
 * (and does not keep the process alive); when the server closed it while
 * idle, the next `send` reconnects first. `await using client = ...` says
 * QUIT and frees it.
 */
export class Client {
  private constructor();
  static connect(options: SendOptions): Promise<Client>;
  /** A Message, or a MessageInit (built, sent and freed here). */
  send(message: Message | MessageInit): Promise<SendResult>;
  /** The conversation since the last call, secrets masked (option `transcript: true`). */
  takeTranscript(): [Direction, string][];
  /** Transcript lines dropped because it was full. */
  readonly transcriptDropped: number;
  quit(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Connects, sends one message (a Message, or a MessageInit built and freed here) and says QUIT (Node only). */
export function send(message: Message | MessageInit, options: SendOptions): Promise<SendResult>;

/** The relay's quota: a preset of the core ("sendcloud": 20,000 a minute) or `messages` per `per` milliseconds. */
export type RateInit = "sendcloud" | { messages: number; per: number };

/** What the core makes of a `RateInit` (durations in milliseconds). */
export interface RateNumbers {
  /** Messages allowed in any window of `per`. */
  messages: number;
  /** The relay's window, milliseconds. */
  per: number;
  /** Messages that may go back to back before the pace is spread evenly. */
  burst: number;
  /**
   * How long a quota shared across processes (a `limiter`'s store) must keep
   * each slot: `per` plus the core's margin (a twentieth of `per`, at most
   * 1000 ms: 61000 for "sendcloud"). The built-in limiter holds its slots as long.
   */
  sharedWindow: number;
}

/** The core's numbers for a `rate` option (the same as the Mailer's); an invalid one throws like `new Mailer({ rate })`. */
export function rate(init: RateInit): RateNumbers;

/** Retries of transient failures (4xx, 536, a connection lost before the end of the data), with backoff and jitter. */
export interface RetryInit {
  /** Attempts in all, the first included (default 5; 1: never retry). */
  maxAttempts?: number;
  /** Milliseconds before the second attempt, doubling each time (default 1000). */
  initialBackoff?: number;
  /** The longest wait between two attempts, milliseconds (default 60000). */
  maxBackoff?: number;
  /** The longest a message may take from `send()` to its outcome, milliseconds (default 600000). */
  deadline?: number;
}

/** The delivery options of a Mailer (and a Dispatcher); anything left out takes the core's default. Durations in milliseconds. */
export interface DeliveryOptions {
  /** The most connections open at once, 1 to 1024 (default 4). */
  connections?: number;
  /** The relay's quota, shared by every connection (default: none, though a 536 still pauses them all). */
  rate?: RateInit;
  retry?: RetryInit;
  /** How long every connection stops after a `536` when no rate is set (default 60000). */
  rateLimitedPause?: number;
  /** A connection is replaced after this many messages (default 1000; Infinity: never). */
  messagesPerConnection?: number;
  /** An idle connection says QUIT after this long (default 30000). */
  idleTimeout?: number;
  /** The most messages waiting in the dispatcher (default 10000); a Mailer's `send()` waits for room beyond it. */
  queueCapacity?: number;
  /** Resend messages whose outcome was uncertain (the relay may then hold them twice; default false). */
  atLeastOnce?: boolean;
  /** A quota shared with other processes (one api_user, many workers), asked after this Mailer's own `rate`. */
  limiter?: Limiter;
}

/**
 * A quota shared across processes (the core's QuotaGate), e.g. a window kept
 * on Redis. The core asks `acquire()` only when this process's own pacing
 * would let a message go at once, and uses every slot it is granted; it keeps
 * the pacing and the pause after a `536` itself.
 */
export interface Limiter {
  /**
   * Synchronous: returns 0 (or undefined) when a slot of the shared window
   * was taken (the message goes at once), or the milliseconds to wait before
   * asking again. Throws when the shared store cannot be asked: every message
   * is then held and it is asked again a second later; a message still held
   * at its deadline fails (Timeout) with the thrown error's text. It must not
   * call the Mailer it limits. A store that only answers asynchronously needs
   * an adapter that prefetches its slots (examples/node/bullmq/redis-quota.mjs).
   */
  acquire(): number | undefined;
}

/** What `new Mailer(options)` takes: where and how to connect, and how to deliver. */
export interface MailerOptions extends SendOptions, DeliveryOptions {
  /**
   * A ledger file (Node, Deno, Bun: `node:fs`): every message is recorded under a key and sent once, across
   * restarts; the end-of-data mark of each is durable before its final dot goes out, its outcome before it is
   * told; a new Mailer on the file takes up what a dead process left. One process at a time (a lock file beside it).
   */
  ledger?: string;
  /** "full" (default): an fsync per write, survives a power loss; "process": survives a crash of the process only. */
  durability?: "full" | "process";
}

/** What one `Mailer.send()` says about its message. */
export interface SendMessageOptions {
  /** Its key in the ledger (an order id, a CSV row; by default its Message-ID): a key recorded is not sent again. Needs `ledger`. */
  key?: string;
}

/** What a ledger holds for one key. */
export interface LedgerRecord {
  key: string;
  state: "pending" | "data_sent" | "delivered" | "failed" | "uncertain";
  messageId: string | undefined;
  sender: string;
  recipients: string[];
  queueId: string | undefined;
  attempts: number;
  error: string | undefined;
  /** Milliseconds since the epoch. */
  submitted: number;
  updated: number;
}

/** What opening a ledger took up. */
export interface Resumed {
  /** Messages an earlier process left unsent, queued again. */
  queued: number;
  /** Messages an earlier process may have sent before it died: recorded uncertain, not resent. */
  uncertain: LedgerRecord[];
}

/** The core's outcome kinds. */
export type OutcomeKind = "delivered" | "failed" | "uncertain";

interface OutcomeBase {
  /** The dispatcher's number for the message, unique per Mailer. */
  ticket: number;
  /** The key it was submitted under (with a ledger: yours, or its Message-ID by default), when it has one. */
  key: string | undefined;
  /** Its Message-ID (without angle brackets), when it has one. */
  messageId: string | undefined;
  /** Attempts made (0 when it never went out). */
  attempts: number;
  /** Recipients refused (they will not get it), with the server's reply. */
  refused: Refused[];
}

/** The relay accepted the message (its final 2xx). */
export interface Delivered extends OutcomeBase {
  kind: "delivered";
  /** The relay's queue id, when it gave one. */
  queueId: string | undefined;
  /** Recipients accepted. */
  accepted: string[];
  /** Earlier attempts that ended uncertain and were resent anyway (only with `atLeastOnce`). */
  uncertainAttempts: number;
  gaveUp: false;
  error: undefined;
}

/** The message was not delivered. */
export interface Failed extends OutcomeBase {
  kind: "failed";
  queueId: undefined;
  accepted: [];
  uncertainAttempts: 0;
  /** True when retries ran out (attempts or deadline) on a transient failure; false for a permanent one. */
  gaveUp: boolean;
  /** Why (the last failure): the core's error, not thrown. */
  error: MailwrightError;
}

/** The connection was lost after the end of the data went out and before the relay answered: it may have arrived. Not resent. */
export interface Uncertain extends OutcomeBase {
  kind: "uncertain";
  queueId: undefined;
  accepted: [];
  refused: [];
  uncertainAttempts: 0;
  gaveUp: false;
  /** How the connection ended. */
  error: MailwrightError;
}

/** The one final result of a message. */
export type Outcome = Delivered | Failed | Uncertain;

/** What a Mailer (a Dispatcher) has done so far. */
export interface Counters {
  /** Messages waiting in the dispatcher (new or for a retry). */
  queued: number;
  /** Messages handed to a connection and not answered yet. */
  inFlight: number;
  delivered: number;
  failed: number;
  uncertain: number;
  /** Attempts after the first. */
  retries: number;
  /** `536 Frequency limited` replies seen. */
  rateLimited: number;
  /** Connections open or opening. */
  connections: number;
  /** Messages a second the throttle allows now; undefined without a rate. */
  currentRate: number | undefined;
}

/** A message ready for a Dispatcher (dot-stuffed, with its envelope), held in WebAssembly memory until freed. */
export class Prepared {
  private constructor();
  /** A built message with its own envelope (the Message stays usable). */
  static message(message: Message): Prepared;
  /** Builds a MessageInit (as `new Message(init)`) and prepares it. */
  static build(init: MessageInit): Prepared;
  /** Raw RFC 5322 bytes with an explicit envelope ("" sender: the null reverse-path); bare LF becomes CRLF. */
  static raw(data: string | BytesLike, sender: string, recipients: string | string[]): Prepared;
  readonly messageId: string | undefined;
  /** A new Prepared under `key` (an order id, a CSV row) that its outcome carries back; InvalidKey for an empty key or one with control characters. */
  withKey(key: string): Prepared;
  /** The key its outcome carries, when it has one. */
  readonly key: string | undefined;
  /** The size announced with SIZE=, in bytes. */
  readonly size: number;
  readonly sender: string;
  readonly recipients: string[];
  free(): void;
  [Symbol.dispose](): void;
}

/** What a Dispatcher asks its driver to do with connection `conn` (the core's action names). */
export type DispatcherAction =
  | { kind: "Open"; conn: number }
  | { kind: "Send"; conn: number }
  | { kind: "StartTls"; conn: number }
  | { kind: "Close"; conn: number };

/**
 * The core's sans-IO delivery engine (what a Mailer drives): a pool of
 * sessions, one throttle, retries, one outcome per message. A driver tells it
 * the time and what happened on each connection, executes its actions, and
 * reads its outcomes; it decides nothing.
 */
export class Dispatcher {
  /** The plan's session (TLS, credentials, time-outs) and the delivery options (other members ignored). Throws InvalidOption. */
  constructor(plan: ClientPlan, options: DeliveryOptions);
  /** Queues a copy of the message (free yours); returns its ticket. InvalidState when full (see `hasRoom`), draining or shut down. */
  submit(message: Prepared): number;
  readonly hasRoom: boolean;
  /** The driver's monotonic clock, milliseconds: after every input and at `pollTimeout`. */
  advance(nowMs: number): void;
  /** When to call `advance` next (same clock, ms); undefined when nothing waits on time. */
  pollTimeout(): number | undefined;
  pollAction(): DispatcherAction | undefined;
  /** What connection `conn` must send now, marked sent. */
  takeOutput(conn: number): Uint8Array;
  connectionOpened(conn: number): void;
  receive(conn: number, data: Uint8Array): void;
  tlsEstablished(conn: number): void;
  /** `stage`: what the driver was doing; the core words the detail from it (e.g. "the connection closed while waiting for the server: ECONNRESET"). */
  connectionLost(conn: number, cause: ConnectionLoss, detail?: string | null, stage?: LossStage | null): void;
  pollOutcome(): Outcome | undefined;
  /** Keeps a ledger in a journal whose whole bytes are `bytes` (see the Mailer's `ledger`); `nowMs`: `Date.now()`. */
  openJournal(bytes: Uint8Array, nowMs: number, atLeastOnce: boolean, durability?: "full" | "process"): { validLength: number; queued: number; uncertain: LedgerRecord[]; compact: boolean; sync: boolean };
  /** Submits under `key` (undefined: the Message-ID), only while `hasRoom`. */
  submitKeyed(message: Prepared, key: string | undefined, nowMs: number): { claim: "new" | "pending"; ticket: number } | { claim: "done"; outcome: Outcome };
  /** The bytes to append to the journal now, durably (then `journalWritten()`), or undefined. */
  takeJournal(nowMs: number): Uint8Array | undefined;
  journalWritten(): void;
  /** The whole journal without superseded entries (between writes only). */
  compactedJournal(): Uint8Array;
  journalRecord(key: string): LedgerRecord | undefined;
  journalSummary(): { pending: number; data_sent: number; delivered: number; failed: number; uncertain: number; total: number } | undefined;
  readonly counters: Counters;
  /** Closes after sending: takes no more messages, sends every one submitted (with its retries), then QUIT; `isFinished` turns true at the end. */
  drain(): void;
  /** Stops at once: messages not yet on a connection end as failed (InvalidState, not sent), those in flight finish, then QUIT. */
  shutdown(): void;
  /** True once drained (or shut down) and every connection is gone. */
  readonly isFinished: boolean;
  free(): void;
  [Symbol.dispose](): void;
}

/**
 * Bulk sending (Node only): a pool of connections, one throttle, retries and
 * exactly one Outcome per message, decided by the core's Dispatcher; this
 * class only moves bytes over node:net / node:tls. A failed or uncertain
 * message resolves to its Outcome; promises reject only for bad input
 * (InvalidAddress, TypeError, ...) and sends after `close()` (InvalidState).
 * Every outcome is also emitted as an "outcome" event. Pending messages keep
 * the process alive; an idle Mailer does not.
 */
export class Mailer {
  /** Checks every option with the core (throws InvalidOption, InvalidCredentials, TypeError); connects only when a message is sent. */
  constructor(options: MailerOptions);
  /**
   * Sends a Message or a MessageInit; resolves with its Outcome (with its `key` and `messageId`). Waits while the
   * queue is full (thousands at once are fine). With a ledger, a key already recorded resolves with its recorded outcome.
   */
  send(message: Message | MessageInit, options?: SendMessageOptions): Promise<Outcome>;
  /** Sends raw RFC 5322 bytes with an explicit envelope; resolves with its Outcome. */
  sendRaw(data: string | BytesLike, sender: string, recipients: string | string[], options?: SendMessageOptions): Promise<Outcome>;
  /** What opening the ledger took up (nothing without one). */
  readonly resumed: Resumed;
  /** What the ledger holds for `key`, or undefined. */
  ledgerRecord(key: string): LedgerRecord | undefined;
  /** The ledger's records counted by state, or undefined without one. */
  ledgerSummary(): { pending: number; data_sent: number; delivered: number; failed: number; uncertain: number; total: number } | undefined;
  /** What has happened so far (the last counters once closed). */
  readonly counters: Counters;
  /** Drains: takes no more messages, lets every one sent reach its outcome (with its retries), then says QUIT; resolves once the sockets are closed. */
  close(): Promise<void>;
  /**
   * Stops at once: messages not yet on a connection resolve to failed outcomes (InvalidState, not sent), those still
   * waiting for room in the queue reject (InvalidState), those in flight finish; then QUIT. Resolves once the sockets are closed.
   */
  abort(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
  on(event: "outcome", listener: (outcome: Outcome) => void): this;
  once(event: "outcome", listener: (outcome: Outcome) => void): this;
  off(event: "outcome", listener: (outcome: Outcome) => void): this;
  addListener(event: "outcome", listener: (outcome: Outcome) => void): this;
  removeListener(event: "outcome", listener: (outcome: Outcome) => void): this;
  removeAllListeners(event?: "outcome"): this;
  listenerCount(event: "outcome"): number;
}
