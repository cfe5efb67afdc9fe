//! Where a [`super::RedisTokenStore`]'s Redis is and how to reach it: one server (`redis://`,
//! `rediss://`), a cluster (a list of node URLs) or a Sentinel-managed primary
//! (`redis+sentinel://`, `rediss+sentinel://`). Cluster routing (`MOVED`/`ASK`), Sentinel
//! discovery and TLS are the `redis` crate's; this module only picks and configures them.

use std::time::Duration;

use redis::aio::{
    ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection,
};
use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType};
use redis::{
    AsyncConnectionConfig, Cmd, IntoConnectionInfo, Pipeline, RedisFuture, TlsCertificates,
    TlsMode, Value,
};
use tokio::sync::Mutex;

use crate::{Error, Result};

/// The port of a Sentinel named without one.
const SENTINEL_PORT: u16 = 26379;

/// The Redis deployment a store talks to, with the `redis` crate's client for it.
pub(super) enum Target {
    /// One server or primary; the connection manager reconnects by itself.
    Single {
        client: redis::Client,
        connection: Mutex<Option<ConnectionManager>>,
    },
    /// A Redis Cluster; the cluster connection follows `MOVED`/`ASK` and slot changes.
    Cluster {
        client: ClusterClient,
        connection: Mutex<Option<ClusterConnection>>,
    },
    /// The primary that Sentinel names; asked again after any failure (a failover moves it).
    Sentinel {
        client: Mutex<SentinelClient>,
        connection: Mutex<Option<MultiplexedConnection>>,
    },
}

/// One connection of any kind of target, for one operation.
#[derive(Clone)]
pub(super) enum Connection {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
    Sentinel(MultiplexedConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Connection::Single(c) => c.req_packed_command(cmd),
            Connection::Cluster(c) => c.req_packed_command(cmd),
            Connection::Sentinel(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Connection::Single(c) => c.req_packed_commands(cmd, offset, count),
            Connection::Cluster(c) => c.req_packed_commands(cmd, offset, count),
            Connection::Sentinel(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Connection::Single(c) => c.get_db(),
            Connection::Cluster(c) => c.get_db(),
            Connection::Sentinel(c) => c.get_db(),
        }
    }
}

/// The node URLs in `urls`, each of which may list several comma-separated (a Sentinel URL,
/// whose commas separate sentinels, is kept whole).
pub(super) fn split_urls(urls: &[String]) -> Vec<String> {
    urls.iter()
        .flat_map(|u| match sentinel_rest(u) {
            Some(_) => vec![u.as_str()],
            None => u.split(',').collect(),
        })
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(String::from)
        .collect()
}

impl Target {
    /// A target for `urls` (already split), trusting the PEM certificates `ca` instead of the
    /// system roots when given; `cluster` forces cluster mode for a single seed URL. Errors
    /// name the URL as `shown` (without passwords).
    pub(super) fn open(
        urls: &[String],
        cluster: bool,
        ca: Option<&[u8]>,
        shown: &str,
    ) -> Result<Target> {
        let invalid =
            |detail: String| Error::config(format!("invalid Redis URL {shown}: {detail}"));
        let [first, ..] = urls else {
            return Err(Error::config("the Redis URL is empty"));
        };
        for url in urls {
            if url.contains('#') {
                return Err(invalid(
                    "URL fragments such as #insecure are not accepted: certificates are always verified (give a CA file instead)".into(),
                ));
            }
        }
        let certs = |root: &[u8]| TlsCertificates {
            client_tls: None,
            root_cert: Some(root.to_vec()),
        };
        if let Some(rest) = sentinel_rest(first) {
            if urls.len() > 1 {
                return Err(invalid(
                    "list the sentinels in one redis+sentinel:// URL, comma-separated".into(),
                ));
            }
            let client = sentinel_client(rest, ca.map(certs)).map_err(invalid)?;
            return Ok(Target::Sentinel {
                client: Mutex::new(client),
                connection: Mutex::new(None),
            });
        }
        if cluster || urls.len() > 1 {
            let mut builder = ClusterClient::builder(urls.iter().map(String::as_str)).retries(2);
            if let Some(ca) = ca {
                builder = builder.certs(certs(ca));
            }
            let client = builder.build().map_err(|e| invalid(detail(&e)))?;
            return Ok(Target::Cluster {
                client,
                connection: Mutex::new(None),
            });
        }
        let client = match ca {
            Some(ca) => redis::Client::build_with_tls(first.as_str(), certs(ca)),
            None => redis::Client::open(first.as_str()),
        }
        .map_err(|e| invalid(detail(&e)))?;
        Ok(Target::Single {
            client,
            connection: Mutex::new(None),
        })
    }

