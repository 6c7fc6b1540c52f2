"""Exports a whole SDATC model directory (contract 2) from the checkpoints of the training stages:
dcm (train-dcm), vae_encoder + vae_decoder (train-decoder), unet (train-diffusion: UNet + ControlNet).

Stage signatures (N, T, H, W, h, w symbolic; k = manifest "cfw_levels"):
- vae_encoder: image [N,3,H,W] in [-1,1] -> latent [N,C,H/f,W/f] (unscaled), enc_features_0..k-1
  (coarsest first; channels and downsample factor in manifest "enc_features")
- unet: sample [N,C,h,w], timestep [N] int64, condition [N,C,h,w] (scaled latents of the DCM output),
  hint [N,1] (iff "hint_input") -> model_output [N,C,h,w] (what "recipe.prediction_type" says)
- vae_decoder: latent [T,C,h,w] (unscaled, one window), enc_features_0..k-1 [T,*,*,*], cfw_weight [1],
  hint [T,1] (iff "hint_input") -> image [T,3,H,W] in [-1,1]
hint = crf / 51 (or qp / 51) of the segment's encoder hints; any negative value means unknown.

After writing each graph the export re-reads it and checks that every input survived (torch.onnx
drops unused inputs, pytorch/pytorch#62951) and that the batch/time/spatial axes are symbolic.
A model card (MODEL_CARD.md) is written beside the manifest from the checkpoints and their logs.
Window parity fixtures (parity/window/guidance-off.json, guidance-on.json; export_window.py) pin
down one whole window through the engine: seeded noise, timesteps, sampler, flow guidance, stages.
"""

import json
from pathlib import Path

import onnx
import torch
import torch.nn as nn

from .conditioning import HINT_SCALE, HINT_UNKNOWN
from .config import sdatc_from_dict
from .export import export_stage, write_manifest
from .export_dcm import export_dcm_stage, load_dcm
from .export_window import write_window_fixtures
from .loop import digest
from .recipe import Recipe
from .train_decoder import load_vae
from .train_diffusion import load_diffusion


class EncoderStage(nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, image):
        latent, features = self.vae.encode(image)
        return (latent, *features)


class UnetStage(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, sample, timestep, condition, hint=None):
        return self.net(sample, timestep, condition, hint)


class DecoderStage(nn.Module):
    """(latent, enc_features_0..k-1, cfw_weight[, hint]) -> image; the batch is one window."""

    def __init__(self, vae, k, hint):
        super().__init__()
        self.vae, self.k, self.hint = vae, k, hint

    def forward(self, latent, *rest):
        features, w = list(rest[: self.k]), rest[self.k]
        hint = rest[self.k + 1] if self.hint else None
        return self.vae.decode(latent, features, w, hint)


def check_graph(path, inputs, outputs, dynamic):
    """Every declared input/output present in order, declared dynamic axes symbolic."""
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    got_in = [i.name for i in model.graph.input]
    got_out = [o.name for o in model.graph.output]
    if got_in != list(inputs) or got_out != list(outputs):
        raise RuntimeError(f"{path}: graph inputs {got_in} / outputs {got_out}, expected {list(inputs)} / "
                           f"{list(outputs)} (an input the graph does not use is dropped by torch.onnx.export)")
    for value in list(model.graph.input) + list(model.graph.output):
        dims = value.type.tensor_type.shape.dim
        for axis in dynamic.get(value.name, {}):
            if not dims[axis].dim_param:
                raise RuntimeError(f"{path}: {value.name} axis {axis} is fixed ({dims[axis].dim_value}), expected symbolic")
    return model


def fixture_size(cfg):
    """Fixed parity inputs: an image whose latent is a multiple of the UNet's factor, non-square."""
    m = cfg.latent_downsample * cfg.latent_multiple
    return 2 * m, 3 * m


DIFFUSION_STAGES = ("vae_encoder", "unet", "vae_decoder")


