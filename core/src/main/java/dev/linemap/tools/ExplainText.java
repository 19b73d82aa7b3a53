package dev.linemap.tools;

import dev.linemap.KeyPath;
import dev.linemap.MapImage.BucketImage;
import dev.linemap.MapImage.LineImage;
import dev.linemap.MapImage.MigrationImage;
import dev.linemap.MapImage.Role;
import dev.linemap.MapStats;
import dev.linemap.layout.BitField;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.LayoutPrinter;
import dev.linemap.layout.LineDump;
import dev.linemap.layout.MetaWord;
import dev.linemap.layout.WordFields;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text of {@code linemap explain}: the whole path of one key, from its hash to the slot that
 * holds it and its place in iteration order, rendered from a {@link KeyPath} (the words the read
 * sections copied) and a {@link LayoutSource} (every byte range, bit range and field name).
 *
 * <p>Native addresses are printed as {@code @0x...}, the one part of the text that changes from
 * run to run (the golden-file test masks them).
 */
final class ExplainText {

    private final LayoutSource layout;
    private final StringBuilder out = new StringBuilder();
    private int section;

    private ExplainText(final LayoutSource layout) {
        this.layout = layout;
    }

    /**
     * Renders the explanation.
     *
     * @param mapDescription how the map was made ({@link FilledMap#describe})
     * @param path the key's read path
     * @param stats the map's stats
     * @param before entries {@code forEach} reports before the key (ignored if it is not mapped)
     * @param layout the descriptors
     * @return the text, ending with a newline
     */
    static String render(final String mapDescription, final KeyPath path, final MapStats stats, final long before,
                         final LayoutSource layout) {
        final ExplainText text = new ExplainText(layout);
        text.header(mapDescription, path, stats);
        text.hash(path);
        text.route(path);
        for (int i = 0; i < path.probes().size(); i++) {
            text.probe(path, i);
        }
        text.rank(path, stats, before);
        return text.out.toString();
    }

    private void header(final String mapDescription, final KeyPath path, final MapStats stats) {
        line("linemap explain %d", path.key());
        line("map: %s", mapDescription);
        line("now: %,d buckets, %,d entries, %,d overflow lines, %,d bytes of native memory%s", stats.bucketCount(),
                stats.size(), stats.overflowLineCount(), stats.offHeapBytes(),
                stats.growing() ? ", a migration in progress" : "");
    }

    private void hash(final KeyPath path) {
        final KeyPath.Probe first = path.probes().getFirst();
        title("The key's hash");
        line("   key    %-22d 0x%016x", path.key(), path.key());
        line("   seed   %-22d 0x%016x", first.seed(), first.seed());
        line("   hash   0x%016x = Hashing.hash(key, seed): MurmurHash3's 64-bit finaliser of key ^ seed", first.hash());
        line("   The finaliser is a bijection: two keys never share a hash. Its low bits pick the bucket,");
        line("   its reversed bits order the iteration.");
    }

    private void route(final KeyPath path) {
        final MigrationImage m = path.migration();
        if (m == null) {
            title("Route: no migration is running");
            line("   One table, %,d buckets: it answers every read.", 1L << path.answer().log2());
            return;
        }
        title("Route: a migration is running, which table answers?");
        line("   %s from %,d to %,d buckets, cut into %,d units (%s)", m.kind(), m.fromBuckets(), m.toBuckets(),
                m.units(), unitRule(m));
        line("   cursor     %,11d   units below it have been handed to evacuators", m.cursor());
        line("   watermark  %,11d   every unit below it is evacuated", m.watermark());
        line("   evacuated  %,11d   old buckets so far", m.evacuatedBuckets());
        final KeyPath.Probe first = path.probes().getFirst();
        if (first.role() == Role.NEW) {
            line("   The key's unit is %,d < watermark %,d: its old bucket is evacuated for sure, so the read goes",
                    path.unit(), m.watermark());
            line("   straight to the new table (Migration.answering).");
        } else {
            line("   The key's unit is %,d >= watermark %,d: the read starts at its old bucket (Migration.answering),",
                    path.unit(), m.watermark());
            line("   whose state decides: NORMAL or EVACUATING, it answers; EVACUATED, the read moves on to the new");
            line("   table, published by that very EVACUATED store.");
        }
        final KeyPath.Probe answer = path.answer();
        line("   Answer: the %s table, bucket %,d%s.", answer.role() == Role.OLD ? "old" : "new", answer.index(),
                path.probes().size() > 1 ? " (the old bucket was EVACUATED)" : "");
    }

