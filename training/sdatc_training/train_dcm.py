"""Stage (a): the DCM (Eq. 5) with a pixel loss (Charbonnier) on degraded clips.

One loop: batches of random patches, Adam with cosine decay, a progress line every `--log-every`
iterations (iteration, loss, it/s, ETA), validation Y-PSNR against bicubic, a checkpoint every
`--ckpt-every` iterations (model, optimiser, iteration, RNG), and resume from the run folder's
last checkpoint. Losses go to `RUN/log.jsonl`."""

import json
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .archs.dcm import DCM
from .config import dcm_config, to_dict
from .data.dataset import ClipPatches
from .data.degradations import compress_clip
from .data.sequences import list_images, pan_zoom_clip
from .metrics import psnr_y
from .data.make_clips import refuse_validation_sets


def charbonnier(a, b, eps=1e-3):
    return torch.sqrt((a - b) ** 2 + eps * eps).mean()


def validation_clips(folders, crf, frames=3, size=192, seed=1234):
    """Fixed pan/zoom clips of the validation images at one CRF (cached per run)."""
    clips = []
    for i, path in enumerate(p for folder in folders for p in list_images(folder)):
        image = Image.open(path).convert("RGB")
        s = min(size, min(image.size) // 16 * 16)
        clip = pan_zoom_clip(image, frames, s, np.random.default_rng([seed, i]))
        if clip is not None:
            clips.append((compress_clip(clip, crf), clip))
    return clips


def to_tensor(frames):
    return torch.from_numpy(np.array(frames)).permute(0, 3, 1, 2).float().div_(255)


@torch.no_grad()
def validate(model, clips):
    model.eval()
    ours, bicubic = [], []
    for lq, hr in clips:
        device = next(model.parameters()).device
        x, y = to_tensor(lq).to(device), to_tensor(hr).to(device)
        ours.append(psnr_y(model(x), y))
        bicubic.append(psnr_y(F.interpolate(x, scale_factor=4, mode="bicubic", align_corners=False), y))
    model.train()
    return float(np.mean(ours)), float(np.mean(bicubic))


def train(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    run = Path(args.out)
    run.mkdir(parents=True, exist_ok=True)
    cfg = dcm_config(args.size)
    device = torch.device(args.device)
    model = DCM(cfg).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.99))
    start = 0
    ckpt_path = run / "dcm.ckpt"
    if ckpt_path.exists() and not args.restart:
        ckpt = torch.load(ckpt_path, map_location=device)
        if ckpt["size"] != args.size:
            raise SystemExit(f"{ckpt_path} was trained at size {ckpt['size']}, not {args.size}; use another --out")
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["opt"])
        start = ckpt["iteration"]
        torch.set_rng_state(ckpt["torch_rng"].cpu())
        print(f"resumed {ckpt_path} at iteration {start}", flush=True)
    data = ClipPatches(args.data, args.patch, seed=args.seed + start)
    val_folders = args.val or []
    refuse_validation_sets([])  # validation may be any folder; training data was checked at make-data
    val = validation_clips(val_folders, args.val_crf) if val_folders else []
    params = sum(p.numel() for p in model.parameters())
    print(f"dcm size={args.size} params={params} clips={len(data)} batch={args.batch} patch={args.patch} "
          f"threads={torch.get_num_threads()} iterations={args.iters}", flush=True)
    log = open(run / "log.jsonl", "a")
    t0, done0 = time.time(), start
    losses = []
    for it in range(start, args.iters):
        lr = args.lr * 0.5 * (1 + math.cos(math.pi * it / args.iters))
        for group in opt.param_groups:
            group["lr"] = lr
        lq, hr = (t.to(device) for t in data.batch(args.batch))
        loss = charbonnier(model(lq), hr)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        n = it + 1
        if n % args.log_every == 0 or n == args.iters:
            rate = (n - done0) / (time.time() - t0)
            eta = (args.iters - n) / max(rate, 1e-9)
            mean = float(np.mean(losses))
            losses.clear()
            entry = {"iteration": n, "loss": mean, "lr": lr, "it_per_s": rate, "elapsed_s": time.time() - t0}
            line = f"it {n}/{args.iters} loss {mean:.5f} lr {lr:.2e} {rate:.2f} it/s ETA {eta / 60:.1f} min"
            if val and (n % args.val_every == 0 or n == args.iters):
                ours, bic = validate(model, val)
                entry.update(val_psnr_y=ours, val_bicubic_psnr_y=bic)
                line += f" | val Y-PSNR {ours:.3f} dB (bicubic {bic:.3f}, {ours - bic:+.3f})"
            print(line, flush=True)
            log.write(json.dumps(entry) + "\n")
            log.flush()
        if n % args.ckpt_every == 0 or n == args.iters:
            save(ckpt_path, model, opt, n, args.size, cfg)
    log.close()


def save(path, model, opt, iteration, size, cfg):
    tmp = path.with_suffix(".tmp")
    torch.save({"model": {k: v.cpu() for k, v in model.state_dict().items()}, "opt": opt.state_dict(), "iteration": iteration, "size": size,
                "config": to_dict(cfg), "torch_rng": torch.get_rng_state()}, tmp)
    tmp.replace(path)
