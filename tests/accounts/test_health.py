from unittest import mock

import redis


def test_it_answers_ok_without_auth(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_it_reports_redis_down_with_503(client, db):
    with mock.patch.object(redis.Redis, "ping", autospec=True, side_effect=redis.ConnectionError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "error"}
