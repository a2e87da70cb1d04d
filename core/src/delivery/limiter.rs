//! The throttle shared by every connection of a dispatcher.

use crate::error::{Error, ErrorKind, Result};
use std::collections::VecDeque;
use std::time::Duration;

/// A relay's quota: at most `messages` per `per` (in every window of that
/// length, not only in aligned ones), at most `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Messages allowed in any window of length `per`.
    pub messages: u32,
    /// The window.
    pub per: Duration,
    /// Messages that may go back to back before the pace is spread evenly.
    pub burst: u32,
}

impl Rate {
    /// SendCloud's quota: 20,000 calls a minute per api_user, `536
    /// Frequency limited` beyond it.
    pub const fn sendcloud() -> Rate {
        Rate {
            messages: 20_000,
            per: Duration::from_secs(60),
            burst: 500,
        }
    }

    /// `messages` per `per`, with a burst of one second's worth (at least
    /// one); checked.
    pub fn new(messages: u32, per: Duration) -> Result<Rate> {
        let per_second = f64::from(messages) / per.as_secs_f64().max(1e-9);
        let rate = Rate {
            messages,
            per,
            burst: (per_second.ceil() as u32).clamp(1, messages.max(1)),
        };
        rate.validate()?;
        Ok(rate)
    }

    /// A named preset: `sendcloud` (see [`Rate::sendcloud`]).
    pub fn from_name(name: &str) -> Result<Rate> {
        match name {
            "sendcloud" => Ok(Rate::sendcloud()),
            other => Err(Error::new(
                ErrorKind::InvalidOption,
                format!(
                    "unknown rate preset {}: use sendcloud, or a number per window",
                    crate::error::quote(other)
                ),
            )),
        }
    }

    /// How long a slot is held: the relay's window plus a margin of a
    /// twentieth of it, at most [`QUOTA_MARGIN`] (1 s of SendCloud's minute,
    /// 0.5 s of a 10 s window). The built-in limiter keeps its window this
    /// long, and a quota shared across processes (a [`QuotaGate`]'s store)
    /// must keep each slot at least this long (rounding up is safe).
    pub fn held(&self) -> Duration {
        self.per.saturating_add((self.per / 20).min(QUOTA_MARGIN))
    }

    /// The window a quota shared across processes must keep each slot for:
    /// [`Rate::held`].
    pub fn shared_window(&self) -> Duration {
        self.held()
    }

    /// Checks the numbers.
    pub fn validate(&self) -> Result<()> {
        if self.messages == 0 || self.burst == 0 || self.per.is_zero() {
            return Err(Error::new(
                ErrorKind::InvalidOption,
                "a rate needs messages, burst and a window above zero",
            ));
        }
        if self.per > MAX_RATE_WINDOW {
            return Err(Error::new(
                ErrorKind::InvalidOption,
                format!(
                    "a rate's window is at most 31 days; {} was given",
                    crate::decimal::duration(self.per)
                ),
            ));
        }
        Ok(())
    }
}

/// Decides when the next message may go. One limiter serves every
/// connection of a dispatcher; implement it to share a quota across
/// processes (e.g. on Redis). Times are the dispatcher's clock.
pub trait Limiter: Send {
    /// Takes one slot at `now`, or says when to ask again.
    fn try_acquire(&mut self, now: Duration) -> std::result::Result<(), Duration>;
    /// The relay answered `536`: nothing may go before the returned time,
    /// and the pace after it should be lower.
    fn rate_limited(&mut self, now: Duration) -> Duration;
    /// Messages per second allowed now (for the counters), if limited.
    fn current_rate(&self) -> Option<f64>;
    /// Why a shared quota could not be asked, while it cannot (for the
    /// counters and the failure of a message that waited for it).
    fn gate_error(&self) -> Option<&str> {
        None
    }
}

/// What a quota shared across processes answers (see [`QuotaGate`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GateAnswer {
    /// A slot of the shared window was taken: the message may go.
    Go,
    /// The shared window is full: ask again after this long.
    Wait(Duration),
    /// The shared store could not be asked (e.g. Redis is down): nothing
    /// goes, and the limiter asks again after [`GATE_RETRY`].
    Unavailable(String),
}

/// The most by which a slot is held longer than the relay's window (see
/// [`Rate::held`]), by the
/// built-in limiter and by a window shared across processes: a slot is
/// counted when it is taken, and the MAIL reaches the relay a varying few
/// milliseconds later, so a window of exactly the relay's length lets a MAIL
/// in just before the relay forgets the one it replaces (seen as 1 to 3
/// `536` in 700 messages from two processes at 50 ms, and once in 6,000
/// from one process with 24 connections; none with this margin). It costs
/// 1/60 of SendCloud's minute.
pub const QUOTA_MARGIN: Duration = Duration::from_secs(1);

