#!/usr/bin/env python3
"""Scale-out benchmark of dimorph.dask.glm (issue 11): N rows × 20 columns of Parquet (18
predictors x1…x18 and two responses y_bin, y_pois; fixed seed) in ONE file of row groups of
--row-group rows, fitted in the same run by

- dimorph.dask.glm (distributed IRLS) on a 2-worker distributed.LocalCluster (processes, 1 thread
  each; one partition per row group): logistic and Poisson, twice: with the coded partitions kept
  on the workers (persist=True) and re-read from the file at every pass (persist=False, bounded
  worker memory);
- dask-ml's LogisticRegression and PoissonRegression (solver="newton", no penalty: the unpenalized
  maximum-likelihood fit) on a fresh cluster of the same shape;
- Spark MLlib's GeneralizedLinearRegression (pyspark, local[2], IRLS, regParam 0) on the same file;
- the single-machine streaming fit of the CLI, ``dimorph glm --data FILE --stream`` (row groups
  through the IRLS passes, bounded memory);
- the in-memory dimorph.glm on the whole data (when N <= --in-memory-max), whose coefficients the
  others are compared with (max |Δβ|); above that the streaming CLI fit is the reference (it
  equals the in-memory fit to 1e-10, crates/dimorph-glm/src/stream.rs's test);
- statsmodels' GLM (IRLS, on a pandas frame) when N <= --statsmodels-max: every fit's max |Δβ|
  from it is printed too.

--rows takes several sizes (1000000,10000000): each is generated (or found) and fitted by every
tool in turn, in the same run.

Data on disk: the predictors are N(0, 0.5²) rounded to 3 decimals (as registry data are
recorded to limited precision) and stored as float64 with Parquet dictionary encoding and Snappy
(kept so that the files of earlier runs stay valid; dimorph reads zstd too since a6724e1), so that 100M rows take a few GB
instead of 16 GB; every reader (dimorph's Parquet readers, pyarrow under Dask, Spark) reads
float64, so no reader is favoured. The responses are drawn
from the rounded predictors (the model is right for the stored data).

Each fit runs in a process of its own (``--one``), killed with its workers after --cap seconds
(reported "did not finish in X s"). Dask workers get --worker-memory each, with spilling and
pausing off and no retries, so that a tool that does not fit fails at once ("did not fit");
Spark's JVM gets -Xmx --spark-memory. Printed per fit: wall time (reading the file included for
every tool), its ratio to dimorph.dask.glm's, peak RSS per Dask worker (each fit on a fresh
cluster: polled every 0.1 s), of Spark's JVM, or of the CLI process (/usr/bin/time), and the
agreement with the reference, the machine's 1-minute load average as the fit began and ended,
and when it ran. Timing is a benchmark, never a test. Hold /tmp/BIGRUN.lock (mkdir) while it runs
on a shared machine.

Every fit's figures are kept in ``results.json`` beside the data file (removed when the file is
made again), so that a comparison split over several invocations (``--skip``, ``--families``: at
100M rows each fit takes minutes to most of an hour) still has its reference and its ratios: a
table takes them from an earlier run on the same file when its own run has none, and says so;
``--report`` prints every kept fit on the file side by side without running any. Without an
in-memory or streaming fit, the reference is dimorph.dask.glm's own fit (kept, else re-read): the
agreement is then the tools' with each other.

    bash bench/dask_scaleout_setup.sh VENV             # Java for Spark, the peers, dimorph: a venv
    python bench/dask_scaleout.py --install            # the peers only (bench/dask_scaleout_requirements.txt)
    python bench/dask_scaleout.py --rows 1000000,10000000 --cli target/release/dimorph
    python bench/dask_scaleout.py --rows 100000000 --cli target/release/dimorph
    python bench/dask_scaleout.py --rows 100000000 --skip memory,statsmodels,stream,dimorph,daskml,spark \
        --families binomial         # only the re-reading dimorph.dask.glm, at bounded worker memory
    python bench/dask_scaleout.py --rows 2000000 --row-group 250000 --cap 300   # a quick check
    python bench/dask_scaleout.py --rows 100000000 --report    # every fit kept for that file, side by side

Before/after a change to dimorph: ``pip install --no-deps --target DIR OLD_WHEEL`` and ``--before
DIR``: the two dimorph.dask.glm fits (kept, re-read) of the dimorph in DIR run too, each just
before this environment's (their workers import it through PYTHONPATH), in the same table:

    python bench/dask_scaleout.py --rows 1000000,10000000 --row-group 250000 --before /tmp/old-dimorph \
        --skip memory,statsmodels,stream,daskml,spark
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

P = 18
PREDICTORS = [f"x{k}" for k in range(1, P + 1)]
SEED = 20261126


def install() -> None:
    req = Path(__file__).with_name("dask_scaleout_requirements.txt")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", str(req)], check=True)


def generate(folder: Path, rows: int, row_group: int) -> Path:
    """``folder/data.parquet``: row groups of ``row_group`` rows, each drawn with the seed
    (SEED, row group index), predictors rounded to 3 decimals; written one row group at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / "data.parquet"
    stamp = folder / "_meta.json"
    want = {"rows": rows, "row_group": row_group, "seed": SEED, "p": P, "decimals": 3, "codec": "snappy"}
    if path.exists() and stamp.exists() and json.loads(stamp.read_text()) == want:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    (folder / "results.json").unlink(missing_ok=True)  # the figures of fits on an earlier file
    beta_b = np.linspace(-0.5, 0.5, P)
    beta_p = np.linspace(0.2, -0.2, P)
    writer = None
    try:
        for g, start in enumerate(range(0, rows, row_group)):
            n = min(row_group, rows - start)
            rng = np.random.default_rng([SEED, g])
            x = np.round(rng.standard_normal((n, P)) * 0.5, 3)
            eta_b = -0.3 + x @ beta_b
            eta_p = 0.1 + x @ beta_p
            cols = {c: x[:, k] for k, c in enumerate(PREDICTORS)}
            cols["y_bin"] = (rng.random(n) < 1 / (1 + np.exp(-eta_b))).astype(np.float64)
            cols["y_pois"] = rng.poisson(np.exp(eta_p)).astype(np.float64)
            t = pa.table(cols)
            if writer is None:
                writer = pq.ParquetWriter(path, t.schema, compression="snappy", use_dictionary=True)
            writer.write_table(t, row_group_size=row_group)
    finally:
        if writer is not None:
            writer.close()
    stamp.write_text(json.dumps(want))
    return path


