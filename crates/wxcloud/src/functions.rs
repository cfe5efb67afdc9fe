//! Cloud functions (`/tcb/invokecloudfunction`) and temporary Tencent Cloud credentials
//! (`/tcb/getqcloudtoken`).
//!
//! Choices where the API reference is silent:
//!
//! - The event goes in the body as JSON; `env` and `name` go in the URL with the token (the
//!   client's env, never ignored). An event that serializes to `null` (`()`, `None`,
//!   `Value::Null`) is sent as `{}`: an empty body is refused by the service (44002).
//! - A function name is 1 to 60 letters, digits, `-` or `_`, starting with a letter (Tencent
//!   SCF's rule); an event over [`MAX_EVENT_BYTES`] (SCF's 6 MB limit for a synchronous event)
//!   is refused before anything is sent.
//! - Invoking is a write: it is never repeated once the service may have received it.
//! - An empty `resp_data` (a function that returned nothing) decodes as `null`.

use std::fmt;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::client::{Client, Op};
use crate::transport::Body;
use crate::{Error, Result};

/// The largest event [`Client::invoke_function`] sends, in bytes of JSON: Tencent SCF's limit
/// for a synchronously invoked function's event (6 MB).
pub const MAX_EVENT_BYTES: usize = 6 * 1024 * 1024;

/// The longest function name Tencent SCF accepts.
const MAX_NAME_CHARS: usize = 60;

#[derive(Deserialize)]
struct InvokeReply {
    #[serde(default)]
    resp_data: String,
}

/// Temporary Tencent Cloud credentials from [`Client::qcloud_token`], for calling Tencent Cloud
/// APIs (COS, SCF ...) directly. Its `Debug` hides the secret key and the token.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct QcloudToken {
    /// The temporary SecretId.
    #[serde(rename = "secretid", default)]
    pub secret_id: String,
    /// The temporary SecretKey. A secret: never log it.
    #[serde(rename = "secretkey", default)]
    pub secret_key: String,
    /// The session token that goes with the key. A secret: never log it.
    #[serde(default)]
    pub token: String,
    /// When the credentials expire, in seconds since the Unix epoch.
    #[serde(default)]
    pub expired_time: u64,
}

impl fmt::Debug for QcloudToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QcloudToken")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"** redacted **")
            .field("token", &"** redacted **")
            .field("expired_time", &self.expired_time)
            .finish()
    }
}

/// Refuses a function name SCF would not accept.
fn check_name(name: &str) -> Result<()> {
    let ok = name.chars().count() <= MAX_NAME_CHARS
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "function name {name:?} is not 1 to {MAX_NAME_CHARS} letters, digits, '-' or '_' starting with a letter"
        )))
    }
}

/// The event as the JSON text to send: `{}` for no event, refused when over the limit.
fn event_text(event: &(impl Serialize + ?Sized)) -> Result<Vec<u8>> {
    let value = serde_json::to_value(event).map_err(|e| {
        Error::invalid_argument(format!("the event cannot be written as JSON: {e}"))
    })?;
    let value = if value.is_null() { json!({}) } else { value };
    let text = serde_json::to_vec(&value).map_err(|e| {
        Error::invalid_argument(format!("the event cannot be written as JSON: {e}"))
    })?;
    if text.len() > MAX_EVENT_BYTES {
        return Err(Error::invalid_argument(format!(
            "the event is {} bytes of JSON, over the {MAX_EVENT_BYTES} byte limit of a cloud function's event",
            text.len()
        )));
    }
    Ok(text)
}

impl Client {
    /// Invokes cloud function `name` with `event` and returns the function's return value,
    /// decoded from the reply's `resp_data` JSON text. Pass `()` for no event.
    ///
    /// Never repeated once the service may have received it. The name and the event's size
    /// are checked before anything is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: wxcloud::Client) -> wxcloud::Result<()> {
    /// let sum = client
    ///     .invoke_function("add", &serde_json::json!({ "a": 1, "b": 2 }))
    ///     .await?;
    /// let login = client.invoke_function("login", &()).await?;
    /// println!("{sum} {}", login["userInfo"]["appId"]);
    /// # Ok(()) }
    /// ```
    pub async fn invoke_function(
        &self,
        name: &str,
        event: &(impl Serialize + Sync + ?Sized),
    ) -> Result<serde_json::Value> {
        self.invoke_function_as(name, event).await
    }

