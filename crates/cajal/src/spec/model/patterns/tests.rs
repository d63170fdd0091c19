use std::path::Path;

use super::*;
use crate::connect::{Learning, Rule};
use crate::input::InputKind;
use crate::spec::document::Source;
use crate::spec::model::{ModelSpec, read_model};
use npyz::WriterBuilder;

fn read(text: &str, directory: &Path) -> Result<ModelSpec, String> {
    read_model(Source::new("model.toml", text), directory).map_err(|e| e.to_string())
}

const HEAD: &str = "[simulation]\nduration = \"100 ms\"\nseed = 4\n";

fn network(patterns: &str, rest: &str) -> String {
    format!(
        "{HEAD}[population.E]\nmodel = \"lif\"\nsize = 100\npatterns = {patterns}\n\
         [[projection]]\nsource = \"E\"\ntarget = \"E\"\nrule = \"patterns\"\n\
         weight = \"40 mV\"\n{rest}"
    )
}

fn temporary(name: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!("cajal-patterns-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    directory.join(name)
}

#[test]
fn random_patterns_rule_and_cue_are_read() {
    let text = network(
        "{ count = 6, coding_level = 0.2 }",
        "learning = \"covariance\"\nprobability = 0.5\n\
         [[input]]\ntarget = \"E\"\nkind = \"pattern\"\npattern = 2\namplitude = \"300 pA\"\n\
         start = \"10 ms\"\nstop = \"20 ms\"\nflip = 0.1\nkeep = 0.5\n",
    );
    let spec = read(&text, Path::new(".")).unwrap();
    let stored = spec.populations[0].patterns.clone().unwrap();
    assert_eq!((stored.count(), stored.size()), (6, 100));
    assert!((0..6).all(|mu| stored.active_count(mu) == 20));
    // Drawn from the run's seed and the population's number.
    assert_eq!(*stored, Patterns::random(6, 100, 0.2, 4, 0).unwrap());
    let projection = &spec.projections[0];
    assert!(
        !projection.autapses,
        "no autapses by default for learned couplings"
    );
    let Rule::Patterns(rule) = &projection.rule else {
        panic!("{:?}", projection.rule)
    };
    assert_eq!(rule.learning, Learning::Covariance);
    assert_eq!((rule.weight, rule.probability), (40.0, 0.5));
    // The cue: 10 of the 20 active neurons kept, 10 of 100 bits flipped, driven by a
    // constant current during the window; the neurons are those of the cued state.
    let input = &spec.inputs[0];
    let cue = input.cue.unwrap();
    assert_eq!((cue.pattern, cue.flip, cue.keep), (2, 0.1, 0.5));
    assert_eq!(input.kind, InputKind::Constant { amplitude: 300.0 });
    assert_eq!((input.start_ms, input.stop_ms), (10.0, 20.0));
    let state = cue.state(&stored, 4, 0).unwrap();
    let expected: Vec<u32> = (0..100).filter(|&i| state[i as usize]).collect();
    assert_eq!(input.neurons, expected);
    let in_pattern = expected
        .iter()
        .filter(|&&i| stored.is_active(2, i as usize))
        .count();
    // 10 kept; flips remove some of them and add neurons outside the pattern.
    assert!(in_pattern <= 10 && expected.len() >= in_pattern);
}

#[test]
fn pattern_files_are_read_in_both_conventions_and_formats() {
    let size = 100;
    let row = |mu: usize, inactive: &str| -> String {
        (0..size)
            .map(|i| {
                if (i + mu).is_multiple_of(4) {
                    "1"
                } else {
                    inactive
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let csv = temporary("zero_one.csv");
    std::fs::write(
        &csv,
        format!(
            "# three patterns\n{}\n{}\n{}\n",
            row(0, "0"),
            row(1, "0"),
            row(2, "0")
        ),
    )
    .unwrap();
    let spins = temporary("spins.csv");
    std::fs::write(
        &spins,
        format!("{}\n{}\n{}\n", row(0, "-1"), row(1, "-1"), row(2, "-1")),
    )
    .unwrap();
    let from_csv = read_pattern_file(&csv, size).unwrap();
    assert_eq!(from_csv, read_pattern_file(&spins, size).unwrap());
    assert_eq!(from_csv.count(), 3);
    assert!(
        (0..3)
            .all(|mu| (0..size).all(|i| from_csv.is_active(mu, i) == ((i + mu).is_multiple_of(4))))
    );
    // .npy, P × N float64 in C order.
    let npy = temporary("patterns.npy");
    let mut bytes = Vec::new();
    {
        let mut writer = npyz::WriteOptions::<f64>::new()
            .default_dtype()
            .shape(&[3, size as u64])
            .writer(&mut bytes)
            .begin_nd()
            .unwrap();
        for mu in 0..3 {
            for i in 0..size {
                writer
                    .push(
                        &(if (i + mu).is_multiple_of(4) {
                            1.0f64
                        } else {
                            0.0
                        }),
                    )
                    .unwrap();
            }
        }
        writer.finish().unwrap();
    }
    std::fs::write(&npy, bytes).unwrap();
    assert_eq!(read_pattern_file(&npy, size).unwrap(), from_csv);
    // Through the model file, relative to its directory.
    let spec = read(
        &network("{ file = \"zero_one.csv\" }", ""),
        csv.parent().unwrap(),
    )
    .unwrap();
    assert_eq!(*spec.populations[0].patterns.clone().unwrap(), from_csv);
}

#[test]
fn bad_pattern_files_name_the_line_and_column() {
    let size = 4;
    let cases = [
        (
            "1,0,0,1\n1,0,2,1\n",
            "line 2, column 3: 2 is not 0, 1 or ±1",
        ),
        (
            "1,0,0,1\n1,-1,0,1\n",
            "line 2, column 2: -1 after 0 earlier: a file holds 0/1 or −1/+1 values, not both",
        ),
        (
            "1,0,0\n",
            "line 1: 3 columns for a population of 4 neurons; give one value per neuron",
        ),
        ("1,0,x,1\n", "line 1, column 3: \"x\" is not 0, 1 or ±1"),
        (
            "1,0,0,1\n0,0,0,0\n",
            "line 2 (pattern 2): 0 of 4 neurons active: a pattern needs active and inactive neurons",
        ),
        ("# nothing\n", "the file: no pattern in the file"),
    ];
    for (index, (text, expected)) in cases.iter().enumerate() {
        let path = temporary(&format!("bad{index}.csv"));
        std::fs::write(&path, text).unwrap();
        let message = read_pattern_file(&path, size).unwrap_err().to_string();
        assert_eq!(message, format!("{}, {expected}", path.display()));
    }
    let missing = read_pattern_file(Path::new("/nonexistent/p.csv"), size).unwrap_err();
    assert!(
        missing
            .to_string()
            .starts_with("cannot read /nonexistent/p.csv")
    );
}

#[test]
fn misuses_of_patterns_are_located_errors() {
    let here = Path::new(".");
    let message = read(&network("{ count = 3, coding_level = 0.0 }", ""), here).unwrap_err();
    assert_eq!(
        message,
        "model.toml:7:40: population.E.patterns.coding_level: a coding level lies strictly \
         between 0 and 1, not 0 (found count = 3, coding_level = 0)"
    );
    // A cue of a pattern that does not exist.
    let message = read(
        &network(
            "{ count = 3, coding_level = 0.5 }",
            "[[input]]\ntarget = \"E\"\nkind = \"pattern\"\npattern = 3\namplitude = \"1 pA\"\n",
        ),
        here,
    )
    .unwrap_err();
    assert!(
        message.contains("input[0].pattern: pattern 3 does not exist: the population stores 3 patterns, numbered from 0 (expected 0 to 2, found 3)"),
        "{message}"
    );
    // The rule on a population without patterns, and a flip out of range.
    let text = format!(
        "{HEAD}[population.E]\nmodel = \"lif\"\nsize = 10\n[[projection]]\nsource = \"E\"\n\
         target = \"E\"\nrule = \"patterns\"\nweight = \"1 mV\"\n"
    );
    let message = read(&text, here).unwrap_err();
    assert!(
        message.contains("population `E` stores no patterns"),
        "{message}"
    );
    assert!(
        message
            .contains("hint: add patterns = { count = 10, coding_level = 0.5 } to [population.E]")
    );
    let message = read(
        &network(
            "{ count = 3, coding_level = 0.5 }",
            "[[input]]\ntarget = \"E\"\nkind = \"pattern\"\npattern = 0\nflip = 1.5\namplitude = \"1 pA\"\n",
        ),
        here,
    )
    .unwrap_err();
    assert!(
        message.contains(
            "input[0].flip: a fraction lies between 0 and 1 (expected 0 <= flip <= 1, found 1.5)"
        ),
        "{message}"
    );
    // A weight distribution, and an initial state on a spiking population.
    let message = read(
        &network("{ count = 3, coding_level = 0.5 }", "").replace(
            "weight = \"40 mV\"",
            "weight = { distribution = \"normal\", mean = \"1 mV\", std = \"0.1 mV\" }",
        ),
        here,
    )
    .unwrap_err();
    assert!(message.contains("`weight` is one scale"), "{message}");
    let message = read(
        &network(
            "{ count = 3, coding_level = 0.5 }\ninitial = { pattern = 1, flip = 0.1 }",
            "",
        ),
        here,
    )
    .unwrap_err();
    assert!(
        message.contains("sets the state of binary neurons"),
        "{message}"
    );
}
