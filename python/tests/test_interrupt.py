"""Ctrl-C stops an engine call (the engines' loops poll Python's signal handlers through
``dimorph_core::interrupt``): it used to be seen only once the call had ended, minutes later.

A child process starts a t-SNE of 100,000 iterations (minutes on any machine) and is sent SIGINT
once it is inside the call; it must end with KeyboardInterrupt, its handler's exception, well
before the call could have finished. Not a speed test: the bound only tells an interrupted call
from one that runs to its end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process")

CHILD = textwrap.dedent(
    """
    import sys, numpy as np, dimorph.embed
    x = np.random.default_rng(1).normal(size=(1500, 5))
    tsne = dimorph.embed.TSNE(n_iter=100000, seed=1)
    print("ready", flush=True)
    try:
        tsne.fit(x)
    except KeyboardInterrupt as e:
        print("interrupted:", type(e).__name__, flush=True)
        sys.exit(3)
    print("finished", flush=True)
    """
)


def test_ctrl_c_stops_a_long_tsne_inside_the_engine():
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(2.0)  # inside the engine call (the optimisation alone takes minutes)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 3, (out, err)
    assert "interrupted: KeyboardInterrupt" in out
    assert "finished" not in out and "panicked" not in err, err
