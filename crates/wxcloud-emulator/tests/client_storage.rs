//! The Rust client's storage calls against the emulator: every call end to end over real
//! sockets, large files streamed both ways, batches, faults, COS errors and migrations through
//! storage.

mod support;

use std::time::Duration;

use futures::StreamExt;
use support::{client, fail_with, http, requests, start};
use wxcloud::{Bytes, ErrorKind, FileType, ImportOptions, UploadSource};
use wxcloud_emulator::Fault;

fn sha256(bytes: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

/// The COS form endpoint's path for cloud path `path`, from a file ID of the same env.
fn cos_path(file_id: &str, path: &str) -> String {
    let bucket = file_id
        .strip_prefix("cloud://")
        .and_then(|rest| rest.split('/').next())
        .and_then(|host| host.split_once('.'))
        .map(|(_, bucket)| bucket)
        .unwrap_or_else(|| panic!("file id {file_id}"));
    format!("/cos/{bucket}/{path}")
}

#[tokio::test]
async fn a_20_mb_file_streams_up_and_down_with_the_same_sha256() {
    let emu = start().await;
    let client = client(&emu);
    let n: usize = 20 * 1024 * 1024;
    let chunk = 256 * 1024;
    let stream = futures::stream::iter((0..n).step_by(chunk)).map(move |start| {
        let piece: Vec<u8> = (start..(start + chunk).min(n))
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        Ok(Bytes::from(piece))
    });
    let expected: Vec<u8> = (0..n)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();

    let id = client
        .upload_file("big/blob.bin", UploadSource::stream(stream, Some(n as u64)))
        .await
        .expect("uploaded");

    assert!(id.starts_with(&format!("cloud://{}.", emu.env())), "{id}");
    assert!(id.ends_with("/big/blob.bin"), "{id}");
    let mut download = client.download_file_stream(&id).await.expect("opened");
    assert_eq!(download.content_length(), Some(n as u64));
    let mut got = Vec::with_capacity(n);
    while let Some(piece) = download.chunk().await.expect("chunk") {
        got.extend_from_slice(&piece);
    }
    assert_eq!(got.len(), n);
    assert_eq!(sha256(&got), sha256(&expected));
}

#[tokio::test]
async fn every_storage_call_round_trips() {
    let emu = start().await;
    let client = client(&emu);
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("a.txt");
    std::fs::write(&local, "from a file\n").unwrap();

    let from_file = client
        .upload_file("docs/a.txt", local.as_path())
        .await
        .unwrap();
    let from_bytes = client
        .upload_file("docs/b.txt", b"from bytes".to_vec())
        .await
        .unwrap();
    assert_eq!(
        client.download_file(&from_file).await.unwrap(),
        b"from a file\n"
    );
    let out = dir.path().join("b.out");
    assert_eq!(client.download_to(&from_bytes, &out).await.unwrap(), 10);
    assert_eq!(std::fs::read(&out).unwrap(), b"from bytes");

    let links = client
        .download_urls(&[&from_file, &from_bytes], Duration::from_secs(600))
        .await
        .unwrap();
    assert!(links.iter().all(|l| l.is_ok()), "{links:?}");
    let fetched = http().get(&links[1].url).send().await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), b"from bytes");

    let deleted = client
        .delete_files(&[&from_file, &from_file])
        .await
        .unwrap();
    assert!(deleted[0].is_ok());
    assert!(!deleted[1].is_ok(), "already gone: {deleted:?}");
    assert_eq!(deleted[1].errmsg, "STORAGE_FILE_NONEXIST");
    let err = client.download_file(&from_file).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert_eq!(err.errcode(), Some(-503003));

    let creds = client.qcloud_token(Duration::from_secs(600)).await.unwrap();
    assert!(creds.secret_id.starts_with("AKID"));
    assert!(!creds.secret_key.is_empty() && !creds.token.is_empty());
    let shown = format!("{creds:?}");
    assert!(
        !shown.contains(&creds.secret_key) && !shown.contains(&creds.token),
        "{shown}"
    );
}

