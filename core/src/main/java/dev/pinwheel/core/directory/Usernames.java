package dev.pinwheel.core.directory;

import java.util.Locale;

/**
 * Where a username's authority lives in a cluster: the owner ({@code ShardGroup#ownerOf}) of the name's routing key,
 * a 64-bit hash of the lowercased name, on the same consistent-hash ring as guilds and users. That shard alone
 * decides whether a name is free (names are case-insensitive, as {@link Accounts} compares them), journals the claim
 * ({@code StateRecords.NAME_CLAIMED}, scope: this key) and only then lets the registration go on. On a single node
 * the node's {@link Accounts} reserves names directly, as before.
 */
public final class Usernames
{
    private static final long FNV_OFFSET = 0xCBF2_9CE4_8422_2325L;
    private static final long FNV_PRIME = 0x0000_0100_0000_01B3L;

    private Usernames()
    {
    }

    /**
     * @param username a username (any case).
     * @return its routing key: FNV-1a over the lowercased name's UTF-16 units, then a SplitMix64 finaliser (stable
     *         across JVMs and versions: every node computes the same owner).
     */
    public static long key(final String username)
    {
        final String lower = username.toLowerCase(Locale.ROOT);
        long h = FNV_OFFSET;
        for (int i = 0; i < lower.length(); i++)
        {
            final char c = lower.charAt(i);
            h = (h ^ (c & 0xFF)) * FNV_PRIME;
            h = (h ^ (c >>> 8)) * FNV_PRIME;
        }
        h = (h ^ (h >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return h ^ (h >>> 31);
    }
}
