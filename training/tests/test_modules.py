"""The modules against their equations: shapes, and the properties that make each inserted module
safe to add to a pretrained network (zero/identity at init), at `tiny` size."""

import copy
import unittest
from dataclasses import replace

import torch
import torch.nn.functional as F

from tests.helpers import perturb
from sdatc_training.archs.cfw import CFW
from sdatc_training.archs.common import ResBlock
from sdatc_training.archs.controlnet import SdatcUNet
from sdatc_training.archs.pcam import PCAM
from sdatc_training.archs.stam import STAM
from sdatc_training.archs.vae import VAE
from sdatc_training.config import PcamConfig, StamConfig, sdatc_config, sdatc_from_dict, sdatc_to_dict

TINY = sdatc_config("tiny")


class PcamTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.z = torch.randn(2, 16, 8, 12)

    def test_an_untrained_pcam_returns_its_input(self):
        pcam = PCAM(16, TINY.pcam)
        self.assertTrue(torch.allclose(pcam(self.z, torch.tensor([[0.5], [-1.0]])), self.z, atol=1e-6))

    def test_the_prompt_weights_are_the_pooled_features_without_softmax_as_eq7_writes(self):
        pcam = perturb(PCAM(16, replace(TINY.pcam, hint=False)))
        expected = F.adaptive_avg_pool2d(pcam.estimate(self.z), 1).flatten(1)
        self.assertTrue(torch.equal(pcam.code(self.z), expected))
        self.assertFalse(torch.allclose(expected.sum(1), torch.ones(2)))

    def test_the_ablation_variants_exist_only_by_name(self):
        soft = perturb(PCAM(16, replace(TINY.pcam, variant="softmax", hint=False)))
        self.assertTrue(torch.allclose(soft.code(self.z).sum(1), torch.ones(2)))
        prompt = perturb(PCAM(16, replace(TINY.pcam, variant="prompt", hint=False)))
        self.assertTrue(torch.equal(prompt.code(self.z), prompt.code(torch.randn(2, 16, 8, 12))))
        with self.assertRaisesRegex(ValueError, "pcam.variant"):
            PCAM(16, replace(TINY.pcam, variant="mystery"))

    def test_a_negative_hint_means_unknown_and_a_known_hint_changes_the_output(self):
        pcam = perturb(PCAM(16, TINY.pcam))
        unknown = pcam(self.z, None)
        self.assertTrue(torch.allclose(pcam(self.z, torch.full((2, 1), -1.0)), unknown, atol=1e-6))
        crf15, crf35 = pcam(self.z, torch.full((2, 1), 15 / 51)), pcam(self.z, torch.full((2, 1), 35 / 51))
        self.assertGreater((crf15 - crf35).abs().max().item(), 1e-4)
        self.assertEqual(crf15.shape, self.z.shape)


class StamTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.res9, self.res11 = perturb(ResBlock(16, 8, 4)), perturb(ResBlock(8, 8, 4), seed=1)

    def test_an_untrained_stam_is_the_two_pretrained_residual_blocks(self):
        stam = STAM(16, 8, TINY.stam, 4)
        x = torch.randn(6, 16, 5, 7)
        self.assertTrue(torch.allclose(stam(x, self.res9, self.res11, 3), self.res11(self.res9(x)), atol=1e-5))

    def test_frames_of_a_window_interact_and_windows_do_not(self):
        stam = perturb(STAM(16, 8, StamConfig(heads=2), 4), scale=0.1, seed=2)
        x = torch.randn(6, 16, 5, 7)            # two windows of T = 3 on the batch axis
        y = x.clone()
        y[0] += 1.0                             # first frame of the first window
        a, b = stam(x, self.res9, self.res11, 3), stam(y, self.res9, self.res11, 3)
        self.assertGreater((a[1:3] - b[1:3]).abs().max().item(), 1e-4)
        self.assertTrue(torch.allclose(a[3:], b[3:], atol=1e-6))
        self.assertTrue(torch.allclose(stam(x[:3], self.res9, self.res11), a[:3], atol=1e-5))


class CfwTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.fe, self.fd = torch.randn(2, 16, 6, 6), torch.randn(2, 16, 6, 6)

    def test_w_zero_returns_the_decoder_feature_whatever_the_weights(self):
        cfw = perturb(CFW(16, 16, 1, 4))
        self.assertTrue(torch.equal(cfw(self.fe, self.fd, torch.tensor([0.0])), self.fd))

    def test_an_untrained_cfw_adds_nothing_and_w_scales_the_residual(self):
        self.assertTrue(torch.equal(CFW(16, 16, 1, 4)(self.fe, self.fd, 1.0), self.fd))
        cfw = perturb(CFW(16, 16, 1, 4))
        full = cfw(self.fe, self.fd, 1.0) - self.fd
        self.assertGreater(full.abs().max().item(), 1e-4)
        self.assertTrue(torch.allclose(cfw(self.fe, self.fd, torch.tensor([0.25])) - self.fd, 0.25 * full, atol=1e-6))


