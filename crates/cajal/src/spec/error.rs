//! Errors in model files: what is wrong, where (file, line, column), and how to fix it.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use super::document::Source;

/// A problem with a model file (or a data file it names), located in the text.
///
/// `Display` gives one self-contained message:
/// `model.toml:12:28: population.cell.membrane_time_constant: must be positive (expected a time > 0, found "-20 ms")`
/// followed by a hint line where there is one.
#[derive(Clone, Debug, PartialEq)]
pub struct SpecError {
    /// The file, as named by whoever loaded it.
    pub file: String,
    /// One-based line.
    pub line: usize,
    /// One-based column (characters).
    pub column: usize,
    /// Byte span in the file's text.
    pub span: Range<usize>,
    /// The dotted key path the problem is about, e.g. `population.cell.threshold`.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What was expected, e.g. `a voltage such as "-65 mV"`.
    pub expected: Option<String>,
    /// What was found, as written.
    pub found: Option<String>,
    /// A suggestion, e.g. `did you mean "threshold"?`.
    pub hint: Option<String>,
    /// The file's text, so that a front end can underline the span.
    pub source_text: Option<Arc<str>>,
}

impl SpecError {
    /// An error at `span` of `source`.
    pub fn new(source: &Source, span: Range<usize>, message: impl Into<String>) -> SpecError {
        let (line, column) = source.line_column(span.start);
        SpecError {
            file: source.name.clone(),
            line,
            column,
            span,
            key: None,
            message: message.into(),
            expected: None,
            found: None,
            hint: None,
            source_text: Some(source.text.clone()),
        }
    }

    /// Names the key the error is about.
    pub fn with_key(mut self, key: impl Into<String>) -> SpecError {
        self.key = Some(key.into());
        self
    }

    /// Says what was expected.
    pub fn expected(mut self, expected: impl Into<String>) -> SpecError {
        self.expected = Some(expected.into());
        self
    }

    /// Says what was found.
    pub fn found(mut self, found: impl Into<String>) -> SpecError {
        self.found = Some(found.into());
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> SpecError {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)?;
        match (&self.expected, &self.found) {
            (Some(expected), Some(found)) => write!(f, " (expected {expected}, found {found})")?,
            (Some(expected), None) => write!(f, " (expected {expected})")?,
            (None, Some(found)) => write!(f, " (found {found})")?,
            (None, None) => {}
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecError {}

/// Levenshtein edit distance, for "did you mean" hints.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lowered = word.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            (
                edit_distance(&lowered, &candidate.to_lowercase()),
                candidate,
            )
        })
        .filter(|&(distance, candidate)| {
            distance <= 2.max(candidate.chars().count() / 3)
                || candidate.contains(&lowered) && lowered.len() >= 3
        })
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_insertions_deletions_substitutions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("tau", "tau"), 0);
    }

    #[test]
    fn closest_finds_typos_but_not_unrelated_words() {
        let keys = ["threshold", "reset_potential", "membrane_time_constant"];
        assert_eq!(closest("treshold", keys), Some("threshold"));
        assert_eq!(
            closest("membrane_time_constnat", keys),
            Some("membrane_time_constant")
        );
        assert_eq!(closest("reset", keys), Some("reset_potential"));
        assert_eq!(closest("color", keys), None);
    }

    #[test]
    fn display_names_file_line_column_key_expected_found_and_hint() {
        let source = Source::new("m.toml", "[a]\nx = 1\n");
        let error = SpecError::new(&source, 8..9, "must be positive")
            .with_key("a.x")
            .expected("a time > 0")
            .found("1")
            .with_hint("write it with a unit");
        assert_eq!(
            error.to_string(),
            "m.toml:2:5: a.x: must be positive (expected a time > 0, found 1)\n  hint: write it with a unit"
        );
    }
}