    private static String unitRule(final MigrationImage m) {
        return switch (m.kind()) {
            case GROW -> "unit u = old bucket u, split into new u and u + " + m.fromBuckets();
            case SHRINK -> "unit u = old buckets u and u + " + m.toBuckets() + ", merged into new u";
            case COMPACT -> "unit u = old bucket u, rebuilt as new u";
            case CLEAR -> "unit u = old bucket u, dropped";
        };
    }

    private void probe(final KeyPath path, final int index) {
        final KeyPath.Probe probe = path.probes().get(index);
        final BucketImage bucket = probe.bucket();
        final LineImage home = bucket.lines().getFirst();
        final long buckets = 1L << probe.log2();
        title("Bucket %,d of the %s table (%,d buckets)", probe.index(), roleName(probe.role()), buckets);
        if (probe.log2() == 0) {
            line("   A table of one bucket: no hash bit is needed to pick it.");
        } else {
            line("   The low %d bits of the hash pick one of %,d = 2^%d buckets:", probe.log2(), buckets, probe.log2());
            line("   hash  %s", binary(probe.hash()));
            line("         %s", marks(probe.log2()));
            line("   hash & 0x%x = 0b%s = %,d", buckets - 1, pad(Long.toBinaryString(probe.index()), probe.log2()),
                    probe.index());
        }
        line("   The bucket is line %,d of the table's bucket array: a line of %d bytes, %d-byte aligned (one cache",
                probe.index(), layout.lineBytes(), layout.bucket().byteAlignment());
        line("   line), at address @0x%x.", bucket.address());
        line("");
        block(LineDump.words("Its words, copied inside its seqlock read section (" + layout.bucket().name().orElse("")
                + " layout):", layout.bucket(), f -> LayoutSource.word(home, f)));
        line("   ctrl, field by field (one acquire load of it tells a reader all of this):");
        block(bits(layout.ctrl(), home.header()));
        line("   meta, field by field:");
        block(bits(layout.meta(), home.link()));
        if (CtrlWord.state(home.header()) == CtrlWord.EVACUATED) {
            line("   State EVACUATED: a migration moved this bucket's entries into the new table and published them");
            line("   with this word; the slots above are stale and the read does not look at them.");
            if (index + 1 < path.probes().size()) {
                final KeyPath.Probe next = path.probes().get(index + 1);
                if (next.log2() > probe.log2()) {
                    line("   A doubling split its entries between new buckets %,d and %,d by hash bit %d, which is %d",
                            probe.index(), probe.index() + buckets, probe.log2(), next.hash() >>> probe.log2() & 1);
                    line("   for this key: the read moves on to new bucket %,d.", next.index());
                } else {
                    line("   The read moves on to new bucket %,d.", next.index());
                }
            }
            return;
        }
        chain(path, bucket, index == path.probes().size() - 1);
    }

    private void chain(final KeyPath path, final BucketImage bucket, final boolean answers) {
        final LineImage home = bucket.lines().getFirst();
        line("   The chain, line by line (closed addressing: the key can only be in this bucket's chain):");
        line("   home line: %s", slots(home, path.key()));
        for (int l = 1; l < bucket.lines().size(); l++) {
            final LineImage overflow = bucket.lines().get(l);
            block(LineDump.words(String.format(Locale.ROOT, "overflow line %,d at @0x%x (%s layout), linked by %s:",
                    overflow.index(), overflow.address(), layout.overflowLine().name().orElse(""),
                    l == 1 ? "the bucket's meta" : "the previous line's next"),
                    layout.overflowLine(), f -> LayoutSource.word(overflow, f)));
            line("   %s", slots(overflow, path.key()));
        }
        final int count = MetaWord.count(home.link());
        line(count == 0 ? "   End of the chain: no overflow line (meta.count = 0)."
                : "   End of the chain: meta.count = " + count + " overflow line" + (count == 1 ? "" : "s")
                        + " walked, the last one's next is none.");
        if (!answers) {
            return;
        }
        if (path.found()) {
            final LineImage where = path.foundLine();
            line("   Found in %s, slot %d: value %d.",
                    where.index() == LineImage.HOME ? "the home line" : "overflow line " + where.index(), path.slot(),
                    path.value());
        } else {
            line("   Not found: no live slot of the chain holds the key; get returns the map's missing value.");
        }
    }

