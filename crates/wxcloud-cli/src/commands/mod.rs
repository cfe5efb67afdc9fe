//! The subcommands, each in the module named for what it does.

mod collections;
mod data;
mod emulator;
mod functions;
mod indexes;
mod migrate;
mod storage;
mod token;
mod transfer;

use std::io::{BufWriter, Stdout};

use wxcloud::statement::{Statement, ToStatement};

use crate::cli::{Cli, Command, Common, ConnArgs, OutputArgs};
use crate::config::{self, Target};
use crate::failure::Failure;
use crate::output::{Format, Printer, print_line};
use crate::session::Session;

/// What every data command needs: where to connect and how to print.
pub struct Context {
    /// Connection flags (before and after the subcommand, merged).
    pub conn: ConnArgs,
    /// Output flags (merged likewise).
    pub out: OutputArgs,
    /// Whether the command needs a cloud environment (every data command does).
    pub needs_env: bool,
}

/// The printer data commands write to: stdout, buffered.
pub type StdoutPrinter = Printer<BufWriter<Stdout>>;

impl Context {
    fn new(common: &Common, top_conn: &ConnArgs, top_out: &OutputArgs) -> Context {
        Context {
            conn: common.conn.clone().or(top_conn),
            out: common.out.or(top_out),
            needs_env: true,
        }
    }

    /// Where this command runs.
    pub fn target(&self) -> Result<Target, Failure> {
        config::resolve(&self.conn, &config::process_env)
    }

    /// A printer on stdout in the requested format.
    pub fn printer(&self) -> StdoutPrinter {
        Printer::new(
            Format::from_args(&self.out),
            BufWriter::new(std::io::stdout()),
        )
    }

    /// Prints `statement` instead of running it when `--print-statement` is given; otherwise
    /// opens a session, runs `f`, closes the session and flushes the output.
    pub async fn run<F>(self, statement: &str, f: F) -> Result<(), Failure>
    where
        F: AsyncFnOnce(&Session, &mut StdoutPrinter) -> Result<(), Failure>,
    {
        if self.out.print_statement {
            return print_line(statement);
        }
        self.with_session(f).await
    }

    /// Opens a session, runs `f`, closes the session and flushes the output.
    pub async fn with_session<F>(self, f: F) -> Result<(), Failure>
    where
        F: AsyncFnOnce(&Session, &mut StdoutPrinter) -> Result<(), Failure>,
    {
        let session = Session::open(self.target()?, self.needs_env).await?;
        let mut printer = self.printer();
        let result = f(&session, &mut printer).await;
        session.close().await;
        // What was printed before a failure (per-file lines before "2 of 5 failed") still shows.
        let finished = printer.finish();
        result?;
        finished
    }
}

/// The text of a statement the command wrote from structured flags.
pub fn write(statement: &Statement) -> Result<String, Failure> {
    Ok(statement.to_statement()?.into_owned())
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    let Cli { conn, out, command } = cli;
    let ctx = |common: &Common| Context::new(common, &conn, &out);
    match command {
        Command::Aggregate(a) => data::aggregate(ctx(&a.common), a).await,
        Command::Query(q) => data::query(ctx(&q.common), q).await,
        Command::Count(c) => data::count(ctx(&c.common), c).await,
        Command::Add(a) => data::add(ctx(&a.common), a).await,
        Command::Update(u) => data::update(ctx(&u.common), u).await,
        Command::Delete(d) => data::delete(ctx(&d.common), d).await,
        Command::Collections(c) => collections::run(c.action, &conn, &out).await,
        Command::Indexes(i) => indexes::run(ctx(&i.common), i).await,
        Command::Migrate(m) => migrate::run(m.action, &conn, &out).await,
        Command::Export(e) => transfer::export(ctx(&e.common), e).await,
        Command::Import(i) => transfer::import(ctx(&i.common), i).await,
        Command::Token(t) => {
            token::run(
                Context {
                    needs_env: false,
                    ..ctx(&t.common)
                },
                t.show,
            )
            .await
        }
        Command::Functions(f) => functions::run(f.action, &conn, &out).await,
        Command::Storage(s) => storage::run(s.action, &conn, &out).await,
        Command::Emulator(e) => emulator::run(e).await,
    }
}
