//! The API server's audit log: the operator's requests by verb.

use super::*;

/// One request of the operator, from the audit log.
pub(crate) struct Req {
    /// requestReceivedTimestamp, microseconds since the epoch.
    pub(crate) at: i64,
    pub(crate) verb: String,
    pub(crate) resource: String,
}

/// Follows `DIR/logs/audit.log` (across rotation) and keeps the operator's requests.
pub(crate) struct AuditTail {
    pub(crate) reqs: Arc<Mutex<Vec<Req>>>,
    pub(crate) stop: Arc<AtomicBool>,
    pub(crate) thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for AuditTail {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub(crate) fn parse_audit_line(line: &str, needle: &str) -> Option<Req> {
    if !line.contains(needle) {
        return None;
    }
    let v: Value = serde_json::from_str(line).ok()?;
    if v["user"]["username"].as_str()? != OPERATOR_USER {
        return None;
    }
    let verb = v["verb"].as_str()?.to_string();
    // A watch is logged when it starts and when it ends; other requests once.
    let stage = v["stage"].as_str()?;
    let counted = if verb == "watch" { stage == "ResponseStarted" } else { stage == "ResponseComplete" };
    if !counted {
        return None;
    }
    let at: Timestamp = v["requestReceivedTimestamp"].as_str()?.parse().ok()?;
    let r = &v["objectRef"];
    let mut resource = r["resource"].as_str().unwrap_or("-").to_string();
    if let Some(sub) = r["subresource"].as_str() {
        resource = format!("{resource}/{sub}");
    }
    Some(Req { at: at.as_microsecond(), verb, resource })
}

impl AuditTail {
    pub(crate) fn start(path: PathBuf) -> AuditTail {
        let reqs = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s) = (reqs.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            use std::os::unix::fs::MetadataExt;
            let needle = format!("\"username\":\"{OPERATOR_USER}\"");
            let mut file: Option<(BufReader<std::fs::File>, u64)> = None;
            let mut partial = String::new();
            loop {
                let stopping = s.load(Ordering::SeqCst);
                if file.is_none()
                    && let Ok(f) = std::fs::File::open(&path)
                {
                    let ino = f.metadata().map(|m| m.ino()).unwrap_or(0);
                    file = Some((BufReader::new(f), ino));
                }
                let mut got = false;
                if let Some((reader, ino)) = file.as_mut() {
                    loop {
                        let mut line = String::new();
                        match reader.read_line(&mut line) {
                            Ok(0) | Err(_) => break,
                            Ok(_) => {
                                got = true;
                                partial.push_str(&line);
                                if !partial.ends_with('\n') {
                                    continue;
                                }
                                if let Some(req) = parse_audit_line(&partial, &needle)
                                    && let Ok(mut v) = r.lock()
                                {
                                    v.push(req);
                                }
                                partial.clear();
                            }
                        }
                    }
                    // Rotated: the old file is read to its end (above), then the new one.
                    let rotated = std::fs::metadata(&path).map(|m| m.ino() != *ino).unwrap_or(false);
                    if rotated {
                        file = None;
                        partial.clear();
                        continue;
                    }
                }
                if stopping {
                    return;
                }
                if !got {
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        });
        AuditTail { reqs, stop, thread: Some(thread) }
    }

    /// Requests received in [from, to): by verb, and writes by `verb resource`.
    pub(crate) fn window(&self, from: Timestamp, to: Timestamp) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
        let (from, to) = (from.as_microsecond(), to.as_microsecond());
        let mut verbs = BTreeMap::new();
        let mut writes = BTreeMap::new();
        if let Ok(reqs) = self.reqs.lock() {
            for r in reqs.iter().filter(|r| r.at >= from && r.at < to) {
                *verbs.entry(r.verb.clone()).or_default() += 1;
                if WRITE_VERBS.contains(&r.verb.as_str()) {
                    *writes.entry(format!("{} {}", r.verb, r.resource)).or_default() += 1;
                }
            }
        }
        (verbs, writes)
    }
}

pub(crate) fn writes_in(verbs: &BTreeMap<String, u64>) -> u64 {
    verbs.iter().filter(|(v, _)| WRITE_VERBS.contains(&v.as_str())).map(|(_, n)| n).sum()
}
