"""A Spark task's own work, without a JVM: its reading thread and its share of the cluster."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.parquet as pq

from conduct_scan import spark as spark_engine
from conduct_scan.read import Columns, Window


def _job(root: Path, names: list[str], batch_rows: int) -> spark_engine._Job:
    inputs = spark_engine._check_inputs([root], Columns(), Window(), "")
    files = {path: info for path, info in inputs.files.items() if Path(path).name in names}
    return spark_engine._Job(spark_engine.RulesetSource(""), Columns(), Window(), files,
                             batch_rows=batch_rows)  # fmt: skip


def test_read_ahead_keeps_order_rows_and_errors_per_piece(tmp_path: Path) -> None:
    """Batches come in piece order with the file's row numbers; a piece that fails midway
    ends with its error (after the batches read before it) and the next piece is read."""
    posts = 10
    good = pa.table({"post_id": [str(i) for i in range(posts)], "account_id": ["u"] * posts,
                     "text": [f"post {i}" for i in range(posts)]})  # fmt: skip
    pq.write_table(good, tmp_path / "a.parquet", row_group_size=3)
    pq.write_table(good, tmp_path / "c.parquet", row_group_size=3)
    ids = [str(i).encode() for i in range(6)] + [b"\xff\xfe"]  # the last row group is bad
    bad = pa.table({"post_id": pa.array(ids, pa.binary()), "account_id": ["w"] * 7,
                    "text": ["x"] * 7})  # fmt: skip
    pq.write_table(bad, tmp_path / "b.parquet", row_group_size=3)
    job = _job(tmp_path, ["a.parquet", "b.parquet", "c.parquet"], batch_rows=3)
    a, b, c = sorted(job.files)
    pieces = [
        spark_engine._Piece(a, (1, 2), 3, 0),  # rows 3..8 of a
        spark_engine._Piece(b, None, 0, 0),
        spark_engine._Piece(c, None, 0, 0),
    ]
    events = list(spark_engine._read_ahead(job, pieces))
    rows: dict[int, list[int]] = {0: [], 1: [], 2: []}
    ends: list[tuple[int, str | None]] = []
    for n, table, error in events:
        if table is not None:
            assert not any(e[0] == n for e in ends), "a batch after its piece ended"
            rows[n] += table.column("__row").to_pylist()
        else:
            ends.append((n, None if error is None else str(error)))
    assert [e[0] for e in events] == sorted(e[0] for e in events)  # piece order
    assert rows == {0: list(range(3, 9)), 1: list(range(6)), 2: list(range(posts))}
    assert ends[0] == (0, None) and ends[2] == (2, None)
    assert ends[1][0] == 1 and "b.parquet" in str(ends[1][1])


def test_read_ahead_stops_its_thread_when_the_task_stops(tmp_path: Path) -> None:
    many = pa.table({"post_id": [str(i) for i in range(100)], "account_id": ["u"] * 100,
                     "text": ["t"] * 100})  # fmt: skip
    pq.write_table(many, tmp_path / "a.parquet", row_group_size=1)
    job = _job(tmp_path, ["a.parquet"], batch_rows=1)
    events = spark_engine._read_ahead(job, [spark_engine._Piece(next(iter(job.files)), None,
                                                                0, 0)])  # fmt: skip
    next(events)
    events.close()  # Spark stops consuming (a failed task): the reading thread ends
    assert not any(t.name == "conduct-scan-read" for t in threading.enumerate())


def test_tasks_are_cut_for_the_slots_not_the_cores() -> None:
    """With ``spark.task.cpus`` = 2 a 4-core cluster runs 2 tasks at once (each scanning with
    2 threads): the inputs are cut for 2 slots."""

    def cluster(cores: int, task_cpus: str | None) -> SimpleNamespace:
        conf = {} if task_cpus is None else {"spark.task.cpus": task_cpus}
        settings = SimpleNamespace(get=lambda key, default: conf.get(key, default))
        context = SimpleNamespace(defaultParallelism=cores, getConf=lambda: settings)
        return SimpleNamespace(sparkContext=context)

    assert spark_engine._task_slots(cluster(4, None)) == 4
    assert spark_engine._task_slots(cluster(4, "2")) == 2
    assert spark_engine._task_slots(cluster(2, "4")) == 1
