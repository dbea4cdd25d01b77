package dev.pinwheel.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PlanCliTest
{
    @Test
    void describesARecordedLayout()
    {
        final String root = Layouts.root(Layouts.HT_16CPU_ISOLATED).toString();
        final String text = PlanCli.describe(new String[] {"--root", root, "--profile", "latency", "--media", "2"});
        assertTrue(text.contains("profile latency (pinned;"), text);
        assertTrue(text.contains("16 CPUs online (0-15), 8 cores"), text);
        assertTrue(text.contains("media 1"), text);
        assertTrue(text.contains("cpufreq governor 'powersave'"), text);
        assertEquals(text, PlanCli.describe(new String[] {"--root=" + root, "--profile=latency", "--media=2"}));
    }

    @Test
    void shardsAndPinningCanBeOverridden()
    {
        final String root = Layouts.root(Layouts.VM_2CPU).toString();
        final String pinned = PlanCli.describe(
            new String[] {"--root", root, "--profile", "dev", "--pin", "--shards", "2"});
        assertTrue(pinned.contains("2 shards, 0 media loops, no conductor; 1 pinned, 1 unpinned"), pinned);
        final String unpinned = PlanCli.describe(new String[] {"--root", root, "--profile", "latency", "--no-pin"});
        assertTrue(unpinned.contains("2 shards, 0 media loops, no conductor; 0 pinned, 2 unpinned"), unpinned);
    }

    @Test
    void describesThisMachine()
    {
        final String text = PlanCli.describe(new String[] {"--profile", "latency", "--conductor"});
        assertTrue(text.contains("CPU  NODE"), text);
        assertTrue(text.contains("warnings:"), text);
    }

    @Test
    void rejectsBadArguments()
    {
        assertThrows(IllegalArgumentException.class, () -> PlanCli.describe(new String[] {"--bogus"}));
        assertThrows(IllegalArgumentException.class, () -> PlanCli.describe(new String[] {"--shards", "x"}));
        assertThrows(IllegalArgumentException.class, () -> PlanCli.describe(new String[] {"--shards", "-1"}));
        assertThrows(IllegalArgumentException.class, () -> PlanCli.describe(new String[] {"--shards"}));
        assertThrows(IllegalArgumentException.class, () -> PlanCli.describe(new String[] {"--profile", "turbo"}));
        assertThrows(IllegalArgumentException.class, () -> PlanCli.describe(new String[] {"--root", "/no/such/dir"}));
        assertEquals(PlanCli.USAGE, PlanCli.describe(new String[] {"--help"}));
    }
}
