package dev.linemap.engine;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event {@code dev.linemap.TableRetired}: a table's memory was released (after a migration, or
 * by close). Its duration is the release itself: closing the table's shared arena, a handshake with
 * every thread. Loaded only through {@link JfrEvents}.
 */
@Name("dev.linemap.TableRetired")
@Label("linemap Table Retired")
@Category("linemap")
@StackTrace(false)   // always the engine's own path (completion, close): nothing to learn, and it costs
@Description("A linemap table's native memory was released (after a migration, or by close); the duration is the"
        + " release (a shared arena's close)")
final class RetirementEvent extends jdk.jfr.Event {

    @Label("Buckets")
    long buckets;

    @Label("Overflow Lines")
    @Description("Overflow lines in use when the table was retired")
    long overflowLines;

    @Label("Bytes Released")
    @DataAmount
    long bytes;

    /** A begun event, or {@code null} if no recording has this event enabled. */
    static Object beginIfEnabled() {
        final RetirementEvent event = new RetirementEvent();
        if (!event.isEnabled()) {
            return null;
        }
        event.begin();
        return event;
    }

    static void commit(final Object begun, final Table table, final long bytes) {
        final RetirementEvent event = (RetirementEvent) begun;
        event.end();
        if (event.shouldCommit()) {
            event.buckets = table.bucketCount;
            event.overflowLines = table.overflowInUse.sum();
            event.bytes = bytes;
            event.commit();
        }
    }
}
