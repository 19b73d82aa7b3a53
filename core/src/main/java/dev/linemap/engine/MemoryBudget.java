package dev.linemap.engine;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Map-wide accounting of native memory, with an optional limit.
 *
 * <p>Bytes are reserved before a segment is allocated and released when its table is retired, so
 * {@link #used()} is all native memory the map holds. A reservation past the limit fails the one
 * operation that needed the memory, exactly as a real native allocation failure does, which is how
 * the tests prove that running out of memory loses nothing already stored.
 */
final class MemoryBudget {

    private final AtomicLong used = new AtomicLong();
    private final long limit;

    /**
     * @param limit most bytes the map may hold; {@code Long.MAX_VALUE} for no limit
     */
    MemoryBudget(final long limit) {
        this.limit = limit;
    }

    /**
     * Reserves {@code bytes} or fails.
     *
     * @param bytes bytes about to be allocated
     * @throws OutOfMemoryError if the reservation would pass the limit
     */
    void reserve(final long bytes) {
        final long after = used.addAndGet(bytes);
        if (after > limit || after < 0) {
            used.addAndGet(-bytes);
            throw new OutOfMemoryError("linemap off-heap limit reached: need " + bytes + " more bytes, "
                    + (after - bytes) + " in use, limit " + limit
                    + " (raise maxOffHeapBytes on the map's builder, or remove entries; nothing stored was lost)");
        }
    }

    /**
     * Reserves {@code bytes} even past the limit: for the small target of a {@code clear()}, which
     * frees far more right after. Without it a map that reached its limit could never be emptied.
     *
     * @param bytes bytes about to be allocated
     */
    void reserveOverLimit(final long bytes) {
        used.addAndGet(bytes);
    }

    /**
     * @param bytes bytes freed
     */
    void release(final long bytes) {
        used.addAndGet(-bytes);
    }

    /**
     * Returns bytes held now.
     *
     * @return bytes held now
     */
    long used() {
        return used.get();
    }
}
