// Every golden vector (testdata/vectors/ and vectors-13/), byte for byte,
// through `require("mailwright")` (CommonJS). Cases holding `dkim` sign with
// node:crypto (vectors.mjs); nothing is skipped.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { Message, MailwrightError } = require("mailwright");

test("golden vectors (CommonJS)", async () => {
  const { loadVectors, toInit, vectorFolders, Unsupported, unsupportedCount } = await import("./vectors.mjs");
  for (const [label, dir] of vectorFolders()) {
    const vectors = loadVectors(dir);
    assert.ok(vectors.length >= 10, `${label}: ${vectors.length} vectors`);
    let ran = 0, skipped = 0;
    for (const { name, doc, eml } of vectors) {
      let init;
      try {
        init = toInit(doc.input);
      } catch (e) {
        if (!(e instanceof Unsupported)) throw e;
        skipped++;
        continue;
      }
      if (doc.expected_error) {
        assert.throws(() => new Message(init), (err) => err instanceof MailwrightError && err.code === doc.expected_error, name);
      } else {
        assert.ok(Buffer.from(new Message(init).toBytes()).equals(eml), name);
      }
      ran++;
    }
    const signed = vectors.filter(({ doc }) => "dkim" in doc.input).length;
    console.log(`golden vectors in ${label} (CommonJS): ${ran} ran (${signed} with dkim), ${skipped} skipped`);
    assert.equal(skipped, unsupportedCount(vectors), `${label}: skipped exactly the cases with an unsupported member`);
    assert.equal(skipped, 0, `${label}: nothing skipped (the dkim cases sign with node:crypto)`);
    assert.equal(ran, vectors.length - skipped, `${label}: every other case ran`);
  }
});
