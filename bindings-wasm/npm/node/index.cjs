// The package's CommonJS entry for Node: the WebAssembly core (wasm-bindgen's
// nodejs glue in ../wasm/, which reads the package's one .wasm beside it with
// node:fs), its error classes, the Node transport (send, Client), the Mailer
// and dkimSigner (node:crypto signing for DKIM).
"use strict";
const raw = require("../wasm/mailwright_wasm.cjs");

// The classes give thrown errors an identity; which one an error is, and
// every property on it (code, errorCode, category, transient, the server's
// reply), is decided by the core (src/errors.rs).
class MailwrightError extends Error {}
class SmtpError extends MailwrightError {}
raw.__registerErrors(MailwrightError, SmtpError);

// --- guard: the same text in node/index.cjs and web/index.js (a test checks) ---
// Wraps every function and method of the core so that (1) an object used
// after free() (or after being passed by value, or after its `using` block)
// throws the core's InvalidState error saying so, instead of wasm-bindgen's
// "null pointer passed to rust"; free() twice does nothing; (2) once the
// module has trapped (an allocation failure inside the core aborts: wasm has
// no unwinding), that call and every later one throw a MailwrightError
// saying the module cannot be used any more, with the properties the core
// gave when the package loaded (a trapped module cannot make errors).
function guard(core, MailwrightError) {
  const classes = [core.Message, core.Credentials, core.Reply, core.Session, core.ClientPlan, core.Dispatcher, core.Prepared];
  const ours = (v) => v !== null && typeof v === "object" && classes.some((c) => v instanceof c);
  const { message, ...fields } = core.__trapError();
  let trapped = null;
  const trap = (cause) => {
    if (!trapped) {
      trapped = Object.assign(new MailwrightError(message, { cause }), fields);
      trapped.name = "MailwrightError";
    }
    return trapped;
  };
  function call(fn, self, args, construct) {
    if (trapped) throw trapped;
    for (const v of [self, ...args]) if (ours(v) && v.__wbg_ptr === 0) throw core.__freedError(v.constructor.name);
    try {
      return construct ? new fn(...args) : fn.apply(self, args);
    } catch (e) {
      throw e instanceof WebAssembly.RuntimeError ? trap(e) : e;
    }
  }
  const wrap = (fn) => function (...args) { return call(fn, this, args, false); };
  for (const c of classes) {
    const free = c.prototype.free;
    c.prototype.free = function () { if (this.__wbg_ptr !== 0) call(free, this, [], false); };
    if (Symbol.dispose) c.prototype[Symbol.dispose] = c.prototype.free;
    for (const target of [c.prototype, c]) {
      for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(target))) {
        if (["constructor", "free", "__destroy_into_raw", "prototype", "length", "name"].includes(key) || key.startsWith("__wrap")) continue;
        if (typeof d.value === "function") Object.defineProperty(target, key, { ...d, value: wrap(d.value) });
        else if (d.get) Object.defineProperty(target, key, { ...d, get: wrap(d.get) });
      }
    }
  }
  const out = {};
  for (const [key, v] of Object.entries(core)) {
    out[key] = classes.includes(v) ? new Proxy(v, { construct: (target, args) => call(target, undefined, args, true) })
      : typeof v === "function" ? wrap(v) : v;
  }
  return out;
}
// --- end guard ---

const core = guard(raw, MailwrightError);
const { Client, send } = require("./transport.cjs")(core);
const { Mailer, handledActions } = require("./mailer.cjs")(core);
const dkimSigner = require("./dkim.cjs")(core);

module.exports = {
  Message: core.Message,
  buildMessage: core.buildMessage,
  Credentials: core.Credentials,
  Reply: core.Reply,
  Session: core.Session,
  ClientPlan: core.ClientPlan,
  Dispatcher: core.Dispatcher,
  Prepared: core.Prepared,
  connectOptions: core.connectOptions,
  errorKinds: core.errorKinds,
  wasmMemorySize: core.wasmMemorySize,
  rate: core.rate,
  authLogin: core.authLogin,
  authPlain: core.authPlain,
  authXoauth2: core.authXoauth2,
  loginAnswer: core.loginAnswer,
  dkimSigner,
  MailwrightError,
  SmtpError,
  Client,
  send,
  Mailer,
};
// For the package's own tests (not public, not enumerable).
Object.defineProperty(module.exports, "__errorOfKind", { value: core.__errorOfKind });
Object.defineProperty(module.exports, "__names", { value: core.__names });
Object.defineProperty(module.exports, "__abortForTests", { value: core.__abortForTests });
Object.defineProperty(module.exports, "__mailerActions", { value: handledActions });
