package dev.pinwheel.core.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.guild.AttachmentBindings;
import dev.pinwheel.core.guild.GuildTable;

/**
 * The attachment records (types 54-55): a binding names its guild, channel and message; an unbinding forgets it; the
 * ids of a channel or a guild are found for their deletion; a cut record or an impossible count is refused.
 */
class AttachmentRecordsTest
{
    private static final long GUILD = 1_234_567_890_123L;

    @Test
    void bindingsApplyAndUnbindingsForgetThem()
    {
        final NodeState node = NodeState.create();
        final GuildTable guilds = new GuildTable();
        StateRecords.apply(StateRecords.ATTACHMENTS_BOUND, StateRecords.attachmentsBound(GUILD, 10, 100,
            new long[] {7, 8}), guilds, node);
        StateRecords.apply(StateRecords.ATTACHMENTS_BOUND, StateRecords.attachmentsBound(GUILD, 11, 101,
            new long[] {9}), guilds, node);
        StateRecords.apply(StateRecords.ATTACHMENTS_BOUND, StateRecords.attachmentsBound(GUILD + 1, 12, 102,
            new long[] {5}), guilds, node);
        assertEquals(new AttachmentBindings.Binding(GUILD, 10, 100), guilds.attachments().get(8));
        final long[] ofChannel = guilds.attachments().in(GUILD, 10);
        Arrays.sort(ofChannel);
        assertArrayEquals(new long[] {7, 8}, ofChannel);
        final long[] ofGuild = guilds.attachments().in(GUILD, 0);
        Arrays.sort(ofGuild);
        assertArrayEquals(new long[] {7, 8, 9}, ofGuild);

        StateRecords.apply(StateRecords.ATTACHMENTS_UNBOUND, StateRecords.attachmentsUnbound(GUILD, new long[] {7, 9}),
            guilds, node);
        assertNull(guilds.attachments().get(7));
        assertNull(guilds.attachments().get(9));
        assertEquals(2, guilds.attachments().size());
    }

    @Test
    void damagedRecordsAreRefusedBeforeAnythingIsApplied()
    {
        final byte[] bound = StateRecords.attachmentsBound(GUILD, 10, 100, new long[] {7, 8});
        assertThrows(IllegalArgumentException.class, () -> StateRecords.decode(StateRecords.ATTACHMENTS_BOUND,
            Arrays.copyOf(bound, bound.length - 3)));
        final byte[] huge = StateRecords.attachmentsUnbound(GUILD, new long[] {7});
        huge[8] = 0x7f; // the count's high byte: more ids than the record could hold
        assertThrows(IllegalArgumentException.class, () -> StateRecords.decode(StateRecords.ATTACHMENTS_UNBOUND, huge));
    }
}
