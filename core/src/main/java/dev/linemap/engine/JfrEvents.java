package dev.linemap.engine;

/**
 * The engine's door to Java Flight Recorder, which lives in the {@code jdk.jfr} module: core
 * {@code requires static jdk.jfr}, so it compiles against it but runs without it (a jlinked image
 * without the module, or {@code --limit-modules}). Only this class decides whether the event
 * classes ({@link MigrationEvent}, {@link RetirementEvent}) may be touched; they are loaded only
 * when {@link #AVAILABLE}, so the engine never fails for a missing module. Nothing here names a JFR
 * type: events travel as {@code Object}.
 *
 * <p>Why events from the engine and not from a listener in some other module: the facts (units by
 * writers and by the helper, the longest operation, the time a retirement's arena close took) exist
 * only inside the engine's migration and table code.
 */
final class JfrEvents {

    /**
     * Whether {@code jdk.jfr} is in the boot layer and this module reads it ({@code requires static}
     * adds the edge exactly when the module is present; the class path reads everything).
     */
    static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr")
            .map(JfrEvents.class.getModule()::canRead).orElse(false);

    private JfrEvents() {
    }

    /**
     * Starts a migration event if a recording wants it.
     *
     * @return the event, or {@code null}
     */
    static Object beginMigration() {
        return AVAILABLE && Recorder.started() ? MigrationEvent.beginIfEnabled() : null;
    }

    /**
     * Ends and commits a migration event.
     *
     * @param event from {@link #beginMigration()}, not {@code null}
     * @param m the completed migration
     * @param writerUnits units evacuated by writers
     * @param helperUnits units evacuated by the helper thread
     * @param longestNanos the longest time one operation worked for the migration
     */
    static void commitMigration(final Object event, final Migration m, final long writerUnits, final long helperUnits,
                                final long longestNanos) {
        MigrationEvent.commit(event, m, writerUnits, helperUnits, longestNanos);
    }

    /**
     * Starts a retirement event if a recording wants it.
     *
     * @return the event, or {@code null}
     */
    static Object beginRetirement() {
        return AVAILABLE && Recorder.started() ? RetirementEvent.beginIfEnabled() : null;
    }

    /**
     * Ends and commits a retirement event.
     *
     * @param event from {@link #beginRetirement()}, or {@code null} (then nothing happens)
     * @param table the retired table
     * @param bytes native bytes it released
     */
    static void commitRetirement(final Object event, final Table table, final long bytes) {
        if (event != null) {
            RetirementEvent.commit(event, table, bytes);
        }
    }

    /**
     * Whether JFR was started in this JVM. The first instance of an event class costs about 90 ms
     * (measured: loading and registering the class), which a user's {@code put} that happens to
     * start the first migration would pay; before any recording exists no event could be enabled,
     * so none is created. A holder class, so that {@code jdk.jfr} is linked only when available.
     */
    private static final class Recorder {

        private Recorder() {
        }

        static boolean started() {
            return jdk.jfr.FlightRecorder.isInitialized();
        }
    }
}
