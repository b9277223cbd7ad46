#[test]
fn the_crds_serve_meta_s_group_and_version() {
    // The derive attributes take literals: they must say what `meta` says.
    for crd in super::crds() {
        assert_eq!(crd.spec.group, crate::meta::GROUP, "{}", crd.spec.names.kind);
        assert!(
            crd.spec.versions.iter().any(|v| v.name == crate::meta::VERSION && v.served && v.storage),
            "{}",
            crd.spec.names.kind
        );
    }
}

/// The problems the loader (the CRD's own rules, evaluated offline) finds
/// in an app with `spec` (YAML, indented by two) after a valid head.
fn app_problems(spec: &str) -> Vec<String> {
    let text = format!(
        "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: portal, namespace: a-ext}}\nspec:\n  zone: ext\n  image: harbor.egov.local/a/portal:1\n  ports: [{{name: http, port: 8080}}, {{name: dns, port: 53, protocol: UDP}}]\n{spec}"
    );
    match crate::model::load_str("app.yaml", &text) {
        Ok(_) => vec![],
        Err(problems) => problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect(),
    }
}

fn refused(spec: &str, field: &str, words: &str) {
    let problems = app_problems(spec);
    assert!(
        problems.iter().any(|p| p.starts_with(field) && p.contains(words)),
        "{field}: {words:?} not in {problems:?}"
    );
}

#[test]
fn limits_are_compared_with_requests_as_quantities() {
    let res = |req: (&str, &str), lim: (&str, &str)| {
        format!(
            "  resources: {{requests: {{cpu: '{}', memory: '{}'}}, limits: {{cpu: '{}', memory: '{}'}}}}\n",
            req.0, req.1, lim.0, lim.1
        )
    };
    // Equal in other spellings, and above: accepted.
    assert_eq!(app_problems(&res(("1", "1Gi"), ("1000m", "1024Mi"))), Vec::<String>::new());
    assert_eq!(app_problems(&res(("250m", "256Mi"), ("2", "1G"))), Vec::<String>::new());
    refused(
        &res(("2", "256Mi"), ("1500m", "1Gi")),
        "spec.resources.limits.cpu",
        "limits.cpu must be at least requests.cpu",
    );
    refused(
        &res(("1", "1Gi"), ("1", "1000Mi")),
        "spec.resources.limits.memory",
        "limits.memory must be at least requests.memory",
    );
    // One side only: the defaults decide, at render time.
    assert_eq!(app_problems("  resources: {requests: {cpu: '4'}}\n"), Vec::<String>::new());
}

#[test]
fn environment_variables_are_named_once_and_take_one_source() {
    let ok = "  env:\n  - {name: MODE, value: production}\n  - {name: _DB_HOST, valueFrom: {configMapKeyRef: {name: portal-config, key: db.host}}}\n  - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: portal-db, key: password}}}\n  - {name: EMPTY}\n";
    assert_eq!(app_problems(ok), Vec::<String>::new());
    refused("  env:\n  - {name: A, value: x}\n  - {name: A, value: y}\n", "spec.env[1]", "duplicate entry");
    refused("  env:\n  - {name: 1A, value: x}\n", "spec.env[0].name", "letters, digits and underscores");
    refused(
        "  env:\n  - {name: A, value: x, valueFrom: {configMapKeyRef: {name: c, key: k}}}\n",
        "spec.env[0].valueFrom",
        "takes value or valueFrom, not both",
    );
    refused(
        "  env:\n  - {name: A, valueFrom: {configMapKeyRef: {name: c, key: k}, secretKeyRef: {name: s, key: k}}}\n",
        "spec.env[0].valueFrom",
        "exactly one of configMapKeyRef and secretKeyRef",
    );
    refused("  env:\n  - {name: A, valueFrom: {}}\n", "spec.env[0].valueFrom", "exactly one of");
    refused(
        "  env:\n  - {name: A, valueFrom: {configMapKeyRef: {name: Other_NS, key: k}}}\n",
        "spec.env[0].valueFrom.configMapKeyRef.name",
        "a DNS subdomain",
    );
    // No namespace, no inline data: unknown fields, with Kubernetes' paths.
    refused(
        "  env:\n  - {name: A, valueFrom: {secretKeyRef: {name: s, key: k, namespace: kube-system}}}\n",
        "spec.env[0].valueFrom.secretKeyRef.namespace",
        "unknown field",
    );
}

