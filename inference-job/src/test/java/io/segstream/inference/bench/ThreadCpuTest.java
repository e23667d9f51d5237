package io.segstream.inference.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
    @Test
    void threadsAreGroupedByNameWithoutDigits() {
        assertEquals("kafka-producer-network-thread | producer-#",
                ThreadCpu.group("kafka-producer-network-thread | producer-12"));
        assertEquals("Sink: masks (#/#)##", ThreadCpu.group("Sink: masks (1/2)#0"));
    }

    /**
     * Two threads of one kind that each burn 60 ms of CPU show up as one group of at least 120 ms, inside the total;
     * the one counted as the harness shows up there too, alone.
     */
    @Test
    void theCpuOfLiveThreadsIsCountedPerGroup() throws Exception {
        List<Thread> burners = new ArrayList<>();
        Object gate = new Object();
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> {
                long until = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() + 60_000_000L;
                double x = 0;
                while (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() < until) {
                    x += Math.sqrt(x + 1);
                }
                synchronized (gate) {
                    try {
                        gate.wait();   // stay alive until counted
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }, "burner-" + i);
            burners.add(t);
        }
        ThreadCpu cpu = ThreadCpu.start(Set.of(burners.get(0).getId()));
        burners.forEach(Thread::start);
        while (burners.stream().anyMatch(t -> t.getState() != Thread.State.WAITING)) {
            Thread.sleep(5);
        }
        Map<String, Double> ms = cpu.sinceStart();
        Set<Long> named = ThreadCpu.liveThreads(name -> name.equals("burner-1"));
        synchronized (gate) {
            gate.notifyAll();
        }
        for (Thread t : burners) {
            t.join();
        }
        assertTrue(ms.get("burner-#") >= 120, "burners: " + ms);
        assertTrue(ms.get("total") >= ms.get("burner-#"), "the process total holds every group: " + ms);
        assertTrue(ms.containsKey(ThreadCpu.UNACCOUNTED));
        assertTrue(ms.get(ThreadCpu.HARNESS) >= 60 && ms.get(ThreadCpu.HARNESS) <= ms.get("burner-#") - 60,
                "the harness is burner-0 alone: " + ms);
        assertEquals(Set.of(burners.get(1).getId()), named);
    }
}