    /// The connection for the next operation, made on first use (and, for Sentinel, after a
    /// failure): connecting, TLS handshake and authentication within `connect`, each command
    /// within `response`.
    pub(super) async fn connection(
        &self,
        connect: Duration,
        response: Duration,
    ) -> redis::RedisResult<Connection> {
        match self {
            Target::Single { client, connection } => {
                let mut slot = connection.lock().await;
                if slot.is_none() {
                    let config = ConnectionManagerConfig::new()
                        .set_connection_timeout(Some(connect))
                        .set_response_timeout(Some(response))
                        .set_number_of_retries(1)
                        .set_max_delay(Duration::from_millis(200));
                    *slot = Some(ConnectionManager::new_with_config(client.clone(), config).await?);
                }
                Ok(Connection::Single(slot.clone().expect("just set")))
            }
            Target::Cluster { client, connection } => {
                let mut slot = connection.lock().await;
                if slot.is_none() {
                    let config = ClusterConfig::new()
                        .set_connection_timeout(connect)
                        .set_response_timeout(response);
                    *slot = Some(client.get_async_connection_with_config(config).await?);
                }
                Ok(Connection::Cluster(slot.clone().expect("just set")))
            }
            Target::Sentinel { client, connection } => {
                let mut slot = connection.lock().await;
                if slot.is_none() {
                    let primary = client.lock().await.async_get_client().await?;
                    let config = AsyncConnectionConfig::new()
                        .set_connection_timeout(Some(connect))
                        .set_response_timeout(Some(response));
                    *slot = Some(
                        primary
                            .get_multiplexed_async_connection_with_config(&config)
                            .await?,
                    );
                }
                Ok(Connection::Sentinel(slot.clone().expect("just set")))
            }
        }
    }

    /// Called after an operation failed: a Sentinel target asks the sentinels for the primary
    /// again next time (it may have failed over, or the old primary came back as a replica).
    /// The other kinds recover on their own.
    pub(super) async fn failed(&self) {
        if let Target::Sentinel { connection, .. } = self {
            *connection.lock().await = None;
        }
    }

    /// What kind of deployment this is, for messages.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Target::Single { .. } => "server",
            Target::Cluster { .. } => "cluster",
            Target::Sentinel { .. } => "sentinel",
        }
    }
}

/// The part after the scheme of a `redis+sentinel://` or `rediss+sentinel://` URL.
fn sentinel_rest(url: &str) -> Option<(bool, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    match scheme.to_ascii_lowercase().as_str() {
        "redis+sentinel" => Some((false, rest)),
        "rediss+sentinel" => Some((true, rest)),
        _ => None,
    }
}

/// A Sentinel client for `[user:password@]HOST[:PORT][,HOST[:PORT]...]/MASTER_NAME[/DB]`. The
/// user, password and TLS apply to the primary (and TLS to the sentinels too); the sentinels
/// are asked without a password.
fn sentinel_client(
    (tls, rest): (bool, &str),
    certs: Option<TlsCertificates>,
) -> std::result::Result<SentinelClient, String> {
    let (authority, path) = rest.split_once('/').ok_or(
        "a Sentinel URL names the primary: redis+sentinel://HOST:PORT[,HOST:PORT...]/MASTER_NAME",
    )?;
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let mut path = path.split('/').filter(|p| !p.is_empty());
    let master = path
        .next()
        .ok_or("the Sentinel URL names no primary (…/MASTER_NAME)")?;
    let db = path.next().unwrap_or("0");
    let scheme = if tls { "rediss" } else { "redis" };
    let mut sentinels = Vec::new();
    for host in hosts.split(',').filter(|h| !h.is_empty()) {
        let host = if host
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            host.to_string()
        } else {
            format!("{host}:{SENTINEL_PORT}")
        };
        let info = format!("{scheme}://{host}")
            .into_connection_info()
            .map_err(|e| detail(&e))?;
        sentinels.push(info.addr().clone());
    }
    if sentinels.is_empty() {
        return Err("the Sentinel URL lists no sentinel".into());
    }
    // The crate's own URL parser reads the credentials (percent-decoding) and the database.
    let userinfo = userinfo.map(|u| format!("{u}@")).unwrap_or_default();
    let primary = format!("redis://{userinfo}localhost/{db}")
        .into_connection_info()
        .map_err(|e| detail(&e))?;
    let primary = primary.redis_settings();
    let mut builder = SentinelClientBuilder::new(sentinels, master, SentinelServerType::Master)
        .map_err(|e| detail(&e))?
        .set_client_to_redis_db(primary.db());
    if let Some(user) = primary.username() {
        builder = builder.set_client_to_redis_username(user);
    }
    if let Some(password) = primary.password() {
        builder = builder.set_client_to_redis_password(password);
    }
    if tls {
        builder = builder
            .set_client_to_redis_tls_mode(TlsMode::Secure)
            .set_client_to_sentinel_tls_mode(TlsMode::Secure);
        if let Some(certs) = certs {
            builder = builder
                .set_client_to_redis_certificates(certs.clone())
                .set_client_to_sentinel_certificates(certs);
        }
    } else if certs.is_some() {
        return Err("a CA file is set but the URL is not rediss+sentinel://".into());
    }
    builder.build().map_err(|e| detail(&e))
}

/// A Redis error's text without anything it might quote from the URL.
pub(super) fn detail(err: &redis::RedisError) -> String {
    match err.detail() {
        Some(detail) => format!("{:?}: {detail}", err.kind()),
        None => err.to_string(),
    }
}

/// `urls` as shown in messages: each URL's password (and any `password=`/`pass=` query value)
/// hidden, comma-separated.
pub(super) fn redact_urls(urls: &[String]) -> String {
    urls.iter()
        .map(|u| redact_url(u))
        .collect::<Vec<_>>()
        .join(",")
}

/// `url` with the password of its user info, and any `password=`/`pass=` query value, hidden.
pub(super) fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = match base.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.find('/') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let authority = match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
                    format!("{user}:***@{host}")
                }
                None => authority.to_string(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => base.to_string(),
    };
    if let Some(query) = query {
        let params: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _))
                    if k.eq_ignore_ascii_case("password") || k.eq_ignore_ascii_case("pass") =>
                {
                    format!("{k}=***")
                }
                _ => p.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}