/// The longest window a [`Rate`] may have (a relay's daily quota fits).
pub const MAX_RATE_WINDOW: Duration = Duration::from_secs(31 * 24 * 3600);

/// How long the limiter waits before asking an unavailable gate again.
pub const GATE_RETRY: Duration = Duration::from_secs(1);

/// The shared part of a quota that several processes send under (one
/// api_user, many workers): a window kept in a store they all see, such as
/// a moving window on Redis. The gate only answers whether the shared
/// window has room now; the [`WindowLimiter`] it is given to keeps this
/// process's pacing and the pause after a `536`, so a gate never needs to
/// know SMTP. It is asked only when this process could send at once, and a
/// slot it grants is always used.
pub trait QuotaGate: Send {
    /// Takes one slot of the shared window now, or says why not.
    fn acquire(&mut self) -> GateAnswer;
}

/// The built-in limiter: an exact sliding window (never more than
/// `messages` in any window of `per`), a token bucket of `burst` spreading
/// the pace evenly, and after a `536` a pause of one window and a pace 20%
/// lower, recovering 5% per window without a `536`. With a [`QuotaGate`]
/// the shared window is asked last, before a slot is taken.
pub struct WindowLimiter {
    rate: Option<Rate>,
    /// When each of the last `messages` slots was taken.
    sent: VecDeque<Duration>,
    tokens: f64,
    refilled_at: Duration,
    paused_until: Duration,
    pause: Duration,
    factor: f64,
    last_limited: Option<Duration>,
    gate: Option<Box<dyn QuotaGate>>,
    /// What the gate said when it was last unavailable (cleared by a `Go`).
    gate_error: Option<String>,
    /// The gate is not asked again before this (its last `Wait`, or
    /// `GATE_RETRY` after it was unavailable).
    gate_not_before: Duration,
}

impl std::fmt::Debug for WindowLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WindowLimiter")
            .field("rate", &self.rate)
            .field("in_window", &self.sent.len())
            .field("paused_until", &self.paused_until)
            .field("factor", &self.factor)
            .field("gate", &self.gate.is_some())
            .field("gate_error", &self.gate_error)
            .finish()
    }
}

impl WindowLimiter {
    /// A limiter for `rate` (`None`: no limit but the pause after a `536`,
    /// which lasts `pause`).
    pub fn new(rate: Option<Rate>, pause: Duration) -> WindowLimiter {
        WindowLimiter {
            rate,
            sent: VecDeque::new(),
            tokens: rate.map_or(0.0, |r| f64::from(r.burst)),
            refilled_at: Duration::ZERO,
            paused_until: Duration::ZERO,
            pause: rate.map_or(pause, |r| r.per),
            factor: 1.0,
            last_limited: None,
            gate: None,
            gate_error: None,
            gate_not_before: Duration::ZERO,
        }
    }

    /// The same limiter, also asking `gate` (a quota shared with other
    /// processes) before each slot.
    pub fn with_gate(mut self, gate: Box<dyn QuotaGate>) -> WindowLimiter {
        self.gate = Some(gate);
        self
    }

    /// Why the gate could not be asked the last time, until it answers again.
    pub fn gate_error(&self) -> Option<&str> {
        self.gate_error.as_deref()
    }

    /// Asks the gate, if any; `Err` says when to ask again.
    fn ask_gate(&mut self, now: Duration) -> std::result::Result<(), Duration> {
        let Some(gate) = self.gate.as_mut() else {
            return Ok(());
        };
        if now < self.gate_not_before {
            return Err(self.gate_not_before);
        }
        let wait = match gate.acquire() {
            GateAnswer::Go => {
                self.gate_error = None;
                return Ok(());
            }
            GateAnswer::Wait(wait) => wait.max(Duration::from_millis(1)),
            GateAnswer::Unavailable(why) => {
                self.gate_error = Some(why);
                GATE_RETRY
            }
        };
        self.gate_not_before = now.saturating_add(wait);
        Err(self.gate_not_before)
    }

    fn per_second(&self, rate: &Rate) -> f64 {
        f64::from(rate.messages) / rate.per.as_secs_f64() * self.factor
    }

    fn recover(&mut self, now: Duration, rate: &Rate) {
        if let Some(at) = self.last_limited
            && now >= at.saturating_add(rate.per)
        {
            let windows = ((now - at).as_secs_f64() / rate.per.as_secs_f64()).floor();
            self.factor = (self.factor * 1.05f64.powf(windows)).min(1.0);
            self.last_limited = if self.factor >= 1.0 {
                None
            } else {
                Some(
                    at.saturating_add(
                        Duration::try_from_secs_f64(rate.per.as_secs_f64() * windows)
                            .unwrap_or(Duration::MAX),
                    ),
                )
            };
        }
    }
}

