//! Building the disruptions of a scenario file: `events:` (timed),
//! `random_outages:` and `demand_pattern:`.
//!
//! Every name resolves (supplier, location, lane), a window starts inside
//! the horizon (a window running past it is cut at it), multipliers are
//! finite and positive (a capacity may be cut to 0), event names are unique
//! — they address events in sweep paths and name them in reports. A
//! promotion becomes two demand shocks, `name` (the uplift) and `name:dip`;
//! a regime shift is a demand shock to the end of the horizon.

use super::build::{FieldError, fail, resolve};
use super::file::{DemandPatternFile, EventFile, EventKindFile, InTransitFile, RandomOutageFile, ScenarioFile};
use echelon_sim::disruption::{DemandPattern, Disruption, DisruptionKind, InTransit, RandomOutage};
use echelon_sim::model::{Lane, Source, Supplier};
use echelon_sim::strategy::{self, MAX_DATA_DELAY_HOURS};
use echelon_sim::time::Minute;
use std::collections::{BTreeMap, BTreeSet};

/// A visibility delay of `hours` (> 0, or ≥ 0 for the scenario's base
/// delay when `zero_ok`), in minutes.
pub fn data_delay_minutes(path: String, hours: f64, zero_ok: bool) -> Result<Minute, FieldError> {
    match strategy::data_delay_minutes(hours, zero_ok) {
        Some(minutes) => Ok(minutes),
        None => {
            let bound = if zero_ok { "≥ 0" } else { "> 0" };
            fail(path, format!("a data age in hours {bound} and ≤ {MAX_DATA_DELAY_HOURS}, got {hours}"))
        }
    }
}

/// The largest multiplier accepted on demand, capacity or lead times.
pub const MAX_MULTIPLIER: f64 = 1000.0;

/// What events refer to.
pub struct Names<'a> {
    /// Supplier ids.
    pub suppliers: &'a BTreeMap<&'a str, usize>,
    /// Location ids.
    pub locations: &'a BTreeMap<&'a str, usize>,
    /// The lanes.
    pub lanes: &'a [Lane],
    /// The suppliers (for capacities).
    pub supplier_list: &'a [Supplier],
    /// Days per run.
    pub horizon_days: u32,
}

impl Names<'_> {
    /// A supplier or location id as a lane source.
    fn source(&self, id: &str, path: String) -> Result<Source, FieldError> {
        if let Some(&s) = self.suppliers.get(id) {
            return Ok(Source::Supplier(s));
        }
        if let Some(&n) = self.locations.get(id) {
            return Ok(Source::Node(n));
        }
        let valid: Vec<String> =
            self.suppliers.keys().chain(self.locations.keys()).map(|k| format!("\"{k}\"")).collect();
        fail(path, format!("unknown supplier or location \"{id}\"; valid: {}", valid.join(", ")))
    }

    /// The lanes from `from`, to `to` when given.
    fn lanes_from(&self, from: Source, to: Option<usize>, path: String) -> Result<Vec<usize>, FieldError> {
        let chosen: Vec<usize> = (0..self.lanes.len())
            .filter(|&l| self.lanes[l].from == from && to.is_none_or(|n| self.lanes[l].to_node == n))
            .collect();
        if chosen.is_empty() {
            return fail(path, "no lane runs from this source to this location");
        }
        Ok(chosen)
    }

    fn location(&self, id: &str, path: String) -> Result<usize, FieldError> {
        resolve(self.locations, id, path, "location")
    }
}

/// Builds every timed event of `file`.
pub fn disruptions(file: &ScenarioFile, names: &Names<'_>) -> Result<Vec<Disruption>, FieldError> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(file.events.len());
    for (i, event) in file.events.iter().enumerate() {
        let path = format!("events[{i}]");
        for disruption in disruption(event, &path, names)? {
            if !seen.insert(disruption.name.clone()) {
                return fail(format!("{path}.name"), format!("duplicate event name \"{}\"", disruption.name));
            }
            out.push(disruption);
        }
    }
    Ok(out)
}

fn in_transit(rule: InTransitFile) -> InTransit {
    match rule {
        InTransitFile::Continue => InTransit::Continue,
        InTransitFile::Delay => InTransit::Delay,
        InTransitFile::Lose => InTransit::Lose,
    }
}

