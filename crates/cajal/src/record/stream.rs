//! Recorded data in chunks: what a run hands over after every chunk of steps.
//!
//! A streamed run ([`crate::engine::Simulation::run_streaming`]) holds the data of one chunk
//! only: after each chunk it gives the sink the new spikes, trace samples and complete
//! activity bins, and the spike count of every population in every step, then forgets them.
//! Memory for recording is thus bounded by the chunk length, whatever the run length; what
//! the sink keeps is its own affair.

use std::convert::Infallible;
use std::ops::Range;

use super::{ActivityRecorder, SpikeRecorder, TraceRecorder};

/// The recorders of a run, each kind in the order of its `[[record]]` tables, with the data
/// they hold: a chunk's in a [`Chunk`], all of a run's in an in-memory result.
#[derive(Clone, Debug, Default)]
pub struct Recordings {
    /// Spike recorders.
    pub spikes: Vec<SpikeRecorder>,
    /// Trace recorders.
    pub traces: Vec<TraceRecorder>,
    /// Population-activity recorders.
    pub activity: Vec<ActivityRecorder>,
}

impl Recordings {
    /// Appends the data of `chunk`, whose recorders are these, in the same order.
    pub fn append(&mut self, chunk: &Recordings) {
        for (recorder, new) in self.spikes.iter_mut().zip(&chunk.spikes) {
            recorder.spikes.extend_from_slice(&new.spikes);
        }
        for (recorder, new) in self.traces.iter_mut().zip(&chunk.traces) {
            recorder.times_ms.extend_from_slice(&new.times_ms);
            for (values, new) in recorder.values.iter_mut().zip(&new.values) {
                values.extend_from_slice(new);
            }
        }
        for (recorder, new) in self.activity.iter_mut().zip(&chunk.activity) {
            recorder.start_ms.extend_from_slice(&new.start_ms);
            recorder.rate_hz.extend_from_slice(&new.rate_hz);
        }
    }

    /// Forgets the data held, keeping what the recorders are (and an activity recorder's
    /// bin being filled).
    pub fn clear(&mut self) {
        for recorder in &mut self.spikes {
            recorder.spikes.clear();
        }
        for recorder in &mut self.traces {
            recorder.times_ms.clear();
            recorder.values.iter_mut().for_each(Vec::clear);
        }
        for recorder in &mut self.activity {
            recorder.clear();
        }
    }
}

/// What a chunk of steps recorded.
#[derive(Clone, Debug)]
pub struct Chunk<'a> {
    /// The steps it covers: step k advances from k·dt to (k + 1)·dt.
    pub steps: Range<u64>,
    /// The time step (ms).
    pub dt_ms: f64,
    /// The recorders with the chunk's data only: the spikes of its steps (in the order of a
    /// single-thread run: by step, then neuron), the trace samples taken at its step ends
    /// (the first chunk also has the sample at t = 0), and the activity bins it completed.
    pub recorded: &'a Recordings,
    /// For every population, its number of spikes (all neurons, recorded or not) in each
    /// step of the chunk: `population_counts[p][k - steps.start]` for step k.
    pub population_counts: &'a [Vec<u64>],
}

impl Chunk<'_> {
    /// Biological time at the end of the chunk (ms).
    pub fn end_ms(&self) -> f64 {
        self.steps.end as f64 * self.dt_ms
    }
}

/// Where a streamed run puts its recorded data, chunk by chunk.
pub trait RecordingSink {
    /// Why the sink could not take a chunk; it stops the run.
    type Error;

    /// Takes the data of one chunk of steps; it is forgotten by the run afterwards. An
    /// error stops the run before the next chunk.
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<(), Self::Error>;
}

/// Keeps everything in memory: the chunks appended in order.
impl RecordingSink for Recordings {
    type Error = Infallible;

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<(), Infallible> {
        self.append(chunk.recorded);
        Ok(())
    }
}
