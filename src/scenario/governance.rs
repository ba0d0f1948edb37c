//! Building the approval governance of a scenario file (`governance:`).
//!
//! The threshold is a finite value ≥ 0; a governance block requires
//! approvals, so the planners must approve at least one decision a day; the
//! working day lies within a day (0 ≤ start < end ≤ 24 hours); the approval
//! delay's hours are finite, ≥ 0 and at most [`MAX_DELAY_HOURS`] (mean and
//! sd > 0 for the lognormal and gamma, within the distributions' ranges).

use super::build::{FieldError, fail};
use super::file::{ApprovalOrderFile, DelayFile, GovernanceFile};
use echelon_sim::distribution::LeadTime;
use echelon_sim::governance::{ApprovalOrder, Governance};
use echelon_sim::time::Minute;
use echelon_strategies::registry::{CustomSpec, Registry};

/// The governance of `file`, validated; a `Custom` queue order is looked
/// up in `registry`.
pub fn governance(file: Option<&GovernanceFile>, registry: &Registry) -> Result<Option<Governance>, FieldError> {
    let Some(file) = file else { return Ok(None) };
    let path = |field: &str| format!("governance.{field}");
    if !(file.approval_above.is_finite() && file.approval_above >= 0.0) {
        return fail(path("approval_above"), format!("a value (currency) ≥ 0, got {}", file.approval_above));
    }
    if file.approvals_per_day == 0 {
        return fail(
            path("approvals_per_day"),
            "planner capacity 0 while decisions above approval_above need approval: nothing would ever be \
             released; give at least 1 approval a day, or remove `governance` to release every decision at once",
        );
    }
    let hours = &file.working_hours;
    if !(hours.start.is_finite()
        && hours.end.is_finite()
        && 0.0 <= hours.start
        && hours.start < hours.end
        && hours.end <= 24.0)
    {
        return fail(
            path("working_hours"),
            format!("hours after midnight with 0 ≤ start < end ≤ 24, got start {} and end {}", hours.start, hours.end),
        );
    }
    Ok(Some(Governance {
        approval_above: file.approval_above,
        approvals_per_day: file.approvals_per_day,
        work_start: hours_to_minutes(hours.start),
        work_end: hours_to_minutes(hours.end),
        delay: delay(&file.approval_delay, &path("approval_delay"))?,
        order: order(&file.queue, registry)?,
    }))
}

fn order(
    file: &ApprovalOrderFile,
    registry: &Registry,
) -> Result<std::sync::Arc<dyn echelon_sim::governance::ApprovalOrdering>, FieldError> {
    let (bundled, custom) = match file {
        ApprovalOrderFile::Fifo => (ApprovalOrder::Fifo, None),
        ApprovalOrderFile::ExceptionPriority => (ApprovalOrder::ExceptionPriority, None),
        ApprovalOrderFile::Custom { name, params } => {
            (ApprovalOrder::Fifo, Some(CustomSpec { name: name.clone(), params: params.clone() }))
        }
    };
    registry.approval_order(bundled, custom.as_ref()).map_err(|e| FieldError {
        path: if e.field.is_empty() { "governance.queue".into() } else { format!("governance.queue.{}", e.field) },
        message: e.message,
    })
}

fn hours_to_minutes(hours: f64) -> Minute {
    (hours * 60.0).round() as Minute
}

/// The longest approval delay (mean or sd) accepted, in hours: the longest
/// horizon, 100,000 days.
pub const MAX_DELAY_HOURS: f64 = 24.0 * super::build::MAX_HORIZON_DAYS as f64;

/// An approval delay in hours, as a distribution sampling minutes.
fn delay(file: &DelayFile, path: &str) -> Result<LeadTime, FieldError> {
    let hours = |field: &str, value: f64, positive: bool| {
        if value.is_finite() && (value > 0.0 || (!positive && value == 0.0)) && value <= MAX_DELAY_HOURS {
            Ok(value / 24.0)
        } else {
            let bound = if positive { "> 0" } else { "≥ 0" };
            fail(
                format!("{path}.{field}"),
                format!("hours must be a number {bound} and at most {MAX_DELAY_HOURS}, got {value}"),
            )
        }
    };
    let built = match *file {
        DelayFile::Constant { hours: h } => LeadTime::constant(hours("hours", h, false)?),
        DelayFile::Normal { mean_hours, sd_hours } => {
            LeadTime::normal(hours("mean_hours", mean_hours, false)?, hours("sd_hours", sd_hours, false)?)
        }
        DelayFile::LogNormal { mean_hours, sd_hours } => {
            LeadTime::lognormal(hours("mean_hours", mean_hours, true)?, hours("sd_hours", sd_hours, true)?)
        }
        DelayFile::Gamma { mean_hours, sd_hours } => {
            LeadTime::gamma(hours("mean_hours", mean_hours, true)?, hours("sd_hours", sd_hours, true)?)
        }
    };
    // The distributions check their own ranges in days; name the field in hours.
    built.map_err(|e| {
        let field = match e.param {
            "mean_days" => "mean_hours",
            "sd_days" => "sd_hours",
            _ => "hours",
        };
        FieldError { path: format!("{path}.{field}"), message: format!("{} (in days: hours ÷ 24)", e.message) }
    })
}
