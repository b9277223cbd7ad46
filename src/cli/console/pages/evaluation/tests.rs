use super::*;
use crate::audit::output::Lang;

/// The evaluation of a small city's model (no usage, no prices), as `govcloud evaluate -f` makes it.
fn evaluated() -> Evaluation {
    let text = "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: extranet}\nspec:\n  kind: extranet\n  displayName: {zh: 政务外网, en: extranet}\n  nodePool: {selector: {govcloud.io/zone: extranet}, taint: {key: govcloud.io/zone, value: extranet}}\n  cidrs: [10.10.0.0/16]\n  allowedRegistries: [harbor.egov.local]\n---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: weijian}\nspec:\n  displayName: {zh: 卫健委, en: Health Commission}\n  owners: [{kind: Group, name: weijian-admins, role: admin}]\n  zones: [{name: extranet, quota: {cpu: \"4\", memory: 8Gi, pods: 20, services: 10}}]\n";
    let model = crate::model::load_str("city.yaml", text).expect("model").model;
    let audit = crate::audit::audit(&model, &[]);
    crate::evaluate::evaluate(crate::evaluate::Inputs {
        model: &model,
        audit: &audit,
        usage: Err(crate::evaluate::Missing::NoUsage),
        repairs: None,
        pending: &[],
        earlier: &[],
        prices: None,
        requests: &[],
        scope: &crate::evaluate::Scope::City,
        domestic: &crate::evaluate::DomesticPlatforms::default(),
        now: k8s_openapi::jiff::Timestamp::now(),
    })
}

#[test]
fn the_evaluation_page_is_the_printable_page_s_body_in_the_console_s_shell() {
    let e = evaluated();
    for lang in [Lang::Zh, Lang::En] {
        let c = Chrome { lang, user: "audit".into(), csrf: "x".into(), login: false };
        let p = evaluation(&c, &e);
        assert!(p.contains(&crate::evaluate::output::html_body(&e, lang).into_string()), "the same body: {p}");
        assert!(p.contains("<link rel=\"stylesheet\" href=\"/style.css\">") && p.contains("class=\"chart\""), "{p}");
        assert!(p.contains(if lang == Lang::Zh { "卫健委" } else { "Health Commission" }), "{p}");
        // The console's shell: no style of the printable page's own (the policy allows none inline).
        assert!(!p.contains("<style") && !p.contains("<script"), "{p}");
    }
}
