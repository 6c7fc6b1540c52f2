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

    v = sub.add_parser("make-eval-clips", help="PNG pan/zoom clips of test stills, as ground truth for the Java eval")
    v.add_argument("--images", action="append", required=True, help="folder of still test images (repeatable)")
    v.add_argument("--out", required=True)
    v.add_argument("--frames", type=int, default=10)
    v.add_argument("--size", type=int, default=256, help="HR clip side (multiple of 16)")
    v.add_argument("--seed", type=int, default=7)

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

    def stage_common(s, name, iters, batch, patch, lr):
        s.add_argument("--size", default="small", help="tiny | small | paper (config.py)")
        s.add_argument("--data", default=str(DEFAULT_WORK / "clips"))
        s.add_argument("--out", default=str(DEFAULT_WORK / "runs" / name))
        s.add_argument("--iters", type=int, default=iters)
        s.add_argument("--batch", type=int, default=batch)
        s.add_argument("--patch", type=int, default=patch, help="low-resolution patch side")
        s.add_argument("--lr", type=float, default=lr)
        s.add_argument("--dcm", help="train-dcm checkpoint whose output conditions the stage (default: bicubic x4)")
        s.add_argument("--hint-drop", type=float, default=0.2,
                       help="probability of hiding a clip's CRF (trains PCAM's 'unknown' code)")
        s.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N")
        s.add_argument("--threads", type=int, default=os.cpu_count())
        s.add_argument("--seed", type=int, default=0)
        s.add_argument("--log-every", type=int, default=25)
        s.add_argument("--ckpt-every", type=int, default=250)
        s.add_argument("--restart", action="store_true", help="ignore an existing checkpoint")

    b = sub.add_parser("train-decoder", help="stage (b): VAE decoder PCAM/STAM/CFW, encoder frozen, pixel loss")
    stage_common(b, "decoder", iters=5000, batch=1, patch=16, lr=1e-4)
    b.add_argument("--frames", type=int, help="T frames per window (default: the size's stam.window_length)")
    b.add_argument("--vae-init", help="pretrained autoencoder state dict in this package's names (e.g. SD's VAE)")
    b.add_argument("--trainable", choices=("paper", "decoder", "all"),
                   help="paper: PCAM/STAM/CFW only (default with --vae-init); all: everything (default without)")
    b.add_argument("--cfw-weight", type=float, default=1.0, help="w of Eq. 12 while training")
    b.add_argument("--recon-weight", type=float, default=1.0,
                   help="weight of the decoder(encoder(hr)) reconstruction term when the base decoder trains")

    c = sub.add_parser("train-diffusion", help="stage (c): UNet + ControlNet, noise-prediction objective")
    stage_common(c, "diffusion", iters=20000, batch=4, patch=32, lr=1e-4)
    c.add_argument("--vae", required=True, help="train-decoder checkpoint (its frozen encoder makes the latents)")
    c.add_argument("--unet-init", help="pretrained UNet state dict in this package's names (e.g. SD 2.1's)")
    c.add_argument("--trainable", choices=("paper", "all"),
                   help="paper: ControlNet + UNet decoder (default with --unet-init); all: everything (default without)")
    c.add_argument("--latent-scale", default="auto", help="latent scaling factor, or auto (1 / std of the first batch)")
    c.add_argument("--prediction-type", choices=("epsilon", "v_prediction"))
    c.add_argument("--beta-schedule", choices=("linear", "scaled_linear"))
    c.add_argument("--timestep-spacing", choices=("leading", "trailing", "linspace"))
    c.add_argument("--steps", type=int, help="default sampler steps recorded in the recipe (50)")
    c.add_argument("--sampler", choices=("ddim", "dpmpp-2m"))
    c.add_argument("--eta", type=float)
    c.add_argument("--constant-lr", action="store_true", help="no cosine decay (fine-tuning)")

    x = sub.add_parser("export", help="a whole model directory (contract 2) from the stages' checkpoints")
    x.add_argument("--dcm", required=True, help="train-dcm checkpoint")
    x.add_argument("--decoder", required=True, help="train-decoder checkpoint (vae_encoder, vae_decoder)")
    x.add_argument("--diffusion", required=True, help="train-diffusion checkpoint (unet)")
    x.add_argument("--out", required=True)
    x.add_argument("--name", default="sdatc")
    x.add_argument("--version", default="1")
    x.add_argument("--steps", type=int, help="override the recipe's default sampler steps")
    x.add_argument("--threads", type=int, default=os.cpu_count())

    args = p.parse_args(argv)
    if args.command == "make-data":
        from .data.make_clips import make_clips
        if not args.images and not args.video_frames:
            p.error("make-data needs --images or --video-frames")
        make_clips(args.images, args.video_frames, args.out, args.clips_per_image, args.frames, args.size,
                   args.crf, args.seed)
    elif args.command == "make-eval-clips":
        from .data.eval_clips import make_eval_clips
        make_eval_clips(args.images, args.out, args.frames, args.size, args.seed)
    elif args.command == "train-dcm":
        from .train_dcm import train
        train(args)
    elif args.command == "export-dcm":
        from .export_dcm import export_dcm
        export_dcm(args)
    elif args.command == "train-decoder":
        from .train_decoder import train
        train(args)
    elif args.command == "train-diffusion":
        from .train_diffusion import train
        train(args)
    elif args.command == "export":
        import torch
        from .export_model import export_model
        torch.set_num_threads(args.threads)
        export_model(args)


if __name__ == "__main__":
    main()
