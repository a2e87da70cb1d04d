// Golden vector input (testdata/README.md) → the JS API.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import crypto from "node:crypto";

export function loadVectors(dir) {
  return readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => ({
    name: f.slice(0, -5),
    doc: JSON.parse(readFileSync(join(dir, f), "utf8")),
    eml: (() => { try { return readFileSync(join(dir, f.slice(0, -5) + ".eml")); } catch { return null; } })(),
  }));
}

// The folders every runner reproduces: vectors/ and vectors-13/ (issue 13:
// List-Unsubscribe, List-Id, calendar invitations, DKIM), beside it.
export function vectorFolders() {
  const dir = process.env.MW_VECTORS;
  return [["vectors", dir], ["vectors-13", process.env.MW_VECTORS_13 ?? join(dir, "..", "vectors-13")]];
}

// How many cases of a folder hold a member the package cannot express (the
// runners must have skipped exactly these).
export const unsupportedCount = (vectors) =>
  vectors.filter(({ doc }) => UNSUPPORTED_MEMBERS.some((m) => m in doc.input)).length;

const b64 = (s) => Uint8Array.from(Buffer.from(s, "base64"));

// Every mailbox member: a string or { name?, address }, one or an array.
export const MAILBOX_MEMBERS = [["from", "from"], ["sender", "sender"], ["envelope_from", "envelopeFrom"], ["to", "to"],
  ["cc", "cc"], ["bcc", "bcc"], ["reply_to", "replyTo"]];

// A mailbox as the JS API takes it: the vector's string as is, or its object.
function mailbox(m) {
  if (typeof m === "string") return m;
  if (m && typeof m === "object" && typeof m.address === "string") return "name" in m ? { name: m.name, address: m.address } : { address: m.address };
  throw new Error(`not a mailbox: ${JSON.stringify(m)}`);
}

// Input members the JS API cannot express (none since DKIM came to the
// package). toInit throws Unsupported for a case holding one; the runners
// count those cases as skipped and check the count.
export const UNSUPPORTED_MEMBERS = [];

// The cases of a folder holding a `dkim` member (the runners count them).
export const signedCount = (vectors) => vectors.filter(({ doc }) => "dkim" in doc.input).length;

// A vector's dkim member → DkimInit, signed with node:crypto directly (not
// with the package's dkimSigner, which api.test.mjs checks against this):
// keys from testdata/dkim, a raw Ed25519 seed wrapped in PKCS#8 here.
const dkimDir = () => join(process.env.MW_VECTORS, "..", "dkim");
function dkimInit(v) {
  const key = v.key_file
    ? crypto.createPrivateKey(readFileSync(join(dkimDir(), v.key_file), "utf8"))
    : crypto.createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(v.key_seed_base64, "base64")]), format: "der", type: "pkcs8" });
  const rsa = key.asymmetricKeyType === "rsa";
  const init = {
    domain: v.domain,
    selector: v.selector,
    algorithm: rsa ? "rsa-sha256" : "ed25519-sha256",
    // rsa-sha256: PKCS#1 v1.5 with SHA-256 over the data; ed25519-sha256: Ed25519 over the 32-byte digest.
    sign: rsa ? (data) => crypto.sign("sha256", data, key) : (digest) => {
      if (digest.length !== 32) throw new Error(`Ed25519 got ${digest.length} bytes, not the digest`);
      return crypto.sign(null, digest, key);
    },
  };
  if ("time" in v) init.time = v.time;
  if ("expires_after" in v) init.expiresAfter = v.expires_after;
  if ("canonicalization" in v) init.canonicalization = v.canonicalization;
  for (const k of Object.keys(v)) {
    if (!["key_file", "key_seed_base64", "domain", "selector", "time", "expires_after", "canonicalization"].includes(k)) throw new Error(`vector dkim member ${k} is unknown to the JS runner`);
  }
  return init;
}

export class Unsupported extends Error {
  constructor(member) {
    super(`input member ${member}: not in the npm package`);
    this.member = member;
  }
}

