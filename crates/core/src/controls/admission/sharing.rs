//! GC-SHR-001: who answered a sharing request. A provider's answers live on
//! its own DepartmentApp (`spec.sharing.answers`), which only its
//! department's admins may write (RBAC), so no department answers for
//! another. Each answer's `by` is the user the API server saw making it: a
//! mutating policy writes it on every new or changed answer (and puts back
//! the recorded name on an unchanged one), and a validating policy refuses
//! any other name, so that with the mutating policy gone a forged `by` is
//! still refused.

use serde_json::{Value, json};

use super::cel::check;
use crate::controls::SHARING_ANSWERS;
use crate::controls::admission::{Policy, labels, rules};
use crate::controls::custody::{self, Rule};
use crate::meta::labels::{ADMIN_GROUPS, ADMIN_USERS};
use crate::meta::names;

/// The answers of the object before the change (none on CREATE).
const OLD_ANSWERS: &str = "oldObject != null && has(oldObject.spec.sharing) && has(oldObject.spec.sharing.answers) ? oldObject.spec.sharing.answers : []";

/// The answers of the object as changed (none when it has no sharing).
const NEW_ANSWERS: &str =
    "has(object.spec.sharing) && has(object.spec.sharing.answers) ? object.spec.sharing.answers : []";

/// CEL: the user making the change is one of the tenant's admins, as the
/// operator wrote them on the namespace (which departments cannot write).
fn is_admin() -> String {
    let listed = |key: &str| {
        format!(
            "has(namespaceObject.metadata.annotations) && '{key}' in namespaceObject.metadata.annotations ? namespaceObject.metadata.annotations['{key}'].split('\\n') : []"
        )
    };
    format!(
        "namespaceObject != null && (request.userInfo.username in ({}) || request.userInfo.groups.exists(g, g in ({})))",
        listed(ADMIN_USERS),
        listed(ADMIN_GROUPS)
    )
}

/// CEL: answer `o` (old) says what answer `a` (new) says: same consumer, decision and reason.
fn same_answer(o: &str, a: &str) -> String {
    format!(
        "{o}.consumer == {a}.consumer && {o}.decision == {a}.decision && (has({o}.reason) ? {o}.reason : '') == (has({a}.reason) ? {a}.reason : '')"
    )
}

/// The validating policy: every answer either is unchanged with the name
/// recorded before, or names the user making this change.
pub(super) fn answer_policy() -> Policy {
    let same = same_answer("o", "a");
    Policy {
        name: names::SHARING_ANSWERS_POLICY,
        resources: vec![(crate::meta::GROUP, "departmentapps")],
        operations: &["CREATE", "UPDATE"],
        zone_param: false,
        match_conditions: vec![("has-answers", format!("({NEW_ANSWERS}).size() > 0 || ({OLD_ANSWERS}).size() > 0"))],
        variables: vec![
            ("oldAnswers", OLD_ANSWERS.to_string()),
            ("newAnswers", NEW_ANSWERS.to_string()),
            ("isAdmin", is_admin()),
            ("exempt", custody::allows(Rule::SharingAnswers)),
        ],
        checks: vec![
            check(
                SHARING_ANSWERS,
                format!(
                    "variables.isAdmin || variables.exempt || (variables.newAnswers.all(a, variables.oldAnswers.exists(o, {same})) && variables.oldAnswers.all(o, variables.newAnswers.exists(a, {same})))"
                ),
                format!(
                    "spec.sharing.answers: only the tenant's admins (the namespace's {ADMIN_USERS} and {ADMIN_GROUPS}, from the Tenant's owners with role admin) answer sharing requests; ask one of them"
                ),
            ),
            check(
                SHARING_ANSWERS,
                format!(
                    "variables.newAnswers.all(a, has(a.by) && (a.by == request.userInfo.username || variables.oldAnswers.exists(o, {same} && has(o.by) && o.by == a.by)))"
                ),
                format!(
                    "spec.sharing.answers[].by is recorded by the API server from the user answering ({}); it names nobody else: leave it out and the server writes it",
                    names::SHARING_ANSWERER_POLICY
                ),
            ),
        ],
        request_only: true,
        tenant_namespaces: true,
    }
}

/// The mutating policy (and its binding) that writes `by`: the user making
/// the change on a new or changed answer, the recorded name on an
/// unchanged one.
pub(super) fn answer_mutations() -> Vec<Value> {
    let same = same_answer("o", "a");
    let kept = format!("variables.oldAnswers.exists(o, {same} && has(o.by))");
    let recorded = format!("variables.oldAnswers.filter(o, {same} && has(o.by))[0].by");
    let item = |by: &str| format!("Object.spec.sharing.answers{{consumer: a.consumer, by: {by}}}");
    let expression = format!(
        "Object{{spec: Object.spec{{sharing: Object.spec.sharing{{answers: object.spec.sharing.answers.filter(a, !({kept})).map(a, {}) + object.spec.sharing.answers.filter(a, {kept}).map(a, {})}}}}}}",
        item("request.userInfo.username"),
        item(&recorded),
    );
    let name = names::SHARING_ANSWERER_POLICY;
    let spec = json!({
        "failurePolicy": "Fail",
        "reinvocationPolicy": "Never",
        "matchConstraints": {"resourceRules": rules(&[(crate::meta::GROUP, "departmentapps")], &["CREATE", "UPDATE"])},
        "matchConditions": [{"name": "has-answers", "expression": "has(object.spec.sharing) && has(object.spec.sharing.answers) && object.spec.sharing.answers.size() > 0"}],
        "variables": [{"name": "oldAnswers", "expression": OLD_ANSWERS}],
        "mutations": [{"patchType": "ApplyConfiguration", "applyConfiguration": {"expression": expression}}],
    });
    vec![
        json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingAdmissionPolicy", "metadata": {"name": name, "labels": labels()}, "spec": spec}),
        json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingAdmissionPolicyBinding", "metadata": {"name": name, "labels": labels()}, "spec": {"policyName": name}}),
    ]
}
