//! The `govcloud` command (also usable as the kubectl plugin `kubectl-govcloud`).

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::api::{self, FlowState};
use crate::model::{LoadedModel, load_paths};
use crate::problem::{FileProblem, Problem};
use crate::render::{self, Owned, Rendered};

/// govcloud: zones, tenants and department apps of an e-government cloud,
/// isolated and proven.
#[derive(Parser, Debug)]
#[command(name = "govcloud", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the CustomResourceDefinitions as YAML (or write them to a directory).
    Crd {
        /// Write one file per CRD into this directory instead of printing.
        #[arg(long, value_name = "DIR")]
        output_dir: Option<PathBuf>,
    },
    /// Render the Kubernetes objects the operator would create for the given
    /// manifests: YAML on stdout, a summary on stderr.
    Render {
        /// A manifest file or a directory of them (read recursively); repeatable.
        #[arg(short = 'f', long = "filename", value_name = "PATH", required = true)]
        paths: Vec<PathBuf>,
        /// Print only the summary, not the objects.
        #[arg(long)]
        summary_only: bool,
        #[command(flatten)]
        cidrs: ClusterCidrs,
        /// Also render each zone's Admin-tier ClusterNetworkPolicies, as the
        /// operator does on a cluster that serves policy.networking.k8s.io.
        #[arg(long)]
        admin_tier: bool,
    },
    /// Audit compliance: every control, per tenant, zone and object, with
    /// evidence and the MLPS 2.0 mapping; live (kubeconfig) or offline (-f).
    Audit {
        /// Manifests to audit offline: govcloud resources plus any Kubernetes
        /// objects (for example the output of `govcloud render`). When only
        /// govcloud resources are given, what they render is audited.
        #[arg(short = 'f', long = "filename", value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
        format: AuditFormat,
        /// Language of the table and HTML report.
        #[arg(long, value_enum, default_value_t = crate::audit::output::Lang::En)]
        lang: crate::audit::output::Lang,
        /// Exit non-zero when a control of at least this severity fails.
        #[arg(long, value_enum, value_name = "SEVERITY")]
        fail_on: Option<SeverityArg>,
        /// Report API for `--format openreports`.
        #[arg(long, value_enum, default_value_t = crate::audit::output::ReportApi::Openreports)]
        report_api: crate::audit::output::ReportApi,
        /// Write the output to this file instead of stdout.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        cidrs: ClusterCidrs,
        #[command(flatten)]
        city: CityArgs,
    },
    /// Evaluate every department and district (绩效评估): cost-effectiveness,
    /// application effect, collaboration and sharing, security and
    /// confidentiality, each figure with how it is computed; live
    /// (kubeconfig) or offline (-f).
    Evaluate {
        /// Manifests to evaluate offline: govcloud resources (with their
        /// status, as `kubectl get -o yaml` prints them, for the figures that
        /// need it) plus any Kubernetes objects; with only govcloud resources,
        /// what they render is audited for the security axis.
        #[arg(short = 'f', long = "filename", value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Pod usage: a PodMetricsList (`kubectl get --raw /apis/metrics.k8s.io/v1beta1/pods`).
        /// Live, the cluster's metrics API is read when this is not given.
        #[arg(long, value_name = "FILE")]
        metrics: Option<PathBuf>,
        /// An earlier output of `govcloud evaluate --format json`, for trends; repeatable.
        #[arg(long, value_name = "FILE")]
        snapshot: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvaluateFormat::Table)]
        format: EvaluateFormat,
        /// Language of the table and HTML page.
        #[arg(long, value_enum, default_value_t = crate::audit::output::Lang::En)]
        lang: crate::audit::output::Lang,
        /// Evaluate as of this time (RFC 3339, for example 2026-12-31T00:00:00Z;
        /// default now): the ages of waiting requests count up to it.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// Write the output to this file instead of stdout.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        cidrs: ClusterCidrs,
        #[command(flatten)]
        city: CityArgs,
    },
    /// Print the catalogue of security and isolation controls as a Markdown table.
    Controls {
        /// Print instead every exemption in the admission policies: the one
        /// identity, the operations and resources it is for, and why.
        #[arg(long)]
        exemptions: bool,
    },
    /// Print the install manifests: CRDs, admission policies, namespace, RBAC and the operator Deployment.
    Manifests {
        /// Operator image.
        #[arg(long, default_value = "harbor.egov.local/govcloud/govcloud:0.1.0")]
        image: String,
        /// Namespace of the operator.
        #[arg(long, default_value = crate::meta::names::OPERATOR_NAMESPACE)]
        namespace: String,
        /// Print only the admission policies and their bindings (the Helm chart's template).
        #[arg(long)]
        admission_only: bool,
    },
    /// Run the operator against the cluster of the current kubeconfig (or in-cluster).
    Run {
        /// Manage only govcloud resources with these labels (`key=value,...`).
        #[arg(long, value_name = "SELECTOR")]
        selector: Option<String>,
        /// Serve /metrics, /healthz and /readyz here; `off` disables.
        #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:8080")]
        metrics_address: String,
        /// Install or update the CRDs before starting.
        #[arg(long)]
        install_crds: bool,
        /// Log format.
        #[arg(long, value_enum, default_value_t = LogFormat::Text)]
        log_format: LogFormat,
        /// Namespace the operator runs in: its service accounts may change govcloud-managed objects.
        #[arg(long, default_value = crate::meta::names::OPERATOR_NAMESPACE)]
        operator_namespace: String,
        /// Seconds between full resyncs of every object (and compliance reports).
        #[arg(long, value_name = "SECONDS", default_value_t = 300)]
        resync_seconds: u64,
        /// Days a decided ResourceRequest is kept for the record (departments
        /// cannot delete it) before the operator removes it.
        #[arg(long, value_name = "DAYS", default_value_t = 365, value_parser = clap::value_parser!(u64).range(1..=36500))]
        request_retention_days: u64,
        /// Which report API the compliance reports use; `off` disables them.
        #[arg(long, value_enum, default_value_t = ReportsArg::Openreports)]
        reports: ReportsArg,
        #[command(flatten)]
        cidrs: ClusterCidrs,
        /// Elect a leader among replicas with a Lease in the operator
        /// namespace: only the holder reconciles and writes; the others keep
        /// their caches warm and take over when it goes.
        #[arg(long)]
        leader_elect: bool,
        /// Name of the Lease used for leader election.
        #[arg(long, default_value = crate::meta::names::LEADER_LEASE)]
        leader_lease: String,
        /// Seconds a lease lasts without renewal (the longest a takeover
        /// waits when a leader dies without releasing it).
        #[arg(long, default_value_t = 15)]
        leader_lease_seconds: u64,
        /// Seconds before expiry when the leader renews (also the clock skew tolerated).
        #[arg(long, default_value_t = 5)]
        leader_renew_grace_seconds: u64,
    },
    /// Decide a department's ResourceRequest (as a platform engineer bound to
    /// the govcloud-request-approver role): writes its status.decision.
    Request {
        #[command(subcommand)]
        action: RequestAction,
    },
    /// Start a local real control plane, install govcloud, apply a model
    /// (default examples/chifeng), wait until it is Ready, show it, keep running.
    #[cfg(feature = "dev")]
    Dev {
        /// Model to apply.
        #[arg(short = 'f', long = "filename", value_name = "PATH", default_value = "examples/chifeng")]
        paths: Vec<PathBuf>,
        /// Where the control plane keeps its state and logs.
        #[arg(long, value_name = "DIR", default_value = "target/dev")]
        dir: PathBuf,
        /// Exit after printing the summary instead of running until Ctrl-C (the control plane keeps running).
        #[arg(long)]
        no_wait: bool,
    },
}

