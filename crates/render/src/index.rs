//! Who is where: resolves each tenant's zones and each app's tenant, zone and
//! namespace, and reports what does not fit together. An app is identified by
//! tenant, zone and name; a public host name belongs to the first app that
//! claims it.

use std::collections::{BTreeMap, BTreeSet};

mod public;

use kube::ResourceExt;

use super::namespaces::mlps_level;
use super::verdicts::{Setting, Verdicts, host_owners};
use govcloud_core::api::{AppKey, DepartmentApp, Exposure, HostOwner, NetworkZone, Tenant, TenantZone, ZoneKind};
use govcloud_core::controls;
use govcloud_core::messages::{Arg, Code};
use govcloud_core::meta::names::namespace_name;
use govcloud_core::model::Model;
use govcloud_core::msg;
use govcloud_core::problem::{ObjectRef, Problem};

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
    /// `tenant/zone/app`.
    pub key: AppKey,
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
    /// Host name of a public app's Ingress, lowercase.
    pub host: Option<String>,
}

/// The resolved model.
#[derive(Clone, Debug)]
pub struct Index<'a> {
    /// Zones by name.
    pub zones: BTreeMap<String, &'a NetworkZone>,
    /// Tenants by name.
    pub tenants: BTreeMap<String, TenantEntry<'a>>,
    /// Apps that fit, by `tenant/zone/app`.
    pub apps: BTreeMap<AppKey, Placement<'a>>,
    /// Apps that were declared but do not fit (so callers get a precise reason).
    pub misplaced: BTreeSet<AppKey>,
    /// Exchange endpoints (zone, index) whose cidr lies outside their zone's
    /// and peer zones' ranges: never opened.
    pub rejected_endpoints: BTreeSet<(String, usize)>,
    /// Every inconsistency found.
    pub problems: Vec<Problem>,
    /// The cluster's pod and service ranges (the model's), excepted from wide ipBlocks.
    pub cluster_cidrs: &'a [String],
    /// The API server's addresses (the model's), each as a one-address
    /// range ([`crate::api_server_cidrs`]): excepted from every egress ipBlock
    /// that holds one ([`Index::egress_except`]).
    pub api_server: Vec<String>,
    /// The cluster rendered for ([`Model::cluster`]).
    pub cluster: Option<&'a str>,
    /// Zones render Admin-tier ClusterNetworkPolicies (the model's `admin_tier`).
    pub admin_tier: bool,
    /// The public hosts tenants own ([`host_owners`]).
    pub host_owners: Vec<HostOwner>,
    /// The digests of the ConfigMaps apps read (the model's).
    pub config_map_digests: &'a BTreeMap<String, String>,
}

