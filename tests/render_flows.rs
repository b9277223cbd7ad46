//! Flow decisions and rendered objects on small models built for each case.

use govcloud::api::FlowState;
use govcloud::model::load_str;
use govcloud::render::{self, Owned, Rendered};

const ZONES: &str = r#"
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: ext}
spec:
  kind: extranet
  displayName: {zh: 外网, en: Extranet}
  nodePool: {selector: {zone: ext}, taint: {key: govcloud.io/zone, value: ext}}
  cidrs: [10.10.0.0/16]
  allowedRegistries: [reg.local]
  exchangeEndpoints:
    - {name: b-api, peerZones: [dmz], app: {tenant: b, app: api}}
---
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: priv}
spec:
  kind: private
  displayName: {zh: 专网, en: Private}
  nodePool: {selector: {zone: priv}, taint: {key: govcloud.io/zone, value: priv, effect: NoExecute}}
  cidrs: [10.30.0.0/16]
  mlpsLevel: 2
  allowedRegistries: [reg.local]
---
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: dmz}
spec:
  kind: internet
  displayName: {zh: 互联网区, en: DMZ}
  nodePool: {selector: {zone: dmz}, taint: {key: govcloud.io/zone, value: dmz}}
  cidrs: [172.20.0.0/16]
  internetIngress: true
  publicDomain: example.gov
  allowedRegistries: [reg.local]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: a}
spec:
  displayName: {zh: 甲, en: A}
  owners: [{kind: User, name: alice, role: admin}, {kind: Group, name: a-devs, role: developer}]
  zones: [{name: ext}, {name: priv}, {name: dmz}]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: b}
spec:
  displayName: {zh: 乙, en: B}
  zones: [{name: ext}, {name: priv}]
"#;

fn app(ns: &str, name: &str, zone: &str, extra: &str) -> String {
    format!(
        "---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  zone: {zone}\n  image: reg.local/x/{name}:1\n  ports: [{{name: http, port: 8080}}]\n{extra}"
    )
}

fn render(apps: &[String]) -> Rendered {
    let text = format!("{ZONES}{}", apps.concat());
    let loaded = load_str("test.yaml", &text).unwrap_or_else(|e| panic!("{e:#?}"));
    render::render(&loaded.model)
}

fn flow<'a>(r: &'a Rendered, consumer: &str) -> &'a govcloud::render::FlowDecision {
    r.flows.iter().find(|f| f.consumer.app == consumer).unwrap_or_else(|| panic!("no flow from {consumer}: {:#?}", r.flows))
}

fn has_policy(r: &Rendered, ns: &str, name: &str) -> bool {
    r.objects.iter().any(|o| matches!(o, Owned::NetworkPolicy(_)) && o.namespace() == ns && o.name() == name)
}

const CALLS_B_DB: &str = "  flows: {calls: [{tenant: b, app: db}]}\n";

#[test]
fn grant_added_then_removed_turns_the_flow_granted_then_pending() {
    let consumer = app("a-ext", "portal", "ext", CALLS_B_DB);
    let granted = render(&[consumer.clone(), app("b-ext", "db", "ext", "  flows: {allowFrom: [{tenant: a}]}\n")]);
    // The zones' fixture endpoint names b/api, absent here: the only problem.
    assert!(granted.problems.iter().all(|p| p.field == "spec.exchangeEndpoints[0].app"), "{:#?}", granted.problems);
    assert_eq!(flow(&granted, "portal").state, FlowState::Granted);
    assert!(has_policy(&granted, "a-ext", "govcloud-app-portal-egress"));
    assert!(has_policy(&granted, "b-ext", "govcloud-app-db-ingress"));

    let pending = render(&[consumer, app("b-ext", "db", "ext", "")]);
    let f = flow(&pending, "portal");
    assert_eq!(f.state, FlowState::Pending);
    assert_eq!(f.reason, "provider b/db has not granted tenant a");
    assert!(!has_policy(&pending, "a-ext", "govcloud-app-portal-egress"));
    assert!(!has_policy(&pending, "b-ext", "govcloud-app-db-ingress"));
}

