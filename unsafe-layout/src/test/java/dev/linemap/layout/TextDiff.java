package dev.linemap.layout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/** A small line diff (longest common subsequence) so drift failures show exactly what moved. */
final class TextDiff {

    private TextDiff() {
    }

    /**
     * @return a diff with {@code "  "} for common lines, {@code "- "} for lines only in
     *         {@code expected} and {@code "+ "} for lines only in {@code actual}
     */
    static String diff(final List<String> expected, final List<String> actual) {
        final int n = expected.size();
        final int m = actual.size();
        final int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = expected.get(i).equals(actual.get(j))
                        ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        final List<String> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && expected.get(i).equals(actual.get(j))) {
                out.add("  " + expected.get(i++));
                j++;
            } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
                out.add("- " + expected.get(i++));
            } else {
                out.add("+ " + actual.get(j++));
            }
        }
        return String.join("\n", out);
    }

    /** Fails with a readable diff when the two line lists differ. */
    static void assertSameLines(final String what, final List<String> fromCode, final List<String> fromText) {
        if (!fromCode.equals(fromText)) {
            fail(what + " drifted from the code.\n"
                    + "  '- ' = what the code says (layout / constants), '+ ' = what the text says:\n"
                    + diff(fromCode, fromText) + "\n");
        }
    }
}
