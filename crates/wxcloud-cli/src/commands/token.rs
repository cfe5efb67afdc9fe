//! `wxcloud token`: where the access token comes from and when it expires — the token itself
//! only with `--show`.

use std::time::SystemTime;

use serde_json::json;
use wxcloud::{Value, ejson};

use super::Context;
use crate::failure::Failure;

/// Runs `token`: prints `{"source", "expires_at", "expires_in"}` (and `"access_token"` with `--show`).
pub async fn run(ctx: Context, show: bool) -> Result<(), Failure> {
    ctx.with_session(async |session, printer| {
        let info = session.client.token_info().await?;
        let mut obj = json!({ "source": info.source });
        if let Some(at) = info.expires_at {
            let ms = at
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0);
            obj["expires_at"] = serde_json::from_str(&ejson::to_relaxed_string(&Value::Date(ms)))
                .unwrap_or(serde_json::Value::Null);
            obj["expires_in"] = json!(
                at.duration_since(SystemTime::now())
                    .map(|d| d.as_secs())
                    .unwrap_or(0)
            );
        }
        if show {
            obj["access_token"] = json!(info.token.as_str());
        }
        printer.json(obj)
    })
    .await
}