/// A decision on a ResourceRequest.
#[derive(Subcommand, Debug)]
enum RequestAction {
    /// Approve the request: it takes effect (a surge for its minutes from now).
    Approve {
        /// The request, as NAMESPACE/NAME.
        #[arg(value_name = "NAMESPACE/NAME")]
        request: String,
        /// Why (kept in the request's status and history).
        #[arg(long)]
        reason: String,
    },
    /// Reject the request: nothing changes.
    Reject {
        /// The request, as NAMESPACE/NAME.
        #[arg(value_name = "NAMESPACE/NAME")]
        request: String,
        /// Why (kept in the request's status and history).
        #[arg(long)]
        reason: String,
    },
}

/// The cluster's own address ranges.
#[derive(clap::Args, Debug)]
pub struct ClusterCidrs {
    /// The cluster's pod and service ranges, comma-separated: wide ipBlocks
    /// (the internet, egress ranges) except them, so a CNI that matches pod IPs
    /// against ipBlocks opens nothing extra.
    #[arg(long = "cluster-cidrs", value_name = "CIDR,...", value_delimiter = ',', value_parser = parse_network,
          default_values_t = crate::model::DEFAULT_CLUSTER_CIDRS.map(String::from))]
    pub cluster_cidrs: Vec<String>,
    /// The cluster, in a city of several: the zones whose `spec.cluster` is
    /// NAME are hosted there (an empty NAME: the zones that name none).
    /// `run` without it hosts the zones that name no cluster; `render`
    /// without it renders every cluster the model names, one after another.
    #[arg(long, value_name = "NAME", value_parser = parse_cluster)]
    pub cluster: Option<String>,
}

impl ClusterCidrs {
    /// The cluster given: `None` when not given, `Some(None)` for the
    /// cluster without a name (`--cluster ''`).
    pub fn cluster(&self) -> Option<Option<String>> {
        self.cluster.as_ref().map(|c| (!c.is_empty()).then(|| c.clone()))
    }
}

/// The clusters of a city, read live: `govcloud audit` merges their audits
/// into one report, `govcloud evaluate` evaluates each tenant once over them.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CityArgs {
    /// A cluster of the city to read live, through a kubeconfig file (its
    /// context CONTEXT, else its current one); NAME is the cluster's name in
    /// the zones' spec.cluster (empty: the cluster without a name).
    /// Repeatable, with --cluster-context: every cluster given is read with
    /// its model and the results merged into one.
    #[arg(long = "cluster-kubeconfig", value_name = "NAME=PATH[#CONTEXT]", value_parser = parse_cluster_kubeconfig)]
    pub cluster_kubeconfig: Vec<ClusterSource>,
    /// A cluster of the city to read live, through a context of the default
    /// kubeconfig (KUBECONFIG or ~/.kube/config). Repeatable.
    #[arg(long = "cluster-context", value_name = "NAME=CONTEXT", value_parser = parse_cluster_context)]
    pub cluster_context: Vec<ClusterSource>,
}

impl CityArgs {
    /// The clusters given, checked against the other flags: none (not a
    /// city), or each once, without -f or --cluster.
    fn sources(self, paths: &[PathBuf], cidrs: &ClusterCidrs) -> Result<Vec<ClusterSource>, CliError> {
        let sources: Vec<ClusterSource> = self.cluster_kubeconfig.into_iter().chain(self.cluster_context).collect();
        if sources.is_empty() {
            return Ok(sources);
        }
        if !paths.is_empty() {
            return Err(CliError::Input(
                "--cluster-kubeconfig and --cluster-context read live clusters; -f reads files: give one or the other"
                    .into(),
            ));
        }
        if cidrs.cluster.is_some() {
            return Err(CliError::Input(
                "--cluster names one cluster; --cluster-kubeconfig and --cluster-context name each cluster of the city: give one or the other".into(),
            ));
        }
        for (i, s) in sources.iter().enumerate() {
            if let Some(o) = sources[..i].iter().find(|o| o.name == s.name) {
                return Err(CliError::Input(format!(
                    "{} and {} name the same cluster: give each cluster of the city once",
                    o.flag(),
                    s.flag()
                )));
            }
        }
        Ok(sources)
    }
}

