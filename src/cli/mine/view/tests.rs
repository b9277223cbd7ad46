use super::*;

const TENANT: &str = r#"
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: tongji}
spec:
  displayName: {zh: 市统计局, en: Statistics Bureau}
  owners:
    - {kind: Group, name: tongji-admins, role: admin}
    - {kind: User, name: li, role: viewer}
    - {kind: User, name: wang, role: developer}
  zones: [{name: extranet}]
status:
  namespaces: [tongji-extranet]
  quota:
    - {zone: extranet, namespace: tongji-extranet, granted: {requests.cpu: "4", pods: "20", count/x: "3"}, used: {requests.cpu: 500m, pods: "2"}}
  compliance: {pass: 40, fail: 1, warn: 0, skip: 2}
"#;

pub(crate) const APP: &str = r#"
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {name: macro-db, namespace: tongji-extranet}
spec: {zone: extranet, image: "harbor.egov.local/t/m:1"}
status:
  replicas: 2
  readyReplicas: 1
  flows:
    - {target: gongan/population-db, state: Pending, reason: "waiting for gongan/extranet/population-db to answer (有条件共享, conditional sharing); purpose: 人口基数核验", due: "2026-12-18T00:00:00Z"}
    - {target: weijian/clinic, state: Refused, reason: the zones do not connect}
    - {target: economy/portal, state: Granted, reason: both sides agree}
  sharing:
    consumers: 1
    requests:
      - {consumer: weijian/extranet/clinic, purpose: 人口基数, state: Pending, overdue: true}
      - {consumer: economy/extranet/portal, state: Granted}
"#;

pub(crate) const REQUEST: &str = r#"
apiVersion: govcloud.io/v1alpha1
kind: ResourceRequest
metadata: {name: more-cpu, namespace: tongji-extranet}
spec: {kind: Quota, justification: census, project: 人口普查, resources: {cpu: "2"}}
"#;

pub(crate) fn read() -> Read {
    Read {
        tenant: serde_norway::from_str(TENANT).expect("tenant"),
        zones: vec![],
        apps: vec![serde_norway::from_str(APP).expect("app")],
        requests: vec![serde_norway::from_str(REQUEST).expect("request")],
        unreadable: vec!["tongji-private".into()],
    }
}

#[test]
fn the_view_sorts_flows_by_who_waits_and_shows_quota_requests_and_compliance() {
    let who = Identity { username: "li".into(), groups: vec!["tongji-admins".into(), "system:authenticated".into()] };
    let m = view(who, vec![read()]);
    let t = &m.tenants[0];
    assert_eq!(t.roles, ["admin", "viewer"], "the owners naming the user or its groups, not wang");
    assert_eq!(t.apps[0].flows, [1, 1, 1]);
    assert_eq!(t.apps[0].replicas, "1/2");
    let pairs = |w: &[Waiting]| w.iter().map(|w| format!("{} -> {}", w.from, w.to)).collect::<Vec<_>>();
    assert_eq!(pairs(&t.waiting_on_us), ["weijian/extranet/clinic -> tongji-extranet/macro-db"]);
    assert_eq!(pairs(&t.waiting_on_others), ["tongji-extranet/macro-db -> gongan/population-db"]);
    assert_eq!(pairs(&t.refused), ["tongji-extranet/macro-db -> weijian/clinic"]);
    assert_eq!(t.requests[0].phase, "Pending", "no status yet: waiting on a platform engineer");

    let zh = table(&m, Lang::Zh);
    for want in [
        "用户：li  组：tongji-admins, system:authenticated\n",
        "租户 tongji (市统计局)  角色：admin, viewer\n",
        "    tongji-extranet  requests.cpu 500m/4, pods 2/20\n",
        "  等待本部门答复的数据请求 (1)：\n    weijian/extranet/clinic -> tongji-extranet/macro-db  人口基数  [已逾期]\n",
        // The reason the operator writes is a catalogue text: a Chinese page says it in Chinese, words and all.
        "    tongji-extranet/macro-db -> gongan/population-db  等待 gongan/extranet/population-db 答复（有条件共享）；用途：人口基数核验  [截止 2026-12-18T00:00:00Z]\n",
        "    tongji-extranet/more-cpu  Quota  Pending\n",
        "  合规：通过 40, 不通过 1, 警告 0, 跳过 2\n",
        "tongji-private",
    ] {
        assert!(zh.contains(want), "{want:?} not in\n{zh}");
    }
    assert_eq!(
        t.kubectl,
        [
            "kubectl get tenant tongji",
            "kubectl get networkzones extranet",
            "kubectl get sharedresources",
            "kubectl get departmentapps,resourcerequests -n tongji-extranet",
        ]
    );
    let en = table(&m, Lang::En);
    assert!(en.contains("tenant tongji (Statistics Bureau)  roles: admin, viewer\n"), "{en}");
    assert!(en.contains("  compliance: pass 40, fail 1, warn 0, skip 2\n"), "{en}");
    assert!(!en.lines().any(|l| l.ends_with(' ')), "no space at a line's end:\n{en}");
    assert_eq!(m.tenants[0].quota[0].granted.len(), 3, "the JSON keeps every resource the quota counts");
}

