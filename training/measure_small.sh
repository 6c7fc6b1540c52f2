#!/usr/bin/env bash
# Speed of every training stage at `small` size on this machine: 10 iterations each from scratch
# (iterations/s in each log), then the export (seconds and size per stage) and its parity fixtures.
# Usage: training/measure_small.sh [WORK_DIR] (default: a new temp dir). Needs the clips of
# `make-data` in $SDATC_TRAINING_WORK/clips (default ~/.cache/sdatc-training/clips).
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-/usr/bin/python3}
THREADS=${THREADS:-2}
WORK=${1:-$(mktemp -d -t sdatc-small-XXXXXX)}
mkdir -p "$WORK"
DATA=${SDATC_TRAINING_WORK:-$HOME/.cache/sdatc-training}/clips
export PYTHONWARNINGS=ignore
run() { echo "+ $*" >&2; "$PY" -m sdatc_training "$@"; }
S=(--size small --data "$DATA" --threads "$THREADS" --iters 10 --log-every 2 --ckpt-every 1000)
run train-dcm "${S[@]}" --out "$WORK/dcm" 2>&1 | tee "$WORK/dcm.log"
run train-decoder "${S[@]}" --out "$WORK/decoder" --dcm "$WORK/dcm/dcm.ckpt" 2>&1 | tee "$WORK/decoder.log"
run train-diffusion "${S[@]}" --out "$WORK/diffusion" --vae "$WORK/decoder/decoder.ckpt" \
  --dcm "$WORK/dcm/dcm.ckpt" 2>&1 | tee "$WORK/diffusion.log"
run export --dcm "$WORK/dcm/dcm.ckpt" --decoder "$WORK/decoder/decoder.ckpt" \
  --diffusion "$WORK/diffusion/diffusion.ckpt" --out "$WORK/model" --name sdatc-small-measure \
  --threads "$THREADS" 2>&1 | tee "$WORK/export.log"
echo "model directory: $WORK/model (check it with: java -jar target/sdatc-enhancer.jar model verify --model-dir $WORK/model)"
