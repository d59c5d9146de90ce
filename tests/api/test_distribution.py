"""The distribution contract end to end over HTTP, on both databases: a client written from the
OpenAPI document syncs every published standard, follows the change feed, gets 304s; webhooks
reach a real HTTP server on loopback with a valid signature; the knowledge base, the per-role
view and Russian search work on the sample library."""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import threading
import zipfile

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import Actor
from models import Standard, WebhookDelivery
from standards import registry, releases
from standards.library import load_catalog
from standards.seeding import approve_as_system
from standards.webhook_delivery import deliver_due_webhooks
from standards.webhooks import verify_signature

REGISTRATION = "employment.job-seeker-registration"


def docx(text: str) -> bytes:
    """A minimal real DOCX: a zip with word/document.xml."""
    body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in text.split("\n"))
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
        'openxmlformats.org/wordprocessingml/2006/main"><w:body>' + body + "</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


def pdf(text: str) -> bytes:
    """A minimal hand-written PDF with one line of Latin text and a correct xref table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


@pytest.fixture
def ris(token_for):
    return token_for("ris.lipetsk")


def sync_all(client, headers) -> dict[str, dict]:
    """What a client written from the OpenAPI does: page through /published, fetch each
    manifest and BPMN, remember the ETags."""
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/published", "/api/v1/published/{key}", "/api/v1/changes"} <= set(spec["paths"])
    mirror, page = {}, 1
    while True:
        response = client.get(f"/api/v1/published?page={page}&page_size=3", headers=headers)
        assert response.status_code == 200
        for item in response.get_json():
            manifest = client.get(item["manifest_url"], headers=headers)
            bpmn = client.get(item["bpmn_url"], headers=headers)
            assert manifest.status_code == bpmn.status_code == 200
            assert bpmn.headers["ETag"] == f'"{item["sha256"]}"'
            mirror[item["key"]] = {
                "version": item["version"],
                "manifest_etag": manifest.headers["ETag"],
                "bpmn_etag": bpmn.headers["ETag"],
                "manifest": manifest.get_json(),
            }
        pagination = json.loads(response.headers["X-Pagination"])
        if page >= pagination["last_page"]:
            return mirror
        page += 1


def test_a_client_syncs_follows_the_feed_and_skips_unchanged(client, session, ris, system):
    mirror = sync_all(client, ris)
    catalog_keys = {e.key for e in load_catalog()}
    assert REGISTRATION in mirror and set(mirror) <= catalog_keys and len(mirror) >= 7
    manifest = mirror[REGISTRATION]["manifest"]
    assert manifest["checkpoints"] and all("id" in c for c in manifest["checkpoints"])
    assert {"code": "registration_specialist"}.items() <= manifest["roles"][0].items() or any(
        r["code"] == "registration_specialist" for r in manifest["roles"]
    )
    # 304 on unchanged downloads, with the ETag and no body; lists and * too
    entry = mirror[REGISTRATION]
    for header in (entry["bpmn_etag"], f'"nope", {entry["bpmn_etag"]}', "*"):
        again = client.get(
            f"/api/v1/published/{REGISTRATION}/bpmn", headers={**ris, "If-None-Match": header}
        )
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == entry["bpmn_etag"]
    same = client.get(
        f"/api/v1/published/{REGISTRATION}",
        headers={**ris, "If-None-Match": entry["manifest_etag"]},
    )
    assert same.status_code == 304
    malformed = client.get(
        f"/api/v1/published/{REGISTRATION}/bpmn", headers={**ris, "If-None-Match": "no-quotes"}
    )
    assert malformed.status_code == 200 and malformed.data  # ignored, per RFC 9110

    # the feed: read to the end, then a new publication and a withdrawal appear after it
    feed = client.get("/api/v1/changes?after=0&limit=500", headers=ris).get_json()
    cursor = feed["cursor"]
    assert not feed["has_more"] and {e["key"] for e in feed["events"]} >= set(mirror)
    standard = session.scalars(select(Standard).where(Standard.key == REGISTRATION)).one()
    v2 = next(v for v in standard.versions if v.number == 2)
    approve_as_system(session, system, v2)
    release = releases.create_release(
        session, system, name="r", effective_date=dt.date.today(), versions=[v2]
    )
    releases.publish_release(session, system, release)
    session.flush()
    changes = client.get(f"/api/v1/changes?after={cursor}", headers=ris).get_json()
    assert [(e["type"], e["key"], e["version"]) for e in changes["events"]] == [
        ("standard.published", REGISTRATION, 2)
    ]
    assert changes["cursor"] > cursor
    # the changed standard is downloaded again, the others still answer 304
    changed = client.get(
        f"/api/v1/published/{REGISTRATION}/bpmn",
        headers={**ris, "If-None-Match": entry["bpmn_etag"]},
    )
    assert changed.status_code == 200 and changed.headers["X-Etalon-Version"] == "2"
    other = next(k for k in mirror if k != REGISTRATION)
    unchanged = client.get(
        f"/api/v1/published/{other}/bpmn",
        headers={**ris, "If-None-Match": mirror[other]["bpmn_etag"]},
    )
    assert unchanged.status_code == 304
    releases.withdraw_version(session, system, v2, reason="ошибка")
    session.flush()
    last = client.get(f"/api/v1/changes?after={changes['cursor']}", headers=ris).get_json()
    assert [(e["type"], e["version"]) for e in last["events"]] == [("standard.withdrawn", 2)]
    back = client.get(f"/api/v1/published/{REGISTRATION}", headers=ris).get_json()
    assert back["version"] == 1
    nothing = client.get(f"/api/v1/changes?after={last['cursor']}", headers=ris).get_json()
    assert nothing == {"events": [], "cursor": last["cursor"], "has_more": False}


@pytest.mark.parametrize("cursor", ["abc", "-1", "99999999"])
def test_unknown_cursors_are_bad_requests(client, ris, cursor):
    response = client.get(f"/api/v1/changes?after={cursor}", headers=ris)
    assert response.status_code == 400
    assert response.get_json()["code"] == "bad_request"


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list[tuple[dict, bytes]] = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.received.append((dict(self.headers), body))
        self.send_response(_Receiver.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.received = []
    _Receiver.status = 200
    server = http.server.HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_webhooks_are_signed_retried_and_recorded(
    client, session, connection, ris, system, receiver
):
    url = f"http://127.0.0.1:{receiver.server_address[1]}/etalon"
    bad = client.post("/api/v1/webhooks", headers=ris, json={"url": "ftp://x.example/"})
    assert bad.status_code == 422
    creds = client.post("/api/v1/webhooks", headers=ris, json={"url": "https://u:p@x.example/"})
    assert creds.status_code == 422
    created = client.post("/api/v1/webhooks", headers=ris, json={"url": url, "secret": "s" * 32})
    assert created.status_code == 201 and created.get_json()["secret"] == "s" * 32
    hook_id = created.get_json()["id"]
    shown = client.get(f"/api/v1/webhooks/{hook_id}", headers=ris).get_json()
    assert "secret" not in shown and shown["unit"] == "R48"
    assert all("secret" not in h for h in client.get("/api/v1/webhooks", headers=ris).get_json())

    standard = session.scalars(select(Standard).where(Standard.key == REGISTRATION)).one()
    v2 = next(v for v in standard.versions if v.number == 2)
    approve_as_system(session, system, v2)
    release = releases.create_release(
        session, system, name="r", effective_date=dt.date.today(), versions=[v2]
    )
    releases.publish_release(session, system, release)
    session.commit()

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    _Receiver.status = 503  # first attempt fails: retried later with backoff
    assert deliver_due_webhooks(factory, "test-worker") == 0
    delivery = session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook_id)
    ).one()
    session.refresh(delivery)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at > dt.datetime.now(dt.UTC) + dt.timedelta(seconds=10)
    delivery.next_attempt_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    session.commit()
    _Receiver.status = 204
    assert deliver_due_webhooks(factory, "test-worker") == 1
    assert len(_Receiver.received) == 2
    headers, body = _Receiver.received[-1]
    assert verify_signature("s" * 32, headers["X-Etalon-Signature"], body)
    assert not verify_signature("t" * 32, headers["X-Etalon-Signature"], body)
    event = json.loads(body)
    assert (event["type"], event["key"], event["version"]) == (
        "standard.published",
        REGISTRATION,
        2,
    )
    assert headers["X-Etalon-Event"] == "standard.published"
    log = client.get(f"/api/v1/webhooks/{hook_id}/deliveries", headers=ris).get_json()
    assert log[0]["status"] == "delivered"
    assert [a["status_code"] for a in log[0]["attempt_log"]] == [503, 204]
    assert deliver_due_webhooks(factory, "test-worker") == 0  # nothing twice


def _new_draft(session, system) -> tuple[Standard, object]:
    standard = session.scalars(select(Standard).where(Standard.key == REGISTRATION)).one()
    entry = next(e for e in load_catalog() if e.key == REGISTRATION)
    data = entry.path(2).read_bytes() + b"\n<!-- knowledge -->"
    version = registry.upload_version(session, system, standard, data).version
    session.flush()
    return standard, version


def test_knowledge_base_roles_and_search(client, session, system, token_for, ris):
    methodologist = token_for("methodologist")
    _standard, draft = _new_draft(session, system)
    base = f"/api/v1/standards/{REGISTRATION}/versions/{draft.number}/attachments"
    card = docx("Технологическая карта TK-REG-02\nПриём заявления и проверка документов заявителя")
    created = client.post(
        f"{base}?kind=technology_card&ref=TK-REG-02&title=Проверка документов",
        headers=methodologist,
        data={"file": (io.BytesIO(card), "tk-reg-02.docx")},
        content_type="multipart/form-data",
    )
    assert created.status_code == 201, created.get_json()
    scanned = client.post(
        f"{base}?filename=form.pdf&kind=form",
        headers=methodologist,
        data=pdf("Application form for job seekers"),
        content_type="application/octet-stream",
    )
    assert scanned.status_code == 201
    assert scanned.get_json()["content_type"] == "application/pdf"
    fake = client.post(
        f"{base}?filename=virus.pdf",
        headers=methodologist,
        data=b"MZ\x90\x00binary",
        content_type="application/octet-stream",
    )
    assert fake.status_code == 415 and fake.get_json()["code"] == "unsupported_media_type"
    exe = client.post(
        f"{base}?filename=a.exe",
        headers=methodologist,
        data=b"text",
        content_type="application/octet-stream",
    )
    assert exe.status_code == 415
    limit = client.application.config["MAX_ATTACHMENT_BYTES"]
    client.application.config["MAX_ATTACHMENT_BYTES"] = 100
    big = client.post(
        f"{base}?filename=big.txt",
        headers=methodologist,
        data=b"a" * 101,
        content_type="application/octet-stream",
    )
    assert big.status_code == 413
    client.application.config["MAX_ATTACHMENT_BYTES"] = limit
    download = client.get(created.get_json()["content_url"], headers=methodologist)
    assert download.status_code == 200 and download.data == card
    assert download.mimetype.endswith("wordprocessingml.document")
    assert (
        client.get(
            created.get_json()["content_url"],
            headers={**methodologist, "If-None-Match": download.headers["ETag"]},
        ).status_code
        == 304
    )
    # a regional token sees published material only: not this draft's attachments
    assert client.get(base, headers=ris).status_code == 404

    approve_as_system(session, system, draft)
    release = releases.create_release(
        session, system, name="kb", effective_date=dt.date.today(), versions=[draft]
    )
    releases.publish_release(session, system, release)
    session.flush()
    again = client.post(
        f"{base}?filename=late.txt",
        headers=methodologist,
        data="поздно".encode(),
        content_type="application/octet-stream",
    )
    assert again.status_code == 409
    assert len(client.get(base, headers=ris).get_json()) == 2

    # the per-role view by Russian name, case-insensitive
    view = client.get("/api/v1/roles/СПЕЦИАЛИСТ ПО РЕГИСТРАЦИИ", headers=ris)
    assert view.status_code == 200, view.get_json()
    body = view.get_json()
    assert body["code"] == "registration_specialist" and REGISTRATION in body["standards"]
    with_card = [o for o in body["operations"] if o["documents"]]
    assert with_card and with_card[0]["technology_cards"][0]["ref"] == "TK-REG-02"
    assert any(o["result"] for o in body["operations"])
    assert client.get("/api/v1/roles/astronaut", headers=ris).status_code == 404

    # search: Russian morphology, attachments, snippets
    hits = client.get("/api/v1/search?q=регистрации", headers=ris).get_json()
    assert hits and any("<mark>" in h["snippet"] for h in hits)
    assert {h["standard_key"] for h in hits} >= {REGISTRATION}
    docs = client.get("/api/v1/search?q=заявителей&kind=attachment", headers=ris).get_json()
    assert [h["title"] for h in docs] == ["Проверка документов"]
    english = client.get("/api/v1/search?q=seekers&kind=attachment", headers=ris).get_json()
    assert [h["kind"] for h in english] == ["attachment"]


def test_adoption_shows_who_lags(client, session, ris, token_for):
    ack = client.post("/api/v1/adoption", headers=ris, json={"key": REGISTRATION, "version": 1})
    assert ack.status_code == 200, ack.get_json()
    foreign = client.post(
        "/api/v1/adoption",
        headers=ris,
        json={"key": REGISTRATION, "version": 1, "unit_code": "R71"},
    )
    assert foreign.status_code == 404
    report = client.get(f"/api/v1/adoption/{REGISTRATION}", headers=token_for("auditor")).get_json()
    rows = {r["unit_code"]: r for r in report["regions"]}
    assert rows["R48"]["version"] == 1 and rows["R48"]["status"] == "current"
    assert rows["R71"]["status"] == "unknown" and "R71" in report["lagging"]
    mine = client.get(f"/api/v1/adoption/{REGISTRATION}", headers=ris).get_json()
    assert [r["unit_code"] for r in mine["regions"]] == ["R48"]


def test_roles_show_cli(app):
    from click.testing import CliRunner

    from api.cli import cli

    def run(*args):
        return CliRunner().invoke(cli, list(args), obj=app)

    result = run("roles", "show", "Специалист по регистрации")
    assert result.exit_code == 0, result.output
    assert "registration_specialist" in result.output and "результат:" in result.output
    as_json = run("roles", "show", "registration_specialist", "--json")
    assert json.loads(as_json.output)["code"] == "registration_specialist"
    assert run("roles", "show", "nobody").exit_code == 1


def test_system_actor_reads_everything(session):
    from standards.distribution import changes_after

    page = changes_after(session, Actor.system(), 0, 1000)
    assert page.events and page.events == sorted(page.events, key=lambda e: e.id)
