//! Option objects read from JavaScript: the client's configuration, index changes and
//! migration options. Unknown keys are refused, so a typo (`base_url`) is an error, not a
//! silently ignored setting.

use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue};
use napi::{Result, ValueType, sys};
use wxcloud::{
    ClientBuilder, ConflictMode, FileType, ImportOptions, IndexDirection, IndexSpec, TokenMode,
};

use crate::args::{Bad, Read, ReadJs, misconfigured};
use crate::errors::throwable;
use crate::raw::{Js, JsValue};
use crate::token::{self, ProviderFn};

/// The keys of an options object, refusing any not in `allowed`; `None` for undefined/null.
fn keys_of(js: Js, v: JsValue, what: &str, allowed: &[&str]) -> Read<Option<Vec<String>>> {
    match js.type_of(v)? {
        sys::ValueType::napi_undefined | sys::ValueType::napi_null => return Ok(None),
        sys::ValueType::napi_object if !js.is_array(v)? => {}
        _ => return Err(misconfigured(format!("{what}: expected an object"))),
    }
    let keys = js.own_keys(v)?;
    let mut out = Vec::new();
    for i in 0..js.array_len(keys)? {
        let key = js.get_string(js.element(keys, i)?)?;
        if !allowed.contains(&key.as_str()) {
            return Err(misconfigured(format!(
                "{what}: unknown option {key:?} (known: {})",
                allowed.join(", ")
            )));
        }
        out.push(key);
    }
    Ok(Some(out))
}

/// The property `key`, unless missing, `undefined` or `null`.
fn field(js: Js, object: JsValue, key: &str) -> Read<Option<JsValue>> {
    let v = js.get_named(object, key)?;
    Ok(match js.type_of(v)? {
        sys::ValueType::napi_undefined | sys::ValueType::napi_null => None,
        _ => Some(v),
    })
}

fn string_field(js: Js, object: JsValue, key: &str) -> Read<Option<String>> {
    match field(js, object, key)? {
        Some(v) if js.type_of(v)? == sys::ValueType::napi_string => Ok(Some(js.get_string(v)?)),
        Some(_) => Err(misconfigured(format!("{key}: expected a string"))),
        None => Ok(None),
    }
}

fn number_field(js: Js, object: JsValue, key: &str) -> Read<Option<f64>> {
    match field(js, object, key)? {
        Some(v) if js.type_of(v)? == sys::ValueType::napi_number => Ok(Some(js.get_f64(v)?)),
        Some(_) => Err(misconfigured(format!("{key}: expected a number"))),
        None => Ok(None),
    }
}

fn bool_field(js: Js, object: JsValue, key: &str) -> Read<Option<bool>> {
    match field(js, object, key)? {
        Some(v) if js.type_of(v)? == sys::ValueType::napi_boolean => Ok(Some(js.get_bool(v)?)),
        Some(_) => Err(misconfigured(format!("{key}: expected a boolean"))),
        None => Ok(None),
    }
}

const CLIENT_KEYS: &[&str] = &[
    "appid",
    "secret",
    "env",
    "baseUrl",
    "accessToken",
    "tokenProvider",
    "tokenMode",
    "timeoutMs",
    "maxRetries",
    "redisUrl",
    "redisCaFile",
    "redisKeyPrefix",
    "raw",
];

/// `redisUrl`: one URL (a server, Sentinel, or comma-separated cluster nodes), or an array of
/// cluster node URLs.
enum RedisUrl {
    One(String),
    Cluster(Vec<String>),
}

/// `new Client(options)`: what is set overrides the `WXCLOUD_*` environment defaults.
#[derive(Default)]
pub struct ClientOptions {
    appid: Option<String>,
    secret: Option<String>,
    env: Option<String>,
    base_url: Option<String>,
    access_token: Option<String>,
    token_provider: Option<Arc<ProviderFn>>,
    token_mode: Option<TokenMode>,
    timeout: Option<Duration>,
    max_retries: Option<u32>,
    redis_url: Option<RedisUrl>,
    redis_ca_file: Option<String>,
    redis_key_prefix: Option<String>,
    /// Return records as strings.
    pub raw: bool,
}