#[test]
fn config_files_mount_read_only_where_govcloud_mounts_nothing() {
    let ok = "  configFiles:\n  - {mountPath: /etc/portal, configMap: portal-config, items: [{key: portal.yaml, path: conf/portal.yaml}]}\n  - {mountPath: /etc/portal/tls, secret: portal-tls}\n  - {mountPath: /var/run/secrets/portal, secret: portal-db}\n";
    assert_eq!(app_problems(ok), Vec::<String>::new());
    for path in ["/tmp", "/tmp/portal", "/var", "/var/run/secrets/kubernetes.io/serviceaccount"] {
        refused(
            &format!("  configFiles:\n  - {{mountPath: '{path}', configMap: c}}\n"),
            "spec.configFiles[0].mountPath",
            "mountPath may not be",
        );
    }
    for path in ["/", "etc/portal", "/etc/portal/", "/etc/../portal", "/etc/./portal", "/etc//portal", "/etc/por tal"] {
        refused(
            &format!("  configFiles:\n  - {{mountPath: '{path}', configMap: c}}\n"),
            "spec.configFiles[0].mountPath",
            "mountPath must be an absolute path",
        );
    }
    refused(
        "  configFiles:\n  - {mountPath: /etc/a, configMap: c}\n  - {mountPath: /etc/a, secret: s}\n",
        "spec.configFiles[1]",
        "duplicate entry",
    );
    refused("  configFiles:\n  - {mountPath: /etc/a}\n", "spec.configFiles[0]", "exactly one of configMap and secret");
    refused(
        "  configFiles:\n  - {mountPath: /etc/a, configMap: c, items: [{key: k, path: ../k}]}\n",
        "spec.configFiles[0].items[0].path",
        "without . or .. parts",
    );
    refused(
        "  configFiles:\n  - {mountPath: /etc/a, configMap: c, items: [{key: k, path: /k}]}\n",
        "spec.configFiles[0].items[0].path",
        "relative path",
    );
}

#[test]
fn probes_name_the_apps_tcp_ports_and_stay_in_bounds() {
    let ok = "  readinessProbe: {httpGet: {path: /healthz, port: http, scheme: HTTPS}, periodSeconds: 5, timeoutSeconds: 2}\n  livenessProbe: {tcpSocket: {port: http}, initialDelaySeconds: 30, failureThreshold: 3}\n  startupProbe: {exec: {command: [/check]}}\n";
    assert_eq!(app_problems(ok), Vec::<String>::new());
    for (probe, handler) in [("readinessProbe", "httpGet"), ("livenessProbe", "tcpSocket"), ("startupProbe", "httpGet")]
    {
        let spec = format!("  {probe}: {{{handler}: {{port: health}}}}\n");
        refused(&spec, &format!("spec.{probe}.{handler}.port"), "must name one of the app's TCP ports");
        // A UDP port cannot be probed.
        let spec = format!("  {probe}: {{{handler}: {{port: dns}}}}\n");
        refused(&spec, &format!("spec.{probe}.{handler}.port"), "must name one of the app's TCP ports");
    }
    refused(
        "  readinessProbe: {periodSeconds: 5}\n",
        "spec.readinessProbe",
        "exactly one of httpGet, tcpSocket and exec",
    );
    refused(
        "  readinessProbe: {tcpSocket: {port: http}, exec: {command: [x]}}\n",
        "spec.readinessProbe",
        "exactly one of",
    );
    refused("  readinessProbe: {exec: {command: []}}\n", "spec.readinessProbe.exec.command", "must name a program");
    refused(
        "  readinessProbe: {httpGet: {path: healthz, port: http}}\n",
        "spec.readinessProbe.httpGet.path",
        "must start with /",
    );
    for (field, value) in [
        ("initialDelaySeconds", -1),
        ("periodSeconds", 0),
        ("periodSeconds", 301),
        ("timeoutSeconds", 61),
        ("failureThreshold", 0),
    ] {
        refused(
            &format!("  livenessProbe: {{tcpSocket: {{port: http}}, {field}: {value}}}\n"),
            &format!("spec.livenessProbe.{field}"),
            "must be between",
        );
    }
}

