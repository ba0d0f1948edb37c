//! `echelon list [TOPIC]`: everything a scenario file can say, and the
//! metrics, wrapped to the terminal's width (100 columns when piped).
//!
//! Every event kind, level kind, demand model, lead-time distribution,
//! class, governance and catalogue field of the scenario format is listed:
//! a test reads the format's own variant and field names (from the
//! deserialiser's "expected one of" lists) and checks each appears here.

use super::terminal::Terminal;
use crate::plan::Failure;
use echelon_reports::table::wrap;
use echelon_sim::metrics::{CLASS_METRICS, METRICS};
use echelon_strategies::registry::{ALLOCATIONS, CATALOGUE, Registry};

/// The topics of `echelon list TOPIC`, in the order `echelon list` shows them.
pub const TOPICS: &[&str] = &[
    "strategies",
    "add-ons",
    "levels",
    "demand",
    "lead-times",
    "events",
    "classes",
    "governance",
    "catalogue",
    "sweeps",
    "metrics",
];

/// `echelon list [TOPIC]` on stdout.
pub fn run(topic: Option<&str>, registry: &Registry) -> Result<(), Failure> {
    let width = Terminal::detect().width;
    let text = match topic {
        None => list_at(registry, width),
        Some(t) => topic_text(t, registry, width)
            .ok_or_else(|| Failure::Usage(format!("list: unknown topic \"{t}\"; topics: {}", TOPICS.join(", "))))?,
    };
    super::emit(&text)
}

/// The text of `echelon list` with the bundled strategies only, 100
/// columns wide.
pub fn list() -> String {
    list_with(&Registry::bundled())
}

/// The text of `echelon list`, with the strategies plugged into
/// `registry`, 100 columns wide.
pub fn list_with(registry: &Registry) -> String {
    list_at(registry, echelon_reports::table::DEFAULT_WIDTH)
}

fn list_at(registry: &Registry, width: usize) -> String {
    let mut out = String::new();
    for (i, t) in TOPICS.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out += &topic_text(t, registry, width).expect("listed topic");
    }
    out.push('\n');
    out += &wrap(&format!("`echelon list TOPIC` shows one of: {}.", TOPICS.join(", ")), width, "", "  ");
    out
}

/// An entry: its syntax on one line (wrapped if need be), what it means
/// below, indented.
fn entry(out: &mut String, width: usize, syntax: &str, meaning: &str) {
    *out += &wrap(syntax, width, "  ", "      ");
    if !meaning.is_empty() {
        *out += &wrap(meaning, width, "      ", "      ");
    }
}

fn heading(out: &mut String, width: usize, text: &str) {
    *out += &wrap(text, width, "", "  ");
}

/// A topic that lists fixed entries: its heading and (syntax, meaning)
/// pairs.
struct Section {
    heading: &'static str,
    entries: &'static [(&'static str, &'static str)],
}

fn section(out: &mut String, width: usize, section: &Section) {
    heading(out, width, section.heading);
    for (syntax, meaning) in section.entries {
        entry(out, width, syntax, meaning);
    }
}

const ADD_ONS: Section = Section {
    heading: "STRATEGY ADD-ONS (fields of strategies[i] beside `replenishment:` and `allocation:`)",
    entries: &[
        ("name: \"…\"", "shown in every output; the first strategy is the reference of the comparisons"),
        ("at: {\"location\": <replenishment>}", "a different replenishment at the locations named"),
        (
            "transfers: (below_days, above_days)",
            "lateral transfers over `lateral: true` lanes: a location covering fewer than below_days gets stock from one covering more than above_days; or Custom(name, params)",
        ),
        (
            "expedites: (cover_days)",
            "expedite over lanes with an `expedite:` mode when a stock-out is projected, covering cover_days beyond the backorders; or Custom(name, params)",
        ),
    ],
};

const LEVELS: Section = Section {
    heading: "LEVELS (any stock level parameter: order_up_to, reorder_point, order_quantity, base_stock)",
    entries: &[
        ("Units(n)", "the same number of units for every SKU"),
        ("DaysOfCover(days)", "days of mean demand, rounded up to whole units"),
        ("PerSku({\"sku\": n, …})", "an explicit value per SKU id"),
        (
            "Table(file: \"levels.csv\", parameter: \"…\", strategy: \"…\")",
            "one value per (location, SKU) from a CSV (columns location, sku, value; optional parameter and strategy select rows; strategy optional); path relative to the scenario",
        ),
    ],
};

