//! The repair decision from a kept object's print equals the decision from
//! the whole object, on every object govcloud renders for Chifeng, live
//! (with what the API server adds) and under random edits of the kinds the
//! fault tests make (labels, rules, images, counts, quantities respelt,
//! keys added and removed, lists grown and shrunk).

use super::*;
use govcloud_core::meta::compare::object_contains;
use serde_json::json;

fn repo() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every object govcloud renders for Chifeng, as it would apply it.
fn desired() -> Vec<Value> {
    let model = govcloud_core::model::load_paths(&[repo().join("examples/chifeng")]).expect("chifeng").model;
    let mut out: Vec<Value> = govcloud_render::render(&model)
        .objects
        .iter()
        .chain(govcloud_render::render_platform().iter())
        .map(|o| crate::apply::desired_json(o, None, &[]).expect("desired"))
        .collect();
    assert!(out.len() > 300, "Chifeng renders {} objects", out.len());
    out.sort_by_key(|v| v.to_string());
    out
}

/// The object as the API server keeps it after applying `desired`: what
/// the server sets and defaults, and a status.
fn live(desired: &Value) -> DynamicObject {
    let mut v = desired.clone();
    let meta = v["metadata"].as_object_mut().expect("metadata");
    meta.insert("uid".into(), json!("0b1c"));
    meta.insert("resourceVersion".into(), json!("42"));
    meta.insert("creationTimestamp".into(), json!("2026-12-05T00:00:00Z"));
    meta.insert("generation".into(), json!(3));
    if let Some(spec) = v.get_mut("spec").and_then(Value::as_object_mut) {
        spec.entry("revisionHistoryLimit").or_insert(json!(10));
        if let Some(pod) = spec.get_mut("template").and_then(|t| t.get_mut("spec")).and_then(Value::as_object_mut) {
            pod.entry("dnsPolicy").or_insert(json!("ClusterFirst"));
            pod.entry("schedulerName").or_insert(json!("default-scheduler"));
        }
    }
    if v["kind"] == "Deployment" {
        v["status"] =
            json!({"replicas": 2, "readyReplicas": 2, "conditions": [{"type": "Available", "status": "True"}]});
    }
    serde_json::from_value(v).expect("a DynamicObject")
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// One random edit somewhere in `v`.
fn edit(v: &mut Value, rng: &mut Rng) {
    match v {
        Value::Object(m) if !m.is_empty() && rng.below(5) != 0 => {
            let keys: Vec<String> = m.keys().cloned().collect();
            let k = &keys[rng.below(keys.len())];
            match rng.below(8) {
                0 => {
                    m.remove(k);
                }
                1 => {
                    m.insert(format!("{k}-added"), json!("x"));
                }
                _ => edit(m.get_mut(k).expect("a key"), rng),
            }
        }
        Value::Array(l) if !l.is_empty() && rng.below(5) != 0 => match rng.below(6) {
            0 => {
                l.pop();
            }
            1 => l.push(json!({"added": true})),
            _ => {
                let i = rng.below(l.len());
                edit(&mut l[i], rng)
            }
        },
        Value::String(s) => {
            *v = match govcloud_core::meta::quantity::Quantity::parse(s) {
                // The same quantity spelt another way: no difference.
                Ok(q) if rng.below(2) == 0 => json!(format!("{}m", q.round_millis())),
                _ => json!(format!("{s}-edited")),
            }
        }
        Value::Number(_) => *v = json!(7),
        Value::Bool(b) => *v = json!(!*b),
        other => *other = json!({"replaced": 1}),
    }
}

fn whole(o: &DynamicObject) -> Value {
    serde_json::to_value(o).expect("json")
}

#[test]
fn the_print_decides_as_the_whole_object_on_every_rendered_object() {
    let (mut cases, mut differences) = (0, 0);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for d in desired() {
        let o = live(&d);
        let kept = Kept::of(&o);
        assert!(object_contains(&whole(&o), &d), "the live form of {} holds it", d["metadata"]["name"]);
        assert!(kept.print.contains_object(&d), "the print of {} holds it", d["metadata"]["name"]);
        for _ in 0..40 {
            let mut edited = whole(&o);
            for _ in 0..=rng.below(3) {
                edit(&mut edited, &mut rng);
            }
            let Ok(edited) = serde_json::from_value::<DynamicObject>(edited) else { continue };
            let by_object = object_contains(&whole(&edited), &d);
            assert_eq!(Kept::of(&edited).print.contains_object(&d), by_object, "{}", whole(&edited));
            cases += 1;
            differences += usize::from(!by_object);
        }
    }
    println!("{cases} edited objects, {differences} of them differ from what govcloud would apply");
    // The edits do make differences (else the test would prove nothing).
    assert!(differences > 1000, "{differences} edits made a difference");
}

#[test]
fn it_keeps_what_the_operator_reads_and_less_than_the_object() {
    let d = desired().into_iter().find(|d| d["kind"] == "Deployment").expect("a Deployment");
    let o = live(&d);
    let kept = Kept::of(&o);
    assert_eq!(kept.read().ready_replicas, Some(2));
    assert_eq!(kept.read().replicas, o.data.pointer("/spec/replicas").and_then(Value::as_i64));
    assert_eq!(
        (kept.name(), kept.namespace()),
        (o.metadata.name.as_deref().expect("name"), o.metadata.namespace.as_deref())
    );
    assert_eq!(
        kept.applied_hash(),
        o.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(govcloud_core::meta::labels::APPLIED_HASH))
            .map(String::as_str)
            .unwrap_or_default()
    );
    let whole_bytes = whole(&o).to_string().len();
    assert!(kept.print.len() * 8 < whole_bytes, "print {} words, object {whole_bytes} bytes", kept.print.len());
    // Its texts in one allocation, no larger than they are; what is read
    // of a kind whose content is not read takes no allocation at all.
    let m = &o.metadata;
    let texts = [m.name.as_deref(), m.namespace.as_deref()];
    assert!(kept.texts.len() >= texts.iter().flatten().map(|t| t.len()).sum::<usize>());
    assert!(kept.texts.len() <= 512, "{} bytes of text", kept.texts.len());
    assert!(std::mem::size_of::<Kept>() <= 96, "{} bytes inline", std::mem::size_of::<Kept>());
    let policy = desired().into_iter().find(|d| d["kind"] == "NetworkPolicy").expect("a NetworkPolicy");
    assert!(Kept::of(&live(&policy)).read.is_none(), "nothing read of a NetworkPolicy");
}

