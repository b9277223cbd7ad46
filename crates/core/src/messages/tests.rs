use super::*;

/// The places `{n}` of a text.
fn places(t: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        if let Some(close) = after.find('}')
            && let Ok(n) = after[..close].parse::<usize>()
        {
            out.push(n);
        }
        rest = after;
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[test]
fn every_code_has_a_chinese_and_an_english_text_that_differ() {
    // Chinese: ideographs, or for a text that only joins two messages Chinese punctuation.
    let cjk = |t: &str| {
        t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c))
            || t.chars().any(|c| ('\u{ff00}'..='\u{ffef}').contains(&c))
    };
    for c in Code::ALL {
        let (zh, en) = (c.text(Lang::Zh), c.text(Lang::En));
        assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "{c}: a text is empty");
        assert_ne!(zh, en, "{c}: the Chinese text is the English one");
        assert!(cjk(zh), "{c}: the Chinese text {zh:?} has no Chinese in it");
        // The English text is English: Chinese in it only as a term in brackets.
        let ideographs = |t: &str| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        assert!(!ideographs(en) || en.contains('('), "{c}: the English text {en:?} is Chinese");
        // Both texts take their places from one list of arguments, 0, 1, … with no gap.
        let mut all = places(zh);
        all.extend(places(en));
        all.sort_unstable();
        all.dedup();
        assert_eq!(all, (0..all.len()).collect::<Vec<_>>(), "{c}: places {all:?} leave a gap");
    }
}

#[test]
fn codes_are_camel_case_unique_and_read_back() {
    let mut seen = std::collections::BTreeSet::new();
    for c in Code::ALL {
        let s = c.as_str();
        assert!(s.starts_with(|ch: char| ch.is_ascii_uppercase()) && s.chars().all(|ch| ch.is_ascii_alphanumeric()));
        assert!(seen.insert(s), "{s} twice");
        assert_eq!(Code::parse(s), Some(*c));
    }
    assert_eq!(Code::parse("NoSuchCode"), None);
}

#[test]
fn a_message_fills_its_places_nested_and_in_either_language() {
    let how = msg!(Code::WithinZone, "extranet");
    let m = msg!(Code::GrantedHow, msg!(Code::GrantedBy, "gongan/extranet/population-db"), how);
    assert_eq!(m.text(Lang::En), "granted by gongan/extranet/population-db, within zone extranet");
    assert_eq!(m.text(Lang::Zh), "gongan/extranet/population-db 已授权，在网络区 extranet 内");
    assert_eq!(m.to_string(), m.text(Lang::En));
    // Arguments are data: braces in them are not places.
    assert_eq!(msg!(Code::ProviderMissing, "{1}").text(Lang::En), "provider {1} does not exist");
    // JSON: the code and the arguments, nested messages as objects.
    assert_eq!(
        serde_json::to_value(&m).ok(),
        Some(serde_json::json!({"code": "GrantedHow", "args": [
            {"code": "GrantedBy", "args": ["gongan/extranet/population-db"]},
            {"code": "WithinZone", "args": ["extranet"]}
        ]}))
    );
    assert_eq!(serde_json::to_value(msg!(Code::NoDrift)).ok(), Some(serde_json::json!({"code": "NoDrift"})));
}

#[test]
fn a_control_title_is_given_in_the_page_language() {
    let m = msg!(
        Code::AdmissionRule,
        crate::controls::DEFAULT_DENY,
        "spec.image: from the registry",
        Arg::Title(crate::controls::DEFAULT_DENY)
    );
    assert_eq!(m.text(Lang::En), "[GC-NET-001] spec.image: from the registry");
    let zh = m.text(Lang::Zh);
    let title = crate::controls::control(crate::controls::DEFAULT_DENY).map(|c| c.title_zh).unwrap_or("?");
    assert_eq!(zh, format!("[GC-NET-001] 不符合准入规则：{title}"));
}

