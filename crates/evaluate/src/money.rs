//! Money (成本): a price table per zone (¥ per core-month, per GiB-month of
//! memory and of storage) turns the quota granted and the quota in use into
//! ¥ per month, per department, per zone and in total, and what could be
//! reclaimed (granted, not in use). Read from a YAML file, bare or as a
//! ConfigMap labelled `govcloud.io/prices` with the table under
//! `data."prices.yaml"` (examples/chifeng/prices.yaml; the model loader
//! skips such a ConfigMap):
//!
//! ```yaml
//! currency: CNY            # optional, CNY by default
//! zones:
//!   extranet: {cpuCoreMonth: 150, memoryGiBMonth: 20, storageGiBMonth: 0.5}
//! ```

use std::collections::BTreeMap;

use kube::ResourceExt;
use serde::{Deserialize, Serialize};

use govcloud_core::api::Tenant;
use govcloud_core::meta::quantity::Quantity;
use govcloud_core::model::Model;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Prices in one zone, ¥ per month.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ZonePrice {
    /// ¥ per CPU core (requests.cpu) and month.
    pub cpu_core_month: f64,
    /// ¥ per GiB of memory (requests.memory) and month.
    #[serde(rename = "memoryGiBMonth")]
    pub memory_gib_month: f64,
    /// ¥ per GiB of persistent storage (requests.storage) and month.
    #[serde(rename = "storageGiBMonth")]
    pub storage_gib_month: f64,
}

/// The price table: a price per zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PriceTable {
    /// Currency of the prices (CNY).
    #[serde(default = "cny")]
    pub currency: String,
    /// Zone name -> its prices.
    pub zones: BTreeMap<String, ZonePrice>,
}

fn cny() -> String {
    "CNY".into()
}

/// The key of a price table ConfigMap's data that holds the table.
pub const PRICES_KEY: &str = "prices.yaml";

const FIX: &str =
    "see examples/chifeng/prices.yaml: zones: {<zone>: {cpuCoreMonth: <¥>, memoryGiBMonth: <¥>, storageGiBMonth: <¥>}}";

impl PriceTable {
    /// Reads a price table (YAML or JSON); `source` names it in errors,
    /// which give the field path and the fix.
    pub fn parse(source: &str, text: &str) -> Result<PriceTable, String> {
        // The same table as a ConfigMap labelled govcloud.io/prices, under data."prices.yaml".
        if let Ok(doc) = serde_norway::from_str::<serde_norway::Value>(text)
            && doc.get("kind").and_then(|k| k.as_str()) == Some("ConfigMap")
        {
            let key = PRICES_KEY;
            let inner = doc.get("data").and_then(|d| d.get(key)).and_then(|v| v.as_str()).ok_or_else(|| {
                format!(
                    "{source}: data.{key}: missing; a price table ConfigMap keeps the table under data.{key}; {FIX}"
                )
            })?;
            return PriceTable::parse(&format!("{source} (data.{key})"), inner);
        }
        let de = serde_norway::Deserializer::from_str(text);
        let t: PriceTable = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            // The YAML error may start with the path of the mapping it is in: said once.
            let inner = e.inner().to_string();
            let inner = match inner.split_once(": ") {
                Some((head, rest)) if !head.contains(' ') && path.starts_with(head) => rest.to_string(),
                _ => inner,
            };
            let path = if path == "." { String::new() } else { format!("{path}: ") };
            format!("{source}: {path}{inner}; {FIX}")
        })?;
        if t.zones.is_empty() {
            return Err(format!("{source}: zones: no zone priced; {FIX}"));
        }
        for (zone, p) in &t.zones {
            for (field, v) in [
                ("cpuCoreMonth", p.cpu_core_month),
                ("memoryGiBMonth", p.memory_gib_month),
                ("storageGiBMonth", p.storage_gib_month),
            ] {
                if !v.is_finite() || v < 0.0 {
                    return Err(format!(
                        "{source}: zones.{zone}.{field}: {v} is not a price; give ¥ per month, a number 0 or more"
                    ));
                }
            }
        }
        Ok(t)
    }

    /// Checks that every zone of `model` has a price; the error names the first zone without.
    pub fn check_zones(&self, source: &str, model: &Model) -> Result<(), String> {
        match model.zones.iter().map(|z| z.name_any()).find(|z| !self.zones.contains_key(z)) {
            Some(z) => Err(format!(
                "{source}: zones.{z}: missing: the model declares zone {z}; add cpuCoreMonth, memoryGiBMonth and storageGiBMonth for it"
            )),
            None => Ok(()),
        }
    }

    /// ¥ per month of `cpu` cores, `memory` and `storage` bytes in `zone`; None when the zone has no price.
    pub fn price(&self, zone: &str, cpu: f64, memory: f64, storage: f64) -> Option<f64> {
        let p = self.zones.get(zone)?;
        Some(cpu * p.cpu_core_month + memory / GIB * p.memory_gib_month + storage / GIB * p.storage_gib_month)
    }
}

