//! No token or secret in any error message, `Debug` output or log line.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{APPID, ENV, Reply, SECRET, Server, TOKEN_PREFIX, assert_no_secrets};
use wxcloud::token::{AccessToken, AuthorizerSource, StableTokenSource, VerifyTicket};
use wxcloud::{Authorizer, TokenMode};

/// A tracing writer that keeps everything written to it.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn debug_output_redacts_secrets_and_tokens() {
    let builder = wxcloud::Client::builder()
        .appid(APPID)
        .secret(SECRET)
        .access_token(format!("{TOKEN_PREFIX}fixed"))
        .authorizer(Authorizer::new(
            "wx-platform",
            SECRET,
            VerifyTicket::Value(format!("{TOKEN_PREFIX}ticket")),
            "wx-auth",
            format!("{TOKEN_PREFIX}refresh"),
        ))
        .env(ENV);
    let token = AccessToken::new(format!("{TOKEN_PREFIX}1"), Duration::from_secs(7200));
    let outputs = [
        format!("{builder:?}"),
        format!("{:?}", builder.clone().build().unwrap()),
        format!(
            "{:?}",
            builder
                .clone()
                .token_mode(TokenMode::ClientCredential)
                .build()
                .unwrap()
        ),
        format!("{:?}", builder.build_blocking().unwrap()),
        format!("{token:?}"),
        format!("{:?}", StableTokenSource::new(APPID, SECRET)),
        format!(
            "{:?}",
            AuthorizerSource::new(
                "p",
                SECRET,
                VerifyTicket::Value(format!("{TOKEN_PREFIX}t")),
                "a",
                format!("{TOKEN_PREFIX}r")
            )
        ),
    ];
    for output in outputs {
        assert!(output.contains("redacted"), "{output}");
        assert_no_secrets(&output);
    }
}

#[test]
fn logs_of_token_fetches_failures_and_retries_hold_no_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut errors = Vec::new();
    let mut debug_outputs = Vec::new();
    runtime.block_on(async {
        let server = Server::start().await;
        let client = server.client();
        server.script("/tcb/databasecount", Reply::Errcode(-1));
        client.count("db.collection(\"c\").count()").await.unwrap();
        server.revoke_tokens();
        client.count("db.collection(\"c\").count()").await.unwrap();
        server.script("/tcb/databaseadd", Reply::Errcode(40001));
        server.script("/tcb/databaseadd", Reply::Errcode(40001));
        errors.push(
            client
                .add("db.collection(\"c\").add({data:{}})")
                .await
                .unwrap_err(),
        );
        // Storage and functions: an upload, links, a download, a refused upload and an expired
        // link, whose tickets, signatures and COS tokens must appear nowhere.
        let id = client.upload_file("r/a.txt", b"abc".to_vec()).await.unwrap();
        let links = client
            .download_urls(std::slice::from_ref(&id), Duration::from_secs(60))
            .await
            .unwrap();
        assert!(links[0].url.contains(support::storage::COS_SECRET), "the test needs signed links");
        assert!(format!("{links:?}").contains("redacted"));
        debug_outputs.push(format!("{links:?}"));
        assert_eq!(client.download_file(&id).await.unwrap(), b"abc");
        let download = client.download_file_stream(&id).await.unwrap();
        debug_outputs.push(format!("{download:?}"));
        debug_outputs.push(format!("{:?}", client.qcloud_token(Duration::from_secs(60)).await.unwrap()));
        client.invoke_function("f", &serde_json::json!({"k": 1})).await.unwrap();
        server.script(
            "/cos/upload",
            Reply::Raw {
                status: 403,
                content_type: "application/xml",
                body: format!(
                    "<Error><Code>SignatureDoesNotMatch</Code><Message>bad {0}sign-r/b.txt</Message><StringToSign>{0}x</StringToSign></Error>",
                    support::storage::COS_SECRET
                )
                .into_bytes(),
            },
        );
        errors.push(client.upload_file("r/b.txt", b"b".to_vec()).await.unwrap_err());
        server.script(
            "/tcb/batchdownloadfile",
            Reply::Json(serde_json::json!({"errcode": 0, "errmsg": "ok", "file_list": [{
                "fileid": id, "status": 0, "errmsg": "ok",
                "download_url": format!("{}/cos/files/r/a.txt?sign={}expired", server.url, support::storage::COS_SECRET),
            }]})),
        );
        errors.push(client.download_file(&id).await.unwrap_err());
        server.script(
            "/tcb/databaseadd",
            Reply::Raw {
                status: 502,
                content_type: "text/html",
                body: b"x".to_vec(),
            },
        );
        errors.push(
            client
                .add("db.collection(\"c\").add({data:{}})")
                .await
                .unwrap_err(),
        );
        let wrong = server.client_with(|b| {
            b.secret("not-the-secret")
                .token_mode(TokenMode::ClientCredential)
        });
        errors.push(
            wrong
                .count("db.collection(\"c\").count()")
                .await
                .unwrap_err(),
        );
        let stalled = server.client_with(|b| b.timeout(Duration::from_millis(200)));
        server.script("/tcb/databasecount", Reply::Stall);
        server.script("/tcb/databasecount", Reply::Stall);
        errors.push(
            stalled
                .count("db.collection(\"c\").count()")
                .await
                .unwrap_err(),
        );
    });
    drop(runtime);

    for err in errors {
        support::clean(err);
    }
    for output in debug_outputs {
        assert_no_secrets(&output);
    }
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("databasecount"),
        "spans name the operation:\n{logs}"
    );
    assert!(
        logs.contains("errcode"),
        "spans record the errcode:\n{logs}"
    );
    assert!(logs.contains(ENV), "spans record the env:\n{logs}");
    assert!(
        logs.contains("uploadfile") && logs.contains("invokecloudfunction"),
        "{logs}"
    );
    assert_no_secrets(&logs);
    assert!(!logs.contains("not-the-secret"));
}