/// A cluster name: a DNS label, as `spec.cluster` of a NetworkZone; empty for the cluster without a name.
fn parse_cluster(s: &str) -> Result<String, String> {
    let ok = s.is_empty()
        || (s.len() <= 40
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "{s:?} is not a cluster name: use the spec.cluster of a NetworkZone, a DNS label such as private-cloud"
        ))
    }
}

/// Where to reach one cluster of a city: `--cluster-kubeconfig` or `--cluster-context`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterSource {
    /// The cluster's name (`None`: the cluster without a name).
    pub name: Option<String>,
    /// The kubeconfig file; `None`: the default kubeconfig.
    pub kubeconfig: Option<PathBuf>,
    /// The context; `None`: the file's current context.
    pub context: Option<String>,
}

impl ClusterSource {
    /// The flag and value it came from, for error messages.
    fn flag(&self) -> String {
        let name = self.name.as_deref().unwrap_or_default();
        match (&self.kubeconfig, &self.context) {
            (Some(path), Some(c)) => format!("--cluster-kubeconfig {name}={}#{c}", path.display()),
            (Some(path), None) => format!("--cluster-kubeconfig {name}={}", path.display()),
            (None, c) => format!("--cluster-context {name}={}", c.as_deref().unwrap_or_default()),
        }
    }
}

/// `NAME=PATH[#CONTEXT]`.
fn parse_cluster_kubeconfig(s: &str) -> Result<ClusterSource, String> {
    let Some((name, rest)) = s.split_once('=') else {
        return Err(format!(
            "{s:?} names no cluster: write NAME=PATH[#CONTEXT], for example private=/etc/govcloud/private.kubeconfig (=PATH for the cluster without a name)"
        ));
    };
    let name = parse_cluster(name)?;
    let (path, context) = match rest.split_once('#') {
        Some((p, c)) => (p, Some(c)),
        None => (rest, None),
    };
    if path.is_empty() {
        return Err(format!("{s:?} gives no kubeconfig file after '=': write NAME=PATH[#CONTEXT]"));
    }
    if context.is_some_and(str::is_empty) {
        return Err(format!(
            "{s:?} gives an empty context after '#': name one, or leave out '#' to use the file's current context"
        ));
    }
    Ok(ClusterSource {
        name: (!name.is_empty()).then_some(name),
        kubeconfig: Some(PathBuf::from(path)),
        context: context.map(String::from),
    })
}

/// `NAME=CONTEXT`.
fn parse_cluster_context(s: &str) -> Result<ClusterSource, String> {
    let Some((name, context)) = s.split_once('=').filter(|(_, c)| !c.is_empty()) else {
        return Err(format!(
            "{s:?} is not NAME=CONTEXT: write for example private=private-admin@private (=CONTEXT for the cluster without a name)"
        ));
    };
    let name = parse_cluster(name)?;
    Ok(ClusterSource { name: (!name.is_empty()).then_some(name), kubeconfig: None, context: Some(context.to_string()) })
}

/// A client for one cluster of a city, its kubeconfig and context checked
/// first so that a wrong flag is named, not a connection error.
async fn city_client(source: &ClusterSource) -> Result<kube::Client, CliError> {
    use kube::config::{KubeConfigOptions, Kubeconfig};
    let flag = source.flag();
    let kubeconfig = match &source.kubeconfig {
        Some(path) => Kubeconfig::read_from(path).map_err(|e| {
            CliError::Input(format!("{flag}: cannot read the kubeconfig {}: {e}; give the path of that cluster's kubeconfig file", path.display()))
        })?,
        None => Kubeconfig::read().map_err(|e| {
            CliError::Input(format!(
                "{flag}: cannot read the default kubeconfig: {e}; set KUBECONFIG, or give the file with --cluster-kubeconfig NAME=PATH#CONTEXT"
            ))
        })?,
    };
    if let Some(context) = &source.context
        && !kubeconfig.contexts.iter().any(|c| &c.name == context)
    {
        let known: Vec<&str> = kubeconfig.contexts.iter().map(|c| c.name.as_str()).collect();
        return Err(CliError::Input(format!(
            "{flag}: the kubeconfig has no context {context:?}; use one of: {}",
            if known.is_empty() { "(none)".to_string() } else { known.join(", ") }
        )));
    }
    let options = KubeConfigOptions { context: source.context.clone(), ..Default::default() };
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| CliError::Input(format!("{flag}: {e}")))?;
    kube::Client::try_from(config).map_err(|e| CliError::Cluster(format!("{flag}: cannot build a client: {e}")))
}

/// Audits every cluster given, live, each with the model it holds, into one report.
async fn live_city(sources: &[ClusterSource], cluster_cidrs: &[String]) -> Result<crate::audit::Audit, CliError> {
    let mut audits = Vec::new();
    for source in sources {
        let client = city_client(source).await?;
        let (model, objects) =
            crate::operator::live_inventory(&client, "", cluster_cidrs, source.name.as_deref()).await.map_err(|e| {
                CliError::Cluster(format!(
                    "{}: cannot read {}: {e}; check that the kubeconfig's server is up and reachable from here",
                    source.flag(),
                    render::cluster_label(source.name.as_deref())
                ))
            })?;
        let audit = crate::audit::audit(&model, &objects);
        audits.push((source.name.clone(), model, audit));
    }
    Ok(crate::audit::city(audits))
}

