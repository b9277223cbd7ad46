//! The probe's parts: what the dataplane made (its state files), whether
//! the kernel allows it at all, when kube-router has settled, and the
//! connections tried from inside the pods' namespaces
//! (`testenv/dataplane/probe.py`), compared with the audit's semantics.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use govcloud::audit::api_server::Endpoint;
use govcloud::audit::netpol::{Network, Target, Workload};
use k8s_openapi::api::core::v1::Pod;
use kube::ResourceExt;

use crate::support::offline::repo;

/// The port every pod listens on besides its declared ones, granted by no
/// policy (`UNDECLARED_PORT` in testenv/dataplane/dataplane).
pub const UNDECLARED_PORT: i64 = 9099;
/// The dataplane's internet address (its `internet` namespace) that the
/// audit probes too, and the port tried.
pub const INTERNET: &str = "8.8.8.8";
const INTERNET_PORT: i64 = 443;
/// How long a connection may take before it counts as blocked.
const CONNECT_TIMEOUT: &str = "1.0";
/// Source pods probing at once (each tries all its targets at once).
const PARALLEL: usize = 6;

/// A dataplane's state directory (`DIR/dataplane`).
pub struct Dp {
    dir: PathBuf,
}

/// A pod as the dataplane made it: `DIR/dataplane/pods/<netns>`.
#[derive(Clone, Debug)]
pub struct DataplanePod {
    pub netns: String,
    pub ip: String,
    pub node: String,
}

impl Dp {
    pub fn at(dir: PathBuf) -> Dp {
        Dp { dir }
    }

    /// The state directory.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// The pods with a namespace, by `namespace/name`.
    pub fn pods(&self) -> BTreeMap<String, DataplanePod> {
        let mut out = BTreeMap::new();
        for e in std::fs::read_dir(self.dir.join("pods")).into_iter().flatten().flatten() {
            let Ok(text) = std::fs::read_to_string(e.path()) else { continue };
            let f: Vec<&str> = text.split_whitespace().collect();
            if let [netns, ip, node, name, ..] = f[..] {
                out.insert(name.to_string(), DataplanePod { netns: netns.into(), ip: ip.into(), node: node.into() });
            }
        }
        out
    }

    /// node -> its network namespace.
    pub fn nodes(&self) -> BTreeMap<String, String> {
        let text = std::fs::read_to_string(self.dir.join("nodes")).expect("dataplane/nodes");
        text.lines()
            .filter_map(|l| {
                let mut f = l.split_whitespace();
                Some((f.next()?.to_string(), f.next()?.to_string()))
            })
            .collect()
    }
}

