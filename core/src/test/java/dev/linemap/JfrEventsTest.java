package dev.linemap;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A recording shows a map's growth: one {@code dev.linemap.Migration} event per migration, with its
 * kind, sizes, duration, units by writers and by the helper thread and the longest operation, and
 * one {@code dev.linemap.TableRetired} event per released table; {@code jfr print} shows them too.
 * Protocol counters are off here: the events do not depend on them.
 */
class JfrEventsTest {

    private static final String MIGRATION = "dev.linemap.Migration";
    private static final String RETIRED = "dev.linemap.TableRetired";

    @Test
    void aRecordingShowsEveryMigrationAndRetirementAndJfrPrintShowsThem(@TempDir final Path dir)
            throws IOException, InterruptedException {
        final Path file = dir.resolve("growth.jfr");
        final long writerGrowths;
        try (Recording recording = new Recording()) {
            recording.enable(MIGRATION);
            recording.enable(RETIRED);
            recording.start();
            // Only writes move these migrations: 1 -> 2 -> ... -> 1024 buckets, all units by writers.
            try (LongLongMap map = LongLongMap.builder().seed(5).backgroundMigration(false).build()) {
                for (long k = 0; k < 2000; k++) {
                    map.put(k, k);
                }
                while (map.stats().growing()) {
                    map.put(0, 0);
                }
                writerGrowths = map.stats().completedMigrations();
            }
            // 2048 -> 4096 buckets with nobody writing: all units by the helper thread.
            try (LongLongMap map = LongLongMap.builder().initialCapacity(5120).build()) {
                // Until the growth has started, or already finished: the helper can complete it
                // between two puts, before this thread looks (then one more put would start another).
                for (long k = 0; !map.stats().growing() && map.stats().completedMigrations() == 0; k++) {
                    map.put(k, k);
                }
                while (map.stats().growing()) {
                    Thread.sleep(1);
                }
            }
            recording.stop();
            recording.dump(file);
        }
        final List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        final List<RecordedEvent> migrations = events.stream()
                .filter(e -> e.getEventType().getName().equals(MIGRATION)).toList();
        final List<RecordedEvent> retired = events.stream()
                .filter(e -> e.getEventType().getName().equals(RETIRED)).toList();

        assertEquals(writerGrowths + 1, migrations.size(), migrations.toString());
        for (final RecordedEvent e : migrations) {
            assertEquals("GROW", e.getString("kind"));
            assertEquals(2 * e.getLong("fromBuckets"), e.getLong("toBuckets"));
            assertEquals(e.getLong("fromBuckets"), e.getLong("units"));
            assertEquals(e.getLong("units"), e.getLong("unitsByWriters") + e.getLong("unitsByHelper"), e.toString());
            assertTrue(e.getDuration().compareTo(Duration.ZERO) > 0, e.toString());
            if (e.getLong("fromBuckets") == 2048) {
                assertEquals(2048, e.getLong("unitsByHelper"), e.toString());
            } else {
                assertEquals(0, e.getLong("unitsByHelper"), e.toString());
                assertTrue(e.getDuration("longestOperation").toNanos() > 0, e.toString());
            }
        }
        assertEquals(1, migrations.stream().filter(e -> e.getLong("fromBuckets") == 2048).count());
        // Every migration retires its old table; each close retires the current one. (At least: a map of
        // an earlier test in this JVM may be retired meanwhile; events carry no map identity.)
        assertTrue(retired.size() >= migrations.size() + 2, retired.toString());
        for (final RecordedEvent e : retired) {
            assertTrue(e.getLong("bytes") >= 64 * e.getLong("buckets"), e.toString());
        }

        final Process jfr = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jfr").toString(),
                "print", "--events", MIGRATION + "," + RETIRED, file.toString()).redirectErrorStream(true).start();
        final String printed = new String(jfr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jfr.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, jfr.exitValue(), printed);
        assertEquals(migrations.size(), printed.lines().filter(l -> l.equals(MIGRATION + " {")).count(), printed);
        assertEquals(retired.size(), printed.lines().filter(l -> l.equals(RETIRED + " {")).count(), printed);
        assertTrue(printed.contains("kind = \"GROW\"") && printed.contains("unitsByHelper = 2048"), printed);
    }
}
