//! The results: the Markdown table and the JSON file.

use super::*;

pub(crate) struct Results(pub(crate) serde_json::Map<String, Value>);

impl Results {
    pub(crate) fn set(&mut self, section: &str, key: &str, v: Value) {
        let s = self.0.entry(section.to_string()).or_insert_with(|| json!({}));
        if let Some(m) = s.as_object_mut() {
            m.insert(key.to_string(), v);
        }
    }
    pub(crate) fn get(&self, path: &str) -> &Value {
        self.0
            .get(path.split('/').next().unwrap_or_default())
            .and_then(|s| s.pointer(&format!("/{}", path.split_once('/').map(|(_, k)| k).unwrap_or_default())))
            .unwrap_or(&Value::Null)
    }
    pub(crate) fn write(&self, path: &Path) {
        if let Ok(text) = serde_json::to_string_pretty(&self.0) {
            let _ = std::fs::write(path, text + "\n");
        }
    }

    pub(crate) fn f(&self, path: &str) -> Option<f64> {
        self.get(path).as_f64()
    }

    /// The Markdown table.
    pub(crate) fn table(&self) -> String {
        let secs = |v: Option<f64>| v.map_or("—".to_string(), |s| format!("{s:.1} s"));
        let ms = |v: Option<f64>| v.map_or("—".to_string(), |s| format!("{s:.1} ms"));
        let counts = |v: &Value| {
            let m = v.as_object().cloned().unwrap_or_default();
            if m.is_empty() {
                "none".to_string()
            } else {
                m.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
            }
        };
        let mut rows: Vec<(String, String)> = Vec::new();
        let mut row = |k: &str, v: String| rows.push((k.to_string(), v));
        row("model", self.get("model/summary").as_str().unwrap_or_default().to_string());
        row("floor: apply (one client, SSA)", secs(self.f("floor/apply_seconds")));
        row("floor: every Deployment available", secs(self.f("floor/seconds")));
        row("operator: model applied", secs(self.f("operator/apply_seconds")));
        let op = self.f("operator/seconds");
        let ready = self.get("operator/ready");
        row(
            "operator: everything Ready",
            match op {
                Some(s) => format!("{s:.1} s"),
                None => format!(
                    "not within {:.0} s (ready: zones {}, tenants {}, apps {})",
                    self.f("operator/progress/seconds").unwrap_or(0.0),
                    ready["zones"],
                    ready["tenants"],
                    ready["apps"]
                ),
            },
        );
        row(
            "ratio operator/floor",
            match (op, self.f("floor/seconds")) {
                (Some(o), Some(f)) if f > 0.0 => format!("{:.2}", o / f),
                _ => "—".into(),
            },
        );
        let per = |kind: &str, n: Option<u64>| {
            let r = self.get("convergence/reconciles")[kind].as_u64().unwrap_or(0);
            match n {
                Some(n) if n > 0 => format!("{kind} {r} ({:.1}/object)", r as f64 / n as f64),
                _ => format!("{kind} {r}"),
            }
        };
        let n = |k: &str| self.get(&format!("model/{k}")).as_u64();
        row(
            "reconciles during convergence",
            [per("NetworkZone", n("zones")), per("Tenant", n("tenants")), per("DepartmentApp", n("apps"))].join(", "),
        );
        row(
            "status refreshes during convergence (counts recomputed, nothing applied)",
            counts(self.get("convergence/status_refreshes")),
        );
        row(
            "plans of the model during convergence",
            self.get("convergence/metrics")["govcloud_model_renders_total"]
                .as_f64()
                .map_or("—".into(), |n| format!("{n:.0}")),
        );
        row("API requests during convergence (operator)", counts(self.get("convergence/requests")));
        row("writes during convergence", self.get("convergence/writes").to_string());
        if let Some(settle) = self.f("settle/seconds") {
            let w = self.get("settle/writes");
            row(
                "settle after Ready (until 15 s without a write)",
                format!(
                    "{settle:.0} s, {w} writes{}",
                    if w.as_u64().unwrap_or(0) > 0 {
                        format!(" ({})", counts(self.get("settle/writes_by_resource")))
                    } else {
                        String::new()
                    }
                ),
            );
        }
        let idle_s = self.get("idle/seconds").as_u64();
        row(&format!("reconciles when idle ({} s)", idle_s.unwrap_or(0)), counts(self.get("idle/reconciles")));
        row("API requests when idle (operator)", counts(self.get("idle/requests")));
        let idle_w = self.get("idle/writes");
        row(
            "writes when idle",
            if idle_w.as_u64().unwrap_or(0) > 0 {
                format!("{idle_w} ({})", counts(self.get("idle/writes_by_resource")))
            } else {
                idle_w.to_string()
            },
        );
        row("operator peak RSS", self.f("operator/peak_rss_mib").map_or("—".into(), |m| format!("{m:.1} MiB")));
        row(
            "operator RSS at rest (idle window, min / max)",
            match (self.f("idle/rss_mib/min"), self.f("idle/rss_mib/max")) {
                (Some(lo), Some(hi)) => format!("{lo:.1} / {hi:.1} MiB"),
                _ => "—".into(),
            },
        );
        let range = |k: &str| match (self.f(&format!("{k}/min")), self.f(&format!("{k}/max"))) {
            (Some(lo), Some(hi)) => format!("{lo:.1} / {hi:.1} MiB"),
            _ => "—".into(),
        };
        row(
            "at rest: heap held / anonymous pages / file pages (min / max)",
            format!("{}; {}; {}", range("idle/heap_mib"), range("idle/rss_anon_mib"), range("idle/rss_file_mib")),
        );
        row(
            "converging: largest anonymous pages (heap then) / file pages / heap",
            format!(
                "{} ({}) / {} / {}",
                self.f("operator/split_convergence/rss_anon_max_mib").map_or("—".into(), |m| format!("{m:.1} MiB")),
                self.f("operator/split_convergence/heap_at_rss_anon_max_mib")
                    .map_or("—".into(), |m| format!("{m:.1} MiB")),
                self.f("operator/split_convergence/rss_file_max_mib").map_or("—".into(), |m| format!("{m:.1} MiB")),
                self.f("operator/split_convergence/heap_max_mib").map_or("—".into(), |m| format!("{m:.1} MiB")),
            ),
        );
        row(
            "operator CPU",
            format!(
                "{} convergence, {} idle",
                self.f("operator/cpu_seconds_convergence").map_or("—".into(), |s| format!("{s:.1} s")),
                self.f("idle/cpu_seconds").map_or("—".into(), |s| format!("{s:.1} s"))
            ),
        );
        row(
            &format!("drift repair p50 / p99 ({} edits)", self.get("drift/n").as_u64().unwrap_or(0)),
            format!(
                "{} / {}",
                ms(self.f("drift/p50_seconds").map(|s| s * 1000.0)),
                ms(self.f("drift/p99_seconds").map(|s| s * 1000.0))
            ),
        );
        row(
            &format!("pod create p50 / p99 with policies ({} pods)", self.get("pods/n").as_u64().unwrap_or(0)),
            format!("{} / {}", ms(self.f("pods/with_policies_ms/p50")), ms(self.f("pods/with_policies_ms/p99"))),
        );
        row(
            "pod create p50 / p99 without",
            format!("{} / {}", ms(self.f("pods/without_policies_ms/p50")), ms(self.f("pods/without_policies_ms/p99"))),
        );
        row(
            &format!(
                "pod dry-run create p50 / p99 with / without policies ({} each)",
                self.get("pods/dry_run_n").as_u64().unwrap_or(0)
            ),
            format!(
                "{} / {} vs {} / {}",
                ms(self.f("pods/dry_run_with_ms/p50")),
                ms(self.f("pods/dry_run_with_ms/p99")),
                ms(self.f("pods/dry_run_without_ms/p50")),
                ms(self.f("pods/dry_run_without_ms/p99"))
            ),
        );
        row(
            "the API server's time in the validating policies, a pod create (mean)",
            ms(self.f("pods/dry_run_in_policies_ms")),
        );
        row(
            "admission overhead p50 / p99",
            match (self.f("pods/overhead_percent/p50"), self.f("pods/overhead_percent/p99")) {
                (Some(a), Some(b)) => format!("{a:+.0} % / {b:+.0} %"),
                _ => "—".into(),
            },
        );
        row(
            &format!(
                "change to current Report: bad RoleBinding / its deletion (resync {} s)",
                self.get("operator/resync_seconds")
            ),
            {
                let one = |k: &str| match self.f(k) {
                    Some(s) => format!("{s:.1} s"),
                    None => match self.get("report/timeout_seconds").as_u64() {
                        Some(t) => format!("not within {t} s"),
                        None => "—".into(),
                    },
                };
                format!("{} / {}", one("report/seconds"), one("report/cleared_seconds"))
            },
        );
        let mut s = String::from("| what | measured |\n|---|---|\n");
        for (k, v) in rows {
            s.push_str(&format!("| {k} | {v} |\n"));
        }
        s
    }
}

pub(crate) fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|t| {
        t.lines().find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|(_, v)| v.trim().to_string()))
    });
    let mem = std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
        t.lines().find_map(|l| l.strip_prefix("MemTotal:")?.split_whitespace().next()?.parse::<u64>().ok())
    });
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let kernel =
        Command::new("uname").arg("-r").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    json!({"cpu": cpu, "cores": cores, "memory_gib": mem.map(|k| (k as f64 / 1024.0 / 1024.0).round()), "kernel": kernel})
}
