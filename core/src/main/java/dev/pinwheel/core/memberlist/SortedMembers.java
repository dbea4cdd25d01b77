package dev.pinwheel.core.memberlist;

import java.util.Arrays;

/**
 * A guild's members in member-list order — by group (a hoisted role's rank, then online, then offline: the caller
 * numbers the groups, smaller first), then by display name, then by user id — with insert, remove, rank and the slot
 * at a rank, for the lazy member list (op 14). Members are int <i>slots</i> the caller hands out; their keys live here
 * in primitive arrays.
 * <p>
 * A B+-tree with counts (an order-statistic tree) over primitive arrays, every node a fixed stride of them:
 * <pre>
 *   inner node n (≤ 64 children): child[n*64+i]  count[n*64+i] (members below)  maxKey/maxSlot[n*64+i] (the last)
 *        │ parent, pos (its entry there)   ▲ rank: walk up from the leaf adding the counts left of each node
 *   leaf l (≤ 64 members): keys long[l*64+c] │ slots int[l*64+c], a ring of 64 cells: the i-th member in
 *                          order is in cell c = (first + i) mod 64 │ first (a byte), count, parent, pos, next/prev
 *   slot s: key (group 7 bits | first 7 characters, one byte each, saturating at 255), name, id, loc = l*64 + c
 * </pre>
 * Most comparisons are one long comparison; equal keys fall back to the whole name, then the id. Insert descends
 * (a binary search over ≤ 64 maxima per level, three levels at 1M members), splitting full nodes on the way down;
 * in the leaf the shorter side moves one cell (the ring's start moves when it is the front), so at most 32 members,
 * 16 on average, move and get their {@code loc} rewritten — remove likewise. Rank needs no search: a member's order
 * in its leaf is {@code (loc - first) mod 64}, and the per-leaf {@code first}, {@code parent} and {@code pos} are small
 * arrays (a few bytes per 64 members) that stay in cache, as do the three small nodes above whose counts to its left
 * it adds up — a cold rank costs the one cache miss of the slot's {@code loc}. A leaf that falls below a quarter
 * merges into a neighbour, an empty node leaves its parent, a root with one child gives way to it. Nodes come from
 * and return to pools, so once the structure reached its size nothing is allocated (0 B per operation). Not
 * thread-safe: the guild's owner shard only.
 */
public final class SortedMembers
{
    /** Groups are numbered 0..MAX_GROUPS-1. */
    public static final int MAX_GROUPS = 128;
    private static final int LEAF = 64;
    private static final int FAN = 64;
    private static final int MERGE_BELOW = LEAF / 4;
    private static final int NONE = -1;

    // per slot
    private long[] slotKey;
    private String[] slotName;
    private long[] slotId;
    /** Where the slot is: its leaf {@code << 6 |} its cell there, or NONE. */
    private int[] slotLoc;

    // leaves: leaf l's 64 cells at l * LEAF + c form a ring; its i-th member in order sits in cell (leafFirst[l] + i)
    // mod 64 (so an entry goes in or out by shifting the shorter side and moving the ring's start)
    private long[] leafKeys;
    private int[] leafSlots;
    private byte[] leafFirst;
    private int[] leafCount;
    private int[] leafParent;
    /** The leaf's entry in its parent. */
    private int[] leafPos;
    private int[] leafNext;
    private int[] leafPrev;
    private int[] freeLeaves;
    private int freeLeafCount;

    // inner nodes: entry i of node n at n * FAN + i
    private int[] child;
    private int[] childCount;
    private long[] childMaxKey;
    private int[] childMaxSlot;
    private int[] innerSize;
    private int[] innerParent;
    private int[] innerPos;
    private int[] freeInner;
    private int freeInnerCount;

    /** The root: a leaf when height is 0, else an inner node with height levels of inner nodes below and at it. */
    private int root;
    private int height;
    private int size;
    private final int[] groupCounts = new int[MAX_GROUPS];

    // locate()'s answer
    private int foundLeaf;
    private int foundIndex;

