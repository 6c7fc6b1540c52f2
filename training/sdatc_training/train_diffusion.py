"""Stage (c): UNet + ControlNet (Eq. 6, with PCAM Eq. 7-8 in the UNet decoder) with the
noise-prediction objective of Eq. 3-4, in the latent space of the frozen VAE of stage (b).

Per iteration: frames (lq, hr, crf); condition C_HR = s * E(2 DCM(lq) - 1) (bicubic x4 when no DCM
checkpoint is given) and x0 = s * E(2 hr - 1), E the frozen encoder's posterior mean and s the
latent scaling factor; t ~ U{0..T-1}, eps ~ N(0, I), z_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps
(Eq. 2); loss = || target - UNet(z_t, t, C_HR, hint) ||^2 with target eps (Eq. 3-4) or v, per the
recipe's prediction_type.

What trains (`--trainable`): `paper` keeps the UNet encoder (time embedding, input and middle
blocks: the pretrained SD weights of --unet-init) frozen and trains the ControlNet copy, the UNet
decoder and its PCAMs ("we merely fine-tune UNet decoders"); `all` trains everything (from scratch).

s: `--latent-scale auto` measures 1 / std of the first batch's x0 latents (how SD's 0.18215 was
chosen); give 0.18215 with SD's VAE. The recipe (schedule, prediction type, sampler defaults) and s
are stored in RUN/diffusion.ckpt and exported into the manifest.
"""

from pathlib import Path

import torch
import torch.nn.functional as F

from .archs.controlnet import SdatcUNet
from .conditioning import Restorer, crf_hints
from .config import sdatc_config, sdatc_to_dict
from .data.windows import ClipWindows
from .loop import (Progress, cosine_lr, digest, freeze, load_weights, resolve_device, resume, save_checkpoint,
                   set_lr)
from .recipe import Recipe
from .train_decoder import load_vae

TRAINABLE = ("paper", "all")


def trainable_parameters(net, trainable):
    if trainable not in TRAINABLE:
        raise SystemExit(f"--trainable {trainable}: expected one of {', '.join(TRAINABLE)}")
    if trainable == "paper":
        freeze(*net.unet.encoder_modules())
    return [p for p in net.parameters() if p.requires_grad]


def recipe_from_args(args):
    return Recipe().with_overrides(prediction_type=args.prediction_type, beta_schedule=args.beta_schedule,
                                   timestep_spacing=args.timestep_spacing, steps=args.steps,
                                   sampler=args.sampler, eta=args.eta)


def check_patch(cfg, patch):
    m = cfg.latent_downsample * cfg.latent_multiple
    if (4 * patch) % m:
        raise SystemExit(f"--patch {patch}: the HR side 4 x {patch} must be a multiple of {m} "
                         f"(VAE factor {cfg.latent_downsample} x UNet multiple {cfg.latent_multiple})")


