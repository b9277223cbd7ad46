//! The operator process: started, sampled (metrics, CPU, memory) and stopped.

use super::*;

pub(crate) fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// `govcloud run` as a child process; killed when dropped.
pub(crate) struct Operator {
    pub(crate) child: Child,
    pub(crate) metrics: String,
    pub(crate) log: PathBuf,
}

impl Drop for Operator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Operator {
    pub(crate) fn start(kubeconfig: &Path, resync: u64, log: &Path) -> Result<Operator, String> {
        let metrics = format!("127.0.0.1:{}", free_port()?);
        let file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let child = Command::new(env!("CARGO_BIN_EXE_govcloud"))
            .args([
                "run",
                "--metrics-address",
                &metrics,
                "--resync-seconds",
                &resync.to_string(),
                "--log-format",
                "json",
            ])
            .env("KUBECONFIG", kubeconfig)
            .env("RUST_LOG", "info,kube=warn")
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", env!("CARGO_BIN_EXE_govcloud")))?;
        Ok(Operator { child, metrics, log: log.to_path_buf() })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    pub(crate) fn get(&self, path: &str) -> Option<(u16, String)> {
        let mut s = std::net::TcpStream::connect(&self.metrics).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        // One write: the operator's server reads the request with a single read.
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.metrics).as_bytes())
            .ok()?;
        let mut body = String::new();
        s.read_to_string(&mut body).ok()?;
        let code = body.split_whitespace().nth(1)?.parse().ok()?;
        let text = body.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        Some((code, text))
    }

    pub(crate) async fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("the operator exited ({status}); see {}", self.log.display()));
            }
            if self.get("/readyz").is_some_and(|(code, _)| code == 200) {
                return Ok(());
            }
            if start.elapsed() > timeout {
                return Err(format!("the operator was not ready within {timeout:?}; see {}", self.log.display()));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Every counter of `/metrics`, keyed `name{labels}`.
    pub(crate) fn metrics(&self) -> BTreeMap<String, f64> {
        let text = (0..5)
            .find_map(|_| self.get("/metrics").filter(|(code, _)| *code == 200).map(|(_, t)| t))
            .unwrap_or_default();
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let (k, v) = l.rsplit_once(' ')?;
                Some((k.to_string(), v.trim().parse().ok()?))
            })
            .collect()
    }

    /// The bytes its heap holds (`govcloud_heap_bytes`), in MiB; `None` for a
    /// build that does not count them.
    pub(crate) fn heap_mib(&self) -> Option<f64> {
        self.metrics().get("govcloud_heap_bytes").map(|b| b / 1048576.0)
    }

    /// Stops it with SIGTERM (SIGKILL after 10 s).
    pub(crate) fn stop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The counters of `after` minus `before`, those that moved, as `name{labels}` -> delta.
pub(crate) fn metrics_delta(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    after
        .iter()
        .map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or(0.0)))
        .filter(|(_, d)| *d != 0.0)
        .collect()
}

/// `label="value"` out of `name{...}`.
pub(crate) fn label_of(key: &str, label: &str) -> Option<String> {
    let inner = key.split_once('{')?.1.trim_end_matches('}');
    inner.split(',').find_map(|kv| kv.strip_prefix(&format!("{label}=")).map(|v| v.trim_matches('"').to_string()))
}

pub(crate) fn by_label(delta: &BTreeMap<String, f64>, metric: &str, label: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (k, v) in delta {
        if k.split('{').next() == Some(metric) {
            *out.entry(label_of(k, label).unwrap_or_default()).or_default() += *v as u64;
        }
    }
    out
}

pub(crate) fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// utime + stime of a process, in seconds.
pub(crate) fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid?)).ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // After the command: state is field 3, utime 14 and stime 15 (1-based, in proc(5)).
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / clock_ticks())
}

/// What the resident size is made of, sampled: the heap the operator counts,
/// its anonymous pages (heap and allocator) and its file pages (the binary's
/// code as it is faulted in), in MiB; the largest of each seen, and the
/// heap at the sample where the anonymous pages were largest.
#[derive(Default)]
pub(crate) struct Split {
    pub(crate) samples: u64,
    pub(crate) anon_max: f64,
    pub(crate) file_max: f64,
    pub(crate) heap_max: Option<f64>,
    pub(crate) heap_at_anon_max: Option<f64>,
    last_heap: Option<f64>,
}

impl Split {
    /// One sample of `/proc` (and of the heap, when `heap` is given).
    pub(crate) fn sample(&mut self, pid: u32, heap: Option<f64>) {
        let mib = |f: &str| proc_kib(pid, f).map(|k| k as f64 / 1024.0);
        if let Some(h) = heap {
            self.last_heap = heap;
            self.heap_max = Some(self.heap_max.map_or(h, |m: f64| m.max(h)));
        }
        if let (Some(anon), Some(file)) = (mib("RssAnon"), mib("RssFile")) {
            self.samples += 1;
            if anon > self.anon_max {
                self.anon_max = anon;
                self.heap_at_anon_max = self.last_heap;
            }
            self.file_max = self.file_max.max(file);
        }
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "samples": self.samples,
            "rss_anon_max_mib": self.anon_max,
            "rss_file_max_mib": self.file_max,
            "heap_max_mib": self.heap_max,
            "heap_at_rss_anon_max_mib": self.heap_at_anon_max,
        })
    }
}

/// A `/proc/<pid>/status` value in KiB (`VmHWM`, `VmRSS`, `RssAnon`, `RssFile`).
pub(crate) fn proc_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}