/// Money per month: of the quota granted, in use, and reclaimable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cost {
    /// The quota granted, ¥ per month.
    pub granted: f64,
    /// The quota in use (requests of the pods), ¥ per month; absent without status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used: Option<f64>,
    /// Granted and not in use, resource by resource, ¥ per month; absent without status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reclaimable: Option<f64>,
}

impl Cost {
    fn add(&mut self, o: Cost) {
        self.granted += o.granted;
        self.used = match (self.used, o.used) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        self.reclaimable = match (self.reclaimable, o.reclaimable) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
    fn zero() -> Cost {
        Cost { granted: 0.0, used: Some(0.0), reclaimable: Some(0.0) }
    }
}

/// The quota in money.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Money {
    /// Currency of the prices.
    pub currency: String,
    /// How it is computed: (zh, en).
    pub how: (String, String),
    /// Tenant -> its cost, all zones.
    pub tenants: BTreeMap<String, Cost>,
    /// Tenant -> zone -> cost.
    pub tenant_zones: BTreeMap<String, BTreeMap<String, Cost>>,
    /// Zone -> cost, all tenants.
    pub zones: BTreeMap<String, Cost>,
    /// The whole city.
    pub total: Cost,
}

/// How money is computed: (zh, en).
pub const MONEY_HOW: (&str, &str) = (
    "每个网络区：已批配额（ResourceQuota hard，无状态时取 Tenant 的 spec.zones[].quota）与已用配额（ResourceQuota used）的 requests.cpu（核）× 每核月价 + requests.memory（GiB）× 每 GiB 月价 + requests.storage（GiB）× 每 GiB 月价，单位为元/月；可回收 = 逐项 max(0, 已批 − 已用) 之和。无状态时已用与可回收缺失。",
    "In each zone: the quota granted (ResourceQuota hard; without status, the Tenant's spec.zones[].quota) and in use (ResourceQuota used), requests.cpu (cores) × price per core-month + requests.memory (GiB) × price per GiB-month + requests.storage (GiB) × price per GiB-month, in ¥ per month; reclaimable = the sum over the resources of max(0, granted − in use). Without status, in use and reclaimable are missing.",
);

/// The cost of one tenant in one zone, when the zone has a price.
fn zone_cost(t: &Tenant, zone: &str, prices: &PriceTable) -> Option<Cost> {
    let q = |m: Option<&BTreeMap<String, String>>, key: &str| -> Option<f64> {
        m?.get(key).and_then(|v| Quantity::parse(v).ok()).map(Quantity::to_f64)
    };
    let status = t.status.as_ref().and_then(|s| s.quota.iter().find(|u| u.zone == zone));
    let spec = t.spec.zones.iter().find(|z| z.name == zone)?;
    let from_spec = |v: &str| Quantity::parse(v).ok().map(Quantity::to_f64).unwrap_or(0.0);
    let granted = match status {
        Some(s) => [
            q(Some(&s.granted), "requests.cpu").unwrap_or(0.0),
            q(Some(&s.granted), "requests.memory").unwrap_or(0.0),
            q(Some(&s.granted), "requests.storage").unwrap_or(0.0),
        ],
        None => [from_spec(&spec.quota.cpu), from_spec(&spec.quota.memory), from_spec(&spec.quota.storage)],
    };
    let used = status.map(|s| {
        [
            q(Some(&s.used), "requests.cpu").unwrap_or(0.0),
            q(Some(&s.used), "requests.memory").unwrap_or(0.0),
            q(Some(&s.used), "requests.storage").unwrap_or(0.0),
        ]
    });
    let price = |v: [f64; 3]| prices.price(zone, v[0], v[1], v[2]);
    let reclaimable = used.map(|u| [0, 1, 2].map(|k| (granted[k] - u[k]).max(0.0)));
    Some(Cost { granted: price(granted)?, used: used.and_then(price), reclaimable: reclaimable.and_then(price) })
}

/// The quota of every tenant of `model` in money.
pub(crate) fn money(model: &Model, prices: &PriceTable) -> Money {
    let mut m = Money {
        currency: prices.currency.clone(),
        how: (MONEY_HOW.0.into(), MONEY_HOW.1.into()),
        total: Cost::zero(),
        ..Money::default()
    };
    for t in &model.tenants {
        let mut sum = Cost::zero();
        let mut per_zone = BTreeMap::new();
        for z in &t.spec.zones {
            let Some(c) = zone_cost(t, &z.name, prices) else { continue };
            sum.add(c);
            m.zones.entry(z.name.clone()).or_insert_with(Cost::zero).add(c);
            m.total.add(c);
            per_zone.insert(z.name.clone(), c);
        }
        m.tenants.insert(t.name_any(), sum);
        m.tenant_zones.insert(t.name_any(), per_zone);
    }
    m
}

#[cfg(test)]
mod tests;
