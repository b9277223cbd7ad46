//! The latest plan of the model, shared by the reconciles that need a
//! model at least as new as the version it holds, and let go once idle: at
//! rest the plan is the model's copy (at a province's size, about 23 MiB of
//! heap), made again at the next change or resync.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a plan is kept after it was last served, while no reconcile holds it.
pub const PLAN_KEPT: Duration = Duration::from_secs(60);

/// The latest plan (any `T`: the operator's [`super::Plan`]), with the model
/// version it holds at least and when it was last made or served.
pub struct PlanCache<T>(Mutex<Option<Latest<T>>>);

struct Latest<T> {
    version: u64,
    plan: Arc<T>,
    used: Instant,
}

impl<T> Default for PlanCache<T> {
    fn default() -> Self {
        PlanCache(Mutex::new(None))
    }
}

impl<T> PlanCache<T> {
    /// The latest plan if it holds at least model version `need`.
    pub fn fresh(&self, need: u64) -> Option<Arc<T>> {
        self.fresh_at(need, Instant::now())
    }

    /// [`Self::fresh`], served at `now`: a plan in use is kept, however
    /// long ago it was made (at rest the reconciles that come one by one
    /// keep serving it rather than planning again).
    fn fresh_at(&self, need: u64, now: Instant) -> Option<Arc<T>> {
        let mut latest = self.0.lock().ok()?;
        let l = latest.as_mut().filter(|l| l.version >= need)?;
        l.used = l.used.max(now);
        Some(l.plan.clone())
    }

    /// Keeps `plan`, made now of model version `version`, unless a plan of
    /// a newer version is kept already.
    pub fn put(&self, version: u64, plan: Arc<T>) {
        if let Ok(mut latest) = self.0.lock()
            && latest.as_ref().is_none_or(|l| l.version <= version)
        {
            *latest = Some(Latest { version, plan, used: Instant::now() });
        }
    }

    /// The latest plan, however old.
    pub fn latest(&self) -> Option<Arc<T>> {
        self.0.lock().ok()?.as_ref().map(|l| l.plan.clone())
    }

    /// Lets go of the latest plan if it was last made or served at least
    /// `kept` before `now` and no reconcile holds it; returns it (to read what the gauges
    /// need before it is dropped).
    pub fn take_idle(&self, kept: Duration, now: Instant) -> Option<Arc<T>> {
        let mut latest = self.0.lock().ok()?;
        let idle = latest
            .as_ref()
            .is_some_and(|l| now.saturating_duration_since(l.used) >= kept && Arc::strong_count(&l.plan) == 1);
        if idle { latest.take().map(|l| l.plan) } else { None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_serves_what_it_holds_and_goes_once_idle_and_unheld() {
        let cache = PlanCache::<String>::default();
        assert!(cache.fresh(0).is_none() && cache.latest().is_none());
        cache.put(5, Arc::new("v5".into()));
        assert_eq!(cache.fresh(5).as_deref().map(String::as_str), Some("v5"));
        assert!(cache.fresh(6).is_none(), "a reconcile that needs version 6 plans again");
        // An older plan finished later does not replace a newer one.
        cache.put(4, Arc::new("v4".into()));
        assert_eq!(cache.latest().as_deref().map(String::as_str), Some("v5"));

        let now = Instant::now();
        assert!(cache.take_idle(PLAN_KEPT, now).is_none(), "just made: kept");
        let later = now + PLAN_KEPT + Duration::from_secs(1);
        let held = cache.fresh(5);
        assert!(cache.take_idle(PLAN_KEPT, later).is_none(), "held by a reconcile: kept");
        drop(held);
        let taken = cache.take_idle(PLAN_KEPT, later);
        assert_eq!(taken.as_deref().map(String::as_str), Some("v5"), "idle and unheld: let go");
        assert!(cache.latest().is_none() && cache.fresh(0).is_none(), "the next reconcile plans again");

        // Kept from when it was last served, not from when it was made.
        cache.put(7, Arc::new("v7".into()));
        let made = Instant::now();
        let served = made + PLAN_KEPT - Duration::from_secs(10);
        assert!(cache.fresh_at(7, served).is_some());
        assert!(
            cache.take_idle(PLAN_KEPT, made + PLAN_KEPT + Duration::from_secs(1)).is_none(),
            "served 11 s ago: kept"
        );
        // A reconcile that needs a newer version does not count as a use.
        assert!(cache.fresh_at(8, served + PLAN_KEPT).is_none());
        let taken = cache.take_idle(PLAN_KEPT, served + PLAN_KEPT);
        assert_eq!(taken.as_deref().map(String::as_str), Some("v7"), "unserved for PLAN_KEPT: let go");
        cache.put(1, Arc::new("v1".into()));
        assert_eq!(cache.fresh(1).as_deref().map(String::as_str), Some("v1"), "after letting go, any version is kept");
    }
}
