//! The emulator's stand-in for COS, the object store behind Cloud Base storage: bucket names and
//! file IDs, the upload credentials `uploadfile` hands out, and signed download URLs.
//!
//! Every credential is an HMAC-SHA256 under a key drawn at start, so nothing is stored per
//! grant and nothing can be forged; a restart invalidates outstanding upload grants and
//! download URLs (the files stay).
//!
//! - Bucket of env `E`: `<hex of E's first two bytes>-E-<10 digits>`, like the real
//!   `7465-test2-4a89da-1258717456`; file ID `cloud://E.<bucket>/<path>`.
//! - Upload: `authorization` is a COS-style `q-sign-algorithm=...&q-signature=...` string
//!   signing (bucket, key, validity); `token` signs (env, expiry); `cos_file_id` signs (bucket,
//!   key). They are valid for [`UPLOAD_GRANT_SECONDS`].
//! - Download: `<origin>/cos/<bucket>/<path>?sign=<hmac>&t=<expiry, unix seconds>`.

use aws_lc_rs::hmac;
use rand::RngCore;

/// How long an upload grant (authorization and token) stays valid.
pub const UPLOAD_GRANT_SECONDS: i64 = 900;

/// Why COS refuses a request: an HTTP status with COS's error code and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosError {
    /// The HTTP status.
    pub status: u16,
    /// COS's `<Code>`.
    pub code: &'static str,
    /// COS's `<Message>`.
    pub message: String,
}

impl CosError {
    /// An error with this status, code and message.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        CosError {
            status,
            code,
            message: message.into(),
        }
    }

    fn expired() -> Self {
        Self::new(403, "AccessDenied", "Request has expired")
    }

    fn bad_signature() -> Self {
        Self::new(
            403,
            "SignatureDoesNotMatch",
            "The Signature you specified is invalid.",
        )
    }
}

/// What `uploadfile` hands out for one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The form's `Signature`.
    pub authorization: String,
    /// The form's `x-cos-security-token`.
    pub token: String,
    /// The form's `x-cos-meta-fileid`.
    pub cos_file_id: String,
}

/// The signing key and the naming rules.
pub struct Cos {
    key: hmac::Key,
}

