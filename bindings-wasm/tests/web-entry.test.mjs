// Deno and Bun only (`make test-dist`): the browser entry (web/index.js: the
// web glue fetching the package's one .wasm) loaded from the installed
// package, every golden vector byte for byte through it, the dkim cases
// signed by node:crypto's synchronous sign (Deno and Bun have it). Node's fetch takes no file: URL,
// so in Node the web entry is checked in chromium (browser.mjs) instead.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import * as node from "mailwright";
import { readFileSync } from "node:fs";
import { loadVectors, toInit, vectorFolders, Unsupported, unsupportedCount } from "./vectors.mjs";
import { compareCases } from "./idna-cases.mjs";

const root = join(dirname(createRequire(import.meta.url).resolve("mailwright")), "..");
const web = await import(pathToFileURL(join(root, "web/index.js")).href);

test("the runtime takes the Node entry for `mailwright`; the web entry loads beside it", () => {
  assert.equal(typeof node.send, "function");
  assert.equal(typeof node.Mailer, "function");
  assert.equal(web.send, undefined);
  assert.notEqual(web.Message, node.Message, "two instances of the core, one .wasm file");
});

test("golden vectors through the web entry", () => {
  for (const [label, dir] of vectorFolders()) {
    const vectors = loadVectors(dir);
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
        assert.throws(() => new web.Message(init), (err) => err instanceof web.MailwrightError && err.code === doc.expected_error, name);
      } else {
        assert.ok(Buffer.from(new web.Message(init).toBytes()).equals(eml), name);
      }
      ran++;
    }
    console.log(`golden vectors in ${label} (web entry): ${ran} ran, ${skipped} skipped`);
    assert.equal(skipped, unsupportedCount(vectors), `${label}: skipped exactly the cases with an unsupported member`);
    assert.equal(skipped, 0, `${label}: nothing skipped (the dkim cases sign with a synchronous sign function)`);
    assert.equal(ran, vectors.length - skipped, `${label}: every other case ran`);
    assert.ok(ran > 0, `${label}: ${ran} ran`);
  }
});

test("IDN cases through the web entry (UTS 46 from the runtime's URL parser)", () => {
  const { cases } = JSON.parse(readFileSync(join(process.env.MW_VECTORS, "..", "idna", "cases.json"), "utf8"));
  const { differences, compared } = compareCases(web, cases);
  assert.equal(compared, cases.length * 3);
  assert.deepEqual(differences, []);
});
