//! Printing results: one JSON document per line (default), `--pretty`, `--table`, `--raw`.
//!
//! Records are printed in relaxed Extended JSON: numbers as plain JSON numbers (a double
//! keeps its fraction, `113.0`), dates and other special types as `{"$date": ...}` and the like.
//! Results of writes and counts are one JSON object.

use std::io::{self, Write};

use serde_json::Value as Json;
use wxcloud::{Document, Value, ejson};

use crate::cli::OutputArgs;
use crate::failure::Failure;
use crate::table;

/// The chosen output form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One compact JSON document per line.
    Lines,
    /// Indented JSON documents.
    Pretty,
    /// An aligned table.
    Table,
    /// Records exactly as the service sent them.
    Raw,
}

impl Format {
    /// The format the output flags ask for.
    pub fn from_args(out: &OutputArgs) -> Format {
        if out.raw {
            Format::Raw
        } else if out.table {
            Format::Table
        } else if out.pretty {
            Format::Pretty
        } else {
            Format::Lines
        }
    }
}

/// Writes results to a stream in one [`Format`]. Tables are written by [`Printer::finish`],
/// once every row is known.
pub struct Printer<W: Write> {
    format: Format,
    out: W,
    rows: Vec<Json>,
}

impl<W: Write> Printer<W> {
    /// A printer writing to `out`.
    pub fn new(format: Format, out: W) -> Self {
        Printer {
            format,
            out,
            rows: Vec::new(),
        }
    }

    /// Prints decoded records.
    pub fn records(&mut self, docs: Vec<Document>) -> Result<(), Failure> {
        for doc in docs {
            let text = ejson::to_relaxed_string(&Value::Document(doc));
            match self.format {
                Format::Lines | Format::Raw => writeln!(self.out, "{text}").map_err(io_failure)?,
                _ => {
                    let json = serde_json::from_str(&text).map_err(|e| {
                        Failure::local(format!("cannot re-read a record for display: {e}"))
                    })?;
                    self.json(json)?;
                }
            }
        }
        Ok(())
    }

    /// Prints records as the service returned them: verbatim with `--raw`, else decoded.
    pub fn raw_records(&mut self, raw: &wxcloud::RecordTexts) -> Result<(), Failure> {
        if self.format == Format::Raw {
            for text in raw {
                writeln!(self.out, "{text}").map_err(io_failure)?;
            }
            return Ok(());
        }
        let docs = raw
            .iter()
            .map(ejson::decode_document)
            .collect::<Result<Vec<_>, _>>()?;
        self.records(docs)
    }

    /// Prints one JSON object (a write result, a count, a collection ...).
    pub fn json(&mut self, value: Json) -> Result<(), Failure> {
        match self.format {
            Format::Lines | Format::Raw => writeln!(self.out, "{value}").map_err(io_failure),
            Format::Pretty => {
                let text =
                    serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string());
                writeln!(self.out, "{text}").map_err(io_failure)
            }
            Format::Table => {
                self.rows.push(value);
                Ok(())
            }
        }
    }

    /// Writes any pending table and flushes.
    pub fn finish(mut self) -> Result<(), Failure> {
        if self.format == Format::Table {
            let text = table::render(&self.rows);
            self.out.write_all(text.as_bytes()).map_err(io_failure)?;
        }
        self.out.flush().map_err(io_failure)
    }
}

/// Writes one line to stdout and flushes it (statements printed by `--print-statement`).
pub fn print_line(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}").map_err(io_failure)?;
    out.flush().map_err(io_failure)
}

/// A failure writing output. A closed pipe (`wxcloud query c | head -1`) is reported as
/// [`Failure::Local`] with the message `broken pipe`, which `main` turns into a quiet exit.
pub fn io_failure(e: io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Failure::local(BROKEN_PIPE)
    } else {
        Failure::local(format!("cannot write output: {e}"))
    }
}

/// The message of the failure a closed stdout produces.
pub const BROKEN_PIPE: &str = "broken pipe";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Document {
        ejson::decode_document(
            r#"{"_id":"a","location":{"type":"Point","coordinates":[{"$numberDouble":"113.0"},{"$numberDouble":"23.0"}]},"n":{"$numberInt":"7"}}"#,
        )
        .unwrap()
    }

    fn printed(format: Format, f: impl FnOnce(&mut Printer<&mut Vec<u8>>)) -> String {
        let mut buf = Vec::new();
        let mut p = Printer::new(format, &mut buf);
        f(&mut p);
        p.finish().unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn records_print_one_per_line_with_doubles_as_numbers() {
        let got = printed(Format::Lines, |p| {
            p.records(vec![sample(), sample()]).unwrap()
        });
        let line = r#"{"_id":"a","location":{"type":"Point","coordinates":[113.0,23.0]},"n":7}"#;
        assert_eq!(got, format!("{line}\n{line}\n"));
    }

    #[test]
    fn raw_keeps_the_service_text_and_other_formats_decode_it() {
        let text = r#"{"x":{"$numberDouble":"1.5"}}"#;
        let raw: wxcloud::RecordTexts = [text].into_iter().collect();
        assert_eq!(
            printed(Format::Raw, |p| p.raw_records(&raw).unwrap()),
            format!("{text}\n")
        );
        assert_eq!(
            printed(Format::Lines, |p| p.raw_records(&raw).unwrap()),
            "{\"x\":1.5}\n"
        );
    }

    #[test]
    fn pretty_indents_and_table_aligns() {
        let got = printed(Format::Pretty, |p| p.json(json!({"deleted": 2})).unwrap());
        assert_eq!(got, "{\n  \"deleted\": 2\n}\n");
        let got = printed(Format::Table, |p| p.records(vec![sample()]).unwrap());
        assert_eq!(
            got.lines().next().unwrap(),
            "_id  location                                  n"
        );
    }
}
