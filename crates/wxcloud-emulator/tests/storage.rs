//! File storage over real sockets: `uploadfile` and the COS form it points to, signed download
//! URLs, `batchdownloadfile`, `batchdeletefile`, `getqcloudtoken`, their limits and errcodes,
//! the hooks on the new paths, and migrations through storage.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::*;
use wxcloud_emulator::{Fault, RunningEmulator};

fn sha256(bytes: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

/// The `<Code>` of a COS XML error body.
fn xml_code(body: &str) -> &str {
    body.split("<Code>")
        .nth(1)
        .and_then(|rest| rest.split("</Code>").next())
        .unwrap_or_else(|| panic!("no <Code> in {body}"))
}

#[tokio::test]
async fn an_upload_and_its_download_have_the_real_shapes() {
    let emu = start().await;
    let t = token(&emu).await;
    let grant = upload_grant(&emu, &t, "img/a.png").await;
    for field in ["url", "token", "authorization", "file_id", "cos_file_id"] {
        assert!(
            grant[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field}: {grant}"
        );
    }
    let file_id = grant["file_id"].as_str().unwrap();
    let bucket = file_id
        .strip_prefix(&format!("cloud://{}.", emu.env()))
        .and_then(|rest| rest.strip_suffix("/img/a.png"))
        .unwrap_or_else(|| panic!("file id {file_id}"));
    assert!(bucket.starts_with("7465-test2-4a89da-"), "{bucket}");
    assert_eq!(
        grant["url"],
        format!("{}/cos/{bucket}/img/a.png", emu.base_url())
    );
    assert!(
        grant["authorization"]
            .as_str()
            .unwrap()
            .starts_with("q-sign-algorithm=")
    );

    let png = b"\x89PNG\r\n\x1a\n not really a picture";
    let (status, body) = post_form(
        grant["url"].as_str().unwrap(),
        &grant_fields(&grant, "img/a.png", png),
    )
    .await;
    assert_eq!((status, body.as_str()), (204, ""));

    let entry = download_entry(&emu, &t, file_id, 600).await;
    assert_eq!(entry["fileid"], file_id);
    assert_eq!(
        (entry["status"].clone(), entry["errmsg"].clone()),
        (json!(0), json!("ok"))
    );
    let url = entry["download_url"].as_str().unwrap();
    assert!(url.contains("sign=") && url.contains("&t="), "{url}");
    let reply = http().get(url).send().await.unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.headers()["content-type"], "image/png");
    assert_eq!(
        reply.headers()["content-length"],
        png.len().to_string().as_str()
    );
    assert_eq!(reply.bytes().await.unwrap().as_ref(), png);
    let head = http().head(url).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(
        head.headers()["content-length"],
        png.len().to_string().as_str()
    );
}

