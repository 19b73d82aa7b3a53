package dev.linemap;

/**
 * Test-only sabotage switches, so the stress tests can prove that they fail on a broken engine.
 *
 * <p>Read once from the system property {@code linemap.canary} into {@code static final} fields:
 * with the property unset (always, outside the stress module's canary runs) the JIT folds every
 * check away. Never set it in production.
 * <ul>
 *   <li>{@code skip-read-validation}: readers skip the seqlock re-check of {@code ctrl}, so they may
 *       return a value torn by a concurrent writer.</li>
 *   <li>{@code racy-add}: {@code addAndGet} and {@code merge} read the old value before taking the
 *       bucket lock, so concurrent increments get lost.</li>
 * </ul>
 */
final class Canary {

    private static final String MODE = System.getProperty("linemap.canary", "");

    /** Readers do not re-check {@code ctrl} after reading the slots. */
    static final boolean SKIP_READ_VALIDATION = MODE.equals("skip-read-validation");

    /** Read-modify-write operations read the old value outside the lock. */
    static final boolean RACY_ADD = MODE.equals("racy-add");

    private Canary() {
    }
}
