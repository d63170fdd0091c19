//! The quantities on `cajal stats`'s command line: times with units, lists of them, windows
//! and stimulus times from a list or a file.

use std::path::Path;

use cajal::csv_rows::Rows;
use cajal::spike_file::milliseconds_per;
use cajal::units::{Dimension, parse_quantity};
use miette::{IntoDiagnostic, Result, WrapErr, miette};

/// A time given as `--option TEXT`, in ms; the unit is required (`100ms`, `1.5 s`).
pub fn time_ms(option: &str, text: &str) -> Result<f64> {
    let quantity = parse_quantity(text.trim())
        .map_err(|e| miette!("--{option} {text}: {} (e.g. 100ms or 1s)", e.message))?;
    if quantity.dimension != Dimension::TIME {
        return Err(miette!("--{option} {text}: not a time (e.g. 100ms or 1s)"));
    }
    Ok(quantity.si_value * 1e3)
}

/// A positive time (a bin or a window width).
pub fn width_ms(option: &str, text: &str) -> Result<f64> {
    let value = time_ms(option, text)?;
    if !(value > 0.0 && value.is_finite()) {
        return Err(miette!("--{option} {text}: must be a positive time"));
    }
    Ok(value)
}

/// A comma-separated list of positive times, each with its unit (`10ms,100ms,1s`).
pub fn widths_ms(option: &str, text: &str) -> Result<Vec<f64>> {
    text.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|item| width_ms(option, item))
        .collect()
}

/// `START:STOP` as two times in ms, START before STOP.
pub fn interval_ms(option: &str, text: &str) -> Result<(f64, f64)> {
    let (start, stop) = text
        .split_once(':')
        .ok_or_else(|| miette!("--{option} {text}: expected START:STOP, e.g. -50ms:200ms"))?;
    let (start, stop) = (time_ms(option, start)?, time_ms(option, stop)?);
    if stop <= start {
        return Err(miette!("--{option} {text}: STOP must come after START"));
    }
    Ok((start, stop))
}

/// Stimulus times (ms): a file (.csv with a header naming a time column and its unit, or a
/// one-dimensional .npy in `time_unit_ms`) or a comma-separated list of times with units.
pub fn stimulus_times_ms(text: &str, time_unit_ms: Option<f64>) -> Result<Vec<f64>> {
    let path = Path::new(text);
    let mut times = if path.exists() {
        read_times_file(path, time_unit_ms)?
    } else if text.ends_with(".csv") || text.ends_with(".npy") {
        return Err(miette!("--stimulus-times {text}: no such file"));
    } else {
        text.split(',')
            .map(|item| time_ms("stimulus-times", item))
            .collect::<Result<Vec<_>>>()?
    };
    if times.is_empty() {
        return Err(miette!("--stimulus-times {text}: no stimulus times"));
    }
    times.sort_by(f64::total_cmp);
    Ok(times)
}

fn read_times_file(path: &Path, time_unit_ms: Option<f64>) -> Result<Vec<f64>> {
    let name = path.display();
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
    {
        let scale = time_unit_ms.ok_or_else(|| {
            miette!("{name}: a .npy file does not say the unit of its times: give --time-unit")
        })?;
        let bytes = std::fs::read(path)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot read {name}"))?;
        let file = npyz::NpyFile::new(&bytes[..])
            .into_diagnostic()
            .wrap_err_with(|| format!("{name} is not a valid .npy file"))?;
        if file.shape().len() != 1 {
            return Err(miette!("{name}: expected a one-dimensional array of times"));
        }
        let values = file
            .into_vec::<f64>()
            .into_diagnostic()
            .wrap_err_with(|| format!("{name}: expected float64 times"))?;
        return finite(path, values.into_iter().map(|t| t * scale).collect());
    }
    let file = std::fs::File::open(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot open {name}"))?;
    let mut rows = Rows::new(std::io::BufReader::new(file));
    let header = match rows.next_row() {
        Some(Ok((_, header))) => header.get(0).unwrap_or("").to_string(),
        Some(Err(e)) => return Err(miette!("{name}, line {}: {}", e.line, e.message)),
        None => return Err(miette!("{name}: the file is empty")),
    };
    let unit = header
        .find(['[', '('])
        .map(|open| {
            header[open + 1..]
                .trim_end_matches([']', ')'])
                .trim()
                .to_string()
        })
        .or_else(|| header.rsplit_once('_').map(|(_, unit)| unit.to_string()));
    let scale = match (unit.as_deref().map(milliseconds_per), time_unit_ms) {
        (Some(Ok(scale)), _) => scale,
        (_, Some(scale)) => scale,
        (_, None) => {
            return Err(miette!(
                "{name}, the header: \"{header}\" does not name a time column with its unit \
                 (e.g. time_ms or time_s); give --time-unit"
            ));
        }
    };
    let mut times = Vec::new();
    while let Some(row) = rows.next_row() {
        let (line, record) = row.map_err(|e| miette!("{name}, line {}: {}", e.line, e.message))?;
        let cell = record.get(0).unwrap_or("");
        let value: f64 = cell
            .parse()
            .map_err(|_| miette!("{name}, line {line}: \"{cell}\" is not a number"))?;
        times.push(value * scale);
    }
    finite(path, times)
}

fn finite(path: &Path, times: Vec<f64>) -> Result<Vec<f64>> {
    match times.iter().position(|t| !t.is_finite()) {
        Some(index) => Err(miette!(
            "{}: stimulus time number {} is not finite",
            path.display(),
            index + 1
        )),
        None => Ok(times),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_need_units_and_widths_must_be_positive() {
        assert_eq!(time_ms("t-stop", "2s").unwrap(), 2000.0);
        assert_eq!(time_ms("t-start", "-50 ms").unwrap(), -50.0);
        assert!(time_ms("t-stop", "2").is_err());
        assert!(time_ms("t-stop", "2mV").is_err());
        assert!(width_ms("bin", "0ms").is_err());
        assert_eq!(
            widths_ms("fano-windows", "10ms,1s").unwrap(),
            [10.0, 1000.0]
        );
        assert_eq!(
            interval_ms("psth-window", "-50ms:0.2s").unwrap(),
            (-50.0, 200.0)
        );
        assert!(interval_ms("psth-window", "10ms:5ms").is_err());
        assert!(interval_ms("psth-window", "10ms").is_err());
    }

    #[test]
    fn stimulus_times_from_a_list_or_a_csv_file() {
        assert_eq!(
            stimulus_times_ms("1s,100ms", None).unwrap(),
            [100.0, 1000.0]
        );
        let path = std::env::temp_dir().join(format!("cajal-stimuli-{}.csv", std::process::id()));
        std::fs::write(&path, "time_s\n0.5\n0.25\n").unwrap();
        let text = path.to_str().unwrap();
        assert_eq!(stimulus_times_ms(text, None).unwrap(), [250.0, 500.0]);
        std::fs::write(&path, "onset\n0.5\n").unwrap();
        assert!(stimulus_times_ms(text, None).is_err());
        assert_eq!(stimulus_times_ms(text, Some(1.0)).unwrap(), [0.5]);
        std::fs::write(&path, "time_ms\nabc\n").unwrap();
        let error = stimulus_times_ms(text, None).unwrap_err().to_string();
        assert!(error.contains("line 2"), "{error}");
        assert!(stimulus_times_ms("missing.csv", None).is_err());
    }
}