fn multiplier(path: String, value: f64, zero_ok: bool) -> Result<f64, FieldError> {
    let low_ok = if zero_ok { value >= 0.0 } else { value > 0.0 };
    if value.is_finite() && low_ok && value <= MAX_MULTIPLIER {
        Ok(value)
    } else {
        let low = if zero_ok { "0 or more" } else { "above 0" };
        fail(path, format!("must be a number {low} and at most {MAX_MULTIPLIER}, got {value}"))
    }
}

fn kind_label(kind: &EventKindFile) -> &'static str {
    match kind {
        EventKindFile::SupplierOutage { .. } => "supplier-outage",
        EventKindFile::LaneOutage { .. } => "lane-outage",
        EventKindFile::CapacityCut { .. } => "capacity-cut",
        EventKindFile::LeadTimeInflation { .. } => "lead-time-inflation",
        EventKindFile::NodeClosure { .. } => "node-closure",
        EventKindFile::DemandShock { .. } => "demand-shock",
        EventKindFile::Promotion { .. } => "promotion",
        EventKindFile::RegimeShift { .. } => "regime-shift",
        EventKindFile::ForecastOutage { .. } => "forecast-outage",
        EventKindFile::StaleData { .. } => "stale-data",
    }
}

/// One event: usually one disruption, two for a promotion.
fn disruption(event: &EventFile, path: &str, names: &Names<'_>) -> Result<Vec<Disruption>, FieldError> {
    let horizon = names.horizon_days;
    if event.start_day >= horizon {
        return fail(
            format!("{path}.start_day"),
            format!("day {} lies outside the horizon: must be below horizon_days = {horizon}", event.start_day),
        );
    }
    if matches!(event.kind, EventKindFile::RegimeShift { .. }) && event.days.is_some() {
        return fail(format!("{path}.days"), "a regime shift lasts to the end of the horizon: give no `days`");
    }
    let end_day = event.days.map_or(horizon, |d| event.start_day.saturating_add(d).min(horizon));
    let name = match &event.name {
        Some(name) if name.trim().is_empty() => return fail(format!("{path}.name"), "must not be empty"),
        Some(name) => name.clone(),
        None => format!("{}@{}", kind_label(&event.kind), event.start_day),
    };
    let window = |name: String, start_day: u32, end_day: u32, kind| Disruption { name, start_day, end_day, kind };
    let at = format!("{path}.kind");
    let shock_node = |location: &Option<String>| {
        location.as_deref().map(|l| names.location(l, format!("{at}.location"))).transpose()
    };
    let kind = match &event.kind {
        EventKindFile::SupplierOutage { supplier, in_transit: rule } => {
            let s = resolve(names.suppliers, supplier, format!("{at}.supplier"), "supplier")?;
            let lanes = names.lanes_from(Source::Supplier(s), None, format!("{at}.supplier"))?;
            DisruptionKind::Outage { lanes, in_transit: in_transit(*rule) }
        }
        EventKindFile::LaneOutage { from, to, in_transit: rule } => {
            let source = names.source(from, format!("{at}.from"))?;
            let to = names.location(to, format!("{at}.to"))?;
            DisruptionKind::Outage {
                lanes: names.lanes_from(source, Some(to), format!("{at}.to"))?,
                in_transit: in_transit(*rule),
            }
        }
        EventKindFile::CapacityCut { supplier, multiplier: m } => {
            let s = resolve(names.suppliers, supplier, format!("{at}.supplier"), "supplier")?;
            if names.supplier_list[s].capacity_per_day.is_none() {
                return fail(
                    format!("{at}.supplier"),
                    format!("supplier \"{supplier}\" has no capacity_per_day to cut"),
                );
            }
            DisruptionKind::CapacityCut { supplier: s, multiplier: multiplier(format!("{at}.multiplier"), *m, true)? }
        }
        EventKindFile::LeadTimeInflation { supplier, location, multiplier: m } => {
            let source = names.source(supplier, format!("{at}.supplier"))?;
            let node = location.as_deref().map(|l| names.location(l, format!("{at}.location"))).transpose()?;
            let lanes = names.lanes_from(source, node, format!("{at}.location"))?;
            DisruptionKind::LeadTimeInflation { lanes, multiplier: multiplier(format!("{at}.multiplier"), *m, false)? }
        }
        EventKindFile::NodeClosure { location } => {
            DisruptionKind::NodeClosure { node: names.location(location, format!("{at}.location"))? }
        }
        EventKindFile::DemandShock { location, multiplier: m }
        | EventKindFile::RegimeShift { location, multiplier: m } => DisruptionKind::DemandShock {
            node: shock_node(location)?,
            multiplier: multiplier(format!("{at}.multiplier"), *m, false)?,
        },
        EventKindFile::ForecastOutage { location } => DisruptionKind::ForecastOutage { node: shock_node(location)? },
        EventKindFile::StaleData { location, hours } => DisruptionKind::StaleData {
            node: shock_node(location)?,
            delay: data_delay_minutes(format!("{at}.hours"), *hours, false)?,
        },
        EventKindFile::Promotion { location, uplift, dip, dip_days } => {
            let node = shock_node(location)?;
            let up =
                DisruptionKind::DemandShock { node, multiplier: multiplier(format!("{at}.uplift"), *uplift, false)? };
            let down = DisruptionKind::DemandShock { node, multiplier: multiplier(format!("{at}.dip"), *dip, false)? };
            let dip_end = end_day.saturating_add(*dip_days).min(horizon);
            let mut out = vec![window(name.clone(), event.start_day, end_day, up)];
            if dip_end > end_day {
                out.push(window(format!("{name}:dip"), end_day, dip_end, down));
            }
            return Ok(out);
        }
    };
    Ok(vec![window(name, event.start_day, end_day, kind)])
}

