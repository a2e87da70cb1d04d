// Node send() and Client against the local Haraka: STARTTLS, AUTH LOGIN with a label.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Message, Credentials, Client, send, SmtpError } from "mailwright";

let haraka, info;
before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "mw-haraka-"));
  haraka = spawn("python3", [process.env.MW_HARAKACTL, "--dir", dir, "--user", "api_user=api_key"], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: haraka.stdout }).once("line", resolve);
    haraka.once("exit", () => reject(new Error("harakactl.py exited")));
  });
  info = JSON.parse(line);
});
after(() => haraka.stdin.end());

const message = (n) => new Message({
  from: "Support <support@ifaxin.com>", to: ["ben@ifaxin.com"], bcc: ["audit@ifaxin.com"],
  subject: `测试内嵌图片 ${n}`, html: '<img src="cid:image1">', text: ".dot",
  inline: [{ cid: "image1", contentType: "image/png", data: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) }],
});

test("send() with a label over STARTTLS", async () => {
  const msg = message(0);
  const result = await send(msg, { host: "127.0.0.1", port: info.port, credentials: new Credentials("api_user", "api_key", "12345"), tls: "starttls", ca: readFileSync(info.ca_file) });
  const meta = JSON.parse(readFileSync(join(info.queue_dir, `${result.queueId}.json`), "utf8"));
  assert.equal(meta.label, "12345");
  assert.equal(meta.tls, true);
  assert.deepEqual(meta.rcpt_to, ["ben@ifaxin.com", "audit@ifaxin.com"]);
  const stored = readFileSync(join(info.queue_dir, `${result.queueId}.eml`));
  assert.ok(stored.subarray(stored.length - msg.size).equals(Buffer.from(msg.toBytes())));
  assert.deepEqual(result.accepted, ["ben@ifaxin.com", "audit@ifaxin.com"]);
});

test("a Client sends several messages; a wrong key is an SmtpError", async () => {
  const client = await Client.connect({ host: "127.0.0.1", port: info.port, credentials: new Credentials("api_user", "api_key", "7"), ca: readFileSync(info.ca_file) });
  const ids = new Set();
  for (let i = 0; i < 3; i++) ids.add((await client.send(message(i))).queueId);
  const transcript = client.transcript();
  await client.quit();
  assert.equal(ids.size, 3);
  assert.ok(transcript.some(([who, text]) => who === "C" && text === "<password, masked>"));
  await assert.rejects(
    send(message(9), { host: "127.0.0.1", port: info.port, credentials: new Credentials("api_user", "wrong", "1"), ca: readFileSync(info.ca_file) }),
    (e) => e instanceof SmtpError && e.code === "AuthenticationFailed" && e.smtpCode === 535);
  await assert.rejects(send(message(9), { host: "127.0.0.1", port: info.port, credentials: new Credentials("api_user", "api_key") }), (e) => e.code === "Tls");
});
