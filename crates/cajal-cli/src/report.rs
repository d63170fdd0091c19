//! `report.html`: one self-contained page that shows what a run did — its facts, the
//! statistics of every population, theory beside simulation, the figures and the model file.
//!
//! The page works offline and alone: no script, no stylesheet, font or image from elsewhere.
//! Figures are embedded as `data:` URIs of the SVG files the run wrote; the CSS names only
//! system font stacks. Every piece of text from the model (names, the file itself) is
//! escaped. The file is written to a temporary name beside it and renamed, so a report that
//! is there is whole.
//!
//! [`Report`] is plain data filled by the run; [`write_report`] turns it into the page.
//! A further statistic is one [`PopulationRow::with_column`] call, a further figure one
//! more [`ReportFigure`].

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use miette::{IntoDiagnostic, Result, WrapErr};

/// What a value shows where it is absent or undefined.
pub const MISSING: &str = "–";

/// Everything a report shows.
#[derive(Clone, Debug)]
pub struct Report {
    /// The page's heading: the model file's name.
    pub title: String,
    /// How the run went.
    pub facts: RunFacts,
    /// One row per population, in file order.
    pub populations: Vec<PopulationRow>,
    /// Closed-form predictions beside the simulated values.
    pub theory: Vec<TheoryRow>,
    /// Further results of the theory in words (the predicted state of a network).
    pub theory_notes: Vec<String>,
    /// The figures the run drew.
    pub figures: Vec<ReportFigure>,
    /// The model file as run.
    pub model_text: String,
}

/// The facts of a run.
#[derive(Clone, Debug)]
pub struct RunFacts {
    /// The cajal version that ran it.
    pub cajal_version: String,
    /// The model file as named on the command line.
    pub model_file: String,
    /// The duration asked for (ms).
    pub duration_ms: f64,
    /// The biological time simulated (ms): less than `duration_ms` if interrupted.
    pub simulated_ms: f64,
    /// The time step (ms).
    pub dt_ms: f64,
    /// The seed of all random streams.
    pub seed: u64,
    /// Threads used.
    pub threads: usize,
    /// Wall-clock time of the whole command (s).
    pub wall_seconds: f64,
    /// Wall-clock time of the step loop (s).
    pub simulate_seconds: f64,
    /// Whether the run reached its end.
    pub complete: bool,
}

/// The statistics of one population.
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationRow {
    /// The population's name.
    pub name: String,
    /// Its neuron model (`lif`, `hh`, ...).
    pub model: String,
    /// Number of neurons.
    pub size: usize,
    /// Spikes of all its neurons; `None` for a population that does not spike.
    pub spike_count: Option<u64>,
    /// Mean firing rate over the run (Hz).
    pub rate_hz: Option<f64>,
    /// Mean over neurons of the ISI CV.
    pub cv_isi: Option<f64>,
    /// Further statistics as (column heading with its unit, value): a column per distinct
    /// heading, in the order headings first appear, and [`MISSING`] where a row lacks one.
    pub columns: Vec<(String, Option<f64>)>,
}

impl PopulationRow {
    /// A row with no spike statistics yet.
    pub fn new(name: impl Into<String>, model: impl Into<String>, size: usize) -> Self {
        PopulationRow {
            name: name.into(),
            model: model.into(),
            size,
            spike_count: None,
            rate_hz: None,
            cv_isi: None,
            columns: Vec::new(),
        }
    }

    /// Adds a statistic under the column `heading` (give its unit, e.g. `"Fano factor
    /// (100 ms bins)"`).
    pub fn with_column(mut self, heading: impl Into<String>, value: Option<f64>) -> Self {
        self.columns.push((heading.into(), value));
        self
    }
}

/// A quantity of one population, predicted and simulated.
#[derive(Clone, Debug, PartialEq)]
pub struct TheoryRow {
    /// The quantity's key in summary.json (`rate_hz`).
    pub key: &'static str,
    /// Its name in the report, with its unit.
    pub quantity: String,
    /// The population's name.
    pub population: String,
    /// The prediction.
    pub theory: f64,
    /// What the run gave; `None` where it could not be measured.
    pub simulation: Option<f64>,
    /// The closed form behind the prediction, in words.
    pub basis: String,
}