impl Limiter for WindowLimiter {
    fn try_acquire(&mut self, now: Duration) -> std::result::Result<(), Duration> {
        if now < self.paused_until {
            return Err(self.paused_until);
        }
        let Some(rate) = self.rate else {
            return self.ask_gate(now);
        };
        self.recover(now, &rate);
        // The sliding window: the oldest of the last `messages` slots must
        // have left the window, held QUOTA_MARGIN longer than the relay's
        // (the MAIL reaches the relay a varying moment after the slot is
        // taken).
        let held = rate.held();
        while self
            .sent
            .front()
            .is_some_and(|&t| t.saturating_add(held) <= now)
        {
            self.sent.pop_front();
        }
        let allowed = ((f64::from(rate.messages) * self.factor).floor() as usize).max(1);
        if self.sent.len() >= allowed {
            let oldest = self.sent[self.sent.len() - allowed];
            return Err(oldest.saturating_add(held));
        }
        // The bucket: spread the pace.
        let per_second = self.per_second(&rate);
        let elapsed = now.saturating_sub(self.refilled_at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * per_second).min(f64::from(rate.burst));
        self.refilled_at = now;
        if self.tokens < 1.0 {
            let wait = (1.0 - self.tokens) / per_second;
            return Err(now.saturating_add(
                Duration::try_from_secs_f64(wait.max(1e-6)).unwrap_or(Duration::MAX),
            ));
        }
        self.ask_gate(now)?;
        self.tokens -= 1.0;
        self.sent.push_back(now);
        Ok(())
    }

    fn rate_limited(&mut self, now: Duration) -> Duration {
        self.paused_until = self.paused_until.max(now.saturating_add(self.pause));
        if self.rate.is_some() {
            self.factor = (self.factor * 0.8).max(0.25);
            self.last_limited = Some(self.paused_until);
            self.tokens = 0.0;
            self.refilled_at = self.paused_until;
        }
        self.paused_until
    }

    fn current_rate(&self) -> Option<f64> {
        self.rate.as_ref().map(|r| self.per_second(r))
    }

