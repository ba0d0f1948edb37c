//! `echelon import`: the example CSV set and workbook import to the same
//! scenario, which validates and runs; every bad cell is reported at its
//! place (exit 2, nothing written); columns not modelled yet are warned
//! about and ignored.
//!
//! The committed workbook `examples/import/network.xlsx` is written from the
//! CSV set by [`write_workbook`]; regenerate it with
//! `ECHELON_WRITE_EXAMPLE_WORKBOOK=1 cargo test --test import`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TABLES: [&str; 6] = ["items", "locations", "lanes", "demand", "policies", "history"];

fn example(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/import").join(relative)
}

fn echelon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_echelon")).args(args).output().expect("echelon runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn column_letter(i: usize) -> String {
    // The tables here are narrower than 26 columns.
    assert!(i < 26);
    ((b'A' + i as u8) as char).to_string()
}

/// Writes an `.xlsx` workbook with one sheet per `(name, rows)`: cells that
/// parse as numbers are written as numbers, the others as inline strings,
/// empty cells not at all — what a spreadsheet saves.
fn write_workbook(path: &Path, sheets: &[(String, Vec<Vec<String>>)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut put = |name: &str, body: String| {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    };
    let overrides: String = (1..=sheets.len())
        .map(|i| {
            format!(
                r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
            )
        })
        .collect();
    put(
        "[Content_Types].xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>"#
        ),
    );
    put(
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            .to_string(),
    );
    let sheet_list: String = sheets
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            format!(r#"<sheet name="{}" sheetId="{}" r:id="rId{}"/>"#, xml_escape(name), i + 1, i + 1)
        })
        .collect();
    put(
        "xl/workbook.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheet_list}</sheets></workbook>"#
        ),
    );
    let rels: String = (1..=sheets.len())
        .map(|i| {
            format!(
                r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#
            )
        })
        .collect();
    put(
        "xl/_rels/workbook.xml.rels",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
        ),
    );
    for (i, (_, rows)) in sheets.iter().enumerate() {
        let mut data = String::new();
        for (r, row) in rows.iter().enumerate() {
            data.push_str(&format!(r#"<row r="{}">"#, r + 1));
            for (c, cell) in row.iter().enumerate() {
                let at = format!("{}{}", column_letter(c), r + 1);
                if cell.is_empty() {
                    continue;
                }
                if cell.parse::<f64>().is_ok_and(f64::is_finite) {
                    data.push_str(&format!(r#"<c r="{at}"><v>{cell}</v></c>"#));
                } else {
                    data.push_str(&format!(r#"<c r="{at}" t="inlineStr"><is><t>{}</t></is></c>"#, xml_escape(cell)));
                }
            }
            data.push_str("</row>");
        }
        put(
            &format!("xl/worksheets/sheet{}.xml", i + 1),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>"#
            ),
        );
    }
    zip.finish().unwrap();
}

/// The sheets of a folder of CSV tables, in table order.
fn sheets_of(dir: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    TABLES
        .iter()
        .filter(|t| dir.join(format!("{t}.csv")).exists())
        .map(|t| {
            let mut reader =
                csv::ReaderBuilder::new().has_headers(false).from_path(dir.join(format!("{t}.csv"))).unwrap();
            let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
            (t.to_string(), rows)
        })
        .collect()
}

/// Imports `input` to `<dir>/network.ron` with a short run shape.
fn import(input: &Path, dir: &Path) -> Output {
    echelon(&[
        "import",
        input.to_str().unwrap(),
        "--out",
        dir.join("network.ron").to_str().unwrap(),
        "--horizon-days",
        "60",
        "--replications",
        "2",
    ])
}

fn imported_files(dir: &Path) -> (String, String) {
    (
        std::fs::read_to_string(dir.join("network.ron")).unwrap(),
        std::fs::read_to_string(dir.join("network-levels.csv")).unwrap(),
    )
}

#[test]
fn the_committed_workbook_is_the_csv_set() {
    let committed = example("network.xlsx");
    if std::env::var_os("ECHELON_WRITE_EXAMPLE_WORKBOOK").is_some() {
        write_workbook(&committed, &sheets_of(&example("csv")));
    }
    let tmp = tempfile::tempdir().unwrap();
    let fresh = tmp.path().join("fresh.xlsx");
    write_workbook(&fresh, &sheets_of(&example("csv")));
    assert_eq!(
        std::fs::read(&fresh).unwrap(),
        std::fs::read(&committed).unwrap(),
        "examples/import/network.xlsx is stale: regenerate it with ECHELON_WRITE_EXAMPLE_WORKBOOK=1 cargo test --test import"
    );
}

#[test]
fn csv_set_and_workbook_import_to_identical_scenarios_that_validate_and_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (from_csv, from_xlsx) = (tmp.path().join("csv"), tmp.path().join("xlsx"));
    for (input, dir) in [(example("csv"), &from_csv), (example("network.xlsx"), &from_xlsx)] {
        let out = import(&input, dir);
        assert!(out.status.success(), "import {}: {}", input.display(), text(&out.stderr));
        let scenario = dir.join("network.ron");
        let validate = echelon(&["validate", scenario.to_str().unwrap()]);
        assert!(validate.status.success(), "validate: {}", text(&validate.stderr));
        let results = dir.join("results");
        let run = echelon(&["run", scenario.to_str().unwrap(), "--out", results.to_str().unwrap(), "-q"]);
        assert!(run.status.success(), "run: {}", text(&run.stderr));
        let summary = std::fs::read_to_string(results.join("summary.json")).unwrap();
        assert!(summary.contains("\"in-force\""), "{summary}");
    }
    assert_eq!(imported_files(&from_csv), imported_files(&from_xlsx));
    // The runs are the same too (same scenario text, same seed).
    assert_eq!(
        std::fs::read(from_csv.join("results/runs.csv")).unwrap(),
        std::fs::read(from_xlsx.join("results/runs.csv")).unwrap()
    );
}

#[test]
fn imported_policies_are_the_levels_table_and_one_type_per_location() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(import(&example("csv"), tmp.path()).status.success());
    let (ron, levels) = imported_files(tmp.path());
    // Stores run min-max (the most common type); the DC base stock under `at`.
    assert!(ron.contains("replenishment: MinMax(reorder_point: Table(file: \"network-levels.csv\""), "{ron}");
    assert!(ron.contains("at: {\"dc\": BaseStock(order_up_to: Table("), "{ron}");
    assert!(levels.starts_with("location,sku,parameter,value\n"));
    assert!(levels.contains("dc,widget,order_up_to,160\n"));
    assert!(levels.contains("north,widget,reorder_point,20\nnorth,widget,order_up_to,40\n"));
    assert_eq!(levels.lines().count(), 1 + 3 + 2 * 6);
    // The lane's sd and distribution, the expedite mode, the supplier's capacity.
    assert!(ron.contains("lead_time: Gamma(mean_days: 7.0, sd_days: 2.0)"));
    assert!(ron.contains("lead_time: Constant(days: 2.0)"));
    assert!(
        ron.contains("expedite: Some((lead_time: Constant(days: 3.0), cost_per_unit: 1.5, cost_per_shipment: 50.0))")
    );
    assert!(ron.contains("(id: \"acme\", capacity_per_day: Some(400.0))"));
}

#[test]
fn moq_and_case_pack_become_the_skus_order_rules_and_abc_class_is_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let out = import(&example("csv"), tmp.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("items.csv: abc_class: not modelled yet: ignored (3 rows give a value)"), "{stderr}");
    for column in ["moq", "case_pack"] {
        assert!(!stderr.contains(&format!("{column}: not modelled")), "{stderr}");
    }
    let (ron, _) = imported_files(tmp.path());
    // widget: MOQ 24 in packs of 12; gizmo: MOQ 100 in packs of 50.
    assert!(ron.contains("min_order: Some(24.0), case_pack: Some(12.0), max_order: None"), "{ron}");
    assert!(ron.contains("min_order: Some(100.0), case_pack: Some(50.0), max_order: None"), "{ron}");
}

#[test]
fn a_stocking_locations_capacity_becomes_its_storage_capacity() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("tables");
    planted(&input, &[("locations", "north,store,", "north,store,900")]);
    let out = import(&input, &tmp.path().join("out"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("capacity: not modelled"));
    let (ron, _) = imported_files(&tmp.path().join("out"));
    assert!(
        ron.contains("(id: \"north\", sourcing: PrimaryFirst, capacity: Some(900.0), overflow_cost_per_unit_day: 0.0)"),
        "{ron}"
    );
    // A fraction of a unit is refused at its cell.
    let input = tmp.path().join("fraction");
    planted(&input, &[("locations", "north,store,", "north,store,90.5")]);
    let out = import(&input, &tmp.path().join("out2"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("locations.csv:4:3: capacity: a stocking location's capacity is a whole number"),
        "{}",
        text(&out.stderr)
    );
}

/// Copies the example CSV set into `dir`, applying `(table, from, to)` edits.
fn planted(dir: &Path, edits: &[(&str, &str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    for table in TABLES {
        let source = example("csv").join(format!("{table}.csv"));
        if !source.exists() {
            continue;
        }
        let mut body = std::fs::read_to_string(source).unwrap();
        for (t, from, to) in edits.iter().filter(|(t, ..)| *t == table) {
            assert!(body.contains(from), "{t}.csv no longer contains {from:?}");
            body = body.replacen(from, to, 1);
        }
        std::fs::write(dir.join(format!("{table}.csv")), body).unwrap();
    }
}

const MISTAKES: [(&str, &str, &str); 7] = [
    ("items", "gadget,40,", "gadget,forty,"),
    ("items", "gizmo,3.2", "widget,3.2"),
    ("locations", "south,store", "south,shop"),
    ("lanes", "dc,north,2,", "dc,nowhere,2,"),
    ("demand", "north,gadget,normal", "north,gadget,poison"),
    ("policies", "north,gizmo,min_max,12,30", "north,gizmo,min_max,12,-3"),
    ("policies", "dc,gadget,base_stock", "dc,gadget,min_max"),
];

#[test]
fn every_bad_cell_of_a_csv_set_is_reported_at_file_row_column() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("tables");
    planted(&input, &MISTAKES);
    let out = import(&input, &tmp.path().join("out"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let at = |table: &str| format!("{}:", input.join(format!("{table}.csv")).display());
    let expected = [
        format!("{}3:2: unit_cost: \"forty\" is not a number; valid: a cost per unit > 0", at("items")),
        format!("{}4:1: sku: SKU \"widget\" is already listed on row 2", at("items")),
        format!(
            "{}5:2: kind: \"shop\" is not a kind of location; valid: supplier, dc, warehouse, store, location",
            at("locations")
        ),
        format!("{}3:2: to: \"nowhere\" is not listed; valid: a stocking location of the locations table", at("lanes")),
        format!("{}3:3: model: \"poison\" is not a demand model", at("demand")),
        format!("{}7:5: order_up_to: -3 is out of range", at("policies")),
        format!("{}3:3: policy: min_max at \"dc\", but row 2 gives it base_stock", at("policies")),
    ];
    for line in &expected {
        assert!(stderr.lines().any(|l| l.starts_with(&format!("error: {line}"))), "missing {line:?} in:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"));
    assert!(!tmp.path().join("out").exists(), "nothing is written when a cell is bad");
}

#[test]
fn every_bad_cell_of_a_workbook_is_reported_at_file_sheet_row_column() {
    let tmp = tempfile::tempdir().unwrap();
    let tables = tmp.path().join("tables");
    planted(&tables, &MISTAKES);
    let book = tmp.path().join("bad.xlsx");
    write_workbook(&book, &sheets_of(&tables));
    let out = import(&book, &tmp.path().join("out"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let book = book.display();
    let expected = [
        format!("{book}:items:3:B: unit_cost: \"forty\" is not a number"),
        format!("{book}:items:4:A: sku: SKU \"widget\" is already listed on row 2"),
        format!("{book}:locations:5:B: kind: \"shop\" is not a kind of location"),
        format!("{book}:lanes:3:B: to: \"nowhere\" is not listed"),
        format!("{book}:demand:3:C: model: \"poison\" is not a demand model"),
        format!("{book}:policies:7:E: order_up_to: -3 is out of range"),
        format!("{book}:policies:3:C: policy: min_max at \"dc\", but row 2 gives it base_stock"),
    ];
    for line in &expected {
        assert!(stderr.lines().any(|l| l.starts_with(&format!("error: {line}"))), "missing {line:?} in:\n{stderr}");
    }
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn a_misspelled_or_missing_column_is_an_error_at_the_header() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("tables");
    planted(&input, &[("items", "unit_cost", "unit_cots"), ("lanes", "cost_per_unit", "cost_per_units")]);
    let out = import(&input, &tmp.path().join("out"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    let items = input.join("items.csv");
    assert!(stderr.contains(&format!("{}:1:2: unknown column \"unit_cots\"", items.display())), "{stderr}");
    assert!(stderr.contains(&format!("{}:1:1: the header has no column \"unit_cost\"", items.display())), "{stderr}");
    assert!(stderr.contains(&format!("{}:1:6: unknown column \"cost_per_units\"", input.join("lanes.csv").display())));
}

#[test]
fn a_history_table_becomes_the_scenarios_replayed_history() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("tables");
    planted(&input, &[]);
    // North's widget demand comes from a history instead of a model.
    let demand = std::fs::read_to_string(input.join("demand.csv")).unwrap().replace("north,widget,poisson,8,,,,\n", "");
    std::fs::write(input.join("demand.csv"), demand).unwrap();
    std::fs::write(
        input.join("history.csv"),
        "day,location,sku,quantity\n0,north,widget,5\n1,north,widget,0\n2,north,widget,9\n",
    )
    .unwrap();
    let out_dir = tmp.path().join("out");
    let out = import(&input, &out_dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (ron, _) = imported_files(&out_dir);
    let history = &ron[ron.find("history: Some((").expect("a history")..];
    assert!(history.contains("file: \"network-history.csv\"") && history.contains("mode: Replay"), "{ron}");
    assert_eq!(
        std::fs::read_to_string(out_dir.join("network-history.csv")).unwrap(),
        "day,location,sku,quantity\n0,north,widget,5\n1,north,widget,0\n2,north,widget,9\n"
    );
    let validate = echelon(&["validate", out_dir.join("network.ron").to_str().unwrap()]);
    assert!(validate.status.success(), "{}", text(&validate.stderr));
}

#[test]
fn an_existing_scenario_is_replaced_only_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(import(&example("csv"), tmp.path()).status.success());
    let again = import(&example("csv"), tmp.path());
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("--force"));
}

#[test]
fn an_existing_levels_table_is_replaced_only_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    let precious = tmp.path().join("network-levels.csv");
    std::fs::write(&precious, "precious,data\n").unwrap();
    let out = import(&example("csv"), tmp.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("network-levels.csv exists") && stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "precious,data\n", "left as it was");
    assert!(!tmp.path().join("network.ron").exists());
}

#[test]
fn a_csv_row_with_more_or_fewer_cells_than_its_header_is_refused_not_read_shifted() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("tables");
    // A decimal comma makes 10 cells of a 9-column row.
    planted(&input, &[("lanes", "dc,north,2,,,0.2,,,", "dc,north,2,,,0,2,,,")]);
    let out = import(&input, &tmp.path().join("out"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let lanes = format!("{}:3:10: 10 cells where the header has 9", input.join("lanes.csv").display());
    assert!(text(&out.stderr).contains(&lanes), "{}", text(&out.stderr));
    // A separator missing: a short row.
    let input = tmp.path().join("short");
    planted(&input, &[("lanes", "dc,north,2,,,0.2,,,", "dc,north,2,,,0.2,,")]);
    let out = import(&input, &tmp.path().join("out"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let lanes = format!("{}:3:9: 8 cells where the header has 9", input.join("lanes.csv").display());
    assert!(text(&out.stderr).contains(&lanes), "{}", text(&out.stderr));
    assert!(!tmp.path().join("out").exists(), "nothing is written");
}

#[test]
fn a_semicolon_separated_table_gets_a_hint_not_a_cascade_of_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("tables");
    planted(&input, &[]);
    let items = std::fs::read_to_string(input.join("items.csv")).unwrap();
    std::fs::write(input.join("items.csv"), items.replace(',', ";")).unwrap();
    let out = import(&input, &tmp.path().join("out"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    let at = format!("{}:1:1: the header is one cell holding `;`", input.join("items.csv").display());
    assert!(stderr.contains(&at) && stderr.contains("comma delimited"), "{stderr}");
    assert_eq!(stderr.lines().filter(|l| l.starts_with("error")).count(), 1, "{stderr}");
}

#[test]
fn tables_without_demand_or_history_are_refused_naming_the_input_not_a_table() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("tables");
    planted(&input, &[]);
    std::fs::remove_file(input.join("demand.csv")).unwrap();
    let _ = std::fs::remove_file(input.join("history.csv"));
    let out = import(&input, &tmp.path().join("out"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    let expected = format!("error: {}: no demand table and no history table", input.display());
    assert!(stderr.contains(&expected), "{stderr}");
}

#[test]
fn a_stocked_location_without_policies_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("tables");
    planted(&input, &[]);
    let policies = std::fs::read_to_string(input.join("policies.csv")).unwrap();
    let without_dc: String = policies.lines().filter(|l| !l.starts_with("dc,")).map(|l| format!("{l}\n")).collect();
    std::fs::write(input.join("policies.csv"), without_dc).unwrap();
    let out_dir = tmp.path().join("out");
    let out = import(&input, &out_dir);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("does not validate, so nothing was written")
            && stderr.contains("has no reorder_point row for location \"dc\", SKU \"widget\"")
            && stderr.contains("needs its row in the policies table"),
        "{stderr}"
    );
    assert!(!out_dir.exists(), "nothing is written");
}

/// A value from a flag that does not validate is blamed on the flag, not
/// on the tables.
#[test]
fn a_bad_run_shape_flag_is_blamed_on_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = echelon(&[
        "import",
        example("csv").to_str().unwrap(),
        "--out",
        tmp.path().join("n.ron").to_str().unwrap(),
        "--horizon-days",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("experiment.horizon_days") && stderr.contains("fix --horizon-days"), "{stderr}");
    assert!(!stderr.contains("fix the table"), "{stderr}");
}
