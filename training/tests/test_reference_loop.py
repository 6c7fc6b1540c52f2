"""The PyTorch reference of one engine window: the ports of the engine's seeded noise and timesteps
give the Java numbers, Eq. 13's autograd gradient is the true gradient, the warp and the masks are
what the engine computes, the samplers land on a known x0, and a window is reproducible."""

import math
import unittest

import numpy as np
import torch

from tests.helpers import perturb
from sdatc_training.archs.controlnet import SdatcUNet
from sdatc_training.archs.dcm import DCM
from sdatc_training.archs.vae import VAE
from sdatc_training.config import dcm_config, sdatc_config
from sdatc_training.export_window import pan_flows, panned_frames, window_size
from sdatc_training.recipe import Recipe
from sdatc_training.reference_loop import (CLEAN, FlowGuidanceHook, Schedule, StepState, ddim, derive, dpmpp_2m,
                                           engine_strength, gaussian_noise, occlusion_mask, prepare, run_window,
                                           warp_backward, warp_error, warp_error_gradient, window_seed)

TINY = sdatc_config("tiny")


def engine_timesteps(spacing, steps, start=999):
    r = Recipe(timestep_spacing=spacing, start_timestep=start, steps=steps)
    return Schedule(r).timesteps(steps, engine_strength(r))


class NoiseAndSeedTest(unittest.TestCase):
    """Values printed by the Java engine (GaussianNoise, WindowId)."""

    def test_gaussian_noise_gives_javas_values(self):
        np.testing.assert_array_equal(gaussian_noise(42, 7), np.array(
            [0.41471976, 0.65268123, -0.89188623, 1.3268336, 1.729593, -1.8834168, 0.54562044], dtype=np.float32))
        big = gaussian_noise(derive(7112558200680375691, 1), 40000)
        self.assertEqual(big[39999], np.float32(1.2559655))
        self.assertEqual(big[16385], np.float32(0.44474775))

    def test_seeds_are_javas_signed_longs(self):
        self.assertEqual(derive(42, 1), -7463173521228242384)
        self.assertEqual(derive(-5, 3), -4917809781599608108)
        self.assertEqual(window_seed("parity", 0, 0), 7112558200680375691)
        self.assertEqual(window_seed("cam-1", 7, 2), 5897560773959289044)

    def test_an_element_depends_only_on_seed_and_index(self):
        self.assertTrue(np.array_equal(gaussian_noise(7, 5), gaussian_noise(7, 6)[:5]))
        self.assertFalse(np.array_equal(gaussian_noise(7, 6), gaussian_noise(8, 6)))


class ScheduleTest(unittest.TestCase):
    def test_timesteps_are_the_engines_for_every_spacing(self):
        # Printed by NoiseSchedule.timesteps(steps, (start + 1) / 1000).
        self.assertEqual(engine_timesteps("leading", 1), [0])
        self.assertEqual(engine_timesteps("leading", 3), [666, 333, 0])
        self.assertEqual(engine_timesteps("leading", 3, start=499), [332, 166, 0])
        self.assertEqual(engine_timesteps("trailing", 1), [999])
        self.assertEqual(engine_timesteps("trailing", 3), [999, 666, 332])
        self.assertEqual(engine_timesteps("trailing", 5, start=499), [499, 399, 299, 199, 99])
        self.assertEqual(engine_timesteps("trailing", 48)[33:], [311, 291, 270, 249, 228, 207, 187, 166, 145, 124,
                                                                 103, 82, 61, 41, 20])
        self.assertEqual(engine_timesteps("linspace", 1), [999])
        self.assertEqual(engine_timesteps("linspace", 3), [999, 500, 0])
        self.assertEqual(engine_timesteps("linspace", 27)[12:15], [538, 500, 461])

    def test_alpha_bar_is_the_recipes_and_clean_is_one(self):
        s = Schedule(Recipe())
        np.testing.assert_allclose(s.alphas_cumprod, Recipe().alphas_cumprod().numpy(), rtol=1e-14)
        self.assertEqual((s.alpha_bar(CLEAN), s.sigma(CLEAN)), (1.0, 0.0))

    def test_a_predictor_that_knows_x0_makes_every_sampler_return_it(self):
        x0 = torch.randn(2, 4, 3, 5, generator=torch.Generator().manual_seed(0))
        for prediction in ("epsilon", "v_prediction"):
            recipe = Recipe(prediction_type=prediction, timestep_spacing="trailing")
            s = Schedule(recipe)

            def oracle(z, t):
                a, sg = s.alpha(t), s.sigma(t)
                eps = (z.double() - a * x0.double()) / sg
                return (eps if prediction == "epsilon" else a * eps - sg * x0.double()).float()

            start = s.add_noise(x0, torch.randn(x0.shape), 999)
            ts = s.timesteps(4)
            for name, z in (("ddim", ddim(oracle, start, ts, 1, s)), ("ddim eta 1", ddim(oracle, start, ts, 1, s, 1.0)),
                            ("dpmpp-2m", dpmpp_2m(oracle, start, ts, s))):
                self.assertLess((z - x0).abs().max().item(), 1e-4, f"{prediction} {name}")

    def test_ddim_with_eta_draws_seeded_step_noise(self):
        s = Schedule(Recipe())
        start, ts = torch.ones(1, 2, 2, 2), [999, 500]
        zero = lambda z, t: torch.zeros_like(z)  # noqa: E731
        self.assertTrue(torch.equal(ddim(zero, start, ts, 5, s, 0.5), ddim(zero, start, ts, 5, s, 0.5)))
        self.assertFalse(torch.equal(ddim(zero, start, ts, 5, s, 0.5), ddim(zero, start, ts, 6, s, 0.5)))
        self.assertFalse(torch.equal(ddim(zero, start, ts, 5, s, 0.5), ddim(zero, start, ts, 5, s, 0.0)))


