package dev.pinwheel.core.guild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * {@link ReadStates} against a plain model: per channel, the mentioning messages after the last ack (an ack may also
 * move back, marking messages unread again), each counted once; past {@link ReadStates#MAX_KEPT} only counted.
 */
class ReadStatesTest
{
    private static final long USER = 7;
    private static final long CHANNEL = 9;

    @Test
    void countsOnlyMentionsAfterTheLastAck()
    {
        final ReadStates rs = new ReadStates();
        assertNull(rs.entry(USER, CHANNEL));
        rs.mention(USER, CHANNEL, 10);
        rs.mention(USER, CHANNEL, 20);
        rs.mention(USER, CHANNEL, 20); // one message counts once
        assertEquals(2, rs.entry(USER, CHANNEL).mentionCount());
        rs.ack(USER, CHANNEL, 15);
        assertEquals(1, rs.entry(USER, CHANNEL).mentionCount());
        assertEquals(15, rs.entry(USER, CHANNEL).lastMessageId());
        rs.mention(USER, CHANNEL, 12); // before the ack: already read
        assertEquals(1, rs.entry(USER, CHANNEL).mentionCount());
        rs.ack(USER, CHANNEL, 30);
        assertEquals(0, rs.entry(USER, CHANNEL).mentionCount());
        assertEquals(6, rs.of(USER).version());
        assertNull(rs.entry(USER + 1, CHANNEL));
    }

    @Test
    void matchesAModelUnderRandomOperations()
    {
        final Random random = new Random(42);
        for (int round = 0; round < 50; round++)
        {
            final ReadStates rs = new ReadStates();
            final TreeSet<Long> mentions = new TreeSet<>();
            long last = 0;
            for (int op = 0; op < 500; op++)
            {
                final long id = 1 + random.nextInt(400);
                if (random.nextInt(5) == 0)
                {
                    rs.ack(USER, CHANNEL, id);
                    last = id;
                    mentions.headSet(id, true).clear();
                }
                else
                {
                    rs.mention(USER, CHANNEL, id);
                    if (id > last)
                    {
                        mentions.add(id);
                    }
                }
                assertEquals(mentions.size(), rs.entry(USER, CHANNEL).mentionCount(), "round " + round + " op " + op);
            }
        }
    }

    @Test
    void beyondTheKeptIdsMentionsAreStillCounted()
    {
        final ReadStates rs = new ReadStates();
        final int n = ReadStates.MAX_KEPT + 100;
        for (int i = 1; i <= n; i++)
        {
            rs.mention(USER, CHANNEL, i);
        }
        assertEquals(n, rs.entry(USER, CHANNEL).mentionCount());
        rs.ack(USER, CHANNEL, n - 10);
        assertEquals(10, rs.entry(USER, CHANNEL).mentionCount());
    }
}
