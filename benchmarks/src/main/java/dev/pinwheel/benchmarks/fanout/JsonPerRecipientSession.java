package dev.pinwheel.benchmarks.fanout;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.fanout.SessionEndpoint;

/**
 * The baseline: what a naive server does per recipient. It keeps the event as an object tree and serializes
 * the whole envelope {@code {"t","s","op","d"}} with Jackson for every session, then copies the bytes into a
 * buffer. Same resume ring and sink as {@link SinkSession}, so the difference is the encoding alone.
 */
public final class JsonPerRecipientSession extends SessionEndpoint
{
    /** The gateway envelope in Discord's field order. */
    @JsonPropertyOrder({"t", "s", "op", "d"})
    public record Envelope(String t, long s, int op, JsonNode d)
    {
    }

    private final long userId;
    private final ObjectWriter writer;
    private final JsonNode event;
    private final ByteBufAllocator alloc;
    private final Dispatch[] resume;
    private final int mask;
    private final FrameSink sink = new FrameSink();
    private long seq;

    /**
     * @param userId         the session's user.
     * @param mapper         the server's mapper.
     * @param event          the event's {@code d} as the server holds it before encoding.
     * @param alloc          buffer allocator.
     * @param resumeCapacity resume ring size, a power of two.
     */
    public JsonPerRecipientSession(final long userId, final ObjectMapper mapper, final JsonNode event,
        final ByteBufAllocator alloc, final int resumeCapacity)
    {
        this.userId = userId;
        this.writer = mapper.writerFor(Envelope.class);
        this.event = event;
        this.alloc = alloc;
        this.resume = new Dispatch[resumeCapacity];
        this.mask = resumeCapacity - 1;
    }

    @Override
    public long userId()
    {
        return userId;
    }

    @Override
    public void dispatch(final Dispatch d)
    {
        final long s = ++seq;
        resume[(int)(s & mask)] = d;
        final byte[] json;
        try
        {
            json = writer.writeValueAsBytes(new Envelope(d.type(), s, 0, event));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final ByteBuf buf = alloc.buffer(json.length);
        buf.writeBytes(json);
        sink.add(buf);
    }

    @Override
    public void flush()
    {
        sink.drain();
    }

    /**
     * @param i index among the frames queued since the last flush.
     * @return that frame (still owned by this session).
     */
    ByteBuf queuedFrame(final int i)
    {
        return sink.queued(i);
    }

    /**
     * @return bytes framed and flushed so far.
     */
    public long bytesWritten()
    {
        return sink.bytesWritten();
    }
}
