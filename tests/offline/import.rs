//! `govcloud import`: the rendered Chifeng model comes back as equivalent
//! DepartmentApps (and Tenants), and the non-compliant fixture is reported
//! workload by workload with the control that would refuse each thing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use govcloud::api::{DepartmentApp, Exposure};
use govcloud::cli::render_strict;
use govcloud::import::{Handling, Import, Options, Target, import};
use govcloud::model::{DEFAULT_CLUSTER_CIDRS, Model};
use govcloud::render;
use kube::ResourceExt;
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cidrs() -> Vec<String> {
    DEFAULT_CLUSTER_CIDRS.iter().map(|c| c.to_string()).collect()
}

/// The Chifeng model as granted, and every object `govcloud render` prints for it.
fn chifeng() -> (Model, Vec<Value>) {
    let (loaded, rendered) = render_strict(&[repo().join("examples/chifeng")], &cidrs(), None).expect("Chifeng renders");
    let objects = render::render_platform()
        .iter()
        .chain(rendered.objects.iter())
        .map(|o| serde_json::to_value(o).expect("json"))
        .collect();
    (loaded.model, objects)
}

fn zones_only(model: &Model) -> Model {
    Model { zones: model.zones.clone(), cluster_cidrs: cidrs(), ..Default::default() }
}

#[test]
fn import_round_trips_the_rendered_chifeng_model() {
    let (model, objects) = chifeng();
    let result = import(&objects, &zones_only(&model), &Options::default());

    // Rendered by govcloud: nothing to change, nothing refused.
    for e in &result.entries {
        assert!(e.changes.is_empty(), "{}: {:#?}", e.object, e.changes);
    }
    assert_eq!(result.apps.len(), model.apps.len());
    assert_eq!(result.tenants.len(), model.tenants.len());

    // Field by field, what render carries. displayName is not rendered
    // anywhere: it does not come back (documented).
    let by_key: BTreeMap<(String, String), &DepartmentApp> =
        result.apps.iter().map(|a| ((a.namespace().unwrap_or_default(), a.name_any()), a)).collect();
    for original in &model.apps {
        let key = (original.namespace().unwrap_or_default(), original.name_any());
        let got = by_key.get(&key).unwrap_or_else(|| panic!("{key:?} was not imported"));
        let (o, g) = (&original.spec, &got.spec);
        assert_eq!(
            (&o.zone, &o.image, o.replicas, &o.ports, &o.command, &o.args),
            (&g.zone, &g.image, g.replicas, &g.ports, &g.command, &g.args),
            "{key:?}"
        );
        assert_eq!((&o.env, &o.config_files, &o.image_pull_secrets), (&g.env, &g.config_files, &g.image_pull_secrets), "{key:?}");
        assert_eq!(
            (&o.readiness_probe, &o.liveness_probe, &o.startup_probe),
            (&g.readiness_probe, &g.liveness_probe, &g.startup_probe),
            "{key:?}"
        );
        assert_eq!((o.exposure, o.data_classification), (g.exposure, g.data_classification), "{key:?}");
        if o.resources.is_some() {
            assert_eq!(o.resources, g.resources, "{key:?}");
        }
        if o.exposure == Exposure::Public {
            // The default host comes back as no host; a chosen one as itself.
            assert_eq!(o.host, g.host, "{key:?}");
        }
        // Every call that was granted comes back (pending ones render nothing).
        for call in &g.flows.calls {
            assert!(
                o.flows.calls.iter().any(|c| c.app == call.app && c.tenant == call.tenant && c.zone == call.zone),
                "{key:?}: {call:?} was not declared"
            );
        }
    }

    // Equivalent: the drafts render exactly the objects the model did.
    let again = Model {
        zones: model.zones.clone(),
        tenants: result.tenants.clone(),
        apps: result.apps.clone(),
        cluster_cidrs: cidrs(),
        ..Default::default()
    };
    let rendered = render::render(&again);
    assert!(rendered.problems.is_empty(), "{:#?}", rendered.problems);
    let original = render::render(&model);
    let granted = |r: &render::Rendered| -> Vec<(String, String)> {
        r.flows
            .iter()
            .filter(|f| f.state == govcloud::api::FlowState::Granted)
            .map(|f| (f.consumer.to_string(), f.provider.to_string()))
            .collect()
    };
    assert_eq!(granted(&rendered), granted(&original));
    let a: Vec<Value> = original.objects.iter().map(|o| serde_json::to_value(o).expect("json")).collect();
    let b: Vec<Value> = rendered.objects.iter().map(|o| serde_json::to_value(o).expect("json")).collect();
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y, "the first object that differs");
    }
    assert_eq!(a.len(), b.len());
}