const DEMAND: Section = Section {
    heading: "DEMAND MODELS (demand[i]: (location, sku, class?, model))",
    entries: &[
        ("Poisson(mean)", "daily Poisson, units per day"),
        ("Normal(mean, sd)", "daily normal, censored at 0, rounded"),
        ("Gamma(mean, sd)", "daily gamma, rounded"),
        ("NegativeBinomial(mean, sd)", "daily negative binomial (sd² > mean)"),
        ("Constant(quantity)", "the same every day (a fraction carries to the next day)"),
        ("Intermittent(probability, mean_size, sd_size)", "a demand day with that probability, of a gamma size ≥ 1"),
        (
            "Orders(rate_per_day, size: Fixed(units) | Geometric(mean))",
            "event-driven customer orders, a Poisson stream",
        ),
        (
            "history: (file: \"sales.csv\", mode: Replay | Bootstrap, class?)",
            "recorded demand: columns day | date, location, sku, quantity; replayed in order or bootstrapped",
        ),
        (
            "demand_pattern: (weekly: [7 factors], annual_amplitude, annual_peak_day, trend_per_year)",
            "seasonality and trend multiplying all demand",
        ),
    ],
};

const LEAD_TIMES: Section = Section {
    heading: "LANES AND LEAD TIMES (lanes[i]: (from, to, lead_time, cost_per_unit, lateral, expedite?), days)",
    entries: &[
        ("Constant(days)", "always `days`"),
        ("Uniform(min_days, max_days)", "whole days uniform on min..=max"),
        ("Normal(mean_days, sd_days)", "normal truncated at 0"),
        ("LogNormal(mean_days, sd_days)", "lognormal by its mean and sd"),
        ("Gamma(mean_days, sd_days)", "gamma by its mean and sd"),
        ("Empirical(days: [..], weights: [..])", "listed values with weights"),
        (
            "expedite: (lead_time, cost_per_unit, cost_per_shipment)",
            "a faster, dearer mode of the lane, used by `expedites:`",
        ),
        (
            "locations[i].sourcing: PrimaryFirst | Cheapest | Fastest",
            "with two replenishment lanes: which one an order uses",
        ),
    ],
};

const EVENTS: Section = Section {
    heading: "EVENTS (events[i]: (name?, start_day, days?, kind); days omitted: to the end of the horizon)",
    entries: &[
        (
            "SupplierOutage(supplier, in_transit: Continue | Delay | Lose)",
            "the supplier ships nothing; goods in transit arrive as planned, are delayed by the outage, or are lost",
        ),
        ("LaneOutage(from, to, in_transit)", "the same for one lane"),
        ("CapacityCut(supplier, multiplier)", "the supplier's daily capacity is multiplied (factor in [0, 1000])"),
        (
            "LeadTimeInflation(supplier, location?, multiplier)",
            "lead times of shipments departing from the source (to one location or all) are multiplied",
        ),
        ("NodeClosure(location)", "the location serves, orders, ships and receives nothing"),
        ("DemandShock(location?, multiplier)", "demand at one location (or all) is multiplied"),
        ("Promotion(location?, uplift, dip, dip_days)", "demand rises over the window, then dips for dip_days"),
        ("RegimeShift(location?, multiplier)", "demand changes for good from start_day (give no days)"),
        (
            "ForecastOutage(location?)",
            "the forecast service is down: forecast-driven strategies see no forecast; a Fallback hands over to its fallback",
        ),
        ("StaleData(location?, hours)", "strategies see stock figures `hours` old (> 0, ≤ 720)"),
        (
            "random_outages: [(name, from, to?, mean_up_days, mean_down_days, in_transit)]",
            "two-state Markov outages per supplier or lane, exponential up and down times (windows name#1, name#2, …)",
        ),
        ("visibility_delay_hours: H", "(scenario) every strategy sees stock figures H hours old"),
    ],
};

