//! `cajal fi`: f–I curves, simulated (and the closed form where there is one), as a table or
//! JSON, with fi.csv and a plot.

use std::path::{Path, PathBuf};

use cajal::fi::{self, FiResult};
use cajal::spec::model::{FiNoise, FiSpec, ModelSpec, ParameterSweep, sweep_values};
use cajal::spec::read_model_file;
use cajal::units::{Dimension, Unit, format_working, parse_quantity};
use miette::{IntoDiagnostic, Result, miette};
use serde_json::json;

use crate::cli::FiOptions;
use crate::diagnostics::SpecDiagnostic;
use crate::figures;
use crate::output::{self, create_directory};
use crate::plot;

/// `cajal fi MODEL [--currents A:B:STEP UNIT] [--vary NAME=V1,V2 UNIT] [--json]`.
pub fn fi(options: &FiOptions) -> Result<()> {
    let spec = read_model_file(&options.model).map_err(SpecDiagnostic::from)?;
    let sweep = sweep_of(&spec, options)?;
    if !options.quiet && !options.json {
        eprintln!(
            "simulating {} current(s) × {} curve(s) for {} ms each ...",
            sweep.currents.len(),
            sweep.vary.as_ref().map_or(1, |v| v.values.len()),
            sweep.duration_ms
        );
    }
    let result = fi::simulate(&spec, &sweep, |_, _| {}).into_diagnostic()?;
    let directory = options.output.clone().unwrap_or_else(|| {
        let stem = options
            .model
            .file_stem()
            .map_or("cajal".into(), |s| s.to_string_lossy().into_owned());
        PathBuf::from(format!("{stem}_fi"))
    });
    write(&directory, &spec, &sweep, &result)?;
    let unit = result.current_dimension.working_unit().unwrap_or("");
    if options.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&to_json(&result, &sweep, unit)).into_diagnostic()?
        );
    } else {
        print_table(&result, unit);
        if !options.quiet {
            println!(
                "wrote {0}/fi.csv, {0}/fi.json and {0}/fi.svg/.png",
                directory.display()
            );
        }
    }
    Ok(())
}

/// The sweep: the model's `[fi]` table, overridden by the options.
fn sweep_of(spec: &ModelSpec, options: &FiOptions) -> Result<FiSpec> {
    let mut sweep = match (&spec.fi, &options.currents) {
        (Some(fi), _) => fi.clone(),
        (None, Some(_)) => {
            let population = spec
                .populations
                .iter()
                .position(|p| p.neuron.is_spiking() && !p.neuron.is_source())
                .ok_or_else(|| miette!("the model has no spiking population"))?;
            FiSpec {
                population,
                currents: Vec::new(),
                duration_ms: spec.simulation.duration_ms,
                transient_ms: 0.0,
                vary: None,
                noise: None,
                neurons_per_current: 1,
            }
        }
        (None, None) => {
            return Err(miette!(
                help = "add an [fi] table to the model, or give e.g. --currents 0:20:0.5uA/cm^2",
                "{}: no currents to sweep",
                spec.source.name
            ));
        }
    };
    let neuron = &spec.populations[sweep.population].neuron;
    if let Some(text) = &options.currents {
        sweep.currents = parse_current_range(text, neuron.input_dimension())?;
    }
    if let Some(text) = &options.vary {
        sweep.vary = Some(parse_vary(text, neuron.parameters().definitions())?);
    }
    if let Some(text) = &options.noise {
        let std = parse_noise(text, neuron.input_dimension())?;
        let had_noise = sweep.noise.is_some();
        sweep.noise = Some(FiNoise {
            std,
            time_scale_ms: sweep.noise.map_or(1.0, |n| n.time_scale_ms),
        });
        if !had_noise && options.neurons.is_none() {
            sweep.neurons_per_current = 100;
        }
    }
    if let Some(neurons) = options.neurons {
        if neurons == 0 || neurons > 1_000_000 {
            return Err(miette!(
                "--neurons {neurons}: expected 1 to 1000000 neurons per current"
            ));
        }
        sweep.neurons_per_current = neurons;
    }
    Ok(sweep)
}

