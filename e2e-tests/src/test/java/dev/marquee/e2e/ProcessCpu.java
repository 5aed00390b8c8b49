package dev.marquee.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time (user + system) of each process of the running stack, its child processes included, read from
 * {@code /proc}: the pid files that ./marquee writes next to {@code urls.env} name the processes. Taken before and
 * after a load run, the difference divided by the requests says where each request's CPU goes. Linux only; elsewhere
 * it reports nothing.
 */
final class ProcessCpu {
    private static final double TICK_MS = 10.0; // USER_HZ is 100 on Linux
    private final Map<String, Long> roots = new LinkedHashMap<>();

    private ProcessCpu(Map<String, Long> roots) {
        this.roots.putAll(roots);
    }

    /** The stack's processes by name (gateway, retrieval, ..., kafka, redis, milvus) and this JVM as "bench". */
    static ProcessCpu ofStack() {
        Map<String, Long> roots = new LinkedHashMap<>();
        String urls = System.getenv().getOrDefault("MARQUEE_URLS", "../.marquee/urls.env");
        Path run = Path.of(urls).toAbsolutePath().getParent().resolve("run");
        try (Stream<Path> files = Files.list(run)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".pid")).sorted().toList()) {
                String name = f.getFileName().toString().replace(".pid", "");
                roots.put(name, Long.parseLong(Files.readString(f).trim()));
            }
        } catch (IOException | NumberFormatException e) {
            // no pid files: nothing to report
        }
        roots.put("bench", ProcessHandle.current().pid());
        return new ProcessCpu(roots);
    }

    /** Milliseconds of CPU used so far by each named process and its descendants. */
    Map<String, Double> millis() {
        Map<Long, long[]> stats = new HashMap<>(); // pid -> {ppid, utime + stime}
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    stats.put(Long.parseLong(p.getFileName().toString()),
                            new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]) + Long.parseLong(f[12])});
                } catch (IOException | RuntimeException gone) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        Map<String, Double> out = new LinkedHashMap<>();
        roots.forEach((name, root) -> {
            // a launcher and the server it started (milvus-server -> milvus) are one process tree: count it once
            if (roots.values().stream().anyMatch(other -> !other.equals(root) && descends(root, other, stats))) {
                return;
            }
            long ticks = 0;
            for (Map.Entry<Long, long[]> e : stats.entrySet()) {
                if (descends(e.getKey(), root, stats)) {
                    ticks += e.getValue()[1];
                }
            }
            out.put(name, ticks * TICK_MS);
        });
        return out;
    }

    private static boolean descends(long pid, long root, Map<Long, long[]> stats) {
        for (int depth = 0; depth < 16 && pid > 1; depth++) {
            if (pid == root) {
                return true;
            }
            long[] s = stats.get(pid);
            if (s == null) {
                return false;
            }
            pid = s[0];
        }
        return pid == root;
    }

    /**
     * The machine's CPU ticks so far, all cores together, from the first line of {@code /proc/stat}: {time not idle
     * (nor waiting for I/O, nor stolen), stolen (the hypervisor ran something else while this machine had work), all}.
     * Empty where there is no such file.
     */
    static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long all = 0;
            for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
                all += Long.parseLong(f[i]);
            }
            long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
            return new long[] {all - Long.parseLong(f[4]) - Long.parseLong(f[5]) - steal, steal, all};
        } catch (IOException | RuntimeException e) {
            return new long[0];
        }
    }

    /**
     * What the machine did besides the stack between two readings, in percent of all its cores' time: stolen by the
     * hypervisor, and busy outside the stack's processes (the kernel's network and interrupt work, other processes).
     * A slow box shows here, not in the stack's own figures.
     */
    static String machineLine(long[] before, long[] after, Map<String, Double> stackBefore,
                              Map<String, Double> stackAfter) {
        if (before.length == 0 || after.length == 0 || after[2] == before[2]) {
            return "    cpu machine: unknown (no /proc/stat)";
        }
        double all = after[2] - before[2];
        double outside = (after[0] - before[0]) - total(stackBefore, stackAfter) / TICK_MS;
        return String.format(java.util.Locale.ROOT, "    cpu machine: %d cores, %.1f %% of their time stolen by the "
                        + "host, %.1f %% busy outside the stack", Runtime.getRuntime().availableProcessors(),
                100 * (after[1] - before[1]) / all, 100 * Math.max(0, outside) / all);
    }

    /** CPU milliseconds all processes used between two readings. */
    static double total(Map<String, Double> before, Map<String, Double> after) {
        double total = 0;
        for (Map.Entry<String, Double> e : after.entrySet()) {
            total += e.getValue() - before.getOrDefault(e.getKey(), 0.0);
        }
        return total;
    }

    /** CPU milliseconds per request by process between two readings, largest first, with the total. */
    static List<String> perRequest(Map<String, Double> before, Map<String, Double> after, int requests) {
        List<Map.Entry<String, Double>> rows = new ArrayList<>();
        for (Map.Entry<String, Double> e : after.entrySet()) {
            rows.add(Map.entry(e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0.0)) / requests));
        }
        rows.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        List<String> out = new ArrayList<>();
        out.add(String.format(java.util.Locale.ROOT, "    cpu per request: %.2f ms in all",
                total(before, after) / requests));
        rows.forEach(r -> out.add(String.format(java.util.Locale.ROOT, "    cpu %-10s %.2f ms", r.getKey(),
                r.getValue())));
        return out;
    }
}
