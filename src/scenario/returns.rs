//! Validation of customer returns and substitutes: from the file's
//! `classes[i].returns`, `skus[i].returns` and `skus[i].substitutes` to the
//! model's (engine semantics: `echelon_sim::engine`'s modules `returns` and
//! `substitution`).
//!
//! Refused: a return share outside [0, 1] or an impossible delay; a
//! substitute that is not a SKU of the scenario, is the SKU itself, is
//! listed twice, has a negative cost, or is stocked at no location where
//! the SKU has customer demand; and any cycle of substitution (A names B
//! and B, directly or through others, names A).

use super::build::{FieldError, fail, lead_time, non_negative, resolve};
use super::file::{ClassFile, ReturnDispositionFile, ScenarioFile};
use echelon_sim::model::{DemandStream, ReturnDisposition, Returns, StockingNode, Substitute};
use std::collections::BTreeMap;

/// Class `i`'s returns.
pub(super) fn class_returns(class: &ClassFile, i: usize) -> Result<Option<Returns>, FieldError> {
    let Some(returns) = &class.returns else { return Ok(None) };
    let path = format!("classes[{i}].returns");
    if !(returns.share.is_finite() && (0.0..=1.0).contains(&returns.share)) {
        return fail(
            format!("{path}.share"),
            format!("the share of shipped units returned must be between 0 and 1, got {}", returns.share),
        );
    }
    let delay = lead_time(&returns.delay, &format!("{path}.delay"))?;
    Ok(Some(Returns { share: returns.share, delay }))
}

/// What a SKU does with returned units.
pub(super) fn disposition(file: ReturnDispositionFile) -> ReturnDisposition {
    match file {
        ReturnDispositionFile::Restock => ReturnDisposition::Restock,
        ReturnDispositionFile::Scrap => ReturnDisposition::Scrap,
    }
}

/// Every SKU's substitutes, validated against the network (`nodes`, and
/// `demand` localised to them).
pub(super) fn substitutes(
    file: &ScenarioFile,
    skus: &BTreeMap<&str, usize>,
    nodes: &[StockingNode],
    demand: &[DemandStream],
) -> Result<Vec<Vec<Substitute>>, FieldError> {
    // Per SKU, the locations where it has customer demand.
    let mut demanded_at: Vec<Vec<usize>> = vec![Vec::new(); file.skus.len()];
    for stream in demand {
        let global = nodes[stream.node].skus[stream.local_sku];
        if demanded_at[global].last() != Some(&stream.node) {
            demanded_at[global].push(stream.node);
        }
    }
    let mut all = Vec::with_capacity(file.skus.len());
    for (i, sku) in file.skus.iter().enumerate() {
        let mut list: Vec<Substitute> = Vec::with_capacity(sku.substitutes.len());
        for (j, substitute) in sku.substitutes.iter().enumerate() {
            let path = format!("skus[{i}].substitutes[{j}]");
            let s = resolve(skus, &substitute.sku, format!("{path}.sku"), "SKU")?;
            if s == i {
                return fail(
                    format!("{path}.sku"),
                    format!("\"{}\" cannot substitute for itself; name another SKU", sku.id),
                );
            }
            if list.iter().any(|l| l.sku == s) {
                return fail(
                    format!("{path}.sku"),
                    format!(
                        "\"{}\" is listed twice among the substitutes of \"{}\"; list each once",
                        substitute.sku, sku.id
                    ),
                );
            }
            if !demanded_at[i].iter().any(|&n| nodes[n].skus.binary_search(&s).is_ok()) {
                let places: Vec<String> = demanded_at[i].iter().map(|&n| format!("\"{}\"", nodes[n].id)).collect();
                let where_ = if places.is_empty() {
                    format!("\"{}\" has customer demand nowhere", sku.id)
                } else {
                    format!("\"{}\" has customer demand at {}", sku.id, places.join(", "))
                };
                return fail(
                    format!("{path}.sku"),
                    format!(
                        "substitute \"{}\" is stocked at no location where {where_}; a substitute must be \
                         stocked (demanded there, or feeding a location that is) where the SKU is demanded",
                        substitute.sku
                    ),
                );
            }
            let cost_per_unit = non_negative(format!("{path}.cost_per_unit"), substitute.cost_per_unit)?;
            list.push(Substitute { sku: s, cost_per_unit });
        }
        all.push(list);
    }
    check_cycles(file, &all)?;
    Ok(all)
}

/// Refuses the first cycle of substitution found (SKUs in file order).
fn check_cycles(file: &ScenarioFile, substitutes: &[Vec<Substitute>]) -> Result<(), FieldError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut mark = vec![Mark::New; substitutes.len()];
    for root in 0..substitutes.len() {
        if mark[root] != Mark::New {
            continue;
        }
        // (SKU, next substitute to visit); the stack is the current path.
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        mark[root] = Mark::OnPath;
        while let Some(&mut (sku, ref mut next)) = stack.last_mut() {
            let Some(edge) = substitutes[sku].get(*next) else {
                mark[sku] = Mark::Done;
                stack.pop();
                continue;
            };
            let j = *next;
            *next += 1;
            match mark[edge.sku] {
                Mark::Done => {}
                Mark::New => {
                    mark[edge.sku] = Mark::OnPath;
                    stack.push((edge.sku, 0));
                }
                Mark::OnPath => {
                    let start = stack.iter().position(|&(s, _)| s == edge.sku).expect("on the path");
                    let mut names: Vec<&str> = stack[start..].iter().map(|&(s, _)| file.skus[s].id.as_str()).collect();
                    names.push(&file.skus[edge.sku].id);
                    return fail(
                        format!("skus[{sku}].substitutes[{j}].sku"),
                        format!(
                            "substitution cycle {}; substitutes must not lead back to the SKU they stand in for",
                            names.join(" → ")
                        ),
                    );
                }
            }
        }
    }
    Ok(())
}