    private void rank(final KeyPath path, final MapStats stats, final long before) {
        final long rank = Long.reverse(path.answer().hash());
        title("Iteration order");
        line("   rank = Long.reverse(hash) = 0x%016x. forEach reports keys by increasing rank (unsigned):", rank);
        line("   the rank's top bits are the bucket bits reversed, so a bucket of any table size holds one");
        line("   contiguous range of ranks, a doubling splits each range in two, and an iteration survives");
        line("   any number of growths (docs/design.md, section 6).");
        if (path.found()) {
            line("   Key %d is entry #%,d of %,d: forEach reports %,d keys before it.", path.key(), before + 1,
                    stats.size(), before);
        } else {
            line("   Key %d is not mapped: forEach does not report it.", path.key());
        }
    }

    // ================================================================================ pieces

    /** A word's bit fields as a table: bits, field, value, meaning (the meaning is the descriptor's). */
    private static String bits(final List<BitField> fields, final long word) {
        final List<BitField> sorted = new ArrayList<>(fields);
        sorted.sort((a, b) -> Integer.compare(a.lowBit(), b.lowBit()));
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"bits", "field", "value", "meaning"});
        for (final BitField field : sorted) {
            final long value = field.extract(word);
            final String shown = switch (field.name()) {
                case "occupancy" -> "0b" + pad(Long.toBinaryString(value), field.width());
                case "state" -> value + " " + WordFields.stateName((int) value);
                case "link" -> value == 0 ? "0 (none)" : value + " (line " + (value - 1) + ")";
                default -> Long.toUnsignedString(value);
            };
            rows.add(new String[] {field.range(), field.name(), shown, field.meaning()});
        }
        return LayoutPrinter.columns(rows, new boolean[] {false, false, false, false});
    }

    /** The live slots of a line, and whether one holds the key. */
    private static String slots(final LineImage line, final long key) {
        final StringBuilder sb = new StringBuilder();
        int live = 0;
        int hit = -1;
        for (int s = 0; s < line.keys().size(); s++) {
            if (line.isLive(s)) {
                sb.append(live++ == 0 ? "" : ", ").append("slot ").append(s).append(" = ").append(line.keys().get(s));
                if (line.keys().get(s) == key) {
                    hit = s;
                }
            }
        }
        if (live == 0) {
            return "no live slot (occupancy 0)";
        }
        return "live " + sb + (hit >= 0 ? ": slot " + hit + " holds the key" : ": the key is not here");
    }

    /** 64 bits in groups of four, bit 63 first. */
    private static String binary(final long word) {
        final String bits = pad(Long.toBinaryString(word), Long.SIZE);
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Long.SIZE; i += 4) {
            sb.append(i == 0 ? "" : " ").append(bits, i, i + 4);
        }
        return sb.toString();
    }

    /** Carets under the low {@code n} bits of {@link #binary}. */
    private static String marks(final int n) {
        final StringBuilder sb = new StringBuilder();
        for (int bit = Long.SIZE - 1; bit >= 0; bit--) {
            sb.append(bit < n ? '^' : ' ');
            if (bit % 4 == 0 && bit > 0) {
                sb.append(bit < n ? '^' : ' ');
            }
        }
        return sb.toString().stripTrailing() + " the low " + n + " bits";
    }

    private static String pad(final String bits, final int width) {
        return "0".repeat(Math.max(0, width - bits.length())) + bits;
    }

    private static String roleName(final Role role) {
        return switch (role) {
            case CURRENT -> "current";
            case OLD -> "old";
            case NEW -> "new";
        };
    }

    private void title(final String format, final Object... args) {
        line("");
        line("%d. %s", ++section, String.format(Locale.ROOT, format, args));
    }

    private void block(final String text) {
        for (final String l : text.split("\n")) {
            line("   %s", l);
        }
    }

    private void line(final String format, final Object... args) {
        out.append(String.format(Locale.ROOT, format, args).stripTrailing()).append('\n');
    }
}
