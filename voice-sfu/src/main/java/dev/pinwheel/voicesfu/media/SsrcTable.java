package dev.pinwheel.voicesfu.media;

import org.agrona.collections.Int2ObjectHashMap;

/**
 * SSRC → member, read by every media loop on every packet, changed by the control plane on join/leave.
 * Copy-on-write behind a volatile reference (as the routing ring): readers never lock or allocate.
 */
public final class SsrcTable
{
    private volatile Int2ObjectHashMap<VoiceMember> map = new Int2ObjectHashMap<>();

    /**
     * @param ssrc an SSRC.
     * @return its member, or null.
     */
    public VoiceMember get(final int ssrc)
    {
        return map.get(ssrc);
    }

    /**
     * Control plane only.
     *
     * @param m member.
     */
    public void put(final VoiceMember m)
    {
        final Int2ObjectHashMap<VoiceMember> next = new Int2ObjectHashMap<>(map);
        next.put(m.ssrc(), m);
        map = next;
    }

    /**
     * Control plane only.
     *
     * @param m member.
     */
    public void remove(final VoiceMember m)
    {
        if (map.get(m.ssrc()) == m)
        {
            final Int2ObjectHashMap<VoiceMember> next = new Int2ObjectHashMap<>(map);
            next.remove(m.ssrc());
            map = next;
        }
    }

    /**
     * @param ssrc SSRC.
     * @return whether it is taken.
     */
    public boolean contains(final int ssrc)
    {
        return map.containsKey(ssrc);
    }

    /**
     * @return number of members.
     */
    public int size()
    {
        return map.size();
    }
}