#[tokio::test]
async fn the_cos_form_checks_signature_token_and_field_order_like_cos() {
    let emu = start().await;
    let t = token(&emu).await;
    let path = "docs/x.txt";
    let grant = upload_grant(&emu, &t, path).await;
    let url = grant["url"].as_str().unwrap();
    let good = grant_fields(&grant, path, b"hello");
    let with = |name: &str, value: &'static [u8]| {
        good.iter()
            .map(|(n, v)| if *n == name { (*n, value) } else { (*n, *v) })
            .collect::<Vec<_>>()
    };
    let without = |name: &str| {
        good.iter()
            .filter(|(n, _)| *n != name)
            .cloned()
            .collect::<Vec<_>>()
    };

    let (status, body) = post_form(
        url,
        &with(
            "Signature",
            b"q-sign-algorithm=sha256&q-sign-time=1;9999999999&q-signature=00",
        ),
    )
    .await;
    assert_eq!(
        (status, xml_code(&body)),
        (403, "SignatureDoesNotMatch"),
        "{body}"
    );
    assert!(body.starts_with("<?xml") && body.contains("<Error>") && body.contains("<Message>"));
    let secrets = [
        &grant["authorization"],
        &grant["token"],
        &grant["cos_file_id"],
    ];
    for secret in secrets.iter().map(|s| s.as_str().unwrap()) {
        assert!(
            !body.contains(secret),
            "a COS error never echoes a credential"
        );
    }
    let (status, body) = post_form(url, &with("key", b"docs/other.txt")).await;
    assert_eq!(
        (status, xml_code(&body)),
        (403, "SignatureDoesNotMatch"),
        "a grant is for its own key"
    );
    let (status, body) = post_form(url, &with("x-cos-security-token", b"not-the-token")).await;
    assert_eq!((status, xml_code(&body)), (400, "InvalidToken"), "{body}");
    let (status, body) = post_form(url, &without("Signature")).await;
    assert_eq!((status, xml_code(&body)), (403, "AccessDenied"), "{body}");
    let (status, body) = post_form(url, &without("file")).await;
    assert_eq!(
        (status, xml_code(&body)),
        (400, "MalformedPOSTRequest"),
        "{body}"
    );
    let wrong_bucket = url.replace("/cos/7465-", "/cos/0000-");
    let (status, body) = post_form(&wrong_bucket, &good).await;
    assert_eq!((status, xml_code(&body)), (404, "NoSuchBucket"), "{body}");
    // Nothing was stored by the refused uploads.
    let entry = download_entry(&emu, &t, grant["file_id"].as_str().unwrap(), 60).await;
    assert_eq!(entry["status"], -503003, "{entry}");

    // Fields after the file are ignored, as COS ignores them: the signature comes too late.
    let mut late = without("Signature");
    late.push((
        "Signature",
        grant["authorization"].as_str().unwrap().as_bytes(),
    ));
    let (status, body) = post_form(url, &late).await;
    assert_eq!((status, xml_code(&body)), (403, "AccessDenied"), "{body}");

    // Without x-cos-meta-fileid (or with it after the file) the file is stored but cannot be
    // downloaded.
    let mut meta_late = without("x-cos-meta-fileid");
    meta_late.push((
        "x-cos-meta-fileid",
        grant["cos_file_id"].as_str().unwrap().as_bytes(),
    ));
    for fields in [without("x-cos-meta-fileid"), meta_late] {
        let (status, body) = post_form(url, &fields).await;
        assert_eq!((status, body.as_str()), (204, ""));
        let entry = download_entry(&emu, &t, grant["file_id"].as_str().unwrap(), 60).await;
        assert_eq!(entry["status"], -503003, "{entry}");
        assert_eq!(entry["download_url"], "");
        assert!(
            entry["errmsg"]
                .as_str()
                .unwrap()
                .starts_with("STORAGE_FILE_NONEXIST")
        );
    }

    // An upload after the grant expired is refused.
    emu.advance_clock(Duration::from_secs(901));
    let (status, body) = post_form(url, &good).await;
    assert_eq!((status, xml_code(&body)), (400, "ExpiredToken"), "{body}");
}

#[tokio::test]
async fn download_urls_expire_and_cannot_be_altered() {
    let emu = start().await;
    let t = token(&emu).await;
    let id = upload(&emu, &t, "a/b c.json", b"{\"k\":1}").await;
    let entry = download_entry(&emu, &t, &id, 60).await;
    let url = entry["download_url"].as_str().unwrap().to_owned();
    assert!(url.contains("/a/b%20c.json?"), "{url}");
    let reply = http().get(&url).send().await.unwrap();
    assert_eq!(reply.headers()["content-type"], "application/json");
    let tampered = url.replace("&t=", "&t=9");
    let reply = http().get(&tampered).send().await.unwrap();
    assert_eq!(reply.status(), 403);
    assert_eq!(
        xml_code(&reply.text().await.unwrap()),
        "SignatureDoesNotMatch"
    );
    let unsigned = url.split('?').next().unwrap().to_owned();
    let reply = http().get(&unsigned).send().await.unwrap();
    assert_eq!(reply.status(), 403);

    emu.advance_clock(Duration::from_secs(61));
    let reply = http().get(&url).send().await.unwrap();
    assert_eq!(reply.status(), 403);
    let body = reply.text().await.unwrap();
    assert_eq!(xml_code(&body), "AccessDenied");
    assert!(body.contains("Request has expired"), "{body}");
    // A new link works again.
    assert_eq!(download(&emu, &t, &id).await, b"{\"k\":1}");
}

