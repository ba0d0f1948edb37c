//! Scenario files: reading, validating, and building what a run needs.
//!
//! [`Scenario::load`] is the one entry point: it reads the file, parses the
//! RON ([`parse`]), builds the validated [`Model`] ([`build`]) and checks
//! every strategy at every location. Any problem is an [`InputError`] with
//! file, line:col, field path and what would be valid. Nothing runs and
//! nothing is written before loading succeeds.
//!
//! Public: the loader, the file format ([`file`](mod@file)), its errors, the sweep's
//! points and the parameter paths; the validation passes behind `load`
//! (topology, events, governance, returns, history, the levels table,
//! error locations, the catalogue generator) are `pub(crate)`.

pub mod build;
pub(crate) mod catalogue;
pub mod error;
pub(crate) mod events;
pub mod file;
pub(crate) mod governance;
pub(crate) mod history;
pub mod ids;
pub(crate) mod levels_table;
pub(crate) mod locate;
pub mod params;
pub mod parse;
pub(crate) mod returns;
pub mod sweep;
pub(crate) mod topology;

pub use error::InputError;

use build::PreparedStrategy;
use echelon_sim::engine::Policies;
use echelon_sim::model::Model;
use echelon_sim::strategy::{Allocation, Replenishment};
use echelon_strategies::registry::Registry;
use file::ScenarioFile;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// The strategies it was validated with (sweep points and tuned
    /// copies are built with the same).
    pub registry: Arc<Registry>,
    /// Its strategies, validated, in file order.
    pub prepared: Vec<PreparedStrategy>,
}

impl Scenario {
    /// Reads and validates the scenario at `path`, with the bundled
    /// strategies only.
    pub fn load(path: &Path) -> Result<Self, InputError> {
        Self::load_with(path, LoadOptions::default())
    }

    /// Reads and validates the scenario at `path` with `options`, with the
    /// bundled strategies only.
    pub fn load_with(path: &Path, options: LoadOptions) -> Result<Self, InputError> {
        Self::load_in(path, options, &Arc::new(Registry::bundled()))
    }

    /// Reads and validates the scenario at `path` with `options`; `Custom`
    /// strategies are looked up in `registry`.
    pub fn load_in(path: &Path, options: LoadOptions, registry: &Arc<Registry>) -> Result<Self, InputError> {
        let (source, file) = parse::read(path)?;
        Self::from_parts_in(path, source, file, options, registry)
    }

    /// Validates an already parsed file (used after command-line
    /// overrides), with the bundled strategies only.
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
        Self::from_parts_in(path, source, file, options, &Arc::new(Registry::bundled()))
    }

    /// Validates an already parsed file with `options` and the strategies
    /// of `registry`.
    pub fn from_parts_in(
        path: &Path,
        source: String,
        file: ScenarioFile,
        options: LoadOptions,
        registry: &Arc<Registry>,
    ) -> Result<Self, InputError> {
        let file = levels_table::expand(path, &source, &file, options)?.unwrap_or(file);
        let located = |e: build::FieldError| InputError::at(path, &source, e.path, e.message);
        let with_history = history::expand(path, &source, &file, options)?;
        let model = build::model(with_history.as_ref().unwrap_or(&file), registry).map_err(located)?;
        let prepared = build::prepare_strategies(&file, &model, registry).map_err(located)?;
        build::check_gate(&file).map_err(located)?;
        if let Some(tune) = &file.tune {
            crate::tune::spec::check(tune, &file).map_err(located)?;
        }
        Ok(Self { path: path.to_path_buf(), source, file, model, options, registry: registry.clone(), prepared })
    }

    /// Names of the strategies, in file order.
    pub fn strategy_names(&self) -> Vec<&str> {
        self.file.strategies.iter().map(|s| s.name.as_str()).collect()
    }

    /// Fresh instances of strategy `index`, one per node, for one run.
    pub fn replenishment(&self, index: usize) -> Vec<Box<dyn Replenishment>> {
        self.prepared[index].replenishment.iter().map(|prototype| prototype()).collect()
    }

    /// The allocation rule of strategy `index`.
    pub fn allocation(&self, index: usize) -> Arc<dyn Allocation> {
        self.prepared[index].allocation.clone()
    }

    /// The decision rules of strategy `index` for one run; `allocation`
    /// comes from [`Scenario::allocation`] and must outlive the run.
    pub fn policies<'a>(&'a self, index: usize, allocation: &'a dyn Allocation) -> Policies<'a> {
        let prepared = &self.prepared[index];
        Policies {
            replenishment: self.replenishment(index),
            allocation,
            transfers: prepared.transfers.as_deref(),
            expedites: prepared.expedites.as_deref(),
        }
    }
}
