"""/healthz, /readyz and /metrics."""

from prometheus_client.parser import text_string_to_metric_families


def _metrics(client) -> dict[str, float]:
    text = client.get("/metrics").text
    return {
        sample.name + ("" if not sample.labels else str(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_healthz_answers_while_the_process_runs(served):
    response = served.client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_waits_for_a_catalog(served):
    before = served.client.get("/readyz")
    served.client.post("/api/v1/catalog/reload")
    after = served.client.get("/readyz")

    assert before.status_code == 503
    assert before.json()["catalog"] == "no catalog has been applied yet"
    assert after.status_code == 200
    assert after.json()["status"] == "ready"


def test_metrics_report_the_catalog_in_force(loaded):
    metrics = _metrics(loaded.client)

    assert metrics["watchkeeper_catalog_last_reload_successful"] == 1
    assert metrics["watchkeeper_catalog_objects[('kind', 'services')]"] == 3
    assert metrics["watchkeeper_catalog_objects[('kind', 'checks')]"] == 10
    assert "watchkeeper_catalog_problems" not in metrics


def test_metrics_show_a_failed_reload(loaded):
    loaded.edit("teams/pay.yaml", "interval: 30s", "interval: thirty")

    loaded.client.post("/api/v1/catalog/reload")
    metrics = _metrics(loaded.client)

    assert metrics["watchkeeper_catalog_last_reload_successful"] == 0
    assert metrics["watchkeeper_catalog_problems"] == 1
    assert metrics["watchkeeper_catalog_objects[('kind', 'services')]"] == 3  # the old catalog is still in force
