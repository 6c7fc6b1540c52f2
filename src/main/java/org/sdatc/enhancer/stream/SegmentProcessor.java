package org.sdatc.enhancer.stream;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.sdatc.enhancer.engine.CompressionHints;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.EnhancerException;
import org.sdatc.enhancer.engine.EnhancerInfo;
import org.sdatc.enhancer.engine.Stage;
import org.sdatc.enhancer.engine.StageTimings;
import org.sdatc.enhancer.engine.Tier;
import org.sdatc.enhancer.engine.budget.Ladder;
import org.sdatc.enhancer.engine.budget.Rung;
import org.sdatc.enhancer.engine.budget.RungCosts;
import org.sdatc.enhancer.engine.budget.TierPolicy;
import org.sdatc.enhancer.media.ContainerFormat;
import org.sdatc.enhancer.media.DecodedSegment;
import org.sdatc.enhancer.media.MediaException;
import org.sdatc.enhancer.media.SegmentDecoder;
import org.sdatc.enhancer.media.SegmentEncoder;
import org.sdatc.enhancer.media.VideoCodec;
import org.sdatc.enhancer.proto.v1.Codec;
import org.sdatc.enhancer.proto.v1.Container;
import org.sdatc.enhancer.proto.v1.DeadLetter;
import org.sdatc.enhancer.proto.v1.EnhancedSegment;
import org.sdatc.enhancer.proto.v1.FrameTail;
import org.sdatc.enhancer.proto.v1.StageTiming;
import org.sdatc.enhancer.proto.v1.StreamProgress;
import org.sdatc.enhancer.proto.v1.TailFrame;
import org.sdatc.enhancer.proto.v1.VideoSegment;
import org.sdatc.enhancer.proto.v1.WindowCarry;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.window.SegmentEnhancer;
import org.sdatc.enhancer.window.WindowPlanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enhancer's one processor: checks a segment against the stream's progress, decodes it, runs
 * the enhancer over sliding windows (left context from the previous segment's tail), encodes the
 * result with the input's timestamps and forwards it; or forwards a dead letter naming the stream,
 * the sequence and the reason. Store updates and the output are written in the same task
 * transaction under exactly-once.
 */
public final class SegmentProcessor implements Processor<String, VideoSegment, String, MessageLite> {
    /** Child names the topology wires to the sinks. */
    public static final String TO_OUTPUT = "enhanced-sink";

    public static final String TO_DEAD_LETTERS = "dead-letter-sink";

    private static final Logger log = LoggerFactory.getLogger(SegmentProcessor.class);

    private final StreamSettings settings;
    private final Ladder ladder;
    private final TierPolicy policy;
    private final RungCosts costs;
    private final SegmentEvents events;
    private final WindowPlanner planner;
    private final SegmentDecoder decoder;
    private final SegmentEncoder encoder = new SegmentEncoder();

    private ProcessorContext<String, MessageLite> context;
    private KeyValueStore<String, StreamProgress> progressStore;
    private KeyValueStore<String, FrameTail> tailStore;
    private KeyValueStore<String, WindowCarry> carryStore;

    /** One enhancer, no latency budget: every segment runs it. */
    public SegmentProcessor(StreamSettings settings, Enhancer enhancer, SegmentEvents events) {
        this(settings, Ladder.single(enhancer), null, new RungCosts(), events);
    }

    /**
     * @param ladder the rungs a segment may run, best first
     * @param policy picks a rung per segment; null runs the top rung always (no budget)
     * @param costs measured cost of each rung, shared by the processors of a process
     */
    public SegmentProcessor(
            StreamSettings settings, Ladder ladder, TierPolicy policy, RungCosts costs, SegmentEvents events) {
        if (policy != null && !policy.ladder().equals(ladder.rungs())) {
            throw new IllegalArgumentException(
                    "the policy's ladder " + policy.ladder() + " differs from the enhancers' " + ladder.rungs());
        }
        this.settings = settings;
        this.ladder = ladder;
        this.policy = policy;
        this.costs = costs;
        this.events = events;
        this.planner = new WindowPlanner(settings.windowLength(), settings.windowContext());
        this.decoder = new SegmentDecoder(
                ladder.rungs().stream().anyMatch(r -> ladder.at(r).wantsMotionVectors()));
    }

    @Override
    public void init(ProcessorContext<String, MessageLite> context) {
        this.context = context;
        this.progressStore = context.getStateStore(StoreNames.STREAM_PROGRESS);
        this.tailStore = context.getStateStore(StoreNames.FRAME_TAIL);
        this.carryStore = context.getStateStore(StoreNames.WINDOW_LATENTS);
    }

    @Override
    public void process(Record<String, VideoSegment> record) {
        long start = System.nanoTime();
        VideoSegment segment = record.value();
        if (segment == null) {
            return; // a tombstone carries no segment; nothing to enhance or report
        }
        events.received(segment.getFrameCount());
        String streamId = segment.getStreamId();
        String invalid = validate(record.key(), segment);
        if (invalid != null) {
            deadLetter(record, DeadLetterReason.INVALID_SEGMENT, invalid);
            return;
        }

        StreamProgress progress = progressStore.get(streamId);
        if (progress != null && segment.getSequence() <= progress.getLastSequence()) {
            events.duplicateSkipped();
            log.debug(
                    "stream={} seq={} skipped: already at seq {}",
                    streamId,
                    segment.getSequence(),
                    progress.getLastSequence());
            return;
        }
        if (progress != null && segment.getSequence() > progress.getLastSequence() + 1) {
            events.gap();
            log.info(
                    "stream={} seq={} follows seq {}: gap, temporal state reset",
                    streamId,
                    segment.getSequence(),
                    progress.getLastSequence());
            resetTemporalState(streamId);
        }

        StageTimings timings = new StageTimings();
        DecodedSegment decoded;
        try {
            decoded = timings.time(
                    Stage.DECODE,
                    () -> decoder.decode(
                            segment.getPayload().toByteArray(),
                            containerOf(segment.getContainer()),
                            codecOf(segment.getCodec()),
                            settings.limits()));
        } catch (MediaException e) {
            rejectAndAdvance(record, progress, DeadLetterReason.of(e.reason()), e.getMessage());
            return;
        }
        if (segment.getFrameCount() > 0
                && segment.getFrameCount() != decoded.frames().size()) {
            rejectAndAdvance(
                    record,
                    progress,
                    DeadLetterReason.FRAME_COUNT_MISMATCH,
                    "declares " + segment.getFrameCount() + " frames, payload holds "
                            + decoded.frames().size());
            return;
        }

        List<Image> tail = continuousTail(streamId, segment.getSequence(), decoded);
        int frames = decoded.frames().size();
        TierPolicy.Decision decision;
        SegmentEnhancer.Result result;
        long lagMs;
        Enhancer enhancer;
        long enhanceStart;
        try {
            warmUp(decoded.width(), decoded.height());
            lagMs = segment.getProducerTimestampUs() > 0
                    ? Math.max(0, (currentTimeMicros() - segment.getProducerTimestampUs()) / 1000)
                    : 0;
            decision = choose(progress, lagMs, frames, decoded.width(), decoded.height());
            enhancer = ladder.at(decision.rung());
            Rung previousRung = rungOf(progress);
            // A carry is the format of the tier that wrote it: dcm and bicubic carry none, full its latents.
            byte[] carry = tail.isEmpty()
                            || (previousRung != null
                                    && previousRung.tier() != decision.rung().tier())
                    ? null
                    : carryFor(streamId, segment.getSequence(), enhancer);
            enhanceStart = System.nanoTime();
            result = new SegmentEnhancer(planner, enhancer)
                    .enhance(
                            streamId,
                            segment.getSequence(),
                            decoded.frames(),
                            decoded.motion(),
                            new SegmentEnhancer.Continuity(tail, carry),
                            hintsOf(segment));
        } catch (EnhancerException e) {
            rejectAndAdvance(record, progress, DeadLetterReason.ENHANCE_FAILED, e.getMessage());
            return;
        }
        costs.observe(
                decoded.width(), decoded.height(), decision.rung(), (System.nanoTime() - enhanceStart) / 1e6 / frames);
        timings.addAll(result.timings());
        List<Image> enhanced = result.frames();

        long encodeStart = System.nanoTime();
        byte[] payload = timings.time(
                Stage.ENCODE,
                () -> encoder.encode(
                        enhanced, decoded.pts(), decoded.timeBase(), decoded.frameRate(), settings.encoder()));
        costs.observeOverhead(decoded.width(), decoded.height(), (System.nanoTime() - encodeStart) / 1e6 / frames);
        Image first = enhanced.get(0);
        EnhancerInfo info = enhancer.info();
        EnhancedSegment.Builder out = EnhancedSegment.newBuilder()
                .setStreamId(streamId)
                .setSequence(segment.getSequence())
                .setContainer(Container.CONTAINER_MPEGTS)
                .setCodec(Codec.CODEC_H264)
                .setPayload(ByteString.copyFrom(payload))
                .setFrameRate(VideoSegments.rational(decoded.frameRate()))
                .setTimeBase(VideoSegments.rational(decoded.timeBase()))
                .setFirstPts(decoded.pts()[0])
                .setFrameCount(enhanced.size())
                .setProducerTimestampUs(segment.getProducerTimestampUs())
                .setScale(info.scale())
                .setWidth(first.width())
                .setHeight(first.height())
                .setModel(info.model())
                .setSteps(info.steps())
                .setTier(info.tier().tag())
                .setContinuous(!tail.isEmpty());
        timings.asMap()
                .forEach((stage, nanos) -> out.addStageTimings(
                        StageTiming.newBuilder().setStage(stage.tag()).setNanos(nanos)));
        long publishedUs = currentTimeMicros();
        out.setPublishedTimestampUs(publishedUs);
        long produceStart = System.nanoTime();
        context.forward(record.withValue((MessageLite) out.build()), TO_OUTPUT);
        timings.add(Stage.PRODUCE, System.nanoTime() - produceStart);

        long[] pts = decoded.pts();
        advance(streamId, progress, segment.getSequence(), pts[pts.length - 1], decision.state());
        saveTemporalState(streamId, segment.getSequence(), result.next(), info);

        long processingNanos = System.nanoTime() - start;
        long endToEndUs = segment.getProducerTimestampUs() > 0
                ? publishedUs - segment.getProducerTimestampUs()
                : SegmentEvents.SegmentReport.UNKNOWN;
        double videoSeconds = enhanced.size() / decoded.frameRate().toDouble();
        boolean missed = policy != null
                && endToEndUs != SegmentEvents.SegmentReport.UNKNOWN
                && endToEndUs / 1000 > policy.budgetMs();
        events.rungChosen(streamId, decision.rung(), lagMs, missed);
        events.enhanced(
                new SegmentEvents.SegmentReport(enhanced.size(), videoSeconds, processingNanos, endToEndUs, timings));
        log.info(
                "stream={} seq={} frames={} {}x{}->{}x{} windows={} rung={} ({}) took={}ms e2e={}ms",
                streamId,
                segment.getSequence(),
                enhanced.size(),
                decoded.width(),
                decoded.height(),
                first.width(),
                first.height(),
                result.windows(),
                decision.rung(),
                decision.move().name().toLowerCase(java.util.Locale.ROOT),
                processingNanos / 1_000_000,
                endToEndUs == SegmentEvents.SegmentReport.UNKNOWN ? "n/a" : endToEndUs / 1000);
    }

    private String validate(String key, VideoSegment segment) {
        if (segment.getStreamId().isEmpty()) {
            return "stream_id is empty";
        }
        if (key == null) {
            return "record has no key (records must be keyed by stream id, so a stream stays on one partition)";
        }
        if (!key.equals(segment.getStreamId())) {
            return "record key '" + key + "' differs from stream_id (records must be keyed by stream id)";
        }
        if (segment.getSequence() < 0) {
            return "sequence " + segment.getSequence() + " is negative";
        }
        if (!segment.hasFrameRate()
                || segment.getFrameRate().getNum() <= 0
                || segment.getFrameRate().getDen() <= 0) {
            return "frame_rate is missing or not positive";
        }
        if (segment.getPayload().isEmpty()) {
            return "payload is empty";
        }
        if (segment.getFrameCount() > settings.limits().maxFrames()) {
            return "declares " + segment.getFrameCount() + " frames, above the limit of "
                    + settings.limits().maxFrames();
        }
        return null;
    }

    /** Left context for this segment: the stored tail, if it comes from the previous sequence and fits. */
    private List<Image> continuousTail(String streamId, long sequence, DecodedSegment decoded) {
        FrameTail stored = tailStore.get(streamId);
        if (stored == null || stored.getSequence() != sequence - 1) {
            return List.of();
        }
        List<Image> frames = new ArrayList<>(stored.getFramesCount());
        for (TailFrame f : stored.getFramesList()) {
            if (f.getWidth() != decoded.width() || f.getHeight() != decoded.height()) {
                log.info(
                        "stream={} seq={} size changed from {}x{} to {}x{}: temporal state reset",
                        streamId,
                        sequence,
                        f.getWidth(),
                        f.getHeight(),
                        decoded.width(),
                        decoded.height());
                return List.of();
            }
            frames.add(new Image(f.getWidth(), f.getHeight(), f.getRgb().toByteArray()));
        }
        return frames;
    }

    /**
     * The first time a resolution is seen, times each rung not yet measured there once on a
     * synthetic window, so the policy's first choice rests on this machine's costs.
     */
    private void warmUp(int width, int height) {
        if (policy == null || ladder.rungs().size() < 2) {
            return;
        }
        List<Image> frames = null;
        for (Rung rung : ladder.rungs()) {
            if (costs.known(width, height, rung)) {
                continue;
            }
            if (frames == null) {
                frames = SyntheticWindow.frames(width, height, settings.windowLength());
            }
            // One window as in the middle of a stream: the context frames come as the tail, so each
            // rung does the work it does per new frame (full runs the whole window, dcm only the new
            // frames) and the cost per emitted frame is the steady state's.
            List<Image> tail = frames.subList(0, settings.windowContext());
            List<Image> fresh = frames.subList(settings.windowContext(), frames.size());
            long t0 = System.nanoTime();
            new SegmentEnhancer(planner, ladder.at(rung))
                    .enhance("warm-up", 0, fresh, new SegmentEnhancer.Continuity(tail, null), CompressionHints.NONE);
            double ms = (System.nanoTime() - t0) / 1e6 / fresh.size();
            costs.observe(width, height, rung, ms);
            log.info("warm-up {}x{} rung {}: {} ms/frame", width, height, rung, String.format("%.1f", ms));
        }
    }

    private TierPolicy.Decision choose(StreamProgress progress, long lagMs, int frames, int width, int height) {
        if (policy == null) {
            return new TierPolicy.Decision(ladder.top(), 0, Double.NaN, TierPolicy.Move.HOLD);
        }
        Rung previous = rungOf(progress);
        TierPolicy.State state = previous == null ? null : new TierPolicy.State(previous, progress.getHeadroomStreak());
        double overhead = costs.overheadMsPerFrame(width, height);
        return policy.decide(state, lagMs, frames, r -> {
            OptionalDouble c = costs.msPerFrame(width, height, r);
            return c.isPresent() ? OptionalDouble.of(c.getAsDouble() + overhead) : c;
        });
    }

    /** The rung the stream's last segment ran, or null for a new stream (or one from before the budget). */
    private static Rung rungOf(StreamProgress progress) {
        if (progress == null || progress.getRungTier().isEmpty()) {
            return null;
        }
        try {
            return new Rung(Tier.fromTag(progress.getRungTier()), progress.getRungSteps());
        } catch (IllegalArgumentException e) {
            log.warn("stored rung '{}' is unknown; starting at the top rung", progress.getRungTier());
            return null;
        }
    }

    private byte[] carryFor(String streamId, long sequence, Enhancer enhancer) {
        WindowCarry stored = carryStore.get(streamId);
        if (stored == null
                || stored.getSequence() != sequence - 1
                || !stored.getModel().equals(enhancer.info().model())) {
            return null;
        }
        return stored.getCarry().toByteArray();
    }

    /**
     * Records that the stream has reached {@code sequence}, its last frame at {@code lastPts}, and the
     * policy's state after it (null keeps the previous one: a dead-lettered segment ran no rung).
     */
    private void advance(
            String streamId, StreamProgress previous, long sequence, long lastPts, TierPolicy.State budget) {
        StreamProgress.Builder next = StreamProgress.newBuilder()
                .setLastSequence(sequence)
                .setLastPts(lastPts)
                .setSegmentsSeen(previous == null ? 1 : previous.getSegmentsSeen() + 1);
        if (budget != null) {
            next.setRungTier(budget.rung().tier().tag())
                    .setRungSteps(budget.rung().steps())
                    .setHeadroomStreak(budget.headroomStreak());
        } else if (previous != null) {
            next.setRungTier(previous.getRungTier())
                    .setRungSteps(previous.getRungSteps())
                    .setHeadroomStreak(previous.getHeadroomStreak());
        }
        progressStore.put(streamId, next.build());
    }

    private void saveTemporalState(String streamId, long sequence, SegmentEnhancer.Continuity next, EnhancerInfo info) {
        FrameTail.Builder tail = FrameTail.newBuilder().setSequence(sequence);
        for (Image frame : next.tail()) {
            tail.addFrames(TailFrame.newBuilder()
                    .setWidth(frame.width())
                    .setHeight(frame.height())
                    .setRgb(ByteString.copyFrom(frame.rgb())));
        }
        if (next.tail().isEmpty()) {
            tailStore.delete(streamId);
        } else {
            tailStore.put(streamId, tail.build());
        }
        if (next.carry() != null) {
            carryStore.put(
                    streamId,
                    WindowCarry.newBuilder()
                            .setSequence(sequence)
                            .setCarry(ByteString.copyFrom(next.carry()))
                            .setModel(info.model())
                            .build());
        } else {
            carryStore.delete(streamId);
        }
    }

    private void resetTemporalState(String streamId) {
        tailStore.delete(streamId);
        carryStore.delete(streamId);
    }

    /**
     * Dead-letters a segment that passed the sequence check: the stream moves past it (a resent copy
     * is a duplicate) and loses its temporal state, since its frames are missing.
     */
    private void rejectAndAdvance(
            Record<String, VideoSegment> record, StreamProgress progress, DeadLetterReason reason, String cause) {
        VideoSegment segment = record.value();
        advance(
                segment.getStreamId(),
                progress,
                segment.getSequence(),
                progress == null ? 0 : progress.getLastPts(),
                null);
        resetTemporalState(segment.getStreamId());
        deadLetter(record, reason, cause);
    }

    private void deadLetter(Record<String, VideoSegment> record, DeadLetterReason reason, String cause) {
        VideoSegment segment = record.value();
        String message = "stream '" + segment.getStreamId() + "' segment " + segment.getSequence() + ": " + cause;
        log.warn("dead-lettered {}: {}", reason, message);
        events.deadLettered(reason);
        DeadLetter.Builder letter = DeadLetter.newBuilder()
                .setStreamId(segment.getStreamId())
                .setSequence(segment.getSequence())
                .setReason(reason.name())
                .setMessage(message)
                .setFailedTimestampUs(currentTimeMicros())
                .setOriginalValue(segment.toByteString());
        context.recordMetadata()
                .ifPresent(m -> letter.setSourceTopic(m.topic())
                        .setSourcePartition(m.partition())
                        .setSourceOffset(m.offset()));
        context.forward(record.withValue((MessageLite) letter.build()), TO_DEAD_LETTERS);
    }

    private static ContainerFormat containerOf(Container container) {
        return switch (container) {
            case CONTAINER_MPEGTS -> ContainerFormat.MPEGTS;
            case CONTAINER_FMP4 -> ContainerFormat.FMP4;
            case CONTAINER_ANNEXB -> ContainerFormat.ANNEXB;
            default ->
                throw new MediaException(
                        MediaException.Reason.UNSUPPORTED_FORMAT,
                        "container " + container + " is not supported (use MPEG-TS, fragmented MP4 or Annex B)");
        };
    }

    private static VideoCodec codecOf(Codec codec) {
        return switch (codec) {
            case CODEC_H264 -> VideoCodec.H264;
            case CODEC_HEVC -> VideoCodec.HEVC;
            default ->
                throw new MediaException(
                        MediaException.Reason.UNSUPPORTED_FORMAT,
                        "codec " + codec + " is not supported (use H.264 or HEVC)");
        };
    }

    private static CompressionHints hintsOf(VideoSegment segment) {
        if (!segment.hasEncoderHints()) {
            return CompressionHints.NONE;
        }
        var h = segment.getEncoderHints();
        return new CompressionHints(
                h.hasCrf() ? OptionalInt.of(h.getCrf()) : OptionalInt.empty(),
                h.hasQp() ? OptionalInt.of(h.getQp()) : OptionalInt.empty(),
                h.hasBitrateBps() ? OptionalLong.of(h.getBitrateBps()) : OptionalLong.empty());
    }

    private static long currentTimeMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }
}
