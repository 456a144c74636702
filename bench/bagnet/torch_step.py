"""PyTorch peer of the BagNet speed benchmark: one SGD training step (forward, BCE-with-logits loss,
backward, optimiser step) and one inference forward on a random batch, on the CPU with all cores
(or `--device cuda`).
Prints the median of --reps runs after one warm-up as `key value` lines (bench/bagnet/run.sh).
"""
import argparse
import contextlib
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_bagnet import BagNet  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", default="bagnet33")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--width", type=float, default=1.0)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument(
        "--precision",
        default="f32",
        choices=["f32", "bf16", "f16", "amp-bf16"],
        help="f32; bf16/f16: the whole model and input in that type (as burn's --precision); "
        "amp-bf16: f32 weights with torch.autocast(bfloat16)",
    )
    p.add_argument(
        "--profile",
        metavar="FILE",
        help="after the timed steps, profile one more training step with torch.profiler and write "
        "its kernels by device time to FILE (bench/bagnet/gpu_run.sh, phase P)",
    )
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    q = {"bagnet9": 9, "bagnet8": 9, "bagnet17": 17, "bagnet16": 17, "bagnet33": 33, "bagnet32": 33}[a.arch]
    dev = torch.device(a.device)
    dtype = {"bf16": torch.bfloat16, "f16": torch.float16}.get(a.precision, torch.float32)
    model = BagNet(q=q, num_classes=1, width=a.width).to(dev, dtype)
    x = torch.randn(a.batch, 3, a.size, a.size, device=dev, dtype=dtype)
    y = torch.bernoulli(torch.full((a.batch, 1), 0.5, device=dev, dtype=dtype))
    amp = a.precision == "amp-bf16"
    autocast = (lambda: torch.autocast(dev.type, dtype=torch.bfloat16)) if amp else contextlib.nullcontext
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    print(f"backend torch-{torch.__version__} {a.device} {a.precision}")
    print(f"threads {torch.get_num_threads()}")
    print("params", sum(p.numel() for p in model.parameters() if p.requires_grad))
    model.train()
    times, cpu = [], []
    def train_step():
        opt.zero_grad(set_to_none=True)
        with autocast():
            loss = loss_fn(model(x).float(), y.float())
        loss.backward()
        opt.step()
        sync()
        return loss

    for rep in range(a.reps + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        loss = train_step()
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        print(f"train step {rep}: {dt:.3f} s, CPU {dc:.2f} s (loss {loss.item():.4f})", file=sys.stderr)
        if rep > 0:
            times.append(dt)
            cpu.append(dc)
    step = statistics.median(times)
    print(f"train_step_s {step:.4f}")
    print(f"train_images_per_s {a.batch / step:.2f}")
    print(f"train_step_cpu_s {statistics.median(cpu):.2f}")
    if a.profile:
        write_profile(a.profile, train_step, dev)
    model.eval()
    times, cpu = [], []
    with torch.inference_mode():
        for rep in range(a.reps + 1):
            t0, c0 = time.perf_counter(), time.process_time()
            with autocast():
                model(x)
            sync()
            dt, dc = time.perf_counter() - t0, time.process_time() - c0
            print(f"inference {rep}: {dt:.3f} s, CPU {dc:.2f} s", file=sys.stderr)
            if rep > 0:
                times.append(dt)
                cpu.append(dc)
    infer = statistics.median(times)
    print(f"infer_s {infer:.4f}")
    print(f"infer_images_per_s {a.batch / infer:.2f}")
    print(f"infer_cpu_s {statistics.median(cpu):.2f}")


def write_profile(path, train_step, dev):
    """One training step under torch.profiler: its operators and kernels by device time."""
    from torch.profiler import ProfilerActivity, profile

    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if dev.type == "cuda" else [])
    with profile(activities=acts) as prof:
        train_step()
    events = prof.key_averages()
    with open(path, "w") as f:
        for key in ("self_device_time_total", "self_cuda_time_total", "self_cpu_time_total"):
            try:
                f.write(events.table(sort_by=key, row_limit=60, max_name_column_width=90))
                break
            except (AttributeError, KeyError, ValueError):
                continue


if __name__ == "__main__":
    main()
