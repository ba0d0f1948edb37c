//! The `echelon` command. See `echelon --help` and README.md.

#![forbid(unsafe_code)]

fn main() {
    std::process::exit(echelon::cli::main());
}