/// Offline, a model that names several clusters and no `--cluster`: what it
/// renders for each cluster, audited and merged into one report; `None` when
/// it names one cluster at most.
fn offline_city(paths: &[PathBuf], cluster_cidrs: &[String]) -> Result<Option<crate::audit::Audit>, CliError> {
    let Ok((loaded, objects)) = crate::model::load_mixed(paths) else {
        // offline_inventory reports the problems.
        return Ok(None);
    };
    let clusters = loaded.model.clusters();
    if clusters.len() < 2 {
        return Ok(None);
    }
    let names: Vec<String> = clusters.iter().map(|c| render::cluster_label(c.as_deref())).collect();
    if !objects.is_empty() {
        return Err(CliError::Input(format!(
            "the model's zones run in {}, and objects were given: say which cluster they come from with --cluster NAME, or give only the model to audit what it renders in every cluster",
            names.join(" and ")
        )));
    }
    let mut audits = Vec::new();
    for cluster in clusters {
        let (model, objects, _) = offline_inventory(paths, cluster_cidrs, cluster.as_deref())?;
        let audit = crate::audit::audit(&model, &objects);
        audits.push((cluster, model, audit));
    }
    Ok(Some(crate::audit::city(audits)))
}

/// A CIDR written as its network address (`10.244.0.0/16`).
fn parse_network(s: &str) -> Result<String, String> {
    let net: ipnet::IpNet =
        s.trim().parse().map_err(|e| format!("{s:?} is not a CIDR ({e}); write for example 10.244.0.0/16"))?;
    if net.trunc() != net {
        return Err(format!("{s:?} is not a network address; did you mean {}?", net.trunc()));
    }
    Ok(net.to_string())
}

/// Compliance report API of the operator.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ReportsArg {
    /// openreports.io/v1alpha1 Report and ClusterReport.
    Openreports,
    /// wgpolicyk8s.io/v1alpha2 PolicyReport and ClusterPolicyReport.
    Wgpolicy,
    /// No reports.
    Off,
}

/// Audit output formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum AuditFormat {
    /// A table for the terminal.
    Table,
    /// One JSON document.
    Json,
    /// OpenReports (or PolicyReport) YAML.
    Openreports,
    /// A self-contained HTML page.
    Html,
}

/// Output format of `govcloud evaluate`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum EvaluateFormat {
    /// A terminal table.
    Table,
    /// JSON (readable back with --snapshot).
    Json,
    /// A self-contained HTML page with charts.
    Html,
}

/// Severity threshold for `--fail-on`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum SeverityArg {
    /// Low and above.
    Low,
    /// Medium and above.
    Medium,
    /// High and above.
    High,
    /// Critical only.
    Critical,
}

/// How logs are written.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The log filter when `RUST_LOG` is not set. kube's client logs every
/// failed request at error level; govcloud logs each failure once where it
/// matters (the reconcile, watch or report that failed, with the object), so
/// an outage of the API server costs a few lines per object, not one per request.
pub const DEFAULT_LOG_FILTER: &str = "info,kube=warn,kube_client=off";

/// Initialises tracing (`RUST_LOG` overrides [`DEFAULT_LOG_FILTER`]).
pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG_FILTER));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Errors the CLI reports before exiting non-zero.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Some input was wrong; each problem has been printed.
    #[error("{0} problem(s) found; nothing was rendered")]
    Invalid(usize),
    /// Writing output failed.
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
    /// Serialising output failed.
    #[error("cannot serialise output: {0}")]
    Yaml(#[from] serde_yaml::Error),
    /// Talking to the cluster failed.
    #[error("{0}")]
    Cluster(String),
    /// An input file or argument is wrong.
    #[error("{0}")]
    Input(String),
    /// The audit found failures at or above the threshold.
    #[error("{0} failed check(s) at severity {1} or above")]
    NonCompliant(usize, String),
}

/// Runs the CLI; returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Crd { output_dir } => crd(output_dir),
        Command::Render { paths, summary_only, cidrs, admin_tier } => {
            render_cmd(&paths, summary_only, &cidrs.cluster_cidrs, cidrs.cluster(), admin_tier)
        }
        Command::Audit { paths, format, lang, fail_on, report_api, output, cidrs, city } => {
            let sources = city.sources(&paths, &cidrs)?;
            let audit = audited(&paths, &cidrs, &sources)?;
            audit_cmd(&audit, format, lang, fail_on, report_api, output)
        }
        Command::Evaluate { paths, metrics, snapshot, format, lang, at, output, cidrs, city } => {
            let sources = city.sources(&paths, &cidrs)?;
            let source = Source { paths: &paths, cluster: cidrs.cluster().flatten(), city: &sources };
            evaluate_cmd(
                &source,
                metrics.as_deref(),
                &snapshot,
                format,
                lang,
                at.as_deref(),
                output,
                &cidrs.cluster_cidrs,
            )
        }
        Command::Controls { exemptions } => {
            print!(
                "{}",
                if exemptions { crate::controls::custody::markdown() } else { crate::controls::markdown_table() }
            );
            Ok(())
        }
        Command::Manifests { image, namespace, admission_only } => {
            if admission_only {
                print!("{}", docs_yaml(&crate::operator::admission_policies(&namespace))?);
            } else {
                print!("{}", manifests_yaml(&image, &namespace)?);
            }
            Ok(())
        }
        Command::Run {
            selector,
            metrics_address,
            install_crds,
            log_format,
            resync_seconds,
            request_retention_days,
            operator_namespace,
            reports,
            cidrs,
            leader_elect,
            leader_lease,
            leader_lease_seconds,
            leader_renew_grace_seconds,
        } => {
            init_tracing(log_format);
            let election = leader_elect
                .then(|| crate::operator::LeaderElection {
                    lease: leader_lease,
                    duration: leader_lease_seconds,
                    grace: leader_renew_grace_seconds,
                    ..crate::operator::LeaderElection::new(&operator_namespace)
                })
                .map(|e| e.validate().map(|()| e))
                .transpose()
                .map_err(CliError::Cluster)?;
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async {
                let config = kube::Config::infer().await.map_err(|e| {
                    CliError::Cluster(format!("no cluster to talk to: {e}; set KUBECONFIG or run in a pod"))
                })?;
                let metrics = crate::operator::Metrics::default();
                let build = |config: kube::Config| {
                    kube::client::ClientBuilder::try_from(config)
                        .map(|b| b.with_layer(&crate::operator::CountRequests(metrics.clone())).build())
                        .map_err(|e| CliError::Cluster(format!("cannot build a client: {e}")))
                };
                let client = build(config.clone())?;
                let leader = match election {
                    Some(election) => {
                        // The election's own client gives up on a request well
                        // before the lease could pass to another replica.
                        let mut c = config.clone();
                        let t = election.request_timeout();
                        (c.connect_timeout, c.read_timeout, c.write_timeout) = (Some(t), Some(t), Some(t));
                        Some(crate::operator::Leader { election, client: build(c)? })
                    }
                    None => None,
                };
                if install_crds {
                    crate::operator::install_crds(&client, &operator_namespace)
                        .await
                        .map_err(|e| CliError::Cluster(format!("installing CRDs: {e}")))?;
                }
                let metrics_address = (metrics_address != "off").then_some(metrics_address);
                crate::operator::run(
                    client,
                    crate::operator::Options {
                        selector,
                        metrics_address,
                        resync: Some(std::time::Duration::from_secs(resync_seconds.max(1))),
                        reports: match reports {
                            ReportsArg::Openreports => Some(crate::audit::output::ReportApi::Openreports),
                            ReportsArg::Wgpolicy => Some(crate::audit::output::ReportApi::Wgpolicy),
                            ReportsArg::Off => None,
                        },
                        cluster: cidrs.cluster().flatten(),
                        cluster_cidrs: Some(cidrs.cluster_cidrs),
                        leader,
                        metrics: Some(metrics),
                        request_retention: Some(std::time::Duration::from_secs(request_retention_days * 24 * 3600)),
                    },
                )
                .await
                .map_err(|e| CliError::Cluster(e.to_string()))
            })
        }
        Command::Request { action } => {
            let (request, reason, state) = match action {
                RequestAction::Approve { request, reason } => (request, reason, crate::api::DecisionState::Approved),
                RequestAction::Reject { request, reason } => (request, reason, crate::api::DecisionState::Rejected),
            };
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(decide(&request, &reason, state))
        }
        #[cfg(feature = "dev")]
        Command::Dev { paths, dir, no_wait } => {
            init_tracing(LogFormat::Text);
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(crate::dev::run(&paths, &dir, no_wait)).map_err(CliError::Cluster)
        }
    }
}

