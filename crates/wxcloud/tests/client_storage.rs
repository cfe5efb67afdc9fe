//! File storage over real sockets: the upload's two steps and its form, download links in
//! batches of 50, downloads, deletes, COS errors, and refusals before anything is sent.

mod support;

use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use support::storage::{MISSING_ERRMSG, MISSING_STATUS, file_id, sha256_hex};
use support::{Reply, Server, expect_err};
use wxcloud::{Bytes, ErrorKind, UploadSource};

const UPLOAD: &str = "/tcb/uploadfile";
const COS: &str = "/cos/upload";
const LINKS: &str = "/tcb/batchdownloadfile";
const DELETE: &str = "/tcb/batchdeletefile";

fn html(status: u16) -> Reply {
    Reply::Raw {
        status,
        content_type: "text/html",
        body: b"<html><body>Bad Gateway</body></html>".to_vec(),
    }
}

fn xml(status: u16, code: &str) -> Reply {
    Reply::Raw {
        status,
        content_type: "application/xml",
        body: format!("<Error><Code>{code}</Code><Message>m</Message></Error>").into_bytes(),
    }
}

/// `n` bytes of a repeatable pattern, produced `chunk` bytes at a time.
fn pattern_stream(n: usize, chunk: usize) -> impl futures::Stream<Item = std::io::Result<Bytes>> {
    futures::stream::iter((0..n).step_by(chunk)).map(move |start| {
        let piece: Vec<u8> = (start..(start + chunk).min(n))
            .map(|i| (i % 251) as u8)
            .collect();
        Ok(Bytes::from(piece))
    })
}

#[tokio::test]
async fn an_upload_asks_for_a_ticket_then_posts_the_form_with_the_file_last() {
    let server = Server::start().await;

    let id = server
        .client()
        .upload_file("img/a.png", b"png bytes".to_vec())
        .await
        .expect("uploaded");

    assert_eq!(id, file_id("img/a.png"));
    let asked = server.seen(UPLOAD);
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].body["path"], "img/a.png");
    assert_eq!(asked[0].body["env"], support::ENV);
    let forms = server.forms();
    assert_eq!(forms.len(), 1);
    assert_eq!(
        forms[0].names,
        [
            "key",
            "Signature",
            "x-cos-security-token",
            "x-cos-meta-fileid",
            "file"
        ]
    );
    assert_eq!(forms[0].values["key"], "img/a.png");
    assert_eq!(forms[0].values["x-cos-meta-fileid"], "meta-img/a.png");
    assert_eq!(forms[0].file_sha256, sha256_hex(b"png bytes"));
    assert_eq!(server.stored("img/a.png").unwrap(), b"png bytes");
}

#[tokio::test]
async fn a_20_mb_stream_is_uploaded_whole_and_downloads_back_the_same() {
    let server = Server::start().await;
    let client = server.client();
    let n = 20 * 1024 * 1024;
    let expected: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();

    let id = client
        .upload_file(
            "big/blob.bin",
            UploadSource::stream(pattern_stream(n, 256 * 1024), Some(n as u64)),
        )
        .await
        .expect("uploaded");

    let form = &server.forms()[0];
    assert_eq!(form.file_len, n);
    assert_eq!(form.file_sha256, sha256_hex(&expected));
    let download = client
        .download_file_stream(&id)
        .await
        .expect("download opened");
    assert_eq!(download.content_length(), Some(n as u64));
    let mut chunks = download.into_stream();
    let mut got = Vec::with_capacity(n);
    while let Some(chunk) = chunks.next().await {
        got.extend_from_slice(&chunk.expect("chunk"));
    }
    assert_eq!(sha256_hex(&got), sha256_hex(&expected));
}

#[tokio::test]
async fn a_local_file_is_uploaded_and_downloaded_to_a_file() {
    let server = Server::start().await;
    let client = server.client();
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("in.txt");
    std::fs::write(&local, "file content\n").unwrap();

    let id = client
        .upload_file("docs/in.txt", local.as_path())
        .await
        .expect("uploaded");
    let out = dir.path().join("out.txt");
    let written = client.download_to(&id, &out).await.expect("downloaded");

    assert_eq!(written, 13);
    assert_eq!(std::fs::read(&out).unwrap(), b"file content\n");
    assert_eq!(client.download_file(&id).await.unwrap(), b"file content\n");
}

#[tokio::test]
async fn bad_arguments_are_refused_before_anything_is_sent() {
    let server = Server::start().await;
    let client = server.client();
    for path in ["", "/abs/a.png", "a/../b.png", "..", "dir/", "a//b"] {
        let err = expect_err(client.upload_file(path, b"x".to_vec()).await);
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{path:?}");
    }
    let err = expect_err(
        client
            .upload_file("a.png", Path::new("/no/such/local/file.png"))
            .await,
    );
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("/no/such/local/file.png"), "{err}");
    let err = expect_err(client.upload_file("a.png", Path::new("/")).await);
    assert!(err.to_string().contains("not a file"), "{err}");
    let err = expect_err(
        client
            .download_urls(&["cloud://x", ""], Duration::from_secs(60))
            .await,
    );
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    let err = expect_err(
        client
            .download_urls(&["cloud://x"], Duration::from_millis(10))
            .await,
    );
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    let err = expect_err(client.delete_files(&[" "]).await);
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);

    assert_eq!(server.tokens_issued(), 0, "not even a token was fetched");
    for path in [UPLOAD, COS, LINKS, DELETE] {
        assert_eq!(server.count(path), 0, "{path}");
    }
}

