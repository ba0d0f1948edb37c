//! The README's metric table is the code's metric catalogue.

#[test]
fn readme_defines_every_metric_exactly_as_the_code() {
    let readme = include_str!("../README.md");
    for m in echelon::sim::metrics::METRICS {
        let row = format!("| `{}` | {} | {} |", m.key, m.unit, m.definition);
        assert!(readme.contains(&row), "README lacks or differs on: {row}");
    }
}

#[test]
fn readme_defines_every_class_metric_exactly_as_the_code() {
    let readme = include_str!("../README.md");
    for m in echelon::sim::metrics::CLASS_METRICS {
        let row = format!("| `{}` | {} | {} |", m.key, m.unit, m.definition);
        assert!(readme.contains(&row), "README lacks or differs on: {row}");
    }
}

#[test]
fn list_names_every_strategy_and_metric() {
    let text = echelon::cli::list();
    for s in echelon::strategies::registry::CATALOGUE {
        assert!(text.contains(s.name) && text.contains(s.example), "{}", s.name);
    }
    for m in echelon::sim::metrics::METRICS {
        assert!(text.contains(m.key), "{}", m.key);
    }
}
