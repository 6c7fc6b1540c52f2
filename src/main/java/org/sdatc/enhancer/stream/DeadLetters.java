package org.sdatc.enhancer.stream;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.sdatc.enhancer.proto.v1.DeadLetter;

/**
 * Makes every dead letter fit one Kafka record. A dead letter carries the original record value for
 * replay, so an input near the record limit ({@code sdatc.max.record.bytes}) would give a dead
 * letter above it, and a producer that cannot send it fails the stream thread on every restart.
 * Here the original bytes are cut to what fits beside the rest of the dead letter, and the dead
 * letter says so ({@code original_truncated}, {@code original_size}, and its message).
 */
final class DeadLetters {
    /**
     * Room kept free in a record for what is not the dead letter's value: the batch and record
     * framing (under 100 bytes), the key and headers are counted on top of it.
     */
    static final int RECORD_OVERHEAD_BYTES = 16 * 1024;

    /** Longest message kept; causes are one sentence, but they may quote a long stream id. */
    static final int MAX_MESSAGE_CHARS = 4096;

    /** Identifiers (stream id, record key) are shortened to this many characters in messages and keys. */
    static final int MAX_ID_CHARS = 256;

    private DeadLetters() {}

    /**
     * Sets the original value, as much of it as fits, and builds the dead letter.
     *
     * @param letter every other field set (source coordinates too: the message names them when the
     *     original is cut)
     * @param original the original record value (empty for none)
     * @param keyAndHeaderBytes what the dead-letter record carries besides its value
     * @param maxRecordBytes the largest record the producer may send
     */
    static DeadLetter fit(DeadLetter.Builder letter, ByteString original, int keyAndHeaderBytes, int maxRecordBytes) {
        letter.setOriginalSize(original.size());
        letter.setMessage(abbreviate(letter.getMessage(), MAX_MESSAGE_CHARS));
        long room = room(letter, keyAndHeaderBytes, maxRecordBytes);
        if (original.size() <= room) {
            return letter.setOriginalValue(original).build();
        }
        String note = " [original value of " + original.size() + " bytes truncated to its first " + Math.max(0, room)
                + " bytes to fit the record limit of " + maxRecordBytes + " bytes; replay the record from "
                + letter.getSourceTopic() + "-" + letter.getSourcePartition() + "@" + letter.getSourceOffset() + "]";
        letter.setMessage(letter.getMessage() + note).setOriginalTruncated(true);
        // The note itself took some of the room: measure again.
        int keep = (int) Math.max(0, Math.min(room, room(letter, keyAndHeaderBytes, maxRecordBytes)));
        return letter.setOriginalValue(original.substring(0, keep)).build();
    }

    /** Bytes left for the original value: the limit less framing, key, headers and the other fields. */
    private static long room(DeadLetter.Builder letter, int keyAndHeaderBytes, int maxRecordBytes) {
        // Field tag and length prefix of original_value take at most 6 bytes.
        return (long) maxRecordBytes
                - RECORD_OVERHEAD_BYTES
                - keyAndHeaderBytes
                - letter.clearOriginalValue().build().getSerializedSize()
                - 6;
    }

    /** {@code text} cut to {@code max} characters, marked with an ellipsis when cut. */
    static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "\u2026";
    }

    /** Serialized size of headers, as a record carries them (each with two length prefixes, counted high). */
    static int headerBytes(Headers headers) {
        long n = 0;
        for (Header h : headers) {
            n += 10 + h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length);
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    static int utf8Length(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }
}
