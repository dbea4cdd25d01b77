package dev.pinwheel.tuning;

import java.util.Arrays;
import java.util.BitSet;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * An immutable, sorted set of logical CPU ids, read from and printed in the kernel's cpulist syntax
 * ({@code 0-3,8-11}), as found in {@code /sys/devices/system/cpu/online}, {@code isolated},
 * {@code node*}{@code /cpulist} and {@code thread_siblings_list}.
 * <pre>
 *   cpulist := "" | item ("," item)*
 *   item    := cpu | cpu "-" cpu [":" used "/" group]
 * </pre>
 * The {@code :used/group} stride form is the one {@code isolcpus=} and {@code nohz_full=} accept on the
 * kernel command line: {@code 0-15:2/4} is 0,1,4,5,8,9,12,13. The kernel also prints {@code (null)} for
 * an unset list (nohz_full): that parses as empty.
 */
public final class CpuSet
{
    /** The highest CPU id accepted; the kernel's NR_CPUS tops out at 8192, so this leaves room. */
    public static final int MAX_CPU_ID = 32_767;

    private static final CpuSet EMPTY = new CpuSet(new int[0]);

    private final int[] ids;

    private CpuSet(final int[] sortedDistinctIds)
    {
        this.ids = sortedDistinctIds;
    }

    /**
     * @return the empty set.
     */
    public static CpuSet empty()
    {
        return EMPTY;
    }

    /**
     * @param cpuIds CPU ids in any order, duplicates allowed.
     * @return the set of these CPUs.
     * @throws IllegalArgumentException if an id is negative or above {@link #MAX_CPU_ID}.
     */
    public static CpuSet of(final int... cpuIds)
    {
        for (final int id : cpuIds)
        {
            checkId(id, "CPU id");
        }
        return cpuIds.length == 0 ? EMPTY : new CpuSet(IntStream.of(cpuIds).sorted().distinct().toArray());
    }

    /**
     * @param cpus a bit set of CPU ids.
     * @return the set of the CPUs whose bits are set.
     */
    public static CpuSet of(final BitSet cpus)
    {
        return of(cpus.stream().toArray());
    }

    /**
     * Parses the kernel's cpulist syntax. Leading and trailing whitespace (the newline of a sysfs file)
     * is ignored, as is whitespace around items.
     *
     * @param cpulist text such as {@code 0-3,8-11}, {@code ""}, or {@code (null)}.
     * @return the set it names.
     * @throws IllegalArgumentException if the text is not a cpulist, or names a CPU above
     *                                  {@link #MAX_CPU_ID}, or a range runs backwards.
     */
    public static CpuSet parse(final String cpulist)
    {
        final String text = cpulist.strip();
        if (text.isEmpty() || "(null)".equals(text))
        {
            return EMPTY;
        }
        final BitSet cpus = new BitSet();
        for (final String rawItem : text.split(",", -1))
        {
            parseItem(rawItem.strip(), cpulist, cpus);
        }
        return of(cpus);
    }

