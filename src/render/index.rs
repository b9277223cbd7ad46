//! Who is where: resolves each tenant's zones and each app's tenant, zone and
//! namespace, and reports what does not fit together.

use std::collections::{BTreeMap, BTreeSet};

use kube::ResourceExt;

use super::labels::namespace_name;
use crate::api::{AppRef, DepartmentApp, Exposure, NetworkZone, Tenant, TenantZone, ZoneKind};
use crate::controls;
use crate::model::Model;
use crate::problem::{ObjectRef, Problem};

/// A tenant and the zones it may use that exist.
#[derive(Clone, Debug)]
pub struct TenantEntry<'a> {
    /// The tenant.
    pub tenant: &'a Tenant,
    /// Its zones that are declared, with its quota there.
    pub zones: Vec<(&'a NetworkZone, &'a TenantZone)>,
}

/// An app that fits: its tenant, zone and namespace agree.
#[derive(Clone, Debug)]
pub struct Placement<'a> {
    /// `tenant/app`.
    pub key: AppRef,
    /// The app.
    pub app: &'a DepartmentApp,
    /// Its tenant.
    pub tenant: &'a Tenant,
    /// Its zone.
    pub zone: &'a NetworkZone,
    /// Its namespace, `<tenant>-<zone>`.
    pub namespace: String,
    /// MLPS level in force: the zone's, raised by the tenant's.
    pub mlps_level: u8,
}

/// The resolved model.
#[derive(Clone, Debug)]
pub struct Index<'a> {
    /// Zones by name.
    pub zones: BTreeMap<String, &'a NetworkZone>,
    /// Tenants by name.
    pub tenants: BTreeMap<String, TenantEntry<'a>>,
    /// Apps that fit, by `tenant/app`.
    pub apps: BTreeMap<AppRef, Placement<'a>>,
    /// Apps that were declared but do not fit (so callers get a precise reason).
    pub misplaced: BTreeSet<AppRef>,
    /// Every inconsistency found.
    pub problems: Vec<Problem>,
}

/// MLPS level of a tenant's namespace in a zone.
pub fn mlps_level(zone: &NetworkZone, tenant: &Tenant) -> u8 {
    zone.spec.mlps_level.max(tenant.spec.mlps_level.unwrap_or(0))
}

