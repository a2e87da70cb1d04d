// Node only: sends messages over node:net / node:tls by driving the sans-IO
// Session of the WebAssembly core. It decides nothing: the core checks the
// options and says where and how to connect (connectOptions → ClientPlan:
// host, port, TLS mode, time-outs, trusted or pinned certificates) and what
// every byte and event means. This file moves bytes, runs the TLS handshakes
// the plan and the session ask for, tells the session why a connection ended
// (the core's cause names: "closed", "timeout", "tls", "connect"), and maps
// events to promises.
"use strict";
const net = require("node:net");
const tls = require("node:tls");

module.exports = function transport(core) {
  // What a socket error was, in the core's cause names.
  function cause(err, socket, connected) {
    const code = String((err && err.code) || "");
    if (code === "ETIMEDOUT") return "timeout";
    if (socket instanceof tls.TLSSocket && (code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL") ||
        /CERT|SELF_SIGNED|UNABLE_TO|DEPTH_ZERO|HOSTNAME|ALTNAME/.test(code))) return "tls";
    return connected ? "closed" : "connect";
  }

  class Client {
    /** Connects and resolves once the server is ready (greeting, EHLO, STARTTLS, AUTH done). */
    static connect(options) {
      return new Promise((resolve, reject) => new Client(options, resolve, reject));
    }

    constructor(options, resolve, reject) {
      // Every option is checked here, by the core, before a socket exists.
      const given = options && options.credentials;
      this.plan = core.connectOptions(options, given instanceof core.Credentials ? given.clone() : undefined);
      this.session = this.plan.session();
      this.pending = new Map();
      this.ready = { resolve, reject };
      this.closed = null;
      this.connected = false;
      const { host, port, implicit } = this.plan;
      const socket = implicit ? tls.connect({ ...this.tlsOptions(), host, port }) : net.connect({ host, port });
      this.attach(socket, this.plan.connectTimeout);
      socket.once(implicit ? "secureConnect" : "connect", () => {
        this.connected = true;
        if (implicit) this.secured(socket, false);
        else this.read(socket);
      });
    }

    /** node:tls options from the plan. */
    tlsOptions() {
      const plan = this.plan;
      const options = { host: plan.host, servername: plan.servername };
      const extra = plan.ca;
      if (extra.length) options.ca = [...tls.rootCertificates, ...extra];
      // A pin replaces chain and name validation: the certificate is checked
      // against it (by the core) once the handshake is done, before any byte.
      if (plan.pinned) options.rejectUnauthorized = false;
      return options;
    }

    attach(socket, timeout) {
      this.socket = socket;
      socket.setTimeout(timeout, () => this.lost("timeout", ""));
      socket.on("error", (err) => this.lost(cause(err, socket, this.connected), err.message));
      socket.on("close", () => this.lost("closed", ""));
    }

    read(socket) {
      socket.setTimeout(this.plan.timeout);
      this.onData = (chunk) => { this.session.receive(chunk); this.pump(); };
      socket.on("data", this.onData);
    }

    /** The TLS handshake is done: check the pin, then go on. */
    secured(socket, afterStartTls) {
      if (this.plan.pinned) {
        const refused = this.plan.pinMismatch(socket.getPeerCertificate(true).raw);
        if (refused !== undefined) return this.lost("tls", refused);
      }
      this.read(socket);
      if (afterStartTls) {
        this.session.tlsEstablished();
        this.pump();
      }
    }

    lost(why, detail) {
      if (this.session.isDone) return this.pump();
      this.session.connectionLost(why, detail);
      this.pump();
      this.socket.destroy();
    }

    startTls() {
      const plain = this.socket;
      plain.removeListener("data", this.onData);
      plain.removeAllListeners("close");
      plain.removeAllListeners("error");
      plain.setTimeout(0);
      const secure = tls.connect({ ...this.tlsOptions(), socket: plain });
      this.attach(secure, this.plan.timeout);
      secure.once("secureConnect", () => this.secured(secure, true));
    }

    pump() {
      const out = this.session.takeOutput();
      if (out.length && !this.socket.destroyed) this.socket.write(out);
      for (let event = this.session.pollEvent(); event; event = this.session.pollEvent()) {
        switch (event.kind) {
          case "StartTls": this.startTls(); break;
          case "Ready": this.ready.resolve(this); break;
          case "Sent": this.settle(event.handle, null, event.result); break;
          case "Failed": this.settle(event.handle, event.error); break;
          case "Error":
            this.ready.reject(event.error);
            for (const [handle] of this.pending) this.settle(handle, event.error);
            if (this.closed) this.closed.reject(event.error);
            this.socket.destroy();
            break;
          case "Closed":
            if (this.closed) this.closed.resolve();
            this.socket.end();
            break;
        }
      }
    }

    settle(handle, error, result) {
      const waiter = this.pending.get(handle);
      if (!waiter) return;
      this.pending.delete(handle);
      error ? waiter.reject(error) : waiter.resolve(result);
    }

    /** Sends one message; resolves with { queueId, accepted, refused, code } after the server's final 2xx. */
    send(message) {
      return new Promise((resolve, reject) => {
        let handle;
        try {
          handle = this.session.send(message);
        } catch (err) {
          return reject(err);
        }
        this.pending.set(handle, { resolve, reject });
        this.pump();
      });
    }

    /** The conversation so far as [direction, text] pairs, secrets masked (option `transcript: true`). */
    transcript() {
      return this.session.takeTranscript();
    }

    /** Says QUIT and closes. */
    quit() {
      if (this.session.isDone) return Promise.resolve();
      return new Promise((resolve, reject) => {
        this.closed = { resolve, reject };
        this.session.quit();
        this.pump();
      });
    }
  }

  /** Connects, sends one message, says QUIT. */
  async function send(message, options) {
    const client = await Client.connect(options);
    try {
      return await client.send(message);
    } finally {
      await client.quit().catch(() => {});
    }
  }

  return { Client, send };
};