#[tokio::test]
async fn a_hundred_and_twenty_ids_take_three_calls_and_come_back_in_input_order() {
    let server = Server::start().await;
    let mut ids = Vec::new();
    for i in 0..120 {
        let path = format!("many/{i}.txt");
        if i != 77 {
            server.put_file(&path, b"x");
        }
        ids.push(file_id(&path));
    }

    let links = server
        .client()
        .download_urls(&ids, Duration::from_secs(300))
        .await
        .expect("links");

    let calls = server.seen(LINKS);
    let sizes: Vec<usize> = calls
        .iter()
        .map(|c| c.body["file_list"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [50, 50, 20]);
    assert_eq!(calls[0].body["file_list"][0]["max_age"], 300);
    let got: Vec<&str> = links.iter().map(|l| l.file_id.as_str()).collect();
    assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
    for (i, link) in links.iter().enumerate() {
        if i == 77 {
            assert!(!link.is_ok());
            assert_eq!(link.status, MISSING_STATUS);
            assert_eq!(link.errmsg, MISSING_ERRMSG);
            assert!(link.url.is_empty());
        } else {
            assert!(link.is_ok(), "{link:?}");
            assert!(link.url.contains(&format!("/cos/files/many/{i}.txt")));
        }
    }
}

#[tokio::test]
async fn a_busy_service_on_download_links_is_retried() {
    let server = Server::start().await;
    server.put_file("a.txt", b"a");
    server.script(LINKS, Reply::Errcode(-1));

    let links = server
        .client()
        .download_urls(&[file_id("a.txt")], Duration::from_secs(60))
        .await
        .expect("retried");

    assert!(links[0].is_ok());
    assert_eq!(server.count(LINKS), 2);
}

#[tokio::test]
async fn a_busy_service_on_uploadfile_is_not_repeated() {
    let server = Server::start().await;
    server.script(UPLOAD, Reply::Errcode(-1));

    let err = expect_err(server.client().upload_file("a.txt", b"a".to_vec()).await);

    assert_eq!(err.kind(), ErrorKind::Transient);
    assert_eq!(server.count(UPLOAD), 1, "asking for a ticket is a write");
    assert_eq!(server.count(COS), 0);
}

#[tokio::test]
async fn cos_xml_errors_become_typed_errors_with_their_code() {
    let server = Server::start().await;
    let client = server.client();
    for (status, code, kind) in [
        (403, "SignatureDoesNotMatch", ErrorKind::AccessDenied),
        (400, "ExpiredToken", ErrorKind::AccessDenied),
        (403, "RequestTimeTooSkewed", ErrorKind::AccessDenied),
        (400, "EntityTooLarge", ErrorKind::InvalidRequest),
    ] {
        server.script(COS, xml(status, code));
        let err = expect_err(client.upload_file("a.txt", b"a".to_vec()).await);
        assert_eq!(err.cos_code(), Some(code));
        assert_eq!(err.kind(), kind, "{code}");
        assert!(err.hint().is_some());
        assert!(err.to_string().contains(code), "{err}");
    }
    assert_eq!(server.count(COS), 4, "a refusal is not retried");
}

#[tokio::test]
async fn the_server_checks_the_signature_and_its_refusal_keeps_no_credential() {
    let server = Server::start().await;
    // A ticket whose signature is for another path: the COS endpoint refuses it, and its XML
    // (which echoes the string it signed) leaves no credential in the error.
    server.script(
        UPLOAD,
        Reply::Json(serde_json::json!({
            "errcode": 0, "errmsg": "ok",
            "url": format!("{}/cos/upload", server.url),
            "token": "cos-secret-token", "authorization": "cos-secret-sign-elsewhere",
            "file_id": file_id("a.txt"), "cos_file_id": "meta-a.txt",
        })),
    );
    let err = expect_err(server.client().upload_file("a.txt", b"a".to_vec()).await);
    assert_eq!(err.cos_code(), Some("SignatureDoesNotMatch"));
}

#[tokio::test]
async fn replies_that_are_not_cos_xml_are_transport_errors() {
    let server = Server::start().await;
    let client = server.client();
    let truncated = Reply::Raw {
        status: 403,
        content_type: "application/xml",
        body: b"<Error><Code>Signa".to_vec(),
    };
    let empty = Reply::Raw {
        status: 500,
        content_type: "text/plain",
        body: Vec::new(),
    };
    let huge = Reply::Raw {
        status: 400,
        content_type: "text/html",
        body: vec![b'<'; 8 * 1024 * 1024],
    };
    for reply in [html(403), truncated, huge] {
        server.script(COS, reply);
        let err = expect_err(client.upload_file("a.txt", b"a".to_vec()).await);
        assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
        assert_eq!(err.cos_code(), None);
    }
    // A 5xx without a COS document is retried for a source that can be sent again.
    let before = server.count(COS);
    for _ in 0..2 {
        server.script(COS, empty.clone());
    }
    client
        .upload_file("a.txt", b"a".to_vec())
        .await
        .expect("third try");
    assert_eq!(server.count(COS) - before, 3);
}

#[tokio::test]
async fn a_busy_cos_is_retried_for_bytes_but_a_stream_is_sent_once() {
    let server = Server::start().await;
    let client = server.client();
    server.script(COS, xml(503, "ServiceUnavailable"));

    client
        .upload_file("a.txt", b"a".to_vec())
        .await
        .expect("retried");
    assert_eq!(server.count(COS), 2);

    server.script(COS, xml(503, "ServiceUnavailable"));
    let err = expect_err(
        client
            .upload_file(
                "b.txt",
                UploadSource::stream(pattern_stream(10, 5), Some(10)),
            )
            .await,
    );
    assert_eq!(err.kind(), ErrorKind::Transient);
    assert_eq!(err.cos_code(), Some("ServiceUnavailable"));
    assert_eq!(server.count(COS), 3, "a stream cannot be read twice");
}

#[tokio::test]
async fn a_missing_file_is_not_found() {
    let server = Server::start().await;
    let client = server.client();

    let err = expect_err(client.download_file(&file_id("nope.txt")).await);
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.errcode(), Some(MISSING_STATUS));
    assert_eq!(err.errmsg(), Some(MISSING_ERRMSG));

    // Listed by the service but gone from cloud storage: COS's NoSuchKey.
    server.put_file("gone.txt", b"x");
    server.script("/cos/files/gone.txt", Reply::Raw {
        status: 404,
        content_type: "application/xml",
        body: b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>".to_vec(),
    });
    let err = expect_err(client.download_file(&file_id("gone.txt")).await);
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.cos_code(), Some("NoSuchKey"));
}

