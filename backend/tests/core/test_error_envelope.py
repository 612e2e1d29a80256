"""Bad input is a 4xx with the error envelope, and the OpenAPI document says so (issue 11, item 13)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

import httpx
from fastapi import FastAPI
from pydantic import BaseModel, Field

from app.auth.models import Role


async def test_a_body_that_is_not_even_text_is_malformed_json(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/api/v1/auth/login", content=b"\xff\xfe{\x81", headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "malformed_json"


async def test_a_nul_character_the_database_refuses_is_a_422(
    client: httpx.AsyncClient, make_user: Any, auth_headers: Any
) -> None:
    instructor = make_user(role=Role.instructor)
    resp = await client.post(
        "/api/v1/videos",
        json={"title": "Kata", "discipline": "karate", "tags": ["ok", "\u0000"]},
        headers=auth_headers(instructor),
    )
    # Postgres refuses NUL in text (422 invalid_value); SQLite stores it.
    assert resp.status_code in (201, 422), resp.text
    if resp.status_code == 422:
        assert resp.json()["error"]["code"] in ("invalid_value", "validation_error")


def test_every_operation_documents_its_errors_with_the_envelope(app: FastAPI) -> None:
    schema = app.openapi()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    envelope = {"$ref": "#/components/schemas/ErrorResponse"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert response["content"]["application/json"]["schema"] == envelope, (method, path)
    login = schema["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert {"401", "403", "422", "429"} <= set(login)
    me = schema["paths"]["/api/v1/me"]["get"]["responses"]
    assert {"401", "403"} <= set(me)
    checkout = schema["paths"]["/api/v1/checkout"]["post"]["responses"]
    assert {"401", "403", "404", "409", "422"} <= set(checkout)
    admin_users = schema["paths"]["/api/v1/admin/users/{user_id}"]["patch"]["responses"]
    assert {"401", "403", "404", "422"} <= set(admin_users)


async def test_error_messages_follow_the_clients_language(client: httpx.AsyncClient) -> None:
    """English is the message written where the error was raised; Italian comes from the
    platform catalogue (errors.<code>), which holds every raised code (tests/core/test_reason_codes.py)."""
    path = f"/api/v1/videos/{uuid.uuid4()}"
    english = (await client.get(path)).json()["error"]
    italian = (await client.get(path, headers={"Accept-Language": "it-IT,it;q=0.9"})).json()["error"]
    assert english == {"code": "video_not_found", "message": "No such video."}
    assert italian == {"code": "video_not_found", "message": "Video inesistente."}
    login = await client.post(
        "/api/v1/auth/login",
        json={"email": "nobody@example.com", "password": "Wrong-password-1"},
        headers={"Accept-Language": "it"},
    )
    assert login.json()["error"] == {"code": "invalid_credentials", "message": "Email o password errati."}


async def test_a_database_pool_that_stays_full_answers_503_with_retry_after_in_the_callers_language() -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import QueuePool

    from app.core.http_errors import install_error_handlers

    engine = create_engine("sqlite://", poolclass=QueuePool, pool_size=1, max_overflow=0, pool_timeout=0.05)
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/busy")
    def busy() -> dict[str, str]:
        with engine.connect(), engine.connect():  # the second waits for the only connection
            return {"never": "reached"}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        resp = await c.get("/busy", headers={"Accept-Language": "it-IT,it;q=0.9"})
    engine.dispose()
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] == "2"
    assert resp.json()["error"]["code"] == "service_busy"
    assert resp.json()["error"]["message"].startswith("Il servizio")


class _Body(BaseModel):
    title: str = Field(min_length=3)
    level: int = Field(ge=1, le=5)
    kind: Literal["kata", "kumite"] = "kata"


def _validating_app() -> FastAPI:
    from app.core.http_errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)

    @app.post("/things")
    async def things(body: _Body) -> dict[str, str]:
        return {"title": body.title}

    return app


async def test_request_validation_errors_answer_in_the_callers_language() -> None:
    """FastAPI's own 422: the message in it/en from the catalogue (with pydantic's numbers), the
    details keep the field and pydantic's error type."""
    transport = httpx.ASGITransport(app=_validating_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        body = {"title": "ab", "level": 9, "kind": "boxe"}
        italian = (await client.post("/things", json=body, headers={"Accept-Language": "it-IT"})).json()
        english = (await client.post("/things", json=body, headers={"Accept-Language": "en"})).json()
        missing = (await client.post("/things", json={}, headers={"Accept-Language": "it"})).json()
        unknown = (await client.post("/things", json=[1], headers={"Accept-Language": "it"})).json()
        broken = await client.post(
            "/things", content=b"{", headers={"Content-Type": "application/json", "Accept-Language": "it"}
        )
    assert italian["error"]["code"] == english["error"]["code"] == "validation_error"
    assert italian["error"]["message"] == "Dati non validi (title): deve avere almeno 3 caratteri."
    assert english["error"]["message"] == "Invalid input (title): must have at least 3 characters."
    fields = [(d["field"], d["type"]) for d in italian["error"]["details"]]
    assert fields == [("title", "string_too_short"), ("level", "less_than_equal"), ("kind", "literal_error")]
    problems = [d["problem"] for d in italian["error"]["details"]]
    assert problems[1] == "deve essere al massimo 5."
    assert problems[2] == "deve essere uno tra 'kata' o 'kumite'."
    assert missing["error"]["message"] == "Dati non validi (title): campo obbligatorio."
    assert unknown["error"]["details"][0]["type"] == "model_attributes_type"
    assert unknown["error"]["message"] == "Dati non validi: valore non valido."
    assert broken.json()["error"] == {
        "code": "malformed_json",
        "message": "Il corpo della richiesta non è JSON valido.",
    }


async def test_the_frameworks_own_errors_answer_in_the_callers_language() -> None:
    """An unknown path, a wrong method and an unexpected crash: the message in it/en too."""
    app = _validating_app()

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    it = {"Accept-Language": "it"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        unknown = (await client.get("/nowhere", headers=it)).json()["error"]
        wrong_method = (await client.get("/things", headers=it)).json()["error"]
        crash = (await client.get("/boom", headers=it)).json()["error"]
        english = (await client.get("/nowhere")).json()["error"]
    assert unknown == {"code": "not_found", "message": "Non trovato."}
    assert wrong_method == {
        "code": "method_not_allowed",
        "message": "Metodo non consentito per questo indirizzo.",
    }
    assert crash == {"code": "internal_error", "message": "Si è verificato un errore da parte nostra."}
    assert english == {"code": "not_found", "message": "Not found."}