/// A text that is absent is told from one that is empty, whichever texts
/// come before and after it.
#[test]
fn absent_and_empty_texts_are_told_apart() {
    for mask in 0u16..(1 << 4) {
        let pick = |i: usize, v: &'static str| (mask & (1 << i) != 0).then_some(v);
        let mut texts: [Option<&str>; TEXTS] = [None; TEXTS];
        texts[Text::Name as usize] = Some("web");
        texts[Text::Namespace as usize] = pick(0, "");
        texts[Text::Applied as usize] = pick(1, "abc");
        texts[Text::Foreign as usize] = pick(2, "");
        texts[LABELS + 2] = pick(3, "portal");
        let kept = Kept::with(texts);
        assert_eq!(kept.name(), "web");
        assert_eq!(kept.namespace(), pick(0, ""));
        assert_eq!(kept.applied_hash(), pick(1, "abc").unwrap_or_default());
        assert_eq!(kept.foreign_content_manager(), pick(2, ""));
        assert_eq!(kept.label(READ_LABELS[2]), pick(3, "portal"));
        assert_eq!(kept.label(READ_LABELS[1]), None);
    }
}

/// Every decision read from a kept object's metadata (whose it is, its
/// zone, the applied hash, field ownership, deletion) is the one its whole
/// metadata gives, for every rendered object, with labels and annotations
/// of others added and govcloud's own relabelled or removed; and nothing
/// else of the metadata is kept.
#[test]
fn the_kept_metadata_decides_as_the_whole_metadata() {
    use crate::ownership::{foreign_content_manager, has_update_entry, labelled_for};
    use govcloud_core::meta::kinds::OwnerKind;
    use govcloud_core::meta::labels::{APPLIED_HASH, OWNER_KIND, OWNER_NAME, OWNER_NAMESPACE, ZONE};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry;
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (mut checked, mut ours) = (0, 0);
    for d in desired() {
        let mut o = live(&d);
        // The object's own owner, as rendered, and another.
        let label = |k: &str| d["metadata"]["labels"][k].as_str().map(str::to_string);
        let kind = label(OWNER_KIND).and_then(|k| OwnerKind::parse(&k)).unwrap_or(OwnerKind::Tenant);
        let (namespace, name) = (label(OWNER_NAMESPACE), label(OWNER_NAME).unwrap_or_default());
        let owners = [(kind, namespace.as_deref(), name.as_str()), (OwnerKind::Tenant, None, "another")];
        let (labels, annotations) =
            (o.metadata.labels.get_or_insert_default(), o.metadata.annotations.get_or_insert_default());
        labels.insert("team.example/owner".into(), "someone".into());
        annotations.insert("kubectl.kubernetes.io/last-applied-configuration".into(), "{}".into());
        match rng.below(4) {
            0 => {
                labels.insert(OWNER_NAME.into(), "another".into());
            }
            1 => {
                labels.remove(ZONE);
                annotations.remove(APPLIED_HASH);
            }
            2 => {
                o.metadata.deletion_timestamp =
                    Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(k8s_openapi::jiff::Timestamp::UNIX_EPOCH))
            }
            _ => {}
        }
        o.metadata.managed_fields = Some(vec![ManagedFieldsEntry {
            manager: Some(["govcloud", "kubectl-edit"][rng.below(2)].into()),
            operation: Some(["Update", "Apply"][rng.below(2)].into()),
            ..Default::default()
        }]);
        let kept = Kept::of(&o);
        let m = &o.metadata;
        for owner in owners {
            assert_eq!(kept.labelled_for(owner), labelled_for(m, owner), "{owner:?}: {m:?}");
        }
        ours += usize::from(kept.labelled_for(owners[0]));
        for key in READ_LABELS {
            assert_eq!(kept.label(key), m.labels.as_ref().and_then(|l| l.get(key)).map(String::as_str), "{key}");
        }
        assert_eq!(kept.label("team.example/owner"), None, "a label no one reads is not kept");
        let applied = m.annotations.as_ref().and_then(|a| a.get(APPLIED_HASH)).map(String::as_str);
        assert_eq!(kept.applied_hash(), applied.unwrap_or_default());
        assert_eq!(kept.has_update_entry(), has_update_entry(m));
        assert_eq!(kept.foreign_content_manager(), foreign_content_manager(m).as_deref());
        assert_eq!(kept.deleting(), m.deletion_timestamp.is_some());
        assert_eq!((Some(kept.name()), kept.namespace()), (m.name.as_deref(), m.namespace.as_deref()));
        // Nothing reads its uid and version: they are not kept, nor
        // anything but the texts above.
        let texts = [Some(kept.name()), kept.namespace(), Some(kept.applied_hash()), kept.foreign_content_manager()];
        let labels = READ_LABELS.iter().filter_map(|k| kept.label(k));
        let held = texts.into_iter().flatten().chain(labels).map(str::len).sum::<usize>();
        assert_eq!(kept.texts.len(), held, "{}", kept.texts);
        checked += 1;
    }
    assert!(checked > 300, "{checked} objects");
    // Some stay labelled for their owner, some not (else the test proves little).
    assert!(ours > 100 && ours + 50 < checked, "{ours} of {checked} labelled for their owner");
}

