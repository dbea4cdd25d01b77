package dev.pinwheel.gateway.edge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * How much a connection reads at a time: Netty's adaptive policy (start at 2 KiB; a read that fills its buffer makes
 * the next guess 16 times larger, up to 64 KiB; two read loops in a row that would have fit in half make it half),
 * kept in one 40-byte object per connection. Netty's {@code AdaptiveRecvByteBufAllocator} gives every channel a handle, a
 * size calculator and a supplier object — 112 B per idle gateway session, 5 % of its heap (issue 14) — to hold the
 * same few numbers. Sizes are powers of two here (Netty's table has steps of 16 B below 512 B as well). One instance
 * serves every connection; each gets its own {@link Handle} from {@link #newHandle()}.
 */
public final class ReceiveSizes implements MaxMessagesRecvByteBufAllocator
{
    /** log2 of the smallest guess (64 B). */
    static final int MIN_SHIFT = 6;
    /** log2 of the first guess (2 KiB). */
    static final int INITIAL_SHIFT = 11;
    /** log2 of the largest guess (64 KiB). */
    static final int MAX_SHIFT = 16;
    /** Steps up after a read that filled its buffer (Netty's four index steps: ×16 at these sizes). */
    private static final int GROW_STEPS = 4;

    private volatile int maxMessagesPerRead = 16;

    @Override
    public int maxMessagesPerRead()
    {
        return maxMessagesPerRead;
    }

    @Override
    public MaxMessagesRecvByteBufAllocator maxMessagesPerRead(final int maxMessagesPerRead)
    {
        if (maxMessagesPerRead <= 0)
        {
            throw new IllegalArgumentException("maxMessagesPerRead: " + maxMessagesPerRead + " (expected: > 0)");
        }
        this.maxMessagesPerRead = maxMessagesPerRead;
        return this;
    }

    @Override
    public RecvByteBufAllocator.Handle newHandle()
    {
        return new Handle(this);
    }

    /**
     * One connection's read loop state and size guess. It is its own "may there be more data" test (the last read
     * filled its buffer), where Netty's keeps a separate supplier object.
     */
    static final class Handle implements RecvByteBufAllocator.ExtendedHandle, UncheckedBooleanSupplier
    {
        private final ReceiveSizes sizes;
        private ChannelConfig config;
        private int messages;
        private int bytesRead;
        private int attempted;
        private int last;
        /** log2 of the next guess. */
        private byte shift = INITIAL_SHIFT;
        /** A read that would have fit in half was seen: the next one like it halves the guess. */
        private boolean decreaseNow;

        Handle(final ReceiveSizes sizes)
        {
            this.sizes = sizes;
        }

        @Override
        public ByteBuf allocate(final ByteBufAllocator alloc)
        {
            return alloc.ioBuffer(guess());
        }

        @Override
        public int guess()
        {
            return 1 << shift;
        }

        @Override
        public void reset(final ChannelConfig config)
        {
            this.config = config;
            messages = 0;
            bytesRead = 0;
        }

        @Override
        public void incMessagesRead(final int numMessages)
        {
            messages += numMessages;
        }

        @Override
        public void lastBytesRead(final int bytes)
        {
            if (bytes == attempted)
            {
                record(bytes); // it filled the buffer: maybe the next guess should be larger at once
            }
            last = bytes;
            if (bytes > 0)
            {
                bytesRead += bytes;
            }
        }

        @Override
        public int lastBytesRead()
        {
            return last;
        }

        @Override
        public void attemptedBytesRead(final int bytes)
        {
            attempted = bytes;
        }

        @Override
        public int attemptedBytesRead()
        {
            return attempted;
        }

        @Override
        public boolean continueReading()
        {
            return continueReading(this);
        }

        @Override
        public boolean continueReading(final UncheckedBooleanSupplier maybeMoreDataSupplier)
        {
            return config.isAutoRead() && maybeMoreDataSupplier.get() && messages < sizes.maxMessagesPerRead
                && bytesRead > 0;
        }

        /** The default test of whether more data may wait: the last read filled what it asked for. */
        @Override
        public boolean get()
        {
            return attempted == last;
        }

        @Override
        public void readComplete()
        {
            record(bytesRead < 0 ? Integer.MAX_VALUE : bytesRead);
        }

        /** Moves the guess after a read loop (or a read that filled its buffer) took {@code size} bytes. */
        private void record(final int size)
        {
            if (size <= 1 << Math.max(MIN_SHIFT, shift - 1))
            {
                if (decreaseNow)
                {
                    shift = (byte)Math.max(MIN_SHIFT, shift - 1);
                    decreaseNow = false;
                }
                else
                {
                    decreaseNow = true;
                }
            }
            else if (size >= 1 << shift)
            {
                shift = (byte)Math.min(MAX_SHIFT, shift + GROW_STEPS);
                decreaseNow = false;
            }
        }
    }
}
