"""A whole tiny model directory from the CLI: trained checkpoints of every stage -> contract-2
manifest, four ONNX graphs that pass onnx.checker and reload, parity fixtures for every stage and
for one whole window (guidance off and on), and graphs whose N/T/H/W axes really are dynamic."""

import json
import shutil
import tempfile
import unittest
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import torch

from tests.helpers import export_to_memory, graph_signature, quiet_export_warnings, run_cli, write_clips
from sdatc_training.archs.controlnet import SdatcUNet
from sdatc_training.archs.vae import VAE
from sdatc_training.config import sdatc_config
from sdatc_training.export_dcm import load_dcm
from sdatc_training.export_model import export_diffusion_stages, stage_specs, trained_stages
from sdatc_training.recipe import Recipe
from sdatc_training.reference_loop import run_window, window_seed
from sdatc_training.train_decoder import load_vae
from sdatc_training.train_diffusion import load_diffusion

COMMON = ("--size", "tiny", "--threads", 1, "--log-every", 1, "--iters", 1)
CONTRACT = {
    "dcm": (["lq"], ["restored"]),
    "vae_encoder": (["image"], ["latent", "enc_features_0", "enc_features_1"]),
    "unet": (["sample", "timestep", "condition", "hint"], ["model_output"]),
    "vae_decoder": (["latent", "enc_features_0", "enc_features_1", "cfw_weight", "hint"], ["image"]),
}


class ExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        quiet_export_warnings()
        cls.tmp = Path(tempfile.mkdtemp(prefix="sdatc-export-test-"))
        clips = write_clips(cls.tmp / "clips")
        run_cli("train-dcm", *COMMON, "--data", clips, "--out", cls.tmp / "dcm", "--batch", 1, "--patch", 8)
        cls.dcm = cls.tmp / "dcm" / "dcm.ckpt"
        run_cli("train-decoder", *COMMON, "--data", clips, "--out", cls.tmp / "dec", "--patch", 8, "--dcm", cls.dcm)
        cls.decoder = cls.tmp / "dec" / "decoder.ckpt"
        run_cli("train-diffusion", *COMMON, "--data", clips, "--out", cls.tmp / "diff", "--patch", 8, "--batch", 2,
                "--vae", cls.decoder, "--dcm", cls.dcm)
        cls.diffusion = cls.tmp / "diff" / "diffusion.ckpt"
        cls.model = cls.tmp / "model"
        cls.printed = run_cli("export", "--dcm", cls.dcm, "--decoder", cls.decoder, "--diffusion", cls.diffusion,
                              "--out", cls.model, "--threads", 1)
        cls.manifest = json.loads((cls.model / "manifest.json").read_text())

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_the_manifest_describes_the_diffusion_part_in_contract_2(self):
        m = self.manifest
        self.assertEqual(m["contract"], 2)
        self.assertEqual(m["stages"], {s: f"{s}.onnx" for s in CONTRACT})
        self.assertEqual((m["latent_channels"], m["latent_downsample"], m["latent_multiple"]), (4, 8, 2))
        self.assertEqual((m["cfw_levels"], m["hint_input"], m["window_length"], m["cfw_weight"]), (2, True, 3, 0.75))
        self.assertGreater(m["latent_scaling_factor"], 0)
        self.assertEqual(Recipe.from_dict(m["recipe"]), Recipe())
        self.assertEqual([e["name"] for e in m["enc_features"]], ["enc_features_0", "enc_features_1"])
        self.assertEqual([e["downsample"] for e in m["enc_features"]], [4, 2])
        self.assertEqual(m["trained_stages"], ["dcm", "vae_encoder", "unet", "vae_decoder"])
        self.assertIn(f"model directory: {self.model.resolve()}", self.printed)
        self.assertIn("| unet (trained) |", (self.model / "MODEL_CARD.md").read_text())

    def test_every_stage_passes_the_checker_reloads_and_has_the_contracts_signature(self):
        c = self.manifest["latent_channels"]
        for stage, (inputs, outputs) in CONTRACT.items():
            model = onnx.load(str(self.model / f"{stage}.onnx"))
            onnx.checker.check_model(model)
            self.assertEqual(model.opset_import[0].version, 17)
            self.assertEqual([i.name for i in model.graph.input], inputs, stage)
            self.assertEqual([o.name for o in model.graph.output], outputs, stage)
            dims = {v.name: v.type.tensor_type.shape.dim for v in list(model.graph.input) + list(model.graph.output)}
            types = {v.name: v.type.tensor_type.elem_type for v in model.graph.input}
            for name, d in dims.items():
                if name in ("cfw_weight",):
                    self.assertEqual([x.dim_value for x in d], [1])
                    continue
                self.assertTrue(d[0].dim_param, f"{stage}.{name} batch axis fixed")
                if len(d) == 4:
                    self.assertTrue(d[2].dim_param and d[3].dim_param, f"{stage}.{name} spatial axes fixed")
                if name in ("lq", "image"):   # dcm's `restored` channel axis comes out symbolic (allowed)
                    self.assertEqual(d[1].dim_value, 3)
                if name in ("latent", "sample", "condition", "model_output"):
                    self.assertEqual(d[1].dim_value, c)
            if stage == "unet":
                self.assertEqual(types["timestep"], onnx.TensorProto.INT64)

    def test_every_stage_has_parity_fixtures_for_its_graph(self):
        for stage, (inputs, outputs) in CONTRACT.items():
            spec = json.loads((self.model / "parity" / f"{stage}.json").read_text())
            self.assertEqual(list(spec["inputs"]), inputs)
            self.assertEqual(list(spec["outputs"]), outputs)
            self.assertLessEqual(spec["tolerance"], 1e-4)
            for kind in ("inputs", "outputs"):
                for name, t in spec[kind].items():
                    raw = np.fromfile(self.model / "parity" / t["file"], dtype="<i8" if t["dtype"] == "int64" else "<f4")
                    self.assertEqual(raw.size, int(np.prod(t["shape"])), f"{stage}.{name}")
        hint = json.loads((self.model / "parity" / "vae_decoder.json").read_text())["inputs"]["hint"]
        self.assertEqual(hint["shape"], [self.manifest["window_length"], 1])

    def test_the_window_fixtures_hold_one_window_with_guidance_off_and_on_that_the_reference_loop_reproduces(self):
        folder = self.model / "parity" / "window"
        self.assertEqual(sorted(p.name for p in (self.model / "parity").glob("*.json")),
                         sorted(f"{s}.json" for s in CONTRACT))   # ParityCheck's stage fixtures only
        specs = {n: json.loads((folder / f"{n}.json").read_text()) for n in ("guidance-off", "guidance-on")}

        def load(entry):
            raw = np.fromfile(folder / entry["file"], dtype="u1" if entry["dtype"] == "uint8" else "<f4")
            self.assertEqual(raw.size, int(np.prod(entry["shape"])), entry["file"])
            return raw.reshape(entry["shape"])

        t = self.manifest["window_length"]
        dcm, _ = load_dcm(self.dcm)
        vae, _ = load_vae(self.decoder)
        net, _ = load_diffusion(self.diffusion)
        outputs = {}
        for name, spec in specs.items():
            self.assertEqual((spec["kind"], spec["stream"], spec["sequence"], spec["window"]), ("window", "parity", 0, 0))
            self.assertEqual(spec["seed"], window_seed("parity", 0, 0))
            self.assertEqual((spec["steps"], spec["sampler"], spec["eta"], spec["crf"]), (3, "ddim", 0.0, 25))
            frames = load(spec["frames"])
            _, h, w, _ = frames.shape
            self.assertEqual((frames.shape[0], frames.shape[3]), (t, 3))
            self.assertNotEqual(h, w)
            flows = None
            if name == "guidance-on":
                self.assertEqual(spec["guidance"]["scale"], 0.05)
                flows = load(spec["guidance"]["flows"])
                self.assertEqual(list(flows.shape), [t - 1, 2, 2, h, w])
            else:
                self.assertIsNone(spec["guidance"])
            latents, image = load(spec["outputs"]["latents"]), load(spec["outputs"]["image"])
            self.assertEqual(list(image.shape), [t, 3, 4 * h, 4 * w])
            again = run_window(dcm, vae, net, frames, Recipe.from_dict(self.manifest["recipe"]),
                               self.manifest["latent_scaling_factor"], seed=spec["seed"], steps=spec["steps"],
                               cfw_weight=spec["cfw_weight"], hint_input=True, crf=spec["crf"], flows=flows,
                               guidance_scale=0.05)
            self.assertLess(np.abs(again.latents.numpy() - latents).max(), 1e-6, name)
            self.assertLess(np.abs(again.image.numpy() - image).max(), 1e-6, name)
            outputs[name] = latents
        effect = np.abs(outputs["guidance-on"] - outputs["guidance-off"]).max()
        self.assertGreater(effect, 1e-3)
        self.assertAlmostEqual(specs["guidance-on"]["reference"]["guidance_effect"]["latents_max_abs"], effect, places=5)

    def test_no_example_size_is_frozen_into_the_graphs(self):
        vae, _ = load_vae(self.decoder)
        net, _ = load_diffusion(self.diffusion)
        cfg = sdatc_config("tiny")
        # Other N, T, H, W than the export's fixtures (T = 3, 32x48 images, N = 2 for the UNet).
        specs = stage_specs(vae, net, cfg, frames=2)
        other = {"vae_encoder": {"image": torch.rand(1, 3, 48, 16) * 2 - 1}}
        with torch.no_grad():
            latent, features = vae.encode(other["vae_encoder"]["image"].repeat(2, 1, 1, 1))
        other["unet"] = {"sample": torch.randn(1, 4, 6, 2), "timestep": torch.tensor([5]),
                         "condition": torch.randn(1, 4, 6, 2), "hint": torch.tensor([[0.3]])}
        other["vae_decoder"] = {"latent": latent, "enc_features_0": features[0], "enc_features_1": features[1],
                                "cfw_weight": torch.tensor([0.5]), "hint": torch.tensor([[0.3], [-1.0]])}
        for stage, (module, _, outputs, dynamic, _) in specs.items():
            again = export_to_memory(module, other[stage], outputs, dynamic)
            exported = onnx.load(str(self.model / f"{stage}.onnx"))
            self.assertEqual(graph_signature(again), graph_signature(exported), stage)

    def test_a_graph_without_hint_input_when_the_config_has_none(self):
        cfg = sdatc_config("tiny")
        cfg = replace(cfg, pcam=replace(cfg.pcam, hint=False))
        out = self.tmp / "nohint"
        export_diffusion_stages(VAE(cfg), SdatcUNet(cfg), cfg, out, 2, log=lambda *_: None, stages=("unet",))
        self.assertEqual([i.name for i in onnx.load(str(out / "unet.onnx")).graph.input], ["sample", "timestep", "condition"])

    def test_a_diffusion_checkpoint_from_another_encoder_is_refused(self):
        ckpt = torch.load(self.decoder)
        ckpt["vae"]["encoder.conv_in.weight"] += 0.01
        other = self.tmp / "other_decoder.ckpt"
        torch.save(ckpt, other)
        with self.assertRaisesRegex(SystemExit, "another VAE encoder"):
            run_cli("export", "--dcm", self.dcm, "--decoder", other, "--diffusion", self.diffusion,
                    "--out", self.tmp / "refused", "--threads", 1)
        self.assertFalse((self.tmp / "refused" / "manifest.json").exists())

    def test_untrained_stages_are_never_listed_as_trained(self):
        dcm, vae, diff = {"iteration": 0}, {"iteration": 10, "encoder_trained": False}, {"iteration": 0}
        self.assertEqual(trained_stages(dcm, vae, diff), ["vae_decoder"])
        self.assertEqual(trained_stages({"iteration": 3}, {"iteration": 0, "encoder_trained": True}, {"iteration": 1}),
                         ["dcm", "unet"])


if __name__ == "__main__":
    unittest.main()
