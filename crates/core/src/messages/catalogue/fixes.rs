//! The catalogue's codes for what to do about a validation problem (its
//! `fix`, what `govcloud render` prints under it) and for a cron
//! expression's problem. They follow the codes of `more.rs`.

/// Calls `$then! { …the codes given…, …these codes… }`.
macro_rules! with_fix_codes {
    ($then:ident { $($before:tt)* }) => {
        $crate::messages::catalogue::import::with_import_codes! { $then {
            $($before)*

            // ── What to do about a validation problem (its fix) ──
            /// {0} zone (quoted), {1} the zones declared.
            FixDeclareZone => "请声明名为 {0} 的 NetworkZone，或使用其中之一：{1}", "declare a NetworkZone named {0} or use one of: {1}";
            /// {0} the zones declared.
            FixDeclareOrUse => "请声明它，或使用其中之一：{0}", "declare it or use one of: {0}";
            /// {0} the zones declared.
            FixUseOneOf => "请使用其中之一：{0}", "use one of: {0}";
            /// Overlapping zones.
            FixOwnRanges => "请为每个网络区分配各自的地址范围；如需网络区之间互通，请登记交换端点", "give each zone its own address ranges; to let the zones talk, register an exchange endpoint";
            /// A zone its own peer.
            FixNameAnotherZone => "请指定另一个网络区", "name another zone";
            /// An endpoint's address outside its zone.
            FixExchangeAddress => "请使用该网络区交换节点的地址（位于其 cidrs 之内）", "use the address of the zone's exchange (inside its cidrs)";
            /// An endpoint's range outside the zones.
            FixEndpointCidr => "请使用位于本网络区或对端网络区 cidrs 之内的地址，或将该网络声明为一个网络区", "use an address inside the zone's or a peer zone's cidrs, or declare that network as a zone";
            /// {0} app, {1} namespace.
            FixCreateApp => "请在命名空间 {1} 中创建 DepartmentApp {0}，或更正引用", "create DepartmentApp {0} in namespace {1} or correct the reference";
            /// {0} tenant/app, {1} its zones.
            FixEndpointOtherZone => "{0} 运行在网络区 {1}；交换端点只能登记本网络区的应用：请在那个网络区上登记", "{0} runs in zone {1}; an exchange endpoint registers an app of its own zone: register it on that zone";
            /// {0} zone, {1} tenant.
            FixAddZone => "请将 {0} 加入 Tenant {1} 的 spec.zones，或把应用移到该租户的某个网络区", "add {0} to Tenant {1} spec.zones, or move the app to one of the tenant's zones";
            /// {0} zone.
            FixTenantNamespace => "请在其租户的命名空间 <tenant>-{0} 中创建应用", "create the app in its tenant's namespace <tenant>-{0}";
            /// {0} zone, {1} the namespaces.
            FixTenantNamespaceOneOf => "请在其租户的命名空间 <tenant>-{0}（其中之一：{1}）中创建应用", "create the app in its tenant's namespace <tenant>-{0} (one of: {1})";
            /// {0} namespace, {1} tenant, {2} zone, {3} zone (quoted), {4} the app's namespace.
            FixAppZoneNamespace => "命名空间 {0} 是租户 {1} 在网络区 {2} 的命名空间：请将 spec.zone 设为 {3}，或在命名空间 {4} 中创建应用", "namespace {0} is tenant {1}'s namespace for zone {2}: set spec.zone to {3}, or create the app in namespace {4}";
            /// {0} zone, {1} its kind, {2} tenant.
            FixSecretData => "网络区 {0} 的类型是 {1}：请在租户 {2} 的政务专网中创建应用（其命名空间 <tenant>-<private zone>），如果数据不是工作秘密，请将 spec.dataClassification 设为 sensitive 或更低", "zone {0} is {1}: create the app in a private zone of tenant {2} (its namespace <tenant>-<private zone>), or set spec.dataClassification to sensitive or lower if the data is not a work secret";
            /// {0} zone, {1} its kind.
            FixExposure => "网络区 {0} 的类型是 {1}：请将 exposure 设为 zone 或 none，或把公开的前端运行在互联网区、经交换端点访问本应用", "zone {0} is {1}: use exposure zone or none, or run the public front end in an internet zone and reach this app through an exchange endpoint";
            /// {0} zone, {1} its kind.
            FixExposureNoIngress => "网络区 {0} 的类型是 {1}，但未设置 internetIngress：请将 exposure 设为 zone 或 none，或把公开的前端运行在互联网区、经交换端点访问本应用", "zone {0} is {1} without internetIngress: use exposure zone or none, or run the public front end in an internet zone and reach this app through an exchange endpoint";
            /// {0} zone, {1} its registries.
            FixRegistryZone => "请把镜像推送到网络区 {0} 允许的镜像仓库（{1}），并引用那里的镜像", "push the image to a registry zone {0} allows ({1}) and reference it there";
            /// {0} tenant, {1} its registries.
            FixRegistryTenant => "请把镜像推送到租户 {0} 允许的镜像仓库路径下（{1}）", "push the image under a registry path tenant {0} allows ({1})";
            /// {0} MLPS level.
            FixDigest => "此处适用等保 {0} 级：请以 <repository>@sha256:<digest> 的形式引用镜像", "MLPS level {0} applies here: reference the image as <repository>@sha256:<digest>";
            /// {0} zone, {1} MLPS level.
            FixPullLevel => "网络区 {0} 要求每次启动都拉取镜像（等保 {1} 级）：请去掉 spec.imagePullPolicy 或将其设为 Always", "zone {0} requires images pulled on every start (MLPS level {1}): remove spec.imagePullPolicy or set it to Always";
            /// {0} zone.
            FixPullZone => "网络区 {0} 要求每次启动都拉取镜像（其 spec.alwaysPullImages）：请去掉 spec.imagePullPolicy 或将其设为 Always", "zone {0} requires images pulled on every start (its spec.alwaysPullImages): remove spec.imagePullPolicy or set it to Always";
            /// {0} a public domain.
            FixNamesUnder => "{0} 之下的名称（不含 {0} 本身）", "names under {0} (not {0} itself)";
            /// {0} tenant, {1} zone, {2} the hosts it may use.
            FixPublicHost => "请使用租户 {0} 在网络区 {1} 中可用的主机名（{2}），或请平台团队将其加入 Tenant 的 spec.allowedHosts", "use a host tenant {0} may use in zone {1} ({2}), or ask the platform team to add it to the Tenant's spec.allowedHosts";
            /// {0} tenant, {1} zone.
            FixGiveQuota => "请为租户 {0} 在网络区 {1} 中分配配额", "give tenant {0} a quota in zone {1}";
            /// {0} tenant, {1} zone, {2} pods, {3} CPU, {4} memory of the quota, {5} maxReplicas, {6} CPU limit, {7} where it comes from, {8} memory limit, {9} where it comes from, {10} the most pods that fit, {11} namespace.
            FixAutoscalingQuota => "租户 {0} 在网络区 {1} 的配额允许 {2} 个 Pod、{3} CPU 和 {4} 内存；{5} 个 Pod 按其限额（CPU {6}，来自{7}；内存 {8}，来自{9}）需要 {5} 个 Pod、{5} × {6} CPU 和 {5} × {8} 内存：请将 spec.autoscaling.maxReplicas 降到最多 {10}，或降低限额，或在命名空间 {11} 中为网络区 {1} 提交 Quota 类型的 ResourceRequest", "tenant {0}'s quota in zone {1} allows {2} pods, {3} CPU and {4} memory; {5} pods at their limits ({6} CPU from {7}, {8} memory from {9}) need {5} pods, {5} x {6} CPU and {5} x {8} memory: lower spec.autoscaling.maxReplicas to at most {10}, lower the limits, or file a ResourceRequest of kind Quota for zone {1} in namespace {11}";
            /// {0} zone, {1} its classes.
            FixIngressClass => "请去掉 spec.ingressClass（使用网络区 {0} 的第一个类），或指定网络区 {0} 允许的类（{1}）", "remove spec.ingressClass (zone {0}'s first class is used) or name one zone {0} allows ({1})";
            /// {0} zone, {1} its issuers.
            FixTlsIssuer => "请指定网络区 {0} 提供的 ClusterIssuer（{1}），或以 spec.tls.secretName 使用应用命名空间中的 Secret", "name a ClusterIssuer zone {0} offers ({1}) or use spec.tls.secretName with a Secret of the app's namespace";
            /// {0} the runtime class required, {1} zone.
            FixRuntimeRequired => "请去掉 spec.runtimeClass 或将其设为 {0}：网络区 {1} 要求使用它", "remove spec.runtimeClass or set it to {0}: zone {1} requires it";
            /// {0} zone, {1} its classes.
            FixRuntimeAllowed => "请去掉 spec.runtimeClass，或指定网络区 {0} 允许的类（{1}）", "remove spec.runtimeClass or name one zone {0} allows ({1})";
            /// {0} field, {1} control.
            FixMeetControl => "请修改 {0} 使其符合 {1}（见 `govcloud controls`）", "change {0} so that it meets {1} (see `govcloud controls`)";
            /// A public app without a host.
            FixSetHost => "请设置 spec.host，或在网络区上设置 spec.publicDomain", "set spec.host, or spec.publicDomain on the zone";
            /// An app calling itself.
            FixRemoveEntry => "请删除该条目", "remove the entry";
            /// A host too long, given by spec.host.
            FixShortenHost => "请缩短 spec.host：DNS 名称最多 253 个字符，两个点之间最多 63 个", "shorten spec.host: a DNS name has at most 253 characters and 63 between dots";
            /// {0} the zone's public domain.
            FixShorterHost => "请将 spec.host 设为 {0} 之下更短的名称，或缩短应用名、租户名或网络区的 publicDomain", "set spec.host to a shorter name under {0}, or shorten the app's or the tenant's name or the zone's publicDomain";
            /// A host claimed twice.
            FixAnotherHost => "请另选主机名；主机名属于最先声明它的应用", "choose another host name; a host belongs to the first app that claims it";
            /// {0} app, {1} namespace.
            FixCorrectApp => "请更正应用名，或在命名空间 {1} 中创建 DepartmentApp {0}", "correct the app name, or create DepartmentApp {0} in namespace {1}";
            /// {0} app, {1} its zones, {2} the call's index.
            FixCallZone => "{0} 运行在网络区 {1}：请在 spec.flows.calls[{2}] 中设置 zone", "{0} runs in zone {1}: set zone in spec.flows.calls[{2}]";
            /// A port the provider does not serve.
            FixNamePort => "请指定提供方的某个端口，或不填 ports 以使用其全部端口", "name one of the provider's ports, or leave ports empty to use all of them";
            /// {0} resource, {1} request.
            FixRaiseLimit => "请将 spec.resources.limits.{0} 提高到至少 {1}，或降低请求", "raise spec.resources.limits.{0} to at least {1}, or lower the request";
            /// {0} resource, {1} request, {2} limit.
            FixSetLimit => "请设置 spec.resources.limits.{0}（至少 {1}），或将 spec.resources.requests.{0} 降到最多 {2}", "set spec.resources.limits.{0} (at least {1}), or lower spec.resources.requests.{0} to at most {2}";
            /// {0} resource, {1} tenant.
            FixSetBoth => "请设置 spec.resources.requests.{0} 和 spec.resources.limits.{0}，或请平台团队修正租户 {1} 的 spec.limits", "set spec.resources.requests.{0} and spec.resources.limits.{0}, or ask the platform team to fix tenant {1}'s spec.limits";
            /// {0} resource, {1} maximum.
            FixLimitMax => "请将 spec.resources.limits.{0} 设为最多 {1}，或请平台团队提高租户的 spec.limits.max", "set spec.resources.limits.{0} to at most {1}, or ask the platform team to raise the tenant's spec.limits.max";
            /// A cron expression out of range.
            FixCron => "请写五个取值在范围内的字段，例如 '30 2 * * *'（每晚 02:30）", "write five fields within their ranges, for example '30 2 * * *' (every night at 02:30)";
            /// Storage beyond the quota.
            FixStorage => "请减小 spec.storage[].size 或 spec.replicas，或申请更多存储（ResourceRequest）", "lower spec.storage[].size or spec.replicas, or ask for more storage (a ResourceRequest)";
            /// Claims beyond the quota.
            FixClaims => "请减少卷或副本，或申请更多卷申领（ResourceRequest）", "use fewer volumes or replicas, or ask for more claims (a ResourceRequest)";
            /// A TLS Secret another app's certificate lives in.
            FixSecretName => "请把本应用的证书保存在另一个名称的 Secret 中", "keep this app's certificate in a Secret of another name";

            // ── A cron expression's problem ({0} the expression) ──
            /// {0} the expression, {1} the macro's name.
            CronUnknownMacro => "cron 表达式 '{0}' 使用了未知的宏 @{1}：请使用 @yearly、@monthly、@weekly、@daily 或 @hourly", "cron '{0}' unknown macro @{1}: use @yearly, @monthly, @weekly, @daily or @hourly";
            /// {0} the expression, {1} how many fields.
            CronFieldCount => "cron 表达式 '{0}' 有 {1} 个字段；cron 表达式有 5 个字段（分 时 日 月 星期）", "cron '{0}' has {1} fields; a cron expression has 5 (minute hour day-of-month month day-of-week)";
            /// {0} the expression, {1} the field's name, {2} the field, {3} the highest step.
            CronStep => "cron 表达式 '{0}' 的{1}字段 '{2}'：/ 之后的步长须是 1 到 {3} 之间的数", "cron '{0}' {1} '{2}': the step after / must be a number from 1 to {3}";
            /// {0} the expression, {1} the field's name, {2} the field, {3} the range (`0-59`).
            CronRange => "cron 表达式 '{0}' 的{1}字段 '{2}'：取值须在 {3} 之间", "cron '{0}' {1} '{2}': values must be {3}";
            /// {0} the expression, {1} the field's name, {2} the field, {3} the range, {4} a name.
            CronRangeNames => "cron 表达式 '{0}' 的{1}字段 '{2}'：取值须在 {3} 之间，或使用 {4} 这样的名称", "cron '{0}' {1} '{2}': values must be {3} or names such as {4}";
            /// {0} the expression, {1} the field's name, {2} the field.
            CronLowToHigh => "cron 表达式 '{0}' 的{1}字段 '{2}'：范围须从小到大", "cron '{0}' {1} '{2}': a range runs from low to high";
            /// A cron field.
            CronMinute => "分钟", "minute";
            /// A cron field.
            CronHour => "小时", "hour";
            /// A cron field.
            CronDayOfMonth => "日", "day of month";
            /// A cron field.
            CronMonth => "月份", "month";
            /// A cron field.
            CronDayOfWeek => "星期", "day of week";
        } }
    };
}
pub(super) use with_fix_codes;
