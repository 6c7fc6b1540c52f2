"""Command line: python3 -m sdatc_training <command> --help."""

import argparse
import os
from pathlib import Path

DEFAULT_WORK = Path(os.environ.get("SDATC_TRAINING_WORK", Path.home() / ".cache" / "sdatc-training"))


def crf_range(text):
    lo, _, hi = text.partition("-")
    lo, hi = int(lo), int(hi or lo)
    if not 0 <= lo <= hi <= 51:
        raise argparse.ArgumentTypeError(f"CRF range {text!r}: expected LO-HI within 0-51")
    return lo, hi


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m sdatc_training")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("make-data", help="degraded training clips from still images or video frames")
    d.add_argument("--images", action="append", default=[], help="folder of still images (repeatable)")
    d.add_argument("--video-frames", action="append", default=[], help="folder of consecutive video frames")
    d.add_argument("--out", default=str(DEFAULT_WORK / "clips"))
    d.add_argument("--clips-per-image", type=int, default=4)
    d.add_argument("--frames", type=int, default=8)
    d.add_argument("--size", type=int, default=256, help="HR clip side (multiple of 16)")
    d.add_argument("--crf", type=crf_range, default=(15, 35))
    d.add_argument("--seed", type=int, default=0)

    t = sub.add_parser("train-dcm", help="stage (a): DCM with a pixel loss")
    t.add_argument("--size", default="cpu")
    t.add_argument("--data", default=str(DEFAULT_WORK / "clips"))
    t.add_argument("--out", default=str(DEFAULT_WORK / "runs" / "dcm"))
    t.add_argument("--iters", type=int, default=20000)
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--patch", type=int, default=48, help="low-resolution patch side")
    t.add_argument("--lr", type=float, default=5e-4)
    t.add_argument("--threads", type=int, default=os.cpu_count())
    t.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--val", action="append", help="validation image folder (repeatable)")
    t.add_argument("--val-crf", type=int, default=25)
    t.add_argument("--val-every", type=int, default=500)
    t.add_argument("--log-every", type=int, default=50)
    t.add_argument("--ckpt-every", type=int, default=250)
    t.add_argument("--restart", action="store_true", help="ignore an existing checkpoint")

    e = sub.add_parser("export-dcm", help="a trained DCM checkpoint as a model directory (dcm tier)")
    e.add_argument("--ckpt", required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--name", default="sdatc-dcm")
    e.add_argument("--version", default="1")
    e.add_argument("--run", help="training run folder: writes MODEL_CARD.md from its log")
    e.add_argument("--data", help="the clips folder it was trained on (its dataset.json goes into the card)")

    args = p.parse_args(argv)
    if args.command == "make-data":
        from .data.make_clips import make_clips
        if not args.images and not args.video_frames:
            p.error("make-data needs --images or --video-frames")
        make_clips(args.images, args.video_frames, args.out, args.clips_per_image, args.frames, args.size,
                   args.crf, args.seed)
    elif args.command == "train-dcm":
        from .train_dcm import train
        train(args)
    elif args.command == "export-dcm":
        from .export_dcm import export_dcm
        export_dcm(args)


if __name__ == "__main__":
    main()
