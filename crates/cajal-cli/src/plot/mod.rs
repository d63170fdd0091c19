//! Static figures of simulation results, written as SVG and PNG side by side.
//!
//! A [`Figure`] is a stack of [`Panel`]s (one above the other, sharing only the width), each
//! with its own axes and any number of [`Series`]. [`render`] lays the figure out once and
//! writes `<stem>.svg` and `<stem>.png`. Behind its series a panel may draw a [`Heatmap`] or
//! [`ColoredSegments`] (a neuron's compartments coloured by potential) in the viridis colour
//! map with a colour bar, and [`Panel::with_equal_aspect`] keeps drawings in space to scale.
//!
//! Properties the rest of the program can rely on:
//!
//! * **Self-contained text.** All text uses the embedded DejaVu Sans font, registered with
//!   plotters as `"sans-serif"`; no system font is needed to render the PNG.
//! * **Robust.** Empty series, single points, NaN/±inf values (skipped; they break lines),
//!   constant data and inverted or invalid explicit ranges are all handled; nothing panics
//!   and every failure is reported as a [`PlotError`] naming the file.
//! * **Fast for huge series.** Lines longer than four samples per pixel column are reduced to
//!   the first/min/max/last sample of each column (so single-sample spikes stay visible);
//!   markers and ticks are merged per pixel, so a 10^6-spike raster is cheap to draw.
//! * **Deterministic.** The same figure always produces byte-identical files.
//!
//! ```ignore
//! let trace = Panel::new("time (ms)", "membrane potential (mV)")
//!     .with_series(Series::line(t, v).with_label("V"))
//!     .with_series(Series::ticks(spike_times, vec![30.0; n]).with_color(Color::Palette(1)));
//! let [svg, png] = render(&Figure::new("LIF neuron").with_panel(trace), Path::new("out/lif"))?;
//! ```

// This module is a small library inside the binary: not every helper is used by every
// command, and unused public items must not break `-D warnings` builds.
#![allow(dead_code)]

mod colormap;
mod geom;
mod heatmap;
mod layout;
mod metrics;
mod scene;
mod segments;
// (crate-visible so that the figures' tests can read rendered SVGs with its helpers)
#[cfg(test)]
pub(crate) mod tests;
mod ticks;

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::backend::{BitMapBackend, SVGBackend};
use plotters::style::FontStyle;

/// The embedded font, used for all text in every figure.
static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// The colour-blind-safe palette indexed by [`Color::Palette`] (Okabe & Ito, 2008),
/// reordered so that the first colours contrast best on white; yellow comes last.
pub const PALETTE: [(u8, u8, u8); 8] = [
    (0, 114, 178),   // blue
    (213, 94, 0),    // vermillion
    (0, 158, 115),   // bluish green
    (204, 121, 167), // reddish purple
    (230, 159, 0),   // orange
    (86, 180, 233),  // sky blue
    (0, 0, 0),       // black
    (240, 228, 66),  // yellow
];

/// Default figure width in pixels.
pub const DEFAULT_WIDTH: u32 = 1000;
/// Default height of each panel in pixels.
pub const DEFAULT_HEIGHT_PER_PANEL: u32 = 320;

/// A series colour: an index into the colour-blind-safe [`PALETTE`] (wrapping around), or
/// an explicit RGB triple.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Color {
    /// The `n`-th palette colour (modulo the palette length).
    Palette(usize),
    /// An explicit colour.
    Rgb(u8, u8, u8),
}

impl Color {
    /// The colour as an RGB triple.
    pub fn rgb(self) -> (u8, u8, u8) {
        match self {
            Color::Palette(i) => PALETTE[i % PALETTE.len()],
            Color::Rgb(r, g, b) => (r, g, b),
        }
    }
}

/// The viridis colour map at `t` in `0.0..=1.0` (clamped): dark purple through teal to
/// yellow, as in heatmaps and coloured segments; for series ordered by a quantity (time).
pub fn viridis(t: f64) -> Color {
    let (r, g, b) = colormap::viridis(t);
    Color::Rgb(r, g, b)
}

impl Default for Color {
    /// The first palette colour.
    fn default() -> Self {
        Color::Palette(0)
    }
}

