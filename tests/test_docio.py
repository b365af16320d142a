"""Output files written through AtomicWriter."""
import os

import pytest

from engine.docio import AtomicWriter


def test_atomic_output_gets_the_mode_a_plain_open_would_give(tmp_path):
    with AtomicWriter(str(tmp_path / "out.jsonl")) as fh:
        fh.write("{}\n")
    with open(tmp_path / "plain.jsonl", "w") as fh:
        fh.write("{}\n")
    assert os.stat(tmp_path / "out.jsonl").st_mode & 0o777 == os.stat(tmp_path / "plain.jsonl").st_mode & 0o777


def test_a_failed_write_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError):
        with AtomicWriter(str(tmp_path / "out.jsonl")) as fh:
            fh.write("half")
            raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------
# compressed input and output

import bz2
import gzip
import json
import lzma
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from engine.cli import main
from engine.docio import ResumableOutput, read_docs, salvage
from engine.goldio import read_gold

PACK = str(Path(__file__).parent / "packs" / "features.yaml")
COMPRESS = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}
texts = st.text(st.sampled_from("Ana said 5 km é “”\"{}\\\n\t.,"), max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(texts, max_size=8), suffix=st.sampled_from(sorted(COMPRESS)),
       name=st.sampled_from(["in.jsonl", "in"]), bad=st.booleans())
def test_a_compressed_input_reads_as_the_plain_one(tmp_path, docs, suffix, name, bad):
    lines = [json.dumps({"id": f"d{k}", "text": t}) for k, t in enumerate(docs)]
    if bad:
        lines.append("{not json")  # a bad line stays a bad line, compressed or not
    data = ("\n".join(lines) + "\n").encode() if lines else b""
    plain = tmp_path / "plain.jsonl"
    plain.write_bytes(data)
    packed = tmp_path / (name + suffix)
    packed.write_bytes(COMPRESS[suffix](data))
    if name == "in" and not lines:
        return  # an empty file whose name does not say JSONL is one empty text document
    want = [(d.line, d.id, d.text, d.error and d.error["message"].split(":", 1)[1]) for d in read_docs(str(plain))]
    got = [(d.line, d.id, d.text, d.error and d.error["message"].split(":", 1)[1]) for d in read_docs(str(packed))]
    assert got == want


def test_format_follows_the_name_under_the_compression_suffix(tmp_path):
    (tmp_path / "note.txt.gz").write_bytes(gzip.compress(b'{"id": 1, "text": "a"}\n'))
    (doc,) = read_docs(str(tmp_path / "note.txt.gz"))
    assert doc.id == "note" and doc.text.startswith('{"id"')  # .txt: one document, whatever it holds
    (tmp_path / "blob.xz").write_bytes(lzma.compress(b"Ana said it."))
    (doc,) = read_docs(str(tmp_path / "blob.xz"))
    assert (doc.id, doc.text) == ("blob", "Ana said it.")


def test_a_compressed_file_cut_off_is_a_clear_error(tmp_path, capsys):
    lines = "".join(json.dumps({"id": f"d{k}", "text": f"Ana said {k} km. " * 30 + str(k * k)}) + "\n"
                    for k in range(400)).encode()
    whole = gzip.compress(lines)
    src = tmp_path / "in.jsonl.gz"
    src.write_bytes(whole[: len(whole) * 2 // 3])
    out = tmp_path / "out.jsonl"
    assert main(["extract", "--pack", PACK, str(src), "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert f"{src}: error[E400]: the gzip stream is damaged or cut off after line" in err
    assert "gzip -t" in err and "--resume" in err
    assert not out.exists()
    done = salvage(str(out) + ".part").count(b"\n")
    assert 0 < done < 400 and f"the {done} documents before it" in err
    src.write_bytes(whole)  # the whole file again: resuming finishes the run
    assert main(["extract", "--pack", PACK, str(src), "-o", str(out), "-q", "--resume"]) == 0
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == [f"d{k}" for k in range(400)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suffix=st.sampled_from(sorted(COMPRESS)), cut=st.floats(0, 1))
def test_resuming_a_compressed_output_cut_anywhere(tmp_path, suffix, cut):
    """A part cut off anywhere (as by kill -9 mid-write) resumes after its last
    whole line, and the finished file holds every line once, in order."""
    path = tmp_path / f"out{cut}.jsonl{suffix}"
    lines = [(json.dumps({"id": k, "text": "Ana said 5 km. " * (k % 7)}) + "\n").encode() for k in range(80)]
    whole = COMPRESS[suffix](b"".join(lines[:50]))
    Path(str(path) + ".part").write_bytes(whole[: int(len(whole) * cut)])
    out = ResumableOutput(str(path), resume=True)
    done = len(out.done_ids)
    assert out.done_ids == list(range(done))
    if cut == 1:
        assert done == 50
    for line in lines[done:]:
        out.write(line.decode())
    out.commit()
    assert {".gz": gzip, ".bz2": bz2, ".xz": lzma}[suffix].decompress(path.read_bytes()) == b"".join(lines)


@pytest.mark.parametrize("suffix", sorted(COMPRESS))
def test_streams_written_one_after_another_resume_as_one(tmp_path, suffix):
    """A part made of a finished stream and a second one cut off (how a
    resumed part looks on Windows, where the stream is finished and a new one
    appended) keeps the first stream's lines and what the second holds."""
    lines = [(json.dumps({"id": k}) + "\n").encode() for k in range(40)]
    second = COMPRESS[suffix](b"".join(lines[20:40]))
    part = COMPRESS[suffix](b"".join(lines[:20])) + second[: len(second) // 2]
    path = tmp_path / f"out.jsonl{suffix}"
    Path(str(path) + ".part").write_bytes(part)
    out = ResumableOutput(str(path), resume=True)
    assert out.done_ids[:20] == list(range(20)) and out.done_ids == list(range(len(out.done_ids)))
    out.close()


def test_a_gold_file_may_be_compressed(tmp_path):
    record = {"id": "a", "text": "Ana said 5 km.", "annotations": []}
    (tmp_path / "gold.jsonl.bz2").write_bytes(bz2.compress((json.dumps(record) + "\n").encode()))
    assert [d["id"] for d in read_gold(tmp_path / "gold.jsonl.bz2")] == ["a"]
    (tmp_path / "cut.jsonl.bz2").write_bytes(bz2.compress((json.dumps(record) + "\n").encode() * 50)[:-20])
    with pytest.raises(Exception, match="bz2 stream is damaged or cut off"):
        read_gold(tmp_path / "cut.jsonl.bz2")
