// Every golden vector, byte for byte, through `require("mailwright")` (CommonJS).
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { Message, MailwrightError } = require("mailwright");

test("golden vectors (CommonJS)", async () => {
  const { loadVectors, toInit } = await import("./vectors.mjs");
  const vectors = loadVectors(process.env.MW_VECTORS);
  assert.ok(vectors.length >= 20);
  let ran = 0;
  for (const { doc, eml } of vectors) {
    const init = toInit(doc.input);
    if (doc.expected_error) {
      assert.throws(() => new Message(init), (err) => err instanceof MailwrightError && err.code === doc.expected_error);
    } else {
      assert.ok(Buffer.from(new Message(init).toBytes()).equals(eml));
    }
    ran++;
  }
  assert.equal(ran, vectors.length);
});