/// How a [`Series`] is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SeriesStyle {
    /// A solid polyline through the points (NaN/inf values leave a gap).
    #[default]
    Line,
    /// A dashed polyline, e.g. for theoretical curves.
    Dashed,
    /// Filled circles of `marker_size` pixels diameter.
    Points,
    /// Short vertical ticks of `marker_size` pixels, centred at each point: spike markers on
    /// a trace, or a raster plot (x = spike time, y = neuron index).
    Ticks,
    /// Histogram bars: `x` holds the bin edges (`y.len() + 1` of them) and `y` the bar
    /// heights. Bars are filled semi-transparently and outlined.
    Steps,
}

/// One data series of a [`Panel`].
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend entry; series without a label are left out of the legend.
    pub label: Option<String>,
    /// X values (bin edges for [`SeriesStyle::Steps`]).
    pub x: Vec<f64>,
    /// Y values (bar heights for [`SeriesStyle::Steps`]).
    pub y: Vec<f64>,
    /// How the series is drawn.
    pub style: SeriesStyle,
    /// Colour of the series.
    pub color: Color,
    /// Marker diameter ([`SeriesStyle::Points`]) or tick height ([`SeriesStyle::Ticks`])
    /// in pixels (at most 200 are used); ignored by the other styles.
    pub marker_size: u32,
}

impl Default for Series {
    /// An empty, unlabelled line in the first palette colour with 6-pixel markers.
    fn default() -> Self {
        Self {
            label: None,
            x: Vec::new(),
            y: Vec::new(),
            style: SeriesStyle::Line,
            color: Color::default(),
            marker_size: 6,
        }
    }
}

impl Series {
    /// A series of the given style (default colour, marker size and no label).
    pub fn new(style: SeriesStyle, x: Vec<f64>, y: Vec<f64>) -> Self {
        Self {
            x,
            y,
            style,
            ..Self::default()
        }
    }

    /// A solid line.
    pub fn line(x: Vec<f64>, y: Vec<f64>) -> Self {
        Self::new(SeriesStyle::Line, x, y)
    }

    /// A dashed line.
    pub fn dashed(x: Vec<f64>, y: Vec<f64>) -> Self {
        Self::new(SeriesStyle::Dashed, x, y)
    }

    /// Filled circular markers.
    pub fn points(x: Vec<f64>, y: Vec<f64>) -> Self {
        Self::new(SeriesStyle::Points, x, y)
    }

    /// Vertical tick marks (spike markers, raster plots); 10 pixels tall by default.
    pub fn ticks(x: Vec<f64>, y: Vec<f64>) -> Self {
        Self {
            marker_size: 10,
            ..Self::new(SeriesStyle::Ticks, x, y)
        }
    }

    /// A histogram from bin `edges` (one more than `heights`) and bar `heights`.
    pub fn steps(edges: Vec<f64>, heights: Vec<f64>) -> Self {
        Self::new(SeriesStyle::Steps, edges, heights)
    }

    /// Sets the legend label.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the colour.
    pub fn with_color(mut self, color: Color) -> Self {
        self.color = color;
        self
    }

    /// Sets the marker diameter / tick height in pixels.
    pub fn with_marker_size(mut self, pixels: u32) -> Self {
        self.marker_size = pixels;
        self
    }
}

/// One set of axes in a [`Figure`].
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Title shown above the axes.
    pub title: Option<String>,
    /// X axis label, with unit, e.g. `"time (ms)"`.
    pub x_label: String,
    /// Y axis label, with unit, e.g. `"membrane potential (mV)"`.
    pub y_label: String,
    /// The series, drawn in order (later series on top).
    pub series: Vec<Series>,
    /// X axis range; `None` fits the data with a small margin.
    pub x_range: Option<(f64, f64)>,
    /// Y axis range; `None` fits the data with a small margin.
    pub y_range: Option<(f64, f64)>,
    /// Whether to show a legend of the labelled series (placed in the emptiest corner).
    pub legend: bool,
    /// Annotated vertical markers: a dashed grey line at each x with its text label.
    pub vertical_lines: Vec<(f64, String)>,
    /// Logarithmic y axis; non-positive values are not shown.
    pub log_y: bool,
    /// A grid of values drawn in colour behind the series, with a colour bar on the right.
    pub heatmap: Option<Heatmap>,
    /// Line segments coloured by value, drawn behind the series, with a colour bar on the
    /// right. A panel has one colour bar: when a heatmap is set too, the bar shows the
    /// heatmap's scale, so give a panel one or the other.
    pub segments: Option<ColoredSegments>,
    /// Whether one data unit spans as many pixels on x as on y (drawings in space, such
    /// as a neuron's morphology): the axis with room to spare is widened to keep the shape.
    pub equal_aspect: bool,
}

