package dev.linemap.tools;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import dev.linemap.LongLongMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code inspect --file F} and {@code explain --file F KEY} open the LongLongMap kept in F, report on
 * it as on a map built in memory and close it again; a LineMap's file, a file that is not a map and
 * a file another map holds open get a message that says so.
 */
class FileOptionTest {

    @TempDir
    Path dir;

    private Path longLongFile(final long keys) {
        final Path file = dir.resolve("long.lm");
        try (LongLongMap map = LongLongMap.builder().persistTo(file).build()) {
            for (long key = 1; key <= keys; key++) {
                map.put(key, 10 * key);
            }
        }
        return file;
    }

    @Test
    void inspectFileReportsTheMapInTheFileAndLeavesItClosedCleanly() {
        final Path file = longLongFile(5000);
        final Cli cli = Cli.run("inspect", "--file", file.toString());
        assertEquals(0, cli.status(), cli.out() + cli.err());
        assertTrue(cli.out().startsWith("linemap inspect\nmap: the LongLongMap in " + file), cli.out());
        assertTrue(cli.out().contains("its last process closed it cleanly"), cli.out());
        assertTrue(cli.out().matches("(?s).*entries +5,000 +stats\\(\\)\\.size\\(\\) +5,000 +equal.*"), cli.out());
        try (LongLongMap map = LongLongMap.builder().persistTo(file).build()) {
            assertEquals(5000, map.size(), "the tool closed the file, and changed no entry");
            assertEquals(50_000, map.get(5000));
        }
    }

    @Test
    void explainFileFindsTheKeyInTheFile() {
        final Path file = longLongFile(1000);
        final Cli cli = Cli.run("explain", "--file", file.toString(), "77");
        assertEquals(0, cli.status(), cli.out() + cli.err());
        assertTrue(cli.out().contains("map: the LongLongMap in " + file), cli.out());
        assertTrue(cli.out().matches("(?s).*Found in .*: value 770\\..*"), cli.out());
    }

    @Test
    void aLineMapFileIsTurnedAwayWithStatus2() {
        final Path file = dir.resolve("line.lm");
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).persistTo(file).build()) {
            map.put("a", "b");
        }
        final Cli cli = Cli.run("inspect", "--file", file.toString());
        assertEquals(2, cli.status(), cli.out() + cli.err());
        assertTrue(cli.err().startsWith("linemap inspect: --file " + file + ": the file holds a LineMap"), cli.err());
    }

    @Test
    void aFileThatIsNotAMapIsLeftAlone() throws Exception {
        final Path file = dir.resolve("zeros.lm");
        java.nio.file.Files.write(file, new byte[8192]);   // an open would take it for a creation that died
        final Cli cli = Cli.run("explain", "--file", file.toString(), "1");
        assertEquals(2, cli.status(), cli.out() + cli.err());
        assertTrue(cli.err().contains("not a linemap map file"), cli.err());
        assertEquals(8192, java.nio.file.Files.size(file), "the file was not touched");
    }

    @Test
    void aFileAnotherMapHoldsFailsWithStatus1AndTheOpensMessage() {
        final Path file = longLongFile(10);
        try (LongLongMap map = LongLongMap.builder().persistTo(file).build()) {
            final Cli cli = Cli.run("inspect", "--file", file.toString());
            assertEquals(1, cli.status(), cli.out() + cli.err());
            assertEquals("", cli.out());
            assertTrue(cli.err().startsWith("linemap inspect: " + file + ": already open"), cli.err());
            assertEquals(10, map.size());
        }
    }
}
