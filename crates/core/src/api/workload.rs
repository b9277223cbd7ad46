//! How a `DepartmentApp` runs: as a Deployment (the default), as a
//! StatefulSet when it declares persistent storage, or as a CronJob when it
//! declares a schedule.
//!
//! Every rule the API server applies to the StatefulSet's claim templates
//! and to the CronJob govcloud renders from these fields is a CEL rule here
//! (sizes, names, the cron expression's shape), so a bad app is refused at
//! the CRD and by `govcloud render` offline, not after it was accepted.

use kube::KubeSchema;
use serde::{Deserialize, Serialize};

use super::container::{reserved_mount_message, reserved_mount_rule};
use crate::messages::{Code, Message};
use crate::msg;

/// How an app runs, from what it declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkloadKind {
    /// Stateless, long-running: a Deployment.
    Deployment,
    /// With persistent storage: a StatefulSet with a claim per volume and pod.
    StatefulSet,
    /// On a schedule: a CronJob.
    CronJob,
}

impl WorkloadKind {
    /// Every workload kind an app renders as.
    pub const ALL: [WorkloadKind; 3] = [WorkloadKind::Deployment, WorkloadKind::StatefulSet, WorkloadKind::CronJob];

    /// The Kubernetes kind.
    pub const fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::CronJob => "CronJob",
        }
    }

    /// Whether the kind runs pods all the time (a CronJob runs them per run).
    pub const fn long_running(self) -> bool {
        !matches!(self, WorkloadKind::CronJob)
    }
}

/// Names a storage volume may not take: govcloud's own volumes of the pod.
pub const RESERVED_VOLUME_NAMES: &str = "^(tmp|config-[0-9]+)$";

/// One persistent volume of a stateful app: each pod gets a claim of its own
/// (`<name>-<app>-<ordinal>`), which outlives the pod and follows it when it
/// is rescheduled. Deleting the app keeps the claims (and their data).
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AppStorage {
    /// Name of the volume, a DNS label such as `data`; unique among the
    /// app's storage. Not `tmp` or `config-<n>` (govcloud's own volumes).
    #[x_kube(validation = Rule::new("self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')").message("name must be a DNS label such as data"))]
    #[x_kube(validation = Rule::new(format!("!self.matches('{RESERVED_VOLUME_NAMES}')")).message("name may not be tmp or config-<n>: govcloud names the app's scratch space and config volumes so"))]
    #[schemars(length(max = 40))]
    pub name: String,

    /// Size of each pod's claim, a quantity such as `20Gi`. Counted against
    /// the tenant's storage quota in the zone (once per replica).
    #[x_kube(validation = Rule::new("isQuantity(self) && quantity(self).isGreaterThan(quantity('0'))").message("size must be a positive Kubernetes quantity such as 20Gi"))]
    #[schemars(length(max = 32))]
    pub size: String,

    /// Absolute path where the volume is mounted, such as `/var/lib/data`.
    /// Unique among the app's storage and config files.
    #[x_kube(validation = Rule::new("self.matches('^(/[-._a-zA-Z0-9]+)+$') && !self.matches('/[.][.]?(/|$)')").message("mountPath must be an absolute path such as /var/lib/data: letters, digits, '-', '_' and '.', no trailing slash, no . or .. parts"))]
    #[x_kube(validation = Rule::new(reserved_mount_rule()).message(reserved_mount_message().as_str()))]
    #[schemars(length(max = 512))]
    pub mount_path: String,

    /// Storage class of the claims: one the zone allows (NetworkZone
    /// `allowedStorageClasses`). The zone's `defaultStorageClass` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.size() <= 253 && self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')").message("storageClass must be a storage class name such as local-ssd"))]
    #[schemars(length(max = 253))]
    pub storage_class: Option<String>,
}

/// What a scheduled run does when the previous one still runs.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, schemars::JsonSchema)]
pub enum ConcurrencyPolicy {
    /// Skip the new run (the default: a data exchange must not run twice at once).
    #[default]
    Forbid,
    /// Run both.
    Allow,
    /// Stop the running one and start the new one.
    Replace,
}

impl ConcurrencyPolicy {
    /// As Kubernetes writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConcurrencyPolicy::Forbid => "Forbid",
            ConcurrencyPolicy::Allow => "Allow",
            ConcurrencyPolicy::Replace => "Replace",
        }
    }
}

/// The CEL shape of a standard cron expression: five fields of digits,
/// names, `*`, `?`, `/`, `,` and `-`, or a macro such as `@daily`. The
/// ranges of each field are checked offline ([`crate::model`]) and by the
/// API server.
pub const CRON_SHAPE: &str =
    "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|([0-9A-Za-z*?/,-]+ ){4}[0-9A-Za-z*?/,-]+)$";

