//! The models the pure-core benches measure: synthetic cities and the
//! province (the cluster bench's x10 model), as manifests.

pub fn city(tenants: usize, apps_per_tenant: usize) -> String {
    let mut s = String::from(
        "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: extranet}\nspec: {kind: extranet, displayName: {zh: 外网, en: Extranet}, nodePool: {selector: {govcloud.io/zone: extranet}, taint: {key: govcloud.io/zone, value: extranet}}, cidrs: [10.10.0.0/16], allowedRegistries: [harbor.egov.local]}\n",
    );
    for t in 0..tenants {
        s.push_str(&format!("---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: t{t}}}\nspec: {{displayName: {{zh: 局{t}, en: Bureau {t}}}, owners: [{{kind: Group, name: g{t}, role: admin}}], zones: [{{name: extranet}}]}}\n"));
        for a in 0..apps_per_tenant {
            // Every app calls the first app of the previous tenant, which grants it.
            let call = if t > 0 { format!("calls: [{{tenant: t{}, app: a0}}]", t - 1) } else { String::new() };
            let grant =
                if a == 0 && t + 1 < tenants { format!("allowFrom: [{{tenant: t{}}}]", t + 1) } else { String::new() };
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

/// A province: `tenants` tenants with `apps_per_tenant` apps each over three
/// zones (extranet, private at MLPS 3, internet), 2–3 zones per tenant, with
/// a mix of replicas, ports and exposures, and granted, pending and refused
/// flows within and across tenants.
pub fn province(tenants: usize, apps_per_tenant: usize) -> String {
    let mut s = String::from(concat!(
        "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: extranet}\nspec: {kind: extranet, displayName: {zh: 外网, en: Extranet}, nodePool: {selector: {govcloud.io/zone: extranet}, taint: {key: govcloud.io/zone, value: extranet}}, cidrs: [10.10.0.0/16], egress: {gateway: {cidr: 10.10.255.1/32, ports: [3128]}}, allowedRegistries: [harbor.egov.local]}\n",
        "---\napiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: private}\nspec: {kind: private, displayName: {zh: 专网, en: Private}, nodePool: {selector: {govcloud.io/zone: private}, taint: {key: govcloud.io/zone, value: private, effect: NoExecute}}, cidrs: [10.30.0.0/16], mlpsLevel: 3, allowedRegistries: [harbor.egov.local], exchangeEndpoints: [{name: gatekeeper, peerZones: [extranet], cidr: 10.30.255.10/32, ports: [443]}]}\n",
        "---\napiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: internet}\nspec: {kind: internet, displayName: {zh: 互联网区, en: Internet}, nodePool: {selector: {govcloud.io/zone: internet}, taint: {key: govcloud.io/zone, value: internet}}, cidrs: [172.20.0.0/16], internetIngress: true, publicDomain: province.gov.cn, egress: {allowedCidrs: [0.0.0.0/0]}, allowedRegistries: [harbor.egov.local]}\n",
    ));
    let zones_of = |t: usize| -> &'static [&'static str] {
        match t % 3 {
            0 => &["extranet", "internet"],
            1 => &["extranet", "private"],
            _ => &["extranet", "internet", "private"],
        }
    };
    // Apps 0..6 run in the extranet, the others in the tenant's other zones in turn.
    let zone_of =
        |t: usize, a: usize| if a < 6 { "extranet" } else { zones_of(t)[1 + (a - 6) % (zones_of(t).len() - 1)] };
    for t in 0..tenants {
        let zones: Vec<String> = zones_of(t).iter().map(|z| format!("{{name: {z}}}")).collect();
        s.push_str(&format!(
            "---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: t{t}}}\nspec: {{displayName: {{zh: 局{t}, en: Bureau {t}}}, owners: [{{kind: Group, name: g{t}, role: admin}}, {{kind: Group, name: d{t}, role: developer}}], zones: [{}]}}\n",
            zones.join(", ")
        ));
        for a in 0..apps_per_tenant {
            let zone = zone_of(t, a);
            let mut calls = Vec::new();
            let mut grants = Vec::new();
            if zone == "extranet" {
                if a == 0 {
                    // The tenant's shared service: the next two tenants' extranet apps may call it.
                    grants.extend((1..=2).filter(|d| t + d < tenants).map(|d| format!("{{tenant: t{}}}", t + d)));
                } else {
                    // Same tenant, granted by default.
                    calls.push("{app: a0}".to_string());
                }
                if (1..=3).contains(&a) {
                    // Granted across tenants.
                    calls.extend((1..=2).filter(|d| t >= *d).map(|d| format!("{{tenant: t{}, app: a0}}", t - d)));
                }
                if a == 4 && t >= 1 {
                    // Refused: no such port.
                    calls.push(format!("{{tenant: t{}, app: a0, ports: [nope]}}", t - 1));
                }
                if a == 5 {
                    // Pending: the provider grants nothing to this tenant.
                    calls.push(format!("{{tenant: t{}, app: a1}}", (t + 7) % tenants.max(1)));
                }
            } else if a > 6 && zone_of(t, a - 1) == zone {
                calls.push(format!("{{app: a{}}}", a - 1));
            }
            let flows = match (calls.is_empty(), grants.is_empty()) {
                (true, true) => String::new(),
                (false, true) => format!(", flows: {{calls: [{}]}}", calls.join(", ")),
                (true, false) => format!(", flows: {{allowFrom: [{}]}}", grants.join(", ")),
                (false, false) => {
                    format!(", flows: {{calls: [{}], allowFrom: [{}]}}", calls.join(", "), grants.join(", "))
                }
            };
            let exposure = match (zone, a % 4) {
                ("internet", 0 | 2) => "public",
                ("extranet", 3) => "zone",
                _ => "none",
            };
            let image = if zone == "private" {
                format!("harbor.egov.local/t{t}/a{a}@sha256:{:064x}", t * 100 + a)
            } else {
                format!("harbor.egov.local/t{t}/a{a}:1.{a}")
            };
            let ports = match a % 3 {
                0 => "[{name: http, port: 8080}]",
                1 => "[{name: http, port: 8080}, {name: metrics, port: 9090}]",
                _ => "[{name: api, port: 8443}]",
            };
            let replicas = [2, 1, 3, 2][a % 4];
            s.push_str(&format!(
                "---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: a{a}, namespace: t{t}-{zone}}}\nspec: {{zone: {zone}, image: {image}, replicas: {replicas}, ports: {ports}, exposure: {exposure}{flows}}}\n"
            ));
        }
    }
    s
}
