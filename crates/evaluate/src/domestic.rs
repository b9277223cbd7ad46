//! 国产化: the share of the cloud's cores on domestic platforms, per zone and
//! for the city, from what the zones' statuses say of their nodes (each
//! node's CPU architecture and OS image as its kubelet reports them,
//! grouped by the operator). Which architectures and OS images count as
//! domestic is a list, given or the default [`DomesticPlatforms::default`].

use std::collections::BTreeMap;

use kube::ResourceExt;
use serde::{Deserialize, Serialize};

use govcloud_core::api::NodePlatform;
use govcloud_core::meta::quantity::Quantity;
use govcloud_core::model::Model;

/// What counts as a domestic platform: a node whose CPU architecture is one
/// of `architectures`, or whose OS image names one of `osImages` (case
/// does not matter; a name is looked for anywhere in the image's name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DomesticPlatforms {
    /// CPU architectures (`kubernetes.io/arch` values).
    #[serde(default)]
    pub architectures: Vec<String>,
    /// Names in OS images.
    #[serde(default)]
    pub os_images: Vec<String>,
}

impl Default for DomesticPlatforms {
    /// arm64 (Kunpeng 鲲鹏, Phytium 飞腾) and loong64 (Loongson 龙芯); Kylin
    /// (麒麟), UOS and UnionTech (统信), openEuler and Anolis (龙蜥) OS images.
    fn default() -> Self {
        let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect();
        DomesticPlatforms {
            architectures: v(&["arm64", "loong64"]),
            // As OS images name themselves (os-release PRETTY_NAME): "Kylin Linux
            // Advanced Server V10", "UnionTech OS Server 20" (UOS), "openEuler 22.03", "Anolis OS 8".
            os_images: v(&["Kylin", "UOS", "UnionTech", "openEuler", "Anolis"]),
        }
    }
}

/// The key of the list in a ConfigMap's data.
pub const KEY: &str = "domestic-platforms.yaml";

/// How to write the list, for error messages.
const FIX: &str = "give architectures: [arm64, loong64] and osImages: [Kylin, UOS, openEuler] (see examples/chifeng/domestic-platforms.yaml)";

impl DomesticPlatforms {
    /// Reads the list from YAML; errors name `source`, the field and the fix.
    pub fn parse(source: &str, text: &str) -> Result<DomesticPlatforms, String> {
        // The same list as a ConfigMap, under data."domestic-platforms.yaml".
        if let Ok(doc) = serde_norway::from_str::<serde_norway::Value>(text)
            && doc.get("kind").and_then(|k| k.as_str()) == Some("ConfigMap")
        {
            let inner = doc.get("data").and_then(|d| d.get(KEY)).and_then(|v| v.as_str()).ok_or_else(|| {
                format!("{source}: data.{KEY}: missing; a ConfigMap keeps the list under data.{KEY}; {FIX}")
            })?;
            return DomesticPlatforms::parse(&format!("{source} (data.{KEY})"), inner);
        }
        let d: DomesticPlatforms = serde_norway::from_str(text).map_err(|e| format!("{source}: {e}; {FIX}"))?;
        if let Some(i) = d.architectures.iter().position(|a| a.trim().is_empty()) {
            return Err(format!("{source}: architectures[{i}]: empty; {FIX}"));
        }
        if let Some(i) = d.os_images.iter().position(|a| a.trim().is_empty()) {
            return Err(format!("{source}: osImages[{i}]: empty (it would match every image); {FIX}"));
        }
        Ok(d)
    }

    /// Whether nodes of platform `p` are domestic.
    pub fn counts(&self, p: &NodePlatform) -> bool {
        let image = p.os_image.to_lowercase();
        self.architectures.contains(&p.architecture) || self.os_images.iter().any(|n| image.contains(&n.to_lowercase()))
    }
}

