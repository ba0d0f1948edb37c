//! The network's shape: lanes, each location's sources, no cycles, heights,
//! and which SKUs each location stocks.
//!
//! Rules checked, each with its field path:
//! * a lane starts at a supplier or a location and ends at a location; a
//!   lateral lane (transfers only) runs between two locations;
//! * every location has one or two replenishment lanes (the first listed is
//!   the primary);
//! * replenishment lanes between locations form no cycle (the message names
//!   the cycle);
//! * a location stocks the SKUs its customers demand and every SKU stocked
//!   by a location it feeds.

use super::build::{FieldError, fail, lead_time, non_negative, positive_volume, whole_units};
use super::file::{LaneFile, LocationFile, ScenarioFile, SourcingFile};
use echelon_sim::model::{ExpediteMode, Lane, Source, Sourcing, StockingNode, Storage, Trucks, VolumeStorage};
use std::collections::{BTreeMap, BTreeSet};

/// Name → index maps of suppliers and locations.
pub struct Ids<'a> {
    /// Supplier ids.
    pub suppliers: &'a BTreeMap<&'a str, usize>,
    /// Location ids.
    pub locations: &'a BTreeMap<&'a str, usize>,
}

fn source(ids: &Ids<'_>, lane: &LaneFile, path: &str) -> Result<Source, FieldError> {
    if let Some(&s) = ids.suppliers.get(lane.from.as_str()) {
        return Ok(Source::Supplier(s));
    }
    if let Some(&n) = ids.locations.get(lane.from.as_str()) {
        return Ok(Source::Node(n));
    }
    let valid: Vec<String> = ids.suppliers.keys().chain(ids.locations.keys()).map(|k| format!("\"{k}\"")).collect();
    fail(format!("{path}.from"), format!("unknown supplier or location \"{}\"; valid: {}", lane.from, valid.join(", ")))
}

/// Builds and checks every lane.
pub fn lanes(file: &ScenarioFile, ids: &Ids<'_>) -> Result<Vec<Lane>, FieldError> {
    file.lanes
        .iter()
        .enumerate()
        .map(|(l, lane)| {
            let path = format!("lanes[{l}]");
            let from = source(ids, lane, &path)?;
            let to_node = *ids.locations.get(lane.to.as_str()).ok_or_else(|| {
                let valid: Vec<String> = ids.locations.keys().map(|k| format!("\"{k}\"")).collect();
                FieldError {
                    path: format!("{path}.to"),
                    message: format!("unknown location \"{}\"; valid: {}", lane.to, valid.join(", ")),
                }
            })?;
            if lane.lateral && matches!(from, Source::Supplier(_)) {
                return fail(
                    format!("{path}.lateral"),
                    "a lateral lane runs between two locations, not from a supplier",
                );
            }
            if from == Source::Node(to_node) {
                return fail(format!("{path}.to"), format!("a lane from \"{}\" to itself is a cycle", lane.to));
            }
            let expedite = lane
                .expedite
                .as_ref()
                .map(|e| {
                    let at = format!("{path}.expedite");
                    Ok::<_, FieldError>(ExpediteMode {
                        lead_time: lead_time(&e.lead_time, &format!("{at}.lead_time"))?,
                        cost_per_unit: non_negative(format!("{at}.cost_per_unit"), e.cost_per_unit)?,
                        cost_per_shipment: non_negative(format!("{at}.cost_per_shipment"), e.cost_per_shipment)?,
                    })
                })
                .transpose()?;
            let capacity_per_day = lane
                .capacity_per_day
                .map(|c| whole_units(format!("{path}.capacity_per_day"), c, 1, "a lane's capacity per day"))
                .transpose()?;
            let trucks = lane
                .trucks
                .as_ref()
                .map(|t| {
                    let at = |field: &str| format!("{path}.trucks.{field}");
                    let units = whole_units(at("units"), t.units, 1, "a truck's load")?;
                    let min_load = whole_units(at("min_load"), t.min_load, 0, "a truck's minimum load")?;
                    if min_load > units {
                        return fail(
                            at("min_load"),
                            format!(
                                "the minimum load {min_load} is above a truck's {units} units; valid: 0 to {units}"
                            ),
                        );
                    }
                    Ok(Trucks {
                        units,
                        cost_per_truck: non_negative(at("cost_per_truck"), t.cost_per_truck)?,
                        min_load,
                        max_wait_days: t.max_wait_days,
                    })
                })
                .transpose()?;
            Ok(Lane {
                from,
                to_node,
                lead_time: lead_time(&lane.lead_time, &format!("{path}.lead_time"))?,
                cost_per_unit: non_negative(format!("{path}.cost_per_unit"), lane.cost_per_unit)?,
                lateral: lane.lateral,
                expedite,
                ownership_at_dispatch: lane.ownership == super::file::OwnershipFile::Dispatch,
                capacity_per_day,
                trucks,
            })
        })
        .collect()
}