impl<'a> Index<'a> {
    /// Resolves a model; the apps' admission verdicts come from, and are
    /// kept in, `verdicts`.
    pub fn build(model: &'a Model, verdicts: &Verdicts) -> Self {
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
                        msg!(Code::ZoneNotDeclared, format!("{:?}", tz.name)).to_string(),
                        msg!(Code::FixDeclareZone, format!("{:?}", tz.name), zone_names()).to_string(),
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

        // The admission policies' verdict on every app in a tenant namespace, as
        // the API server would give it in the namespace render creates.
        let evaluator = controls::eval::Evaluator::new();
        let host_owners = host_owners(&model.tenants);
        let mut failed: BTreeMap<(String, String), Vec<controls::eval::Failure>> = BTreeMap::new();
        let mut by_namespace: BTreeMap<String, Vec<&DepartmentApp>> = BTreeMap::new();
        for app in &model.apps {
            by_namespace.entry(app.namespace().unwrap_or_default()).or_default().push(app);
        }
        for (ns, apps) in by_namespace {
            let Some((entry, zone)) = namespaces.get(&ns) else { continue };
            // The namespace's setting and evaluation scope, made once for its apps.
            let (setting, mut scope) = (Setting::new(entry.tenant, zone, &host_owners), None);
            for app in apps {
                failed
                    .insert((ns.clone(), app.name_any()), verdicts.failures_in(&evaluator, app, &setting, &mut scope));
            }
        }
        let host_refused = |app: &DepartmentApp| {
            failed
                .get(&(app.namespace().unwrap_or_default(), app.name_any()))
                .is_some_and(|f| f.iter().any(|f| f.check.control == controls::PUBLIC_HOSTS))
        };

        // Public host names: each belongs to the first app that claims one it
        // may use, oldest first (no creation time: newest), then namespace/name.
        let mut claimants: Vec<&DepartmentApp> =
            model.apps.iter().filter(|a| a.spec.exposure == Exposure::Public).collect();
        claimants.sort_by_key(|a| {
            (
                a.metadata.creation_timestamp.is_none(),
                a.metadata.creation_timestamp.clone(),
                a.namespace().unwrap_or_default(),
                a.name_any(),
            )
        });
        let mut claims: BTreeMap<String, (String, String)> = BTreeMap::new();
        for app in claimants {
            let ns = app.namespace().unwrap_or_default();
            let Some((entry, zone)) = namespaces.get(&ns) else { continue };
            if let Some(host) =
                public_host(app, &entry.tenant.name_any(), zone).filter(|h| dns_name(h) && !host_refused(app))
            {
                claims.entry(host).or_insert((ns, app.name_any()));
            }
        }

        let mut apps: BTreeMap<AppKey, Placement<'a>> = BTreeMap::new();
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
                if let Some((t, z)) = govcloud_core::meta::names::split_namespace(&ns) {
                    misplaced.insert(AppKey { tenant: t.to_string(), zone: z.to_string(), app: name.clone() });
                }
                continue;
            };
            let tenant = entry.tenant;
            let tname = tenant.name_any();
            let zname = zone.name_any();
            let key = AppKey { tenant: tname.clone(), zone: zname.clone(), app: name.clone() };
            let level = mlps_level(zone, tenant);
            let failures = failed.get(&(ns.clone(), name.clone())).map(Vec::as_slice).unwrap_or_default();
            for f in failures {
                problems.push(admission_problem(f, app, tenant, zone, level, &obj));
            }
            check_app(app, tenant, zone, &obj, &mut problems);
            problems.extend(public::tls_secret_clash(app, &model.apps, &obj));
            crate::app::resources::check(app, tenant, &obj, &mut problems);
            crate::app::resources::check_workload(app, tenant, &zname, &obj, &mut problems);
            let host = if app.spec.exposure == Exposure::Public { public_host(app, &tname, zone) } else { None };
            if let Some(h) = &host {
                check_host(h, app, zone, &claims, &obj, &mut problems);
            }
            if problems.len() == before {
                apps.insert(
                    key.clone(),
                    Placement { key, app, tenant, zone, namespace: ns.clone(), mlps_level: level, host },
                );
            } else {
                misplaced.insert(key);
            }
        }

        // Zones are separate networks: a range belongs to the zone declared
        // first (oldest, then by name); a later zone may not overlap it.
        let mut by_age: Vec<&NetworkZone> = model.zones.iter().collect();
        by_age.sort_by_key(|z| {
            (z.metadata.creation_timestamp.is_none(), z.metadata.creation_timestamp.clone(), z.name_any())
        });
        for (n, zone) in by_age.iter().enumerate() {
            for (i, cidr) in zone.spec.cidrs.iter().enumerate() {
                let Ok(net) = cidr.parse::<ipnet::IpNet>() else { continue };
                let earlier = by_age[..n].iter().find_map(|o| {
                    o.spec
                        .cidrs
                        .iter()
                        .find(|c| {
                            c.parse::<ipnet::IpNet>()
                                .is_ok_and(|c| c.contains(&net.network()) || net.contains(&c.network()))
                        })
                        .map(|c| (o, c))
                });
                if let Some((other, theirs)) = earlier {
                    problems.push(Problem::invalid(
                        ObjectRef::cluster("NetworkZone", &zone.name_any()),
                        format!("spec.cidrs[{i}]"),
                        msg!(Code::ProblemCidrOverlaps, cidr.to_string(), other.name_any(), theirs.to_string())
                            .to_string(),
                        msg!(Code::FixOwnRanges).to_string(),
                    ));
                }
            }
        }

        // Exchange endpoints must name apps of their own zone, known peer zones,
        // and addresses inside their own or a peer zone's ranges.
        let mut rejected_endpoints = BTreeSet::new();
        for (zname, zone) in &zones {
            for (i, ep) in zone.spec.exchange_endpoints.iter().enumerate() {
                let obj = ObjectRef::cluster("NetworkZone", zname);
                for (j, peer) in ep.peer_zones.iter().enumerate() {
                    if !zones.contains_key(peer) {
                        problems.push(Problem::unresolved(
                            obj.clone(),
                            format!("spec.exchangeEndpoints[{i}].peerZones[{j}]"),
                            msg!(Code::ProblemPeerUndeclared, format!("{peer:?}")).to_string(),
                            msg!(Code::FixDeclareOrUse, zone_names()).to_string(),
                        ));
                    } else if peer == zname {
                        problems.push(Problem::invalid(
                            obj.clone(),
                            format!("spec.exchangeEndpoints[{i}].peerZones[{j}]"),
                            msg!(Code::ProblemOwnPeer).to_string(),
                            msg!(Code::FixNameAnotherZone).to_string(),
                        ));
                    }
                }
                if let Some(address) = &ep.address {
                    let own: Vec<&str> = zone.spec.cidrs.iter().map(String::as_str).collect();
                    if !inside(address, &own) {
                        rejected_endpoints.insert((zname.clone(), i));
                        problems.push(Problem::invalid(
                            obj.clone(),
                            format!("spec.exchangeEndpoints[{i}].address"),
                            msg!(
                                Code::ProblemAddressOutside,
                                &ep.name,
                                address.to_string(),
                                zname.to_string(),
                                own.join(", ")
                            )
                            .to_string(),
                            msg!(Code::FixExchangeAddress).to_string(),
                        ));
                    }
                }
                if let Some(cidr) = &ep.cidr {
                    let ranges: Vec<&str> = std::iter::once(*zone)
                        .chain(ep.peer_zones.iter().filter(|p| *p != zname).filter_map(|p| zones.get(p).copied()))
                        .flat_map(|z| z.spec.cidrs.iter().map(String::as_str))
                        .collect();
                    if !inside(cidr, &ranges) {
                        rejected_endpoints.insert((zname.clone(), i));
                        problems.push(Problem::invalid(
                            obj.clone(),
                            format!("spec.exchangeEndpoints[{i}].cidr"),
                            msg!(
                                Code::ProblemCidrOutside,
                                &ep.name,
                                cidr.to_string(),
                                zname.to_string(),
                                ranges.join(", ")
                            )
                            .to_string(),
                            msg!(Code::FixEndpointCidr).to_string(),
                        ));
                    }
                }
                let Some(target) = &ep.app else { continue };
                let key = AppKey { tenant: target.tenant.clone(), zone: zname.clone(), app: target.app.clone() };
                if apps.contains_key(&key) || misplaced.contains(&key) {
                    continue;
                }
                let elsewhere: Vec<&str> = apps
                    .keys()
                    .filter(|k| k.tenant == key.tenant && k.app == key.app)
                    .map(|k| k.zone.as_str())
                    .collect();
                problems.push(Problem::unresolved(
                    obj.clone(),
                    format!("spec.exchangeEndpoints[{i}].app"),
                    msg!(Code::ProblemAppMissing, key.to_string()).to_string(),
                    if elsewhere.is_empty() {
                        msg!(Code::FixCreateApp, &key.app, namespace_name(&key.tenant, zname))
                    } else {
                        msg!(Code::FixEndpointOtherZone, format!("{}/{}", key.tenant, key.app), elsewhere.join(", "))
                    }
                    .to_string(),
                ));
            }
        }

        Index {
            zones,
            tenants,
            apps,
            misplaced,
            rejected_endpoints,
            problems,
            cluster_cidrs: &model.cluster_cidrs,
            api_server: crate::api_server_cidrs(&model.api_server),
            cluster: model.cluster.as_deref(),
            admin_tier: model.admin_tier,
            host_owners,
            config_map_digests: &model.config_map_digests,
        }
    }

    /// What an egress ipBlock leaves out besides `others` (other zones'
    /// ranges, where it matters): the cluster's pod and service ranges and
    /// the API server's addresses. [`crate::tenant::ip_block`] keeps those
    /// strictly inside the block, so a wide range (`0.0.0.0/0`, an egress
    /// range that holds the API server) never opens them. The one
    /// definition: the zone's egress, its exchange endpoints and gateway, an
    /// app's egress to another cluster's exchange address all take it.
    pub fn egress_except(&self, others: impl IntoIterator<Item = String>) -> Vec<String> {
        others.into_iter().chain(self.cluster_cidrs.iter().cloned()).chain(self.api_server.iter().cloned()).collect()
    }

    /// Whether the cluster rendered for hosts `zone`: it gets the zone's
    /// objects here; a zone of another cluster only its tenants'
    /// declaration namespaces.
    pub fn hosts(&self, zone: &NetworkZone) -> bool {
        govcloud_core::model::hosted_by(zone, self.cluster)
    }

    /// Whether the cluster rendered for hosts the zone named `zone` (an
    /// undeclared zone is hosted nowhere).
    pub fn hosts_zone(&self, zone: &str) -> bool {
        self.zones.get(zone).is_some_and(|z| self.hosts(z))
    }
}

