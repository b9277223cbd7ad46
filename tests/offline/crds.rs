//! The committed CRDs are exactly what the code generates, and every field is
//! documented for `kubectl explain`.

use std::path::PathBuf;

use serde_json::Value;

fn committed(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("crds").join(file);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run `cargo run -- crd --output-dir crds`", path.display()))
}

#[test]
fn committed_crds_match_the_generated_ones() {
    let generated = govcloud::cli::crd_yaml().expect("crds serialise");
    assert_eq!(generated.len(), 5);
    for (file, yaml) in generated {
        assert_eq!(committed(&file), yaml, "crds/{file} is stale; run `cargo run -- crd --output-dir crds`");
    }
}

fn undocumented(schema: &Value, path: &str, out: &mut Vec<String>) {
    if schema.get("description").and_then(Value::as_str).is_none_or(|d| d.trim().len() < 8) {
        out.push(path.to_string());
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            // metadata is described by Kubernetes itself.
            if path.is_empty() && k == "metadata" || path.is_empty() && (k == "apiVersion" || k == "kind") {
                continue;
            }
            undocumented(v, &format!("{path}.{k}"), out);
        }
    }
    // Scalar list items and map values are explained by their parent field.
    for key in ["items", "additionalProperties"] {
        if let Some(inner) = schema.get(key).filter(|v| v.get("properties").is_some()) {
            for (k, v) in inner["properties"].as_object().into_iter().flatten() {
                undocumented(v, &format!("{path}[].{k}"), out);
            }
        }
    }
}

#[test]
fn every_field_has_a_description() {
    for crd in govcloud::api::crds() {
        let v = serde_json::to_value(&crd).expect("json");
        let schema = &v["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        let mut missing = Vec::new();
        undocumented(schema, "", &mut missing);
        missing.retain(|p| !p.is_empty());
        assert!(
            missing.is_empty(),
            "{}: fields without a description: {missing:?}",
            crd.metadata.name.unwrap_or_default()
        );
    }
}

#[test]
fn names_columns_and_status_answer_kubectl_get() {
    for crd in govcloud::api::crds() {
        let names = &crd.spec.names;
        assert_eq!(names.categories.as_deref(), Some(&["govcloud".to_string()][..]));
        assert!(names.short_names.as_ref().is_some_and(|s| !s.is_empty()));
        let version = &crd.spec.versions[0];
        let cols: Vec<&str> =
            version.additional_printer_columns.as_ref().expect("columns").iter().map(|c| c.name.as_str()).collect();
        assert!(cols.contains(&"Age"));
        if names.kind == "SharedResource" {
            // A catalogue entry is what the operator writes, all of it: no
            // status to report; its columns say what it is and who uses it.
            assert!(version.subresources.is_none(), "no status subresource");
            assert!(cols.contains(&"Class") && cols.contains(&"Consumers") && cols.contains(&"Waiting"), "{cols:?}");
            continue;
        }
        // Columns that explain themselves (issue 29 item 7): what a figure counts is in its head.
        let want: &[&str] = match names.kind.as_str() {
            "Tenant" => &["Kind", "CPU used/granted", "Memory used/granted", "Failing"],
            "DepartmentApp" => &["Granted", "Waiting", "Refused"],
            _ => &[],
        };
        for w in want {
            assert!(cols.contains(w), "{}: no column {w}: {cols:?}", names.kind);
        }
        assert!(!cols.contains(&"Flows"), "{}: a/b/c in one column does not say what it counts", names.kind);
        assert!(version.subresources.as_ref().and_then(|s| s.status.as_ref()).is_some(), "status subresource");
        assert!(cols.contains(&"Ready") || cols.contains(&"Status"), "{cols:?}");
    }
}

#[test]
fn cel_rules_cover_single_object_invariants() {
    let text: String = govcloud::cli::crd_yaml().expect("crds").into_iter().map(|(_, y)| y).collect();
    for needle in [
        "self == oldSelf",
        "isCIDR",
        "public exposure needs at least one port",
        "port numbers must be unique",
        "isQuantity",
        "x-kubernetes-list-type: map",
        "maxLength",
        "maxItems",
    ] {
        assert!(text.contains(needle), "no CEL rule with {needle:?}");
    }
}

#[test]
fn committed_install_manifests_match_the_generated_ones() {
    let generated = govcloud::cli::manifests_yaml("harbor.egov.local/govcloud/govcloud:0.1.0", "govcloud-system")
        .expect("manifests");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy/govcloud.yaml");
    let committed = std::fs::read_to_string(&path).expect("deploy/govcloud.yaml");
    assert_eq!(committed, generated, "deploy/govcloud.yaml is stale; run `make crds`");
}

#[test]
fn the_readme_lists_every_control_as_the_catalogue_defines_it() {
    let readme = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/controls.md"))
        .expect("docs/controls.md");
    let table = govcloud::controls::markdown_table();
    assert!(
        readme.contains(&table),
        "docs/controls.md's controls table is stale; paste the output of `cargo run -- controls`"
    );
    for c in govcloud::controls::CATALOGUE {
        assert!(readme.contains(c.id));
    }
}