/// A truck's minimum load must fit in its lane's capacity per day, else no
/// truck below a full one could ever leave.
pub fn check_trucks(file: &ScenarioFile, lanes: &[Lane]) -> Result<(), FieldError> {
    for (l, lane) in lanes.iter().enumerate() {
        if let (Some(capacity), Some(trucks)) = (lane.capacity_per_day, lane.trucks)
            && trucks.min_load > capacity
        {
            return fail(
                format!("lanes[{l}].trucks.min_load"),
                format!(
                    "the truck minimum {} units is above the lane's capacity_per_day {capacity} ({} → {}), so no \
                     truck could leave; valid: min_load ≤ {capacity}",
                    trucks.min_load, file.lanes[l].from, file.lanes[l].to
                ),
            );
        }
    }
    Ok(())
}

/// Each location's storage capacity by volume, if it has one.
fn volume_storage(location: &LocationFile, n: usize) -> Result<Option<VolumeStorage>, FieldError> {
    let path = |field: &str| format!("locations[{n}].{field}");
    let overflow = non_negative(path("overflow_cost_per_volume_day"), location.overflow_cost_per_volume_day)?;
    location
        .capacity_volume
        .map(|c| {
            let capacity = positive_volume(path("capacity_volume"), c, "a storage capacity by volume")?;
            Ok(VolumeStorage { capacity, overflow_cost_per_volume_day: overflow })
        })
        .transpose()
}

/// Each location's storage capacity, if it has one.
fn storage(location: &LocationFile, n: usize) -> Result<Option<Storage>, FieldError> {
    let overflow =
        non_negative(format!("locations[{n}].overflow_cost_per_unit_day"), location.overflow_cost_per_unit_day)?;
    location
        .capacity
        .map(|c| {
            let capacity = whole_units(format!("locations[{n}].capacity"), c, 1, "a storage capacity")?;
            Ok(Storage { capacity, overflow_cost_per_unit_day: overflow })
        })
        .transpose()
}

/// Each location's replenishment lanes, primary first.
fn sources(file: &ScenarioFile, lanes: &[Lane]) -> Result<Vec<Vec<usize>>, FieldError> {
    let mut sources = vec![Vec::new(); file.locations.len()];
    for (l, lane) in lanes.iter().enumerate().filter(|(_, lane)| !lane.lateral) {
        sources[lane.to_node].push(l);
        if sources[lane.to_node].len() > 2 {
            return fail(
                format!("lanes[{l}].to"),
                format!(
                    "location \"{}\" already has two sources (a primary and a secondary); mark transfer lanes `lateral: true`",
                    file.locations[lane.to_node].id
                ),
            );
        }
    }
    if let Some(n) = sources.iter().position(Vec::is_empty) {
        let id = &file.locations[n].id;
        return fail(
            format!("locations[{n}]"),
            format!("location \"{id}\" has no source: add a lane with to: \"{id}\""),
        );
    }
    Ok(sources)
}

/// Per location, the locations its replenishment lanes feed, in lane
/// order (one pass over the lanes).
fn feeds(n: usize, lanes: &[Lane]) -> Vec<Vec<usize>> {
    let mut feeds = vec![Vec::new(); n];
    for lane in lanes.iter().filter(|l| !l.lateral) {
        if let Source::Node(a) = lane.from {
            feeds[a].push(lane.to_node);
        }
    }
    feeds
}

