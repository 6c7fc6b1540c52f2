"""The lead's DCM (Eq. 5) at `tiny` size with Swin blocks: the shifted windows' mask keeps pixels
from opposite borders apart, and the export keeps H and W dynamic."""

import unittest
from dataclasses import replace
from unittest import mock

import onnx
import torch

from tests.helpers import export_to_memory, graph_signature, quiet_export_warnings
from sdatc_training.archs import swin
from sdatc_training.archs.dcm import DCM, BicubicUp4
from sdatc_training.archs.swin import SwinLayer, shift_mask
from sdatc_training.config import dcm_config


class ShiftMaskTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.layer = SwinLayer(8, window=4, heads=2, mlp_ratio=2.0, shifted=True).eval()
        self.x = torch.randn(1, 8 * 8, 8)

    def effect_of_corner_on(self, row, col):
        """How much the output at (row, col) moves when the top-left pixel (0, 0) changes."""
        y = self.x.clone()
        y[0, 0, 0] += 3.0   # one channel (a shift of all channels would vanish in the LayerNorm)
        with torch.no_grad():
            a, b = self.layer(self.x, 8, 8), self.layer(y, 8, 8)
        return (a.view(8, 8, 8)[row, col] - b.view(8, 8, 8)[row, col]).abs().max().item()

    def test_the_mask_blocks_attention_across_the_wrap_around(self):
        # The cyclic shift by 2 puts (0, 0) into one window with (7, 7), (6, 7), (7, 6), ...: pixels of
        # the opposite corner. With the mask they never see each other; (1, 1), same region, does.
        self.assertLess(self.effect_of_corner_on(7, 7), 1e-6)
        self.assertLess(self.effect_of_corner_on(6, 1), 1e-6)
        self.assertGreater(self.effect_of_corner_on(1, 1), 1e-3)
        with mock.patch.object(swin, "shift_mask", lambda h, w, m, s: torch.zeros((h // m) * (w // m), m * m, m * m)):
            self.assertGreater(self.effect_of_corner_on(7, 7), 1e-3)   # what the mask prevents

    def test_the_mask_separates_the_regions_of_the_last_window_only_where_they_differ(self):
        mask = shift_mask(8, 8, 4, 2)
        self.assertEqual(tuple(mask.shape), (4, 16, 16))
        self.assertEqual(mask[0].abs().max().item(), 0.0)        # top-left window: one region
        self.assertEqual(sorted(set(mask[3].flatten().tolist())), [-100.0, 0.0])


class DcmExportTest(unittest.TestCase):
    def test_the_swin_dcm_exports_with_dynamic_height_and_width(self):
        quiet_export_warnings()
        torch.manual_seed(0)
        dcm = DCM(dcm_config("tiny"))
        dyn = {"lq": {0: "N", 2: "H", 3: "W"}, "restored": {0: "N", 2: "H4", 3: "W4"}}
        a = export_to_memory(dcm, {"lq": torch.rand(1, 3, 20, 28)}, ["restored"], dyn)
        b = export_to_memory(dcm, {"lq": torch.rand(2, 3, 24, 35)}, ["restored"], dyn)   # other padding to the window
        onnx.checker.check_model(a)
        dims = [d.dim_param for d in a.graph.input[0].type.tensor_type.shape.dim]
        self.assertEqual(dims, ["N", "", "H", "W"])
        self.assertEqual(graph_signature(a), graph_signature(b))


if __name__ == "__main__":
    unittest.main()


class BicubicSkipTest(unittest.TestCase):
    """The fixed-conv bicubic skip is F.interpolate's bicubic, borders included, and the whole
    exported graph has no Resize (ONNX Runtime's cubic Resize is the slow op on a CPU)."""

    def test_the_conv_skip_is_pytorch_bicubic_at_odd_sizes(self):
        torch.manual_seed(0)
        lq = torch.rand(2, 3, 7, 5)
        want = torch.nn.functional.interpolate(lq, scale_factor=4, mode="bicubic", align_corners=False)
        got = torch.nn.functional.pixel_shuffle(BicubicUp4()(lq), 4)
        self.assertEqual(tuple(got.shape), (2, 3, 28, 20))
        self.assertLess((got - want).abs().max().item(), 1e-5)

    def test_an_untrained_bicubic_skip_dcm_outputs_bicubic_in_both_upsamplers(self):
        torch.manual_seed(0)
        lq = torch.rand(1, 3, 11, 9)
        want = torch.nn.functional.interpolate(lq, scale_factor=4, mode="bicubic", align_corners=False)
        for cfg in (dcm_config("cpu-lite"), replace(dcm_config("tiny"), upsampler="pixelshuffle")):
            with self.subTest(block=cfg.block, upsampler=cfg.upsampler), torch.no_grad():
                self.assertLess((DCM(cfg).eval()(lq) - want).abs().max().item(), 1e-5)

    def test_the_exported_conv_dcm_has_no_resize_and_no_pad_shape_subgraph(self):
        model = DCM(dcm_config("cpu-lite")).eval()
        quiet_export_warnings()
        graph = export_to_memory(model, {"lq": torch.rand(1, 3, 16, 16)}, ["restored"], {"lq": {2: "h", 3: "w"}})
        ops = {n.op_type for n in graph.graph.node}
        self.assertNotIn("Resize", ops)
        self.assertNotIn("ConstantOfShape", ops, "F.pad's shape subgraph, which model info cannot size")
        self.assertIn("DepthToSpace", ops)
