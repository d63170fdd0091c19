//! Figures of spike-train statistics: a raster with population rates, ISI, firing-rate and
//! CV histograms, the power spectrum of the population activity, population rates and PSTHs.
//!
//! Every function takes plain numbers (slices, and the small structs of this module) and
//! returns a [`Figure`]; computing the statistics is the caller's business. Missing or
//! degenerate data (no spikes, one neuron, zero rates) gives a figure that says so in a
//! panel title instead of failing.
//!
//! ```ignore
//! let excitatory = PopulationSpikes { name: "E", size: 8000, spikes: &e_spikes };
//! let inhibitory = PopulationSpikes { name: "I", size: 2000, spikes: &i_spikes };
//! let figure = raster_figure("Brunel network", &[excitatory, inhibitory],
//!     &RasterOptions::new(0.0, 1000.0, 1.0));
//! plot::render(&figure, Path::new("out/raster"))?;
//! ```

// `cajal run` and `cajal stats` draw these figures through stats_outputs.rs; a few items
// (the one-shot `raster_figure`, the sample's accessors) serve library-style callers and the
// tests only, and must not break `-D warnings` builds.
#![allow(dead_code)]

use crate::plot::{Color, Figure, Panel, Series};

/// Rows drawn in a raster by default: beyond this a regular sample of each population is
/// shown, so that rows stay distinguishable at the usual figure height.
pub const RASTER_ROWS: u32 = 500;

/// Every population keeps at least this many rows in a sampled raster (or all of its
/// neurons, when it has fewer), so that a small population stays visible next to a big one.
pub const MIN_ROWS_PER_POPULATION: u32 = 5;

/// Most bins of a raster's population-rate panel: a finer bin is refused with a note.
const MAX_RATE_BINS: usize = 1_000_000;

/// Pixel height of each panel of the statistics figures (the raster needs room for rows).
const PANEL_HEIGHT: u32 = 380;

/// Histograms get between this few and ...
const MIN_BINS: usize = 5;
/// ... this many bins.
const MAX_BINS: usize = 100;

/// Fraction of the inter-spike intervals shown in the ISI histogram: the longest 1 % would
/// stretch the axis over a sparse tail.
const ISI_QUANTILE: f64 = 0.99;

/// Samples of the exponential density drawn over the ISI histogram.
const OVERLAY_SAMPLES: usize = 200;

/// A neutral grey for band separators.
const SEPARATOR: Color = Color::Rgb(170, 170, 170);

/// The spikes of one population, for [`raster_figure`].
#[derive(Clone, Copy, Debug)]
pub struct PopulationSpikes<'a> {
    /// Population name, shown in the legends.
    pub name: &'a str,
    /// Number of neurons; spikes of neurons `>= size` are ignored.
    pub size: u32,
    /// `(neuron, time in ms)` pairs, neurons numbered from 0 within the population, in any
    /// order.
    pub spikes: &'a [(u32, f64)],
}

/// What a raster shows: the time window, the population-rate bin and the number of rows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RasterOptions {
    /// Start of the window shown, inclusive (ms).
    pub start_ms: f64,
    /// End of the window shown, exclusive (ms).
    pub end_ms: f64,
    /// Bin of the population rates below the raster (ms).
    pub rate_bin_ms: f64,
    /// Most rows drawn, over all populations together (see [`RasterSample`]).
    pub max_rows: u32,
}

impl RasterOptions {
    /// The window `[start_ms, end_ms)` with rates in bins of `rate_bin_ms`, and at most
    /// [`RASTER_ROWS`] rows.
    pub fn new(start_ms: f64, end_ms: f64, rate_bin_ms: f64) -> Self {
        Self {
            start_ms,
            end_ms,
            rate_bin_ms,
            max_rows: RASTER_ROWS,
        }
    }
}

/// One population's band of a raster.
#[derive(Clone, Debug)]
struct Band {
    name: String,
    size: u32,
    /// Neurons drawn: `0, stride, 2 stride, ...`.
    stride: u32,
    /// Neuron index (over all populations) of the population's first neuron: the band's
    /// bottom on the y axis.
    offset: u64,
    /// Spike times and y positions of the drawn neurons, in the window.
    times_ms: Vec<f64>,
    rows: Vec<f64>,
    /// Spikes of all the population's neurons per rate bin.
    counts: Vec<u64>,
}

impl Band {
    fn drawn_neurons(&self) -> u32 {
        self.size.div_ceil(self.stride)
    }
}

/// Per population, the stride for a common `stride`: the same, unless that would leave
/// fewer than [`MIN_ROWS_PER_POPULATION`] rows.
fn population_stride(size: u32, stride: u32) -> u32 {
    stride.min((size / MIN_ROWS_PER_POPULATION).max(1))
}

