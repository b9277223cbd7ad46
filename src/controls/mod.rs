//! Security and isolation controls, each defined once.
//!
//! A control is used at render time (govcloud refuses to render what breaks
//! it), and later by admission (generated CEL) and by the audit.

/// `GC-IMG-001`: images come only from registries the zone (and tenant) allows.
pub const IMAGE_REGISTRY: &str = "GC-IMG-001";
/// `GC-IMG-002`: at MLPS level 3, images are pinned by digest.
pub const IMAGE_DIGEST: &str = "GC-IMG-002";

/// Whether `image` comes from one of the `allowed` registry prefixes.
///
/// A prefix matches at a path boundary: `harbor.egov.local` allows
/// `harbor.egov.local/x/y:1` but not `harbor.egov.local.evil.com/x` nor
/// `harbor.egov.localx/y`.
pub fn image_from_allowed_registry(image: &str, allowed: &[String]) -> bool {
    allowed.iter().any(|prefix| {
        let prefix = prefix.trim_end_matches('/');
        !prefix.is_empty() && image.len() > prefix.len() + 1 && image.starts_with(prefix) && image.as_bytes()[prefix.len()] == b'/'
    })
}

/// Whether `image` is pinned by a sha256 digest.
pub fn image_pinned_by_digest(image: &str) -> bool {
    match image.split_once("@sha256:") {
        Some((_, digest)) => digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_prefix_matches_only_at_a_path_boundary() {
        let allowed = vec!["harbor.egov.local".to_string()];
        assert!(image_from_allowed_registry("harbor.egov.local/gov/portal:1.0", &allowed));
        assert!(!image_from_allowed_registry("harbor.egov.local.evil.com/gov/portal:1.0", &allowed));
        assert!(!image_from_allowed_registry("harbor.egov.localx/portal", &allowed));
        assert!(!image_from_allowed_registry("docker.io/library/nginx", &allowed));
        assert!(!image_from_allowed_registry("nginx", &allowed));
        assert!(!image_from_allowed_registry("harbor.egov.local", &allowed));
        let narrowed = vec!["harbor.egov.local/health/".to_string()];
        assert!(image_from_allowed_registry("harbor.egov.local/health/his:2", &narrowed));
        assert!(!image_from_allowed_registry("harbor.egov.local/healthx/his:2", &narrowed));
    }

    #[test]
    fn digest_pin_needs_a_full_lowercase_sha256() {
        let d = "a".repeat(64);
        assert!(image_pinned_by_digest(&format!("harbor.egov.local/ps/pop@sha256:{d}")));
        assert!(!image_pinned_by_digest("harbor.egov.local/ps/pop:1.0"));
        assert!(!image_pinned_by_digest("harbor.egov.local/ps/pop@sha256:abc"));
        assert!(!image_pinned_by_digest(&format!("harbor.egov.local/ps/pop@sha256:{}", "A".repeat(64))));
    }
}