/// Writes a decision into a request's status (the API server records who
/// decided, refuses the requester and keeps the decision final).
async fn decide(request: &str, reason: &str, state: crate::api::DecisionState) -> Result<(), CliError> {
    let Some((namespace, name)) =
        request.split_once('/').filter(|(n, m)| !n.is_empty() && !m.is_empty() && !m.contains('/'))
    else {
        return Err(CliError::Cluster(format!(
            "request {request:?}: name it as NAMESPACE/NAME, for example health-extranet/more-cpu"
        )));
    };
    if reason.trim().is_empty() {
        return Err(CliError::Cluster("--reason: say why the request is approved or rejected".into()));
    }
    let client = kube::Client::try_default()
        .await
        .map_err(|e| CliError::Cluster(format!("no cluster to talk to: {e}; set KUBECONFIG")))?;
    let api: kube::Api<crate::api::ResourceRequest> = kube::Api::namespaced(client, namespace);
    let patch = serde_json::json!({"status": {"decision": {"state": state, "reason": reason}}});
    api.patch_status(name, &kube::api::PatchParams::default(), &kube::api::Patch::Merge(&patch))
        .await
        .map_err(|e| CliError::Cluster(format!("ResourceRequest {namespace}/{name}: {e}")))?;
    println!("ResourceRequest {namespace}/{name}: {state:?}");
    Ok(())
}

/// The audit `govcloud audit` reports: of the cluster of the kubeconfig, of
/// every cluster given (`--cluster-kubeconfig`, `--cluster-context`) merged
/// into one, or offline of the files given (one cluster with `--cluster`;
/// every cluster the model names, merged, without it).
fn audited(
    paths: &[PathBuf],
    cidrs: &ClusterCidrs,
    sources: &[ClusterSource],
) -> Result<crate::audit::Audit, CliError> {
    let cluster_cidrs = &cidrs.cluster_cidrs;
    if !sources.is_empty() {
        let rt = tokio::runtime::Runtime::new()?;
        return rt.block_on(live_city(sources, cluster_cidrs));
    }
    let cluster = cidrs.cluster();
    if paths.is_empty() {
        let cluster = cluster.flatten();
        let rt = tokio::runtime::Runtime::new()?;
        return rt.block_on(async {
            let client = kube::Client::try_default().await.map_err(|e| {
                CliError::Cluster(format!("no cluster to audit: {e}; set KUBECONFIG, or audit manifests with -f"))
            })?;
            crate::operator::live_audit(&client, cluster_cidrs, cluster.as_deref())
                .await
                .map_err(|e| CliError::Cluster(e.to_string()))
        });
    }
    if cluster.is_none()
        && let Some(audit) = offline_city(paths, cluster_cidrs)?
    {
        return Ok(audit);
    }
    let (model, objects, _) = offline_inventory(paths, cluster_cidrs, cluster.flatten().as_deref())?;
    Ok(crate::audit::audit(&model, &objects))
}