/// The first cycle of replenishment lanes between locations, as ids.
fn find_cycle(file: &ScenarioFile, feeds: &[Vec<usize>]) -> Option<Vec<String>> {
    let n = file.locations.len();
    // Colour: 0 unvisited, 1 on the stack, 2 done.
    let mut colour = vec![0u8; n];
    let mut stack = Vec::new();
    fn visit(a: usize, feeds: &[Vec<usize>], colour: &mut [u8], stack: &mut Vec<usize>) -> Option<Vec<usize>> {
        colour[a] = 1;
        stack.push(a);
        for &b in &feeds[a] {
            if colour[b] == 1 {
                let start = stack.iter().position(|&x| x == b).expect("on the stack");
                let mut cycle = stack[start..].to_vec();
                cycle.push(b);
                return Some(cycle);
            }
            if colour[b] == 0 {
                if let Some(cycle) = visit(b, feeds, colour, stack) {
                    return Some(cycle);
                }
            }
        }
        stack.pop();
        colour[a] = 2;
        None
    }
    (0..n)
        .find_map(|a| if colour[a] == 0 { visit(a, feeds, &mut colour, &mut stack) } else { None })
        .map(|cycle| cycle.into_iter().map(|i| file.locations[i].id.clone()).collect())
}

/// Heights: 0 for a location that feeds none, else 1 + the largest height
/// of those it feeds (over replenishment lanes; the network is acyclic).
/// One post-order walk with an explicit stack: O(locations + lanes), and
/// deep chains need no deep call stack.
fn heights(feeds: &[Vec<usize>]) -> Vec<u32> {
    let n = feeds.len();
    let mut height = vec![0u32; n];
    let mut done = vec![false; n];
    let mut stack: Vec<(usize, bool)> = Vec::new();
    for root in 0..n {
        stack.push((root, false));
        while let Some((a, expanded)) = stack.pop() {
            if done[a] {
                continue;
            }
            if !expanded {
                stack.push((a, true));
                stack.extend(feeds[a].iter().filter(|&&b| !done[b]).map(|&b| (b, false)));
                continue;
            }
            height[a] = feeds[a].iter().map(|&b| height[b] + 1).max().unwrap_or(0);
            done[a] = true;
        }
    }
    height
}

/// The stocking nodes, given each location's customer-demand SKUs.
pub fn nodes(file: &ScenarioFile, lanes: &[Lane], demand_skus: &[Vec<usize>]) -> Result<Vec<StockingNode>, FieldError> {
    let sources = sources(file, lanes)?;
    let feeds = feeds(file.locations.len(), lanes);
    if let Some(cycle) = find_cycle(file, &feeds) {
        return fail("lanes", format!("replenishment lanes form a cycle: {}", cycle.join(" → ")));
    }
    let height = heights(&feeds);
    // Fill SKU sets from the lowest nodes up, so children are complete first.
    let mut order: Vec<usize> = (0..file.locations.len()).collect();
    order.sort_by_key(|&n| (height[n], n));
    let mut skus: Vec<BTreeSet<usize>> = demand_skus.iter().map(|s| s.iter().copied().collect()).collect();
    for &child in &order {
        for &lane in &sources[child] {
            if let Source::Node(parent) = lanes[lane].from {
                let inherited = skus[child].clone();
                skus[parent].extend(inherited);
            }
        }
    }
    file.locations
        .iter()
        .enumerate()
        .map(|(n, location)| {
            Ok(StockingNode {
                storage: storage(location, n)?,
                volume_storage: volume_storage(location, n)?,
                id: location.id.clone(),
                sources: sources[n].clone(),
                sourcing: match location.sourcing {
                    SourcingFile::PrimaryFirst => Sourcing::PrimaryFirst,
                    SourcingFile::Cheapest => Sourcing::Cheapest,
                    SourcingFile::Fastest => Sourcing::Fastest,
                },
                skus: skus[n].iter().copied().collect(),
                height: height[n],
            })
        })
        .collect()
}
