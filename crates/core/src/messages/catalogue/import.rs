//! The catalogue's codes for `govcloud import`'s report: why a change is
//! needed and what to do, why an object was not imported. The report keeps
//! them as messages (its JSON gives code and English text), so none is
//! read back from English (see `Code::is_read_back`). They follow the
//! codes of `fixes.rs`, the last of the catalogue.

/// Calls `$then! { …the codes given…, …these codes… }`.
macro_rules! with_import_codes {
    ($then:ident { $($before:tt)* }) => {
        $then! {
            $($before)*

            // ── Migration: objects not imported ──
            /// Not an object.
            ImportNotAnObject => "不是 Kubernetes 对象：没有 kind 或 metadata.name", "not a Kubernetes object: it has no kind or no metadata.name";
            /// {0} kind.
            ImportNoNamespace => "没有 metadata.namespace 的 {0}：请导入 `kubectl get -A -o yaml` 的输出（其中写明每个对象的命名空间），或补上命名空间", "a {0} without metadata.namespace: import the output of `kubectl get -A -o yaml`, which names each object's namespace, or add it";
            /// {0} kind.
            ImportClusterScoped => "{0} 是集群范围的对象（或不是 govcloud 导入的类型）：由平台团队保留", "{0} is cluster-scoped (or not a kind govcloud imports): the platform team keeps it";
            /// {0} namespace.
            ImportPlatformNamespace => "命名空间 {0} 属于平台", "namespace {0} is the platform's";
            /// {0} namespace.
            ImportNoZone => "命名空间 {0} 没有网络区：请传入 --map {0}=[TENANT/]ZONE，或以 --default-zone ZONE 指定所有未映射命名空间的网络区", "namespace {0} has no zone: pass --map {0}=[TENANT/]ZONE, or --default-zone ZONE for every unmapped namespace";
            /// {0} namespace, {1} tenant (quoted), {2} zone.
            ImportNotTenantName => "命名空间 {0} 将成为租户 {1}，而这不是合法的租户名（至多 40 个字符的 DNS 标签，且不是 kube、govcloud、default、openshift 或 system）：请传入 --map {0}=TENANT/{2}", "namespace {0} would become tenant {1}, which is not a tenant name (a DNS label of at most 40 characters, not kube, govcloud, default, openshift or system): pass --map {0}=TENANT/{2}";
            /// {0} namespace, {1} zone (quoted).
            ImportNotZoneName => "命名空间 {0}：{1} 不是网络区名称（例如 extranet）：请传入 --map {0}=[TENANT/]ZONE", "namespace {0}: {1} is not a zone name (such as extranet): pass --map {0}=[TENANT/]ZONE";
            /// {0} namespace.
            ImportNotMapped => "位于命名空间 {0} 中，该命名空间未映射", "in namespace {0}, not mapped";
            /// {0} label, {1} value.
            ImportGovcloudOwn => "govcloud 自己的对象（{0}={1}，不在租户命名空间中，或不是构成应用的类型）：由草稿重新渲染", "govcloud's own ({0}={1}, not in a tenant namespace or not a kind apps are made of): rendered again from the drafts";
            /// A tenant declared already.
            ImportTenantDeclared => "已声明（以 -f 给出，或已在集群中）：不生成草稿；其应用按已声明的租户判断", "declared already (given with -f, or in the cluster): no draft; its apps are judged with it";
            /// {0} the owner's kind.
            ImportMadeBy => "由其 {0} 创建，改为导入该 {0}", "made by its {0}, which is imported instead";
            /// {0} namespace, {1} app.
            ImportAppDeclared => "DepartmentApp {0}/{1} 已声明：不生成草稿", "DepartmentApp {0}/{1} is declared already: no draft";
            /// {0} kind.
            ImportKindNotImported => "govcloud 不导入 {0}：如应用需要，请手工重建", "{0} is not a kind govcloud imports: recreate it by hand if the app needs it";

            // ── Migration: why a change, and what to do ──
            /// {0} name (quoted).
            ImportNotAppName => "{0} 不是合法的应用名：须是以字母开头、至多 40 个字符、不以 govcloud- 开头的 DNS 标签", "{0} is not an app name: a DNS label starting with a letter, at most 40 characters, not starting with govcloud-";
            /// Renaming a draft.
            ImportFixRename => "请重命名草稿（并把新的 Service 名称告知其调用方）", "rename the draft (and tell its clients the new Service name)";
            /// {0} namespace, {1} app.
            ImportNameTaken => "命名空间 {0} 中的另一个工作负载已是应用 {1}", "another workload of namespace {0} is already app {1}";
            /// Two workloads of one name.
            ImportFixRenameOne => "请重命名其中一个：应用名在其命名空间中唯一", "rename one of them: an app's name is unique in its namespace";
            /// A draft tenant without owners.
            ImportNoOwner => "未找到所有者（govcloud 的 RoleBinding 会列出他们）：部门中没有人能在其命名空间中操作", "no owner was found (govcloud's RoleBindings name them): nobody of the department could act in its namespaces";
            /// Owners to add.
            ImportFixOwners => "请添加部门的用户组及其角色（admin、developer、viewer、auditor）", "add the department's groups with their roles (admin, developer, viewer, auditor)";
            /// {0} the rule's message (English, as the policy says it), {1} what the field holds, {2} the control's title.
            ImportAdmission => "不符合准入规则：{2}（{1}）", "{0} ({1})";
            /// {0} zone.
            ImportZoneUndeclared => "网络区 {0} 未声明：未检查该网络区自身的规则（镜像仓库、节点池、卷类型）", "zone {0} is not declared: the zone's own rules (registries, node pool, volume types) were not checked";
            /// {0} zone.
            ImportFixGiveZone => "请以 -f 给出 NetworkZone {0} 后重新导入（或在已安装它的集群上在线读取）", "import again with the NetworkZone {0} given with -f (or read live where it is installed)";
            /// {0} what govcloud renders.
            ImportRenders => "无需操作：govcloud 根据草稿渲染{0}", "nothing to do: govcloud renders {0} from the draft";
            /// What govcloud renders.
            ImportWhatNodeSelector => "网络区的节点选择器", "the zone's node selector";
            /// What govcloud renders.
            ImportWhatToleration => "仅网络区的容忍", "the zone's toleration only";
            /// What govcloud renders.
            ImportWhatPullAlways => "网络区要求时的 imagePullPolicy Always", "imagePullPolicy Always where the zone requires it";
            /// What govcloud renders.
            ImportWhatNoNodeName => "不设 nodeName：由调度器把 Pod 放到网络区的节点上", "no nodeName: the scheduler places the pods on the zone's nodes";
            /// GC-IMG-001.
            ImportFixRegistry => "请把镜像推送到网络区（及租户）允许的镜像仓库，例如全市的 Harbor，并把 spec.image 设为该镜像", "push the image to a registry the zone (and tenant) allows, such as the city's Harbor, and set spec.image to it";
            /// GC-IMG-002.
            ImportFixDigest => "请以摘要固定 spec.image（repository@sha256:...），例如用 `crane digest` 查出", "pin spec.image by digest (repository@sha256:...), for example with `crane digest`";
            /// Privileges.
            ImportFixUnprivileged => "请让应用在无特权、不提升权限的情况下运行：govcloud 以 UID 10001 运行它，并去掉全部 capabilities", "make the app work unprivileged and without privilege escalation: govcloud runs it as UID 10001, all capabilities dropped";
            /// Host namespaces.
            ImportFixHostNamespaces => "应用拥有自己的网络、PID 和 IPC 命名空间：请通过 spec.ports 提供服务，而不是使用节点的", "the app gets its own network, PID and IPC namespaces: serve through spec.ports, not the node's";
            /// Host paths.
            ImportFixHostPath => "请把配置放在 ConfigMap 和 Secret（spec.configFiles）中，把数据放在平台存储中，而不是节点上", "keep configuration in ConfigMaps and Secrets (spec.configFiles) and data in platform storage, not on the node";
            /// Host ports.
            ImportFixHostPorts => "请通过应用的 Service（spec.ports；exposure 为 zone 或 public）提供该端口，而不是在节点上", "serve the port through the app's Service (spec.ports; exposure zone or public), not on the node";
            /// Resources.
            ImportFixResources => "请按应用的实际用量设置 cpu 和 memory 的 spec.resources.requests 与 limits（在此之前适用租户的默认值）", "set spec.resources.requests and limits for cpu and memory from what the app uses (until then the tenant's defaults apply)";
            /// Storage classes.
            ImportFixStorageClass => "请在 spec.storage[].storageClass 中使用网络区允许的存储类（NetworkZone spec.allowedStorageClasses），或留空使用网络区的默认类", "use a storage class the zone allows (NetworkZone spec.allowedStorageClasses) in spec.storage[].storageClass, or leave it to the zone's default";
            /// Runtime classes.
            ImportFixRuntimeClass => "请将 spec.runtimeClass 设为网络区允许的类（NetworkZone spec.allowedRuntimeClasses），或留空使用网络区的", "set spec.runtimeClass to one the zone allows (NetworkZone spec.allowedRuntimeClasses), or leave it to the zone's";
            /// Ingress classes.
            ImportFixIngressClass => "请将 spec.ingressClass 设为网络区允许的类（NetworkZone spec.allowedIngressClasses），或留空使用网络区的第一个类", "set spec.ingressClass to one the zone allows (NetworkZone spec.allowedIngressClasses), or leave it to the zone's first";
            /// TLS issuers.
            ImportFixTls => "请将 spec.tls 设为应用命名空间中的 Secret，或网络区提供的签发者（NetworkZone spec.tlsIssuers）", "set spec.tls to a Secret of the app's namespace, or an issuer the zone offers (NetworkZone spec.tlsIssuers)";
            /// Volume sources.
            ImportFixVolumes => "只使用网络区允许的卷：ConfigMap、Secret、emptyDir", "use only volumes the zone allows: ConfigMaps, Secrets, emptyDir";
            /// Services and Ingresses govcloud renders.
            ImportFixServiceAddress => "govcloud 根据草稿的端口、暴露方式和主机名渲染应用的 Service 和 Ingress：请把新地址告知现有调用方", "govcloud renders the app's Service and Ingress from the draft's ports, exposure and host: tell the clients of this one its new address";
            /// Any other control.
            ImportFixAsControlSays => "请按控制项的要求修改对象，或从草稿中去掉它拒绝的内容", "change the object as the control says, or drop what it refuses from the draft";
            /// A Job.
            ImportJob => "Job 只运行一次；DepartmentApp 持续运行或按计划运行", "a Job runs once; a DepartmentApp runs all the time or on a schedule";
            /// A Job.
            ImportFixJob => "请按原样手工运行它，或为它设定计划（CronJob 会导入为带 spec.schedule 的应用）", "run it by hand as it is, or give it a schedule (a CronJob imports as an app with spec.schedule)";
            /// A DaemonSet.
            ImportDaemonSet => "DaemonSet 在每个节点上运行一个 Pod；DepartmentApp 在其网络区的节点上运行若干副本", "a DaemonSet runs a pod on every node; a DepartmentApp runs replicas on its zone's nodes";
            /// A DaemonSet.
            ImportFixDaemonSet => "请把 spec.replicas 设为应用所需的数量（草稿为 1）；每个节点上的代理由平台团队负责", "set spec.replicas to what the app needs (the draft has 1); per-node agents are the platform team's";
            /// A StatefulSet without claims.
            ImportStatefulSet => "没有卷申领模板的 StatefulSet 会成为 Deployment：其 Pod 失去固定的名称", "a StatefulSet without claim templates becomes a Deployment: its pods lose their stable names";
            /// A StatefulSet without claims.
            ImportFixStatefulSet => "除非调用方按名称访问单个 Pod，否则无需操作", "nothing to do unless clients address single pods by name";
            /// No container.
            ImportNoContainer => "没有容器", "no container";
            /// No container.
            ImportFixNothing => "没有可导入的内容", "nothing to import";
            /// No image.
            ImportNoImage => "没有镜像", "no image";
            /// No image.
            ImportFixSetImage => "请设置镜像", "set the image";
            /// {0} container, {1} its image.
            ImportSecondContainer => "第二个容器（{0}，运行 {1}）：DepartmentApp 只运行一个容器，即第一个", "a second container ({0} running {1}): a DepartmentApp runs one container, the first";
            /// A second container.
            ImportFixSecondContainer => "请把它作为单独的应用运行（二者之间声明数据流），或将其构建进应用的镜像", "run it as an app of its own (with a flow between them), or build it into the app's image";
            /// {0} container.
            ImportInitContainer => "初始化容器（{0}）：DepartmentApp 没有初始化容器", "an init container ({0}): a DepartmentApp has none";
            /// An init container.
            ImportFixInitContainer => "请在应用的入口程序中完成其工作，或由平台团队以 Job 运行", "do its work in the app's entrypoint, or in a Job the platform team runs";
            /// {0} resource.
            ImportOtherResource => "{0}：DepartmentApp 只声明 cpu 和 memory", "{0}: a DepartmentApp declares cpu and memory only";
            /// Another resource.
            ImportFixAskPlatform => "如应用需要，请询问平台团队", "ask the platform team if the app needs it";
            /// {0} variable, {1} where it comes from.
            ImportEnvFrom => "{0} 来自 {1}：DepartmentApp 的环境变量只能是值，或其 ConfigMap 和 Secret 的键", "{0} comes from {1}: a DepartmentApp's variables are values or keys of its ConfigMaps and Secrets";
            /// A variable from elsewhere.
            ImportFixEnvValue => "请直接写出值，或把它放进命名空间的 ConfigMap", "set the value literally, or put it in a ConfigMap of the namespace";
            /// {0} ConfigMap or Secret.
            ImportEnvFromAll => "{0} 的每个键都作为环境变量：DepartmentApp 须逐个写出环境变量", "every key of {0} as a variable: a DepartmentApp names each variable";
            /// envFrom.
            ImportFixEnvKeys => "请在 spec.env 下列出应用读取的键，每个都用 valueFrom", "list the keys the app reads under spec.env, each with valueFrom";
            /// {0} volume, {1} path.
            ImportSubPath => "{0} 以 subPath 挂载在 {1}", "{0} is mounted by subPath at {1}";
            /// subPath.
            ImportFixSubPath => "请把整个 ConfigMap 或 Secret 挂载为一个目录（spec.configFiles，用 items 选择键）", "mount the whole ConfigMap or Secret in a directory (spec.configFiles, with items to pick keys)";
            /// {0} volume, {1} path.
            ImportReservedPath => "{0} 挂载在 {1}，该路径由 govcloud 自用", "{0} is mounted at {1}, which govcloud keeps for itself";
            /// A reserved path.
            ImportFixMountElsewhere => "请挂载到其他位置（spec.configFiles[].mountPath）", "mount it elsewhere (spec.configFiles[].mountPath)";
            /// {0} volume, {1} path.
            ImportTokenProjected => "{0} 在 {1} 投射服务账号令牌：govcloud 不挂载任何令牌（automountServiceAccountToken: false）", "{0} projects a service-account token at {1}: govcloud mounts none (automountServiceAccountToken: false)";
            /// A token.
            ImportFixToken => "请经由平台调用 API 服务器，而不是使用 Pod 的身份；如应用必须如此，请询问平台团队", "call the API server through the platform, not with the pod's identity; ask the platform team if the app must";
            /// {0} volume, {1} claim, {2} path.
            ImportSharedClaim => "{0} 在 {2} 挂载卷申领 {1}，由所有 Pod 共用", "{0} mounts claim {1} at {2}, shared by every pod";
            /// A shared claim.
            ImportFixSharedClaim => "DepartmentApp 的存储是每个 Pod 一个卷申领（spec.storage，StatefulSet）：请把数据迁到那里，或迁到拥有这些数据的应用中", "a DepartmentApp's storage is a claim per pod (spec.storage, a StatefulSet): move the data there, or into an app that owns it";
            /// {0} volume, {1} its type, {2} path.
            ImportOtherVolume => "{0} 是挂载在 {2} 的 {1} 卷：DepartmentApp 只挂载 ConfigMap 和 Secret", "{0} is a {1} volume at {2}: a DepartmentApp mounts ConfigMaps and Secrets only";
            /// Another volume.
            ImportFixOtherVolume => "请把数据保存在数据库或平台存储中；临时文件写到 /tmp", "keep data in a database or platform storage; scratch files go to /tmp";
            /// {0} port.
            ImportProbePort => "探针的端口 {0} 不是容器声明的端口", "the probe's port {0} is not one the container declares";
            /// A gRPC probe.
            ImportGrpcProbe => "gRPC 探针：DepartmentApp 只以 HTTP、TCP 或命令探测", "a gRPC probe: a DepartmentApp probes by HTTP, TCP or command";
            /// A probe not carried over.
            ImportFixProbePort => "请在 spec.ports 中声明探针的端口，或以命令探测", "declare the probe's port under spec.ports, or probe by command";
            /// {0} how it runs.
            ImportRunsAs => "容器{0}：govcloud 以 UID 10001、只读根文件系统运行它（可写的临时空间在 /tmp）", "the container runs {0}: govcloud runs it as UID 10001 with a read-only root filesystem (writable scratch space at /tmp)";
            /// How a container runs.
            ImportAsRoot => "以 root 身份运行", "as root";
            /// How a container runs.
            ImportWritableRoot => "使用可写的根文件系统运行", "with a writable root filesystem";
            /// Root and writes.
            ImportFixNonRoot => "请确认应用能以非 root 用户启动，且只写入 /tmp（其 ConfigMap 和 Secret 为只读）", "check the app starts as a non-root user and writes only to /tmp, its ConfigMaps and Secrets being read-only";
            /// {0} service account.
            ImportServiceAccount => "Pod 以服务账号 {0} 运行：DepartmentApp 运行时没有 API 凭据", "the pods run as service account {0}: a DepartmentApp runs with no API credentials";
            /// A service account.
            ImportFixServiceAccount => "请经由平台调用 API 服务器；如应用必须如此，请询问平台团队", "call the API server through the platform; ask the platform team if the app must";
            /// {0} claim.
            ImportClaimNotMounted => "卷申领 {0} 未挂载在应用的容器中：边车容器的存储不会迁移", "claim {0} is not mounted in the app's container: a sidecar's storage does not carry over";
            /// A claim not mounted.
            ImportFixMountClaim => "请把它挂载到应用的容器中，或不要它", "mount it in the app's container, or leave it out";
            /// {0} claim.
            ImportClaimNoSize => "卷申领 {0} 未请求容量", "claim {0} requests no size";
            /// A claim without size.
            ImportFixClaimSize => "请设置 spec.storage[].size", "set spec.storage[].size";
            /// {0} claim, {1} its access modes.
            ImportClaimShared => "卷申领 {0} 的访问模式是 {1}：应用的卷申领是 ReadWriteOnce，每个 Pod 一个", "claim {0} is {1}: an app's claims are ReadWriteOnce, one per pod";
            /// A shared claim.
            ImportFixClaimShared => "请通过拥有这些数据的应用在 Pod 之间共享数据，而不是共用卷", "share data between pods through an app that owns it, not a shared volume";
            /// Ports of a schedule.
            ImportScheduledPorts => "定时运行的应用不提供端口（其 Pod 只在运行期间存在）", "a scheduled app serves no ports (its pods run only during a run)";
            /// Ports of a schedule.
            ImportFixScheduledPorts => "除非有程序连接某次运行，否则无需操作；草稿没有端口", "nothing to do unless something connects to a run; the draft has no ports";
            /// Readiness of a schedule.
            ImportScheduledReadiness => "定时运行的应用的 Pod 不提供服务：草稿没有就绪探针", "a scheduled app's pods serve nothing: the draft has no readiness probe";
            /// Nothing to do.
            ImportFixNothingToDo => "无需操作", "nothing to do";
            /// A probe of a schedule.
            ImportScheduledProbe => "它探测端口，而定时运行的应用没有端口：草稿没有这个探针", "it probes a port, and a scheduled app has none: the draft has no such probe";
            /// A probe of a schedule.
            ImportFixProbeExec => "如某次运行可能卡住，请以命令（exec）探测", "probe by command (exec) if a run can hang";
            /// {0} Ingress, {1} port.
            ImportIngressPort => "Ingress {0} 路由到 Service 的端口 {1}；govcloud 的 Ingress 路由到应用的第一个端口", "Ingress {0} routes to port {1} of the Service; govcloud's Ingress routes to the app's first port";
            /// The first port.
            ImportFixFirstPort => "请在 spec.ports 中把互联网访问的端口列在第一位", "list the port the internet reaches first in spec.ports";
            /// {0} Ingress.
            ImportSeveralHosts => "Ingress {0} 把多个主机名路由到该应用：DepartmentApp 只有一个", "Ingress {0} routes several hosts to the app: a DepartmentApp has one";
            /// Several hosts.
            ImportFixMainHost => "请在 spec.host 中保留主要的主机名；其他的请平台团队做重定向", "keep the main host in spec.host; ask the platform team to redirect the others";
            /// {0} zone.
            ImportNotInternet => "该应用可从互联网访问，但网络区 {0} 不接收互联网流量", "the app is reachable from the internet, but zone {0} does not take internet traffic";
            /// Internet traffic.
            ImportFixInternetZone => "请把命名空间映射到允许互联网访问的互联网区，或把 exposure 设为 zone", "map the namespace to an internet zone that allows it, or set exposure to zone";
            /// A disruption budget.
            ImportOwnPdb => "应用有自己的中断预算", "the app has a disruption budget of its own";
            /// A disruption budget.
            ImportFixPdb => "无需操作：副本数大于 1 时 govcloud 会渲染一个（maxUnavailable 1）", "nothing to do: govcloud renders one (maxUnavailable 1) when replicas > 1";
            /// {0} autoscaler.
            ImportHpaMetrics => "HorizontalPodAutoscaler {0} 按 CPU 用量以外的指标伸缩：DepartmentApp 只按 CPU 伸缩", "HorizontalPodAutoscaler {0} scales it on other metrics than CPU use: a DepartmentApp scales on CPU only";
            /// Other metrics.
            ImportFixHpa => "请设置 spec.autoscaling（minReplicas、maxReplicas、targetCPUUtilization），或固定的 spec.replicas", "set spec.autoscaling (minReplicas, maxReplicas, targetCPUUtilization), or fixed spec.replicas";
            /// {0} autoscaler.
            ImportHpaCpuOnly => "HorizontalPodAutoscaler {0}：只迁移其 CPU 目标（不含其他指标或 behavior）", "HorizontalPodAutoscaler {0}: only its CPU target carries over (not its other metrics or behavior)";
            /// CPU alone.
            ImportFixCpuAlone => "请确认应用只按 CPU 伸缩也足够", "check the app scales well enough on CPU alone";
            /// {0} the Secret today, {1} govcloud's.
            ImportTlsSecret => "cert-manager 把证书保存在 {0}；govcloud 的签发者把它保存在 {1}", "cert-manager keeps the certificate in {0}; govcloud's issuer keeps it in {1}";
            /// The old Secret.
            ImportFixOldSecret => "除非有其他程序读取旧的 Secret，否则无需操作", "nothing to do unless something else reads the old Secret";
            /// {0} Ingress, {1} how many.
            ImportSeveralCerts => "Ingress {0} 有 {1} 个证书：DepartmentApp 的 Ingress 只有一个，用于其主机名", "Ingress {0} has {1} certificates: a DepartmentApp's Ingress has one, for its host";
            /// Several certificates.
            ImportFixHostCert => "请把该主机名的证书写在 spec.tls 中", "keep the host's certificate in spec.tls";
            /// {0} peer.
            ImportAllowsFrom => "允许来自 {0} 的流量，而它不是导入的应用：govcloud 默认隔离应用", "allows traffic from {0}, which is no imported app: govcloud isolates apps by default";
            /// {0} peer.
            ImportAllowsTo => "允许发往 {0} 的流量，而它不是导入的应用：govcloud 默认隔离应用", "allows traffic to {0}, which is no imported app: govcloud isolates apps by default";
            /// A peer that is no app.
            ImportFixFlow => "请声明数据流（调用方的 spec.flows.calls，提供方的 spec.flows.allowFrom）或暴露方式，或向平台团队申请出站地址范围", "declare the flow (spec.flows.calls on the caller, spec.flows.allowFrom on the provider) or the exposure, or ask the platform team for an egress range";
            /// {0} Service, {1} its type.
            ImportServiceType => "Service {0} 的类型是 {1}：调用方经节点或负载均衡器访问它", "Service {0} is of type {1}: clients reach it on the nodes or a load balancer";
            /// NodePort and LoadBalancer.
            ImportFixServiceType => "网络区网络上的调用方经 Service 访问 exposure 为 zone 的 DepartmentApp：请把新地址告知他们", "clients on the zone's network reach a DepartmentApp with exposure zone at its Service; tell them the new address";
            /// {0} Service, {1} its port, {2} the container's.
            ImportServicePort => "Service {0} 以端口 {1} 提供容器的端口 {2}：应用的 Service 使用容器自己的端口", "Service {0} serves port {1} from the container's {2}: an app's Service serves the container's own port";
            /// A port that changes.
            ImportFixServicePort => "请告知调用方端口变化，或让应用监听 Service 的端口", "tell the clients the port changes, or make the app listen on the Service's port";

            // ── Migration: what carries over into a draft ──
            /// {0} image.
            ImportCarriedImage => "镜像 {0}", "image {0}";
            /// {0} replicas.
            ImportCarriedReplicas => "副本数 {0}", "replicas {0}";
            /// {0} the pull policy.
            ImportCarriedPullPolicy => "镜像拉取策略 {0}", "imagePullPolicy {0}";
            /// {0} how many.
            ImportCarriedPullSecrets => "{0} 个镜像拉取凭据（imagePullSecrets）", "{0} imagePullSecrets";
            /// Requests and limits.
            ImportCarriedResources => "资源请求与限额", "resources";
            /// {0} the ports.
            ImportCarriedPorts => "端口 {0}", "ports {0}";
            /// Command and arguments.
            ImportCarriedCommand => "命令和参数", "command and args";
            /// {0} how many.
            ImportCarriedEnv => "{0} 个环境变量", "{0} env";
            /// {0} how many.
            ImportCarriedConfigFiles => "{0} 组配置文件（configFiles）", "{0} configFiles";
            /// {0} the probes.
            ImportCarriedProbes => "{0}探针", "{0} probes";
            /// A probe.
            ImportProbeReadiness => "就绪", "readiness";
            /// A probe.
            ImportProbeLiveness => "存活", "liveness";
            /// A probe.
            ImportProbeStartup => "启动", "startup";
            /// {0} the runtime class.
            ImportCarriedRuntimeClass => "运行时类 {0}", "runtimeClass {0}";
            /// {0} the classification.
            ImportCarriedClassification => "数据分级：{0}", "dataClassification {0}";
            /// {0} the claims.
            ImportCarriedStorage => "存储 {0}", "storage {0}";
            /// {0} the cron expression.
            ImportCarriedSchedule => "定时 '{0}'", "schedule '{0}'";
            /// {0} Ingress, {1} host.
            ImportCarriedPublic => "对互联网公开（Ingress {0}，主机名 {1}）", "exposure public (Ingress {0}, host {1})";
            /// {0} NetworkPolicy.
            ImportCarriedZoneExposure => "在网络区内公开（NetworkPolicy {0}）", "exposure zone (NetworkPolicy {0})";
            /// {0} calls, {1} grants.
            ImportCarriedFlows => "数据流：{0} 个调用，{1} 个授权", "flows: {0} calls, {1} grants";
            /// {0} min, {1} max, {2} CPU target, {3} autoscaler.
            ImportCarriedAutoscaling => "自动伸缩 {0}-{1}，CPU 目标 {2}%（HorizontalPodAutoscaler {3}）", "autoscaling {0}-{1} at {2}% CPU (HorizontalPodAutoscaler {3})";
            /// {0} Ingress class.
            ImportCarriedIngressClass => "Ingress 类 {0}", "ingressClass {0}";
            /// A certificate.
            ImportCarriedTls => "TLS 证书", "tls";
            /// {0} zones.
            ImportCarriedZones => "网络区 {0}", "zones {0}";
        }
    };
}
pub(super) use with_import_codes;
