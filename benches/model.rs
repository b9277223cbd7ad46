//! Speed of the pure core on the Chifeng model and on synthetic cities of
//! growing size: load/validate, render, and audit. `make bench` runs it in
//! release mode; results go to BENCHMARKS.md by hand, with the command.

use std::time::{Duration, Instant};

use govcloud::model::{Model, load_paths, load_str};

fn city(tenants: usize, apps_per_tenant: usize) -> String {
    let mut s = String::from(
        "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: extranet}\nspec: {kind: extranet, displayName: {zh: 外网, en: Extranet}, nodePool: {selector: {govcloud.io/zone: extranet}, taint: {key: govcloud.io/zone, value: extranet}}, cidrs: [10.10.0.0/16], allowedRegistries: [harbor.egov.local]}\n",
    );
    for t in 0..tenants {
        s.push_str(&format!("---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: t{t}}}\nspec: {{displayName: {{zh: 局{t}, en: Bureau {t}}}, owners: [{{kind: Group, name: g{t}, role: admin}}], zones: [{{name: extranet}}]}}\n"));
        for a in 0..apps_per_tenant {
            // Every app calls the first app of the previous tenant, which grants it.
            let call = if t > 0 { format!("calls: [{{tenant: t{}, app: a0}}]", t - 1) } else { String::new() };
            let grant = if a == 0 && t + 1 < tenants { format!("allowFrom: [{{tenant: t{}}}]", t + 1) } else { String::new() };
            let flows = match (call.is_empty(), grant.is_empty()) {
                (true, true) => String::new(),
                (false, true) => format!(", flows: {{{call}}}"),
                (true, false) => format!(", flows: {{{grant}}}"),
                (false, false) => format!(", flows: {{{call}, {grant}}}"),
            };
            s.push_str(&format!(
                "---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: a{a}, namespace: t{t}-extranet}}\nspec: {{zone: extranet, image: harbor.egov.local/t{t}/a{a}:1, replicas: 2, ports: [{{name: http, port: 8080}}]{flows}}}\n"
            ));
        }
    }
    s
}

fn time<T>(f: impl Fn() -> T) -> (Duration, T) {
    // Best of 3, so a scheduling hiccup does not count.
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..3 {
        let start = Instant::now();
        let v = f();
        best = best.min(start.elapsed());
        out = Some(v);
    }
    (best, out.expect("ran"))
}

fn row(name: &str, model: &Model, load: Duration) {
    let (render, rendered) = time(|| govcloud::render::render(model));
    let objects: Vec<serde_json::Value> = rendered.objects.iter().filter_map(|o| serde_json::to_value(o).ok()).collect();
    let (audit, a) = time(|| govcloud::audit::audit(model, &objects));
    println!(
        "| {name} | {} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {} |",
        model.tenants.len(),
        model.apps.len(),
        rendered.objects.len(),
        rendered.flows.len(),
        load.as_secs_f64() * 1000.0,
        render.as_secs_f64() * 1000.0,
        audit.as_secs_f64() * 1000.0,
        a.findings.len()
    );
}

fn main() {
    println!("| model | tenants | apps | objects | flows | load+validate ms | render ms | audit ms | findings |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/chifeng");
    let (load, loaded) = time(|| load_paths(std::slice::from_ref(&dir)).expect("chifeng"));
    row("chifeng", &loaded.model, load);
    for (t, a) in [(20, 5), (60, 5), (120, 5)] {
        let text = city(t, a);
        let (load, loaded) = time(|| load_str("city.yaml", &text).expect("city"));
        row(&format!("synthetic {t}x{a}"), &loaded.model, load);
    }
}
