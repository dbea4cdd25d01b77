package dev.pinwheel.jvmflags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArgFileTest
{
    @TempDir
    Path tmp;

    @Test
    void splitsLinesAndStripsComments()
    {
        assertEquals(List.of("-Xmx1g", "-XX:+UseZGC", "-Da=b"), ArgFile.parse("""
            # a header comment
              -Xmx1g        # heap

            -XX:+UseZGC\t# collector
            -Da=b"""));
        assertEquals(List.of("-Xms1g", "-Xmx1g"), ArgFile.parse("-Xms1g -Xmx1g # two on a line\n"));
        assertEquals(List.of("-a", "-b", "-c"), ArgFile.parse("-a\r\n-b\t\f-c\r\n"));
        assertEquals(List.of(), ArgFile.parse(""));
        assertEquals(List.of(), ArgFile.parse("# only a comment"));
    }

    @Test
    void quotesGroupSpacesAndHashes()
    {
        assertEquals(List.of("-Dfoo=a b", "-Dq=1 2", "-Dz=single q", "-Dh=a#b", "-Dmix=it's"),
            ArgFile.parse("-Dfoo=\"a b\"\n\"-Dq=1 2\"\n-Dz='single q'\n-Dh=\"a#b\"\n-Dmix=\"it's\"\n"));
    }

    @Test
    void aHashInsideAnArgumentDropsIt()
    {
        assertEquals(List.of("-Dnext=1"), ArgFile.parse("-Dbar=x#y\n-Dnext=1\n"));
        assertEquals(List.of("a-Dx"), ArgFile.parse("\"a\"b#c\n-Dx\n"), "quoted parts before the # survive");
    }

    @Test
    void escapesWorkOnlyInsideQuotes()
    {
        assertEquals(List.of("-Dn=a\tb", "-Dq=say \"hi\"", "-Dpath=C:\\dir", "-Dback=a\\b"),
            ArgFile.parse("\"-Dn=a\\tb\"\n\"-Dq=say \\\"hi\\\"\"\n-Dpath=C:\\dir\n\"-Dback=a\\\\b\"\n"));
        assertEquals(List.of("-Dlong=abcdef", "-Dx=1"), ArgFile.parse("\"-Dlong=abc\\\n      def\"\n-Dx=1\n"));
    }

    @Test
    void anOpenQuoteEndsWithItsLine()
    {
        assertEquals(List.of("-Dopen=a b", "-Dx=1"), ArgFile.parse("\"-Dopen=a b\n-Dx=1\n"));
        assertEquals(List.of("-Dopen=a b"), ArgFile.parse("\"-Dopen=a b"));
    }

    @Test
    void emptyQuotesAreAnEmptyArgumentExceptAtTheEnd()
    {
        assertEquals(List.of("", "-Dx=1"), ArgFile.parse("\"\"\n-Dx=1\n"));
        assertEquals(List.of(), ArgFile.parse("\"\""));
    }

    @Test
    void readsFilesAndReportsMissingOnes() throws Exception
    {
        final Path file = tmp.resolve("x.args");
        Files.writeString(file, "-Xmx64m # small\n");
        assertEquals(List.of("-Xmx64m"), ArgFile.read(file));
        assertThrows(UncheckedIOException.class, () -> ArgFile.read(tmp.resolve("missing.args")));
    }

    /** The parser and the real java launcher agree on a file full of edge cases. */
    @Test
    void agreesWithTheJavaLauncher() throws Exception
    {
        final String text = """
            # edge cases, every argument a -Dt.* property
            -Dt.plain=1                 # comment after spaces
            -Dt.tab=2\t# comment after a tab
            -Dt.quoted="a b"            # quoted value
            "-Dt.whole=c d"             # quoted argument
            -Dt.single='e f'            # single quotes
            -Dt.hash="g#h"              # hash inside quotes
            -Dt.dropped=x#y
            -Dt.escape="i\\tj\\\\k\\"l"
            -Dt.continued="m\\
                  n"
            -Dt.backslash=o\\p
            -Dt.open="q r
            -Dt.empty=
            -Dt.last=z""";
        final Path file = tmp.resolve("edge.args");
        Files.writeString(file, text);

        final List<String> expected = new ArrayList<>();
        for (final String arg : ArgFile.parse(text))
        {
            assertTrue(arg.startsWith("-Dt."), arg);
            final int eq = arg.indexOf('=');
            expected.add(arg.substring(2, eq) + "=" + PrintProperties.escape(arg.substring(eq + 1)));
        }
        expected.sort(null);
        assertEquals(12, expected.size(), expected.toString());

        final Path classes = Path.of(PrintProperties.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        final ChildJvm.Result result = ChildJvm.run(ChildJvm.javaOf(Path.of(System.getProperty("java.home"))), tmp,
            List.of("@" + file, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classes.toString(),
                PrintProperties.class.getName(), "t."));
        assertEquals(0, result.exitCode(), result.output());
        assertEquals(expected, result.output().lines().toList());
    }
}
