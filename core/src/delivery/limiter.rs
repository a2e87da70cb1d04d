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

    /// Checks the numbers.
    pub fn validate(&self) -> Result<()> {
        if self.messages == 0 || self.burst == 0 || self.per.is_zero() {
            return Err(Error::new(
                ErrorKind::InvalidOption,
                "a rate needs messages, burst and a window above zero",
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
}

/// The built-in limiter: an exact sliding window (never more than
/// `messages` in any window of `per`), a token bucket of `burst` spreading
/// the pace evenly, and after a `536` a pause of one window and a pace 20%
/// lower, recovering 5% per window without a `536`.
#[derive(Debug)]
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
        }
    }

    fn per_second(&self, rate: &Rate) -> f64 {
        f64::from(rate.messages) / rate.per.as_secs_f64() * self.factor
    }

    fn recover(&mut self, now: Duration, rate: &Rate) {
        if let Some(at) = self.last_limited
            && now >= at + rate.per
        {
            let windows = ((now - at).as_secs_f64() / rate.per.as_secs_f64()).floor();
            self.factor = (self.factor * 1.05f64.powf(windows)).min(1.0);
            self.last_limited = if self.factor >= 1.0 {
                None
            } else {
                Some(at + rate.per.mul_f64(windows))
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
            return Ok(());
        };
        self.recover(now, &rate);
        // The sliding window: the oldest of the last `messages` slots must
        // have left the window.
        while self.sent.front().is_some_and(|&t| t + rate.per <= now) {
            self.sent.pop_front();
        }
        let allowed = ((f64::from(rate.messages) * self.factor).floor() as usize).max(1);
        if self.sent.len() >= allowed {
            let oldest = self.sent[self.sent.len() - allowed];
            return Err(oldest + rate.per);
        }
        // The bucket: spread the pace.
        let per_second = self.per_second(&rate);
        let elapsed = now.saturating_sub(self.refilled_at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * per_second).min(f64::from(rate.burst));
        self.refilled_at = now;
        if self.tokens < 1.0 {
            let wait = (1.0 - self.tokens) / per_second;
            return Err(now + Duration::from_secs_f64(wait.max(1e-6)));
        }
        self.tokens -= 1.0;
        self.sent.push_back(now);
        Ok(())
    }

    fn rate_limited(&mut self, now: Duration) -> Duration {
        self.paused_until = self.paused_until.max(now + self.pause);
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
}
