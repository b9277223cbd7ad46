//! The operator's text log carries no colour codes when it goes to a file or
//! a pipe (as under a process manager or `make dev`'s log file): only a
//! terminal gets them.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn the_text_log_to_a_pipe_has_no_colour_codes() {
    // An API server that is not there: the watches log their errors at once.
    let dir = std::env::temp_dir().join(format!("govcloud-log-plain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: \"https://127.0.0.1:1\", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: x}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n",
    )
    .expect("kubeconfig");
    let mut child = Command::new(env!("CARGO_BIN_EXE_govcloud"))
        .args(["run", "--metrics-address", "off", "--log-format", "text"])
        .env("KUBECONFIG", &kubeconfig)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start govcloud run");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while lines.len() < 3 && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            lines.push(line);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(lines.len() >= 3, "the operator logged nothing about the missing API server: {lines:?}");
    assert!(lines.iter().any(|l| l.contains("WARN")), "no warning logged: {lines:?}");
    for line in &lines {
        assert!(!line.contains('\u{1b}'), "a colour code in a log line written to a pipe: {line:?}");
    }
}
