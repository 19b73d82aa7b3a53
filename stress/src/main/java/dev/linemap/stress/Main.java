package dev.linemap.stress;

import dev.linemap.stress.crash.CrashLoop;
import dev.linemap.stress.hammer.Hammer;
import dev.linemap.stress.jcstress.CanaryCheck;
import dev.linemap.stress.jcstress.JcstressRunner;
import dev.linemap.stress.lifecycle.CloseCheck;
import dev.linemap.stress.lincheck.LinearizabilityCheck;
import dev.linemap.stress.retire.ReleaseRace;

import java.util.Arrays;

/**
 * Entry point of the runnable stress jar: {@code java -jar linemap-stress.jar <command> [args]}.
 *
 * <p>One jar carries every proof so that CI and a person run exactly the same thing. Each command
 * exits with status 0 only when its property held; any failure exits non-zero with the evidence
 * (seed, test name, outcome) on standard output.
 */
public final class Main {

    private Main() {
    }

    /**
     * Dispatches to a command.
     *
     * @param args the command name followed by its arguments
     * @throws Exception whatever the command throws (the JVM then exits non-zero)
     */
    public static void main(final String[] args) throws Exception {
        if (args.length == 0 || "-h".equals(args[0]) || "--help".equals(args[0]) || "help".equals(args[0])) {
            usage();
            return;
        }
        final String[] rest = Arrays.copyOfRange(args, 1, args.length);
        final int status = switch (args[0]) {
            case "jcstress" -> JcstressRunner.run(rest);
            case "canary" -> CanaryCheck.run(rest);
            case "lincheck" -> LinearizabilityCheck.run(rest);
            case "hammer" -> Hammer.run(rest);
            case "close-check" -> CloseCheck.run(rest);
            case "release-race" -> ReleaseRace.run(rest);
            case "crash-loop" -> CrashLoop.run(rest);
            case "crash-child" -> CrashLoop.child(rest);
            default -> {
                System.err.println("unknown command '" + args[0] + "'");
                usage();
                yield 2;
            }
        };
        // jcstress and Lincheck leave non-daemon threads behind; the status is the verdict.
        System.out.flush();
        System.exit(status);
    }

    private static void usage() {
        System.out.println("""
                usage: java -jar linemap-stress.jar <command> [args]

                  jcstress [jcstress options]   run the jcstress tests (e.g. -m sanity|quick|tough, -t REGEX);
                                                exits 1 if any test failed or saw a FORBIDDEN outcome
                  canary [--lincheck-only|--jcstress-only]
                                                run the test-only broken variants (linemap.canary=...) and
                                                exit 0 only if the tests catch them
                  lincheck [--iterations N] [--invocations N] [--threads N] [--actors N] [--map long|line]
                                                Lincheck stress-mode linearizability check of LongLongMap
                                                (--map line: of LineMap<String, String>)
                  hammer --threads N --duration 10m --keys 1e7 --seed S [--check-every 5s] [--map long|line]
                                                long-running random operations checked against a model
                                                (--map line: on LineMap<String, String>)
                  close-check [--threads N] [--rounds N]
                                                close while other threads call the map; native memory
                                                returns to baseline (run with -XX:NativeMemoryTracking=summary)
                  release-race [--forks N]      N fresh JVMs with 3 writers racing table retirement: no
                                                operation may fail after taking effect (default 20)
                  crash-loop --map long|line --cycles N [--seed S] [--threads T] [--keys K] [--dir D]
                                                a child writes a persisted map and is killed (SIGKILL) at a
                                                random moment; the file must reopen holding every completed
                                                operation (issue 13); the file carries over between cycles
                """);
    }
}
