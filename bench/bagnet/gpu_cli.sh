#!/usr/bin/env bash
# Part of bench/bagnet/gpu_run.sh: the CLI end to end on the GPU (synthetic fundus images, two
# epochs of BagNet-33 at 224 px, batch 16, a fixed split in whole batches), then `eval` of the
# trained model on the GPU and on the CPU, and the largest difference between their logits.
#   BIN=target-cuda [EXE=$BIN/dimorph] PY=python3 bench/bagnet/gpu_cli.sh WORK_DIR
set -u
BIN=${BIN:-target-cuda}
EXE=${EXE:-$BIN/dimorph}
PY=${PY:-python3}
W=${1:-/tmp/gpu-cli}
rm -rf "$W" && mkdir -p "$W"
"$EXE" bagnet synth --out "$W/img" --n 256 --size 224 --force >/dev/null || exit 1
# A fixed split of 160/48/48 images, whole batches of 16 in every pass: CubeCL autotunes per
# (bucketed) batch size, and a last batch of another size would cost a warm-up of its own.
W=$W $PY - <<'EOF'
import csv, os
w = os.environ["W"]
rows = list(csv.DictReader(open(f"{w}/img/labels.csv")))
with open(f"{w}/split.csv", "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["path", "set"])
    for i, r in enumerate(rows):
        out.writerow([r["path"], "train" if i < 160 else "val" if i < 208 else "test"])
EOF
/usr/bin/time -f "train wall %e s, max RSS %M KB" "$EXE" bagnet train --images "$W/img" \
    --labels "$W/img/labels.csv" --out "$W/run" --arch bagnet33 --size 224 --batch 16 --head-epochs 0 \
    --split-file "$W/split.csv" --epochs "${EPOCHS:-2}" --device cuda --format json >"$W/train.json" 2>"$W/train.err"
echo "train rc $?"
tail -n 25 "$W/train.err"
for dev in cuda cpu; do
    /usr/bin/time -f "eval $dev wall %e s, max RSS %M KB" "$EXE" bagnet eval --model "$W/run/best" \
        --images "$W/img" --labels "$W/img/labels.csv" --device $dev --format json --out "$W/eval-$dev" \
        >"$W/eval-$dev.json"
    echo "eval $dev rc $?"
done
ls "$W/eval-cuda" "$W/run"
W=$W $PY - <<'EOF'
import csv, glob, os
w = os.environ["W"]
def read(dev):
    f = sorted(glob.glob(f"{w}/eval-{dev}/*predictions*.csv"))
    return {r["path"]: float(r["logit"]) for r in csv.DictReader(open(f[0]))} if f else {}
g, c = read("cuda"), read("cpu")
common = sorted(set(g) & set(c))
if common:
    d = [abs(g[k] - c[k]) for k in common]
    print(f"gpu vs cpu logits: {len(common)} images, max |diff| {max(d):.3g}, max |logit| {max(abs(c[k]) for k in common):.3g}")
else:
    print("gpu vs cpu logits: nothing to compare")
EOF
