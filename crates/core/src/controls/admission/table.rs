//! The table of policies: which checks apply to which kinds and operations, built once.

use super::cel::check;
use super::objects::{identity_policy, object_sizes_policy, prevent_deletion_policy};
use super::pods::{namespace_variables, pinned, pod_checks, pod_variables, zone_pod_checks};
use super::public::{zone_app_checks, zone_ingress_policy};
use super::requests::{request_policies, zone_status_policy};
use super::scaling::scaling_policies;
use crate::controls::admission::{OwnerRole, Policy, SHAPES, leak, policy};
use crate::controls::custody::Rule;
use crate::controls::{
    ALWAYS_PULL_REQUIRED, APP_ZONE, CLAIM_BINDING, CORDONED, EXTERNAL_SERVICES, IMAGE_DIGEST, IMAGE_PULL,
    IMAGE_REGISTRY, INGRESS_ZONE, NO_TOKEN_SECRETS, PUBLIC_HOSTS, STORAGE_CLASSES, TENANT_BINDINGS, custody,
    storage_class_allowed,
};
use crate::meta::labels::{CHOSEN_CLUSTER_IP, MANAGED_BY, MANAGER};
use crate::meta::names;

/// Names of the cluster roles tenant RoleBindings may grant.
pub(super) fn bindable_roles() -> String {
    let names: Vec<String> =
        OwnerRole::ALL.iter().map(|r| format!("'{}'", crate::meta::names::tenant_role(r.as_str()))).collect();
    format!("[{}]", names.join(", "))
}

