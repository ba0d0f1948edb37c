//! Charts: one plain description ([`Chart`]) drawn by plotters as SVG text
//! or as a PNG file.
//!
//! # Contract
//!
//! * Every chart is an x–y plot of named series (lines, markers or bars,
//!   with optional interval whiskers), optional shaded x-bands (disruption
//!   windows) and optionally a categorical x axis (strategy names); or the
//!   same as stacked panels, one per series, sharing their axes' ranges.
//! * Axis titles carry units; series use the Okabe–Ito palette, which stays
//!   distinguishable under the common colour-vision deficiencies; a legend
//!   in its own column beside the plot (never over the data) names the
//!   series whenever there are several.
//! * Text is laid out with DejaVu Sans embedded in the binary (the `dejavu`
//!   crate, registered with plotters' `ab_glyph` font loader), so neither
//!   SVG nor PNG output depends on fonts installed on the machine. The SVG
//!   names the `sans-serif` family for the viewer to render.
//! * Drawing is deterministic: the same chart gives the same bytes.

use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

/// Width and height of a chart, pixels (stacked panels are taller).
pub const SIZE: (u32, u32) = (860, 440);

/// Okabe–Ito colours (black last).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
];

/// The colour of series `index`.
pub fn colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// One plotted point with optional intervals.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Datum {
    /// x value (a category index on a categorical axis).
    #[serde(with = "nullable")]
    pub x: f64,
    /// y value.
    #[serde(with = "nullable")]
    pub y: f64,
    /// Interval on x.
    pub x_interval: Option<(f64, f64)>,
    /// Interval on y.
    pub y_interval: Option<(f64, f64)>,
}

/// An `f64` in JSON with NaN as `null` (JSON has no NaN), back as NaN.
mod nullable {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() { s.serialize_f64(*v) } else { s.serialize_none() }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

impl Datum {
    /// A bare point.
    pub fn at(x: f64, y: f64) -> Self {
        Self { x, y, x_interval: None, y_interval: None }
    }
}

/// A named series.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// Points in drawing order.
    pub data: Vec<Datum>,
    /// Join the points with a line.
    pub line: bool,
    /// Mark each point.
    pub markers: bool,
    /// Draw each point as a bar from 0 of this width (x units).
    pub bar_width: Option<f64>,
    /// Palette index (same strategy, same colour in every chart).
    pub colour: usize,
    /// Draw the points' y intervals as one shaded band joining them (a
    /// spread over time) instead of whiskers.
    #[serde(default)]
    pub area: bool,
}

/// A shaded x-range with a label (a disruption window).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Band {
    /// Start (x units).
    pub from: f64,
    /// End (x units).
    pub to: f64,
    /// Label drawn at its top.
    pub label: String,
}

/// A chart.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Chart {
    /// File stem under `charts/`.
    pub file: String,
    /// Title.
    pub title: String,
    /// x-axis title with unit.
    pub x_label: String,
    /// y-axis title with unit.
    pub y_label: String,
    /// The series.
    pub series: Vec<Series>,
    /// Shaded x-ranges.
    pub bands: Vec<Band>,
    /// Names of x = 0, 1, … for a categorical axis.
    pub categories: Option<Vec<String>>,
    /// One panel per series, stacked, sharing both axes' ranges (a series
    /// with `area` shares the panel of the series after it).
    pub panels: bool,
    /// The x values are log10 of the quantity: the axis is logarithmic,
    /// its ticks labelled with the quantity.
    #[serde(default)]
    pub log_x: bool,
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
            .unwrap_or_else(|_| panic!("the embedded DejaVu Sans font is valid"));
    });
}

