use super::args::parse_network;
use super::*;

#[test]
fn cluster_cidrs_are_network_addresses_with_a_default() {
    assert_eq!(parse_network("10.244.0.0/16"), Ok("10.244.0.0/16".to_string()));
    assert_eq!(parse_network("fd00:10:96::/108"), Ok("fd00:10:96::/108".to_string()));
    assert!(parse_network("10.244.1.0/16").unwrap_err().contains("did you mean 10.244.0.0/16"));
    assert!(parse_network("10.244.0.0").is_err());
    let cli = Cli::try_parse_from(["govcloud", "render", "-f", "x"]).expect("parse");
    let Command::Render { cidrs, .. } = cli.command else { panic!("render") };
    assert_eq!(cidrs.cluster_cidrs, crate::model::DEFAULT_CLUSTER_CIDRS.map(String::from));
    let cli =
        Cli::try_parse_from(["govcloud", "audit", "--cluster-cidrs", "10.128.0.0/14,172.30.0.0/16"]).expect("parse");
    let Command::Audit { cidrs, .. } = cli.command else { panic!("audit") };
    assert_eq!(cidrs.cluster_cidrs, ["10.128.0.0/14", "172.30.0.0/16"]);
    assert!(Cli::try_parse_from(["govcloud", "run", "--cluster-cidrs", "10.0.0.1/8"]).is_err());
}

#[test]
fn errors_name_what_failed_and_the_fix() {
    let unreachable = CliError::Unreachable {
        flag: "--cluster-context north=ctx".into(),
        what: "the ResourceRequests of cluster north".into(),
        source: "connection refused".into(),
    };
    assert_eq!(
        unreachable.to_string(),
        "--cluster-context north=ctx: cannot read the ResourceRequests of cluster north: connection refused; \
         check that the kubeconfig's server is up and reachable from here"
    );
    let no_cluster = CliError::NoCluster { doing: "audit", hint: "set KUBECONFIG", source: "no kubeconfig".into() };
    assert_eq!(no_cluster.to_string(), "no cluster to audit: no kubeconfig; set KUBECONFIG");
    // The cause stays reachable for a caller that walks the chain.
    assert_eq!(std::error::Error::source(&no_cluster).map(ToString::to_string).as_deref(), Some("no kubeconfig"));
}

#[cfg(feature = "dev")]
#[test]
fn dev_errors_name_the_script_and_the_cluster() {
    use crate::dev::DevError;
    let script = DevError::Script { path: "testenv/testenv".into(), args: "up --dir /tmp/x".into() };
    assert_eq!(script.to_string(), "testenv/testenv up --dir /tmp/x failed");
    let missing = DevError::NoScript { path: "testenv/build.sh".into() };
    assert!(missing.to_string().starts_with("testenv/build.sh not found: run `govcloud dev` from the root"));
    let slow = DevError::NotReady { cluster: "north".into() };
    assert!(slow.to_string().starts_with("north: not everything became Ready within 5 minutes"));
}
