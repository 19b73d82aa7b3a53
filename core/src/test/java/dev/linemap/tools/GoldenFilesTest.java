package dev.linemap.tools;

import dev.linemap.engine.Hashing;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code explain} and {@code inspect} at fixed seeds print exactly the committed golden files
 * (native addresses masked). A map built by {@link FilledMap} is a function of its seed and entries,
 * so any difference is a change in the engine's layout or placement, or in the tools' text: read the
 * diff, and if it is intended, rewrite the files with
 * {@code mvn -pl unsafe-layout,core -am verify -Dtest=GoldenFilesTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dlinemap.golden.update=true} and commit them with the change.
 */
class GoldenFilesTest {

    private static final String DIR = "golden/";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            explain-seed42-entries1000-key158.txt | explain --seed 42 --entries 1000 158
            explain-seed42-entries1400-key645.txt | explain --seed 42 --entries 1400 645
            explain-seed42-entries1400-key9999.txt | explain --seed 42 --entries 1400 9999
            inspect-seed42-entries1000.txt | inspect --seed 42 --entries 1000
            inspect-seed42-entries1400.txt | inspect --seed 42 --entries 1400
            """)
    void outputAtAFixedSeedIsTheGoldenFile(final String golden, final String commandLine) throws IOException {
        // -Dtest also selects this class in the colliding-hash execution of the pom: not the real layout.
        assumeFalse(Hashing.colliding(), "golden files hold the real hash's layout");
        final Cli cli = Cli.run(commandLine.split(" "));
        assertEquals(0, cli.status(), cli.err());
        assertEquals("", cli.err(), "nothing but progress lines go to stderr, and this run is too short for them");
        final String actual = cli.outWithoutAddresses();
        if (Boolean.getBoolean("linemap.golden.update")) {
            final Path file = Path.of(System.getProperty("basedir", "."), "src/test/resources/dev/linemap/tools",
                    DIR + golden);
            Files.writeString(file, actual, StandardCharsets.UTF_8);
            return;   // rewritten from this run; the next run compares against it
        }
        try (InputStream in = GoldenFilesTest.class.getResourceAsStream(DIR + golden)) {
            assertNotNull(in, "missing golden file " + golden + "; create it with -Dlinemap.golden.update=true");
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual,
                    "linemap " + commandLine + " differs from " + golden);
        }
    }
}
