//! Flow decisions and rendered objects on small models built for each case.

use govcloud::api::FlowState;
use govcloud::model::load_str;
use govcloud::render::{self, Owned, Rendered};

pub(crate) const ZONES: &str = r#"
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

pub(crate) fn app(ns: &str, name: &str, zone: &str, extra: &str) -> String {
    format!(
        "---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  zone: {zone}\n  image: reg.local/x/{name}:1\n  ports: [{{name: http, port: 8080}}]\n{extra}"
    )
}

pub(crate) fn render(apps: &[String]) -> Rendered {
    let text = format!("{ZONES}{}", apps.concat());
    let loaded = load_str("test.yaml", &text).unwrap_or_else(|e| panic!("{e:#?}"));
    render::render(&loaded.model)
}

pub(crate) fn flow<'a>(r: &'a Rendered, consumer: &str) -> &'a govcloud::render::FlowDecision {
    r.flows
        .iter()
        .find(|f| f.consumer.app == consumer)
        .unwrap_or_else(|| panic!("no flow from {consumer}: {:#?}", r.flows))
}

pub(crate) fn has_policy(r: &Rendered, ns: &str, name: &str) -> bool {
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
    assert_eq!(
        f.reason.to_string(),
        "no grant from b/ext/db covers a/ext/portal: the provider has not granted it, or no such app exists"
    );
    assert!(!has_policy(&pending, "a-ext", "govcloud-app-portal-egress"));
    assert!(!has_policy(&pending, "b-ext", "govcloud-app-db-ingress"));
}

#[test]
fn a_grant_limited_to_other_apps_keeps_the_flow_pending() {
    let r = render(&[
        app("a-ext", "portal", "ext", CALLS_B_DB),
        app("b-ext", "db", "ext", "  flows: {allowFrom: [{tenant: a, apps: [billing]}]}\n"),
    ]);
    let f = flow(&r, "portal");
    assert_eq!(f.state, FlowState::Pending);
    assert!(f.reason.to_string().starts_with("no grant from b/ext/db covers a/ext/portal"), "{}", f.reason);
}

#[test]
fn the_same_tenant_needs_no_grant_but_still_an_exchange_endpoint_across_zones() {
    let r = render(&[
        app("a-ext", "portal", "ext", "  flows: {calls: [{app: batch}]}\n"),
        app("a-ext", "batch", "ext", ""),
    ]);
    assert_eq!(flow(&r, "portal").state, FlowState::Granted);
    let r = render(&[
        app("a-dmz", "front", "dmz", "  flows: {calls: [{app: back, zone: ext}]}\n"),
        app("a-ext", "back", "ext", ""),
    ]);
    let f = flow(&r, "front");
    assert_eq!(f.state, FlowState::Refused);
    assert!(f.reason.to_string().contains("no exchange endpoint registering a/ext/back for zone dmz"), "{}", f.reason);
}

#[test]
fn cross_zone_flow_through_a_registered_endpoint_is_granted() {
    let r = render(&[
        app("a-dmz", "front", "dmz", "  flows: {calls: [{tenant: b, app: api, zone: ext}]}\n"),
        // An internet-zone consumer reaches only public data (GC-SHR-003).
        app("b-ext", "api", "ext", "  dataClassification: public\n  flows: {allowFrom: [{tenant: a, zones: [dmz]}]}\n"),
    ]);
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    let f = flow(&r, "front");
    assert_eq!(f.state, FlowState::Granted, "{}", f.reason);
    assert!(f.reason.to_string().contains("through a registered exchange endpoint"));
}

#[test]
fn no_grant_lifts_zone_isolation() {
    let r = render(&[
        app("a-ext", "portal", "ext", "  flows: {calls: [{tenant: b, app: db, zone: priv}]}\n"),
        app("b-priv", "db", "priv", "  flows: {allowFrom: [{tenant: a, zones: [ext]}]}\n"),
    ]);
    let f = flow(&r, "portal");
    assert_eq!(f.state, FlowState::Refused);
    assert!(
        f.reason.to_string().contains("zone priv has no exchange endpoint registering b/priv/db for zone ext"),
        "{}",
        f.reason
    );
}

