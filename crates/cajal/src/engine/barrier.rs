//! A spinning barrier for the threads of one simulation.
//!
//! Threads meet once per time step — 10,000 times per biological second at dt = 0.1 ms. A
//! sleeping barrier (`std::sync::Barrier`) costs more than a step's work at that rate; this
//! one spins briefly and then yields, so it stays cheap when every thread has its own core
//! and harmless when they do not.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Threads spin this many times before yielding the processor.
const SPINS_BEFORE_YIELD: u32 = 2_000;

/// A reusable barrier for a fixed number of threads.
pub struct SpinBarrier {
    threads: usize,
    arrived: AtomicUsize,
    generation: AtomicUsize,
    /// Set when a thread fails: the others stop waiting instead of spinning forever.
    poisoned: AtomicBool,
}

impl SpinBarrier {
    /// A barrier for `threads` threads.
    pub fn new(threads: usize) -> Self {
        SpinBarrier {
            threads,
            arrived: AtomicUsize::new(0),
            generation: AtomicUsize::new(0),
            poisoned: AtomicBool::new(false),
        }
    }

    /// Marks the barrier as failed: threads waiting at it, or arriving later, panic instead
    /// of waiting for a thread that will never come.
    pub fn poison(&self) {
        self.poisoned.store(true, Ordering::Release);
    }

    /// Blocks until all threads have called `wait` (for this round).
    pub fn wait(&self) {
        if self.threads <= 1 {
            return;
        }
        let generation = self.generation.load(Ordering::Acquire);
        self.check();
        if self.arrived.fetch_add(1, Ordering::AcqRel) + 1 == self.threads {
            // The last to arrive opens the next round; nobody can arrive at it before the
            // generation changes, so resetting the count first is safe.
            self.arrived.store(0, Ordering::Relaxed);
            self.generation.fetch_add(1, Ordering::Release);
            return;
        }
        let mut spins = 0u32;
        while self.generation.load(Ordering::Acquire) == generation {
            self.check();
            if spins < SPINS_BEFORE_YIELD {
                std::hint::spin_loop();
                spins += 1;
            } else {
                std::thread::yield_now();
            }
        }
    }
}

impl SpinBarrier {
    fn check(&self) {
        if self.poisoned.load(Ordering::Acquire) {
            panic!("another simulation thread failed");
        }
    }
}

/// Poisons the barrier if the thread holding it unwinds (a panic), so that no other thread
/// waits for it forever.
pub struct PoisonOnPanic<'a>(pub &'a SpinBarrier);

impl Drop for PoisonOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.poison();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    #[test]
    fn no_thread_passes_a_round_before_all_arrive() {
        let threads = 4;
        let rounds = 2_000;
        let barrier = SpinBarrier::new(threads);
        let counter = AtomicU64::new(0);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    for round in 0..rounds {
                        counter.fetch_add(1, Ordering::AcqRel);
                        barrier.wait();
                        // After the barrier every thread has counted this round.
                        assert!(counter.load(Ordering::Acquire) >= (round + 1) * threads as u64);
                        barrier.wait();
                    }
                });
            }
        });
        assert_eq!(counter.load(Ordering::Acquire), rounds * threads as u64);
    }
}