/// Whether the network `cidr` lies inside one of `ranges`.
fn inside(cidr: &str, ranges: &[&str]) -> bool {
    cidr.parse::<ipnet::IpNet>()
        .is_ok_and(|net| ranges.iter().filter_map(|r| r.parse::<ipnet::IpNet>().ok()).any(|r| r.contains(&net)))
}

/// How people read a zone's cluster: its name, or the cluster without one.
pub fn cluster_label(cluster: Option<&str>) -> String {
    cluster_message(cluster).to_string()
}

/// How people read a cluster's name, in the page's language.
pub fn cluster_message(cluster: Option<&str>) -> govcloud_core::messages::Message {
    use govcloud_core::messages::Code;
    match cluster {
        Some(c) => govcloud_core::msg!(Code::ClusterNamed, c),
        None => govcloud_core::msg!(Code::ClusterUnnamed),
    }
}

/// Why an app's namespace is not a tenant namespace, as precisely as possible.
fn unplaced(
    app: &DepartmentApp,
    ns: &str,
    obj: &ObjectRef,
    zones: &BTreeMap<String, &NetworkZone>,
    tenants: &BTreeMap<String, TenantEntry<'_>>,
) -> Problem {
    let zone = &app.spec.zone;
    if !zones.contains_key(zone) {
        return Problem::unresolved(
            obj.clone(),
            "spec.zone",
            msg!(Code::ZoneNotDeclared, format!("{zone:?}")).to_string(),
            msg!(Code::FixDeclareZone, format!("{zone:?}"), zones.keys().cloned().collect::<Vec<_>>().join(", "))
                .to_string(),
        );
    }
    let tenant = ns.strip_suffix(&format!("-{zone}")).filter(|t| tenants.contains_key(*t));
    match tenant {
        Some(t) => {
            let allowed: Vec<String> = tenants[t].zones.iter().map(|(z, _)| z.name_any()).collect();
            Problem::invalid(
                obj.clone(),
                "spec.zone",
                msg!(
                    Code::ProblemZoneNotTenants,
                    t.to_string(),
                    zone.to_string(),
                    if allowed.is_empty() { Code::WordNone.into() } else { Arg::from(allowed.join(", ")) }
                )
                .to_string(),
                msg!(Code::FixAddZone, zone.to_string(), t.to_string()).to_string(),
            )
        }
        None => {
            let allowed: Vec<String> = tenants
                .iter()
                .filter(|(_, e)| e.zones.iter().any(|(z, _)| z.name_any() == *zone))
                .map(|(t, _)| namespace_name(t, zone))
                .collect();
            Problem::invalid(
                obj.clone(),
                "metadata.namespace",
                msg!(Code::ProblemNotTenantNamespace, ns.to_string(), zone.to_string()).to_string(),
                if allowed.is_empty() {
                    msg!(Code::FixTenantNamespace, zone.to_string())
                } else {
                    msg!(Code::FixTenantNamespaceOneOf, zone.to_string(), allowed.join(", "))
                }
                .to_string(),
            )
        }
    }
}