/// Nodes and cores, all and on domestic platforms.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomesticShare {
    /// Nodes.
    pub nodes: i64,
    /// Nodes on a domestic platform.
    pub domestic_nodes: i64,
    /// Cores (CPU capacity).
    pub cores: f64,
    /// Cores on a domestic platform.
    pub domestic_cores: f64,
    /// domestic cores ÷ cores; absent without cores.
    pub share: Option<f64>,
}

impl DomesticShare {
    fn add(&mut self, p: &NodePlatform, domestic: bool) {
        let cores = Quantity::parse(&p.cpu).map(Quantity::to_f64).unwrap_or(0.0);
        self.nodes += i64::from(p.nodes);
        self.cores += cores;
        if domestic {
            self.domestic_nodes += i64::from(p.nodes);
            self.domestic_cores += cores;
        }
        self.share = (self.cores > 0.0).then(|| self.domestic_cores / self.cores);
    }
}

/// One platform of a zone, as counted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformRow {
    /// The zone.
    pub zone: String,
    /// The platform, as the zone's status gives it.
    #[serde(flatten)]
    pub platform: NodePlatform,
    /// Whether it counts as domestic.
    pub domestic: bool,
}

/// 国产化 in the evaluation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Domestic {
    /// What counted as domestic.
    pub platforms: DomesticPlatforms,
    /// Per zone whose status lists its nodes' platforms.
    pub zones: BTreeMap<String, DomesticShare>,
    /// Over those zones.
    pub city: DomesticShare,
    /// Every platform counted, zone by zone.
    pub rows: Vec<PlatformRow>,
}

/// How the share is computed: (zh, en).
pub const DOMESTIC_HOW: (&str, &str) = (
    "国产化比例 = 国产平台上的 CPU 核数 ÷ 全部 CPU 核数（按网络区与全市）。节点的 CPU 架构与操作系统镜像取自各网络区 status.platforms（运营方按节点 kubelet 上报的 status.nodeInfo 汇总，架构缺失时取 kubelet 设置的 kubernetes.io/arch 标签）；架构在国产架构列表中，或操作系统镜像名称含国产系统列表中的任一名称（不区分大小写），即计为国产平台。列表可用 --domestic-platforms 文件给出，默认：架构 arm64（鲲鹏、飞腾）、loong64（龙芯）；系统 Kylin（麒麟）、UOS/UnionTech（统信）、openEuler、Anolis（龙蜥）。",
    "Domestic share = CPU cores on domestic platforms ÷ all CPU cores, per zone and for the city. Each node's CPU architecture and OS image come from the zones' status.platforms (the operator groups what each node's kubelet reports in status.nodeInfo; the architecture from the kubelet's kubernetes.io/arch label when it reports none); a node counts as domestic when its architecture is in the list of architectures or its OS image contains one of the listed names (case does not matter). The list is given with --domestic-platforms FILE; by default: architectures arm64 (Kunpeng, Phytium) and loong64 (Loongson); OS images Kylin, UOS/UnionTech, openEuler, Anolis.",
);

/// The share from the zones the model hosts whose status lists platforms;
/// `None` when none does (offline manifests without status, or zones whose
/// operator has not counted their nodes yet).
pub fn domestic(model: &Model, list: &DomesticPlatforms) -> Option<Domestic> {
    let mut d = Domestic { platforms: list.clone(), ..Default::default() };
    for z in model.zones.iter().filter(|z| model.hosts_zone(&z.name_any())) {
        let Some(platforms) = z.status.as_ref().map(|s| &s.platforms).filter(|p| !p.is_empty()) else { continue };
        let share = d.zones.entry(z.name_any()).or_default();
        for p in platforms {
            let domestic = list.counts(p);
            share.add(p, domestic);
            d.city.add(p, domestic);
            d.rows.push(PlatformRow { zone: z.name_any(), platform: p.clone(), domestic });
        }
    }
    (!d.zones.is_empty()).then_some(d)
}

#[cfg(test)]
mod tests;