#[test]
fn private_and_internet_zones_never_connect() {
    let r = render(&[
        app("a-dmz", "front", "dmz", "  flows: {calls: [{app: vault, zone: priv}]}\n"),
        app("a-priv", "vault", "priv", ""),
    ]);
    let f = flow(&r, "front");
    assert_eq!(f.state, FlowState::Refused);
    assert!(
        f.reason.to_string().contains("no path exists between a private zone and an internet zone"),
        "{}",
        f.reason
    );
}

#[test]
fn a_private_consumer_leaves_its_zone_only_through_its_own_endpoint() {
    let r = render(&[
        app("a-priv", "job", "priv", "  flows: {calls: [{tenant: b, app: api, zone: ext}]}\n"),
        app("b-ext", "api", "ext", "  flows: {allowFrom: [{tenant: a, zones: [priv]}]}\n"),
    ]);
    let f = flow(&r, "job");
    assert_eq!(f.state, FlowState::Refused);
    assert!(
        f.reason.to_string().contains("zone ext has no exchange endpoint registering b/ext/api for zone priv"),
        "{}",
        f.reason
    );
}

#[test]
fn named_ports_restrict_the_policy_and_unknown_ports_are_reported() {
    let two_ports = "  flows: {allowFrom: [{tenant: a}]}\n".to_string();
    let provider = format!(
        "---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: db, namespace: b-ext}}\nspec:\n  zone: ext\n  image: reg.local/x/db:1\n  ports: [{{name: sql, port: 5432}}, {{name: admin, port: 9000}}]\n{two_ports}"
    );
    let r = render(&[
        app("a-ext", "portal", "ext", "  flows: {calls: [{tenant: b, app: db, ports: [sql]}]}\n"),
        provider.clone(),
    ]);
    let f = flow(&r, "portal");
    assert_eq!(f.state, FlowState::Granted);
    assert_eq!(f.ports.iter().map(|p| p.port).collect::<Vec<_>>(), vec![5432]);
    let r =
        render(&[app("a-ext", "portal", "ext", "  flows: {calls: [{tenant: b, app: db, ports: [ssh]}]}\n"), provider]);
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
    assert_eq!(
        serde_norway::to_string(&one.objects).expect("yaml"),
        serde_norway::to_string(&two.objects).expect("yaml")
    );
}

#[test]
fn pods_are_hardened_and_pinned_to_their_zone() {
    let r = render(&[app("a-priv", "vault", "priv", "  replicas: 3\n")]);
    let dep =
        r.objects.iter().find_map(|o| if let Owned::Deployment(d) = o { Some(d) } else { None }).expect("deployment");
    let pod = dep.spec.as_ref().and_then(|s| s.template.spec.as_ref()).expect("pod spec");
    assert_eq!(pod.node_selector.as_ref().and_then(|s| s.get("zone")).map(String::as_str), Some("priv"));
    let tol = &pod.tolerations.as_ref().expect("tolerations")[0];
    assert_eq!(
        (tol.key.as_deref(), tol.value.as_deref(), tol.effect.as_deref()),
        (Some("govcloud.io/zone"), Some("priv"), Some("NoExecute"))
    );
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
    assert_eq!(
        ns.meta().labels.as_ref().and_then(|l| l.get("pod-security.kubernetes.io/enforce")).map(String::as_str),
        Some("restricted")
    );
    // Isolation comes before bindings in apply order.
    let order: Vec<&str> = r.objects.iter().filter(|o| o.namespace() == "a-ext").map(|o| o.kind()).collect();
    let first_binding = order.iter().position(|k| *k == "RoleBinding").expect("binding");
    let last_policy = order.iter().rposition(|k| *k == "NetworkPolicy").expect("policy");
    assert!(last_policy < first_binding, "{order:?}");
}

