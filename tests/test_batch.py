"""Batch extraction: order, nothing lost, several processes, resume after kill -9."""
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.docio import Doc

ROOT = Path(__file__).resolve().parent.parent
PACK = Path(__file__).parent / "packs" / "features.yaml"
WORDS = ["Ana", "Ruiz", "said", "that", "5", "km", "about", "(", ")", ".", "miles", "9,000"]


@settings(max_examples=5, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join), min_size=0, max_size=40))
def test_processes_give_the_same_results_in_the_same_order(texts):
    pack = engine.load(PACK)
    one = [[m.to_json() for m in ms] for ms in pack.extract_many(texts)]
    two = [[m.to_json() for m in ms] for ms in pack.extract_many(texts, processes=2, chunk_size=3)]
    assert one == two
    assert len(one) == len(texts)


def test_records_with_errors_in_a_pool_keep_their_place():
    pack = engine.load(PACK)
    docs = [{"id": i, "text": "5 km"} if i % 3 else {"id": i} for i in range(50)]
    out = list(pack.extract_many(docs, processes=2, chunk_size=4))
    assert [r["id"] for r in out] == list(range(50))
    assert all(("error" in r) == (i % 3 == 0) for i, r in enumerate(out))


_DOCS = st.one_of(
    st.builds(lambda i, ws, meta: {"id": i, "text": " ".join(ws), **({"meta": meta} if meta else {})},
              st.integers(0, 99), st.lists(st.sampled_from(WORDS), max_size=12),
              st.dictionaries(st.sampled_from(["src", "n"]), st.integers(0, 9), max_size=2)),
    st.builds(lambda i: {"id": i}, st.integers(0, 99)),  # no text: an error record
    st.builds(lambda n, ws: Doc(n, f"d{n}", " ".join(ws), {"line": n}), st.integers(1, 99),
              st.lists(st.sampled_from(WORDS), max_size=12)),
    st.builds(lambda n: Doc(n, None, None, {}, {"code": "E400", "message": "bad line", "line": n}),
              st.integers(1, 99)),
)


@settings(max_examples=5, deadline=None)
@given(st.lists(_DOCS, max_size=30))
def test_records_from_a_pool_are_the_records_of_one_process(docs):
    """Workers send back annotations only; the parent puts each record
    together from its own copy of the document, and gets the same record."""
    from engine.batch import run

    packs = [engine.load(PACK)]
    assert list(run(packs, docs, processes=2, chunk_size=3)) == list(run(packs, docs, processes=1))


def test_a_worker_freezes_what_it_loaded_at_start():
    import gc
    from concurrent.futures import ProcessPoolExecutor

    from engine.batch import _init_worker

    compiled = [engine.load(PACK).compiled]
    with ProcessPoolExecutor(1, initializer=_init_worker, initargs=(compiled,)) as pool:
        assert pool.submit(gc.get_freeze_count).result() > 0


def _worker_pack_state():
    from engine.batch import _WORKER_PACKS

    return [(id(p), all(e._plain is not None for e in p.scanner._ends.values())) for p in _WORKER_PACKS]


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")
def test_a_forked_worker_works_on_the_parents_prepared_packs():
    """A forked worker starts from the parent's Pack objects themselves (the
    same objects, at the same addresses), with what prepare() loaded."""
    from concurrent.futures import ProcessPoolExecutor

    from engine.batch import _init_worker

    packs = [engine.load(PACK).prepare()]
    assert any(p.scanner._ends for p in packs)  # else the check below holds vacuously
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"), initializer=_init_worker,
                             initargs=(packs,)) as pool:
        assert pool.submit(_worker_pack_state).result() == [(id(p), True) for p in packs]


def test_a_spawned_worker_rebuilds_the_packs_from_their_compiled_records():
    """Where workers are spawned, not forked, each Pack travels pickled (as its
    compiled record) and the worker's pack gives the parent's annotations."""
    from concurrent.futures import ProcessPoolExecutor

    from engine.batch import _init_worker, _work_chunk, extract_record

    packs = [engine.load(PACK)]
    docs = [{"id": 1, "text": "Dr. Ana Ruiz said that 5 km of road remain."}]
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker,
                             initargs=(packs,)) as pool:
        found = pool.submit(_work_chunk, docs, None, False).result()
    expected = extract_record(packs, docs[0])["annotations"]
    assert expected and found == [expected]


