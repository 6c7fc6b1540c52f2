package org.sdatc.enhancer.stream;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
import org.sdatc.enhancer.media.DecodeLimits;
import org.sdatc.enhancer.media.DecodedFrame;
import org.sdatc.enhancer.media.EncodingSink;
import org.sdatc.enhancer.media.MediaException;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentDecoder;
import org.sdatc.enhancer.media.SegmentFrames;
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

    /** Longest stream id (UTF-8 bytes): it is the key of every record and store entry of the stream. */
    public static final int MAX_STREAM_ID_BYTES = 1024;

    private static final Logger log = LoggerFactory.getLogger(SegmentProcessor.class);

    private final StreamSettings settings;
    private final Ladder ladder;
    private final TierPolicy policy;
    private final RungCosts costs;
    private final SegmentEvents events;
    private final WindowPlanner planner;
    private final SegmentDecoder decoder;

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
                ladder.rungs().stream().anyMatch(r -> ladder.at(r).wantsMotionVectors()), settings.interlaced());
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
        String invalid = validate(record.key(), segment, settings.limits());
        if (invalid != null) {
            deadLetter(record, DeadLetterReason.INVALID_SEGMENT, invalid);
            return;
        }

        StreamProgress progress = progressStore.get(streamId);
        Order order = order(progress, segment);
        switch (order) {
            case DUPLICATE, STALE_EPOCH -> {
                skipDuplicate(streamId, progress, segment, order);
                return;
            }
            case JUMP -> {
                rejectJump(record, progress);
                return;
            }
            case GAP, CONFIRMED_JUMP -> {
                events.gap();
                log.info(
                        "stream={} seq={} follows seq {}{}: gap, temporal state reset",
                        streamId,
                        segment.getSequence(),
                        progress.getLastSequence(),
                        order == Order.CONFIRMED_JUMP
                                ? " (a jump above sdatc.sequence.max.jump, confirmed by this successor of the"
                                        + " dead-lettered seq " + progress.getJumpSequence() + ")"
                                : "");
                resetTemporalState(streamId);
            }
            case NEW_EPOCH -> {
                events.restarted();
                log.info(
                        "stream={} epoch={} seq={}: new producer session (was epoch {} at seq {}), numbering and"
                                + " temporal state restart",
                        streamId,
                        segment.getEpoch(),
                        segment.getSequence(),
                        progress.getEpoch(),
                        progress.getLastSequence());
                resetTemporalState(streamId);
            }
            case FIRST, NEXT -> {}
        }
        // PTS must go on from the previous segment of the same session: compare with its last frame.
        Long previousLastPts = progress != null && progress.getEpoch() == segment.getEpoch() && progress.hasLastPts()
                ? progress.getLastPts()
                : null;

        StageTimings timings = new StageTimings();
        Streamed streamed;
        try {
            streamed = enhanceStreaming(segment, progress, timings, previousLastPts);
        } catch (MediaException e) {
            rejectAndAdvance(record, progress, DeadLetterReason.of(e.reason()), e.getMessage());
            return;
        } catch (EnhancerException e) {
            rejectAndAdvance(record, progress, DeadLetterReason.ENHANCE_FAILED, e.getMessage());
            return;
        }
        boolean continuous = !streamed.tail().isEmpty();
        EnhancerInfo info = streamed.enhancer().info();
        EnhancedSegment.Builder out = EnhancedSegment.newBuilder()
                .setStreamId(streamId)
                .setSequence(segment.getSequence())
                .setContainer(Container.CONTAINER_MPEGTS)
                .setCodec(Codec.CODEC_H264)
                .setPayload(ByteString.copyFrom(streamed.payload()))
                .setFrameRate(VideoSegments.rational(streamed.frameRate()))
                .setTimeBase(VideoSegments.rational(streamed.timeBase()))
                .setFirstPts(streamed.firstPts())
                .setFrameCount(streamed.frames())
                .setProducerTimestampUs(segment.getProducerTimestampUs())
                .setScale(info.scale())
                .setWidth(streamed.outWidth())
                .setHeight(streamed.outHeight())
                .setModel(info.model())
                .setSteps(info.steps())
                .setTier(info.tier().tag())
                .setEpoch(segment.getEpoch())
                .setContinuous(continuous);
        timings.asMap()
                .forEach((stage, nanos) -> out.addStageTimings(
                        StageTiming.newBuilder().setStage(stage.tag()).setNanos(nanos)));
        long publishedUs = currentTimeMicros();
        out.setPublishedTimestampUs(publishedUs);
        EnhancedSegment built = out.build();
        long recordBytes = (long) built.getSerializedSize()
                + DeadLetters.utf8Length(record.key())
                + DeadLetters.headerBytes(record.headers())
                + DeadLetters.RECORD_OVERHEAD_BYTES;
        if (recordBytes > settings.maxRecordBytes()) {
            // Sending it would fail the producer, and with it the stream thread, on every restart.
            rejectAndAdvance(
                    record,
                    progress,
                    DeadLetterReason.LIMIT_EXCEEDED,
                    "the enhanced segment would be a record of " + recordBytes + " bytes, above the record limit of "
                            + settings.maxRecordBytes() + " bytes (sdatc.max.record.bytes); send shorter segments"
                            + " or raise the limit (and the topics' max.message.bytes)");
            return;
        }
        long produceStart = System.nanoTime();
        context.forward(record.withValue((MessageLite) built), TO_OUTPUT);
        timings.add(Stage.PRODUCE, System.nanoTime() - produceStart);

        advance(
                streamId,
                progress,
                segment,
                streamed.lastPts(),
                streamed.decision().state());
        saveTemporalState(streamId, segment.getSequence(), streamed.next(), info);

        long processingNanos = System.nanoTime() - start;
        long endToEndUs = segment.getProducerTimestampUs() > 0
                ? publishedUs - segment.getProducerTimestampUs()
                : SegmentEvents.SegmentReport.UNKNOWN;
        double videoSeconds = streamed.frames() / streamed.frameRate().toDouble();
        boolean missed = policy != null
                && endToEndUs != SegmentEvents.SegmentReport.UNKNOWN
                && endToEndUs / 1000 > policy.budgetMs();
        events.rungChosen(streamId, streamed.decision().rung(), streamed.lagMs(), missed);
        events.enhanced(
                new SegmentEvents.SegmentReport(streamed.frames(), videoSeconds, processingNanos, endToEndUs, timings));
        log.info(
                "stream={} seq={} frames={} {}x{}->{}x{} windows={} rung={} ({}) took={}ms e2e={}ms",
                streamId,
                segment.getSequence(),
                streamed.frames(),
                streamed.width(),
                streamed.height(),
                streamed.outWidth(),
                streamed.outHeight(),
                streamed.windows(),
                streamed.decision().rung(),
                streamed.decision().move().name().toLowerCase(java.util.Locale.ROOT),
                processingNanos / 1_000_000,
                endToEndUs == SegmentEvents.SegmentReport.UNKNOWN ? "n/a" : endToEndUs / 1000);
    }

    /** What streaming one segment through decoder, windows and encoder gave. */
    private record Streamed(
            byte[] payload,
            int frames,
            int width,
            int height,
            int outWidth,
            int outHeight,
            long firstPts,
            long lastPts,
            Rational timeBase,
            Rational frameRate,
            List<Image> tail,
            SegmentEnhancer.Continuity next,
            int windows,
            Enhancer enhancer,
            TierPolicy.Decision decision,
            long lagMs) {}

    /**
     * Decodes, enhances and encodes a segment frame by frame: low-resolution frames are read as the
     * windows need them and enhanced frames go to the encoder as each window emits them, so a long
     * segment (a decompression bomb) is never held in memory. Any MediaException (from the header
     * checks or from a frame) or EnhancerException leaves nothing behind: the store writes and the
     * output happen after this returns.
     */
    private Streamed enhanceStreaming(
            VideoSegment segment, StreamProgress progress, StageTimings timings, Long previousLastPts) {
        String streamId = segment.getStreamId();
        long sequence = segment.getSequence();
        long decodeNanos = 0;
        long t0 = System.nanoTime();
        try (SegmentFrames frames = decoder.open(
                segment.getPayload().toByteArray(),
                containerOf(segment.getContainer()),
                codecOf(segment.getCodec()),
                settings.limits(),
                segment.getFrameCount())) {
            decodeNanos += System.nanoTime() - t0;
            Rational frameRate = frames.frameRate() != null
                    ? frames.frameRate()
                    : new Rational(
                            segment.getFrameRate().getNum(),
                            segment.getFrameRate().getDen());
            boolean ptsBackwards = previousLastPts != null
                    && wentBackwards(previousLastPts, frames.firstPts(), segment.getContainer());
            if (ptsBackwards) {
                events.ptsBackwards();
                log.warn(
                        "stream={} seq={}: first PTS {} is not after the previous segment's last PTS {}: the"
                                + " stream's timestamps went backwards (an encoder restart or a splice; a producer"
                                + " that restarts should raise epoch); enhanced without temporal context",
                        streamId,
                        sequence,
                        frames.firstPts(),
                        previousLastPts);
            }
            List<Image> tail =
                    ptsBackwards ? List.of() : continuousTail(streamId, sequence, frames.width(), frames.height());
            // The rung: from the lag now (after the header checks) and the costs at this resolution.
            warmUp(frames.width(), frames.height());
            long lagMs = segment.getProducerTimestampUs() > 0
                    ? Math.max(0, (currentTimeMicros() - segment.getProducerTimestampUs()) / 1000)
                    : 0;
            int expectedFrames = segment.getFrameCount() > 0
                    ? segment.getFrameCount()
                    : Math.max(1, (int) Math.round(frameRate.toDouble()));
            TierPolicy.Decision decision = choose(progress, lagMs, expectedFrames, frames.width(), frames.height());
            Enhancer enhancer = ladder.at(decision.rung());
            Rung previousRung = rungOf(progress);
            // A carry is the format of the tier that wrote it: dcm and bicubic carry none, full its latents.
            byte[] carry = tail.isEmpty()
                            || (previousRung != null
                                    && previousRung.tier() != decision.rung().tier())
                    ? null
                    : carryFor(streamId, sequence, enhancer);
            long[] decodeTime = {decodeNanos};
            // One GOP per segment: the key-frame interval must cover the whole segment.
            int gopFrames = segment.getFrameCount() > 0
                    ? segment.getFrameCount()
                    : settings.limits().maxFrames();
            try (EncodingSink sink = new EncodingSink(frames, frameRate, gopFrames, settings.encoder())) {
                SegmentEnhancer.Outcome outcome = new SegmentEnhancer(planner, enhancer)
                        .enhance(
                                streamId,
                                sequence,
                                () -> {
                                    long t = System.nanoTime();
                                    DecodedFrame f = frames.next();
                                    decodeTime[0] += System.nanoTime() - t;
                                    return f == null ? null : new SegmentEnhancer.Frame(f.image(), f.motion());
                                },
                                new SegmentEnhancer.Continuity(tail, carry),
                                hintsOf(segment),
                                sink);
                byte[] payload = sink.finish();
                int n = Math.max(1, outcome.frames());
                long enhanceNanos = outcome.timings().asMap().values().stream()
                        .mapToLong(Long::longValue)
                        .sum();
                costs.observe(frames.width(), frames.height(), decision.rung(), enhanceNanos / 1e6 / n);
                costs.observeOverhead(frames.width(), frames.height(), (sink.nanos() + decodeTime[0]) / 1e6 / n);
                timings.add(Stage.DECODE, decodeTime[0]);
                timings.addAll(outcome.timings());
                timings.add(Stage.ENCODE, sink.nanos());
                return new Streamed(
                        payload,
                        outcome.frames(),
                        frames.width(),
                        frames.height(),
                        sink.width(),
                        sink.height(),
                        frames.firstPts(),
                        frames.pts(frames.count() - 1),
                        frames.timeBase(),
                        frameRate,
                        tail,
                        outcome.next(),
                        outcome.windows(),
                        enhancer,
                        decision,
                        lagMs);
            }
        }
    }

    /**
     * Why a deserialised segment cannot be enhanced whatever its payload holds, or null. Static and
     * package-visible for the fuzz target ({@code SegmentInputFuzzer}), which runs these checks and
     * the decoder's on arbitrary bytes.
     */
    static String validate(String key, VideoSegment segment, DecodeLimits limits) {
        if (segment.getStreamId().isEmpty()) {
            return "stream_id is empty";
        }
        int idBytes = DeadLetters.utf8Length(segment.getStreamId());
        if (idBytes > MAX_STREAM_ID_BYTES) {
            return "stream_id is " + idBytes + " bytes long, above the limit of " + MAX_STREAM_ID_BYTES;
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
        if (segment.getFrameCount() < 0) {
            // Not "undeclared" (0): a negative count would skip the header's pixel budget and the
            // frame count check (found by SegmentInputFuzzer).
            return "frame_count " + segment.getFrameCount() + " is negative (0 = not declared)";
        }
        if (segment.getFrameCount() > limits.maxFrames()) {
            return "declares " + segment.getFrameCount() + " frames, above the limit of " + limits.maxFrames();
        }
        return null;
    }

    /** Left context for this segment: the stored tail, if it comes from the previous sequence and fits. */
    private List<Image> continuousTail(String streamId, long sequence, int width, int height) {
        FrameTail stored = tailStore.get(streamId);
        if (stored == null || stored.getSequence() != sequence - 1) {
            return List.of();
        }
        List<Image> frames = new ArrayList<>(stored.getFramesCount());
        for (TailFrame f : stored.getFramesList()) {
            if (f.getWidth() != width || f.getHeight() != height) {
                log.info(
                        "stream={} seq={} size changed from {}x{} to {}x{}: temporal state reset",
                        streamId,
                        sequence,
                        f.getWidth(),
                        f.getHeight(),
                        width,
                        height);
                return List.of();
            }
            frames.add(new Image(f.getWidth(), f.getHeight(), f.getRgb().toByteArray()));
        }
        return frames;
    }

    private void warmUp(int width, int height) {
        if (policy != null) {
            RungWarmUp.run(ladder, costs, settings.windowLength(), settings.windowContext(), width, height);
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
     * Records that the stream has reached {@code segment}'s epoch and sequence, its last frame at
     * {@code lastPts} (null: unknown, the segment was not enhanced; the previous segment's is kept
     * within one epoch).
     */
    private void advance(
            String streamId, StreamProgress previous, VideoSegment segment, Long lastPts, TierPolicy.State budget) {
        StreamProgress.Builder next = StreamProgress.newBuilder()
                .setEpoch(segment.getEpoch())
                .setLastSequence(segment.getSequence())
                .setSegmentsSeen(previous == null ? 1 : previous.getSegmentsSeen() + 1);
        // The latency budget's memory; a dead-lettered segment ran no rung and keeps the previous one.
        if (budget != null) {
            next.setRungTier(budget.rung().tier().tag())
                    .setRungSteps(budget.rung().steps())
                    .setHeadroomStreak(budget.headroomStreak());
        } else if (previous != null) {
            next.setRungTier(previous.getRungTier())
                    .setRungSteps(previous.getRungSteps())
                    .setHeadroomStreak(previous.getHeadroomStreak());
        }
        if (lastPts != null) {
            next.setLastPts(lastPts);
        } else if (previous != null && previous.getEpoch() == segment.getEpoch() && previous.hasLastPts()) {
            next.setLastPts(previous.getLastPts());
        }
        progressStore.put(streamId, next.build());
    }

    /** Where a segment stands against the stream's progress. */
    private enum Order {
        /** The stream's first segment. */
        FIRST,
        /** The successor of the last one. */
        NEXT,
        /** Ahead, within {@code maxSequenceJump}: segments are missing. */
        GAP,
        /** Ahead by more than {@code maxSequenceJump}: taken for a bad sequence number. */
        JUMP,
        /** The successor of a segment dead-lettered as a JUMP: the producer did renumber. */
        CONFIRMED_JUMP,
        /** At or below the last sequence of the same epoch. */
        DUPLICATE,
        /** From an earlier epoch than the stream's. */
        STALE_EPOCH,
        /** From a later epoch: a new producer session. */
        NEW_EPOCH
    }

    private Order order(StreamProgress progress, VideoSegment segment) {
        if (progress == null) {
            return Order.FIRST;
        }
        if (segment.getEpoch() != progress.getEpoch()) {
            return segment.getEpoch() > progress.getEpoch() ? Order.NEW_EPOCH : Order.STALE_EPOCH;
        }
        long last = progress.getLastSequence();
        long sequence = segment.getSequence();
        if (sequence <= last) {
            return Order.DUPLICATE;
        }
        // Both are non-negative: the difference cannot overflow.
        long ahead = sequence - last;
        if (ahead == 1) {
            return Order.NEXT;
        }
        if (ahead > settings.maxSequenceJump()) {
            boolean confirmed = progress.hasJumpSequence()
                    && progress.getJumpSequence() < Long.MAX_VALUE
                    && sequence == progress.getJumpSequence() + 1;
            return confirmed ? Order.CONFIRMED_JUMP : Order.JUMP;
        }
        return Order.GAP;
    }

    /**
     * Skips a segment the stream is already past, visibly: counted, logged at debug, and warned
     * about when many come in a row (a stream stuck behind a sequence number, or a producer that
     * restarted its numbering without raising epoch).
     */
    private void skipDuplicate(String streamId, StreamProgress progress, VideoSegment segment, Order order) {
        events.duplicateSkipped();
        long inARow = progress.getDuplicatesInARow() + 1;
        progressStore.put(
                streamId, progress.toBuilder().setDuplicatesInARow(inARow).build());
        log.debug(
                "stream={} epoch={} seq={} skipped as {}: the stream is at epoch {} seq {}",
                streamId,
                segment.getEpoch(),
                segment.getSequence(),
                order == Order.STALE_EPOCH ? "from an earlier epoch" : "a duplicate",
                progress.getEpoch(),
                progress.getLastSequence());
        if (inARow >= 10 && isPowerOfTen(inARow)) {
            log.warn(
                    "stream={}: {} segments in a row skipped as duplicates (latest epoch {} seq {}; the stream is"
                            + " at epoch {} seq {}). A producer that restarts its numbering must raise"
                            + " VideoSegment.epoch",
                    streamId,
                    inARow,
                    segment.getEpoch(),
                    segment.getSequence(),
                    progress.getEpoch(),
                    progress.getLastSequence());
        }
    }

    private static boolean isPowerOfTen(long n) {
        while (n >= 10 && n % 10 == 0) {
            n /= 10;
        }
        return n == 1;
    }

    /**
     * Dead-letters a segment whose sequence number is implausibly far ahead, without moving the
     * stream: one bad number must not make every later segment a duplicate. Its successor, should
     * one follow, confirms a real renumbering ({@link Order#CONFIRMED_JUMP}).
     */
    private void rejectJump(Record<String, VideoSegment> record, StreamProgress progress) {
        VideoSegment segment = record.value();
        progressStore.put(
                segment.getStreamId(),
                progress.toBuilder().setJumpSequence(segment.getSequence()).build());
        deadLetter(
                record,
                DeadLetterReason.SEQUENCE_JUMP,
                "sequence " + segment.getSequence() + " is " + (segment.getSequence() - progress.getLastSequence())
                        + " ahead of the stream's last sequence " + progress.getLastSequence() + " (epoch "
                        + progress.getEpoch() + "), more than sdatc.sequence.max.jump = "
                        + settings.maxSequenceJump() + "; the stream goes on from " + progress.getLastSequence()
                        + ". If the producer did renumber, its next segment (" + (segment.getSequence() + 1)
                        + ") is accepted; a producer that restarts its numbering should raise epoch");
    }

    /**
     * Whether a segment starting at {@code first} goes back in time from a previous segment ending at
     * {@code last}. MPEG-TS timestamps are 33-bit and wrap every 26.5 h: a drop of more than half the
     * range is a wrap, not a step back.
     */
    static boolean wentBackwards(long last, long first, Container container) {
        if (first > last) {
            return false;
        }
        return !(container == Container.CONTAINER_MPEGTS && last - first > (1L << 32));
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
        advance(segment.getStreamId(), progress, segment, null, null);
        resetTemporalState(segment.getStreamId());
        deadLetter(record, reason, cause);
    }

    /**
     * Forwards a dead letter that fits one record whatever the input was: the original value is cut
     * when it would not fit ({@link DeadLetters}), a huge key is shortened and huge headers dropped.
     */
    private void deadLetter(Record<String, VideoSegment> record, DeadLetterReason reason, String cause) {
        VideoSegment segment = record.value();
        String streamId = DeadLetters.abbreviate(segment.getStreamId(), DeadLetters.MAX_ID_CHARS);
        String message = "stream '" + streamId + "' segment " + segment.getSequence() + ": " + cause;
        events.deadLettered(reason);
        DeadLetter.Builder letter = DeadLetter.newBuilder()
                .setStreamId(streamId)
                .setSequence(segment.getSequence())
                .setEpoch(segment.getEpoch())
                .setReason(reason.name())
                .setMessage(message)
                .setFailedTimestampUs(currentTimeMicros());
        context.recordMetadata()
                .ifPresent(m -> letter.setSourceTopic(m.topic())
                        .setSourcePartition(m.partition())
                        .setSourceOffset(m.offset()));
        Record<String, MessageLite> out = record.withValue(null);
        if (DeadLetters.utf8Length(record.key()) > MAX_STREAM_ID_BYTES) {
            out = out.withKey(DeadLetters.abbreviate(record.key(), DeadLetters.MAX_ID_CHARS));
        }
        if (DeadLetters.headerBytes(record.headers()) > settings.maxRecordBytes() / 4) {
            out = out.withHeaders(new RecordHeaders());
        }
        DeadLetter value = DeadLetters.fit(
                letter,
                segment.toByteString(),
                DeadLetters.utf8Length(out.key()) + DeadLetters.headerBytes(out.headers()),
                settings.maxRecordBytes());
        log.warn("dead-lettered {}: {}", reason, value.getMessage());
        context.forward(out.withValue((MessageLite) value), TO_DEAD_LETTERS);
    }

    static ContainerFormat containerOf(Container container) {
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

    static VideoCodec codecOf(Codec codec) {
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