def train(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = resolve_device(args.device)
    run = Path(args.out)
    run.mkdir(parents=True, exist_ok=True)
    cfg = sdatc_config(args.size)
    check_patch(cfg, args.patch)
    vae, vae_ckpt = load_vae(args.vae)
    if vae_ckpt["size"] != args.size:
        raise SystemExit(f"{args.vae} is a {vae_ckpt['size']} VAE; train the diffusion stage at --size {vae_ckpt['size']}")
    freeze(vae)
    vae.to(device)
    encoder_sha = digest(*vae.encoder_modules())
    net = SdatcUNet(cfg)
    trainable = args.trainable or ("paper" if args.unet_init else "all")
    if args.unet_init:
        n, missing = load_weights(net.unet, args.unet_init, f"UNet ({args.size})",
                                  allowed_missing=("decoder_pcam.", "context"))
        net.controlnet.copy_from(net.unet)
        print(f"initialised the UNet from {args.unet_init} ({n} tensors); ControlNet copied from its encoder", flush=True)
        if "context" in missing:
            print(f"note: {args.unet_init} has no 'context'; the cross-attention context stays zero (put the text "
                  f"encoding of the empty prompt, [1, {cfg.unet.context_tokens}, {cfg.unet.context_dim}], under "
                  f"that key)", flush=True)
    elif trainable == "paper":
        raise SystemExit("--trainable paper keeps the UNet encoder frozen and needs pretrained weights (--unet-init); "
                         "without them use --trainable all")
    params = trainable_parameters(net, trainable)
    net.to(device)
    opt = torch.optim.AdamW(params, lr=args.lr, betas=(0.9, 0.999), weight_decay=0.0)
    recipe = recipe_from_args(args)
    latent_scale = None if args.latent_scale == "auto" else float(args.latent_scale)
    start = 0
    ckpt_path = run / "diffusion.ckpt"
    ckpt = resume(ckpt_path, args.size, args.restart)
    if ckpt is not None:
        if ckpt["vae_encoder_sha"] != encoder_sha:
            raise SystemExit(f"{ckpt_path} was trained on another VAE encoder than {args.vae}; use another --out")
        net.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["opt"])
        start = ckpt["iteration"]
        recipe = Recipe.from_dict(ckpt["recipe"])
        latent_scale = ckpt["latent_scale"]
        torch.set_rng_state(ckpt["torch_rng"])
        print(f"resumed {ckpt_path} at iteration {start}", flush=True)
    restorer = Restorer(args.dcm, device)
    data = ClipWindows(args.data, args.patch, 1, seed=args.seed + start)
    abar = recipe.alphas_cumprod()
    print(f"diffusion size={args.size} trainable={trainable} ({sum(p.numel() for p in params)} of "
          f"{sum(p.numel() for p in net.parameters())} parameters) condition={restorer.describe()} clips={len(data)} "
          f"batch={args.batch} patch={args.patch} (latent {4 * args.patch // cfg.latent_downsample}) "
          f"recipe={recipe.beta_schedule}/{recipe.prediction_type} abar_T={abar[-1]:.4f} device={device} "
          f"threads={torch.get_num_threads()} iterations={args.iters}", flush=True)

    @torch.no_grad()
    def latents(images):
        return vae.encode(2 * images - 1)[0]

    progress = Progress(run, args.iters, start, args.log_every)
    net.train()
    for it in range(start, args.iters):
        lr = args.lr if args.constant_lr else cosine_lr(args.lr, it, args.iters)
        set_lr(opt, lr)
        lq, hr, crf = data.batch(args.batch)
        lq, hr = lq.to(device), hr.to(device)
        x0 = latents(hr)
        if latent_scale is None:
            latent_scale = float(1.0 / x0.flatten().std().clamp_min(1e-6))
            print(f"latent scaling factor {latent_scale:.5f} (1 / std of the first batch's latents)", flush=True)
        x0 = x0 * latent_scale
        condition = latents(restorer(lq)) * latent_scale
        hint = crf_hints(crf, 1, args.hint_drop).to(device)
        t = torch.randint(0, recipe.train_timesteps, (x0.shape[0],), device=device)
        eps = torch.randn_like(x0)
        z_t = recipe.q_sample(x0, eps, t)                                    # Eq. 2
        loss = F.mse_loss(net(z_t, t, condition, hint), recipe.target(x0, eps, t))   # Eq. 3-4
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        progress.add(loss.item())
        n = it + 1
        if progress.due(n):
            progress.report(n, lr)
        if n % args.ckpt_every == 0 or n == args.iters:
            save_checkpoint(ckpt_path, {
                "model": net.state_dict(), "opt": opt.state_dict(), "iteration": n, "size": args.size,
                "config": sdatc_to_dict(cfg), "trainable": trainable, "recipe": recipe.to_dict(),
                "latent_scale": latent_scale, "vae_ckpt": str(args.vae), "vae_encoder_sha": encoder_sha,
                "unet_init": args.unet_init, "dcm": restorer.path, "data": str(args.data), "patch": args.patch,
                "torch_rng": torch.get_rng_state()})
    progress.close()


def load_diffusion(ckpt_path):
    """A stage-(c) checkpoint -> (SdatcUNet in eval mode on the CPU, checkpoint)."""
    from .config import sdatc_from_dict
    ckpt = torch.load(ckpt_path, map_location="cpu")
    if "recipe" not in ckpt:
        raise SystemExit(f"{ckpt_path}: not a train-diffusion checkpoint (no recipe)")
    net = SdatcUNet(sdatc_from_dict(ckpt["config"]))
    net.load_state_dict(ckpt["model"])
    return net.eval(), ckpt