fn audit_cmd(
    audit: &crate::audit::Audit,
    format: AuditFormat,
    lang: crate::audit::output::Lang,
    fail_on: Option<SeverityArg>,
    api: crate::audit::output::ReportApi,
    output: Option<PathBuf>,
) -> Result<(), CliError> {
    use crate::audit::output;
    let text = match format {
        AuditFormat::Table => output::table(audit, lang),
        AuditFormat::Json => {
            serde_json::to_string_pretty(&output::json(audit)).map_err(|e| CliError::Cluster(e.to_string()))? + "\n"
        }
        AuditFormat::Openreports => docs_yaml(&output::reports(audit, api, &Default::default()))?,
        AuditFormat::Html => output::html(audit, lang),
    };
    match output {
        Some(path) => std::fs::write(&path, text)?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    if let Some(threshold) = fail_on {
        use crate::controls::Severity;
        let sev = match threshold {
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        };
        let failed = audit.failures_at_or_above(sev);
        if !failed.is_empty() {
            return Err(CliError::NonCompliant(failed.len(), format!("{threshold:?}").to_lowercase()));
        }
    }
    Ok(())
}

/// The model and the objects to audit, from files: the objects given, or
/// when none are, what the model renders (platform objects included).
/// The model (approved requests folded in), the objects, and the
/// ResourceRequests as filed.
type Inventory = (crate::model::Model, Vec<serde_json::Value>, Vec<crate::api::ResourceRequest>);

fn offline_inventory(
    paths: &[PathBuf],
    cluster_cidrs: &[String],
    cluster: Option<&str>,
) -> Result<Inventory, CliError> {
    let (mut loaded, mut objects) = match crate::model::load_mixed(paths) {
        Ok(r) => r,
        Err(problems) => {
            for p in &problems {
                eprintln!("error: {p}");
            }
            return Err(CliError::Invalid(problems.len()));
        }
    };
    loaded.model.cluster_cidrs = cluster_cidrs.to_vec();
    loaded.model.cluster = cluster.map(String::from);
    // As granted now: an approved request's quota is no drift.
    let requests = loaded.model.requests.clone();
    render::grant_requests(&mut loaded.model, k8s_openapi::jiff::Timestamp::now());
    if objects.is_empty() {
        let rendered = render::render(&loaded.model);
        for o in render::render_platform().iter().chain(rendered.objects.iter()) {
            objects.push(serde_json::to_value(o).map_err(|e| CliError::Cluster(e.to_string()))?);
        }
    }
    // The requests as filed and decided are audited too (GC-REQ-001).
    for r in &requests {
        objects.push(serde_json::to_value(r).map_err(|e| CliError::Cluster(e.to_string()))?);
    }
    // Objects from a cluster that serves ClusterNetworkPolicy: govcloud's are expected among them.
    loaded.model.admin_tier = crate::audit::serves_admin_tier(&objects);
    Ok((loaded.model, objects, requests))
}

/// What `govcloud evaluate` reads: files (`-f`), the clusters of a city, or
/// the cluster of the kubeconfig (`--cluster` names it).
struct Source<'a> {
    paths: &'a [PathBuf],
    cluster: Option<String>,
    city: &'a [ClusterSource],
}

/// What an evaluation is made of, as read.
struct EvaluationInputs {
    model: crate::model::Model,
    objects: Vec<serde_json::Value>,
    requests: Vec<crate::api::ResourceRequest>,
    usage: Option<Vec<crate::evaluate::PodUsage>>,
    repairs: Option<std::collections::BTreeMap<String, u64>>,
    /// The city's audit, when several clusters were read.
    audit: Option<crate::audit::Audit>,
}

/// Reads every cluster of the city for its evaluation: each cluster's model,
/// objects, requests, usage and repairs, put together as one
/// ([`crate::evaluate::city::city_model`]): each app's status, each quota and
/// each request from the cluster hosting its zone; usage only when every
/// cluster gives it; repairs summed; the city's audit for the security axis.
async fn city_evaluation(
    sources: &[ClusterSource],
    cluster_cidrs: &[String],
    read_usage: bool,
) -> Result<EvaluationInputs, CliError> {
    let mut read = Vec::new();
    for source in sources {
        let client = city_client(source).await?;
        let name = source.name.as_deref();
        let failed = |what: &str, e: &dyn std::fmt::Display| {
            CliError::Cluster(format!(
                "{}: cannot read {} of {}: {e}; check that the kubeconfig's server is up and reachable from here",
                source.flag(),
                what,
                render::cluster_label(name)
            ))
        };
        let (model, objects) = crate::operator::live_inventory(&client, "", cluster_cidrs, name)
            .await
            .map_err(|e| failed("the objects", &e))?;
        let requests: Vec<crate::api::ResourceRequest> = kube::Api::<crate::api::ResourceRequest>::all(client.clone())
            .list(&Default::default())
            .await
            .map_err(|e| failed("the ResourceRequests", &e))?
            .items;
        let usage = if read_usage { crate::operator::live_usage(&client, &objects).await } else { None };
        let repairs = match crate::operator::live_repairs(&client, &model).await {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!(
                    "warning: {}: cannot read the Repaired Events ({e}); drift repairs are left uncounted",
                    source.flag()
                );
                None
            }
        };
        read.push((source.name.clone(), model, objects, requests, usage, repairs));
    }
    let parts: Vec<crate::evaluate::city::ClusterModel<'_>> = read.iter().map(|(n, m, ..)| (n.as_deref(), m)).collect();
    let model = crate::evaluate::city::city_model(&parts)
        .ok_or_else(|| CliError::Input("name at least one cluster of the city".into()))?;
    let requests = read
        .iter()
        .flat_map(|(n, _, _, requests, ..)| {
            let city = &parts[0].1;
            requests.iter().filter(move |r| {
                crate::evaluate::city::hosts_namespace(
                    city,
                    n.as_deref(),
                    &kube::ResourceExt::namespace(*r).unwrap_or_default(),
                )
            })
        })
        .cloned()
        .collect();
    let usage = read.iter().map(|(.., u, _)| u.clone()).collect::<Option<Vec<_>>>().map(|u| u.concat());
    let repairs = read.iter().map(|(.., r)| r.clone()).collect::<Option<Vec<_>>>().map(|rs| {
        rs.into_iter().flatten().fold(
            std::collections::BTreeMap::new(),
            |mut sum: std::collections::BTreeMap<String, u64>, (t, n)| {
                *sum.entry(t).or_default() += n;
                sum
            },
        )
    });
    let audits =
        read.iter().map(|(n, m, objects, ..)| (n.clone(), m.clone(), crate::audit::audit(m, objects))).collect();
    let objects = read.into_iter().flat_map(|(_, _, objects, ..)| objects).collect();
    Ok(EvaluationInputs { model, objects, requests, usage, repairs, audit: Some(crate::audit::city(audits)) })
}