impl ClientOptions {
    /// Applies the options to a builder.
    pub(crate) fn apply(self, mut b: ClientBuilder) -> ClientBuilder {
        if let Some(v) = self.appid {
            b = b.appid(v);
        }
        if let Some(v) = self.secret {
            b = b.secret(v);
        }
        if let Some(v) = self.env {
            b = b.env(v);
        }
        if let Some(v) = self.base_url {
            b = b.base_url(v);
        }
        if let Some(v) = self.access_token {
            b = b.access_token(v);
        }
        if let Some(provider) = self.token_provider {
            b = b.token_provider(move || {
                let provider = provider.clone();
                async move { token::fetch(&provider).await }
            });
        }
        if let Some(v) = self.token_mode {
            b = b.token_mode(v);
        }
        if let Some(v) = self.timeout {
            b = b.timeout(v);
        }
        if let Some(v) = self.max_retries {
            b = b.max_retries(v);
        }
        match self.redis_url {
            Some(RedisUrl::One(url)) => b = b.redis_url(url),
            Some(RedisUrl::Cluster(nodes)) => b = b.redis_cluster(nodes),
            None => {}
        }
        if let Some(v) = self.redis_ca_file {
            b = b.redis_ca_file(v);
        }
        if let Some(v) = self.redis_key_prefix {
            b = b.redis_key_prefix(v);
        }
        b
    }
}

impl TypeName for ClientOptions {
    fn type_name() -> &'static str {
        "ClientOptions"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ValidateNapiValue for ClientOptions {}

impl FromNapiValue for ClientOptions {
    /// Configuration mistakes throw from the constructor (there is no Promise to reject).
    unsafe fn from_napi_value(env: sys::napi_env, v: sys::napi_value) -> Result<Self> {
        let js = Js(env);
        ClientOptions::read(js, v).map_err(|bad| match bad {
            Bad::Input(e) => throwable(js, &e),
            Bad::Napi(e) => e,
        })
    }
}

impl ClientOptions {
    fn read(js: Js, v: JsValue) -> Read<Self> {
        let env = js.0;
        let mut o = ClientOptions::default();
        if keys_of(js, v, "options", CLIENT_KEYS)?.is_none() {
            return Ok(o);
        }
        o.appid = string_field(js, v, "appid")?;
        o.secret = string_field(js, v, "secret")?;
        o.env = string_field(js, v, "env")?;
        o.base_url = string_field(js, v, "baseUrl")?;
        o.access_token = string_field(js, v, "accessToken")?;
        if let Some(f) = field(js, v, "tokenProvider")? {
            if js.type_of(f)? != sys::ValueType::napi_function {
                return Err(misconfigured("tokenProvider: expected a function".into()));
            }
            // SAFETY: `f` is a live function handle on this env.
            o.token_provider = Some(Arc::new(unsafe { ProviderFn::from_napi_value(env, f)? }));
        }
        if let Some(mode) = string_field(js, v, "tokenMode")? {
            o.token_mode = Some(mode.parse().map_err(Bad::Input)?);
        }
        if let Some(ms) = number_field(js, v, "timeoutMs")? {
            if !(ms.is_finite() && ms > 0.0) {
                return Err(misconfigured(
                    "timeoutMs: expected a positive number of milliseconds".into(),
                ));
            }
            o.timeout = Some(Duration::from_secs_f64(ms / 1000.0));
        }
        if let Some(n) = number_field(js, v, "maxRetries")? {
            if !(n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX)) {
                return Err(misconfigured(
                    "maxRetries: expected a non-negative integer".into(),
                ));
            }
            o.max_retries = Some(n as u32);
        }
        o.redis_url = match field(js, v, "redisUrl")? {
            Some(urls) if js.is_array(urls)? => Some(RedisUrl::Cluster(
                elements(js, urls, "redisUrl")?
                    .into_iter()
                    .map(|url| match js.type_of(url)? {
                        sys::ValueType::napi_string => Ok(js.get_string(url)?),
                        _ => Err(misconfigured(
                            "redisUrl: expected a string or an array of strings".into(),
                        )),
                    })
                    .collect::<Read<Vec<String>>>()?,
            )),
            Some(_) => Some(RedisUrl::One(
                string_field(js, v, "redisUrl")
                    .map_err(|_| {
                        misconfigured("redisUrl: expected a string or an array of strings".into())
                    })?
                    .unwrap_or_default(),
            )),
            None => None,
        };
        o.redis_ca_file = string_field(js, v, "redisCaFile")?;
        o.redis_key_prefix = string_field(js, v, "redisKeyPrefix")?;
        o.raw = bool_field(js, v, "raw")?.unwrap_or(false);
        Ok(o)
    }
}

