//! Availability over the evaluation period, from the history the evaluations
//! record: each evaluation keeps every tenant's availability at its moment
//! (the `availability` figure, ready replicas ÷ desired replicas), and the
//! earlier evaluations given with `--snapshot` are that history. Between two
//! evaluations the earlier one's value is taken to hold (a step function),
//! and the spans are averaged by their length:
//!
//! ```text
//!   t0 ── a0 ── t1 ── a1 ── t2 ── (unknown) ── t3 ── a3 ── now
//!   over the period = (a0·(t1−t0) + a1·(t2−t1) + a3·(now−t3)) ÷ ((t1−t0) + (t2−t1) + (now−t3))
//! ```
//!
//! A span whose evaluation recorded no availability for the tenant (it was
//! missing then, or the tenant did not exist) counts on neither side: it is
//! unknown, not 0 and not 1. The operator emits no Event when an app's
//! readiness changes, so no finer history exists to read.

use k8s_openapi::jiff::Timestamp;

use crate::figures::id;
use crate::{Evaluation, Missing};

/// The availability of tenant `tenant` over the period from the oldest of
/// `earlier` to `now`, weighted by time.
pub(crate) fn over_period(earlier: &[Evaluation], tenant: &str, now: Timestamp) -> Result<f64, Missing> {
    let samples: Vec<(Timestamp, Option<f64>)> = earlier
        .iter()
        .filter_map(|e| {
            let at = e.generated_at.parse::<Timestamp>().ok()?;
            let value = e.tenants.iter().find(|t| t.name == tenant).and_then(|t| t.value(id::AVAILABILITY));
            Some((at, value))
        })
        .collect();
    time_weighted(&samples, now)
}

/// The time-weighted mean of `samples` (when, and the value then or None
/// when unknown), each value holding until the next sample and the last
/// until `now`; samples at or after `now` are ignored. No sample before
/// `now`: [`Missing::NoPeriod`]; no known value over a span of time:
/// [`Missing::NoHistory`].
pub fn time_weighted(samples: &[(Timestamp, Option<f64>)], now: Timestamp) -> Result<f64, Missing> {
    let mut s: Vec<(Timestamp, Option<f64>)> = samples.iter().copied().filter(|(at, _)| *at < now).collect();
    if s.is_empty() {
        return Err(Missing::NoPeriod);
    }
    s.sort_by_key(|(at, _)| *at);
    let (mut weighted, mut known) = (0.0_f64, 0.0_f64);
    for (i, (at, value)) in s.iter().enumerate() {
        let until = s.get(i + 1).map_or(now, |(next, _)| *next);
        let seconds = until.duration_since(*at).as_secs_f64();
        if let Some(v) = value {
            weighted += v.clamp(0.0, 1.0) * seconds;
            known += seconds;
        }
    }
    if known > 0.0 { Ok(weighted / known) } else { Err(Missing::NoHistory) }
}

#[cfg(test)]
mod tests;