pub fn output(args: &[&str]) -> Result<String, String> {
    let out = Command::new(args[0]).args(&args[1..]).output().map_err(|e| format!("{}: {e}", args.join(" ")))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("`{}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// Why this kernel cannot run the dataplane, if it cannot: a scratch network
/// namespace with a veth pair, an iptables chain and an ipset in it. A
/// missing program is not the kernel's doing: that fails the test.
pub fn kernel_refuses() -> Option<String> {
    for tool in ["ip", "iptables", "ipset", "python3"] {
        assert!(
            Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success()),
            "{tool} is not installed: the dataplane test needs iproute2, iptables, ipset and python3 \
             (Debian: apt-get install iproute2 iptables ipset python3)"
        );
    }
    let ns = format!("gcdp-check-{}", std::process::id());
    let steps: [&[&str]; 4] = [
        &["ip", "netns", "add", &ns],
        &["ip", "-n", &ns, "link", "add", "gcchk0", "type", "veth", "peer", "name", "gcchk1"],
        &["ip", "netns", "exec", &ns, "iptables", "-N", "GCDP-CHECK"],
        &["ip", "netns", "exec", &ns, "ipset", "create", "gcdp-check", "hash:ip"],
    ];
    let failed = steps.iter().find_map(|s| output(s).err());
    let _ = output(&["ip", "netns", "del", &ns]);
    failed
}

fn probe(netns: &str, targets: &[String]) -> BTreeMap<String, String> {
    probe_with(netns, targets, CONNECT_TIMEOUT)
}

/// One `probe.py` run from `netns` with its own timeout (seconds): target -> outcome.
pub fn probe_with(netns: &str, targets: &[String], timeout: &str) -> BTreeMap<String, String> {
    let script = repo().join("testenv/dataplane/probe.py");
    let mut args = vec!["ip", "netns", "exec", netns, "python3", script.to_str().expect("utf-8"), timeout];
    args.extend(targets.iter().map(String::as_str));
    let out = output(&args).unwrap_or_else(|e| panic!("probe from {netns}: {e}"));
    out.lines().filter_map(|l| l.split_once(' ')).map(|(t, r)| (t.to_string(), r.to_string())).collect()
}

fn listener_ports(p: &Pod) -> Vec<i64> {
    let mut ports: BTreeSet<i64> =
        declared(p).into_iter().filter(|(_, proto)| proto == "TCP").map(|(p, _)| p).collect();
    ports.insert(UNDECLARED_PORT);
    ports.into_iter().collect()
}

fn declared(p: &Pod) -> Vec<(i64, String)> {
    p.spec
        .iter()
        .flat_map(|s| &s.containers)
        .flat_map(|c| c.ports.iter().flatten())
        .map(|p| (i64::from(p.container_port), p.protocol.clone().unwrap_or_else(|| "TCP".into())))
        .collect()
}

/// Every node's filter rules (without counters), to tell when kube-router changed them.
pub fn rules(dp: &Dp) -> String {
    dp.nodes().values().map(|ns| filter_rules(ns)).collect::<Vec<_>>().join("\n")
}

pub fn filter_rules(netns: &str) -> String {
    output(&["ip", "netns", "exec", netns, "iptables-save", "-t", "filter"])
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(':'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Waits until every pod's listeners answer from its node (kube-router lets
/// a node reach its own pods), every pod has kube-router's jump rules on its
/// node, and no node's filter rules changed for 3 seconds.
pub async fn settled(dp: &Dp, pods: &[(Pod, DataplanePod)], timeout: Duration) {
    let nodes = dp.nodes();
    let start = Instant::now();
    let mut last: Option<(String, Instant)> = None;
    loop {
        assert!(start.elapsed() < timeout, "the dataplane did not settle within {timeout:?}");
        // From each node, one probe of all its pods' listeners.
        let mut by_node: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (p, d) in pods {
            by_node.entry(&d.node).or_default().extend(listener_ports(p).iter().map(|port| format!("{}:{port}", d.ip)));
        }
        let mut ok = true;
        for (node, targets) in &by_node {
            if let Some((t, r)) = probe(&nodes[*node], targets).into_iter().find(|(_, r)| r != "open") {
                println!("waiting: {t} from its node {node}: {r}");
                ok = false;
            }
        }
        let rules: String = nodes.values().map(|ns| filter_rules(ns)).collect::<Vec<_>>().join("\n");
        ok &= pods.iter().all(|(_, d)| filter_rules(&nodes[&d.node]).contains(&format!("-d {}/32", d.ip)));
        match &last {
            Some((prev, since)) if ok && *prev == rules && since.elapsed() >= Duration::from_secs(3) => return,
            Some((prev, _)) if *prev == rules => {}
            _ => last = Some((rules, Instant::now())),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// What the probe found.
pub struct Report {
    pub pod_pairs: usize,
    pub workload_pairs: BTreeSet<(String, String)>,
    pub tried: usize,
    pub open: usize,
    pub disagreements: Vec<String>,
    /// The connections found open, as `source pod -> ip:port`.
    pub open_set: BTreeSet<String>,
    /// The pods that reached the internet address.
    pub internet_open: Vec<String>,
    /// The pods that reached the API server (one of its endpoints).
    pub api_open: BTreeSet<String>,
    /// Connections tried to the API server.
    pub api_tried: usize,
}

fn workload(p: &Pod) -> Workload {
    let labels = p.labels().clone();
    let app = labels.get(govcloud::meta::labels::APP).cloned().unwrap_or_else(|| p.name_any());
    Workload {
        id: format!("Pod/{}/{}", p.namespace().unwrap_or_default(), p.name_any()),
        app,
        namespace: p.namespace().unwrap_or_default(),
        labels: labels.into_iter().collect(),
        ports: declared(p),
    }
}

fn names(net: &Network<'_>, w: &Workload, kind: &str) -> String {
    let n: Vec<&str> = net.selecting(w, kind).filter_map(|p| p.name()).collect();
    if n.is_empty() { "none (not isolated)".into() } else { n.join(", ") }
}

/// The connections tried from each pod (by index): every other pod on each
/// of its listener ports, the internet address, the API server's endpoints.
fn targets(pods: &[(Pod, DataplanePod)], api: &[Endpoint]) -> Vec<Vec<String>> {
    (0..pods.len())
        .map(|i| {
            (0..pods.len())
                .filter(|j| *j != i)
                .flat_map(|j| {
                    listener_ports(&pods[j].0).into_iter().map(move |port| format!("{}:{port}", pods[j].1.ip))
                })
                .chain([format!("{INTERNET}:{INTERNET_PORT}")])
                .chain(api.iter().map(ToString::to_string))
                .collect()
        })
        .collect()
}

/// What a connection goes to, as the probe tells them apart.
enum To {
    Pod(usize),
    Internet,
    ApiServer,
}

/// The audit's verdict on one connection from workload `a` to `target`
/// (`ip:port`): open or not, and the words for a disagreement.
fn decide(
    net: &Network<'_>,
    ws: &[Workload],
    by_ip: &BTreeMap<&str, usize>,
    a: &Workload,
    target: &str,
    to: &To,
) -> (bool, String) {
    let (ip, port) = target.rsplit_once(':').expect("ip:port");
    let port = port.parse::<i64>().expect("port");
    match to {
        To::Internet | To::ApiServer => {
            let (open, by) = net.egress(a, &Target::Ip(ip.parse().expect("address")), port, "TCP");
            let what = if matches!(to, To::Internet) { "the internet" } else { "the API server" };
            (
                open,
                format!(
                    "{} -> {what} ({target}): the audit says {} ({}); egress policies selecting the source: {}",
                    a.id,
                    if open { "open" } else { "blocked" },
                    by.as_deref().unwrap_or("-"),
                    names(net, a, "Egress"),
                ),
            )
        }
        To::Pod(_) => {
            let b = &ws[by_ip[ip]];
            let (out, by_out) = net.egress(a, &Target::Pod(b), port, "TCP");
            let (inn, by_in) = net.ingress(b, &Target::Pod(a), port, "TCP");
            (
                out && inn,
                format!(
                    "{} -> {} ({target}): the audit says {} (egress {}: {}; ingress {}: {}); \
                     egress policies selecting the source: {}; ingress policies selecting the target: {}",
                    a.id,
                    b.id,
                    if out && inn { "open" } else { "blocked" },
                    if out { "allowed" } else { "denied" },
                    by_out.as_deref().unwrap_or("-"),
                    if inn { "allowed" } else { "denied" },
                    by_in.as_deref().unwrap_or("-"),
                    names(net, a, "Egress"),
                    names(net, b, "Ingress"),
                ),
            )
        }
    }
}

fn to(target: &str, by_ip: &BTreeMap<&str, usize>, api: &BTreeSet<String>) -> To {
    let ip = target.rsplit_once(':').map_or(target, |(ip, _)| ip);
    if api.contains(target) {
        To::ApiServer
    } else if ip == INTERNET {
        To::Internet
    } else {
        To::Pod(by_ip[ip])
    }
}

/// The connections the audit's semantics over `net` say are open among
/// `pods` (the same connections [`probe_all`] tries), as `source pod -> ip:port`.
pub fn audit_open(net: &Network<'_>, pods: &[(Pod, DataplanePod)], api: &[Endpoint]) -> BTreeSet<String> {
    let ws: Vec<Workload> = pods.iter().map(|(p, _)| workload(p)).collect();
    let by_ip: BTreeMap<&str, usize> = pods.iter().enumerate().map(|(j, (_, d))| (d.ip.as_str(), j)).collect();
    let api_set: BTreeSet<String> = api.iter().map(ToString::to_string).collect();
    let mut out = BTreeSet::new();
    for (i, ts) in targets(pods, api).iter().enumerate() {
        for t in ts {
            if decide(net, &ws, &by_ip, &ws[i], t, &to(t, &by_ip, &api_set)).0 {
                out.insert(format!("{} -> {t}", ws[i].id));
            }
        }
    }
    out
}

/// Tries every pod to every other pod, on each declared TCP port and on
/// [`UNDECLARED_PORT`], to the internet address and to the API server's
/// endpoints (as `default/kubernetes` gives them), and compares each
/// outcome with the audit's verdict.
pub fn probe_all(net: &Network<'_>, pods: &[(Pod, DataplanePod)], api: &[Endpoint]) -> Report {
    let ws: Vec<Workload> = pods.iter().map(|(p, _)| workload(p)).collect();
    let all = targets(pods, api);
    let jobs: Vec<(usize, &Vec<String>)> = all.iter().enumerate().collect();
    let mut results: Vec<BTreeMap<String, String>> = vec![BTreeMap::new(); pods.len()];
    for chunk in jobs.chunks(PARALLEL) {
        std::thread::scope(|s| {
            let handles: Vec<_> = chunk.iter().map(|(i, t)| (*i, s.spawn(|| probe(&pods[*i].1.netns, t)))).collect();
            for (i, h) in handles {
                results[i] = h.join().expect("probe thread");
            }
        });
    }
    let by_ip: BTreeMap<&str, usize> = pods.iter().enumerate().map(|(j, (_, d))| (d.ip.as_str(), j)).collect();
    let api: BTreeSet<String> = api.iter().map(ToString::to_string).collect();
    let mut r = Report {
        pod_pairs: 0,
        workload_pairs: BTreeSet::new(),
        tried: 0,
        open: 0,
        disagreements: Vec::new(),
        open_set: BTreeSet::new(),
        internet_open: Vec::new(),
        api_open: BTreeSet::new(),
        api_tried: 0,
    };
    for (i, got) in results.iter().enumerate() {
        let a = &ws[i];
        r.pod_pairs += pods.len() - 1;
        for (target, outcome) in got {
            let observed = outcome == "open";
            let to = to(target, &by_ip, &api);
            let (expected, about) = decide(net, &ws, &by_ip, a, target, &to);
            r.tried += 1;
            r.open += usize::from(observed);
            if observed {
                r.open_set.insert(format!("{} -> {target}", a.id));
            }
            match to {
                To::ApiServer => {
                    r.api_tried += 1;
                    if observed {
                        r.api_open.insert(a.id.clone());
                    }
                }
                To::Internet if observed => r.internet_open.push(a.id.clone()),
                To::Internet => {}
                To::Pod(j) => {
                    let b = &ws[j];
                    r.workload_pairs
                        .insert((format!("{}/{}", a.namespace, a.app), format!("{}/{}", b.namespace, b.app)));
                }
            }
            if expected != observed {
                r.disagreements.push(format!("{about}, the packets say {outcome}"));
            }
        }
    }
    r
}