fn render_with(zones: &str, apps: &[String]) -> Rendered {
    let text = format!("{zones}{}", apps.concat());
    let loaded = load_str("test.yaml", &text).unwrap_or_else(|e| panic!("{e:#?}"));
    render::render(&loaded.model)
}

fn flow_of<'a>(r: &'a Rendered, ns: &str, consumer: &str) -> &'a govcloud::render::FlowDecision {
    r.flows
        .iter()
        .find(|f| format!("{}-{}", f.consumer.tenant, f.consumer.zone) == ns && f.consumer.app == consumer)
        .unwrap_or_else(|| panic!("no flow from {ns}/{consumer}: {:#?}", r.flows))
}

fn policy_json(r: &Rendered, ns: &str, name: &str) -> Option<String> {
    r.objects
        .iter()
        .find(|o| matches!(o, Owned::NetworkPolicy(_)) && o.namespace() == ns && o.name() == name)
        .map(|o| serde_json::to_string(o).expect("json"))
}

/// Problems other than the fixture's exchange endpoint for b/api, which these cases do not declare.
fn own_problems(r: &Rendered) -> Vec<&govcloud::problem::Problem> {
    r.problems.iter().filter(|p| !(p.object.name == "ext" && p.field == "spec.exchangeEndpoints[0].app")).collect()
}

/// Zone priv registers b's db for the extranet.
fn zones_with_db_endpoint() -> String {
    ZONES.replace(
        "  mlpsLevel: 2\n",
        "  mlpsLevel: 2\n  exchangeEndpoints:\n    - {name: b-db, peerZones: [ext], app: {tenant: b, app: db}}\n",
    )
}

#[test]
fn a_grant_never_reaches_an_app_of_the_same_name_in_another_zone() {
    let zones = zones_with_db_endpoint();
    // The grant is for a's private-zone cmd; a creates another cmd in its extranet namespace.
    let db = app("b-priv", "db", "priv", "  flows: {allowFrom: [{tenant: a, apps: [cmd]}]}\n");
    let r = render_with(
        &zones,
        &[
            app("a-priv", "cmd", "priv", CALLS_B_DB),
            app("a-ext", "cmd", "ext", "  flows: {calls: [{tenant: b, app: db, zone: priv}]}\n"),
            db,
        ],
    );
    assert!(own_problems(&r).is_empty(), "both apps named cmd are valid and distinct: {:#?}", r.problems);
    assert_eq!(r.objects.iter().filter(|o| o.kind() == "Deployment" && o.name() == "cmd").count(), 2);
    assert_eq!(flow_of(&r, "a-priv", "cmd").state, FlowState::Granted);
    let attack = flow_of(&r, "a-ext", "cmd");
    assert_eq!(attack.state, FlowState::Pending, "{}", attack.reason);
    assert_eq!(
        attack.reason.to_string(),
        "no grant from b/priv/db covers a/ext/cmd: the provider has not granted it, or no such app exists"
    );
    let ingress = policy_json(&r, "b-priv", "govcloud-app-db-ingress").expect("db ingress for the granted flow");
    assert!(ingress.contains("\"a-priv\"") && !ingress.contains("a-ext"), "{ingress}");
    assert!(policy_json(&r, "a-ext", "govcloud-app-cmd-egress").is_none());

    // Naming the zone in the grant moves it: the extranet cmd is covered, the private one no longer.
    let db = app("b-priv", "db", "priv", "  flows: {allowFrom: [{tenant: a, zones: [ext], apps: [cmd]}]}\n");
    let r = render_with(
        &zones,
        &[
            app("a-priv", "cmd", "priv", CALLS_B_DB),
            app("a-ext", "cmd", "ext", "  flows: {calls: [{tenant: b, app: db, zone: priv}]}\n"),
            db,
        ],
    );
    assert_eq!(flow_of(&r, "a-ext", "cmd").state, FlowState::Granted, "{}", flow_of(&r, "a-ext", "cmd").reason);
    assert_eq!(flow_of(&r, "a-priv", "cmd").state, FlowState::Pending);
    let ingress = policy_json(&r, "b-priv", "govcloud-app-db-ingress").expect("db ingress");
    assert!(ingress.contains("\"a-ext\"") && !ingress.contains("a-priv"), "{ingress}");
}