#[test]
fn a_grant_limited_to_other_apps_keeps_the_flow_pending() {
    let r = render(&[app("a-ext", "portal", "ext", CALLS_B_DB), app("b-ext", "db", "ext", "  flows: {allowFrom: [{tenant: a, apps: [billing]}]}\n")]);
    let f = flow(&r, "portal");
    assert_eq!(f.state, FlowState::Pending);
    assert!(f.reason.contains("only for apps billing"), "{}", f.reason);
}

#[test]
fn the_same_tenant_needs_no_grant_but_still_an_exchange_endpoint_across_zones() {
    let r = render(&[app("a-ext", "portal", "ext", "  flows: {calls: [{app: batch}]}\n"), app("a-ext", "batch", "ext", "")]);
    assert_eq!(flow(&r, "portal").state, FlowState::Granted);
    let r = render(&[app("a-dmz", "front", "dmz", "  flows: {calls: [{app: back}]}\n"), app("a-ext", "back", "ext", "")]);
    let f = flow(&r, "front");
    assert_eq!(f.state, FlowState::Refused);
    assert!(f.reason.contains("no exchange endpoint registering a/back for zone dmz"), "{}", f.reason);
}

#[test]
fn cross_zone_flow_through_a_registered_endpoint_is_granted() {
    let r = render(&[
        app("a-dmz", "front", "dmz", "  flows: {calls: [{tenant: b, app: api}]}\n"),
        app("b-ext", "api", "ext", "  flows: {allowFrom: [{tenant: a}]}\n"),
    ]);
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    let f = flow(&r, "front");
    assert_eq!(f.state, FlowState::Granted, "{}", f.reason);
    assert!(f.reason.contains("through a registered exchange endpoint"));
}

#[test]
fn refusal_comes_before_pending_because_no_grant_can_lift_isolation() {
    let r = render(&[app("a-ext", "portal", "ext", CALLS_B_DB), app("b-priv", "db", "priv", "")]);
    assert_eq!(flow(&r, "portal").state, FlowState::Refused);
}

#[test]
fn private_and_internet_zones_never_connect() {
    let r = render(&[app("a-dmz", "front", "dmz", "  flows: {calls: [{app: vault}]}\n"), app("a-priv", "vault", "priv", "")]);
    let f = flow(&r, "front");
    assert_eq!(f.state, FlowState::Refused);
    assert!(f.reason.contains("no path exists between a private zone and an internet zone"), "{}", f.reason);
}

#[test]
fn a_private_consumer_leaves_its_zone_only_through_its_own_endpoint() {
    let r = render(&[
        app("a-priv", "job", "priv", "  flows: {calls: [{tenant: b, app: api}]}\n"),
        app("b-ext", "api", "ext", "  flows: {allowFrom: [{tenant: a}]}\n"),
    ]);
    let f = flow(&r, "job");
    assert_eq!(f.state, FlowState::Refused);
    assert!(f.reason.contains("zone ext has no exchange endpoint registering b/api for zone priv"), "{}", f.reason);
}

#[test]
fn named_ports_restrict_the_policy_and_unknown_ports_are_reported() {
    let two_ports = "  flows: {allowFrom: [{tenant: a}]}\n".to_string();
    let provider = format!(
        "---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: db, namespace: b-ext}}\nspec:\n  zone: ext\n  image: reg.local/x/db:1\n  ports: [{{name: sql, port: 5432}}, {{name: admin, port: 9000}}]\n{two_ports}"
    );
    let r = render(&[app("a-ext", "portal", "ext", "  flows: {calls: [{tenant: b, app: db, ports: [sql]}]}\n"), provider.clone()]);
    let f = flow(&r, "portal");
    assert_eq!(f.state, FlowState::Granted);
    assert_eq!(f.ports.iter().map(|p| p.port).collect::<Vec<_>>(), vec![5432]);
    let r = render(&[app("a-ext", "portal", "ext", "  flows: {calls: [{tenant: b, app: db, ports: [ssh]}]}\n"), provider]);
    assert_eq!(flow(&r, "portal").state, FlowState::Refused);
    assert!(r.problems.iter().any(|p| p.field == "spec.flows.calls[0].ports[0]"), "{:#?}", r.problems);
}

#[test]
fn rendering_is_deterministic_whatever_the_input_order() {
    let apps = vec![
        app("a-ext", "portal", "ext", CALLS_B_DB),
        app("b-ext", "db", "ext", "  flows: {allowFrom: [{tenant: a}]}\n"),
        app("a-dmz", "front", "dmz", "  exposure: public\n"),
    ];
    let one = render(&apps);
    let mut reversed = apps.clone();
    reversed.reverse();
    let two = render(&reversed);
    assert_eq!(serde_yaml::to_string(&one.objects).expect("yaml"), serde_yaml::to_string(&two.objects).expect("yaml"));
}

