//! Leader election on a `coordination.k8s.io/v1` Lease (with the
//! `kube-lease-manager` crate): every replica keeps its caches warm, only the
//! holder of the lease reconciles and writes.
//!
//! The holder renews the lease `grace` seconds before it expires, through a
//! client whose requests time out well inside that margin: a renewal that
//! fails or hangs makes the replica step down before another can take the
//! lease (`duration` after the last renewal), so two replicas never write at
//! once while their clocks agree within the margin. On shutdown the lease is
//! released, so the other replica takes over at once instead of after
//! `duration`.

use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::coordination::v1::Lease;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, watcher};
use kube::{Api, Client};
use kube_lease_manager::{LeaseManager, LeaseManagerBuilder};
use tokio::sync::watch;
use tracing::{info, warn};

use govcloud_core::meta::labels::MANAGER;

/// Settings the election cannot run with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElectionError {
    /// The lease would pass on before its holder renews it.
    #[error(
        "leader election: the lease duration ({duration} s) must be longer than the renewal grace ({grace} s), and the grace at least 1 s"
    )]
    Timings {
        /// Seconds a lease lasts.
        duration: u64,
        /// Seconds before expiry when the holder renews.
        grace: u64,
    },
    /// A name the Lease needs is empty.
    #[error("leader election: namespace, lease name and identity must not be empty")]
    Unnamed,
}

/// How a replica takes part in the election.
#[derive(Clone, Debug)]
pub struct LeaderElection {
    /// Namespace of the Lease (the operator's own).
    pub namespace: String,
    /// Name of the Lease.
    pub lease: String,
    /// This replica's identity (its pod name, made unique per process).
    pub identity: String,
    /// Seconds a lease lasts without renewal.
    pub duration: u64,
    /// Seconds before expiry when the holder renews; also the margin within
    /// which a failed renewal is noticed, and the clock skew tolerated.
    pub grace: u64,
}

impl LeaderElection {
    /// The defaults: the Lease `govcloud-leader` in `namespace`, 15 s lasting,
    /// renewed 5 s before expiry, identity from `POD_NAME` (or the host name)
    /// and the process id.
    pub fn new(namespace: &str) -> Self {
        let host = std::env::var("POD_NAME")
            .ok()
            .filter(|s| !s.is_empty())
            .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok().map(|s| s.trim().to_string()))
            .unwrap_or_else(|| "govcloud".into());
        LeaderElection {
            namespace: namespace.to_string(),
            lease: govcloud_core::meta::names::LEADER_LEASE.into(),
            identity: format!("{host}_{}", std::process::id()),
            duration: 15,
            grace: 5,
        }
    }

    /// Checks the timings (the crate panics on bad ones) and the names.
    pub fn check(&self) -> Result<(), ElectionError> {
        if self.grace == 0 || self.duration <= self.grace {
            return Err(ElectionError::Timings { duration: self.duration, grace: self.grace });
        }
        if self.namespace.is_empty() || self.lease.is_empty() || self.identity.is_empty() {
            return Err(ElectionError::Unnamed);
        }
        Ok(())
    }

    /// How long one request of the election may take: a third of the grace,
    /// so a renewal that cannot complete is given up while the lease still holds.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.grace * 1000 / 3).max(Duration::from_millis(500))
    }
}

