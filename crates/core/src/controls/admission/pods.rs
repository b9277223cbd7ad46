//! The checks on pod specs, wherever a pod spec appears (pods, workload templates, CronJobs' job
//! templates), and the variables they read of the namespace and the zone.

use super::cel::{check, ns_annotation_list, ns_label, ns_label_is};
use crate::controls::admission::{CORDONED_LABEL, Check, Shape, VolumeType};
use crate::controls::{
    ALWAYS_PULL_REQUIRED, CLAIM_BINDING, CORDONED, DIGEST_PATTERN, HOST_NAMESPACES, HOST_PATH, HOST_PORTS,
    IMAGE_DIGEST, IMAGE_PULL, IMAGE_REGISTRY, NO_NODE_NAME, NO_PRIVILEGED, PRIORITY_CLASSES, RESOURCES,
    RUNTIME_CLASSES, STORAGE_CLASSES, VOLUME_SOURCES, ZONE_NODES, ZONE_TOLERATIONS, storage_class_allowed,
};
use crate::meta::labels::{ALLOWED_HOSTS, ALLOWED_REGISTRIES, MLPS_LEVEL, TENANT, ZONE_KIND};

/// Volume sources every zone allows.
pub const DEFAULT_VOLUME_SOURCES: &[&str] =
    &["configMap", "secret", "emptyDir", "projected", "downwardAPI", "persistentVolumeClaim", "ephemeral"];

/// Pods made by Kubernetes' workload controllers from an existing workload
/// (a cordoned tenant's running workloads keep their pods).
pub(super) const BY_WORKLOAD_CONTROLLER: &str = "request.userInfo.username in ['system:serviceaccount:kube-system:replicaset-controller', 'system:serviceaccount:kube-system:statefulset-controller', 'system:serviceaccount:kube-system:job-controller', 'system:serviceaccount:kube-system:daemon-set-controller', 'system:serviceaccount:kube-system:replication-controller']";

pub(super) fn namespace_variables() -> Vec<(&'static str, String)> {
    vec![
        ("level3", ns_label_is(MLPS_LEVEL, "3")),
        ("internet", ns_label_is(ZONE_KIND, "internet")),
        ("cordoned", ns_label_is(CORDONED_LABEL, "true")),
        ("tenantRegistries", ns_annotation_list(ALLOWED_REGISTRIES)),
        ("tenantHosts", ns_annotation_list(ALLOWED_HOSTS)),
        ("tenant", ns_label(TENANT)),
    ]
}

pub(super) fn pod_variables(shape: &Shape) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("podSpec", format!("object.{}", shape.spec)),
        ("containers", "variables.podSpec.containers + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])".to_string()),
        ("allContainers", "variables.containers + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])".to_string()),
        ("volumes", "has(variables.podSpec.volumes) ? variables.podSpec.volumes : []".to_string()),
        (
            "images",
            "variables.allContainers.filter(c, has(c.image)).map(c, c.image) + variables.volumes.filter(v, has(v.image) && has(v.image.reference)).map(v, v.image.reference)"
                .to_string(),
        ),
    ];
    v.extend(namespace_variables());
    v
}

/// The CEL of the digest rule ([`DIGEST_PATTERN`]) on a string expression.
pub(super) fn pinned(image: &str) -> String {
    format!("{image}.matches('{DIGEST_PATTERN}')")
}

