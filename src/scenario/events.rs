//! Building the disruptions of a scenario file (`events:`).
//!
//! Every name resolves (supplier, location, lane), the window starts inside
//! the horizon (a window running past the horizon is cut at it), multipliers
//! are finite and positive, and event names are unique — they address events
//! in sweep paths and name them in reports.

use super::build::{FieldError, fail, resolve};
use super::file::{EventFile, EventKindFile, InTransitFile, ScenarioFile};
use echelon_sim::disruption::{Disruption, DisruptionKind, InTransit};
use echelon_sim::model::Lane;
use std::collections::{BTreeMap, BTreeSet};

/// The largest multiplier accepted on demand or lead times.
pub const MAX_MULTIPLIER: f64 = 1000.0;

/// Name→index maps the events refer to.
pub struct Names<'a> {
    /// Supplier ids.
    pub suppliers: &'a BTreeMap<&'a str, usize>,
    /// Location ids.
    pub locations: &'a BTreeMap<&'a str, usize>,
}

/// Builds every event of `file` over `lanes` within `horizon_days`.
pub fn disruptions(
    file: &ScenarioFile,
    names: &Names<'_>,
    lanes: &[Lane],
    horizon_days: u32,
) -> Result<Vec<Disruption>, FieldError> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(file.events.len());
    for (i, event) in file.events.iter().enumerate() {
        let path = format!("events[{i}]");
        let disruption = disruption(event, &path, names, lanes, horizon_days)?;
        if !seen.insert(disruption.name.clone()) {
            return fail(format!("{path}.name"), format!("duplicate event name \"{}\"", disruption.name));
        }
        out.push(disruption);
    }
    Ok(out)
}

fn disruption(
    event: &EventFile,
    path: &str,
    names: &Names<'_>,
    lanes: &[Lane],
    horizon_days: u32,
) -> Result<Disruption, FieldError> {
    if event.start_day >= horizon_days {
        return fail(
            format!("{path}.start_day"),
            format!("day {} lies outside the horizon: must be below horizon_days = {horizon_days}", event.start_day),
        );
    }
    let end_day = event.days.map_or(horizon_days, |d| event.start_day.saturating_add(d).min(horizon_days));
    let kind = kind(&event.kind, &format!("{path}.kind"), names, lanes)?;
    let name = match &event.name {
        Some(name) if name.trim().is_empty() => return fail(format!("{path}.name"), "must not be empty"),
        Some(name) => name.clone(),
        None => format!("{}@{}", kind_label(&event.kind), event.start_day),
    };
    Ok(Disruption { name, start_day: event.start_day, end_day, kind })
}

fn kind_label(kind: &EventKindFile) -> &'static str {
    match kind {
        EventKindFile::SupplierOutage { .. } => "supplier-outage",
        EventKindFile::LeadTimeInflation { .. } => "lead-time-inflation",
        EventKindFile::DemandShock { .. } => "demand-shock",
    }
}

fn multiplier(path: String, value: f64) -> Result<f64, FieldError> {
    if value.is_finite() && value > 0.0 && value <= MAX_MULTIPLIER {
        Ok(value)
    } else {
        fail(path, format!("must be a number above 0 and at most {MAX_MULTIPLIER}, got {value}"))
    }
}

fn kind(kind: &EventKindFile, path: &str, names: &Names<'_>, lanes: &[Lane]) -> Result<DisruptionKind, FieldError> {
    let supplier_at = |id: &str| resolve(names.suppliers, id, format!("{path}.supplier"), "supplier");
    let location_at = |id: &str| resolve(names.locations, id, format!("{path}.location"), "location");
    Ok(match kind {
        EventKindFile::SupplierOutage { supplier, in_transit } => DisruptionKind::SupplierOutage {
            supplier: supplier_at(supplier)?,
            in_transit: match in_transit {
                InTransitFile::Continue => InTransit::Continue,
                InTransitFile::Delay => InTransit::Delay,
                InTransitFile::Lose => InTransit::Lose,
            },
        },
        EventKindFile::LeadTimeInflation { supplier, location, multiplier: m } => {
            let supplier = supplier_at(supplier)?;
            let node = location.as_deref().map(location_at).transpose()?;
            let chosen: Vec<usize> = (0..lanes.len())
                .filter(|&l| lanes[l].from_supplier == supplier && node.is_none_or(|n| lanes[l].to_node == n))
                .collect();
            if chosen.is_empty() {
                return fail(format!("{path}.location"), "no lane runs from this supplier to this location");
            }
            DisruptionKind::LeadTimeInflation {
                lanes: chosen,
                multiplier: multiplier(format!("{path}.multiplier"), *m)?,
            }
        }
        EventKindFile::DemandShock { location, multiplier: m } => DisruptionKind::DemandShock {
            node: location.as_deref().map(location_at).transpose()?,
            multiplier: multiplier(format!("{path}.multiplier"), *m)?,
        },
    })
}
