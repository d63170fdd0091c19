use super::*;

/// Brunel (2000) model A's neuron: τ = 20 ms, θ = 20 mV, V_r = 10 mV, τ_ref = 2 ms.
fn brunel_neuron() -> LifParameters {
    LifParameters {
        membrane_time_constant: 20.0,
        resting_potential: 0.0,
        threshold: 20.0,
        reset_potential: 10.0,
        refractory_period: 2.0,
        membrane_resistance: 1.0,
        initial_potential: 0.0,
    }
}

fn model_a(g: f64, eta: f64) -> RecurrentPopulation {
    let (j, ce, gamma, tau, theta) = (0.1, 1000.0, 0.25, 20.0, 20.0);
    RecurrentPopulation {
        neuron: brunel_neuron(),
        external_mean_mv: eta * theta,
        external_variance_mv2: j * eta * theta,
        mean_coupling_mv_ms: tau * ce * j * (1.0 - g * gamma),
        variance_coupling_mv2_ms: tau * ce * j * j * (1.0 + g * g * gamma),
        delay_ms: 1.5,
    }
}

#[test]
fn explore() {
    for (name, g, eta) in [("A", 3.0, 2.0), ("B", 6.0, 4.0), ("C", 5.0, 2.0), ("D", 4.5, 0.9)] {
        let p = model_a(g, eta);
        let t = std::time::Instant::now();
        let s = p.stability(1000.0);
        println!("{name}: rate {:.3} mu {:.3} sigma {:.3} ({:?})", s.rate_hz, s.mu_mv, s.sigma_mv, t.elapsed());
        for r in &s.roots {
            println!("   {:10.2} /s  {:8.2} Hz", r.growth_rate_per_s(), r.frequency_hz());
        }
    }
}
