//! The dataplane test's further cases: the cross-zone exchange endpoint's
//! connections read out of the full probe, and a new pod probed as soon as
//! its network namespace exists (the default deny must already hold).

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams};

use crate::Live;
use crate::probe::{self, DataplanePod, Dp, INTERNET, Report, UNDECLARED_PORT, filter_rules, probe_with};

const PRIVATE: &str = "public-security-private";
/// Chifeng's population-exchange endpoint: the private zone's population-db on 8443, for the extranet.
const EXCHANGE_APP: &str = "population-db";
const EXCHANGE_PORT: u16 = 8443;
const ZONE_LABEL: &str = "govcloud.io/zone";

/// Who reached the population-exchange endpoint in the full probe, by the
/// source's zone (its namespace's zone label, written by the operator).
/// The full probe compared each of these connections with the audit already;
/// here the exchange's shape is checked: open from the extranet, never from
/// the internet zone.
pub fn exchange_figures(live: &Live, pods: &[(Pod, DataplanePod)], report: &Report) {
    let targets: BTreeSet<String> = pods
        .iter()
        .filter(|(p, _)| p.namespace().as_deref() == Some(PRIVATE) && p.name_any().starts_with(EXCHANGE_APP))
        .map(|(_, d)| format!("{}:{EXCHANGE_PORT}", d.ip))
        .collect();
    assert!(!targets.is_empty(), "population-db pods in the probe");
    let zone_of = |ns: &str| live.namespaces.get(ns).and_then(|l| l.get(ZONE_LABEL)).cloned().unwrap_or_default();
    let mut tried: BTreeMap<String, usize> = BTreeMap::new();
    for (p, _) in pods {
        let ns = p.namespace().unwrap_or_default();
        let own = usize::from(ns == PRIVATE && p.name_any().starts_with(EXCHANGE_APP));
        *tried.entry(zone_of(&ns)).or_default() += targets.len() - own;
    }
    let mut open: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in &report.open_set {
        let Some((src, target)) = c.split_once(" -> ") else { continue };
        if targets.contains(target) {
            let ns = src.split('/').nth(1).unwrap_or_default();
            open.entry(zone_of(ns)).or_default().insert(format!("{src} -> {target}"));
        }
    }
    let counts: BTreeMap<&String, String> =
        tried.iter().map(|(z, n)| (z, format!("{} of {n} open", open.get(z).map_or(0, BTreeSet::len)))).collect();
    println!("population-exchange ({EXCHANGE_APP}:{EXCHANGE_PORT}) by the source's zone: {counts:?}");
    assert!(open.get("extranet").is_some_and(|s| !s.is_empty()), "the extranet reaches the exchange endpoint");
    assert!(!open.contains_key("internet"), "the internet zone never reaches the private zone's exchange");
}

