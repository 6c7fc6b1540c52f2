"""A few iterations of every training stage at `tiny` size, stopped and resumed, and the paper's
fine-tuning setting (pretrained weights in, only SDATC's modules trained)."""

import json
import shutil
import tempfile
import unittest
from dataclasses import replace
from pathlib import Path

import torch

from tests.helpers import run_cli, write_clips
from sdatc_training.archs.controlnet import SdatcUNet
from sdatc_training.archs.vae import VAE
from sdatc_training.config import sdatc_config

COMMON = ("--size", "tiny", "--threads", 1, "--log-every", 1, "--ckpt-every", 2)


class TrainingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="sdatc-train-test-"))
        cls.clips = write_clips(cls.tmp / "clips")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assert_resumes(self, command, run, ckpt_name, *extra):
        first = run_cli(command, *COMMON, "--data", self.clips, "--out", run, "--iters", 2, *extra)
        self.assertIn("it 2/2 loss", first)
        second = run_cli(command, *COMMON, "--data", self.clips, "--out", run, "--iters", 4, *extra)
        self.assertIn(f"resumed {run / ckpt_name} at iteration 2", second)
        self.assertIn("it/s ETA", second)
        log = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
        self.assertEqual([e["iteration"] for e in log], [1, 2, 3, 4])
        self.assertTrue(all(e["loss"] == e["loss"] for e in log))   # no NaN
        self.assertEqual(torch.load(run / ckpt_name)["iteration"], 4)
        self.assertTrue((run / "wall_seconds.txt").exists())
        return second

    def test_1_dcm_trains_and_resumes(self):
        self.assert_resumes("train-dcm", self.tmp / "dcm", "dcm.ckpt", "--batch", 2, "--patch", 8)

    def test_2_decoder_trains_windows_and_resumes(self):
        out = self.assert_resumes("train-decoder", self.tmp / "decoder", "decoder.ckpt", "--patch", 8)
        self.assertIn("batch=1x3 frames", out)
        self.assertIn("loss_recon", (self.tmp / "decoder" / "log.jsonl").read_text())

    def test_3_diffusion_trains_on_the_decoders_latents_and_resumes(self):
        if not (self.tmp / "decoder" / "decoder.ckpt").exists():
            self.test_2_decoder_trains_windows_and_resumes()
        out = self.assert_resumes("train-diffusion", self.tmp / "diffusion", "diffusion.ckpt", "--patch", 8,
                                  "--batch", 2, "--vae", self.tmp / "decoder" / "decoder.ckpt")
        ckpt = torch.load(self.tmp / "diffusion" / "diffusion.ckpt")
        self.assertGreater(ckpt["latent_scale"], 0)
        self.assertEqual(ckpt["recipe"]["prediction_type"], "epsilon")
        self.assertIn("condition=bicubic x4", out)

    def test_a_run_of_another_size_is_not_resumed(self):
        run = self.tmp / "mixed"
        run_cli("train-dcm", *COMMON, "--data", self.clips, "--out", run, "--iters", 1, "--batch", 1, "--patch", 8)
        with self.assertRaisesRegex(SystemExit, "trained at size tiny"):
            run_cli("train-dcm", "--size", "cpu-lite", "--threads", 1, "--data", self.clips, "--out", run, "--iters", 2)

    def test_paper_setting_trains_only_pcam_stam_cfw_on_a_pretrained_vae(self):
        cfg = sdatc_config("tiny")
        base = VAE(cfg)
        plain = {k: v for k, v in base.state_dict().items() if not k.startswith(("decoder.pcam", "decoder.stam", "decoder.cfw"))}
        torch.save(plain, self.tmp / "pretrained_vae.pt")
        run = self.tmp / "decoder-paper"
        out = run_cli("train-decoder", *COMMON, "--data", self.clips, "--out", run, "--iters", 2, "--patch", 8,
                      "--vae-init", self.tmp / "pretrained_vae.pt")
        self.assertIn("trainable=paper", out)
        trained = torch.load(run / "decoder.ckpt")["vae"]
        for k, v in plain.items():
            self.assertTrue(torch.equal(trained[k], v), k)
        changed = [k for k in trained if k.startswith("decoder.") and k not in plain
                   and not torch.equal(trained[k], base.state_dict()[k])]
        self.assertTrue(any(k.startswith("decoder.stam") for k in changed))
        self.assertTrue(any(k.startswith("decoder.cfw") for k in changed))
        with self.assertRaisesRegex(SystemExit, "needs a pretrained VAE"):
            run_cli("train-decoder", *COMMON, "--data", self.clips, "--out", self.tmp / "x", "--iters", 1,
                    "--patch", 8, "--trainable", "paper")

    def test_paper_setting_keeps_the_unet_encoder_frozen(self):
        if not (self.tmp / "decoder" / "decoder.ckpt").exists():
            self.test_2_decoder_trains_windows_and_resumes()
        unet = SdatcUNet(sdatc_config("tiny")).unet
        plain = {k: v for k, v in unet.state_dict().items() if not k.startswith("decoder_pcam")}
        torch.save(plain, self.tmp / "pretrained_unet.pt")
        run = self.tmp / "diffusion-paper"
        # 4 iterations: zero-initialised output convs pass no gradient upstream on the first steps
        run_cli("train-diffusion", *COMMON, "--data", self.clips, "--out", run, "--iters", 4, "--patch", 8,
                "--batch", 2, "--vae", self.tmp / "decoder" / "decoder.ckpt", "--unet-init", self.tmp / "pretrained_unet.pt")
        trained = torch.load(run / "diffusion.ckpt")["model"]
        for k, v in plain.items():
            if k.startswith(("time_embed", "input_blocks", "middle_block")):
                self.assertTrue(torch.equal(trained["unet." + k], v), k)
        self.assertFalse(torch.equal(trained["unet.output_blocks.0.0.in_layers.2.weight"],
                                     plain["output_blocks.0.0.in_layers.2.weight"]))
        self.assertFalse(torch.equal(trained["controlnet.zero_convs.0.weight"], torch.zeros_like(trained["controlnet.zero_convs.0.weight"])))


if __name__ == "__main__":
    unittest.main()