/// Builds the random outage processes.
pub fn random_outages(file: &ScenarioFile, names: &Names<'_>) -> Result<Vec<RandomOutage>, FieldError> {
    file.random_outages
        .iter()
        .enumerate()
        .map(|(i, r): (usize, &RandomOutageFile)| {
            let path = format!("random_outages[{i}]");
            let source = names.source(&r.from, format!("{path}.from"))?;
            let to = r.to.as_deref().map(|t| names.location(t, format!("{path}.to"))).transpose()?;
            let lanes = names.lanes_from(source, to, format!("{path}.to"))?;
            for (field, v) in [("mean_up_days", r.mean_up_days), ("mean_down_days", r.mean_down_days)] {
                if !(v.is_finite() && v > 0.0 && v <= 1e6) {
                    return fail(
                        format!("{path}.{field}"),
                        format!("must be a number of days above 0 and at most 1,000,000, got {v}"),
                    );
                }
            }
            Ok(RandomOutage {
                name: r.name.clone(),
                lanes,
                mean_up_days: r.mean_up_days,
                mean_down_days: r.mean_down_days,
                in_transit: in_transit(r.in_transit),
            })
        })
        .collect()
}

/// Builds the demand pattern.
pub fn demand_pattern(file: &ScenarioFile) -> Result<Option<DemandPattern>, FieldError> {
    let Some(p): Option<&DemandPatternFile> = file.demand_pattern.as_ref() else { return Ok(None) };
    let weekly: [f64; 7] = p.weekly.as_slice().try_into().map_err(|_| FieldError {
        path: "demand_pattern.weekly".into(),
        message: format!("needs 7 factors (day % 7 = 0..6), got {}", p.weekly.len()),
    })?;
    if let Some(k) = weekly.iter().position(|w| !(w.is_finite() && (0.0..=MAX_MULTIPLIER).contains(w))) {
        return fail(
            format!("demand_pattern.weekly[{k}]"),
            format!("must be between 0 and {MAX_MULTIPLIER}, got {}", weekly[k]),
        );
    }
    if !(p.annual_amplitude.is_finite() && (0.0..=1.0).contains(&p.annual_amplitude)) {
        return fail("demand_pattern.annual_amplitude", format!("must be between 0 and 1, got {}", p.annual_amplitude));
    }
    if !(p.annual_peak_day.is_finite() && (0.0..366.0).contains(&p.annual_peak_day)) {
        return fail(
            "demand_pattern.annual_peak_day",
            format!("must be a day of the year 0..365, got {}", p.annual_peak_day),
        );
    }
    if !(p.trend_per_year.is_finite() && (-1.0..=10.0).contains(&p.trend_per_year)) {
        return fail("demand_pattern.trend_per_year", format!("must be between -1 and 10, got {}", p.trend_per_year));
    }
    Ok(Some(DemandPattern {
        weekly,
        annual_amplitude: p.annual_amplitude,
        annual_peak_day: p.annual_peak_day,
        trend_per_year: p.trend_per_year,
    }))
}