def test_the_parent_freezes_its_heap_for_a_pool_run_only():
    import gc

    from engine.batch import run

    packs = [engine.load(PACK)]
    docs = [{"id": i, "text": "Ana Ruiz said that 5 km remain."} for i in range(5)]
    assert gc.get_freeze_count() == 0
    results = run(packs, docs, processes=2, chunk_size=2)
    next(results)
    assert gc.get_freeze_count() > 0  # the packs among them
    assert len(list(results)) == 4
    assert gc.get_freeze_count() == 0  # all back with the collector once the pool is done
    gc.freeze()  # a program that freezes objects itself keeps them frozen
    try:
        frozen = gc.get_freeze_count()
        assert len(list(run(packs, docs, processes=2, chunk_size=2))) == 5
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def _corpus(path: Path, n: int) -> None:
    with open(path, "w") as fh:
        for i in range(n):
            text = f"Dr. Ana Ruiz said that {i} km of road and about {i + 1} miles remain. " * 20
            fh.write(json.dumps({"id": f"d{i}", "text": text}) + "\n")


def _extract(args, **kw):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "engine", "extract", "--pack", str(PACK), *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def _children(pid):
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:  # no /proc (not Linux): nothing to check
        return [-1]


def _alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_kill_9_then_resume_gives_the_same_output(tmp_path, suffix):
    """With ".gz", the input is read compressed and the output written compressed:
    the resumed run's file is the uninterrupted run's, byte for byte."""
    import gzip

    from engine.docio import salvage

    src = tmp_path / "in.jsonl"
    _corpus(src, 3000)
    if suffix:
        src.with_suffix(".jsonl.gz").write_bytes(gzip.compress(src.read_bytes()))
        src = src.with_suffix(".jsonl.gz")
    (tmp_path / "ref").mkdir()
    ref = tmp_path / "ref" / f"out.jsonl{suffix}"  # the same name: gzip keeps it in its header
    proc = _extract([str(src), "-o", str(ref), "--chunk-size", "8"])
    assert proc.wait(timeout=600) == 0, proc.stderr.read()
    out = tmp_path / f"out.jsonl{suffix}"
    proc = _extract([str(src), "-o", str(out), "--processes", "2", "--chunk-size", "8"])
    part = Path(str(out) + ".part")
    enough = 20_000 if suffix else 200_000  # bytes on disk: about a third of the run either way
    deadline = time.time() + 120
    while time.time() < deadline and (not part.exists() or part.stat().st_size < enough):
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert workers, "the run has worker processes"
    proc.send_signal(signal.SIGKILL)  # kill -9: no chance to flush or clean up
    proc.wait(timeout=60)
    assert not out.exists() and part.exists()
    deadline = time.time() + 30
    while time.time() < deadline and any(Path(f"/proc/{w}").exists() and _alive(w) for w in workers):
        time.sleep(0.2)
    assert not any(Path(f"/proc/{w}").exists() and _alive(w) for w in workers), "workers outlived their parent"
    written = salvage(str(part)).count(b"\n")
    assert 0 < written < 3000, written  # killed in the middle of the run
    proc = _extract([str(src), "-o", str(out), "--resume", "--processes", "2", "--chunk-size", "8"])
    assert proc.wait(timeout=600) == 0, proc.stderr.read()
    assert out.read_bytes() == ref.read_bytes()
    assert not part.exists()


def test_resume_refuses_another_input(tmp_path):
    src = tmp_path / "in.jsonl"
    _corpus(src, 5)
    out = tmp_path / "out.jsonl"
    Path(str(out) + ".part").write_text(json.dumps({"id": "other", "annotations": []}) + "\n")
    proc = _extract([str(src), "-o", str(out), "--resume"])
    assert proc.wait(timeout=120) == 2
    assert "does not belong to this input" in proc.stderr.read().decode()