const CLASSES: Section = Section {
    heading: "CUSTOMER CLASSES (classes[i]; absent: one class \"default\" that backorders)",
    entries: &[
        ("name", "the class name that demand[i].class refers to"),
        ("tier", "priority tier, 1 = highest (default 1)"),
        ("shortage: Backorder | LostSales", "what happens to unserved demand (default Backorder)"),
        ("sla_days", "days from demand to delivery the class expects (default 0)"),
        ("margin", "margin per unit (MarginWeighted needs it)"),
        ("late_penalty_per_day", "penalty per unit and day delivered after the SLA (default 0)"),
        ("patience_days", "days a backordered customer waits before cancelling (default: until served)"),
        ("partial_shipment", "may an order line ship in parts (default true)"),
        (
            "returns: (share, delay)",
            "a share of the units shipped to the class comes back after a delay (a lead-time distribution, days); restocked or scrapped as the SKU says (skus[i].returns: Restock | Scrap)",
        ),
    ],
};

const GOVERNANCE: Section = Section {
    heading: "GOVERNANCE (governance: (…); absent: every decision released at once)",
    entries: &[
        ("approval_above", "decisions worth more than this (units × unit cost) wait for a planner"),
        ("approvals_per_day", "decisions the planners approve per day"),
        ("working_hours: (start: 8.0, end: 17.0)", "hours after midnight the planners work (the default)"),
        (
            "approval_delay: Constant(hours) | Normal(mean_hours, sd_hours) | LogNormal(mean_hours, sd_hours) | Gamma(mean_hours, sd_hours)",
            "how long an approval takes once taken up",
        ),
        (
            "queue: Fifo | ExceptionPriority | Custom(name, params)",
            "oldest first, or highest projected shortage × margin × tier weight first (default Fifo)",
        ),
    ],
};

const CATALOGUE_FIELDS: Section = Section {
    heading: "CATALOGUE (catalogue[i]: generated SKUs with ABC-skewed demand)",
    entries: &[
        ("prefix", "SKU ids are <prefix>-0001, <prefix>-0002, … (default \"sku\")"),
        ("count", "number of SKUs"),
        ("seed", "seed of the generator: the catalogue is the same in every run (default 0)"),
        ("locations", "locations that stock it (default: every location)"),
        ("shares: (a, b, c)", "shares of A, B and C items, summing to 1 (default 0.2, 0.3, 0.5)"),
        ("mean_daily_demand: (a, b, c)", "mean daily demand of a typical A, B and C item at one location"),
        ("cv: (a, b, c)", "coefficient of variation of daily demand (default 0.3, 0.6, 1.2)"),
        ("unit_cost: (min, max)", "unit costs are log-uniform between these (default 5 to 100)"),
        ("margin", "price = unit cost × (1 + margin) (default 0.4)"),
        ("holding_rate", "annual holding rate (default 0.25)"),
        ("ordering_cost", "cost per order line (default 0)"),
        ("backorder_penalty_per_day", "penalty per backordered unit-day (default 0)"),
        ("volume", "volume of one unit of every item, for capacity_volume (default none)"),
        ("classes: [(class, share)]", "demand split across customer classes (default: all to the only class)"),
    ],
};

const SWEEPS: Section = Section {
    heading: "SWEEPS (sweep[i]: (path, values | range); the study runs every point of the grid)",
    entries: &[
        (
            "path",
            "a numeric parameter, e.g. events[outage].days or strategies[min-max].replenishment.reorder_point (also --set PATH=VALUE); not experiment.*, which every point shares",
        ),
        (
            "values: [..]",
            "the values in order: numbers, or for a field that takes a name the names (e.g. [Continue, Delay, Lose])",
        ),
        ("range: (from, to, step)", "from, from + step, … up to to inclusive (numbers only)"),
    ],
};

