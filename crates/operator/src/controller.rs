//! The one reconcile skeleton of the three controllers: timing, the
//! finalizer (when the kind has one), waits turned into requeues, and the
//! error policy. Each controller ([`super::zone`], [`super::tenant`],
//! [`super::app`]) only says what differs: its kind, its finalizer, how it
//! applies and how it cleans up.
//!
//! ```text
//!   reconcile::<K> ──► finalizer? ──► K::apply | K::cleanup ──► Ok(action)
//!                                                      ├──► Wait  ──► Ok(requeue)   (not an error)
//!                                                      └──► Error ──► error_policy::<K> (counted, backed off)
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::BoxStream;
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{self, Event as Finalizer};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::{Resource, ResourceExt};
use tracing::{debug, instrument, warn};

use super::status::{ApiScope, api_for};
use super::triggers::Triggers;
use super::{Context, Error, Halt, Result, Step};

/// A govcloud kind with a controller.
pub trait Reconciled:
    Resource<DynamicType = (), Scope: ApiScope>
    + Clone
    + std::fmt::Debug
    + serde::Serialize
    + serde::de::DeserializeOwned
    + Send
    + Sync
    + 'static
{
    /// The kind, as metrics, retries and logs name it.
    const KIND: &'static str;
    /// The finalizer that holds the object's deletion until
    /// [`Reconciled::cleanup`] succeeds; `None`: owner references let the
    /// garbage collector remove what the object owns, nothing to clean up.
    const FINALIZER: Option<&'static str>;
    /// How soon to look again at an object that waits for something;
    /// `None`: the failure backoff ([`super::context::Retries`]).
    const WAIT: Option<Duration> = None;

    /// Brings what the object owns to what it declares, and its status.
    fn apply(obj: Arc<Self>, ctx: Arc<Context>) -> impl Future<Output = Step<Action>> + Send;

    /// Tears down what the object owns before it goes (with a finalizer only);
    /// a [`super::Wait`] keeps the finalizer, and the object, for now.
    fn cleanup(obj: Arc<Self>, ctx: Arc<Context>) -> impl Future<Output = Step<Action>> + Send {
        let _ = (obj, ctx);
        async { Ok(Action::await_change()) }
    }

    /// Refreshes the object's status from the caches; applies nothing.
    fn refresh_status(obj: Arc<Self>, ctx: Arc<Context>) -> impl Future<Output = Result<()>> + Send;

    // === wiring: the kind's cache and triggers ===

    /// The cache of the kind's objects.
    fn store(ctx: &Context) -> &Store<Self>;
    /// Tells the triggers that `obj`, as watched, changed the model
    /// (`deleted`: it is gone), so whoever reads it looks again.
    fn model_changed(triggers: &Triggers, obj: &Self, deleted: bool);
    /// A fingerprint of what the evaluation reads of `obj`'s status: when it
    /// changes, the reports (and the evaluation with them) run again.
    fn evaluated(obj: &Self) -> u64 {
        let _ = obj;
        0
    }
    /// Queues a reconcile of `obj`.
    fn queue(triggers: &Triggers, obj: &Self);
    /// The reconcile requests of the kind.
    fn requests(triggers: &Triggers) -> BoxStream<'static, ObjectRef<Self>>;
    /// The status refresh requests of the kind.
    fn status_requests(triggers: &Triggers) -> BoxStream<'static, ObjectRef<Self>>;
}

/// `namespace/name`, or `name` for a cluster-scoped object.
fn object_name<K: Resource>(obj: &K) -> String {
    match obj.namespace() {
        Some(ns) => format!("{ns}/{}", obj.name_any()),
        None => obj.name_any(),
    }
}

/// Reconciles one object of kind `K`.
#[instrument(skip_all, fields(kind = K::KIND, object = %object_name(obj.as_ref())))]
pub async fn reconcile<K: Reconciled>(obj: Arc<K>, ctx: Arc<Context>) -> Result<Action> {
    let _timer = ctx.metrics.reconcile(K::KIND);
    let step = match K::FINALIZER {
        Some(name) => {
            let api = api_for(ctx.client.clone(), obj.as_ref());
            let c = ctx.clone();
            finalizer::finalizer(&api, name, obj.clone(), |ev| async move {
                match ev {
                    Finalizer::Apply(o) => K::apply(o, c).await,
                    Finalizer::Cleanup(o) => K::cleanup(o, c).await,
                }
            })
            .await
            .or_else(|e| match e {
                // Gone once its finalizer was the last: nothing holds it any more.
                finalizer::Error::RemoveFinalizer(kube::Error::Api(s)) if s.code == 404 => Ok(Action::await_change()),
                e => Err(finalizer_halt(name, e)),
            })
        }
        // Owner references let the garbage collector remove what it owns.
        None if obj.meta().deletion_timestamp.is_some() => Ok(Action::await_change()),
        None => K::apply(obj.clone(), ctx.clone()).await,
    };
    match step {
        Ok(action) => Ok(action),
        Err(Halt::Wait(wait)) => {
            let delay = K::WAIT.unwrap_or_else(|| {
                ctx.retries.failed(K::KIND, &obj.namespace().unwrap_or_default(), &obj.name_any()).0
            });
            debug!(%wait, retry_in = ?delay, "waiting");
            Ok(Action::requeue(delay))
        }
        Err(Halt::Failed(e)) => Err(e),
    }
}

/// What a finalizer's error means: the reconcile's own outcome, or a typed
/// failure of the finalizer's patch.
fn finalizer_halt(finalizer: &'static str, e: finalizer::Error<Halt>) -> Halt {
    match e {
        finalizer::Error::ApplyFailed(h) | finalizer::Error::CleanupFailed(h) => h,
        finalizer::Error::AddFinalizer(source) => Error::AddFinalizer { finalizer, source }.into(),
        finalizer::Error::RemoveFinalizer(source) => Error::RemoveFinalizer { finalizer, source }.into(),
        finalizer::Error::UnnamedObject => Error::UnnamedObject { finalizer }.into(),
        finalizer::Error::InvalidFinalizer => Error::InvalidFinalizer { finalizer }.into(),
    }
}

/// Requeues a failure after the object's backoff ([`super::context::Retries`]); counts and logs it.
pub fn error_policy<K: Reconciled>(obj: Arc<K>, e: &Error, ctx: Arc<Context>) -> Action {
    ctx.metrics.failed(K::KIND, e.metric_label());
    let (delay, n) = ctx.retries.failed(K::KIND, &obj.namespace().unwrap_or_default(), &obj.name_any());
    let error = e.to_string();
    if let Some(left_out) = ctx.failure_log.admit(super::context::failure_shape(K::KIND, &e.without_object())) {
        warn!(error = %error, kind = K::KIND, object = %object_name(obj.as_ref()), failures = n, retry_in = ?delay, alike_not_logged = left_out, "reconcile failed");
    }
    Action::requeue(delay)
}

#[cfg(test)]
mod tests;