def stage_specs(vae, net, cfg, frames):
    """{stage: (module, example inputs (also the parity inputs), output names, dynamic axes, parameters)}."""
    k = len(vae.encoder.feature_levels)
    hint = cfg.pcam.hint
    feat_names = [f"enc_features_{i}" for i in range(k)]
    h, w = fixture_size(cfg)
    c, f = cfg.vae.latent_channels, cfg.latent_downsample
    g = torch.Generator().manual_seed(0)

    enc = EncoderStage(vae).eval()
    image = torch.rand(frames, 3, h, w, generator=g) * 2 - 1
    enc_dyn = {"image": {0: "N", 2: "H", 3: "W"}, "latent": {0: "N", 2: "h", 3: "w"},
               **{n: {0: "N", 2: f"h{i}", 3: f"w{i}"} for i, n in enumerate(feat_names)}}
    with torch.no_grad():
        latent, *features = enc(image)

    unet_in = {"sample": torch.randn(2, c, h // f, w // f, generator=g),
               "timestep": torch.tensor([999, 10], dtype=torch.int64),
               "condition": torch.randn(2, c, h // f, w // f, generator=g)}
    unet_dyn = {"sample": {0: "N", 2: "h", 3: "w"}, "timestep": {0: "N"}, "condition": {0: "N", 2: "h", 3: "w"},
                "model_output": {0: "N", 2: "h", 3: "w"}}

    dec_in = {"latent": latent, **dict(zip(feat_names, features)), "cfw_weight": torch.tensor([cfg.cfw.weight])}
    dec_dyn = {"latent": {0: "T", 2: "h", 3: "w"}, "image": {0: "T", 2: "H", 3: "W"},
               **{n: {0: "T", 2: f"h{i}", 3: f"w{i}"} for i, n in enumerate(feat_names)}}
    if hint:
        unet_in["hint"] = torch.tensor([[25 / HINT_SCALE], [HINT_UNKNOWN]])
        unet_dyn["hint"] = {0: "N"}
        dec_in["hint"] = torch.tensor([[35 / HINT_SCALE] if i % 2 == 0 else [HINT_UNKNOWN] for i in range(frames)])
        dec_dyn["hint"] = {0: "T"}

    def count(*modules):
        return sum(p.numel() for m in modules for p in m.parameters())

    return {
        "vae_encoder": (enc, {"image": image}, ["latent", *feat_names], enc_dyn, count(*vae.encoder_modules())),
        "unet": (UnetStage(net).eval(), unet_in, ["model_output"], unet_dyn, count(net)),
        "vae_decoder": (DecoderStage(vae, k, hint).eval(), dec_in, ["image"], dec_dyn,
                        count(vae.decoder, vae.post_quant_conv)),
    }


def export_diffusion_stages(vae, net, cfg, out, frames, log=print, stages=DIFFUSION_STAGES):
    """Writes vae_encoder.onnx, unet.onnx, vae_decoder.onnx (or the given subset) and their parity
    fixtures into `out`. Returns {stage: (file, seconds, bytes, parameters)}."""
    out = Path(out)
    results = {}
    for stage, (module, inputs, outputs, dynamic, params) in stage_specs(vae, net, cfg, frames).items():
        if stage in stages:
            results[stage] = _export(module, out, stage, inputs, outputs, dynamic, params)
            file, seconds, size, _ = results[stage]
            log(f"exported {out / file}: {params} parameters, {size / 1e6:.2f} MB, {seconds:.1f} s")
    return results


def _export(module, out, stage, inputs, outputs, dynamic, params):
    file, seconds, size = export_stage(module, out, stage, inputs, outputs, dynamic)
    check_graph(Path(out) / file, inputs, outputs, dynamic)
    return file, seconds, size, params


def diffusion_manifest(cfg, vae, frames, latent_scale, recipe):
    """The manifest keys of the diffusion part (contract 2)."""
    k = len(vae.encoder.feature_levels)
    m = {
        "latent_channels": cfg.vae.latent_channels,
        "latent_downsample": cfg.latent_downsample,
        "latent_multiple": cfg.latent_multiple,
        "latent_scaling_factor": latent_scale,
        "cfw_weight": cfg.cfw.weight,
        "cfw_levels": k,
        "enc_features": [{"name": f"enc_features_{i}", "channels": ch, "downsample": f}
                         for i, (ch, f) in enumerate(vae.feature_channels())],
        "hint_input": bool(cfg.pcam.hint),
        "window_length": frames,
        "recipe": recipe.to_dict(),
    }
    if cfg.pcam.hint:
        m["hint"] = {"value": f"crf / {HINT_SCALE:g} (or qp / {HINT_SCALE:g}) of the segment's encoder hints",
                     "unknown": HINT_UNKNOWN}
    return m


def quiet_exporter():
    """torch 1.13's exporter warns on every graph about things that do not affect these graphs
    (shape inference of prim::Constant, Slice folding, tracing a fixed-size unbind)."""
    import warnings
    for message in ("The shape inference of prim::Constant", "Constant folding - Only steps=1",
                    "Iterating over a tensor"):
        warnings.filterwarnings("ignore", message=message)


def export_model(args):
    quiet_exporter()
    dcm, dcm_ckpt = load_dcm(args.dcm)
    vae, vae_ckpt = load_vae(args.decoder)
    net, diff_ckpt = load_diffusion(args.diffusion)
    cfg = sdatc_from_dict(vae_ckpt["config"])
    if sdatc_from_dict(diff_ckpt["config"]) != cfg:
        raise SystemExit(f"{args.decoder} and {args.diffusion} were trained at different sizes "
                         f"({vae_ckpt['size']} / {diff_ckpt['size']}); export stages of one size")
    if diff_ckpt["vae_encoder_sha"] != digest(*vae.encoder_modules()):
        raise SystemExit(f"{args.diffusion} was trained on the latents of another VAE encoder than the one in "
                         f"{args.decoder} (it names {diff_ckpt['vae_ckpt']}); export with that decoder checkpoint")
    if diff_ckpt.get("dcm") and Path(diff_ckpt["dcm"]).resolve() != Path(args.dcm).resolve():
        print(f"note: {args.diffusion} was conditioned on {diff_ckpt['dcm']}, exporting the DCM of {args.dcm}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    frames = vae_ckpt["frames"]
    recipe = Recipe.from_dict(diff_ckpt["recipe"])
    if args.steps:
        recipe = recipe.with_overrides(steps=args.steps)
    dfile, dsec, dsize = export_dcm_stage(dcm, out)
    results = {"dcm": (dfile, dsec, dsize, sum(p.numel() for p in dcm.parameters()))}
    print(f"exported {out / dfile}: {results['dcm'][3]} parameters, {dsize / 1e6:.2f} MB, {dsec:.1f} s")
    results.update(export_diffusion_stages(vae, net, cfg, out, frames))
    write_window_fixtures(out, dcm, vae, net, cfg, recipe, diff_ckpt["latent_scale"], frames)
    trained = trained_stages(dcm_ckpt, vae_ckpt, diff_ckpt)
    training = {
        "dcm": {"size": dcm_ckpt["size"], "config": dcm_ckpt["config"], "iterations": dcm_ckpt["iteration"]},
        "vae": {"size": vae_ckpt["size"], "iterations": vae_ckpt["iteration"], "trainable": vae_ckpt["trainable"],
                "initialised_from": vae_ckpt.get("vae_init"), "frames": frames, "input": vae_ckpt.get("dcm") or "bicubic",
                "data": vae_ckpt.get("data")},
        "diffusion": {"size": diff_ckpt["size"], "iterations": diff_ckpt["iteration"],
                      "trainable": diff_ckpt["trainable"], "initialised_from": diff_ckpt.get("unet_init"),
                      "condition": diff_ckpt.get("dcm") or "bicubic", "data": diff_ckpt.get("data")},
        "config": vae_ckpt["config"],
    }
    write_manifest(out, {
        "name": args.name,
        "version": args.version,
        "scale": 4,
        "dtype": "fp32",
        **diffusion_manifest(cfg, vae, frames, diff_ckpt["latent_scale"], recipe),
        "stages": {stage: r[0] for stage, r in results.items()},
        "trained_stages": trained,
        "training": training,
        "export": {stage: {"seconds": round(r[1], 2), "bytes": r[2], "parameters": r[3]} for stage, r in results.items()},
    })
    write_card(out, args, results, trained, training, recipe, diff_ckpt["latent_scale"])
    print(f"model directory: {out.resolve()} (trained stages: {', '.join(trained) or 'none'})")
    return out


def trained_stages(dcm_ckpt, vae_ckpt, diff_ckpt):
    """The stages whose weights training changed: never one that only holds initial (random or
    pretrained) weights. The encoder trains only with train-decoder --trainable all."""
    trained = []
    if dcm_ckpt["iteration"] > 0:
        trained.append("dcm")
    if vae_ckpt["iteration"] > 0 and vae_ckpt["encoder_trained"]:
        trained.append("vae_encoder")
    if diff_ckpt["iteration"] > 0:
        trained.append("unet")
    if vae_ckpt["iteration"] > 0:
        trained.append("vae_decoder")
    return trained


def _log_summary(ckpt_path):
    log = Path(ckpt_path).parent / "log.jsonl"
    if not log.exists():
        return None
    entries = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return (entries[0], entries[-1]) if entries else None


def write_card(out, args, results, trained, training, recipe, latent_scale):
    lines = [f"# {args.name} {args.version}", "",
             "Generated by `python3 -m sdatc_training export` from the training checkpoints.", "",
             "## Architecture", "",
             f"SDATC at size `{training['vae']['size']}` (config in manifest.json, `training.config`).", "",
             "| stage | parameters | file | MB | export s |", "|---|---|---|---|---|"]
    for stage, (file, seconds, size, params) in results.items():
        lines.append(f"| {stage}{' (trained)' if stage in trained else ''} | {params:,} | {file} | {size / 1e6:.2f} | {seconds:.1f} |")
    lines += ["", "## Training", ""]
    for name, path in (("dcm", args.dcm), ("vae decoder", args.decoder), ("diffusion", args.diffusion)):
        summary = _log_summary(path)
        key = {"dcm": "dcm", "vae decoder": "vae", "diffusion": "diffusion"}[name]
        it = training[key]["iterations"]
        text = f"- {name}: {it} iterations"
        if key != "dcm":
            text += f", trainable `{training[key]['trainable']}`"
            if training[key].get("initialised_from"):
                text += f", initialised from `{training[key]['initialised_from']}`"
            if training[key].get("data"):
                text += f", clips `{training[key]['data']}`"
        if summary:
            text += f"; loss {summary[0]['loss']:.5f} (it {summary[0]['iteration']}) -> {summary[1]['loss']:.5f} (it {summary[1]['iteration']})"
        lines.append(text)
    lines += ["", f"Recipe: `{json.dumps(recipe.to_dict())}`; latent scaling factor {latent_scale:.5f}.", "",
              "## Metrics", "", "None measured by the export; run the evaluation and append its output here.", ""]
    untrained = [s for s in results if s not in trained]
    if untrained:
        lines += [f"Untrained stages (random or pretrained weights only): {', '.join(untrained)}.", ""]
    (Path(out) / "MODEL_CARD.md").write_text("\n".join(lines))
