package dev.pinwheel.storage.cassandra;

/**
 * Discord's time buckets: a message lives in partition {@code (channel_id, bucket)}, bucket = 10 days of snowflake
 * time. A channel's first bucket is its own id's (no message is older than its channel); history walks buckets from
 * a start down to that one (or up to the current one).
 */
public final class Buckets
{
    /** Ten days in milliseconds. */
    public static final long BUCKET_MILLIS = 10L * 24 * 60 * 60 * 1000;
    /** Discord's epoch (2015-01-01T00:00:00Z) in Unix milliseconds. */
    public static final long DISCORD_EPOCH = 1_420_070_400_000L;

    private Buckets()
    {
    }

    /**
     * @param snowflake a message or channel id.
     * @return its bucket.
     */
    public static int of(final long snowflake)
    {
        return snowflake <= 0 ? 0 : (int)((snowflake >>> 22) / BUCKET_MILLIS);
    }

    /**
     * @return the bucket of the current time.
     */
    public static int now()
    {
        return (int)((System.currentTimeMillis() - DISCORD_EPOCH) / BUCKET_MILLIS);
    }
}
