package dev.linemap.engine;

import dev.linemap.StoreFileException;
import dev.linemap.layout.RootDescriptor;
import dev.linemap.layout.RootDescriptor.Root;

/**
 * Opens the tables a map file's root names: maps their pieces, applies the {@link Recovery} rules,
 * counts the entries and resumes a migration the last process left running (it then runs on as
 * one that just started: the open does not wait for it). Whatever the file
 * holds that cannot be right becomes a {@link StoreFileException}, with every table detached again.
 */
final class PersistedOpen {

    private PersistedOpen() {
    }

    /**
     * Opens the map's tables.
     *
     * @param engine the engine being constructed (its size counter and migration machinery)
     * @param files the file's memory source
     * @param root the root the file holds
     * @param budget the map's memory accounting
     * @throws StoreFileException if the tables are truncated or corrupt
     */
    static void open(final Engine engine, final FileSource files, final Root root, final MemoryBudget budget) {
        Table to = null;
        Table from = null;
        try {
            to = table(files, root.current(), root.currentLog2(), root.currentSeed(), budget);
            if (root.kind() != RootDescriptor.NO_MIGRATION) {
                from = table(files, root.old(), root.oldLog2(), root.oldSeed(), budget);
            }
            final long[] found = Recovery.recover(engine.format, from, to, root.kind());
            files.store().settle();   // the file's own repairs, now that its tables are sound
            engine.recoveredEntries(found[0]);
            if (from == null) {
                engine.adoptGeneration(new Generation(to, null));
            } else {
                engine.resumeMigration(new Migration(engine, from, to, root.kind()));
            }
        } catch (final IllegalArgumentException | Recovery.CorruptException e) {
            detach(to);
            detach(from);
            throw new StoreFileException(files.store().path(), StoreFileException.Reason.CORRUPT,
                    "structurally corrupt: " + e.getMessage() + "; nothing was changed that a copy would need:"
                            + " restore the file from a copy", e);
        } catch (final StoreFileException e) {
            detach(to);
            detach(from);
            throw e;
        } catch (final RuntimeException | Error e) {
            detach(to);
            detach(from);
            throw e;
        }
    }

    private static Table table(final FileSource files, final long serial, final int log2, final long seed,
                               final MemoryBudget budget) {
        final FileSource.FileRegion region = files.reopen(serial);
        if (region.pieces().isEmpty()) {
            region.detach();
            throw new StoreFileException(files.store().path(), StoreFileException.Reason.TRUNCATED,
                    "holds no extent of table " + serial + ", which its root names (" + files.store().length()
                            + " bytes): the file was truncated; restore it from a copy");
        }
        try {
            return new Table(log2, seed, budget, true, region);
        } catch (final RuntimeException | Error e) {
            region.detach();
            throw e;
        }
    }

    private static void detach(final Table table) {
        if (table != null) {
            table.detach();
        }
    }
}