#[test]
fn the_locale_chooses_english_only_when_it_is_english() {
    let l = Lang::from_locale;
    assert_eq!(l(None, None, None), Lang::Zh);
    assert_eq!(l(None, None, Some("zh_CN.UTF-8")), Lang::Zh);
    assert_eq!(l(None, None, Some("en_US.UTF-8")), Lang::En);
    assert_eq!(l(None, None, Some("en")), Lang::En);
    assert_eq!(l(None, None, Some("C")), Lang::Zh);
    assert_eq!(l(None, None, Some("POSIX")), Lang::Zh);
    assert_eq!(l(None, None, Some("C.UTF-8")), Lang::Zh);
    assert_eq!(l(None, None, Some("mn_CN.UTF-8")), Lang::Zh);
    assert_eq!(l(None, None, Some("de_DE.UTF-8")), Lang::Zh);
    // "eng…" is not English's code.
    assert_eq!(l(None, None, Some("eng")), Lang::Zh);
    // LC_ALL before LC_MESSAGES before LANG; an empty one does not count.
    assert_eq!(l(Some("zh_CN.UTF-8"), Some("en_US.UTF-8"), Some("en_US.UTF-8")), Lang::Zh);
    assert_eq!(l(Some(""), Some("en_GB.UTF-8"), Some("zh_CN.UTF-8")), Lang::En);
    assert_eq!(l(None, Some(""), Some("en_US.UTF-8")), Lang::En);
}

#[test]
fn every_english_text_reads_back_as_its_message() {
    // Arguments as data that no text of the catalogue is; a text made only
    // of places and punctuation takes messages (it reads back only those).
    let data = |n: usize| Arg::Data(format!("x{n}-value"));
    let mut read = 0;
    for &c in Code::ALL {
        let (zh, en) = (c.text(Lang::Zh), c.text(Lang::En));
        let n = places(zh).len().max(places(en).len());
        // A place only the Chinese text shows cannot be read from the English;
        // the evidence's words are not read back (see `Code::is_read_back`).
        if places(en).len() < n || !c.is_read_back() {
            continue;
        }
        let worded =
            en.replace(|ch: char| ch == '{' || ch == '}' || ch.is_ascii_digit(), "").chars().any(char::is_alphabetic);
        let args: Vec<Arg> = (0..n)
            .map(|i| if worded { data(i) } else { Arg::Msg(msg!(Code::ProviderMissing, format!("p{i}"))) })
            .collect();
        let m = Message::new(c, args);
        assert_eq!(
            Message::from_english(&m.text(Lang::En)),
            Some(m.clone()),
            "{c}: {:?} does not read back",
            m.text(Lang::En)
        );
        read += 1;
    }
    assert!(read > 150, "only {read} codes read back");
    // Evidence is never read back: `x on y` is nobody's condition.
    assert_eq!(Message::from_english("x on y"), None);
    // Nested: the arguments that are messages read back as messages.
    let nested = msg!(
        Code::GrantedHow,
        msg!(Code::GrantedByAnswered, "gongan/extranet/population-db", "alice"),
        msg!(
            Code::ThroughEndpoint,
            "extranet",
            "private",
            msg!(
                Code::EndpointAcross,
                "ep-1",
                msg!(Code::ClusterNamed, "a"),
                msg!(Code::ClusterNamed, "b"),
                "10.0.0.1:443"
            )
        )
    );
    assert_eq!(Message::from_english(&nested.text(Lang::En)), Some(nested));
    // Not a text of the catalogue: nothing, never a guess.
    assert_eq!(Message::from_english("the API server said something else"), None);
    assert_eq!(Message::from_english(""), None);
    // Data the pattern of a bare punctuation text would take: not read.
    assert_eq!(Message::from_english("a, b"), None);
}

#[test]
fn a_condition_or_an_event_is_said_in_the_page_language() {
    let pending =
        msg!(Code::CallPending, "gongan/population-db", msg!(Code::AwaitingAnswer, "gongan/population-db", "证照核验"));
    let refused = msg!(Code::CallRefused, "tongji/stats", msg!(Code::RefusedBy, "tongji/stats", "not ours to share"));
    let message = [pending.to_string(), refused.to_string()].join("; ");
    let zh = said("NotGranted", &message, Lang::Zh);
    assert_eq!(zh, format!("{}；{}", pending.text(Lang::Zh), refused.text(Lang::Zh)));
    assert!(zh.contains("等待 gongan/population-db 答复") && zh.contains("已拒绝：not ours to share"), "{zh}");
    assert!(!zh.contains("waiting for") && !zh.contains("refused by"), "{zh}");
    assert_eq!(said("NotGranted", &message, Lang::En), message);
    // One message with "; " inside is read whole.
    let sched = msg!(Code::ScheduleWaiting, "0 2 * * *", msg!(Code::LastRunNoSuccess, "2026-12-06T02:00:00Z"));
    assert_eq!(
        said("Scheduled", &sched.to_string(), Lang::Zh),
        "按 '0 2 * * *' 运行；上次运行 2026-12-06T02:00:00Z，尚未成功"
    );
    // An empty message: the reason's text; an unknown reason as it is.
    assert_eq!(said("AllGranted", "", Lang::Zh), "全部数据流已授权");
    assert_eq!(said("SomethingNew", "", Lang::Zh), "SomethingNew");
    // Words govcloud did not write (the API server's, a validation's): as they are.
    assert_eq!(said("Invalid", "spec.zone: must be declared", Lang::Zh), "spec.zone: must be declared");
}

