"""The PyTorch side of bench/bagnet/loader_bench.sh: a torch.utils.data.DataLoader (no
torchvision) over the same JPEGs: PIL decode, RGB, resize to SIZE (bilinear), to a float tensor
/255, ImageNet normalisation; batches of BATCH with num_workers WORKERS. Prints `key value` lines.
Usage: python loader_torch.py DIR WORKERS [SIZE] [BATCH]
"""
import csv
import os
import sys
import time

import numpy as np
import torch
from PIL import Image

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)


class Folder(torch.utils.data.Dataset):
    def __init__(self, root, size):
        with open(os.path.join(root, "labels.csv")) as f:
            rows = list(csv.DictReader(f))
        self.paths = [os.path.join(root, "img", r["path"]) for r in rows]
        self.labels = [0 if r["label"] == "a" else 1 for r in rows]
        self.size = size

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        img = Image.open(self.paths[i]).convert("RGB")
        if img.size != (self.size, self.size):
            img = img.resize((self.size, self.size), Image.BILINEAR)
        x = torch.from_numpy(np.asarray(img, dtype=np.uint8).copy()).permute(2, 0, 1).float() / 255.0
        return (x - MEAN) / STD, self.labels[i]


def main():
    root, workers = sys.argv[1], int(sys.argv[2])
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 224
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    torch.set_num_threads(1)
    ds = Folder(root, size)
    dl = torch.utils.data.DataLoader(ds, batch_size=batch, shuffle=False, num_workers=workers)
    t = time.perf_counter()
    n = 0
    for x, _ in dl:
        n += x.shape[0]
    s = time.perf_counter() - t
    print(f"images {n}")
    print(f"workers {workers}")
    print(f"stream_s {s:.3f}")
    print(f"stream_images_per_s {n / s:.1f}")
    print(f"torch {torch.__version__}")


if __name__ == "__main__":
    main()
