//! The command line's shape: subcommands, flags and their help text (clap derive).
//!
//! Connection and output flags are accepted both before and after the subcommand
//! (`wxcloud --pretty query c` and `wxcloud query c --pretty`); the one given after wins.
//! Environment variables (`WXCLOUD_*`) are read by [`crate::config`], not by clap, so that a
//! flag in either position always beats the environment.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Run statements against WeChat Cloud Base, or against a local emulator.
///
/// With no credentials (no --appid/--secret/--access-token and no WXCLOUD_APPID,
/// WXCLOUD_SECRET, WXCLOUD_ACCESS_TOKEN), data commands run against an embedded emulator
/// whose data lives in ./.wxcloud (or $WXCLOUD_HOME), seeded with the sample data set.
#[derive(Debug, Parser)]
#[command(
    name = "wxcloud",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Connection flags given before the subcommand.
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Output flags given before the subcommand.
    #[command(flatten)]
    pub out: OutputArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where to connect and how to authenticate.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Connection (also WXCLOUD_* environment variables)")]
pub struct ConnArgs {
    /// Mini program / official account appid [env: WXCLOUD_APPID].
    #[arg(long, value_name = "APPID")]
    pub appid: Option<String>,
    /// App secret [env: WXCLOUD_SECRET]. Never printed.
    #[arg(long, value_name = "SECRET")]
    pub secret: Option<String>,
    /// Cloud environment id [env: WXCLOUD_ENV].
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// API host [env: WXCLOUD_BASE_URL; default https://api.weixin.qq.com].
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// A fixed access token instead of appid/secret [env: WXCLOUD_ACCESS_TOKEN]. Never printed.
    #[arg(long, value_name = "TOKEN")]
    pub access_token: Option<String>,
    /// How to fetch tokens [env: WXCLOUD_TOKEN_MODE; default stable].
    #[arg(long, value_enum, value_name = "MODE")]
    pub token_mode: Option<TokenModeArg>,
    /// Per-call timeout in seconds [env: WXCLOUD_TIMEOUT].
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Retries for reads on transient errors [env: WXCLOUD_MAX_RETRIES].
    #[arg(long, value_name = "N")]
    pub max_retries: Option<u32>,
    /// Keep tokens in this Redis, shared by every process using it [env: WXCLOUD_REDIS_URL;
    /// key prefix WXCLOUD_REDIS_KEY_PREFIX]: redis://, rediss:// (TLS),
    /// redis+sentinel://HOST:PORT[,HOST:PORT...]/MASTER_NAME, or a cluster's node URLs
    /// separated by commas. Its password is never printed.
    #[arg(long, value_name = "URL")]
    pub redis_url: Option<String>,
    /// Verify the Redis TLS certificate against the CA certificates in this PEM file instead
    /// of the system roots [env: WXCLOUD_REDIS_CA_FILE].
    #[arg(long, value_name = "PATH")]
    pub redis_ca_file: Option<String>,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, Default, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Indent each JSON document over several lines.
    #[arg(long)]
    pub pretty: bool,
    /// Print records as an aligned table (for a terminal).
    #[arg(long, conflicts_with = "pretty")]
    pub table: bool,
    /// Print records exactly as the service returned them (Extended JSON strings).
    #[arg(long, conflicts_with_all = ["pretty", "table"])]
    pub raw: bool,
    /// Print the statement that would be sent, and send nothing.
    #[arg(long)]
    pub print_statement: bool,
}

/// Token endpoint choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenModeArg {
    /// POST /cgi-bin/stable_token (processes sharing an appid do not evict each other).
    Stable,
    /// GET /cgi-bin/token (each fetch invalidates the previous token after 5 minutes).
    ClientCredential,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run an aggregation: a statement, or COLLECTION --pipeline JSON.
    Aggregate(AggregateArgs),
    /// Query records: a statement, or COLLECTION [--where JSON] [--order-by f:asc] ...
    Query(QueryArgs),
    /// Count records: a statement, or COLLECTION [--where JSON].
    Count(CountArgs),
    /// Add records: a statement, or COLLECTION --data JSON|@file.jsonl.
    Add(AddArgs),
    /// Update records: a statement, or COLLECTION --where JSON --data JSON.
    Update(UpdateArgs),
    /// Delete records: a statement, or COLLECTION --where JSON.
    Delete(DeleteArgs),
    /// List, create or drop collections.
    Collections(CollectionsArgs),
    /// Create and drop indexes of a collection.
    Indexes(IndexesArgs),
    /// Run the service's migration jobs (files in the env's cloud storage).
    Migrate(MigrateArgs),
    /// Write a whole collection as JSON lines (canonical Extended JSON) to stdout.
    Export(ExportArgs),
    /// Add every document of a JSON-lines file to a collection, in batches.
    Import(ImportArgs),
    /// Call cloud functions.
    Functions(FunctionsArgs),
    /// Upload, download, link and delete files in the env's cloud storage.
    Storage(StorageArgs),
    /// Run a local Cloud Base emulator in the foreground.
    Emulator(EmulatorArgs),
    /// Show the access token's source and expiry (the token itself only with --show).
    Token(TokenArgs),
}

