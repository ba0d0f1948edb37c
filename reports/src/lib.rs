//! # echelon-reports
//!
//! Everything Echelon says about finished runs: replication [`stats`]
//! (mean, sd, Student-t intervals, paired differences), the
//! [`summary`] (`summary.json`), [`runs_csv`] (`runs.csv`), the per-SKU
//! ranking ([`skus`]), the terminal
//! [`table`], the [`report`] charts ([`charts`]) and page ([`html`]), and the
//! regression [`gate`] with its views ([`gate_view`]). This crate knows run results ([`record::RunRecord`]), not the
//! engine's internals.

#![forbid(unsafe_code)]

pub mod charts;
pub mod decide;
pub mod gate;
pub mod gate_view;
pub mod html;
pub mod record;
pub mod report;
pub mod representative;
pub mod runs_csv;
pub mod skus;
pub mod stats;
pub mod summary;
pub mod table;