/// The checks every pod spec gets, wherever it appears.
pub(super) fn pod_checks(shape: &Shape) -> Vec<Check> {
    let s = shape.spec;
    let node_name = if shape.is_pod {
        "request.operation != 'CREATE' || !has(variables.podSpec.nodeName) || variables.podSpec.nodeName == ''"
    } else {
        "!has(variables.podSpec.nodeName) || variables.podSpec.nodeName == ''"
    };
    let cordon = if shape.is_pod {
        format!("request.operation != 'CREATE' || !variables.cordoned || {BY_WORKLOAD_CONTROLLER}")
    } else {
        "request.operation != 'CREATE' || !variables.cordoned".to_string()
    };
    let mut checks = vec![
        check(
            NO_PRIVILEGED,
            "variables.allContainers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)",
            format!(
                "{s}.containers[].securityContext.privileged must not be true (containers, init and ephemeral containers)"
            ),
        ),
        check(
            NO_PRIVILEGED,
            "variables.allContainers.all(c, !has(c.securityContext) || !has(c.securityContext.allowPrivilegeEscalation) || !c.securityContext.allowPrivilegeEscalation)",
            format!(
                "{s}.containers[].securityContext.allowPrivilegeEscalation must not be true (containers, init and ephemeral containers)"
            ),
        ),
        check(
            NO_PRIVILEGED,
            "variables.allContainers.all(c, !has(c.securityContext) || !has(c.securityContext.procMount) || c.securityContext.procMount == 'Default')",
            format!(
                "{s}.containers[].securityContext.procMount must be Default: an unmasked /proc exposes the node's kernel interfaces (containers, init and ephemeral containers)"
            ),
        ),
        check(
            HOST_NAMESPACES,
            "!has(variables.podSpec.hostNetwork) || !variables.podSpec.hostNetwork",
            format!("{s}.hostNetwork must not be true"),
        ),
        check(
            HOST_NAMESPACES,
            "!has(variables.podSpec.hostPID) || !variables.podSpec.hostPID",
            format!("{s}.hostPID must not be true"),
        ),
        check(
            HOST_NAMESPACES,
            "!has(variables.podSpec.hostIPC) || !variables.podSpec.hostIPC",
            format!("{s}.hostIPC must not be true"),
        ),
        check(
            HOST_PATH,
            "variables.volumes.all(v, !has(v.hostPath))",
            format!("{s}.volumes[].hostPath is not allowed"),
        ),
        check(
            HOST_PORTS,
            "variables.allContainers.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0))",
            format!("{s}.containers[].ports[].hostPort is not allowed"),
        ),
        check(
            NO_NODE_NAME,
            node_name,
            format!("{s}.nodeName must not be set; the scheduler places pods on their zone's nodes"),
        ),
        check(
            IMAGE_DIGEST,
            format!("!variables.level3 || variables.images.all(i, {})", pinned("i")),
            format!(
                "{s}.containers[].image must be pinned by digest (repository@sha256:<64 hex digits>) at MLPS level 3, in every container and image volume"
            ),
        ),
        check(
            IMAGE_REGISTRY,
            "size(variables.tenantRegistries) == 0 || variables.images.all(i, variables.tenantRegistries.exists(r, i.startsWith(r + '/')))",
            format!(
                "{s}.containers[].image must come from a registry the tenant allows (Tenant spec.allowedRegistries)"
            ),
        ),
        check(
            RESOURCES,
            "variables.containers.all(c, has(c.resources) && has(c.resources.requests) && has(c.resources.limits) && ['cpu', 'memory'].all(r, r in c.resources.requests && r in c.resources.limits))",
            format!("{s}.containers[].resources must set cpu and memory requests and limits"),
        ),
        check(
            CLAIM_BINDING,
            "variables.volumes.all(v, !has(v.ephemeral) || !has(v.ephemeral.volumeClaimTemplate) || !has(v.ephemeral.volumeClaimTemplate.spec.volumeName) || v.ephemeral.volumeClaimTemplate.spec.volumeName == '')",
            format!(
                "{s}.volumes[].ephemeral.volumeClaimTemplate.spec.volumeName must not be set; volumes are bound by the platform"
            ),
        ),
        check(
            CORDONED,
            cordon,
            "metadata.namespace belongs to a cordoned tenant: it may not start new workloads (Tenant spec.cordoned)",
        ),
    ];
    if shape.suffix == "workloads" {
        // A StatefulSet's claims are made by its controller from these templates.
        checks.push(check(
            CLAIM_BINDING,
            "!has(object.spec.volumeClaimTemplates) || object.spec.volumeClaimTemplates.all(t, !has(t.spec) || !has(t.spec.volumeName) || t.spec.volumeName == '')",
            "spec.volumeClaimTemplates[].spec.volumeName must not be set; volumes are bound by the platform",
        ));
    }
    checks
}