    /**
     * Like {@link #parse(String)}, for files that may be corrupt or in an unexpected format.
     *
     * @param cpulist text in cpulist syntax, or {@code null}.
     * @return the set it names, or {@code null} if the text is null or not a cpulist.
     */
    public static CpuSet parseOrNull(final String cpulist)
    {
        if (cpulist == null)
        {
            return null;
        }
        try
        {
            return parse(cpulist);
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

    private static void parseItem(final String item, final String whole, final BitSet cpus)
    {
        if (item.isEmpty())
        {
            throw new IllegalArgumentException("empty item in cpulist '" + whole + "'");
        }
        final int colon = item.indexOf(':');
        final String range = colon < 0 ? item : item.substring(0, colon);
        final int dash = range.indexOf('-');
        final int first = parseId(dash < 0 ? range : range.substring(0, dash), whole);
        final int last = dash < 0 ? first : parseId(range.substring(dash + 1), whole);
        if (last < first)
        {
            throw new IllegalArgumentException("backwards range '" + item + "' in cpulist '" + whole + "'");
        }
        int used = 1;
        int group = 1;
        if (colon >= 0)
        {
            if (dash < 0)
            {
                throw new IllegalArgumentException("stride needs a range: '" + item + "' in '" + whole + "'");
            }
            final String stride = item.substring(colon + 1);
            final int slash = stride.indexOf('/');
            if (slash < 0)
            {
                throw new IllegalArgumentException("stride must be used/group: '" + item + "' in '" + whole + "'");
            }
            used = parseId(stride.substring(0, slash), whole);
            group = parseId(stride.substring(slash + 1), whole);
            if (used == 0 || group == 0 || used > group)
            {
                throw new IllegalArgumentException("bad stride '" + stride + "' in cpulist '" + whole + "'");
            }
        }
        for (int start = first; start <= last; start += group)
        {
            cpus.set(start, Math.min(start + used, last + 1));
        }
    }

    private static int parseId(final String digits, final String whole)
    {
        final String text = digits.strip();
        if (text.isEmpty() || text.length() > 6 || !text.chars().allMatch(Character::isDigit))
        {
            throw new IllegalArgumentException("not a CPU number: '" + digits + "' in cpulist '" + whole + "'");
        }
        return checkId(Integer.parseInt(text), "CPU number in cpulist '" + whole + "'");
    }

    private static int checkId(final int id, final String what)
    {
        if (id < 0 || id > MAX_CPU_ID)
        {
            throw new IllegalArgumentException(what + " out of range 0.." + MAX_CPU_ID + ": " + id);
        }
        return id;
    }

    /**
     * @return number of CPUs in the set.
     */
    public int size()
    {
        return ids.length;
    }

    /**
     * @return true if the set holds no CPU.
     */
    public boolean isEmpty()
    {
        return ids.length == 0;
    }

    /**
     * @param cpu a CPU id.
     * @return true if the set holds it.
     */
    public boolean contains(final int cpu)
    {
        return Arrays.binarySearch(ids, cpu) >= 0;
    }

    /**
     * @param other another set.
     * @return true if every CPU of {@code other} is in this set.
     */
    public boolean containsAll(final CpuSet other)
    {
        return other.stream().allMatch(this::contains);
    }

    /**
     * @return the lowest CPU id.
     * @throws IllegalStateException if the set is empty.
     */
    public int first()
    {
        if (ids.length == 0)
        {
            throw new IllegalStateException("empty CPU set");
        }
        return ids[0];
    }

    /**
     * @param index position in ascending order.
     * @return the CPU id at that position.
     */
    public int get(final int index)
    {
        return ids[index];
    }

    /**
     * @return the CPU ids in ascending order.
     */
    public IntStream stream()
    {
        return IntStream.of(ids);
    }

    /**
     * @return the CPU ids in ascending order, as a fresh array.
     */
    public int[] toArray()
    {
        return ids.clone();
    }

    /**
     * @return a fresh bit set with one bit per CPU, the form OpenHFT Affinity takes.
     */
    public BitSet toBitSet()
    {
        final BitSet bits = new BitSet();
        for (final int id : ids)
        {
            bits.set(id);
        }
        return bits;
    }

    /**
     * @param other another set.
     * @return the CPUs in both.
     */
    public CpuSet intersect(final CpuSet other)
    {
        return filter(other::contains);
    }

    /**
     * @param other another set.
     * @return the CPUs in this set and not in {@code other}.
     */
    public CpuSet minus(final CpuSet other)
    {
        return filter(cpu -> !other.contains(cpu));
    }

    /**
     * @param other another set.
     * @return the CPUs in either.
     */
    public CpuSet union(final CpuSet other)
    {
        return of(IntStream.concat(stream(), other.stream()).toArray());
    }

    /**
     * @param keep which CPUs to keep.
     * @return the CPUs of this set that {@code keep} accepts.
     */
    public CpuSet filter(final IntPredicate keep)
    {
        final int[] kept = stream().filter(keep).toArray();
        return kept.length == ids.length ? this : (kept.length == 0 ? EMPTY : new CpuSet(kept));
    }

    /**
     * @return the set in cpulist syntax, ranges collapsed ({@code 0-3,8-11}); {@code ""} when empty.
     */
    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < ids.length)
        {
            int j = i;
            while (j + 1 < ids.length && ids[j + 1] == ids[j] + 1)
            {
                j++;
            }
            if (text.length() > 0)
            {
                text.append(',');
            }
            text.append(ids[i]);
            if (j > i)
            {
                text.append('-').append(ids[j]);
            }
            i = j + 1;
        }
        return text.toString();
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof CpuSet that && Arrays.equals(ids, that.ids);
    }

    @Override
    public int hashCode()
    {
        return Arrays.hashCode(ids);
    }
}
