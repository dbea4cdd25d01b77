package dev.pinwheel.benchmarks.memberlist;

import java.util.Arrays;

/**
 * The member-list order as it was before the B+-tree (sorted blocks of 512 under a flat directory and a Fenwick tree
 * of block counts; rank searches by key), kept here only so that {@link SortedMembersBenchmark} compares both in one
 * run. Not used by the server.
 */
public final class BlockedSortedMembers
{
    /** Groups are numbered 0..MAX_GROUPS-1. */
    public static final int MAX_GROUPS = 128;
    private static final int BLOCK = 512;
    private static final int MERGE_BELOW = BLOCK / 8;

    // per slot
    private long[] slotKey;
    private String[] slotName;
    private long[] slotId;
    private boolean[] inserted;

    // blocks: entries of block b at [b * BLOCK, b * BLOCK + count[b])
    private long[] keys;
    private int[] slots;
    private int[] count;
    private int[] freeBlocks;
    private int freeCount;
    private int blockCapacity;

    // directory, by position
    private int[] order;
    /** The last key of the block at each position (contiguous: the directory search stays in cache). */
    private long[] dirMax;
    private int blocks;
    private int[] fenwick;

    private int size;
    private final int[] groupCounts = new int[MAX_GROUPS];

    /**
     * @param slotCapacity slots expected (grows when a larger slot is keyed).
     */
    public BlockedSortedMembers(final int slotCapacity)
    {
        final int slotsWanted = Math.max(16, slotCapacity);
        slotKey = new long[slotsWanted];
        slotName = new String[slotsWanted];
        slotId = new long[slotsWanted];
        inserted = new boolean[slotsWanted];
        blockCapacity = Math.max(4, slotsWanted / (BLOCK / 2) + 2);
        keys = new long[blockCapacity * BLOCK];
        slots = new int[blockCapacity * BLOCK];
        count = new int[blockCapacity];
        freeBlocks = new int[blockCapacity];
        for (int b = blockCapacity - 1; b >= 0; b--)
        {
            freeBlocks[freeCount++] = b;
        }
        order = new int[blockCapacity];
        dirMax = new long[blockCapacity];
        fenwick = new int[blockCapacity + 1];
    }

    /**
     * Sets a slot's sort key; the slot must not be inserted (remove, key, insert to move a member).
     *
     * @param slot     the member's slot (≥ 0).
     * @param group    its group, 0..{@link #MAX_GROUPS}-1 (smaller first).
     * @param sortName its display name as compared (e.g. lower-cased).
     * @param id       its user id (the last tie-breaker).
     * @throws IllegalStateException if the slot is inserted.
     */
    public void key(final int slot, final int group, final String sortName, final long id)
    {
        if (group < 0 || group >= MAX_GROUPS)
        {
            throw new IllegalArgumentException("group " + group);
        }
        ensureSlot(slot);
        if (inserted[slot])
        {
            throw new IllegalStateException("slot " + slot + " is inserted");
        }
        long k = (long)group << 56;
        for (int i = 0; i < 7; i++)
        {
            final int c = i < sortName.length() ? Math.min(255, sortName.charAt(i)) : 0;
            k |= (long)c << (48 - 8 * i);
        }
        slotKey[slot] = k;
        slotName[slot] = sortName;
        slotId[slot] = id;
    }

    /**
     * @param slot a slot.
     * @return its group (as keyed).
     */
    public int group(final int slot)
    {
        return (int)(slotKey[slot] >>> 56);
    }

    /**
     * @param slot a slot.
     * @return whether it is in the order.
     */
    public boolean contains(final int slot)
    {
        return slot >= 0 && slot < inserted.length && inserted[slot];
    }

    /**
     * @return members in the order.
     */
    public int size()
    {
        return size;
    }

    /**
     * @param group a group.
     * @return members of it in the order.
     */
    public int groupCount(final int group)
    {
        return groupCounts[group];
    }

    /**
     * Inserts a keyed slot.
     *
     * @param slot the slot.
     * @return false if it was inserted already.
     */
    public boolean insert(final int slot)
    {
        ensureSlot(slot);
        if (inserted[slot])
        {
            return false;
        }
        if (blocks == 0)
        {
            final int b = takeBlock();
            order[0] = b;
            blocks = 1;
            rebuildFenwick();
        }
        int pos = findPosition(slot);
        int b = order[pos];
        if (count[b] == BLOCK)
        {
            split(pos);
            if (compare(slot, b, count[b] - 1) > 0)
            {
                pos++;
                b = order[pos];
            }
        }
        final int at = search(b, slot);
        final int base = b * BLOCK;
        final int n = count[b];
        System.arraycopy(keys, base + at, keys, base + at + 1, n - at);
        System.arraycopy(slots, base + at, slots, base + at + 1, n - at);
        keys[base + at] = slotKey[slot];
        slots[base + at] = slot;
        count[b] = n + 1;
        if (at == n)
        {
            dirMax[pos] = slotKey[slot];
        }
        fenwickAdd(pos, 1);
        inserted[slot] = true;
        size++;
        groupCounts[group(slot)]++;
        return true;
    }

