use serde_json::json;

use super::*;
use crate::controls::*;
use crate::meta::labels::{
    ALLOWED_HOSTS, ALLOWED_REGISTRIES, CORDONED as CORDONED_LABEL, MLPS_LEVEL, TENANT, ZONE, ZONE_KIND,
};

fn digest() -> String {
    format!("@sha256:{}", "0".repeat(64))
}

fn namespace(level: u8, registries: Option<&str>) -> Value {
    let mut annotations = json!({ALLOWED_HOSTS: "*.health.example.org,www.health.example.org"});
    if let Some(r) = registries {
        annotations[ALLOWED_REGISTRIES] = json!(r);
    }
    json!({"kind": "Namespace", "metadata": {"name": "health-internet",
            "labels": {TENANT: "health", ZONE: "internet", ZONE_KIND: "internet", MLPS_LEVEL: level.to_string(), CORDONED_LABEL: "true"},
            "annotations": annotations}})
}

fn zone() -> Value {
    json!({"kind": "NetworkZone", "metadata": {"name": "internet"}, "spec": {
            "kind": "internet", "internetIngress": true, "publicDomain": "example.gov", "mlpsLevel": 3,
            "nodePool": {"selector": {ZONE: "internet", "node.example/pool": "dmz"}, "taint": {"key": ZONE, "value": "internet", "effect": "NoSchedule"}},
            "allowedRegistries": ["harbor.egov.local", "registry.example:5000/gov"],
            "allowedVolumeTypes": ["nfs"], "allowedPriorityClasses": ["gov-high"]}})
}

fn container(image: &str) -> Value {
    json!({"name": "c", "image": image, "imagePullPolicy": "Always", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}})
}

