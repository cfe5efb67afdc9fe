//! A simple aligned table for terminals: one column per top-level field, in first-seen order.
//! Widths are measured in terminal columns, so wide (CJK) characters line up.

use serde_json::Value as Json;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The widest a column gets (in terminal columns) before its cells are cut short with `…`.
const MAX_WIDTH: usize = 40;

/// Renders rows (JSON objects; anything else is shown in a `value` column) as an aligned
/// table with a header and a rule, each line ending in `\n`. Returns an empty string for no rows.
pub fn render(rows: &[Json]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut columns: Vec<String> = Vec::new();
    for row in rows {
        match row {
            Json::Object(map) => {
                for key in map.keys() {
                    if !columns.iter().any(|c| c == key) {
                        columns.push(key.clone());
                    }
                }
            }
            _ if !columns.iter().any(|c| c == "value") => columns.push("value".to_owned()),
            _ => {}
        }
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|col| match row {
                    Json::Object(map) => map.get(col).map(cell).unwrap_or_default(),
                    other if col == "value" => cell(other),
                    _ => String::new(),
                })
                .map(|c| clip(&c))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, col)| {
            cells
                .iter()
                .map(|r| r[i].width())
                .chain([clip(col).width()])
                .max()
                .unwrap_or(0)
        })
        .collect();

    let mut out = String::new();
    let header: Vec<String> = columns.iter().map(|c| clip(c)).collect();
    push_line(&mut out, &header, &widths);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    push_line(&mut out, &rule, &widths);
    for row in &cells {
        push_line(&mut out, row, &widths);
    }
    out
}

fn push_line(out: &mut String, cells: &[String], widths: &[usize]) {
    let mut line = String::new();
    for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        line.push_str(c);
        line.extend(std::iter::repeat_n(' ', w.saturating_sub(c.width())));
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// How one value reads in a cell: strings bare, special types by their text
/// (`{"$date": "..."}` as the date), anything nested as compact JSON.
fn cell(v: &Json) -> String {
    let text = match v {
        Json::String(s) => s.clone(),
        Json::Object(map) if map.len() == 1 => match map.iter().next() {
            Some((k, Json::String(s))) if k.starts_with('$') => s.clone(),
            _ => v.to_string(),
        },
        other => other.to_string(),
    };
    text.replace(['\n', '\r', '\t'], " ")
}

fn clip(s: &str) -> String {
    if s.width() <= MAX_WIDTH {
        return s.to_owned();
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > MAX_WIDTH - 1 {
            break;
        }
        used += w;
        cut.push(c);
    }
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn columns_are_aligned_and_follow_first_seen_key_order() {
        let rows = vec![
            json!({"_id": "a", "n": 1}),
            json!({"_id": "bbbb", "tags": ["x"]}),
        ];
        let got = render(&rows);
        assert_eq!(
            got,
            "_id   n  tags\n\
             ----  -  -----\n\
             a     1\n\
             bbbb     [\"x\"]\n"
        );
    }

    #[test]
    fn long_cells_are_cut_and_special_types_show_their_text() {
        let long = "x".repeat(100);
        let rows = vec![json!({"s": long, "d": {"$date": "2019-09-09T00:00:00Z"}})];
        let got = render(&rows);
        let last = got.lines().last().unwrap();
        assert!(last.contains('…'));
        assert!(last.ends_with("2019-09-09T00:00:00Z"), "{last}");
    }

    #[test]
    fn wide_characters_count_as_two_columns() {
        let rows = vec![json!({"a": "雲雲", "b": 1}), json!({"a": "abcd", "b": 2})];
        let got = render(&rows);
        let lines: Vec<&str> = got.lines().collect();
        assert_eq!(lines[2], "雲雲  1");
        assert_eq!(lines[3], "abcd  2");
        let long = render(&[json!({"a": "雲".repeat(30)})]);
        let cell = long.lines().last().unwrap();
        assert!(cell.width() <= MAX_WIDTH && cell.ends_with('…'), "{cell}");
    }

    #[test]
    fn no_rows_render_nothing() {
        assert_eq!(render(&[]), "");
    }
}