    /**
     * Removes a slot.
     *
     * @param slot the slot.
     * @return false if it was not inserted.
     */
    public boolean remove(final int slot)
    {
        if (!contains(slot))
        {
            return false;
        }
        final int pos = findPosition(slot);
        final int b = order[pos];
        final int at = search(b, slot);
        final int base = b * BLOCK;
        final int n = count[b];
        System.arraycopy(keys, base + at + 1, keys, base + at, n - at - 1);
        System.arraycopy(slots, base + at + 1, slots, base + at, n - at - 1);
        count[b] = n - 1;
        if (at == n - 1 && n > 1)
        {
            dirMax[pos] = keys[base + n - 2];
        }
        fenwickAdd(pos, -1);
        inserted[slot] = false;
        size--;
        groupCounts[group(slot)]--;
        if (count[b] == 0)
        {
            dropPosition(pos);
        }
        else if (count[b] < MERGE_BELOW && blocks > 1)
        {
            mergeAround(pos);
        }
        return true;
    }

    /**
     * @param slot a slot.
     * @return its 0-based rank in the order, or -1 if it is not inserted.
     */
    public int rank(final int slot)
    {
        if (!contains(slot))
        {
            return -1;
        }
        final int pos = findPosition(slot);
        return fenwickPrefix(pos) + search(order[pos], slot);
    }

    /**
     * @param rank a rank, 0..size()-1.
     * @return the slot at that rank.
     */
    public int slotAt(final int rank)
    {
        if (rank < 0 || rank >= size)
        {
            throw new IndexOutOfBoundsException(rank);
        }
        // Fenwick descent: the last position whose prefix is <= rank
        int pos = 0;
        int remaining = rank;
        for (int step = Integer.highestOneBit(blocks); step != 0; step >>= 1)
        {
            final int next = pos + step;
            if (next <= blocks && fenwick[next] <= remaining)
            {
                pos = next;
                remaining -= fenwick[next];
            }
        }
        return slots[order[pos] * BLOCK + remaining];
    }

    /**
     * Copies the slots from rank {@code from} on, in order.
     *
     * @param from first rank.
     * @param out  where to put them.
     * @param max  at most this many.
     * @return slots copied.
     */
    public int range(final int from, final int[] out, final int max)
    {
        if (from >= size || max <= 0)
        {
            return 0;
        }
        final int first = slotAt(Math.max(0, from));
        int pos = findPosition(first);
        int at = search(order[pos], first);
        int n = 0;
        while (n < max && pos < blocks)
        {
            final int b = order[pos];
            final int take = Math.min(max - n, count[b] - at);
            System.arraycopy(slots, b * BLOCK + at, out, n, take);
            n += take;
            pos++;
            at = 0;
        }
        return n;
    }

    /** The position of the block that holds (or would hold) the slot: the first whose last entry is not below it. */
    private int findPosition(final int slot)
    {
        final long k = slotKey[slot];
        int lo = 0;
        int hi = blocks - 1;
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (dirMax[mid] < k)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        // equal packed keys may span blocks: past every block whose last entry is still below the slot
        while (lo < blocks - 1 && dirMax[lo] == k && compare(slot, order[lo], count[order[lo]] - 1) > 0)
        {
            lo++;
        }
        return lo;
    }

