// Node only: the Mailer, which executes the core's delivery Dispatcher over
// node:net / node:tls. The dispatcher (WebAssembly) decides everything: the
// pool, the throttle, retries, time-outs, the outcome of every message, when
// a connection opens, starts TLS, says QUIT or closes. This file only
// executes its actions (one handler per name of the core's Action::NAMES; a
// test checks they are the same), tells it what happened on each socket and
// the time (`advance`, a timer at `pollTimeout`), and maps outcomes to
// promises and "outcome" events. close() is the core's drain(), abort() its
// shutdown().
"use strict";
const net = require("node:net");
const tls = require("node:tls");
const { EventEmitter } = require("node:events");
const fs = require("node:fs");
const { cause, tlsOptions } = require("./sockets.cjs");

module.exports = function mailer(core) {
  const asyncDispose = Symbol.asyncDispose || Symbol.for("Symbol.asyncDispose");
  // setTimeout's longest delay (about 24.8 days); the core's deadlines are at most a day.
  const MAX_DELAY = 2 ** 31 - 1;
  // The action names the Mailer handles (set by its static block), for the package's tests.
  let handledActions;

  /** A first-in first-out queue that stays O(1) for the thousands of sends of a Promise.all. */
  class Fifo {
    constructor() {
      this.items = [];
      this.head = 0;
    }
    get length() {
      return this.items.length - this.head;
    }
    push(item) {
      this.items.push(item);
    }
    shift() {
      const item = this.items[this.head];
      this.items[this.head++] = undefined;
      if (this.head === this.items.length) {
        this.items = [];
        this.head = 0;
      } else if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      return item;
    }
  }

  /** One connection of the pool: a socket, doing what the dispatcher asks and reporting what happens. */
  class Link {
    constructor(id, plan, hooks, ref) {
      this.id = id;
      this.plan = plan;
      this.hooks = hooks;
      this.connected = false;
      this.done = false;
      this.onData = null;
      const { host, port, implicit } = plan;
      const socket = implicit ? tls.connect({ ...tlsOptions(plan), host, port }) : net.connect({ host, port });
      socket.setNoDelay(true);
      this.attach(socket, plan.connectTimeout);
      this.ref(ref);
      socket.once(implicit ? "secureConnect" : "connect", () => {
        this.connected = true;
        if (implicit && !this.pinAccepted(socket)) return;
        socket.setTimeout(0);
        this.hooks.opened(this.id);
        this.read(socket);
      });
    }

    /** Socket time-outs only while connecting or in a TLS handshake; after that the dispatcher's deadlines rule. */
    attach(socket, handshakeTimeout) {
      this.socket = socket;
      socket.setTimeout(handshakeTimeout, () => this.lost("timeout", "", this.connected ? "tls" : "connecting"));
      socket.on("error", (err) => this.lost(cause(err, socket, this.connected), err.message, this.connected ? "waiting" : "connecting"));
      socket.on("close", () => this.lost("closed", "", "waiting"));
    }

    read(socket) {
      socket.setTimeout(0);
      this.onData = (chunk) => this.hooks.received(this.id, chunk);
      socket.on("data", this.onData);
    }

    /** With pins, the server's certificate must be a pinned one (the core checks), else the connection is lost ("tls"). */
    pinAccepted(socket) {
      if (!this.plan.pinned) return true;
      const refused = this.plan.pinMismatch(socket.getPeerCertificate(true).raw);
      if (refused === undefined) return true;
      this.lost("tls", refused, "tls");
      return false;
    }

    write(bytes) {
      if (!this.done && bytes.length) this.socket.write(bytes);
    }

    startTls() {
      if (this.done) return;
      const plain = this.socket;
      plain.removeListener("data", this.onData);
      for (const name of ["close", "error", "timeout"]) plain.removeAllListeners(name);
      plain.setTimeout(0);
      const secure = tls.connect({ ...tlsOptions(this.plan), socket: plain });
      this.attach(secure, this.plan.timeout);
      this.ref(this.referenced);
      secure.once("secureConnect", () => {
        if (!this.pinAccepted(secure)) return;
        secure.setTimeout(0);
        this.hooks.secured(this.id);
        this.read(secure);
      });
    }

    /** Keeps the process alive (messages are pending) or not (idle). */
    ref(on) {
      this.referenced = on;
      if (on) this.socket.ref();
      else this.socket.unref();
    }

    /** Stops listening: after this the dispatcher hears nothing more about the socket. */
    quiet() {
      this.done = true;
      for (const name of ["data", "close", "error", "timeout"]) this.socket.removeAllListeners(name);
      this.socket.on("error", () => {});
    }

    /** The connection is gone: `why` is the core's cause, `stage` its name of what this driver was doing. */
    lost(why, detail, stage) {
      if (this.done) return;
      this.quiet();
      this.socket.destroy();
      this.hooks.lost(this.id, why, detail, stage);
    }

    /** The dispatcher's "Close": after what was written (QUIT, say); resolves once the socket is closed. */
    close() {
      if (this.done) return Promise.resolve();
      this.quiet();
      const socket = this.socket;
      const closed = new Promise((resolve) => socket.once("close", resolve));
      if (this.connected) socket.end(() => socket.destroy());
      else socket.destroy();
      return closed;
    }
  }

  /**
   * The file of a Mailer's ledger (`ledger: path`): the core's journal
   * (Dispatcher.openJournal) decides what is written when; this only reads
   * the file, appends what it is given and makes it durable (an fsync per
   * write with durability "full", the default; none with "process": the
   * operating system has it, a power loss may lose the last writes). One
   * process at a time: a lock file beside it holds the owner's pid (a lock
   * left by a process that is gone is taken over).
   */
  class Journal {
    constructor(d, path, { atLeastOnce = false, durability } = {}) {
      if (typeof path !== "string" || path === "") throw new TypeError("ledger must be a file path");
      this.path = path;
      this.lock = `${path}.lock`;
      this.#takeLock();
      try {
        let bytes = new Uint8Array(0);
        try {
          bytes = fs.readFileSync(path);
        } catch (err) {
          if (err.code !== "ENOENT") throw this.#failed("cannot be read", err);
        }
        // The core checks `durability` and says whether to fsync.
        const opened = d.openJournal(bytes, Date.now(), Boolean(atLeastOnce), durability);
        this.sync = opened.sync;
        if (opened.validLength < bytes.length) fs.truncateSync(path, opened.validLength); // a torn last entry
        if (opened.compact) {
          const tmp = `${path}.tmp`;
          const fd = fs.openSync(tmp, "w");
          try {
            this.#writeAll(fd, d.compactedJournal());
            fs.fsyncSync(fd);
          } finally {
            fs.closeSync(fd);
          }
          fs.renameSync(tmp, path);
        }
        this.fd = fs.openSync(path, "a");
        // A new (or renamed) file is in its folder durably too.
        if (this.sync && (bytes.length === 0 || opened.compact)) syncFolder(path);
        this.resumed = { queued: opened.queued, uncertain: opened.uncertain };
      } catch (err) {
        this.#releaseLock();
        throw err;
      }
    }

    /** Appends `bytes` durably (the core's journalWritten follows). */
    write(bytes) {
      try {
        this.#writeAll(this.fd, bytes);
        if (this.sync) fs.fdatasyncSync(this.fd);
      } catch (err) {
        throw this.#failed("cannot be written", err);
      }
    }

    close() {
      if (this.fd === undefined) return;
      fs.closeSync(this.fd);
      this.fd = undefined;
      this.#releaseLock();
    }

    #writeAll(fd, bytes) {
      for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at, bytes.length - at);
    }

    #failed(what, err) {
      return core.__ledgerError(`the ledger ${this.path} ${what}: ${err.code || err.message}`);
    }

    #takeLock() {
      const here = require("node:path").resolve(this.lock);
      if (lockedHere.has(here)) {
        throw core.__ledgerError(`the ledger ${this.path} is in use by another Mailer of this process (one at a time)`);
      }
      for (let tries = 0; tries < 2; tries++) {
        try {
          const fd = fs.openSync(this.lock, "wx");
          fs.writeSync(fd, String(process.pid));
          fs.closeSync(fd);
          lockedHere.add(here);
          this.lockedAs = here;
          return;
        } catch (err) {
          if (err.code !== "EEXIST") throw this.#failed("cannot be locked", err);
        }
        const pid = Number.parseInt(fs.readFileSync(this.lock, "utf8"), 10);
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
          throw core.__ledgerError(`the ledger ${this.path} is in use by process ${pid} (one process at a time)`);
        }
        fs.rmSync(this.lock, { force: true }); // left by a process that is gone
      }
      throw core.__ledgerError(`the ledger ${this.path} cannot be locked`);
    }

    #releaseLock() {
      if (this.lockedAs === undefined) return;
      fs.rmSync(this.lock, { force: true });
      lockedHere.delete(this.lockedAs);
      this.lockedAs = undefined;
    }
  }

  /** The ledgers this process holds (a pid in a lock file may be this one's by reuse after a crash). */
  const lockedHere = new Set();

  function syncFolder(path) {
    let fd;
    try {
      fd = fs.openSync(require("node:path").dirname(require("node:path").resolve(path)), "r");
      fs.fsyncSync(fd);
    } catch {
      // Not every platform can fsync a folder (Windows): the file's own fsyncs remain.
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  function alive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return err.code === "EPERM";
    }
  }

  /**
   * Sends many messages through a pool of connections with one throttle,
   * retries and exactly one outcome per message (the core's Dispatcher).
   * `send()` resolves with the message's outcome; a failed or uncertain
   * message is an outcome too, never a rejection (rejections are for bad
   * input and for sends after `close()`). Every outcome is also emitted as
   * an "outcome" event.
   */
  class Mailer extends EventEmitter {
    #plan;
    #dispatcher;
    #epoch = performance.now();
    #links = new Map();
    #waiters = new Map();
    #room = new Fifo();
    #timer = null;
    #timerAt = undefined;
    #pumping = false;
    #again = false;
    #soon = false;
    #busy = true;
    /** close() or abort() was called: no message is taken any more. */
    #closed = false;
    /** The dispatcher was told to drain (or shut down). */
    #stopping = false;
    #aborted = false;
    #closing = null;
    #finish = null;
    #sockets = new Set();
    #final = null;
    /** With a ledger: its file (the core's journal decides what is written). */
    #journal = null;
    #journalError = null;
    /** Messages an earlier run left, queued again at opening, without a caller waiting. */
    #resumedLeft = 0;
    #hooks = {
      opened: (id) => this.#input((d) => d.connectionOpened(id)),
      received: (id, chunk) => this.#input((d) => d.receive(id, chunk)),
      secured: (id) => this.#input((d) => d.tlsEstablished(id)),
      lost: (id, why, detail, stage) => {
        this.#links.delete(id);
        this.#input((d) => d.connectionLost(id, why, detail, stage));
      },
    };

    /**
     * Where and how to connect are the options of send() and Client.connect()
     * (host, port, tls, credentials, timeout, ca, pins, ...); the delivery
     * options (connections, rate, retry, ..., and `limiter`, a quota shared
     * with other processes, asked by the core) configure the dispatcher.
     * Everything is checked by the core here: a bad option throws, and
     * nothing connects until a message is sent.
     */
    constructor(options) {
      super();
      if (options === null || typeof options !== "object") throw new TypeError("Mailer options must be an object");
      const given = options.credentials;
      this.#plan = core.connectOptions(options, given instanceof core.Credentials ? given.clone() : undefined);
      try {
        this.#dispatcher = new core.Dispatcher(this.#plan, options);
        if (options.ledger !== undefined && options.ledger !== null) {
          this.#journal = new Journal(this.#dispatcher, options.ledger, options);
          this.#resumedLeft = this.#journal.resumed.queued;
        }
      } catch (err) {
        if (this.#dispatcher) this.#dispatcher.free();
        this.#dispatcher = null;
        this.#plan.free();
        throw err;
      }
      if (this.#resumedLeft > 0 || this.#journal) queueMicrotask(() => this.#pump());
    }

    /** What opening the ledger took up: `{ queued, uncertain: [record] }` (nothing without a ledger). */
    get resumed() {
      return this.#journal ? this.#journal.resumed : { queued: 0, uncertain: [] };
    }

    /** What the ledger holds for `key` (a record: key, state, messageId, queueId, attempts, ...), or undefined. */
    ledgerRecord(key) {
      return this.#dispatcher && this.#journal ? this.#dispatcher.journalRecord(String(key)) : undefined;
    }

    /** The ledger's records counted by state, or undefined without a ledger. */
    ledgerSummary() {
      return this.#dispatcher && this.#journal ? this.#dispatcher.journalSummary() : undefined;
    }

    /** Milliseconds on this mailer's monotonic clock. */
    #now() {
      return performance.now() - this.#epoch;
    }

    /**
     * Sends one message (a Message, or a MessageInit built here); resolves
     * with its Outcome. Waits while the queue is full.
     */
    send(message, options) {
      return this.#enqueue(() => (message instanceof core.Message ? core.Prepared.message(message) : core.Prepared.build(message)), options);
    }

    /** Sends raw RFC 5322 bytes (a Uint8Array or a string) with an explicit envelope; resolves with its Outcome. */
    sendRaw(data, sender, recipients, options) {
      return this.#enqueue(() => core.Prepared.raw(data, sender, recipients), options);
    }

    /** What has happened so far (the dispatcher's counters; the last ones once closed). */
    get counters() {
      return this.#final || this.#dispatcher.counters;
    }

    /**
     * Closes after sending (the core's drain): no message is taken any more;
     * every message sent before goes on to its outcome, with its retries
     * (each promise settles), then every connection says QUIT. Resolves once
     * the sockets are closed. Idempotent; after abort() it only waits.
     */
    close() {
      const closing = this.#stop();
      this.#pump();
      return closing;
    }

    /**
     * Closes now (the core's shutdown): messages not yet on a connection
     * resolve to failed outcomes (InvalidState, not sent); those still
     * waiting for room in the queue reject as a send after close() does;
     * those in flight finish; then every connection says QUIT. Resolves once
     * the sockets are closed; also stops a close() that is draining.
     */
    abort() {
      const closing = this.#stop();
      const d = this.#dispatcher;
      if (d && !this.#aborted) {
        this.#aborted = true;
        // They never reached the dispatcher: like a blocked submit() of the core's Mailer, they get its closed error.
        while (this.#room.length > 0) {
          const { prepared, reject } = this.#room.shift();
          prepared.free();
          reject(core.__closedError());
        }
        this.#stopping = true;
        d.advance(this.#now());
        d.shutdown();
      }
      this.#pump();
      return closing;
    }

    #stop() {
      if (!this.#closing) {
        this.#closed = true;
        this.#closing = new Promise((resolve) => { this.#finish = resolve; });
      }
      return this.#closing;
    }

    /** `await using mailer = new Mailer(...)`: close() (draining; abort() stops at once). */
    [asyncDispose]() {
      return this.close();
    }

    #enqueue(prepare, options) {
      if (this.#journalError) return Promise.reject(this.#journalError);
      if (this.#closed) return Promise.reject(core.__closedError());
      const key = options == null ? undefined : options.key;
      let prepared;
      try {
        prepared = prepare();
      } catch (err) {
        return Promise.reject(err);
      }
      return new Promise((resolve, reject) => {
        this.#room.push({ prepared, resolve, reject, key });
        // One pump for the sends of a synchronous loop.
        if (!this.#soon) {
          this.#soon = true;
          queueMicrotask(() => {
            this.#soon = false;
            this.#pump();
          });
        }
      });
    }

    /** Something happened on a socket: tell the dispatcher (after the time), then do what it asks. */
    #input(report) {
      const d = this.#dispatcher;
      if (!d) return;
      d.advance(this.#now());
      report(d);
      this.#pump();
    }

    /** Moves waiting messages into the dispatcher's queue while it has room. */
    #admit(d) {
      while (this.#room.length > 0 && d.hasRoom) {
        const { prepared, resolve, reject, key } = this.#room.shift();
        try {
          if (this.#journal || key !== undefined) {
            // Under a key (without a ledger the core refuses it).
            const claim = d.submitKeyed(prepared, key, Date.now());
            if (claim.claim === "done") {
              resolve(claim.outcome);
              this.#emit(claim.outcome);
            } else this.#wait(claim.ticket, resolve);
          } else this.#wait(d.submit(prepared), resolve);
        } catch (err) {
          reject(err);
        } finally {
          prepared.free();
        }
      }
    }

    #pump() {
      const d = this.#dispatcher;
      if (!d) return;
      if (this.#pumping) {
        this.#again = true;
        return;
      }
      this.#pumping = true;
      try {
        do {
          this.#again = false;
          d.advance(this.#now());
          this.#admit(d);
          for (let action = d.pollAction(); action !== undefined; action = d.pollAction()) this.#execute(action);
          if (this.#journal && !this.#journalError) this.#record(d);
          for (let outcome = d.pollOutcome(); outcome !== undefined; outcome = d.pollOutcome()) this.#settle(outcome);
          if (this.#closed && !this.#stopping && this.#room.length === 0) {
            // Every message sent before close() is in the dispatcher: it sends them all, then says QUIT.
            this.#stopping = true;
            d.drain();
            this.#again = true;
          }
        } while (this.#again || (this.#room.length > 0 && d.hasRoom));
      } finally {
        this.#pumping = false;
      }
      if (this.#stopping && d.isFinished && this.#sockets.size === 0) this.#finished(d);
      else this.#schedule(d);
    }

    /** One handler per action of the core (its names: Action::NAMES). */
    static #actions = {
      Open(mailer, conn) {
        mailer.#links.set(conn, new Link(conn, mailer.#plan, mailer.#hooks, mailer.#busy));
      },
      Send(mailer, conn, link) {
        if (link) link.write(mailer.#dispatcher.takeOutput(conn));
      },
      StartTls(mailer, conn, link) {
        if (link) link.startTls();
      },
      Close(mailer, conn, link) {
        if (!link) return;
        mailer.#links.delete(conn);
        const socket = link.socket;
        mailer.#sockets.add(socket);
        link.close().then(() => {
          mailer.#sockets.delete(socket);
          if (mailer.#stopping) mailer.#pump();
        });
      },
    };

    static {
      handledActions = Object.keys(Mailer.#actions);
    }

    #execute({ kind, conn }) {
      if (!Object.hasOwn(Mailer.#actions, kind)) throw new Error(`mailwright: the Mailer has no handler for the dispatcher's action ${kind}`);
      Mailer.#actions[kind](this, conn, this.#links.get(conn));
    }

    #wait(ticket, resolve) {
      const waiting = this.#waiters.get(ticket);
      if (waiting) waiting.push(resolve);
      else this.#waiters.set(ticket, [resolve]);
    }

    /**
     * Writes what the core's journal asks (the marks of the final dots about
     * to go out, the outcomes decided), durably, then tells it so: the dots
     * go out, the outcomes are told. A write that fails ends the mailer: no
     * dot goes out unrecorded, every waiting caller gets the ledger error,
     * and what was not recorded stays unfinished in the file for the next run.
     */
    #record(d) {
      const bytes = d.takeJournal(Date.now());
      if (bytes === undefined) return;
      try {
        this.#journal.write(bytes);
      } catch (err) {
        this.#journalError = err;
        this.#closed = this.#stopping = this.#aborted = true;
        if (!this.#closing) this.#closing = new Promise((resolve) => { this.#finish = resolve; });
        for (const link of this.#links.values()) link.lost("closed", "the ledger cannot record", "sending");
        this.#links.clear();
        for (const waiting of this.#waiters.values()) for (const resolve of waiting) resolve(Promise.reject(err));
        this.#waiters.clear();
        while (this.#room.length > 0) {
          const { prepared, reject } = this.#room.shift();
          prepared.free();
          reject(err);
        }
        d.shutdown();
        return;
      }
      d.journalWritten();
      this.#again = true;
    }

    #settle(outcome) {
      const waiting = this.#waiters.get(outcome.ticket);
      this.#waiters.delete(outcome.ticket);
      if (waiting) for (const resolve of waiting) resolve(outcome);
      else if (this.#resumedLeft > 0) this.#resumedLeft--;
      this.#emit(outcome);
    }

    #emit(outcome) {
      try {
        this.emit("outcome", outcome);
      } catch (err) {
        // A listener threw: the mailer goes on; the error surfaces as Node's uncaught exception.
        process.nextTick(() => { throw err; });
      }
    }

    /** Wakes up at the dispatcher's next deadline; keeps the process alive only while messages are pending. */
    #schedule(d) {
      const busy = this.#waiters.size > 0 || this.#room.length > 0 || this.#closed || this.#resumedLeft > 0;
      const at = d.pollTimeout();
      if (at !== this.#timerAt || this.#timer === null) {
        clearTimeout(this.#timer);
        this.#timer = null;
        this.#timerAt = at;
        if (at !== undefined) {
          const delay = Math.min(MAX_DELAY, Math.max(0, at - this.#now()) + 1);
          this.#timer = setTimeout(() => {
            this.#timer = null;
            this.#pump();
          }, delay);
        }
      }
      if (this.#timer !== null) {
        if (busy) this.#timer.ref();
        else this.#timer.unref();
      }
      if (busy !== this.#busy) {
        this.#busy = busy;
        for (const link of this.#links.values()) link.ref(busy);
      }
    }

    /** Shut down, every connection gone: release the WebAssembly memory. */
    #finished(d) {
      clearTimeout(this.#timer);
      this.#timer = null;
      this.#final = d.counters;
      if (this.#journal) this.#journal.close();
      this.#dispatcher = null;
      d.free();
      this.#plan.free();
      this.#finish();
    }
  }

  return { Mailer, handledActions };
};
