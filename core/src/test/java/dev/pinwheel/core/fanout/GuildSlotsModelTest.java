package dev.pinwheel.core.fanout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * {@link GuildSlots} (one entry inline, a hash map only from the second guild on) answers exactly as a plain map
 * would, over random puts, moves and removes of a few guilds — the inline entry emptied while the map holds others,
 * refilled by a guild that is in the map, and so on.
 */
class GuildSlotsModelTest
{
    @Test
    void answersAsAMapDoes()
    {
        final SplittableRandom random = new SplittableRandom(14);
        for (int run = 0; run < 200; run++)
        {
            final GuildSlots slots = new GuildSlots() { };
            final Map<Long, Long> model = new HashMap<>();
            final int guilds = 1 + random.nextInt(5);
            for (int op = 0; op < 300; op++)
            {
                final long guild = (1L << 22) * (1 + random.nextInt(guilds)) + run;
                switch (random.nextInt(3))
                {
                    case 0 ->
                    {
                        final long slot = random.nextInt(1000);
                        slots.putGuildSlot(guild, slot);
                        model.put(guild, slot);
                    }
                    case 1 -> assertEquals(model.containsKey(guild) ? model.remove(guild) : GuildSlots.MISSING,
                        slots.removeGuildSlot(guild), "remove " + guild + " at op " + op + " of run " + run);
                    default ->
                    {
                        // reads only
                    }
                }
                assertEquals(model.containsKey(guild), slots.hasGuildSlot(guild));
                assertEquals(model.getOrDefault(guild, GuildSlots.MISSING), slots.guildSlot(guild));
                assertEquals(model.size(), slots.guildSlotCount());
                final long[] keys = slots.guildSlotKeys();
                Arrays.sort(keys);
                assertArrayEquals(model.keySet().stream().mapToLong(Long::longValue).sorted().toArray(), keys);
            }
        }
    }

    @Test
    void aSessionInOneGuildNeedsNoMap() throws ReflectiveOperationException
    {
        final GuildSlots slots = new GuildSlots() { };
        slots.putGuildSlot(42L << 22, 7);
        slots.putGuildSlot(42L << 22, 9); // moved by another session's unsubscribe
        final java.lang.reflect.Field more = GuildSlots.class.getDeclaredField("more");
        more.setAccessible(true);
        assertEquals(null, more.get(slots));
        slots.putGuildSlot(43L << 22, 1);
        assertEquals(2, slots.guildSlotCount());
        slots.removeGuildSlot(43L << 22);
        assertEquals(null, more.get(slots), "the map goes once the second guild is gone");
        assertEquals(9, slots.guildSlot(42L << 22));
    }
}
