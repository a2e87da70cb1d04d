// Node only: what the Node drivers (transport.cjs: send() and Client;
// mailer.cjs: Mailer) share about sockets. Nothing here decides anything
// about SMTP: it names what a socket error was in the core's cause names
// and turns a ClientPlan into node:tls options.
"use strict";
const tls = require("node:tls");

/** What a socket error was, in the core's cause names ("timeout", "tls", "closed", "connect"). */
function cause(err, socket, connected) {
  const code = String((err && err.code) || "");
  if (code === "ETIMEDOUT") return "timeout";
  if (socket instanceof tls.TLSSocket && (code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL") ||
      /CERT|SELF_SIGNED|UNABLE_TO|DEPTH_ZERO|HOSTNAME|ALTNAME/.test(code))) return "tls";
  return connected ? "closed" : "connect";
}

/** node:tls options from the plan: the extra roots are added to Node's own. */
function tlsOptions(plan) {
  const options = { host: plan.host, servername: plan.servername };
  const extra = plan.ca;
  if (extra.length) options.ca = [...tls.rootCertificates, ...extra];
  // A pin replaces chain and name validation: the certificate is checked
  // against it (by the core) once the handshake is done, before any byte.
  if (plan.pinned) options.rejectUnauthorized = false;
  return options;
}

module.exports = { cause, tlsOptions };
