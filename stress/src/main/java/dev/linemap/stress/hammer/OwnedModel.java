package dev.linemap.stress.hammer;

import java.util.Arrays;

/**
 * The exact model of the keys one thread owns: a value per local index and the set of present
 * indices, kept dense so a present key can be picked at random in O(1) (removes must hit present
 * keys or a shrink phase would never empty the map).
 */
final class OwnedModel {

    final long[] values;
    private final int[] dense;
    private final int[] position;
    private int count;

    OwnedModel(final int size) {
        values = new long[size];
        dense = new int[size];
        position = new int[size];
        Arrays.fill(position, -1);
    }

    int size() {
        return values.length;
    }

    int presentCount() {
        return count;
    }

    boolean present(final int local) {
        return position[local] >= 0;
    }

    int presentAt(final int i) {
        return dense[i];
    }

    void set(final int local, final long value) {
        values[local] = value;
        if (position[local] < 0) {
            position[local] = count;
            dense[count++] = local;
        }
    }

    void remove(final int local) {
        final int p = position[local];
        if (p < 0) {
            return;
        }
        final int last = dense[--count];
        dense[p] = last;
        position[last] = p;
        position[local] = -1;
    }

    void clear() {
        for (int i = 0; i < count; i++) {
            position[dense[i]] = -1;
        }
        count = 0;
    }
}