pub(super) fn build_policies() -> Vec<Policy> {
    let mut out = Vec::new();
    let spec_changed =
        |path: &str| format!("request.operation != 'UPDATE' || oldObject == null || object.{path} != oldObject.{path}");
    for shape in SHAPES {
        let mut conditions = vec![(
            "spec-changed",
            spec_changed(if shape.is_pod { "spec" } else { shape.spec.trim_end_matches(".spec") }),
        )];
        if !shape.is_pod {
            conditions.insert(0, ("has-pod-template", format!("has(object.{})", shape.spec.trim_end_matches(".spec"))));
        }
        out.push(Policy {
            name: leak(names::admission_policy(shape.suffix)),
            resources: shape.resources.to_vec(),
            operations: &["CREATE", "UPDATE"],
            zone_param: false,
            match_conditions: conditions.clone(),
            variables: pod_variables(shape),
            checks: pod_checks(shape),
            request_only: false,
            tenant_namespaces: true,
        });
        out.push(Policy {
            name: leak(names::zone_admission_policy(shape.suffix)),
            resources: shape.resources.to_vec(),
            operations: &["CREATE", "UPDATE"],
            zone_param: true,
            match_conditions: conditions,
            variables: pod_variables(shape),
            checks: zone_pod_checks(shape),
            request_only: false,
            tenant_namespaces: true,
        });
        out.push(identity_policy(shape));
    }
    out.push(policy(
        names::admission_policy("services"),
        vec![("", "services")],
        false,
        namespace_variables(),
        vec![
            check(
                EXTERNAL_SERVICES,
                "!has(object.spec.type) || object.spec.type == 'ClusterIP'",
                "spec.type must be ClusterIP: NodePort and LoadBalancer open a port on every node (every zone's), ExternalName forwards to any name; publish an app with exposure public in an internet zone",
            ),
            check(
                EXTERNAL_SERVICES,
                // The API server allocates the address before validating admission
                // runs: the address asked for is recorded by a mutating policy first.
                format!("!has(object.metadata.annotations) || !('{CHOSEN_CLUSTER_IP}' in object.metadata.annotations)"),
                "spec.clusterIP may only be left empty (allocated by the platform) or None (headless): a chosen address can squat a platform service's",
            ),
            check(
                EXTERNAL_SERVICES,
                "!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",
                "spec.externalIPs is not allowed: it lets a Service capture traffic for any address (CVE-2020-8554); use exposure public in an internet zone",
            ),
        ],
    ));
    out.push(policy(
        names::admission_policy("ingresses"),
        vec![("networking.k8s.io", "ingresses")],
        false,
        namespace_variables(),
        vec![
            check(INGRESS_ZONE, "variables.internet", "metadata.namespace: Ingress objects are allowed only in an internet-zone namespace"),
            check(
                INGRESS_ZONE,
                "!has(object.spec.defaultBackend) && has(object.spec.rules) && object.spec.rules.all(r, has(r.http) && r.http.paths.all(p, has(p.backend.service) && p.backend.service.name == object.metadata.name))",
                "spec.rules[].http.paths[].backend must be the Service of the app the Ingress publishes (named like the Ingress), with no default or resource backend",
            ),
        ],
    ));
    out.push(zone_ingress_policy());
    out.push(Policy {
        name: leak(names::admission_policy("ingress-writers")),
        resources: vec![("networking.k8s.io", "ingresses")],
        operations: &["CREATE", "UPDATE"],
        zone_param: false,
        match_conditions: vec![],
        variables: vec![],
        checks: vec![check(
            INGRESS_ZONE,
            custody::allows(Rule::Ingresses),
            "metadata: Ingresses in tenant namespaces are made by govcloud only, for apps with exposure public (DepartmentApp spec.exposure)",
        )],
        request_only: true,
        tenant_namespaces: true,
    });
    out.push(policy(names::admission_policy("claims"), vec![("", "persistentvolumeclaims")], false, vec![], vec![check(
            CLAIM_BINDING,
            format!(
                // A claim the volume binder bound says so (Bound, marked bound-by-controller):
                // the audit, which cannot see who wrote the name, passes it; a
                // request cannot forge it (the API server resets a new claim's
                // status, and a bound claim's volume name is immutable).
                "!has(object.spec.volumeName) || object.spec.volumeName == '' || (oldObject != null && has(oldObject.spec.volumeName) && oldObject.spec.volumeName == object.spec.volumeName) || (has(object.status) && has(object.status.phase) && object.status.phase == 'Bound' && has(object.metadata.annotations) && 'pv.kubernetes.io/bound-by-controller' in object.metadata.annotations && object.metadata.annotations['pv.kubernetes.io/bound-by-controller'] == 'yes') || {}",
                custody::allows(Rule::ClaimBinding)
            ),
            "spec.volumeName must not be set; claims are bound by the platform's provisioner",
        )]));
    // Hand-made claims and those StatefulSets make alike (the class is
    // filled in from the cluster's default before this runs).
    out.push(policy(names::zone_admission_policy("claims"), vec![("", "persistentvolumeclaims")], true, vec![], vec![check(
            STORAGE_CLASSES,
            storage_class_allowed("object.spec"),
            "spec.storageClassName must be one this zone allows (NetworkZone spec.allowedStorageClasses); with no class of its own a claim gets the cluster's default, which must be allowed too",
        )]));
    out.push(policy(
        names::admission_policy("secrets"),
        vec![("", "secrets")],
        false,
        vec![],
        vec![check(
            NO_TOKEN_SECRETS,
            "!has(object.type) || object.type != 'kubernetes.io/service-account-token'",
            "type kubernetes.io/service-account-token is not allowed: such a token never expires; request short-lived tokens (projected volumes, TokenRequest)",
        )],
    ));
    out.push(Policy {
        name: leak(names::admission_policy("rolebindings")),
        resources: vec![("rbac.authorization.k8s.io", "rolebindings")],
        operations: &["CREATE", "UPDATE"],
        zone_param: false,
        // Cluster administrators keep a break-glass path; the audit reports what they bind.
        match_conditions: vec![("not-a-cluster-administrator", "!request.userInfo.groups.exists(g, g == 'system:masters')".to_string())],
        variables: vec![
            ("managed", format!("has(object.metadata.labels) && '{MANAGED_BY}' in object.metadata.labels && object.metadata.labels['{MANAGED_BY}'] == '{MANAGER}'")),
        ],
        checks: vec![
            check(
                TENANT_BINDINGS,
                format!(
                    "object.roleRef.kind == 'ClusterRole' && (object.roleRef.name in {} || (variables.managed && object.roleRef.name == '{}'))",
                    bindable_roles(),
                    crate::meta::names::EXEC_ROLE
                ),
                format!("roleRef must be one of govcloud's tenant roles ({})", OwnerRole::ALL.map(|r| crate::meta::names::tenant_role(r.as_str())).join(", ")),
            ),
            check(
                TENANT_BINDINGS,
                "!has(object.subjects) || object.subjects.all(s, s.kind == 'ServiceAccount' ? (has(s.namespace) && s.namespace == object.metadata.namespace) : !s.name.startsWith('system:'))",
                "subjects[] must be named users or groups (no system: users or groups such as system:authenticated) or service accounts of this namespace (a workload of another zone must not act here)",
            ),
        ],
        request_only: false,
        tenant_namespaces: true,
    });
    out.push(policy(
        names::admission_policy("apps"),
        vec![(crate::meta::GROUP, "departmentapps")],
        false,
        namespace_variables(),
        vec![
            check(
                CORDONED,
                "request.operation != 'CREATE' || !variables.cordoned",
                "metadata.namespace belongs to a cordoned tenant: it may not start new apps (Tenant spec.cordoned)",
            ),
            check(
                IMAGE_REGISTRY,
                "size(variables.tenantRegistries) == 0 || variables.tenantRegistries.exists(r, object.spec.image.startsWith(r + '/'))",
                "spec.image must come from a registry the tenant allows (Tenant spec.allowedRegistries)",
            ),
            check(
                IMAGE_DIGEST,
                format!("!variables.level3 || {}", pinned("object.spec.image")),
                "spec.image must be pinned by digest (repository@sha256:<64 hex digits>) at MLPS level 3",
            ),
        ],
    ));
    let mut zone_app = vec![
        check(APP_ZONE, "object.spec.zone == params.metadata.name", "spec.zone must be the zone of this namespace"),
        check(
            APP_ZONE,
            "!has(object.spec.exposure) || object.spec.exposure != 'public' || (params.spec.kind == 'internet' && has(params.spec.internetIngress) && params.spec.internetIngress)",
            "spec.exposure public is allowed only in an internet zone with internetIngress",
        ),
        check(
            APP_ZONE,
            "!has(object.spec.dataClassification) || object.spec.dataClassification != 'secret' || params.spec.kind == 'private'",
            "spec.dataClassification secret (工作秘密) is kept in a private zone: run the app in its tenant's private zone, or classify its data lower",
        ),
        check(
            IMAGE_REGISTRY,
            "params.spec.allowedRegistries.exists(r, object.spec.image.startsWith(r + '/'))",
            "spec.image must come from a registry this zone allows",
        ),
        check(
            IMAGE_PULL,
            format!(
                "!has(object.spec.imagePullPolicy) || object.spec.imagePullPolicy == 'Always' || !{ALWAYS_PULL_REQUIRED}"
            ),
            "spec.imagePullPolicy must be Always (or unset) at MLPS level 3 and where the zone says (NetworkZone spec.alwaysPullImages)",
        ),
        check(
            STORAGE_CLASSES,
            "!has(object.spec.storage) || object.spec.storage.all(s, has(s.storageClass) ? (has(params.spec.allowedStorageClasses) && s.storageClass in params.spec.allowedStorageClasses) : has(params.spec.allowedStorageClasses) && size(params.spec.allowedStorageClasses) > 0)",
            "spec.storage[].storageClass must be one this zone allows (NetworkZone spec.allowedStorageClasses); storage without a class takes the zone's default, and a zone that allows none offers no storage",
        ),
        check(
            PUBLIC_HOSTS,
            "!has(object.spec.host) || (has(params.spec.publicDomain) && object.spec.host.endsWith('.' + params.spec.publicDomain)) || variables.tenantHosts.exists(h, h == object.spec.host || (h.startsWith('*.') && object.spec.host.endsWith(h.substring(1))))",
            "spec.host must lie strictly under this zone's publicDomain (never the domain itself) or be a host the tenant is allowed (Tenant spec.allowedHosts)",
        ),
        check(
            PUBLIC_HOSTS,
            "!has(object.spec.host) || !has(params.status) || !has(params.status.hostOwners) || params.status.hostOwners.all(o, o.tenant == variables.tenant || !(o.host == object.spec.host || (o.host.startsWith('*.') && object.spec.host.endsWith(o.host.substring(1)))))",
            "spec.host belongs to another tenant (its Tenant spec.allowedHosts or an approved Hostname request; NetworkZone status.hostOwners): choose a host of your own",
        ),
    ];
    zone_app.extend(zone_app_checks());
    out.push(policy(
        names::zone_admission_policy("apps"),
        vec![(crate::meta::GROUP, "departmentapps")],
        true,
        namespace_variables(),
        zone_app,
    ));
    out.push(object_sizes_policy());
    out.push(zone_status_policy());
    out.push(prevent_deletion_policy());
    out.extend(request_policies());
    out.extend(scaling_policies());
    out.push(super::sharing::answer_policy());
    out
}
