//! The shared statement vectors (`tests/vectors/statements.json`): each case's input, written
//! through the public builders and free functions, gives exactly the expected text or an error
//! of kind `Statement` containing the expected substring.

mod statement_support;

use statement_support::{build, vectors};
use wxcloud::ErrorKind;

#[test]
fn every_vector_gives_its_statement_or_its_error() {
    let bless = std::env::var_os("STATEMENT_VECTORS_BLESS").is_some();
    let mut failures = Vec::new();
    let cases = vectors();
    assert!(
        cases.len() >= 90,
        "the vectors file lost cases: {}",
        cases.len()
    );
    for case in &cases {
        let (statement, text) = build(case);
        match (&case.expect, &case.error, text) {
            (Some(expect), None, Ok(text)) => {
                if &text != expect {
                    failures.push(format!(
                        "{}: expected\n  {expect}\ngot\n  {text}",
                        case.name
                    ));
                }
                // The AST printer and the builders agree.
                assert_eq!(
                    statement.to_text().ok().as_deref(),
                    Some(text.as_str()),
                    "{}",
                    case.name
                );
            }
            (None, Some(substring), Err(err)) => {
                assert_eq!(err.kind(), ErrorKind::Statement, "{}: {err}", case.name);
                if !err.to_string().contains(substring.as_str()) {
                    failures.push(format!("{}: error {err:?} lacks {substring:?}", case.name));
                }
            }
            (None, None, Ok(text)) if bless => println!("BLESS {}\t{}", case.name, text),
            (_, _, result) => failures.push(format!("{}: unexpected {result:?}", case.name)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