#[tokio::test]
async fn an_expired_download_link_is_refused() {
    let emu = start().await;
    let client = client(&emu);
    let id = client
        .upload_file("short.txt", b"short-lived".to_vec())
        .await
        .unwrap();
    let link = client
        .download_urls(&[&id], Duration::from_secs(60))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(http().get(&link.url).send().await.unwrap().status(), 200);

    emu.advance_clock(Duration::from_secs(61));

    let refused = http().get(&link.url).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let body = refused.text().await.unwrap();
    assert!(body.contains("<Code>AccessDenied</Code>"), "{body}");
    // A new link works again.
    assert_eq!(client.download_file(&id).await.unwrap(), b"short-lived");
}

#[tokio::test]
async fn a_hundred_and_twenty_ids_take_three_calls_in_input_order() {
    let emu = start().await;
    let client = client(&emu);
    let mut ids = Vec::new();
    for i in 0..120 {
        let path = format!("many/{i:03}.txt");
        if i == 64 {
            // Never uploaded: a file ID of the right shape that does not exist.
            let any = ids
                .first()
                .cloned()
                .unwrap_or_else(|| "cloud://x/".to_string());
            ids.push(any.replace("many/000.txt", "many/064.txt"));
            continue;
        }
        ids.push(
            client
                .upload_file(&path, format!("file {i}").into_bytes())
                .await
                .unwrap(),
        );
    }
    let before = requests(&emu, "/tcb/batchdownloadfile").await;

    let links = client
        .download_urls(&ids, Duration::from_secs(300))
        .await
        .unwrap();

    assert_eq!(requests(&emu, "/tcb/batchdownloadfile").await - before, 3);
    assert_eq!(links.len(), 120);
    for (i, link) in links.iter().enumerate() {
        assert_eq!(link.file_id, ids[i]);
        if i == 64 {
            assert_eq!(link.status, -503003, "{link:?}");
            assert_eq!(link.errmsg, "STORAGE_FILE_NONEXIST");
            assert!(link.url.is_empty());
        } else {
            assert!(link.is_ok(), "{link:?}");
        }
    }
    let got = http()
        .get(&links[119].url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.as_ref(), b"file 119");
    let deleted = client.delete_files(&ids).await.unwrap();
    assert_eq!(deleted.iter().filter(|d| d.is_ok()).count(), 119);
    assert_eq!(deleted[64].status, -503003);
}

#[tokio::test]
async fn a_busy_batchdownloadfile_is_retried_but_uploadfile_is_not_repeated() {
    let emu = start().await;
    let client = client(&emu);
    let id = client.upload_file("a.txt", b"a".to_vec()).await.unwrap();

    fail_with(&emu, "/tcb/batchdownloadfile", -1, 1);
    let before = requests(&emu, "/tcb/batchdownloadfile").await;
    let links = client
        .download_urls(&[&id], Duration::from_secs(60))
        .await
        .unwrap();
    assert!(links[0].is_ok());
    assert_eq!(requests(&emu, "/tcb/batchdownloadfile").await - before, 2);

    fail_with(&emu, "/tcb/uploadfile", -1, 5);
    let before = requests(&emu, "/tcb/uploadfile").await;
    let err = client
        .upload_file("b.txt", b"b".to_vec())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transient);
    assert_eq!(
        requests(&emu, "/tcb/uploadfile").await - before,
        1,
        "one request"
    );
    assert_eq!(requests(&emu, &cos_path(&id, "b.txt")).await, 0);

    fail_with(&emu, "/tcb/batchdeletefile", -1, 1);
    let err = client.delete_files(&[&id]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transient);
    assert_eq!(
        requests(&emu, "/tcb/batchdeletefile").await,
        1,
        "one request"
    );
}

