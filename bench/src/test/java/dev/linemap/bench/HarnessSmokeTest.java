package dev.linemap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.linemap.bench.harness.ColdChase;
import dev.linemap.bench.harness.Footprint;
import dev.linemap.bench.harness.GrowthLatency;
import dev.linemap.bench.harness.HitCost;
import dev.linemap.bench.harness.LineGetFloor;
import dev.linemap.bench.harness.LineMapFootprint;
import dev.linemap.bench.harness.PersistReopen;
import dev.linemap.bench.harness.PutStalls;
import dev.linemap.bench.harness.SyncCost;
import dev.linemap.bench.maps.BenchMap;
import dev.linemap.bench.maps.MapKind;
import dev.linemap.bench.report.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every harness at tiny sizes and renders a report from what they wrote. It proves the harnesses
 * run and produce well-formed results; it asserts no speed (numbers at these sizes mean nothing).
 */
class HarnessSmokeTest {
    private static final int N = 20_000;

    @Test
    void everyMapAdapterStoresReadsCountsAndRemoves() {
        for (MapKind k : MapKind.values()) {
            try (BenchMap m = k.create(1_000)) {
                for (long i = 1; i <= 1_000; i++) {
                    assertEquals(0, m.put(i * 7919, i), k + " put of a new key returns 0");
                }
                assertEquals(1_000, m.size(), k + " size");
                assertEquals(5, m.get(5 * 7919), k + " get");
                assertEquals(0, m.get(-1), k + " get of an absent key");
                assertEquals(15, m.addAndGet(5 * 7919, 10), k + " addAndGet");
                assertEquals(15, m.remove(5 * 7919), k + " remove");
                assertEquals(999, m.size(), k + " size after remove");
            }
        }
    }

    @Test
    void latencyHarnessRecordsEveryPutAndTheReaderSeesOnlyCorrectValues() {
        for (MapKind k : List.of(MapKind.LINEMAP, MapKind.CHM, MapKind.AGRONA)) {
            GrowthLatency.Result r = GrowthLatency.run(k, N, 16, true, new long[] {N / 2, N});
            assertEquals(N, r.writer().count(), k + ": one latency per put");
            assertEquals(16, r.windows().size(), k + ": windows");
            assertEquals(2, r.checkpoints().size(), k + ": checkpoints");
            assertTrue(r.writer().max() >= r.writer().p50(), k + ": max >= p50");
            assertEquals(0, r.readerErrors(), k + ": reader saw a wrong value");
            assertEquals(k.concurrent(), r.withReader(), k + ": reader only for concurrent maps");
        }
    }

    @Test
    void hitCostSplitsTheKeysTheWayTheEngineStoredThem() {
        // run() itself fails when its predicted overflow lines differ from the map's own count.
        HitCost.Result r = HitCost.run(N, 50_000);
        assertEquals(N, r.inlineKeys() + r.overflowKeys(), "every key classified once");
        assertTrue(r.overflowKeys() > 0 && r.inlineKeys() > r.overflowKeys(),
                "a random fill leaves some keys, a minority, in chains: " + r);
        assertTrue(r.inlineNs() > 0 && r.overflowNs() > 0 && r.allNs() > 0 && r.agronaNs() > 0
                && r.chmNs() > 0, r.toString());
    }

    @Test
    void putStallsKeepsTheLongestPutsLongestFirst() {
        List<PutStalls.Stall> stalls = PutStalls.run(MapKind.LINEMAP, N, true, 5);
        assertEquals(5, stalls.size());
        for (int i = 0; i < stalls.size(); i++) {
            PutStalls.Stall s = stalls.get(i);
            assertTrue(s.index() >= 0 && s.index() < N && s.cpuNs() >= 0 && s.growths() >= 0, s.toString());
            if (i > 0) {
                assertTrue(stalls.get(i - 1).wallNs() >= s.wallNs(), "sorted longest first: " + stalls);
            }
        }
    }

    @Test
    void footprintOfLinemapCountsAtLeastTheSixteenPayloadBytesPerEntry() {
        Footprint.Result r = Footprint.run(MapKind.LINEMAP, new long[] {N / 2, N});
        assertEquals(2, r.points().size());
        Footprint.Point p = r.points().get(1);
        assertEquals(N, p.entries());
        assertTrue(p.offHeapBytes() >= 16L * N, "off-heap bytes " + p.offHeapBytes() + " for " + N + " entries");
        assertFalse(p.detail().isEmpty(), "linemap stats recorded");
    }

    @Test
    void coldChaseFollowsTheWholeCycleAndMeasuresBothSides() {
        ColdChase.Result r = ColdChase.run(MapKind.LINEMAP, N, 50_000, 32L * N);
        assertTrue(r.lookupNs() > 0 && r.chaseNs() > 0, r.toString());
        assertEquals(r.lookupNs() / r.chaseNs(), r.ratio(), 1e-9);
    }

