"""Matrix rows: the pull API, webhooks, adoption, knowledge base, roles and search.

Published material is readable by every role; webhooks belong to regional systems and
administrators of the target region; attachments follow the visibility of their version (the
target standard's version 3 is a draft, see `authz_standards`)."""

from __future__ import annotations

from engine import org
from models import AttachmentKind, Role
from standards import knowledge, registry, webhooks
from tests.api.authz import ANY, REGION, Row, Targets, target
from tests.api.authz_standards import METHODOLOGIST, REVIEWERS, _hidden_unless_reviewer

SUBSCRIBERS = frozenset({Role.regional_system, Role.administrator})
ADOPTION_READERS = ANY - {Role.employee}
SAMPLE = "employment.job-seeker-registration"


@target("webhook")
def _webhook(t: Targets):
    unit = org.unit_by_code(t.session, REGION[t.scope])
    hook, _ = webhooks.register_webhook(
        t.session, t.system, url="https://ris.example/hook", unit=unit
    )
    return hook


@target("attachment")
def _attachment(t: Targets):
    version = registry.get_version(t.session, t.system, t["standard"], 3)
    return knowledge.attach_document(
        t.session,
        t.system,
        version,
        filename="tk.txt",
        data="Технологическая карта".encode(),
        kind=AttachmentKind.technology_card,
    )


def _std(t: Targets, path: str) -> str:
    return f"/api/v1/standards/{t['standard'].key}{path}"


def _att(t: Targets, suffix: str = "") -> str:
    return _std(t, f"/versions/3/attachments/{t['attachment'].id}{suffix}")


def _get(url):
    return lambda c, h, t: c.get(url(t) if callable(url) else url, headers=h)


ROWS: dict[tuple[str, str], Row] = {
    ("GET", "/api/v1/published"): Row(ANY, _get("/api/v1/published"), scoped=False),
    ("GET", "/api/v1/published/<key>"): Row(ANY, _get(f"/api/v1/published/{SAMPLE}"), scoped=False),
    ("GET", "/api/v1/published/<key>/bpmn"): Row(
        ANY, _get(f"/api/v1/published/{SAMPLE}/bpmn"), scoped=False
    ),
    ("GET", "/api/v1/changes"): Row(ANY, _get("/api/v1/changes?after=0"), scoped=False),
    ("GET", "/api/v1/webhooks"): Row(SUBSCRIBERS, _get("/api/v1/webhooks"), scoped=False),
    ("POST", "/api/v1/webhooks"): Row(
        SUBSCRIBERS,
        lambda c, h, t: c.post(
            "/api/v1/webhooks",
            headers=h,
            json={"url": "https://ris.example/etalon", "unit_code": REGION[t.scope]},
        ),
        201,
    ),
    ("GET", "/api/v1/webhooks/<int:webhook_id>"): Row(
        SUBSCRIBERS, _get(lambda t: f"/api/v1/webhooks/{t['webhook'].id}")
    ),
    ("DELETE", "/api/v1/webhooks/<int:webhook_id>"): Row(
        SUBSCRIBERS,
        lambda c, h, t: c.delete(f"/api/v1/webhooks/{t['webhook'].id}", headers=h),
    ),
    ("GET", "/api/v1/webhooks/<int:webhook_id>/deliveries"): Row(
        SUBSCRIBERS, _get(lambda t: f"/api/v1/webhooks/{t['webhook'].id}/deliveries")
    ),
    ("POST", "/api/v1/adoption"): Row(
        frozenset({Role.regional_system}),
        lambda c, h, t: c.post(
            "/api/v1/adoption",
            headers=h,
            json={"key": SAMPLE, "version": 1, "unit_code": REGION[t.scope]},
        ),
    ),
    ("GET", "/api/v1/adoption/<key>"): Row(
        ADOPTION_READERS, _get(f"/api/v1/adoption/{SAMPLE}"), scoped=False
    ),
    ("GET", "/api/v1/standards/<key>/versions/<int:number>/attachments"): Row(
        REVIEWERS,
        _get(lambda t: _std(t, "/versions/3/attachments")),
        denied=_hidden_unless_reviewer,
    ),
    ("POST", "/api/v1/standards/<key>/versions/<int:number>/attachments"): Row(
        METHODOLOGIST,
        lambda c, h, t: c.post(
            _std(t, "/versions/3/attachments?filename=card.txt&kind=technology_card"),
            headers=h,
            data="Порядок регистрации".encode(),
            content_type="application/octet-stream",
        ),
        201,
        denied=_hidden_unless_reviewer,
    ),
    ("POST", "/api/v1/standards/<key>/versions/<int:number>/attachments/carry-over"): Row(
        METHODOLOGIST,
        lambda c, h, t: c.post(
            _std(t, "/versions/3/attachments/carry-over"), headers=h, json={"from_version": 1}
        ),
        201,
        denied=_hidden_unless_reviewer,
    ),
    ("GET", "/api/v1/standards/<key>/versions/<int:number>/attachments/<int:attachment_id>"): Row(
        REVIEWERS, _get(lambda t: _att(t)), denied=_hidden_unless_reviewer
    ),
    (
        "DELETE",
        "/api/v1/standards/<key>/versions/<int:number>/attachments/<int:attachment_id>",
    ): Row(
        METHODOLOGIST,
        lambda c, h, t: c.delete(_att(t), headers=h),
        204,
        denied=_hidden_unless_reviewer,
    ),
    (
        "GET",
        "/api/v1/standards/<key>/versions/<int:number>/attachments/<int:attachment_id>/content",
    ): Row(REVIEWERS, _get(lambda t: _att(t, "/content")), denied=_hidden_unless_reviewer),
    ("GET", "/api/v1/roles"): Row(ANY, _get("/api/v1/roles"), scoped=False),
    ("GET", "/api/v1/roles/<role>"): Row(
        ANY, _get("/api/v1/roles/registration_specialist"), scoped=False
    ),
    ("GET", "/api/v1/search"): Row(ANY, _get("/api/v1/search?q=регистрации"), scoped=False),
}
