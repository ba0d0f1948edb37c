//! Scenario files: reading, validating, and building what a run needs.
//!
//! [`Scenario::load`] is the one entry point: it reads the file, parses the
//! RON ([`parse`]), builds the validated [`Model`] ([`build`]) and checks
//! every strategy at every location. Any problem is an [`InputError`] with
//! file, line:col, field path and what would be valid. Nothing runs and
//! nothing is written before loading succeeds.

pub mod build;
pub mod catalogue;
pub mod error;
pub mod events;
pub mod file;
pub mod governance;
pub mod history;
pub mod ids;
pub mod levels_table;
pub mod locate;
pub mod params;
pub mod parse;
pub mod sweep;
pub mod topology;

pub use error::InputError;

use echelon_sim::engine::Policies;
use echelon_sim::model::Model;
use echelon_sim::strategy::{Allocation, Replenishment};
use echelon_strategies::registry;
use file::ScenarioFile;
use std::path::{Path, PathBuf};

/// How a scenario may reach outside its own file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// May `history:` name a file outside the scenario's folder (an
    /// absolute path, `..`, a symlink leading out)? Default no
    /// (`--allow-paths-outside` on the command line).
    pub allow_paths_outside: bool,
}

/// A loaded, validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Where it was read from.
    pub path: PathBuf,
    /// The text as read.
    pub source: String,
    /// The file as parsed.
    pub file: ScenarioFile,
    /// The validated model.
    pub model: Model,
    /// How it was loaded (sweep points are loaded the same way).
    pub options: LoadOptions,
}

impl Scenario {
    /// Reads and validates the scenario at `path`.
    pub fn load(path: &Path) -> Result<Self, InputError> {
        Self::load_with(path, LoadOptions::default())
    }

    /// Reads and validates the scenario at `path` with `options`.
    pub fn load_with(path: &Path, options: LoadOptions) -> Result<Self, InputError> {
        let (source, file) = parse::read(path)?;
        Self::from_parts_with(path, source, file, options)
    }

    /// Validates an already parsed file (used after command-line overrides).
    pub fn from_parts(path: &Path, source: String, file: ScenarioFile) -> Result<Self, InputError> {
        Self::from_parts_with(path, source, file, LoadOptions::default())
    }

    /// [`Scenario::from_parts`] with `options`.
    pub fn from_parts_with(
        path: &Path,
        source: String,
        file: ScenarioFile,
        options: LoadOptions,
    ) -> Result<Self, InputError> {
        let file = levels_table::expand(path, &source, &file, options)?.unwrap_or(file);
        let located = |e: build::FieldError| InputError::at(path, &source, e.path, e.message);
        let with_history = history::expand(path, &source, &file, options)?;
        let model = build::model(with_history.as_ref().unwrap_or(&file)).map_err(located)?;
        build::check_strategies(&file, &model).map_err(located)?;
        build::check_gate(&file).map_err(located)?;
        if let Some(tune) = &file.tune {
            crate::tune::spec::check(tune, &file).map_err(located)?;
        }
        Ok(Self { path: path.to_path_buf(), source, file, model, options })
    }

    /// Names of the strategies, in file order.
    pub fn strategy_names(&self) -> Vec<&str> {
        self.file.strategies.iter().map(|s| s.name.as_str()).collect()
    }

    /// Fresh instances of strategy `index`, one per node, for one run.
    pub fn replenishment(&self, index: usize) -> Vec<Box<dyn Replenishment>> {
        let strategy = &self.file.strategies[index];
        (0..self.model.nodes.len())
            .map(|node| {
                let spec = strategy.at.get(&self.model.nodes[node].id).unwrap_or(&strategy.replenishment);
                registry::build_replenishment(spec, &build::node_context(&self.model, node))
                    .expect("validated when the scenario was loaded")
            })
            .collect()
    }

    /// The allocation rule of strategy `index`.
    pub fn allocation(&self, index: usize) -> Box<dyn Allocation> {
        registry::build_allocation(self.file.strategies[index].allocation)
    }

    /// The decision rules of strategy `index` for one run; `allocation`
    /// comes from [`Scenario::allocation`] and must outlive the run.
    pub fn policies<'a>(&'a self, index: usize, allocation: &'a dyn Allocation) -> Policies<'a> {
        let strategy = &self.file.strategies[index];
        Policies {
            replenishment: self.replenishment(index),
            allocation,
            transfers: strategy.transfers.map(|t| registry::build_transfers(t).expect("validated")),
            expedites: strategy.expedites.map(|e| registry::build_expedites(e).expect("validated")),
        }
    }
}