/// Flags every data command shares.
#[derive(Debug, Clone, Default, Args)]
pub struct Common {
    /// Connection flags.
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Output flags.
    #[command(flatten)]
    pub out: OutputArgs,
}

/// `wxcloud aggregate`.
#[derive(Debug, Args)]
pub struct AggregateArgs {
    /// A statement (starts with `db.` or `const`) or a collection name.
    #[arg(value_name = "STATEMENT|COLLECTION")]
    pub target: String,
    /// The pipeline: a JSON array of MongoDB stages, or @file (@- for stdin).
    #[arg(long, value_name = "JSON|@FILE")]
    pub pipeline: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

/// `wxcloud query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// A statement (starts with `db.` or `const`) or a collection name.
    #[arg(value_name = "STATEMENT|COLLECTION")]
    pub target: String,
    /// MongoDB-style filter, JSON or @file.
    #[arg(long = "where", value_name = "JSON|@FILE")]
    pub filter: Option<String>,
    /// Sort key `field[:asc|:desc]`; repeat or separate with commas.
    #[arg(long, value_name = "FIELD:DIR", value_delimiter = ',')]
    pub order_by: Vec<String>,
    /// At most this many records (the service's default is 10, its maximum 1000).
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Skip this many records first.
    #[arg(long, value_name = "N")]
    pub skip: Option<u64>,
    /// Fields to return: `a,b` or a projection document `{"a":true}`.
    #[arg(long, value_name = "A,B|JSON")]
    pub fields: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

/// `wxcloud count`.
#[derive(Debug, Args)]
pub struct CountArgs {
    /// A statement (starts with `db.` or `const`) or a collection name.
    #[arg(value_name = "STATEMENT|COLLECTION")]
    pub target: String,
    /// MongoDB-style filter, JSON or @file.
    #[arg(long = "where", value_name = "JSON|@FILE")]
    pub filter: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

/// `wxcloud add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// A statement (starts with `db.` or `const`) or a collection name.
    #[arg(value_name = "STATEMENT|COLLECTION")]
    pub target: String,
    /// A document, an array of documents, or @file (one JSON document, an array, or JSON lines).
    #[arg(long, value_name = "JSON|@FILE")]
    pub data: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

/// `wxcloud update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// A statement (starts with `db.` or `const`) or a collection name.
    #[arg(value_name = "STATEMENT|COLLECTION")]
    pub target: String,
    /// Which records: a MongoDB-style filter, JSON or @file.
    #[arg(long = "where", value_name = "JSON|@FILE")]
    pub filter: Option<String>,
    /// The change: an update document (`{"$set": {...}}`, `{"$inc": {...}}`), JSON or @file.
    #[arg(long, value_name = "JSON|@FILE")]
    pub data: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

/// `wxcloud delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// A statement (starts with `db.` or `const`) or a collection name.
    #[arg(value_name = "STATEMENT|COLLECTION")]
    pub target: String,
    /// Which records: a MongoDB-style filter, JSON or @file (`{}` deletes every record).
    #[arg(long = "where", value_name = "JSON|@FILE")]
    pub filter: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

/// `wxcloud collections`.
#[derive(Debug, Args)]
pub struct CollectionsArgs {
    #[command(subcommand)]
    pub action: CollectionsAction,
}

/// What to do with collections.
#[derive(Debug, Subcommand)]
pub enum CollectionsAction {
    /// List collections with their record counts and sizes.
    List {
        /// At most this many collections.
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        /// Skip this many collections first.
        #[arg(long, value_name = "N")]
        offset: Option<u64>,
        #[command(flatten)]
        common: Common,
    },
    /// Create a collection.
    Create {
        /// The collection name.
        name: String,
        #[command(flatten)]
        common: Common,
    },
    /// Drop a collection and every record in it.
    Drop {
        /// The collection name.
        name: String,
        #[command(flatten)]
        common: Common,
    },
}

/// `wxcloud indexes`.
#[derive(Debug, Args)]
pub struct IndexesArgs {
    /// The collection.
    pub collection: String,
    /// An index to create: `{"name": "by_due", "keys": {"due": -1}, "unique": false}`
    /// (key directions 1, -1 or "2dsphere"); repeatable.
    #[arg(long, value_name = "JSON|@FILE")]
    pub create: Vec<String>,
    /// The name of an index to drop; repeatable.
    #[arg(long, value_name = "NAME")]
    pub drop: Vec<String>,
    #[command(flatten)]
    pub common: Common,
}

/// `wxcloud migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub action: MigrateAction,
}

/// A migration job to start, or one to ask about.
#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Start importing a file from cloud storage into a collection; prints `{"job_id": N}`.
    Import {
        /// The collection to import into.
        collection: String,
        /// The file's path in the env's cloud storage.
        file_path: String,
        /// The file is CSV (default: JSON lines).
        #[arg(long)]
        csv: bool,
        /// Stop at the first record that fails.
        #[arg(long)]
        stop_on_error: bool,
        /// Replace records whose `_id` exists (default: such records fail).
        #[arg(long)]
        upsert: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Start exporting what a query selects to a file in cloud storage; prints `{"job_id": N}`.
    Export {
        /// The file's path in the env's cloud storage.
        file_path: String,
        /// A `.get()` statement, or a collection name (with --where).
        #[arg(value_name = "STATEMENT|COLLECTION")]
        target: String,
        /// With a collection name: which records, a MongoDB-style filter (JSON or @file).
        #[arg(long = "where", value_name = "JSON|@FILE")]
        filter: Option<String>,
        /// Write CSV (default: JSON lines).
        #[arg(long)]
        csv: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Print the state of a migration job.
    Status {
        /// The job id printed when the job started.
        job_id: u64,
        #[command(flatten)]
        common: Common,
    },
}

/// `wxcloud export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The collection to export.
    pub collection: String,
    /// Only records matching this MongoDB-style filter, JSON or @file.
    #[arg(long = "where", value_name = "JSON|@FILE")]
    pub filter: Option<String>,
    /// Records per request (at most 1000).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub page_size: u64,
    /// Write relaxed Extended JSON (as the other commands print) instead of canonical.
    #[arg(long)]
    pub relaxed: bool,
    #[command(flatten)]
    pub common: Common,
}

/// `wxcloud import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The collection to add to (it must exist).
    pub collection: String,
    /// A JSON-lines file of documents (Extended JSON accepted); `-` for stdin.
    pub file: PathBuf,
    /// Documents per add request.
    #[arg(long, value_name = "N", default_value_t = 500)]
    pub batch_size: usize,
    #[command(flatten)]
    pub common: Common,
}