/// Deletes a private pod (its StatefulSet makes it again, with a new UID,
/// so a new network namespace) and probes it from the moment its namespace
/// exists: its egress to the internet and, from an internet-zone pod, its
/// port no policy grants. Both are blocked by policies that existed before
/// the pod; the window during which either was open is measured.
pub async fn new_pod_window(c: &kube::Client, dp: &Dp, pods: &[(Pod, DataplanePod)], report: &Report) {
    let victim = format!("{EXCHANGE_APP}-0");
    let key = format!("{PRIVATE}/{victim}");
    let old = dp.pods().get(&key).cloned().expect("the private pod's namespace");
    let outside = report
        .internet_open
        .first()
        .and_then(|id| {
            pods.iter().find(|(p, _)| format!("Pod/{}/{}", p.namespace().unwrap_or_default(), p.name_any()) == *id)
        })
        .map(|(_, d)| d.clone())
        .expect("an internet-zone pod");
    let api: Api<Pod> = Api::namespaced(c.clone(), PRIVATE);
    api.delete(&victim, &DeleteParams::default()).await.expect("delete a private pod");
    let start = Instant::now();
    let fresh = loop {
        assert!(start.elapsed() < Duration::from_secs(120), "no new namespace for {key}");
        if let Some(d) = dp.pods().get(&key).filter(|d| d.netns != old.netns) {
            break d.clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let seen = Instant::now();
    println!(
        "new pod {key}: namespace {} ({}) {:.1}s after the deletion",
        fresh.netns,
        fresh.ip,
        start.elapsed().as_secs_f64()
    );
    let pod = api.get(&victim).await.expect("the new pod");
    let deny =
        Api::<NetworkPolicy>::namespaced(c.clone(), PRIVATE).get("govcloud-default-deny").await.expect("default deny");
    assert!(deny.creation_timestamp() <= pod.creation_timestamp(), "the default deny existed before the pod");
    let node_ns = dp.nodes()[&fresh.node].clone();
    let egress_t = format!("{INTERNET}:443");
    let ingress_t = format!("{}:{UNDECLARED_PORT}", fresh.ip);
    let (mut rounds, mut listening_at, mut ruled_at) = (0, None, None);
    let (mut egress_open, mut ingress_open): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    loop {
        let t = seen.elapsed().as_secs_f64();
        let (e, i, n) = std::thread::scope(|s| {
            let e = s.spawn(|| probe_with(&fresh.netns, std::slice::from_ref(&egress_t), "0.3"));
            let i = s.spawn(|| probe_with(&outside.netns, std::slice::from_ref(&ingress_t), "0.3"));
            let n = s.spawn(|| probe_with(&node_ns, std::slice::from_ref(&ingress_t), "0.3"));
            (e.join().expect("probe"), i.join().expect("probe"), n.join().expect("probe"))
        });
        rounds += 1;
        if e.get(&egress_t).map(String::as_str) == Some("open") {
            egress_open.push(t);
        }
        if i.get(&ingress_t).map(String::as_str) == Some("open") {
            ingress_open.push(t);
        }
        if listening_at.is_none() && n.get(&ingress_t).map(String::as_str) == Some("open") {
            listening_at = Some(t);
        }
        if ruled_at.is_none() && filter_rules(&node_ns).contains(&format!("-d {}/32", fresh.ip)) {
            ruled_at = Some(t);
        }
        let done = [listening_at, ruled_at].iter().all(|x| x.is_some_and(|x| t - x >= 3.0));
        if done || seen.elapsed() > Duration::from_secs(60) {
            break;
        }
    }
    let window = |v: &[f64]| v.last().map_or(0.0, |last| last - v[0]);
    println!(
        "new pod {key}: {rounds} probe rounds over {:.1}s from its namespace's appearance; listener answering its node from {:.2}s, kube-router's rules for it from {:.2}s; \
         {INTERNET}:443 from it open in {} rounds (window {:.2}s), {UNDECLARED_PORT} from an internet-zone pod open in {} rounds (window {:.2}s)",
        seen.elapsed().as_secs_f64(),
        listening_at.unwrap_or(f64::NAN),
        ruled_at.unwrap_or(f64::NAN),
        egress_open.len(),
        window(&egress_open),
        ingress_open.len(),
        window(&ingress_open),
    );
    assert!(listening_at.is_some() && ruled_at.is_some(), "the new pod listened and kube-router took it in");
    assert!(egress_open.is_empty(), "the new private pod never reached the internet: open at {egress_open:?}s");
    assert!(
        ingress_open.is_empty(),
        "the new private pod was never reached on {UNDECLARED_PORT}: open at {ingress_open:?}s"
    );
}

/// Kills the kube-router of the private pods' node (SIGKILL, by its process
/// id, as a crash would) and probes those pods' internet egress while it is
/// down (the rules it wrote stay in the kernel), then starts it again with
/// the same command line in the same namespace, waits until the rules are
/// settled and probes every pair again: the same open set, 0 disagreements.
pub async fn node_restart(c: &kube::Client, dp: &Dp, pods: &[(Pod, DataplanePod)], report: &Report) {
    let node = pods
        .iter()
        .find(|(p, _)| p.namespace().as_deref() == Some(PRIVATE))
        .map(|(_, d)| d.node.clone())
        .expect("a private pod");
    let ns = dp.nodes()[&node].clone();
    let pids = probe::output(&["ip", "netns", "pids", &ns]).expect("the node namespace's processes");
    let (pid, cmdline) = pids
        .split_whitespace()
        .find_map(|pid| {
            let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let args: Vec<String> = cmd
                .split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            args.iter().any(|a| a.starts_with("--hostname-override=")).then(|| (pid.to_string(), args))
        })
        .expect("kube-router in the node namespace");
    let status = std::process::Command::new("kill").args(["-KILL", &pid]).status().expect("kill");
    assert!(status.success(), "kill kube-router {pid}");
    let t = Instant::now();
    while std::path::Path::new(&format!("/proc/{pid}")).exists() && t.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let private: Vec<&DataplanePod> =
        pods.iter().filter(|(p, _)| p.namespace().as_deref() == Some(PRIVATE)).map(|(_, d)| d).collect();
    let target = format!("{INTERNET}:443");
    let reached = private
        .iter()
        .filter(|d| {
            probe_with(&d.netns, std::slice::from_ref(&target), "1.0").get(&target).map(String::as_str) == Some("open")
        })
        .count();
    println!(
        "kube-router of node {node} killed: {reached} of {} private pods reach {target} while it is down",
        private.len()
    );
    assert_eq!(reached, 0, "the rules kube-router wrote hold while it is down");

    let log = std::fs::File::create(dp.dir().join(format!("logs/kube-router-{node}-restarted.log"))).expect("log");
    let mut cmd = std::process::Command::new("setsid");
    cmd.args(["--fork", "ip", "netns", "exec", &ns])
        .args(&cmdline)
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log);
    let t_start = Instant::now();
    // Detached (`setsid --fork`), as `dataplane up` started it; `dataplane down` stops it with the namespace.
    assert!(cmd.status().expect("start kube-router again").success(), "setsid kube-router");
    // Its chains are written anew on start; then everything settles.
    let since = Instant::now();
    let mut seen_up = false;
    loop {
        assert!(since.elapsed() < Duration::from_secs(120), "the restarted kube-router set no chains");
        let up = probe::output(&["ip", "netns", "pids", &ns]).unwrap_or_default().split_whitespace().count() > 0;
        // `setsid --fork` returns before its child has entered the node's
        // namespace: no process there yet is a start, not an exit, until it
        // has been seen or 10 s have passed.
        seen_up |= up;
        if !up && (seen_up || since.elapsed() > Duration::from_secs(10)) {
            // The test's directory goes with it: say what kube-router said.
            let path = dp.dir().join(format!("logs/kube-router-{node}-restarted.log"));
            let said = std::fs::read_to_string(&path).unwrap_or_default();
            let tail: Vec<&str> = said.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect();
            panic!("the restarted kube-router exited ({}); its last lines:\n{}", path.display(), tail.join("\n"));
        }
        if probe::output(&["ip", "netns", "exec", &ns, "iptables", "-S", "KUBE-ROUTER-FORWARD"]).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    probe::settled(dp, pods, Duration::from_secs(120)).await;
    let settled_after = t_start.elapsed();
    let live = crate::live_objects(c).await;
    let again = probe::probe_all(&live.network(), pods, &live.api);
    println!(
        "kube-router of node {node} restarted, settled after {:.1}s: {} connections, {} open, {} disagreements; open set as before: {}",
        settled_after.as_secs_f64(),
        again.tried,
        again.open,
        again.disagreements.len(),
        again.open_set == report.open_set
    );
    for d in &again.disagreements {
        println!("DISAGREEMENT {d}");
    }
    assert!(again.disagreements.is_empty());
    assert_eq!(again.open_set, report.open_set, "the same connections open after kube-router's restart");
}
