//! Starting an emulator in-process: [`Emulator::builder`] → [`EmulatorBuilder::start`] → [`RunningEmulator`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::faults::Fault;
use crate::functions::{FunctionHandler, Functions};
use crate::migrate::Jobs;
use crate::request_log::RequestLog;
use crate::server::{self, conn::CuttableListener};
use crate::state::{ComponentApp, Config, Shared, lock};
use crate::stats::Stats;
use crate::storage::Storage;
use crate::tokens::Tokens;

/// The default app id.
pub const DEFAULT_APPID: &str = "wxemulator";
/// The default app secret.
pub const DEFAULT_SECRET: &str = "emulator-secret";
/// The default environments; the first is the one [`RunningEmulator::env`] names.
pub const DEFAULT_ENVS: [&str; 2] = ["test2-4a89da", "local"];
/// The default token lifetime.
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(7200);
/// The default third-party platform: (component appid, secret, authorizer appid, refresh token).
pub const DEFAULT_COMPONENT: (&str, &str, &str, &str) = (
    "wxcomponent",
    "component-secret",
    "wxauthorizer",
    "authorizer-refresh-token",
);

/// Why an emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// The data file could not be opened or initialised.
    #[error("cannot open the emulator's data: {0}")]
    Storage(String),
    /// The configuration is unusable.
    #[error("invalid emulator configuration: {0}")]
    Config(String),
}

/// The local Cloud Base emulator. Start one with [`Emulator::builder`].
///
/// ```no_run
/// # async fn demo() -> Result<(), wxcloud_emulator::Error> {
/// let emulator = wxcloud_emulator::Emulator::builder().in_memory().seed_sample(true).start().await?;
/// println!("listening on {}", emulator.base_url());
/// emulator.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder with the defaults: 127.0.0.1, an OS-chosen port, in memory, app
    /// `wxemulator`/`emulator-secret`, envs `test2-4a89da` and `local`, tokens living 7200 s.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
}

/// Configures and starts an emulator.
#[derive(Clone)]
pub struct EmulatorBuilder {
    host: String,
    port: u16,
    data_path: Option<PathBuf>,
    apps: Vec<(String, String)>,
    envs: Vec<String>,
    components: Vec<ComponentApp>,
    token_ttl: Duration,
    seed_sample: bool,
    functions: Functions,
    request_log: usize,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            host: "127.0.0.1".into(),
            port: 0,
            data_path: None,
            apps: Vec::new(),
            envs: Vec::new(),
            components: Vec::new(),
            token_ttl: DEFAULT_TOKEN_TTL,
            seed_sample: false,
            functions: Functions::default(),
            request_log: crate::request_log::CAPACITY,
        }
    }
}

impl std::fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("data_path", &self.data_path)
            .field(
                "apps",
                &self.apps.iter().map(|(a, _)| a).collect::<Vec<_>>(),
            )
            .field("envs", &self.envs)
            .field("token_ttl", &self.token_ttl)
            .field("seed_sample", &self.seed_sample)
            .field("functions", &self.functions)
            .field("request_log", &self.request_log)
            .finish_non_exhaustive()
    }
}