#[test]
fn port_names_are_iana_service_names() {
    let ports = |name: &str| {
        format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: portal, namespace: a-ext}}\nspec:\n  zone: ext\n  image: harbor.egov.local/a/portal:1\n  ports: [{{name: '{name}', port: 8080}}]\n"
        )
    };
    for ok in ["http", "web-api", "h2", "a1-b2"] {
        assert!(crate::model::load_str("a.yaml", &ports(ok)).is_ok(), "{ok}");
    }
    for bad in ["web--api", "8080", "-http", "http-", "a-very-long-port-name"] {
        assert!(crate::model::load_str("a.yaml", &ports(bad)).is_err(), "{bad}");
    }
}

#[test]
fn the_configmaps_and_secrets_an_app_reads_are_listed_once() {
    let text = "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {name: portal, namespace: a-ext}\nspec:\n  zone: ext\n  image: harbor.egov.local/a/portal:1\n  env:\n  - {name: A, valueFrom: {configMapKeyRef: {name: b-config, key: k}}}\n  - {name: B, valueFrom: {configMapKeyRef: {name: a-config, key: k}}}\n  - {name: C, valueFrom: {secretKeyRef: {name: db, key: k}}}\n  configFiles:\n  - {mountPath: /etc/a, configMap: b-config}\n  - {mountPath: /etc/tls, secret: tls}\n";
    let model = crate::model::load_str("a.yaml", text).expect("app").model;
    let spec = &model.apps[0].spec;
    assert_eq!(spec.config_maps().into_iter().collect::<Vec<_>>(), ["a-config", "b-config"]);
    assert_eq!(spec.secrets().into_iter().collect::<Vec<_>>(), ["db", "tls"]);
}

#[test]
fn cron_fields_are_checked_within_their_ranges() {
    for ok in ["30 2 * * *", "*/15 * * * *", "0 8-18 * * MON-FRI", "0 0 1,15 JAN,jul ?", "@daily", "0 0 * * 0"] {
        assert_eq!(super::cron_problem(ok), None, "{ok}");
    }
    for (bad, says) in [
        ("61 2 * * *", "minute '61': values must be 0-59"),
        ("0 24 * * *", "hour '24'"),
        ("0 0 0 * *", "day of month '0'"),
        ("0 0 * 13 *", "month '13'"),
        ("0 0 * * 7", "day of week '7'"),
        ("0 0 * * FOO", "or names such as SUN"),
        ("*/0 * * * *", "the step after / must be a number from 1 to 59"),
        ("0 5-2 * * *", "a range runs from low to high"),
        ("0 0 * *", "has 4 fields"),
        ("@fortnightly", "unknown macro"),
    ] {
        let found = super::cron_problem(bad).map(|m| m.to_string()).unwrap_or_default();
        assert!(found.contains(says), "{bad}: {found:?}");
    }
}

#[test]
fn how_an_app_runs_follows_what_it_declares() {
    let app = |extra: serde_json::Value| -> super::DepartmentAppSpec {
        let mut v = serde_json::json!({"zone": "ext", "image": "harbor.egov.local/a/x:1"});
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        serde_json::from_value(v).expect("spec")
    };
    use super::WorkloadKind::*;
    assert_eq!(app(serde_json::json!({})).workload_kind(), Deployment);
    let storage = serde_json::json!([{"name": "data", "size": "1Gi", "mountPath": "/d"}]);
    assert_eq!(app(serde_json::json!({"storage": storage})).workload_kind(), StatefulSet);
    assert_eq!(app(serde_json::json!({"schedule": {"cron": "@daily"}})).workload_kind(), CronJob);
}