class PeakRss:
    """Polls the resident set size of some processes (every 0.1 s, from this process) and keeps
    each one's peak, in MB."""

    def __init__(self, pids):
        import psutil

        self.procs = [psutil.Process(p) for p in pids]
        self.peaks = [0.0] * len(self.procs)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.poll, daemon=True)

    def poll(self):
        while not self.stop.is_set():
            for i, p in enumerate(self.procs):
                try:
                    self.peaks[i] = max(self.peaks[i], p.memory_info().rss / 2**20)
                except Exception:
                    pass
            time.sleep(0.1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def on_cluster(workers: int, memory: str, fn):
    """fn(client) on a fresh LocalCluster whose workers may hold ``memory`` each (no spilling,
    no pausing: a worker past 95 % is restarted, and the fit fails then, no retry); returns (its
    value, peak RSS in MB of each worker process, polled)."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, memory_limit=memory) as c, Client(c) as client:
        pids = list(client.run(os.getpid).values())
        with PeakRss(pids) as rss:
            value = fn(client)
    return value, sorted(rss.peaks)


def fit_dimorph(path: Path, family: str, a, persist: bool = True):
    import dask.dataframe as dd
    import dimorph

    y = "y_bin" if family == "binomial" else "y_pois"

    def run(client):
        t = time.perf_counter()
        ddf = dd.read_parquet(str(path), columns=[y] + PREDICTORS, split_row_groups=True)
        r = dimorph.dask.glm(f"{y} ~ " + " + ".join(PREDICTORS), ddf, family=family, type3=False,
                             persist=persist)
        return time.perf_counter() - t, r.params.to_numpy(), r.passes

    (secs, beta, passes), peaks = on_cluster(a.workers, a.worker_memory, run)
    where = Path(dimorph.__file__).parent.parent
    before = f", dimorph from {where}" if a.before and Path(a.before).resolve() == where.resolve() else ""
    return secs, beta, peaks, f"{passes} passes" + ("" if persist else " (each a read of the file)") + before


def fit_dimorph_reread(path: Path, family: str, a):
    return fit_dimorph(path, family, a, persist=False)


def fit_daskml(path: Path, family: str, a):
    import dask.dataframe as dd
    from dask_ml.linear_model import LogisticRegression, PoissonRegression

    y = "y_bin" if family == "binomial" else "y_pois"

    def run(client):
        t = time.perf_counter()
        ddf = dd.read_parquet(str(path), columns=[y] + PREDICTORS, split_row_groups=True)
        arr = ddf.to_dask_array(lengths=True)  # one array, so that X and y share their chunks
        arr = client.persist(arr)
        X, yy = arr[:, 1:], arr[:, 0]
        cls = LogisticRegression if family == "binomial" else PoissonRegression
        m = cls(solver="newton", fit_intercept=True, max_iter=100, tol=1e-8)  # newton: no penalty
        m.fit(X, yy)
        beta = np.concatenate([[float(m.intercept_)], np.asarray(m.coef_, dtype=float).ravel()])
        return time.perf_counter() - t, beta

    (secs, beta), peaks = on_cluster(a.workers, a.worker_memory, run)
    return secs, beta, peaks, "solver=newton"


def fit_spark(path: Path, family: str, a):
    import psutil
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.regression import GeneralizedLinearRegression
    from pyspark.sql import SparkSession

    y = "y_bin" if family == "binomial" else "y_pois"
    spark = (SparkSession.builder.master(f"local[{a.workers}]").appName("dimorph-bench")
             .config("spark.driver.memory", a.spark_memory).config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", str(a.workers * 4)).getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    jvms = [p.pid for p in psutil.Process().children(recursive=True) if "java" in p.name()]
    rss = PeakRss(jvms)
    rss.__enter__()
    try:
        t = time.perf_counter()
        df = spark.read.parquet(str(path))
        df = VectorAssembler(inputCols=PREDICTORS, outputCol="features").transform(df).select("features", y)
        link = "logit" if family == "binomial" else "log"
        m = GeneralizedLinearRegression(family=family, link=link, labelCol=y, maxIter=25, tol=1e-8,
                                        regParam=0.0).fit(df)
        secs = time.perf_counter() - t
        beta = np.concatenate([[m.intercept], m.coefficients.toArray()])
    finally:
        rss.__exit__()
        spark.stop()
    return secs, beta, [sum(rss.peaks)], f"local mode, one JVM, -Xmx{a.spark_memory} (peak RSS of the JVM)"


def fit_in_memory(path: Path, family: str, a):
    import pandas as pd
    import dimorph

    y = "y_bin" if family == "binomial" else "y_pois"
    t = time.perf_counter()
    df = pd.read_parquet(path, columns=[y] + PREDICTORS)
    r = dimorph.glm(f"{y} ~ " + " + ".join(PREDICTORS), df, family=family, profile=False, type3=False)
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return time.perf_counter() - t, r.params.to_numpy(), [peak], "one process (pandas frame + engine frame)"


def fit_statsmodels(path: Path, family: str, a):
    """statsmodels' GLM (IRLS) on a pandas frame: the peer users trust, at the smallest sizes."""
    import pandas as pd
    import resource
    import statsmodels.api as sm

    y = "y_bin" if family == "binomial" else "y_pois"
    t = time.perf_counter()
    df = pd.read_parquet(path, columns=[y] + PREDICTORS)
    X = sm.add_constant(df[PREDICTORS].to_numpy())
    fam = sm.families.Binomial() if family == "binomial" else sm.families.Poisson()
    r = sm.GLM(df[y].to_numpy(), X, family=fam).fit(tol=1e-12, maxiter=100)
    secs = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return secs, np.asarray(r.params), [peak], f"one process, IRLS tol 1e-12, {r.fit_history['iteration']} iterations"


def fit_stream(path: Path, family: str, a):
    """The CLI's streaming fit (row groups through the IRLS passes), under /usr/bin/time -v."""
    y = "y_bin" if family == "binomial" else "y_pois"
    cmd = ["/usr/bin/time", "-v", a.cli, "glm", "--data", str(path), f"{y} ~ " + " + ".join(PREDICTORS),
           "--family", family, "--stream", "--quiet", "--format", "json"]
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    secs = time.perf_counter() - t
    if p.returncode != 0:
        errors = [ln for ln in p.stderr.splitlines() if ln.startswith("error")]
        raise RuntimeError(errors[0] if errors else f"exit {p.returncode}")
    r = json.loads(p.stdout)["result"]
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024
    return secs, np.array(r["coef"]), [peak], f"one process, {r['passes']} passes + 2 over the file"


TOOLS = {
    "memory": ("dimorph.glm in memory", fit_in_memory),
    "dimorph": ("dimorph.dask.glm", fit_dimorph),
    "reread": ("dimorph.dask.glm(persist=False)", fit_dimorph_reread),
    "dimorph-before": ("dimorph.dask.glm, --before", fit_dimorph),
    "reread-before": ("dimorph.dask.glm(persist=False), --before", fit_dimorph_reread),
    "statsmodels": ("statsmodels GLM", fit_statsmodels),
    "daskml": ("dask-ml {}", fit_daskml),
    "spark": ("Spark MLlib GeneralizedLinearRegression", fit_spark),
    "stream": ("dimorph glm --stream (CLI, one machine)", fit_stream),
}


def one(a) -> None:
    """Runs one fit (``--one TOOL FAMILY``) and prints its figures as the last line of JSON."""
    tool, family = a.one
    path = a.dir / f"n{a.rows}" / "data.parquet"
    secs, beta, peaks, note = TOOLS[tool][1](path, family, a)
    print(json.dumps({"secs": secs, "beta": [float(b) for b in beta], "peaks": peaks, "note": note}))


def run_capped(a, rows: int, tool: str, family: str) -> dict:
    """``--one tool family`` in a new process group, killed (with its workers and JVM) after
    --cap seconds."""
    cmd = [sys.executable, __file__, "--one", tool, family, "--rows", str(rows), "--dir", str(a.dir),
           "--workers", str(a.workers), "--worker-memory", a.worker_memory, "--spark-memory", a.spark_memory,
           "--cli", a.cli] + (["--before", a.before] if a.before else [])
    env = dict(os.environ)
    if tool.endswith("-before"):  # the earlier dimorph first on the path, for this fit and its workers
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [a.before, env.get("PYTHONPATH")]))
    env.update(DASK_DISTRIBUTED__WORKER__MEMORY__TARGET="False",
               DASK_DISTRIBUTED__WORKER__MEMORY__SPILL="False", DASK_DISTRIBUTED__WORKER__MEMORY__PAUSE="False",
               DASK_DISTRIBUTED__WORKER__MEMORY__TERMINATE="0.95", DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0")
    load0, start = os.getloadavg()[0], time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                         start_new_session=True)
    t = time.perf_counter()
    try:
        out, err = p.communicate(timeout=a.cap)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        r = {"failed": f"did not finish in {a.cap} s"}
    else:
        if p.returncode != 0:
            last = [ln for ln in err.strip().splitlines() if ln.strip()]
            why = last[-1] if last else f"exit {p.returncode}"
            if "KilledWorker" in err or "memory" in why.lower() or "OutOfMemory" in err:
                why = f"did not fit ({why[:160]})"
            r = {"failed": f"{why[:240]} after {time.perf_counter() - t:.0f} s"}
        else:
            r = json.loads(out.strip().splitlines()[-1])
    # the 1-minute load average of the machine as the fit began and ended, and when (UTC)
    r.update(load=[load0, os.getloadavg()[0]], at=f"{start}–{time.strftime('%H:%M', time.gmtime())} UTC")
    store(a, rows, family, tool, r)
    return r


