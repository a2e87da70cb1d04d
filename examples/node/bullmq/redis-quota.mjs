// A relay's quota shared by every worker on Redis, as a `limiter` for
// mailwright's Node Mailer: at most `messages` MAIL commands in any window of
// `per` milliseconds for one key (the api_user), whichever process sends them.
// The quota is given as the Mailer's `rate` option is ("sendcloud" or
// { messages, per }), and the window each slot is kept for is the core's:
// `rate(init).sharedWindow` (the relay's `per` plus the core's margin, a
// twentieth of `per`, at most 1 s).
//
// Why it prefetches. The Mailer asks `limiter.acquire()` synchronously, from
// inside its engine, when a connection could send at once; Node has no
// synchronous Redis call. So `acquire()` answers from a slot already taken in
// Redis: when it holds one it hands it over (0: go); when it holds none it
// starts ONE asynchronous request for a slot (never more than one in flight)
// and answers "ask again in `poll` ms" (the core keeps every wait it is
// given: it does not ask again before it ends). The request runs a Lua
// script that keeps a sliding-window log in a sorted set (one member per
// slot, scored with Redis's own clock) and takes a slot atomically only while
// fewer than `messages` members lie in the shared window; when the window is
// full it answers how long until its oldest member leaves, and the adapter
// waits that long before asking Redis again.
//
// The bound. Redis grants at most `messages` slots in any window of
// `per + margin` (its clock; margin = sharedWindow - per, the core's). A slot
// is granted at some instant g between sending the request (s) and reading
// the answer; the adapter hands it over only before s + `validity`, so it is
// used (the Mailer writes the MAIL command at once) at most `validity` after
// g; it is discarded otherwise, never used late (it was counted in Redis when
// granted, so it only wastes one slot of the window). The relay counts the
// MAIL when it arrives, d later (one-way network delay plus the Mailer's
// write). So the relay sees each message within [g, g + validity + d]: any
// window of `per` at the relay holds messages granted within
// `per + validity + d`, at most `messages` as long as
// `validity + d <= margin`. The core's margin is 1,000 ms for SendCloud's
// minute (validity 50 ms leaves 950 ms for d: a relay across the Internet)
// and 500 ms for a 10 s window (450 ms for d); for windows under a second it
// is under 50 ms, so the default validity is min(50 ms, margin / 2): half the
// margin left for d, for a relay close by. A validity given must stay below
// the margin (the constructor checks), with room for d. The cost is
// margin / sharedWindow of the throughput (1.6% of SendCloud's minute, 4.8%
// of any window up to 20 s), paid by the Mailer's own limiter too, which
// holds its slots as long.
//
// When Redis cannot be asked (an error, or no answer within
// `requestTimeout`), `acquire()` throws: the Mailer holds every message and
// asks again a second later; a message still held at its deadline fails with
// this error's text. Redis is the single shared state: every worker must use
// the same Redis, key and rate (so the same window).
import { randomUUID } from "node:crypto";
import { rate } from "mailwright";

// KEYS[1]: the log. ARGV: messages, window (ms: the core's sharedWindow), member.
// Returns 0 when a slot was taken, else the ms until the oldest slot leaves.
const TAKE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window))
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, math.ceil(tonumber(oldest[2]) + window - now))
`;

export class RedisQuota {
  #redis;
  #key;
  #messages;
  #window;
  #validity;
  #poll;
  #requestTimeout;
  #prefix = randomUUID();
  #taken = 0;
  /** The slot held: valid until this time (performance.now()), or null. */
  #slotUntil = null;
  /** When the request in flight was sent, or null. */
  #inflightSince = null;
  /** Redis said the window is full: no request before this time. */
  #notBefore = 0;
  /** Why the last request failed, thrown once by the next acquire(). */
  #error = null;
  /** Slots granted but never handed over in time (counted in Redis, unused). */
  discarded = 0;

  /**
   * `redis`: an ioredis client of its own, best with `enableOfflineQueue:
   * false` (a command fails at once while Redis is away, instead of
   * waiting); `key`: the api_user (the key is `mailwright:quota:<key>`);
   * `quota`: the relay's, as the Mailer's `rate` option ("sendcloud" or
   * { messages, per } in ms; checked by the core, which throws as the Mailer
   * does); `validity`: see the bound above (default min(50, margin / 2) ms).
   */
  constructor(redis, key, quota, { validity, poll = 2, requestTimeout = 1000 } = {}) {
    const { messages, per, sharedWindow } = rate(quota);
    const margin = sharedWindow - per;
    validity ??= Math.min(50, margin / 2);
    for (const [name, v] of Object.entries({ validity, poll, requestTimeout })) {
      if (!(Number.isFinite(v) && v >= 0)) throw new TypeError(`${name} must be milliseconds, 0 or more`);
    }
    if (!(validity > 0 && validity < margin)) {
      throw new RangeError(`validity must be above 0 and below the core's margin (${margin} ms for this rate), with room for the one-way delay (see the bound above)`);
    }
    this.#redis = redis;
    this.#key = `mailwright:quota:${key}`;
    this.#messages = messages;
    this.#window = sharedWindow;
    this.#validity = validity;
    this.#poll = Math.max(1, poll);
    this.#requestTimeout = requestTimeout;
    if (!redis.mailwrightTakeSlot) redis.defineCommand("mailwrightTakeSlot", { numberOfKeys: 1, lua: TAKE_SLOT });
  }

  /** How long each slot is kept in Redis (ms): the core's `rate(quota).sharedWindow`. */
  get window() {
    return this.#window;
  }

  /** The Mailer's question: 0 (a slot is yours, used now) or the ms to wait; throws when Redis cannot be asked. */
  acquire() {
    const now = performance.now();
    if (this.#slotUntil !== null) {
      const until = this.#slotUntil;
      this.#slotUntil = null;
      if (now < until) return 0;
      this.discarded++;
    }
    if (this.#error) {
      const error = this.#error;
      this.#error = null;
      throw error;
    }
    if (this.#inflightSince !== null) {
      if (now - this.#inflightSince > this.#requestTimeout) {
        throw new Error(`Redis did not answer within ${this.#requestTimeout} ms`);
      }
      return this.#poll;
    }
    if (now < this.#notBefore) return Math.ceil(this.#notBefore - now);
    this.#request(now);
    return this.#poll;
  }

  #request(sent) {
    this.#inflightSince = sent;
    const member = `${this.#prefix}:${++this.#taken}`;
    this.#redis.mailwrightTakeSlot(this.#key, this.#messages, this.#window, member).then(
      (wait) => {
        if (this.#inflightSince !== sent) return;
        this.#inflightSince = null;
        wait = Number(wait);
        if (wait === 0) {
          // Valid from the moment the request left: see the bound above.
          if (performance.now() < sent + this.#validity) this.#slotUntil = sent + this.#validity;
          else this.discarded++;
        } else {
          this.#notBefore = performance.now() + wait;
        }
      },
      (err) => {
        if (this.#inflightSince !== sent) return;
        this.#inflightSince = null;
        this.#error = new Error(`Redis: ${err.message}`);
      },
    );
  }

  /** Forgets every slot of this key (for tests and resets). */
  clear() {
    return this.#redis.del(this.#key);
  }
}