#[test]
fn an_ungranted_call_to_another_tenant_reveals_nothing_about_its_apps() {
    let zones = zones_with_db_endpoint();
    let portal = app("a-ext", "portal", "ext", CALLS_B_DB);
    let two_ports = "---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {name: db, namespace: b-ext}\nspec:\n  zone: ext\n  image: reg.local/x/db:1\n  ports: [{name: sql, port: 5432}]\n";
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("no such app anywhere", vec![portal.clone()]),
        ("exists, no grant", vec![portal.clone(), app("b-ext", "db", "ext", "")]),
        ("exists with other ports, no grant", vec![portal.clone(), two_ports.to_string()]),
        (
            "granted to other apps",
            vec![portal.clone(), app("b-ext", "db", "ext", "  flows: {allowFrom: [{tenant: a, apps: [billing]}]}\n")],
        ),
        (
            "granted to another zone",
            vec![portal.clone(), app("b-ext", "db", "ext", "  flows: {allowFrom: [{tenant: a, zones: [priv]}]}\n")],
        ),
        (
            "same name in another zone",
            vec![portal.clone(), app("b-priv", "db", "priv", "  flows: {allowFrom: [{tenant: a}]}\n")],
        ),
        ("misplaced", vec![portal.clone(), app("b-ext", "db", "priv", "")]),
    ];
    let expected = "no grant from b/ext/db covers a/ext/portal: the provider has not granted it, or no such app exists";
    for (case, apps) in cases {
        let r = render_with(&zones, &apps);
        let f = flow_of(&r, "a-ext", "portal");
        assert_eq!((f.state, f.reason.to_string().as_str()), (FlowState::Pending, expected), "{case}");
        let about_portal: Vec<_> =
            r.problems.iter().filter(|p| p.object.namespace.as_deref() == Some("a-ext")).collect();
        assert!(about_portal.is_empty(), "{case}: {about_portal:#?}");
    }
    // An undeclared tenant looks the same.
    let r = render_with(&zones, &[app("a-ext", "portal", "ext", "  flows: {calls: [{tenant: nobody, app: db}]}\n")]);
    assert_eq!(
        flow_of(&r, "a-ext", "portal").reason.to_string(),
        "no grant from nobody/ext/db covers a/ext/portal: the provider has not granted it, or no such app exists"
    );
    assert!(r.problems.iter().all(|p| p.object.namespace.as_deref() != Some("a-ext")), "{:#?}", r.problems);

    // The tenant's own apps get precise answers.
    let r = render_with(
        &zones,
        &[app("a-ext", "portal", "ext", "  flows: {calls: [{app: batch}]}\n"), app("a-priv", "batch", "priv", "")],
    );
    assert_eq!(flow_of(&r, "a-ext", "portal").reason.to_string(), "provider a/ext/batch does not exist");
    let p = r.problems.iter().find(|p| p.field == "spec.flows.calls[0].app").expect("problem on the call");
    assert!(p.fix.contains("runs in zone priv"), "{p}");
}

fn public_app(ns: &str, name: &str, created: Option<&str>, host: Option<&str>) -> String {
    let ts = created.map(|t| format!(", creationTimestamp: '{t}'")).unwrap_or_default();
    let host = host.map(|h| format!("  host: {h}\n")).unwrap_or_default();
    format!(
        "---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: {name}, namespace: {ns}{ts}}}\nspec:\n  zone: dmz\n  image: reg.local/x/{name}:1\n  ports: [{{name: http, port: 8080}}]\n  exposure: public\n{host}"
    )
}

