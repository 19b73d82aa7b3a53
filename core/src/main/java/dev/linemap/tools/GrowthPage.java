package dev.linemap.tools;

import dev.linemap.KeyPath;
import dev.linemap.MapImage;
import dev.linemap.MapImage.BucketImage;
import dev.linemap.MapImage.LineImage;
import dev.linemap.MapImage.MigrationImage;
import dev.linemap.MapImage.TableImage;
import dev.linemap.layout.BitField;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.LayoutField;
import dev.linemap.layout.LayoutPrinter;
import dev.linemap.layout.WordFields;
import dev.linemap.tools.GrowthRecorder.Frame;
import dev.linemap.tools.GrowthRecorder.Recording;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the growth page of {@code linemap visualize}: one self-contained HTML file (no network, no
 * external script or style) that replays a {@link Recording}. The page's script and style are the
 * resource {@code growth-page.html}; this class puts the recording into it as JSON: the layout
 * (fields, byte ranges and bit fields from the {@link LayoutSource}, so the page draws lines and
 * decodes {@code ctrl} words from the descriptors), then every frame, each bucket only when it
 * changed since the frame before.
 *
 * <p>Words are written as hexadecimal strings and keys and values as decimal strings: a 64-bit word
 * does not survive a JavaScript number, and the page decodes them with {@code BigInt}.
 */
final class GrowthPage {

    /** Where the data goes in the template. */
    private static final String PLACEHOLDER = "/*LINEMAP_DATA*/null";

    private GrowthPage() {
    }

    /**
     * Renders the page.
     *
     * @param recording the recorded growth
     * @param layout the descriptors
     * @return the HTML text
     */
    static String render(final Recording recording, final LayoutSource layout) {
        final String template = template();
        final int at = template.indexOf(PLACEHOLDER);
        if (at < 0 || template.indexOf(PLACEHOLDER, at + 1) >= 0) {
            throw new IllegalStateException("growth-page.html must hold " + PLACEHOLDER + " exactly once");
        }
        return template.substring(0, at) + data(recording, layout) + template.substring(at + PLACEHOLDER.length());
    }

    /**
     * The recording as JSON.
     *
     * @param recording the recorded growth
     * @param layout the descriptors
     * @return the JSON text
     */
    static String data(final Recording recording, final LayoutSource layout) {
        final Json json = new Json().object();
        json.name("seed").value(Long.toString(recording.seed()));
        json.name("oldBuckets").value(recording.oldBuckets());
        json.name("newBuckets").value(2 * recording.oldBuckets());
        json.name("readers").value(recording.readers());
        json.name("readerGets").value(recording.readerGets());
        json.name("readerWrong").value(recording.readerWrong());
        layout(json, layout);
        json.name("frames").array();
        final Map<String, String[]> shown = new HashMap<>();   // panel -> bucket JSON as last written
        for (final Frame frame : recording.frames()) {
            frame(json, frame, recording.oldBuckets(), shown);
        }
        json.endArray();
        return json.endObject().toString();
    }

    private static void layout(final Json json, final LayoutSource layout) {
        json.name("layout").object();
        json.name("lineBytes").value(layout.lineBytes());
        json.name("lineAlignment").value(layout.bucket().byteAlignment());
        fields(json, "bucket", layout.bucket());
        fields(json, "overflowLine", layout.overflowLine());
        bits(json, "ctrl", layout.ctrl());
        bits(json, "meta", layout.meta());
        json.name("states").array();
        for (int state = 0; state <= (int) (CtrlWord.STATE_MASK >>> CtrlWord.STATE_SHIFT); state++) {
            json.value(WordFields.stateName(state));
        }
        json.endArray();
        json.endObject();
    }

    private static void fields(final Json json, final String name, final StructLayout layout) {
        json.name(name).object().name("name").value(layout.name().orElse(name)).name("fields").array();
        for (final LayoutField f : LayoutPrinter.fields(layout)) {
            json.object().name("name").value(f.name()).name("offset").value(f.offset()).name("size").value(f.size())
                    .endObject();
        }
        json.endArray().endObject();
    }

    private static void bits(final Json json, final String name, final List<BitField> fields) {
        json.name(name).array();
        for (final BitField f : fields) {
            json.object().name("name").value(f.name()).name("low").value(f.lowBit()).name("high").value(f.highBit())
                    .name("mask").value(hex(f.mask())).name("meaning").value(f.meaning()).endObject();
        }
        json.endArray();
    }