    fn gate_error(&self) -> Option<&str> {
        self.gate_error.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn never_more_than_the_quota_in_any_window() {
        let rate = Rate {
            messages: 10,
            per: ms(1000),
            burst: 4,
        };
        let mut limiter = WindowLimiter::new(Some(rate), ms(0));
        let mut taken = Vec::new();
        let mut now = ms(0);
        while now < ms(5000) {
            match limiter.try_acquire(now) {
                Ok(()) => taken.push(now),
                Err(at) => {
                    assert!(at > now);
                    now = at;
                    continue;
                }
            }
        }
        for (i, &t) in taken.iter().enumerate() {
            let in_window = taken[i..].iter().take_while(|&&u| u < t + rate.per).count();
            assert!(in_window <= 10, "{in_window} at {t:?}");
        }
        // The pace is the quota's: about 10 a second after the burst.
        assert!((45..=55).contains(&taken.len()), "{}", taken.len());
        // The first four go at once (the burst), then evenly.
        assert_eq!(&taken[..4], &[ms(0); 4]);
    }

    #[test]
    fn presets_and_defaults() {
        assert_eq!(Rate::from_name("sendcloud").unwrap(), Rate::sendcloud());
        assert_eq!(
            Rate::from_name("fast").unwrap_err().kind(),
            ErrorKind::InvalidOption
        );
        let r = Rate::new(20_000, ms(60_000)).unwrap();
        assert_eq!((r.messages, r.burst), (20_000, 334));
        assert_eq!(Rate::new(5, ms(60_000)).unwrap().burst, 1);
        assert!(Rate::new(0, ms(1000)).is_err());
        // Slots are held a twentieth longer than the window, at most 1 s.
        assert_eq!(Rate::sendcloud().held(), ms(61_000));
        assert_eq!(
            Rate::new(2000, ms(10_000)).unwrap().shared_window(),
            ms(10_500)
        );
        assert_eq!(Rate::new(10, ms(1000)).unwrap().held(), ms(1050));
    }

    #[test]
    fn a_536_pauses_then_slows() {
        let rate = Rate {
            messages: 100,
            per: ms(1000),
            burst: 1,
        };
        let mut limiter = WindowLimiter::new(Some(rate), ms(0));
        assert!(limiter.try_acquire(ms(0)).is_ok());
        let until = limiter.rate_limited(ms(10));
        assert_eq!(until, ms(1010));
        assert_eq!(limiter.try_acquire(ms(500)), Err(ms(1010)));
        assert!(limiter.current_rate().unwrap() < 100.0);
        // Without a rate, a 536 still pauses.
        let mut free = WindowLimiter::new(None, ms(60_000));
        assert!(free.try_acquire(ms(0)).is_ok());
        free.rate_limited(ms(5));
        assert_eq!(free.try_acquire(ms(6)), Err(ms(60_005)));
        assert!(free.try_acquire(ms(60_005)).is_ok());
    }

    /// A shared window seen by several limiters (as Redis is by several
    /// processes): at most `limit` grants in any window of `per`.
    struct SharedWindow {
        clock: std::sync::Arc<std::sync::Mutex<(Duration, Vec<Duration>, u32)>>,
        limit: usize,
        per: Duration,
    }

    impl QuotaGate for SharedWindow {
        fn acquire(&mut self) -> GateAnswer {
            let mut state = self.clock.lock().unwrap();
            let (now, grants, granted) = &mut *state;
            grants.retain(|&t| t.saturating_add(self.per) > *now);
            if grants.len() >= self.limit {
                return GateAnswer::Wait(grants[0].saturating_add(self.per).saturating_sub(*now));
            }
            grants.push(*now);
            *granted += 1;
            GateAnswer::Go
        }
    }

    #[test]
    fn a_gate_bounds_several_limiters_together() {
        let rate = Rate {
            messages: 10,
            per: ms(1000),
            burst: 10,
        };
        let state = std::sync::Arc::new(std::sync::Mutex::new((ms(0), Vec::new(), 0)));
        let gate = || {
            Box::new(SharedWindow {
                clock: state.clone(),
                limit: 10,
                per: ms(1000),
            })
        };
        // Two processes, each allowed the whole quota locally, one window.
        let mut a = WindowLimiter::new(Some(rate), ms(0)).with_gate(gate());
        let mut b = WindowLimiter::new(Some(rate), ms(0)).with_gate(gate());
        let mut taken = Vec::new();
        let mut next = [ms(0), ms(0)];
        loop {
            let i = usize::from(next[1] < next[0]);
            let now = next[i];
            if now >= ms(5000) {
                break;
            }
            state.lock().unwrap().0 = now;
            let limiter = if i == 0 { &mut a } else { &mut b };
            match limiter.try_acquire(now) {
                Ok(()) => taken.push(now),
                Err(at) => {
                    assert!(at > now);
                    next[i] = at;
                }
            }
        }
        for (i, &t) in taken.iter().enumerate() {
            let in_window = taken[i..].iter().take_while(|&&u| u < t + rate.per).count();
            assert!(in_window <= 10, "{in_window} at {t:?}");
        }
        // Together they keep the one quota's pace (not twice it), and every
        // grant of the gate was used.
        assert!((45..=55).contains(&taken.len()), "{}", taken.len());
        assert_eq!(state.lock().unwrap().2 as usize, taken.len());
    }

    struct Scripted(
        Vec<GateAnswer>,
        std::sync::Arc<std::sync::atomic::AtomicU32>,
    );

    impl QuotaGate for Scripted {
        fn acquire(&mut self) -> GateAnswer {
            self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.0.remove(0)
        }
    }

    #[test]
    fn the_gate_is_asked_last_and_an_unavailable_one_holds_everything() {
        let asked = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let answers = vec![
            GateAnswer::Go,
            GateAnswer::Wait(ms(300)),
            GateAnswer::Unavailable("connection refused".into()),
            GateAnswer::Go,
        ];
        let rate = Rate {
            messages: 2,
            per: ms(1000),
            burst: 2,
        };
        let mut l = WindowLimiter::new(Some(rate), ms(0))
            .with_gate(Box::new(Scripted(answers, asked.clone())));
        let count = || asked.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(l.try_acquire(ms(0)), Ok(()));
        // Refused by the gate: no local slot taken, asked again later.
        assert_eq!(l.try_acquire(ms(10)), Err(ms(310)));
        assert_eq!(count(), 2);
        // Its wait is kept: not asked again before it ends.
        assert_eq!(l.try_acquire(ms(100)), Err(ms(310)));
        assert_eq!(count(), 2);
        assert_eq!(l.try_acquire(ms(310)), Err(ms(310) + GATE_RETRY));
        assert_eq!(l.gate_error(), Some("connection refused"));
        assert!(format!("{l:?}").contains("connection refused"));
        assert_eq!(l.try_acquire(ms(1310)), Ok(()));
        assert_eq!(l.gate_error(), None);
        assert_eq!(count(), 4);
        l.rate_limited(ms(1400));
        assert!(l.try_acquire(ms(1500)).is_err());
        assert_eq!(count(), 4, "a paused limiter does not ask the gate");
    }
}