/// The words a Chinese text may keep in Latin letters: Kubernetes kinds,
/// fields and values, product names (what a Chinese page writes so too).
const LATIN_TERMS: &[&str] = &[
    "status.decision.by",
    "spec.requester",
    "status.history",
    "expiresAt",
    "Approved",
    "ResourceRequest",
    "DepartmentApp",
    "StatefulSet",
    "ReplicaSet",
    "Deployment",
    "CronJob",
    "ClusterRole",
    "ExternalName",
    "Ingress",
    "Service",
    "Secret",
    "cert-manager",
    "spec.tls.issuer",
    "spec.zones",
    "ZoneAccess",
    "ResourceQuota",
    "publicDomain",
    "spec.limits.max.",
    "LimitRange",
    "persistentVolumeClaims",
    "govcloud",
    "Job",
    "Pod",
    "API",
    "CPU",
    "DNS",
    "uid",
    "`by`",
    "Kubernetes",
    "Quota",
];

/// The Chinese text of `code` with every argument a Chinese placeholder
/// (data stands for itself): what is left in Latin letters beyond [`LATIN_TERMS`].
fn latin_words_in_chinese(code: Code) -> String {
    let args = (0..8).map(|i| Arg::Data(format!("〔{i}〕"))).collect();
    let mut zh = Message::new(code, args).text(Lang::Zh);
    for t in LATIN_TERMS {
        zh = zh.replace(t, "");
    }
    zh.chars().filter(char::is_ascii_alphabetic).collect()
}

/// The codes of a group: from `first` to `last` in catalogue order.
fn group(first: Code, last: Code) -> Vec<Code> {
    let at = |c: Code| Code::ALL.iter().position(|x| *x == c).expect("in the catalogue");
    Code::ALL[at(first)..=at(last)].to_vec()
}

#[test]
fn the_evidence_of_every_check_says_no_english_word_in_chinese() {
    let codes = group(Code::StateGranted, Code::EvidenceRoutesOnly);
    assert!(codes.len() > 90, "{} codes", codes.len());
    for c in codes {
        assert_eq!(latin_words_in_chinese(c), "", "{c}: {:?}", c.text(Lang::Zh));
    }
}

#[test]
fn problems_conflicts_a_held_deletion_and_requests_say_no_english_word_in_chinese() {
    let codes = group(Code::WordNone, Code::WriteQuantity);
    assert!(codes.len() > 30, "{} codes", codes.len());
    for c in codes {
        assert_eq!(latin_words_in_chinese(c), "", "{c}: {:?}", c.text(Lang::Zh));
    }
    // The check sees a word outside the terms (this text names the kind Tenant).
    assert_eq!(latin_words_in_chinese(Code::ClusterRightsLimited), "Tenant");
}

#[test]
fn a_list_argument_reads_back_item_by_item() {
    // `waiting for` a namespace and a quota's count: the count's words are a message.
    let m = msg!(
        Code::WaitingFor,
        Arg::list([Arg::from("Namespace/a-ext"), msg!(Code::QuotaUsageCount, "a-ext/govcloud-quota").into()])
    );
    assert_eq!(m.text(Lang::En), "waiting for Namespace/a-ext, the usage count of ResourceQuota a-ext/govcloud-quota");
    assert_eq!(m.text(Lang::Zh), "等待 Namespace/a-ext、ResourceQuota a-ext/govcloud-quota 的用量统计");
    assert_eq!(Message::from_english(&m.text(Lang::En)), Some(m.clone()));
    assert_eq!(said("Provisioning", &m.to_string(), Lang::Zh), m.text(Lang::Zh));
    // A list of values only stays one value.
    let data = msg!(Code::WaitingFor, "Namespace/a-ext, Namespace/a-int");
    assert_eq!(Message::from_english(&data.text(Lang::En)), Some(data));
    // JSON: a list is an array.
    let j = serde_json::to_value(msg!(Code::EvidenceEgress, Arg::list(["a", "b"]))).ok();
    assert_eq!(j, Some(serde_json::json!({"code": "EvidenceEgress", "args": [["a", "b"]]})));
}

