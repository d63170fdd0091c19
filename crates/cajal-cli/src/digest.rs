//! What the plots and summary.json need from a run, kept as it streams by in memory that
//! does not grow with the number of spikes: per recorded neuron a spike count and ISI
//! moments (rates and CVs), the population rate in 1 ms bins (8 bytes per bin), the raster
//! neurons' spikes in a bounded window, and the first samples of the traced neurons shown.

use cajal::neuron::Spike;
use cajal::record::{Chunk, Recordings, SpikeRecorder, TraceRecorder};
use cajal::stats::{BinnedCounts, TrainStatistics};

/// Bin of the population-rate plots (ms).
pub const ACTIVITY_BIN_MS: f64 = 1.0;

/// Most neurons drawn in a raster: beyond this a regular sample of the population is shown,
/// so that ticks stay distinguishable.
pub const RASTER_NEURONS: u32 = 500;

/// The raster shows at most this first stretch of a run (ms).
pub const RASTER_WINDOW_MS: f64 = 2000.0;

/// ... and at most this many spikes; a busier window is cut short where they run out.
pub const RASTER_SPIKES: usize = 200_000;

/// Most samples of a trace plotted: beyond them the figure shows the start of the run.
pub const TRACE_SAMPLES: usize = 50_000;

/// Neurons of a trace drawn (the first ones recorded).
pub const TRACED_NEURONS_SHOWN: usize = 5;

/// The spikes of a raster: those of every `stride`-th recorded neuron before `end_ms`.
#[derive(Clone, Debug)]
pub struct Raster {
    /// Recorded neurons drawn: every `stride`-th.
    pub stride: u32,
    /// Their spikes, numbered by position among the recorded neurons.
    pub spikes: Vec<Spike>,
    /// The window shown is [0, end_ms).
    pub end_ms: f64,
    /// Whether the spike cap, not the window, ended it.
    pub cut_by_cap: bool,
}

impl Raster {
    fn new(size: usize, window_ms: f64) -> Self {
        Raster {
            stride: (size as u32).div_ceil(RASTER_NEURONS).max(1),
            spikes: Vec::new(),
            end_ms: window_ms,
            cut_by_cap: false,
        }
    }

    fn add(&mut self, neuron: u32, time_ms: f64) {
        if !neuron.is_multiple_of(self.stride) || time_ms >= self.end_ms {
            return;
        }
        if self.spikes.len() == RASTER_SPIKES {
            // Spikes come by step, so none later than this one is kept from now on; earlier
            // ones of the same step (precise spike times) still may be.
            self.end_ms = time_ms;
            self.cut_by_cap = true;
            self.spikes.retain(|s| s.time_ms < time_ms);
            return;
        }
        self.spikes.push(Spike { neuron, time_ms });
    }
}

/// The statistics of one spike recorder, over its recorded neurons numbered 0.. in order.
#[derive(Clone, Debug)]
pub struct SpikeDigest {
    /// Population index.
    pub population: usize,
    /// Recorded neurons (population numbers); `None` for all.
    pub neurons: Option<Vec<u32>>,
    /// Counts and ISI moments of every recorded neuron.
    pub statistics: TrainStatistics,
    /// Spikes of the recorded neurons in bins of [`SpikeDigest::rate_bin_ms`].
    pub rate_counts: BinnedCounts,
    /// The population-rate bin (ms).
    pub rate_bin_ms: f64,
    /// A sample of the spikes for the raster.
    pub raster: Raster,
    /// Per recorded neuron, its first and last spike time (ms; NaN before its first).
    first_last_ms: Vec<[f64; 2]>,
}

impl SpikeDigest {
    fn new(recorder: &SpikeRecorder, population_size: usize, duration_ms: f64) -> Self {
        let size = recorder.neurons.as_ref().map_or(population_size, Vec::len);
        let rate_bin_ms = ACTIVITY_BIN_MS.min(duration_ms);
        SpikeDigest {
            population: recorder.population,
            neurons: recorder.neurons.clone(),
            statistics: TrainStatistics::new(size),
            rate_counts: BinnedCounts::new(rate_bin_ms),
            rate_bin_ms,
            raster: Raster::new(size, RASTER_WINDOW_MS.min(duration_ms)),
            first_last_ms: vec![[f64::NAN; 2]; size],
        }
    }

    /// Number of recorded neurons.
    pub fn size(&self) -> usize {
        self.statistics.size()
    }

    /// The rate over the inter-spike intervals (Hz): all intervals of the recorded neurons
    /// over the time they span, each neuron's from its first spike to its last. Unlike the
    /// count over the run it leaves out the transient before the first spike, so it is what a
    /// stationary rate is compared with. `None` if no neuron spiked twice.
    pub fn interval_rate_hz(&self) -> Option<f64> {
        let (intervals, span_ms) = self
            .statistics
            .spike_counts()
            .iter()
            .zip(&self.first_last_ms)
            .filter(|(count, _)| **count >= 2)
            .fold((0u64, 0.0), |(intervals, span), (count, [first, last])| {
                (intervals + count - 1, span + (last - first))
            });
        (span_ms > 0.0).then(|| 1000.0 * intervals as f64 / span_ms)
    }

