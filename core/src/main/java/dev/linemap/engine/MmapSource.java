package dev.linemap.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Table memory from anonymous {@code mmap} (fast mode only: the {@code Linker} is restricted).
 *
 * <p>Why mappings: memory the engine frees must reach the operating system. Memory from
 * {@code malloc} often does not (glibc keeps freed 1 MiB blocks once its mmap threshold has risen
 * past them), so RSS stayed at its peak after shrinks and even after {@code close()}.
 *
 * <p>Reclamation, in two steps (see {@code docs/design.md}, "Reclamation"):
 * <ol>
 *   <li>{@link Region#release()}, when the table is retired: {@code madvise(MADV_DONTNEED)} on
 *       every mapping. RSS drops at once. The mappings stay: a thread that still reads the table
 *       sees zero pages, never a fault; it then finds the table retired and starts over.</li>
 *   <li>{@code munmap}, once the table object is unreachable ({@link Cleaner}). Every operation
 *       that touches a table keeps the object that references it reachable to its end
 *       ({@code Reference.reachabilityFence}), so no thread can hold an address into an unmapped
 *       range.</li>
 * </ol>
 * A mapping is made with {@code MAP_NORESERVE}: its pages are committed (and zeroed by the kernel)
 * on first touch, so a table's whole bucket array is reserved in one call without touching it.
 */
// Restricted methods (Linker, reinterpret): this class is loaded only in fast mode, when native
// access is enabled for this module.
@SuppressWarnings("restricted")
final class MmapSource implements MemorySource {

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_FIXED = 0x10;
    private static final int MAP_NORESERVE = 0x4000;
    private static final int MADV_DONTNEED = 4;
    private static final int MADV_HUGEPAGE = 14;
    private static final int MADV_POPULATE_WRITE = 23;
    /** The x86-64 and AArch64 (4 KiB base page) PMD size: the smallest transparent huge page. */
    private static final long HUGE_PAGE = 2L << 20;
    private static final long MAP_FAILED = -1L;

    private static final StructLayout CAPTURED = Linker.Option.captureStateLayout();
    private static final VarHandle VH_ERRNO =
            CAPTURED.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;
    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle FALLOCATE;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int ENOSPC = 28;
    private static final int FALLOC_FL_PUNCH_HOLE = 2;

    /** Runs the deferred unmaps. */
    static final Cleaner CLEANER = Cleaner.create();

    static {
        final Linker linker = Linker.nativeLinker();
        final Linker.Option errno = Linker.Option.captureCallState("errno");
        MMAP = linker.downcallHandle(linker.defaultLookup().findOrThrow("mmap"),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
                errno);
        MUNMAP = linker.downcallHandle(linker.defaultLookup().findOrThrow("munmap"),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), errno);
        MADVISE = linker.downcallHandle(linker.defaultLookup().findOrThrow("madvise"),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), errno);
        // open(2) is variadic: called with the fixed arguments only (no O_CREAT, so no mode).
        OPEN = linker.downcallHandle(linker.defaultLookup().findOrThrow("open"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(2));
        CLOSE = linker.downcallHandle(linker.defaultLookup().findOrThrow("close"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        FALLOCATE = linker.downcallHandle(linker.defaultLookup().findOrThrow("fallocate"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), errno);
        if (ADDRESS.byteSize() != Long.BYTES) {
            throw new ExceptionInInitializerError("64-bit addresses required");
        }
    }

    private final boolean hugePages;
    private final boolean preTouch;

    /**
     * A source whose mappings ask for huge pages and are pre-faulted as configured.
     *
     * @param hugePages {@code madvise(MADV_HUGEPAGE)} on each mapping of 2 MiB or more
     * @param preTouch {@code madvise(MADV_POPULATE_WRITE)} on each mapping when it is made
     */
    MmapSource(final boolean hugePages, final boolean preTouch) {
        this.hugePages = hugePages;
        this.preTouch = preTouch;
    }

    /**
     * Replaces the mapping at {@code address} (a map file's piece, see {@link FileSource}) by zero
     * pages, in place: a thread still reading there sees zeros, never a fault, and no store of a
     * late thread reaches the file any more.
     *
     * @param address start of the mapping, page aligned
     * @param length its length, whole pages
     */
    static void replaceWithZeroPages(final long address, final long length) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment state = arena.allocate(CAPTURED);
            final long at = (long) MMAP.invokeExact(state, address, length, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0L);
            if (at != address) {
                throw new IllegalStateException("mmap(MAP_FIXED) over the map file's piece at 0x"
                        + Long.toHexString(address) + " failed, errno " + (int) VH_ERRNO.get(state, 0L));
            }
        } catch (final RuntimeException | Error e) {
            throw e;
        } catch (final Throwable t) {
            throw new IllegalStateException("mmap downcall failed", t);
        }
    }

    /**
     * Opens a descriptor of a map file for {@link #punchHole} ({@code open(path, O_RDWR)}).
     *
     * @param path the file
     * @return the descriptor, or -1 if it cannot be had (holes are then not punched)
     */
    static int openForHoles(final java.nio.file.Path path) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(arena.allocateFrom(path.toString()), O_RDWR | O_CLOEXEC);
        } catch (final Throwable t) {
            return -1;
        }
    }

    /**
     * Gives the disk blocks of a byte range of a file back ({@code fallocate(PUNCH_HOLE |
     * KEEP_SIZE)}): the range then reads as zeros and takes no space.
     *
     * @param fd a descriptor from {@link #openForHoles}
     * @param offset start of the range
     * @param length its length
     * @return whether the file system did it
     */
    static boolean punchHole(final int fd, final long offset, final long length) {
        return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length) == 0;
    }

    /** {@code fallocate}: 0, or the errno of its failure. */
    private static int fallocate(final int fd, final int mode, final long offset, final long length) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment state = arena.allocate(CAPTURED);
            final int result = (int) FALLOCATE.invokeExact(state, fd, mode, offset, length);
            return result == 0 ? 0 : Math.max(1, (int) VH_ERRNO.get(state, 0L));
        } catch (final Throwable t) {
            return -1;
        }
    }

    /**
     * Gives a byte range of a file disk blocks ({@code fallocate}, mode 0; the file grows if the
     * range passes its end).
     *
     * @param fd a descriptor from {@link #openForHoles}
     * @param offset start of the range
     * @param length its length
     * @return {@code false} only if the device has no space for them ({@code ENOSPC}); a file
     *         system without the call ({@code EOPNOTSUPP}) gets a sparse range, as without it
     */
    static boolean allocateBlocks(final int fd, final long offset, final long length) {
        return fallocate(fd, 0, offset, length) != ENOSPC;
    }

    /**
     * Closes a descriptor from {@link #openForHoles}.
     *
     * @param fd the descriptor
     */
    static void closeFd(final int fd) {
        try {
            final int ignored = (int) CLOSE.invokeExact(fd);
        } catch (final Throwable t) {
            // nothing to do: the process keeps one descriptor more
        }
    }

    @Override
    public Region newRegion() {
        return new MmapRegion(hugePages, preTouch);
    }

    /** One table's mappings. */
    private static final class MmapRegion implements Region {

        private final boolean hugePages;
        private final boolean preTouch;

        MmapRegion(final boolean hugePages, final boolean preTouch) {
            this.hugePages = hugePages;
            this.preTouch = preTouch;
        }

        /** {address, length} of every mapping; guarded by {@code this}. */
        private final List<long[]> mappings = new ArrayList<>();
        private boolean released;

        @Override
        public MemorySegment allocateLines(final long lines) {
            final MemorySegment segment = reserveLines(lines);
            commit(segment.address(), segment.byteSize());
            return segment;
        }

        @Override
        public void commit(final long address, final long bytes) {
            // Pre-touch: fault every page in now, not on the first access of a get or put. Kernels
            // before 5.14 lack MADV_POPULATE_WRITE (EINVAL); then the pages fault in lazily as without it.
            if (preTouch) {
                advise(address, bytes, MADV_POPULATE_WRITE, "madvise(MADV_POPULATE_WRITE)", false);
            }
        }

        @Override
        public MemorySegment reserveLines(final long lines) {
            final long length = lines << 6;
            final long address;
            try (Arena arena = Arena.ofConfined()) {
                final MemorySegment state = arena.allocate(CAPTURED);
                address = (long) MMAP.invokeExact(state, 0L, length, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
                if (address == MAP_FAILED) {
                    throw new OutOfMemoryError("mmap of " + length + " bytes failed, errno "
                            + (int) VH_ERRNO.get(state, 0L) + " (linemap table memory; nothing stored was lost)");
                }
            } catch (final OutOfMemoryError | RuntimeException e) {
                throw e;
            } catch (final Throwable t) {
                throw new IllegalStateException("mmap downcall failed", t);
            }
            synchronized (this) {
                mappings.add(new long[] {address, length});
            }
            // Huge pages: at 16Mi entries a random get misses the TLB as well as the cache; one 2 MiB
            // page covers 512 times the lines of a 4 KiB page. Advice only: the kernel (THP in
            // "madvise" mode, the common default) may decline, and a failure changes nothing stored.
            if (hugePages && length >= HUGE_PAGE) {
                advise(address, length, MADV_HUGEPAGE, "madvise(MADV_HUGEPAGE)", false);
            }
            return MemorySegment.ofAddress(address).reinterpret(length);
        }

        @Override
        public synchronized void release() {
            if (released) {
                return;
            }
            released = true;
            for (final long[] m : mappings) {
                advise(m[0], m[1], MADV_DONTNEED, "madvise(MADV_DONTNEED)", true);
            }
        }

        @Override
        public Runnable unmapper() {
            return () -> {
                final List<long[]> all;
                synchronized (this) {
                    all = List.copyOf(mappings);
                    mappings.clear();
                }
                for (final long[] m : all) {
                    munmap(m[0], m[1]);
                }
            };
        }

        private static void advise(final long address, final long length, final int advice, final String what,
                                   final boolean required) {
            call(MADVISE, address, length, advice, what, required);
        }

        private static void munmap(final long address, final long length) {
            call(MUNMAP, address, length, 0, "munmap", true);
        }

        /**
         * {@code madvise(address, length, advice)} or {@code munmap(address, length)}, by
         * {@code handle}; a failure throws if {@code required}, else it is ignored (advice is an
         * optimization the kernel may refuse).
         */
        private static void call(final MethodHandle handle, final long address, final long length, final int advice,
                                 final String what, final boolean required) {
            final int result;
            final int errno;
            try (Arena arena = Arena.ofConfined()) {
                final MemorySegment state = arena.allocate(CAPTURED);
                result = handle == MUNMAP
                        ? (int) MUNMAP.invokeExact(state, address, length)
                        : (int) MADVISE.invokeExact(state, address, length, advice);
                errno = (int) VH_ERRNO.get(state, 0L);
            } catch (final RuntimeException | Error e) {
                throw e;
            } catch (final Throwable t) {
                throw new IllegalStateException(what + " downcall failed", t);
            }
            if (result != 0 && required) {
                throw new IllegalStateException(what + " of " + length + " bytes at 0x"
                        + Long.toHexString(address) + " failed, errno " + errno);
            }
        }
    }
}
