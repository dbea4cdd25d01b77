package dev.pinwheel.jvmflags;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a java launcher {@code @argfile} into arguments the way the launcher does (JDK 9+,
 * {@code libjli/args.c}), so that a flag list built here and the JVM started with {@code @file} agree:
 * <ul>
 * <li>Arguments are separated by spaces, tabs, form feeds and line ends.</li>
 * <li>{@code #} outside quotes starts a comment to the end of the line. A {@code #} in the middle of an
 *     argument drops the part of that argument before it ({@code -Dx=a#b} vanishes): always put a space before
 *     a comment.</li>
 * <li>{@code '...'} or {@code "..."} quote spaces and {@code #}; quotes join with adjacent text
 *     ({@code -Dx="a b"} is {@code -Dx=a b}). A quote left open ends at the end of the line.</li>
 * <li>Inside quotes a backslash escapes: {@code \n \r \t \f} are control characters, any other character
 *     stands for itself, and a backslash at the end of a line continues the argument on the next line,
 *     leading white space skipped. Outside quotes a backslash is an ordinary character.</li>
 * </ul>
 * The launcher reads in 4 KiB blocks and can split a token differently at a block boundary; argfiles here are
 * far smaller.
 */
public final class ArgFile
{
    private enum State
    {
        FIND_NEXT, IN_TOKEN, IN_QUOTE, IN_ESCAPE, SKIP_LEAD_WS, IN_COMMENT
    }

    private ArgFile()
    {
    }

    /**
     * @param file an argfile.
     * @return its arguments, in order.
     * @throws UncheckedIOException if the file cannot be read.
     */
    public static List<String> read(final Path file)
    {
        try
        {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read argfile " + file, ex);
        }
    }

    /**
     * @param text the content of an argfile.
     * @return its arguments, in order.
     */
    public static List<String> parse(final String text)
    {
        final List<String> args = new ArrayList<>();
        final StringBuilder parts = new StringBuilder();
        boolean hasParts = false;
        State state = State.FIND_NEXT;
        char quote = '"';
        int anchor = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char ch = text.charAt(i);
            if (state == State.FIND_NEXT || state == State.SKIP_LEAD_WS)
            {
                if (isSpace(ch) || isLineEnd(ch))
                {
                    continue;
                }
                state = state == State.FIND_NEXT ? State.IN_TOKEN : State.IN_QUOTE;
                anchor = i;
            }
            else if (state == State.IN_ESCAPE)
            {
                if (isLineEnd(ch))
                {
                    state = State.SKIP_LEAD_WS;
                }
                else
                {
                    parts.append(unescape(ch));
                    hasParts = true;
                    state = State.IN_QUOTE;
                }
                anchor = i + 1;
                continue;
            }
            else if (state == State.IN_COMMENT)
            {
                if (isLineEnd(ch))
                {
                    anchor = i + 1;
                    state = State.FIND_NEXT;
                }
                continue;
            }

            final boolean quoted = state == State.IN_QUOTE;
            if (isSpace(ch) && quoted)
            {
                continue;
            }
            if (isSpace(ch) || isLineEnd(ch))
            {
                args.add(parts.append(text, anchor, i).toString());
                parts.setLength(0);
                hasParts = false;
                state = State.FIND_NEXT;
            }
            else if (ch == '#' && !quoted)
            {
                state = State.IN_COMMENT;
                anchor = i + 1;
            }
            else if (ch == '\\' && quoted)
            {
                parts.append(text, anchor, i);
                hasParts = true;
                state = State.IN_ESCAPE;
                anchor = i + 1;
            }
            else if ((ch == '"' || ch == '\'') && (!quoted || ch == quote))
            {
                if (anchor != i)
                {
                    parts.append(text, anchor, i);
                    hasParts = true;
                }
                anchor = i + 1;
                if (quoted)
                {
                    state = State.IN_TOKEN;
                }
                else
                {
                    quote = ch;
                    state = State.IN_QUOTE;
                }
            }
        }
        if (state == State.IN_TOKEN || state == State.IN_QUOTE)
        {
            if (anchor < text.length())
            {
                parts.append(text, anchor, text.length());
                hasParts = true;
            }
            if (hasParts)
            {
                args.add(parts.toString());
            }
        }
        return args;
    }

    private static boolean isSpace(final char ch)
    {
        return ch == ' ' || ch == '\t' || ch == '\f';
    }

    private static boolean isLineEnd(final char ch)
    {
        return ch == '\n' || ch == '\r';
    }

    private static char unescape(final char ch)
    {
        return switch (ch)
        {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'f' -> '\f';
            default -> ch;
        };
    }
}
