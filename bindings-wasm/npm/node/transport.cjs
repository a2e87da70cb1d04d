// Node only: sends messages over node:net / node:tls by driving the sans-IO
// Session of the WebAssembly core. It decides nothing: the core checks the
// options and says where and how to connect (connectOptions → ClientPlan:
// host, port, TLS mode, time-outs, trusted or pinned certificates), what
// every byte and event means, and when a reply or a message is late (the
// session's deadlines: this file tells it the time with `advance` and wakes
// up at `pollTimeout`). This file moves bytes, runs the TLS handshakes the
// plan and the session ask for, tells the session why a connection ended
// (the core's cause names: "closed", "timeout", "tls", "connect"), and maps
// events to promises.
"use strict";
const net = require("node:net");
const tls = require("node:tls");
const { cause, tlsOptions } = require("./sockets.cjs");

module.exports = function transport(core) {
  const asyncDispose = Symbol.asyncDispose || Symbol.for("Symbol.asyncDispose");

  /** One socket and the session on it. */
  class Connection {
    constructor(plan) {
      this.plan = plan;
      this.session = plan.session();
      this.origin = performance.now();
      this.pending = new Map();
      this.timer = null;
      this.connected = false;
      this.readyReached = false;
      this.quitting = false;
      /** The error that ended the connection, and whether nothing was in flight then. */
      this.failed = null;
      this.lostWhileIdle = false;
      this.closed = null;
      this.ready = new Promise((resolve, reject) => { this.readyWaiter = { resolve, reject }; });
      /** Settles once the socket is gone (after QUIT's answer, or at the session's QUIT_TIMEOUT). */
      this.ended = new Promise((resolve) => { this.endWaiter = resolve; });
      const { host, port, implicit } = plan;
      const socket = implicit ? tls.connect({ ...tlsOptions(plan), host, port }) : net.connect({ host, port });
      this.attach(socket, plan.connectTimeout);
      socket.once(implicit ? "secureConnect" : "connect", () => {
        this.connected = true;
        if (implicit) this.secured(socket, false);
        else this.read(socket);
      });
    }

    /** Milliseconds on this connection's monotonic clock. */
    now() {
      return performance.now() - this.origin;
    }

    /** Socket time-outs only while connecting or in a TLS handshake; after that the session's deadlines rule. */
    attach(socket, handshakeTimeout) {
      this.socket = socket;
      socket.setTimeout(handshakeTimeout, () => this.lost("timeout", ""));
      socket.on("error", (err) => this.lost(cause(err, socket, this.connected), err.message));
      socket.on("close", () => this.lost("closed", ""));
    }

    read(socket) {
      socket.setTimeout(0);
      this.onData = (chunk) => {
        this.session.advance(this.now());
        this.session.receive(chunk);
        this.pump();
      };
      socket.on("data", this.onData);
      this.pump(); // starts the greeting's clock
    }

    /** The TLS handshake is done: check the pin, then go on. */
    secured(socket, afterStartTls) {
      if (this.plan.pinned) {
        const refused = this.plan.pinMismatch(socket.getPeerCertificate(true).raw);
        if (refused !== undefined) return this.lost("tls", refused);
      }
      if (afterStartTls) this.session.tlsEstablished();
      this.read(socket);
    }

    lost(why, detail) {
      if (!this.session.isDone) this.session.connectionLost(why, detail);
      this.pump();
      this.socket.destroy();
      this.endWaiter();
    }

    startTls() {
      const plain = this.socket;
      plain.removeListener("data", this.onData);
      plain.removeAllListeners("close");
      plain.removeAllListeners("error");
      plain.removeAllListeners("timeout");
      plain.setTimeout(0);
      const secure = tls.connect({ ...tlsOptions(this.plan), socket: plain });
      this.attach(secure, this.plan.timeout);
      secure.once("secureConnect", () => this.secured(secure, true));
    }

    pump() {
      const session = this.session;
      session.advance(this.now());
      const out = session.takeOutput();
      if (out.length && !this.socket.destroyed) this.socket.write(out);
      for (let event = session.pollEvent(); event; event = session.pollEvent()) {
        switch (event.kind) {
          case "StartTls": this.startTls(); break;
          case "Ready":
            this.readyReached = true;
            this.readyWaiter.resolve(this);
            break;
          case "Sent": this.settle(event.handle, null, event.result); break;
          case "Failed": this.settle(event.handle, event.error); break;
          case "Error":
            // Lost with nothing in flight (the server closed an idle
            // connection, or said 421): the next send reconnects.
            this.lostWhileIdle = this.readyReached && !this.quitting && this.pending.size === 0;
            this.failed = event.error;
            this.readyWaiter.reject(event.error);
            for (const [handle] of this.pending) this.settle(handle, event.error);
            if (this.closed) this.closed.reject(event.error);
            this.closed = null;
            // A session the server can still hear says QUIT first (the core
            // decides; its deadline bounds the wait); one that cannot is over.
            if (this.session.isDone) this.socket.destroy();
            else this.quitting = true;
            break;
          case "Closed":
            if (this.closed) this.closed.resolve();
            // end(): TLS's close_notify, then FIN.
            this.socket.end(() => this.socket.destroy());
            break;
        }
      }
      this.schedule();
    }

    /** Wakes up at the session's deadline, if it waits for anything; keeps the process alive only then. */
    schedule() {
      clearTimeout(this.timer);
      this.timer = null;
      const at = this.session.isDone ? undefined : this.session.pollTimeout();
      if (at !== undefined) this.timer = setTimeout(() => this.pump(), Math.max(0, at - this.now()) + 1);
      // An idle connection (ready, nothing in flight) does not keep the process alive.
      const busy = !this.readyReached || this.pending.size > 0 || this.quitting;
      if (busy) this.socket.ref();
      else this.socket.unref();
    }

    settle(handle, error, result) {
      const waiter = this.pending.get(handle);
      if (!waiter) return;
      this.pending.delete(handle);
      error ? waiter.reject(error) : waiter.resolve(result);
    }

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

    quit() {
      if (this.session.isDone) return Promise.resolve();
      return new Promise((resolve, reject) => {
        this.closed = { resolve, reject };
        this.quitting = true;
        this.session.quit();
        this.pump();
      });
    }

    /** Closes the socket without a word and releases the session's WebAssembly memory. */
    free() {
      clearTimeout(this.timer);
      for (const name of ["data", "close", "error", "timeout"]) this.socket.removeAllListeners(name);
      this.socket.on("error", () => {});
      this.socket.destroy();
      this.session.free();
    }
  }

  class Client {
    /** Connects and resolves once the server is ready (greeting, EHLO, STARTTLS, AUTH done). */
    static async connect(options) {
      // Every option is checked here, by the core, before a socket exists.
      const given = options && options.credentials;
      const plan = core.connectOptions(options, given instanceof core.Credentials ? given.clone() : undefined);
      const client = new Client(plan, new Connection(plan));
      try {
        await client.connection.ready;
      } catch (err) {
        await client.connection.ended; // QUIT said (and answered, or given up on)
        client.connection.free();
        plan.free();
        throw err;
      }
      return client;
    }

    constructor(plan, connection) {
      this.plan = plan;
      this.connection = connection;
      this.reconnecting = null;
      this.quitCalled = false;
    }

    /** The connection to send on: the current one, or a new one when the server closed it while idle. */
    async usable() {
      const connection = this.connection;
      if (this.quitCalled || !connection.lostWhileIdle) return connection;
      if (!this.reconnecting) {
        const fresh = new Connection(this.plan);
        this.reconnecting = fresh.ready.then(() => {
          this.connection.free();
          this.connection = fresh;
          return fresh;
        }, (err) => {
          fresh.free();
          throw err;
        }).finally(() => { this.reconnecting = null; });
      }
      return this.reconnecting;
    }

    /**
     * Sends one message (a Message, or a MessageInit built and freed here);
     * resolves with { queueId, accepted, refused, code } after the server's
     * final 2xx. After the server closed an idle connection, reconnects first
     * (nothing was in flight, so nothing can be sent twice). A connection that
     * failed otherwise rejects with the error that ended it.
     */
    async send(message) {
      const connection = await this.usable();
      if (connection.failed && !connection.lostWhileIdle && !this.quitCalled) throw connection.failed;
      if (message instanceof core.Message) return connection.send(message);
      const built = new core.Message(message);
      try {
        // The session copies the message when it is queued.
        return connection.send(built);
      } finally {
        built.free();
      }
    }

    /** The conversation since the last call as [direction, text] pairs, secrets masked (option `transcript: true`). */
    takeTranscript() {
      return this.connection.session.takeTranscript();
    }

    /** Lines dropped because the transcript was full (drain it with takeTranscript()). */
    get transcriptDropped() {
      return this.connection.session.transcriptDropped;
    }

    /** Says QUIT (after the messages in flight) and closes. */
    quit() {
      this.quitCalled = true;
      return this.connection.quit();
    }

    /** `await using client = await Client.connect(...)`: QUIT, then release the WebAssembly memory. */
    async [asyncDispose]() {
      await this.quit().catch(() => {});
      this.connection.free();
      this.plan.free();
    }
  }

  /** Connects, sends one message (a Message or a MessageInit), says QUIT. */
  async function send(message, options) {
    const client = await Client.connect(options);
    try {
      return await client.send(message);
    } finally {
      await client[asyncDispose]();
    }
  }

  return { Client, send };
};