#[test]
fn a_condition_listing_problems_and_conflicts_is_said_in_chinese() {
    let problem = format!("spec.zone: {}", msg!(Code::ProblemZoneNotTenants, "tongji", "dmz", "extranet, private"));
    let conflict = Message::joined([
        msg!(Code::ConflictExists, "Deployment a-ext/adopted", Code::ConflictNotCreated),
        msg!(Code::ConflictBlocked, "Deployment a-ext/portal"),
        msg!(Code::ConflictFix),
    ])
    .expect("three");
    let held = msg!(
        Code::ZoneDeletionHeld,
        "a, b",
        "extranet",
        msg!(
            Code::HeldAndThen,
            msg!(Code::HeldRemoveZone, "a"),
            msg!(Code::HeldDeleteRequests, Arg::list([msg!(Code::HeldRequestOf, "b-lab/more", "b")]))
        )
    );
    assert_eq!(
        held.to_string(),
        "deletion held: tenants a, b still use zone extranet; remove the zone from the spec.zones of a, and delete the approved ZoneAccess requests b-lab/more (tenant b) first"
    );
    // What a condition says: problems, then the conflict, joined; and words nobody wrote, as they are.
    let message =
        [problem.clone(), conflict.to_string(), "something else happened".into(), held.to_string()].join("; ");
    let zh = said("Invalid", &message, Lang::Zh);
    assert_eq!(
        zh,
        [
            format!(
                "spec.zone：{}",
                msg!(Code::ProblemZoneNotTenants, "tongji", "dmz", "extranet, private").text(Lang::Zh)
            ),
            conflict.text(Lang::Zh),
            "something else happened".into(),
            held.text(Lang::Zh),
        ]
        .join("；")
    );
    for english in ["may not use", "exists and", "rename or delete", "deletion held", "still use"] {
        assert!(!zh.contains(english), "{english} in {zh}");
    }
    assert_eq!(said("Invalid", &message, Lang::En), message);
    // A ResourceRequest's status message: the field, what is wrong, what to do.
    let request = format!(
        "spec.zone: {}; {}",
        msg!(Code::ZoneNotDeclared, "\"dmz\""),
        msg!(Code::RequestAskOneOf, "extranet, private")
    );
    assert_eq!(said("", &request, Lang::Zh), "spec.zone：网络区 \"dmz\" 未声明；请申请其中之一：extranet, private");
    // A field path has no spaces: words before a colon are not one.
    assert_eq!(said("Invalid", "the API server said: no", Lang::Zh), "the API server said: no");
}

/// Whether a Chinese text (its arguments Chinese placeholders, what is
/// quoted in backticks left out) holds an English phrase: two lowercase
/// words in a row (`use one`), where a field, a value or a kind stands alone.
fn english_phrase_in_chinese(code: Code) -> Option<String> {
    let args = (0..16).map(|i| Arg::Data(format!("〔{i}〕"))).collect();
    let zh = Message::new(code, args).text(Lang::Zh);
    let unquoted: String = zh.split('`').step_by(2).collect::<Vec<_>>().join(" ");
    let word = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase());
    let words: Vec<&str> = unquoted.split(' ').collect();
    words.windows(2).find(|w| word(w[0]) && word(w[1])).map(|w| format!("{} {} in {zh:?}", w[0], w[1]))
}

#[test]
fn fixes_cron_problems_and_the_import_report_say_no_english_phrase_in_chinese() {
    let fixes = group(Code::FixDeclareZone, Code::CronDayOfWeek);
    let import = group(Code::ImportNotAnObject, Code::ImportCarriedZones);
    assert!(fixes.len() > 50 && import.len() > 100, "{} and {} codes", fixes.len(), import.len());
    for c in fixes.into_iter().chain(import) {
        assert_eq!(english_phrase_in_chinese(c), None, "{c}");
    }
    // The check sees a phrase: an English text is one.
    assert!(english_phrase_in_chinese(Code::ClusterRightsLimited).is_none());
    assert!(Message::new(Code::FixOwnRanges, vec![]).text(Lang::En).split(' ').count() > 2);
    // The import report's codes are never read back (it keeps its messages).
    assert!(group(Code::ImportNotAnObject, Code::ImportCarriedZones).iter().all(|c| !c.is_read_back()));
    assert_eq!(Message::from_english(&msg!(Code::ImportFixNothingToDo).to_string()), None);
}

