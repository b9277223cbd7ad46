//! The `govcloud` command (also usable as the kubectl plugin `kubectl-govcloud`):
//! its clap definitions, `main`, the dispatch of each command, errors and tracing.
//! Each command's work is in a file of its own under `cli/`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod args;
mod audit;
mod catalogue;
mod city;
pub mod console;
mod error;
mod evaluate;
mod import;
mod inventory;
mod manifests;
mod mine;
mod provenance;
mod render;
mod request;

pub use args::{
    ApiServerArgs, AuditFilter, AuditFormat, CatalogueFormat, CityArgs, ClusterCidrs, ClusterSource, EvaluateFormat,
    LogFormat, MineFormat, ReportsArg, SeverityArg,
};
pub use error::CliError;
pub use import::{ImportArgs, ImportFormat, drafts_yaml, read_live};
pub use manifests::{crd_yaml, docs_yaml, manifests_yaml};
pub use render::{render_strict, render_with, summary};

use audit::{audit_cmd, audited};
use evaluate::{Source, evaluate_cmd};
use manifests::crd;
use render::render_cmd;
use request::decide;

/// govcloud: zones, tenants and department apps of an e-government cloud,
/// isolated and proven.
#[derive(Parser, Debug)]
#[command(name = "govcloud", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The examples under `govcloud --help`, in the order a newcomer uses them.
const EXAMPLES: &str = "\
Commands are listed in the order a newcomer uses them; the plumbing (run, manifests, crd, controls) comes last.

Examples:
  govcloud dev                                    the Chifeng city on a local control plane, until Ctrl-C
  govcloud render -f examples/chifeng > out.yaml  what the operator would create, offline
  govcloud audit -f examples/chifeng --format html -o audit.html
  govcloud audit                                  the live cluster of the current kubeconfig
  govcloud evaluate -f examples/chifeng --prices examples/chifeng/prices.yaml
  govcloud catalogue --lang zh                    the shared information resources
  govcloud mine                                   a department's own tenants (also: kubectl govcloud mine)
  govcloud console --listen 127.0.0.1:8480        the web console, as your kubeconfig's identity
  govcloud import -f existing/ --out-dir drafts/  drafts of Tenants and DepartmentApps from what runs today
  govcloud request approve ns/name --reason \"...\"
  govcloud run --install-crds                     the operator (in the cluster it runs from the chart)

