#!/usr/bin/env bash
# CI smoke run: every training stage for a few iterations at `tiny` size (each stopped and resumed),
# on clips made by the real degradation (bicubic x4 + libx264), then a whole tiny model directory.
# Usage: training/smoke.sh [WORK_DIR]   (default: a new temp dir). Prints where the model dir is.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-/usr/bin/python3}
THREADS=${THREADS:-2}
WORK=${1:-$(mktemp -d -t sdatc-smoke-XXXXXX)}
mkdir -p "$WORK"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONWARNINGS=ignore
run() { echo "+ $*" >&2; "$PY" -m sdatc_training "$@"; }
started=$(date +%s)

# Source images: smooth random textures (no data set needed).
"$PY" - "$WORK/images" <<'PYEOF'
import sys
from pathlib import Path
import numpy as np
from PIL import Image
out = Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(0)
yy, xx = np.mgrid[0:96, 0:128].astype(np.float32)
for i in range(3):
    f = rng.uniform(4, 16, size=(3, 2)); p = rng.uniform(0, 6, size=3)
    img = np.stack([np.sin(xx / f[c, 0] + p[c]) * np.cos(yy / f[c, 1]) for c in range(3)], -1)
    img += rng.normal(0, 0.1, img.shape)
    Image.fromarray(np.clip((img + 1) * 127.5, 0, 255).astype(np.uint8)).save(out / f"smoke{i}.png")
PYEOF

run make-data --images "$WORK/images" --out "$WORK/clips" --clips-per-image 2 --frames 6 --size 64 --crf 15-35
STAGE=(--size tiny --data "$WORK/clips" --threads "$THREADS" --log-every 2 --ckpt-every 2)
for iters in 2 4; do
  run train-dcm "${STAGE[@]}" --out "$WORK/runs/dcm" --iters "$iters" --batch 2 --patch 12
done
for iters in 2 4; do
  run train-decoder "${STAGE[@]}" --out "$WORK/runs/decoder" --iters "$iters" --patch 8 --dcm "$WORK/runs/dcm/dcm.ckpt"
done
for iters in 2 4; do
  run train-diffusion "${STAGE[@]}" --out "$WORK/runs/diffusion" --iters "$iters" --batch 2 --patch 8 \
    --vae "$WORK/runs/decoder/decoder.ckpt" --dcm "$WORK/runs/dcm/dcm.ckpt"
done
run export --dcm "$WORK/runs/dcm/dcm.ckpt" --decoder "$WORK/runs/decoder/decoder.ckpt" \
  --diffusion "$WORK/runs/diffusion/diffusion.ckpt" --out "$WORK/model" --name sdatc-tiny-smoke --threads "$THREADS"
echo "smoke: done in $(( $(date +%s) - started )) s; model directory: $WORK/model"