/// The smallest common stride that keeps the rows of all populations within `max_rows`
/// (or the largest useful one, when the minimum rows alone exceed it).
fn common_stride(sizes: &[u32], max_rows: u32) -> u32 {
    let rows = |stride: u32| -> u64 {
        sizes
            .iter()
            .map(|&size| u64::from(size.div_ceil(population_stride(size, stride))))
            .sum()
    };
    let (mut low, mut high) = (1, sizes.iter().copied().max().unwrap_or(1).max(1));
    if rows(high) > u64::from(max_rows) {
        return high;
    }
    // rows(stride) does not grow with the stride: bisect for the first that fits
    while low < high {
        let middle = low + (high - low) / 2;
        if rows(middle) <= u64::from(max_rows) {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    low
}

/// The spikes a raster draws, gathered one spike at a time: for a stream of spikes too
/// long to keep, or spikes held in another form than [`PopulationSpikes`].
///
/// Every population is its own band: population 0 at the bottom, the next above it, each
/// on the neuron index counted over all populations. In a large network only every `k`-th
/// neuron of a population is drawn (neurons 0, k, 2k, ...), with one `k` for all
/// populations chosen so that at most `max_rows` rows are drawn — except that each population
/// keeps at least [`MIN_ROWS_PER_POPULATION`] rows, which with more than `max_rows / 5`
/// populations may exceed the limit. The population rates count every neuron's spikes.
#[derive(Clone, Debug)]
pub struct RasterSample {
    options: RasterOptions,
    bands: Vec<Band>,
    /// Why nothing can be shown, when the window is empty.
    window_problem: Option<String>,
    /// Why no population rate can be shown, when the bin does not fit the window.
    rate_problem: Option<String>,
    /// Rate bins; the last one may be cut short by the end of the window.
    bins: usize,
}

impl RasterSample {
    /// An empty raster of populations given as `(name, size)`.
    pub fn new(populations: &[(&str, u32)], options: &RasterOptions) -> Self {
        let RasterOptions {
            start_ms,
            end_ms,
            rate_bin_ms,
            max_rows,
        } = *options;
        let span = end_ms - start_ms;
        let (mut window_problem, mut rate_problem) = (None, None);
        let mut bins = 0;
        if !(start_ms.is_finite() && end_ms.is_finite() && span > 0.0) {
            window_problem = Some(format!(
                "no time window: [{}, {}) ms is empty",
                short(start_ms),
                short(end_ms)
            ));
        } else if !(rate_bin_ms.is_finite() && rate_bin_ms > 0.0) {
            rate_problem = Some(format!(
                "no population rate: the bin of {} ms is not positive",
                short(rate_bin_ms)
            ));
        } else {
            // a window of whole bins must not gain a sliver of a bin from rounding
            let wanted = (span / rate_bin_ms * (1.0 - 1e-12)).ceil();
            if wanted > MAX_RATE_BINS as f64 {
                rate_problem = Some(format!(
                    "no population rate: {} ms bins over {} ms are more than {MAX_RATE_BINS}",
                    short(rate_bin_ms),
                    short(span)
                ));
            } else {
                bins = (wanted as usize).max(1);
            }
        }
        let sizes: Vec<u32> = populations.iter().map(|&(_, size)| size).collect();
        let stride = common_stride(&sizes, max_rows.max(1));
        let mut offset = 0;
        let bands = populations
            .iter()
            .map(|&(name, size)| {
                let band = Band {
                    name: name.to_string(),
                    size,
                    stride: population_stride(size, stride),
                    offset,
                    times_ms: Vec::new(),
                    rows: Vec::new(),
                    counts: vec![0; bins],
                };
                offset += u64::from(size);
                band
            })
            .collect();
        Self {
            options: *options,
            bands,
            window_problem,
            rate_problem,
            bins,
        }
    }

    /// Adds a spike of `neuron` (numbered within its population) at `time_ms`; spikes
    /// outside the window, of neurons beyond the population, of unknown populations or at
    /// non-finite times are ignored.
    pub fn add(&mut self, population: usize, neuron: u32, time_ms: f64) {
        let RasterOptions {
            start_ms,
            end_ms,
            rate_bin_ms,
            ..
        } = self.options;
        if self.window_problem.is_some() || !(time_ms >= start_ms && time_ms < end_ms) {
            return;
        }
        let Some(band) = self.bands.get_mut(population) else {
            return;
        };
        if neuron >= band.size {
            return;
        }
        if self.bins > 0 {
            // the division may round up to `bins` just below the end of the window
            let bin = (((time_ms - start_ms) / rate_bin_ms) as usize).min(self.bins - 1);
            band.counts[bin] += 1;
        }
        if neuron.is_multiple_of(band.stride) {
            band.times_ms.push(time_ms);
            band.rows
                .push((band.offset + u64::from(neuron)) as f64 + 0.5);
        }
    }

    /// Adds the spikes of one population, `(neuron, time in ms)` pairs.
    pub fn extend(&mut self, population: usize, spikes: impl IntoIterator<Item = (u32, f64)>) {
        for (neuron, time_ms) in spikes {
            self.add(population, neuron, time_ms);
        }
    }

    /// Total number of rows drawn.
    pub fn rows(&self) -> u64 {
        self.bands
            .iter()
            .map(|band| u64::from(band.drawn_neurons()))
            .sum()
    }

    /// The strides of the populations: every `k`-th neuron is drawn.
    pub fn strides(&self) -> Vec<u32> {
        self.bands.iter().map(|band| band.stride).collect()
    }

    /// The y axis label: which neurons the rows are.
    fn neuron_label(&self) -> String {
        let bands: Vec<&Band> = self.bands.iter().filter(|band| band.size > 0).collect();
        let Some(first) = bands.first() else {
            return "neuron".to_string();
        };
        if bands.iter().all(|band| band.stride == first.stride) {
            return match first.stride {
                1 => "neuron".to_string(),
                k => format!("neuron (every {} shown)", ordinal(k)),
            };
        }
        let parts: Vec<String> = bands
            .iter()
            .map(|band| match band.stride {
                1 => format!("{} all", band.name),
                k => format!("{} every {}", band.name, ordinal(k)),
            })
            .collect();
        format!("neuron ({})", parts.join(", "))
    }

    /// The figure: the raster above, the population rates below.
    pub fn into_figure(self, title: &str) -> Figure {
        let RasterOptions {
            start_ms,
            end_ms,
            rate_bin_ms,
            ..
        } = self.options;
        let figure = Figure::new(title).with_size(crate::plot::DEFAULT_WIDTH, PANEL_HEIGHT);
        let total_neurons: u64 = self.bands.iter().map(|band| u64::from(band.size)).sum();
        if let Some(problem) = &self.window_problem {
            return figure.with_panel(note_panel("time (ms)", "neuron", problem));
        }
        if total_neurons == 0 {
            return figure.with_panel(note_panel("time (ms)", "neuron", "no neurons"));
        }
        let mut raster = Panel::new("time (ms)", self.neuron_label())
            .with_x_range(start_ms, end_ms)
            .with_y_range(0.0, total_neurons as f64);
        // rows per pixel decide the tick height: overlapping ticks hide the row structure
        let tick_height = (300 / self.rows().max(1)).clamp(2, 8) as u32;
        let mut rates = match &self.rate_problem {
            Some(problem) => note_panel("time (ms)", "population rate (Hz)", problem),
            None => Panel::new(
                "time (ms)",
                format!("population rate (Hz, {} ms bins)", short(rate_bin_ms)),
            ),
        }
        .with_x_range(start_ms, end_ms);
        let mut spikes_shown = 0;
        for (index, band) in self.bands.into_iter().enumerate() {
            let color = Color::Palette(index);
            if index > 0 {
                raster = raster.with_series(
                    Series::line(vec![start_ms, end_ms], vec![band.offset as f64; 2])
                        .with_color(SEPARATOR),
                );
            }
            let label = if band.stride == 1 {
                format!("{} ({})", band.name, count(band.size, "neuron"))
            } else {
                format!(
                    "{} ({} of {})",
                    band.name,
                    band.drawn_neurons(),
                    count(band.size, "neuron")
                )
            };
            spikes_shown += band.times_ms.len();
            raster = raster.with_series(
                Series::ticks(band.times_ms, band.rows)
                    .with_marker_size(tick_height)
                    .with_color(color)
                    .with_label(label),
            );
            if band.size == 0 || band.counts.is_empty() {
                continue;
            }
            let total: u64 = band.counts.iter().sum();
            let mean_hz = total as f64 / (f64::from(band.size) * (end_ms - start_ms)) * 1000.0;
            let (times, rates_hz): (Vec<f64>, Vec<f64>) = band
                .counts
                .iter()
                .enumerate()
                .map(|(bin, &count)| {
                    let left = start_ms + bin as f64 * rate_bin_ms;
                    let right = (left + rate_bin_ms).min(end_ms);
                    let hz = count as f64 / (f64::from(band.size) * (right - left)) * 1000.0;
                    (0.5 * (left + right), hz)
                })
                .unzip();
            rates = rates.with_series(
                Series::line(times, rates_hz)
                    .with_color(color)
                    .with_label(format!("{} (mean {} Hz)", band.name, short(mean_hz))),
            );
        }
        if spikes_shown == 0 {
            raster = raster.with_title(format!(
                "no spikes between {} and {} ms",
                short(start_ms),
                short(end_ms)
            ));
        }
        figure.with_panel(raster).with_panel(rates)
    }
}

/// A raster of several populations in their palette colours, each in its own band of rows,
/// in the window `[start_ms, end_ms)`, with the population rate of each below it (see
/// [`RasterSample`] for the rows drawn).
pub fn raster_figure(
    title: &str,
    populations: &[PopulationSpikes<'_>],
    options: &RasterOptions,
) -> Figure {
    let sizes: Vec<(&str, u32)> = populations
        .iter()
        .map(|population| (population.name, population.size))
        .collect();
    let mut sample = RasterSample::new(&sizes, options);
    for (index, population) in populations.iter().enumerate() {
        sample.extend(index, population.spikes.iter().copied());
    }
    sample.into_figure(title)
}

/// How the ISI histogram is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct IsiOptions {
    /// Rate of the Poisson process drawn for comparison (Hz); `None` takes the inverse of
    /// the mean interval, the rate of a Poisson process with the same mean ISI.
    pub rate_hz: Option<f64>,
    /// Logarithmic density axis, where the exponential is a straight line.
    pub log_y: bool,
}

/// The histogram of inter-spike intervals pooled over neurons, as a probability density
/// (1/ms) up to the 99th percentile, with the ISI density `r exp(−r t)` of a Poisson
/// process of the same rate `r` dashed over it.
///
/// The density is normalised by all intervals, the 1 % beyond the cut included, so the
/// bars integrate to the fraction shown.
pub fn isi_histogram_figure(title: &str, isis_ms: &[f64], options: &IsiOptions) -> Figure {
    const X_LABEL: &str = "inter-spike interval (ms)";
    const Y_LABEL: &str = "probability density (1/ms)";
    let figure = Figure::new(title);
    let mut isis: Vec<f64> = isis_ms
        .iter()
        .copied()
        .filter(|isi| isi.is_finite() && *isi >= 0.0)
        .collect();
    if isis.is_empty() {
        return figure.with_panel(note_panel(
            X_LABEL,
            Y_LABEL,
            "no inter-spike intervals: no neuron fired twice",
        ));
    }
    let n = isis.len();
    let mean_ms = isis.iter().sum::<f64>() / n as f64;
    let rank = ((ISI_QUANTILE * n as f64).ceil() as usize).clamp(1, n) - 1;
    let (_, &mut quantile, _) = isis.select_nth_unstable_by(rank, f64::total_cmp);
    let cut_ms = if quantile > 0.0 {
        quantile
    } else {
        isis.iter().copied().fold(0.0, f64::max)
    };
    if cut_ms <= 0.0 {
        return figure.with_panel(note_panel(
            X_LABEL,
            Y_LABEL,
            "all inter-spike intervals are 0 ms",
        ));
    }
    let bins = Bins::over(0.0, cut_ms, rice_bins(n));
    let mut counts = vec![0.0; bins.count];
    for &isi in &isis {
        if let Some(bin) = bins.index(isi) {
            counts[bin] += 1.0;
        }
    }
    let shown: f64 = counts.iter().sum();
    let density: Vec<f64> = counts
        .iter()
        .map(|count| count / (n as f64 * bins.width))
        .collect();
    let beyond = n - shown as usize;
    let mut panel = Panel::new(X_LABEL, Y_LABEL)
        .with_title(if beyond == 0 {
            count(n, "interval")
        } else {
            format!(
                "{}; {beyond} beyond {} ms not shown",
                count(n, "interval"),
                short(cut_ms)
            )
        })
        .with_series(
            Series::steps(bins.edges(), density)
                .with_color(Color::Palette(0))
                .with_label("ISI density"),
        )
        .with_x_range(0.0, bins.end())
        .with_log_y(options.log_y);
    let rate_hz = options.rate_hz.unwrap_or(1000.0 / mean_ms);
    if rate_hz.is_finite() && rate_hz > 0.0 {
        let (t, p) = poisson_isi_density(rate_hz, bins.end());
        panel = panel.with_series(
            Series::dashed(t, p)
                .with_color(Color::Palette(6))
                .with_label(format!("Poisson, same rate ({} Hz)", short(rate_hz))),
        );
    }
    figure.with_panel(panel)
}

/// The ISI density of a Poisson process of `rate_hz`, `r exp(−r t)` in 1/ms, sampled on
/// `[0, end_ms]`.
fn poisson_isi_density(rate_hz: f64, end_ms: f64) -> (Vec<f64>, Vec<f64>) {
    let rate_per_ms = rate_hz / 1000.0;
    (0..OVERLAY_SAMPLES)
        .map(|k| {
            let t = end_ms * k as f64 / (OVERLAY_SAMPLES - 1) as f64;
            (t, rate_per_ms * (-rate_per_ms * t).exp())
        })
        .unzip()
}

/// Per-neuron values of one population, for the histograms.
#[derive(Clone, Copy, Debug)]
pub struct PopulationValues<'a> {
    /// Population name, shown in the legend.
    pub name: &'a str,
    /// One value per neuron; NaN for neurons without one (e.g. the CV of a neuron with
    /// fewer than two intervals).
    pub values: &'a [f64],
}

/// Histograms of per-neuron firing rates (Hz), one per population, overlaid in their
/// palette colours as fractions of each population's neurons.
///
/// Rates measured as counts over `duration_ms` are multiples of `1000 / duration_ms` Hz;
/// given the duration, bins are whole multiples of that step and centred on them, so no
/// bin is empty merely by falling between two possible rates.
pub fn rate_histogram_figure(
    title: &str,
    populations: &[PopulationValues<'_>],
    duration_ms: Option<f64>,
) -> Figure {
    let resolution = duration_ms
        .filter(|d| d.is_finite() && *d > 0.0)
        .map(|d| 1000.0 / d);
    let (panel, pooled) = overlaid_histograms(
        populations,
        "firing rate (Hz)",
        "Hz",
        resolution,
        "no neurons",
    );
    let mut panel = panel;
    if pooled.iter().all(|&rate| rate == 0.0) && !pooled.is_empty() {
        panel = panel.with_title("no neuron fired");
    }
    Figure::new(title).with_panel(panel)
}

/// Histograms of the per-neuron coefficient of variation of ISIs, one per population,
/// overlaid in their palette colours, with a marker at CV = 1, the CV of a Poisson process.
/// Neurons without a CV (NaN) are left out and counted in the panel title.
pub fn cv_histogram_figure(title: &str, populations: &[PopulationValues<'_>]) -> Figure {
    let (mut panel, pooled) = overlaid_histograms(
        populations,
        "CV of inter-spike intervals",
        "",
        None,
        "no neuron fired three spikes: no CV",
    );
    let missing: usize = populations
        .iter()
        .map(|p| p.values.iter().filter(|v| !v.is_finite()).count())
        .sum();
    if missing > 0 && !pooled.is_empty() {
        panel = panel.with_title(format!(
            "{} with fewer than two intervals left out",
            count(missing, "neuron")
        ));
    }
    // keep the Poisson marker in view even when every CV is far below 1
    let (_, x_high) = panel.x_range.unwrap_or((0.0, 1.0));
    let panel = panel
        .with_x_range(0.0, x_high.max(1.1))
        .with_vertical_line(1.0, "Poisson");
    Figure::new(title).with_panel(panel)
}

/// Overlaid histograms of per-neuron values on common bins; also returns the finite values
/// pooled over populations.
fn overlaid_histograms(
    populations: &[PopulationValues<'_>],
    x_label: &str,
    unit: &str,
    resolution: Option<f64>,
    empty_note: &str,
) -> (Panel, Vec<f64>) {
    const Y_LABEL: &str = "fraction of neurons";
    let finite =
        |values: &[f64]| -> Vec<f64> { values.iter().copied().filter(|v| v.is_finite()).collect() };
    let per_population: Vec<Vec<f64>> = populations.iter().map(|p| finite(p.values)).collect();
    let pooled: Vec<f64> = per_population.iter().flatten().copied().collect();
    let Some(bins) = Bins::for_values(&pooled, resolution) else {
        return (note_panel(x_label, Y_LABEL, empty_note), pooled);
    };
    let mut panel = Panel::new(x_label, Y_LABEL).with_x_range(bins.start, bins.end());
    for (index, (population, values)) in populations.iter().zip(&per_population).enumerate() {
        if values.is_empty() {
            continue;
        }
        let mut counts = vec![0.0; bins.count];
        for &value in values {
            if let Some(bin) = bins.index(value) {
                counts[bin] += 1.0;
            }
        }
        let fractions = counts.iter().map(|c| c / values.len() as f64).collect();
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let mean = if unit.is_empty() {
            short(mean)
        } else {
            format!("{} {unit}", short(mean))
        };
        panel = panel.with_series(
            Series::steps(bins.edges(), fractions)
                .with_color(Color::Palette(index))
                .with_label(format!(
                    "{} ({}, mean {mean})",
                    population.name,
                    count(values.len(), "neuron")
                )),
        );
    }
    (panel, pooled)
}

/// The power spectral density of the population activity against frequency, on a log
/// axis, with the peak marked. `power` is in Hz²/Hz: the spectrum of a rate in Hz.
pub fn power_spectrum_figure(
    title: &str,
    frequencies_hz: &[f64],
    power: &[f64],
    peak_hz: Option<f64>,
) -> Figure {
    const X_LABEL: &str = "frequency (Hz)";
    const Y_LABEL: &str = "power spectral density (Hz²/Hz)";
    let figure = Figure::new(title);
    let showable = frequencies_hz
        .iter()
        .zip(power)
        .any(|(f, p)| f.is_finite() && p.is_finite() && *p > 0.0);
    if !showable {
        return figure.with_panel(note_panel(
            X_LABEL,
            Y_LABEL,
            "no spectrum: no positive power (no spikes?)",
        ));
    }
    let mut panel = Panel::new(X_LABEL, Y_LABEL)
        .with_series(Series::line(frequencies_hz.to_vec(), power.to_vec()))
        .with_log_y(true)
        .with_legend(false);
    if let Some(peak) = peak_hz.filter(|f| f.is_finite()) {
        panel = panel.with_vertical_line(peak, format!("peak {} Hz", short(peak)));
    }
    figure.with_panel(panel)
}

/// A population rate over time, for [`population_rate_figure`].
#[derive(Clone, Copy, Debug)]
pub struct RateTrace<'a> {
    /// Population name, shown in the legend.
    pub name: &'a str,
    /// Times of the samples (ms), e.g. the bin centres.
    pub times_ms: &'a [f64],
    /// Population rate at those times (Hz).
    pub rates_hz: &'a [f64],
}

/// The population activity ν(t) of one or more populations in their palette colours;
/// `bin_ms`, when given, is named on the axis.
pub fn population_rate_figure(
    title: &str,
    traces: &[RateTrace<'_>],
    bin_ms: Option<f64>,
) -> Figure {
    let y_label = match bin_ms {
        Some(bin) => format!("population activity ν (Hz, {} ms bins)", short(bin)),
        None => "population activity ν (Hz)".to_string(),
    };
    let figure = Figure::new(title);
    let samples = traces
        .iter()
        .map(|trace| trace.times_ms.len().min(trace.rates_hz.len()))
        .sum::<usize>();
    if samples == 0 {
        return figure.with_panel(note_panel("time (ms)", &y_label, "no population rate"));
    }
    let mut panel = Panel::new("time (ms)", y_label).with_legend(traces.len() > 1);
    for (index, trace) in traces.iter().enumerate() {
        panel = panel.with_series(
            Series::line(trace.times_ms.to_vec(), trace.rates_hz.to_vec())
                .with_color(Color::Palette(index))
                .with_label(trace.name),
        );
    }
    figure.with_panel(panel)
}

/// A peri-stimulus time histogram, for [`psth_figure`].
#[derive(Clone, Copy, Debug)]
pub struct Psth<'a> {
    /// Bin edges relative to the stimulus onset (ms), one more than the rates.
    pub bin_edges_ms: &'a [f64],
    /// Mean rate per bin over trials and neurons (Hz).
    pub rates_hz: &'a [f64],
    /// Number of trials averaged.
    pub trials: usize,
}

/// The PSTH: rate against time from the stimulus onset, which is marked; the number of
/// trials is in the title.
pub fn psth_figure(title: &str, psth: &Psth<'_>) -> Figure {
    const X_LABEL: &str = "time from stimulus onset (ms)";
    let trials = match psth.trials {
        1 => "1 trial".to_string(),
        n => format!("{n} trials"),
    };
    let figure = Figure::new(format!("{title} ({trials})"));
    let bins = psth
        .rates_hz
        .len()
        .min(psth.bin_edges_ms.len().saturating_sub(1));
    if psth.trials == 0 || bins == 0 {
        return figure.with_panel(note_panel(X_LABEL, "firing rate (Hz)", "no trials"));
    }
    let edges = &psth.bin_edges_ms[..=bins];
    let width = (edges[bins] - edges[0]) / bins as f64;
    let uniform = edges
        .windows(2)
        .all(|pair| ((pair[1] - pair[0]) - width).abs() <= 1e-9 * width.abs());
    let y_label = if uniform {
        format!("firing rate (Hz, {} ms bins)", short(width))
    } else {
        "firing rate (Hz)".to_string()
    };
    let panel = Panel::new(X_LABEL, y_label)
        .with_series(Series::steps(
            edges.to_vec(),
            psth.rates_hz[..bins].to_vec(),
        ))
        .with_vertical_line(0.0, "stimulus")
        .with_legend(false);
    figure.with_panel(panel)
}

/// An empty panel whose title says why it is empty.
fn note_panel(x_label: &str, y_label: &str, note: &str) -> Panel {
    Panel::new(x_label, y_label)
        .with_title(note)
        .with_legend(false)
}

/// Equal-width bins `[start + k width, start + (k + 1) width)`, the last one closed.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Bins {
    start: f64,
    width: f64,
    count: usize,
}

impl Bins {
    /// `count` bins over `[start, end]` (`end > start`).
    fn over(start: f64, end: f64, count: usize) -> Self {
        Self {
            start,
            width: (end - start) / count as f64,
            count,
        }
    }

    /// Bins over the range of `values`, as many as the Rice rule asks for; with a
    /// `resolution`, whole multiples of it wide and centred on its multiples. `None` when
    /// there are no (finite) values.
    fn for_values(values: &[f64], resolution: Option<f64>) -> Option<Self> {
        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !(low.is_finite() && high.is_finite()) {
            return None;
        }
        let wanted = rice_bins(values.len());
        Some(match resolution {
            Some(step) => {
                let width = ((high - low) / wanted as f64 / step).ceil().max(1.0) * step;
                let start = low - 0.5 * step;
                let count = ((high - start) / width).floor() as usize + 1;
                Self {
                    start,
                    width,
                    count,
                }
            }
            None if high > low => Self::over(low, high, wanted),
            // one value: one bar around it
            None => Self::over(low - 0.5, low + 0.5, 1),
        })
    }

    fn end(&self) -> f64 {
        self.start + self.count as f64 * self.width
    }

    fn edges(&self) -> Vec<f64> {
        (0..=self.count)
            .map(|k| self.start + k as f64 * self.width)
            .collect()
    }

    /// The bin of `value`, `None` outside the bins (the end is in the last bin).
    fn index(&self, value: f64) -> Option<usize> {
        let position = (value - self.start) / self.width;
        if !(position >= 0.0 && value <= self.end()) {
            return None;
        }
        Some((position as usize).min(self.count - 1))
    }
}

/// Number of histogram bins for `n` values, by the Rice rule `2 n^(1/3)`: enough to show
/// the shape while each bar still holds several values.
fn rice_bins(n: usize) -> usize {
    ((2.0 * (n as f64).cbrt()).ceil() as usize).clamp(MIN_BINS, MAX_BINS)
}

/// `n` and the noun, in the plural unless `n` is 1: "1 neuron", "2 neurons".
fn count(n: impl std::fmt::Display, noun: &str) -> String {
    match n.to_string().as_str() {
        "1" => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// `k`-th: 1st, 2nd, 3rd, 4th, 11th, 21st, ...
fn ordinal(k: u32) -> String {
    let suffix = match (k % 10, k % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{k}{suffix}")
}

/// A number for a label, with three significant digits at most and no trailing zeros.
fn short(value: f64) -> String {
    if !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs();
    let decimals = if magnitude >= 100.0 || value == 0.0 {
        0
    } else {
        (2 - magnitude.log10().floor() as i32).clamp(0, 12) as usize
    };
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Instant;

    use super::*;
    use crate::plot::{self, PALETTE, SeriesStyle};

    /// A fresh directory under the system temp dir, unique to this process and `name`.
    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("cajal-stat-figures-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    /// A 64-bit linear congruential generator (Knuth's MMIX constants): reproducible
    /// uniform numbers in [0, 1) without a dependency.
    struct Lcg(u64);

    impl Lcg {
        fn uniform(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Spike trains of `neurons` independent Poisson neurons of `rate_hz` over
    /// `duration_ms`, as `(neuron, time)` pairs grouped by neuron (not in time order).
    fn poisson_spikes(neurons: u32, rate_hz: f64, duration_ms: f64, seed: u64) -> Vec<(u32, f64)> {
        let mut random = Lcg(seed);
        let mut spikes = Vec::new();
        for neuron in 0..neurons {
            let mut t = 0.0;
            loop {
                t -= (1.0 - random.uniform()).ln() / rate_hz * 1000.0;
                if t >= duration_ms {
                    break;
                }
                spikes.push((neuron, t));
            }
        }
        spikes
    }

    /// The intervals of spike trains grouped by neuron and in time order within each.
    fn isis(spikes: &[(u32, f64)]) -> Vec<f64> {
        spikes
            .windows(2)
            .filter(|pair| pair[0].0 == pair[1].0)
            .map(|pair| pair[1].1 - pair[0].1)
            .collect()
    }

    fn series_of(panel: &Panel, style: SeriesStyle) -> Vec<&Series> {
        panel.series.iter().filter(|s| s.style == style).collect()
    }

    /// Number of pixels of exactly `color`: opaque series strokes, not the grey axes.
    fn pixels_of(figure: &Figure, color: (u8, u8, u8)) -> usize {
        let (buf, _, _) = plot::render_rgb(figure).expect("render");
        buf.chunks_exact(3)
            .filter(|p| (p[0], p[1], p[2]) == color)
            .count()
    }

    #[test]
    fn the_sample_shares_rows_in_proportion_and_keeps_small_populations() {
        // 10 000 neurons in 500 rows: every 20th, 400 E rows and 100 I rows
        let sample = RasterSample::new(
            &[("E", 8000), ("I", 2000)],
            &RasterOptions::new(0.0, 1.0, 1.0),
        );
        assert_eq!(sample.strides(), [20, 20]);
        assert_eq!(sample.rows(), 500);
        assert_eq!(sample.neuron_label(), "neuron (every 20th shown)");

        // a population of 10 beside 100 000 keeps 5 rows (every 2nd); the big one shares
        // the other 495: every ceil(100 000 / 495) = 203rd neuron, 493 rows
        let sample = RasterSample::new(
            &[("E", 100_000), ("tiny", 10)],
            &RasterOptions::new(0.0, 1.0, 1.0),
        );
        assert_eq!(sample.strides(), [203, 2]);
        assert_eq!(sample.rows(), 493 + 5);
        assert_eq!(
            sample.neuron_label(),
            "neuron (E every 203rd, tiny every 2nd)"
        );

        // small networks are drawn whole
        let sample = RasterSample::new(&[("E", 80), ("I", 20)], &RasterOptions::new(0.0, 1.0, 1.0));
        assert_eq!(sample.strides(), [1, 1]);
        assert_eq!(sample.neuron_label(), "neuron");
    }

    #[test]
    fn the_raster_draws_the_sampled_neurons_in_the_window_in_their_bands() {
        let mut options = RasterOptions::new(100.0, 200.0, 10.0);
        options.max_rows = 15;
        // E: 20 neurons, I: 10; every 2nd neuron gives 10 + 5 = 15 rows (every neuron, 30)
        let e_spikes = [
            (0, 150.0),
            (1, 150.0),
            (2, 99.9),
            (2, 100.0),
            (4, 199.99),
            (6, 200.0),
            (20, 150.0),
        ];
        let i_spikes = [(3, 120.0), (2, 130.0), (0, f64::NAN)];
        let figure = raster_figure(
            "raster",
            &[
                PopulationSpikes {
                    name: "E",
                    size: 20,
                    spikes: &e_spikes,
                },
                PopulationSpikes {
                    name: "I",
                    size: 10,
                    spikes: &i_spikes,
                },
            ],
            &options,
        );
        let raster = &figure.panels[0];
        assert_eq!(raster.x_range, Some((100.0, 200.0)));
        assert_eq!(raster.y_range, Some((0.0, 30.0)));
        let ticks = series_of(raster, SeriesStyle::Ticks);
        // E: neuron 0 at 150, neuron 2 at 100 (99.9 is before the window), neuron 4 at
        // 199.99; neuron 1 is not sampled, 200 ms is past the end, neuron 20 does not exist
        assert_eq!(ticks[0].x, [150.0, 100.0, 199.99]);
        assert_eq!(ticks[0].y, [0.5, 2.5, 4.5]);
        assert_eq!(ticks[0].label.as_deref(), Some("E (10 of 20 neurons)"));
        // I sits above the 20 E neurons; of its spikes only neuron 2's is sampled
        assert_eq!(ticks[1].x, [130.0]);
        assert_eq!(ticks[1].y, [20.0 + 2.5]);
        assert_eq!(ticks[1].color, Color::Palette(1));
        // the band boundary
        let separator = series_of(raster, SeriesStyle::Line)[0];
        assert_eq!(separator.y, [20.0, 20.0]);
    }

    #[test]
    fn the_population_rate_is_the_count_over_neurons_and_bin() {
        // 40 neurons, 1 ms bins over [0, 10.5) ms: spikes of all neurons count, sampled or not
        let mut options = RasterOptions::new(0.0, 10.5, 1.0);
        options.max_rows = 10;
        let mut spikes = Vec::new();
        for neuron in 0..40 {
            spikes.push((neuron, 0.25)); // 40 spikes in bin 0
        }
        spikes.push((7, 3.0)); // 1 spike in bin 3
        spikes.push((9, 10.2)); // 1 spike in the last, half-width bin
        let figure = raster_figure(
            "",
            &[PopulationSpikes {
                name: "E",
                size: 40,
                spikes: &spikes,
            }],
            &options,
        );
        let rate = &figure.panels[1].series[0];
        assert_eq!(rate.x.len(), 11);
        // count / (N bin), in Hz: 40 / (40 × 1 ms) = 1000 Hz
        assert!((rate.y[0] - 1000.0).abs() < 1e-9);
        assert!((rate.y[3] - 1.0 / 40.0 * 1000.0).abs() < 1e-9);
        assert_eq!(rate.y[5], 0.0);
        // the last bin is [10, 10.5): 1 / (40 × 0.5 ms) = 50 Hz, drawn at its centre
        assert!((rate.y[10] - 50.0).abs() < 1e-9);
        assert!((rate.x[10] - 10.25).abs() < 1e-12);
        // 42 spikes of 40 neurons in 10.5 ms: 100 Hz on average
        assert_eq!(rate.label.as_deref(), Some("E (mean 100 Hz)"));
    }

    #[test]
    fn the_isi_density_integrates_to_the_fraction_shown_and_the_overlay_starts_at_r() {
        let spikes = poisson_spikes(100, 20.0, 10_000.0, 7);
        let intervals = isis(&spikes);
        let n = intervals.len();
        let figure = isi_histogram_figure("ISI", &intervals, &IsiOptions::default());
        let panel = &figure.panels[0];
        let bars = series_of(panel, SeriesStyle::Steps)[0];
        let integral: f64 = bars
            .y
            .iter()
            .zip(bars.x.windows(2))
            .map(|(density, edge)| density * (edge[1] - edge[0]))
            .sum();
        let cut = *bars.x.last().unwrap();
        let inside = intervals.iter().filter(|&&isi| isi <= cut).count();
        // the bars count every interval up to the cut once: equal up to rounding
        assert!(
            (integral - inside as f64 / n as f64).abs() < 1e-12,
            "{integral}"
        );
        // the cut is the 99th percentile: 1 % of the mass (to within one interval) is beyond
        assert!(
            (integral - 0.99).abs() <= 1.0 / n as f64 + 1e-12,
            "{integral}"
        );
        // ~20 000 intervals give 2 × 20 000^(1/3) = 55 bins (Rice)
        assert_eq!(bars.y.len(), rice_bins(n));
        assert_eq!(bars.y.len(), 55);

        // the overlay is r exp(−r t) with r = 1 / mean ISI; at t = 0 it is r in 1/ms
        let mean = intervals.iter().sum::<f64>() / n as f64;
        let overlay = series_of(panel, SeriesStyle::Dashed)[0];
        assert_eq!(overlay.x[0], 0.0);
        assert!((overlay.y[0] - 1.0 / mean).abs() < 1e-15);
        assert_eq!(
            overlay.label.as_deref(),
            Some(format!("Poisson, same rate ({} Hz)", short(1000.0 / mean)).as_str())
        );
        // a Poisson train's histogram follows it: the first bar (≈ 1.8 ms wide) is within
        // a few standard errors of the density's mean over the bin
        let (a, b) = (bars.x[0], bars.x[1]);
        let r = 1.0 / mean;
        let expected = ((-r * a).exp() - (-r * b).exp()) / (b - a);
        let standard_error = (expected / (n as f64 * (b - a))).sqrt();
        assert!((bars.y[0] - expected).abs() < 4.0 * standard_error);

        // a given rate replaces the mean one; log-y is passed on
        let options = IsiOptions {
            rate_hz: Some(5.0),
            log_y: true,
        };
        let figure = isi_histogram_figure("ISI", &intervals, &options);
        let overlay = series_of(&figure.panels[0], SeriesStyle::Dashed)[0];
        assert_eq!(overlay.y[0], 0.005);
        assert_eq!(overlay.label.as_deref(), Some("Poisson, same rate (5 Hz)"));
        assert!(figure.panels[0].log_y);
    }

    #[test]
    fn rate_histograms_are_fractions_on_bins_of_the_rate_resolution() {
        // rates counted over 2 s are multiples of 0.5 Hz
        let e: Vec<f64> = (0..400).map(|k| f64::from(k % 21) * 0.5).collect();
        let i: Vec<f64> = (0..100).map(|k| 10.0 + f64::from(k % 7) * 0.5).collect();
        let figure = rate_histogram_figure(
            "rates",
            &[
                PopulationValues {
                    name: "E",
                    values: &e,
                },
                PopulationValues {
                    name: "I",
                    values: &i,
                },
            ],
            Some(2000.0),
        );
        let panel = &figure.panels[0];
        let bars = series_of(panel, SeriesStyle::Steps);
        assert_eq!(bars.len(), 2);
        for bar in &bars {
            let total: f64 = bar.y.iter().sum();
            assert!((total - 1.0).abs() < 1e-12);
            // every edge lies half-way between two possible rates
            for edge in &bar.x {
                let steps = (edge + 0.25) / 0.5;
                assert!((steps - steps.round()).abs() < 1e-9, "edge {edge}");
            }
        }
        assert_eq!(bars[1].color, Color::Palette(1));
        assert_eq!(
            bars[0].label.as_deref(),
            Some("E (400 neurons, mean 4.99 Hz)")
        );
    }

    #[test]
    fn the_cv_histogram_marks_poisson_and_counts_neurons_left_out() {
        let cvs = [0.2, 0.3, 0.35, f64::NAN, 0.4];
        let figure = cv_histogram_figure(
            "CV",
            &[PopulationValues {
                name: "E",
                values: &cvs,
            }],
        );
        let panel = &figure.panels[0];
        assert_eq!(panel.vertical_lines, [(1.0, "Poisson".to_string())]);
        // the marker stays on the axis although every CV is below 0.5
        assert!(panel.x_range.unwrap().1 >= 1.1);
        assert_eq!(
            panel.title.as_deref(),
            Some("1 neuron with fewer than two intervals left out")
        );
        let bars = series_of(panel, SeriesStyle::Steps)[0];
        assert_eq!(bars.y.iter().sum::<f64>(), 1.0);
    }

    #[test]
    fn the_spectrum_and_rate_figures_carry_their_markers() {
        let f: Vec<f64> = (0..500).map(|k| f64::from(k) * 0.5).collect();
        let p: Vec<f64> = f
            .iter()
            .map(|f| 1.0 + 100.0 / (1.0 + ((f - 42.0) / 3.0).powi(2)))
            .collect();
        let figure = power_spectrum_figure("spectrum", &f, &p, Some(42.0));
        let panel = &figure.panels[0];
        assert!(panel.log_y);
        assert_eq!(panel.vertical_lines, [(42.0, "peak 42 Hz".to_string())]);

        let psth = Psth {
            bin_edges_ms: &[-20.0, -10.0, 0.0, 10.0, 20.0],
            rates_hz: &[5.0, 5.0, 40.0, 10.0],
            trials: 20,
        };
        let figure = psth_figure("PSTH", &psth);
        assert_eq!(figure.title, "PSTH (20 trials)");
        assert_eq!(figure.panels[0].y_label, "firing rate (Hz, 10 ms bins)");
        assert_eq!(figure.panels[0].vertical_lines[0].0, 0.0);

        let t = [0.5, 1.5, 2.5];
        let figure = population_rate_figure(
            "activity",
            &[
                RateTrace {
                    name: "E",
                    times_ms: &t,
                    rates_hz: &[1.0, 2.0, 3.0],
                },
                RateTrace {
                    name: "I",
                    times_ms: &t,
                    rates_hz: &[4.0, 5.0, 6.0],
                },
            ],
            Some(1.0),
        );
        assert_eq!(
            figure.panels[0].y_label,
            "population activity ν (Hz, 1 ms bins)"
        );
        assert_eq!(figure.panels[0].series[1].color, Color::Palette(1));
    }

    /// Every figure of realistic data renders, and the data series are drawn in their
    /// colours (not just the axes).
    #[test]
    fn every_figure_renders_with_its_data_visible() {
        let e = poisson_spikes(800, 8.0, 1000.0, 1);
        let i = poisson_spikes(200, 20.0, 1000.0, 2);
        let raster = raster_figure(
            "Poisson network",
            &[
                PopulationSpikes {
                    name: "E",
                    size: 800,
                    spikes: &e,
                },
                PopulationSpikes {
                    name: "I",
                    size: 200,
                    spikes: &i,
                },
            ],
            &RasterOptions::new(0.0, 1000.0, 5.0),
        );
        let intervals = isis(&e);
        let rate_of = |spikes: &[(u32, f64)], n: u32| -> Vec<f64> {
            let mut counts = vec![0.0; n as usize];
            for &(neuron, _) in spikes {
                counts[neuron as usize] += 1.0;
            }
            counts
        };
        let (e_rates, i_rates) = (rate_of(&e, 800), rate_of(&i, 200));
        let cv_of = |spikes: &[(u32, f64)], n: u32| -> Vec<f64> {
            let mut per_neuron = vec![Vec::new(); n as usize];
            for pair in spikes.windows(2).filter(|pair| pair[0].0 == pair[1].0) {
                per_neuron[pair[0].0 as usize].push(pair[1].1 - pair[0].1);
            }
            per_neuron
                .iter()
                .map(|isis| {
                    let m = isis.iter().sum::<f64>() / isis.len() as f64;
                    let v = isis.iter().map(|x| (x - m).powi(2)).sum::<f64>() / isis.len() as f64;
                    if isis.len() < 2 {
                        f64::NAN
                    } else {
                        v.sqrt() / m
                    }
                })
                .collect()
        };
        let (e_cvs, i_cvs) = (cv_of(&e, 800), cv_of(&i, 200));
        let populations_rates = [
            PopulationValues {
                name: "E",
                values: &e_rates,
            },
            PopulationValues {
                name: "I",
                values: &i_rates,
            },
        ];
        let populations_cvs = [
            PopulationValues {
                name: "E",
                values: &e_cvs,
            },
            PopulationValues {
                name: "I",
                values: &i_cvs,
            },
        ];
        let f: Vec<f64> = (0..200).map(f64::from).collect();
        let p: Vec<f64> = f
            .iter()
            .map(|f| 10.0 / (1.0 + (f - 60.0).powi(2) / 25.0) + 0.1)
            .collect();
        let edges: Vec<f64> = (-10..=10).map(|k| f64::from(k) * 5.0).collect();
        let psth_rates: Vec<f64> = (0..20)
            .map(|k| if (10..13).contains(&k) { 40.0 } else { 5.0 })
            .collect();
        let figures = [
            ("raster", raster),
            (
                "isi",
                isi_histogram_figure(
                    "ISI",
                    &intervals,
                    &IsiOptions {
                        rate_hz: None,
                        log_y: true,
                    },
                ),
            ),
            (
                "rates",
                rate_histogram_figure("firing rates", &populations_rates, Some(1000.0)),
            ),
            ("cvs", cv_histogram_figure("CV of ISIs", &populations_cvs)),
            (
                "spectrum",
                power_spectrum_figure("spectrum", &f, &p, Some(60.0)),
            ),
            (
                "psth",
                psth_figure(
                    "PSTH",
                    &Psth {
                        bin_edges_ms: &edges,
                        rates_hz: &psth_rates,
                        trials: 12,
                    },
                ),
            ),
        ];
        let dir = temp_dir("all");
        for (name, figure) in &figures {
            let inked = pixels_of(figure, PALETTE[0]);
            assert!(inked > 200, "{name}: {inked} pixels of the first colour");
            plot::render(figure, &dir.join(name)).expect("render");
        }
        // both populations are visible in the raster and the two-population histograms
        for index in [0, 2, 3] {
            let inked = pixels_of(&figures[index].1, PALETTE[1]);
            assert!(
                inked > 200,
                "{}: {inked} pixels of I's colour",
                figures[index].0
            );
        }
        if std::env::var_os("CAJAL_KEEP_FIGURES").is_some() {
            eprintln!("figures in {}", dir.display());
        } else {
            std::fs::remove_dir_all(&dir).ok();
        }
    }

    /// No spikes, one neuron, zero rates, nonsense windows: a figure with a note each time.
    #[test]
    fn empty_and_degenerate_data_give_notes_not_panics() {
        let none: [(u32, f64); 0] = [];
        let silent = PopulationSpikes {
            name: "E",
            size: 100,
            spikes: &none,
        };
        let figures = [
            raster_figure("", &[silent], &RasterOptions::new(0.0, 100.0, 1.0)),
            raster_figure("", &[], &RasterOptions::new(0.0, 100.0, 1.0)),
            raster_figure("", &[silent], &RasterOptions::new(100.0, 100.0, 1.0)),
            raster_figure("", &[silent], &RasterOptions::new(0.0, 100.0, 0.0)),
            raster_figure("", &[silent], &RasterOptions::new(0.0, 1e9, 1e-6)),
            raster_figure(
                "",
                &[PopulationSpikes {
                    name: "one",
                    size: 1,
                    spikes: &[(0, 5.0)],
                }],
                &RasterOptions::new(0.0, 10.0, 20.0),
            ),
            isi_histogram_figure("", &[], &IsiOptions::default()),
            isi_histogram_figure("", &[0.0, 0.0], &IsiOptions::default()),
            isi_histogram_figure(
                "",
                &[12.0],
                &IsiOptions {
                    rate_hz: Some(0.0),
                    log_y: true,
                },
            ),
            rate_histogram_figure("", &[], None),
            rate_histogram_figure(
                "",
                &[PopulationValues {
                    name: "E",
                    values: &[0.0; 10],
                }],
                Some(1000.0),
            ),
            rate_histogram_figure(
                "",
                &[PopulationValues {
                    name: "E",
                    values: &[3.0],
                }],
                None,
            ),
            cv_histogram_figure(
                "",
                &[PopulationValues {
                    name: "E",
                    values: &[f64::NAN; 3],
                }],
            ),
            cv_histogram_figure(
                "",
                &[PopulationValues {
                    name: "E",
                    values: &[0.8],
                }],
            ),
            power_spectrum_figure("", &[], &[], None),
            power_spectrum_figure("", &[0.0, 1.0], &[0.0, 0.0], Some(f64::NAN)),
            population_rate_figure("", &[], None),
            psth_figure(
                "",
                &Psth {
                    bin_edges_ms: &[],
                    rates_hz: &[],
                    trials: 0,
                },
            ),
        ];
        let notes: Vec<Option<&str>> = figures
            .iter()
            .map(|f| f.panels[0].title.as_deref())
            .collect();
        assert_eq!(notes[0], Some("no spikes between 0 and 100 ms"));
        assert_eq!(notes[1], Some("no neurons"));
        assert_eq!(notes[2], Some("no time window: [100, 100) ms is empty"));
        // a bad rate bin leaves the raster and notes it in the rate panel
        assert_eq!(notes[3], Some("no spikes between 0 and 100 ms"));
        let rate_note = |figure: &Figure| figure.panels[1].title.clone().unwrap_or_default();
        assert!(rate_note(&figures[3]).contains("not positive"));
        assert!(rate_note(&figures[4]).contains("more than"));
        assert_eq!(
            notes[6],
            Some("no inter-spike intervals: no neuron fired twice")
        );
        assert_eq!(notes[7], Some("all inter-spike intervals are 0 ms"));
        assert_eq!(notes[9], Some("no neurons"));
        assert_eq!(notes[10], Some("no neuron fired"));
        assert_eq!(notes[12], Some("no neuron fired three spikes: no CV"));
        assert!(notes[14].unwrap().starts_with("no spectrum"));
        assert_eq!(notes[16], Some("no population rate"));
        assert_eq!(notes[17], Some("no trials"));
        for figure in &figures {
            plot::render_rgb(figure).expect("render");
        }
    }

    #[test]
    fn labels_read_well() {
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(ordinal(113), "113th");
        assert_eq!(short(12.345), "12.3");
        assert_eq!(short(0.5), "0.5");
        assert_eq!(short(0.012345), "0.0123");
        assert_eq!(short(250.4), "250");
        assert_eq!(short(-3.0), "-3");
    }

    /// Builds a raster of 10^6 Poisson spikes of 10^4 neurons and writes it (SVG and PNG),
    /// timing each step; the requirement is under 1 s on one core in a release build:
    /// `cargo test -p cajal-cli --release raster_of_a_million -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn raster_of_a_million_spikes_timing() {
        const NEURONS: u32 = 10_000;
        const SPIKES: usize = 1_000_000;
        const DURATION_MS: f64 = 10_000.0;
        // a superposition of Poisson trains, conditioned on its count, is uniform: 10 Hz each
        let mut random = Lcg(2024);
        let spikes: Vec<(u32, f64)> = (0..SPIKES)
            .map(|_| {
                let neuron = (random.uniform() * f64::from(NEURONS)) as u32;
                (neuron, random.uniform() * DURATION_MS)
            })
            .collect();
        let (e, i) = spikes.iter().partition::<Vec<_>, _>(|s| s.0 < 8000);
        let i: Vec<(u32, f64)> = i.into_iter().map(|(n, t)| (n - 8000, t)).collect();
        let populations = [
            PopulationSpikes {
                name: "E",
                size: 8000,
                spikes: &e,
            },
            PopulationSpikes {
                name: "I",
                size: 2000,
                spikes: &i,
            },
        ];
        let dir = temp_dir("million");
        for max_rows in [RASTER_ROWS, NEURONS] {
            let mut options = RasterOptions::new(0.0, DURATION_MS, 10.0);
            options.max_rows = max_rows;
            let start = Instant::now();
            let figure = raster_figure("10^6 spikes of 10^4 neurons", &populations, &options);
            let built = start.elapsed();
            let stem = dir.join(format!("raster-{max_rows}"));
            let [svg, png] = plot::render(&figure, &stem).expect("render");
            let total = start.elapsed();
            let ticks: usize = series_of(&figure.panels[0], SeriesStyle::Ticks)
                .iter()
                .map(|s| s.x.len())
                .sum();
            eprintln!(
                "at most {max_rows} rows, {ticks} ticks drawn: figure built in {built:.1?}, \
                 built and rendered (SVG + PNG) in {total:.1?}; SVG {} kB, PNG {} kB",
                std::fs::metadata(&svg).unwrap().len() / 1000,
                std::fs::metadata(&png).unwrap().len() / 1000,
            );
        }
        if std::env::var_os("CAJAL_KEEP_FIGURES").is_some() {
            eprintln!("figures in {}", dir.display());
        } else {
            std::fs::remove_dir_all(&dir).ok();
        }
    }
}
