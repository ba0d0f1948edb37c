//! Parameters addressed by path: what `--set PATH=VALUE` and `sweep:` change.
//!
//! # Paths
//!
//! A path names one value of the scenario file the way error messages do:
//! fields joined by `.`, list entries selected by `[index]` or by
//! `[name]` (an entry whose `name` or `id` is that text), e.g.
//! `experiment.replications`, `events[outage].days`,
//! `strategies[min-max].replenishment.reorder_point`. Enum variants are
//! stepped through: `reorder_point` reaches the number inside
//! `DaysOfCover(6.0)` and `kind.multiplier` the field inside
//! `DemandShock(multiplier: 1.5)`; naming the variant
//! (`reorder_point.DaysOfCover`) works too. The `sweep` list itself is not
//! addressable.
//!
//! # How
//!
//! The parsed file is converted to a JSON tree (serde's externally tagged
//! form), the value at the path is replaced, and the tree is converted back
//! with the same serde types, so a value of the wrong type is refused by the
//! same rules that read the file. Whole numbers are written as integers so
//! they fit integer fields.

use super::file::ScenarioFile;
use serde_json::Value;

/// Why a path or value could not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParamError {
    /// The path as given.
    pub path: String,
    /// What is wrong and what would be valid.
    pub message: String,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Field(String),
    Select(String),
}

fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    let mut rest = path.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let close = after.find(']')?;
            steps.push(Step::Select(after[..close].trim().to_string()));
            rest = &after[close + 1..];
        } else {
            rest = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            if end == 0 {
                return None;
            }
            steps.push(Step::Field(rest[..end].to_string()));
            rest = &rest[end..];
        }
    }
    (!steps.is_empty()).then_some(steps)
}

/// An enum variant in serde's external tagging: `{"Variant": inner}`.
/// Is `map` an enum variant as serde writes it (`{"DaysOfCover": 8.0}`:
/// one key, capitalised)? Paths step through variants without naming them.
pub(crate) fn is_variant(map: &serde_json::Map<String, Value>) -> bool {
    map.len() == 1 && map.keys().all(|k| k.starts_with(char::is_uppercase))
}

fn variant_inner(node: &mut Value) -> Option<&mut Value> {
    match node {
        Value::Object(map) if is_variant(map) => map.values_mut().next(),
        _ => None,
    }
}

/// A variant wrapping one number or string, like `Units(5)`.
fn is_scalar_variant(node: &Value) -> bool {
    match node {
        Value::Object(map) if is_variant(map) => map.values().all(|v| !v.is_object() && !v.is_array()),
        _ => false,
    }
}

fn entry_named(item: &Value, name: &str) -> bool {
    ["name", "id"].iter().any(|k| item.get(*k).and_then(Value::as_str) == Some(name))
}

fn step<'v>(node: &'v mut Value, step: &Step) -> Option<&'v mut Value> {
    let direct = match (step, &*node) {
        (Step::Field(name), Value::Object(map)) => map.contains_key(name),
        (Step::Select(_), Value::Array(_)) => true,
        _ => false,
    };
    if !direct {
        return variant_inner(node).and_then(|inner| self::step(inner, step));
    }
    match (step, node) {
        (Step::Field(name), Value::Object(map)) => map.get_mut(name),
        (Step::Select(selector), Value::Array(items)) => match selector.parse::<usize>() {
            Ok(index) => items.get_mut(index),
            Err(_) => items.iter_mut().find(|item| entry_named(item, selector)),
        },
        _ => None,
    }
}

/// The JSON tree of `file` without its `sweep` list.
fn tree(file: &ScenarioFile) -> Value {
    let mut value = serde_json::to_value(file).expect("scenario files are plain data");
    if let Value::Object(map) = &mut value {
        map.remove("sweep");
    }
    value
}

/// A JSON value for `number`: an integer when it is whole.
pub fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 { Value::from(value as i64) } else { Value::from(value) }
}

/// Parses a `--set` value: a number, `true`/`false`, a JSON value, or else
/// the text itself as a string.
pub fn parse_value(text: &str) -> Value {
    // Whole numbers exactly, however large (a seed near 2^64 is no float).
    if let Ok(v) = text.trim().parse::<u64>() {
        return Value::from(v);
    }
    if let Ok(v) = text.trim().parse::<i64>() {
        return Value::from(v);
    }
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => number(v),
        _ => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string())),
    }
}

