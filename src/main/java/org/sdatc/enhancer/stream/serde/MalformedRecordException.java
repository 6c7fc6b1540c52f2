package org.sdatc.enhancer.stream.serde;

import org.apache.kafka.common.errors.SerializationException;

/** A record whose bytes are not the protobuf message its topic carries. */
public class MalformedRecordException extends SerializationException {
    public MalformedRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
