"""The emulator's web console in headless Chromium (Debian's chromium, driven by Playwright).

The emulator is the built `wxcloud emulator --in-memory --port 0` binary, filled over its HTTP
API by the test; changes made in the page are checked through the `wxcloud` CLI as a client.
Any error in the browser's console fails the run. Set CONSOLE_SCREENSHOTS=DIR to keep a
screenshot of each panel.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import tempfile
import threading
import urllib.parse
import urllib.request
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest
from playwright.sync_api import Page, expect, sync_playwright

WXCLOUD = os.environ["WXCLOUD_BIN"]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = os.environ.get("CONSOLE_SCREENSHOTS")
ENV = "test2-4a89da"
APPID, SECRET = "wxemulator", "emulator-secret"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class Emulator:
    """A running `wxcloud emulator` process and plain HTTP calls to it."""

    def __init__(self, function_url: str) -> None:
        self.proc = subprocess.Popen(
            [WXCLOUD, "emulator", "--in-memory", "--port", "0", "--function", f"echo={function_url}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline().strip()
        assert first.startswith("listening on http://"), first
        self.base = first.removeprefix("listening on ")
        self.token = self.get("/cgi-bin/token?" + urllib.parse.urlencode(
            {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}))["access_token"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=20) as reply:
            return json.loads(reply.read())

    def get(self, path: str) -> Any:
        return self.call("GET", path)

    def tcb(self, op: str, body: dict[str, Any]) -> Any:
        return self.call("POST", f"/tcb/{op}?access_token={self.token}", {"env": ENV, **body})

    def cli(self, *args: str) -> str:
        env = dict(os.environ, WXCLOUD_BASE_URL=self.base, WXCLOUD_APPID=APPID,
                   WXCLOUD_SECRET=SECRET, WXCLOUD_ENV=ENV)
        done = subprocess.run([WXCLOUD, *args], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


class EchoFunction(BaseHTTPRequestHandler):
    """A cloud function served over HTTP: replies with the event it got."""

    def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
        event = json.loads(self.rfile.read(int(self.headers["content-length"])))
        body = json.dumps({"echo": event.get("greeting")}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def png(width: int, height: int) -> bytes:
    """A small PNG image: a green-to-blue gradient."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(
        b"\x00" + b"".join(bytes((7, 193 - y, 96 + x * 159 // width)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    functions = ThreadingHTTPServer(("127.0.0.1", 0), EchoFunction)
    threading.Thread(target=functions.serve_forever, daemon=True).start()
    emulator = Emulator(f"http://127.0.0.1:{functions.server_port}/")
    try:
        assert emulator.tcb("databasecollectionadd", {"collection_name": "people"})["errcode"] == 0
        docs = ", ".join(
            f'{{_id: "p{i:03}", n: {i}, name: "person {i}", score: {i * 1.5 + 0.25}, born: new Date({1700000000000 + i * 86400000})}}'
            for i in range(250)
        )
        added = emulator.tcb("databaseadd", {"query": f'db.collection("people").add({{data: [{docs}]}})'})
        assert added["errcode"] == 0, added
        called = emulator.call("POST", f"/tcb/invokecloudfunction?access_token={emulator.token}&env={ENV}&name=echo",
                               {"greeting": "hello"})
        assert called["errcode"] == 0, called
        yield emulator
    finally:
        emulator.stop()
        functions.shutdown()


@pytest.fixture(scope="module")
def page(emu: Emulator) -> Iterator[Page]:
    errors: list[str] = []
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 800},
        )
        pg = context.new_page()
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("dialog", lambda d: d.accept())
        pg.goto(emu.base + "/")
        yield pg
        context.close()
    assert errors == [], f"the browser console logged errors: {errors}"


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"console-{name}.png"))


def test_the_console_is_also_served_under_ui(emu: Emulator) -> None:
    with urllib.request.urlopen(emu.base + "/__emulator/ui/", timeout=10) as reply:
        assert b"<title>wxcloud emulator</title>" in reply.read()