    /** Index in block b of the first entry not below the slot. */
    private int search(final int b, final int slot)
    {
        final long k = slotKey[slot];
        final int base = b * BLOCK;
        int lo = 0;
        int hi = count[b];
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            final long other = keys[base + mid];
            final int c = other != k ? (other < k ? -1 : 1) : -compareTies(slot, slots[base + mid]);
            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /** Compares a slot with the entry at index i of block b. */
    private int compare(final int slot, final int b, final int i)
    {
        final long k = slotKey[slot];
        final long other = keys[b * BLOCK + i];
        if (k != other)
        {
            return k < other ? -1 : 1;
        }
        return compareTies(slot, slots[b * BLOCK + i]);
    }

    /** Two slots of equal key: by the whole name, then the id. */
    private int compareTies(final int a, final int b)
    {
        if (a == b)
        {
            return 0;
        }
        final int byName = slotName[a].compareTo(slotName[b]);
        return byName != 0 ? byName : Long.compare(slotId[a], slotId[b]);
    }

    private void split(final int pos)
    {
        final int b = order[pos];
        final int nb = takeBlock();
        final int half = count[b] / 2;
        final int moved = count[b] - half;
        System.arraycopy(keys, b * BLOCK + half, keys, nb * BLOCK, moved);
        System.arraycopy(slots, b * BLOCK + half, slots, nb * BLOCK, moved);
        count[b] = half;
        count[nb] = moved;
        System.arraycopy(order, pos + 1, order, pos + 2, blocks - pos - 1);
        System.arraycopy(dirMax, pos + 1, dirMax, pos + 2, blocks - pos - 1);
        order[pos + 1] = nb;
        dirMax[pos] = keys[b * BLOCK + half - 1];
        dirMax[pos + 1] = keys[nb * BLOCK + moved - 1];
        blocks++;
        rebuildFenwick();
    }

    private void mergeAround(final int pos)
    {
        final int b = order[pos];
        // into the smaller neighbour, if both fit in one block with room to spare
        final int left = pos > 0 ? count[order[pos - 1]] : Integer.MAX_VALUE;
        final int right = pos + 1 < blocks ? count[order[pos + 1]] : Integer.MAX_VALUE;
        if (left <= right && left + count[b] <= BLOCK * 3 / 4)
        {
            final int into = order[pos - 1];
            System.arraycopy(keys, b * BLOCK, keys, into * BLOCK + left, count[b]);
            System.arraycopy(slots, b * BLOCK, slots, into * BLOCK + left, count[b]);
            count[into] += count[b];
            count[b] = 0;
            dirMax[pos - 1] = dirMax[pos];
            dropPosition(pos);
        }
        else if (right < left && right + count[b] <= BLOCK * 3 / 4)
        {
            final int from = order[pos + 1];
            System.arraycopy(keys, from * BLOCK, keys, b * BLOCK + count[b], right);
            System.arraycopy(slots, from * BLOCK, slots, b * BLOCK + count[b], right);
            count[b] += right;
            count[from] = 0;
            dirMax[pos] = dirMax[pos + 1];
            dropPosition(pos + 1);
        }
    }

    /** Removes an empty block's position and returns the block to the pool. */
    private void dropPosition(final int pos)
    {
        final int b = order[pos];
        System.arraycopy(order, pos + 1, order, pos, blocks - pos - 1);
        System.arraycopy(dirMax, pos + 1, dirMax, pos, blocks - pos - 1);
        blocks--;
        freeBlocks[freeCount++] = b;
        rebuildFenwick();
    }

    private int takeBlock()
    {
        if (freeCount == 0)
        {
            final int old = blockCapacity;
            blockCapacity = old * 2;
            keys = Arrays.copyOf(keys, blockCapacity * BLOCK);
            slots = Arrays.copyOf(slots, blockCapacity * BLOCK);
            count = Arrays.copyOf(count, blockCapacity);
            order = Arrays.copyOf(order, blockCapacity);
            dirMax = Arrays.copyOf(dirMax, blockCapacity);
            fenwick = new int[blockCapacity + 1];
            freeBlocks = new int[blockCapacity];
            for (int b = blockCapacity - 1; b >= old; b--)
            {
                freeBlocks[freeCount++] = b;
            }
        }
        final int b = freeBlocks[--freeCount];
        count[b] = 0;
        return b;
    }

    private void rebuildFenwick()
    {
        for (int i = 1; i <= blocks; i++)
        {
            fenwick[i] = count[order[i - 1]];
        }
        for (int i = 1; i <= blocks; i++)
        {
            final int parent = i + (i & -i);
            if (parent <= blocks)
            {
                fenwick[parent] += fenwick[i];
            }
        }
    }

    private void fenwickAdd(final int pos, final int delta)
    {
        for (int i = pos + 1; i <= blocks; i += i & -i)
        {
            fenwick[i] += delta;
        }
    }

    /** Members in the blocks before position pos. */
    private int fenwickPrefix(final int pos)
    {
        int sum = 0;
        for (int i = pos; i > 0; i -= i & -i)
        {
            sum += fenwick[i];
        }
        return sum;
    }

    private void ensureSlot(final int slot)
    {
        if (slot < 0)
        {
            throw new IllegalArgumentException("slot " + slot);
        }
        if (slot >= inserted.length)
        {
            final int n = Math.max(slot + 1, inserted.length * 2);
            slotKey = Arrays.copyOf(slotKey, n);
            slotName = Arrays.copyOf(slotName, n);
            slotId = Arrays.copyOf(slotId, n);
            inserted = Arrays.copyOf(inserted, n);
        }
    }
}