class WarpTest(unittest.TestCase):
    def test_warp_is_a_bilinear_sample_at_x_plus_flow_with_zeros_outside(self):
        src = torch.arange(12, dtype=torch.float32).reshape(1, 1, 3, 4) + 1
        flow = torch.zeros(1, 2, 3, 4)
        flow[0, :, 1, 1] = torch.tensor([0.25, 0.5])     # samples (y, x) = (1.5, 1.25)
        flow[0, :, 0, 3] = torch.tensor([0.5, 0.0])      # (0, 3.5): half of its taps outside
        out = warp_backward(src, flow)[0, 0]
        at = lambda y, x: src[0, 0, y, x].item()  # noqa: E731
        expected = 0.75 * 0.5 * at(1, 1) + 0.25 * 0.5 * at(1, 2) + 0.75 * 0.5 * at(2, 1) + 0.25 * 0.5 * at(2, 2)
        self.assertAlmostEqual(out[1, 1].item(), expected, places=5)
        self.assertAlmostEqual(out[0, 3].item(), 0.5 * at(0, 3), places=5)
        self.assertAlmostEqual(out[2, 0].item(), at(2, 0), places=6)  # zero flow: the pixel itself

    def test_the_autograd_gradient_of_the_warp_error_is_its_finite_difference(self):
        g = torch.Generator().manual_seed(3)
        z = torch.randn(3, 2, 4, 5, generator=g)
        flows = torch.randn(2, 2, 2, 8, 10, generator=g) * 0.7
        gf = prepare(flows, 4, 5)
        _, grad = warp_error_gradient(z, gf)
        base, h = z.double(), 1e-6
        numeric = torch.zeros_like(base)
        for i in range(base.numel()):
            d = torch.zeros(base.numel(), dtype=torch.float64)
            d[i] = h
            d = d.view_as(base)
            numeric.view(-1)[i] = (warp_error(base + d, gf) - warp_error(base - d, gf)) / (2 * h)
        self.assertLess((grad.double() - numeric).abs().max().item(), 1e-5)
        self.assertGreater(grad.abs().max().item(), 0.1)


