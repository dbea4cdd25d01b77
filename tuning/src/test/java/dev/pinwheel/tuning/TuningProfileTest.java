package dev.pinwheel.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;

class TuningProfileTest
{
    @Test
    void knowsTheFourProfilesByName()
    {
        assertEquals(List.of("dev", "ci", "latency", "throughput"), TuningProfile.names());
        assertSame(TuningProfile.LATENCY, TuningProfile.forName("latency"));
        assertSame(TuningProfile.THROUGHPUT, TuningProfile.forName(" Throughput "));
        assertThrows(IllegalArgumentException.class, () -> TuningProfile.forName("turbo"));
    }

    @Test
    void devAndCiNeverPinNorSpin()
    {
        for (final TuningProfile profile : List.of(TuningProfile.DEV, TuningProfile.CI))
        {
            assertFalse(profile.pin());
            assertEquals(IdleMode.BLOCK, profile.idleMode(ThreadRole.SHARD));
            assertEquals(IdleMode.BLOCK, profile.idleMode(ThreadRole.MEDIA), "an idle dev server costs no CPU");
            for (final ThreadRole role : ThreadRole.values())
            {
                assertTrue(profile.idleMode(role) != IdleMode.BUSY_SPIN, profile + " spins " + role);
            }
        }
    }

    @Test
    void latencySpinsAndThroughputBacksOff()
    {
        assertTrue(TuningProfile.LATENCY.pin());
        assertEquals(IdleMode.BUSY_SPIN, TuningProfile.LATENCY.idleMode(ThreadRole.SHARD));
        assertEquals(IdleMode.BUSY_SPIN, TuningProfile.LATENCY.idleMode(ThreadRole.MEDIA));
        assertTrue(TuningProfile.THROUGHPUT.pin());
        assertEquals(IdleMode.BACKOFF, TuningProfile.THROUGHPUT.idleMode(ThreadRole.SHARD));
        assertEquals(IdleMode.BACKOFF, TuningProfile.THROUGHPUT.idleMode(ThreadRole.MEDIA));
        for (final String name : TuningProfile.names())
        {
            assertEquals(IdleMode.BLOCK, TuningProfile.forName(name).idleMode(ThreadRole.CONTROL));
        }
    }

    @Test
    void readsTheSystemPropertyAndDefaultsToDev()
    {
        final String saved = System.getProperty(TuningProfile.PROFILE_PROP_NAME);
        try
        {
            System.clearProperty(TuningProfile.PROFILE_PROP_NAME);
            assertSame(TuningProfile.DEV, TuningProfile.fromSystemProperty());
            System.setProperty(TuningProfile.PROFILE_PROP_NAME, "latency");
            assertSame(TuningProfile.LATENCY, TuningProfile.fromSystemProperty());
            System.setProperty(TuningProfile.PROFILE_PROP_NAME, "nope");
            assertThrows(IllegalArgumentException.class, TuningProfile::fromSystemProperty);
        }
        finally
        {
            if (saved == null)
            {
                System.clearProperty(TuningProfile.PROFILE_PROP_NAME);
            }
            else
            {
                System.setProperty(TuningProfile.PROFILE_PROP_NAME, saved);
            }
        }
    }

    @Test
    void pinningCanBeOverridden()
    {
        final TuningProfile unpinned = TuningProfile.LATENCY.withPin(false);
        assertFalse(unpinned.pin());
        assertEquals("latency", unpinned.name());
        assertEquals(IdleMode.BUSY_SPIN, unpinned.idleMode(ThreadRole.SHARD));
        assertSame(TuningProfile.LATENCY, TuningProfile.LATENCY.withPin(true));
        assertEquals(TuningProfile.LATENCY, unpinned.withPin(true));
        assertTrue(unpinned.toString().startsWith("latency (unpinned; SHARD=BUSY_SPIN"), unpinned.toString());
    }

    @Test
    void makesTheAgronaIdleStrategyForEachMode()
    {
        assertInstanceOf(BusySpinIdleStrategy.class, IdleStrategies.newIdleStrategy(IdleMode.BUSY_SPIN));
        assertInstanceOf(SleepingMillisIdleStrategy.class, IdleStrategies.newIdleStrategy(IdleMode.BLOCK));
        final var backoff = assertInstanceOf(
            BackoffIdleStrategy.class, IdleStrategies.newIdleStrategy(IdleMode.BACKOFF));
        final String text = backoff.toString();
        assertTrue(text.contains("maxSpins=100") && text.contains("maxYields=1000")
            && text.contains("minParkPeriodNs=1000") && text.contains("maxParkPeriodNs=20000"), text);
        assertNotSame(
            IdleStrategies.newIdleStrategy(IdleMode.BACKOFF), IdleStrategies.newIdleStrategy(IdleMode.BACKOFF));
        assertInstanceOf(BusySpinIdleStrategy.class, TuningProfile.LATENCY.newIdleStrategy(ThreadRole.SHARD));
        assertInstanceOf(SleepingMillisIdleStrategy.class, TuningProfile.DEV.newIdleStrategy(ThreadRole.SHARD));
    }
}
