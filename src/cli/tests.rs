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