#[tokio::test]
async fn batches_report_each_file_in_order_and_stop_at_fifty() {
    let emu = start().await;
    let t = token(&emu).await;
    let a = upload(&emu, &t, "batch/a.txt", b"a").await;
    let b = upload(&emu, &t, "batch/b.txt", b"b").await;
    let missing = a.replace("a.txt", "nope.txt");
    let other_env = "cloud://local.6c6f-local-1/a.txt";
    let body = json!({"env": emu.env(), "file_list": [
        {"fileid": b, "max_age": 60}, {"fileid": missing, "max_age": 60},
        {"fileid": a, "max_age": 60}, {"fileid": other_env, "max_age": 60}]});
    let list = ok(tcb(&emu, &t, "batchdownloadfile", body).await)["file_list"].clone();
    let statuses: Vec<(Value, Value)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["fileid"].clone(), e["status"].clone()))
        .collect();
    assert_eq!(
        statuses,
        [
            (json!(b), json!(0)),
            (json!(missing), json!(-503003)),
            (json!(a), json!(0)),
            (json!(other_env), json!(-503003))
        ]
    );
    assert_eq!(list[1]["errmsg"], "STORAGE_FILE_NONEXIST");

    let fifty_one: Vec<Value> = (0..51)
        .map(|_| json!({"fileid": a, "max_age": 60}))
        .collect();
    let reply = tcb(
        &emu,
        &t,
        "batchdownloadfile",
        json!({"env": emu.env(), "file_list": fifty_one}),
    )
    .await;
    assert_eq!(errcode(&reply), -501007, "{reply}");
    let ids: Vec<&str> = std::iter::repeat_n(a.as_str(), 51).collect();
    let reply = tcb(
        &emu,
        &t,
        "batchdeletefile",
        json!({"env": emu.env(), "fileid_list": ids}),
    )
    .await;
    assert_eq!(errcode(&reply), -501007, "{reply}");

    let reply = ok(tcb(
        &emu,
        &t,
        "batchdeletefile",
        json!({"env": emu.env(), "fileid_list": [a, missing]}),
    )
    .await);
    assert_eq!(
        reply["delete_list"],
        json!([{"fileid": a, "status": 0, "errmsg": "ok"}, {"fileid": missing, "status": -503003, "errmsg": "STORAGE_FILE_NONEXIST"}])
    );
    assert_eq!(download_entry(&emu, &t, &a, 60).await["status"], -503003);
    assert_eq!(download(&emu, &t, &b).await, b"b", "the other file stays");
}

#[tokio::test]
async fn bad_requests_get_the_service_errcodes() {
    let emu = start().await;
    let t = token(&emu).await;
    for op in [
        "uploadfile",
        "batchdownloadfile",
        "batchdeletefile",
        "getqcloudtoken",
    ] {
        let url = format!("{}/tcb/{op}?access_token={t}", emu.base_url());
        let empty = http()
            .post(&url)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        assert_eq!(errcode(&empty), 44002, "{op}");
        assert_eq!(empty["errmsg"], "empty post data");
        let not_json = http()
            .post(&url)
            .body("{")
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        assert_eq!(errcode(&not_json), 47001, "{op}");
        assert_eq!(
            errcode(&tcb(&emu, "", op, json!({"env": emu.env()})).await),
            41001,
            "{op}"
        );
        let stale = "a".repeat(136);
        assert_eq!(
            errcode(&tcb(&emu, &stale, op, json!({"env": emu.env()})).await),
            40001,
            "{op}"
        );
    }
    let env = emu.env();
    let cases = [
        ("uploadfile", json!({"env": env}), 40101),
        ("uploadfile", json!({"env": env, "path": "/"}), 40101),
        ("uploadfile", json!({"env": env, "path": "a/../b"}), 40097),
        ("uploadfile", json!({"env": env, "path": 5}), 40097),
        ("uploadfile", json!({"env": "nope", "path": "a"}), -501007),
        ("batchdownloadfile", json!({"env": env}), 40101),
        (
            "batchdownloadfile",
            json!({"env": env, "file_list": "x"}),
            40097,
        ),
        (
            "batchdownloadfile",
            json!({"env": env, "file_list": [{"max_age": 1}]}),
            40101,
        ),
        (
            "batchdownloadfile",
            json!({"env": env, "file_list": [{"fileid": "x", "max_age": 0}]}),
            40097,
        ),
        (
            "batchdeletefile",
            json!({"env": env, "fileid_list": [1]}),
            40097,
        ),
    ];
    for (op, body, code) in cases {
        let reply = tcb(&emu, &t, op, body.clone()).await;
        assert_eq!(errcode(&reply), code, "{op} {body}: {reply}");
    }
    let leading = upload_grant(&emu, &t, "/lead/a.txt").await;
    let leading_id = leading["file_id"].as_str().unwrap();
    assert!(
        leading_id.ends_with("/lead/a.txt") && !leading_id.contains("//lead"),
        "{leading}"
    );
}

