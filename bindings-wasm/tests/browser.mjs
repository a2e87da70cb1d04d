// A real browser (Debian's chromium, headless, driven by playwright-core):
// the example page builds a message from its form and offers the .eml; the
// web build reproduces a golden vector byte for byte. Served from 127.0.0.1.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

const root = process.argv[2];
const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".png": "image/png" };
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
  try {
    const body = await readFile(join(root, path));
    res.writeHead(200, { "content-type": types[extname(path)] || "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
});
let failures = 0;
const check = (ok, what) => { if (!ok) { failures++; console.error(`FAILED: ${what}`); } };
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => { failures++; console.error("page error:", e.message); });
  await page.goto(`${base}/examples/browser/index.html`);
  await page.setInputFiles('input[name="image"]', join(root, "examples/assets/test.png"));
  await page.fill('input[name="subject"]', "测试内嵌图片");
  await page.click("#build");
  await page.waitForSelector("#download:not([hidden])", { timeout: 10000 });
  const eml = await page.evaluate(async () => (await fetch(document.getElementById("download").href)).text());
  check(eml.includes("Content-ID: <image1>") && eml.includes("multipart/related"), "the page builds the message");
  check(eml.includes("Subject: =?utf-8?B?5rWL6K+V5YaF5bWM5Zu+54mH?="), "the subject is encoded");
  const status = await page.textContent("#status");
  check(status.startsWith("multipart/related[text/html, image/png]"), `status: ${status}`);

  // Bad input shows a typed error, no crash.
  await page.fill('input[name="to"]', "not an address");
  await page.click("#build");
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("InvalidAddress"));

  // The web build reproduces the SendCloud golden vector byte for byte.
  const same = await page.evaluate(async () => {
    const { Message } = await import("mailwright");
    const doc = await (await fetch("/testdata/vectors/sendcloud_inline_image.json")).json();
    const expected = new Uint8Array(await (await fetch("/testdata/vectors/sendcloud_inline_image.eml")).arrayBuffer());
    const i = doc.input;
    const png = Uint8Array.from(atob(i.inline[0].data_base64), (c) => c.charCodeAt(0));
    const bytes = new Message({ from: i.from, to: i.to, subject: i.subject, html: i.html, messageId: i.message_id,
      date: i.date, boundarySeed: i.boundary_seed, inline: [{ cid: "image1", contentType: "image/png", data: png }] }).toBytes();
    return bytes.length === expected.length && bytes.every((b, k) => b === expected[k]);
  });
  check(same, "golden vector in the browser");

  // The IDN golden vector, and every IDN case (testdata/idna/cases.json): UTS 46
  // comes from chromium's URL parser here; the answers must be the native core's.
  const idn = await page.evaluate(async () => {
    const mw = await import("mailwright");
    const { compareCases } = await import("/tests/idna-cases.mjs");
    const doc = await (await fetch("/testdata/vectors/idn_domain.json")).json();
    const expected = new Uint8Array(await (await fetch("/testdata/vectors/idn_domain.eml")).arrayBuffer());
    const i = doc.input;
    const bytes = new mw.Message({ from: i.from, to: i.to, cc: i.cc, subject: i.subject, text: i.text, messageId: i.message_id,
      date: i.date, boundarySeed: i.boundary_seed }).toBytes();
    const { cases } = await (await fetch("/testdata/idna/cases.json")).json();
    return { same: bytes.length === expected.length && bytes.every((b, k) => b === expected[k]), cases: cases.length, ...compareCases(mw, cases) };
  });
  check(idn.same, "the IDN golden vector in the browser");
  check(idn.cases >= 400 && idn.compared === idn.cases * 3, `IDN cases compared in the browser: ${idn.compared}`);
  for (const d of idn.differences) check(false, `IDN case in the browser: ${d}`);
  console.log(`browser: ${idn.compared} IDN answers compared, ${idn.differences.length} different`);
} finally {
  await browser.close();
  server.close();
}
console.log(`browser: ${failures === 0 ? 5 : 0} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
