package net.passerelle.gateway.spool;

import io.netty.buffer.Unpooled;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Child process of {@link SpoolCrashTest}: spools writes from several threads forever and prints
 * {@code ACK <reference id> <sha256 of body>} for each, only once its commit completed. Killed with SIGKILL.
 */
public final class SpoolStorm {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        Spool spool = Spool.open(SpoolTestSupport.settings(dir));
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    while (true) {
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        byte[] body = new byte[rnd.nextInt(1, 40_000)];
                        rnd.nextBytes(body);
                        boolean known = rnd.nextBoolean();
                        SpoolWriter w = spool.begin("storm", SpoolTestSupport.request("POST", "/ws.php?n=" + body.length,
                                known ? body.length : -1), SpoolTestSupport.CLIENT, 0);
                        for (int off = 0; off < body.length; off += 8192) {
                            int n = Math.min(8192, body.length - off);
                            w.write(Unpooled.wrappedBuffer(body, off, n)).get(10, TimeUnit.SECONDS);
                        }
                        SpoolEntry e = w.commit().get(10, TimeUnit.SECONDS);
                        String line = "ACK " + e.referenceId() + " " + HexFormat.of().formatHex(sha.digest(body)) + "\n";
                        synchronized (System.out) {
                            System.out.print(line);
                            System.out.flush();
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, "storm-" + t);
            th.start();
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