// Every input member testdata/README.md defines that toInit turns into MessageInit.
const KNOWN_MEMBERS = new Set([...MAILBOX_MEMBERS.map(([key]) => key), "subject", "text", "html", "message_id",
  "in_reply_to", "references", "date", "boundary_seed", "headers", "sc_custom", "inline", "attachments", "x_smtpapi",
  "list_unsubscribe", "one_click_unsubscribe", "list_id", "calendar", "dkim"]);

export function toInit(input) {
  for (const key of Object.keys(input)) {
    if (UNSUPPORTED_MEMBERS.includes(key)) throw new Unsupported(key);
    // A member this runner does not know would be dropped silently: refuse it.
    if (!KNOWN_MEMBERS.has(key)) throw new Error(`vector input member ${key} is unknown to the JS runner (testdata/README.md)`);
  }
  const init = {};
  for (const [key, js] of MAILBOX_MEMBERS) {
    if (key in input) init[js] = Array.isArray(input[key]) ? input[key].map(mailbox) : mailbox(input[key]);
  }
  for (const [key, js] of [["subject", "subject"], ["text", "text"], ["html", "html"],
    ["message_id", "messageId"], ["in_reply_to", "inReplyTo"], ["references", "references"], ["date", "date"],
    ["boundary_seed", "boundarySeed"], ["headers", "headers"], ["sc_custom", "scCustom"],
    ["list_unsubscribe", "listUnsubscribe"], ["one_click_unsubscribe", "oneClickUnsubscribe"], ["list_id", "listId"]]) {
    if (key in input) init[js] = input[key];
  }
  if (input.inline) init.inline = input.inline.map((p) => ({ cid: p.content_id, contentType: p.content_type, data: b64(p.data_base64), filename: p.filename }));
  if (input.attachments) init.attachments = input.attachments.map((p) => ({ filename: p.filename, contentType: p.content_type, data: b64(p.data_base64) }));
  if (input.x_smtpapi) {
    const x = input.x_smtpapi, f = x.filters || {};
    init.xSmtpApi = { to: x.to, sub: x.sub, section: x.section, openTracking: f.open_tracking, clickTracking: f.click_tracking, subscriptionTracking: f.subscription_tracking };
  }
  if (input.calendar) {
    const c = input.calendar;
    init.calendar = { method: c.method, content: c.content, ...("attachment" in c ? { attachment: c.attachment } : {}) };
  }
  if (input.dkim) init.dkim = input.dkim.map(dkimInit);
  return init;
}

// The expected bytes of a signed case without its DKIM-Signature fields
// (written first, each with its folded lines): what the message is unsigned.
export function withoutSignatures(eml) {
  const text = eml.toString("latin1");
  let at = 0;
  while (text.startsWith("DKIM-Signature:", at)) {
    do at = text.indexOf("\r\n", at) + 2; while (text[at] === " " || text[at] === "\t");
  }
  return Buffer.from(text.slice(at), "latin1");
}

// The same input with each mailbox written the other way where that cannot
// change the bytes: a bare address string ⇄ { address }, and "Plain Name
// <a@b>" ⇄ { name, address }. Returns null when no member changed.
export function otherForm(input) {
  let changed = false;
  const flip = (m) => {
    if (typeof m === "string") {
      const named = m.match(/^([A-Za-z0-9 ]*[A-Za-z0-9]) <([^<>\s]+)>$/);
      if (named) { changed = true; return { name: named[1], address: named[2] }; }
      if (/^[^<>\s"]+@[^<>\s"]+$/.test(m)) { changed = true; return { address: m }; }
      return m;
    }
    if (m && typeof m === "object" && (m.name === undefined || m.name === null) && /^[^<>\s"]+@[^<>\s"]+$/.test(m.address)) {
      changed = true;
      return m.address;
    }
    return m;
  };
  const out = { ...input };
  for (const [key] of MAILBOX_MEMBERS) {
    if (key in input) out[key] = Array.isArray(input[key]) ? input[key].map(flip) : flip(input[key]);
  }
  return changed ? out : null;
}
