// Node only: sends messages over node:net / node:tls by driving the sans-IO
// Session from the WebAssembly core. It moves bytes and maps events to
// promises; every SMTP rule lives in the core.
"use strict";
const net = require("node:net");
const tls = require("node:tls");

module.exports = function transport(core) {
  // What a socket error means, for the core's error kinds.
  function cause(err, socket) {
    if (err.code === "ETIMEDOUT") return "timeout";
    const code = String(err.code || "");
    if (socket instanceof tls.TLSSocket && (code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL") ||
        /CERT|SELF_SIGNED|UNABLE_TO|DEPTH_ZERO|HOSTNAME|ALTNAME/.test(code))) return "tls";
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH") return "connect";
    return "closed";
  }

  const POLICY = { starttls: "required", opportunistic: "opportunistic", implicit: "never", none: "never" };

  class Client {
    /** Connects and resolves once the server is ready (greeting, EHLO, STARTTLS, AUTH done). */
    static connect(options) {
      return new Promise((resolve, reject) => new Client(options, resolve, reject));
    }

    constructor(options, resolve, reject) {
      const o = options || {};
      if (typeof o.host !== "string") throw new TypeError("options.host must be a string");
      const mode = o.tls === undefined ? "starttls" : o.tls;
      if (!(mode in POLICY)) throw new TypeError(`tls must be one of ${Object.keys(POLICY).join(", ")}`);
      this.host = o.host;
      this.port = o.port || 25;
      this.ca = o.ca;
      this.timeout = o.timeout === undefined ? 30000 : o.timeout;
      this.pending = new Map();
      this.ready = { resolve, reject };
      this.closed = null;
      this.session = new core.Session(
        { helloName: o.helloName || "localhost", tls: POLICY[mode], implicitTls: mode === "implicit",
          pipelining: o.pipelining !== false, transcript: true },
        o.credentials ? o.credentials.clone() : undefined);
      const socket = mode === "implicit"
        ? tls.connect(this.tlsOptions({ host: this.host, port: this.port }))
        : net.connect({ host: this.host, port: this.port });
      this.attach(socket);
    }

    tlsOptions(extra) {
      const options = { ...extra, ca: this.ca, minVersion: "TLSv1.2", host: this.host };
      if (net.isIP(this.host) === 0) options.servername = this.host;
      return options;
    }

    attach(socket) {
      this.socket = socket;
      socket.setTimeout(this.timeout, () => this.lost("the server did not answer in time", "timeout"));
      this.onData = (chunk) => { this.session.receive(chunk); this.pump(); };
      socket.on("data", this.onData);
      socket.on("error", (err) => this.lost(err.message, cause(err, socket)));
      socket.on("close", () => this.lost("the connection closed", "closed"));
    }

    lost(reason, why) {
      if (this.session.isDone) return this.pump();
      this.session.connectionLost(reason, why);
      this.pump();
      this.socket.destroy();
    }

    startTls() {
      const plain = this.socket;
      plain.removeListener("data", this.onData);
      plain.removeAllListeners("close");
      plain.removeAllListeners("error");
      plain.setTimeout(0);
      const secure = tls.connect(this.tlsOptions({ socket: plain }), () => {
        this.session.tlsEstablished();
        this.pump();
      });
      this.attach(secure);
    }

    pump() {
      const out = this.session.takeOutput();
      if (out.length && !this.socket.destroyed) this.socket.write(out);
      for (let event = this.session.pollEvent(); event; event = this.session.pollEvent()) {
        switch (event.kind) {
          case "start_tls": this.startTls(); break;
          case "ready": this.ready.resolve(this); break;
          case "sent": this.settle(event.handle, null, event.result); break;
          case "failed": this.settle(event.handle, event.error); break;
          case "error":
            this.ready.reject(event.error);
            for (const [handle] of this.pending) this.settle(handle, event.error);
            if (this.closed) this.closed.reject(event.error);
            this.socket.destroy();
            break;
          case "closed":
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

    /** Sends one message; resolves with { queueId, accepted, refused } after the server's final 2xx. */
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

    /** The conversation so far as [direction, text] pairs, secrets masked. */
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