    /**
     * @param slotCapacity slots expected (grows when a larger slot is keyed).
     */
    public SortedMembers(final int slotCapacity)
    {
        final int slotsWanted = Math.max(16, slotCapacity);
        slotKey = new long[slotsWanted];
        slotName = new String[slotsWanted];
        slotId = new long[slotsWanted];
        slotLoc = new int[slotsWanted];
        Arrays.fill(slotLoc, NONE);
        final int leaves = Math.max(4, slotsWanted / (LEAF / 2) + 2);
        leafKeys = new long[leaves * LEAF];
        leafSlots = new int[leaves * LEAF];
        leafFirst = new byte[leaves];
        leafCount = new int[leaves];
        leafParent = new int[leaves];
        leafPos = new int[leaves];
        leafNext = new int[leaves];
        leafPrev = new int[leaves];
        freeLeaves = new int[leaves];
        for (int l = leaves - 1; l >= 0; l--)
        {
            freeLeaves[freeLeafCount++] = l;
        }
        final int inner = Math.max(4, leaves / (FAN / 2) + 4);
        child = new int[inner * FAN];
        childCount = new int[inner * FAN];
        childMaxKey = new long[inner * FAN];
        childMaxSlot = new int[inner * FAN];
        innerSize = new int[inner];
        innerParent = new int[inner];
        innerPos = new int[inner];
        freeInner = new int[inner];
        for (int n = inner - 1; n >= 0; n--)
        {
            freeInner[freeInnerCount++] = n;
        }
        root = takeLeaf();
        height = 0;
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
        if (slotLoc[slot] != NONE)
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
        return slot >= 0 && slot < slotLoc.length && slotLoc[slot] != NONE;
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
     * @return levels of inner nodes above the leaves (for tests).
     */
    int height()
    {
        return height;
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
        if (slotLoc[slot] != NONE)
        {
            return false;
        }
        final long k = slotKey[slot];
        if (full(root, height))
        {
            growRoot();
        }
        int node = root;
        for (int level = height; level > 0; level--)
        {
            final int base = node * FAN;
            int i = childFor(node, k, slot);
            if (full(child[base + i], level - 1))
            {
                splitChild(node, i, level - 1);
                if (compareToMax(k, slot, base + i) > 0)
                {
                    i++;
                }
            }
            childCount[base + i]++;
            node = child[base + i];
        }
        final int at = search(node, k, slot);
        final int base = node * LEAF;
        final int n = leafCount[node];
        int first = leafFirst[node];
        if (at < n - at)
        {
            // the members before it move one cell back, the ring starts one earlier
            first = (first - 1) & (LEAF - 1);
            leafFirst[node] = (byte)first;
            for (int i = 0; i < at; i++)
            {
                move(node, (first + i + 1) & (LEAF - 1), (first + i) & (LEAF - 1));
            }
        }
        else
        {
            for (int i = n - 1; i >= at; i--)
            {
                move(node, (first + i) & (LEAF - 1), (first + i + 1) & (LEAF - 1));
            }
        }
        final int cell = (first + at) & (LEAF - 1);
        leafKeys[base + cell] = k;
        leafSlots[base + cell] = slot;
        slotLoc[slot] = base + cell;
        leafCount[node] = n + 1;
        size++;
        groupCounts[(int)(k >>> 56)]++;
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
        final int loc = slotLoc[slot];
        final int leaf = loc >>> 6;
        final int n = leafCount[leaf];
        final int first = leafFirst[leaf];
        final int at = (loc - first) & (LEAF - 1);
        if (at < n - 1 - at)
        {
            // the members before it move one cell on, the ring starts one later
            for (int i = at - 1; i >= 0; i--)
            {
                move(leaf, (first + i) & (LEAF - 1), (first + i + 1) & (LEAF - 1));
            }
            leafFirst[leaf] = (byte)((first + 1) & (LEAF - 1));
        }
        else
        {
            for (int i = at + 1; i < n; i++)
            {
                move(leaf, (first + i) & (LEAF - 1), (first + i - 1) & (LEAF - 1));
            }
        }
        leafCount[leaf] = n - 1;
        slotLoc[slot] = NONE;
        size--;
        groupCounts[group(slot)]--;
        int pos = leafPos[leaf];
        for (int p = leafParent[leaf]; p != NONE; p = innerParent[p])
        {
            childCount[p * FAN + pos]--;
            pos = innerPos[p];
        }
        final int parent = leafParent[leaf];
        if (parent != NONE)
        {
            if (n == 1)
            {
                removeEntry(parent, leafPos[leaf], 1);
                freeLeaf(leaf);
            }
            else
            {
                if (at == n - 1)
                {
                    fixMaxUp(leaf, 0);
                }
                if (n - 1 < MERGE_BELOW)
                {
                    mergeAround(leaf);
                }
            }
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
        final int loc = slotLoc[slot];
        final int leaf = loc >>> 6;
        int rank = (loc - leafFirst[leaf]) & (LEAF - 1);
        int pos = leafPos[leaf];
        for (int p = leafParent[leaf]; p != NONE; p = innerParent[p])
        {
            for (int i = p * FAN, end = p * FAN + pos; i < end; i++)
            {
                rank += childCount[i];
            }
            pos = innerPos[p];
        }
        return rank;
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
        locate(rank);
        return leafSlots[entry(foundLeaf, foundIndex)];
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
        locate(Math.max(0, from));
        int leaf = foundLeaf;
        int at = foundIndex;
        int n = 0;
        while (n < max && leaf != NONE)
        {
            for (int i = at, end = Math.min(leafCount[leaf], at + max - n); i < end; i++)
            {
                out[n++] = leafSlots[entry(leaf, i)];
            }
            leaf = leafNext[leaf];
            at = 0;
        }
        return n;
    }

    /** Sets foundLeaf and foundIndex to where the member of that rank (0..size-1) is. */
    private void locate(final int rank)
    {
        int remaining = rank;
        int node = root;
        for (int level = height; level > 0; level--)
        {
            int i = node * FAN;
            while (remaining >= childCount[i])
            {
                remaining -= childCount[i];
                i++;
            }
            node = child[i];
        }
        foundLeaf = node;
        foundIndex = remaining;
    }

    private boolean full(final int node, final int level)
    {
        return level == 0 ? leafCount[node] == LEAF : innerSize[node] == FAN;
    }

    /** The entry of an inner node to descend into: the first whose last member is not below the slot (or the last
     * one, its maximum raised to the slot). */
    private int childFor(final int node, final long k, final int slot)
    {
        final int base = node * FAN;
        int lo = 0;
        int hi = innerSize[node] - 1;
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (compareToMax(k, slot, base + mid) > 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        if (compareToMax(k, slot, base + lo) > 0)
        {
            childMaxKey[base + lo] = k;
            childMaxSlot[base + lo] = slot;
        }
        return lo;
    }

    private int compareToMax(final long k, final int slot, final int entry)
    {
        final long other = childMaxKey[entry];
        if (k != other)
        {
            return k < other ? -1 : 1;
        }
        return compareTies(slot, childMaxSlot[entry]);
    }

    /** Index in a leaf of the first entry not below the slot. */
    private int search(final int leaf, final long k, final int slot)
    {
        final int base = leaf * LEAF;
        final int first = leafFirst[leaf];
        int lo = 0;
        int hi = leafCount[leaf];
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            final int e = base + ((first + mid) & (LEAF - 1));
            final long other = leafKeys[e];
            final int c = other != k ? (other < k ? -1 : 1) : -compareTies(slot, leafSlots[e]);
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

    /** Records where a node sits in its parent. */
    private void setPos(final int node, final int pos, final int level)
    {
        if (level == 0)
        {
            leafPos[node] = pos;
        }
        else
        {
            innerPos[node] = pos;
        }
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

    /** A full root gets a new root above it (one entry), which the descent then splits. */
    private void growRoot()
    {
        final int r = takeInner();
        final int e = r * FAN;
        innerSize[r] = 1;
        innerParent[r] = NONE;
        child[e] = root;
        childCount[e] = size;
        if (height == 0)
        {
            final int last = entry(root, leafCount[root] - 1);
            childMaxKey[e] = leafKeys[last];
            childMaxSlot[e] = leafSlots[last];
            leafParent[root] = r;
            leafPos[root] = 0;
        }
        else
        {
            childMaxKey[e] = childMaxKey[root * FAN + innerSize[root] - 1];
            childMaxSlot[e] = childMaxSlot[root * FAN + innerSize[root] - 1];
            innerParent[root] = r;
            innerPos[root] = 0;
        }
        root = r;
        height++;
    }

    /** Splits the full child at entry i of a (not full) inner node; the upper half becomes entry i + 1. */
    private void splitChild(final int node, final int i, final int childLevel)
    {
        final int base = node * FAN;
        final int n = innerSize[node];
        final int e = base + i;
        System.arraycopy(child, e + 1, child, e + 2, n - i - 1);
        System.arraycopy(childCount, e + 1, childCount, e + 2, n - i - 1);
        System.arraycopy(childMaxKey, e + 1, childMaxKey, e + 2, n - i - 1);
        System.arraycopy(childMaxSlot, e + 1, childMaxSlot, e + 2, n - i - 1);
        innerSize[node] = n + 1;
        for (int k = i + 2; k <= n; k++)
        {
            setPos(child[base + k], k, childLevel);
        }
        final int c = child[e];
        childMaxKey[e + 1] = childMaxKey[e];
        childMaxSlot[e + 1] = childMaxSlot[e];
        if (childLevel == 0)
        {
            // the upper half moves to cells 0.. of the new leaf; the lower half stays in its cells
            final int r = takeLeaf();
            final int half = LEAF / 2;
            final int moved = LEAF - half;
            for (int j = 0; j < moved; j++)
            {
                final int from = entry(c, half + j);
                final int to = r * LEAF + j;
                leafKeys[to] = leafKeys[from];
                leafSlots[to] = leafSlots[from];
                slotLoc[leafSlots[to]] = to;
            }
            leafCount[c] = half;
            leafCount[r] = moved;
            leafParent[r] = node;
            leafPos[r] = i + 1;
            final int next = leafNext[c];
            leafNext[r] = next;
            leafPrev[r] = c;
            if (next != NONE)
            {
                leafPrev[next] = r;
            }
            leafNext[c] = r;
            child[e + 1] = r;
            childCount[e + 1] = moved;
            childCount[e] = half;
            final int last = entry(c, half - 1);
            childMaxKey[e] = leafKeys[last];
            childMaxSlot[e] = leafSlots[last];
        }
        else
        {
            final int r = takeInner();
            final int half = FAN / 2;
            final int moved = FAN - half;
            System.arraycopy(child, c * FAN + half, child, r * FAN, moved);
            System.arraycopy(childCount, c * FAN + half, childCount, r * FAN, moved);
            System.arraycopy(childMaxKey, c * FAN + half, childMaxKey, r * FAN, moved);
            System.arraycopy(childMaxSlot, c * FAN + half, childMaxSlot, r * FAN, moved);
            int below = 0;
            for (int j = r * FAN, end = r * FAN + moved; j < end; j++)
            {
                below += childCount[j];
                if (childLevel == 1)
                {
                    leafParent[child[j]] = r;
                }
                else
                {
                    innerParent[child[j]] = r;
                }
                setPos(child[j], j - r * FAN, childLevel - 1);
            }
            innerSize[c] = half;
            innerSize[r] = moved;
            innerParent[r] = node;
            innerPos[r] = i + 1;
            child[e + 1] = r;
            childCount[e + 1] = below;
            childCount[e] -= below;
            childMaxKey[e] = childMaxKey[c * FAN + half - 1];
            childMaxSlot[e] = childMaxSlot[c * FAN + half - 1];
        }
    }

    /**
     * Removes entry i of an inner node at the given level (its child is gone or merged); an emptied node leaves its
     * own parent, a root left with one child gives way to it.
     */
    private void removeEntry(final int node, final int i, final int level)
    {
        final int base = node * FAN;
        final int n = innerSize[node];
        final int e = base + i;
        System.arraycopy(child, e + 1, child, e, n - i - 1);
        System.arraycopy(childCount, e + 1, childCount, e, n - i - 1);
        System.arraycopy(childMaxKey, e + 1, childMaxKey, e, n - i - 1);
        System.arraycopy(childMaxSlot, e + 1, childMaxSlot, e, n - i - 1);
        innerSize[node] = n - 1;
        for (int k = i; k < n - 1; k++)
        {
            setPos(child[base + k], k, level - 1);
        }
        if (n == 1)
        {
            final int parent = innerParent[node];
            if (parent == NONE)
            {
                // only a removal of the last member empties the root
                freeInner(node);
                root = takeLeaf();
                height = 0;
            }
            else
            {
                removeEntry(parent, innerPos[node], level + 1);
                freeInner(node);
            }
            return;
        }
        if (i == n - 1)
        {
            fixMaxUp(node, level);
        }
        if (node == root && n - 1 == 1)
        {
            root = child[base];
            height--;
            if (height == 0)
            {
                leafParent[root] = NONE;
            }
            else
            {
                innerParent[root] = NONE;
            }
            freeInner(node);
        }
    }

    /** The node's last member changed: its entry in its parent follows, and so on up while it is the last child. */
    private void fixMaxUp(final int from, final int fromLevel)
    {
        int node = from;
        int level = fromLevel;
        while (true)
        {
            final int parent = level == 0 ? leafParent[node] : innerParent[node];
            if (parent == NONE)
            {
                return;
            }
            final int e = parent * FAN + (level == 0 ? leafPos[node] : innerPos[node]);
            if (level == 0)
            {
                final int last = entry(node, leafCount[node] - 1);
                childMaxKey[e] = leafKeys[last];
                childMaxSlot[e] = leafSlots[last];
            }
            else
            {
                final int last = node * FAN + innerSize[node] - 1;
                childMaxKey[e] = childMaxKey[last];
                childMaxSlot[e] = childMaxSlot[last];
            }
            if (e != parent * FAN + innerSize[parent] - 1)
            {
                return;
            }
            node = parent;
            level++;
        }
    }

    /** A leaf below a quarter merges with its smaller neighbour under the same parent when both fit in 3/4 of one. */
    private void mergeAround(final int leaf)
    {
        final int parent = leafParent[leaf];
        final int i = leafPos[leaf];
        final int base = parent * FAN;
        final int left = i > 0 ? leafCount[child[base + i - 1]] : Integer.MAX_VALUE;
        final int right = i + 1 < innerSize[parent] ? leafCount[child[base + i + 1]] : Integer.MAX_VALUE;
        final int into;
        if (i > 0 && left <= right && left + leafCount[leaf] <= LEAF * 3 / 4)
        {
            into = i - 1;
        }
        else if (right != Integer.MAX_VALUE && right < left && right + leafCount[leaf] <= LEAF * 3 / 4)
        {
            into = i;
        }
        else
        {
            return;
        }
        final int a = child[base + into];
        final int b = child[base + into + 1];
        final int na = leafCount[a];
        final int nb = leafCount[b];
        for (int j = 0; j < nb; j++)
        {
            final int from = entry(b, j);
            final int to = entry(a, na + j);
            leafKeys[to] = leafKeys[from];
            leafSlots[to] = leafSlots[from];
            slotLoc[leafSlots[to]] = to;
        }
        leafCount[a] = na + nb;
        leafCount[b] = 0;
        childCount[base + into] += childCount[base + into + 1];
        childMaxKey[base + into] = childMaxKey[base + into + 1];
        childMaxSlot[base + into] = childMaxSlot[base + into + 1];
        removeEntry(parent, into + 1, 1);
        freeLeaf(b);
    }

    /** The index in leafKeys/leafSlots of a leaf's i-th member in order. */
    private int entry(final int leaf, final int i)
    {
        return leaf * LEAF + ((leafFirst[leaf] + i) & (LEAF - 1));
    }

    /** Moves a leaf's member from one cell to another, and tells its slot. */
    private void move(final int leaf, final int fromCell, final int toCell)
    {
        final int base = leaf * LEAF;
        final int s = leafSlots[base + fromCell];
        leafKeys[base + toCell] = leafKeys[base + fromCell];
        leafSlots[base + toCell] = s;
        slotLoc[s] = base + toCell;
    }

    private int takeLeaf()
    {
        if (freeLeafCount == 0)
        {
            final int old = leafCount.length;
            final int cap = old * 2;
            leafKeys = Arrays.copyOf(leafKeys, cap * LEAF);
            leafSlots = Arrays.copyOf(leafSlots, cap * LEAF);
            leafFirst = Arrays.copyOf(leafFirst, cap);
            leafCount = Arrays.copyOf(leafCount, cap);
            leafParent = Arrays.copyOf(leafParent, cap);
            leafPos = Arrays.copyOf(leafPos, cap);
            leafNext = Arrays.copyOf(leafNext, cap);
            leafPrev = Arrays.copyOf(leafPrev, cap);
            freeLeaves = new int[cap];
            for (int l = cap - 1; l >= old; l--)
            {
                freeLeaves[freeLeafCount++] = l;
            }
        }
        final int l = freeLeaves[--freeLeafCount];
        leafCount[l] = 0;
        leafFirst[l] = 0;
        leafParent[l] = NONE;
        leafNext[l] = NONE;
        leafPrev[l] = NONE;
        return l;
    }

    /** Unlinks a leaf from the leaf chain and returns it to the pool. */
    private void freeLeaf(final int l)
    {
        final int prev = leafPrev[l];
        final int next = leafNext[l];
        if (prev != NONE)
        {
            leafNext[prev] = next;
        }
        if (next != NONE)
        {
            leafPrev[next] = prev;
        }
        leafCount[l] = 0;
        freeLeaves[freeLeafCount++] = l;
    }

    private int takeInner()
    {
        if (freeInnerCount == 0)
        {
            final int old = innerSize.length;
            final int cap = old * 2;
            child = Arrays.copyOf(child, cap * FAN);
            childCount = Arrays.copyOf(childCount, cap * FAN);
            childMaxKey = Arrays.copyOf(childMaxKey, cap * FAN);
            childMaxSlot = Arrays.copyOf(childMaxSlot, cap * FAN);
            innerSize = Arrays.copyOf(innerSize, cap);
            innerParent = Arrays.copyOf(innerParent, cap);
            innerPos = Arrays.copyOf(innerPos, cap);
            freeInner = new int[cap];
            for (int n = cap - 1; n >= old; n--)
            {
                freeInner[freeInnerCount++] = n;
            }
        }
        final int n = freeInner[--freeInnerCount];
        innerSize[n] = 0;
        innerParent[n] = NONE;
        return n;
    }

    private void freeInner(final int n)
    {
        innerSize[n] = 0;
        freeInner[freeInnerCount++] = n;
    }

    private void ensureSlot(final int slot)
    {
        if (slot < 0)
        {
            throw new IllegalArgumentException("slot " + slot);
        }
        if (slot >= slotLoc.length)
        {
            final int old = slotLoc.length;
            final int n = Math.max(slot + 1, old * 2);
            slotKey = Arrays.copyOf(slotKey, n);
            slotName = Arrays.copyOf(slotName, n);
            slotId = Arrays.copyOf(slotId, n);
            slotLoc = Arrays.copyOf(slotLoc, n);
            Arrays.fill(slotLoc, old, n, NONE);
        }
    }
}