/// A failed admission check as a problem: the control and the check's
/// message (which names the field), what the field holds, and what to do
/// here.
fn admission_problem(
    f: &controls::eval::Failure,
    app: &DepartmentApp,
    tenant: &Tenant,
    zone: &NetworkZone,
    level: u8,
    obj: &ObjectRef,
) -> Problem {
    let c = f.check;
    let field = c.field();
    let seen = controls::eval::evidence(field, &serde_json::to_value(app).unwrap_or_default());
    let (tname, zname) = (tenant.name_any(), zone.name_any());
    let message = msg!(Code::ProblemAdmission, c.control, &c.message, seen).to_string();
    let kind = zone.spec.kind.to_string();
    let fix = match (c.control, field, f.policy.zone_param) {
        (controls::APP_ZONE, "spec.zone", _) => msg!(
            Code::FixAppZoneNamespace,
            namespace_name(&tname, &zname),
            &tname,
            &zname,
            format!("{zname:?}"),
            namespace_name(&tname, &app.spec.zone)
        ),
        (controls::APP_ZONE, "spec.dataClassification", _) => msg!(Code::FixSecretData, &zname, kind, &tname),
        (controls::APP_ZONE, _, _) if zone.spec.kind == ZoneKind::Internet => {
            msg!(Code::FixExposureNoIngress, &zname, kind)
        }
        (controls::APP_ZONE, _, _) => msg!(Code::FixExposure, &zname, kind),
        (controls::IMAGE_REGISTRY, _, true) => {
            msg!(Code::FixRegistryZone, &zname, zone.spec.allowed_registries.join(", "))
        }
        (controls::IMAGE_REGISTRY, _, false) => {
            msg!(Code::FixRegistryTenant, &tname, tenant.spec.allowed_registries.join(", "))
        }
        (controls::IMAGE_DIGEST, _, _) => msg!(Code::FixDigest, level.to_string()),
        (controls::IMAGE_PULL, _, _) if level >= 3 => msg!(Code::FixPullLevel, &zname, level.to_string()),
        (controls::IMAGE_PULL, _, _) => msg!(Code::FixPullZone, &zname),
        (controls::PUBLIC_HOSTS, _, _) => {
            let mut allowed: Vec<Arg> =
                zone.spec.public_domain.iter().map(|d| msg!(Code::FixNamesUnder, d).into()).collect();
            allowed.extend(tenant.spec.allowed_hosts.iter().map(Arg::from));
            let allowed = if allowed.is_empty() { Code::WordNone.into() } else { Arg::List(allowed) };
            msg!(Code::FixPublicHost, &tname, &zname, allowed)
        }
        (controls::AUTOSCALING_QUOTA, _, _) => match crate::app::autoscale::quota_fix(app, tenant, zone) {
            Some(fix) => fix,
            // An app that does not scale: nothing to say what to do.
            None => return Problem::invalid(obj.clone(), field, message, ""),
        },
        (control, _, _) => public::fix(control, zone).unwrap_or_else(|| msg!(Code::FixMeetControl, field, control)),
    };
    Problem::invalid(obj.clone(), field, message, fix.to_string())
}