def test_browse_a_collection_and_page_through_250_records(page: Page) -> None:
    page.get_by_role("button", name="people").click()
    expect(page.locator("#coll-meta")).to_contain_text("250 records")
    expect(page.locator("#page-info")).to_have_text("1–50 of 250")
    expect(page.locator("#documents .name").first).to_have_text("p249")  # newest first
    page.locator("#documents .item").first.click()
    view = page.locator("#doc-view")
    expect(view).to_contain_text('"score"')
    expect(view.locator(".type", has_text="Double")).to_have_count(1)
    expect(view.locator(".type", has_text="Date")).to_have_count(1)
    expect(view.locator(".type", has_text="Int32")).to_have_count(1)
    shot(page, "database")
    for start in (51, 101, 151, 201):
        page.get_by_role("button", name="Next page").click()
        expect(page.locator("#page-info")).to_have_text(f"{start}–{start + 49} of 250")
    expect(page.get_by_role("button", name="Next page")).to_be_disabled()
    expect(page.locator("#documents .name").last).to_have_text("p000")
    # Sorted by a field instead.
    page.get_by_label("Sort by").fill("score")
    page.get_by_label("Sort order").select_option("desc")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#page-info")).to_have_text("1–50 of 250")
    expect(page.locator("#documents .name").first).to_have_text("p249")
    page.get_by_label("Sort order").select_option("asc")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#documents .name").first).to_have_text("p000")


def test_edit_a_record_and_see_it_through_a_client(page: Page, emu: Emulator) -> None:
    page.locator("#documents .item", has_text="p007").click()
    page.get_by_role("button", name="Edit").click()
    editor = page.get_by_label("Record as Extended JSON")
    editor.fill('{"_id": "p007", "name": ')
    expect(page.locator("#doc-valid")).to_contain_text("Not JSON")
    expect(page.get_by_role("button", name="Save")).to_be_disabled()
    editor.fill('{"_id": "p007", "n": {"$numberInt": "7"}, "name": "edited in the console"}')
    expect(page.locator("#doc-valid")).to_have_text("Valid JSON.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#doc-view")).to_contain_text("edited in the console")
    out = emu.cli("query", 'db.collection("people").doc("p007").get()')
    assert json.loads(out.splitlines()[0])["name"] == "edited in the console", out


def test_a_failing_statement_shows_its_errcode_and_a_good_one_its_records(page: Page) -> None:
    box = page.get_by_label("Statement (query, aggregate, count, add, update, remove)")
    box.fill('db.collection("no_such_collection").get()')
    page.get_by_role("button", name="Run").click()
    error = page.locator("#statement-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("errcode -502005")
    expect(error).to_contain_text("no_such_collection")
    error.scroll_into_view_if_needed()
    shot(page, "statement")
    box.fill('db.collection("people").where({n: _.lt(3)}).orderBy("n", "asc").get()')
    box.press("Control+Enter")
    expect(error).to_be_hidden()
    expect(page.locator("#statement-result")).to_contain_text('"p002"')


def test_create_a_collection_add_a_record_and_an_index_then_drop_them(page: Page, emu: Emulator) -> None:
    page.get_by_label("New collection").fill("scratch")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.locator("#coll-title")).to_have_text("scratch")
    page.get_by_role("button", name="Add record").click()
    page.get_by_label("Record as Extended JSON").fill('{"_id": "s1", "big": {"$numberLong": "9007199254740993"}}')
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#page-info")).to_have_text("1–1 of 1")
    page.locator("#documents .item").first.click()
    expect(page.locator("#doc-view .type", has_text="Int64")).to_have_count(1)
    page.locator("#indexes-box summary").click()
    page.get_by_label("Name", exact=True).fill("by_big")
    page.get_by_label("Field", exact=True).fill("big")
    page.get_by_label("unique").check()
    page.get_by_role("button", name="Create index").click()
    expect(page.locator("#indexes")).to_contain_text("by_big")
    expect(page.locator("#coll-meta")).to_contain_text("2 indexes")
    page.get_by_role("button", name="Add record").click()
    page.get_by_label("Record as Extended JSON").fill('{"_id": "s2", "big": {"$numberLong": "9007199254740993"}}')
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#doc-valid")).to_contain_text("errcode -502001")  # the unique index refuses it
    page.get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name="Drop index by_big").click()
    expect(page.locator("#indexes")).not_to_contain_text("by_big")
    page.get_by_role("button", name="Drop collection").click()
    expect(page.locator("#collections")).not_to_contain_text("scratch")
    listed = emu.tcb("databasecollectionget", {"limit": 100})["collections"]
    assert "scratch" not in {c["name"] for c in listed}