def stored(a, rows: int) -> dict:
    """The figures of every fit run on the file of ``rows`` rows, by family and tool: this run's and
    earlier runs' (``results.json`` beside the file; removed when the file is made again)."""
    f = a.dir / f"n{rows}" / "results.json"
    return json.loads(f.read_text()) if f.exists() else {}


def store(a, rows: int, family: str, tool: str, r: dict) -> None:
    """Keeps a fit's figures in ``results.json`` beside the file, so that fits run in separate
    invocations (``--skip``, ``--families``) are compared (``--report``)."""
    every = stored(a, rows)
    every.setdefault(family, {})[tool] = r
    (a.dir / f"n{rows}" / "results.json").write_text(json.dumps(every, indent=1))


def table(a, rows: int, family: str, skip: set) -> None:
    """Every tool on the file of ``rows`` rows, one after the other, and their figures."""
    skip = set(skip)
    for tool in ("dimorph", "reread"):
        if not a.before or tool in skip:
            skip.add(f"{tool}-before")
    if rows > a.in_memory_max:
        skip.add("memory")
    if rows > a.statsmodels_max:
        skip.add("statsmodels")
    out = {}
    for tool in ORDER:
        if tool not in skip:
            out[tool] = run_capped(a, rows, tool, family)
    show(a, rows, family, out)