    @Test
    void jmhBenchmarksRunAndReportAllocationPerOperation() throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("dev\\.linemap\\.bench\\.jmh\\.MapOps\\.(getHit|put)$")
                .param("impl", "linemap", "agrona")
                .param("size", "1000")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .addProfiler(GCProfiler.class)
                .build()).run();
        assertEquals(4, results.size(), "2 benchmarks x 2 maps");
        for (RunResult r : results) {
            assertTrue(r.getPrimaryResult().getScore() > 0);
            assertTrue(r.getSecondaryResults().containsKey("gc.alloc.rate.norm"), "-prof gc result present");
        }
    }

    @Test
    void sectionFloorBenchmarksRunWithAndWithoutOverflowChains() throws Exception {
        // The fill reads every key back through the bare read section and fails on a lost one; at
        // 1,000 keys load 2.5 chains about a tenth of them, load 0.5 none.
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("dev\\.linemap\\.bench\\.jmh\\.SectionFloor\\.(getHit|put)$")
                .param("size", "1000")
                .param("loadFactor", "2.5", "0.5")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(50))
                .build()).run();
        assertEquals(2 * 2, results.size(), "2 benchmarks x 2 load factors");
        for (RunResult r : results) {
            assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams().getParam("loadFactor"));
        }
    }

    @Test
    void lineMapBenchmarksRunForEveryKindOfMap() throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("dev\\.linemap\\.bench\\.jmh\\.LineMapOps\\.(getHit|put)$")
                .param("size", "1000")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(50))
                .build()).run();
        assertEquals(2 * 6, results.size(), "2 benchmarks x 6 maps");
        for (RunResult r : results) {
            assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams().getParam("impl"));
        }
    }

    @Test
    void persistedBenchmarksRunForEveryMapInMemoryAndInAFile() throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("dev\\.linemap\\.bench\\.jmh\\.PersistedOps\\.(getHit|put)$")
                .param("size", "1000")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(50))
                .build()).run();
        assertEquals(2 * 8, results.size(), "2 benchmarks x 8 maps (linemap in memory and in a file, Chronicle Map"
                + " and MapDB in a file; two shapes)");
        for (RunResult r : results) {
            assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams().getParam("impl"));
        }
    }

    @Test
    void syncCostRunsEveryStepOnBothShapesAndLeavesNoFileBehind(@TempDir Path dir) throws Exception {
        // run() itself fails if a sync, the close or an open after a restart does.
        SyncCost.run("ll", 2_000, dir);
        SyncCost.run("lm", 2_000, dir);
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "the map files, images and logs are deleted");
        }
    }

    @Test
    void persistReopenRecoversEveryMapAfterItsWriterIsKilled(@TempDir Path dir) {
        // run() itself fails when a reopened map lacks an entry or has the wrong size.
        List<PersistReopen.Row> rows = PersistReopen.smoke(2_000, dir);
        assertEquals(PersistReopen.MAPS.size(), rows.size());
        for (PersistReopen.Row r : rows) {
            assertTrue(r.fileBytes() > 0 && r.crash().ms() > 0 && r.cold().ms() > 0,
                    r.toString());
        }
    }

    @Test
    void lineGetFloorReadsWhatTheMapReadsAndTimesAllThree(@TempDir Path dir) throws Exception {
        // run() itself fails if the floor table reads any key's value otherwise than the LineMap.
        LineGetFloor.Result r = LineGetFloor.run(2_000, 2_000, 1, dir);
        assertTrue(r.lineNs() > 0 && r.chronicleNs() > 0 && r.floorNs() > 0, r.toString());
    }

    @Test
    void lineMapFootprintMeasuresEveryKindOfMap() {
        for (String impl : LineMapFootprint.IMPLS) {
            LineMapFootprint.one(impl, 2_000, 42);
        }
    }

    @Test
    void reportRendersTablesAndWellFormedSvgFromHarnessJson(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("results");
        for (MapKind k : List.of(MapKind.LINEMAP, MapKind.CHM)) {
            Json.write(in.resolve("latency-" + k.id() + ".json"), GrowthLatency.run(k, N, 8, true, new long[] {N}));
            Json.write(in.resolve("footprint-" + k.id() + ".json"), Footprint.run(k, new long[] {N}));
            Json.write(in.resolve("cold-" + k.id() + ".json"), ColdChase.run(k, N, 10_000, 32L * N));
        }
        Path md = dir.resolve("benchmarks.md");
        Path core = dir.resolve("numbers-core.md");
        Report.render(in, md, core);
        String text = Files.readString(md);
        assertTrue(text.contains("## Headline"), "headline section");
        assertTrue(text.contains("| " + MapKind.LINEMAP.label() + " |"), "linemap rows");
        assertTrue(Files.readString(core).contains("footprint at 10M"), "core targets");
        for (String svg : List.of("latency-percentiles.svg", "latency-over-time.svg", "bytes-per-entry.svg")) {
            Path f = in.resolve("charts").resolve(svg);
            DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(f.toFile());
            assertTrue(text.contains(svg), svg + " linked from the report");
        }
    }
}