/// `50pA` → the noise's standard deviation in working units.
fn parse_noise(text: &str, dimension: Dimension) -> Result<f64> {
    let (number, unit_text) = split_unit(text);
    let what = format!("--noise {text}");
    let unit = unit_for(unit_text, dimension, &what)?;
    let [value] = parse_numbers(number, ':', &what)?[..] else {
        return Err(miette!("{what}: expected one value with a unit, e.g. 50pA"));
    };
    let scale = unit.scale / Unit::working(dimension).map_or(1.0, |w| w.scale);
    let std = value * scale;
    if !(std >= 0.0 && std.is_finite()) {
        return Err(miette!("{what}: the standard deviation must be >= 0"));
    }
    Ok(std)
}

/// Splits `LIST` + unit: the unit starts at the first letter that is not an exponent `e`.
fn split_unit(text: &str) -> (&str, &str) {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        let c = bytes[index] as char;
        let exponent = (c == 'e' || c == 'E')
            && index > 0
            && (bytes[index - 1] as char).is_ascii_digit()
            && bytes
                .get(index + 1)
                .is_some_and(|&n| (n as char).is_ascii_digit() || n == b'-' || n == b'+');
        if (c.is_alphabetic() || c == 'µ' || c == 'Ω') && !exponent {
            break;
        }
        index += c.len_utf8();
    }
    (text[..index].trim(), text[index..].trim())
}

fn parse_numbers(text: &str, separator: char, what: &str) -> Result<Vec<f64>> {
    text.split(separator)
        .map(|part| {
            part.trim()
                .parse::<f64>()
                .map_err(|_| miette!("{what}: `{}` is not a number", part.trim()))
        })
        .collect()
}

/// `0:20:0.5uA/cm^2` → currents in working units.
pub fn parse_current_range(text: &str, dimension: Dimension) -> Result<Vec<f64>> {
    let (numbers, unit_text) = split_unit(text);
    let what = format!("--currents {text}");
    let unit = unit_for(unit_text, dimension, &what)?;
    let parts = parse_numbers(numbers, ':', &what)?;
    let [start, stop, step] = parts[..] else {
        return Err(miette!(
            "{what}: expected START:STOP:STEP followed by a unit, e.g. 0:20:0.5uA/cm^2"
        ));
    };
    let scale = unit.scale / Unit::working(dimension).map_or(1.0, |w| w.scale);
    sweep_values(start * scale, stop * scale, step * scale)
        .map_err(|message| miette!("{what}: {message}"))
}

fn unit_for(unit_text: &str, dimension: Dimension, what: &str) -> Result<Unit> {
    if unit_text.is_empty() {
        let example = dimension.working_unit().unwrap_or("a unit");
        return Err(miette!(
            "{what}: the unit is missing (this model's input is a {dimension}, e.g. {example})"
        ));
    }
    let unit = Unit::parse(unit_text).map_err(|e| miette!("{what}: {}", e.message))?;
    if unit.dimension != dimension {
        return Err(miette!(
            "{what}: `{unit_text}` is a {}, but this model's input is a {dimension}",
            unit.dimension
        ));
    }
    Ok(unit)
}