impl Chart {
    /// The chart as an SVG document.
    pub fn to_svg(&self) -> String {
        register_font();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size()).into_drawing_area();
            self.draw(&root).unwrap_or_else(|e| panic!("drawing {} into a string cannot fail: {e}", self.file));
        }
        svg
    }

    /// Writes the chart as a PNG file at `path`.
    pub fn write_png(&self, path: &Path) -> Result<(), String> {
        register_font();
        let root = BitMapBackend::new(path, self.size()).into_drawing_area();
        self.draw(&root)
    }

    fn x_range(&self) -> (f64, f64) {
        if let Some(names) = &self.categories {
            return (-0.5, names.len() as f64 - 0.5);
        }
        let xs = self.values(|d| [d.x, d.x_interval.map_or(d.x, |i| i.0), d.x_interval.map_or(d.x, |i| i.1)]);
        let bands = self.bands.iter().flat_map(|b| [b.from, b.to]);
        padded(xs.into_iter().chain(bands), 0.04)
    }

    fn y_range(&self) -> (f64, f64) {
        let ys = self.values(|d| [d.y, d.y_interval.map_or(d.y, |i| i.0), d.y_interval.map_or(d.y, |i| i.1)]);
        let bars = self.series.iter().any(|s| s.bar_width.is_some()).then_some(0.0);
        padded(ys.into_iter().chain(bars), 0.08)
    }

    fn values(&self, pick: impl Fn(&Datum) -> [f64; 3]) -> Vec<f64> {
        self.series.iter().flat_map(|s| s.data.iter().flat_map(&pick)).filter(|v| v.is_finite()).collect()
    }

    /// Does the chart need a legend (several named series, no category axis)?
    fn has_legend(&self) -> bool {
        // Bars over categories are components of each category (a legend
        // names them); markers over categories are the categories' own.
        let bars = self.series.iter().all(|s| s.bar_width.is_some());
        self.series.len() > 1 && (self.categories.is_none() || bars) && !self.panels
    }

    /// Width and height in pixels: stacked panels get 150 px each.
    pub fn size(&self) -> (u32, u32) {
        if self.panels { (SIZE.0, 90 + 150 * self.panel_groups().len() as u32) } else { SIZE }
    }

    /// The series of each stacked panel: a band (`area`) with the series
    /// after it.
    fn panel_groups(&self) -> Vec<&[Series]> {
        let mut out = Vec::new();
        let mut start = 0;
        for (k, s) in self.series.iter().enumerate() {
            if !s.area || k + 1 == self.series.len() {
                out.push(&self.series[start..=k]);
                start = k + 1;
            }
        }
        out
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let fail = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(fail)?;
        let body = root.titled(&self.title, ("sans-serif", 20)).map_err(fail)?;
        let (plot, legend) = if self.has_legend() {
            let (plot, legend) = body.split_horizontally(SIZE.0 - LEGEND_WIDTH);
            (plot, Some(legend))
        } else {
            (body, None)
        };
        if self.panels {
            let groups = self.panel_groups();
            let areas = plot.split_evenly((groups.len(), 1));
            for (k, (area, series)) in areas.iter().zip(&groups).enumerate() {
                let last = k + 1 == groups.len();
                self.draw_plot(area, series, last).map_err(fail)?;
            }
        } else {
            self.draw_plot(&plot, &self.series, true).map_err(fail)?;
        }
        if let Some(area) = legend {
            self.draw_legend(&area).map_err(fail)?;
        }
        root.present().map_err(fail)
    }

    /// One plot area with its axes and `series`; `x_axis` draws the x
    /// title (the bottom panel only).
    fn draw_plot<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        series: &[Series],
        x_axis: bool,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let (x0, x1) = self.x_range();
        let (y0, y1) = self.y_range();
        let mut chart = ChartBuilder::on(area)
            .margin(10)
            .x_label_area_size(if x_axis { 48 } else { 22 })
            .y_label_area_size(78)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        let categories = self.categories.clone().unwrap_or_default();
        let category = |x: &f64| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                categories.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        // A panel's y title names its series; the chart title gives the unit.
        let y_desc = if self.panels { series.last().map_or("", |s| s.name.as_str()) } else { &self.y_label };
        let mut mesh = chart.configure_mesh();
        mesh.y_desc(y_desc).label_style(("sans-serif", 13)).axis_desc_style(("sans-serif", 15));
        mesh.light_line_style(RGBColor(238, 238, 238)).bold_line_style(RGBColor(215, 215, 215));
        if x_axis {
            mesh.x_desc(&self.x_label);
        }
        if self.categories.is_some() {
            mesh.x_labels(categories.len() + 1).x_label_formatter(&category).disable_x_mesh();
        } else if self.log_x {
            mesh.x_labels(8).x_label_formatter(&|x| short_number(10f64.powf(*x)));
        } else {
            mesh.x_labels(8).x_label_formatter(&|x| short_number(*x));
        }
        mesh.y_labels(if self.panels { 4 } else { 7 }).y_label_formatter(&|y| short_number(*y));
        mesh.draw()?;
        for (k, band) in self.bands.iter().enumerate() {
            let shade = RGBColor(120, 120, 120).mix(0.16).filled();
            chart.draw_series([Rectangle::new([(band.from, y0), (band.to, y1)], shade)])?;
            // Labels step down so that neighbouring windows' labels never overlap.
            let y = y1 - (y1 - y0) * 0.09 * k as f64;
            let label = Text::new(band.label.clone(), (band.from, y), ("sans-serif", 12).into_font().color(&BLACK));
            chart.draw_series([label])?;
        }
        for s in series {
            draw_series(&mut chart, s)?;
        }
        Ok(())
    }

    fn draw_legend<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        for (k, s) in self.series.iter().enumerate() {
            let y = 40 + 24 * k as i32;
            let colour = colour(s.colour);
            area.draw(&Rectangle::new([(8, y - 5), (30, y + 5)], colour.filled()))?;
            area.draw(&Text::new(s.name.clone(), (38, y - 7), ("sans-serif", 14).into_font().color(&BLACK)))?;
        }
        Ok(())
    }
}