def show(a, rows: int, family: str, out: dict) -> None:
    """The figures of the fits in ``out`` (tool -> result). The reference (in-memory fit, else the
    streaming CLI fit, else dimorph.dask.glm kept or re-read: then the agreement is the tools' with
    each other) and the time that the ratios divide by (dimorph.dask.glm kept, else re-read) are
    taken from earlier runs on the same file when this run has none; the line says so."""
    earlier = stored(a, rows).get(family, {})
    ok = lambda r: r is not None and "failed" not in r  # noqa: E731

    def pick(tools):
        for t in tools:
            if ok(out.get(t)):
                return t, out[t], ""
            if ok(earlier.get(t)):
                return t, earlier[t], f" (from an earlier run, {earlier[t].get('at', 'time not kept')})"
        return None, None, ""

    ref_tool, ref_r, ref_from = pick(["memory", "stream", "dimorph", "reread"])
    ref = np.array(ref_r["beta"]) if ref_r else None
    sm_tool, sm_r, _ = pick(["statsmodels"])
    sm = np.array(sm_r["beta"]) if sm_r else None
    base_tool, base_r, base_from = pick(["dimorph", "reread"])
    base = base_r["secs"] if base_r else None
    print(f"\n{family}: y ~ x1 + … + x{P}, {rows:,} rows; reference: "
          f"{TOOLS[ref_tool][0] + ref_from if ref_tool else 'none'}; ratios to "
          f"{TOOLS[base_tool][0] + base_from if base_tool else 'none'}")
    print(f"  {'fit':<44} {'seconds':>8} {'x dimorph':>9} {'peak RSS per worker (MB)':>26} {'max |Δβ| vs ref':>16}"
          f" {'vs statsmodels':>15} {'load':>11}")
    for tool in ORDER:
        if tool not in out:
            continue
        r = out[tool]
        name = TOOLS[tool][0].format("LogisticRegression" if family == "binomial" else "PoissonRegression")
        load = "–".join(f"{x:.1f}" for x in r.get("load", []))
        if "failed" in r:
            print(f"  {name:<44} {r['failed']}  (load {load}, {r.get('at', '')})")
            continue
        b = np.array(r["beta"])
        d = "" if ref is None or tool == ref_tool else f"{np.max(np.abs(b - ref)):.1e}"
        ds = "" if sm is None or tool == sm_tool else f"{np.max(np.abs(b - sm)):.1e}"
        ratio = f"{r['secs'] / base:9.2f}" if base else f"{'':9}"
        pk = " / ".join(f"{p:.0f}" for p in r["peaks"])
        print(f"  {name:<44} {r['secs']:8.1f} {ratio} {pk:>26} {d:>16} {ds:>15} {load:>11}  {r['note']}"
              f"{', ' + r['at'] if 'at' in r else ''}", flush=True)


