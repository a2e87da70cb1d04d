// The package's ES module entry for Node: the CommonJS entry, re-exported
// (one instance of the core and of the error classes for both).
import mw from "./index.cjs";

export const {
  Message, buildMessage, Credentials, Reply, Session, ClientPlan, Dispatcher, Prepared, connectOptions, errorKinds,
  wasmMemorySize, rate, authLogin, authPlain, authXoauth2, loginAnswer, dkimSigner, MailwrightError, SmtpError, Client, send, Mailer,
} = mw;
export default mw;
