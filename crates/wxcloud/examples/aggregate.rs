//! Runs an aggregation and prints each record as one line of relaxed Extended JSON.
//!
//! Configured by `WXCLOUD_APPID`, `WXCLOUD_SECRET`, `WXCLOUD_ENV` (and optionally
//! `WXCLOUD_BASE_URL`, `WXCLOUD_ACCESS_TOKEN`):
//!
//! ```sh
//! cargo run -p wxcloud --example aggregate -- 'db.collection("test_collection").aggregate().match({tags:"cloud"}).limit(10).end()'
//! ```

use std::process::ExitCode;

const SEED_STATEMENT: &str =
    r#"db.collection("test_collection").aggregate().match({tags:"cloud"}).limit(10).end()"#;

#[tokio::main]
async fn main() -> ExitCode {
    let statement = std::env::args()
        .nth(1)
        .unwrap_or_else(|| SEED_STATEMENT.to_string());
    match run(&statement).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            if let Some(hint) = err.hint() {
                eprintln!("hint: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(statement: &str) -> wxcloud::Result<()> {
    let client = wxcloud::Client::from_env()?;
    for record in client.aggregate(statement).await? {
        println!(
            "{}",
            wxcloud::ejson::to_relaxed_string(&wxcloud::Value::Document(record))
        );
    }
    Ok(())
}
