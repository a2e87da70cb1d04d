// dkimSigner (Node only): a `dkim` member of MessageInit whose `sign` is
// node:crypto's, from a private key (PEM, DER PKCS#8, a KeyObject, or a raw
// 32-byte Ed25519 seed). The core (WebAssembly, no crypto in it)
// canonicalizes, hashes and writes the DKIM-Signature field; `sign` gets
// exactly what the algorithm's primitive signs:
//   rsa-sha256      the canonical header data → RSASSA-PKCS1-v1_5 with SHA-256
//   ed25519-sha256  the SHA-256 digest of that data → Ed25519 (RFC 8463)
// The key stays in the KeyObject (node:crypto's memory), never in the .wasm.
"use strict";
const crypto = require("node:crypto");

// PKCS#8 for an Ed25519 key (RFC 8410): this prefix, then the 32-byte seed.
const ED25519_PKCS8 = Buffer.from("302e020100300506032b657004220420", "hex");

module.exports = (core) => {
  const keyError = (message) => core.__dkimKeyError(message);

  function privateKeyObject(key) {
    if (key instanceof crypto.KeyObject) {
      if (key.type !== "private") throw keyError(`a ${key.type} key was given; DKIM signs with the private key`);
      return key;
    }
    if (key instanceof Uint8Array && key.length === 32) {
      return crypto.createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, key]), format: "der", type: "pkcs8" });
    }
    if (typeof key === "string" || key instanceof Uint8Array) {
      const pem = typeof key === "string" ? key : Buffer.from(key).toString("latin1");
      if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem)) throw keyError("encrypted PKCS#8 keys are not supported; decrypt the key first");
      try {
        return /-----BEGIN /.test(pem)
          ? crypto.createPrivateKey({ key: pem, format: "pem" })
          : crypto.createPrivateKey({ key: Buffer.from(key), format: "der", type: "pkcs8" });
      } catch {
        // node:crypto's own message is left out: it is about the key's bytes.
        throw keyError("not a readable private key (PEM PKCS#8 or PKCS#1, DER PKCS#8, or a 32-byte Ed25519 seed)");
      }
    }
    throw new TypeError("dkimSigner: privateKey must be a PEM string, a Uint8Array (PEM, DER PKCS#8 or a 32-byte Ed25519 seed) or a KeyObject");
  }

  return function dkimSigner(options) {
    if (options === null || typeof options !== "object") throw new TypeError("dkimSigner needs { domain, selector, privateKey, ... }");
    const { privateKey, ...rest } = options;
    const key = privateKeyObject(privateKey);
    // The core's rules on the key (type, RSA size) and its algorithm name.
    const algorithm = core.__dkimAlgorithmForKey(String(key.asymmetricKeyType), key.asymmetricKeyDetails?.modulusLength);
    const sign = algorithm === "rsa-sha256"
      ? (data) => crypto.sign("sha256", data, key)
      : (digest) => crypto.sign(null, digest, key);
    return { ...rest, algorithm, sign };
  };
};