#[test]
fn no_tenant_says_whom_to_ask() {
    let m = view(Identity { username: "x".into(), groups: vec![] }, vec![]);
    assert!(table(&m, Lang::En).contains("ask a platform engineer"), "{}", table(&m, Lang::En));
    assert!(table(&m, Lang::Zh).contains("用户：x  组：无\n"));
}

#[test]
fn a_chinese_view_says_the_status_flow_reasons_in_chinese() {
    use govcloud_core::messages::Code;
    use govcloud_core::msg;
    // The reasons as the operator writes them: the English text of a catalogue message.
    let waiting = msg!(Code::AwaitingAnswer, "gongan/extranet/population-db", "人口基数核验");
    let refused = msg!(
        Code::InternetOnlyPublic,
        "tongji/internet/macro-db",
        "internet",
        "weijian/private/clinic",
        msg!(Code::DataSensitive)
    );
    let granted =
        msg!(Code::GrantedHow, msg!(Code::GrantedBy, "economy/extranet/portal"), msg!(Code::WithinZone, "extranet"));
    let mut r = read();
    // The fixture's waiting reason is the operator's text already.
    assert!(APP.contains(&serde_json::to_string(&waiting.to_string()).expect("quoted")), "{waiting}");
    let app = format!(
        "{}\n",
        // Quoted: the reasons hold ": " and ", ", which a YAML flow mapping does not take bare.
        APP.replace("the zones do not connect", &serde_json::to_string(&refused.to_string()).expect("quoted"))
            .replace("both sides agree", &serde_json::to_string(&granted.to_string()).expect("quoted"))
    );
    r.apps = vec![serde_norway::from_str(&app).expect("app")];
    let m = view(Identity { username: "li".into(), groups: vec![] }, vec![r]);
    let zh = table(&m, Lang::Zh);
    for want in [waiting.text(Lang::Zh), refused.text(Lang::Zh)] {
        assert!(zh.contains(&want), "{want:?} not in\n{zh}");
    }
    assert!(zh.contains("等待 gongan/extranet/population-db 答复") && zh.contains("敏感数据"), "{zh}");
    for english in ["waiting for", "runs in internet zone", "may call only"] {
        assert!(!zh.contains(english), "{english:?} in the Chinese view\n{zh}");
    }
    let en = table(&m, Lang::En);
    assert!(en.contains(&waiting.to_string()) && en.contains(&refused.to_string()), "{en}");
    // The JSON keeps the English reason and gives its code and arguments.
    let json = serde_json::to_value(&m).expect("json");
    let w = &json["tenants"][0]["waitingOnOthers"][0];
    assert_eq!(w["why"], waiting.to_string());
    assert_eq!(w["whyMessage"], serde_json::to_value(&waiting).expect("message"));
    assert!(json["tenants"][0]["waitingOnUs"][0].get("whyMessage").is_none(), "a purpose is the consumer's words");
}
