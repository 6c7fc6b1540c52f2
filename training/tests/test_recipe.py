import json
import unittest

import torch

from sdatc_training.recipe import Recipe


class RecipeTest(unittest.TestCase):
    def test_scaled_linear_is_stable_diffusions_schedule(self):
        r = Recipe()
        betas = r.betas()
        self.assertAlmostEqual(betas[0].item(), 0.00085, places=10)
        self.assertAlmostEqual(betas[-1].item(), 0.012, places=10)
        mid = ((0.00085 ** 0.5 + 0.012 ** 0.5) / 2) ** 2
        self.assertAlmostEqual(((betas[499] + betas[500]) / 2).item(), mid, places=6)
        self.assertAlmostEqual(r.alphas_cumprod()[-1].item(), 0.0047, places=4)
        lin = Recipe(beta_schedule="linear", beta_start=1e-4, beta_end=0.02)
        self.assertTrue(torch.allclose(lin.betas(), torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)))

    def test_timestep_spacings_match_their_definitions(self):
        self.assertEqual(Recipe(steps=4, timestep_spacing="leading").timesteps().tolist(), [750, 500, 250, 0])
        self.assertEqual(Recipe(steps=4, timestep_spacing="trailing").timesteps().tolist(), [999, 749, 499, 249])
        self.assertEqual(Recipe(steps=4, timestep_spacing="linspace").timesteps().tolist(), [999, 666, 333, 0])
        self.assertEqual(Recipe(steps=50).timesteps().tolist()[:2], [980, 960])
        self.assertEqual(Recipe(steps=5, start_timestep=499, timestep_spacing="trailing").timesteps().tolist(),
                         [499, 399, 299, 199, 99])

    def test_timesteps_are_the_engines_at_exact_ties_and_for_one_step(self):
        # Printed by the Java engine's NoiseSchedule.timesteps(steps, (start + 1) / 1000).
        self.assertEqual(Recipe(steps=1, timestep_spacing="linspace").timesteps().tolist(), [999])
        self.assertEqual(Recipe(steps=1, timestep_spacing="trailing").timesteps().tolist(), [999])
        self.assertEqual(Recipe(steps=1, timestep_spacing="leading").timesteps().tolist(), [0])
        self.assertEqual(Recipe(steps=27, timestep_spacing="linspace").timesteps().tolist()[13], 500)   # 499.5
        self.assertEqual(Recipe(steps=48, timestep_spacing="trailing").timesteps().tolist()[33], 311)   # 312.5 - 1
        self.assertEqual(Recipe(steps=3, start_timestep=499, timestep_spacing="linspace").timesteps().tolist(),
                         [499, 250, 0])

    def test_the_recipe_travels_as_json_and_rejects_bad_values_by_name(self):
        r = Recipe(prediction_type="v_prediction", sampler="dpmpp-2m", steps=20, eta=0.5)
        self.assertEqual(Recipe.from_dict(json.loads(json.dumps(r.to_dict()))), r)
        with self.assertRaisesRegex(ValueError, "recipe.timestep_spacing"):
            Recipe(timestep_spacing="uniform")
        with self.assertRaisesRegex(ValueError, "recipe.steps"):
            Recipe(steps=0)
        with self.assertRaisesRegex(ValueError, "unknown keys"):
            Recipe.from_dict({"betas": 1})

    def test_q_sample_and_targets_follow_eq2_and_v(self):
        r = Recipe()
        x0, eps, t = torch.randn(2, 4, 3, 3), torch.randn(2, 4, 3, 3), torch.tensor([0, 999])
        abar = r.alphas_cumprod()[t].float().view(2, 1, 1, 1)
        self.assertTrue(torch.allclose(r.q_sample(x0, eps, t), abar.sqrt() * x0 + (1 - abar).sqrt() * eps))
        self.assertTrue(torch.equal(r.target(x0, eps, t), eps))
        v = Recipe(prediction_type="v_prediction").target(x0, eps, t)
        self.assertTrue(torch.allclose(v, abar.sqrt() * eps - (1 - abar).sqrt() * x0))


if __name__ == "__main__":
    unittest.main()