ORDER = ["memory", "statsmodels", "stream", "dimorph-before", "dimorph", "reread-before", "reread", "daskml", "spark"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", default="100000000", help="rows; several sizes comma-separated (1000000,10000000)")
    ap.add_argument("--row-group", type=int, default=1_000_000, help="rows per row group (one Dask partition each)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--worker-memory", default="8GiB", help="memory_limit of each Dask worker")
    ap.add_argument("--spark-memory", default="8g", help="spark.driver.memory (-Xmx of the JVM)")
    ap.add_argument("--cap", type=int, default=1200, help="seconds each fit may take before it is killed")
    ap.add_argument("--cli", default=str(Path(__file__).resolve().parents[1] / "target/release/dimorph"),
                    help="the dimorph binary for the streaming fit")
    ap.add_argument("--dir", type=Path, default=Path(__file__).resolve().parents[1] / "bench-data/scaleout")
    ap.add_argument("--in-memory-max", type=int, default=20_000_000,
                    help="fit in memory (the reference coefficients) up to this many rows")
    ap.add_argument("--statsmodels-max", type=int, default=2_000_000,
                    help="fit with statsmodels (a second reference) up to this many rows")
    ap.add_argument("--skip", default="",
                    help="comma-separated: memory,statsmodels,stream,dimorph,reread,daskml,spark")
    ap.add_argument("--families", default="binomial,poisson", help="comma-separated: binomial,poisson")
    ap.add_argument("--before", default="",
                    help="a folder holding an earlier dimorph (pip install --no-deps --target DIR WHEEL): its "
                         "dask fits (kept, re-read) run too, just before this checkout's, for a before/after")
    ap.add_argument("--install", action="store_true", help="pip install the peers and exit")
    ap.add_argument("--report", action="store_true",
                    help="print the figures kept from earlier runs on the files of --rows (results.json) and exit")
    ap.add_argument("--one", nargs=2, metavar=("TOOL", "FAMILY"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.install:
        install()
        return
    if a.one:
        one(a)
        return
    if a.report:  # the figures kept from earlier runs, every fit on each file side by side
        for rows in [int(r) for r in a.rows.split(",")]:
            for family in a.families.split(","):
                show(a, rows, family, stored(a, rows).get(family, {}))
        return
    skip = set(filter(None, a.skip.split(",")))
    import dask
    import distributed

    try:  # not needed by the peers' fits (--skip memory,stream,dimorph,reread)
        import dimorph

        version = dimorph.__version__
    except ImportError:
        version = "not installed"
    print(f"dimorph {version}, dask {dask.__version__}, distributed {distributed.__version__}; "
          f"{a.workers} workers of {a.worker_memory}, Spark -Xmx{a.spark_memory}, cap {a.cap} s per fit, "
          f"{os.cpu_count()} cores")
    for rows in [int(r) for r in a.rows.split(",")]:
        t = time.perf_counter()
        path = generate(a.dir / f"n{rows}", rows, a.row_group)
        print(f"\ndata: {rows:,} rows x {P + 2} columns, {path} ({path.stat().st_size / 2**30:.2f} GiB, row groups "
              f"of {a.row_group:,}; made or found in {time.perf_counter() - t:.1f} s)", flush=True)
        for family in a.families.split(","):
            table(a, rows, family, skip)


if __name__ == "__main__":
    main()
