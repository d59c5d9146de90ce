"""Pure pieces of distribution: document sniffing and text, signatures, backoff, stems,
If-None-Match parsing."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from api.published import parse_if_none_match
from standards.documents import DOCX, PDF, TEXT, UnsupportedDocument, extract_text, sniff
from standards.search import stems
from standards.webhook_delivery import MAX_DELAY, backoff
from standards.webhooks import check_url, signature, verify_signature
from tests.api.test_distribution import docx, pdf


def test_sniffing_insists_on_content_and_extension():
    assert sniff("a.docx", docx("текст")).content_type == DOCX
    assert sniff("a.pdf", pdf("hello")).content_type == PDF
    assert sniff("a.txt", "привет".encode()).content_type == TEXT
    for name, data in [
        ("a.pdf", docx("x")),
        ("a.docx", b"%PDF-1.4"),
        ("a.txt", b"\xff\xfe\x00"),
        ("a.exe", b"x"),
    ]:
        with pytest.raises(UnsupportedDocument):
            sniff(name, data)


def test_text_of_docx_and_pdf():
    assert extract_text(DOCX, docx("Первая строка\nВторая")) == "Первая строка\nВторая"
    assert "Registration card" in extract_text(PDF, pdf("Registration card"))
    assert extract_text(PDF, b"%PDF-broken") == ""


def test_signature_round_trip_and_tampering():
    header = signature("secret-secret-secret", 1700000000, b'{"a":1}')
    assert header.startswith("t=1700000000,v1=")
    assert verify_signature("secret-secret-secret", header, b'{"a":1}')
    assert not verify_signature("secret-secret-secret", header, b'{"a":2}')
    assert not verify_signature("secret-secret-secret", "garbage", b"")


def test_backoff_grows_with_jitter_and_is_capped():
    rng = random.Random(1)
    delays = [backoff(n, rng) for n in range(1, 12)]
    assert dt.timedelta(seconds=15) <= delays[0] <= dt.timedelta(seconds=30)
    assert delays[4] > delays[0] and max(delays) <= MAX_DELAY


@pytest.mark.parametrize(
    "url", ["ftp://x.org/", "https://u:p@x.org/", "/relative", "https://x.org/#f"]
)
def test_webhook_urls_refused(url):
    with pytest.raises(Exception, match="cannot receive"):
        check_url(url)


def test_russian_stems_match_across_cases():
    assert stems("регистрация")[0] == stems("регистрации")[0] == stems("Регистрацию")[0]


def test_if_none_match_parsing():
    assert parse_if_none_match('"a", W/"b"') == {"a", "b"}
    assert parse_if_none_match("*") == {"*"}
    assert parse_if_none_match("a, b") is None
    assert parse_if_none_match(None) is None
