//! The CSV dialect of cajal's data files (time series, synapse lists, per-neuron values):
//! comma-separated, cells trimmed of spaces, lines starting with `#` skipped, rows of any
//! width (each reader checks its own), no header assumed (each reader decides whether the
//! first row is one). Rows come with their line numbers, for error messages. The number is
//! the csv crate's: the line where reading of the row began, so after skipped comment or
//! blank lines it names the first of them rather than the row itself.

use std::io::Read;

/// The rows of a CSV file, one at a time.
pub struct Rows<R: Read> {
    csv: csv::Reader<R>,
    record: csv::StringRecord,
}

/// A malformed row: its line and what is wrong.
#[derive(Debug)]
pub struct RowError {
    /// The line (1-based; 0 if unknown).
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

impl<R: Read> Rows<R> {
    /// Rows of `reader`.
    pub fn new(reader: R) -> Self {
        Rows {
            csv: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .trim(csv::Trim::All)
                .comment(Some(b'#'))
                .from_reader(reader),
            record: csv::StringRecord::new(),
        }
    }

    /// The next row and its line, `None` at the end of the file.
    pub fn next_row(&mut self) -> Option<Result<(u64, &csv::StringRecord), RowError>> {
        match self.csv.read_record(&mut self.record) {
            Ok(true) => {
                let line = self.record.position().map_or(0, |position| position.line());
                Some(Ok((line, &self.record)))
            }
            Ok(false) => None,
            Err(error) => Some(Err(RowError {
                line: error.position().map_or(0, |position| position.line()),
                message: error.to_string(),
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_trimmed_and_numbered_and_comments_skipped() {
        let text = " a , b\n1,2, 3\n# a comment\n4\n";
        let mut rows = Rows::new(text.as_bytes());
        let mut seen = Vec::new();
        while let Some(row) = rows.next_row() {
            let (line, record) = row.unwrap();
            seen.push((line, record.iter().map(str::to_string).collect::<Vec<_>>()));
        }
        assert_eq!(seen[0], (1, vec!["a".to_string(), "b".to_string()]));
        assert_eq!(
            seen[1],
            (2, vec!["1".to_string(), "2".to_string(), "3".to_string()])
        );
        assert_eq!(seen[2].1, ["4"]);
        assert_eq!(seen.len(), 3);
    }
}