#[test]
fn pods_are_hardened_and_pinned_to_their_zone() {
    let r = render(&[app("a-priv", "vault", "priv", "  replicas: 3\n")]);
    let dep = r.objects.iter().find_map(|o| if let Owned::Deployment(d) = o { Some(d) } else { None }).expect("deployment");
    let pod = dep.spec.as_ref().and_then(|s| s.template.spec.as_ref()).expect("pod spec");
    assert_eq!(pod.node_selector.as_ref().and_then(|s| s.get("zone")).map(String::as_str), Some("priv"));
    let tol = &pod.tolerations.as_ref().expect("tolerations")[0];
    assert_eq!((tol.key.as_deref(), tol.value.as_deref(), tol.effect.as_deref()), (Some("govcloud.io/zone"), Some("priv"), Some("NoExecute")));
    assert_eq!(pod.automount_service_account_token, Some(false));
    let c = &pod.containers[0];
    let sc = c.security_context.as_ref().expect("securityContext");
    assert_eq!(sc.allow_privilege_escalation, Some(false));
    assert_eq!(sc.read_only_root_filesystem, Some(true));
    assert_eq!(sc.run_as_non_root, Some(true));
    assert_eq!(sc.capabilities.as_ref().and_then(|c| c.drop.clone()), Some(vec!["ALL".to_string()]));
    assert_eq!(sc.seccomp_profile.as_ref().map(|s| s.type_.as_str()), Some("RuntimeDefault"));
    let res = c.resources.as_ref().expect("resources");
    for m in [&res.requests, &res.limits] {
        let m = m.as_ref().expect("set");
        assert!(m.contains_key("cpu") && m.contains_key("memory"));
    }
    assert!(r.objects.iter().any(|o| o.kind() == "PodDisruptionBudget"), "replicas > 1 gets a PDB");
    assert!(!r.objects.iter().any(|o| o.kind() == "Ingress"), "no Ingress without public exposure");
}

#[test]
fn every_owned_object_is_labelled_with_its_owner() {
    let r = render(&[app("a-dmz", "front", "dmz", "  exposure: public\n  replicas: 2\n")]);
    assert!(r.objects.iter().any(|o| o.kind() == "Ingress"));
    for o in &r.objects {
        let l = o.meta().labels.clone().unwrap_or_default();
        assert_eq!(l.get("app.kubernetes.io/managed-by").map(String::as_str), Some("govcloud"), "{}", o.id());
        assert!(l.contains_key("govcloud.io/owner-kind") && l.contains_key("govcloud.io/owner-name"), "{}", o.id());
    }
}

#[test]
fn namespaces_carry_the_pod_security_level_of_their_baseline() {
    let r = render(&[]);
    let level = |ns: &str| {
        r.objects
            .iter()
            .find(|o| o.kind() == "Namespace" && o.name() == ns)
            .and_then(|o| o.meta().labels.clone())
            .and_then(|l| l.get("pod-security.kubernetes.io/enforce").cloned())
    };
    assert_eq!(level("a-ext").as_deref(), Some("baseline"));
    let zones = ZONES.replace("  mlpsLevel: 2\n", "  mlpsLevel: 3\n");
    let loaded = load_str("t.yaml", &zones).expect("loads");
    let r3 = render::render(&loaded.model);
    let ns = r3.objects.iter().find(|o| o.kind() == "Namespace" && o.name() == "a-priv").expect("ns");
    assert_eq!(ns.meta().labels.as_ref().and_then(|l| l.get("pod-security.kubernetes.io/enforce")).map(String::as_str), Some("restricted"));
    // Isolation comes before bindings in apply order.
    let order: Vec<&str> = r.objects.iter().filter(|o| o.namespace() == "a-ext").map(|o| o.kind()).collect();
    let first_binding = order.iter().position(|k| *k == "RoleBinding").expect("binding");
    let last_policy = order.iter().rposition(|k| *k == "NetworkPolicy").expect("policy");
    assert!(last_policy < first_binding, "{order:?}");
}