/// Rules about an app that need its zone and tenant and are not admission checks.
fn check_app(app: &DepartmentApp, tenant: &Tenant, zone: &NetworkZone, obj: &ObjectRef, problems: &mut Vec<Problem>) {
    let zname = zone.name_any();
    if app.spec.exposure == Exposure::Public && app.spec.host.is_none() && zone.spec.public_domain.is_none() {
        problems.push(Problem::invalid(
            obj.clone(),
            "spec.host",
            msg!(Code::ProblemNoPublicDomain, zname.to_string()).to_string(),
            msg!(Code::FixSetHost).to_string(),
        ));
    }
    for (i, call) in app.spec.flows.calls.iter().enumerate() {
        if call.tenant.as_deref().unwrap_or(&tenant.name_any()) == tenant.name_any()
            && call.zone.as_deref().unwrap_or(&zname) == zname
            && call.app == app.name_any()
        {
            problems.push(Problem::invalid(
                obj.clone(),
                format!("spec.flows.calls[{i}]"),
                msg!(Code::ProblemCallsItself).to_string(),
                msg!(Code::FixRemoveEntry).to_string(),
            ));
        }
    }
}

/// A public app's host name, lowercase: `spec.host`, else `<app>.<tenant>.<publicDomain>`.
fn public_host(app: &DepartmentApp, tenant: &str, zone: &NetworkZone) -> Option<String> {
    let host = match (&app.spec.host, &zone.spec.public_domain) {
        (Some(h), _) => h.clone(),
        (None, Some(d)) => format!("{}.{tenant}.{d}", app.name_any()),
        (None, None) => return None,
    };
    Some(host.to_ascii_lowercase())
}

