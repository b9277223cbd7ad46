use super::*;
use crate::meta::compare::object_contains;
use proptest::prelude::*;
use serde_json::json;

const LEAVES: &[&str] = &["1", "1000m", "1.0", "0.5", "500m", "1Gi", "1073741824", "abc", "", "-1", ".5", "1e3", "1k"];

fn leaf_value(i: usize) -> Value {
    match i % 20 {
        n if n < LEAVES.len() => json!(LEAVES[n]),
        13 => json!(0),
        14 => json!(1),
        15 => json!(-1),
        16 => json!(1.0),
        17 => json!(-0.0),
        18 => json!(true),
        _ => Value::Null,
    }
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = (0usize..20).prop_map(leaf_value);
    leaf.prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(prop::sample::select(vec!["a", "b", "c", "spec", "status", "x"]), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// A small deterministic generator, so a failing case shrinks on its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// What govcloud would apply, made from the live object: part of it,
/// edited at random (leaves changed or respelt, lists grown or shrunk, keys
/// added, empty or null values, types changed).
fn desired_from(actual: &Value, rng: &mut Rng) -> Value {
    match rng.below(12) {
        0 => return leaf_value(rng.below(20) as usize),
        1 => return json!({}),
        2 => return json!([]),
        _ => {}
    }
    match actual {
        Value::Object(m) => {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                if rng.below(4) != 0 {
                    out.insert(k.clone(), desired_from(v, rng));
                }
            }
            if rng.below(5) == 0 {
                out.insert(["a", "b", "q", "spec"][rng.below(4) as usize].into(), leaf_value(rng.below(20) as usize));
            }
            Value::Object(out)
        }
        Value::Array(l) => {
            let mut out: Vec<Value> = l.iter().map(|v| desired_from(v, rng)).collect();
            match rng.below(8) {
                0 => {
                    out.pop();
                }
                1 => out.push(leaf_value(rng.below(20) as usize)),
                _ => {}
            }
            Value::Array(out)
        }
        Value::String(s) if rng.below(3) == 0 => {
            // The same quantity spelt another way, or another string.
            match Quantity::parse(s) {
                Ok(q) if rng.below(2) == 0 => json!(format!("{}m", q.round_millis())),
                _ => leaf_value(rng.below(20) as usize),
            }
        }
        _ if rng.below(4) == 0 => leaf_value(rng.below(20) as usize),
        v => v.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The print answers exactly as the object would, on random objects and
    /// random edits of them.
    #[test]
    fn the_print_answers_as_the_object(body in arb_value(), seed in 1u64..) {
        let actual = match body {
            Value::Object(mut m) => { m.insert("metadata".into(), json!({"name": "n"})); Value::Object(m) }
            other => json!({"metadata": {"name": "n"}, "spec": other}),
        };
        let mut rng = Rng(seed);
        let mut desired = desired_from(&actual, &mut rng);
        if let Value::Object(m) = &mut desired {
            m.insert("apiVersion".into(), json!("v1"));
            m.insert("kind".into(), json!("Thing"));
        }
        // Made after another object with the same body (another name, no
        // status): it shares that body and still answers as its own object.
        let mut bodies = Bodies::default();
        let mut other = actual.clone();
        other["metadata"] = json!({"name": "another"});
        if let Some(m) = other.as_object_mut() { m.remove("status"); }
        let first = Print::of_in(&other, &mut bodies);
        let print = Print::of_in(&actual, &mut bodies);
        prop_assert!(print.shares_body(&first));
        prop_assert_eq!(&print, &Print::of(&actual));
        prop_assert_eq!(print.contains_object(&desired), object_contains(&actual, &desired), "actual {} desired {}", actual, desired);
        prop_assert_eq!(first.contains_object(&desired), object_contains(&other, &desired), "actual {} desired {}", other, desired);
        // And of itself, always.
        prop_assert!(print.contains_object(&actual));
    }
}

/// Objects with equal bodies share one; another body is another; a body no
/// print holds is let go as more are made.
#[test]
fn equal_bodies_are_held_once_and_let_go_when_unheld() {
    let object = |name: &str, spec: Value| json!({"metadata": {"name": name}, "spec": spec, "status": {"n": name}});
    let mut bodies = Bodies::default();
    let a = Print::of_in(&object("a", json!({"x": 1})), &mut bodies);
    let b = Print::of_in(&object("b", json!({"x": 1})), &mut bodies);
    let c = Print::of_in(&object("c", json!({"x": 2})), &mut bodies);
    assert!(a.shares_body(&b) && !a.shares_body(&c));
    assert_eq!(bodies.len(), 2);
    // Their own parts differ; each answers for itself only.
    assert!(a.contains_object(&json!({"metadata": {"name": "a"}, "status": {"n": "a"}, "spec": {"x": 1}})));
    assert!(!b.contains_object(&json!({"metadata": {"name": "a"}})));
    assert!(!b.contains_object(&json!({"status": {"n": "a"}})));
    assert!(!c.contains_object(&json!({"spec": {"x": 1}})));
    // Thousands of bodies made and dropped: those held stay few.
    for i in 0..5000 {
        drop(Print::of_in(&object("t", json!({"x": i + 10})), &mut bodies));
        assert!(bodies.len() <= 2 * 2 + 64 + 1, "{} bodies held after {i}", bodies.len());
    }
    // Those still held are still shared.
    let d = Print::of_in(&object("d", json!({"x": 1})), &mut bodies);
    assert!(d.shares_body(&a));
}

#[test]
fn the_cases_the_comparison_names() {
    let actual = json!({
        "metadata": {"name": "q", "labels": {"a": "1"}},
        "spec": {"hard": {"cpu": "1500m", "memory": "1Gi"}, "list": [1, 2], "flag": true, "none": null, "obj": {"k": "v"}}
    });
    let p = Print::of(&actual);
    let yes = [
        json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "q"}}),
        json!({"spec": {"hard": {"cpu": "1.5", "memory": "1073741824"}}}),
        json!({"spec": {"list": [1, 2], "gone": {}, "gone2": [], "gone3": null, "obj": {}}}),
        json!({"spec": {"none": null, "flag": true}}),
    ];
    let no = [
        json!({"spec": {"hard": {"cpu": "2"}}}),
        json!({"spec": {"list": [1]}}),
        json!({"spec": {"list": [1, 3]}}),
        json!({"spec": {"flag": {}}}),
        json!({"spec": {"obj": []}}),
        json!({"spec": {"obj": null}}),
        json!({"status": {}}),
        json!({"metadata": {"labels": {"a": "2"}}}),
        json!("not an object"),
    ];
    for d in &yes {
        assert!(object_contains(&actual, d), "{d}");
        assert!(p.contains_object(d), "{d}");
    }
    for d in &no {
        assert!(!object_contains(&actual, d), "{d}");
        assert!(!p.contains_object(d), "{d}");
    }
}

#[test]
fn a_print_is_smaller_than_the_object() {
    let actual =
        json!({"metadata": {"name": "q", "labels": {"a": "1", "b": "2"}}, "spec": {"x": [1, 2, 3], "y": {"z": "w"}}});
    let p = Print::of(&actual);
    // 13 nodes: a presence mark each, and a kind, length or value mark each.
    assert_eq!(p.len(), 26);
}