    private static void frame(final Json json, final Frame frame, final long oldBuckets,
                              final Map<String, String[]> shown) {
        final MapImage image = frame.image();
        json.object();
        json.name("key").value(Long.toString(frame.key()));
        json.name("keyUnit").value(frame.keyUnit());
        json.name("evacuated").array();
        for (final long unit : frame.evacuated()) {
            json.value(unit);
        }
        json.endArray();
        final MigrationImage m = image.migration();
        json.name("migration");
        if (m == null) {
            json.nullValue();
        } else {
            json.object().name("kind").value(m.kind().name()).name("units").value(m.units())
                    .name("cursor").value(m.cursor()).name("watermark").value(m.watermark())
                    .name("evacuatedBuckets").value(m.evacuatedBuckets()).endObject();
        }
        json.name("stats").object().name("size").value(image.stats().size())
                .name("overflowLines").value(image.stats().overflowLineCount())
                .name("offHeapBytes").value(image.stats().offHeapBytes()).endObject();
        panel(json, "old", table(image, oldBuckets), shown);
        panel(json, "new", table(image, 2 * oldBuckets), shown);
        json.name("written");
        if (frame.written() == null) {
            json.nullValue();
        } else {
            path(json, frame.written(), oldBuckets);
        }
        json.name("lookup");
        path(json, frame.lookup(), oldBuckets);
        json.endObject();
    }

    /** The table of that size in the picture: the old panel shows the small one, the new the large. */
    private static TableImage table(final MapImage image, final long buckets) {
        return image.tables().stream().filter(t -> t.bucketCount() == buckets).findFirst().orElse(null);
    }

    /** A panel: {@code null} when its table does not exist, else its role and the buckets that changed. */
    private static void panel(final Json json, final String name, final TableImage table,
                              final Map<String, String[]> shown) {
        json.name(name);
        if (table == null) {
            json.nullValue();
            shown.remove(name);
            return;
        }
        final String[] before = shown.get(name);
        final String[] now = new String[table.buckets().size()];
        json.object().name("role").value(table.role().name()).name("changes").array();
        for (int b = 0; b < now.length; b++) {
            now[b] = bucket(table.buckets().get(b));
            if (before == null || !before[b].equals(now[b])) {
                json.array().value(b).raw(now[b]).endArray();
            }
        }
        json.endArray().endObject();
        shown.put(name, now);
    }

    private static String bucket(final BucketImage bucket) {
        final Json json = new Json().object();
        json.name("a").value(hex(bucket.address())).name("live").value(bucket.live()).name("lines").array();
        for (final LineImage line : bucket.lines()) {
            json.object().name("i").value(line.index()).name("a").value(hex(line.address()))
                    .name("h").value(hex(line.header())).name("n").value(hex(line.link()));
            json.name("k").array();
            for (final long key : line.keys()) {
                json.value(Long.toString(key));
            }
            json.endArray().name("v").array();
            for (final long value : line.values()) {
                json.value(Long.toString(value));
            }
            json.endArray().endObject();
        }
        return json.endArray().endObject().toString();
    }

    private static void path(final Json json, final KeyPath path, final long oldBuckets) {
        json.object();
        json.name("key").value(Long.toString(path.key()));
        json.name("found").value(path.found());
        json.name("value").value(Long.toString(path.value()));
        json.name("unit").value(path.unit());
        json.name("line").value(path.line());
        json.name("slot").value(path.slot());
        json.name("probes").array();
        for (final KeyPath.Probe probe : path.probes()) {
            json.object().name("panel").value((1L << probe.log2()) == oldBuckets ? "old" : "new")
                    .name("role").value(probe.role().name()).name("log2").value(probe.log2())
                    .name("hash").value(hex(probe.hash())).name("index").value(probe.index())
                    .name("state").value(WordFields.stateName(probe.bucket().state())).endObject();
        }
        json.endArray().endObject();
    }

    private static String hex(final long word) {
        return "0x" + Long.toHexString(word);
    }

    private static String template() {
        try (InputStream in = GrowthPage.class.getResourceAsStream("growth-page.html")) {
            if (in == null) {
                throw new IllegalStateException("resource growth-page.html missing from the linemap jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
