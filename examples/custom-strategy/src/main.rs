//! Echelon with two more strategies: every subcommand (`run`, `check`,
//! `baseline`, `list`, …) sees them.

fn main() {
    std::process::exit(echelon::cli::main_with(custom_strategy::registry()));
}
