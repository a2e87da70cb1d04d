// The package's entry for browsers and bundlers (ES module): loads the
// WebAssembly core (wasm-bindgen's web build beside this file) with
// top-level await. `send` and `Client` need Node's sockets and are not here.
import init, * as core from "./mailwright_wasm.js";

await init({ module_or_path: new URL("./mailwright_wasm_bg.wasm", import.meta.url) });

// The classes give thrown errors an identity; which one an error is, and
// every property on it, is decided by the core (src/errors.rs).
export class MailwrightError extends Error {}
export class SmtpError extends MailwrightError {}
core.__registerErrors(MailwrightError, SmtpError);

export {
  Message, Credentials, Reply, Session, ClientPlan, connectOptions, errorKinds,
  authLogin, authPlain, authXoauth2, loginAnswer,
} from "./mailwright_wasm.js";
