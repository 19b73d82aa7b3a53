package dev.linemap.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line: every subcommand answers {@code --help}, and every wrong command line gets exit
 * status 2 and a message that names what is wrong, with nothing on the output stream.
 */
class LinemapCliTest {

    @ParameterizedTest
    @ValueSource(strings = {"demo", "explain", "inspect", "visualize"})
    void everyCommandPrintsItsHelp(final String command) {
        final Cli cli = Cli.run(command, "--help");
        assertEquals(0, cli.status(), cli.err());
        assertTrue(cli.out().startsWith("usage: linemap " + command), cli.out());
        assertTrue(cli.out().contains("options:"), cli.out());
        assertEquals(cli.out(), Cli.run("help", command).out(), "linemap help CMD prints the same help");
    }

    @Test
    void noCommandPrintsTheOverviewAndFails() {
        final Cli cli = Cli.run();
        assertEquals(2, cli.status());
        for (final String command : new String[] {"demo", "explain", "inspect", "visualize"}) {
            assertTrue(cli.err().contains("\n  " + command + " "), cli.err());
        }
        assertEquals(0, Cli.run("--help").status());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            frobnicate | : unknown command 'frobnicate' (commands: demo, explain, inspect, visualize)
            explain | explain: expected one KEY, got none
            explain 1 2 | explain: expected one KEY, got 2: 1 2
            explain abc | explain: KEY: expected a whole number (like 42, 1_000_000 or 0x2a), got 'abc'
            explain --seed | explain: option --seed needs a value
            explain --entries -1 5 | explain: --entries -1 is out of range [0, 10000000]
            explain --entries 1_000_000_000 5 | explain: --entries 1000000000 is out of range [0, 10000000]
            explain --colour red 5 | explain: unknown option --colour (options: --entries, --file, --seed, --help)
            explain --seed 1 --seed 2 5 | explain: option --seed given twice
            inspect extra | inspect: unexpected argument 'extra'
            inspect --file no-such.lm | inspect: --file no-such.lm: no such file
            explain --file=no-such.lm 5 | explain: --file no-such.lm: no such file
            inspect --file map.lm --entries 5 | inspect: --file reads a map from a file, --seed and --entries describe
            visualize --buckets 48 | visualize: --buckets 48 is not a power of two
            visualize --readers 9 | visualize: --readers 9 is out of range [0, 8]
            demo --entries 0 | demo: --entries 0 is out of range [1, 100000000]
            demo --crash-buckets 5000 | demo: --crash-buckets 5000 is not 0 or a power of two from 4096 to 4194304
            """)
    void aWrongCommandLineFailsWithStatus2AndSaysWhatIsWrong(final String commandLine, final String message) {
        final Cli cli = Cli.run(commandLine.split(" "));
        assertEquals(2, cli.status(), cli.out() + cli.err());
        assertEquals("", cli.out());
        assertTrue(cli.err().startsWith("linemap" + (message.startsWith(":") ? "" : " ") + message), cli.err());
        assertTrue(cli.err().contains("--help"), "points at the help: " + cli.err());
    }
}
