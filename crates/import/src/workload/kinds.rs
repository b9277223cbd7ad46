//! How a workload runs, beyond its pod: a StatefulSet's claim templates
//! (storage) and a CronJob's schedule.

use serde_json::Value;

use govcloud_core::api::{AppStorage, ConcurrencyPolicy, DepartmentAppSpec, Schedule};
use govcloud_core::messages::Code;
use govcloud_core::msg;

use super::{must, quantity, strings};
use crate::Entry;

/// A StatefulSet's claim templates mounted in the app's container, as its storage.
pub(super) fn storage(o: &Value, c: &Value, entry: &mut Entry) -> Vec<AppStorage> {
    let mut out = Vec::new();
    for (i, t) in o["spec"]["volumeClaimTemplates"].as_array().into_iter().flatten().enumerate() {
        let field = format!("spec.volumeClaimTemplates[{i}]");
        let Some(name) = t["metadata"]["name"].as_str() else { continue };
        let mounts = c["volumeMounts"].as_array().map(Vec::as_slice).unwrap_or_default();
        let Some(mount) = mounts.iter().find(|m| m["name"] == name).and_then(|m| m["mountPath"].as_str()) else {
            entry.changes.push(must(field, msg!(Code::ImportClaimNotMounted, name), msg!(Code::ImportFixMountClaim)));
            continue;
        };
        let Some(size) = quantity(&t["spec"]["resources"]["requests"]["storage"]) else {
            entry.changes.push(must(field, msg!(Code::ImportClaimNoSize, name), msg!(Code::ImportFixClaimSize)));
            continue;
        };
        let modes = strings(&t["spec"]["accessModes"]);
        if modes.iter().any(|m| m != "ReadWriteOnce") {
            entry.changes.push(must(
                format!("{field}.spec.accessModes"),
                msg!(Code::ImportClaimShared, name, modes.join(", ")),
                msg!(Code::ImportFixClaimShared),
            ));
        }
        out.push(AppStorage {
            name: name.to_string(),
            size,
            mount_path: mount.to_string(),
            storage_class: t["spec"]["storageClassName"].as_str().filter(|s| !s.is_empty()).map(String::from),
        });
    }
    if !out.is_empty() {
        let names: Vec<&str> = out.iter().map(|s| s.name.as_str()).collect();
        entry.carry(msg!(Code::ImportCarriedStorage, names.join(", ")));
    }
    out
}

/// A CronJob's schedule; what a scheduled app may not have is dropped, and said.
pub(super) fn scheduled(o: &Value, spec: &mut DepartmentAppSpec, cpath: &str, entry: &mut Entry) {
    let s = &o["spec"];
    let job = &s["jobTemplate"]["spec"];
    spec.schedule = Some(Schedule {
        cron: s["schedule"].as_str().unwrap_or_default().to_string(),
        time_zone: s["timeZone"].as_str().map(String::from),
        // Kubernetes' default is Allow; the draft keeps what runs today.
        concurrency_policy: match s["concurrencyPolicy"].as_str() {
            Some("Forbid") => ConcurrencyPolicy::Forbid,
            Some("Replace") => ConcurrencyPolicy::Replace,
            _ => ConcurrencyPolicy::Allow,
        },
        active_deadline_seconds: job["activeDeadlineSeconds"].as_i64(),
        backoff_limit: job["backoffLimit"].as_i64().and_then(|v| i32::try_from(v).ok()),
        starting_deadline_seconds: s["startingDeadlineSeconds"].as_i64(),
    });
    entry.carry(msg!(Code::ImportCarriedSchedule, s["schedule"].as_str().unwrap_or_default()));
    if !spec.ports.is_empty() {
        spec.ports.clear();
        entry.changes.push(must(
            format!("{cpath}.ports"),
            msg!(Code::ImportScheduledPorts),
            msg!(Code::ImportFixScheduledPorts),
        ));
    }
    if spec.readiness_probe.take().is_some() {
        entry.changes.push(must(
            format!("{cpath}.readinessProbe"),
            msg!(Code::ImportScheduledReadiness),
            msg!(Code::ImportFixNothingToDo),
        ));
    }
    // Probes on ports that are gone go with them.
    for (name, p) in [("livenessProbe", &mut spec.liveness_probe), ("startupProbe", &mut spec.startup_probe)] {
        if p.as_ref().is_some_and(|p| p.exec.is_none()) {
            *p = None;
            entry.changes.push(must(
                format!("{cpath}.{name}"),
                msg!(Code::ImportScheduledProbe),
                msg!(Code::ImportFixProbeExec),
            ));
        }
    }
}