/// `wxcloud functions`.
#[derive(Debug, Args)]
pub struct FunctionsArgs {
    #[command(subcommand)]
    pub action: FunctionsAction,
}

/// What to do with cloud functions.
#[derive(Debug, Subcommand)]
pub enum FunctionsAction {
    /// Invoke a function and print its return value as JSON (`--raw`: the reply's text as is).
    Invoke {
        /// The function's name.
        name: String,
        /// The event: JSON, or @file (@- for stdin) [default: {}].
        #[arg(long, value_name = "JSON|@FILE")]
        data: Option<String>,
        #[command(flatten)]
        common: Common,
    },
}

/// `wxcloud storage`.
#[derive(Debug, Args)]
pub struct StorageArgs {
    #[command(subcommand)]
    pub action: StorageAction,
}

/// What to do with files in cloud storage.
#[derive(Debug, Subcommand)]
pub enum StorageAction {
    /// Upload a local file (`-` for stdin) to CLOUD_PATH; prints `{"file_id": ..}`.
    Upload {
        /// The local file, or `-` to read stdin.
        local: PathBuf,
        /// Where in the env's storage, relative: `img/a.png`.
        cloud_path: String,
        #[command(flatten)]
        common: Common,
    },
    /// Download a file to stdout, or to a file with -o.
    Download {
        /// The file ID (`cloud://...`).
        file_id: String,
        /// Write to this file instead of stdout (removed again if the download fails).
        #[arg(short = 'o', long, value_name = "PATH")]
        output: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Print a download link per file: `{"file_id", "url", "status", "errmsg"}` lines.
    Url {
        /// File IDs (`cloud://...`), any number.
        #[arg(required = true, value_name = "FILE_ID")]
        file_ids: Vec<String>,
        /// How long the links stay valid, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 7200)]
        max_age: u64,
        #[command(flatten)]
        common: Common,
    },
    /// Delete files; prints `{"file_id", "status", "errmsg"}` per file.
    Rm {
        /// File IDs (`cloud://...`), any number.
        #[arg(required = true, value_name = "FILE_ID")]
        file_ids: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
}

/// `wxcloud emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0 picks a free one; the first stdout line says which).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// SQLite data file [default: the same data as the embedded emulator: ./.wxcloud or $WXCLOUD_HOME].
    #[arg(long, value_name = "PATH", conflicts_with = "in_memory")]
    pub data: Option<PathBuf>,
    /// Keep data in memory only (lost on exit).
    #[arg(long)]
    pub in_memory: bool,
    /// An app the emulator accepts, APPID:SECRET; repeatable [default: wxemulator:emulator-secret].
    #[arg(long = "app", value_name = "APPID:SECRET")]
    pub apps: Vec<String>,
    /// A cloud environment the emulator serves; repeatable [default: test2-4a89da and local].
    #[arg(long = "env", value_name = "ENV")]
    pub envs: Vec<String>,
    /// Access token lifetime in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 7200)]
    pub token_ttl: u64,
    /// Load the sample data set (always done when the data file is new).
    #[arg(long)]
    pub seed_sample: bool,
    /// A cloud function, NAME=URL; repeatable. Each invokecloudfunction call POSTs its event as
    /// JSON to URL and answers the reply body as the function's return value.
    #[arg(long = "function", value_name = "NAME=URL")]
    pub functions: Vec<String>,
}

/// `wxcloud token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Also print the token itself.
    #[arg(long)]
    pub show: bool,
    #[command(flatten)]
    pub common: Common,
}