class PrepareTest(unittest.TestCase):
    def test_a_constant_shift_is_valid_inside_and_invalid_where_it_leaves_the_frame(self):
        h, w, dx, dy = 6, 8, 0.75, -0.5
        flows = torch.from_numpy(pan_flows(2, h, w, (dx, dy)))
        fwd = occlusion_mask(flows[:, 0], flows[:, 1])[0]
        bwd = occlusion_mask(flows[:, 1], flows[:, 0])[0]
        # forward (+0.75, -0.5): x + 0.75 > 7 in the last column, y - 0.5 < 0 in the first row
        self.assertTrue(torch.equal(fwd[1:, :-1], torch.ones(h - 1, w - 1)))
        self.assertEqual((fwd[0].sum().item(), fwd[:, -1].sum().item()), (0, 0))
        self.assertTrue(torch.equal(bwd[:-1, 1:], torch.ones(h - 1, w - 1)))
        self.assertEqual((bwd[-1].sum().item(), bwd[:, 0].sum().item()), (0, 0))
        g = prepare(flows, 3, 4)
        self.assertTrue(torch.allclose(g.forward[0, 0], torch.full((3, 4), dx / 2)))
        self.assertTrue(torch.allclose(g.forward[0, 1], torch.full((3, 4), dy / 2)))
        self.assertEqual(g.forward_mask[0, 1, 1].item(), 1.0)
        self.assertTrue(0 < g.forward_mask[0, 0, 0].item() < 1)

    def test_inconsistent_forward_and_backward_flows_are_occluded(self):
        flows = torch.from_numpy(pan_flows(2, 6, 8, (1.5, 0.0)))
        flows[:, 1] = flows[:, 0]  # "backward" moves the same way: |f + g|^2 = 9 > 0.01 * 4.5 + 0.5
        self.assertEqual(occlusion_mask(flows[:, 0], flows[:, 1]).sum().item(), 0)

    def test_the_hook_moves_latents_against_the_gradient_scaled_by_variance_and_alpha_next(self):
        s = Schedule(Recipe())
        g = prepare(torch.from_numpy(pan_flows(2, 8, 10, (0.6, -0.35))), 4, 5)
        x0 = torch.randn(2, 3, 4, 5, generator=torch.Generator().manual_seed(1))
        z = torch.randn(2, 3, 4, 5)
        hook = FlowGuidanceHook(s, g, scale=0.2)
        moved = hook(StepState(0, 2, 600, 300, z, x0))
        _, grad = warp_error_gradient(x0, g)
        step = 0.2 * (1 - s.alpha_bar(600)) * math.sqrt(s.alpha_bar(300))
        self.assertTrue(torch.allclose(moved, z - step * grad, atol=1e-6))
        self.assertEqual(len(hook.trace), 1)
        self.assertGreater(hook.trace[0]["min_masked_residual"], 0)


class RunWindowTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.manual_seed(0)
        cls.stages = (perturb(DCM(dcm_config("tiny"))).eval(), perturb(VAE(TINY)).eval(),
                      perturb(SdatcUNet(TINY), seed=1).eval())
        h, w = window_size(TINY)
        cls.frames, cls.flows = panned_frames(3, h, w), pan_flows(3, h, w)
        cls.common = dict(recipe=Recipe(), latent_scale=1.3, seed=window_seed("parity", 0, 0), steps=3,
                          cfw_weight=0.75, hint_input=True, crf=25)

    def test_a_window_is_reproducible_and_sized_like_the_engines_output(self):
        a = run_window(*self.stages, self.frames, flows=self.flows, **self.common)
        b = run_window(*self.stages, self.frames, flows=self.flows, **self.common)
        self.assertTrue(torch.equal(a.latents, b.latents) and torch.equal(a.image, b.image))
        t, h, w, _ = self.frames.shape
        self.assertEqual(list(a.latents.shape), [t, 4, h // 2, w // 2])
        self.assertEqual(list(a.image.shape), [t, 3, 4 * h, 4 * w])
        self.assertEqual(a.timesteps, [666, 333, 0])
        self.assertEqual([s["timestep"] for s in a.trace], [666, 333, 0])

    def test_guidance_changes_the_window_and_lowers_its_warping_error(self):
        off = run_window(*self.stages, self.frames, **self.common)
        on = run_window(*self.stages, self.frames, flows=self.flows, **self.common)
        self.assertGreater((on.latents - off.latents).abs().max().item(), 1e-3)
        g = prepare(torch.from_numpy(self.flows), *off.latents.shape[-2:])
        self.assertLess(warp_error(on.latents, g).item(), warp_error(off.latents, g).item())
        other_seed = run_window(*self.stages, self.frames, **{**self.common, "seed": 1})
        self.assertFalse(torch.equal(other_seed.latents, off.latents))


if __name__ == "__main__":
    unittest.main()