// The command's flags, one argument each.
#[allow(clippy::too_many_arguments)]
fn evaluate_cmd(
    source: &Source<'_>,
    metrics: Option<&std::path::Path>,
    snapshots: &[PathBuf],
    format: EvaluateFormat,
    lang: crate::audit::output::Lang,
    at: Option<&str>,
    output: Option<PathBuf>,
    cluster_cidrs: &[String],
) -> Result<(), CliError> {
    let (paths, cluster) = (source.paths, source.cluster.as_deref());
    use crate::evaluate::{self, Evaluation};
    let now = match at {
        Some(t) => t.parse::<k8s_openapi::jiff::Timestamp>().map_err(|e| {
            CliError::Input(format!("--at {t:?}: {e}; give an RFC 3339 time such as 2026-12-31T00:00:00Z"))
        })?,
        None => k8s_openapi::jiff::Timestamp::now(),
    };
    // Earlier evaluations first: a bad snapshot is reported before any cluster is read.
    let mut earlier: Vec<Evaluation> = Vec::new();
    for p in snapshots {
        let text = std::fs::read_to_string(p)
            .map_err(|e| CliError::Input(format!("--snapshot {}: cannot read: {e}", p.display())))?;
        let e: Evaluation = serde_json::from_str(&text).map_err(|e| {
            CliError::Input(format!(
                "--snapshot {}: line {}, column {}: {e}; give a file written by `govcloud evaluate --format json`",
                p.display(),
                e.line(),
                e.column()
            ))
        })?;
        earlier.push(e);
    }
    let metrics_text = match metrics {
        Some(p) => Some((
            p.display().to_string(),
            std::fs::read_to_string(p)
                .map_err(|e| CliError::Input(format!("--metrics {}: cannot read: {e}", p.display())))?,
        )),
        None => None,
    };
    let inputs = if !source.city.is_empty() {
        let rt = tokio::runtime::Runtime::new()?;
        rt.block_on(city_evaluation(source.city, cluster_cidrs, metrics_text.is_none()))?
    } else if paths.is_empty() {
        let rt = tokio::runtime::Runtime::new()?;
        rt.block_on(async {
            let client = kube::Client::try_default().await.map_err(|e| {
                CliError::Cluster(format!("no cluster to evaluate: {e}; set KUBECONFIG, or evaluate manifests with -f"))
            })?;
            let (model, objects) = crate::operator::live_inventory(&client, "", cluster_cidrs, cluster)
                .await
                .map_err(|e| CliError::Cluster(e.to_string()))?;
            let requests = kube::Api::<crate::api::ResourceRequest>::all(client.clone())
                .list(&Default::default())
                .await
                .map_err(|e| CliError::Cluster(format!("cannot list ResourceRequests: {e}")))?
                .items;
            let usage =
                if metrics_text.is_none() { crate::operator::live_usage(&client, &objects).await } else { None };
            let repairs = match crate::operator::live_repairs(&client, &model).await {
                Ok(r) => Some(r),
                Err(e) => {
                    eprintln!("warning: cannot read the Repaired Events ({e}); drift repairs are left uncounted");
                    None
                }
            };
            Ok::<_, CliError>(EvaluationInputs { model, objects, requests, usage, repairs, audit: None })
        })?
    } else {
        let (model, objects, requests) = offline_inventory(paths, cluster_cidrs, cluster)?;
        EvaluationInputs { model, objects, requests, usage: None, repairs: None, audit: None }
    };
    let EvaluationInputs { model, objects, requests, usage: live_usage, repairs, audit } = inputs;
    let usage = match &metrics_text {
        Some((name, text)) => Some(evaluate::usage::parse_pod_metrics(name, text, &objects).map_err(CliError::Input)?),
        None => live_usage,
    };
    let audit = audit.unwrap_or_else(|| crate::audit::audit(&model, &objects));
    let mut pending = evaluate::pending_flow_requests(&model, &audit);
    pending.extend(evaluate::pending_resource_requests(&requests));
    let e = evaluate::evaluate(evaluate::Inputs {
        model: &model,
        audit: &audit,
        usage: usage.as_deref(),
        repairs: repairs.as_ref(),
        pending: &pending,
        earlier: &earlier,
        now,
    });
    let text = match format {
        EvaluateFormat::Table => evaluate::output::table(&e, lang),
        EvaluateFormat::Json => {
            serde_json::to_string_pretty(&evaluate::output::json(&e)).map_err(|e| CliError::Cluster(e.to_string()))?
                + "\n"
        }
        EvaluateFormat::Html => evaluate::output::html(&e, lang),
    };
    match output {
        Some(path) => std::fs::write(&path, text)?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(())
}

/// The install manifests as multi-document YAML, exactly as `deploy/govcloud.yaml` holds them.
pub fn manifests_yaml(image: &str, namespace: &str) -> Result<String, serde_yaml::Error> {
    docs_yaml(&crate::operator::install::manifests(image, namespace))
}

/// Multi-document YAML with a do-not-edit header.
pub fn docs_yaml(docs: &[serde_json::Value]) -> Result<String, serde_yaml::Error> {
    let mut text = String::from("# Generated by `govcloud manifests`; do not edit.\n");
    for m in docs {
        text.push_str("---\n");
        text.push_str(&serde_yaml::to_string(m)?);
    }
    Ok(text)
}

/// The CRDs as multi-document YAML, exactly as `crds/` holds them.
pub fn crd_yaml() -> Result<Vec<(String, String)>, serde_yaml::Error> {
    api::crds()
        .into_iter()
        .map(|c| Ok((format!("{}.yaml", c.metadata.name.clone().unwrap_or_default()), serde_yaml::to_string(&c)?)))
        .collect()
}

fn crd(output_dir: Option<PathBuf>) -> Result<(), CliError> {
    let docs = crd_yaml()?;
    match output_dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)?;
            for (file, yaml) in docs {
                let path = dir.join(file);
                std::fs::write(&path, yaml)?;
                eprintln!("wrote {}", path.display());
            }
        }
        None => {
            let mut out = std::io::stdout().lock();
            for (_, yaml) in docs {
                writeln!(out, "---")?;
                out.write_all(yaml.as_bytes())?;
            }
        }
    }
    Ok(())
}