/// A pod that passes every check.
fn pod() -> Value {
    json!({"kind": "Pod", "metadata": {"name": "p", "namespace": "health-internet"}, "spec": {
            "containers": [container(&format!("harbor.egov.local/health/web{}", digest()))],
            "nodeSelector": {ZONE: "internet", "node.example/pool": "dmz"},
            "tolerations": [{"key": ZONE, "operator": "Equal", "value": "internet", "effect": "NoSchedule"}, {"key": "node.kubernetes.io/not-ready", "operator": "Exists"}],
            "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "x"}}]}})
}

/// The controls `o` fails, sorted, with the namespace at `level`.
fn failing_at(o: &Value, level: u8, registries: Option<&str>) -> Vec<&'static str> {
    let ns = namespace(level, registries);
    let mut ids: Vec<&str> =
        failures(&Evaluator::new(), o, Some(&ns), Some(&zone())).iter().map(|f| f.check.control).collect();
    ids.sort();
    ids
}

fn failing(o: &Value) -> Vec<&'static str> {
    failing_at(o, 3, Some("harbor.egov.local/health"))
}

fn with(mut o: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap_or_default();
    let target = o.pointer_mut(parent).expect("parent");
    match target {
        Value::Array(a) => a.push(value),
        t => t[key] = value,
    }
    o
}

#[test]
fn everything_compiles_and_namespace_variables_are_shared() {
    assert_eq!(not_compiled(), Vec::<String>::new());
    let (ns, object) = variable_levels();
    assert!(ns >= 5 && object >= 5, "{ns} namespace-level, {object} per object");
}

#[test]
fn each_pod_check_has_its_verdict() {
    let image = |i: &str| with(pod(), "/spec/containers/0/image", json!(i));
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        ("compliant", pod(), vec![]),
        (
            "privileged",
            with(pod(), "/spec/containers/0/securityContext", json!({"privileged": true})),
            vec![NO_PRIVILEGED],
        ),
        ("privileged false", with(pod(), "/spec/containers/0/securityContext", json!({"privileged": false})), vec![]),
        (
            "escalation in an init container",
            with(
                pod(),
                "/spec/initContainers",
                json!([{"name": "i", "image": format!("harbor.egov.local/health/i{}", digest()), "imagePullPolicy": "Always", "securityContext": {"allowPrivilegeEscalation": true}}]),
            ),
            // An init container needs resources too.
            vec![NO_PRIVILEGED, RESOURCES],
        ),
        ("hostNetwork", with(pod(), "/spec/hostNetwork", json!(true)), vec![HOST_NAMESPACES]),
        ("hostPID false", with(pod(), "/spec/hostPID", json!(false)), vec![]),
        ("hostPath", with(pod(), "/spec/volumes/-", json!({"name": "h", "hostPath": {"path": "/"}})), vec![HOST_PATH]),
        (
            "hostPort",
            with(pod(), "/spec/containers/0/ports", json!([{"containerPort": 80, "hostPort": 80}])),
            vec![HOST_PORTS],
        ),
        ("hostPort 0", with(pod(), "/spec/containers/0/ports", json!([{"containerPort": 80, "hostPort": 0}])), vec![]),
        // Offline there is no request: "not set on create" holds for a pod (the scheduler sets it later).
        ("a pod's nodeName", with(pod(), "/spec/nodeName", json!("n1")), vec![]),
        (
            "pulled if not present at level 3",
            with(pod(), "/spec/containers/0/imagePullPolicy", json!("IfNotPresent")),
            vec![IMAGE_PULL],
        ),
        (
            "pulled never at level 3",
            with(pod(), "/spec/containers/0/imagePullPolicy", json!("Never")),
            vec![IMAGE_PULL],
        ),
        (
            "no pull policy at level 3 (the API server would have set IfNotPresent for a digest)",
            {
                let mut p = pod();
                p["spec"]["containers"][0].as_object_mut().expect("container").remove("imagePullPolicy");
                p
            },
            vec![IMAGE_PULL],
        ),
        (
            // `kubectl debug` on a node holding another tenant's image.
            "an ephemeral container pulled if not present at level 3",
            with(
                pod(),
                "/spec/ephemeralContainers",
                json!([{"name": "debug", "image": format!("harbor.egov.local/health/web{}", digest()), "imagePullPolicy": "IfNotPresent"}]),
            ),
            vec![IMAGE_PULL],
        ),
        (
            "an ephemeral container pulled always at level 3",
            with(
                pod(),
                "/spec/ephemeralContainers",
                json!([{"name": "debug", "image": format!("harbor.egov.local/health/web{}", digest()), "imagePullPolicy": "Always"}]),
            ),
            vec![],
        ),
        ("no digest at level 3", image("harbor.egov.local/health/web:1"), vec![IMAGE_DIGEST]),
        ("a short digest", image("harbor.egov.local/health/web@sha256:abc"), vec![IMAGE_DIGEST]),
        (
            "an uppercase digest",
            image(&format!("harbor.egov.local/health/web@sha256:{}", "A".repeat(64))),
            vec![IMAGE_DIGEST],
        ),
        (
            "a public registry",
            image(&format!("docker.io/library/nginx{}", digest())),
            vec![IMAGE_REGISTRY, IMAGE_REGISTRY],
        ),
        (
            "a look-alike registry",
            image(&format!("harbor.egov.local.evil.com/health/x{}", digest())),
            vec![IMAGE_REGISTRY, IMAGE_REGISTRY],
        ),
        ("outside the tenant's path", image(&format!("harbor.egov.local/healthx/x{}", digest())), vec![IMAGE_REGISTRY]),
        (
            "outside the tenant's path, zone registry with a port",
            image(&format!("registry.example:5000/gov/x{}", digest())),
            vec![IMAGE_REGISTRY],
        ),
        (
            "an image volume from a public registry",
            with(
                pod(),
                "/spec/volumes/-",
                json!({"name": "data", "image": {"reference": format!("quay.io/x/y{}", digest())}}),
            ),
            // Image volumes are not among the zone's volume sources either.
            vec![IMAGE_REGISTRY, IMAGE_REGISTRY, VOLUME_SOURCES],
        ),
        (
            "no limits",
            with(pod(), "/spec/containers/0/resources", json!({"requests": {"cpu": "1", "memory": "1Gi"}})),
            vec![RESOURCES],
        ),
        ("no node selector", with(pod(), "/spec/nodeSelector", json!({ZONE: "internet"})), vec![ZONE_NODES]),
        (
            "another zone's nodes",
            with(pod(), "/spec/nodeSelector", json!({ZONE: "private", "node.example/pool": "dmz"})),
            vec![ZONE_NODES],
        ),
        (
            "a foreign toleration",
            with(pod(), "/spec/tolerations/-", json!({"key": "dedicated", "operator": "Exists"})),
            vec![ZONE_TOLERATIONS],
        ),
        (
            "tolerating every taint",
            with(pod(), "/spec/tolerations/-", json!({"operator": "Exists"})),
            vec![ZONE_TOLERATIONS],
        ),
        (
            "the zone's key, any value",
            with(pod(), "/spec/tolerations/-", json!({"key": ZONE, "operator": "Exists"})),
            vec![ZONE_TOLERATIONS],
        ),
        (
            "nfs, which the zone allows",
            with(pod(), "/spec/volumes/-", json!({"name": "n", "nfs": {"server": "s", "path": "/"}})),
            vec![],
        ),
        (
            "iscsi",
            with(pod(), "/spec/volumes/-", json!({"name": "n", "iscsi": {"targetPortal": "s", "iqn": "x", "lun": 0}})),
            vec![VOLUME_SOURCES],
        ),
        (
            "a system priority class",
            with(pod(), "/spec/priorityClassName", json!("system-node-critical")),
            vec![PRIORITY_CLASSES],
        ),
        ("the zone's priority class", with(pod(), "/spec/priorityClassName", json!("gov-high")), vec![]),
        (
            "an unmasked /proc",
            with(pod(), "/spec/containers/0/securityContext", json!({"procMount": "Unmasked"})),
            vec![NO_PRIVILEGED],
        ),
        (
            "the default /proc",
            with(pod(), "/spec/containers/0/securityContext", json!({"procMount": "Default"})),
            vec![],
        ),
        (
            "a claim template naming a volume",
            with(
                pod(),
                "/spec/volumes/-",
                json!({"name": "e", "ephemeral": {"volumeClaimTemplate": {"spec": {"volumeName": "pv1"}}}}),
            ),
            vec![CLAIM_BINDING],
        ),
        // Missing fields fail the checks that read them, as the API server's failurePolicy Fail denies them.
        (
            "no containers",
            json!({"kind": "Pod", "metadata": {"name": "p"}, "spec": {"nodeSelector": {ZONE: "internet", "node.example/pool": "dmz"}}}),
            vec![
                NO_PRIVILEGED,
                NO_PRIVILEGED,
                NO_PRIVILEGED,
                HOST_PORTS,
                IMAGE_DIGEST,
                IMAGE_REGISTRY,
                RESOURCES,
                IMAGE_REGISTRY,
                IMAGE_PULL,
            ],
        ),
    ];
    for (what, o, mut want) in cases {
        want.sort();
        assert_eq!(failing(&o), want, "{what}");
    }
    // Level 2, no tenant narrowing: a tag will do, any allowed registry.
    assert_eq!(
        failing_at(&with(pod(), "/spec/containers/0/image", json!("registry.example:5000/gov/x:1")), 2, None),
        Vec::<&str>::new()
    );
    // A workload template may not name a node.
    let deployment = json!({"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"metadata": {}, "spec": with(pod(), "/spec/nodeName", json!("n1"))["spec"].clone()}}});
    assert_eq!(failing(&deployment), vec![NO_NODE_NAME]);
    let cron = json!({"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": with(pod(), "/spec/hostIPC", json!(true))["spec"].clone()}}}}});
    assert_eq!(failing(&cron), vec![HOST_NAMESPACES]);
    // A StatefulSet's claim templates may not name a volume (its controller would bind it).
    let sts = |volume_name: Value| {
        json!({"kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"template": {"metadata": {}, "spec": pod()["spec"].clone()},
                "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"volumeName": volume_name}}]}})
    };
    assert_eq!(failing(&sts(json!("etcd-data"))), vec![CLAIM_BINDING]);
    assert_eq!(failing(&sts(json!(""))), Vec::<&str>::new());
    // A claim as it lives: one the volume binder bound passes; one naming a
    // volume by itself, or not (yet) bound, does not.
    let claim = |phase: &str, by_controller: Option<&str>| {
        let mut c = json!({"kind": "PersistentVolumeClaim", "metadata": {"name": "data-db-0"},
            "spec": {"volumeName": "pv-7"}, "status": {"phase": phase}});
        if let Some(v) = by_controller {
            c["metadata"]["annotations"] = json!({"pv.kubernetes.io/bound-by-controller": v});
        }
        c
    };
    let claim_failures = |c: &Value| failing(c).into_iter().filter(|id| *id == CLAIM_BINDING).count();
    assert_eq!(claim_failures(&claim("Bound", Some("yes"))), 0);
    assert_eq!(claim_failures(&claim("Bound", None)), 1);
    assert_eq!(claim_failures(&claim("Pending", Some("yes"))), 1);
    assert_eq!(claim_failures(&claim("Bound", Some("no"))), 1);
}

#[test]
fn other_kinds_have_their_verdicts() {
    let app = |spec: Value| json!({"kind": "DepartmentApp", "metadata": {"name": "a", "namespace": "health-internet"}, "spec": spec});
    let image = format!("harbor.egov.local/health/a{}", digest());
    assert_eq!(
        failing(&app(json!({"zone": "internet", "image": image, "exposure": "public", "host": "a.example.gov"}))),
        Vec::<&str>::new()
    );
    assert_eq!(
        failing(&app(json!({"zone": "internet", "image": image, "host": "x.health.example.org"}))),
        Vec::<&str>::new()
    );
    assert_eq!(
        failing(&app(json!({"zone": "internet", "image": image, "host": "health.example.org"}))),
        vec![PUBLIC_HOSTS]
    );
    assert_eq!(failing(&app(json!({"zone": "internet", "image": image, "host": "www.gov.cn"}))), vec![PUBLIC_HOSTS]);
    assert_eq!(
        failing(&app(json!({"zone": "internet", "image": image, "host": "example.gov"}))),
        vec![PUBLIC_HOSTS],
        "the zone's apex is the city's"
    );
    assert_eq!(
        failing(&app(json!({"zone": "private", "image": "harbor.egov.local/health/a:1"}))),
        vec![APP_ZONE, IMAGE_DIGEST]
    );
    let pinned_image = format!("harbor.egov.local/health/a{}", digest());
    assert_eq!(
        failing(&app(json!({"zone": "internet", "image": pinned_image, "imagePullPolicy": "IfNotPresent"}))),
        vec![IMAGE_PULL],
        "a level 3 zone pulls Always"
    );
    assert_eq!(
        failing(&app(json!({"zone": "internet", "image": pinned_image, "imagePullPolicy": "Always"}))),
        Vec::<&str>::new()
    );
    assert_eq!(
        failing(&app(json!({"zone": "internet", "image": "quay.io/a:1"}))),
        vec![IMAGE_REGISTRY, IMAGE_REGISTRY, IMAGE_DIGEST]
    );
    let service = json!({"kind": "Service", "metadata": {"name": "s"}, "spec": {"type": "LoadBalancer", "externalIPs": ["1.2.3.4"]}});
    assert_eq!(failing(&service), vec![EXTERNAL_SERVICES, EXTERNAL_SERVICES]);
    let service = |spec: Value| json!({"kind": "Service", "metadata": {"name": "s"}, "spec": spec});
    assert_eq!(
        failing(&service(json!({"type": "ExternalName", "externalName": "kubernetes.default.svc"}))),
        vec![EXTERNAL_SERVICES]
    );
    assert_eq!(failing(&service(json!({"type": "NodePort"}))), vec![EXTERNAL_SERVICES]);
    // Offline there is no CREATE: an allocated address is what the API server chose.
    assert_eq!(failing(&service(json!({"type": "ClusterIP", "clusterIP": "10.96.0.10"}))), Vec::<&str>::new());
    let ingress = |backend: &str| {
        json!({"kind": "Ingress", "metadata": {"name": "site", "namespace": "health-internet"}, "spec": {"rules": [{"host": "a.example.gov",
                "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": backend, "port": {"name": "http"}}}}]}}]}})
    };
    assert_eq!(failing(&ingress("site")), Vec::<&str>::new());
    assert_eq!(failing(&ingress("kube-dns")), vec![INGRESS_ZONE]);
    // `namespace` is a field like any other (a reserved word in CEL, not escaped by the API server).
    let binding = |subject: Value| {
        json!({"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "health-internet"},
                "roleRef": {"kind": "ClusterRole", "name": crate::meta::names::tenant_role("developer")}, "subjects": [subject]})
    };
    assert_eq!(
        failing(&binding(json!({"kind": "ServiceAccount", "name": "x", "namespace": "health-internet"}))),
        Vec::<&str>::new()
    );
    assert_eq!(
        failing(&binding(json!({"kind": "ServiceAccount", "name": "x", "namespace": "health-private"}))),
        vec![TENANT_BINDINGS],
        "another zone's workload"
    );
    assert_eq!(
        failing(&binding(json!({"kind": "ServiceAccount", "name": "x", "namespace": "police-internet"}))),
        vec![TENANT_BINDINGS]
    );
    assert_eq!(failing(&binding(json!({"kind": "Group", "name": "system:authenticated"}))), vec![TENANT_BINDINGS]);
    let secret = json!({"kind": "Secret", "metadata": {"name": "t"}, "type": "kubernetes.io/service-account-token"});
    assert_eq!(failing(&secret), vec![NO_TOKEN_SECRETS]);
}