#[test]
fn a_problem_and_its_fix_read_back_in_chinese() {
    // What `govcloud render` prints under a problem: the fix, read back from its English.
    let fix = msg!(Code::FixDeclareZone, "\"dmz\"", "extranet, internet, private");
    assert_eq!(
        said("", &fix.to_string(), Lang::Zh),
        "请声明名为 \"dmz\" 的 NetworkZone，或使用其中之一：extranet, internet, private"
    );
    let quota = msg!(
        Code::FixAutoscalingQuota,
        "health",
        "extranet",
        "40",
        "16",
        "32Gi",
        "20",
        "1",
        "spec.resources.limits.cpu",
        "1Gi",
        msg!(Code::FromTenantDefault, "health", "spec.limits.default.memory"),
        "16",
        "health-extranet"
    );
    assert_eq!(Message::from_english(&quota.to_string()), Some(quota.clone()));
    assert!(said("", &quota.to_string(), Lang::Zh).contains("请将 spec.autoscaling.maxReplicas 降到最多 16"));
    let hosts = msg!(
        Code::FixPublicHost,
        "a",
        "internet",
        Arg::list([Arg::from(msg!(Code::FixNamesUnder, "chifeng.gov.cn")), Arg::from("www.a.cn")])
    );
    assert_eq!(Message::from_english(&hosts.to_string()), Some(hosts.clone()));
    // A cron expression's problem, as a condition gives it after its field.
    for bad in ["61 2 * * *", "0 0 * * FOO", "*/0 * * * *", "0 5-2 * * *", "0 0 * *", "@fortnightly"] {
        let m = crate::api::cron_problem(bad).expect("a problem");
        let condition = format!("spec.schedule.cron: {m}");
        let zh = said("Invalid", &condition, Lang::Zh);
        assert_eq!(zh, format!("spec.schedule.cron：{}", m.text(Lang::Zh)), "{bad}");
        assert!(zh.contains("cron 表达式") && !zh.contains("values must") && !zh.contains("minute"), "{zh}");
    }
    assert_eq!(
        crate::api::cron_problem("61 2 * * *").map(|m| m.text(Lang::Zh)),
        Some("cron 表达式 '61 2 * * *' 的分钟字段 '61'：取值须在 0-59 之间".to_string())
    );
    // A failed admission check, as render gives it: the control's words as
    // data, what was seen as data; read back only when it names a control.
    let admission = msg!(
        Code::ProblemAdmission,
        crate::controls::IMAGE_REGISTRY,
        "spec.image must come from a registry this zone allows",
        "spec.image = \"ghcr.io/health/probe:1.0\""
    );
    assert_eq!(Message::from_english(&admission.to_string()), Some(admission.clone()));
    assert_eq!(
        said("Invalid", &format!("spec.image: {admission}"), Lang::Zh),
        format!(
            "spec.image：[{}] 不符合准入规则（spec.image = \"ghcr.io/health/probe:1.0\"）",
            crate::controls::IMAGE_REGISTRY
        )
    );
    for other in ["[GC-NOPE-001] x (y)", "[note] the API server said (twice)", "[a] b"] {
        assert_eq!(Message::from_english(other), None, "{other}");
    }
}

#[test]
fn a_file_problem_is_printed_in_the_page_language() {
    let p = crate::problem::FileProblem {
        file: "zones.yaml".into(),
        document: 2,
        object: Some(crate::problem::ObjectRef::cluster("Tenant", "probe")),
        field: "spec.zones[0].name".into(),
        message: msg!(Code::ZoneNotDeclared, "\"dmz\"").to_string(),
        fix: msg!(Code::FixDeclareZone, "\"dmz\"", "extranet").to_string(),
    };
    assert_eq!(p.error_line(Lang::En), format!("error: {p}"));
    assert_eq!(
        p.error_line(Lang::Zh),
        "错误：zones.yaml（第 2 个文档）：Tenant/probe：spec.zones[0].name：网络区 \"dmz\" 未声明\n    做法：请声明名为 \"dmz\" 的 NetworkZone，或使用其中之一：extranet"
    );
    // Words that are no catalogue text (a parser's) are given as they are.
    let parser = crate::problem::FileProblem { message: "malformed YAML".into(), fix: String::new(), ..p };
    assert!(parser.error_line(Lang::Zh).ends_with("：malformed YAML"));
}