impl Default for Cos {
    fn default() -> Self {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        Cos {
            key: hmac::Key::new(hmac::HMAC_SHA256, &secret),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// FNV-1a, for a stable per-env bucket number.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The bucket holding env `env`'s files.
pub fn bucket(env: &str) -> String {
    let prefix = hex(&env.as_bytes()[..env.len().min(2)]);
    format!("{prefix}-{env}-{}", 1_250_000_000 + fnv(env) % 10_000_000)
}

/// The file ID of `path` in `env`.
pub fn file_id(env: &str, path: &str) -> String {
    format!("cloud://{env}.{}/{path}", bucket(env))
}

/// The path a file ID names in `env`, or `None` if it is not a file ID of that env.
pub fn path_of(env: &str, file_id: &str) -> Option<String> {
    let rest = file_id.strip_prefix("cloud://")?;
    let (host, path) = rest.split_once('/')?;
    (host == format!("{env}.{}", bucket(env)) && !path.is_empty()).then(|| path.to_owned())
}

/// `path` percent-encoded for a URL, keeping `/`.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A parameter of a COS authorization string (`q-sign-time=...`).
fn auth_param<'a>(authorization: &'a str, name: &str) -> Option<&'a str> {
    authorization
        .split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

impl Cos {
    fn sign(&self, parts: &[&str]) -> String {
        hex(hmac::sign(&self.key, parts.join("\n").as_bytes()).as_ref())
    }

    fn verify(&self, parts: &[&str], signature: &str) -> bool {
        let Some(bytes) = unhex(signature) else {
            return false;
        };
        hmac::verify(&self.key, parts.join("\n").as_bytes(), &bytes).is_ok()
    }

    /// The upload credentials for `path` in `env`, valid from `now_s`.
    pub fn grant(&self, env: &str, path: &str, now_s: i64) -> Grant {
        let bucket = bucket(env);
        let end = now_s + UPLOAD_GRANT_SECONDS;
        let time = format!("{now_s};{end}");
        let signature = self.sign(&["upload", &bucket, path, &time]);
        let end_text = end.to_string();
        Grant {
            authorization: format!(
                "q-sign-algorithm=sha256&q-ak=AKIDwxcloudemulator&q-sign-time={time}&q-key-time={time}&q-header-list=&q-url-param-list=&q-signature={signature}"
            ),
            token: format!("{}{end}", self.sign(&["token", env, &end_text])),
            cos_file_id: self.cos_file_id(&bucket, path),
        }
    }

    /// The `x-cos-meta-fileid` that makes `key` of `bucket` downloadable.
    pub fn cos_file_id(&self, bucket: &str, key: &str) -> String {
        self.sign(&["fileid", bucket, key])
    }

    /// Checks an upload form's `Signature` and `x-cos-security-token` for `key` of `env`.
    pub fn check_upload(
        &self,
        env: &str,
        key: &str,
        signature: Option<&str>,
        token: Option<&str>,
        now_s: i64,
    ) -> Result<(), CosError> {
        let signature = signature
            .filter(|s| !s.is_empty())
            .ok_or_else(|| CosError::new(403, "AccessDenied", "Access Denied."))?;
        let token = token.filter(|t| !t.is_empty()).ok_or_else(|| {
            CosError::new(
                403,
                "AccessDenied",
                "the x-cos-security-token field is missing",
            )
        })?;
        // The token is 64 hex digits of signature followed by its expiry.
        let (token_sig, token_end) = token.split_at(token.len().min(64));
        if !self.verify(&["token", env, token_end], token_sig) {
            return Err(CosError::new(
                400,
                "InvalidToken",
                "The provided token is malformed or otherwise invalid.",
            ));
        }
        if expired(token_end, now_s) {
            return Err(CosError::new(
                400,
                "ExpiredToken",
                "The provided token has expired.",
            ));
        }
        let time = auth_param(signature, "q-sign-time").ok_or_else(CosError::bad_signature)?;
        let sig = auth_param(signature, "q-signature").ok_or_else(CosError::bad_signature)?;
        if !self.verify(&["upload", &bucket(env), key, time], sig) {
            return Err(CosError::bad_signature());
        }
        if expired(time.split_once(';').map_or("", |(_, end)| end), now_s) {
            return Err(CosError::expired());
        }
        Ok(())
    }

    /// The signed download URL of `path` in `env`, valid until `expires_s`.
    pub fn download_url(&self, origin: &str, env: &str, path: &str, expires_s: i64) -> String {
        let bucket = bucket(env);
        let t = expires_s.to_string();
        let sign = self.sign(&["get", &bucket, path, &t]);
        format!(
            "{origin}/cos/{bucket}/{}?sign={sign}&t={t}",
            encode_path(path)
        )
    }

    /// Checks a download URL's `sign` and `t`.
    pub fn check_download(
        &self,
        bucket: &str,
        path: &str,
        sign: Option<&str>,
        t: Option<&str>,
        now_s: i64,
    ) -> Result<(), CosError> {
        let (Some(sign), Some(t)) = (sign, t) else {
            return Err(CosError::new(403, "AccessDenied", "Access Denied."));
        };
        if !self.verify(&["get", bucket, path, t], sign) {
            return Err(CosError::bad_signature());
        }
        if expired(t, now_s) {
            return Err(CosError::expired());
        }
        Ok(())
    }
}

/// Whether an expiry (Unix seconds, as text) has passed; an unreadable one has.
fn expired(end: &str, now_s: i64) -> bool {
    end.parse::<i64>().map_or(true, |end| now_s > end)
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_ids_have_the_real_shape_and_parse_back() {
        let b = bucket("test2-4a89da");
        assert!(b.starts_with("7465-test2-4a89da-1"), "{b}");
        assert_eq!(b.len(), "7465-test2-4a89da-1258717456".len());
        let id = file_id("test2-4a89da", "img/a.png");
        assert_eq!(id, format!("cloud://test2-4a89da.{b}/img/a.png"));
        assert_eq!(path_of("test2-4a89da", &id).as_deref(), Some("img/a.png"));
        assert_eq!(path_of("local", &id), None);
        assert_eq!(path_of("test2-4a89da", "img/a.png"), None);
    }

    #[test]
    fn a_grant_checks_for_its_own_key_only_and_until_it_expires() {
        let cos = Cos::default();
        let g = cos.grant("e", "a/b.txt", 1000);
        let ok = |key: &str, now| {
            cos.check_upload("e", key, Some(&g.authorization), Some(&g.token), now)
        };
        assert_eq!(ok("a/b.txt", 1000), Ok(()));
        assert_eq!(
            ok("a/c.txt", 1000).unwrap_err().code,
            "SignatureDoesNotMatch"
        );
        assert_eq!(
            ok("a/b.txt", 1000 + UPLOAD_GRANT_SECONDS + 1)
                .unwrap_err()
                .code,
            "ExpiredToken"
        );
        let other = Cos::default();
        let forged = other.grant("e", "a/b.txt", 1000);
        let wrong_token = cos.check_upload(
            "e",
            "a/b.txt",
            Some(&g.authorization),
            Some(&forged.token),
            1000,
        );
        assert_eq!(wrong_token.unwrap_err().code, "InvalidToken");
    }

    #[test]
    fn paths_are_percent_encoded_except_slashes() {
        assert_eq!(encode_path("a b/c%.png"), "a%20b/c%25.png");
        assert_eq!(encode_path("图"), "%E5%9B%BE");
    }
}