#[test]
fn map_keys_are_not_escaped() {
    let o = json!({"namespace": 1, "a.b/c-d_e": -2, "big": u64::MAX, "f": 1.5, "l": [true, null, "s"]});
    let evaluator = Evaluator::new();
    let scope = evaluator.namespace(None, None);
    let here = scope.object(&o);
    for (expr, want) in [
        ("object.namespace == 1", true),
        ("object['a.b/c-d_e'] == -2 && 'a.b/c-d_e' in object", true),
        ("has(object.a__dot__b__slash__c__dash__d__e)", false),
        ("object.big == 18446744073709551615u", true),
        ("object.f == 1.5", true),
        ("object.l[0] && object.l[1] == null && object.l[2] == 's'", true),
        (
            "request.operation == '' && request.userInfo.groups == [] && oldObject == null && namespaceObject == null",
            true,
        ),
        (
            "'a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'.matches('@sha256:[0-9a-f]{64}$')",
            true,
        ),
        ("'a/b:latest'.matches('@sha256:[0-9a-f]{64}$')", false),
        ("'a'.matches('(')", false),
        ("'a'.matches('(') || true", true),
    ] {
        let passed = matches!(Program::compile(expr).expect("compiles").execute(&here.scope), Ok(CelValue::Bool(true)));
        assert_eq!(passed, want, "{expr}");
    }
}