/// A name an Ingress accepts as its host: at most 253 characters, labels of 1
/// to 63. The fields' own rules check the characters but not the lengths, and
/// `<app>.<tenant>.<publicDomain>` may be longer than either field.
fn dns_name(host: &str) -> bool {
    host.len() <= 253 && host.split('.').all(|l| (1..=63).contains(&l.len()))
}

/// A public host must be a DNS name an Ingress accepts, and not claimed by an
/// older app (whether the tenant may use it at all is the admission check
/// GC-SVC-003, reported apart; only hosts it passes are claimed).
fn check_host(
    host: &str,
    app: &DepartmentApp,
    zone: &NetworkZone,
    claims: &BTreeMap<String, (String, String)>,
    obj: &ObjectRef,
    problems: &mut Vec<Problem>,
) {
    if !dns_name(host) {
        let fix = if app.spec.host.is_some() {
            msg!(Code::FixShortenHost)
        } else {
            msg!(Code::FixShorterHost, zone.spec.public_domain.as_deref().unwrap_or_default())
        };
        let longest = host.split('.').map(str::len).max().unwrap_or_default();
        problems.push(Problem::invalid(
            obj.clone(),
            "spec.host",
            msg!(Code::ProblemHostTooLong, host.to_string(), host.len().to_string(), longest.to_string()).to_string(),
            fix.to_string(),
        ));
        return;
    }
    let me = (app.namespace().unwrap_or_default(), app.name_any());
    if let Some(owner) = claims.get(host).filter(|o| **o != me) {
        problems.push(Problem::invalid(
            obj.clone(),
            "spec.host",
            msg!(Code::ProblemHostClaimed, host.to_string(), format!("{}/{}", owner.0, owner.1)).to_string(),
            msg!(Code::FixAnotherHost).to_string(),
        ));
    }
}

/// The API server's addresses ([`Model::api_server`]) as one-address ranges
/// (`10.0.0.1` → `10.0.0.1/32`, `fd00::1` → `fd00::1/128`; one already
/// written as a range is kept as it is), sorted, without repeats. What is
/// neither an address nor a range is left out: the callers that take
/// addresses from people (`govcloud render --api-server`) refuse it first.
pub fn api_server_cidrs(addresses: &[String]) -> Vec<String> {
    let mut out: Vec<ipnet::IpNet> = addresses
        .iter()
        .filter_map(|a| {
            let a = a.trim();
            a.parse::<std::net::IpAddr>().map(ipnet::IpNet::from).ok().or_else(|| a.parse::<ipnet::IpNet>().ok())
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out.iter().map(ToString::to_string).collect()
}