#[tokio::test]
async fn qcloud_tokens_have_the_real_fields_and_lifespan_rules() {
    let emu = start().await;
    let t = token(&emu).await;
    let reply = ok(tcb(&emu, &t, "getqcloudtoken", json!({"lifespan": 600})).await);
    assert!(reply["secretid"].as_str().unwrap().starts_with("AKID"));
    assert!(!reply["secretkey"].as_str().unwrap().is_empty());
    assert!(!reply["token"].as_str().unwrap().is_empty());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let expires = reply["expired_time"].as_i64().unwrap();
    assert!((now + 590..=now + 610).contains(&expires), "{reply}");
    for bad in [
        json!({"lifespan": 0}),
        json!({"lifespan": 7201}),
        json!({"lifespan": "x"}),
    ] {
        assert_eq!(
            errcode(&tcb(&emu, &t, "getqcloudtoken", bad.clone()).await),
            40097,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn twenty_megabytes_go_up_and_come_back_identical() {
    let emu = start().await;
    let t = token(&emu).await;
    let bytes: Vec<u8> = (0..20 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let id = upload(&emu, &t, "big/blob.bin", &bytes).await;
    let back = download(&emu, &t, &id).await;
    assert_eq!(back.len(), bytes.len());
    assert_eq!(sha256(&back), sha256(&bytes));
}

async fn stats_of(emu: &RunningEmulator, path: &str) -> u64 {
    get_json(&format!("{}/__emulator/stats", emu.base_url())).await["requests"][path]
        .as_u64()
        .unwrap_or(0)
}

#[tokio::test]
async fn hooks_count_fault_and_reset_the_new_paths() {
    let emu = start().await;
    let t = token(&emu).await;
    let id = upload(&emu, &t, "hooked.txt", b"x").await;
    assert_eq!(stats_of(&emu, "/tcb/uploadfile").await, 1);
    let bucket_path = format!(
        "/cos/{}/hooked.txt",
        id.split('/').nth(2).unwrap().split_once('.').unwrap().1
    );
    assert_eq!(
        stats_of(&emu, &bucket_path).await,
        1,
        "the COS form post is counted"
    );
    for path in [
        "/tcb/invokecloudfunction",
        "/tcb/uploadfile",
        "/tcb/batchdownloadfile",
        "/tcb/batchdeletefile",
        "/tcb/getqcloudtoken",
    ] {
        let fault = json!({"path": path, "errcode": -1});
        ok(post_json(&format!("{}/__emulator/faults", emu.base_url()), &fault).await);
    }
    let down = json!({"env": emu.env(), "file_list": [{"fileid": id, "max_age": 60}]});
    assert_eq!(
        errcode(&tcb(&emu, &t, "batchdownloadfile", down.clone()).await),
        -1
    );
    assert_eq!(
        errcode(
            &tcb(
                &emu,
                &t,
                "uploadfile",
                json!({"env": emu.env(), "path": "p"})
            )
            .await
        ),
        -1
    );
    assert_eq!(
        errcode(
            &tcb(
                &emu,
                &t,
                "batchdeletefile",
                json!({"env": emu.env(), "fileid_list": [id]})
            )
            .await
        ),
        -1
    );
    assert_eq!(
        errcode(&tcb(&emu, &t, "getqcloudtoken", json!({"lifespan": 60})).await),
        -1
    );
    let invoke = format!(
        "{}/tcb/invokecloudfunction?access_token={t}&env={}&name=f",
        emu.base_url(),
        emu.env()
    );
    assert_eq!(errcode(&post_json(&invoke, &json!({})).await), -1);
    assert_eq!(stats_of(&emu, "/tcb/batchdownloadfile").await, 1);
    assert_eq!(stats_of(&emu, "/tcb/invokecloudfunction").await, 1);
    // The fault was used up: the calls work again and the file is still there.
    assert_eq!(download(&emu, &t, &id).await, b"x");

    emu.inject_fault(Fault {
        path: bucket_path.clone(),
        status: Some(503),
        body: Some("<Error/>".into()),
        ..Fault::default()
    })
    .unwrap();
    let grant = upload_grant(&emu, &t, "hooked.txt").await;
    let (status, _) = post_form(
        grant["url"].as_str().unwrap(),
        &grant_fields(&grant, "hooked.txt", b"y"),
    )
    .await;
    assert_eq!(status, 503, "faults apply to the COS form path too");

    ok(post_json(&format!("{}/__emulator/reset", emu.base_url()), &json!({})).await);
    let t = token(&emu).await;
    assert_eq!(
        download_entry(&emu, &t, &id, 60).await["status"],
        -503003,
        "reset clears storage"
    );
}

#[tokio::test]
async fn migrations_import_from_and_export_to_storage() {
    let emu = start().await;
    let t = token(&emu).await;
    create_collection(&emu, &t, "people").await;
    let lines = "{\"_id\":\"a\",\"n\":{\"$numberLong\":\"5\"}}\n{\"_id\":\"b\",\"n\":2}\n{\"_id\":\"c\",\"n\":3}\n";
    upload(&emu, &t, "import/people.json", lines.as_bytes()).await;
    let import = json!({"env": emu.env(), "collection_name": "people", "file_path": "import/people.json", "file_type": 1, "stop_on_error": true, "conflict_mode": 1});
    let info = migrate_job(&emu, &t, "databasemigrateimport", import).await;
    assert_eq!(
        (info["status"].as_str(), info["record_success"].as_i64()),
        (Some("success"), Some(3)),
        "{info}"
    );
    assert_eq!(info["file_url"], "", "an import has no file_url");

    let missing = json!({"env": emu.env(), "collection_name": "people", "file_path": "/tmp/not-in-storage.json", "file_type": 1, "conflict_mode": 1});
    let info = migrate_job(&emu, &t, "databasemigrateimport", missing).await;
    assert_eq!(info["status"], "fail", "local paths are not read: {info}");

    let export = json!({"env": emu.env(), "file_path": "export/big.json", "file_type": 1, "query": "db.collection(\"people\").where({n: _.gte(3)}).get()"});
    let info = migrate_job(&emu, &t, "databasemigrateexport", export).await;
    assert_eq!(
        (info["status"].as_str(), info["record_success"].as_i64()),
        (Some("success"), Some(2)),
        "{info}"
    );
    let url = info["file_url"].as_str().unwrap();
    let exported = http().get(url).send().await.unwrap().text().await.unwrap();
    let ids: Vec<String> = exported
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids, ["a", "c"]);
    // The export is an ordinary stored file: its file ID downloads it too.
    let id = wxcloud_file_id(&emu, "export/big.json", &t).await;
    assert_eq!(download(&emu, &t, &id).await, exported.as_bytes());
}

/// The file ID `uploadfile` names for `path` (without uploading anything).
async fn wxcloud_file_id(emu: &RunningEmulator, path: &str, t: &str) -> String {
    upload_grant(emu, t, path).await["file_id"]
        .as_str()
        .unwrap()
        .to_owned()
}
