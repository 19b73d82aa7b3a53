package dev.linemap.tools.browser;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One page in a headless Chromium, driven over the DevTools protocol through
 * {@link java.net.http.WebSocket} (no test dependency): navigate, evaluate JavaScript, take a
 * screenshot, and collect what the page did on the side: script exceptions, console and log
 * errors, network requests.
 *
 * <p>Chromium runs with the flags a sandbox-less CI container needs and nothing that reaches the
 * network on its own ({@code --disable-background-networking} and friends), in a fresh profile
 * directory. Not thread-safe: one test thread.
 */
public final class HeadlessChromium implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path log;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
    /** The page's DevTools session; read by the listener thread. */
    private volatile String session;

    private HeadlessChromium(final Process process, final Path log, final URI endpoint)
            throws InterruptedException, ExecutionException, TimeoutException {
        this.process = process;
        this.log = log;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(endpoint, new Listener()).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * Finds a Chromium: {@code $LINEMAP_CHROMIUM}, else {@code chromium}, {@code chromium-browser},
     * {@code google-chrome} or {@code google-chrome-stable} on the {@code PATH}.
     *
     * @return its path, if there is one
     */
    public static Optional<Path> find() {
        final String configured = System.getenv("LINEMAP_CHROMIUM");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (final String name : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
                final Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Starts Chromium and opens one blank page with the given viewport.
     *
     * @param executable the Chromium binary
     * @param profile a fresh, empty directory for the browser profile
     * @param width viewport width in CSS pixels
     * @param height viewport height in CSS pixels
     * @return the browser, with its page
     * @throws IOException if Chromium cannot be started
     * @throws InterruptedException if interrupted while waiting for it
     */
    public static HeadlessChromium launch(final Path executable, final Path profile, final int width, final int height)
            throws IOException, InterruptedException {
        Files.createDirectories(profile);
        final Path log = profile.resolve("chromium.log");
        final Process process = new ProcessBuilder(executable.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--remote-debugging-port=0", "about:blank")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final Path port = profile.resolve("DevToolsActivePort");
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> lines = List.of();
        while (lines.size() < 2) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                kill(process);
                throw new IOException("Chromium did not open its DevTools port (exit "
                        + (process.isAlive() ? "none, timed out" : process.exitValue()) + "); its log:\n" + tail(log));
            }
            Thread.sleep(50);
            lines = Files.exists(port) ? Files.readAllLines(port) : List.of();
        }
        try {
            final HeadlessChromium browser = new HeadlessChromium(process, log,
                    URI.create("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim()));
            browser.openPage(width, height);
            return browser;
        } catch (final ExecutionException | TimeoutException | RuntimeException | Error e) {
            kill(process);
            throw new IOException("cannot drive Chromium through DevTools; its log:\n" + tail(log), e);
        }
    }

    private void openPage(final int width, final int height) {
        final Object target = send("Target.createTarget", "{\"url\":\"about:blank\"}").get("targetId");
        session = (String) send("Target.attachToTarget",
                "{\"targetId\":" + JsonReader.quote((String) target) + ",\"flatten\":true}").get("sessionId");
        for (final String domain : List.of("Runtime", "Log", "Network", "Page")) {
            send(domain + ".enable", "{}");
        }
        send("Emulation.setDeviceMetricsOverride",
                "{\"width\":" + width + ",\"height\":" + height + ",\"deviceScaleFactor\":1,\"mobile\":false}");
    }

    /**
     * Loads a URL and waits for its load event.
     *
     * @param url the URL
     * @throws InterruptedException if interrupted while waiting
     */
    public void navigate(final String url) throws InterruptedException {
        final int seen = events.size();
        send("Page.navigate", "{\"url\":" + JsonReader.quote(url) + "}");
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (events.stream().skip(seen).noneMatch(e -> "Page.loadEventFired".equals(e.get("method")))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no load event for " + url + " within " + TIMEOUT);
            }
            Thread.sleep(10);
        }
    }

    /**
     * Evaluates an expression in the page and returns its value (JSON-compatible values only).
     *
     * @param expression JavaScript
     * @return its value: a {@code String}, {@code Double}, {@code Boolean}, {@code List}, {@code Map}
     *         or {@code null}
     * @throws AssertionError if the expression throws
     */
    public Object evaluate(final String expression) {
        final Map<String, Object> result = send("Runtime.evaluate",
                "{\"expression\":" + JsonReader.quote(expression) + ",\"returnByValue\":true}");
        if (result.containsKey("exceptionDetails")) {
            throw new AssertionError("page threw on " + expression + ": " + result.get("exceptionDetails"));
        }
        @SuppressWarnings("unchecked")
        final Map<String, Object> remote = (Map<String, Object>) result.get("result");
        return remote.get("value");
    }

    /**
     * Takes a PNG screenshot of the viewport.
     *
     * @return the PNG bytes
     */
    public byte[] screenshot() {
        return Base64.getDecoder().decode((String) send("Page.captureScreenshot", "{\"format\":\"png\"}").get("data"));
    }

    /**
     * Returns everything that went wrong on the page's side: uncaught exceptions, console calls of
     * type error, assert or warning, and browser log entries of level error or warning.
     *
     * @return one line per problem; empty if none
     */
    @SuppressWarnings("unchecked")
    public List<String> problems() {
        final List<String> problems = new ArrayList<>();
        for (final Map<String, Object> e : events) {
            final Map<String, Object> params = (Map<String, Object>) e.get("params");
            switch (String.valueOf(e.get("method"))) {
                case "Runtime.exceptionThrown" -> problems.add("exception: " + params.get("exceptionDetails"));
                case "Runtime.consoleAPICalled" -> {
                    if (List.of("error", "assert", "warning").contains(params.get("type"))) {
                        problems.add("console." + params.get("type") + ": " + params.get("args"));
                    }
                }
                case "Log.entryAdded" -> {
                    final Map<String, Object> entry = (Map<String, Object>) params.get("entry");
                    if (List.of("error", "warning").contains(entry.get("level"))) {
                        problems.add("log " + entry.get("level") + ": " + entry.get("text") + " " + entry.get("url"));
                    }
                }
                default -> { }
            }
        }
        return problems;
    }

    /**
     * Returns the URL of every request the page made.
     *
     * @return the URLs, in order
     */
    @SuppressWarnings("unchecked")
    public List<String> requests() {
        return events.stream().filter(e -> "Network.requestWillBeSent".equals(e.get("method")))
                .map(e -> (String) ((Map<String, Object>) ((Map<String, Object>) e.get("params")).get("request"))
                        .get("url"))
                .toList();
    }

    /** Closes the browser (DevTools {@code Browser.close}); kills it and its children if it lingers. */
    @Override
    public void close() throws InterruptedException {
        try {
            // To the browser, not the page; no reply awaited: the connection may drop first.
            socket.sendText("{\"id\":" + ids.incrementAndGet() + ",\"method\":\"Browser.close\"}", true)
                    .get(5, TimeUnit.SECONDS);
        } catch (final ExecutionException | TimeoutException e) {
            // the wait below decides
        }
        socket.abort();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            kill(process);
        }
    }

    private static void kill(final Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Sends a command (to the page's session once there is one) and returns its result. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> send(final String method, final String params) {
        final int id = ids.incrementAndGet();
        final CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText("{\"id\":" + id + (session == null ? "" : ",\"sessionId\":" + JsonReader.quote(session))
                + ",\"method\":" + JsonReader.quote(method) + ",\"params\":" + params + "}", true).join();
        final Map<String, Object> response;
        try {
            response = reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (final InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError(method + ": no reply from Chromium; its log:\n" + tail(log), e);
        }
        if (response.containsKey("error")) {
            throw new AssertionError(method + " failed: " + response.get("error"));
        }
        return (Map<String, Object>) response.get("result");
    }

    private static String tail(final Path log) {
        try {
            final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (final IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Assembles text frames into messages: replies complete their command, the rest are events. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();

        @Override
        @SuppressWarnings("unchecked")
        public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last) {
            message.append(data);
            if (last) {
                final Map<String, Object> parsed = (Map<String, Object>) JsonReader.parse(message.toString());
                message.setLength(0);
                if (parsed.containsKey("id")) {
                    final CompletableFuture<Map<String, Object>> reply =
                            pending.remove(((Double) parsed.get("id")).intValue());
                    if (reply != null) {
                        reply.complete(parsed);
                    }
                } else if (session != null && session.equals(parsed.get("sessionId"))) {
                    events.add(parsed);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
