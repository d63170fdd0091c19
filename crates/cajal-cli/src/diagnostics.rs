//! Model-file errors as miette diagnostics: the message, the file's line underlined, the
//! expected and found values, and the hint.

use std::fmt;

use cajal::spec::SpecError;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

/// A [`SpecError`] that miette can render with the offending text underlined.
#[derive(Debug)]
pub struct SpecDiagnostic {
    error: SpecError,
    source: Option<NamedSource<String>>,
}

impl SpecDiagnostic {
    /// Wraps an error.
    pub fn new(error: SpecError) -> Self {
        let source = error
            .source_text
            .as_ref()
            .filter(|text| !text.is_empty())
            .map(|text| NamedSource::new(error.file.clone(), text.to_string()));
        SpecDiagnostic { error, source }
    }
}

impl fmt::Display for SpecDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The hint is shown by miette as help; the rest is the library's one-line message.
        let mut error = self.error.clone();
        error.hint = None;
        write!(f, "{error}")
    }
}

impl std::error::Error for SpecDiagnostic {}

impl Diagnostic for SpecDiagnostic {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error
            .hint
            .as_ref()
            .map(|hint| Box::new(hint) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let span = &self.error.span;
        let label = match (&self.error.expected, &self.error.found) {
            (Some(expected), _) => format!("expected {expected}"),
            _ => self.error.message.clone(),
        };
        Some(Box::new(std::iter::once(LabeledSpan::at(
            span.start..span.end.max(span.start + 1),
            label,
        ))))
    }
}

impl From<SpecError> for SpecDiagnostic {
    fn from(error: SpecError) -> Self {
        SpecDiagnostic::new(error)
    }
}
