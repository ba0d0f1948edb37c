//! A study: every point of a scenario's sweep grid × every strategy × every
//! replication, each run named by its [`Coordinate`].
//!
//! # Contract
//!
//! Runs are numbered in coordinate order — point, then strategy, then
//! replication — and that order is the one every output uses. A shard
//! `i/n` is the runs whose number is `i` modulo `n`.

use crate::scenario::sweep::{self, Point};
use crate::scenario::{InputError, Scenario};
use echelon_reports::record::StudyInfo;
use std::sync::Arc;

/// Where a run sits in its study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Coordinate {
    /// Sweep point index.
    pub point: usize,
    /// Strategy index, in scenario order.
    pub strategy: usize,
    /// Replication index.
    pub replication: u32,
}

/// A validated study.
#[derive(Debug, Clone)]
pub struct Study {
    /// The scenario as given (overrides applied, sweep not expanded).
    pub base: Arc<Scenario>,
    /// The grid's points (one, with no parameters, without a sweep).
    pub points: Vec<Point>,
}

impl Study {
    /// Expands and validates the sweep of `base`.
    /// Without a sweep the one point is the scenario as given, shared, not
    /// a second copy of it.
    pub fn new(base: Scenario) -> Result<Self, InputError> {
        let base = Arc::new(base);
        let points = if base.file.sweep.is_empty() {
            vec![Point { params: Vec::new(), scenario: Arc::clone(&base) }]
        } else {
            sweep::points(&base)?
        };
        Ok(Self { base, points })
    }

    /// What the study is, for headers and summaries.
    pub fn info(&self) -> StudyInfo {
        let base = &self.base;
        let e = base.model.experiment;
        StudyInfo {
            scenario: base.model.name.clone(),
            seed: e.seed,
            horizon_days: e.horizon_days,
            warmup_days: e.warmup_days,
            replications: e.replications,
            strategies: base.strategy_names().into_iter().map(String::from).collect(),
            nodes: base.model.nodes.iter().map(|n| n.id.clone()).collect(),
            points: self.points.iter().map(|p| p.params.clone()).collect(),
            events: base.model.disruptions.iter().map(|d| d.name.clone()).collect(),
            random_outages: base.model.random_outages.iter().map(|r| r.name.clone()).collect(),
            classes: base.model.classes.iter().map(|c| c.name.clone()).collect(),
            lanes: base.model.lane_ids(),
            skus: if base.model.scorecard.per_sku {
                let model = &base.model;
                let label = |n: &echelon_sim::model::StockingNode| {
                    n.skus.iter().map(|&g| (n.id.clone(), model.skus[g].id.clone())).collect::<Vec<_>>()
                };
                model.nodes.iter().flat_map(label).collect()
            } else {
                Vec::new()
            },
        }
    }

    /// Every run's coordinate, in run-number order.
    pub fn coordinates(&self) -> Vec<Coordinate> {
        let strategies = self.base.file.strategies.len();
        let replications = self.base.model.experiment.replications;
        (0..self.points.len())
            .flat_map(|point| {
                (0..strategies).flat_map(move |strategy| {
                    (0..replications).map(move |replication| Coordinate { point, strategy, replication })
                })
            })
            .collect()
    }

    /// Every run's coordinate of the study `info` describes, in run-number
    /// order.
    pub fn coordinates_of(info: &StudyInfo) -> Vec<Coordinate> {
        let (strategies, replications) = (info.strategies.len(), info.replications);
        (0..info.points.len())
            .flat_map(|point| {
                (0..strategies).flat_map(move |strategy| {
                    (0..replications).map(move |replication| Coordinate { point, strategy, replication })
                })
            })
            .collect()
    }

    /// Total runs.
    pub fn run_count(&self) -> usize {
        self.points.len() * self.base.file.strategies.len() * self.base.model.experiment.replications as usize
    }
}