#[tokio::test]
async fn a_failing_download_is_retried_and_an_expired_link_is_refused() {
    let server = Server::start().await;
    let client = server.client();
    server.put_file("a.txt", b"abc");
    server.script("/cos/files/a.txt", html(502));

    assert_eq!(
        client.download_file(&file_id("a.txt")).await.unwrap(),
        b"abc"
    );
    assert_eq!(server.count("/cos/files/a.txt"), 2);

    // The stand-in refuses a link whose signature it did not issue, like an expired one.
    server.script(LINKS, Reply::Json(serde_json::json!({
        "errcode": 0, "errmsg": "ok",
        "file_list": [{"fileid": file_id("a.txt"), "download_url": format!("{}/cos/files/a.txt?sign=stale", server.url), "status": 0, "errmsg": "ok"}],
    })));
    let err = expect_err(client.download_file(&file_id("a.txt")).await);
    assert_eq!(err.cos_code(), Some("AccessDenied"));
    assert_eq!(err.kind(), ErrorKind::AccessDenied);
}

#[tokio::test]
async fn deletes_are_split_by_fifty_reported_per_file_and_never_repeated() {
    let server = Server::start().await;
    let client = server.client();
    let ids: Vec<String> = (0..60).map(|i| file_id(&format!("d/{i}"))).collect();
    for i in (0..60).filter(|i| i % 2 == 0) {
        server.put_file(&format!("d/{i}"), b"x");
    }

    let results = client.delete_files(&ids).await.expect("deleted");

    assert_eq!(server.count(DELETE), 2);
    for (i, result) in results.iter().enumerate() {
        assert_eq!(result.file_id, ids[i]);
        assert_eq!(result.is_ok(), i % 2 == 0, "{result:?}");
    }
    assert!(server.stored("d/0").is_none());

    server.script(DELETE, Reply::Errcode(-1));
    let err = expect_err(client.delete_files(&ids[..1]).await);
    assert_eq!(err.kind(), ErrorKind::Transient);
    assert_eq!(
        server.count(DELETE),
        3,
        "a delete that may have run is not repeated"
    );
}

#[test]
fn the_blocking_client_uploads_downloads_and_streams_into_a_writer() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(Server::start());
    let client = server.builder().build_blocking().unwrap();
    let data = vec![7u8; 300_000];

    let id = client
        .upload_file(
            "r.bin",
            UploadSource::reader(std::io::Cursor::new(data.clone()), None),
        )
        .unwrap();
    let mut out = Vec::new();
    let n = client.download_into(&id, &mut out).unwrap();

    assert_eq!(n, 300_000);
    assert_eq!(out, data);
    assert_eq!(client.delete_files(&[id]).unwrap()[0].status, 0);
}
