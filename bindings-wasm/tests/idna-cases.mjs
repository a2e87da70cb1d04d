// testdata/idna/cases.json through a loaded mailwright module (the Node
// entry, the web entry, or the package in a browser page): each domain as a
// mailbox's domain and as a DKIM signer's domain and selector, compared with
// the native core's answers (the idna crate) recorded in the file. The .wasm
// takes UTS 46 from the runtime's URL parser (the core's `host-idna`). No
// import here: the browser page loads this file as it is.

// The ASCII form, or { error: kind } for the core's errors.
function outcome(mw, f) {
  try {
    return f();
  } catch (e) {
    if (e instanceof mw.MailwrightError) return { error: e.code };
    throw e;
  }
}

// The value of `tag=` in the DKIM-Signature field of a built message.
function dkimTag(bytes, tag) {
  const head = new TextDecoder().decode(bytes).split("\r\n\r\n")[0].replace(/\r\n/g, "");
  const field = head.split("DKIM-Signature:")[1];
  for (const part of field.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === tag) return value.join("=").trim();
  }
  throw new Error(`no ${tag}= in ${field}`);
}

export function outcomes(mw, domain) {
  const signed = (d, s, tag) => outcome(mw, () => dkimTag(mw.buildMessage({
    from: "support@ifaxin.com", to: "ben@ifaxin.com", text: "t",
    dkim: { domain: d, selector: s, algorithm: "ed25519-sha256", sign: () => new Uint8Array(64), time: 1700000000 },
  }).bytes, tag));
  return {
    address: outcome(mw, () => mw.buildMessage({ from: { address: "x@" + domain }, to: "ben@ifaxin.com", text: "t" }).envelope.sender.slice(2)),
    dkim_domain: signed(domain, "s1", "d"),
    dkim_selector: signed("ifaxin.com", domain, "s"),
  };
}

// Every difference from the file, as text; and how many answers were compared.
export function compareCases(mw, cases) {
  const differences = [];
  let compared = 0;
  // The cases the .wasm refuses on purpose (`wasm_refuses`: why).
  const refused = { address: { error: "InvalidAddress" }, dkim_domain: { error: "InvalidDkimOption" }, dkim_selector: { error: "InvalidDkimOption" } };
  for (const c of cases) {
    const got = outcomes(mw, c.domain);
    for (const key of ["address", "dkim_domain", "dkim_selector"]) {
      if (!(key in c)) throw new Error(`case ${JSON.stringify(c.domain)} has no ${key}`);
      const expected = c.wasm_refuses ? refused[key] : c[key];
      compared++;
      if (JSON.stringify(got[key]) !== JSON.stringify(expected)) {
        differences.push(`${JSON.stringify(c.domain)} ${key}: expected ${JSON.stringify(expected)} (native ${JSON.stringify(c[key])}), here ${JSON.stringify(got[key])}`);
      }
    }
  }
  return { differences, compared };
}
