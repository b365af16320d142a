"""Dask integration on a real dask.distributed LocalCluster with 2 worker processes."""
import json
from pathlib import Path

import pytest

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
import dask.bag as db  # noqa: E402

import engine  # noqa: E402
from engine.dask_io import extract_bag, extract_dataframe, extract_jsonl  # noqa: E402

PACK = Path(__file__).parent / "packs" / "features.yaml"


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=50)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def docs(n):
    return [{"id": f"d{i}", "text": f"Dr. Ana Ruiz said that {i} km remain."} if i % 7 else {"id": f"d{i}"}
            for i in range(n)]


def test_bag_matches_local_extraction(client):
    records = docs(60)
    pack = engine.load(PACK)
    expected = list(pack.extract_many(records))
    got = extract_bag(db.from_sequence(records, npartitions=6), [PACK]).compute()
    assert got == expected
    assert sum("error" in r for r in got) == 9
    # both workers did some of the work
    assert len(client.run(lambda: 1)) == 2


def test_jsonl_files_with_a_bad_line(client, tmp_path):
    for k in range(2):
        lines = [json.dumps(d) for d in docs(10)] + ["{broken"]
        (tmp_path / f"part{k}.jsonl").write_text("\n".join(lines) + "\n")
    got = extract_jsonl(str(tmp_path / "*.jsonl"), [PACK]).compute()
    assert len(got) == 22
    assert sum(1 for r in got if "error" in r and r["error"]["code"] == "E400") == 2 + 4


def test_dataframe(client):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.DataFrame({"id": range(20), "text": [f"about {i} miles" for i in range(20)]})
    out = extract_dataframe(dd.from_pandas(frame, npartitions=4), [PACK]).compute()
    assert list(out["id"]) == list(range(20))
    first = json.loads(out["annotations"].iloc[3])
    assert first[0]["attrs"] == {"value": 3, "bound": "~", "unit": "mile"}
    assert out["error"].isna().all()