/// Width of the legend column, pixels.
const LEGEND_WIDTH: u32 = 170;

type Plot<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>>;

fn draw_series<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    series: &Series,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let colour = colour(series.colour);
    let style = ShapeStyle::from(&colour).stroke_width(if series.markers { 2 } else { 1 });
    let finite: Vec<&Datum> = series.data.iter().filter(|d| d.x.is_finite() && d.y.is_finite()).collect();
    if series.area {
        let upper = finite.iter().filter_map(|d| d.y_interval.map(|(_, hi)| (d.x, hi)));
        let lower = finite.iter().rev().filter_map(|d| d.y_interval.map(|(lo, _)| (d.x, lo)));
        let outline: Vec<(f64, f64)> = upper.chain(lower).filter(|(_, y)| y.is_finite()).collect();
        if outline.len() > 2 {
            chart.draw_series([Polygon::new(outline, colour.mix(0.22).filled())])?;
        }
        return Ok(());
    }
    if let Some(width) = series.bar_width {
        let bars = finite
            .iter()
            .map(|d| Rectangle::new([(d.x - width / 2.0, 0.0), (d.x + width / 2.0, d.y)], colour.filled()));
        chart.draw_series(bars)?;
    }
    for d in &finite {
        let whiskers = d
            .x_interval
            .map(|(lo, hi)| vec![(lo, d.y), (hi, d.y)])
            .into_iter()
            .chain(d.y_interval.map(|(lo, hi)| vec![(d.x, lo), (d.x, hi)]));
        chart.draw_series(whiskers.map(|path| PathElement::new(path, style.stroke_width(2))))?;
    }
    let points = finite.iter().map(|d| (d.x, d.y));
    if series.line {
        chart.draw_series(LineSeries::new(points.clone(), style))?;
    }
    if series.markers {
        chart.draw_series(points.map(|p| Circle::new(p, 4, colour.filled())))?;
    }
    Ok(())
}

/// The range of `values` padded by `fraction` on each side (a unit range
/// around a single value; 0..1 when there is nothing).
fn padded(values: impl Iterator<Item = f64>, fraction: f64) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    (lo - span * fraction, hi + span * fraction)
}

/// Tick labels: 3 significant figures, thousands as k / M.
pub(crate) fn short_number(v: f64) -> String {
    let trimmed = |text: String| text.trim_end_matches('0').trim_end_matches('.').to_string();
    let a = v.abs();
    if a >= 1e6 {
        trimmed(format!("{:.2}", v / 1e6)) + "M"
    } else if a >= 1e4 {
        trimmed(format!("{:.1}", v / 1e3)) + "k"
    } else if a >= 100.0 || v == v.round() {
        format!("{v:.0}")
    } else {
        trimmed(format!("{v:.3}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Chart {
        Chart {
            file: "t".into(),
            title: "Fill rate by outage".into(),
            x_label: "outage (days)".into(),
            y_label: "fill rate (ratio)".into(),
            series: vec![Series {
                name: "min-max".into(),
                data: vec![Datum { y_interval: Some((0.9, 0.95)), ..Datum::at(0.0, 0.93) }, Datum::at(7.0, 0.9)],
                line: true,
                markers: true,
                bar_width: None,
                colour: 0,
                area: false,
            }],
            bands: vec![Band { from: 2.0, to: 4.0, label: "outage".into() }],
            categories: None,
            panels: false,
            log_x: false,
        }
    }

    #[test]
    fn svg_is_deterministic_and_carries_titles_and_labels() {
        let (a, b) = (chart().to_svg(), chart().to_svg());
        assert_eq!(a, b);
        for text in ["Fill rate by outage", "outage (days)", "fill rate (ratio)", "<polyline", "<rect"] {
            assert!(a.contains(text), "{text} missing");
        }
    }

    #[test]
    fn ranges_include_intervals_and_bands_with_padding() {
        let c = chart();
        let (x0, x1) = c.x_range();
        assert!(x0 < 0.0 && x1 > 7.0);
        let (y0, y1) = c.y_range();
        assert!(y0 < 0.9 && y1 > 0.95);
        assert_eq!(padded(std::iter::empty(), 0.1), (0.0, 1.0));
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(short_number(0.925), "0.925");
        assert_eq!(short_number(12_345.0), "12.3k");
        assert_eq!(short_number(2_500_000.0), "2.5M");
        assert_eq!(short_number(250.0), "250");
    }
}
