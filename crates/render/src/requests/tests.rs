use super::*;
use govcloud_core::api::{Decision, ResourceRequestSpec, ResourceRequestStatus};
use govcloud_core::model::load_str;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

const MODEL: &str = r#"
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: ext}
spec:
  kind: extranet
  displayName: {zh: 外网, en: Ext}
  nodePool: {selector: {govcloud.io/zone: ext}, taint: {key: govcloud.io/zone, value: ext}}
  cidrs: [10.10.0.0/16]
  allowedRegistries: [harbor.egov.local]
---
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: priv}
spec:
  kind: private
  displayName: {zh: 专网, en: Private}
  nodePool: {selector: {govcloud.io/zone: priv}, taint: {key: govcloud.io/zone, value: priv}}
  cidrs: [10.30.0.0/16]
  allowedRegistries: [harbor.egov.local]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: health}
spec:
  displayName: {zh: 卫健委, en: Health}
  zones:
    - name: ext
      quota: {cpu: "4", memory: 8Gi, pods: 20, services: 10}
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: other}
spec:
  displayName: {zh: 其他, en: Other}
  zones: [{name: ext}]
"#;

fn model() -> Model {
    load_str("model.yaml", MODEL).unwrap_or_else(|e| panic!("{e:#?}")).model
}