/// Loads and renders (for a cluster whose pod and service ranges are
/// `cluster_cidrs`), turning every problem (invalid or unresolved) into an error.
pub fn render_strict(
    paths: &[PathBuf],
    cluster_cidrs: &[String],
    cluster: Option<&str>,
) -> Result<(LoadedModel, Rendered), Vec<FileProblem>> {
    render_with(paths, cluster_cidrs, cluster, false)
}

/// [`render_strict`], with the zones' Admin-tier ClusterNetworkPolicies when `admin_tier`.
pub fn render_with(
    paths: &[PathBuf],
    cluster_cidrs: &[String],
    cluster: Option<&str>,
    admin_tier: bool,
) -> Result<(LoadedModel, Rendered), Vec<FileProblem>> {
    let mut loaded = load_paths(paths)?;
    loaded.model.cluster_cidrs = cluster_cidrs.to_vec();
    loaded.model.cluster = cluster.map(String::from);
    loaded.model.admin_tier = admin_tier;
    // Tenants as granted now: declared plus the approved requests in effect.
    render::grant_requests(&mut loaded.model, k8s_openapi::jiff::Timestamp::now());
    let rendered = render::render(&loaded.model);
    if rendered.problems.is_empty() {
        return Ok((loaded, rendered));
    }
    Err(rendered.problems.iter().map(|p| locate(&loaded, p)).collect())
}

fn locate(loaded: &LoadedModel, p: &Problem) -> FileProblem {
    let (file, document) = loaded.origin(&p.object).cloned().unwrap_or_default();
    FileProblem {
        file,
        document,
        object: Some(p.object.clone()),
        field: p.field.clone(),
        message: p.message.clone(),
        fix: p.fix.clone(),
    }
}

/// Renders for `cluster` (`None`: every cluster the model names, one after
/// another, each headed by a comment naming it).
fn render_cmd(
    paths: &[PathBuf],
    summary_only: bool,
    cluster_cidrs: &[String],
    cluster: Option<Option<String>>,
    admin_tier: bool,
) -> Result<(), CliError> {
    let explicit = cluster.is_some();
    let clusters = match cluster {
        Some(c) => vec![c],
        None => match load_paths(paths) {
            Ok(loaded) if loaded.model.clusters().len() > 1 => loaded.model.clusters(),
            // One cluster (or a model that does not load: render_strict says why).
            Ok(loaded) => vec![loaded.model.clusters().pop().flatten()],
            Err(_) => vec![None],
        },
    };
    let several = clusters.len() > 1;
    // Serialise everything first so a failure prints nothing as if it had succeeded.
    let (mut text, mut summaries) = (String::new(), String::new());
    for cluster in &clusters {
        let (loaded, rendered) = match render_with(paths, cluster_cidrs, cluster.as_deref(), admin_tier) {
            Ok(r) => r,
            Err(problems) => {
                for p in &problems {
                    eprintln!("error: {p}");
                }
                return Err(CliError::Invalid(problems.len()));
            }
        };
        let named = loaded.model.clusters();
        if explicit && !named.contains(cluster) {
            let list: Vec<String> = named.iter().map(|c| crate::render::cluster_label(c.as_deref())).collect();
            return Err(CliError::Input(format!(
                "--cluster {:?}: no NetworkZone is hosted there (spec.cluster); the model's zones are in {}: name one of them",
                cluster.clone().unwrap_or_default(),
                list.join(", ")
            )));
        }
        let mut objects: Vec<Owned> = render::render_platform();
        objects.extend(rendered.objects.iter().cloned());
        if several {
            let name = crate::render::cluster_label(cluster.as_deref());
            text.push_str(&format!("# {name}: apply what follows, up to the next such line, to that cluster\n"));
            summaries.push_str(&format!("{name}:\n"));
        }
        if !summary_only {
            for o in &objects {
                text.push_str("---\n");
                text.push_str(&serde_yaml::to_string(o)?);
            }
        }
        summaries.push_str(&summary(&loaded, &rendered, &objects));
    }
    std::io::stdout().lock().write_all(text.as_bytes())?;
    eprint!("{summaries}");
    Ok(())
}

/// The short summary printed on stderr after rendering.
pub fn summary(loaded: &LoadedModel, rendered: &Rendered, objects: &[Owned]) -> String {
    let m = &loaded.model;
    let mut s = format!(
        "govcloud render: {} zones, {} tenants, {} apps -> {} objects\n",
        m.zones.len(),
        m.tenants.len(),
        m.apps.len(),
        objects.len()
    );
    let mut counts: std::collections::BTreeMap<(usize, &str), usize> = Default::default();
    for o in objects {
        *counts.entry((o.order(), o.kind())).or_default() += 1;
    }
    for ((_, kind), n) in counts {
        s.push_str(&format!("  {kind:<20} {n}\n"));
    }
    s.push_str(&format!(
        "flows: {} granted, {} pending, {} refused\n",
        rendered.flows_in(FlowState::Granted),
        rendered.flows_in(FlowState::Pending),
        rendered.flows_in(FlowState::Refused)
    ));
    for f in rendered.flows.iter().filter(|f| f.state != FlowState::Granted) {
        s.push_str(&format!("  {:<8} {} -> {}: {}\n", f.state.as_str(), f.consumer, f.provider, f.reason));
    }
    s
}

#[cfg(test)]
mod tests;
