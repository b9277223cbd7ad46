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

#[test]
fn every_example_of_the_help_parses_and_the_newcomers_commands_come_first() {
    let examples: Vec<&str> = EXAMPLES.lines().filter_map(|l| l.trim_start().strip_prefix("govcloud ")).collect();
    assert!(examples.len() >= 8, "{examples:?}");
    for example in examples {
        // The command, before the comment (two spaces or more) and any redirection.
        let command = example.split("  ").next().unwrap_or_default().split(" > ").next().unwrap_or_default();
        let mut args = vec!["govcloud".to_string()];
        let mut quoted: Option<String> = None;
        for word in command.split_whitespace() {
            match (&mut quoted, word.strip_prefix('"')) {
                (None, Some(rest)) if rest.ends_with('"') => args.push(rest.trim_end_matches('"').to_string()),
                (None, Some(rest)) => quoted = Some(rest.to_string()),
                (Some(q), _) if word.ends_with('"') => {
                    args.push(format!("{q} {}", word.trim_end_matches('"')));
                    quoted = None;
                }
                (Some(q), _) => *q = format!("{q} {word}"),
                (None, None) => args.push(word.to_string()),
            }
        }
        if let Err(e) = Cli::try_parse_from(&args) {
            panic!("the help's example `{command}` does not parse: {e}");
        }
    }
    let help = <Cli as clap::CommandFactory>::command().render_help().to_string();
    let at = |c: &str| help.find(&format!("\n  {c} ")).unwrap_or_else(|| panic!("{c} not in the help:\n{help}"));
    for (first, then) in
        [("render", "audit"), ("audit", "evaluate"), ("evaluate", "run"), ("run", "crd"), ("crd", "controls")]
    {
        assert!(at(first) < at(then), "{first} should come before {then}:\n{help}");
    }
}

#[cfg(feature = "dev")]
#[test]
fn dev_builds_only_the_components_it_starts() {
    let lib = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/testenv/lib.sh")).expect("testenv/lib.sh");
    let all = lib
        .lines()
        .find_map(|l| l.strip_prefix("COMPONENTS=\""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("COMPONENTS in testenv/lib.sh");
    let all: Vec<&str> = all.split_whitespace().collect();
    for c in crate::dev::DEV_COMPONENTS {
        assert!(all.contains(c), "{c} is not a testenv component ({all:?})");
    }
    assert!(!crate::dev::DEV_COMPONENTS.contains(&"helm"), "make dev does not use helm");
}
