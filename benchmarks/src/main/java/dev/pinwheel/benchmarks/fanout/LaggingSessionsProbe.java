package dev.pinwheel.benchmarks.fanout;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.fanout.SessionIndex;
import dev.pinwheel.gateway.session.GatewaySession;
import dev.pinwheel.gateway.session.SessionWire;

/**
 * One shard's delivery to sessions that never acknowledge (a busy guild whose clients fell silent, or a burst longer
 * than a heartbeat interval): the gateway's own {@link GatewaySession}s in one guild, connected to a wire that writes
 * nothing, each event delivered and flushed as one duty cycle. Prints the mean and the worst cycle: the worst shows a
 * stall such as every session copying its run out of the guild's log at once.
 * <pre>
 *   java $(cat jvm-flags/profiles/modules.args | grep -o '^--[^ ]*') -cp benchmarks/target/pinwheel-benchmarks.jar \
 *        dev.pinwheel.benchmarks.fanout.LaggingSessionsProbe [sessions=15000] [events=20000]
 * </pre>
 */
public final class LaggingSessionsProbe
{
    private LaggingSessionsProbe()
    {
    }

    /**
     * @param args sessions (default 15,000), events (default 20,000: past the guild log's default limit of 16,384).
     */
    public static void main(final String[] args)
    {
        final int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 15_000;
        final int events = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        final long guild = 1L << 22;
        final SessionIndex index = new SessionIndex();
        final Dispatch[] scratch = new Dispatch[GatewaySession.CORK_LIMIT];
        final SessionWire nowhere = new SessionWire()
        {
            @Override
            public void writeDispatches(final Dispatch[] ring, final int mask, final long from, final long to,
                final long firstSeq, final boolean seesContent)
            {
            }

            @Override
            public Dispatch[] dispatchScratch()
            {
                return scratch;
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close(final int code, final String reason)
            {
                throw new IllegalStateException("closed with " + code + ": " + reason);
            }
        };
        for (int i = 0; i < sessions; i++)
        {
            final GatewaySession s = GatewaySession.unattached(i, 1_000 + i,
                MessageCreateSample.READER_INTENTS, 2048);
            s.attachWire(nowhere);
            index.subscribe(guild, s);
        }
        final Dispatch d = MessageCreateSample.of(guild, "the quick brown fox jumps over the lazy dog").dispatch();
        long worst = 0;
        int worstAt = -1;
        final long start = System.nanoTime();
        for (int e = 0; e < events; e++)
        {
            final long t0 = System.nanoTime();
            index.deliver(d);
            index.flushDirty();
            final long took = System.nanoTime() - t0;
            if (took > worst)
            {
                worst = took;
                worstAt = e;
            }
        }
        final double mean = (System.nanoTime() - start) / 1e3 / events;
        System.out.printf(java.util.Locale.ROOT, "%d sessions, %d events: mean cycle %.1f us (%.1f ns per recipient),"
            + " worst cycle %.2f ms at event %d%n", sessions, events, mean, mean * 1e3 / sessions, worst / 1e6,
            worstAt);
    }
}
