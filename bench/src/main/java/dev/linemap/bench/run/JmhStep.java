package dev.linemap.bench.run;

import dev.linemap.bench.maps.MapKind;
import java.util.List;

/**
 * One JMH invocation of a profile.
 *
 * @param name step name; results go to {@code jmh-NAME.json}
 * @param include benchmark regex
 * @param impls maps
 * @param sizes values of the {@code size} parameter
 * @param warmups warm-up iterations
 * @param warmupMillis milliseconds per warm-up iteration (ignored in single-shot mode)
 * @param iterations measurement iterations
 * @param millis milliseconds per measurement iteration (ignored in single-shot mode)
 * @param forks forks per benchmark and parameter combination
 */
public record JmhStep(String name, String include, List<MapKind> impls, List<String> sizes, int warmups,
                      int warmupMillis, int iterations, int millis, int forks) {
}