impl<'a> Index<'a> {
    /// Resolves a model.
    pub fn build(model: &'a Model) -> Self {
        let mut problems = Vec::new();
        let zones: BTreeMap<String, &NetworkZone> = model.zones.iter().map(|z| (z.name_any(), z)).collect();
        let zone_names = || zones.keys().cloned().collect::<Vec<_>>().join(", ");

        let mut tenants = BTreeMap::new();
        for t in &model.tenants {
            let name = t.name_any();
            let mut entry = TenantEntry { tenant: t, zones: Vec::new() };
            for (i, tz) in t.spec.zones.iter().enumerate() {
                match zones.get(&tz.name) {
                    Some(z) => entry.zones.push((*z, tz)),
                    None => problems.push(Problem::unresolved(
                        ObjectRef::cluster("Tenant", &name),
                        format!("spec.zones[{i}].name"),
                        format!("zone {:?} is not declared", tz.name),
                        format!("declare a NetworkZone named {:?} or use one of: {}", tz.name, zone_names()),
                    )),
                }
            }
            tenants.insert(name, entry);
        }

        // namespace -> (tenant, zone) for every namespace that will exist
        let mut namespaces: BTreeMap<String, (&TenantEntry<'_>, &NetworkZone)> = BTreeMap::new();
        for (tname, entry) in &tenants {
            for (z, _) in &entry.zones {
                namespaces.insert(namespace_name(tname, &z.name_any()), (entry, *z));
            }
        }

        let mut apps: BTreeMap<AppRef, Placement<'a>> = BTreeMap::new();
        let mut misplaced = BTreeSet::new();
        let mut sorted: Vec<&DepartmentApp> = model.apps.iter().collect();
        sorted.sort_by_key(|a| (a.namespace().unwrap_or_default(), a.name_any()));
        for app in sorted {
            let ns = app.namespace().unwrap_or_default();
            let name = app.name_any();
            let obj = ObjectRef::namespaced("DepartmentApp", &ns, &name);
            let before = problems.len();
            let Some((entry, zone)) = namespaces.get(&ns) else {
                problems.push(unplaced(app, &ns, &obj, &zones, &tenants));
                if let Some((t, _)) = ns.rsplit_once('-') {
                    misplaced.insert(AppRef { tenant: t.to_string(), app: name.clone() });
                }
                continue;
            };
            let tenant = entry.tenant;
            let tname = tenant.name_any();
            let zname = zone.name_any();
            let key = AppRef { tenant: tname.clone(), app: name.clone() };
            if app.spec.zone != zname {
                problems.push(Problem::invalid(
                    obj.clone(),
                    "spec.zone",
                    format!("spec.zone is {:?} but namespace {ns} is tenant {tname}'s namespace for zone {zname}", app.spec.zone),
                    format!("set spec.zone to {zname:?}, or create the app in namespace {}", namespace_name(&tname, &app.spec.zone)),
                ));
            }
            if let Some(other) = apps.get(&key) {
                problems.push(Problem::invalid(
                    obj.clone(),
                    "metadata.name",
                    format!("tenant {tname} already has an app named {name} in namespace {}; flows name apps by tenant and name", other.namespace),
                    "give the app a name that is unique within its tenant",
                ));
            }
            let level = mlps_level(zone, tenant);
            check_app(app, tenant, zone, level, &obj, &mut problems);
            if problems.len() == before {
                apps.insert(key.clone(), Placement { key, app, tenant, zone, namespace: ns.clone(), mlps_level: level });
            } else {
                misplaced.insert(key);
            }
        }

        // Exchange endpoints must name apps of their own zone, and known peer zones.
        for (zname, zone) in &zones {
            for (i, ep) in zone.spec.exchange_endpoints.iter().enumerate() {
                let obj = ObjectRef::cluster("NetworkZone", zname);
                for (j, peer) in ep.peer_zones.iter().enumerate() {
                    if !zones.contains_key(peer) {
                        problems.push(Problem::unresolved(
                            obj.clone(),
                            format!("spec.exchangeEndpoints[{i}].peerZones[{j}]"),
                            format!("peer zone {peer:?} is not declared"),
                            format!("declare it or use one of: {}", zone_names()),
                        ));
                    } else if peer == zname {
                        problems.push(Problem::invalid(
                            obj.clone(),
                            format!("spec.exchangeEndpoints[{i}].peerZones[{j}]"),
                            "a zone cannot be its own peer",
                            "name another zone",
                        ));
                    }
                }
                let Some(target) = &ep.app else { continue };
                match apps.get(target) {
                    Some(p) if p.zone.name_any() != *zname => problems.push(Problem::invalid(
                        obj.clone(),
                        format!("spec.exchangeEndpoints[{i}].app"),
                        format!("app {target} runs in zone {}, not in {zname}", p.zone.name_any()),
                        "an exchange endpoint registers an app of its own zone; register it on that app's zone",
                    )),
                    Some(_) => {}
                    None if misplaced.contains(target) => {}
                    None => problems.push(Problem::unresolved(
                        obj.clone(),
                        format!("spec.exchangeEndpoints[{i}].app"),
                        format!("app {target} does not exist"),
                        format!("create DepartmentApp {} in namespace {} or correct the reference", target.app, namespace_name(&target.tenant, zname)),
                    )),
                }
            }
        }

        Index { zones, tenants, apps, misplaced, problems }
    }
}

/// Why an app's namespace is not a tenant namespace, as precisely as possible.
fn unplaced(app: &DepartmentApp, ns: &str, obj: &ObjectRef, zones: &BTreeMap<String, &NetworkZone>, tenants: &BTreeMap<String, TenantEntry<'_>>) -> Problem {
    let zone = &app.spec.zone;
    if !zones.contains_key(zone) {
        return Problem::unresolved(
            obj.clone(),
            "spec.zone",
            format!("zone {zone:?} is not declared"),
            format!("declare a NetworkZone named {zone:?} or use one of: {}", zones.keys().cloned().collect::<Vec<_>>().join(", ")),
        );
    }
    let tenant = ns.strip_suffix(&format!("-{zone}")).filter(|t| tenants.contains_key(*t));
    match tenant {
        Some(t) => {
            let allowed: Vec<String> = tenants[t].zones.iter().map(|(z, _)| z.name_any()).collect();
            Problem::invalid(
                obj.clone(),
                "spec.zone",
                format!("tenant {t} may not use zone {zone} (its zones: {})", if allowed.is_empty() { "none".into() } else { allowed.join(", ") }),
                format!("add {zone} to Tenant {t} spec.zones, or move the app to one of the tenant's zones"),
            )
        }
        None => {
            let allowed: Vec<String> =
                tenants.iter().filter(|(_, e)| e.zones.iter().any(|(z, _)| z.name_any() == *zone)).map(|(t, _)| namespace_name(t, zone)).collect();
            Problem::invalid(
                obj.clone(),
                "metadata.namespace",
                format!("namespace {ns} is not a govcloud tenant namespace for zone {zone}"),
                format!(
                    "create the app in its tenant's namespace <tenant>-{zone}{}",
                    if allowed.is_empty() { String::new() } else { format!(" (one of: {})", allowed.join(", ")) }
                ),
            )
        }
    }
}

/// Rules about an app that need its zone and tenant.
fn check_app(app: &DepartmentApp, tenant: &Tenant, zone: &NetworkZone, level: u8, obj: &ObjectRef, problems: &mut Vec<Problem>) {
    let zname = zone.name_any();
    if app.spec.exposure == Exposure::Public && !(zone.spec.kind == ZoneKind::Internet && zone.spec.internet_ingress) {
        problems.push(Problem::invalid(
            obj.clone(),
            "spec.exposure",
            format!(
                "public exposure is allowed only in an internet zone with internetIngress: true; zone {zname} is {}{}",
                zone.spec.kind,
                if zone.spec.kind == ZoneKind::Internet { " without internetIngress" } else { "" }
            ),
            "use exposure zone or none, or run the public front end in an internet zone and reach this app through an exchange endpoint",
        ));
    }
    if app.spec.exposure == Exposure::Public && app.spec.host.is_none() && zone.spec.public_domain.is_none() {
        problems.push(Problem::invalid(
            obj.clone(),
            "spec.host",
            format!("a public app needs a host name and zone {zname} has no publicDomain"),
            "set spec.host, or spec.publicDomain on the zone",
        ));
    }
    if !controls::image_from_allowed_registry(&app.spec.image, &zone.spec.allowed_registries) {
        problems.push(Problem::invalid(
            obj.clone(),
            "spec.image",
            format!(
                "[{}] image {:?} is not from a registry zone {zname} allows ({})",
                controls::IMAGE_REGISTRY,
                app.spec.image,
                zone.spec.allowed_registries.join(", ")
            ),
            "push the image to an allowed registry and reference it there",
        ));
    } else if !tenant.spec.allowed_registries.is_empty() && !controls::image_from_allowed_registry(&app.spec.image, &tenant.spec.allowed_registries) {
        problems.push(Problem::invalid(
            obj.clone(),
            "spec.image",
            format!(
                "[{}] image {:?} is not from a registry tenant {} allows ({})",
                controls::IMAGE_REGISTRY,
                app.spec.image,
                tenant.name_any(),
                tenant.spec.allowed_registries.join(", ")
            ),
            "push the image under the tenant's registry path",
        ));
    }
    if level >= 3 && !controls::image_pinned_by_digest(&app.spec.image) {
        problems.push(Problem::invalid(
            obj.clone(),
            "spec.image",
            format!("[{}] MLPS level {level} applies here and image {:?} is not pinned by digest", controls::IMAGE_DIGEST, app.spec.image),
            "reference the image as <repository>@sha256:<digest>",
        ));
    }
    for (i, call) in app.spec.flows.calls.iter().enumerate() {
        if call.tenant.as_deref().unwrap_or(&tenant.name_any()) == tenant.name_any() && call.app == app.name_any() {
            problems.push(Problem::invalid(obj.clone(), format!("spec.flows.calls[{i}]"), "an app cannot call itself", "remove the entry"));
        }
    }
}