/// Values on a regular grid, drawn in the viridis colour map (see [`Panel::with_heatmap`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// Left edge of the first column and right edge of the last (data units).
    pub x_range: (f64, f64),
    /// Bottom edge of the first row and top edge of the last (data units).
    pub y_range: (f64, f64),
    /// Number of columns.
    pub columns: usize,
    /// Number of rows.
    pub rows: usize,
    /// `rows × columns` values, row by row from the bottom; non-finite values stay blank.
    pub values: Vec<f64>,
    /// What the colours mean, with the unit (written beside the colour bar).
    pub value_label: String,
    /// The values at the ends of the colour map; `None`: the data's minimum and maximum.
    pub value_range: Option<(f64, f64)>,
}

/// Line segments in data coordinates, each coloured by a value on the viridis scale and
/// drawn with its own width (see [`Panel::with_segments`]), e.g. the compartments of a
/// neuron coloured by membrane potential.
///
/// Segments are drawn widest first, so that thin branches stay visible where they meet a
/// thick trunk. A segment whose value is not finite is drawn in light grey (its place is
/// still shown), one with a non-finite end is left out; a segment shorter than a pixel is
/// drawn as a dot of its width.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ColoredSegments {
    /// Start and end `[[x0, y0], [x1, y1]]` of each segment (data units).
    pub segments: Vec<[[f64; 2]; 2]>,
    /// The value of each segment; segments beyond the values are drawn grey.
    pub values: Vec<f64>,
    /// The stroke width of each segment in pixels (rounded, clamped to 1..=64; missing or
    /// non-finite widths draw 2 pixels wide).
    pub widths_px: Vec<f64>,
    /// What the colours mean, with the unit (written beside the colour bar).
    pub value_label: String,
    /// The values at the ends of the colour map; `None`: the finite values' minimum and
    /// maximum (padded by ±0.5 when they are all equal).
    pub value_range: Option<(f64, f64)>,
}

impl Default for Panel {
    /// An empty panel without labels, with the legend enabled.
    fn default() -> Self {
        Self {
            title: None,
            x_label: String::new(),
            y_label: String::new(),
            series: Vec::new(),
            x_range: None,
            y_range: None,
            legend: true,
            vertical_lines: Vec::new(),
            log_y: false,
            heatmap: None,
            segments: None,
            equal_aspect: false,
        }
    }
}

impl Panel {
    /// An empty panel with the given axis labels (include units).
    pub fn new(x_label: impl Into<String>, y_label: impl Into<String>) -> Self {
        Self {
            x_label: x_label.into(),
            y_label: y_label.into(),
            ..Self::default()
        }
    }

    /// Sets the panel title.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Adds a series.
    pub fn with_series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    /// Fixes the x axis range.
    pub fn with_x_range(mut self, lo: f64, hi: f64) -> Self {
        self.x_range = Some((lo, hi));
        self
    }

    /// Fixes the y axis range.
    pub fn with_y_range(mut self, lo: f64, hi: f64) -> Self {
        self.y_range = Some((lo, hi));
        self
    }

    /// Shows or hides the legend.
    pub fn with_legend(mut self, legend: bool) -> Self {
        self.legend = legend;
        self
    }

    /// Adds an annotated vertical marker at `x`.
    pub fn with_vertical_line(mut self, x: f64, label: impl Into<String>) -> Self {
        self.vertical_lines.push((x, label.into()));
        self
    }

    /// Draws `heatmap` behind the series; the axes span exactly its extent unless ranges
    /// are set explicitly.
    pub fn with_heatmap(mut self, heatmap: Heatmap) -> Self {
        self.x_range.get_or_insert(heatmap.x_range);
        self.y_range.get_or_insert(heatmap.y_range);
        self.heatmap = Some(heatmap);
        self
    }

    /// Draws coloured `segments` behind the series, with a colour bar; the axes fit them
    /// (and the series) unless ranges are set explicitly.
    pub fn with_segments(mut self, segments: ColoredSegments) -> Self {
        self.segments = Some(segments);
        self
    }

    /// Keeps one data unit the same length in pixels on both axes (ignored on a log axis).
    pub fn with_equal_aspect(mut self, equal: bool) -> Self {
        self.equal_aspect = equal;
        self
    }

    /// Switches the y axis to a logarithmic scale.
    pub fn with_log_y(mut self, log_y: bool) -> Self {
        self.log_y = log_y;
        self
    }
}

