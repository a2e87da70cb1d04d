// Internationalized domains (UTS 46): the .wasm asks the runtime's URL parser
// (the core's `host-idna`) and applies the core's own checks; every domain of
// testdata/idna/cases.json (IDN scripts, case, full-width dots, joiners,
// emoji, A-labels valid and not, hyphens, lengths, every ASCII character
// around an IDN, numbers last) must get the answer the native core gives
// with the idna crate: the same ASCII form or the same error kind, as a
// mailbox's domain and as a DKIM signer's domain and selector. Run by Node
// (make test), Deno and Bun (make test-dist); browser.mjs runs the same cases
// in chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as mw from "mailwright";
import { compareCases } from "./idna-cases.mjs";

const file = process.env.MW_IDNA_CASES ?? join(process.env.MW_VECTORS, "..", "idna", "cases.json");
const { cases } = JSON.parse(readFileSync(file, "utf8"));

test("IDN cases: the native core's answers from the runtime's URL parser", () => {
  assert.ok(cases.length >= 400, `${cases.length} cases`);
  const { differences, compared } = compareCases(mw, cases);
  assert.equal(compared, cases.length * 3);
  assert.deepEqual(differences, []);
});

test("IDN cases: both outcomes are there", () => {
  const converted = cases.filter((c) => typeof c.address === "string" && c.address.includes("xn--")).length;
  const refused = cases.filter((c) => c.address?.error === "InvalidAddress").length;
  assert.ok(converted >= 100 && refused >= 300, `${converted} converted to A-labels, ${refused} refused`);
});

test("a domain is converted, or refused with InvalidAddress, in the three forms", () => {
  const built = mw.buildMessage({ from: "客服 <support@例子.中国>", to: ["ben@BÜCHER.de", { address: "x@ｅｘａｍｐｌｅ。ü" }], text: "t" });
  assert.equal(built.envelope.sender, "support@xn--fsqu00a.xn--fiqs8s");
  assert.deepEqual(built.envelope.recipients, ["ben@xn--bcher-kva.de", "x@example.xn--tda"]);
  for (const bad of ["x@-ü.de", "x@ü_.de", "x@ü.1/x", "x@ab--ü.de", "x@ü..de", "x@ü.de."]) {
    assert.throws(() => mw.buildMessage({ from: bad, to: "ben@ifaxin.com", text: "t" }), (e) => e instanceof mw.MailwrightError && e.code === "InvalidAddress", bad);
  }
});
