package org.sdatc.enhancer.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.tensor.Image;

class SegmentCodecRoundTripTest {
    private final SegmentEncoder encoder = new SegmentEncoder();
    private final SegmentDecoder decoder = new SegmentDecoder();

    @Test
    void decodingAnEncodedSyntheticClipKeepsFramesTimestampsAndQuality() {
        Rational fps = new Rational(30, 1);
        List<Image> clip = SyntheticClip.generate(480, 270, 30, 7);
        long[] pts = MediaFixtures.regularPts(clip.size(), fps, 123_000);

        byte[] ts = encoder.encode(clip, pts, MediaFixtures.TS, fps, EncoderSettings.defaults());
        DecodedSegment back = decoder.decode(ts, ContainerFormat.MPEGTS, VideoCodec.H264, DecodeLimits.defaults());

        assertEquals(clip.size(), back.frames().size());
        assertArrayEquals(pts, back.pts());
        assertEquals(MediaFixtures.TS, back.timeBase());
        assertEquals(30.0, back.frameRate().toDouble(), 1e-9);
        assertEquals(480, back.width());
        double psnr = MediaFixtures.psnr(clip, back.frames());
        System.out.println("synthetic 480x270 crf18 PSNR " + psnr + " dB, " + ts.length + " bytes");
        assertTrue(psnr > 35, "PSNR " + psnr);
    }
}