/// A figure: a title above vertically stacked panels.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Figure title (may be empty).
    pub title: String,
    /// The panels, top to bottom.
    pub panels: Vec<Panel>,
    /// Width in pixels (clamped to 240..=32768).
    pub width: u32,
    /// Height of each panel in pixels (at least 140 are used). Figures taller than 32768
    /// pixels, or of more than 40 million pixels, are refused with a [`PlotError`].
    pub height_per_panel: u32,
}

impl Default for Figure {
    /// An untitled, empty figure of the default size.
    fn default() -> Self {
        Self {
            title: String::new(),
            panels: Vec::new(),
            width: DEFAULT_WIDTH,
            height_per_panel: DEFAULT_HEIGHT_PER_PANEL,
        }
    }
}

impl Figure {
    /// An empty figure of the default size with the given title.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }

    /// Adds a panel below the existing ones.
    pub fn with_panel(mut self, panel: Panel) -> Self {
        self.panels.push(panel);
        self
    }

    /// Sets the width and the per-panel height in pixels.
    pub fn with_size(mut self, width: u32, height_per_panel: u32) -> Self {
        self.width = width;
        self.height_per_panel = height_per_panel;
        self
    }
}

/// A figure could not be rendered or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlotError {
    /// The output file concerned.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot write plot {}: {}",
            self.path.display(),
            self.message
        )
    }
}

impl std::error::Error for PlotError {}

/// Registers the embedded font as "sans-serif" (once per process).
fn ensure_font() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font("sans-serif", FontStyle::Normal, FONT_BYTES)
                .map_err(|_| "the embedded font could not be loaded".to_string())
        })
        .clone()
}

/// `<stem>.<ext>`, appending to the file name (a stem like `run.v2` keeps its dot).
fn with_suffix(stem: &Path, ext: &str) -> PathBuf {
    let mut s = OsString::from(stem.as_os_str());
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Renders `figure` to `<path_stem>.svg` and `<path_stem>.png`, creating the parent
/// directory if needed, and returns the two paths (SVG first).
///
/// # Errors
///
/// A [`PlotError`] naming the file concerned when the figure is too large to rasterise,
/// the directory or a file cannot be written, or drawing fails.
pub fn render(figure: &Figure, path_stem: &Path) -> Result<[PathBuf; 2], PlotError> {
    let svg_path = with_suffix(path_stem, "svg");
    let png_path = with_suffix(path_stem, "png");
    let fail = |path: &Path, message: String| PlotError {
        path: path.to_path_buf(),
        message,
    };
    ensure_font().map_err(|m| fail(&svg_path, m))?;
    let scene = layout::build_scene(figure).map_err(|m| fail(&svg_path, m))?;

    if let Some(parent) = svg_path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            fail(
                &svg_path,
                format!("cannot create directory {}: {e}", parent.display()),
            )
        })?;
    }

    let mut svg = String::new();
    {
        let mut backend = SVGBackend::with_string(&mut svg, (scene.width, scene.height));
        scene::emit(&mut backend, &scene, scene::Target::Svg)
            .map_err(|e| fail(&svg_path, format!("drawing failed: {e}")))?;
    }
    std::fs::write(&svg_path, svg.as_bytes()).map_err(|e| fail(&svg_path, e.to_string()))?;

    {
        let mut backend = BitMapBackend::new(&png_path, (scene.width, scene.height));
        scene::emit(&mut backend, &scene, scene::Target::Bitmap)
            .map_err(|e| fail(&png_path, format!("drawing failed: {e}")))?;
    }
    Ok([svg_path, png_path])
}

/// Renders `figure` into an in-memory RGB buffer (3 bytes per pixel, row-major) and returns
/// it with its width and height; the same pixels [`render`] writes to the PNG.
///
/// # Errors
///
/// A [`PlotError`] with an empty path when the figure cannot be laid out or drawn.
pub fn render_rgb(figure: &Figure) -> Result<(Vec<u8>, u32, u32), PlotError> {
    let fail = |message: String| PlotError {
        path: PathBuf::new(),
        message,
    };
    ensure_font().map_err(fail)?;
    let scene = layout::build_scene(figure).map_err(fail)?;
    let mut buf = vec![0u8; scene.width as usize * scene.height as usize * 3];
    {
        let mut backend = BitMapBackend::with_buffer(&mut buf, (scene.width, scene.height));
        scene::emit(&mut backend, &scene, scene::Target::Bitmap)
            .map_err(|e| fail(format!("drawing failed: {e}")))?;
    }
    Ok((buf, scene.width, scene.height))
}
