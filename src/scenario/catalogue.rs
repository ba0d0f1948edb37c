//! The catalogue generator: many SKUs from a few lines of scenario.
//!
//! # Contract
//!
//! A `catalogue:` entry generates `count` SKUs, ids `<prefix>-0001`, …, and
//! their daily demand at each listed location, appended to `skus` and
//! `demand` before validation. Generation is a pure function of the entry
//! (its own seed; the same catalogue in every run and replication):
//!
//! * the first `shares.a` of the SKUs are A items, the next `shares.b` B
//!   items, the rest C items;
//! * an item's mean daily demand at a location is its class mean ×
//!   `exp(0.4·Z − 0.08)` (Z standard normal: a lognormal spread with mean 1),
//!   split across customer classes by their shares;
//! * its daily demand has the class's coefficient of variation: negative
//!   binomial with sd = cv × mean when that exceeds the Poisson spread,
//!   otherwise Poisson;
//! * unit cost is log-uniform on `unit_cost.min..unit_cost.max`; price is
//!   cost × (1 + margin).

use super::build::{FieldError, fail};
use super::file::{AbcFile, CatalogueFile, DemandFile, DemandModelFile, ScenarioFile, SkuFile};
use echelon_sim::rng::{self, StreamKey};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

/// The most SKUs one catalogue entry may generate.
pub const MAX_COUNT: u32 = 1_000_000;

/// `file` with its catalogue expanded into `skus` and `demand`, or `None`
/// when it has no catalogue.
pub fn expand(file: &ScenarioFile) -> Result<Option<ScenarioFile>, FieldError> {
    if file.catalogue.is_empty() {
        return Ok(None);
    }
    let mut expanded = file.clone();
    for (i, entry) in file.catalogue.iter().enumerate() {
        let path = format!("catalogue[{i}]");
        let locations = check(entry, file, &path)?;
        generate(entry, i, &locations, &mut expanded);
    }
    Ok(Some(expanded))
}

fn abc(path: &str, value: &AbcFile, low: f64, high: f64) -> Result<(), FieldError> {
    for (name, v) in [("a", value.a), ("b", value.b), ("c", value.c)] {
        if !(v.is_finite() && (low..=high).contains(&v)) {
            return fail(format!("{path}.{name}"), format!("must be between {low} and {high}, got {v}"));
        }
    }
    Ok(())
}

/// Validates `entry`; returns the locations it stocks.
fn check(entry: &CatalogueFile, file: &ScenarioFile, path: &str) -> Result<Vec<String>, FieldError> {
    if entry.count == 0 || entry.count > MAX_COUNT {
        return fail(format!("{path}.count"), format!("must be between 1 and {MAX_COUNT}, got {}", entry.count));
    }
    abc(&format!("{path}.shares"), &entry.shares, 0.0, 1.0)?;
    let total = entry.shares.a + entry.shares.b + entry.shares.c;
    if (total - 1.0).abs() > 1e-6 {
        return fail(format!("{path}.shares"), format!("a + b + c must be 1, got {total}"));
    }
    abc(&format!("{path}.mean_daily_demand"), &entry.mean_daily_demand, 1e-6, 1e6)?;
    abc(&format!("{path}.cv"), &entry.cv, 0.0, 10.0)?;
    let cost = entry.unit_cost;
    if !(cost.min.is_finite() && cost.max.is_finite() && cost.min > 0.0 && cost.max >= cost.min && cost.max <= 1e9) {
        return fail(
            format!("{path}.unit_cost"),
            format!("needs 0 < min ≤ max ≤ 1e9, got min = {}, max = {}", cost.min, cost.max),
        );
    }
    for (field, v) in [("margin", entry.margin), ("holding_rate", entry.holding_rate)] {
        if !(v.is_finite() && (0.0..=100.0).contains(&v)) {
            return fail(format!("{path}.{field}"), format!("must be between 0 and 100, got {v}"));
        }
    }
    let known: Vec<&str> = file.locations.iter().map(|l| l.id.as_str()).collect();
    let locations = entry.locations.clone().unwrap_or_else(|| known.iter().map(|s| s.to_string()).collect());
    if let Some((k, bad)) = locations.iter().enumerate().find(|(_, l)| !known.contains(&l.as_str())) {
        return fail(
            format!("{path}.locations[{k}]"),
            format!("unknown location \"{bad}\"; valid: {}", known.join(", ")),
        );
    }
    let classes: Vec<&str> = file.classes.iter().map(|c| c.name.as_str()).collect();
    for (k, split) in entry.classes.iter().enumerate() {
        if !classes.contains(&split.class.as_str()) {
            return fail(
                format!("{path}.classes[{k}].class"),
                format!("unknown class \"{}\"; valid: {}", split.class, classes.join(", ")),
            );
        }
    }
    let split: f64 = entry.classes.iter().map(|c| c.share).sum();
    if !entry.classes.is_empty() && ((split - 1.0).abs() > 1e-6 || entry.classes.iter().any(|c| c.share < 0.0)) {
        return fail(format!("{path}.classes"), format!("shares must be ≥ 0 and sum to 1, got {split}"));
    }
    Ok(locations)
}

fn generate(entry: &CatalogueFile, index: usize, locations: &[String], out: &mut ScenarioFile) {
    let mut stream = rng::stream(entry.seed, 0, StreamKey::catalogue(index));
    let width = entry.count.to_string().len().max(4);
    let count = f64::from(entry.count);
    let classes: Vec<(Option<String>, f64)> = if entry.classes.is_empty() {
        vec![(None, 1.0)]
    } else {
        entry.classes.iter().map(|c| (Some(c.class.clone()), c.share)).collect()
    };
    for i in 0..entry.count {
        let position = f64::from(i) / count;
        let (class_mean, cv) = if position < entry.shares.a {
            (entry.mean_daily_demand.a, entry.cv.a)
        } else if position < entry.shares.a + entry.shares.b {
            (entry.mean_daily_demand.b, entry.cv.b)
        } else {
            (entry.mean_daily_demand.c, entry.cv.c)
        };
        let z: f64 = StandardNormal.sample(&mut stream);
        let mean = class_mean * (0.4 * z - 0.08).exp();
        let u: f64 = stream.random();
        let unit_cost = entry.unit_cost.min * (entry.unit_cost.max / entry.unit_cost.min).powf(u);
        let id = format!("{}-{:0width$}", entry.prefix, i + 1);
        out.skus.push(SkuFile {
            id: id.clone(),
            unit_cost,
            price: Some(unit_cost * (1.0 + entry.margin)),
            holding_rate: entry.holding_rate,
            ordering_cost: entry.ordering_cost,
            backorder_penalty_per_day: entry.backorder_penalty_per_day,
            lost_sale_penalty: None,
            min_order: None,
            case_pack: None,
            max_order: None,
            volume: entry.volume,
            substitutes: Vec::new(),
            returns: Default::default(),
        });
        for location in locations {
            for (class, share) in &classes {
                out.demand.push(DemandFile {
                    location: location.clone(),
                    sku: id.clone(),
                    class: class.clone(),
                    model: daily_model(mean * share, cv),
                });
            }
        }
    }
}

/// Negative binomial with sd = cv × mean when that is over-dispersed,
/// otherwise Poisson.
fn daily_model(mean: f64, cv: f64) -> DemandModelFile {
    let sd = cv * mean;
    if sd * sd > mean * 1.001 {
        DemandModelFile::NegativeBinomial { mean, sd }
    } else {
        DemandModelFile::Poisson { mean }
    }
}
