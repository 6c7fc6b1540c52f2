package org.sdatc.enhancer.stream;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import java.util.ArrayList;
import java.util.List;
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
import org.sdatc.enhancer.media.ContainerFormat;
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
    private final Enhancer enhancer;
    private final SegmentEvents events;
    private final SegmentEnhancer segmentEnhancer;
    private final SegmentDecoder decoder;

    private ProcessorContext<String, MessageLite> context;
    private KeyValueStore<String, StreamProgress> progressStore;
    private KeyValueStore<String, FrameTail> tailStore;
    private KeyValueStore<String, WindowCarry> carryStore;

    public SegmentProcessor(StreamSettings settings, Enhancer enhancer, SegmentEvents events) {
        this.settings = settings;
        this.enhancer = enhancer;
        this.events = events;
        this.decoder = new SegmentDecoder(enhancer.wantsMotionVectors(), settings.interlaced());
        this.segmentEnhancer =
                new SegmentEnhancer(new WindowPlanner(settings.windowLength(), settings.windowContext()), enhancer);
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
        Streamed streamed;
        try {
            streamed = enhanceStreaming(segment, timings);
        } catch (MediaException e) {
            rejectAndAdvance(record, progress, DeadLetterReason.of(e.reason()), e.getMessage());
            return;
        } catch (EnhancerException e) {
            rejectAndAdvance(record, progress, DeadLetterReason.ENHANCE_FAILED, e.getMessage());
            return;
        }
        boolean continuous = !streamed.tail().isEmpty();
        EnhancerInfo info = enhancer.info();
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

        advance(streamId, progress, segment.getSequence(), streamed.lastPts());
        saveTemporalState(streamId, segment.getSequence(), streamed.next(), info);

        long processingNanos = System.nanoTime() - start;
        long endToEndUs = segment.getProducerTimestampUs() > 0
                ? publishedUs - segment.getProducerTimestampUs()
                : SegmentEvents.SegmentReport.UNKNOWN;
        double videoSeconds = streamed.frames() / streamed.frameRate().toDouble();
        events.enhanced(
                new SegmentEvents.SegmentReport(streamed.frames(), videoSeconds, processingNanos, endToEndUs, timings));
        log.info(
                "stream={} seq={} frames={} {}x{}->{}x{} windows={} took={}ms e2e={}ms",
                streamId,
                segment.getSequence(),
                streamed.frames(),
                streamed.width(),
                streamed.height(),
                streamed.outWidth(),
                streamed.outHeight(),
                streamed.windows(),
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
            int windows) {}

    /**
     * Decodes, enhances and encodes a segment frame by frame: low-resolution frames are read as the
     * windows need them and enhanced frames go to the encoder as each window emits them, so a long
     * segment (a decompression bomb) is never held in memory. Any MediaException (from the header
     * checks or from a frame) or EnhancerException leaves nothing behind: the store writes and the
     * output happen after this returns.
     */
    private Streamed enhanceStreaming(VideoSegment segment, StageTimings timings) {
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
            List<Image> tail = continuousTail(streamId, sequence, frames.width(), frames.height());
            byte[] carry = tail.isEmpty() ? null : carryFor(streamId, sequence);
            long[] decodeTime = {decodeNanos};
            // One GOP per segment: the key-frame interval must cover the whole segment.
            int gopFrames = segment.getFrameCount() > 0
                    ? segment.getFrameCount()
                    : settings.limits().maxFrames();
            try (EncodingSink sink = new EncodingSink(frames, frameRate, gopFrames, settings.encoder())) {
                SegmentEnhancer.Outcome outcome = segmentEnhancer.enhance(
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
                        outcome.windows());
            }
        }
    }

    private String validate(String key, VideoSegment segment) {
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
        if (segment.getFrameCount() > settings.limits().maxFrames()) {
            return "declares " + segment.getFrameCount() + " frames, above the limit of "
                    + settings.limits().maxFrames();
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

    private byte[] carryFor(String streamId, long sequence) {
        WindowCarry stored = carryStore.get(streamId);
        if (stored == null
                || stored.getSequence() != sequence - 1
                || !stored.getModel().equals(enhancer.info().model())) {
            return null;
        }
        return stored.getCarry().toByteArray();
    }

    /** Records that the stream has reached {@code sequence}, its last frame at {@code lastPts}. */
    private void advance(String streamId, StreamProgress previous, long sequence, long lastPts) {
        progressStore.put(
                streamId,
                StreamProgress.newBuilder()
                        .setLastSequence(sequence)
                        .setLastPts(lastPts)
                        .setSegmentsSeen(previous == null ? 1 : previous.getSegmentsSeen() + 1)
                        .build());
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
        advance(segment.getStreamId(), progress, segment.getSequence(), progress == null ? 0 : progress.getLastPts());
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
