"""Rewards: an instructor's discount unlocked by a belt on their references becomes a one-use
promotion code (the sandbox without a Stripe key; the stand-in for api.stripe.com with one)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import httpx

from app.auth.models import Role, User
from app.core.clock import utcnow
from tests.commerce.conftest import stripe_api  # noqa: F401  (the api.stripe.com stand-in fixture)
from tests.conftest import UserFactory
from tests.learning.conftest import Practice
from tests.support.stripe_standin import StripeStandIn

Headers = Callable[[User], dict[str, str]]


async def offer(client: httpx.AsyncClient, instructor: User, auth_headers: Headers, **body: object) -> str:
    response = await client.post("/api/v1/learning/offers", json=body, headers=auth_headers(instructor))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_a_belt_on_the_instructors_references_unlocks_their_offer_once(
    client: httpx.AsyncClient, make_user: UserFactory, practice: Practice, auth_headers: Headers
) -> None:
    teacher, other_teacher = (
        make_user(role=Role.instructor, display_name="Sensei"),
        make_user(role=Role.instructor),
    )
    student = make_user()
    await offer(client, teacher, auth_headers, technique="kick", belt="yellow", percent_off=20)
    await offer(client, other_teacher, auth_headers, technique="kick", belt="yellow", percent_off=50)
    await offer(client, teacher, auth_headers, technique="strike", belt="white", percent_off=10)
    now = utcnow()
    practice(student.id, score=40.0, at=now, instructor_id=teacher.id, technique="kick")  # white only
    assert (await client.get("/api/v1/learning/me/rewards", headers=auth_headers(student))).json() == []
    unlocked = practice(student.id, score=65.0, at=now + timedelta(minutes=1), instructor_id=teacher.id)
    again = practice(student.id, score=66.0, at=now + timedelta(minutes=2), instructor_id=teacher.id)
    assert len(unlocked.grants) == 1 and again.grants == []
    rewards = (await client.get("/api/v1/learning/me/rewards", headers=auth_headers(student))).json()
    assert [
        (r["instructor_name"], r["technique"], r["belt"], r["percent_off"], r["code"]) for r in rewards
    ] == [("Sensei", "kick", "yellow", 20, None)]


async def test_claiming_in_the_sandbox_shows_the_code(
    client: httpx.AsyncClient, make_user: UserFactory, practice: Practice, auth_headers: Headers
) -> None:
    teacher, student = make_user(role=Role.instructor), make_user()
    await offer(client, teacher, auth_headers, technique="kick", belt="white", percent_off=15)
    grant = practice(student.id, score=30.0, at=utcnow(), instructor_id=teacher.id).grants[0]
    claimed = await client.post(f"/api/v1/learning/me/rewards/{grant}/claim", headers=auth_headers(student))
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["code"].startswith("MAMC-")
    unverified = make_user(verified=False)
    refused = await client.post(
        f"/api/v1/learning/me/rewards/{grant}/claim", headers=auth_headers(unverified)
    )
    assert refused.status_code == 403
    stranger = make_user()
    denied = await client.post(f"/api/v1/learning/me/rewards/{grant}/claim", headers=auth_headers(stranger))
    assert denied.status_code == 404 and denied.json()["error"]["code"] == "learning_reward_not_found"


async def test_claiming_with_stripe_makes_one_promotion_code_however_often_it_is_claimed(
    client: httpx.AsyncClient,
    make_user: UserFactory,
    practice: Practice,
    auth_headers: Headers,
    stripe_api: StripeStandIn,  # noqa: F811
) -> None:
    teacher, student = make_user(role=Role.instructor), make_user()
    await offer(client, teacher, auth_headers, technique="block", belt="white", percent_off=25)
    grant = practice(student.id, score=10.0, at=utcnow(), instructor_id=teacher.id, technique="block").grants[
        0
    ]
    first = await client.post(f"/api/v1/learning/me/rewards/{grant}/claim", headers=auth_headers(student))
    second = await client.post(f"/api/v1/learning/me/rewards/{grant}/claim", headers=auth_headers(student))
    assert first.status_code == second.status_code == 200, first.text
    code = first.json()["code"]
    assert code and second.json()["code"] == code
    assert len(stripe_api.calls("POST", "/v1/promotion_codes")) == 1
    coupon = stripe_api.calls("POST", "/v1/coupons")[0].form
    assert (coupon["percent_off"], coupon["duration"], coupon["max_redemptions"]) == ("25.0", "once", "1")
    promotion = stripe_api.promotion_codes[code.upper()]
    assert promotion["max_redemptions"] == 1 and promotion["metadata"]["grant_id"] == str(grant)


async def test_only_instructors_make_offers_and_bad_ones_are_refused(
    client: httpx.AsyncClient, make_user: UserFactory, auth_headers: Headers
) -> None:
    student, teacher = make_user(), make_user(role=Role.instructor)
    denied = await client.post(
        "/api/v1/learning/offers",
        json={"technique": "kick", "belt": "white", "percent_off": 10},
        headers=auth_headers(student),
    )
    assert denied.status_code == 403
    bad = await client.post(
        "/api/v1/learning/offers",
        json={"technique": "kick", "belt": "purple", "percent_off": 10},
        headers=auth_headers(teacher),
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "learning_unknown_belt"
    offer_id = await offer(client, teacher, auth_headers, technique="kata", belt="black", percent_off=30)
    gone = await client.delete(f"/api/v1/learning/offers/{offer_id}", headers=auth_headers(teacher))
    assert gone.status_code == 204
    listed = (await client.get("/api/v1/learning/offers", headers=auth_headers(teacher))).json()
    assert [o["active"] for o in listed] == [False]
    missing = await client.delete(f"/api/v1/learning/offers/{uuid.uuid4()}", headers=auth_headers(teacher))
    assert missing.status_code == 404