def test_upload_files_by_drop_and_by_picker_and_preview_them(page: Page, emu: Emulator) -> None:
    page.get_by_role("tab", name="Storage").click()
    page.get_by_label("Upload to folder").fill("images")
    image = list(png(160, 96))
    page.evaluate(
        """(bytes) => {
            const dt = new DataTransfer();
            dt.items.add(new File([new Uint8Array(bytes)], "logo.png", { type: "image/png" }));
            document.getElementById("dropzone").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
        }""",
        image,
    )
    row = page.locator("#files tr", has_text="images/logo.png")
    expect(row).to_contain_text("image/png")
    page.get_by_label("choose files…").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello from the console test"})
    expect(page.locator("#files tr", has_text="images/notes.txt")).to_contain_text("27 B")
    page.get_by_role("button", name="images/notes.txt", exact=True).click()
    expect(page.locator("#preview pre")).to_have_text("hello from the console test")
    row.get_by_role("button", name="images/logo.png", exact=True).click()
    img = page.get_by_alt_text("Preview of images/logo.png")
    expect(img).to_be_visible()
    page.wait_for_function("() => { const i = document.querySelector('#preview img'); return i && i.complete && i.naturalWidth === 160; }")
    shot(page, "storage")
    listed = emu.get(f"/__emulator/files?env={ENV}")["files"]
    assert {f["path"] for f in listed} == {"images/logo.png", "images/notes.txt"}
    notes = page.locator("#files tr", has_text="images/notes.txt")
    with page.expect_download() as download:
        notes.get_by_role("link", name="Download").click()
    with open(download.value.path(), "rb") as f:
        assert f.read() == b"hello from the console test"
    assert download.value.suggested_filename == "notes.txt"
    notes.get_by_role("button", name="Delete images/notes.txt").click()
    expect(page.locator("#files")).not_to_contain_text("images/notes.txt")
    listed = emu.get(f"/__emulator/files?env={ENV}")["files"]
    assert [f["path"] for f in listed] == ["images/logo.png"]


def test_function_calls_are_listed(page: Page) -> None:
    page.get_by_role("tab", name="Functions").click()
    expect(page.locator("#functions")).to_contain_text("echo")
    page.locator("#invocations tr", has_text="echo").first.click()
    expect(page.locator("#invocation")).to_contain_text('"hello"')
    shot(page, "functions")


def test_the_request_log_updates_live_and_never_shows_a_token(page: Page, emu: Emulator) -> None:
    page.get_by_role("tab", name="Requests").click()
    expect(page.locator("#requests tr").first).to_be_visible()
    failed = emu.tcb("databasecount", {"query": 'db.collection("missing_for_the_log").count()'})
    assert failed["errcode"] == -502005
    row = page.locator("#requests tr", has_text="/tcb/databasecount")
    expect(row).to_contain_text("-502005")  # arrives by polling, without a reload
    row.click()
    expect(page.locator("#request-detail")).to_contain_text("missing_for_the_log")
    expect(page.locator("#request-detail")).to_contain_text("access_token=")
    shot(page, "requests")
    page.locator("#filter-errcode").fill("-502005")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#requests tr")).to_have_count(1)
    page.locator("#filter-errcode").fill("")
    page.get_by_role("button", name="Filter").click()
    for r in page.locator("#requests tr").all()[:20]:
        r.click()
        assert emu.token not in page.locator("#request-detail").inner_text()
    assert emu.token not in page.content()
    assert SECRET not in page.content()


def test_tokens_are_masked_and_expire_and_faults_are_injected(page: Page, emu: Emulator) -> None:
    page.get_by_role("tab", name="Tokens & faults").click()
    tokens = page.locator("#tokens")
    expect(tokens).to_contain_text("client_credential")
    expect(tokens).to_contain_text(emu.token[:4] + "…(136 chars)")
    assert emu.token not in page.content()
    page.locator("#fault-path").fill("/tcb/databasequery")
    page.get_by_label("Fault", exact=True).select_option("errcode")
    page.locator("#fault-errcode").fill("-1")
    page.get_by_label("Times").fill("2")
    page.get_by_role("button", name="Inject").click()
    expect(page.locator("#faults")).to_contain_text("errcode -1")
    shot(page, "tokens")
    assert emu.tcb("databasequery", {"query": 'db.collection("people").get()'})["errcode"] == -1
    expect(page.locator("#faults td").nth(2)).to_have_text("1")
    page.get_by_role("button", name="Expire all tokens").click()
    expect(tokens).to_contain_text("expired")
    assert emu.tcb("databasecount", {"query": 'db.collection("people").count()'})["errcode"] == 42001


def test_tabs_work_from_the_keyboard(page: Page) -> None:
    page.get_by_role("tab", name="Tokens & faults").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Database")).to_be_focused()
    expect(page.locator("#panel-database")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#panel-tokens")).to_be_visible()
