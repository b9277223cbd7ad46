//! Every text a page shows for a finding, a flow, a condition or an Event:
//! a stable code, its Chinese and its English text. `{0}`, `{1}` … are the
//! message's arguments. The English texts are what the JSON, the status and
//! the Events carry beside the code, so changing one changes those too.

mod fixes;
mod import;
mod more;

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $code:ident => $zh:literal, $en:literal; )*) => {
        /// A stable message code (CamelCase, as Kubernetes writes a
        /// condition's or an Event's reason).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$doc])* $code, )*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$code),*];

            /// The code as JSON, status and Events carry it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }

            /// The text in `lang`, with its places `{0}`, `{1}` ….
            pub fn text(self, lang: super::Lang) -> &'static str {
                match (self, lang) {
                    $(
                        (Code::$code, super::Lang::Zh) => $zh,
                        (Code::$code, super::Lang::En) => $en,
                    )*
                }
            }
        }
    };
}

impl Code {
    /// The code named `s` (as [`Code::as_str`] gives it).
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

// The later codes (evidence of every check, conditions' problems) are in
// `catalogue/more.rs`, which hands them on to `catalogue!` after these.
more::with_more_codes! { catalogue {
    // ── Words several messages share ─────────────────────────────────────
    /// A cluster of a city, by name.
    ClusterNamed => "集群 {0}", "cluster {0}";
    /// The cluster that has no name.
    ClusterUnnamed => "未命名的集群", "the cluster without a name";
    /// Two messages one after the other, as a condition lists what it waits for.
    Joined => "{0}；{1}", "{0}; {1}";
    /// Nothing given where words were expected.
    NoneGiven => "未给出", "none given";
    /// A refusal without a reason.
    NoReasonGiven => "未给出理由", "no reason given";
    /// Data classifications.
    DataPublic => "公开", "public";
    /// Data classifications.
    DataInternal => "内部", "internal";
    /// Data classifications.
    DataSensitive => "敏感", "sensitive";
    /// Data classifications.
    DataSecret => "工作秘密", "secret";

    // ── Findings: what a check means ─────────────────────────────────────
    /// GC-NET-001 holds.
    DefaultDenyHolds => "默认拒绝所有入站和出站流量", "all ingress and egress denied by default";
    /// GC-NET-001: the policy is there but lets traffic through.
    DefaultDenyWeakened => "默认拒绝策略被削弱", "the default-deny policy was weakened";
    /// GC-NET-001: no policy.
    DefaultDenyAbsent => "此命名空间没有默认拒绝流量的策略", "nothing denies traffic by default in this namespace";
    /// Pod Security level per MLPS level: {0} the level wanted, {1} the MLPS level.
    PodSecurityLevel => "等保 {1} 级要求 Pod 安全标准强制执行 {0}", "Pod Security must enforce {0} at MLPS level {1}";
    /// Quota and limits: {0} the kind.
    NamespaceHasKind => "每个租户命名空间都有其 {0}", "every tenant namespace has its {0}";
    /// Declaration namespaces: the label is only on zones another cluster hosts.
    HostedInOnlyRemote => "只有由其他集群承载的网络区的命名空间才标注 hosted-in", "only the namespaces of zones another cluster hosts are labelled hosted-in";
    /// Declaration namespaces: {0} zone, {1} where it runs.
    DeclarationsOnly => "网络区 {0} 运行在{1}：其在本集群的命名空间只存放声明", "zone {0} runs in {1}: its namespaces here hold declarations only";
    /// Drift: a foreign object holds a name govcloud needs.
    ForeignObject => "govcloud 需要的名称已被外来对象占用；govcloud 不会接管它：请删除或重命名", "a name govcloud needs is taken by a foreign object; govcloud does not adopt it: delete or rename it";
    /// Drift: owned.
    OwnsManaged => "govcloud 管理的对象由 govcloud 创建", "govcloud owns what it manages";
    /// Drift: none.
    NoDrift => "受管对象与 govcloud 渲染结果一致（无漂移）", "managed objects match what govcloud renders (no drift)";
    /// Pods on their zone's nodes: {0} zone.
    PodOnZonePool => "网络区 {0} 的 Pod 运行在该区节点池的节点上", "a pod of zone {0} runs on a node of the zone's pool";
    /// Cluster-wide rights of departments.
    ClusterRightsLimited => "部门用户在集群范围内只能读取本部门的 Tenant 和共享目录（审计局的审计员：集群审计员角色）", "department users hold cluster-wide only the right to read their own Tenant and the catalogue (auditors of the audit bureau: the cluster auditor role)";
    /// exec and attach.
    ExecLevel2Only => "exec、attach 和 port-forward 仅限等保二级，或网络区设置了 allowExec 时", "exec, attach and port-forward only at level 2, or where the zone sets allowExec";
    /// A ResourceRequest that cannot be read.
    RequestFromStatus => "申请的决定和临时扩容的结束时间依据其 status 判断", "a request's decision and a surge's end are judged from its status";
    /// Four eyes on requests.
    RequestDecidedByOther => "申请由申请人以外的人决定，二者均由 API 服务器记录", "a request is decided by someone other than its requester, both recorded by the API server";
    /// A surge's end.
    SurgeEnds => "临时扩容在批准后按其分钟数结束，结束时间不可更改；其他申请没有结束时间", "a surge ends its minutes after its approval, and its end never moves; nothing else has an end";
    /// GC-NET-003: {0} zone.
    PrivateEgress => "政务专网 {0} 内的一切只能经其交换端点访问区外", "nothing in private zone {0} reaches outside it but its exchange endpoints";
    /// GC-NET-007.
    ApiServerEgress => "租户工作负载不可访问API服务器（{0}）", "no tenant workload reaches the API server ({0})";
    /// Reachability between tenants, granted.
    GrantedBothSides => "双方均已授权", "granted by both sides";
    /// Reachability between tenants, not granted.
    ReachableWithoutGrant => "未经双方授权即可访问", "reachable without a two-sided grant";
    /// A flow between clusters, the consumer's side.
    AcrossEgress => "流向其他集群的数据流只发往提供方的交换地址，只用该流的端口", "a flow to another cluster leaves only for the provider's exchange address, on the flow's ports";
    /// A flow between clusters, the provider's side.
    AcrossIngress => "来自其他集群的数据流只从调用方网络区的地址范围、经该流的端口进入，不再放宽", "a flow from another cluster is admitted from the consumer zone's ranges, on the flow's ports, and nothing wider";
    /// App identity by custody.
    AppLabelOwned => "只有 govcloud 的工作负载带有应用身份标签", "only govcloud's workloads carry the app identity label";
    /// Sharing answers.
    AnswersRecorded => "提供方的答复记录答复人（`by`，由 API 服务器根据作出更改的用户写入），拒绝须写明理由，调用方可见", "a provider's answer records who gave it (`by`, written by the API server from the user making the change) and a refusal its reason, which the consumer sees";
    /// Sharing deadlines.
    AnsweredInTime => "有条件共享的申请须在 govcloud 首次发现后 10 个工作日内答复", "a conditional sharing request is answered within 10 working days of govcloud first seeing it";
    /// Classification between departments.
    ClassificationRule => "部门之间，工作秘密数据只能从政务专网访问，互联网区只能访问公开数据", "between departments, secret data is reached only from private zones, and internet zones reach only public data";
    /// Exchange endpoints' addresses.
    EndpointInsideRanges => "交换端点位于本网络区或对端网络区的地址范围内", "an exchange endpoint lies inside its zone's or a peer zone's ranges";
    /// Wide ranges.
    WideRangesExcept => "宽地址范围须排除集群的 Pod 和 Service 地址范围", "wide address ranges exclude the cluster's pod and service ranges";
    /// Zone capacity.
    ZoneCapacityFits => "网络区内授予的配额不超过其就绪节点的容量乘以超分比（spec.overcommit）", "the quotas granted in a zone fit its Ready nodes' capacity times its over-commit ratio (spec.overcommit)";
    /// A node of another cluster's zone.
    NodeOneCluster => "网络区的机器只注册到承载该区的集群：请将该节点移出本集群，或去掉其节点池标签", "a zone's machines register only with the cluster that hosts it: remove the node from this cluster, or its pool labels";
    /// Node checks need live nodes.
    LiveNodesOnly => "只对照在线节点检查", "checked against live nodes only";
    /// Node taints: {0} zone, {1} key, {2} value, {3} effect.
    NodeTaint => "网络区 {0} 的节点须带有污点 {1}={2}:{3}", "node of zone {0} must carry {1}={2}:{3}";
    /// An admission rule: {0} control, {1} the rule's message (English, as the API server gives it), {2} the control's title.
    AdmissionRule => "[{0}] 不符合准入规则：{2}", "[{0}] {1}";
    /// An admission rule that could not be checked: as [`Code::AdmissionRule`].
    AdmissionUnchecked => "未能检查准入规则 [{0}]：{2}", "{1}";
    /// Ingress backends.
    IngressToManaged => "Ingress 只路由到 govcloud 在其命名空间中管理的 Service，绝不路由到 ExternalName", "an Ingress routes only to Services govcloud manages in its namespace, never to an ExternalName";
    /// Host owners.
    HostOneTenant => "公网域名只属于一个租户（其 allowedHosts 或已批准的 Hostname 申请）", "a public host name belongs to one tenant (its allowedHosts or an approved Hostname request)";
    /// Host servers.
    HostFirstApp => "公网域名属于最先声明它的应用", "a public host name belongs to the first app that claimed it";
    /// A city's clusters hold one model.
    CitySameModel => "全市每个集群持有相同的模型（像 GitOps 那样分别应用到每个集群）", "every cluster of the city holds the same model (applied to each, as GitOps does)";
    /// A city's flows decided alike.
    CityFlowsAlike => "跨集群的数据流在调用方集群和提供方集群中判定一致", "a flow between clusters is decided alike in the consumer's cluster and in the provider's";

    // ── Flows: why a call is granted, pending or refused ─────────────────
    /// {0} the zone (quoted).
    ZoneNotDeclared => "网络区 {0} 未声明", "zone {0} is not declared";
    /// {0} provider, {1} consumer.
    NoGrantCovers => "{0} 的授权均不覆盖 {1}：提供方尚未授权，或没有这个应用", "no grant from {0} covers {1}: the provider has not granted it, or no such app exists";
    /// {0} provider.
    ProviderNotPlaced => "提供方 {0} 已声明但未部署；请查看其状态", "provider {0} is declared but not placed; see its status";
    /// {0} provider.
    ProviderMissing => "提供方 {0} 不存在", "provider {0} does not exist";
    /// {0} provider, {1} port (quoted).
    NoSuchPort => "提供方 {0} 没有名为 {1} 的端口", "provider {0} has no port named {1}";
    /// {0} provider.
    NoPorts => "提供方 {0} 不提供任何端口", "provider {0} serves no ports";
    /// {0} consumer zone, {1} provider zone.
    PrivateInternet => "政务专网与互联网区之间不存在任何通路（{0} -> {1}）", "no path exists between a private zone and an internet zone ({0} -> {1})";
    /// {0} consumer zone, {1} provider zone, {2} provider.
    NoInboundEndpoint => "跨区数据流 {0} -> {1}：网络区 {1} 没有为网络区 {0} 登记 {2} 的交换端点", "cross-zone flow {0} -> {1}: zone {1} has no exchange endpoint registering {2} for zone {0}";
    /// {0} provider zone, {1} its cluster, {2} consumer zone, {3} its cluster, {4} endpoint, {5} provider.
    NoEndpointAddress => "网络区 {0} 运行在{1}，网络区 {2} 运行在{3}：网络区 {0} 的交换端点 {4} 未声明从其他集群访问 {5} 的地址", "zone {0} runs in {1} and zone {2} in {3}: exchange endpoint {4} of zone {0} declares no address where {5} is reached from another cluster";
    /// {0} private zone, {1} consumer, {2} provider zone.
    NoOutboundEndpoint => "政务专网 {0} 没有为网络区 {2} 登记 {1} 的交换端点；除经交换端点外，任何流量都不能离开政务专网", "private zone {0} has no exchange endpoint registering {1} for zone {2}; nothing leaves a private zone except through its exchange endpoints";
    /// {0}, {1} zones.
    EndpointsNoCommonPort => "{0} 与 {1} 的交换端点没有共同的端口", "the exchange endpoints of {0} and {1} share no port";
    /// {0} provider.
    EndpointNoRequestedPort => "{0} 的交换端点没有开放所请求的任何端口", "the exchange endpoint for {0} opens none of the requested ports";
    /// {0} zone.
    WithinZone => "在网络区 {0} 内", "within zone {0}";
    /// {0} consumer zone, {1} provider zone, {2} endpoint (or [`Code::EndpointAcross`]).
    ThroughEndpoint => "{0} -> {1}，经已登记的交换端点（{2}）", "{0} -> {1} through a registered exchange endpoint ({2})";
    /// {0} endpoint, {1} consumer cluster, {2} provider cluster, {3} address.
    EndpointAcross => "{0}，从{1}到{2}，地址 {3}", "{0}, from {1} to {2} at {3}";
    /// {0} why it waits, {1} how it would go.
    AwaitingOnceGranted => "{0}；授权后：{1}", "{0}; once granted: {1}";
    /// {0} who consented, {1} how it goes.
    GrantedHow => "{0}，{1}", "{0}, {1}";
    /// {0} how it goes.
    SameTenant => "同一租户，{0}", "same tenant, {0}";
    /// {0} provider.
    GrantedBy => "{0} 已授权", "granted by {0}";
    /// {0} provider, {1} who answered.
    GrantedByAnswered => "{0} 已授权（答复人 {1}）", "granted by {0} (answered by {1})";
    /// {0} provider, {1} basis.
    NotShared => "{0} 不予共享，依据：{1}", "{0} is not shared (不予共享), on this basis: {1}";
    /// {0} provider.
    SharesUnconditionally => "{0} 无条件共享", "{0} shares unconditionally (无条件共享)";
    /// {0} provider, {1} reason (the provider's words).
    RefusedBy => "{0} 已拒绝：{1}", "refused by {0}: {1}";
    /// {0} provider, {1} reason, {2} who answered.
    RefusedByAnswered => "{0} 已拒绝：{1}（答复人 {2}）", "refused by {0}: {1} (answered by {2})";
    /// {0} provider, {1} purpose.
    AwaitingAnswer => "等待 {0} 答复（有条件共享）；用途：{1}", "waiting for {0} to answer (有条件共享, conditional sharing); purpose: {1}";
    /// {0} provider, {1} the call's field.
    StatePurpose => "{0} 有条件共享：请在 {1}.purpose 中写明数据用途；提供方答复写明用途的调用", "{0} shares conditionally (有条件共享): state what the data is used for in {1}.purpose; the provider answers a call that states it";
    /// {0} provider, {1} consumer, {2} its zone.
    SecretOnlyPrivate => "{0} 持有工作秘密数据：只有政务专网中的应用可以调用它，而 {1} 运行在网络区 {2}", "{0} holds secret data (工作秘密): only apps in a private zone may call it, and {1} runs in zone {2}";
    /// {0} consumer, {1} its zone, {2} provider, {3} the data's classification.
    InternetOnlyPublic => "{0} 运行在互联网区 {1}：只能调用公开数据的提供方，而 {2} 持有{3}数据", "{0} runs in internet zone {1}: it may call only providers of public data, and {2} holds {3} data";

    // ── Evidence: the words around what an audit saw (the values are data) ──
    /// A field with no value: {0} the field path.
    EvidenceNotSet => "{0} 未设置", "{0} not set";
    /// An admission rule's check passed.
    EvidenceComplies => "符合", "complies";
    /// An object that should be there is not.
    EvidenceAbsent => "不存在", "absent";
    /// A managed object as govcloud renders it.
    EvidenceAsRendered => "与渲染结果一致", "as rendered";
    /// A managed object that differs where no field says how.
    EvidenceDiffers => "与渲染结果不同", "differs";
    /// An object govcloud made.
    EvidenceCreatedByGovcloud => "由 govcloud 创建", "created by govcloud";
    /// {0} id, {1} the label govcloud's objects carry.
    EvidenceNotCreatedByGovcloud => "{0} 已存在，且不是 govcloud 创建的（没有 {1} 标签）", "{0} exists and was not created by govcloud (no {1} label)";
    /// A foreign object in the way of a managed one.
    EvidenceForeignHolds => "外来对象占用了这个名称（见 GC-MGD-002）", "a foreign object holds this name (see GC-MGD-002)";
    /// Drift: {0} field, {1} the value wanted.
    EvidenceMissingWant => "{0}：缺失，应为 {1}", "{0}: missing, want {1}";
    /// Drift: {0} field, {1} items seen, {2} items wanted.
    EvidenceItemsWant => "{0}：{1} 项，应为 {2} 项", "{0}: {1} items, want {2}";
    /// Drift: {0} field, {1} value seen, {2} value wanted.
    EvidenceValueWant => "{0}：{1}，应为 {2}", "{0}: {1}, want {2}";
    /// {0} `Kind/name`.
    EvidencePresent => "{0} 存在", "{0} present";
    /// {0} `Kind/name`.
    EvidenceKindAbsent => "{0} 不存在", "{0} absent";
    /// Pod Security: {0} the level enforced, {1} MLPS level, {2} the level wanted.
    EvidenceLevelRequires => "{0}（等保 {1} 级要求 {2}）", "{0} (MLPS level {1} requires {2})";
    /// Default deny: {0} pod selector, {1} policy types.
    EvidencePodSelector => "Pod 选择器 {0}，策略类型 {1}", "podSelector {0}, policyTypes {1}";
    /// {0} host, {1} tenant.
    EvidenceHostOwnedAlone => "{0} 只属于 {1}", "{0} owned by {1} alone";
    /// {0} host, {1} other tenants.
    EvidenceHostAlsoOwned => "{0} 也属于 {1}", "{0} is also owned by {1}";
    /// {0} host, {1} the Ingress that served it first.
    EvidenceHostAlsoServed => "{0} 也由 {1} 提供", "{0} is also served by {1}";
    /// {0} host.
    EvidenceHostServedHere => "{0} 只在此提供", "{0} served only here";
    /// Zone capacity with no node.
    EvidenceNoReadyNode => "范围内没有该网络区的就绪节点", "no Ready node of this zone in scope";
    /// Node taints with no node.
    EvidenceNoNode => "范围内没有该网络区的节点", "no node of this zone in scope";
    /// {0} a wide range.
    EvidenceExceptsRanges => "{0} 排除了集群的地址范围", "{0} excepts the cluster's ranges";
    /// {0} a wide range, {1} the cluster's ranges in it.
    EvidenceSpansRanges => "{0} 覆盖 {1} 却未排除", "{0} spans {1} without excepting it";
    /// {0} the label and its value, {1} zone.
    EvidenceHostedInHere => "{0} 标注在网络区 {1} 的命名空间上，而该区由本集群承载（或模型未声明它）", "{0} on a namespace of zone {1}, which this cluster hosts (or the model does not declare)";
    /// {0} the label and its value, {1} the value wanted.
    EvidenceLabelWant => "{0}，应为 {1}", "{0}, want {1}";
    /// {0} label, {1} the value wanted.
    EvidenceNoLabelWant => "没有 {0} 标签，应为 {1}", "no {0} label, want {1}";
    /// A declaration namespace's quota.
    EvidenceHeldAtZero => "Pod、Service、工作负载、存储和计算资源均限定为 0", "pods, services, workloads, storage and compute held at 0";
    /// A declaration namespace with nothing in it.
    EvidenceNothingHere => "此处没有运行或提供任何服务", "nothing runs or serves here";
    /// {0} kind, {1} zone, {2} where it runs.
    EvidenceInDeclarations => "网络区 {1} 的声明命名空间中有一个 {0}，而该区运行在{2}", "a {0} in a declaration namespace of zone {1}, which runs in {2}";
    /// An object in a namespace whose zone is not declared.
    EvidenceZoneUndeclared => "该命名空间的 NetworkZone 未声明", "the namespace's NetworkZone is not declared";


    // ── Conditions' messages and Events' notes (English: what status and Events carry) ──
    /// A schedule that has not run.
    NoRunYet => "尚未运行", "no run yet";
    /// {0} last run, {1} last success.
    LastRun => "上次运行 {0}，上次成功 {1}", "last run {0}, last success {1}";
    /// {0} last run.
    LastRunNoSuccess => "上次运行 {0}，尚未成功", "last run {0}, no success yet";
    /// {0} schedule, {1} its last run.
    ScheduleSuspended => "定时任务 '{0}' 已暂停（副本数 0）；{1}", "schedule '{0}' suspended (replicas 0); {1}";
    /// {0} schedule, {1} runs going on, {2} its last run.
    ScheduleRunning => "按 '{0}' 运行：{1} 次运行正在进行；{2}", "runs on '{0}': {1} run(s) going on; {2}";
    /// {0} schedule, {1} its last run.
    ScheduleLastFailed => "按 '{0}' 运行：上次运行失败（{1}）；请查看其 Job 和 Pod 的事件", "runs on '{0}': the last run failed ({1}); see the events of its Job and pod";
    /// {0} schedule, {1} its last run.
    ScheduleWaiting => "按 '{0}' 运行；{1}", "runs on '{0}'; {1}";
    /// {0} where the zone runs.
    AppRunsElsewhere => "网络区运行在{0}：应用在此声明、在那里运行；本集群中不运行它的任何部分", "zone runs in {0}: the app is declared here and runs there; nothing of it runs in this cluster";
    /// {0} namespace.
    NoDefaultDenyYet => "命名空间 {0} 尚无默认拒绝策略；隔离就绪前不运行任何东西", "namespace {0} has no default-deny policy yet; nothing runs before its isolation exists";
    /// {0} ready, {1} wanted, {2} what Kubernetes says.
    ReplicasPodsRefused => "{0}/{1} 个副本就绪；Kubernetes 无法创建其余副本：{2}", "{0}/{1} replicas ready; Kubernetes cannot create the others: {2}";
    /// {0} ready, {1} wanted, {2} updated.
    ReplicasRollingOut => "{0}/{1} 个副本就绪，{2}/{1} 个已更新为当前模板", "{0}/{1} replicas ready, {2}/{1} updated to the current template";
    /// {0} ready, {1} wanted, {2} not ready.
    ReplicasNotReady => "{0}/{1} 个副本就绪：{2} 个未就绪（正在启动，或未通过就绪探针）", "{0}/{1} replicas ready: {2} not ready (starting, or failing their readiness probe)";
    /// {0} ready, {1} wanted.
    ReplicasReady => "{0}/{1} 个副本就绪", "{0}/{1} replicas ready";
    /// A call waiting: {0} provider, {1} why.
    CallPending => "待授权 {0}：{1}", "Pending {0}: {1}";
    /// A call refused: {0} provider, {1} why.
    CallRefused => "已拒绝 {0}：{1}", "Refused {0}: {1}";
    /// A call's Event: {0} provider, {1} why.
    CallTo => "调用 {0}：{1}", "call to {0}: {1}";
    /// {0} provider, {1} since, {2} due.
    WaitingSince => "等待 {0} 答复，自 {1} 起，应于 {2} 前答复", "waiting for {0} since {1}, answer was due {2}";
    /// {0} consumer, {1} since, {2} due.
    OwesAnswer => "自 {1} 起欠 {0} 一个答复，应于 {2} 前答复", "owes {0} an answer since {1}, due {2}";
    /// {0} the object repaired, and how.
    Restored => "已恢复 {0}", "restored {0}";
    /// {0} object.
    ChangedByHand => "{0}（被手工修改）", "{0} (changed by hand)";
    /// {0} object, {1} who.
    ChangedByHandBy => "{0}（被 {1} 手工修改）", "{0} (changed by hand, by {1})";
    /// {0} object.
    DeletedByHand => "{0}（被手工删除）", "{0} (deleted by hand)";
    /// {0} created, {1} updated, {2} removed.
    AppliedCounts => "新建 {0}，更新 {1}，删除 {2}", "{0} created, {1} updated, {2} removed";
    /// {0} ready, {1} matched.
    ZoneNodesReady => "网络区节点就绪 {0}/{1}", "{0} of {1} zone nodes ready";
    /// {0} ready, {1} matched.
    NodesReadyOf => "节点就绪 {0}/{1}", "{0} of {1} nodes ready";
    /// {0} matched.
    NoNodeCarries => "没有就绪节点带有该网络区的标签和污点（匹配 {0} 个）", "no Ready node carries the zone's labels and taint (matched {0})";
    /// {0} where the zone runs.
    ZoneRunsElsewhere => "网络区运行在{0}；本集群只存放其租户的声明", "the zone runs in {0}; this cluster holds only its tenants' declarations";
    /// OverCommitted false.
    QuotasFit => "授予的配额在就绪节点的容量之内", "the quotas granted fit the Ready nodes' capacity";
    /// {0} namespaces.
    NamespacesProvisioned => "{0} 个命名空间已隔离并开通", "{0} namespaces isolated and provisioned";
    /// {0} what is missing.
    WaitingFor => "等待 {0}", "waiting for {0}";
    /// {0} tenant.
    PreventDeletion => "租户 {0} 设置了 preventDeletion: true；将其设为 false 才能删除", "tenant {0} has preventDeletion: true; set it to false to allow deletion";
    /// {0} what govcloud was doing, {1} object, {2} HTTP code, {3} reason, {4} the API server's words.
    ApiRefused => "API 服务器拒绝了{0} {1}（{2} {3}）：{4}", "the API server refused {0} {1} ({2} {3}): {4}";
    /// What govcloud was doing.
    DoingApplying => "应用", "applying";
    /// What govcloud was doing.
    DoingCreating => "创建", "creating";
    /// What govcloud was doing.
    DoingReading => "读取", "reading";
    /// What govcloud was doing.
    DoingRepairing => "修复", "repairing";
    /// What govcloud was doing.
    DoingSettingOwnership => "设置字段所有权：", "setting the field ownership of";
    /// What govcloud was doing.
    DoingDeleting => "删除", "deleting";
    /// A request's Event: {0} phase, {1} kind.
    RequestWent => "{1} 申请：{0}", "{0} {1} request";
    /// {0} phase, {1} kind, {2} who.
    RequestWentBy => "{1} 申请：{0}（{2}）", "{0} {1} request by {2}";
    /// {0} phase, {1} kind, {2} reason.
    RequestWentBecause => "{1} 申请：{0}：{2}", "{0} {1} request: {2}";
    /// {0} phase, {1} kind, {2} who, {3} reason.
    RequestWentByBecause => "{1} 申请：{0}（{2}）：{3}", "{0} {1} request by {2}: {3}";
    /// A request's phase.
    PhaseInvalid => "无效", "invalid";

    // ── Conditions' and Events' reasons (CamelCase, as status and Events carry them) ──
    /// Ready: the zone, tenant or app runs in another cluster.
    HostedElsewhere => "在其他集群运行", "runs in another cluster";
    /// Ready, Degraded: the declaration breaks a rule.
    Invalid => "声明无效", "the declaration is invalid";
    /// Ready: the namespace's default-deny policy is not there yet.
    WaitingForIsolation => "等待网络隔离就绪", "waiting for isolation";
    /// Ready, Degraded, Event: the API server refused what govcloud made.
    Refused => "被 API 服务器拒绝", "refused by the API server";
    /// Ready, Degraded, Event: a foreign object holds a name govcloud needs.
    Conflict => "名称被外来对象占用", "a name is taken by a foreign object";
    /// Ready: the app has no tenant namespace to run in.
    NotPlaced => "未部署", "not placed";
    /// Ready, Event: the quota refuses pods.
    PodsRefused => "配额拒绝创建 Pod", "pods refused by the quota";
    /// Ready: a new template is rolling out.
    RollingOut => "正在滚动更新", "rolling out";
    /// Ready: replicas not ready.
    NotReady => "副本未就绪", "replicas not ready";
    /// Ready: every replica ready, or a scheduled run going on.
    Running => "运行中", "running";
    /// Ready: a schedule suspended.
    Suspended => "定时任务已暂停", "schedule suspended";
    /// Ready: a schedule waiting for its next run.
    Scheduled => "等待下次定时运行", "scheduled";
    /// Ready: a scheduled app's last run failed.
    LastRunFailed => "上次运行失败", "the last run failed";
    /// FlowsPending false: every call granted.
    AllGranted => "全部数据流已授权", "every flow granted";
    /// FlowsPending true: a call not granted.
    NotGranted => "有数据流未授权", "a flow is not granted";
    /// Degraded: rules broken.
    Violations => "违反规则", "rules broken";
    /// Degraded false: as declared.
    AsDeclared => "与声明一致", "as declared";
    /// AnswerOverdue false.
    InTime => "均在期限内答复", "answered in time";
    /// AnswerOverdue true.
    Overdue => "答复已超期", "an answer is overdue";
    /// Event: a sharing answer overdue.
    AnswerOverdue => "共享申请答复超期", "a sharing answer is overdue";
    /// Ready: no node of the zone ready.
    NoReadyNodes => "没有就绪节点", "no Ready node";
    /// Ready: the zone's nodes ready.
    Ready => "就绪", "ready";
    /// Ready: the zone degraded.
    Degraded => "降级", "degraded";
    /// Degraded: the zone's declaration is inconsistent.
    Inconsistent => "声明不一致", "inconsistent";
    /// OverCommitted false.
    WithinCapacity => "在容量范围内", "within capacity";
    /// OverCommitted true.
    GrantedExceedsCapacity => "授予的配额超过容量", "quota granted exceeds capacity";
    /// Ready, Event: a zone's deletion held while tenants use it.
    DeletionHeld => "删除被暂缓", "deletion held";
    /// Event: a tenant's deletion prevented.
    DeletionPrevented => "删除被阻止", "deletion prevented";
    /// Ready: a tenant provisioned.
    Provisioned => "已开通", "provisioned";
    /// Ready: a tenant being provisioned.
    Provisioning => "正在开通", "provisioning";
    /// Event: hand edits repaired.
    Repaired => "已修复手工修改", "hand edits repaired";
    /// Event: objects applied.
    Applied => "已应用", "applied";
    /// Event: a zone's nodes changed.
    NodesChanged => "节点已变化", "nodes changed";
    /// Event: a request's phase.
    Pending => "待决定", "pending";
    /// Event: a request approved.
    Approved => "已批准", "approved";
    /// Event: a request rejected.
    Rejected => "已驳回", "rejected";
    /// Event: a surge's time ran out.
    Expired => "已到期", "expired";
    /// Event: a call granted.
    FlowGranted => "数据流已授权", "flow granted";
    /// Event: a call waiting.
    FlowPending => "数据流待授权", "flow pending";
    /// Event: a call refused.
    FlowRefused => "数据流被拒绝", "flow refused";
} }