    /// Invokes cloud function `name` and decodes its return value into `T`.
    ///
    /// ```no_run
    /// # async fn demo(client: wxcloud::Client) -> wxcloud::Result<()> {
    /// #[derive(serde::Deserialize)]
    /// struct Sum {
    ///     sum: i64,
    /// }
    /// let reply: Sum = client
    ///     .invoke_function_as("add", &serde_json::json!({ "a": 1, "b": 2 }))
    ///     .await?;
    /// assert_eq!(reply.sum, 3);
    /// # Ok(()) }
    /// ```
    pub async fn invoke_function_as<T: DeserializeOwned>(
        &self,
        name: &str,
        event: &(impl Serialize + Sync + ?Sized),
    ) -> Result<T> {
        let text = self.invoke_function_raw(name, event).await?;
        let text = if text.trim().is_empty() {
            "null"
        } else {
            text.as_str()
        };
        serde_json::from_str(text).map_err(|e| {
            Error::decode(format!(
                "the return value of function {name:?} does not decode: {e}"
            ))
        })
    }

    /// Invokes cloud function `name` and returns its `resp_data` text untouched (the return
    /// value as JSON text).
    pub async fn invoke_function_raw(
        &self,
        name: &str,
        event: &(impl Serialize + Sync + ?Sized),
    ) -> Result<String> {
        check_name(name)?;
        let text = event_text(event)?;
        let env = self.require_env()?;
        let query = [("env", env), ("name", name)];
        let reply: InvokeReply = self
            .call_with(Op::InvokeFunction, &query, Body::JsonText(&text))
            .await?;
        Ok(reply.resp_data)
    }

    /// Temporary Tencent Cloud credentials valid for `lifespan` (`getqcloudtoken`).
    ///
    /// ```no_run
    /// # async fn demo(client: wxcloud::Client) -> wxcloud::Result<()> {
    /// let creds = client.qcloud_token(std::time::Duration::from_secs(7200)).await?;
    /// println!("{creds:?}"); // the key and token print as "** redacted **"
    /// # Ok(()) }
    /// ```
    pub async fn qcloud_token(&self, lifespan: Duration) -> Result<QcloudToken> {
        let lifespan = lifespan.as_secs();
        if lifespan == 0 {
            return Err(Error::invalid_argument(
                "lifespan must be at least one second",
            ));
        }
        self.call(Op::QcloudToken, &json!({ "lifespan": lifespan }))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn names_scf_accepts() {
        for good in ["login", "a", "add-1", "get_user", &"f".repeat(60)] {
            check_name(good).unwrap();
        }
        for bad in ["", "1abc", "-x", "a b", "a/b", "名字", &"f".repeat(61)] {
            assert_eq!(
                check_name(bad).unwrap_err().kind(),
                ErrorKind::InvalidRequest,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn no_event_is_an_empty_object_and_a_huge_one_is_refused() {
        assert_eq!(event_text(&()).unwrap(), b"{}");
        assert_eq!(event_text(&serde_json::Value::Null).unwrap(), b"{}");
        assert_eq!(
            event_text(&json!({"a": [1, 2]})).unwrap(),
            br#"{"a":[1,2]}"#
        );
        let big = "x".repeat(MAX_EVENT_BYTES);
        let err = event_text(&json!({ "blob": big })).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest);
        assert!(err.to_string().contains("byte limit"));
        let not_json = std::collections::HashMap::from([((1, 2), 3)]);
        assert_eq!(
            event_text(&not_json).unwrap_err().kind(),
            ErrorKind::InvalidRequest
        );
    }

    #[test]
    fn qcloud_token_debug_hides_the_secret() {
        let token: QcloudToken = serde_json::from_str(
            r#"{"secretid":"AKIDpublic","secretkey":"sk-s3cr3t","token":"tk-s3cr3t","expired_time":1700000000}"#,
        )
        .unwrap();
        assert_eq!(token.secret_key, "sk-s3cr3t");
        let text = format!("{token:?}");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(text.contains("AKIDpublic"));
    }
}