class VaeTest(unittest.TestCase):
    def test_encoder_gives_the_latent_and_the_cfw_features_coarsest_first(self):
        vae = VAE(TINY).eval()
        latent, features = vae.encode(torch.rand(2, 3, 32, 48) * 2 - 1)
        self.assertEqual(tuple(latent.shape), (2, 4, 4, 6))
        self.assertEqual(len(features), len(TINY.vae.cfw_levels))
        for f, (channels, down) in zip(features, vae.feature_channels()):
            self.assertEqual(tuple(f.shape), (2, channels, 32 // down, 48 // down))
        self.assertEqual([d for _, d in vae.feature_channels()], sorted((d for _, d in vae.feature_channels()), reverse=True))
        image = vae.decode(latent, features, torch.tensor([0.75]), torch.tensor([[0.3], [-1.0]]))
        self.assertEqual(tuple(image.shape), (2, 3, 32, 48))

    def test_untrained_sdatc_modules_leave_a_pretrained_decoder_unchanged(self):
        plain_cfg = replace(TINY, vae=replace(TINY.vae, pcam_levels=(), stam_levels=(), cfw_levels=()))
        sdatc = VAE(TINY).eval()
        with torch.no_grad():   # a "pretrained" base: random weights everywhere outside PCAM/STAM/CFW
            for name, p in sdatc.named_parameters():
                if not name.startswith(("decoder.pcam", "decoder.stam", "decoder.cfw")):
                    p.add_(torch.randn_like(p) * 0.05)
        plain = VAE(plain_cfg).eval()
        missing = plain.load_state_dict(sdatc.state_dict(), strict=False)
        self.assertEqual(missing.missing_keys, [])
        latent, features = sdatc.encode(torch.rand(3, 3, 32, 32) * 2 - 1)
        got = sdatc.decode(latent, features, torch.tensor([1.0]), torch.tensor([[0.5]] * 3))
        self.assertTrue(torch.allclose(got, plain.decode(latent, [], 1.0), atol=1e-5))

    def test_parameter_names_follow_stable_diffusions_autoencoder(self):
        keys = set(VAE(TINY).state_dict())
        for k in ("encoder.conv_in.weight", "encoder.down.0.block.0.norm1.weight", "encoder.down.0.downsample.conv.weight",
                  "encoder.down.1.block.0.nin_shortcut.weight", "encoder.mid.attn_1.q.weight", "encoder.conv_out.weight",
                  "quant_conv.weight", "post_quant_conv.weight", "decoder.mid.block_2.conv2.weight",
                  "decoder.up.3.upsample.conv.weight", "decoder.up.0.block.1.conv1.weight", "decoder.norm_out.weight"):
            self.assertIn(k, keys)


class UnetTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.x, self.c = torch.randn(2, 4, 4, 6), torch.randn(2, 4, 4, 6)
        self.t, self.hint = torch.tensor([999, 3]), torch.tensor([[0.5], [-1.0]])

    def test_zero_convolutions_make_the_controlnet_a_no_op_at_init(self):
        net = SdatcUNet(TINY).eval()
        perturb(net.unet)
        with torch.no_grad():   # everything in the copy but its zero convs
            for name, p in net.controlnet.named_parameters():
                if not name.startswith(("zero_convs", "middle_block_out")):
                    p.add_(torch.randn_like(p) * 0.05)
        out = net(self.x, self.t, self.c, self.hint)
        self.assertEqual(out.shape, self.x.shape)
        self.assertTrue(torch.equal(out, net.unet(self.x, self.t, None, self.hint)))

    def test_the_controlnet_starts_as_a_copy_of_the_unet_encoder(self):
        net = SdatcUNet(TINY)
        perturb(net.unet)
        net.controlnet.copy_from(net.unet)
        mine, theirs = net.controlnet.state_dict(), net.unet.state_dict()
        for k, v in theirs.items():
            if k.startswith(("time_embed", "middle_block", "input_blocks")) and k != "input_blocks.0.0.weight":
                self.assertTrue(torch.equal(mine[k], v), k)
        conv = mine["input_blocks.0.0.weight"]
        self.assertTrue(torch.equal(conv[:, :4], theirs["input_blocks.0.0.weight"]))
        self.assertEqual(conv[:, 4:].abs().max().item(), 0.0)

    def test_condition_timestep_and_hint_all_reach_the_output_once_trained(self):
        net = perturb(SdatcUNet(TINY)).eval()
        base = net(self.x, self.t, self.c, self.hint)
        for other in (net(self.x, self.t, self.c + 1, self.hint), net(self.x, self.t.flip(0), self.c, self.hint),
                      net(self.x, self.t, self.c, self.hint.flip(0))):
            self.assertGreater((other - base).abs().max().item(), 1e-5)

    def test_unet_names_follow_stable_diffusions_and_pcam_sits_at_every_decoder_level(self):
        net = SdatcUNet(TINY)
        keys = set(net.unet.state_dict())
        for k in ("time_embed.0.weight", "input_blocks.0.0.weight", "input_blocks.1.0.in_layers.2.weight",
                  "input_blocks.2.0.op.weight", "input_blocks.3.1.transformer_blocks.0.attn1.to_q.weight",
                  "middle_block.1.proj_in.weight", "output_blocks.1.0.skip_connection.weight",
                  "output_blocks.1.2.conv.weight", "out.2.weight"):
            self.assertIn(k, keys)
        self.assertEqual(sorted(net.unet.decoder_pcam), sorted(str(i) for i in TINY.unet.pcam_levels))
        self.assertIn("zero_convs.0.weight", net.controlnet.state_dict())


class ConfigTest(unittest.TestCase):
    def test_paper_size_has_stable_diffusion_shapes_without_being_built(self):
        paper = sdatc_config("paper")
        self.assertEqual((paper.vae.ch, paper.vae.ch_mult, paper.vae.latent_channels), (128, (1, 2, 4, 4), 4))
        self.assertEqual((paper.unet.model_channels, paper.unet.channel_mult, paper.unet.context_dim), (320, (1, 2, 4, 4), 1024))
        self.assertEqual((paper.latent_downsample, paper.latent_multiple), (8, 8))

    def test_configs_round_trip_through_checkpoint_dicts(self):
        for size in ("tiny", "small", "paper"):
            cfg = sdatc_config(size)
            self.assertEqual(sdatc_from_dict(copy.deepcopy(sdatc_to_dict(cfg))), cfg)


if __name__ == "__main__":
    unittest.main()
