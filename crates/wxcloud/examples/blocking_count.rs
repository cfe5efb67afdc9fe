//! Counts records with the blocking client, in a program without an async runtime.
//!
//! ```sh
//! WXCLOUD_APPID=... WXCLOUD_SECRET=... WXCLOUD_ENV=... \
//!     cargo run -p wxcloud --example blocking_count -- test_collection
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let collection = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "test_collection".to_string());
    let result = wxcloud::ClientBuilder::from_env()
        .build_blocking()
        .and_then(|client| {
            // Collection names are user input: write them as a JSON string literal, never spliced raw.
            let name = serde_json::to_string(&collection).expect("a string always serialises");
            client.count(format!("db.collection({name}).count()"))
        });
    match result {
        Ok(n) => {
            println!("{n}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
