//! The catalogue's later codes: the words around what every audit check
//! saw (its values and field paths are data), and the validation problems,
//! apply conflicts and a zone's deletion held that conditions list. They
//! follow the codes of `catalogue.rs` (one enum, one order); the codes of
//! `fixes.rs` and `import.rs` follow them.

/// Calls `$then! { …the codes given…, …these codes… }`.
macro_rules! with_more_codes {
    ($then:ident { $($before:tt)* }) => {
        $crate::messages::catalogue::fixes::with_fix_codes! { $then {
            $($before)*

            // ── Evidence of privileges, identity, sharing, reachability, node pools and the city ──
            /// A value as the status writes it, in words.
            StateGranted => "已授权", "Granted";
            /// A value as the status writes it, in words.
            StateRefused => "已拒绝", "Refused";
            /// A value as the status writes it, in words.
            StatePending => "待答复", "Pending";
            /// A value as the status writes it, in words.
            StateApproved => "已批准", "Approved";
            /// A value as the status writes it, in words.
            StateRejected => "已驳回", "Rejected";
            /// A flow or an answer granted.
            WordGranted => "已授权", "granted";
            /// A flow or an answer refused.
            WordRefused => "已拒绝", "refused";
            /// A request not decided.
            WordUndecided => "未决定", "undecided";
            /// A time not known.
            WordUnknown => "未知", "unknown";
            /// {0} subject kind, {1} subject, {2} tenants, {3} ClusterRole.
            EvidenceBoundToRole => "租户 {2} 的 {0} {1} 绑定到 ClusterRole {3}", "{0} {1} of tenant {2} bound to ClusterRole {3}";
            /// {0} role, {1} MLPS level.
            EvidenceBoundAtLevel => "{0} 绑定在等保 {1} 级", "{0} bound at MLPS level {1}";
            /// {0} why (the parser's words).
            EvidenceNotARequest => "无法读取为 ResourceRequest：{0}", "cannot be read as a ResourceRequest: {0}";
            /// {0} decision.
            EvidenceDecidedNoBy => "{0}，但没有 status.decision.by：未记录由谁决定", "{0} with no status.decision.by: who decided was not recorded";
            /// {0} decision, {1} who decided.
            EvidenceDecidedNoRequester => "{0}（决定人 {1}），但没有 spec.requester：未记录由谁提交", "{0} by {1}, with no spec.requester: who filed it was not recorded";
            /// {0} decision, {1} who decided and filed.
            EvidenceDecidedByFiler => "{0}（决定人 {1}），而申请正是其提交的", "{0} by {1}, who filed it";
            /// {0} requester, {1} decision, {2} who decided.
            EvidenceFiledDecided => "由 {0} 提交，{1}（决定人 {2}）", "filed by {0}, {1} by {2}";
            /// {0} end, {1} request kind, {2} decision.
            EvidenceEndNotSurge => "{1} 申请（{2}）带有 expiresAt {0}：只有已批准的临时扩容才有结束时间", "expiresAt {0} on a {1} request that is {2}: only an approved surge ends";
            /// {0} approval time.
            EvidenceSurgeNoEnd => "于 {0} 批准，但没有 expiresAt：临时扩容没有结束时间", "approved at {0}, and no expiresAt: the surge has no end";
            /// {0} end.
            EvidenceEndUndated => "expiresAt {0}，但 status.history 中没有可据以确定结束时间的 Approved 转换", "expiresAt {0}, and no Approved transition in status.history to date the end from";
            /// {0} end, {1} approval, {2} minutes.
            EvidenceEndsAt => "于 {0} 结束：{1} 批准后加 {2} 分钟", "ends at {0}: approved at {1} plus {2} minutes";
            /// {0} end, {1} approval, {2} minutes, {3} the end wanted.
            EvidenceEndMoved => "临时扩容的结束时间被改动：expiresAt {0}，而 {1} 批准后加 {2} 分钟应为 {3}", "the surge end moved: expiresAt {0}, approved at {1} plus {2} minutes is {3}";
            /// {0} end, {1} approval, {2} minutes.
            EvidenceNoEndFollows => "expiresAt {0}，但由 {1} 批准加 {2} 分钟得不出结束时间", "expiresAt {0}, and no end follows from approval at {1} plus {2} minutes";
            /// {0} the app label, {1} the workload that runs it.
            EvidenceRunBy => "{0}，由 {1} 运行", "{0}, run by {1}";
            /// {0} the app label on a pod no controller made.
            EvidenceLabelOnBarePod => "独立 Pod 上的 {0}", "{0} on a bare pod";
            /// {0} the app label, {1} the kind that carries it.
            EvidenceLabelOnA => "一个 {1} 上的 {0}", "{0} on a {1}";
            /// {0} the app label, {1} the kind that carries it (before a vowel).
            EvidenceLabelOnAn => "一个 {1} 上的 {0}", "{0} on an {1}";
            /// {0} the app label, {1} kind, {2} name.
            EvidenceLabelOwnedBy => "{0}，属于 {1} {2}", "{0} owned by {1} {2}";
            /// {0} the chain so far, {1} kind, {2} name.
            EvidenceChainOf => "{0}，后者属于 {1} {2}", "{0} of {1} {2}";
            /// {0} the app label, {1} kind, {2} name.
            EvidenceLabelOnObject => "{1} {2} 上的 {0}", "{0} on {1} {2}";
            /// {0} the chain.
            EvidenceKindsOnly => "{0}：govcloud 只以 Deployment、StatefulSet 和 CronJob 运行应用", "{0}: govcloud runs apps as Deployments, StatefulSets and CronJobs only";
            /// {0} the chain.
            EvidenceNoOwnerChain => "{0}：没有通向 govcloud 工作负载的属主链", "{0}: no owner chain to govcloud's workload";
            /// {0} the chain.
            EvidenceNoController => "{0}，但它没有控制者：不是由 govcloud 的工作负载创建的", "{0}, which has no controller: not made from govcloud's workload";
            /// {0} the chain, {1} what should own it.
            EvidenceNotOwnedBy => "{0}，而不是属于{1}", "{0}, not by {1}";
            /// What owns a pod of govcloud's.
            EvidenceMakerOfPod => "govcloud 的 Deployment 的 ReplicaSet、其 StatefulSet 或其 CronJob 的 Job", "a ReplicaSet of govcloud's Deployment, its StatefulSet or a Job of its CronJob";
            /// What owns a ReplicaSet of govcloud's.
            EvidenceMakerOfReplicaSet => "govcloud 的 Deployment", "govcloud's Deployment";
            /// What owns a Job of govcloud's.
            EvidenceMakerOfJob => "govcloud 的 CronJob", "govcloud's CronJob";
            /// {0} the chain.
            EvidenceOwnerUnlisted => "{0}，但它不存在（不在所审计的对象中）", "{0}, which does not exist (not among the objects audited)";
            /// {0} the chain, {1} kind.
            EvidenceOtherReference => "{0}：该引用指向的不是这个名称的 {1}（组或 uid 不同）", "{0}: the reference is not to the {1} of that name (another group or uid)";
            /// {0} the chain, {1} the label the template carries.
            EvidenceTemplateCarries => "{0}，其模板带有 {1}", "{0}, whose template carries {1}";
            /// {0} label.
            EvidenceNoLabel => "没有 {0} 标签", "no {0} label";
            /// {0} the chain.
            EvidenceNotFromWorkload => "{0}，不是由 govcloud 的工作负载创建的", "{0}, not made from govcloud's workload";
            /// {0} the chain, {1} kind, {2} name, {3} namespace.
            EvidenceNotRendered => "{0}：govcloud 在 {3} 中不渲染 {1} {2}", "{0}: govcloud renders no {1} {2} in {3}";
            /// {0} the chain, {1} kind, {2} name, {3} the label it runs.
            EvidenceRunsOther => "{0}：govcloud 的 {1} {2} 运行的是 {3}", "{0}: govcloud's {1} {2} runs {3}";
            /// {0} the chain, {1} kind, {2} name, {3} the label govcloud's objects carry.
            EvidenceNameNotMade => "{0}：{1} {2} 占用了 govcloud 的名称，但不是 govcloud 创建的（没有 {3} 标签）", "{0}: {1} {2} holds the name of govcloud's but was not created by govcloud (no {3} label)";
            /// {0} the chain, {1} kind, {2} name, {3} controller kind, {4} controller name, {5} app.
            EvidenceControlledBy => "{0}：{1} {2} 由 {3} {4} 控制，而不是由 DepartmentApp {5} 控制", "{0}: {1} {2} is controlled by {3} {4}, not by DepartmentApp {5}";
            /// {0} workload, {1} app.
            EvidenceGovcloudsFor => "{0}（govcloud 的，属于 DepartmentApp {1}）", "{0} (govcloud's, for DepartmentApp {1})";
            /// {0} consumer.
            EvidenceRefusedNoReason => "{0} 被拒绝但未写明理由：调用方无从得知原因", "{0} refused without a reason: the consumer cannot know why";
            /// {0} consumer, {1} answer, {2} who.
            EvidenceAnsweredBy => "{0} {1}（答复人 {2}）", "{0} {1} by {2}";
            /// {0} consumer, {1} answer.
            EvidenceAnsweredNoBy => "{0} {1}，但没有 `by`：未记录答复人（记录答复的准入策略是否已安装？）", "{0} {1} with no `by`: who answered was not recorded (is the admission policy that records answers installed?)";
            /// {0} consumer, {1} answer.
            EvidenceAnsweredNotApplied => "{0} {1}；尚未应用：API 服务器在存储应用时记录答复人", "{0} {1}; not applied yet: the API server records who answered when it stores the app";
            /// {0} consumer.
            EvidenceRequestOf => "{0} 的申请", "request of {0}";
            /// {0} consumer, {1} purpose.
            EvidenceRequestOfFor => "{0} 的申请（用途：{1}）", "request of {0} (purpose: {1})";
            /// {0} the request, {1} since, {2} due.
            EvidenceWaitingOverdue => "{0} 自 {1} 起等待，应于 {2} 前答复：已超期", "{0} waiting since {1}, due {2}: overdue";
            /// {0} the request, {1} since, {2} due.
            EvidenceWaitingInTime => "{0} 自 {1} 起等待，应于 {2} 前答复：未超期", "{0} waiting since {1}, due {2}: in time";
            /// {0} the request, {1} its state.
            EvidenceAnswered => "{0} 已答复：{1}", "{0} answered: {1}";
            /// {0} provider, {1} since, {2} due.
            EvidenceRequestToOverdue => "对 {0} 的申请自 {1} 起等待，应于 {2} 前答复：已超期（此处审计的提供方状态未列出它）", "request to {0} waiting since {1}, due {2}: overdue (the provider's status audited here does not list it)";
            /// {0} consumer.
            EvidenceWaitingUndated => "{0} 的申请在等待答复；没有状态说明自何时起（离线审计，或控制器尚未看到它）", "request of {0} waiting for an answer; no status says since when (offline, or the operator has not seen it yet)";
            /// Where a grant was read.
            EvidenceFromRendering => "渲染结果", "rendering";
            /// Where a grant was read.
            EvidenceFromConsumerStatus => "调用方的状态", "the consumer's status";
            /// {0} where the grant was read, {1} why it breaks the rule.
            EvidenceGrantedYet => "已授权（{0}），但{1}", "granted ({0}), yet {1}";
            /// {0} consumer, {1} its zone, {2} the zone's kind, {3} provider, {4} its data.
            EvidenceClassified => "{0}（网络区 {1}，类型 {2}）-> {3}（{4}数据）", "{0} (zone {1}, of kind {2}) -> {3} ({4} data)";
            /// Where a namespace's policies say nothing.
            EvidenceNotIsolated => "（命名空间未隔离）", "(namespace not isolated)";
            /// {0} port, {1} protocol, {2} egress policy, {3} ingress policy.
            EvidencePortVia => "端口 {0}/{1}：出站 {2} / 入站 {3}", "port {0}/{1}: egress {2} / ingress {3}";
            /// {0} address, {1} port, {2} policy.
            EvidenceAddressVia => "{0}:{1}，经 {2}", "{0}:{1} via {2}";
            /// GC-NET-003 holds.
            EvidenceOnlyEndpoints => "只能访问其交换端点", "reaches only its exchange endpoints";
            /// GC-NET-007 holds: {0} the API server's endpoints.
            EvidenceReachesNoneOf => "不可访问 {0} 中的任何一个", "reaches none of {0}";
            /// {0} consumer, {1} provider, {2} how.
            EvidenceReachable => "{0} -> {1}：可访问（{2}）", "{0} -> {1}: reachable ({2})";
            /// {0} consumer, {1} provider, {2} what was seen.
            EvidenceFlowSide => "{0} -> {1}：{2}", "{0} -> {1}: {2}";
            /// A flow between clusters without an address.
            EvidenceNoExchangeAddress => "该数据流没有交换地址", "the flow has no exchange address";
            /// {0} how.
            EvidenceEgress => "出站 {0}", "egress {0}";
            /// {0} address and port.
            EvidenceNoEgressTo => "没有到 {0}（交换地址）的出站", "no egress to {0} (the exchange address)";
            /// {0} what was seen.
            EvidenceNothingWider => "{0}；没有更宽的放行", "{0}; nothing wider";
            /// {0} what was seen, {1} what else is open.
            EvidenceWider => "{0}；更宽的放行：{1}", "{0}; wider: {1}";
            /// {0} address, {1} port and protocol.
            EvidenceOnPort => "{0}，端口 {1}", "{0} on {1}";
            /// {0} zone, {1} its ranges, {2} ports.
            EvidenceIngressFrom => "入站来自网络区 {0}（{1}），端口 {2}", "ingress from zone {0} ({1}) on {2}";
            /// {0} addresses, {1} zone.
            EvidenceNoIngressFrom => "没有来自 {0}（网络区 {1}）的入站", "no ingress from {0} (zone {1})";
            /// {0} CPU granted, {1} CPU capacity, {2} memory granted, {3} memory capacity.
            EvidenceCapacity => "CPU {0}/{1}，内存 {2}/{3}", "cpu {0} of {1}, memory {2} of {3}";
            /// {0} resource, {1} granted, {2} capacity, {3} over-commit percent.
            GrantedOverCapacity => "{0} 授予 {1} > {2}（就绪节点可分配量的 {3} %）", "{0} {1} granted > {2} ({3} % of the Ready nodes' allocatable)";
            /// {0} zone, {1} where it runs.
            EvidenceZoneRunsIn => "{0}（运行在{1}）", "{0} (runs in {1})";
            /// {0} zones elsewhere.
            EvidencePoolNoneHere => "符合 {0} 的节点池，不符合本集群承载的任何网络区", "matches the node pool of {0} and of no zone this cluster hosts";
            /// {0} zones elsewhere, {1} zones here.
            EvidencePoolAlsoHere => "符合 {0} 的节点池，也符合本集群承载的 {1}", "matches the node pool of {0}, and of {1} hosted here";
            /// {0} node.
            EvidenceRunsOnNode => "运行在节点 {0} 上", "runs on node {0}";
            /// {0} node.
            EvidenceRunsOnUnknownNode => "运行在节点 {0} 上（未知节点）", "runs on node {0} (not a known node)";
            /// {0} clusters holding it, {1} clusters lacking it.
            EvidencePresentAbsent => "存在于{0}，不存在于{1}", "present in {0}, absent in {1}";
            /// {0} cluster, {1} cluster, {2} the difference.
            EvidenceCopiesDiffer => "{0}与{1}持有的副本不同：前者中 {2}", "{0} and {1} hold different copies: {2} in the first";
            /// {0} clusters.
            EvidenceSameIn => "在{0}中相同", "the same in {0}";
            /// {0} state, {1} address.
            EvidenceAtAddress => "{0}，地址 {1}", "{0} at {1}";
            /// {0} flow, {1} how decided, {2} clusters.
            EvidenceFlowDecided => "{0}：在{2}中{1}", "{0}: {1} in {2}";
            /// {0} flow, {1} how, {2} cluster, {3} how, {4} cluster.
            EvidenceFlowDecidedApart => "{0}：在{2}中{1}，在{4}中{3}", "{0}: {1} in {2}, {3} in {4}";
            /// {0} flow, {1} how, {2} cluster, {3} cluster.
            EvidenceFlowUndeclared => "{0}：在{2}中{1}，在{3}中未声明", "{0}: {1} in {2}, not declared in {3}";
            /// {0} backend field, {1} kind, {2} name.
            EvidenceResourceBackend => "{0}：资源后端（{1} {2}），不是 Service", "{0}: a resource backend ({1} {2}), not a Service";
            /// {0} backend field.
            EvidenceNamesNoService => "{0}：未指定 Service", "{0}: names no Service";
            /// {0} backend field, {1} Service.
            EvidenceNoSuchService => "{0}：Service {1} 不存在", "{0}: Service {1} does not exist";
            /// {0} the label govcloud's objects carry.
            EvidenceNotGovclouds => "不是 govcloud 的（没有 {0} 标签）", "not govcloud's (no {0} label)";
            /// {0} host.
            EvidenceExternalNameTo => "类型为 ExternalName，指向 {0}", "of type ExternalName, to {0}";
            /// An ExternalName without a host.
            EvidenceNoHost => "无主机", "no host";
            /// {0}, {1} two reasons.
            EvidenceBoth => "{0}，且{1}", "{0} and {1}";
            /// {0} backend field, {1} Service, {2} why.
            EvidenceServiceIs => "{0}：Service {1} {2}", "{0}: Service {1} is {2}";
            /// {0} Services.
            EvidenceRoutesOnly => "只路由到 govcloud 的 {0}", "routes only to govcloud's {0}";

            // ── Validation problems, apply conflicts, a zone's deletion held (conditions' messages) ──
            /// Nothing, as a list says it.
            WordNone => "无", "none";
            /// {0} object, {1} why it is in the way.
            ConflictExists => "{0} 已存在，且{1}", "{0} exists and {1}";
            /// Why an object is in the way.
            ConflictOtherOwner => "由 govcloud 为另一个所有者管理", "is managed by govcloud for another owner";
            /// Why an object is in the way.
            ConflictNotCreated => "不是 govcloud 创建的", "was not created by govcloud";
            /// {0} objects not applied.
            ConflictBlocked => "在此解决之前不应用：{0}", "not applied until that is resolved: {0}";
            /// What to do about a conflict.
            ConflictFix => "请重命名或删除已有对象，govcloud 随后会创建自己的对象", "rename or delete the existing object, govcloud then creates its own";
            /// {0} the taint, {1} nodes.
            ProblemUntainted => "没有网络区污点 {0} 的节点：{1}", "nodes without the zone taint {0}: {1}";
            /// {0} tenants.
            HeldRemoveZone => "从 {0} 的 spec.zones 中去掉该网络区", "remove the zone from the spec.zones of {0}";
            /// {0} requests.
            HeldDeleteRequests => "删除已批准的 ZoneAccess 申请 {0}", "delete the approved ZoneAccess requests {0}";
            /// {0} request, {1} tenant.
            HeldRequestOf => "{0}（租户 {1}）", "{0} (tenant {1})";
            /// {0}, {1} two things to do.
            HeldAndThen => "{0}，并{1}", "{0}, and {1}";
            /// {0} tenants, {1} zone, {2} what to do first.
            ZoneDeletionHeld => "删除被暂缓：租户 {0} 仍在使用网络区 {1}；请先{2}", "deletion held: tenants {0} still use zone {1}; {2} first";
            /// {0} the quota.
            QuotaUsageCount => "ResourceQuota {0} 的用量统计", "the usage count of ResourceQuota {0}";
            /// {0} range, {1} zone, {2} its range.
            ProblemCidrOverlaps => "{0} 与网络区 {1} 的 {2} 重叠；网络区是相互独立的网络，不能共用地址", "{0} overlaps zone {1}'s {2}; zones are separate networks and may not share addresses";
            /// {0} zone (quoted).
            ProblemPeerUndeclared => "对端网络区 {0} 未声明", "peer zone {0} is not declared";
            /// A zone its own peer.
            ProblemOwnPeer => "网络区不能以自身为对端", "a zone cannot be its own peer";
            /// {0} endpoint, {1} address, {2} zone, {3} its ranges.
            ProblemAddressOutside => "交换端点 {0} 的访问地址 {1} 位于网络区 {2} 的地址范围（{3}）之外；其他集群的调用方会把流量发到区外", "endpoint {0} is reached at {1}, which lies outside zone {2}'s ranges ({3}); consumers in other clusters would send outside the zone";
            /// {0} endpoint, {1} range, {2} zone, {3} ranges.
            ProblemCidrOutside => "交换端点 {0} 开放 {1}，位于网络区 {2} 及其对端网络区的地址范围（{3}）之外；交换端点不能通向任意网络", "endpoint {0} opens {1}, which lies outside zone {2}'s and its peer zones' ranges ({3}); an endpoint may not lead to an arbitrary network";
            /// {0} app.
            ProblemAppMissing => "应用 {0} 不存在", "app {0} does not exist";
            /// {0} tenant, {1} zone, {2} its zones.
            ProblemZoneNotTenants => "租户 {0} 不能使用网络区 {1}（其网络区：{2}）", "tenant {0} may not use zone {1} (its zones: {2})";
            /// {0} namespace, {1} zone.
            ProblemNotTenantNamespace => "命名空间 {0} 不是网络区 {1} 的 govcloud 租户命名空间", "namespace {0} is not a govcloud tenant namespace for zone {1}";
            /// {0} control, {1} the rule's message (English, as the API server gives it), {2} what was seen.
            ProblemAdmission => "[{0}] 不符合准入规则（{2}）", "[{0}] {1} ({2})";
            /// {0} zone.
            ProblemNoPublicDomain => "公开应用需要主机名，而网络区 {0} 没有 publicDomain", "a public app needs a host name and zone {0} has no publicDomain";
            /// An app calling itself.
            ProblemCallsItself => "应用不能调用自己", "an app cannot call itself";
            /// {0} host, {1} its length, {2} its longest label.
            ProblemHostTooLong => "主机名 {0}（{1} 个字符，最长的标签 {2} 个）不是 Ingress 接受的 DNS 名称", "host {0} ({1} characters, {2} in its longest label) is not a DNS name an Ingress accepts";
            /// {0} host, {1} the app that claimed it.
            ProblemHostClaimed => "主机名 {0} 已被 {1} 占用", "host {0} is already claimed by {1}";
            /// {0} provider, {1} port (quoted), {2} its ports.
            ProblemNoSuchPort => "提供方 {0} 没有名为 {1} 的端口（它提供：{2}）", "provider {0} has no port named {1} (it serves: {2})";
            /// {0} request, {1} resource, {2} where it comes from, {3} limit, {4} where it comes from.
            ProblemRequestOverLimit => "容器将请求 {0} {1}（{2}），但限额为 {3}（{4}）：API 服务器拒绝请求超过限额的容器", "the container would request {0} {1} ({2}) but be limited to {3} ({4}): the API server refuses a container whose request exceeds its limit";
            /// {0} resource, {1} limit, {2} where it comes from, {3} tenant, {4} maximum.
            ProblemLimitOverMax => "容器的 {0} 限额 {1}（{2}）超过租户 {3} 的上限 {4}（spec.limits.max.{0}）：命名空间的 LimitRange 会拒绝其 Pod", "the container's {0} limit {1} ({2}) exceeds tenant {3}'s maximum {4} (spec.limits.max.{0}): the namespace's LimitRange refuses its pods";
            /// {0} replicas, {1} total, {2} tenant, {3} quota, {4} zone.
            ProblemStorageOverQuota => "{0} 个副本 × 应用的存储共需 {1} 的卷申领，超过租户 {2} 在网络区 {4} 的存储配额 {3}：配额会拒绝这些申领，Pod 永远无法启动", "{0} replica(s) × the app's storage make {1} of claims, beyond tenant {2}'s storage quota {3} in zone {4}: the quota refuses the claims and the pods never start";
            /// {0} replicas, {1} volumes, {2} claims, {3} tenant, {4} quota, {5} zone.
            ProblemClaimsOverQuota => "{0} 个副本 × {1} 个卷共需 {2} 个卷申领，超过租户 {3} 在网络区 {5} 的 {4} 个（配额 persistentVolumeClaims）", "{0} replica(s) × {1} volume(s) make {2} claims, beyond tenant {3}'s {4} in zone {5} (quota persistentVolumeClaims)";
            /// {0} Secret, {1} app.
            ProblemSecretTaken => "cert-manager 在 Secret {0} 中保存应用 {1} 的证书（其 spec.tls.issuer）：会替换本应用的证书", "Secret {0} is where cert-manager keeps the certificate of app {1} (its spec.tls.issuer): it would replace this app's certificate";
            /// {0} tenant, {1} field.
            FromTenantDefault => "租户 {0} 的 {1}", "tenant {0}'s {1}";
            /// {0} requests or limits.
            FromPlatformDefault => "平台默认的 {0}", "the platform's default {0}";

            // ── A ResourceRequest's status message and history ──
            /// Pending.
            RequestAwaitingDecision => "等待平台工程师决定", "waiting for a platform engineer's decision";
            /// Approved.
            RequestInEffect => "已批准并生效", "approved and in effect";
            /// Rejected.
            RequestRejectedNothing => "已驳回；未作任何更改", "rejected; nothing changed";
            /// Expired.
            SurgeExpired => "临时扩容已到期；其容量不再授予", "the surge expired; its capacity is no longer granted";
            /// {0} the end.
            SurgeEndedAt => "临时扩容于 {0} 结束", "the surge ended at {0}";
            /// {0} namespace.
            RequestNotTenantNamespace => "{0} 不是租户的命名空间", "{0} is not a namespace of a tenant";
            /// {0} the namespaces' pattern.
            RequestFileInTenant => "请在租户的某个命名空间（{0}）中提交申请", "file the request in one of the tenant's namespaces, {0}";
            /// {0} zone (quoted), {1} namespace.
            RequestZoneNotNamespaces => "网络区 {0} 不是命名空间 {1} 的网络区", "zone {0} is not the zone of namespace {1}";
            /// {0} zone asked for, {1} the namespace's zone (both quoted).
            RequestFileInZone => "请在租户的网络区 {0} 的命名空间中提交申请，或申请网络区 {1}", "file the request in the tenant's namespace of zone {0}, or ask for zone {1}";
            /// {0} zones.
            RequestAskOneOf => "请申请其中之一：{0}", "ask for one of: {0}";
            /// {0} zone (quoted).
            RequestZoneDeclared => "租户已声明网络区 {0}", "the Tenant already declares zone {0}";
            /// What to do instead.
            RequestAskQuotaInstead => "请改用 Quota 申请在那里增加配额", "ask for more quota there with a Quota request instead";
            /// A quantity that is not one.
            NotAQuantity => "不是 Kubernetes 数量", "is not a Kubernetes quantity";
            /// {0}, {1}, {2} examples.
            WriteQuantity => "请写一个数量，例如 {0}、{1} 或 {2}", "write a quantity such as {0}, {1} or {2}";
        } }
    };
}
pub(super) use with_more_codes;
