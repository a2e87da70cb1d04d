// Every golden vector, byte for byte, through `import ... from "mailwright"` (ESM);
// and again with every mailbox member written the other way (string ⇄ object).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Message, MailwrightError } from "mailwright";
import { loadVectors, toInit, otherForm, MAILBOX_MEMBERS } from "./vectors.mjs";

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

test("every mailbox member takes a string or an object: the same bytes either way", () => {
  const members = new Set();
  let ran = 0;
  for (const { doc, eml } of vectors) {
    const other = otherForm(doc.input);
    if (!other || doc.expected_error) continue;
    for (const [key] of MAILBOX_MEMBERS) {
      const values = [].concat(other[key] ?? []);
      if (values.some((m) => typeof m === "object")) members.add(key);
    }
    assert.ok(Buffer.from(new Message(toInit(other)).toBytes()).equals(eml), doc.name ?? "vector");
    ran++;
  }
  assert.ok(ran > 0);
  // Objects reached every member somewhere (both forms are in the vectors or made here).
  for (const [key] of MAILBOX_MEMBERS) {
    if (vectors.some(({ doc }) => key in doc.input)) assert.ok(members.has(key) || vectors.some(({ doc }) => [].concat(doc.input[key] ?? []).some((m) => typeof m === "object")), key);
  }
});
