package dev.pinwheel.core.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A user's guilds: small immutable sets replaced on each change, a concurrent set past {@link Accounts#SMALL}; adds and
 * removes from several threads at once keep every change. A user's tokens: the newest {@link Accounts#MAX_TOKENS}.
 */
class AccountsSetsTest
{
    @Test
    void setsGrowPastSmallAndShrinkToNothing()
    {
        final Accounts accounts = new Accounts();
        final Set<Long> expected = new HashSet<>();
        for (long g = 1; g <= 3 * Accounts.SMALL; g++)
        {
            accounts.addGuild(7, g);
            accounts.addGuild(7, g); // twice: no duplicate
            expected.add(g);
            assertEquals(expected, accounts.guildsOf(7));
        }
        for (long g = 1; g <= 3 * Accounts.SMALL; g++)
        {
            accounts.removeGuild(7, g);
            expected.remove(g);
            assertEquals(expected, accounts.guildsOf(7));
        }
        assertTrue(accounts.guildsOf(7).isEmpty());
        accounts.removeGuild(7, 1); // nothing to remove
        assertTrue(accounts.guildsOf(7).isEmpty());

        accounts.addGuild(8, 5);
        accounts.addGuild(8, 6);
        accounts.addGuild(9, 5);
        accounts.forgetGuild(5);
        assertEquals(Set.of(6L), accounts.guildsOf(8));
        assertTrue(accounts.guildsOf(9).isEmpty());

        accounts.addToken(7, "a");
        accounts.addToken(7, "b");
        assertTrue(accounts.hasToken(7, "a") && accounts.hasToken(7, "b"));
        assertFalse(accounts.hasToken(7, "c"));
        accounts.revokeTokens(7);
        assertFalse(accounts.hasToken(7, "a"));
    }

    @Test
    void aUserKeepsTheNewestTokensOnly()
    {
        final Accounts accounts = new Accounts();
        for (int i = 0; i < Accounts.MAX_TOKENS + 50; i++)
        {
            accounts.addToken(7, "t" + i);
            accounts.addToken(7, "t" + i); // the same again: kept once
        }
        for (int i = 0; i < 50; i++)
        {
            assertFalse(accounts.hasToken(7, "t" + i), "the oldest logins ended: t" + i);
        }
        for (int i = 50; i < Accounts.MAX_TOKENS + 50; i++)
        {
            assertTrue(accounts.hasToken(7, "t" + i), "t" + i);
        }
        assertFalse(accounts.hasToken(8, "t60"), "another user's");
        accounts.revokeTokens(7);
        assertFalse(accounts.hasToken(7, "t120"));
    }

    @Test
    void smallSetsAreImmutableAndBigOnesConcurrent()
    {
        final Set<Long> one = Accounts.with(null, 1L);
        assertFalse(one instanceof ConcurrentHashMap.KeySetView);
        Set<Long> set = one;
        for (long i = 2; i <= Accounts.SMALL + 1; i++)
        {
            set = Accounts.with(set, i);
        }
        assertTrue(set instanceof ConcurrentHashMap.KeySetView, "past SMALL: " + set.getClass());
        assertEquals(Set.of(1L), one, "an earlier snapshot is untouched");
    }

    @Test
    void concurrentJoinsAndLeavesKeepEveryChange() throws Exception
    {
        final Accounts accounts = new Accounts();
        final int threads = 4;
        final int perThread = 200;
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try
        {
            final List<Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final long base = t * 1000L;
                done.add(pool.submit(() ->
                {
                    for (long g = base; g < base + perThread; g++)
                    {
                        accounts.addGuild(7, g);
                        accounts.addGuild(8, g);
                        if (g % 2 == 0)
                        {
                            accounts.removeGuild(8, g);
                        }
                    }
                }));
            }
            for (final Future<?> f : done)
            {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        finally
        {
            pool.shutdownNow();
        }
        assertEquals(threads * perThread, accounts.guildsOf(7).size());
        assertEquals(threads * perThread / 2, accounts.guildsOf(8).size());
        for (final long g : accounts.guildsOf(8))
        {
            assertEquals(1, g % 2, "only the odd ones stay");
        }
    }
}
