// The SendCloud reference's inline-image example with the mailwright npm package.
//   node sendcloud_inline.mjs [OUT.eml] [--send HOST:PORT --user U --key K [--label L] [--ca CA.pem]]
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { buildMessage, Credentials, send, SmtpError } from "mailwright";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { send: { type: "string" }, user: { type: "string" }, key: { type: "string" }, label: { type: "string" }, ca: { type: "string" } },
});
const png = readFileSync(new URL("../assets/test.png", import.meta.url));
const init = {
  from: "postmaster@testdomain.sendcloud.org",
  to: ["test123@qq.com"],
  subject: "python test inline image",
  html: 'test image content <img src="cid:image1" alt="xxxxx">',
  inline: [{ cid: "image1", contentType: "image/png", data: png }],
  xSmtpApi: { to: ["test123@qq.com"], openTracking: true },
};
// buildMessage keeps no WebAssembly memory: nothing to free (the recommended path).
const msg = buildMessage(init);
const out = positionals[0] ?? "sendcloud-inline.eml";
writeFileSync(out, msg.bytes);
console.log(`wrote     ${out}\nstructure ${msg.structure}\nsize      ${msg.size} bytes\nenvelope  ${msg.envelope.sender} -> ${msg.envelope.recipients.join(", ")}`);

if (values.send) {
  const [host, port] = [values.send.slice(0, values.send.lastIndexOf(":")), Number(values.send.slice(values.send.lastIndexOf(":") + 1))];
  try {
    // send() takes the init too: it builds the message, sends it and frees it.
    const result = await send(init, { host, port, tls: "starttls", credentials: new Credentials(values.user, values.key, values.label), ca: values.ca && readFileSync(values.ca) });
    console.log(`queue id  ${result.queueId}`);
  } catch (err) {
    if (err instanceof SmtpError && err.code === "RateLimited") console.log("rate limited: retry later");
    else throw err;
  }
}