#[test]
fn images_are_pulled_always_where_the_zone_requires_it() {
    let if_not_present = |o: Value| {
        let mut o = o;
        o["spec"]["containers"][0]["imagePullPolicy"] = json!("IfNotPresent");
        o
    };
    let tagged = with(pod(), "/spec/containers/0/image", json!("registry.example:5000/gov/x:1"));
    let at = |o: &Value, level: u8, zone: &Value| {
        let ns = namespace(level, None);
        failures(&Evaluator::new(), o, Some(&ns), Some(zone)).iter().map(|f| f.check.control).collect::<Vec<_>>()
    };
    let mut level2 = zone();
    level2["spec"]["mlpsLevel"] = json!(2);
    // A level 2 zone that does not say: any policy.
    assert_eq!(at(&if_not_present(tagged.clone()), 2, &level2), Vec::<&str>::new());
    // The tenant raised the namespace to level 3: Always (and a digest).
    assert_eq!(at(&if_not_present(pod()), 3, &level2), vec![IMAGE_PULL]);
    // The zone says so at level 2.
    level2["spec"]["alwaysPullImages"] = json!(true);
    assert_eq!(at(&if_not_present(tagged.clone()), 2, &level2), vec![IMAGE_PULL]);
    assert_eq!(at(&tagged, 2, &level2), Vec::<&str>::new());
    // An init container counts; every workload kind's template too.
    let init = with(
        pod(),
        "/spec/initContainers",
        json!([{"name": "i", "image": format!("harbor.egov.local/health/i{}", digest()), "imagePullPolicy": "IfNotPresent",
                "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}}]),
    );
    assert_eq!(failing(&init), vec![IMAGE_PULL]);
    let deployment = json!({"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"metadata": {}, "spec": if_not_present(pod())["spec"].clone()}}});
    assert_eq!(failing(&deployment), vec![IMAGE_PULL]);
    let cron = json!({"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": if_not_present(pod())["spec"].clone()}}}}});
    assert_eq!(failing(&cron), vec![IMAGE_PULL]);
}

#[test]
fn autoscaling_is_bounded_by_the_quota_figures_on_the_namespace() {
    use crate::meta::labels::{DEFAULT_LIMIT_CPU, DEFAULT_LIMIT_MEMORY, QUOTA_CPU, QUOTA_MEMORY, QUOTA_PODS};
    let ns = |annotated: bool| {
        let annotations = if annotated {
            json!({QUOTA_PODS: "6", QUOTA_CPU: "4", QUOTA_MEMORY: "8Gi", DEFAULT_LIMIT_CPU: "500m", DEFAULT_LIMIT_MEMORY: "512Mi"})
        } else {
            json!({})
        };
        json!({"kind": "Namespace", "metadata": {"name": "health-extranet", "labels": {TENANT: "health", ZONE: "extranet"}, "annotations": annotations}})
    };
    let judge = |o: &Value, annotated: bool| -> Vec<&'static str> {
        let mut ids: Vec<&str> = failures(&Evaluator::new(), o, Some(&ns(annotated)), None)
            .iter()
            .filter(|f| f.check.control == AUTOSCALING_QUOTA)
            .map(|f| f.check.field())
            .collect();
        ids.sort();
        ids
    };
    let app = |max: i32, resources: Value| {
        json!({"kind": "DepartmentApp", "metadata": {"name": "portal", "namespace": "health-extranet"}, "spec": {
                "zone": "extranet", "image": "harbor.egov.local/health/portal:1", "resources": resources,
                "autoscaling": {"minReplicas": 1, "maxReplicas": max, "targetCPUUtilization": 70}}})
    };
    let limits = |cpu: &str, memory: &str| json!({"limits": {"cpu": cpu, "memory": memory}});
    assert!(judge(&app(4, limits("1", "1Gi")), true).is_empty(), "4 pods at 1 CPU fill the 4 CPUs exactly");
    assert_eq!(judge(&app(5, limits("1", "1Gi")), true), ["spec.autoscaling.maxReplicas"], "5 CPUs");
    assert_eq!(judge(&app(3, limits("1", "3Gi")), true), ["spec.autoscaling.maxReplicas"], "9Gi");
    assert_eq!(judge(&app(7, limits("100m", "64Mi")), true), ["spec.autoscaling.maxReplicas"], "7 pods");
    // The default limits (500m, 512Mi) where the app sets none: 6 fit, 9 would need 4.5 CPUs.
    assert!(judge(&app(6, json!({})), true).is_empty());
    assert_eq!(judge(&app(9, json!({})), true).len(), 2, "pods and CPU");
    // Rounding: 30 pods at 100m are 3 CPUs, not a float's 3.0000000000000004.
    let many = json!({QUOTA_PODS: "30", QUOTA_CPU: "3", QUOTA_MEMORY: "8Gi"});
    let wide = json!({"kind": "Namespace", "metadata": {"name": "health-extranet", "annotations": many}});
    let at_100m = app(30, limits("100m", "128Mi"));
    assert!(
        failures(&Evaluator::new(), &at_100m, Some(&wide), None).iter().all(|f| f.check.control != AUTOSCALING_QUOTA)
    );
    // A namespace without the figures (rendered by an older operator) bounds nothing.
    assert!(judge(&app(100, limits("64", "64Gi")), false).is_empty());
    // Any HPA: maxReplicas within the quota's pods.
    let hpa = |max: i32| {
        json!({"kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v1", "metadata": {"name": "web", "namespace": "health-extranet"},
                "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": max}})
    };
    assert!(judge(&hpa(6), true).is_empty());
    assert_eq!(judge(&hpa(7), true), ["spec.maxReplicas"]);
}