/// `leak_conductance=0.1,0.2mS/cm^2` → a sweep in working units.
pub fn parse_vary(
    text: &str,
    definitions: &'static [cajal::parameters::ParameterDef],
) -> Result<ParameterSweep> {
    let what = format!("--vary {text}");
    let (name, values) = text.split_once('=').ok_or_else(|| {
        miette!("{what}: expected NAME=V1,V2,...UNIT, e.g. leak_conductance=0.1,0.2mS/cm^2")
    })?;
    let definition = definitions
        .iter()
        .find(|d| d.answers_to(name.trim()))
        .ok_or_else(|| {
            let names: Vec<&str> = definitions.iter().map(|d| d.name).collect();
            miette!(
                "{what}: the model has no parameter `{}`; its parameters: {}",
                name.trim(),
                names.join(", ")
            )
        })?;
    let (numbers, unit_text) = split_unit(values);
    // Through a Quantity, so that offset scales (degC) convert correctly.
    let convert: Box<dyn Fn(f64) -> f64> =
        if definition.dimension == Dimension::DIMENSIONLESS && unit_text.is_empty() {
            Box::new(|v| v)
        } else {
            let unit = unit_for(unit_text, definition.dimension, &what)?;
            let working = Unit::working(definition.dimension)
                .ok_or_else(|| miette!("{what}: no working unit for {}", definition.dimension))?;
            Box::new(move |v| {
                cajal::units::Quantity {
                    si_value: v * unit.scale + unit.offset,
                    dimension: unit.dimension,
                }
                .value_in(&working)
            })
        };
    let values: Vec<f64> = parse_numbers(numbers, ',', &what)?
        .into_iter()
        .map(convert)
        .collect();
    if let Some(bad) = values.iter().find(|v| !definition.constraint.admits(**v)) {
        return Err(miette!(
            "{what}: {} must be {}, got {}",
            definition.name,
            definition.constraint.describe(),
            format_working(*bad, definition.dimension)
        ));
    }
    // Checked the same way a model file is: the quantity parser accepts what we print.
    debug_assert!(
        values
            .iter()
            .all(|v| parse_quantity(&format_working(*v, definition.dimension)).is_ok())
    );
    Ok(ParameterSweep {
        parameter: definition.name.to_string(),
        values,
    })
}

fn to_json(result: &FiResult, sweep: &FiSpec, unit: &str) -> serde_json::Value {
    json!({
        "current_unit": unit,
        "noise": sweep.noise.map(|n| json!({"std": n.std, "std_unit": unit, "time_scale_ms": n.time_scale_ms})),
        "neurons_per_current": sweep.neurons_per_current,
        "curves": result.curves.iter().map(|curve| json!({
            "label": curve.label,
            "parameter_value": curve.parameter_value,
            "points": curve.points.iter().map(|p| json!({
                "current": p.current,
                "current_unit": unit,
                "rate_hz": p.rate_hz,
                "spike_count": p.spike_count,
                "theory_rate_hz": p.theory_rate_hz,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn write(directory: &Path, spec: &ModelSpec, sweep: &FiSpec, result: &FiResult) -> Result<()> {
    create_directory(directory)?;
    let unit = result.current_dimension.working_unit().unwrap_or("");
    let header = vec![
        "curve".to_string(),
        format!("current_{}", unit.replace('/', "_per_").replace('²', "2")),
        "rate_hz".to_string(),
        "spike_count".to_string(),
        "theory_rate_hz".to_string(),
    ];
    let rows = result.curves.iter().enumerate().flat_map(|(index, curve)| {
        curve.points.iter().map(move |p| {
            vec![
                index as f64,
                p.current,
                p.rate_hz,
                p.spike_count as f64,
                p.theory_rate_hz.unwrap_or(f64::NAN),
            ]
        })
    });
    output::write_csv(&directory.join("fi.csv"), &header, rows)?;
    output::write_json(&directory.join("fi.json"), &to_json(result, sweep, unit))?;
    let title = match sweep.noise {
        None => format!("f–I curve: {}", spec.source.name),
        Some(noise) => format!(
            "f–I curve: {}, noise σ = {} {unit} (τ = {} ms), {} neurons per current",
            spec.source.name, noise.std, noise.time_scale_ms, sweep.neurons_per_current
        ),
    };
    plot::render(&figures::fi_figure(&title, result), &directory.join("fi")).into_diagnostic()?;
    Ok(())
}

fn print_table(result: &FiResult, unit: &str) {
    for curve in &result.curves {
        println!("{}", curve.label);
        println!(
            "  {:>14}  {:>10}  {:>10}",
            format!("I ({unit})"),
            "rate (Hz)",
            "theory"
        );
        for p in &curve.points {
            let theory = p
                .theory_rate_hz
                .map_or("-".to_string(), |t| format!("{t:.3}"));
            println!("  {:>14.4}  {:>10.3}  {:>10}", p.current, p.rate_hz, theory);
        }
        if let Some(onset) = fi::repetitive_firing_onset(curve) {
            println!("  repetitive firing from {onset} {unit}");
        }
    }
}
