// The package's CommonJS entry for Node: the WebAssembly core (wasm-bindgen's
// nodejs build beside this file), its error classes, and the Node transport.
"use strict";
const core = require("./mailwright_wasm.js");

// The classes give thrown errors an identity; which one an error is, and
// every property on it (code, errorCode, category, transient, the server's
// reply), is decided by the core (src/errors.rs).
class MailwrightError extends Error {}
class SmtpError extends MailwrightError {}
core.__registerErrors(MailwrightError, SmtpError);

const { Client, send } = require("./transport.cjs")(core);

module.exports = {
  Message: core.Message,
  Credentials: core.Credentials,
  Reply: core.Reply,
  Session: core.Session,
  ClientPlan: core.ClientPlan,
  connectOptions: core.connectOptions,
  errorKinds: core.errorKinds,
  authLogin: core.authLogin,
  authPlain: core.authPlain,
  authXoauth2: core.authXoauth2,
  loginAnswer: core.loginAnswer,
  MailwrightError,
  SmtpError,
  Client,
  send,
};
// For the package's own tests (not public, not enumerable).
Object.defineProperty(module.exports, "__errorOfKind", { value: core.__errorOfKind });
