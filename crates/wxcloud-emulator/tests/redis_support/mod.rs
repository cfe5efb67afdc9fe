//! Shared by the Redis tests: where the test Redis is, a minimal RESP client to look inside
//! it (so the tests read what the store wrote without going through the store), and the path
//! of the `token_burst` example.

#![allow(dead_code)]

pub mod fleet;
pub mod warnings;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;

/// The test Redis URL (`WXCLOUD_TEST_REDIS_URL`, set by `scripts/suites/redis.sh`), or `None`
/// with a note when it is unset — unless `WXCLOUD_REDIS_REQUIRED=1`, which makes it a failure.
pub fn redis_url(test: &str) -> Option<String> {
    test_env("WXCLOUD_TEST_REDIS_URL", test)
}

/// The variable `var` set by `scripts/suites/redis.sh` (a URL, a file, a binary), or `None`
/// with a note when it is unset — unless `WXCLOUD_REDIS_REQUIRED=1`, which makes it a failure.
pub fn test_env(var: &str, test: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(value) if !value.trim().is_empty() => Some(value),
        _ if std::env::var("WXCLOUD_REDIS_REQUIRED").as_deref() == Ok("1") => {
            panic!("{test}: WXCLOUD_REDIS_REQUIRED=1 but {var} is not set")
        }
        _ => {
            eprintln!(
                "skipping {test}: {var} is not set (scripts/suites/redis.sh starts the Redis servers and sets it)"
            );
            None
        }
    }
}

/// A key prefix no other test run uses.
pub fn unique_prefix(test: &str) -> String {
    format!(
        "wxtest:{test}:{}:{:08x}:",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// `host:port` of a `redis://host:port[/db]` URL without a password.
pub fn host_port(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest).to_string()
}

/// A reply of the Redis protocol.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Nil,
    Int(i64),
    Text(String),
    List(Vec<Reply>),
    Error(String),
}

impl Reply {
    pub fn text(&self) -> Option<&str> {
        match self {
            Reply::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn list(&self) -> &[Reply] {
        match self {
            Reply::List(items) => items,
            _ => &[],
        }
    }
}

/// A plain RESP2 connection for looking at what the store wrote.
pub struct Resp {
    reader: BufReader<TcpStream>,
}

impl Resp {
    pub fn connect(url: &str) -> std::io::Result<Resp> {
        let stream = TcpStream::connect(host_port(url))?;
        Ok(Resp {
            reader: BufReader::new(stream),
        })
    }

    pub fn cmd(&mut self, args: &[&str]) -> Reply {
        let mut out = format!("*{}\r\n", args.len());
        for a in args {
            out.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        self.reader
            .get_mut()
            .write_all(out.as_bytes())
            .expect("write to redis");
        self.read()
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("read from redis");
        line.trim_end_matches("\r\n").to_string()
    }

    fn read(&mut self) -> Reply {
        let line = self.line();
        let (kind, rest) = line.split_at(1);
        match kind {
            "+" => Reply::Text(rest.to_string()),
            "-" => Reply::Error(rest.to_string()),
            ":" => Reply::Int(rest.parse().unwrap()),
            "$" => {
                let n: i64 = rest.parse().unwrap();
                if n < 0 {
                    return Reply::Nil;
                }
                let mut buf = vec![0; n as usize + 2];
                std::io::Read::read_exact(&mut self.reader, &mut buf).unwrap();
                buf.truncate(n as usize);
                Reply::Text(String::from_utf8(buf).unwrap())
            }
            "*" => {
                let n: i64 = rest.parse().unwrap();
                if n < 0 {
                    return Reply::Nil;
                }
                Reply::List((0..n).map(|_| self.read()).collect())
            }
            other => panic!("unexpected RESP reply {other}{rest}"),
        }
    }

    /// Every key starting with `prefix` (SCAN, so it works on a busy server).
    pub fn scan(&mut self, prefix: &str) -> Vec<String> {
        let pattern = format!("{prefix}*");
        let mut cursor = "0".to_string();
        let mut keys = Vec::new();
        loop {
            let reply = self.cmd(&["SCAN", &cursor, "MATCH", &pattern, "COUNT", "1000"]);
            let parts = reply.list();
            cursor = parts[0].text().unwrap().to_string();
            keys.extend(
                parts[1]
                    .list()
                    .iter()
                    .filter_map(|k| k.text().map(String::from)),
            );
            if cursor == "0" {
                return keys;
            }
        }
    }

    /// Every string stored at `key`, whatever its type (the values of a hash with its fields).
    pub fn dump(&mut self, key: &str) -> Vec<String> {
        let kind = self.cmd(&["TYPE", key]);
        let reply = match kind.text() {
            Some("string") => self.cmd(&["GET", key]),
            Some("hash") => self.cmd(&["HGETALL", key]),
            Some("none") => Reply::Nil,
            other => panic!("the store wrote a {other:?} at {key}"),
        };
        match reply {
            Reply::Text(s) => vec![s],
            Reply::List(items) => items
                .iter()
                .filter_map(|r| r.text().map(String::from))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The path of an example binary of the `wxcloud` package (same target dir), built by
/// `cargo build -p wxcloud --features redis --example NAME` (the Redis suite does).
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir");
    let path = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build -p wxcloud --features redis --example {name}` first (scripts/suites/redis.sh does)",
        path.display()
    );
    path
}