/// Runs the election until `stop` turns true, publishing on `leading`
/// whether this replica holds the lease. On stop the lease is released (when
/// held) and `leading` turns false. `client` should time out its requests
/// within [`LeaderElection::request_timeout`]; `watch_client` (without short
/// timeouts) watches the Lease, so that a release is taken up at once and a
/// lease taken by another identity stops this replica at once, rather than at
/// the next renewal.
pub async fn elect(
    client: Client,
    watch_client: Client,
    cfg: LeaderElection,
    leading: watch::Sender<bool>,
    mut stop: watch::Receiver<bool>,
) {
    let api: Api<Lease> = Api::namespaced(watch_client, &cfg.namespace);
    let mut lease = watcher(api, crate::watch::config().fields(&format!("metadata.name={}", cfg.lease)))
        .backoff(super::watch::backoff())
        .applied_objects()
        .boxed();
    let mut backoff = retry_delays();
    loop {
        if *stop.borrow() {
            break;
        }
        let built = LeaseManagerBuilder::new(client.clone(), &cfg.lease)
            .with_namespace(&cfg.namespace)
            .with_identity(&cfg.identity)
            .with_duration(cfg.duration)
            .with_grace(cfg.grace)
            .with_field_manager(format!("{MANAGER}-leader"))
            .build()
            .await;
        let manager = match built {
            Ok(m) => m,
            Err(e) => {
                warn!(error = %e, lease = %cfg.lease, namespace = %cfg.namespace, "leader election: cannot use the lease; trying again");
                if sleep_or_stop(backoff.next().unwrap_or(Duration::from_secs(16)), &mut stop).await {
                    break;
                }
                continue;
            }
        };
        match hold(&manager, &cfg, &leading, &mut stop, &mut lease).await {
            Held::Stopped => {
                // Give the lease back so the other replica need not wait for it to expire.
                leading.send_replace(false);
                match tokio::time::timeout(Duration::from_secs(5), manager.release()).await {
                    Ok(Ok(())) => info!(identity = %cfg.identity, "leader election: lease released"),
                    Ok(Err(e)) => warn!(error = %e, "leader election: cannot release the lease; it expires by itself"),
                    Err(_) => warn!("leader election: releasing the lease timed out; it expires by itself"),
                }
                return;
            }
            // A fresh manager reads the lease now (the old one sleeps until the expiry it knew).
            Held::Changed => backoff = retry_delays(),
            Held::Failed => {
                if sleep_or_stop(backoff.next().unwrap_or(Duration::from_secs(16)), &mut stop).await {
                    break;
                }
            }
        }
    }
    leading.send_replace(false);
}

/// The waits between attempts after failures in a row: 1 s, 2 s, 4 s, ...
/// up to 16 s (started afresh after a change of the lease).
fn retry_delays() -> impl Iterator<Item = Duration> {
    backon::BackoffBuilder::build(
        backon::ExponentialBuilder::new()
            .with_min_delay(Duration::from_secs(1))
            .with_max_delay(Duration::from_secs(16))
            .with_factor(2.0)
            .without_max_times(),
    )
}

/// Why one lease manager was given up.
enum Held {
    /// Shutdown.
    Stopped,
    /// The manager failed (a renewal or a read).
    Failed,
    /// The Lease changed in a way the manager would only see later: released
    /// while this replica follows, or held by another while it leads.
    Changed,
}

/// Follows one lease manager until it fails, the Lease changes under it, or stop.
async fn hold(
    manager: &LeaseManager,
    cfg: &LeaderElection,
    leading: &watch::Sender<bool>,
    stop: &mut watch::Receiver<bool>,
    lease: &mut (impl futures::Stream<Item = Result<Lease, watcher::Error>> + Unpin),
) -> Held {
    loop {
        tokio::select! {
            changed = manager.changed() => match changed {
                Ok(now) => {
                    if now {
                        info!(identity = %cfg.identity, lease = %cfg.lease, "leader election: this replica leads");
                    } else {
                        info!(identity = %cfg.identity, lease = %cfg.lease, "leader election: this replica follows");
                    }
                    leading.send_replace(now);
                }
                Err(e) => {
                    // A renewal that failed: the lease may pass to another
                    // replica before this one can renew, so stop writing now,
                    // and start over with a fresh manager (it reports the
                    // lease as held again if it still is).
                    if *leading.borrow() {
                        warn!(error = %e, "leader election: cannot renew the lease; stepping down");
                    } else {
                        warn!(error = %e, "leader election: cannot read the lease");
                    }
                    leading.send_replace(false);
                    return Held::Failed;
                }
            },
            Some(Ok(l)) = lease.next() => {
                let holder = l.spec.as_ref().and_then(|s| s.holder_identity.clone()).filter(|h| !h.is_empty());
                let mine = holder.as_deref() == Some(cfg.identity.as_str());
                if *leading.borrow() && !mine {
                    warn!(holder = holder.as_deref().unwrap_or(""), "leader election: the lease is held by another; stepping down");
                    leading.send_replace(false);
                    return Held::Changed;
                }
                if !*leading.borrow() && holder.is_none() {
                    info!("leader election: the lease was released; trying to take it");
                    return Held::Changed;
                }
            }
            _ = stop.wait_for(|s| *s) => return Held::Stopped,
        }
    }
}

/// Sleeps `d`, or less if `stop` turns true (then true).
async fn sleep_or_stop(d: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    let slept = tokio::select! {
        _ = tokio::time::sleep(d) => true,
        _ = stop.wait_for(|s| *s) => false,
    };
    !slept || *stop.borrow()
}

#[cfg(test)]
mod tests;