/// What the operator reads of a kept object's content ([`Read`]) is what
/// it read of the object's JSON before (the app's replica counts, runs and
/// refusal, the tenant's quota, the hand-over count), for statuses of every
/// kind it reads, random values, and fields absent or of another type.
#[test]
fn what_is_read_is_what_the_object_says() {
    let mut rng = Rng(0x6a09_e667_f3bc_c908);
    let pick = |rng: &mut Rng, choices: &[Value]| choices[rng.below(choices.len())].clone();
    let ints = [json!(0), json!(3), json!(-1), json!("2"), json!(null), json!(7.5)];
    let texts = [json!("2026-12-07T00:00:00Z"), json!(4), json!(null)];
    let maps = [json!({"pods": "10", "requests.cpu": "4"}), json!({}), json!({"pods": 3}), json!("x")];
    let conditions = [
        json!([{"type": "ReplicaFailure", "status": "True", "message": "exceeded quota"}]),
        json!([{"type": "ReplicaFailure", "status": "False", "message": "fine"}, {"type": "Available", "status": "True"}]),
        json!([{"type": "Available", "status": "True", "message": "ok"}]),
        json!([{"type": "ReplicaFailure", "status": "True"}]),
        json!({}),
    ];
    for _ in 0..2000 {
        let mut status = serde_json::Map::new();
        let mut put = |rng: &mut Rng, key: &str, choices: &[Value]| {
            if rng.below(3) > 0 {
                status.insert(key.into(), pick(rng, choices));
            }
        };
        put(&mut rng, "readyReplicas", &ints);
        put(&mut rng, "updatedReplicas", &ints);
        put(&mut rng, "conditions", &conditions);
        put(&mut rng, "lastScheduleTime", &texts);
        put(&mut rng, "lastSuccessfulTime", &texts);
        put(&mut rng, "active", &[json!([{"name": "a"}, {"name": "b"}]), json!([]), json!(1)]);
        put(&mut rng, "hard", &maps);
        put(&mut rng, "used", &maps);
        let mut data = json!({ "status": status });
        if rng.below(2) == 0 {
            data["spec"] = json!({ "replicas": pick(&mut rng, &ints) });
        }
        let read = Read::of(&data);
        let int = |p: &str| data.pointer(p).and_then(Value::as_i64);
        let text = |p: &str| data.pointer(p).and_then(Value::as_str).map(str::to_string);
        assert_eq!(read.replicas, int("/spec/replicas"), "{data}");
        assert_eq!(read.ready_replicas, int("/status/readyReplicas"), "{data}");
        assert_eq!(read.updated_replicas, int("/status/updatedReplicas"), "{data}");
        assert_eq!(
            read.replica_failure.as_deref().map(str::to_string),
            crate::triggers::replica_failure(&data),
            "{data}"
        );
        assert_eq!(read.last_schedule.as_deref().map(str::to_string), text("/status/lastScheduleTime"), "{data}");
        assert_eq!(read.last_success.as_deref().map(str::to_string), text("/status/lastSuccessfulTime"), "{data}");
        assert_eq!(read.active, data.pointer("/status/active").and_then(Value::as_array).map(Vec::len), "{data}");
        // The tenant's quota, as it read it: each map, or nothing where it is not one of strings.
        let map = |p: &str| {
            data.pointer(p)
                .cloned()
                .and_then(|v| serde_json::from_value::<std::collections::BTreeMap<String, String>>(v).ok())
                .unwrap_or_default()
        };
        let (hard, used) = read.quota.as_deref().map(|q| (q.hard.clone(), q.used.clone())).unwrap_or_default();
        assert_eq!((hard, used), (map("/status/hard"), map("/status/used")), "{data}");
    }
}