fn ingress_hosts(r: &Rendered) -> Vec<(String, String)> {
    r.objects
        .iter()
        .filter_map(|o| match o {
            Owned::Ingress(i) => {
                let host = i.spec.as_ref()?.rules.as_ref()?.first()?.host.clone()?;
                Some((format!("{}/{}", o.namespace(), o.name()), host))
            }
            _ => None,
        })
        .collect()
}

/// Tenant a may also use zwfw.city.cn and names under mzw.city.cn; tenant b uses the internet zone too.
fn zones_with_hosts() -> String {
    ZONES
        .replace(
            "  zones: [{name: ext}, {name: priv}, {name: dmz}]\n",
            "  zones: [{name: ext}, {name: priv}, {name: dmz}]\n  allowedHosts: [zwfw.city.cn, '*.mzw.city.cn']\n",
        )
        .replace("  zones: [{name: ext}, {name: priv}]\n", "  zones: [{name: ext}, {name: priv}, {name: dmz}]\n")
}

#[test]
fn public_hosts_lie_under_the_zone_domain_or_the_tenant_allowed_hosts() {
    let zones = zones_with_hosts();
    let ok = [None, Some("www.example.gov"), Some("zwfw.city.cn"), Some("a.mzw.city.cn")];
    for (i, host) in ok.iter().enumerate() {
        let r = render_with(&zones, &[public_app("a-dmz", "front", None, *host)]);
        assert!(own_problems(&r).is_empty(), "{host:?}: {:#?}", r.problems);
        let want = host.map(str::to_string).unwrap_or_else(|| "front.a.example.gov".into());
        assert_eq!(ingress_hosts(&r), vec![("a-dmz/front".to_string(), want)], "case {i}");
    }
    // The zone's apex is the city's own domain (issue 23, E5).
    for host in ["example.gov", "www.gov.cn", "evilexample.gov", "mzw.city.cn", "zwfw.city.cn.evil.cn"] {
        let r = render_with(&zones, &[public_app("a-dmz", "front", None, Some(host))]);
        let p =
            r.problems.iter().find(|p| p.field == "spec.host").unwrap_or_else(|| panic!("{host}: {:#?}", r.problems));
        let said = format!("{} {}", p.message, p.fix);
        assert!(
            p.message.contains("[GC-SVC-003]")
                && p.message.contains(host)
                && said.contains("example.gov")
                && said.contains("*.mzw.city.cn"),
            "{p}"
        );
        assert!(p.fix.contains("allowedHosts"), "{p}");
        assert!(
            ingress_hosts(&r).is_empty() && !r.objects.iter().any(|o| o.kind() == "Deployment"),
            "{host}: the app is not placed"
        );
    }
    // Another tenant may not use a's allowed hosts, even one under the zone's domain.
    let r = render_with(&zones, &[public_app("b-dmz", "front", None, Some("zwfw.city.cn"))]);
    assert!(
        r.problems.iter().any(|p| p.field == "spec.host" && p.object.namespace.as_deref() == Some("b-dmz")),
        "{:#?}",
        r.problems
    );
    let owned = zones.replace(
        "allowedHosts: [zwfw.city.cn, '*.mzw.city.cn']",
        "allowedHosts: [zwfw.city.cn, '*.mzw.city.cn', owned.example.gov]",
    );
    let r = render_with(&owned, &[public_app("b-dmz", "front", None, Some("owned.example.gov"))]);
    let p = r
        .problems
        .iter()
        .find(|p| p.field == "spec.host" && p.object.namespace.as_deref() == Some("b-dmz"))
        .unwrap_or_else(|| panic!("{:#?}", r.problems));
    assert!(p.message.contains("belongs to another tenant"), "{p}");
    let r = render_with(&owned, &[public_app("a-dmz", "front", None, Some("owned.example.gov"))]);
    assert!(own_problems(&r).is_empty(), "the owner's app: {:#?}", r.problems);
}