/// The checks that need the namespace's zone.
pub(super) fn zone_pod_checks(shape: &Shape) -> Vec<Check> {
    let s = shape.spec;
    let extra: Vec<String> = VolumeType::ALL
        .iter()
        .map(|t| {
            format!(
                "(has(v.{0}) && has(params.spec.allowedVolumeTypes) && '{0}' in params.spec.allowedVolumeTypes)",
                t.as_str()
            )
        })
        .chain(std::iter::once(
            "(has(v.csi) && has(params.spec.allowedCsiDrivers) && v.csi.driver in params.spec.allowedCsiDrivers)"
                .to_string(),
        ))
        .collect();
    let defaults: Vec<String> = DEFAULT_VOLUME_SOURCES.iter().map(|t| format!("has(v.{t})")).collect();
    let mut checks = vec![
        check(
            ZONE_NODES,
            "params.spec.nodePool.selector.all(k, has(variables.podSpec.nodeSelector) && k in variables.podSpec.nodeSelector && variables.podSpec.nodeSelector[k] == params.spec.nodePool.selector[k])",
            format!(
                "{s}.nodeSelector must select this zone's node pool (the namespace's NetworkZone spec.nodePool.selector)"
            ),
        ),
        check(
            ZONE_TOLERATIONS,
            "!has(variables.podSpec.tolerations) || variables.podSpec.tolerations.all(t, has(t.key) && (t.key.startsWith('node.kubernetes.io/') || (t.key == params.spec.nodePool.taint.key && (!has(t.operator) || t.operator == 'Equal') && has(t.value) && t.value == params.spec.nodePool.taint.value)))",
            format!("{s}.tolerations may tolerate only this zone's taint (operator Equal, the zone's key and value)"),
        ),
        check(
            IMAGE_REGISTRY,
            "variables.images.all(i, params.spec.allowedRegistries.exists(r, i.startsWith(r + '/')))",
            format!(
                "{s}.containers[].image must come from a registry this zone allows (NetworkZone spec.allowedRegistries), in every container and image volume"
            ),
        ),
        check(
            IMAGE_PULL,
            format!(
                "!{ALWAYS_PULL_REQUIRED} || variables.allContainers.all(c, has(c.imagePullPolicy) && c.imagePullPolicy == 'Always')"
            ),
            format!(
                "{s}.containers[].imagePullPolicy must be Always at MLPS level 3 and where the zone says (NetworkZone spec.alwaysPullImages), in every container, init container and ephemeral container: a node's cached image is not another tenant's to run"
            ),
        ),
        check(
            VOLUME_SOURCES,
            // hostPath is GC-HOST-002's alone, so one violation gives one finding.
            format!("variables.volumes.all(v, has(v.hostPath) || {} || {})", defaults.join(" || "), extra.join(" || ")),
            format!(
                "{s}.volumes[] may use only {} volumes, and the types and CSI drivers this zone lists (NetworkZone spec.allowedVolumeTypes, spec.allowedCsiDrivers)",
                DEFAULT_VOLUME_SOURCES.join(", ")
            ),
        ),
        check(
            PRIORITY_CLASSES,
            "!has(variables.podSpec.priorityClassName) || variables.podSpec.priorityClassName == '' || (has(params.spec.allowedPriorityClasses) && variables.podSpec.priorityClassName in params.spec.allowedPriorityClasses)",
            format!(
                "{s}.priorityClassName must be one this zone allows (NetworkZone spec.allowedPriorityClasses); system- classes are the platform's"
            ),
        ),
        check(
            STORAGE_CLASSES,
            format!(
                "variables.volumes.all(v, !has(v.ephemeral) || !has(v.ephemeral.volumeClaimTemplate) || {})",
                storage_class_allowed("v.ephemeral.volumeClaimTemplate.spec")
            ),
            format!(
                "{s}.volumes[].ephemeral.volumeClaimTemplate.spec.storageClassName must be one this zone allows (NetworkZone spec.allowedStorageClasses)"
            ),
        ),
        check(
            RUNTIME_CLASSES,
            "!has(variables.podSpec.runtimeClassName) || variables.podSpec.runtimeClassName == '' || (has(params.spec.allowedRuntimeClasses) && variables.podSpec.runtimeClassName in params.spec.allowedRuntimeClasses)",
            format!("{s}.runtimeClassName must be one this zone allows (NetworkZone spec.allowedRuntimeClasses)"),
        ),
        check(
            RUNTIME_CLASSES,
            "!has(params.spec.requiredRuntimeClass) || (has(variables.podSpec.runtimeClassName) && variables.podSpec.runtimeClassName == params.spec.requiredRuntimeClass)",
            format!(
                "{s}.runtimeClassName must be this zone's required runtime class (NetworkZone spec.requiredRuntimeClass)"
            ),
        ),
    ];
    if shape.suffix == "workloads" {
        // A StatefulSet's claims are made by its controller from these templates.
        checks.push(check(
            STORAGE_CLASSES,
            format!(
                "!has(object.spec.volumeClaimTemplates) || object.spec.volumeClaimTemplates.all(t, !has(t.spec) || {})",
                storage_class_allowed("t.spec")
            ),
            "spec.volumeClaimTemplates[].spec.storageClassName must be one this zone allows (NetworkZone spec.allowedStorageClasses)",
        ));
    }
    checks
}
