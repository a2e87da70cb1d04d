// W1/W2/W3 (docs/BENCHMARKS.md): mailwright's Node build next to nodemailer's
// MailComposer, in one run. Each iteration builds the message from the same
// inputs and produces its bytes.   node benches/bench.mjs [seconds]
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const mw = require("../npm/node/index.cjs");
const MailComposer = require("nodemailer/lib/mail-composer");

const SUBJECT = "测试内嵌图片：您的季度报告";
const TEXT = "您好，这是一封测试邮件。Hello, this is the plain text part of the message.\n".repeat(12).slice(0, 1024);
const HTML = "<p>您好，这是一封<b>测试</b>邮件。Hello from the HTML part.</p>\n".repeat(36);

function noise(n, seed) {
  const out = new Uint8Array(n);
  let x = BigInt(seed);
  const mask = (1n << 64n) - 1n;
  for (let i = 0; i < n; i += 8) {
    x ^= (x << 13n) & mask; x ^= x >> 7n; x ^= (x << 17n) & mask;
    let v = x;
    for (let k = 0; k < 8 && i + k < n; k++) { out[i + k] = Number(v & 255n); v >>= 8n; }
  }
  return out;
}

const W = {
  W1: { html: HTML },
  W2: { html: HTML + '<img src="cid:image1">', png: noise(100 * 1024, 7) },
  W3: { html: HTML, pdf: noise(10 * 1024 * 1024, 9) },
};

const libs = {
  mailwright: (w) => {
    const msg = new mw.Message({
    from: { name: "客服", address: "support@ifaxin.com" }, to: ["Ben <ben@ifaxin.com>", "joe@ifaxin.com"],
    subject: SUBJECT, text: TEXT, html: w.html,
    inline: w.png ? [{ cid: "image1", contentType: "image/png", data: w.png }] : undefined,
    attachments: w.pdf ? [{ filename: "报告.pdf", contentType: "application/pdf", data: w.pdf }] : undefined,
    });
    const bytes = msg.toBytes();
    msg.free(); // WebAssembly memory is not garbage-collected: free what you build
    return bytes;
  },
  "nodemailer MailComposer": (w) => new Promise((resolve, reject) => new MailComposer({
    from: { name: "客服", address: "support@ifaxin.com" }, to: ["Ben <ben@ifaxin.com>", "joe@ifaxin.com"],
    subject: SUBJECT, text: TEXT, html: w.html,
    attachments: [
      ...(w.png ? [{ cid: "image1", contentType: "image/png", content: Buffer.from(w.png.buffer), filename: "image1.png" }] : []),
      ...(w.pdf ? [{ filename: "报告.pdf", contentType: "application/pdf", content: Buffer.from(w.pdf.buffer) }] : []),
    ],
  }).compile().build((err, out) => (err ? reject(err) : resolve(out)))),
};

async function rate(fn, w, seconds) {
  await fn(w);
  let n = 0, size = 0;
  const start = performance.now();
  for (;;) {
    size = (await fn(w)).length;
    n++;
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= seconds) return [n / elapsed, size];
  }
}

const seconds = Number(process.argv[2] || 3);
for (const [name, w] of Object.entries(W)) {
  const results = {};
  for (const [lib, fn] of Object.entries(libs)) {
    const [perSec, size] = await rate(fn, w, seconds);
    results[lib] = perSec;
    const unit = name === "W3" ? `${(perSec * size / 1e6).toFixed(1).padStart(9)} MB/s` : `${perSec.toFixed(0).padStart(9)} msg/s`;
    console.log(`${name} ${lib.padEnd(24)} ${unit}   (${size} bytes)`);
  }
  console.log(`${name} mailwright vs MailComposer: ${(results.mailwright / results["nodemailer MailComposer"]).toFixed(1)}x`);
}
