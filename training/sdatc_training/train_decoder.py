"""Stage (b): the VAE decoder's PCAM (Eq. 7-8), STAM (Eq. 9-11) and CFW (Eq. 12) with the encoder
frozen, by a pixel loss (Charbonnier) on windows of T frames of the degraded clips.

Per iteration: a batch of windows (lq, hr, crf); x = DCM(lq) (or bicubic x4 of lq); latent and
encoder features = VAE encoder(2x - 1); out = decoder(latent, features, w, hint) with the T frames on
the batch axis; loss = Charbonnier(out, hr) on [0, 1].

What trains (`--trainable`):
- `paper`: only PCAM/STAM/CFW; the rest is the pretrained autoencoder given by --vae-init (the
  paper's setting, for Stable Diffusion's VAE).
- `decoder`: the whole decoder, the encoder frozen.
- `all`: the whole autoencoder, for training from scratch without pretrained weights (on CPU);
  then the encoder is trained too, and the export lists vae_encoder as trained.
With `decoder`/`all` a reconstruction term (decoder(encoder(hr)) vs hr, w = 0) keeps the latent
space an autoencoder's, so stage (c) has latents of HR frames to learn.

Same loop as train-dcm: progress line, RUN/log.jsonl, RUN/decoder.ckpt (model, optimiser,
iteration, RNG) every --ckpt-every iterations, resume from it, --seed.
"""

from pathlib import Path

import torch

from .archs.vae import VAE
from .conditioning import Restorer, crf_hints
from .config import sdatc_config, sdatc_to_dict
from .data.windows import ClipWindows
from .loop import (Progress, charbonnier, cosine_lr, freeze, load_weights, resolve_device, resume,
                   save_checkpoint, set_lr)

TRAINABLE = ("paper", "decoder", "all")
SDATC_PREFIXES = ("decoder.pcam.", "decoder.stam.", "decoder.cfw.")


def trainable_parameters(vae, trainable):
    if trainable not in TRAINABLE:
        raise SystemExit(f"--trainable {trainable}: expected one of {', '.join(TRAINABLE)}")
    if trainable == "paper":
        freeze(vae)
        modules = vae.sdatc_modules()
    elif trainable == "decoder":
        freeze(*vae.encoder_modules())
        modules = [vae.decoder, vae.post_quant_conv]
    else:
        modules = [vae]
    params = [p for m in modules for p in m.parameters()]
    for p in params:
        p.requires_grad_(True)
    return params


def check_patch(cfg, patch):
    f = cfg.latent_downsample
    if (4 * patch) % f:
        raise SystemExit(f"--patch {patch}: the HR side 4 x {patch} must be a multiple of the VAE's factor {f}")


def train(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = resolve_device(args.device)
    run = Path(args.out)
    run.mkdir(parents=True, exist_ok=True)
    cfg = sdatc_config(args.size)
    check_patch(cfg, args.patch)
    frames = args.frames or cfg.stam.window_length
    vae = VAE(cfg)
    trainable = args.trainable or ("paper" if args.vae_init else "all")
    if args.vae_init:
        n, _ = load_weights(vae, args.vae_init, f"VAE ({args.size})", allowed_missing=SDATC_PREFIXES)
        print(f"initialised the VAE from {args.vae_init} ({n} tensors)", flush=True)
    elif trainable == "paper":
        raise SystemExit("--trainable paper trains PCAM/STAM/CFW only and needs a pretrained VAE (--vae-init); "
                         "without one use --trainable all")
    params = trainable_parameters(vae, trainable)
    encoder_trained = trainable == "all"
    recon = args.recon_weight if trainable != "paper" else 0.0
    vae.to(device)
    opt = torch.optim.Adam(params, lr=args.lr, betas=(0.9, 0.99))
    start = 0
    ckpt_path = run / "decoder.ckpt"
    ckpt = resume(ckpt_path, args.size, args.restart)
    if ckpt is not None:
        if ckpt["trainable"] != trainable:
            raise SystemExit(f"{ckpt_path} trained --trainable {ckpt['trainable']}, not {trainable}; use another --out")
        vae.load_state_dict(ckpt["vae"])
        opt.load_state_dict(ckpt["opt"])
        start = ckpt["iteration"]
        torch.set_rng_state(ckpt["torch_rng"])
        print(f"resumed {ckpt_path} at iteration {start}", flush=True)
    restorer = Restorer(args.dcm, device)
    data = ClipWindows(args.data, args.patch, frames, seed=args.seed + start)
    w = torch.tensor([args.cfw_weight], device=device)
    print(f"decoder size={args.size} trainable={trainable} ({sum(p.numel() for p in params)} of "
          f"{sum(p.numel() for p in vae.parameters())} parameters) input={restorer.describe()} clips={len(data)} "
          f"batch={args.batch}x{frames} frames patch={args.patch} (HR {4 * args.patch}) device={device} "
          f"threads={torch.get_num_threads()} iterations={args.iters}", flush=True)
    progress = Progress(run, args.iters, start, args.log_every)
    vae.train()
    for it in range(start, args.iters):
        lr = cosine_lr(args.lr, it, args.iters)
        set_lr(opt, lr)
        lq, hr, crf = data.batch(args.batch)
        lq, hr = lq.to(device), hr.to(device)
        hint = crf_hints(crf, frames, args.hint_drop).to(device)
        x = restorer(lq)
        with torch.set_grad_enabled(encoder_trained):
            latent, features = vae.encode(2 * x - 1)
        out = vae.decode(latent, features, w, hint, frames)
        restore = charbonnier((out + 1) / 2, hr)
        loss = restore
        parts = {"loss_restore": restore.item()}
        if recon > 0:
            with torch.set_grad_enabled(encoder_trained):
                latent_hr, features_hr = vae.encode(2 * hr - 1)
            rec = charbonnier((vae.decode(latent_hr, features_hr, 0.0, hint, frames) + 1) / 2, hr)
            loss = loss + recon * rec
            parts["loss_recon"] = rec.item()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        progress.add(loss.item(), **parts)
        n = it + 1
        if progress.due(n):
            progress.report(n, lr)
        if n % args.ckpt_every == 0 or n == args.iters:
            save_checkpoint(ckpt_path, {
                "vae": vae.state_dict(), "opt": opt.state_dict(), "iteration": n, "size": args.size,
                "config": sdatc_to_dict(cfg), "trainable": trainable, "encoder_trained": encoder_trained,
                "frames": frames, "patch": args.patch, "cfw_weight_train": args.cfw_weight,
                "vae_init": args.vae_init, "dcm": restorer.path, "data": str(args.data), "torch_rng": torch.get_rng_state()})
    progress.close()


def load_vae(ckpt_path):
    """A stage-(b) checkpoint -> (VAE in eval mode on the CPU, checkpoint)."""
    from .config import sdatc_from_dict
    ckpt = torch.load(ckpt_path, map_location="cpu")
    if "vae" not in ckpt:
        raise SystemExit(f"{ckpt_path}: not a train-decoder checkpoint (no 'vae' weights)")
    vae = VAE(sdatc_from_dict(ckpt["config"]))
    vae.load_state_dict(ckpt["vae"])
    return vae.eval(), ckpt