    fn add(&mut self, spikes: &[Spike]) {
        for spike in spikes {
            let position = match &self.neurons {
                None => Some(spike.neuron),
                Some(neurons) => neurons.binary_search(&spike.neuron).ok().map(|k| k as u32),
            };
            if let Some(k) = position {
                self.statistics.add_spike(k as usize, spike.time_ms);
                self.raster.add(k, spike.time_ms);
                let [first, last] = &mut self.first_last_ms[k as usize];
                if first.is_nan() {
                    *first = spike.time_ms;
                }
                *last = spike.time_ms;
            }
        }
        self.rate_counts.add(spikes);
    }
}

/// The start of a trace, for its figure: the first neurons, the first samples, and their
/// spikes in that stretch.
#[derive(Clone, Debug)]
pub struct TraceDigest {
    /// The trace restricted to the neurons and samples shown.
    pub trace: TraceRecorder,
    /// Samples the whole run took.
    pub samples_taken: u64,
    /// The shown neurons' spikes (from the first spike recorder of the population) up to
    /// the last sample kept; `None` without such a recorder.
    pub spikes: Option<Vec<Spike>>,
    /// Index of that spike recorder.
    spike_recorder: Option<usize>,
    /// Neurons of the full trace.
    width: usize,
}

impl TraceDigest {
    fn new(trace: &TraceRecorder, spike_recorder: Option<usize>) -> Self {
        let mut shown = trace.clone();
        shown.neurons.truncate(TRACED_NEURONS_SHOWN);
        shown.times_ms.clear();
        shown.values.iter_mut().for_each(Vec::clear);
        TraceDigest {
            trace: shown,
            samples_taken: 0,
            spikes: spike_recorder.map(|_| Vec::new()),
            spike_recorder,
            width: trace.neurons.len(),
        }
    }

    /// Whether samples were left out.
    pub fn is_cut(&self) -> bool {
        self.samples_taken > self.trace.times_ms.len() as u64
    }

    fn add(&mut self, chunk: &Recordings, index: usize) {
        let new = &chunk.traces[index];
        let shown = self.trace.neurons.len();
        for (sample, &time) in new.times_ms.iter().enumerate() {
            self.samples_taken += 1;
            if self.trace.times_ms.len() == TRACE_SAMPLES {
                continue;
            }
            self.trace.times_ms.push(time);
            for (kept, values) in self.trace.values.iter_mut().zip(&new.values) {
                let start = sample * self.width;
                kept.extend_from_slice(&values[start..start + shown]);
            }
        }
        if let (Some(kept), Some(recorder)) = (&mut self.spikes, self.spike_recorder) {
            let end = if self.samples_taken as usize > TRACE_SAMPLES {
                self.trace.times_ms.last().copied().unwrap_or(0.0)
            } else {
                f64::INFINITY
            };
            kept.extend(
                chunk.spikes[recorder]
                    .spikes
                    .iter()
                    .filter(|s| s.time_ms <= end && self.trace.neurons.contains(&s.neuron)),
            );
        }
    }
}

/// Everything the figures and the summary need, for every recorder.
#[derive(Clone, Debug)]
pub struct Digests {
    /// Per spike recorder.
    pub spikes: Vec<SpikeDigest>,
    /// Per trace recorder.
    pub traces: Vec<TraceDigest>,
}

impl Digests {
    /// Empty digests of `recorders`, for populations of `sizes` and a run of `duration_ms`.
    pub fn new(recorders: &Recordings, sizes: &[usize], duration_ms: f64) -> Self {
        Digests {
            spikes: recorders
                .spikes
                .iter()
                .map(|r| SpikeDigest::new(r, sizes[r.population], duration_ms))
                .collect(),
            traces: recorders
                .traces
                .iter()
                .map(|t| {
                    let spikes = recorders
                        .spikes
                        .iter()
                        .position(|r| r.population == t.population);
                    TraceDigest::new(t, spikes)
                })
                .collect(),
        }
    }

    /// Takes in a chunk.
    pub fn add(&mut self, chunk: &Chunk<'_>) {
        for (digest, recorder) in self.spikes.iter_mut().zip(&chunk.recorded.spikes) {
            digest.add(&recorder.spikes);
        }
        for (index, digest) in self.traces.iter_mut().enumerate() {
            digest.add(chunk.recorded, index);
        }
    }

    /// The first spike digest covering every neuron of `population`, if any.
    pub fn whole_population(&self, population: usize) -> Option<&SpikeDigest> {
        self.spikes
            .iter()
            .find(|d| d.population == population && d.neurons.is_none())
    }
}
