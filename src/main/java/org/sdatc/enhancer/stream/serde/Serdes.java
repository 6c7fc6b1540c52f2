package org.sdatc.enhancer.stream.serde;

import org.sdatc.enhancer.proto.v1.DeadLetter;
import org.sdatc.enhancer.proto.v1.EnhancedSegment;
import org.sdatc.enhancer.proto.v1.FrameTail;
import org.sdatc.enhancer.proto.v1.StreamProgress;
import org.sdatc.enhancer.proto.v1.VideoSegment;
import org.sdatc.enhancer.proto.v1.WindowCarry;

/** One serde per protobuf type on the enhancer's topics and stores. */
public final class Serdes {
    private Serdes() {}

    public static ProtoSerde<VideoSegment> videoSegment() {
        return new ProtoSerde<>(VideoSegment.parser(), VideoSegment.class);
    }

    public static ProtoSerde<EnhancedSegment> enhancedSegment() {
        return new ProtoSerde<>(EnhancedSegment.parser(), EnhancedSegment.class);
    }

    public static ProtoSerde<DeadLetter> deadLetter() {
        return new ProtoSerde<>(DeadLetter.parser(), DeadLetter.class);
    }

    public static ProtoSerde<StreamProgress> streamProgress() {
        return new ProtoSerde<>(StreamProgress.parser(), StreamProgress.class);
    }

    public static ProtoSerde<FrameTail> frameTail() {
        return new ProtoSerde<>(FrameTail.parser(), FrameTail.class);
    }

    public static ProtoSerde<WindowCarry> windowCarry() {
        return new ProtoSerde<>(WindowCarry.parser(), WindowCarry.class);
    }
}