fn at(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn request(
    ns: &str,
    name: &str,
    spec: ResourceRequestSpec,
    decision: Option<DecisionState>,
    expires: Option<&str>,
) -> ResourceRequest {
    let mut r = ResourceRequest::new(name, spec);
    r.metadata.namespace = Some(ns.into());
    r.metadata.creation_timestamp = Some(Time(at("2026-01-01T00:00:00Z")));
    r.status = Some(ResourceRequestStatus {
        decision: decision.map(|state| Decision { state, reason: "ok".into(), by: Some("pe".into()) }),
        expires_at: expires.map(|e| Time(at(e))),
        ..Default::default()
    });
    r
}

fn spec(kind: RequestKind, zone: Option<&str>, resources: Option<QuotaIncrement>) -> ResourceRequestSpec {
    ResourceRequestSpec {
        kind,
        zone: zone.map(str::to_string),
        resources,
        hostname: None,
        minutes: (kind == RequestKind::Surge).then_some(30),
        justification: "flood season".into(),
        project: "应急指挥".into(),
        requester: None,
    }
}

fn cpu(c: &str) -> Option<QuotaIncrement> {
    Some(QuotaIncrement { cpu: Some(c.into()), pods: Some(5), ..Default::default() })
}

fn granted(m: &Model, requests: Vec<ResourceRequest>, now: &str) -> Tenant {
    let mut m = m.clone();
    m.requests = requests;
    grant_requests(&mut m, at(now));
    assert!(m.requests.is_empty(), "folded");
    m.tenants.into_iter().find(|t| t.name_any() == "health").expect("health")
}

#[test]
fn an_approved_quota_request_adds_to_the_zone_and_others_change_nothing() {
    let m = model();
    let now = "2026-01-02T00:00:00Z";
    let approved = granted(
        &m,
        vec![request(
            "health-ext",
            "more",
            spec(RequestKind::Quota, Some("ext"), cpu("2")),
            Some(DecisionState::Approved),
            None,
        )],
        now,
    );
    assert_eq!((approved.spec.zones[0].quota.cpu.as_str(), approved.spec.zones[0].quota.pods), ("6", 25));
    assert_eq!(approved.spec.zones[0].quota.memory, "8Gi", "untouched");
    let declared = m.tenants_by_name()["health"].clone();
    for d in [None, Some(DecisionState::Rejected)] {
        let t = granted(
            &m,
            vec![request("health-ext", "more", spec(RequestKind::Quota, Some("ext"), cpu("2")), d, None)],
            now,
        );
        assert_eq!(t.spec, declared.spec, "{d:?}");
    }
    // Another tenant's namespace: the request counts for that tenant, never for health.
    let theirs = granted(
        &m,
        vec![request(
            "other-ext",
            "more",
            spec(RequestKind::Quota, Some("ext"), cpu("2")),
            Some(DecisionState::Approved),
            None,
        )],
        now,
    );
    assert_eq!(theirs.spec, declared.spec);
}

#[test]
fn a_surge_counts_until_it_expires() {
    let m = model();
    let surge = |exp: Option<&str>| {
        request(
            "health-ext",
            "flood",
            spec(RequestKind::Surge, Some("ext"), cpu("500m")),
            Some(DecisionState::Approved),
            exp,
        )
    };
    let before = granted(&m, vec![surge(Some("2026-01-02T00:30:00Z"))], "2026-01-02T00:29:59Z");
    assert_eq!(before.spec.zones[0].quota.cpu, "4500m");
    let after = granted(&m, vec![surge(Some("2026-01-02T00:30:00Z"))], "2026-01-02T00:30:00Z");
    assert_eq!(after.spec.zones[0].quota.cpu, "4");
    let clock_not_started = granted(&m, vec![surge(None)], "2030-01-01T00:00:00Z");
    assert_eq!(
        clock_not_started.spec.zones[0].quota.cpu, "4500m",
        "the clock starts when the operator records the approval"
    );
    let r = surge(Some("2026-01-02T00:30:00Z"));
    assert_eq!(
        judge(
            &r,
            m.tenants_by_name().get("health").copied(),
            &[&r],
            &["ext".to_string()].into(),
            at("2026-01-03T00:00:00Z")
        ),
        Verdict::Expired
    );
    assert_eq!(surge_end(&r, at("2026-01-02T00:00:00Z")), Some(at("2026-01-02T00:30:00Z")));
}

#[test]
fn zone_access_adds_a_zone_with_the_default_quota_overlaid_and_hostnames_add_hosts() {
    let m = model();
    let access = request(
        "health-ext",
        "private",
        spec(
            RequestKind::ZoneAccess,
            Some("priv"),
            Some(QuotaIncrement { memory: Some("16Gi".into()), ..Default::default() }),
        ),
        Some(DecisionState::Approved),
        None,
    );
    let mut host_spec = spec(RequestKind::Hostname, None, None);
    host_spec.hostname = Some("wsjkw.chifeng.gov.cn".into());
    let host = request("health-ext", "host", host_spec, Some(DecisionState::Approved), None);
    // A quota request filed in the granted zone's namespace counts too.
    let there = request(
        "health-priv",
        "more",
        spec(RequestKind::Quota, Some("priv"), cpu("1")),
        Some(DecisionState::Approved),
        None,
    );
    let t = granted(&m, vec![access, host, there], "2026-01-02T00:00:00Z");
    let priv_zone = t.spec.zones.iter().find(|z| z.name == "priv").expect("granted zone");
    assert_eq!((priv_zone.quota.memory.as_str(), priv_zone.quota.cpu.as_str()), ("16Gi", "5"));
    assert_eq!(t.spec.allowed_hosts, vec!["wsjkw.chifeng.gov.cn".to_string()]);
}

#[test]
fn requests_that_do_not_fit_are_invalid_and_name_the_field() {
    let m = model();
    let health = m.tenants_by_name().get("health").copied();
    let zones: BTreeSet<String> = ["ext".to_string(), "priv".to_string()].into();
    let now = at("2026-01-02T00:00:00Z");
    let field = |r: &ResourceRequest| match judge(r, health, &[r], &zones, now) {
        Verdict::Invalid { field, .. } => field,
        v => panic!("{v:?}"),
    };
    let wrong_zone = request(
        "health-ext",
        "a",
        spec(RequestKind::Quota, Some("priv"), cpu("1")),
        Some(DecisionState::Approved),
        None,
    );
    assert_eq!(field(&wrong_zone), "spec.zone");
    let unknown = request("health-ext", "b", spec(RequestKind::ZoneAccess, Some("nowhere"), None), None, None);
    assert_eq!(field(&unknown), "spec.zone");
    let already = request("health-ext", "c", spec(RequestKind::ZoneAccess, Some("ext"), None), None, None);
    assert_eq!(field(&already), "spec.zone");
    let not_a_zone_of_it = request("health-priv", "d", spec(RequestKind::Quota, Some("priv"), cpu("1")), None, None);
    assert_eq!(field(&not_a_zone_of_it), "metadata.namespace");
    let elsewhere = request("default", "e", spec(RequestKind::Quota, Some("ext"), cpu("1")), None, None);
    assert_eq!(field(&elsewhere), "metadata.namespace");
    // Approved but invalid: nothing granted.
    assert_eq!(granted(&m, vec![wrong_zone], "2026-01-02T00:00:00Z").spec, m.tenants_by_name()["health"].spec);
}

#[test]
fn quantities_add_by_value() {
    let q = |a: &str, b: &str| format_quantity(Quantity::parse(a).expect("a") + Quantity::parse(b).expect("b"));
    assert_eq!(q("8Gi", "512Mi"), "8704Mi");
    assert_eq!(q("8Gi", "8Gi"), "16Gi");
    assert_eq!(q("4", "2"), "6");
    assert_eq!(q("1500m", "1"), "2500m");
    assert_eq!(q("100Gi", "1Ti"), "1124Gi");
    // Exact: tenths add up, nanos are kept until the milli rounds them.
    assert_eq!(q("0.1", "0.2"), "300m");
    assert_eq!(q("1n", "1"), "1");
    assert_eq!(q("0.0005", "0"), "1m");
    assert_eq!(q("1Ki", "1"), "1025");
}
