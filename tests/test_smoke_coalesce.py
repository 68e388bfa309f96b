from tests._clients import Api

AUTH = {"Authorization": "Bearer t0k3n"}


def test_list_runs(api: Api) -> None:
    api.fake.coalesce.add_runs(30)
    r = api.get("coalesce", "/api/v1/runs", params={"limit": 10}, headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    assert len(body["data"]) == 10
    assert body["next"] == str(body["data"][-1]["id"])
