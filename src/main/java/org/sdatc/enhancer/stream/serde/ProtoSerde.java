package org.sdatc.enhancer.stream.serde;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde for one protobuf message type. A value that does not parse throws {@link
 * MalformedRecordException}, which the dead-letter handler recognises.
 */
public final class ProtoSerde<T extends MessageLite> implements Serde<T> {
    private final Parser<T> parser;
    private final String typeName;

    public ProtoSerde(Parser<T> parser, Class<T> type) {
        this.parser = parser;
        this.typeName = type.getSimpleName();
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : value.toByteArray();
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                return parser.parseFrom(data);
            } catch (InvalidProtocolBufferException e) {
                throw new MalformedRecordException(
                        "record on topic '" + topic + "' is not a valid " + typeName + " (" + data.length + " bytes): "
                                + e.getMessage(),
                        e);
            }
        };
    }
}
