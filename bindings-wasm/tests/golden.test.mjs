// Every golden vector (testdata/vectors/ and vectors-13/), byte for byte,
// through `import ... from "mailwright"` (ESM); and again with every mailbox
// member written the other way (string ⇄ object). Cases holding `dkim` sign
// with node:crypto (vectors.mjs) and are counted: every one must run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Message, MailwrightError } from "mailwright";
import { loadVectors, toInit, otherForm, MAILBOX_MEMBERS, vectorFolders, Unsupported, unsupportedCount, signedCount, withoutSignatures } from "./vectors.mjs";

const folders = vectorFolders().map(([label, dir]) => [label, loadVectors(dir)]);
const vectors = folders.flatMap(([, v]) => v);

test("vectors exist", () => {
  const [[, main], [, v13]] = folders;
  assert.ok(main.length >= 20, `${main.length} vectors`);
  assert.ok(v13.length >= 10, `${v13.length} vectors-13`);
});

for (const [label, list] of folders) {
  const ran = { ok: 0, error: 0, signed: 0 }, skipped = [];
  for (const { name, doc, eml } of list) {
    let init;
    try {
      init = toInit(doc.input);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      skipped.push(name);
      test(`vector ${label}/${name} (ESM)`, { skip: e.message }, () => {});
      continue;
    }
    test(`vector ${label}/${name} (ESM)`, () => {
      if (doc.expected_error) {
        assert.throws(() => new Message(init), (err) => err instanceof MailwrightError && err instanceof Error && err.code === doc.expected_error);
        ran.error++;
        if (doc.input.dkim) ran.signed++;
        return;
      }
      const msg = new Message(init);
      const bytes = msg.toBytes();
      assert.ok(bytes instanceof Uint8Array);
      assert.equal(Buffer.from(bytes).toString("latin1"), eml.toString("latin1"));
      assert.equal(msg.size, eml.length);
      assert.deepEqual(msg.envelope, doc.expected_envelope);
      msg.free();
      ran.ok++;
      if (doc.input.dkim) ran.signed++;
    });
  }
  test(`${label}: every case ran, the DKIM-signed ones included`, () => {
    const unsupported = unsupportedCount(list);
    console.log(`golden vectors in ${label} (ESM): ${ran.ok} messages, ${ran.error} error cases, ${ran.signed} of them with dkim, ${skipped.length} skipped${skipped.length ? ": " + skipped.join(", ") : ""}`);
    assert.equal(skipped.length, unsupported, "skipped exactly the cases with an unsupported member");
    assert.equal(skipped.length, 0, "nothing skipped");
    assert.equal(ran.ok + ran.error, list.length, "every case ran");
    assert.equal(ran.signed, signedCount(list), "every case with a dkim member ran");
    assert.ok(ran.ok > 0 && ran.error > 0);
  });
}

test("vectors-13, the signed cases: everything but the DKIM-Signature fields, byte for byte", () => {
  const [, v13] = folders[1];
  let ran = 0;
  for (const { name, doc, eml } of v13) {
    if (!("dkim" in doc.input) || doc.expected_error) continue;
    const { dkim, ...unsigned } = doc.input;
    const expected = withoutSignatures(eml);
    assert.ok(expected.length < eml.length && expected.length > 0, `${name}: no DKIM-Signature first`);
    assert.equal(Buffer.from(new Message(toInit(unsigned)).toBytes()).toString("latin1"), expected.toString("latin1"), name);
    ran++;
  }
  assert.ok(ran >= 5, `${ran} signed cases`);
});

test("the DKIM cases: 7 of them, signed in Node byte for byte", () => {
  const [, v13] = folders[1];
  assert.equal(signedCount(v13), 7);
});

test("every mailbox member takes a string or an object: the same bytes either way", () => {
  const members = new Set();
  let ran = 0;
  for (const { doc, eml } of vectors) {
    const other = otherForm(doc.input);
    if (!other || doc.expected_error || unsupportedCount([{ doc }])) continue;
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