/// When a batch app runs: each run is a Job of one pod, which ends when its
/// container exits (success) or fails `backoffLimit` times.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// A standard cron expression, five fields (minute hour day-of-month
    /// month day-of-week), such as `30 2 * * *` (every night at 02:30), or
    /// a macro such as `@daily`.
    #[x_kube(validation = Rule::new(format!("self.matches('{CRON_SHAPE}')")).message("cron must be five fields such as '30 2 * * *' (minute hour day-of-month month day-of-week) or a macro such as @daily"))]
    #[schemars(length(max = 128))]
    pub cron: String,

    /// Time zone of `cron`, a tz database name such as `Asia/Shanghai`; the
    /// control plane's when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.matches('^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$')").message("timeZone must be a tz database name such as Asia/Shanghai"))]
    #[schemars(length(max = 64))]
    pub time_zone: Option<String>,

    /// What a run does when the previous one still runs: `Forbid` (skip it,
    /// the default), `Allow` or `Replace`.
    #[serde(default)]
    pub concurrency_policy: ConcurrencyPolicy,

    /// Longest a run may take, in seconds, before it is stopped as failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self >= 1 && self <= 604800").message("activeDeadlineSeconds must be between 1 and 604800 (a week)"))]
    pub active_deadline_seconds: Option<i64>,

    /// Retries of a failed run before it counts as failed (6 when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self >= 0 && self <= 10").message("backoffLimit must be between 0 and 10"))]
    pub backoff_limit: Option<i32>,

    /// Seconds a run may start late (a missed start is skipped after it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self >= 1 && self <= 86400").message("startingDeadlineSeconds must be between 1 and 86400 (a day)"))]
    pub starting_deadline_seconds: Option<i64>,
}

/// Why a cron expression is out of range (`cron '…' minute '61': …`): the field and the fix; `None`
/// when every field is within its range. The shape ([`CRON_SHAPE`]) is the
/// CRD's; this checks what CEL cannot say briefly: each value's range, the
/// names of months and days, steps. A catalogue message (see
/// [`crate::messages`]), the field's name a message too.
pub fn cron_problem(cron: &str) -> Option<Message> {
    if let Some(m) = cron.strip_prefix('@') {
        return (!["yearly", "annually", "monthly", "weekly", "daily", "midnight", "hourly"].contains(&m))
            .then(|| msg!(Code::CronUnknownMacro, cron, m));
    }
    const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    let fields: Vec<&str> = cron.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(msg!(Code::CronFieldCount, cron, fields.len().to_string()));
    }
    let spec: [(Code, u32, u32, &[&str]); 5] = [
        (Code::CronMinute, 0, 59, &[]),
        (Code::CronHour, 0, 23, &[]),
        (Code::CronDayOfMonth, 1, 31, &[]),
        (Code::CronMonth, 1, 12, &MONTHS),
        (Code::CronDayOfWeek, 0, 6, &DAYS),
    ];
    for (field, (what, lo, hi, names)) in fields.iter().zip(spec) {
        let value = |s: &str| -> Option<u32> {
            if let Ok(n) = s.parse::<u32>() {
                return Some(n);
            }
            let up = s.to_ascii_uppercase();
            let base = if what == Code::CronMonth { 1 } else { 0 };
            names.iter().position(|n| *n == up).map(|i| i as u32 + base)
        };
        for part in field.split(',') {
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => (r, Some(s)),
                None => (part, None),
            };
            if let Some(s) = step
                && !matches!(s.parse::<u32>(), Ok(n) if n >= 1 && n <= hi)
            {
                return Some(msg!(Code::CronStep, cron, what, *field, hi.to_string()));
            }
            if range == "*" || range == "?" {
                continue;
            }
            let (a, b) = match range.split_once('-') {
                Some((a, b)) => (a, Some(b)),
                None => (range, None),
            };
            let bad = || {
                Some(match names.first() {
                    Some(first) => msg!(Code::CronRangeNames, cron, what, *field, format!("{lo}-{hi}"), *first),
                    None => msg!(Code::CronRange, cron, what, *field, format!("{lo}-{hi}")),
                })
            };
            let Some(a) = value(a).filter(|v| (lo..=hi).contains(v)) else { return bad() };
            if let Some(b) = b {
                let Some(b) = value(b).filter(|v| (lo..=hi).contains(v)) else { return bad() };
                if b < a {
                    return Some(msg!(Code::CronLowToHigh, cron, what, *field));
                }
            }
        }
    }
    None
}