impl TheoryRow {
    /// (simulation − theory)/|theory|; `None` where either is missing or theory is 0.
    pub fn relative_difference(&self) -> Option<f64> {
        let simulation = self.simulation?;
        (self.theory != 0.0 && self.theory.is_finite())
            .then(|| (simulation - self.theory) / self.theory.abs())
    }
}

/// A figure of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportFigure {
    /// What it shows.
    pub caption: String,
    /// The SVG file the run wrote; the report embeds its content.
    pub svg: PathBuf,
}

/// Writes `report` to `path` as one self-contained HTML page, atomically.
pub fn write_report(report: &Report, path: &Path) -> Result<()> {
    let images = report
        .figures
        .iter()
        .map(|figure| {
            fs::read(&figure.svg)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot read {} for the report", figure.svg.display()))
                .map(|svg| svg_data_uri(&svg))
        })
        .collect::<Result<Vec<_>>>()?;
    write_atomically(path, render(report, &images).as_bytes())
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write {}", path.display()))
}

/// An SVG document as a `data:` URI for an `<img>`.
fn svg_data_uri(svg: &[u8]) -> String {
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    )
}

/// Writes `bytes` to a temporary file beside `path` and renames it to `path`: readers see
/// the old file or the whole new one, never a part (a rename within a directory is atomic).
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map_or("report.html".into(), |n| n.to_string_lossy().into_owned());
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        // Without this a crash soon after the rename could leave the new name empty.
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

/// Text with the five characters that HTML gives meaning to escaped: safe in element
/// content and in quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// A value with four significant digits, [`MISSING`] for none or NaN.
pub fn number(value: Option<f64>) -> String {
    match value {
        None => MISSING.to_string(),
        Some(v) if v.is_nan() => MISSING.to_string(),
        Some(v) if v.is_infinite() => if v > 0.0 { "∞" } else { "−∞" }.to_string(),
        Some(0.0) => "0".to_string(),
        Some(v) => {
            let magnitude = v.abs().log10().floor();
            if !(-3.0..6.0).contains(&magnitude) {
                format!("{v:.3e}")
            } else {
                format!("{v:.*}", (3.0 - magnitude).max(0.0) as usize)
            }
        }
    }
}

/// A relative difference in per cent (the heading says so), signed; [`MISSING`] for none.
fn percent(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{:+.2}", 100.0 * v),
        _ => MISSING.to_string(),
    }
}

/// Milliseconds as the model file would write them.
fn milliseconds(value: f64) -> String {
    format!("{} ms", crate::output::format_number(value))
}

/// Body width and the system font stacks: nothing is fetched, and the page reads on a
/// laptop without lines running across a wide screen.
const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       "Noto Sans", "Liberation Sans", sans-serif;
       max-width: 1080px; margin: 0 auto; padding: 1.5rem 1.5rem 3rem; color: #1d1d1f;
       background: #fff; line-height: 1.45; }
