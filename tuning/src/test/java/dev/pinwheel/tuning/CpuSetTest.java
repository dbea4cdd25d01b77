package dev.pinwheel.tuning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CpuSetTest
{
    @Test
    void parsesRangesAndSingleCpus()
    {
        final CpuSet cpus = CpuSet.parse("0-3,8-11");
        assertArrayEquals(new int[] {0, 1, 2, 3, 8, 9, 10, 11}, cpus.toArray());
        assertEquals("0-3,8-11", cpus.toString());
        assertArrayEquals(new int[] {5}, CpuSet.parse("5").toArray());
        assertEquals("0,8", CpuSet.parse("0,8").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "  ", "(null)", "(null)\n"})
    void emptyAndUnsetListsAreEmpty(final String text)
    {
        assertTrue(CpuSet.parse(text).isEmpty());
        assertEquals("", CpuSet.parse(text).toString());
    }

    @Test
    void ignoresSurroundingWhitespaceAndTheTrailingNewline()
    {
        assertEquals(CpuSet.of(0, 1), CpuSet.parse(" 0-1 \n"));
        assertEquals(CpuSet.of(0, 1, 4), CpuSet.parse("0 - 1 , 4\n"));
    }

    @Test
    void sortsAndMergesUnorderedAndOverlappingItems()
    {
        assertEquals("1-3", CpuSet.parse("3,1,2").toString());
        assertEquals("0-5", CpuSet.parse("0-3,2-5").toString());
        assertEquals("0-3", CpuSet.parse("0-1,2-3").toString());
        assertEquals("7", CpuSet.parse("7-7").toString());
    }

    @Test
    void parsesTheKernelStrideForm()
    {
        assertArrayEquals(new int[] {0, 1, 4, 5, 8, 9, 12, 13}, CpuSet.parse("0-15:2/4").toArray());
        assertArrayEquals(new int[] {2, 5, 8}, CpuSet.parse("2-9:1/3").toArray());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "1-", "-1", "3-1", "1,,2", ",", "0,", "1 2", "0-3:4/2", "0-3:0/2", "0:1/2", "0-3:2",
        "99999999", "32768", "0x1", "+1", "1-2-3"})
    void rejectsMalformedLists(final String text)
    {
        assertThrows(IllegalArgumentException.class, () -> CpuSet.parse(text));
        assertNull(CpuSet.parseOrNull(text));
    }

    @Test
    void acceptsTheLargestCpuId()
    {
        assertEquals(CpuSet.of(CpuSet.MAX_CPU_ID), CpuSet.parse(Integer.toString(CpuSet.MAX_CPU_ID)));
        assertNull(CpuSet.parseOrNull(null));
    }

    @Test
    void setOperations()
    {
        final CpuSet all = CpuSet.parse("0-7");
        final CpuSet even = CpuSet.parse("0-7:1/2");
        assertEquals("1,3,5,7", all.minus(even).toString());
        assertEquals(even, all.intersect(even));
        assertEquals(all, even.union(all.minus(even)));
        assertTrue(all.containsAll(even));
        assertFalse(even.containsAll(all));
        assertTrue(all.containsAll(CpuSet.empty()));
        assertEquals(0, even.first());
        assertEquals(6, even.get(3));
        assertThrows(IllegalStateException.class, () -> CpuSet.empty().first());
    }

    @Test
    void convertsToAndFromBitSets()
    {
        final BitSet bits = new BitSet();
        bits.set(3);
        bits.set(64);
        final CpuSet cpus = CpuSet.of(bits);
        assertEquals("3,64", cpus.toString());
        assertEquals(bits, cpus.toBitSet());
        assertThrows(IllegalArgumentException.class, () -> CpuSet.of(-1));
    }
}