#[test]
fn a_public_host_belongs_to_the_first_app_that_claims_it() {
    let zones = zones_with_hosts();
    // Without creation times: namespace/name order.
    let r = render_with(
        &zones,
        &[
            public_app("b-dmz", "hijack", None, Some("www.example.gov")),
            public_app("a-dmz", "hall", None, Some("www.example.gov")),
        ],
    );
    assert_eq!(ingress_hosts(&r), vec![("a-dmz/hall".to_string(), "www.example.gov".to_string())]);
    let p = r.problems.iter().find(|p| p.object.name == "hijack").expect("problem for the second claimant");
    assert_eq!(
        (p.field.as_str(), p.message.as_str()),
        ("spec.host", "host www.example.gov is already claimed by a-dmz/hall")
    );

    // The older app wins whatever its name; an app without a creation time counts as newest.
    let r = render_with(
        &zones,
        &[
            public_app("a-dmz", "hall", Some("2024-05-01T00:00:00Z"), Some("www.example.gov")),
            public_app("b-dmz", "older", Some("2023-01-01T00:00:00Z"), Some("www.example.gov")),
            public_app("a-dmz", "aaa", None, Some("www.example.gov")),
        ],
    );
    assert_eq!(ingress_hosts(&r), vec![("b-dmz/older".to_string(), "www.example.gov".to_string())]);
    for loser in ["hall", "aaa"] {
        let p =
            r.problems.iter().find(|p| p.object.name == loser).unwrap_or_else(|| panic!("{loser}: {:#?}", r.problems));
        assert_eq!(p.message, "host www.example.gov is already claimed by b-dmz/older");
    }

    // Host names compare case-insensitively; a default host can be claimed too.
    let text = format!(
        "{zones}{}{}",
        public_app("a-dmz", "front", None, None),
        public_app("b-dmz", "copy", None, Some("front.a.example.gov"))
    );
    let mut loaded = load_str("t.yaml", &text).expect("loads");
    loaded.model.apps.iter_mut().find(|a| a.metadata.name.as_deref() == Some("copy")).expect("copy").spec.host =
        Some("FRONT.A.Example.GOV".into());
    let r = render::render(&loaded.model);
    assert_eq!(ingress_hosts(&r), vec![("a-dmz/front".to_string(), "front.a.example.gov".to_string())]);
    assert!(
        r.problems.iter().any(|p| p.object.name == "copy" && p.message.contains("already claimed by a-dmz/front")),
        "{:#?}",
        r.problems
    );
}

#[test]
fn an_exchange_endpoint_outside_its_zone_and_peer_ranges_is_rejected_and_never_opened() {
    let zones = ZONES.replace(
        "  mlpsLevel: 2\n",
        "  mlpsLevel: 2\n  exchangeEndpoints:\n    - {name: anywhere, peerZones: [ext], cidr: 192.0.2.0/24, ports: [443]}\n    - {name: gatekeeper, peerZones: [ext], cidr: 10.30.255.10/32, ports: [443]}\n    - {name: peer-side, peerZones: [ext], cidr: 10.10.5.0/24, ports: [443]}\n    - {name: wider, peerZones: [ext], cidr: 10.30.0.0/15, ports: [443]}\n",
    );
    let r = render_with(&zones, &[]);
    let rejected: Vec<&str> = r.problems.iter().filter(|p| p.object.name == "priv").map(|p| p.field.as_str()).collect();
    assert_eq!(rejected, vec!["spec.exchangeEndpoints[0].cidr", "spec.exchangeEndpoints[3].cidr"], "{:#?}", r.problems);
    let p = r.problems.iter().find(|p| p.field == "spec.exchangeEndpoints[0].cidr").expect("problem");
    assert!(p.message.contains("192.0.2.0/24") && p.message.contains("10.30.0.0/16"), "{p}");
    let egress = policy_json(&r, "a-priv", "govcloud-zone-egress").expect("zone egress");
    assert!(egress.contains("10.30.255.10/32") && egress.contains("10.10.5.0/24"), "{egress}");
    assert!(!egress.contains("192.0.2.0") && !egress.contains("10.30.0.0/15"), "{egress}");
}
