// Every golden vector, byte for byte, through `import ... from "mailwright"` (ESM).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Message, MailwrightError } from "mailwright";
import { loadVectors, toInit } from "./vectors.mjs";

const vectors = loadVectors(process.env.MW_VECTORS);

test("vectors exist", () => assert.ok(vectors.length >= 20, `${vectors.length} vectors`));

for (const { name, doc, eml } of vectors) {
  test(`vector ${name} (ESM)`, () => {
    const init = toInit(doc.input);
    if (doc.expected_error) {
      assert.throws(() => new Message(init), (err) => err instanceof MailwrightError && err instanceof Error && err.code === doc.expected_error);
      return;
    }
    const msg = new Message(init);
    const bytes = msg.toBytes();
    assert.ok(bytes instanceof Uint8Array);
    assert.equal(Buffer.from(bytes).toString("latin1"), eml.toString("latin1"));
    assert.equal(msg.size, eml.length);
    assert.deepEqual(msg.envelope, doc.expected_envelope);
  });
}
