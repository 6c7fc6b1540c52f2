"""Stage (a): the DCM (Eq. 5) with a pixel loss (Charbonnier) on degraded clips.

One loop: batches of random patches, Adam with cosine decay, a progress line every `--log-every`
iterations (iteration, loss, it/s, ETA), validation Y-PSNR against bicubic, a checkpoint every
`--ckpt-every` iterations (model, optimiser, iteration, RNG), and resume from the run folder's
last checkpoint. Losses go to `RUN/log.jsonl`."""

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
from .loop import Progress, charbonnier, cosine_lr, resolve_device, resume, save_checkpoint, set_lr


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
    device = resolve_device(args.device)
    model = DCM(cfg).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.99))
    start = 0
    ckpt_path = run / "dcm.ckpt"
    ckpt = resume(ckpt_path, args.size, args.restart)
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["opt"])
        start = ckpt["iteration"]
        torch.set_rng_state(ckpt["torch_rng"].cpu())
        print(f"resumed {ckpt_path} at iteration {start}", flush=True)
    data = ClipPatches(args.data, args.patch, seed=args.seed + start)
    val_folders = args.val or []
    val = validation_clips(val_folders, args.val_crf) if val_folders else []
    params = sum(p.numel() for p in model.parameters())
    print(f"dcm size={args.size} params={params} clips={len(data)} batch={args.batch} patch={args.patch} "
          f"threads={torch.get_num_threads()} iterations={args.iters}", flush=True)
    progress = Progress(run, args.iters, start, args.log_every)

    def validation():
        ours, bic = validate(model, val)
        return (dict(val_psnr_y=ours, val_bicubic_psnr_y=bic),
                f" | val Y-PSNR {ours:.3f} dB (bicubic {bic:.3f}, {ours - bic:+.3f})")

    for it in range(start, args.iters):
        lr = cosine_lr(args.lr, it, args.iters)
        set_lr(opt, lr)
        lq, hr = (t.to(device) for t in data.batch(args.batch))
        loss = charbonnier(model(lq), hr)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        progress.add(loss.item())
        n = it + 1
        if progress.due(n):
            due_val = val and (n % args.val_every == 0 or n == args.iters)
            progress.report(n, lr, validation if due_val else None)
        if n % args.ckpt_every == 0 or n == args.iters:
            save(ckpt_path, model, opt, n, args.size, cfg)
    progress.close()


def save(path, model, opt, iteration, size, cfg):
    save_checkpoint(path, {"model": {k: v.cpu() for k, v in model.state_dict().items()}, "opt": opt.state_dict(), "iteration": iteration,
                           "size": size, "config": to_dict(cfg), "torch_rng": torch.get_rng_state()})
