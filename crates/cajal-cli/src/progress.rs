//! The progress bar of long runs: biological time done, and the real-time factor (seconds
//! of biological time simulated per second of wall-clock time). Shown only on a terminal.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cajal::engine::{Control, Progress};
use indicatif::{ProgressBar, ProgressStyle};

/// Runs shorter than this never show a bar.
const SHOW_AFTER: Duration = Duration::from_millis(300);

/// Set when the user presses Ctrl-C; the run then stops at the next progress report and
/// writes what it has, marked incomplete.
pub fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let handler_flag = flag.clone();
    // If a handler cannot be installed (e.g. one already is), Ctrl-C keeps its default
    // meaning: the run is killed and no summary.json claims completeness.
    // A second Ctrl-C (while outputs are written, or if a stop does not come) exits at once.
    let _ = ctrlc::set_handler(move || {
        if handler_flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    flag
}

/// Reports engine progress to a progress bar on stderr.
pub struct ProgressReporter {
    interrupted: Arc<AtomicBool>,
    bar: Option<ProgressBar>,
    enabled: bool,
    started: Instant,
    total_ms: f64,
}

impl ProgressReporter {
    /// A reporter for a run of `total_ms` of biological time; silent if `quiet` or if stderr
    /// is not a terminal.
    pub fn new(total_ms: f64, quiet: bool, interrupted: Arc<AtomicBool>) -> Self {
        ProgressReporter {
            interrupted,
            bar: None,
            enabled: !quiet && std::io::stderr().is_terminal(),
            started: Instant::now(),
            total_ms,
        }
    }

    /// The observer to hand to the engine.
    pub fn observe(&mut self, progress: Progress) -> Control {
        if self.interrupted.load(Ordering::SeqCst) {
            return Control::Stop;
        }
        if !self.enabled {
            return Control::Continue;
        }
        let elapsed = self.started.elapsed();
        if self.bar.is_none() && elapsed >= SHOW_AFTER && progress.steps_done < progress.steps_total
        {
            let bar = ProgressBar::new(self.total_ms.round() as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40.cyan/blue} {pos}/{len} ms biological  {msg}  eta {eta}",
                )
                .expect("the template is valid"),
            );
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(progress.time_ms.round() as u64);
            let factor = progress.time_ms / 1000.0 / elapsed.as_secs_f64().max(1e-9);
            bar.set_message(format!("{factor:.3}× real time"));
        }
        Control::Continue
    }

    /// Removes the bar.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
