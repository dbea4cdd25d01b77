package dev.pinwheel.voicesfu.media;

import java.net.InetSocketAddress;

import dev.pinwheel.core.voice.VoiceAdmission;
import dev.pinwheel.voicesfu.crypto.AeadMode;
import dev.pinwheel.voicesfu.crypto.RtpSizeCipher;

/**
 * One user's media session in a room: SSRC, address, key and per-loop cipher state.
 * <p>
 * Threads: the control plane (voice gateway loop) creates it and writes {@link #flags}, {@link #speaking},
 * {@link #room} and, once, {@link #keys}; media loops read those (volatile). The address is written by the
 * media loop that answers the member's IP discovery. The replay window is written only by the loop that
 * receives the member's datagrams: a member's datagrams come from one address (others are dropped), and one
 * 4-tuple always hashes to the same SO_REUSEPORT socket.
 * {@code keys.open[i]} and {@code keys.seal[i]} are confined to media loop {@code i}.
 */
public final class VoiceMember
{
    private static final int MUTED = VoiceAdmission.SELF_MUTE | VoiceAdmission.MUTE | VoiceAdmission.NO_SPEAK;
    private static final int DEAFENED = VoiceAdmission.SELF_DEAF | VoiceAdmission.DEAF;
    /** Width of the replay window in packets. */
    public static final int REPLAY_WINDOW = 64;

    final long guildId;
    final long userId;
    final int ssrc;
    volatile Room room;
    volatile int flags;
    volatile int speaking;
    volatile InetSocketAddress address;
    volatile Keys keys;
    long highestNonce = -1;
    long replayBits;

    /** Key material, published once by the control plane. */
    static final class Keys
    {
        final AeadMode mode;
        final RtpSizeCipher[] open;
        final RtpSizeCipher[] seal;
        final int[] nextNonce;

        Keys(final AeadMode mode, final byte[] key, final int loops)
        {
            this.mode = mode;
            this.open = new RtpSizeCipher[loops];
            this.seal = new RtpSizeCipher[loops];
            this.nextNonce = new int[loops];
            for (int i = 0; i < loops; i++)
            {
                open[i] = mode.newCipher(key);
                seal[i] = mode.newCipher(key);
                nextNonce[i] = i;
            }
        }
    }

    /**
     * @param guildId guild.
     * @param userId  user.
     * @param ssrc    SSRC assigned in READY.
     * @param flags   admission flags.
     */
    public VoiceMember(final long guildId, final long userId, final int ssrc, final int flags)
    {
        this.guildId = guildId;
        this.userId = userId;
        this.ssrc = ssrc;
        this.flags = flags;
    }

    public long guildId()
    {
        return guildId;
    }

    public long userId()
    {
        return userId;
    }

    public int ssrc()
    {
        return ssrc;
    }

    public Room room()
    {
        return room;
    }

    public void room(final Room value)
    {
        room = value;
    }

    public int flags()
    {
        return flags;
    }

    public void flags(final int value)
    {
        flags = value;
    }

    public int speaking()
    {
        return speaking;
    }

    public void speaking(final int value)
    {
        speaking = value;
    }

    public InetSocketAddress address()
    {
        return address;
    }

    public void address(final InetSocketAddress value)
    {
        address = value;
    }

    /**
     * Issues the session key (SESSION_DESCRIPTION): builds one open/seal cipher pair per media loop.
     *
     * @param mode  negotiated mode.
     * @param key   32-byte key.
     * @param loops number of media loops.
     */
    public void key(final AeadMode mode, final byte[] key, final int loops)
    {
        keys = new Keys(mode, key, loops);
    }

    /**
     * @return whether a key was issued.
     */
    public boolean hasKey()
    {
        return keys != null;
    }

    boolean muted()
    {
        return (flags & MUTED) != 0;
    }

    boolean deafened()
    {
        return (flags & DEAFENED) != 0;
    }

    /**
     * Outgoing nonces of loop {@code loop} are {@code loop, loop + loops, loop + 2·loops, ...}: unique per key
     * across loops without sharing a counter.
     */
    int nextNonce(final Keys k, final int loop, final int loops)
    {
        final int n = k.nextNonce[loop];
        k.nextNonce[loop] = n + loops;
        return n;
    }

    /**
     * @return true if {@code nonce} is new (not yet accepted and not older than the window); does not record it.
     */
    boolean fresh(final long nonce)
    {
        if (nonce > highestNonce)
        {
            return true;
        }
        final long age = highestNonce - nonce;
        return age < REPLAY_WINDOW && (replayBits & (1L << age)) == 0;
    }

    /** Forgets accepted nonces (benchmarks replay one recorded packet set; never called by the server). */
    public void resetReplayWindow()
    {
        highestNonce = -1;
        replayBits = 0;
    }

    /** Records an authenticated nonce. */
    void accept(final long nonce)
    {
        if (nonce > highestNonce)
        {
            final long shift = nonce - highestNonce;
            replayBits = shift >= REPLAY_WINDOW ? 1L : (replayBits << shift) | 1L;
            highestNonce = nonce;
        }
        else
        {
            replayBits |= 1L << (highestNonce - nonce);
        }
    }

    @Override
    public String toString()
    {
        return "VoiceMember{user=" + userId + ", ssrc=" + (ssrc & 0xFFFFFFFFL) + '}';
    }
}
