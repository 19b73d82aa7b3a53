package dev.linemap.tools;

import dev.linemap.MapImage;
import dev.linemap.MapImage.BucketImage;
import dev.linemap.MapImage.Role;
import dev.linemap.layout.CtrlWord;
import dev.linemap.tools.GrowthRecorder.Frame;
import dev.linemap.tools.GrowthRecorder.Recording;
import dev.linemap.tools.browser.HeadlessChromium;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The growth page in a real browser: headless Chromium loads a page made from a fresh recording,
 * and the test reads the rendered DOM through the DevTools protocol: every bucket of both tables is
 * drawn, the timeline has one step per recorded frame, stepping forward and back shows each frame's
 * state exactly as the recording has it (evacuated old buckets, filled new ones, cursor, watermark,
 * the lookup's buckets), the selected bucket's {@code ctrl} word is decoded, no script error or
 * console error happened, and the page requested nothing but itself. Then it takes the screenshot
 * that {@code docs/images/growth-page.png} is copied from ({@code core/target/growth-page/}).
 *
 * <p>Without Chromium the test is skipped, unless {@code LINEMAP_REQUIRE_BROWSER} is set, as
 * {@code .ci/run} does (it installs Chromium first): CI always runs it.
 */
class GrowthPageBrowserTest {

    /** The viewport: wide enough for both tables and the side panel. */
    private static final int WIDTH = 1560;
    private static final int HEIGHT = 1400;

    /** The step the screenshot shows: well into the migration. */
    private static final int SCREENSHOT_STEP = 14;

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void thePageReplaysTheRecordedGrowthInChromium(@TempDir final Path dir) throws Exception {
        final Path chromium = chromium();
        final Recording recording = GrowthRecorder.record(42, 64, 2,
                new PrintStream(OutputStream.nullOutputStream()));
        final String html = GrowthPage.render(recording, LayoutSource.DESCRIPTORS);
        for (final String external : List.of("http://", "https://", "src=", "href=", "@import", "url(")) {
            assertFalse(html.contains(external), "the page must be self-contained, found " + external);
        }
        final Path page = dir.resolve("growth.html");
        Files.writeString(page, html, StandardCharsets.UTF_8);
        final List<Frame> frames = recording.frames();

        try (HeadlessChromium browser = HeadlessChromium.launch(chromium, dir.resolve("profile"), WIDTH, HEIGHT)) {
            browser.navigate(page.toUri().toString());
            assertEquals(64.0, count(browser, "#oldGrid .bucket"));
            assertEquals(128.0, count(browser, "#newGridLow .bucket, #newGridHigh .bucket"));
            assertEquals((double) frames.size(), count(browser, "#timeline .tick"));
            assertEquals("step 1 of " + frames.size(), text(browser, "#stepLabel"));

            // Forward through every frame, then back: each shows the recorded state.
            for (int step = 0; step < frames.size(); step++) {
                if (step > 0) {
                    browser.evaluate("document.getElementById('next').click()");
                }
                checkFrame(browser, frames.get(step), step, frames.size());
            }
            for (int step = frames.size() - 2; step >= SCREENSHOT_STEP - 1; step--) {
                browser.evaluate("document.getElementById('prev').click()");
                checkFrame(browser, frames.get(step), step, frames.size());
            }

            // Select an evacuated old bucket: its ctrl word is decoded field by field.
            browser.evaluate("document.querySelector('#oldGrid .bucket.evacuated').click()");
            assertEquals((double) LayoutSource.DESCRIPTORS.ctrl().size(),
                    count(browser, "#ctrl-fields tr[data-field]"));
            assertEquals(CtrlWord.EVACUATED + " EVACUATED", text(browser, "#ctrl-fields tr[data-field=state] .value"));
            assertEquals("", text(browser, "#errors"));

            final byte[] png = browser.screenshot();
            assertArrayEquals(PNG, Arrays.copyOf(png, PNG.length), "a PNG");
            assertTrue(png.length > 50_000, "a page full of buckets, not a blank one: " + png.length + " bytes");
            final Path shots = Path.of(System.getProperty("basedir", "."), "target", "growth-page");
            Files.createDirectories(shots);
            Files.write(shots.resolve("growth-page.png"), png);
            Files.writeString(shots.resolve("growth.html"), html, StandardCharsets.UTF_8);

            assertEquals(List.of(), browser.problems(), "script errors, console errors or browser errors");
            assertEquals(List.of(page.toUri().toString()), browser.requests().stream().distinct().toList(),
                    "the page may load nothing but itself");
        }
    }

    /** The DOM at one step against the recording's frame. */
    private static void checkFrame(final HeadlessChromium browser, final Frame frame, final int step,
                                   final int steps) {
        final String where = "step " + (step + 1);
        assertEquals("step " + (step + 1) + " of " + steps, text(browser, "#stepLabel"));
        final MapImage image = frame.image();
        final long evacuatedOld = image.migration() == null ? 0 : image.tables().stream()
                .filter(t -> t.role() == Role.OLD).flatMap(t -> t.buckets().stream())
                .filter(b -> b.state() == CtrlWord.EVACUATED).count();
        assertEquals((double) evacuatedOld, count(browser, "#oldGrid .bucket.evacuated"), where);
        final long filledNew = image.tables().stream().filter(t -> t.bucketCount() == 128)
                .flatMap(t -> t.buckets().stream()).filter(BucketImage::live).count();
        assertEquals((double) filledNew, count(browser, "#new .bucket:not(.unfilled)"), where);
        assertEquals((double) frame.evacuated().size(), count(browser, "#oldGrid .bucket.moved-now"), where);
        assertEquals((double) frame.lookup().probes().size(), count(browser, ".bucket.probe"), where);
        if (image.migration() != null) {
            assertEquals("^ cursor " + image.migration().cursor(), text(browser, ".marker.cursor"), where);
            assertEquals("^ watermark " + image.migration().watermark(), text(browser, ".marker.watermark"), where);
        } else {
            assertEquals(0.0, count(browser, ".marker"), where);
        }
        assertEquals((double) 2 * frame.evacuated().size(), count(browser, "#arrows path"), where);
    }

    private static Object count(final HeadlessChromium browser, final String selector) {
        return browser.evaluate("document.querySelectorAll(" + quote(selector) + ").length");
    }

    private static String text(final HeadlessChromium browser, final String selector) {
        return (String) browser.evaluate("document.querySelector(" + quote(selector) + ").textContent");
    }

    private static String quote(final String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static Path chromium() {
        final Optional<Path> found = HeadlessChromium.find();
        final String required = System.getenv("LINEMAP_REQUIRE_BROWSER");
        if (found.isEmpty() && required != null && !required.isBlank()) {
            fail("LINEMAP_REQUIRE_BROWSER is set but no Chromium was found: install it (Debian: apt-get install -y"
                    + " chromium) or point LINEMAP_CHROMIUM at it");
        }
        assumeTrue(found.isPresent(), "no Chromium on this machine (set LINEMAP_CHROMIUM); the page is not tested");
        return found.get();
    }
}
