package dev.linemap.engine;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event {@code dev.linemap.Migration}: one completed migration, from its start (the event's
 * start time) to the retirement of its old table (its end). Loaded only through {@link JfrEvents}.
 */
@Name("dev.linemap.Migration")
@Label("linemap Migration")
@Category("linemap")
@StackTrace(false)   // always the engine's own path (completion, close): nothing to learn, and it costs
@Description("A linemap table migration (grow, shrink, compact, clear), from its start to the retirement of the"
        + " old table")
final class MigrationEvent extends jdk.jfr.Event {

    @Label("Kind")
    @Description("GROW, SHRINK, COMPACT or CLEAR")
    String kind;

    @Label("Old Buckets")
    long fromBuckets;

    @Label("New Buckets")
    long toBuckets;

    @Label("Units")
    @Description("Units of work (an old bucket; for a shrink, a new bucket two old ones merge into)")
    long units;

    @Label("Units by Writers")
    @Description("Units evacuated by writes (their own key's unit and the ones they claimed), by the write that"
            + " finished a small migration inline, or by a clear")
    long unitsByWriters;

    @Label("Units by Helper")
    @Description("Units evacuated by the migration's helper thread")
    long unitsByHelper;

    @Label("Longest Operation")
    @Description("The longest time one operation worked for this migration: a write's share (its own unit, its"
            + " claims, the watermark) or the inline completion of a small migration")
    @Timespan(Timespan.NANOSECONDS)
    long longestOperation;

    /** A begun event, or {@code null} if no recording has this event enabled. */
    static Object beginIfEnabled() {
        final MigrationEvent event = new MigrationEvent();
        if (!event.isEnabled()) {
            return null;
        }
        event.begin();
        return event;
    }

    static void commit(final Object begun, final Migration m, final long writerUnits, final long helperUnits,
                       final long longestNanos) {
        final MigrationEvent event = (MigrationEvent) begun;
        event.end();
        if (event.shouldCommit()) {
            event.kind = dev.linemap.MigrationKind.values()[m.kind].name();
            event.fromBuckets = m.from.bucketCount;
            event.toBuckets = m.to.bucketCount;
            event.units = m.units;
            event.unitsByWriters = writerUnits;
            event.unitsByHelper = helperUnits;
            event.longestOperation = longestNanos;
            event.commit();
        }
    }
}