Language (--lang): when not given, the locale's: the first of LC_ALL, LC_MESSAGES, LANG that is set;
English (en, en_US.UTF-8 …) gives en, anything else (zh_CN.UTF-8, C, nothing set) gives zh.";

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the CustomResourceDefinitions as YAML (or write them to a directory).
    #[command(display_order = 11)]
    Crd {
        /// Write one file per CRD into this directory instead of printing.
        #[arg(long, value_name = "DIR")]
        output_dir: Option<PathBuf>,
    },
    /// Render the Kubernetes objects the operator would create for the given
    /// manifests: YAML on stdout, a summary on stderr.
    #[command(display_order = 2)]
    Render {
        /// A manifest file or a directory of them (read recursively); repeatable.
        #[arg(short = 'f', long = "filename", value_name = "PATH", required = true)]
        paths: Vec<PathBuf>,
        /// Print only the summary, not the objects.
        #[arg(long)]
        summary_only: bool,
        #[command(flatten)]
        cidrs: ClusterCidrs,
        #[command(flatten)]
        api: ApiServerArgs,
        /// Also render each zone's Admin-tier ClusterNetworkPolicies, as the
        /// operator does on a cluster that serves policy.networking.k8s.io.
        #[arg(long)]
        admin_tier: bool,
        /// Language of the errors: what is wrong and what to do (default:
        /// the locale's; the objects and the summary are not translated).
        #[arg(long, value_enum)]
        lang: Option<crate::audit::output::Lang>,
    },
    /// Audit compliance: every control, per tenant, zone and object, with
    /// evidence and the MLPS 2.0 mapping; live (kubeconfig) or offline (-f).
    #[command(display_order = 3)]
    Audit {
        /// Manifests to audit offline: govcloud resources plus any Kubernetes
        /// objects (for example the output of `govcloud render`). When only
        /// govcloud resources are given, what they render is audited.
        #[arg(short = 'f', long = "filename", value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
        format: AuditFormat,
        /// Language of the table and HTML report (default: the locale's, see below).
        #[arg(long, value_enum)]
        lang: Option<crate::audit::output::Lang>,
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
        filter: AuditFilter,
        /// An earlier report (`--format json`): list what changed since, new
        /// failures, fixed and still failing (in the table and the JSON).
        #[arg(long, value_name = "FILE")]
        since: Option<PathBuf>,
        #[command(flatten)]
        cidrs: ClusterCidrs,
        #[command(flatten)]
        api: ApiServerArgs,
        #[command(flatten)]
        city: CityArgs,
    },
    /// Evaluate every department and district (绩效评估): cost-effectiveness,
    /// application effect, collaboration and sharing, security and
    /// confidentiality, innovation and service, with money, projects and
    /// candidates of duplicated construction, each figure with how it is computed; live
    /// (kubeconfig) or offline (-f).
    #[command(display_order = 4)]
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
        /// An earlier output of `govcloud evaluate --format json`, for trends
        /// and the period's new apps, services and flows; repeatable.
        #[arg(long, value_name = "FILE")]
        snapshot: Vec<PathBuf>,
        /// Price table per zone (¥ per core-month, per GiB-month of memory and
        /// of storage), YAML: bare or a ConfigMap labelled govcloud.io/prices
        /// (see examples/chifeng/prices.yaml); turns quota into money.
        #[arg(long, value_name = "FILE")]
        prices: Option<PathBuf>,
        /// What counts as a domestic platform (国产化), YAML: architectures
        /// and names in OS images (see examples/chifeng/domestic-platforms.yaml);
        /// default arm64, loong64, Kylin, UOS, openEuler, Anolis.
        #[arg(long, value_name = "FILE")]
        domestic_platforms: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvaluateFormat::Table)]
        format: EvaluateFormat,
        /// Language of the table and HTML page (default: the locale's, see below).
        #[arg(long, value_enum)]
        lang: Option<crate::audit::output::Lang>,
        /// Evaluate as of this time (RFC 3339, for example 2026-12-31T00:00:00Z;
        /// default now): the ages of waiting requests count up to it.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// Write the output to this file instead of stdout.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        filter: AuditFilter,
        #[command(flatten)]
        cidrs: ClusterCidrs,
        #[command(flatten)]
        city: CityArgs,
    },
    /// The catalogue (目录) of shared information resources: every app that
    /// declares spec.sharing, its owner, zone, class, data classification,
    /// description, consumers and pending answers (never an address); live
    /// (the SharedResources the operator keeps, which every department may
    /// list) or offline (-f).
    #[command(display_order = 5)]
    Catalogue {
        /// Manifests to list the catalogue of offline: govcloud resources;
        /// the counts are what their flows decide.
        #[arg(short = 'f', long = "filename", value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CatalogueFormat::Table)]
        format: CatalogueFormat,
        /// Language of the table and HTML page (the HTML page gives every
        /// resource's names in zh, en and mn; default: the locale's, see below).
        #[arg(long, value_enum)]
        lang: Option<crate::audit::output::Lang>,
        /// Write the output to this file instead of stdout.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Your own view, as a department (also `kubectl govcloud mine`): who
    /// the cluster says you are, the tenants you own or work in, their
    /// zones, namespaces, quota used and granted, apps, flows waiting on you
    /// and on others, resource requests and compliance.
    #[command(display_order = 6)]
    Mine {
        /// Output format.
        #[arg(long, value_enum, default_value_t = MineFormat::Table)]
        format: MineFormat,
        /// Language of the table (default: the locale's, see below).
        #[arg(long, value_enum)]
        lang: Option<crate::audit::output::Lang>,
        /// Write the output to this file instead of stdout.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Migration: read the namespaces and workloads departments run today
    /// (files, or the cluster of the kubeconfig with --live, which is only
    /// read) and write draft Tenants and DepartmentApps, with a report of what
    /// carries over, what must change and the control that would refuse it.
    #[command(display_order = 7)]
    Import(ImportArgs),
    /// Print the catalogue of security and isolation controls as a Markdown table.
    #[command(display_order = 12)]
    Controls {
        /// Print instead every exemption in the admission policies: the one
        /// identity, the operations and resources it is for, and why.
        #[arg(long)]
        exemptions: bool,
    },
    /// Print the install manifests: CRDs, admission policies, namespace, RBAC and the operator Deployment.
    #[command(display_order = 10)]
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
    #[command(display_order = 9)]
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
        /// How long a provider has to answer a conditional sharing request:
        /// working days (`10wd`, counted in China Standard Time) or, for
        /// drills and tests, a duration (`90s`, `5m`, `2h`).
        #[arg(long, value_name = "WHEN", default_value = "10wd")]
        answer_within: String,
        /// Public holidays skipped when counting working days (YYYY-MM-DD, comma-separated).
        #[arg(long, value_name = "DATES", default_value = "")]
        holidays: String,
        /// Make-up working days (调休) counted even on a weekend (YYYY-MM-DD, comma-separated).
        #[arg(long, value_name = "DATES", default_value = "")]
        workdays: String,
        /// Which report API the compliance reports use; `off` disables them.
        #[arg(long, value_enum, default_value_t = ReportsArg::Openreports)]
        reports: ReportsArg,
        #[command(flatten)]
        cidrs: ClusterCidrs,
        #[command(flatten)]
        api: ApiServerArgs,
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
    #[command(display_order = 8)]
    Request {
        #[command(subcommand)]
        action: RequestAction,
    },
    /// The web console: a department's home, its apps, requests, and the
    /// approvers' queue, in the browser. Every read and write is made as the
    /// user (the kubeconfig's; with --auth token, each user's by a bearer
    /// token checked with a TokenReview and impersonated).
    #[command(display_order = 8)]
    Console {
        /// Address to listen on.
        #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8480")]
        listen: String,
        /// How users are known: the kubeconfig's identity, or each by a bearer token (in the cluster).
        #[arg(long, value_enum, default_value_t = console::AuthMode::Kubeconfig)]
        auth: console::AuthMode,
    },
    /// Start a local real control plane, install govcloud, apply a model
    /// (default examples/chifeng), wait until it is Ready, show it, keep running.
    #[command(display_order = 1)]
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

/// The log filter when `RUST_LOG` is not set. kube's client logs every
/// failed request at error level; govcloud logs each failure once where it
/// matters (the reconcile, watch or report that failed, with the object), so
/// an outage of the API server costs a few lines per object, not one per request.
pub const DEFAULT_LOG_FILTER: &str = "info,kube=warn,kube_client=off";

/// Initialises tracing (`RUST_LOG` overrides [`DEFAULT_LOG_FILTER`]).
pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG_FILTER));
    // Colour codes only on a terminal: a log file or a pipe gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
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
        Command::Render { paths, summary_only, cidrs, api, admin_tier, lang } => render_cmd(
            &paths,
            summary_only,
            &cidrs.cluster_cidrs,
            &api.api_server,
            cidrs.cluster(),
            admin_tier,
            args::lang_or_locale(lang),
        ),
        Command::Audit { paths, format, lang, fail_on, report_api, output, filter, since, cidrs, api, city } => {
            let lang = args::lang_or_locale(lang);
            let sources = city.sources(&paths, &cidrs)?;
            let audit = audited(&paths, &cidrs, &api.api_server, &sources)?;
            let filter = filter.into();
            let filters = audit::filters_named(&filter, since.as_deref());
            let made = provenance::provenance(&paths, cidrs.cluster.as_deref(), &sources, lang, filters);
            audit_cmd(&audit, format, lang, fail_on, report_api, output, &filter, since.as_deref(), &made)
        }
        Command::Evaluate {
            paths,
            metrics,
            snapshot,
            prices,
            domestic_platforms,
            format,
            lang,
            at,
            output,
            filter,
            cidrs,
            city,
        } => {
            let lang = args::lang_or_locale(lang);
            let sources = city.sources(&paths, &cidrs)?;
            let source = Source { paths: &paths, cluster: cidrs.cluster().flatten(), city: &sources };
            let filter = filter.into();
            let filters = audit::filters_named(&filter, None);
            let made = provenance::provenance(&paths, cidrs.cluster.as_deref(), &sources, lang, filters);
            evaluate_cmd(
                &made,
                &source,
                &filter,
                metrics.as_deref(),
                &snapshot,
                prices.as_deref(),
                domestic_platforms.as_deref(),
                format,
                lang,
                at.as_deref(),
                output,
                &cidrs.cluster_cidrs,
            )
        }
        Command::Catalogue { paths, format, lang, output } => {
            let lang = args::lang_or_locale(lang);
            let made = provenance::provenance(&paths, None, &[], lang, Default::default());
            catalogue::catalogue_cmd(&paths, format, lang, output, &made)
        }
        Command::Mine { format, lang, output } => mine::mine_cmd(format, args::lang_or_locale(lang), output),
        Command::Import(args) => import::import_cmd(args),
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
            answer_within,
            holidays,
            workdays,
            operator_namespace,
            reports,
            cidrs,
            api,
            leader_elect,
            leader_lease,
            leader_lease_seconds,
            leader_renew_grace_seconds,
        } => {
            init_tracing(log_format);
            let answer_deadline = crate::operator::deadline::Deadline::parse(&answer_within, &holidays, &workdays)
                .map_err(|e| CliError::Input(e.to_string()))?;
            let election = leader_elect
                .then(|| crate::operator::LeaderElection {
                    lease: leader_lease,
                    duration: leader_lease_seconds,
                    grace: leader_renew_grace_seconds,
                    ..crate::operator::LeaderElection::new(&operator_namespace)
                })
                .map(|e| e.check().map(|()| e))
                .transpose()?;
            // A worker going idle gives back what it holds free after a
            // peak (`memory::settle`: once per release, a counter compared).
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .on_thread_park(crate::operator::memory::settle)
                .build()?;
            rt.block_on(async {
                let config = kube::Config::infer().await.map_err(|e| CliError::NoCluster {
                    doing: "talk to",
                    hint: "set KUBECONFIG or run in a pod",
                    source: Box::new(e),
                })?;
                let metrics = crate::operator::Metrics::default();
                let build = |config: kube::Config| {
                    crate::operator::client::builder(config)
                        .map(|b| b.with_layer(&crate::operator::CountRequests(metrics.clone())).build())
                        .map_err(|e| CliError::Kube { doing: "cannot build a client".into(), source: e })
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
                        .map_err(|e| CliError::Operator { doing: "installing CRDs: ".into(), source: Box::new(e) })?;
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
                        api_server: api.api_server,
                        leader,
                        metrics: Some(metrics),
                        request_retention: Some(std::time::Duration::from_secs(request_retention_days * 24 * 3600)),
                        answer_deadline: Some(answer_deadline),
                    },
                )
                .await
                .map_err(|e| CliError::Start(Box::new(e)))
            })
        }
        Command::Console { listen, auth } => {
            init_tracing(LogFormat::Text);
            console::console_cmd(listen, auth)
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
            rt.block_on(crate::dev::run(&paths, &dir, no_wait)).map_err(|e| CliError::Dev(Box::new(e)))
        }
    }
}

#[cfg(test)]
mod tests;
