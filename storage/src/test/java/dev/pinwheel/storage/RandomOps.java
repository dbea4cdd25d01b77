package dev.pinwheel.storage;

import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.StoredMessage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A reproducible stream of store operations (new messages, some with out-of-order ids, edits, deletes, pins and
 * unpins over a few channels) and the plain model of what the store must then hold. A child process and the test
 * that kills it generate the same stream from the same seed, so the test knows the state after any number of
 * operations; {@link #dump} renders a store, and {@link #dump()} the model, page by page in the same text.
 */
final class RandomOps
{
    static final int CHANNELS = 5;
    private static final long FIRST_CHANNEL = 9000;
    private static final long DAY = 24L * 60 * 60 * 1000;
    private static final long EPOCH_2026 = 1_767_225_600_000L - 1_420_070_400_000L; // ms since the Discord epoch
    private static final int MAX_PINS = 12;
    private static final int BACKWARD_PAGE = 37;
    private static final int FORWARD_PAGE = 50;

    /** One operation. */
    record Op(int kind, StoredMessage version, long channel, long id)
    {
        static final int APPEND = 0;
        static final int DELETE = 1;

        /**
         * Applies it to a store.
         *
         * @param store the store.
         */
        void applyTo(final ChronicleShardStore store)
        {
            if (kind == APPEND)
            {
                store.appendMessage(version);
            }
            else if (!store.deleteMessage(channel, id))
            {
                throw new IllegalStateException("message " + id + " of channel " + channel + " was not live");
            }
        }
    }

    private final SplittableRandom random;
    private final List<NavigableMap<Long, StoredMessage>> live = new ArrayList<>();
    private final List<List<Long>> pins = new ArrayList<>();
    private final Map<Long, Integer> versions = new HashMap<>();
    private long now = EPOCH_2026;
    private long sequence;
    private long done;

    /**
     * @param seed the stream's seed.
     */
    RandomOps(final long seed)
    {
        this.random = new SplittableRandom(seed);
        for (int c = 0; c < CHANNELS; c++)
        {
            live.add(new TreeMap<>());
            pins.add(new ArrayList<>());
        }
    }

    /**
     * @param c 0..{@link #CHANNELS}-1.
     * @return the channel id.
     */
    static long channel(final int c)
    {
        return FIRST_CHANNEL + c;
    }

    /**
     * @return operations generated so far.
     */
    long done()
    {
        return done;
    }

    /**
     * Generates the next operation and applies it to the model.
     *
     * @return the operation.
     */
    Op next()
    {
        done++;
        final int c = random.nextInt(CHANNELS);
        final NavigableMap<Long, StoredMessage> messages = live.get(c);
        final int op = random.nextInt(100);
        if (op < 70 || messages.size() < 3)
        {
            now += random.nextInt(1000) < 3 ? random.nextLong(15 * DAY) : random.nextLong(1, 60_000);
            final long millis = random.nextInt(100) < 5 ? now - random.nextLong(40 * DAY) : now; // out of order
            long id = millis << 22 | (sequence++ & 0xFFF);
            while (messages.containsKey(id) || versions.containsKey(id))
            {
                id += 1 << 12;
            }
            final StoredMessage m = new StoredMessage(id, channel(c), Messages.GUILD, Messages.AUTHOR, content(id, 1),
                0, 0, false, false);
            messages.put(id, m);
            versions.put(id, 1);
            return new Op(Op.APPEND, m, channel(c), id);
        }
        final long id = pick(messages);
        if (op < 82)
        {
            final int version = versions.merge(id, 1, Integer::sum);
            final StoredMessage m = messages.get(id).withEdit(content(id, version), now);
            messages.put(id, m);
            return new Op(Op.APPEND, m, channel(c), id);
        }
        if (op < 92)
        {
            messages.remove(id);
            pins.get(c).remove(id);
            return new Op(Op.DELETE, null, channel(c), id);
        }
        final boolean pin = pins.get(c).size() < MAX_PINS && !messages.get(id).pinned();
        final long target = pin ? id : pins.get(c).isEmpty() ? id : pins.get(c).get(0);
        final StoredMessage m = messages.get(target).withPinned(pin);
        versions.merge(target, 1, Integer::sum);
        messages.put(target, m);
        if (pin)
        {
            pins.get(c).add(target);
        }
        else
        {
            pins.get(c).remove(target);
        }
        return new Op(Op.APPEND, m, channel(c), target);
    }

    private long pick(final NavigableMap<Long, StoredMessage> messages)
    {
        final long from = messages.firstKey();
        final long to = messages.lastKey();
        final Long id = messages.ceilingKey(from + (long)(random.nextDouble() * (to - from)));
        return id == null ? to : id;
    }

    /**
     * @param id      a message.
     * @param version its version number.
     * @return the content of that version: unique in a journal (tests search for it).
     */
    static String content(final long id, final int version)
    {
        final StringBuilder text = new StringBuilder("m").append(id).append('v').append(version).append(' ');
        for (int i = 0; i < (int)(id % 7) * 13; i++)
        {
            text.append((char)('a' + (id + i) % 26));
        }
        return text.toString();
    }

    /**
     * @param id a message.
     * @return versions of it generated so far (edits and pins count).
     */
    int versions(final long id)
    {
        return versions.getOrDefault(id, 0);
    }

    /**
     * @param c 0..{@link #CHANNELS}-1.
     * @return its live messages, by id.
     */
    NavigableMap<Long, StoredMessage> live(final int c)
    {
        return live.get(c);
    }

    // ------------------------------------------------------------------------------------------------ dumps

    /**
     * @return the model page by page, as {@link #dump(ChronicleShardStore)} renders a store.
     */
    List<String> dump()
    {
        final List<String> out = new ArrayList<>();
        long total = 0;
        for (int c = 0; c < CHANNELS; c++)
        {
            final NavigableMap<Long, StoredMessage> messages = live.get(c);
            total += messages.size();
            out.add("channel " + channel(c) + " newest " + (messages.isEmpty() ? 0 : messages.lastKey()));
            final List<StoredMessage> descending = new ArrayList<>(messages.descendingMap().values());
            for (int i = 0; i < descending.size(); i += BACKWARD_PAGE)
            {
                out.add("before " + render(descending.subList(i, Math.min(descending.size(), i + BACKWARD_PAGE))));
            }
            final List<StoredMessage> ascending = new ArrayList<>(messages.values());
            for (int i = 0; i < ascending.size(); i += FORWARD_PAGE)
            {
                final List<StoredMessage> page =
                    new ArrayList<>(ascending.subList(i, Math.min(ascending.size(), i + FORWARD_PAGE)));
                java.util.Collections.reverse(page);
                out.add("after " + render(page));
            }
            final List<StoredMessage> pinned = new ArrayList<>();
            for (int i = pins.get(c).size() - 1; i >= 0; i--)
            {
                pinned.add(messages.get(pins.get(c).get(i)));
            }
            out.add("pins " + render(pinned));
        }
        out.add("live " + total);
        return out;
    }

    /**
     * @param store a recovered store.
     * @return what it serves, page by page: backward pages of {@value #BACKWARD_PAGE}, forward pages of
     *         {@value #FORWARD_PAGE}, pins, each channel's newest id, the live count.
     */
    static List<String> dump(final ChronicleShardStore store)
    {
        final List<String> out = new ArrayList<>();
        for (int c = 0; c < CHANNELS; c++)
        {
            final long channel = channel(c);
            out.add("channel " + channel + " newest " + store.lastMessageId(channel));
            List<StoredMessage> page = store.history(channel, HistoryQuery.LATEST, 0, BACKWARD_PAGE);
            while (!page.isEmpty())
            {
                out.add("before " + render(page));
                page = store.history(channel, HistoryQuery.BEFORE, page.get(page.size() - 1).id(), BACKWARD_PAGE);
            }
            page = store.history(channel, HistoryQuery.AFTER, 0, FORWARD_PAGE);
            while (!page.isEmpty())
            {
                out.add("after " + render(page));
                page = store.history(channel, HistoryQuery.AFTER, page.get(0).id(), FORWARD_PAGE);
            }
            out.add("pins " + render(store.pinned(channel)));
        }
        out.add("live " + store.liveMessageCount());
        return out;
    }

    private static String render(final List<StoredMessage> page)
    {
        final StringBuilder text = new StringBuilder();
        for (final StoredMessage m : page)
        {
            text.append(m.id()).append(m.pinned() ? "p" : "").append('=').append(m.content()).append(';');
        }
        return text.toString();
    }
}
