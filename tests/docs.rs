//! The README's metric table is the code's metric catalogue.

fn assert_readme_rows(definitions: &[echelon::sim::metrics::MetricDef]) {
    let readme = include_str!("../README.md");
    for m in definitions {
        let row = format!("| `{}` | {} | {} |", m.key, m.unit, m.definition);
        assert!(readme.contains(&row), "README lacks or differs on: {row}");
    }
}

#[test]
fn readme_defines_every_metric_exactly_as_the_code() {
    assert_readme_rows(echelon::sim::metrics::METRICS);
}

#[test]
fn readme_defines_every_class_metric_exactly_as_the_code() {
    assert_readme_rows(echelon::sim::metrics::CLASS_METRICS);
}

#[test]
fn readme_defines_every_sku_metric_exactly_as_the_code() {
    assert_readme_rows(echelon::sim::metrics::SKU_METRICS);
}

#[test]
fn list_names_every_strategy_and_metric() {
    // Wrapped to 100 columns: compare with whitespace runs as one space.
    let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = flat(&echelon::cli::list());
    for s in echelon::strategies::registry::CATALOGUE {
        assert!(text.contains(s.name) && text.contains(&flat(s.example)), "{}", s.name);
    }
    for m in echelon::sim::metrics::METRICS {
        assert!(text.contains(m.key), "{}", m.key);
    }
}

#[test]
fn readme_defines_every_lane_metric_exactly_as_the_code() {
    assert_readme_rows(echelon::sim::metrics::LANE_METRICS);
}