impl ConnArgs {
    /// These flags, each one that is unset taken from `earlier` (flags before the subcommand).
    pub fn or(self, earlier: &ConnArgs) -> ConnArgs {
        ConnArgs {
            appid: self.appid.or_else(|| earlier.appid.clone()),
            secret: self.secret.or_else(|| earlier.secret.clone()),
            env: self.env.or_else(|| earlier.env.clone()),
            base_url: self.base_url.or_else(|| earlier.base_url.clone()),
            access_token: self.access_token.or_else(|| earlier.access_token.clone()),
            token_mode: self.token_mode.or(earlier.token_mode),
            timeout: self.timeout.or(earlier.timeout),
            max_retries: self.max_retries.or(earlier.max_retries),
            redis_url: self.redis_url.or_else(|| earlier.redis_url.clone()),
            redis_ca_file: self.redis_ca_file.or_else(|| earlier.redis_ca_file.clone()),
        }
    }
}

impl OutputArgs {
    /// These flags combined with the ones given before the subcommand.
    pub fn or(self, earlier: &OutputArgs) -> OutputArgs {
        OutputArgs {
            pretty: self.pretty || earlier.pretty,
            table: self.table || earlier.table,
            raw: self.raw || earlier.raw,
            print_statement: self.print_statement || earlier.print_statement,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_after_the_subcommand_win_over_flags_before_it() {
        let cli = Cli::try_parse_from([
            "wxcloud", "--env", "a", "--pretty", "query", "c", "--env", "b", "--limit", "3",
        ])
        .unwrap();
        let Command::Query(q) = cli.command else {
            panic!("not a query")
        };
        let conn = q.common.conn.clone().or(&cli.conn);
        assert_eq!(conn.env.as_deref(), Some("b"));
        assert!(q.common.out.or(&cli.out).pretty);
        assert_eq!(q.limit, Some(3));
    }

    #[test]
    fn emulator_takes_repeated_apps_and_envs() {
        let cli = Cli::try_parse_from([
            "wxcloud",
            "emulator",
            "--port",
            "0",
            "--in-memory",
            "--app",
            "a:b",
            "--app",
            "c:d",
            "--env",
            "e1",
            "--env",
            "e2",
        ])
        .unwrap();
        let Command::Emulator(e) = cli.command else {
            panic!("not emulator")
        };
        assert_eq!(e.apps, ["a:b", "c:d"]);
        assert_eq!(e.envs, ["e1", "e2"]);
        assert!(e.in_memory);
    }

    #[test]
    fn storage_url_takes_many_ids_and_a_max_age() {
        let cli = Cli::try_parse_from([
            "wxcloud",
            "storage",
            "url",
            "cloud://a",
            "cloud://b",
            "--max-age",
            "60",
        ])
        .unwrap();
        let Command::Storage(StorageArgs {
            action: StorageAction::Url {
                file_ids, max_age, ..
            },
        }) = cli.command
        else {
            panic!("not storage url")
        };
        assert_eq!(file_ids, ["cloud://a", "cloud://b"]);
        assert_eq!(max_age, 60);
        assert!(Cli::try_parse_from(["wxcloud", "storage", "rm"]).is_err());
    }

    #[test]
    fn order_by_accepts_commas_and_repeats() {
        let cli = Cli::try_parse_from([
            "wxcloud",
            "query",
            "c",
            "--order-by",
            "a:asc,b:desc",
            "--order-by",
            "c",
        ])
        .unwrap();
        let Command::Query(q) = cli.command else {
            panic!("not a query")
        };
        assert_eq!(q.order_by, ["a:asc", "b:desc", "c"]);
    }
}