/// `updateIndex(collection, {create: [{name, unique, keys: [{name, direction}]}], drop: [name]})`.
pub struct IndexChanges {
    /// Indexes to create.
    pub create: Vec<IndexSpec>,
    /// Index names to drop.
    pub drop: Vec<String>,
}

impl ReadJs for IndexChanges {
    const TS: &'static str = "IndexChanges";

    fn read(js: Js, v: JsValue) -> Read<Self> {
        let mut changes = IndexChanges {
            create: Vec::new(),
            drop: Vec::new(),
        };
        if keys_of(js, v, "index changes", &["create", "drop"])?.is_none() {
            return Ok(changes);
        }
        if let Some(list) = field(js, v, "create")? {
            for spec in elements(js, list, "create")? {
                keys_of(js, spec, "index", &["name", "unique", "keys"])?;
                let name = string_field(js, spec, "name")?
                    .ok_or_else(|| misconfigured("index: name is required".into()))?;
                let mut index =
                    IndexSpec::new(name).unique(bool_field(js, spec, "unique")?.unwrap_or(false));
                let keys = field(js, spec, "keys")?
                    .ok_or_else(|| misconfigured("index: keys are required".into()))?;
                for key in elements(js, keys, "keys")? {
                    let name = string_field(js, key, "name")?
                        .ok_or_else(|| misconfigured("index key: name is required".into()))?;
                    index = index.key(name, direction(js, key)?);
                }
                changes.create.push(index);
            }
        }
        if let Some(list) = field(js, v, "drop")? {
            for name in elements(js, list, "drop")? {
                if js.type_of(name)? != sys::ValueType::napi_string {
                    return Err(misconfigured("drop: expected index names".into()));
                }
                changes.drop.push(js.get_string(name)?);
            }
        }
        Ok(changes)
    }
}

fn elements(js: Js, v: JsValue, what: &str) -> Read<Vec<JsValue>> {
    if !js.is_array(v)? {
        return Err(misconfigured(format!("{what}: expected an array")));
    }
    Ok((0..js.array_len(v)?)
        .map(|i| js.element(v, i))
        .collect::<Result<Vec<_>>>()?)
}

fn direction(js: Js, key: JsValue) -> Read<IndexDirection> {
    let d = field(js, key, "direction")?
        .ok_or_else(|| misconfigured("index key: direction is required".into()))?;
    let text = match js.type_of(d)? {
        sys::ValueType::napi_number => js.get_f64(d)?.to_string(),
        _ => js.to_display(d)?,
    };
    text.parse::<IndexDirection>().map_err(|_| {
        misconfigured(format!(
            "index key: direction must be 1, -1 or '2dsphere', got {text:?}"
        ))
    })
}

/// Options of `migrateImport` / `migrateExport`: `{fileType, stopOnError, conflictMode}`.
#[derive(Default)]
pub struct MigrateOptions(pub ImportOptions);

impl ReadJs for MigrateOptions {
    const TS: &'static str = "ImportOptions";

    fn read(js: Js, v: JsValue) -> Read<Self> {
        let mut o = ImportOptions::default();
        if keys_of(
            js,
            v,
            "options",
            &["fileType", "stopOnError", "conflictMode"],
        )?
        .is_none()
        {
            return Ok(MigrateOptions(o));
        }
        o.file_type = match string_field(js, v, "fileType")?.as_deref() {
            None | Some("json") => FileType::Json,
            Some("csv") => FileType::Csv,
            Some(other) => {
                return Err(misconfigured(format!(
                    "fileType: 'json' or 'csv', got {other:?}"
                )));
            }
        };
        o.stop_on_error = bool_field(js, v, "stopOnError")?.unwrap_or(false);
        o.conflict_mode = match string_field(js, v, "conflictMode")?.as_deref() {
            None | Some("insert") => ConflictMode::Insert,
            Some("upsert") => ConflictMode::Upsert,
            Some(other) => {
                return Err(misconfigured(format!(
                    "conflictMode: 'insert' or 'upsert', got {other:?}"
                )));
            }
        };
        Ok(MigrateOptions(o))
    }
}
