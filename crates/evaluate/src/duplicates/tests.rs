//! Unit tests of `duplicates`: image repositories, and each kind of
//! candidate found on a small model, nothing else.

use super::*;
use crate::{Inputs, evaluate};

#[test]
fn an_image_repository_drops_the_tag_and_the_digest_not_the_registry_port() {
    assert_eq!(repository("harbor.egov.local/a/portal:1.2"), "harbor.egov.local/a/portal");
    assert_eq!(repository("harbor.egov.local:5000/a/portal"), "harbor.egov.local:5000/a/portal");
    assert_eq!(repository("harbor.egov.local:5000/a/portal:2@sha256:ab"), "harbor.egov.local:5000/a/portal");
}

const HEAD: &str = "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: ext}\nspec:\n  kind: extranet\n  displayName: {zh: 外网, en: Extranet}\n  nodePool: {selector: {govcloud.io/zone: extranet}, taint: {key: govcloud.io/zone, value: extranet}}\n  cidrs: [10.10.0.0/16]\n  allowedRegistries: [harbor.egov.local]\n---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: p}\nspec:\n  displayName: {zh: 甲, en: P}\n  baseDatabases: [population-db]\n  publicApps: [{app: www, role: websiteCluster}, {app: hall, role: servicePlatform}]\n  zones: [{name: ext}]\n---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: c}\nspec:\n  displayName: {zh: 乙, en: C}\n  zones: [{name: ext}]\n---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: idle}\nspec:\n  displayName: {zh: 丙, en: Idle}\n  zones: [{name: ext}]\n";

fn app(tenant: &str, name: &str, image: &str, extra: &str) -> String {
    format!(
        "---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: {name}, namespace: {tenant}-ext}}\nspec:\n  zone: ext\n  image: harbor.egov.local/{image}\n  ports: [{{name: http, port: 8080}}]\n{extra}"
    )
}

#[test]
fn each_planted_duplicate_is_found_and_nothing_else() {
    let apps = [
        app("p", "population-db", "p/pop:1", "  displayName: {zh: 人口库, en: Population database}\n"),
        // Planted: a second 人口库 (same Chinese name), and tenant p's image run by c.
        app("c", "people", "c/people:1", "  displayName: {zh: 人口库, en: People}\n"),
        app("c", "copy", "p/pop:2", ""),
        // Planted: a public website the platform has not recognised, though
        // its department labels and names it as if it were; the website
        // cluster and the service platform the platform recognises are fine.
        app("c", "site", "c/site:1", "  exposure: public\n")
            .replace("namespace: c-ext}", "namespace: c-ext, labels: {govcloud.io/website: cluster}}"),
        app("p", "www", "p/www:1", "  exposure: public\n"),
        app("p", "hall", "p/hall:1", "  exposure: public\n"),
    ];
    let text = format!("{HEAD}{}", apps.concat());
    let model = govcloud_core::model::load_str("t.yaml", &text).unwrap_or_else(|e| panic!("{e:?}")).model;
    let e = evaluate(Inputs::of(&model));
    let found: Vec<(CandidateKind, Vec<&str>)> =
        e.duplicates.iter().map(|c| (c.kind, c.apps.iter().map(String::as_str).collect())).collect();
    assert_eq!(
        found,
        vec![
            (CandidateKind::SameImage, vec!["c/ext/copy", "p/ext/population-db"]),
            (CandidateKind::BaseDatabase, vec!["c/ext/people", "p/ext/population-db"]),
            (CandidateKind::WebsiteOutsideCluster, vec!["c/ext/site"]),
            // Tenant idle has quota in ext (the default) and no app there.
            (CandidateKind::QuotaNeverUsed, vec!["idle/ext"]),
        ]
    );
    let base = &e.duplicates[1];
    assert!(base.evidence_en.contains("same displayName.zh as population-db"), "{base:?}");
}