h1 { font-size: 1.6rem; margin: 0 0 0.4rem; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.6rem; padding-bottom: 0.2rem;
     border-bottom: 1px solid #d0d7de; }
nav { font-size: 0.95rem; margin-bottom: 1rem; }
nav a { margin-right: 1rem; color: #0b5cad; }
.banner { background: #fdecea; border: 1px solid #d93025; border-left: 8px solid #d93025;
          padding: 0.8rem 1rem; margin: 1rem 0; font-size: 1.05rem; }
.complete { color: #1a7f37; font-weight: 600; }
.incomplete { color: #d93025; font-weight: 600; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 0.3rem 0; }
th, td { padding: 0.3rem 0.8rem; border-bottom: 1px solid #e1e4e8; text-align: left;
         vertical-align: top; }
thead th { background: #f3f5f7; border-bottom: 2px solid #c8ced6; white-space: nowrap; }
td.number, th.number { text-align: right; }
table.facts th { font-weight: normal; color: #57606a; white-space: nowrap; }
figure { margin: 1.2rem 0; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid #e1e4e8; }
figcaption { font-size: 0.95rem; color: #333; margin-top: 0.3rem; }
pre { background: #f6f8fa; border: 1px solid #e1e4e8; padding: 0.8rem 1rem;
      overflow-x: auto; font-size: 0.88rem; line-height: 1.35;
      font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas,
                   "Liberation Mono", monospace; }
.note { color: #57606a; font-size: 0.95rem; }
footer { margin-top: 2.5rem; color: #57606a; font-size: 0.85rem; }
"#;

/// The page, with `images[k]` the `src` of figure k.
fn render(report: &Report, images: &[String]) -> String {
    let mut html = String::new();
    let title = escape(&report.title);
    // Writing to a String cannot fail.
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} — cajal report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header>\n<h1>{title}</h1>\n"
    );
    if !report.facts.complete {
        let _ = writeln!(
            html,
            "<p class=\"banner\" role=\"alert\"><strong>Incomplete run.</strong> It was \
             stopped at t = {} of {}: every number and figure below covers only the time \
             simulated.</p>",
            milliseconds(report.facts.simulated_ms),
            milliseconds(report.facts.duration_ms)
        );
    }
    html.push_str(
        "<nav><a href=\"#run\">Run</a><a href=\"#populations\">Populations</a>\
         <a href=\"#theory\">Theory</a><a href=\"#figures\">Figures</a>\
         <a href=\"#model\">Model file</a></nav>\n</header>\n<main>\n",
    );
    facts_section(&mut html, &report.facts);
    populations_section(&mut html, &report.populations);
    theory_section(&mut html, &report.theory, &report.theory_notes);
    figures_section(&mut html, &report.figures, images);
    let _ = write!(
        html,
        "<section id=\"model\">\n<h2>Model file</h2>\n<pre>{}</pre>\n</section>\n</main>\n\
         <footer>Written by cajal {}.</footer>\n</body>\n</html>\n",
        escape(&report.model_text),
        escape(&report.facts.cajal_version)
    );
    html
}

fn facts_section(html: &mut String, facts: &RunFacts) {
    let status = if facts.complete {
        "<span class=\"complete\">complete</span>".to_string()
    } else {
        format!(
            "<span class=\"incomplete\">incomplete: stopped at t = {}</span>",
            milliseconds(facts.simulated_ms)
        )
    };
    let rows = [
        ("status", status),
        ("model file", escape(&facts.model_file)),
        ("duration", milliseconds(facts.duration_ms)),
        ("simulated", milliseconds(facts.simulated_ms)),
        ("time step dt", milliseconds(facts.dt_ms)),
        ("seed", facts.seed.to_string()),
        ("threads", facts.threads.to_string()),
        ("wall-clock time", format!("{:.2} s", facts.wall_seconds)),
        (
            "simulation time",
            format!(
                "{:.2} s ({:.1}× real time)",
                facts.simulate_seconds,
                facts.simulated_ms / 1000.0 / facts.simulate_seconds.max(1e-9)
            ),
        ),
        ("cajal version", escape(&facts.cajal_version)),
    ];
    html.push_str("<section id=\"run\">\n<h2>Run</h2>\n<table class=\"facts\">\n");
    for (name, value) in rows {
        let _ = writeln!(
            html,
            "<tr><th scope=\"row\">{name}</th><td>{value}</td></tr>"
        );
    }
    html.push_str("</table>\n</section>\n");
}

fn populations_section(html: &mut String, rows: &[PopulationRow]) {
    let mut extra: Vec<&str> = Vec::new();
    for (heading, _) in rows.iter().flat_map(|r| &r.columns) {
        if !extra.contains(&heading.as_str()) {
            extra.push(heading);
        }
    }
    html.push_str(
        "<section id=\"populations\">\n<h2>Populations</h2>\n<div class=\"scroll\">\n<table>\n\
         <thead><tr><th>population</th><th>model</th><th class=\"number\">size (neurons)</th>\
         <th class=\"number\">spikes</th><th class=\"number\">rate (Hz)</th>\
         <th class=\"number\">CV ISI</th>",
    );
    for heading in &extra {
        let _ = write!(html, "<th class=\"number\">{}</th>", escape(heading));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td class=\"number\">{}</td><td class=\"number\">{}</td>\
             <td class=\"number\">{}</td><td class=\"number\">{}</td>",
            escape(&row.name),
            escape(&row.model),
            row.size,
            row.spike_count
                .map_or(MISSING.to_string(), |c| c.to_string()),
            number(row.rate_hz),
            number(row.cv_isi)
        );
        for heading in &extra {
            let value = row
                .columns
                .iter()
                .find(|(h, _)| h == heading)
                .and_then(|(_, v)| *v);
            let _ = write!(html, "<td class=\"number\">{}</td>", number(value));
        }
        html.push_str("</tr>\n");
    }
    html.push_str(
        "</tbody>\n</table>\n</div>\n<p class=\"note\">Rate: spikes per neuron over the time \
         simulated. CV ISI: standard deviation over mean of the inter-spike intervals, \
         averaged over the neurons with at least two intervals. – : not defined or not \
         recorded.</p>\n</section>\n",
    );
}

fn theory_section(html: &mut String, rows: &[TheoryRow], notes: &[String]) {
    html.push_str("<section id=\"theory\">\n<h2>Theory vs simulation</h2>\n");
    for note in notes {
        let _ = writeln!(html, "<p>{}</p>", escape(note));
    }
    if rows.is_empty() && !notes.is_empty() {
        html.push_str("</section>\n");
        return;
    }
    if rows.is_empty() {
        html.push_str(
            "<p class=\"note\">No population of this model has a closed-form prediction.</p>\n\
             </section>\n",
        );
        return;
    }
    html.push_str(
        "<div class=\"scroll\">\n<table>\n<thead><tr><th>quantity</th><th>population</th>\
         <th class=\"number\">theory</th><th class=\"number\">simulation</th>\
         <th class=\"number\">relative difference (%)</th></tr></thead>\n<tbody>\n",
    );
    for row in rows {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td class=\"number\">{}</td><td class=\"number\">{}</td>\
             <td class=\"number\">{}</td></tr>",
            escape(&row.quantity),
            escape(&row.population),
            number(Some(row.theory)),
            number(row.simulation),
            percent(row.relative_difference())
        );
    }
    html.push_str("</tbody>\n</table>\n</div>\n<ul class=\"note\">\n");
    let mut bases: Vec<&str> = Vec::new();
    for row in rows {
        if !bases.contains(&row.basis.as_str()) {
            bases.push(&row.basis);
            let _ = writeln!(html, "<li>{}</li>", escape(&row.basis));
        }
    }
    html.push_str(
        "<li>The predictions are stationary: they leave out the transient before each \
         neuron's first spike, and so does the simulated rate here, taken over the \
         inter-spike intervals (the rate in the table above counts the whole run).</li>\n\
         </ul>\n</section>\n",
    );
}

fn figures_section(html: &mut String, figures: &[ReportFigure], images: &[String]) {
    html.push_str("<section id=\"figures\">\n<h2>Figures</h2>\n");
    if figures.is_empty() {
        html.push_str("<p class=\"note\">The run drew no figure.</p>\n");
    }
    for (index, (figure, image)) in figures.iter().zip(images).enumerate() {
        let caption = escape(&figure.caption);
        let _ = writeln!(
            html,
            "<figure id=\"figure-{n}\">\n<img src=\"{image}\" alt=\"{caption}\">\n\
             <figcaption>Figure {n}. {caption}</figcaption>\n</figure>",
            n = index + 1
        );
    }
    html.push_str("</section>\n");
}

#[cfg(test)]
mod tests;