/// A copy of `file` with the value at `path` replaced by `value` (the
/// file's `sweep` list is kept as it was).
pub fn set(file: &ScenarioFile, path: &str, value: Value) -> Result<ScenarioFile, ParamError> {
    let error = |message: String| ParamError { path: path.to_string(), message };
    let steps = parse_path(path).ok_or_else(|| error("not a parameter path; write e.g. events[outage].days".into()))?;
    let mut root = tree(file);
    let mut node = &mut root;
    for s in &steps {
        node = step(node, s).ok_or_else(|| error(names_nothing(file, path)))?;
    }
    if is_scalar_variant(node) {
        node = variant_inner(node).expect("checked");
    }
    if node.is_object() || node.is_array() {
        return Err(error(format!("names a group of values, not one; e.g. {}", nearest(file, path))));
    }
    let shown = value.to_string();
    *node = value;
    let mut changed: ScenarioFile =
        serde_json::from_value(root).map_err(|e| error(format!("{shown} does not fit here: {}", plain_types(&e))))?;
    changed.sweep = file.sweep.clone();
    Ok(changed)
}

/// Serde's message with Rust type names in words.
fn plain_types(error: &serde_json::Error) -> String {
    let mut text = error.to_string();
    for (rust, plain) in
        [("u32", "a whole number ≥ 0"), ("u64", "a whole number ≥ 0"), ("i64", "a whole number"), ("f64", "a number")]
    {
        text = text.replace(&format!("expected {rust}"), &format!("expected {plain}"));
    }
    text
}

fn names_nothing(file: &ScenarioFile, path: &str) -> String {
    format!("names no parameter of this scenario; did you mean {}?", nearest(file, path))
}

/// The addressable path nearest to `path`: the first one below it when
/// `path` names a group, else the closest by edit distance.
fn nearest(file: &ScenarioFile, path: &str) -> String {
    let mut paths = Vec::new();
    leaf_paths(&tree(file), String::new(), &mut paths);
    let below = format!("{path}.");
    if let Some(inside) = paths.iter().find(|p| p.starts_with(&below)) {
        return inside.clone();
    }
    // Within the same top-level field when it has leaves (`skus[0]` →
    // `skus[drill].unit_cost`, not the nearest spelling anywhere).
    let head = path.split(['.', '[']).next().unwrap_or(path);
    let same_field = |p: &&String| p.split(['.', '[']).next() == Some(head);
    let pool: Vec<&String> = if paths.iter().any(|p| same_field(&p)) {
        paths.iter().filter(same_field).collect()
    } else {
        paths.iter().collect()
    };
    pool.into_iter().min_by_key(|p| (strsim::levenshtein(p, path), p.to_string())).cloned().unwrap_or_default()
}

/// Every scalar value's path, selecting named entries by name.
fn leaf_paths(node: &Value, prefix: String, out: &mut Vec<String>) {
    match node {
        Value::Object(map) if is_variant(map) => {
            map.values().for_each(|inner| leaf_paths(inner, prefix.clone(), out));
        }
        Value::Object(map) => {
            for (key, inner) in map {
                let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                leaf_paths(inner, path, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let selector = ["name", "id"]
                    .iter()
                    .find_map(|k| item.get(*k).and_then(Value::as_str))
                    .map_or_else(|| i.to_string(), str::to_string);
                leaf_paths(item, format!("{prefix}[{selector}]"), out);
            }
        }
        _ => out.push(prefix),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_fields_and_selectors() {
        assert_eq!(
            parse_path("strategies[min-max].replenishment.reorder_point"),
            Some(vec![
                Step::Field("strategies".into()),
                Step::Select("min-max".into()),
                Step::Field("replenishment".into()),
                Step::Field("reorder_point".into()),
            ])
        );
        assert_eq!(parse_path("events[0].days").map(|s| s.len()), Some(3));
        assert_eq!(parse_path(""), None);
        assert_eq!(parse_path("events[0"), None);
        assert_eq!(parse_path("a..b"), None);
    }

    #[test]
    fn numbers_are_integers_when_whole() {
        assert_eq!(number(14.0), Value::from(14));
        assert_eq!(number(1.25), Value::from(1.25));
        assert_eq!(parse_value("7"), Value::from(7));
        assert_eq!(parse_value("Delay"), Value::from("Delay"));
        assert_eq!(parse_value("true"), Value::from(true));
    }
}