impl EmulatorBuilder {
    /// The address to listen on (default `127.0.0.1`).
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }

    /// The port to listen on (default 0: the OS chooses; read it from [`RunningEmulator::addr`]).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Keeps data in memory only (the default).
    pub fn in_memory(mut self) -> Self {
        self.data_path = None;
        self
    }

    /// Keeps data in the SQLite file at `path` (created if missing), durable across restarts.
    pub fn data_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.data_path = Some(path.into());
        self
    }

    /// Accepts this app's credentials on the token endpoints. Repeatable; when never called the
    /// app is `wxemulator` with secret `emulator-secret`.
    pub fn app(mut self, appid: impl Into<String>, secret: impl Into<String>) -> Self {
        self.apps.push((appid.into(), secret.into()));
        self
    }

    /// Serves this environment id. Repeatable; when never called: `test2-4a89da` and `local`.
    pub fn env(mut self, env: impl Into<String>) -> Self {
        self.envs.push(env.into());
        self
    }

    /// Adds a third-party platform app and the authorizers it may fetch tokens for, as
    /// `(authorizer_appid, authorizer_refresh_token)` pairs. When never called the platform is
    /// `wxcomponent`/`component-secret` with authorizer `wxauthorizer` and refresh token
    /// `authorizer-refresh-token`. Any non-empty verify ticket is accepted.
    pub fn component(
        mut self,
        appid: impl Into<String>,
        secret: impl Into<String>,
        authorizers: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        self.components.push(ComponentApp {
            appid: appid.into(),
            secret: secret.into(),
            authorizers: authorizers.into_iter().collect(),
        });
        self
    }

    /// How long issued tokens live (default 7200 s; at least 1 s).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Loads the four sample records into `test_collection` of env `test2-4a89da` when that
    /// collection does not exist yet (and again after a reset).
    pub fn seed_sample(mut self, seed: bool) -> Self {
        self.seed_sample = seed;
        self
    }

    /// How many requests the web console's request log keeps (default 500); 0 turns the log
    /// off, so requests skip it entirely.
    pub fn request_log(mut self, capacity: usize) -> Self {
        self.request_log = capacity;
        self
    }

    /// Serves cloud function `name` with an in-process handler: `invokecloudfunction` with
    /// `name=NAME` runs it on the request's event (a JSON object, with `userInfo: {appId}`
    /// added as the real service adds it) and answers its return value as `resp_data`.
    /// Registering a name again replaces the earlier function.
    ///
    /// A handler is any `Fn(serde_json::Value) -> impl Future<Output = Result<R, String>>`
    /// where `R` is a [`serde_json::Value`] or a `String` holding JSON text; an `Err(message)` is
    /// a function that raised (errcode -504002), a handler running past the time limit is cut
    /// (errcode -504003, see [`EmulatorBuilder::function_timeout`]). Implement
    /// [`FunctionHandler`] on a type of your own to wrap something else.
    ///
    /// ```
    /// # async fn demo() -> Result<(), wxcloud_emulator::Error> {
    /// use serde_json::{Value, json};
    /// use wxcloud_emulator::Emulator;
    ///
    /// let emulator = Emulator::builder()
    ///     .function("add", |event: Value| async move {
    ///         let sum = event["a"].as_i64().unwrap_or(0) + event["b"].as_i64().unwrap_or(0);
    ///         Ok::<_, String>(json!({ "sum": sum, "caller": event["userInfo"]["appId"] }))
    ///     })
    ///     .function("fails", |_event: Value| async move { Err::<Value, _>("no luck".to_owned()) })
    ///     .start()
    ///     .await?;
    /// // POST {base_url}/tcb/invokecloudfunction?access_token=..&env=test2-4a89da&name=add
    /// // with {"a": 1, "b": 2} answers {"errcode": 0, "errmsg": "ok",
    /// //   "resp_data": "{\"sum\":3,\"caller\":\"wxemulator\"}"}.
    /// emulator.shutdown().await;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn function(mut self, name: impl Into<String>, handler: impl FunctionHandler) -> Self {
        self.functions
            .insert(name.into(), std::sync::Arc::new(handler));
        self
    }

    /// Serves cloud function `name` from an HTTP server: each call POSTs the event (with
    /// `userInfo` added) as JSON to `url`; the reply body, which must be JSON, is the function's
    /// return value. A reply status other than 2xx, or a server that cannot be reached, is a
    /// function that failed (errcode -504002).
    pub fn function_url(mut self, name: impl Into<String>, url: impl Into<String>) -> Self {
        self.functions.insert_url(name.into(), url.into());
        self
    }

    /// How long a function may run before the call fails with -504003 (default 5 s, the limit
    /// of functions invoked over the HTTP API).
    pub fn function_timeout(mut self, limit: Duration) -> Self {
        self.functions.set_timeout(limit);
        self
    }

    fn config(&self) -> Result<Config, Error> {
        let apps = if self.apps.is_empty() {
            vec![(DEFAULT_APPID.to_owned(), DEFAULT_SECRET.to_owned())]
        } else {
            self.apps.clone()
        };
        let envs = if self.envs.is_empty() {
            DEFAULT_ENVS.map(str::to_owned).to_vec()
        } else {
            self.envs.clone()
        };
        let components = if self.components.is_empty() {
            let (appid, secret, authorizer, refresh) = DEFAULT_COMPONENT;
            vec![ComponentApp {
                appid: appid.into(),
                secret: secret.into(),
                authorizers: vec![(authorizer.into(), refresh.into())],
            }]
        } else {
            self.components.clone()
        };
        if apps.iter().any(|(a, s)| a.is_empty() || s.is_empty()) {
            return Err(Error::Config(
                "an app needs a non-empty appid and secret".into(),
            ));
        }
        if envs.iter().any(String::is_empty) {
            return Err(Error::Config("an env id cannot be empty".into()));
        }
        Ok(Config {
            apps,
            components,
            envs,
            seed_sample: self.seed_sample,
        })
    }

    /// Opens the storage, binds the port and starts serving on the current tokio runtime.
    pub async fn start(self) -> Result<RunningEmulator, Error> {
        let config = self.config()?;
        let storage = match &self.data_path {
            Some(p) => Storage::open(p),
            None => Storage::in_memory(),
        }
        .map_err(|e| Error::Storage(e.to_string()))?;
        let ttl_ms = i64::try_from(self.token_ttl.as_millis()).unwrap_or(i64::MAX / 4);
        let shared = Arc::new(Shared {
            config,
            clock: Clock::default(),
            tokens: Mutex::new(Tokens::new(ttl_ms)),
            stats: Mutex::new(Stats::default()),
            faults: Mutex::default(),
            db: Mutex::new(storage),
            jobs: Mutex::new(Jobs::default()),
            functions: self.functions,
            requests: Mutex::new(RequestLog::new(self.request_log)),
            invocations: Mutex::default(),
            cos: crate::cos::Cos::default(),
        });
        if shared.config.seed_sample && shared.has_env(crate::seed::SAMPLE_ENV) {
            crate::seed::seed_sample(&mut lock(&shared.db), shared.clock.now_ms())
                .map_err(|e| Error::Storage(e.errmsg))?;
        }
        let addr_text = if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]:{}", self.host, self.port) // an IPv6 address
        } else {
            format!("{}:{}", self.host, self.port)
        };
        let listener = tokio::net::TcpListener::bind(&addr_text)
            .await
            .map_err(|source| Error::Bind {
                addr: addr_text.clone(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: addr_text,
            source,
        })?;
        let app = server::router(shared.clone())
            .into_make_service_with_connect_info::<server::conn::Conn>();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve =
                axum::serve(CuttableListener(listener), app).with_graceful_shutdown(async {
                    let _ = rx.await;
                });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "the emulator's server stopped");
            }
        });
        Ok(RunningEmulator {
            addr,
            shared,
            stop: Some(tx),
            task: Some(task),
        })
    }
}

