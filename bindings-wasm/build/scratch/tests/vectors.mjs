// Golden vector input (testdata/README.md) → the JS API.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export function loadVectors(dir) {
  return readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => ({
    name: f.slice(0, -5),
    doc: JSON.parse(readFileSync(join(dir, f), "utf8")),
    eml: f && (() => { try { return readFileSync(join(dir, f.slice(0, -5) + ".eml")); } catch { return null; } })(),
  }));
}

const b64 = (s) => Uint8Array.from(Buffer.from(s, "base64"));

export function toInit(input) {
  const init = {};
  for (const [key, js] of [["from", "from"], ["sender", "sender"], ["envelope_from", "envelopeFrom"], ["to", "to"],
    ["cc", "cc"], ["bcc", "bcc"], ["reply_to", "replyTo"], ["subject", "subject"], ["text", "text"], ["html", "html"],
    ["message_id", "messageId"], ["in_reply_to", "inReplyTo"], ["references", "references"], ["date", "date"],
    ["boundary_seed", "boundarySeed"], ["headers", "headers"], ["sc_custom", "scCustom"]]) {
    if (key in input) init[js] = input[key];
  }
  if (input.inline) init.inline = input.inline.map((p) => ({ cid: p.content_id, contentType: p.content_type, data: b64(p.data_base64), filename: p.filename }));
  if (input.attachments) init.attachments = input.attachments.map((p) => ({ filename: p.filename, contentType: p.content_type, data: b64(p.data_base64) }));
  if (input.x_smtpapi) {
    const x = input.x_smtpapi, f = x.filters || {};
    init.xSmtpApi = { to: x.to, sub: x.sub, section: x.section, openTracking: f.open_tracking, clickTracking: f.click_tracking, subscriptionTracking: f.subscription_tracking };
  }
  return init;
}