/// One topic's text, or `None` for an unknown topic.
pub fn topic_text(topic: &str, registry: &Registry, width: usize) -> Option<String> {
    let mut out = String::new();
    let o = &mut out;
    match topic {
        "strategies" => {
            heading(o, width, "STRATEGIES (a strategy's `replenishment:` and `allocation:` fields)");
            for info in CATALOGUE.iter().chain(ALLOCATIONS) {
                entry(
                    o,
                    width,
                    &format!("{} ({})", info.name, info.kind),
                    &format!("{}; e.g. {}", info.summary, info.example),
                );
            }
            let plugins = registry.plugins();
            if !plugins.is_empty() {
                o.push('\n');
                heading(
                    o,
                    width,
                    "PLUGGED-IN STRATEGIES (Custom(name: \"…\", params: { … }) in `replenishment:`, `allocation:`, `transfers:`, `expedites:` or `governance: (queue: …)`)",
                );
                for p in plugins {
                    entry(o, width, &format!("{} ({})", p.name, p.kind), "");
                    for line in p.help.lines() {
                        *o += &wrap(line, width, "      ", "      ");
                    }
                }
            }
        }
        "add-ons" => section(o, width, &ADD_ONS),
        "levels" => section(o, width, &LEVELS),
        "demand" => section(o, width, &DEMAND),
        "lead-times" => section(o, width, &LEAD_TIMES),
        "events" => section(o, width, &EVENTS),
        "classes" => section(o, width, &CLASSES),
        "governance" => section(o, width, &GOVERNANCE),
        "catalogue" => section(o, width, &CATALOGUE_FIELDS),
        "sweeps" => section(o, width, &SWEEPS),
        "metrics" => {
            heading(o, width, "METRICS (key, unit: definition; --metrics KEY,… picks the table's columns)");
            for m in METRICS {
                entry(o, width, &format!("{}  [{}]", m.key, m.unit), m.definition);
            }
            o.push('\n');
            heading(o, width, "CLASS METRICS (per customer class: summary.json `classes`)");
            for m in CLASS_METRICS {
                entry(o, width, &format!("{}  [{}]", m.key, m.unit), m.definition);
            }
        }
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::file::{
        CatalogueFile, ClassFile, DelayFile, DemandModelFile, EventKindFile, GovernanceFile, LeadTimeFile,
    };
    use echelon_strategies::level::Level;

    /// The names a deserialiser expects where `text` is wrong: the
    /// variants of an enum (given an unknown variant) or the fields of a
    /// struct (given an unknown field).
    fn expected<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> Vec<&'static str> {
        match ron::from_str::<T>(text).expect_err("an unknown name").code {
            ron::Error::NoSuchEnumVariant { expected, .. } | ron::Error::NoSuchStructField { expected, .. } => {
                expected.to_vec()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn list_names_every_event_level_model_class_governance_and_catalogue_field() {
        let text = list();
        let cases: Vec<(&str, Vec<&str>)> = vec![
            ("events", expected::<EventKindFile>("Nonesuch")),
            ("levels", expected::<Level>("Nonesuch")),
            ("demand", expected::<DemandModelFile>("Nonesuch")),
            ("lead-times", expected::<LeadTimeFile>("Nonesuch")),
            ("governance", expected::<DelayFile>("Nonesuch")),
            ("classes", expected::<ClassFile>("(nonesuch: 1)")),
            ("governance", expected::<GovernanceFile>("(nonesuch: 1)")),
            ("catalogue", expected::<CatalogueFile>("(nonesuch: 1)")),
        ];
        for (topic, names) in cases {
            assert!(names.len() >= 2, "{topic}: {names:?}");
            let section = topic_text(topic, &Registry::bundled(), 100).unwrap();
            for name in names {
                assert!(section.contains(name), "`echelon list {topic}` lacks {name}");
                assert!(text.contains(name), "`echelon list` lacks {name}");
            }
        }
        for required in ["ForecastOutage", "StaleData", "Table("] {
            assert!(text.contains(required), "{required}");
        }
    }

    #[test]
    fn list_fits_its_width_and_every_topic_is_shown() {
        for width in [60, 100, 140] {
            let text = list_at(&Registry::bundled(), width);
            for line in text.lines() {
                assert!(line.chars().count() <= width, "{} > {width}: {line}", line.chars().count());
            }
        }
        for topic in TOPICS {
            assert!(topic_text(topic, &Registry::bundled(), 100).is_some(), "{topic}");
        }
        assert!(topic_text("nonesuch", &Registry::bundled(), 100).is_none());
    }
}