/// A running emulator. Dropping it stops the server (in-flight requests are cut);
/// [`RunningEmulator::shutdown`] lets them finish first.
pub struct RunningEmulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("base_url", &self.base_url())
            .field("appid", &self.appid())
            .field("env", &self.env())
            .finish_non_exhaustive()
    }
}

impl RunningEmulator {
    /// `http://HOST:PORT`, the value to use as a client's base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The first configured app id (`wxemulator` by default).
    pub fn appid(&self) -> &str {
        &self.shared.config.apps[0].0
    }

    /// The first configured app's secret (`emulator-secret` by default).
    pub fn secret(&self) -> &str {
        &self.shared.config.apps[0].1
    }

    /// The first configured environment (`test2-4a89da` by default).
    pub fn env(&self) -> &str {
        &self.shared.config.envs[0]
    }

    /// Requests and token fetches per path so far.
    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).clone()
    }

    /// Moves the emulator's clock forward (token expiry, overlap windows, `db.serverDate()`).
    pub fn advance_clock(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// Makes every token issued so far expire now.
    pub fn expire_tokens(&self) {
        let now = self.shared.clock.now_ms();
        lock(&self.shared.tokens).expire_all(now);
    }

    /// Queues a fault for the next calls of its path, like `POST /__emulator/faults`.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), wxcloud_emulator::Error> {
    /// use wxcloud_emulator::{Emulator, Fault};
    ///
    /// let emulator = Emulator::builder().start().await?;
    /// emulator.inject_fault(Fault {
    ///     path: "/tcb/databaseadd".into(),
    ///     errcode: Some(-1),
    ///     times: Some(2),
    ///     ..Fault::default()
    /// })?;
    /// # Ok(()) }
    /// ```
    pub fn inject_fault(&self, fault: Fault) -> Result<(), Error> {
        fault.validate().map_err(Error::Config)?;
        lock(&self.shared.faults).add(fault);
        Ok(())
    }

    /// Drops all data, tokens, faults and counters (reseeding the sample if configured).
    pub fn reset(&self) -> Result<(), Error> {
        crate::seed::reset(&self.shared).map_err(|e| Error::Storage(e.errmsg))
    }

    /// Stops accepting connections, lets in-flight requests finish (up to 5 s) and closes the data file.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
