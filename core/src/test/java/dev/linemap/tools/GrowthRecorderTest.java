package dev.linemap.tools;

import dev.linemap.MapImage;
import dev.linemap.MapImage.Role;
import dev.linemap.MapImage.TableImage;
import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.LayoutField;
import dev.linemap.layout.LayoutPrinter;
import dev.linemap.tools.GrowthRecorder.Frame;
import dev.linemap.tools.GrowthRecorder.Recording;
import dev.linemap.tools.browser.JsonReader;

import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code visualize} records is a real growth, step by step: it starts from the table before
 * the growth, the first write publishes the migration, every old unit is evacuated in exactly one
 * step, cursor and watermark only advance, the last step retires the old table, every key written
 * is in the map, and the readers that ran meanwhile saw no wrong value. With only writes moving the
 * migration the recording is a function of the seed. The page's data carries the descriptors'
 * fields.
 */
class GrowthRecorderTest {

    private static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void aRecordingIsTheWholeGrowthOneWriteAtATime() throws InterruptedException {
        final Recording recording = GrowthRecorder.record(42, 64, 2, NOWHERE);
        final List<Frame> frames = recording.frames();
        assertTrue(recording.readerGets() > 0, "the readers ran");
        assertEquals(0, recording.readerWrong());

        final Frame before = frames.getFirst();
        assertNull(before.image().migration());
        assertEquals(64, before.image().tables().getFirst().bucketCount());
        final Frame start = frames.get(1);
        assertEquals(0, start.image().migration().cursor());
        assertEquals(List.of(), start.evacuated(), "starting a migration copies nothing");
        final Frame end = frames.getLast();
        assertNull(end.image().migration());
        assertEquals(List.of(Role.CURRENT), end.image().tables().stream().map(TableImage::role).toList());
        assertEquals(128, end.image().tables().getFirst().bucketCount());

        final Set<Long> evacuated = new HashSet<>();
        long cursor = 0;
        long watermark = 0;
        for (int i = 1; i < frames.size(); i++) {
            final Frame f = frames.get(i);
            assertEquals(frames.get(i - 1).key() + (i == 1 ? f.key() : 1), f.key(), "one write per step");
            for (final long unit : f.evacuated()) {
                assertTrue(evacuated.add(unit), "unit " + unit + " evacuated twice");
            }
            if (f.keyUnit() >= 0 && f.image().migration() != null) {
                assertTrue(evacuated.contains(f.keyUnit()), "a write evacuates its own unit first");
            }
            final MapImage image = f.image();
            if (image.migration() != null) {
                assertTrue(image.migration().cursor() >= cursor && image.migration().watermark() >= watermark);
                cursor = image.migration().cursor();
                watermark = image.migration().watermark();
            }
            assertEquals(f.key(), image.stats().size(), "keys 1..key are in the map");
            assertTrue(f.written().found(), "the written key is where a read finds it");
            assertTrue(f.lookup().found());
        }
        assertEquals(64, evacuated.size(), "every old unit, exactly once");

        final Recording again = GrowthRecorder.record(42, 64, 0, NOWHERE);
        assertEquals(words(recording), words(again), "a function of the seed");
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePageDataCarriesTheDescriptorsAndEveryFrame() throws InterruptedException {
        final Recording recording = GrowthRecorder.record(7, 16, 1, NOWHERE);
        final Map<String, Object> data = (Map<String, Object>) JsonReader.parse(
                GrowthPage.data(recording, LayoutSource.DESCRIPTORS));
        assertEquals((double) recording.frames().size(), (double) ((List<Object>) data.get("frames")).size());
        final Map<String, Object> layout = (Map<String, Object>) data.get("layout");
        assertEquals((double) BucketDescriptor.BYTES, layout.get("lineBytes"));
        final List<Map<String, Object>> fields = (List<Map<String, Object>>)
                ((Map<String, Object>) layout.get("bucket")).get("fields");
        assertEquals(LayoutPrinter.fields(BucketDescriptor.LAYOUT).stream().map(LayoutField::name).toList(),
                fields.stream().map(f -> f.get("name")).toList());
        assertEquals(LayoutPrinter.fields(BucketDescriptor.LAYOUT).stream().map(f -> (double) f.offset()).toList(),
                fields.stream().map(f -> f.get("offset")).toList());
        final Map<String, Object> first = ((List<Map<String, Object>>) data.get("frames")).getFirst();
        assertNotNull(first.get("old"), "the first frame draws the old table");
        assertNull(first.get("new"), "and no new one yet");
        assertEquals(16.0, (double) ((List<Object>) ((Map<String, Object>) first.get("old")).get("changes")).size());
        final String page = GrowthPage.render(recording, LayoutSource.DESCRIPTORS);
        assertTrue(page.startsWith("<!DOCTYPE html>") && !page.contains("/*LINEMAP_DATA*/"), "data filled in");
    }

    /** Every frame's words, without addresses (they differ from run to run). */
    private static List<String> words(final Recording recording) {
        final List<String> out = new ArrayList<>();
        for (final Frame f : recording.frames()) {
            out.add(f.key() + " " + f.evacuated() + " " + f.image().migration());
            for (final TableImage t : f.image().tables()) {
                t.buckets().forEach(b -> b.lines().forEach(l -> out.add(t.role() + " " + b.index() + " " + l.index()
                        + " " + l.header() + " " + l.link() + " " + l.keys() + " " + l.values())));
            }
        }
        return out;
    }
}