#[tokio::test]
async fn cos_refusals_become_typed_errors_and_a_busy_cos_is_retried() {
    let emu = start().await;
    let client = client(&emu);
    let id = client.upload_file("a.txt", b"a".to_vec()).await.unwrap();
    let path = cos_path(&id, "c.txt");

    emu.inject_fault(Fault {
        path: path.clone(),
        status: Some(403),
        body: Some("<?xml version='1.0'?><Error><Code>SignatureDoesNotMatch</Code><Message>The Signature you specified is invalid.</Message></Error>".into()),
        ..Fault::default()
    })
    .unwrap();
    let err = client
        .upload_file("c.txt", b"c".to_vec())
        .await
        .unwrap_err();
    assert_eq!(err.cos_code(), Some("SignatureDoesNotMatch"));
    assert_eq!(err.kind(), ErrorKind::AccessDenied);
    assert!(
        err.hint().unwrap().contains("signature"),
        "{:?}",
        err.hint()
    );

    emu.inject_fault(Fault {
        path: path.clone(),
        status: Some(502),
        body: Some("<html>bad gateway</html>".into()),
        ..Fault::default()
    })
    .unwrap();
    let before = requests(&emu, &path).await;
    let again = client.upload_file("c.txt", b"c".to_vec()).await.unwrap();
    assert_eq!(
        requests(&emu, &path).await - before,
        2,
        "the COS step was sent again"
    );
    assert_eq!(client.download_file(&again).await.unwrap(), b"c");
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let emu = start().await;
    let client = client(&emu);
    for path in ["", "/lead.txt", "a/../b.txt", ".."] {
        let err = client.upload_file(path, b"x".to_vec()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{path:?}");
    }
    let err = client
        .upload_file("a.txt", std::path::Path::new("/no/such/file.bin"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    let stats = emu.stats();
    assert!(stats.requests.is_empty(), "{:?}", stats.requests);
    assert!(stats.token_fetches.is_empty());
}

#[tokio::test]
async fn a_json_lines_file_imported_from_storage_exports_back_the_same_records() {
    let emu = start().await;
    let client = client(&emu);
    client.create_collection("people").await.unwrap();
    let lines = "{\"_id\":\"p1\",\"name\":\"Ada\",\"age\":36}\n{\"_id\":\"p2\",\"name\":\"Lin\",\"age\":{\"$numberInt\":\"29\"}}\n{\"_id\":\"p3\",\"name\":\"Zoë\",\"tags\":[\"x\",\"y\"]}\n";
    client
        .upload_file("imports/people.jsonl", lines.as_bytes().to_vec())
        .await
        .unwrap();

    let job = client
        .migrate_import("people", "imports/people.jsonl", ImportOptions::default())
        .await
        .unwrap();
    let status = client.migrate_status(job).await.unwrap();
    assert_eq!(status.record_success, 3, "{status:?}");

    let job = client
        .migrate_export(
            "exports/people.jsonl",
            FileType::Json,
            r#"db.collection("people").where({}).orderBy("_id","asc").limit(100).get()"#,
        )
        .await
        .unwrap();
    let status = client.migrate_status(job).await.unwrap();
    let url = status.file_url.clone().expect("an export has a file_url");
    assert!(!format!("{status:?}").contains(url.split_once('?').unwrap().1));
    let exported = http().get(&url).send().await.unwrap().text().await.unwrap();

    let decode = |text: &str| -> Vec<wxcloud::Value> {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| wxcloud::ejson::decode_value(l).unwrap())
            .collect()
    };
    assert_eq!(decode(&exported), decode(lines));
    // The export is a file in storage too: the client downloads it by its cloud path's ID.
    let export_id = client
        .upload_file("probe.txt", b"p".to_vec())
        .await
        .unwrap()
        .replace("probe.txt", "exports/people.jsonl");
    let by_id = client.download_file(&export_id).await.unwrap();
    assert_eq!(by_id, exported.as_bytes());
}
